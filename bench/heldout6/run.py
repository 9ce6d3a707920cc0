"""Sixth held-out world: generate, ingest with the hand-written mappings, compare with the truth.

    PYTHONPATH=$PWD .venv/bin/python bench/heldout6/run.py [--seed 61] [--children 150] [--names realistic]

Everything goes to bench/heldout6/data/ (git-ignored). Prints the load's reconciliation, the
children counted per kind against the truth, missing and sex against the truth, and the linkage
scores of `link evaluate`. The configuration is the project's configs/ as it is (linkage.yaml,
code lists and settings untouched) with this world's agencies and mappings added.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def build_configs(dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "configs", dest)
    with open(dest / "agencies.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n" + (HERE / "configs" / "agencies.yaml").read_text(encoding="utf-8"))
    for m in (HERE / "configs" / "mappings").glob("*.yaml"):
        shutil.copy(m, dest / "mappings" / m.name)
    return dest


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "cse_audit.cli", *args], env=env,
                          capture_output=True, text=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--children", type=int, default=150)
    ap.add_argument("--names", choices=("tiny", "realistic"), default="tiny",
                    help="h6make.py's name pools: tiny invented ones (default) or realistic frequencies")
    a = ap.parse_args(argv)
    os.umask(0o077)
    data = HERE / "data"
    tag = f"w{a.seed}-{a.children}" + ("" if a.names == "tiny" else f"-{a.names}")
    world = data / tag
    subprocess.run([sys.executable, str(HERE / "h6make.py"), str(world), "--seed", str(a.seed),
                    "--children", str(a.children), "--names", a.names], check=True, capture_output=True)
    cfg = build_configs(data / "configs")
    db = data / f"{tag}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    ing = cli("ingest", str(world / "returns"), "--db", str(db), "--config", str(cfg), "--format", "json")
    print(ing.stderr[-3000:])
    truth = json.loads((world / "_truth" / "stats.json").read_text())
    tables = json.loads(cli("tables", "--db", str(db), "--format", "json").stdout)
    ev = cli("link", "evaluate", "--db", str(db), "--truth", str(world / "_truth" / "victims.csv"))
    evo = cli("link", "evaluate", "--db", str(db), "--kind", "offenders",
              "--truth", str(world / "_truth" / "offenders.csv"))
    out = {"truth": {k: truth[k] for k in ("children", "victim_records", "children_by_missing",
                                           "children_by_sex", "offenders", "offender_records")},
           "evaluate_offenders": evo.stdout.strip() or evo.stderr.strip()[-800:],
           "tool": {t: {r["category"]: r["count"] for r in tables[t]["rows"]}
                    for t in ("victims_missing", "victims_sex") if t in tables},
           "ingest_rc": ing.returncode, "evaluate": ev.stdout.strip() or ev.stderr.strip()[-800:]}
    print(json.dumps(out, indent=1))
    (data / f"results-{tag}.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
