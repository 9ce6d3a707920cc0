"""The held-out benchmarks score the linkage with the configuration the store was loaded with: each
`link evaluate` call names the same --config folder as the `ingest` before it (without it, evaluate
takes the store's recorded copy, and refuses to run when CSE_AUDIT_CONFIG names another folder).
The scripts' commands are recorded, not run: no returns are generated."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_returns(out: Path) -> None:
    (out / "_truth").mkdir(parents=True)
    for kind in ("victims", "offenders"):
        (out / "_truth" / f"{kind}.csv").write_text("file_name,sheet,row_number,person_id\n")
    (out / "_truth" / "stats.json").write_text("{}")


def _recorder(calls: list):
    def cli(*args):
        calls.append(list(args))
        if args[0] == "tables":
            return json.dumps({f"{k}_sex": {"total": 0} for k in ("victims", "offenders")})
        return json.dumps({"records": 0})
    return cli


def _evaluate_configs(calls: list) -> list:
    evaluates = [c for c in calls if c[:2] == ["link", "evaluate"]]
    assert len(evaluates) == 2
    return [c[c.index("--config") + 1] if "--config" in c else None for c in evaluates]


def test_heldout_evaluates_with_the_loads_config(tmp_path, monkeypatch):
    run = _module(ROOT / "bench" / "heldout" / "run.py", "heldout_run_under_test")
    out, db = tmp_path / "ho", tmp_path / "ho.duckdb"
    _fake_returns(out)
    calls: list = []
    monkeypatch.setattr(run, "_cli", _recorder(calls))
    monkeypatch.setattr(run, "build", lambda name, fresh: (out, db, 0.0))
    monkeypatch.setattr(run, "reconcile", lambda db: {})
    monkeypatch.setattr(run, "ARGS", type("A", (), {"fresh": False})(), raising=False)
    run.score("ho-1k-s11")
    assert _evaluate_configs(calls) == [str(run.CONFIGS)] * 2


def test_heldout3_evaluates_with_the_loads_config(tmp_path, monkeypatch):
    run = _module(ROOT / "bench" / "heldout3" / "run.py", "heldout3_run_under_test")
    monkeypatch.setattr(run, "DATA", tmp_path)
    _fake_returns(tmp_path / "h3-1k-s31")
    calls: list = []
    monkeypatch.setattr(run, "cli", _recorder(calls))
    monkeypatch.setattr(run, "load", lambda out, db, configs: calls.append(["ingest", "--config", str(configs)]) or 0.0)
    monkeypatch.setattr(run, "truth_coverage", lambda db, out: {})
    configs = tmp_path / "configs"
    run.score("h3-1k-s31", False, configs)
    assert _evaluate_configs(calls) == [str(configs)] * 2
