"""Make the fifth held-out world's returns and truth files (synthetic).

    .venv/bin/python bench/heldout5/h5make.py OUT --seed 51 --children 200

With --split-adults the small agencies' adults-of-concern table is on a sheet of its own instead of
under the children's table (what an analyst does by hand; the mapping language cannot read it there).
OUT gets one return per agency that has a report, and OUT/_truth/victims.csv, offenders.csv
(file_name,sheet,row_number,group,person_id) and stats.json. Files are owner-only (0600).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from h5layouts import LAYOUT_RATES, LAYOUTS  # noqa: E402
from h5record import NOISE  # noqa: E402
from h5world import AGENCIES, PARAMS, build  # noqa: E402

EXT = {"ods": "ods", "xls": "xls", "xlsx": "xlsx", "csv": "csv"}


def _write_truth(path: Path, rows: list[tuple]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file_name", "sheet", "row_number", "group", "person_id"])
        w.writerows(rows)
    os.chmod(path, 0o600)


def _rows(name: str, sheet: str, rows: list[tuple]) -> list[tuple]:
    return [(name, *r) if len(r) == 4 else (name, sheet, *r) for r in rows]


def make(out: Path, seed: int, n_children: int, split_adults: bool = False) -> dict:
    from h5write import write

    children, offenders, reports = build(seed, n_children)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    by_agency = defaultdict(list)
    for rep in reports:
        by_agency[rep.agency[0]].append(rep)
    rng = random.Random(seed * 1000 + 5)
    tv, to = [], []
    for agency in AGENCIES:
        reps = by_agency.get(agency[0])
        if not reps:
            continue
        opts = {"split": split_adults} if agency[4] == "multi_xlsx" else {}
        fmt, sheets, truth_sheet, v_rows, o_rows = LAYOUTS[agency[4]](agency, reps, rng, **opts)
        name = f"{agency[1]} CSE return.{EXT[fmt]}"
        write(out / name, fmt, sheets)
        tv += _rows(name, truth_sheet, v_rows)
        to += _rows(name, truth_sheet, o_rows)
    _write_truth(out / "_truth" / "victims.csv", tv)
    _write_truth(out / "_truth" / "offenders.csv", to)
    full = Counter((c.forename, c.surname) for c in children)
    stats = {
        "seed": seed, "children": n_children, "split_adults": split_adults,
        "victim_records": len(tv), "victim_persons": len({r[4] for r in tv}),
        "offender_records": len(to), "offender_persons": len({r[4] for r in to}),
        "offenders_in_world": len(offenders),
        "movers": sum(c.second_area is not None for c in children),
        "name_changes": sum(c.new_surname is not None for c in children),
        "children_sharing_full_name": sum(full[(c.forename, c.surname)] > 1 for c in children),
        "reports_by_type": dict(Counter(r.agency[2] for r in reports)),
        "reports_by_layout": dict(Counter(r.agency[4] for r in reports)),
        "agencies_per_child": dict(Counter(Counter(r.child.pid for r in reports).values())),
        "PARAMS": {k: str(v) for k, v in PARAMS.items()}, "NOISE": {k: str(v) for k, v in NOISE.items()},
        "LAYOUT_RATES": LAYOUT_RATES,
    }
    (out / "_truth" / "stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=51)
    ap.add_argument("--children", type=int, default=200)
    ap.add_argument("--split-adults", action="store_true",
                    help="the small agencies' adults-of-concern table on its own sheet (as an analyst would move it)")
    args = ap.parse_args(argv)
    stats = make(args.out, args.seed, args.children, args.split_adults)
    print(json.dumps({k: v for k, v in stats.items() if k not in ("PARAMS", "NOISE", "LAYOUT_RATES")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
