"""Readers: every format becomes a grid of text with Excel row numbers."""

from __future__ import annotations

import pytest

from cse_audit.config import Limits
from cse_audit.ingest.readers import ReadError, cell_text, decode_text, read_file

from .conftest import RETURNS


def test_header_on_row_5_keeps_excel_row_numbers():
    sheets = read_file(RETURNS / "police_header_row5.xlsx", Limits())
    cases = sheets[0]
    assert cases.name == "Cases"
    assert cases.rows[0][0].startswith("Testshire Police")   # merged title, row 1
    assert cases.rows[4][:2] == ["Crime Ref", "Date Reported"]  # header, row 5
    assert cases.rows[5][:2] == ["TS/001", "03/04/2009"]
    assert cases.rows[6][1] == "2010-01-05"                     # a date cell becomes ISO text
    assert cases.rows[7][1] == "40000"                          # a serial stays a number


@pytest.mark.parametrize("name", ["ngo_bom.csv", "ngo_cp1252.csv"])
def test_csv_encodings_are_detected(name):
    sheet = read_file(RETURNS / name, Limits())[0]
    assert sheet.rows[0][0] == "Case"          # no BOM left on the first header
    assert sheet.rows[1][2] == "Zoë"
    assert sheet.rows[2][2] == "Émilie"


def test_cp1252_pound_sign():
    sheet = read_file(RETURNS / "ngo_cp1252.csv", Limits())[0]
    assert "£5" in sheet.rows[2][3]


def test_legacy_xls_and_ods():
    xls = read_file(RETURNS / "lscb_legacy.xls", Limits())[0]
    assert xls.rows[1][1] == "2009-09-01" and xls.rows[1][4] == "1995-04-03"
    ods = read_file(RETURNS / "ngo_return.ods", Limits())[0]
    assert ods.name == "Referrals" and ods.rows[1][2] == "Hana"


@pytest.mark.parametrize("name, reason", [
    ("ngo_empty.csv", "empty"),
    ("bad_binary.csv", "binary"),
    ("bad_renamed.xlsx", "not a zip"),
])
def test_unreadable_files_name_the_reason(name, reason):
    with pytest.raises(ReadError) as err:
        read_file(RETURNS / name, Limits())
    assert err.value.file_name == name
    assert reason in str(err.value)


def test_limits_are_checked_before_parsing(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20)) + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match="column limit"):
        read_file(path, Limits(max_columns=10))


def test_cell_text():
    import datetime as dt

    assert cell_text(14.0) == "14" and cell_text(14.5) == "14.5" and cell_text(None) == ""
    assert cell_text(dt.datetime(2009, 4, 3)) == "2009-04-03"
    assert cell_text(True) == "TRUE"


def test_decode_falls_back_to_cp1252():
    assert decode_text("café £".encode("cp1252"), "x.csv") == "café £"
    assert decode_text("café £".encode(), "x.csv") == "café £"


def test_csv_apostrophes_do_not_merge_rows_and_semicolons_are_found(tmp_path):
    # Found by the property test: csv.Sniffer took "'" for the quote character.
    path = tmp_path / "quotes.csv"
    path.write_text("Case,Forename\r\nA1,'\r\nA2,O'Brien's\r\n", encoding="utf-8")
    assert read_file(path, Limits())[0].rows == [["Case", "Forename"], ["A1", "'"], ["A2", "O'Brien's"]]
    semi = tmp_path / "semi.csv"
    semi.write_text("Case;Forename;Notes\r\nA1;Ann;\"a, b\"\r\n", encoding="utf-8")
    assert read_file(semi, Limits())[0].rows == [["Case", "Forename", "Notes"], ["A1", "Ann", "a, b"]]
