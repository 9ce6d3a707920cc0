"""Finding 6: control characters in cells never break an export nor reach the terminal.

An ESC in a name made the feedback and review xlsx exports fail (IllegalCharacterError, with the
name in the message); `validate` printed ESC/BEL/RLO from cells (an OSC sequence set the
terminal title)."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from cse_audit import ingest, store
from cse_audit.cli import cli
from cse_audit.config.text import clean_text
from cse_audit.outputs.feedback import write_feedback
from cse_audit.tables import safe_cell

HOSTILE = "\x1b]0;owned\x07"
RLO = "\u202e"


@pytest.fixture
def hostile_csv(tmp_path):
    text = ("Case,Referral date,Forename,Surname,DOB,Age,Sex,Ethnicity,Missing,Looked after\n"
            f"N1,02/03/2010,Lu{HOSTILE}cy,Fa{RLO}uxname,01/02/1996,14,F,White British,Yes,Y\n"
            f"N2,02/03/2010,Lucy,Fauxname,01/02/1996,14,F{HOSTILE},Mar{RLO}tian,No,N\n"
            f"N3,02/03/2010,Lucy,Fauxnome,01/02/1996,14,F,White British,Y{HOSTILE},N\n")
    path = tmp_path / f"ngo_con{HOSTILE[1:4]}trol.csv"  # also in the file name
    path.write_text(text, encoding="utf-8")
    return path


def _no_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and RLO not in text and "\x00" not in text


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_validate_prints_no_control_character(hostile_csv, fixture_config_dir, fmt):
    res = CliRunner().invoke(cli, ["validate", str(hostile_csv), "--config", str(fixture_config_dir),
                                   "--format", fmt, "--show-values"])
    assert res.exit_code in (0, 1), res.output
    _no_controls(res.output)


def test_exports_escape_instead_of_failing(hostile_csv, fixture_config_dir, fixture_config, tmp_path):
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", str(hostile_csv), "--db", str(db), "--config", str(fixture_config_dir)])
    assert res.exit_code in (0, 1), res.output
    _no_controls(res.output)
    for name in ("review.xlsx", "review.csv"):
        res = runner.invoke(cli, ["link", "review", "--output", str(tmp_path / name), "--low", "0", "--high", "1",
                                  "--db", str(db), "--config", str(fixture_config_dir)])
        assert res.exit_code == 0, res.output
    cells = [str(c) for row in openpyxl.load_workbook(tmp_path / "review.xlsx").active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert any("\\x1b]0;owned\\x07" in c for c in cells)  # escaped, visible
    _no_controls(" ".join(cells) + (tmp_path / "review.csv").read_text(encoding="utf-8"))
    con = store.connect(db)
    out = tmp_path / "feedback.xlsx"
    write_feedback(con, fixture_config.agencies["ngo-fixture"], None, out, show_values=True)
    con.close()
    cells = [str(c) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows(values_only=True) for c in row
             if c is not None]
    _no_controls(" ".join(cells))
    for name in ("report.xlsx", "report.html"):
        res = runner.invoke(cli, ["report", "--output", str(tmp_path / name), "--db", str(db),
                                  "--config", str(fixture_config_dir)])
        assert res.exit_code == 0, res.output


def test_store_keeps_the_value_as_sent(hostile_csv, fixture_config, tmp_path):
    """Only output is escaped: raw rows keep exactly what the file held."""
    con = store.connect(tmp_path / "s.duckdb")
    ingest.ingest([hostile_csv], con, fixture_config, link=False)
    cells = [c for (row,) in con.execute("SELECT cells FROM raw_rows").fetchall() for c in row]
    con.close()
    assert f"Lu{HOSTILE}cy" in cells


def test_clean_text_and_safe_cell():
    assert clean_text("a\x00b\x1bc\u202ed\te\nf") == "a\\x00b\\x1bc\\u202ed\te\nf"
    assert safe_cell("\x00=1+1") == "\\x00=1+1"
    assert safe_cell("  =HYPERLINK(1)") == "'  =HYPERLINK(1)"
    assert safe_cell(3) == 3
