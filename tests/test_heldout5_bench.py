"""The fifth held-out world (bench/heldout5): its generator is deterministic by seed, moving the adults
table to its own sheet changes no child's rows, and its returns load through its mappings with no
rejected row (a tiny world: no linkage, no generation at scale)."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
H5 = ROOT / "bench" / "heldout5"


def _module(name: str):
    sys.path.insert(0, str(H5))
    spec = importlib.util.spec_from_file_location(f"heldout5_{name}", H5 / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_same_seed_same_world_other_seed_another(tmp_path):
    make = _module("h5make")
    a, b, c = (make.make(tmp_path / d, seed, 40) for d, seed in (("a", 5), ("b", 5), ("c", 6)))
    assert a == b and a != c
    for kind in ("victims", "offenders"):
        assert (tmp_path / "a" / "_truth" / f"{kind}.csv").read_bytes() == \
            (tmp_path / "b" / "_truth" / f"{kind}.csv").read_bytes()
    for f in (tmp_path / "a").glob("*.csv"):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()


def test_split_adults_moves_only_the_adults(tmp_path):
    make = _module("h5make")
    make.make(tmp_path / "sent", 5, 60)
    make.make(tmp_path / "split", 5, 60, split_adults=True)
    truth = {d: {k: list(csv.DictReader((tmp_path / d / "_truth" / f"{k}.csv").read_text().splitlines()))
                 for k in ("victims", "offenders")} for d in ("sent", "split")}
    assert truth["sent"]["victims"] == truth["split"]["victims"]
    moved = [r for r in truth["split"]["offenders"] if r["sheet"] == "Adults of concern"]
    assert moved and len(truth["sent"]["offenders"]) == len(truth["split"]["offenders"])


def test_returns_validate_with_no_rejected_row(tmp_path):
    make, run = _module("h5make"), _module("run")
    make.make(tmp_path / "w", 7, 60, split_adults=True)
    configs = run.make_config(tmp_path / "configs")
    res = subprocess.run([sys.executable, "-m", "cse_audit.cli", "validate", str(tmp_path / "w"), "--config",
                          str(configs), "--format", "csv"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-1000:]
    assert "rejected 0" in res.stderr
    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert not [r for r in rows if r["severity"] == "error"]
    files = {p.name for p in (tmp_path / "w").iterdir() if p.is_file()}
    assert {p.suffix for p in (tmp_path / "w").iterdir() if p.is_file()} == {".csv", ".ods", ".xls", ".xlsx"}
    with open(tmp_path / "w" / "_truth" / "victims.csv", newline="") as f:
        assert {r["file_name"] for r in csv.DictReader(f)} <= files


def test_as_sent_the_adults_under_the_children_load_as_the_split_world_s(tmp_path):
    """Session 18: with `below: victims` the small agencies' adults table, under the children's on one
    sheet, loads as offenders: the same victim and offender records as the world split by hand."""
    make, run = _module("h5make"), _module("run")
    make.make(tmp_path / "sent", 7, 60)
    make.make(tmp_path / "split", 7, 60, split_adults=True)
    counts = {}
    for world, configs in (("sent", run.make_config(tmp_path / "c-sent", as_sent=True)),
                           ("split", run.make_config(tmp_path / "c-split"))):
        db = tmp_path / f"{world}.duckdb"
        res = subprocess.run([sys.executable, "-m", "cse_audit.cli", "ingest", str(tmp_path / world), "--db", str(db),
                              "--config", str(configs), "--no-link", "--no-tables", "-q"],
                             capture_output=True, text=True, cwd=ROOT)
        assert res.returncode in (0, 1), res.stderr[-1000:]
        sys.path.insert(0, str(ROOT))
        from cse_audit import store

        con = store.connect(db, read_only=True)
        counts[world] = [con.execute(f"SELECT count(*) FROM current_{k}").fetchone()[0]
                         for k in ("victims", "offenders")]
        con.close()
    assert counts["sent"] == counts["split"] and counts["sent"][1] > 0
