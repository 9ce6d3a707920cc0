"""The quality of the links a linked store holds, against a truth file: what `cse-audit link
evaluate` prints (linkage/evaluate.partition_scores) for the persons the store's ``*_links``
table records, without linking again (a 1M link is minutes; the store a `bench/link_steps.py
--keep` run kept is scored as it was linked). Blocking recall needs the candidate pairs, so it
is left out; so are the count's range and the ambiguous records (`link evaluate` has them).

    python bench/link_truth.py STORE --truth DIR    # DIR/victims.csv, DIR/offenders.csv

Prints JSON per kind. The store is opened read-only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cse_audit import store
from cse_audit.linkage import KINDS
from cse_audit.linkage.evaluate import _read_truth, partition_scores


def scores(con, kind: str, truth_csv: Path) -> dict:
    """``link evaluate``'s scores of the store's links for ``kind`` (a constant table name)."""
    truth, unmatched = _read_truth(con, kind, truth_csv)
    links = con.execute(f"SELECT record_id, person_id FROM {KINDS[kind]}_links").df()
    pred = dict(zip(links["record_id"], links["person_id"], strict=True))
    df = truth.drop_duplicates("record_id").copy()
    df["pred"] = [pred[r] for r in df["record_id"]]
    out, _ = partition_scores(con, kind, df)
    return {"kind": kind, "records": len(links), "records_evaluated": len(df), "truth_rows_unmatched": unmatched,
            "persons_total": int(links["person_id"].nunique()), **out}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--truth", type=Path, required=True, help="folder with victims.csv and offenders.csv")
    args = ap.parse_args(argv)
    con = store.connect(args.db, read_only=True)
    try:
        print(json.dumps({kind: scores(con, kind, args.truth / f"{kind}.csv") for kind in KINDS}, indent=1))
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
