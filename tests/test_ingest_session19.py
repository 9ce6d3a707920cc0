"""Ingest (issue 21, session 19): a load leaves pandas importable, and the error handler asks only
loaded modules for the library's error classes."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.ingest import pipeline

from .conftest import ROOT


def test_a_load_leaves_pandas_importable(tmp_path):
    """A load never refuses pandas in its own process (session 19 tried it for `ingest --no-link`:
    with pandas refused, DuckDB and pyarrow looked for it again at each bound value and array, and
    a 100k load took ~1.5 CPU-s more, not 0.37 less; only the workers refuse it)."""
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
