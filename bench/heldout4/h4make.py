"""Write the fourth world's returns and truth files (seeded).

    .venv/bin/python bench/heldout4/h4make.py OUT --seed 41 --children 460
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from h4layouts import WRITERS, save  # noqa: E402
from h4world import AGENCIES, PARAMS, attach_offenders, make_children, make_reports  # noqa: E402


def generate(out: Path, seed: int, children: int) -> dict:
    """Returns under OUT, truth under OUT/_truth (victims.csv, offenders.csv, stats.json); the stats."""
    rng = random.Random(seed)
    kids = make_children(rng, children)
    offenders = attach_offenders(rng, kids)
    reports = make_reports(rng, kids)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    truth = {"victims": [], "offenders": []}
    for agency in AGENCIES:
        reps = [r for r in reports if r.agency.id == agency.id]
        if not reps:
            continue
        result = WRITERS[agency.layout](rng, reps)
        path = out / agency.file
        save(result, path, agency.layout)
        os.chmod(path, 0o600)                      # holds (synthetic) names
        for sheet, row, group, kind, pid in result.truth:
            truth[kind].append((agency.file, sheet, row, group, pid))
    for kind, rows in truth.items():
        path = out / "_truth" / f"{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["file_name", "sheet", "row_number", "group", "person_id"])
            w.writerows(rows)
        os.chmod(path, 0o600)
    full = Counter((k.forename, k.surname) for k in kids)
    stats = {
        "seed": seed, "children": len(kids), "offenders_in_world": len(offenders),
        "movers": sum(1 for k in kids if k.area2), "stepfather_surnames": sum(1 for k in kids if k.step_surname),
        "children_sharing_full_name": sum(n for n in full.values() if n > 1),
        "records": {kind: len(rows) for kind, rows in truth.items()},
        "persons": {kind: len({r[4] for r in rows}) for kind, rows in truth.items()},
        "records_per_agency_type": dict(Counter(r.agency.kind for r in reports)),
        "params": {k: str(v) for k, v in PARAMS.items()},
    }
    (out / "_truth" / "stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=41)
    ap.add_argument("--children", type=int, default=460)
    args = ap.parse_args(argv)
    stats = generate(args.out, args.seed, args.children)
    print(json.dumps({k: v for k, v in stats.items() if k != "params"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
