"""Errors of one bench/heldout3 data set by kind, with `cse-audit link explain` on examples.

    .venv/bin/python bench/heldout3/diagnose.py bench/heldout3/data/h3-1k-s31 [--kind victims] [--examples 2]

False pairs (one person for two) and missed pairs (two persons for one) are grouped by the agencies'
types and by what the two records carry and agree on. No names or dates are printed: shapes only
(`link explain` without --show-values).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CLI = str(Path(sys.executable).parent / "cse-audit")


def _norm(s):
    return "".join(ch for ch in (s or "").lower() if ch.isalpha())


def shape(a: dict, b: dict) -> str:
    """What a pair carries and agrees on, in words without values."""
    def carry(r):
        if r["forename"] and r["surname"] and len(_norm(r["surname"])) > 1:
            return "name"
        if r["forename"] and r["surname"]:
            return "forename+initial"
        if r["forename"] or r["surname"]:
            return "one name"
        return "initials" if r["initials"] else "no name"
    parts = ["-".join(sorted([carry(a), carry(b)]))]
    if carry(a) == carry(b) == "name":
        fa, fb, sa, sb = (_norm(a["forename"]), _norm(b["forename"]), _norm(a["surname"]), _norm(b["surname"]))
        parts.append("fn=" + ("same" if fa == fb else "x" if fa == sb else "diff"))
        parts.append("sn=" + ("same" if sa == sb else "x" if sa == fb else "diff"))
    da, db = a["dob"], b["dob"]
    parts.append("dob=" + ("both-same" if da and da == db else "both-diff" if da and db else
                           "one" if da or db else "none"))
    parts.append("agency=" + ("same" if a["agency_id"] == b["agency_id"] else "other"))
    return " ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--kind", default="victims", choices=["victims", "offenders"])
    ap.add_argument("--examples", type=int, default=1)
    args = ap.parse_args(argv)
    db = args.dataset.with_suffix(".duckdb")
    sys.path.insert(0, str(ROOT))
    from cse_audit import store

    con = store.connect(db, read_only=True)
    recs = {}
    for row in con.execute(
            f"SELECT v.record_id, rt.file_name, v.sheet, v.row_number, v.agency_id, v.source_type, v.forename, "
            f"v.surname, v.initials, CAST(v.dob AS VARCHAR), l.person_id FROM current_{args.kind} v "
            f"JOIN returns rt USING (return_id) JOIN {args.kind[:-1]}_links l USING (record_id)").fetchall():
        rid, f, sh, rn, ag, st, fn, sn, ini, dob, pid = row
        recs[(f, str(sh), int(rn))] = dict(record_id=rid, agency_id=ag, source_type=st, forename=fn, surname=sn,
                                           initials=ini, dob=dob, pred=pid)
    con.close()
    truth = {}
    with open(args.dataset / "_truth" / f"{args.kind}.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = (r["file_name"], r["sheet"], int(r["row_number"]))
            if key in recs:
                truth[key] = r["person_id"]
    by_true, by_pred = defaultdict(list), defaultdict(list)
    for key, pid in truth.items():
        by_true[pid].append(key)
        by_pred[recs[key]["pred"]].append(key)
    missed, false = defaultdict(list), defaultdict(list)
    for keys in by_true.values():
        for a, b in itertools.combinations(keys, 2):
            if recs[a]["pred"] != recs[b]["pred"]:
                ra, rb = recs[a], recs[b]
                missed[f"{'-'.join(sorted([ra['source_type'], rb['source_type']]))} {shape(ra, rb)}"].append((a, b))
    for keys in by_pred.values():
        for a, b in itertools.combinations(keys, 2):
            if truth[a] != truth[b]:
                ra, rb = recs[a], recs[b]
                false[f"{'-'.join(sorted([ra['source_type'], rb['source_type']]))} {shape(ra, rb)}"].append((a, b))
    agencies = Counter()
    for pairs in missed.values():
        for a, b in pairs:
            agencies[recs[a]["agency_id"]] += 1
            agencies[recs[b]["agency_id"]] += 1
    for title, groups in (("MISSED pairs (one person counted as two)", missed), ("FALSE pairs (two as one)", false)):
        print(f"\n## {title}: {sum(len(v) for v in groups.values())}")
        for k, pairs in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:14]:
            print(f"{len(pairs):5d}  {k}")
            for a, b in pairs[:args.examples]:
                res = subprocess.run([CLI, "link", "explain", recs[a]["record_id"], recs[b]["record_id"],
                                      "--db", str(db), "--kind", args.kind, "-q"], capture_output=True, text=True)
                print("       " + res.stdout.strip().replace("\n", "\n       ")[:1500])
    print("\nmissed-pair records by agency:", dict(agencies.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
