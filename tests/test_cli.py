"""The command line through click's CliRunner: exit codes, streams, no personal data."""

from __future__ import annotations

import json

import openpyxl
from click.testing import CliRunner

from cse_audit import ingest
from cse_audit.cli import cli
from cse_audit.config import load_config

from .conftest import RETURNS


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_help_has_examples():
    for cmd in (["ingest"], ["validate"], ["tables"], ["report"], ["synth"]):
        result = run(*cmd, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_validate_exits_1_and_names_failed_files(fixture_config_dir):
    result = run("validate", RETURNS, "--config", fixture_config_dir)
    assert result.exit_code == 1
    assert "bad_renamed.xlsx: not a valid .xlsx workbook" in result.output
    assert "ngo_empty.csv: the file is empty" in result.output
    assert "no_case_ref" in result.output


def test_validate_json_summary(fixture_config_dir):
    issues = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir, "--format", "json")
    assert issues.exit_code == 0, issues.output
    rows = json.loads(issues.stdout)  # stdout is the issue rows and nothing else
    assert [(r["kind"], r["column"]) for r in rows] == [("missing_column", "Initials"), ("unrecognised_code", "Ethnicity")]
    assert set(rows[0]) == {"file", "sheet", "row", "column", "severity", "kind", "message"}
    assert "Rows landed" in issues.stderr
    result = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir, "--format", "json",
                 "--summary")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"][0]["records_accepted"] == 3
    # "Martian" is not code-like: it could be a name in the wrong column, so it is counted (#22)
    assert data["issues"]["unrecognised_values"] == {} and data["issues"]["unrecognised_values_not_shown"] == 1


def test_ingest_reports_and_stores(fixture_config_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    result = run("ingest", RETURNS / "police_header_row5.xlsx", RETURNS / "ngo_bom.csv", "--db", db,
                 "--config", fixture_config_dir, "--no-link", "--no-tables")
    assert result.exit_code == 0, result.output
    assert "Rows landed 12 = accepted 11 + rejected 1 + skipped 0" in result.output
    for secret in ("Amelia", "Zoë", "Fauxname", "1995"):
        assert secret not in result.output
    strict = run("ingest", RETURNS / "people_flat.xlsx", "--db", db, "--config", fixture_config_dir,
                 "--no-link", "--no-tables", "--strict")
    assert strict.exit_code == 1 and "rejected" in strict.output


def test_configuration_error_is_exit_2(fixture_config_dir):
    (fixture_config_dir / "mappings" / "fixture-flat.yaml").write_text("name: wrong\nsheets: {}\n")
    result = run("validate", RETURNS, "--config", fixture_config_dir)
    assert result.exit_code == 2
    assert "fixture-flat.yaml" in result.output and "Traceback" not in result.output


def test_mapping_draft_and_check(fixture_config_dir, tmp_path):
    out = tmp_path / "drafted.yaml"
    drafted = run("mapping", "draft", RETURNS / "police_header_row5.xlsx", "--config", fixture_config_dir,
                  "--output", out)
    assert drafted.exit_code == 0, drafted.output
    assert "name: drafted" in out.read_text() or "name: \"drafted\"" in out.read_text()
    checked = run("mapping", "check", RETURNS / "police_header_row5.xlsx", "--mapping", "fixture-police",
                  "--config", fixture_config_dir, "--format", "json")
    assert checked.exit_code == 0, checked.output
    data = json.loads(checked.stdout)
    assert data["rows_landed"] == 9 and data["rows_rejected"] == 1
    assert "Amelia" not in checked.output


def test_template_and_minimise_commands(fixture_config_dir, tmp_path):
    out = tmp_path / "t.xlsx"
    made = run("template", "--output", out, "--agency", "ngo-fixture", "--config", fixture_config_dir)
    assert made.exit_code == 0 and made.stdout == "" and f"wrote {out}" in made.stderr
    assert openpyxl.load_workbook(out).sheetnames == ["Instructions", "Lists", "Cases", "Victims", "Offenders"]
    blank = ingest.prepare(out, load_config(fixture_config_dir))      # the marker names the agency
    assert (blank.agency_id, blank.mapping) == ("ngo-fixture", "standard-template")
    bad = run("template", "--output", out, "--agency", "nobody", "--config", fixture_config_dir)
    assert bad.exit_code == 2 and "no agency 'nobody'" in bad.output
    db = tmp_path / "m.duckdb"
    assert run("ingest", RETURNS / "ngo_bom.csv", "--db", db, "--config", fixture_config_dir).exit_code == 0
    gone = run("minimise", "--db", db, "--yes")
    assert gone.exit_code == 0 and "3 victim" in gone.output
    again = run("ingest", RETURNS / "lscb_legacy.xls", "--db", db, "--config", fixture_config_dir)
    assert again.exit_code == 2 and "minimised" in again.output


def test_everything_in_a_folder_is_listed(fixture_config_dir, tmp_path):
    """A folder's other files are listed as skipped (exit 0), broken links as failed (exit 1): nothing
    the user handed over disappears without a word. Ignored names (hidden, an orphan ~$ lock) stay
    unlisted; Excel's lock beside the workbook it locks is listed as skipped (session 18: the workbook
    may be open with edits not saved)."""
    import shutil

    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(RETURNS / "ngo_bom.csv", folder / "ngo_bom.csv")
    (folder / "cover_letter.pdf").write_bytes(b"%PDF-1.4")
    (folder / "~$ngo_bom.csv").write_text("lock")
    (folder / "~$ngo_gone.csv").write_text("lock")
    (folder / ".DS_Store").write_bytes(b"\0")
    db = tmp_path / "s.duckdb"
    args = ("--db", db, "--config", fixture_config_dir, "--no-link", "--no-tables", "--format", "json")
    ok = run("ingest", folder, *args)
    assert ok.exit_code == 0, ok.output
    statuses = {f["file"]: f["status"] for f in json.loads(ok.stdout)["files"]}
    assert statuses == {"ngo_bom.csv": "loaded", "cover_letter.pdf": "skipped", "~$ngo_bom.csv": "skipped"}
    assert "note: ~$ngo_bom.csv: Excel's lock file: 'ngo_bom.csv' is open in Excel" in ok.stderr
    assert "note: cover_letter.pdf: not loaded: file type '.pdf' is not a return" in ok.stderr
    (folder / "moved.xlsx").symlink_to(tmp_path / "gone.xlsx")
    broken = run("ingest", folder, *args)
    assert broken.exit_code == 1
    files = {f["file"]: f for f in json.loads(broken.stdout)["files"]}
    assert files["moved.xlsx"]["status"] == "failed" and "broken link" in files["moved.xlsx"]["message"]
    assert files["ngo_bom.csv"]["status"] == "unchanged"


def test_load_summary_says_linkage_in_words(fixture_config_dir, tmp_path):
    result = run("ingest", RETURNS / "ngo_bom.csv", "--db", tmp_path / "s.duckdb", "--config", fixture_config_dir,
                 "--no-tables")
    assert result.exit_code == 0, result.output
    assert "Linkage (victims): 3 records -> " in result.output and "{" not in result.output
