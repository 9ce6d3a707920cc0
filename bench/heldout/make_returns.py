"""Held-out synthetic returns for cse-audit, written without the project's generator.

Usage:
    python bench/heldout/make_returns.py OUTDIR [--seed 11] [--children 700] [--overlap normal|high]

Writes one return per agency (14 agencies, 6 layouts, xlsx / csv / ods) to OUTDIR, and
OUTDIR/_truth/victims.csv and offenders.csv (file_name,sheet,row_number,person_id: the form
`cse-audit link evaluate --truth` reads) and OUTDIR/_truth/stats.json (what the world holds:
children, records, movers, namesakes, same-initials children in one charity return, ...).
Everything is made up: names come from bench/heldout/names.py, drawn with skewed frequencies.
The agencies, their registry entries and the mappings are in bench/heldout/overlay/ (run.py lays them
over the project's configs/).
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import layouts  # noqa: E402
from world import AGENCIES, World  # noqa: E402

DATE_STYLE = {"ho-police-wexshire": "dotted", "ho-police-northmoor": "mon", "ho-police-ashby": "mixed",
              "ho-police-calder": "iso", "ho-police-fenland": "slash2"}


# A second batch's shape: children known to more agencies (about 1.9 records each), many more of
# them in charities' initials-only returns; the linkage's stated prior (records_per_person) is wrong.
OVERLAP = {"normal": {}, "high": {"p_police": 0.75, "p_police_again": 0.2, "p_council": 0.45, "p_charity": 0.5,
                                  "p_moved": 0.15}}


def make(out: Path, seed: int, children: int, overlap: str = "normal") -> dict:
    out.mkdir(parents=True, exist_ok=True)
    (out / "_truth").mkdir(exist_ok=True)
    world = World(seed, children, OVERLAP[overlap])
    r = layouts.Renderer(world.rng, world.p)
    per_agency = collections.defaultdict(list)
    for rep in world.reports:
        per_agency[rep.agency.id].append(rep)
    truth = {"victims": [], "offenders": []}
    for a in AGENCIES:
        reps = per_agency.get(a.id, [])
        if a.layout == "occ-xlsx":
            sheets = layouts.occurrences_xlsx(a, reps, r, out, DATE_STYLE[a.id])
        elif a.layout == "nominal-csv":
            sheets = layouts.nominals_csv(a, reps, r, out, DATE_STYLE[a.id], world)
        elif a.layout == "cohort-xlsx":
            sheets = layouts.cohort_xlsx(a, reps, r, out, mixed=a.id == "ho-cc-wexshire")
        elif a.layout == "casefile-csv":
            sheets = layouts.casefile_csv(a, reps, r, out)
        elif a.layout == "supported-ods":
            sheets = layouts.supported_ods(a, reps, r, out)
        else:
            sheets = layouts.referrals_csv(a, reps, r, out)
        for sh in sheets:
            for kind, row, pid in sh.truth:
                truth[kind].append((a.file, sh.name, row, pid))
    for kind, rows in truth.items():
        with open(out / "_truth" / f"{kind}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["file_name", "sheet", "row_number", "person_id"])
            w.writerows(rows)
    stats = _stats(world, truth)
    (out / "_truth" / "stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


def _stats(world: World, truth: dict) -> dict:
    ngo_files = {a.file for a in AGENCIES if a.source_type == "ngo"}
    by_child = collections.defaultdict(list)
    for f, _s, _r, pid in truth["victims"]:
        by_child[pid].append(f in ngo_files)
    pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_child.values())
    charity_pairs = sum(len(v) * (len(v) - 1) // 2 - (len(v) - sum(v)) * (len(v) - sum(v) - 1) // 2
                        for v in by_child.values())
    offs = collections.Counter(pid for *_x, pid in truth["offenders"])
    full = collections.Counter((c.forename, c.surname) for c in world.children if c.pid in by_child)
    return {"seed_children": len(world.children), "victim_records": len(truth["victims"]),
            "children": len(by_child), "records_per_child": round(len(truth["victims"]) / len(by_child), 3),
            "victim_truth_pairs": pairs, "victim_pairs_with_a_charity_record": charity_pairs,
            "charity_records": sum(sum(v) for v in by_child.values()),
            "offender_records": len(truth["offenders"]), "offenders": len(offs),
            "children_sharing_a_full_name": sum(n for n in full.values() if n > 1), **world.stats}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--children", type=int, default=700, help="children in the world (records: about 1.4 each)")
    ap.add_argument("--overlap", choices=sorted(OVERLAP), default="normal",
                    help="high: about 1.9 records per child, half the children in a charity return")
    args = ap.parse_args(argv)
    print(json.dumps(make(args.outdir, args.seed, args.children, args.overlap), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
