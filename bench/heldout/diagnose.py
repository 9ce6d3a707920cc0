"""Classify the linkage's errors on a held-out store: false pairs (two people made one) and missed
pairs (one person left as two), by what the two records carry, with `cse-audit link explain` on
examples of each kind.

    .venv/bin/python bench/heldout/diagnose.py bench/heldout/data/ho-1k-s11 [--examples 2] [--kind victims]

Reads the store bench/heldout/data/NAME.duckdb (as run.py left it) and NAME/_truth/. Prints the
counts per kind and, for each kind, example pairs with every comparison's level and weight
(names and dates shown: all synthetic).
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd

CLI = str(Path(sys.executable).parent / "cse-audit")


def load(db: Path, truth_dir: Path, kind: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    recs = con.execute(f"""SELECT v.*, r.file_name, l.person_id AS pred, l.match_probability
        FROM current_{kind} v JOIN returns r USING (return_id) JOIN {kind[:-1]}_links l USING (record_id)""").df()
    con.close()
    t = pd.read_csv(truth_dir / f"{kind}.csv", dtype=str, keep_default_na=False)
    t["row_number"] = t["row_number"].astype(int)
    recs["file_name"] = recs["file_name"].map(os.path.basename)
    return recs.merge(t[["file_name", "row_number", "person_id", "sheet"]].rename(columns={"sheet": "tsheet"}),
                      on=["file_name", "row_number"]).query("tsheet == '' or tsheet == sheet")


def _named(r) -> bool:
    return bool(r.forename) and bool(r.surname) and isinstance(r.forename, str) and isinstance(r.surname, str)


def _birth_year(r) -> float | None:
    """The year of birth a record says: its DOB's, else its age before its case date (mid-period
    without one); None with neither."""
    if not pd.isna(r.dob):
        return r.dob.year + r.dob.month / 12
    if pd.isna(r.age):
        return None
    when = 2009.6 if pd.isna(r.case_date) else r.case_date.year + r.case_date.month / 12
    return when - r.age - 0.5


def _dob_kind(a, b) -> str:
    if pd.isna(a.dob) or pd.isna(b.dob):
        ya, yb = _birth_year(a), _birth_year(b)
        if ya is None or yb is None:
            return "one side with no DOB or age"
        return f"one or both without DOB, births {'fit' if abs(ya - yb) <= 2.5 else 'years apart'}"
    x, y = a.dob, b.dob
    if x == y:
        return "same DOB"
    if x.year == y.year and x.month == y.month and abs(x.day - y.day) == 1:
        return "DOB day off by one"
    if x.year == y.year and x.month == y.day and x.day == y.month:
        return "DOB day/month swapped"
    if (x.month, x.day) == (y.month, y.day) and abs(x.year - y.year) == 1:
        return "DOB year off by one"
    return "DOB different"


def _name_kind(a, b) -> str:
    fa, fb, sa, sb = (str(v).lower() for v in (a.forename, b.forename, a.surname, b.surname))
    if fa == fb and sa == sb:
        return "same full name"
    bits = []
    if fa != fb:
        bits.append("forename differs")
    if sa != sb:
        bits.append("surname one part of a double-barrelled" if ("-" in sa) != ("-" in sb) and
                    (sa in sb.split("-") or sb in sa.split("-")) else "surname differs")
    return ", ".join(bits)


def classify(a, b, kind: str, false_pair: bool) -> str:
    """One label per pair; the first that applies, ordered from the most specific."""
    na, nb = _named(a), _named(b)
    same_return = a.return_id == b.return_id
    charity = "charity" if "ngo" in (a.source_type, b.source_type) else "other"
    if not na and not nb:
        return f"{'false' if false_pair else 'missed'}: neither record fully named ({'same return' if same_return else 'two returns'}; {charity})"
    if na != nb:
        one = a if not na else b
        if isinstance(one.forename, str) or isinstance(one.surname, str):
            what = "partial name"
        elif isinstance(one.initials, str) and one.initials:
            what = "initials + age" if pd.isna(one.dob) else "initials + DOB"
        else:
            what = "no name or initials (age only)"
        return f"{'false' if false_pair else 'missed'}: one record {what} vs a named record ({charity})"
    nk, dk = _name_kind(a, b), _dob_kind(a, b)
    area = "same force area" if a.force_area == b.force_area else "different force areas"
    if false_pair:
        return f"false: named pair, {nk}, {dk}, {area}"
    if dk.startswith("DOB ") and dk != "DOB different":
        return f"missed: named pair, {dk}"
    if nk != "same full name":
        return f"missed: named pair, {nk}, {dk}"
    return f"missed: named pair, same full name, {dk}, {area}"


def pairs(df: pd.DataFrame):
    """False pairs (same predicted person, different truth) and missed pairs (the reverse)."""
    false, missed = [], []
    for _p, g in df.groupby("pred"):
        for a, b in itertools.combinations(g.itertuples(), 2):
            if a.person_id != b.person_id:
                false.append((a, b))
    for _t, g in df.groupby("person_id"):
        for a, b in itertools.combinations(g.itertuples(), 2):
            if a.pred != b.pred:
                missed.append((a, b))
    return false, missed


def recall_by_naming(df: pd.DataFrame) -> str:
    """Truth pairs and how many were found, split by whether both records carry a full name."""
    found, total = collections.Counter(), collections.Counter()
    for _t, g in df.groupby("person_id"):
        for a, b in itertools.combinations(g.itertuples(), 2):
            key = "both named" if _named(a) and _named(b) else "one or both not fully named"
            total[key] += 1
            found[key] += a.pred == b.pred
    return "; ".join(f"true pairs {k}: {found[k]} of {total[k]} found ({found[k] / total[k]:.3f})"
                     for k in sorted(total))


def explain(db: Path, kind: str, a: str, b: str) -> list[dict]:
    res = subprocess.run([CLI, "link", "explain", a, b, "--db", str(db), "--kind", kind, "--show-values",
                          "--format", "json", "-q"], capture_output=True, text=True)
    try:
        return json.loads(res.stdout)
    except json.JSONDecodeError:
        return [{"error": (res.stderr or res.stdout)[-400:]}]


def brief(ex, df: pd.DataFrame) -> str:
    """One line per example: the compared values, each comparison's level and weight, the result."""
    if "error" in ex:
        return ex["error"]
    rec = df.set_index("record_id")
    vals = []
    for rid in (ex["record_id_a"], ex["record_id_b"]):
        r = rec.loc[rid]
        dob = "" if pd.isna(r.dob) else str(r.dob)[:10]
        age = "" if pd.isna(r.age) else f"{int(r.age)}" + ("" if pd.isna(r.age_max) else f"-{int(r.age_max)}")
        vals.append(f"[{r.forename or ''} {r.surname or ''} ({r.initials or ''}) dob {dob or '-'} age {age or '-'} "
                    f"{r.sex} {r.area}]".replace("None", ""))
    levels = "; ".join(f"{c['comparison']} {c['level']} {c['match_weight']:+.2f}" for c in ex["comparisons"])
    return (f"{vals[0]} vs {vals[1]}\n        {levels}; prior {ex['prior_match_weight']:+.2f} ({ex.get('prior_group')})"
            f" -> weight {ex['match_weight']:+.2f}, p {ex['match_probability']:.3f}; candidate pair "
            f"{ex['candidate_pair']}; held apart within return {ex.get('held_apart_within_return')}; "
            f"joined by fits {ex.get('joined_by_fits')}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", type=Path, help="bench/heldout/data/NAME (the returns folder; the store is NAME.duckdb)")
    ap.add_argument("--kind", choices=["victims", "offenders"], nargs="*", default=["victims", "offenders"])
    ap.add_argument("--examples", type=int, default=1, help="examples explained per kind of error")
    ap.add_argument("--top", type=int, default=8, help="explain examples of the TOP most common kinds only")
    ap.add_argument("--json", type=Path, help="also write the counts and examples here")
    args = ap.parse_args(argv)
    db = args.data.with_suffix(".duckdb")
    report = {}
    for kind in args.kind:
        df = load(db, args.data / "_truth", kind)
        false, missed = pairs(df)
        kinds = collections.defaultdict(list)
        for fp, lst in ((True, false), (False, missed)):
            for a, b in lst:
                kinds[classify(a, b, kind, fp)].append((a.record_id, b.record_id))
        print(f"\n## {kind}: {len(false)} false pairs, {len(missed)} missed pairs")
        print("   " + recall_by_naming(df))
        out = {}
        for i, (label, ps) in enumerate(sorted(kinds.items(), key=lambda kv: -len(kv[1]))):
            print(f"{len(ps):6d}  {label}")
            out[label] = {"count": len(ps), "examples": []}
            for a, b in ps[:args.examples if i < args.top else 0]:
                ex = explain(db, kind, a, b)
                out[label]["examples"].append({"pair": [a, b], "explain": ex})
                print(f"        e.g. {a}  |  {b}")
                print("        " + brief(ex, df))
        report[kind] = out
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
