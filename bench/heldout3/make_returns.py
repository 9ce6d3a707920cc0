"""Write the third held-out world's returns and truth files.

    python bench/heldout3/make_returns.py OUT --seed 31 --children 450

OUT gets one file per agency (14 agencies, six layouts: h3layouts.py) and `_truth/` with
`victims.csv` / `offenders.csv` (file_name,sheet,row_number,person_id) and `stats.json`.
Independent of cse_audit (imports nothing from it).
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

from h3layouts import WRITERS  # noqa: E402
from h3world import AGENCIES, World  # noqa: E402


def _pairs(counter: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counter.values())


def make(out: Path, seed: int, children: int) -> dict:
    """Generate the world for this seed and write every return and the truth files; returns the stats."""
    os.umask(0o077)  # names, even invented ones, are written owner-only like the tool's own files
    out.mkdir(parents=True, exist_ok=True)
    world = World(seed, children)
    truth = {"victims": [], "offenders": []}
    for agency in AGENCIES:
        recs = world.records[agency.id]
        rng = random.Random(f"{seed}-{agency.id}")
        written = WRITERS[agency.layout](agency, recs, out / agency.file_name, rng)
        truth["victims"] += written.victims
        truth["offenders"] += written.offenders
    (out / "_truth").mkdir(exist_ok=True)
    for kind, rows in truth.items():
        with open(out / "_truth" / f"{kind}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["file_name", "sheet", "row_number", "person_id"])
            w.writerows(rows)
    stats = dict(world.stats, seed=seed)
    ngo_files = {a.file_name for a in AGENCIES if a.source_type == "ngo"}
    for kind, rows in truth.items():
        per = Counter(r[3] for r in rows)
        stats[f"{kind}_records"] = len(rows)
        stats[f"{kind}_persons"] = len(per)
        stats[f"{kind}_true_pairs"] = _pairs(per)
        stats[f"{kind}_records_per_person"] = round(len(rows) / max(1, len(per)), 2)
    with_ngo = Counter(r[3] for r in truth["victims"] if r[0] in ngo_files)
    per = Counter(r[3] for r in truth["victims"])
    stats["victim_pairs_with_charity_record"] = sum(with_ngo[p] * (per[p] - with_ngo[p]) + with_ngo[p] *
                                                   (with_ngo[p] - 1) // 2 for p in with_ngo)
    (out / "_truth" / "stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--children", type=int, default=450)
    args = ap.parse_args(argv)
    print(json.dumps(make(args.out, args.seed, args.children)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
