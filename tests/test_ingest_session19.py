"""Ingest's speed (issue 21, session 19): what a load does without, and Arrow record columns built
from a column's distinct texts that are the same as the lists they replace."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.ingest import pipeline

from .conftest import ROOT


def test_a_load_without_linkage_never_imports_pandas(tmp_path):
    """`cse-audit ingest --no-link` (a process that ends with the load) uses no pandas, yet DuckDB's
    first bound parameter and pyarrow's first array imported it (~0.37 s CPU at 100k records); its
    load summary is what it was."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = ("import sys, runpy\n"
            "try:\n"
            "    runpy.run_module('cse_audit.cli', run_name='__main__')\n"
            "finally:\n"
            "    print('loaded:', sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'duckdb', 'pyarrow')"
            " and '.' not in m), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, "ingest", str(ROOT / "sample_returns"), "--db",
                           str(tmp_path / "a.duckdb"), "--no-link", "--format", "json", "--jobs", "1"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.splitlines()[-1] == "loaded: ['duckdb', 'pyarrow']"
    summary = json.loads(done.stdout)
    runner = CliRunner()
    here = runner.invoke(cli, ["ingest", str(ROOT / "sample_returns"), "--db", str(tmp_path / "b.duckdb"),
                               "--no-link", "--format", "json", "--jobs", "1"])
    assert here.exit_code == 0, here.output
    assert json.loads(here.stdout) == summary


def test_a_command_run_in_a_longer_process_keeps_pandas(tmp_path):
    """Only a process that ends with the command gives pandas up (pyarrow remembers a failed import
    for good): click's runner, as a notebook or a test calling the command, leaves it importable."""
    import importlib

    runner = CliRunner()
    done = runner.invoke(cli, ["ingest", str(ROOT / "sample_returns"), "--db", str(tmp_path / "c.duckdb"),
                               "--no-link", "--format", "json", "--jobs", "1"])
    assert done.exit_code == 0, done.output
    assert not any(isinstance(f, pipeline._WithoutPandas) for f in sys.meta_path)
    assert importlib.import_module("pandas").DataFrame is not None


def test_a_load_without_linkage_that_fails_says_why_in_one_line(tmp_path):
    """The error handler asked for the linkage's error classes by importing the linkage, which imports
    pandas: with pandas refused, a store that cannot be opened ended in an import traceback (exit 1)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "cse_audit.cli", "ingest", str(ROOT / "sample_returns"), "--db",
                           str(tmp_path / "no" / "such" / "folder" / "a.duckdb"), "--no-link"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("Error: ") and "cannot open the store" in done.stderr


def test_the_library_errors_are_those_of_the_loaded_modules():
    """The same classes, in the same order, as the imports gave (every module loaded here)."""
    from cse_audit.cli.common import _library_errors
    from cse_audit.linkage import LinkageConfigError, LinkageError
    from cse_audit.outputs import ReportError
    from cse_audit.tables import TablesError

    assert _library_errors() == (TablesError, LinkageConfigError, LinkageError, ReportError)
