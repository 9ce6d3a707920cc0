"""The third held-out world (bench/heldout3): its generator is deterministic by seed, and its returns
load whole through their mappings (every truth row names a loaded record or a row the tool reported
as skipped, with a reason; the counts reconcile). Guards the benchmark nobody tunes on against a
generator that drifts between runs or an ingest change that quietly drops its rows."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import duckdb
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from cse_audit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
H3 = ROOT / "bench" / "heldout3"


def _make(out: Path, seed: int, children: int = 60) -> None:
    subprocess.run([sys.executable, str(H3 / "make_returns.py"), str(out), "--seed", str(seed),
                    "--children", str(children)], check=True, capture_output=True)


def _contents(folder: Path) -> dict:
    """Every return's cells (workbooks carry write times in their metadata, so not their bytes) and
    the truth files."""
    got = {}
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".csv", ".json"):
            got[p.relative_to(folder).as_posix()] = p.read_text(encoding="utf-8-sig")
        elif p.suffix in (".xlsx", ".xls", ".ods"):
            wb = CalamineWorkbook.from_path(str(p))
            got[p.name] = {s: wb.get_sheet_by_name(s).to_python() for s in wb.sheet_names}
    return got


def test_generator_is_deterministic_by_seed(tmp_path):
    _make(tmp_path / "a", 7)
    _make(tmp_path / "b", 7)
    _make(tmp_path / "c", 8)
    a, b, c = (_contents(tmp_path / x) for x in "abc")
    assert len([k for k in a if not k.startswith("_truth")]) == 14  # one return per agency
    assert a == b
    assert a["_truth/victims.csv"] != c["_truth/victims.csv"]  # another seed, another world


def test_every_truth_row_loads_or_is_reported(tmp_path):
    out, db = tmp_path / "returns", tmp_path / "h3.duckdb"
    _make(out, 5, children=80)
    spec = importlib.util.spec_from_file_location("heldout3_run", H3 / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)  # by path: bench/heldout has a run.py of its own
    configs = run.make_config(tmp_path / "configs")
    res = CliRunner().invoke(cli, ["ingest", str(out), "--db", str(db), "--config", str(configs),
                                   "--no-link", "--no-tables", "-q"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(db), read_only=True)
    landed, acc, rej, skip, n = con.execute("SELECT sum(rows_landed), sum(records_accepted), sum(rows_rejected), "
                                            "sum(rows_skipped), count(*) FROM returns").fetchone()
    assert n == 14 and landed == acc + rej + skip
    reported = {(f, str(sh), r): code for f, sh, r, code in con.execute(
        "SELECT file_name, sheet, row_number, code FROM issues WHERE severity IN ('skipped', 'error')").fetchall()}
    for kind in ("victims", "offenders"):
        loaded = {(f, str(sh), r) for f, sh, r in con.execute(
            f"SELECT rt.file_name, v.sheet, v.row_number FROM {kind} v JOIN returns rt USING (return_id)").fetchall()}
        with open(out / "_truth" / f"{kind}.csv", newline="", encoding="utf-8") as f:
            truth = [(r["file_name"], r["sheet"], int(r["row_number"])) for r in csv.DictReader(f)]
        assert truth
        missing = [t for t in truth if t not in loaded and t not in reported]
        assert not missing, f"{kind}: truth rows neither loaded nor reported: {missing[:5]}"
        assert sum(t in loaded for t in truth) >= 0.95 * len(truth)  # skips are the exception
        # a reported row is skipped for a reason a reader can act on, never silently
        assert {reported[t] for t in truth if t not in loaded} <= {"no_identifying_field", "unnamed_no_detail",
                                                                   "footer_row"}
    con.close()
