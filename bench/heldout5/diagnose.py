"""Missed and false pairs of one bench/heldout5 data set, grouped by what the two records carry.

    .venv/bin/python bench/heldout5/diagnose.py h5-1k-s51 --kind offenders

A record's shape is its name (full / forename only / surname only / initials / none), then +dob or
+age, then the agency type. Counts only: no name, date or cell value is printed.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def shape(fore: bool, sur: bool, ini: bool, dob: bool, age: bool, source: str) -> str:
    name = "full" if fore and sur else "fore" if fore else "sur" if sur else "initials" if ini else "none"
    return f"{name}{'+dob' if dob else '+age' if age else ''}:{source}"


def pairs(groups: dict, other: dict) -> Counter:
    """Pairs inside one group of `groups` whose records `other` puts apart, by their shapes."""
    out: Counter = Counter()
    for recs in groups.values():
        for a, b in itertools.combinations(recs, 2):
            if other[a[0]] != other[b[0]]:
                out[" / ".join(sorted((a[1], b[1])))] += 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", help="a data set name, e.g. h5-1k-s51")
    ap.add_argument("--kind", default="victims", choices=["victims", "offenders"])
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parent.parent))
    from cse_audit import store

    con = store.connect(DATA / f"{args.dataset}.duckdb", read_only=True)
    try:
        rows = con.execute(
            f"SELECT rt.file_name, v.sheet, v.row_number, coalesce(v.column_group, ''), l.person_id, "
            "v.forename IS NOT NULL, v.surname IS NOT NULL, v.initials IS NOT NULL, v.dob IS NOT NULL, "
            f"v.age IS NOT NULL, v.source_type FROM current_{args.kind} v JOIN returns rt USING (return_id) "
            f"JOIN {args.kind[:-1]}_links l USING (record_id)").fetchall()
    finally:
        con.close()
    with open(DATA / args.dataset / "_truth" / f"{args.kind}.csv", newline="", encoding="utf-8") as f:
        truth = {(r["file_name"], r["sheet"], int(r["row_number"]), r["group"]): r["person_id"]
                 for r in csv.DictReader(f)}
    every = [((r[0], str(r[1]), r[2], str(r[3])), shape(*r[5:11]), r[4]) for r in rows]
    recs = [r for r in every if r[0] in truth]  # the rest are rows of no person of this kind (README)
    print(f"records not in the truth file: {len(every) - len(recs)}")
    true_of = {k: truth[k] for k, _, _ in recs}
    pred_of = {k: p for k, _, p in recs}
    by_true, by_pred = defaultdict(list), defaultdict(list)
    for k, s, p in recs:
        by_true[true_of[k]].append((k, s))
        by_pred[p].append((k, s))
    missed, false = pairs(by_true, pred_of), pairs(by_pred, true_of)
    print(f"{args.dataset} {args.kind}: {len(recs)} records; shapes: "
          + ", ".join(f"{s} {n}" for s, n in Counter(s for _, s, _ in recs).most_common()))
    print(f"missed pairs (one person, two counted): {sum(missed.values())}")
    for s, n in missed.most_common(args.top):
        print(f"  {n:6d}  {s}")
    print(f"false pairs (two people, one counted): {sum(false.values())}")
    for s, n in false.most_common(args.top):
        print(f"  {n:6d}  {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
