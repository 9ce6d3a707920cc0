"""Linkage quality scored from the stored links and a truth file, written independently of
cse_audit.linkage.evaluate (which re-runs the linkage): the quality tests check the links the
tables are counted from, and a mistake in evaluate cannot hide a mistake in the links."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def score(con, kind: str, truth_csv: Path) -> dict:
    """Every current record must be in the truth (file, sheet, row) and vice versa."""
    k = {"victims": "victim", "offenders": "offender"}[kind]
    rows = con.execute(f"SELECT r.file_name, v.sheet, v.row_number, l.person_id FROM current_{kind} v "
                       f"JOIN returns r USING (return_id) JOIN {k}_links l USING (record_id)").fetchall()
    predicted = {(f, s, int(n)): p for f, s, n, p in rows}
    with open(truth_csv, encoding="utf-8", newline="") as fh:
        truth = {(r["file_name"], r["sheet"], int(r["row_number"])): r["person_id"] for r in csv.DictReader(fh)}
    assert len(predicted) == len(rows), "a record with two links"
    assert predicted.keys() == truth.keys(), "records and truth rows differ"
    cells = Counter((predicted[key], truth[key]) for key in truth)       # (pred, true) -> records
    pred_size = Counter(predicted.values())
    true_size = Counter(truth.values())
    n = len(truth)
    tp = sum(_pairs(c) for c in cells.values())
    pp, tt = sum(map(_pairs, pred_size.values())), sum(map(_pairs, true_size.values()))
    pw_p, pw_r = (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)
    b_p = sum(c * c / pred_size[p] for (p, _), c in cells.items()) / n
    b_r = sum(c * c / true_size[t] for (_, t), c in cells.items()) / n
    exact = sum(1 for (p, t), c in cells.items() if c == pred_size[p] == true_size[t])
    ex_p, ex_r = exact / len(pred_size), exact / len(true_size)
    return {"records": n, "persons_predicted": len(pred_size), "persons_truth": len(true_size),
            "pairwise_precision": pw_p, "pairwise_recall": pw_r, "pairwise_f1": _f1(pw_p, pw_r),
            "bcubed_f1": _f1(b_p, b_r), "exact_cluster_f1": _f1(ex_p, ex_r)}
