"""Linkage quality against a truth file: pairwise, B-cubed and exact-cluster precision, recall
and F1, and blocking recall; and a truth-format csv of the current links.

Truth files: a csv with a ``person_id`` column and either ``record_id``, or
``file_name,sheet,row_number`` naming the row a record came from (file_name as in the
``returns`` table, compared by base name; row_number is the 1-based Excel row; sheet may be
blank for csv returns or when the file and row already identify the record), with a
``group`` (or ``column_group``) column for records of numbered column groups. An optional
``kind`` column (victims/offenders) restricts rows to one kind. Headers are compared without case,
and the obvious names are aliases (TRUTH_ALIASES): ``file,sheet,row,person`` is the same file.
`export_persons` writes the current links in that form (file, sheet, row, person)."""

from __future__ import annotations

import csv
import os
from typing import Any

import pandas as pd

from .errors import LinkageError, TruthMismatchError
from .link import _clusters
from .names import fold_sql
from .settings import KINDS, _config

# Other names for the truth file's columns (after lower-casing, spaces as underscores).
TRUTH_ALIASES = {"file": "file_name", "filename": "file_name", "row": "row_number", "rownumber": "row_number",
                 "row_no": "row_number", "sheet_name": "sheet", "person": "person_id", "personid": "person_id",
                 "record": "record_id", "recordid": "record_id"}


def _read_truth(con, kind: str, truth_csv: str | os.PathLike) -> tuple[pd.DataFrame, int]:
    """Truth rows joined to record_ids: (frame record_id, truth_id), unmatched row count."""
    if kind not in KINDS:  # it names a table below
        raise LinkageError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    truth = pd.read_csv(truth_csv, dtype=str, keep_default_na=False)
    truth.columns = [TRUTH_ALIASES.get(c, c) for c in ("_".join(c.strip().lower().split()) for c in truth.columns)]
    if "person_id" not in truth.columns:
        raise LinkageError(f"{truth_csv}: truth file needs a person_id column")
    if "kind" in truth.columns:
        truth = truth[truth["kind"].isin(["", kind, KINDS[kind]])]
    truth = truth[truth["person_id"] != ""]
    if "record_id" in truth.columns:
        known = {r for (r,) in con.execute(f"SELECT record_id FROM current_{kind}").fetchall()}
        hit = truth[truth["record_id"].isin(known)]
        return (pd.DataFrame({"record_id": hit["record_id"], "truth_id": hit["person_id"]}),
                len(truth) - len(hit))
    if not {"file_name", "row_number"} <= set(truth.columns):
        raise LinkageError(f"{truth_csv}: truth file needs record_id, or file_name,sheet,row_number")
    has_group = "column_group" in {r[0] for r in con.execute(f"DESCRIBE current_{kind}").fetchall()}
    group_sql = "v.column_group" if has_group else "CAST(NULL AS VARCHAR) AS column_group"
    recs = con.execute(f"""SELECT v.record_id, rt.file_name, v.sheet, v.row_number, {group_sql}
        FROM current_{kind} v JOIN returns rt USING (return_id)""").df()
    recs["key"] = recs["file_name"].map(lambda f: os.path.basename(str(f)).lower())
    recs["row_number"] = recs["row_number"].astype("Int64")
    recs["sheet_rec"] = recs["sheet"].fillna("").astype(str).str.lower()
    recs["group_rec"] = recs["column_group"].fillna("").astype(str)
    truth = truth.reset_index(drop=True)
    truth["_t"] = range(len(truth))
    truth["key"] = truth["file_name"].map(lambda f: os.path.basename(f).lower())
    truth["row_number"] = pd.to_numeric(truth["row_number"], errors="coerce").astype("Int64")
    sheet = truth["sheet"] if "sheet" in truth.columns else pd.Series("", index=truth.index)
    truth["sheet_t"] = sheet.fillna("").astype(str).str.strip().str.lower()
    group = next((truth[c] for c in ("column_group", "group") if c in truth.columns), pd.Series("", index=truth.index))
    truth["group_t"] = group.fillna("").astype(str).str.strip()
    m = truth[["_t", "key", "row_number", "sheet_t", "group_t", "person_id"]].merge(
        recs[["record_id", "key", "row_number", "sheet_rec", "group_rec"]], on=["key", "row_number"], how="inner")
    # A truth row names one record by (file, sheet, row, group): a sheet given must be the record's
    # (blank: any sheet, for csv returns), and so must a group (blank: a record of no group). A row
    # naming no loaded record, or several, is counted as not joined, never attached to a neighbour.
    m = m[((m["sheet_t"] == "") | (m["sheet_t"] == m["sheet_rec"])) & (m["group_t"] == m["group_rec"])]
    m = m[m.groupby("_t")["record_id"].transform("size") == 1]
    return (pd.DataFrame({"record_id": m["record_id"].values, "truth_id": m["person_id"].values}),
            len(truth) - len(m))


def _pairs(sizes) -> int:
    return int(sum(s * (s - 1) // 2 for s in sizes))


def _named_pairs(con, kind: str, df) -> tuple[int, int, int]:
    """Pairs put in one person that are one, pairs put in one person, and true pairs, among records
    that both carry a full name: a forename and a surname of two letters or more, as the comparisons
    read names ("D" + "W", a whole-name cell of dotted initials, is initials there, and was counted
    named here: bench/heldout5)."""
    letters = fold_sql("length(regexp_replace(lower(strip_accents(coalesce({0}, ''))), '[^a-z]', '', 'g')) >= 2")
    named_ids = {r for (r,) in con.execute(
        f"SELECT record_id FROM current_{kind} WHERE {letters.format('forename')} AND {letters.format('surname')}"
    ).fetchall()}
    nd = df[df["record_id"].isin(named_ids)]
    return (_pairs(nd.groupby(["pred", "truth_id"]).size()), _pairs(nd.groupby("pred").size()),
            _pairs(nd.groupby("truth_id").size()))


def partition_scores(con, kind: str, df) -> tuple[dict[str, Any], int]:
    """Pairwise, B-cubed, exact-cluster and full-name-pairs precision, recall and F1 of a
    partition ``df`` (record_id, truth_id, pred: the predicted person), with the predicted and
    true persons' counts; and the truth's pairs. ``evaluate`` scores a linkage run afresh with
    it; bench/link_truth.py scores the links a store holds."""
    both = df.groupby(["pred", "truth_id"]).size()
    pred_sizes = df.groupby("pred").size()
    true_sizes = df.groupby("truth_id").size()
    tp, pp, tpairs = _pairs(both), _pairs(pred_sizes), _pairs(true_sizes)

    def prf(p, r):
        return {"precision": round(p, 6), "recall": round(r, 6),
                "f1": round(2 * p * r / (p + r), 6) if p + r else 0.0}

    pairwise = prf(tp / pp if pp else 1.0, tp / tpairs if tpairs else 1.0)
    pairwise.update(true_positive_pairs=tp, predicted_pairs=pp, truth_pairs=tpairs)
    ntp, npp, ntruth = _named_pairs(con, kind, df)
    named = prf(ntp / npp if npp else 1.0, ntp / ntruth if ntruth else 1.0)
    cell = both.rename("n").reset_index()
    cell["ps"] = cell["pred"].map(pred_sizes)
    cell["ts"] = cell["truth_id"].map(true_sizes)
    n = len(df)
    bcubed = prf(float((cell["n"] ** 2 / cell["ps"]).sum() / n) if n else 1.0,
                 float((cell["n"] ** 2 / cell["ts"]).sum() / n) if n else 1.0)
    exact = cell[(cell["n"] == cell["ps"]) & (cell["n"] == cell["ts"])]
    exact_c = prf(len(exact) / len(pred_sizes) if len(pred_sizes) else 1.0,
                  len(exact) / len(true_sizes) if len(true_sizes) else 1.0)
    out: dict[str, Any] = {"persons_predicted": int(len(pred_sizes)), "persons_truth": int(len(true_sizes))}
    for name, scores in (("pairwise", pairwise), ("bcubed", bcubed), ("exact_cluster", exact_c),
                         ("full_name_pairs", named)):
        out.update({f"{name}_{k}": v for k, v in scores.items()})
    return out, tpairs


def evaluate(con, kind: str, truth_csv: str | os.PathLike, config=None, overrides=None,
             engine: str | None = None) -> dict[str, Any]:
    """Score linkage against a truth file. Returns a flat dict: person counts;
    pairwise_{precision,recall,f1} (record pairs put in one person); bcubed_* and
    exact_cluster_* (cluster level); blocking_recall (truth pairs that were candidate pairs).
    Runs the linkage afresh (nothing is written); records not in the truth file are left out."""
    cfg = _config(config, engine)
    truth, unmatched = _read_truth(con, kind, truth_csv)
    rows = len(truth) + unmatched
    # a truth file for the other kind (or another data set) matches few records: an error, not F1 0
    if rows == 0 or unmatched > rows / 2:
        raise TruthMismatchError(
            f"{truth_csv}: {unmatched:,} of {rows:,} truth rows match no current {kind} record; "
            f"is it the truth file for {kind}? (give --kind offenders for an offenders truth file)")
    run, roots, _best, stats = _clusters(con, kind, cfg, overrides, cfg.threshold)
    index = {rid: i for i, rid in enumerate(run.record_ids)}
    df = truth.drop_duplicates("record_id").copy()
    df["pred"] = [roots[index[r]] for r in df["record_id"]]
    scores, tpairs = partition_scores(con, kind, df)
    # blocking recall: truth pairs that were candidate pairs at all
    found = 0
    if tpairs and run.api is not None:
        uid = df.assign(uid=[index[r] for r in df["record_id"]])[["uid", "truth_id"]]
        tp_pairs = uid.merge(uid, on="truth_id")
        tp_pairs = tp_pairs[tp_pairs["uid_x"] < tp_pairs["uid_y"]]
        reg = run.api.register(pd.DataFrame({"l": tp_pairs["uid_x"].astype("int64").values,
                                             "r": tp_pairs["uid_y"].astype("int64").values}))
        found = int(run.api.query_sql(
            f"SELECT count(*) AS n FROM {reg.physical_name} t JOIN {run.predictions} b "
            f"ON b.unique_id_l = t.l AND b.unique_id_r = t.r", "pandas")["n"].iloc[0])
    out: dict[str, Any] = {
        "kind": kind,
        "records": len(run.record_ids),
        "records_evaluated": len(df),
        "truth_rows_unmatched": unmatched,
        "persons_predicted": scores.pop("persons_predicted"),
        "persons_truth": scores.pop("persons_truth"),
        "persons_total": len(set(roots)),
        "ambiguous_records": stats["ambiguous_records"],
        "persons_low": stats["persons_low"],
        "persons_high": stats["persons_high"],
    }
    out.update(scores)
    out.update({
        "candidate_pairs": run.candidate_pairs,
        "blocking_recall": round(found / tpairs, 6) if tpairs else 1.0,
        "threshold": cfg.threshold,
        "seconds": round(run.seconds, 3),
    })
    return out


def write_truth_template(con, kind: str, path: str | os.PathLike) -> int:
    """Write the current person assignment as a truth-format csv (record_id,person_id)."""
    rows = con.execute(f"SELECT record_id, person_id FROM {KINDS[kind]}_links ORDER BY record_id").fetchall()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "person_id"])
        w.writerows(rows)
    return len(rows)


def export_persons(con, kind: str, path: str | os.PathLike) -> int:
    """Write which person each current record belongs to, one row per record: file, sheet, row,
    person (and record_id, kind). The same form `evaluate` reads as a truth file, so a reviewed
    copy of it can score a later linkage. Holds no names or dates of birth."""
    if kind not in KINDS:
        raise LinkageError(f"kind must be one of {', '.join(KINDS)}")
    rows = con.execute(f"""SELECT r.file_name, v.sheet, v.row_number, l.person_id, v.record_id
        FROM current_{kind} v JOIN returns r USING (return_id) JOIN {KINDS[kind]}_links l USING (record_id)
        ORDER BY r.file_name, v.sheet, v.row_number""").fetchall()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "sheet", "row", "person", "record_id", "kind"])
        w.writerows([*row, kind] for row in rows)
    return len(rows)
