"""The fourth held-out world (bench/heldout4): its generator is deterministic by seed, and its returns load
through its mappings with no rejected row (a tiny world: no linkage, no generation at scale)."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
H4 = ROOT / "bench" / "heldout4"


def _module(name: str):
    sys.path.insert(0, str(H4))
    spec = importlib.util.spec_from_file_location(f"heldout4_{name}", H4 / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_same_seed_same_world_other_seed_another(tmp_path):
    make = _module("h4make")
    a, b, c = (make.generate(tmp_path / d, seed, 40) for d, seed in (("a", 5), ("b", 5), ("c", 6)))
    assert a == b and a != c
    for kind in ("victims", "offenders"):
        assert (tmp_path / "a" / "_truth" / f"{kind}.csv").read_bytes() == \
            (tmp_path / "b" / "_truth" / f"{kind}.csv").read_bytes()
    for f in (tmp_path / "a").glob("*.csv"):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()


def test_returns_validate_with_no_rejected_row(tmp_path):
    make, run = _module("h4make"), _module("run")
    make.generate(tmp_path / "w", 7, 60)
    configs = run.make_config(tmp_path / "configs")
    res = subprocess.run([sys.executable, "-m", "cse_audit.cli", "validate", str(tmp_path / "w"), "--config",
                          str(configs), "--format", "csv"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-1000:]
    assert "rejected 0" in res.stderr
    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert not [r for r in rows if r["severity"] == "error"]
    files = {p.name for p in (tmp_path / "w").iterdir() if p.is_file()}
    with open(tmp_path / "w" / "_truth" / "victims.csv", newline="") as f:
        assert {r["file_name"] for r in csv.DictReader(f)} <= files
