"""The count's range taken apart against the truth (issue 16, session 20).

    PYTHONPATH=$PWD .venv/bin/python bench/range_truth.py STORE TRUTH.csv [--kind victims]

Runs the linkage as `link evaluate` does (nothing written) and, for the persons the range is
computed on (before the joins by fits), compares each of its terms with what the truth says:

- split: 1 - p summed over each person's spanning-tree pairs (certainty._split_tree), split into
  the tree pairs that are correct (both records one true person) and those that are not, with
  the full names' calibration (namedep: the pairs of one full name weigh name_bits less), with
  none, and with twice it; against the true number of persons hidden inside persons (sum over
  persons of true persons in it, less one);
- merge: the pairs of persons that may be one (certainty._merge_chances) against the true
  persons cut in two or more;
- the range's own log line (duplicates of partial records, 2 sd) and the stated range.

Prints counts only, never a name or a cell value.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cse_audit import store  # noqa: E402
from cse_audit.linkage import certainty, link, namedep, unresolved  # noqa: E402
from cse_audit.linkage.evaluate import _read_truth, evaluate  # noqa: E402


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _held(run, e, root):
    if run.fit is None or run.kinds is None:
        return None
    kinds = np.asarray(run.kinds)
    has_named = np.zeros(len(root), bool)
    has_named[root[kinds < 4]] = True
    return unresolved.estimable(run.fit, kinds) & has_named[root]


def take_apart(run, roots, threshold, forbidden, edges, truth_of: np.ndarray) -> dict:
    """The range's split and merge terms against the truth (truth_of: per record a true person
    code, -1 where the truth does not name the record)."""
    root = np.asarray(roots)
    base = run.edges if edges is None else edges
    bits = getattr(run, "name_bits", 0.0)
    codes = getattr(run, "full_name", None)
    held = _held(run, base, root)
    tree = certainty._split_tree(namedep.calibrated(base, codes, bits), root, threshold, held)
    a, b = base["uid_l"].to_numpy()[tree], base["uid_r"].to_numpy()[tree]
    known = (truth_of[a] >= 0) & (truth_of[b] >= 0)
    right = known & (truth_of[a] == truth_of[b])
    wrong = known & (truth_of[a] != truth_of[b])
    same_name = (codes[a] == codes[b]) & (codes[a] >= 0) if codes is not None else np.zeros(len(a), bool)
    out = {"persons": int(len(set(root.tolist()))), "name_bits": round(float(bits), 3), "tree_pairs": int(len(tree)),
           "tree_pairs_correct": int(right.sum()), "tree_pairs_wrong": int(wrong.sum()),
           "tree_pairs_one_full_name": int(same_name.sum())}
    for label, alt in (("calibrated", bits), ("uncalibrated", 0.0), ("twice", 2 * bits)):
        p = namedep.calibrated(base, codes, alt)["p"].to_numpy()[tree]
        out[f"split_{label}"] = round(float((1 - p).sum()), 2)
        out[f"split_{label}_correct"] = round(float((1 - p)[right].sum()), 2)
        out[f"split_{label}_correct_one_full_name"] = round(float((1 - p)[right & same_name].sum()), 2)
        out[f"split_{label}_wrong"] = round(float((1 - p)[wrong].sum()), 2)
    named = np.asarray(run.kinds) < 4 if run.kinds is not None else None
    merge = certainty._merge_chances(namedep.calibrated(base, codes, bits), root, forbidden, named)
    out["merge_calibrated"] = round(float(merge.sum()), 2)
    lab = truth_of >= 0
    pairs = {(int(r), int(t)) for r, t in zip(root[lab], truth_of[lab], strict=True)}
    per_pred, per_true = {}, {}
    for r, t in pairs:
        per_pred[r] = per_pred.get(r, 0) + 1
        per_true[t] = per_true.get(t, 0) + 1
    out["true_hidden_in_persons"] = sum(v - 1 for v in per_pred.values())  # splits the truth needs
    out["true_cut_apart"] = sum(v - 1 for v in per_true.values())  # merges the truth needs
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("truth", type=Path)
    ap.add_argument("--kind", default="victims")
    a = ap.parse_args(argv)
    got = {}
    real = link._uncertainty

    def spy(run, roots, threshold, low, high, forbidden=(), kind="records", edges=None):
        got.update(run=run, roots=list(roots), threshold=threshold, forbidden=list(forbidden), edges=edges)
        return real(run, roots, threshold, low, high, forbidden=forbidden, kind=kind, edges=edges)

    lines = _Lines()
    logging.getLogger("cse_audit.linkage").addHandler(lines)
    logging.getLogger("cse_audit.linkage").setLevel(logging.INFO)
    link._uncertainty = spy
    con = store.connect(a.store, read_only=True)
    try:
        ev = evaluate(con, a.kind, a.truth)
        truth, _ = _read_truth(con, a.kind, a.truth)
    finally:
        link._uncertainty = real
        con.close()
    run = got["run"]
    index = {rid: i for i, rid in enumerate(run.record_ids)}
    truth_of = np.full(len(run.record_ids), -1, np.int64)
    codes = {t: i for i, t in enumerate(sorted(set(truth["truth_id"])))}
    for r, t in zip(truth["record_id"], truth["truth_id"], strict=True):
        truth_of[index[r]] = codes[t]
    out = {"kind": a.kind, "counted": ev["persons_predicted"], "truth": ev["persons_truth"],
           "range": [ev["persons_low"], ev["persons_high"]],
           **take_apart(run, got["roots"], got["threshold"], got["forbidden"], got["edges"], truth_of),
           "log": [x for x in lines.lines if "count's range" in x]}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
