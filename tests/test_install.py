"""The package works outside the checkout: a wheel carries its default configuration.

Builds the wheel, installs it (without its dependencies, which come from the test's own
environment through a .pth line) into a fresh virtual environment in a temporary folder, and runs
the main job there on the sample returns, far from the checkout's configs/. CI also runs the same
job with a full install of the wheel and its dependencies (.ci/run).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv

import pytest

from .conftest import RETURNS, ROOT


def _fresh_env(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(dist), "--no-deps", "-q"],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next(dist.glob("cse_audit-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", purelib, str(wheel)],
                   check=True, capture_output=True)
    # The dependencies (not cse_audit itself: the editable install's finder is not carried over).
    outer = [p for p in site.getsitepackages() if os.path.isdir(p)]
    (type(tmp_path)(purelib) / "zz_outer_deps.pth").write_text("\n".join(outer) + "\n")
    return env_dir, purelib


@pytest.mark.slow
def test_wheel_runs_the_main_job_outside_the_checkout(tmp_path):
    env_dir, purelib = _fresh_env(tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CSE_AUDIT_CONFIG", "PYTHONPATH")}
    py = env_dir / "bin" / "python"
    where = subprocess.run([py, "-c", "import cse_audit.config as c; print(c.DEFAULT_CONFIG_DIR)"],
                           capture_output=True, text=True, cwd=work, env=env, check=True).stdout.strip()
    assert where.startswith(purelib) and where.endswith("default_configs"), where
    run = subprocess.run([py, "-m", "cse_audit.cli", "ingest", str(ROOT / "sample_returns"), "--db", "x.duckdb",
                          "--format", "json", "--no-tables"], capture_output=True, text=True, cwd=work, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"configuration: {where} (packaged defaults)" in run.stderr
    tables = subprocess.run([py, "-m", "cse_audit.cli", "tables", "victims_missing", "sources", "--db", "x.duckdb",
                             "--format", "json"], capture_output=True, text=True, cwd=work, env=env)
    assert tables.returncode == 0, tables.stderr[-2000:]
    data = json.loads(tables.stdout)
    assert data["victims_missing"]["rows"][0] == {"category": "Reported missing", "count": 842, "percent": 40.4,
                                                  "percent_known": 83.0}
    total = next(r for r in data["sources"]["rows"] if r["category"] == "Total")
    assert total["agencies_asked"] == 116 and total["victims"] == 2083


def test_lookup_order_and_init(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cse_audit.cli import cli
    from cse_audit.config import DEFAULT_CONFIG_DIR, find_config_dir, load_config

    monkeypatch.delenv("CSE_AUDIT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert find_config_dir(None) == (DEFAULT_CONFIG_DIR, "packaged defaults")
    made = CliRunner().invoke(cli, ["init", "proj"])
    assert made.exit_code == 0, made.output
    config = load_config(tmp_path / "proj" / "configs")
    assert len(config.agencies) == len(load_config(DEFAULT_CONFIG_DIR).agencies)
    from cse_audit.linkage import load_linkage_config, load_overrides

    linkage = load_linkage_config(tmp_path / "proj" / "configs" / "linkage.yaml")
    assert linkage.overrides_file == tmp_path / "proj" / "configs" / "link_overrides.yaml"
    assert load_overrides(linkage.overrides_file, "victims") == []
    again = CliRunner().invoke(cli, ["init", "proj"])
    assert again.exit_code == 2 and "not overwritten" in again.output
    monkeypatch.chdir(tmp_path / "proj")
    assert find_config_dir(None) == (type(tmp_path)("configs"), "./configs")
    monkeypatch.setenv("CSE_AUDIT_CONFIG", str(tmp_path / "elsewhere"))
    assert find_config_dir(None)[1] == "CSE_AUDIT_CONFIG"
    assert find_config_dir("given") == (type(tmp_path)("given"), "--config")
    # an existing file (click refuses a missing path before any configuration is looked up)
    result = CliRunner().invoke(cli, ["validate", str(RETURNS / "ngo_bom.csv"), "--config", "configs"])
    assert "configuration: configs (--config)" in result.output and "ngo_bom.csv" in result.output
