"""Shared fixtures: a configuration folder for the nasty-file fixtures, and a temporary store."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RETURNS = FIXTURES / "returns"


@pytest.fixture
def fixture_config_dir(tmp_path) -> Path:
    """The project's code lists, schema and settings, with the fixtures' mappings and registry."""
    return make_config_dir(tmp_path)


def make_config_dir(parent: Path) -> Path:
    """Write the fixtures' configuration folder under ``parent`` (see fixture_config_dir)."""
    root = parent / "configs"
    root.mkdir()
    for name in ("codes",):
        shutil.copytree(ROOT / "configs" / name, root / name)
    for path in (ROOT / "configs").glob("*.yaml"):
        if path.name != "agencies.yaml":
            shutil.copy(path, root / path.name)
    shutil.copytree(ROOT / "configs" / "mappings", root / "mappings")
    shutil.copytree(FIXTURES / "config" / "mappings", root / "mappings", dirs_exist_ok=True)
    shutil.copy(FIXTURES / "config" / "agencies.yaml", root / "agencies.yaml")
    return root


@pytest.fixture
def fixture_config(fixture_config_dir):
    from cse_audit.config import load_config

    return load_config(fixture_config_dir)


@pytest.fixture
def store(tmp_path):
    from cse_audit import store as store_mod

    con = store_mod.connect(tmp_path / "test.duckdb")
    yield con
    con.close()


# -- no process left behind -------------------------------------------------------------------
# Every process the suite starts (subprocesses, multiprocessing's forkserver, workers and
# resource tracker, and whatever those start, even once orphaned by a SIGKILL) inherits this
# variable from the test process; at the end of the session none of them may still be running.
RUN_MARK = "CSE_AUDIT_TEST_RUN"


def hard_profile_store(root: Path) -> Path:
    """A store of `synth --profile hard --seed 2`'s returns in ``root``, ingested without a link."""
    from click.testing import CliRunner

    from cse_audit.cli import cli

    made = CliRunner().invoke(cli, ["synth", str(root / "returns"), "--profile", "hard", "--seed", "2"])
    assert made.exit_code == 0, made.output
    db = root / "store.duckdb"
    got = CliRunner().invoke(cli, ["ingest", str(root / "returns"), "--db", str(db), "--no-link", "--no-tables"])
    assert got.exit_code == 0, got.output
    return db


def suite_processes(token: str | None = None) -> dict[int, str]:
    """{pid: command line} of live processes carrying this run's mark, except this process.
    Read from /proc (psutil is not a dependency); zombies have no environment and are left out."""
    token = token or os.environ.get(RUN_MARK, "")
    mark = f"{RUN_MARK}={token}".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if mark not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                found[int(entry)] = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:       # gone meanwhile, or not ours to read
            continue
    return found


def wait_until_gone(pids, timeout: float = 30.0) -> dict[int, str]:
    """Poll until none of ``pids`` carrying the run mark is alive (no fixed sleep); what is left."""
    deadline = time.monotonic() + timeout
    while True:
        left = {p: c for p, c in suite_processes().items() if p in set(pids)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind():
    token = uuid.uuid4().hex
    os.environ[RUN_MARK] = token
    before = suite_processes(token)
    assert not before, before
    yield
    # this process's own multiprocessing helpers live as long as it does: end them now
    import multiprocessing.forkserver
    import multiprocessing.resource_tracker

    multiprocessing.forkserver._forkserver._stop()
    multiprocessing.resource_tracker._resource_tracker._stop()
    left = wait_until_gone(suite_processes(token), timeout=15.0)
    assert not left, f"processes the test suite started are still running: {left}"
