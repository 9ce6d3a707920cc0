"""Seventh held-out world: generate, ingest with the hand-written mappings, compare with the truth.

    PYTHONPATH=$PWD .venv/bin/python bench/heldout7/run.py [--seed 71] [--children 300] [--broken]

Everything goes to bench/heldout7/data/ (git-ignored). Prints the load's reconciliation, the
children and offenders counted (with the tables' range) against the truth, missing, sex,
ethnicity and age against the truth, and `link evaluate`. The configuration is the project's
configs/ as it is (linkage.yaml, code lists and settings untouched) with this world's agencies and
mappings added. --broken adds the broken files of h7broken.py to the same ingest.
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
TABLES = {"victims_missing": "children_by_missing", "victims_sex": "children_by_sex",
          "victims_age_dob_record": "children_by_age_dob_record",
          "victims_ethnicity": "children_by_ethnicity", "victims_age": "children_by_age"}


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


def compare(truth: dict, tables: dict) -> dict:
    out = {}
    for t, k in TABLES.items():
        tool = {r["category"]: r["count"] for r in tables[t.replace("_dob_record", "")]["rows"]}
        cats = list(dict.fromkeys([*tool, *truth[k]]))
        out[t] = {c: [truth[k].get(c, 0), tool.get(c, 0)] for c in cats}
    for kind, tk in (("victims", "children"), ("offenders", "offenders")):
        row = tables["sources"]["rows"][-1]
        t = tables["victims_missing" if kind == "victims" else "offenders_sex"]
        rng = [t.get("persons_low"), t.get("persons_high")]
        out[kind] = {"truth": truth[tk], "count": row[kind], "range": rng,
                     "records": [truth[f"{'victim' if kind == 'victims' else 'offender'}_records"],
                                 row[f"{'victim' if kind == 'victims' else 'offender'}_records"]]}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--children", type=int, default=300)
    ap.add_argument("--broken", action="store_true")
    a = ap.parse_args(argv)
    os.umask(0o077)
    data = HERE / "data"
    world = data / f"w{a.seed}"
    if world.exists():
        shutil.rmtree(world)
    subprocess.run([sys.executable, str(HERE / "h7make.py"), str(world), "--seed", str(a.seed),
                    "--children", str(a.children)], check=True, capture_output=True)
    cfg = build_configs(data / "configs")
    db = data / f"w{a.seed}.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    ing = cli("ingest", str(world / "returns"), "--db", str(db), "--config", str(cfg))
    print(ing.stdout[-6000:], ing.stderr[-6000:])
    truth = json.loads((world / "_truth" / "stats.json").read_text())
    tables = json.loads(cli("tables", "--db", str(db), "--format", "json").stdout)
    ev = cli("link", "evaluate", "--db", str(db), "--truth", str(world / "_truth" / "victims.csv"))
    evo = cli("link", "evaluate", "--db", str(db), "--kind", "offenders",
              "--truth", str(world / "_truth" / "offenders.csv"))
    out = {"ingest_rc": ing.returncode, "compare (truth, tool)": compare(truth, tables),
           "evaluate_victims": ev.stdout.strip() or ev.stderr.strip()[-800:],
           "evaluate_offenders": evo.stdout.strip() or evo.stderr.strip()[-800:]}
    for k, v in out["compare (truth, tool)"].items():
        print(f"{k:24s} {json.dumps(v, ensure_ascii=False)}")
    for k in ("evaluate_victims", "evaluate_offenders"):
        keep = ("persons_predicted", "persons_truth", "persons_low", "persons_high", "pairwise_precision",
                "pairwise_recall", "pairwise_f1", "bcubed_f1")
        print(k, {ln.split()[0]: ln.split()[1] for ln in out[k].splitlines() if ln.split()[:1] and ln.split()[0] in keep})
    (data / f"results-w{a.seed}.json").write_text(json.dumps(out, indent=1))
    if a.broken:
        broken(world, data, cfg)
    return 0


def broken(world: Path, data: Path, cfg: Path) -> None:
    """The broken files of h7broken.py ingested beside the good returns (--append, a store of their
    own): each file's status and the errors and warnings of the broken ones."""
    bdir = data / "broken"
    if bdir.exists():
        shutil.rmtree(bdir)
    subprocess.run([sys.executable, str(HERE / "h7broken.py"), str(bdir)], check=True, capture_output=True)
    db = data / "broken.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    ing = cli("ingest", str(world / "returns"), str(bdir), "--db", str(db), "--config", str(cfg), "--append",
              "--format", "json")
    rep = json.loads(ing.stdout)
    print("broken files: ingest exit", ing.returncode)
    t = rep["totals"]
    print(f"rows landed {t['rows_landed']} = accepted {t['records_accepted']} + rejected {t['rows_rejected']}"
          f" + skipped {t['rows_skipped']}; files: " + ", ".join(
              f"{s} {sum(f['status'] == s for f in rep['files'])}" for s in ("loaded", "failed")))
    val = cli("validate", str(bdir), "--config", str(cfg), "--format", "csv")
    for line in val.stdout.splitlines():
        if "unnamed_no_detail" not in line:
            print("  ", line[:260])


if __name__ == "__main__":
    sys.exit(main())
