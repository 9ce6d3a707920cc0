"""The command line behaves like sqlite-utils / csvkit: data alone on stdout, `-` for stdin and
stdout, arguments checked before any work, quiet broken pipes, no usage banner on runtime errors,
--debug / --quiet after the subcommand, narrow tables, owner-only files, all-or-nothing --strict."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cse_audit.cli import cli

from .conftest import RETURNS


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def linked_store(tmp_path_factory):
    """A small linked store from the fixture returns (shared: linkage takes a few seconds)."""
    from .conftest import FIXTURES, ROOT

    base = tmp_path_factory.mktemp("store")
    root = base / "configs"
    shutil.copytree(ROOT / "configs", root)
    shutil.copytree(FIXTURES / "config" / "mappings", root / "mappings", dirs_exist_ok=True)
    shutil.copy(FIXTURES / "config" / "agencies.yaml", root / "agencies.yaml")
    db = base / "s.duckdb"
    result = run("ingest", RETURNS / "police_header_row5.xlsx", RETURNS / "ngo_bom.csv", RETURNS / "ngo_return.ods",
                 "--db", db, "--config", root)
    assert result.exit_code == 0, result.output
    return db, root


def test_validate_csv_is_one_parseable_table(fixture_config_dir):
    result = run("validate", RETURNS, "--config", fixture_config_dir, "--format", "csv")
    assert result.exit_code == 1  # some files fail, some rows are rejected
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["file", "sheet", "row", "column", "severity", "kind", "message"]
    assert all(len(r) == 7 for r in rows) and rows.count(rows[0]) == 1
    kinds = {r[5] for r in rows[1:]}
    assert {"file_failed", "no_case_ref"} <= kinds
    assert "Rows landed" in result.stderr and "Rows landed" not in result.stdout
    lines = run("validate", RETURNS, "--config", fixture_config_dir, "--format", "jsonl").stdout.splitlines()
    assert len(lines) == len(rows) - 1 and json.loads(lines[0])["severity"] == "error"


def test_dash_reads_a_return_from_stdin(fixture_config_dir):
    data = (RETURNS / "ngo_bom.csv").read_bytes()
    piped = run("validate", "-", "--agency", "ngo-fixture", "--config", fixture_config_dir, "--format", "json",
                input=data)
    assert piped.exit_code == 0, piped.output
    from_file = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir, "--format", "json")
    strip = [{k: v for k, v in r.items() if k != "file"} for r in json.loads(from_file.stdout)]
    assert [{k: v for k, v in r.items() if k != "file"} for r in json.loads(piped.stdout)] == strip
    nameless = run("validate", "-", "--config", fixture_config_dir, input=data)
    assert nameless.exit_code == 2 and "--agency" in nameless.output


def test_dash_writes_the_report_to_stdout(linked_store):
    db, root = linked_store
    result = run("report", "-o", "-", "--db", db, "--config", root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith("</html>")


def test_broken_pipe_exits_quietly(fixture_config_dir):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first write: every write fails with EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "cse_audit.cli", "validate", str(RETURNS / "ngo_bom.csv"),
                               "--config", str(fixture_config_dir), "--format", "csv", "--quiet"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert proc.stderr == ""  # no traceback, no "unexpected error"
    assert proc.returncode == 1  # as click (and sqlite-utils) do


def test_arguments_are_checked_before_any_work(tmp_path, fixture_config_dir):
    db = tmp_path / "new.duckdb"
    missing = run("ingest", tmp_path / "no" / "such", "--db", db, "--config", fixture_config_dir)
    assert missing.exit_code == 2 and "does not exist" in missing.output and not db.exists()
    bad_dir = run("report", "-o", tmp_path / "nodir" / "a.html", "--db", db)
    assert bad_dir.exit_code == 2 and "does not exist" in bad_dir.output and "unexpected" not in bad_dir.output
    # The suffix is refused before the store is even opened (there is none here).
    bad_suffix = run("link", "review", "-o", tmp_path / "review.txt", "--db", db)
    assert bad_suffix.exit_code == 2 and "must end in .xlsx or .csv" in bad_suffix.output
    typo = run("validate", RETURNS / "ngo_bom.csv", "--agency", "ngo-fixtur", "--config", fixture_config_dir)
    assert typo.exit_code == 2 and "did you mean 'ngo-fixture'?" in typo.output
    table = run("tables", "victims_mising", "--db", db)
    assert table.exit_code == 2 and "did you mean 'victims_missing'?" in table.output
    assert not db.exists()


def test_runtime_errors_have_no_usage_banner_and_flags_work_after_the_command(tmp_path):
    db = tmp_path / "none.duckdb"
    result = run("tables", "--db", db)
    assert result.exit_code == 2 and "no store here" in result.output and "Usage:" not in result.output
    debug = run("tables", "--db", db, "--debug")
    assert debug.exit_code == 1 and type(debug.exception).__name__ == "StoreError"  # the traceback, raw
    loud = run("template", "-o", tmp_path / "t.xlsx")
    quiet = run("template", "-o", tmp_path / "t.xlsx", "--quiet")
    assert "wrote" in loud.stderr and quiet.exit_code == 0 and quiet.stderr == ""


def test_ingest_ends_with_summary_and_issues_and_prints_tables_only_when_asked(fixture_config_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    result = run("ingest", RETURNS / "police_header_row5.xlsx", "--db", db, "--config", fixture_config_dir)
    assert result.exit_code == 0, result.output
    assert "Rows landed" in result.stdout and "Issues (" in result.stdout and "no_case_ref" in result.stdout
    assert "Victims: sex" not in result.stdout
    again = run("ingest", RETURNS / "police_header_row5.xlsx", "--db", db, "--config", fixture_config_dir,
                "--tables")
    assert again.exit_code == 0 and "Victims: sex" in again.stdout


def test_ingest_lists_the_first_issues_and_says_where_the_rest_are(fixture_config_dir, tmp_path):
    from cse_audit.cli import load

    result = run("validate", RETURNS, "--config", fixture_config_dir, "--format", "json")
    total = len(json.loads(result.stdout))
    original = load.ISSUES_SHOWN
    load.ISSUES_SHOWN = 2
    try:
        ingested = run("ingest", RETURNS, "--db", tmp_path / "s.duckdb", "--config", fixture_config_dir,
                       "--no-link")
    finally:
        load.ISSUES_SHOWN = original
    assert f"Issues ({total}):" in ingested.stdout
    assert f"... and {total - 2} more (all of them: cse-audit validate" in ingested.stdout


def test_tables_fit_100_columns_unless_wide(linked_store):
    db, root = linked_store
    for command in (["tables"], ["completeness"]):
        narrow = run(*command, "--db", db, "--config", root)
        wide = run(*command, "--db", db, "--config", root, "--wide")
        assert narrow.exit_code == 0 and wide.exit_code == 0, narrow.output
        assert max(map(len, narrow.stdout.splitlines())) <= 100
        assert max(map(len, wide.stdout.splitlines())) > 100
    linked = run("link", "run", "--db", db, "--config", root)
    assert linked.exit_code == 0 and "{" not in linked.stdout
    assert max(map(len, linked.stdout.splitlines())) <= 100
    assert "Linking" not in linked.stderr  # the status line only goes to a terminal


def test_files_that_can_hold_names_are_owner_only(linked_store, tmp_path):
    db, root = linked_store
    review = tmp_path / "review.csv"
    review.write_text("old")
    os.chmod(review, 0o644)
    assert run("link", "review", "-o", review, "--db", db, "--config", root).exit_code == 0
    feedback = tmp_path / "feedback.xlsx"
    assert run("completeness", "--db", db, "--config", root, "--agency", "ngo-fixture", "-o", feedback).exit_code == 0
    for path in (review, feedback):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_strict_stores_nothing_when_it_fails(fixture_config_dir, tmp_path):
    import duckdb

    db = tmp_path / "s.duckdb"
    fresh = run("ingest", RETURNS / "people_flat.xlsx", "--db", db, "--config", fixture_config_dir, "--strict",
                "--no-link")
    assert fresh.exit_code == 1 and "nothing stored" in fresh.output and not db.exists()
    assert run("ingest", RETURNS / "ngo_bom.csv", "--db", db, "--config", fixture_config_dir,
               "--no-link").exit_code == 0
    kept = run("ingest", RETURNS / "people_flat.xlsx", RETURNS / "lscb_legacy.xls", "--db", db,
               "--config", fixture_config_dir, "--strict", "--no-link")
    assert kept.exit_code == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 1  # only the first load
    con.close()


def test_status_line_only_on_a_terminal(monkeypatch):
    from cse_audit.cli.common import status

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        with status("Linking victims"):
            pass
        assert ("Linking victims: " in stream.getvalue()) is shown


def test_ingest_csv_stdout_stays_parseable(fixture_config_dir, tmp_path):
    result = run("ingest", RETURNS / "police_header_row5.xlsx", "--db", tmp_path / "s.duckdb", "--config",
                 fixture_config_dir, "--no-link", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["agency", "file", "status"] and all(len(r) == len(rows[0]) for r in rows)
    assert "no_case_ref" in result.stderr
