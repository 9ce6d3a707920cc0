"""Finding 2: every file that can hold a name is owner-only, and the WAL stays small.

The process umask is set to 022 first (a usual default), so the tests show the tool itself
makes the files private, whatever the caller's umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cse_audit import ingest, store
from cse_audit.cli import cli

from ..conftest import ROOT
from .common import LINK_FILES


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_wal_is_private_and_small_after_a_crash(tmp_path):
    """A process killed mid-load (os._exit: no close, no checkpoint) leaves a WAL that is 0600
    and holds at most about the checkpoint threshold, not the whole load (it held 6.1 MB, 389
    forenames of the sample, mode 644)."""
    db = tmp_path / "crash.duckdb"
    script = f"""
import os, sys
os.umask(0o022)
sys.path.insert(0, {str(ROOT)!r})
from cse_audit import ingest, store
from cse_audit.config import load_config
con = store.connect({str(db)!r})
ingest.ingest([{str(ROOT / 'sample_returns')!r}], con, load_config(), link=False, jobs=1)
os._exit(9)
"""
    subprocess.run([sys.executable, "-c", script], check=False, timeout=600)
    wal = db.with_name(db.name + ".wal")
    assert _mode(db) == 0o600
    if wal.exists():
        assert _mode(wal) == 0o600
        assert wal.stat().st_size < 5 * 1024 * 1024  # 4MB threshold + one return (was 6.1 MB)
    con = store.connect(db, read_only=True)  # replays the WAL: every return is in
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 80
    con.close()


def test_checkpoint_threshold_is_small(tmp_path):
    con = store.connect(tmp_path / "s.duckdb")
    limit = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()[0]
    con.close()
    assert limit.endswith(("KiB", "MiB")) and float(limit.split()[0]) <= 16, limit


def test_exports_are_private(fixture_config_dir, fixture_config, tmp_path, open_umask):
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    args = ["--db", str(db), "--config", str(fixture_config_dir)]
    res = runner.invoke(cli, ["ingest", *map(str, LINK_FILES), *args])
    assert res.exit_code in (0, 1), res.output
    outputs = []
    for name in ("review.csv", "review.xlsx"):
        out = tmp_path / name
        res = runner.invoke(cli, ["link", "review", "--output", str(out), "--low", "0", "--high", "1", *args])
        assert res.exit_code == 0, res.output
        outputs.append(out)
    agency = fixture_config.agency_list[0].id
    out = tmp_path / "feedback.xlsx"
    res = runner.invoke(cli, ["completeness", "--agency", agency, "--output", str(out), *args])
    assert res.exit_code == 0, res.output
    outputs.append(out)
    for name in ("report.xlsx", "report.html"):
        out = tmp_path / name
        res = runner.invoke(cli, ["report", "--output", str(out), *args])
        assert res.exit_code == 0, res.output
        outputs.append(out)
    for out in outputs + [db]:
        assert out.exists() and _mode(out) == 0o600, out


def test_minimise_temporary_is_private(fixture_config, tmp_path, monkeypatch, open_umask):
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    ingest.ingest(LINK_FILES, con, fixture_config)
    con.close()
    os.umask(0o022)
    seen = {}
    real_replace = os.replace

    def spy(src, dst):
        seen[Path(src).name] = _mode(Path(src))
        return real_replace(src, dst)

    real_attach_check = store.connect

    def connect_then_check(*a, **k):
        con = real_attach_check(*a, **k)
        seen["umask"] = os.umask(0o077)
        os.umask(seen["umask"])
        return con

    monkeypatch.setattr(os, "replace", spy)
    monkeypatch.setattr(store, "connect", connect_then_check)
    store.minimise(db)
    assert seen["m.duckdb.minimising"] == 0o600
    assert seen["umask"] & 0o077 == 0o077  # so the temporary was never readable by others
    assert _mode(db) == 0o600
