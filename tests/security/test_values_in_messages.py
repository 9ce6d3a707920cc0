"""Finding 4: a name typed into the wrong column never reaches output unless --show-values.

A name in Gender, Role, SDE, ODE or a date column was echoed by `validate`, the ingest summary
and its JSON `unrecognised_values`, the feedback workbook's Problems sheet, `mapping check` and
`mapping draft`."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from cse_audit import ingest, store
from cse_audit.cli import cli
from cse_audit.config.text import looks_like_code
from cse_audit.outputs.feedback import write_feedback

from ..conftest import RETURNS

NAME = "Zebedee"  # in no code list, no name list: a name typed into the wrong column


@pytest.fixture
def misplaced(tmp_path):
    wb = openpyxl.load_workbook(RETURNS / "people_flat.xlsx")
    ws = wb.active
    ws["F2"] = NAME           # Gender
    ws["G3"] = NAME           # SDE
    ws["H3"] = NAME + "s"     # ODE
    ws["B4"] = NAME           # Occurrence date
    ws["C5"] = NAME           # Role
    ws.append(["OC3", "03/05/2010", "Victim", "Ann Other", "01/01/1999", "Zeb Edee", None, "IC1"])
    path = tmp_path / "people_misplaced.xlsx"
    wb.save(path)
    return path


def _run(*args):
    """Exit code and everything the command printed (stdout and stderr: neither may leak)."""
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def _stdout(*args) -> str:
    return CliRunner().invoke(cli, [str(a) for a in args]).stdout


def test_validate_hides_and_show_values_shows(misplaced, fixture_config_dir):
    for fmt in ("table", "json", "csv", "markdown"):
        code, out = _run("validate", misplaced, "--config", fixture_config_dir, "--format", fmt)
        assert code in (0, 1), out
        assert "Zeb" not in out, fmt
    code, out = _run("validate", misplaced, "--config", fixture_config_dir)
    assert "unrecognised_role" in out and "Role" in out  # column and kind are still said
    code, out = _run("validate", misplaced, "--config", fixture_config_dir, "--show-values")
    assert NAME in out


def test_ingest_summary_and_json(misplaced, fixture_config_dir, tmp_path):
    db = tmp_path / "s.duckdb"
    code, out = _run("ingest", misplaced, "--db", db, "--config", fixture_config_dir, "--format", "json",
                     "--no-link")
    assert "Zeb" not in out
    counts = json.loads(_stdout("ingest", misplaced, "--db", tmp_path / "j.duckdb", "--config", fixture_config_dir,
                                "--format", "json", "--no-link"))["issues"]
    assert counts["unrecognised_values_not_shown"] >= 2 and counts["unrecognised_values"] == {}
    code, out = _run("ingest", misplaced, "--db", tmp_path / "t.duckdb", "--config", fixture_config_dir,
                     "--no-link", "--no-tables")
    assert "Zeb" not in out and "not shown" in out


def test_feedback_problems_sheet(misplaced, fixture_config, tmp_path):
    con = store.connect(tmp_path / "s.duckdb")
    ingest.ingest([misplaced], con, fixture_config, link=False)
    out = tmp_path / "feedback.xlsx"
    n = write_feedback(con, fixture_config.agencies["police-flatshire"], None, out)
    con.close()
    assert n >= 4
    cells = [str(c) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows(values_only=True) for c in row
             if c is not None]
    assert not any("Zeb" in c for c in cells)
    problems = openpyxl.load_workbook(out)["Problems"]
    # every problem is still located (the file's name in each row), only its value is withheld
    assert sum(1 for row in problems.iter_rows(values_only=True) if row[0] == misplaced.name) == n


def test_mapping_check_and_draft(misplaced, fixture_config_dir, tmp_path):
    code, out = _run("mapping", "check", misplaced, "--mapping", "fixture-people", "--config", fixture_config_dir)
    assert code in (0, 1), out
    assert "Zeb" not in out
    draft = tmp_path / "draft.yaml"
    code, out = _run("mapping", "draft", misplaced, "--config", fixture_config_dir, "--output", draft)
    assert code in (0, 1), out
    assert "Zeb" not in out and "Zeb" not in draft.read_text(encoding="utf-8")


@pytest.mark.parametrize("value, shown", [("W1", True), ("IC3", True), ("WBRI", False), ("F", True), ("NK", True),
                                          ("Lucy", False), ("LUCY", False), ("Jo Smith", False),
                                          ("Zebedee", False), ("A2", True), ("\x1b]0;x", False)])
def test_what_counts_as_code_like(value, shown):
    assert looks_like_code(value) is shown
