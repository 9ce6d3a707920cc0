"""Mapping and ingest over the nasty-file fixtures: every row is a record or an issue."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from cse_audit import ingest
from cse_audit.ingest import pipeline
from cse_audit.store import connect

from .conftest import RETURNS


def prepare(name, config):
    return ingest.prepare(RETURNS / name, config)


def reconciles(mapped):
    return mapped.rows_landed == mapped.records_accepted + mapped.rows_rejected + mapped.rows_skipped


def test_header_on_row_5_under_merged_title(fixture_config):
    out = prepare("police_header_row5.xlsx", fixture_config)
    assert out.status == "checked" and out.agency_id == "police-testshire"
    m = out.mapped
    cases = {c["case_ref"]: c for c in m.records["cases"]}
    assert set(cases) == {"TS/001", "TS/002", "TS/003"}
    assert cases["TS/001"]["case_date"] == dt.date(2009, 4, 3)      # UK day-first text
    assert cases["TS/002"]["case_date"] == dt.date(2010, 1, 5)      # date cell
    assert cases["TS/003"]["case_date"] == dt.date(2009, 7, 6)      # Excel serial 40000
    assert cases["TS/001"]["area"] == "Testshire"                   # from the registry
    assert [c["row_number"] for c in m.records["cases"]] == [6, 7, 8]
    rejected = [i for i in m.issues if i.severity == "error"]
    assert [(i.sheet, i.row_number, i.code) for i in rejected] == [("Cases", 9, "no_case_ref")]
    assert m.rows_landed == 9 and m.rows_rejected == 1 and reconciles(m)


def test_victims_codes_dates_and_derived_age(fixture_config):
    m = prepare("police_header_row5.xlsx", fixture_config).mapped
    v = {r["record_ref"]: r for r in m.records["victims"]}
    assert v["V1"]["dob"] is None                                   # 31/02/1995 is impossible
    assert v["V1"]["missing_status"] == "Reported missing" and v["V1"]["missing_episodes"] == 2
    assert v["V2"]["missing_status"] == "Not reported missing"
    assert v["V3"]["missing_status"] == "Unknown"
    assert v["V2"]["ethnicity"] == "Unknown" and v["V2"]["ethnicity_raw"] == "IC8"
    assert v["V3"]["ethnicity"] == "Asian" and v["V3"]["sex"] == "Male"
    assert v["V2"]["age"] == 14                                     # dob 6 May 1995, case 5 Jan 2010
    assert v["V1"]["case_date"] == dt.date(2009, 4, 3)              # from the Cases sheet
    codes = {(i.row_number, i.code) for i in m.issues}
    assert (2, "impossible_date") in codes and (3, "unrecognised_code") in codes
    o = m.records["offenders"]
    assert (o[0]["forename"], o[0]["surname"], o[0]["initials"], o[0]["age"]) == ("Jon", "DOEVILLE", "JD", 22)
    assert o[1]["age"] == 19 and o[1]["ethnicity"] == "Unknown"


def test_no_name_or_dob_in_issues(fixture_config):
    m = prepare("police_header_row5.xlsx", fixture_config).mapped
    text = " ".join(f"{i.value} {i.message}" for i in m.issues)
    for secret in ("Amelia", "Testcase", "31/02/1995", "Brooke", "DOEVILLE"):
        assert secret not in text


@pytest.mark.parametrize("name", ["ngo_bom.csv", "ngo_cp1252.csv"])
def test_csv_with_free_text_ethnicity_and_ages(name, fixture_config):
    m = prepare(name, fixture_config).mapped
    v = m.records["victims"]
    assert [r["forename"] for r in v] == ["Zoë", "Émilie", None]
    assert [r["age"] for r in v] == [14, 15, None]
    assert [r["ethnicity"] for r in v] == ["White", "Asian", "Unknown"]
    assert v[1]["ethnicity_detail"] is None and v[1]["sex"] == "Female"  # "British Asian" names no detailed group (session 17)
    assert [r["looked_after"] for r in v] == ["Yes", "No", "Unknown"]
    assert [r["initials"] for r in v] == ["ZF", "ÉP", "F"]     # N3: a surname only (a person needs one)
    assert any(i.code == "unrecognised_code" and i.value == "Martian" for i in m.issues)
    # No case sheet: each distinct case reference is a case record.
    assert sorted(c["case_ref"] for c in m.records["cases"]) == ["N1", "N2", "N3"]
    assert reconciles(m)


def test_legacy_xls_and_ods(fixture_config):
    xls = prepare("lscb_legacy.xls", fixture_config).mapped.records["victims"][0]
    assert xls["dob"] == dt.date(1995, 4, 3) and xls["case_date"] == dt.date(2009, 9, 1)
    assert xls["age"] == 14 and xls["ethnicity_detail"] == "Pakistani"
    assert xls["missing_status"] == "Reported missing" and xls["looked_after"] == "Yes"
    ods = prepare("ngo_return.ods", fixture_config).mapped.records["victims"][0]
    assert ods["ethnicity"] == "Chinese" and ods["dob"] == dt.date(1996, 2, 1)


def test_extra_missing_and_duplicate_columns(fixture_config):
    m = prepare("lscb_odd_columns.csv", fixture_config).mapped
    rec = m.records["victims"][0]
    assert rec["sex"] == "Female"               # the first of two "Sex" columns
    assert rec["looked_after"] is None         # column absent: Unknown, with a warning
    assert rec["case_date"] == dt.date(2010, 2, 1) and rec["age"] == 13
    codes = {(i.code, i.column_name) for i in m.issues}
    assert ("duplicate_header", "Sex") in codes
    assert ("missing_column", "Looked after") in codes


def test_nil_returns(fixture_config):
    for name in ("ngo_nil.csv", "police_nil_note.xlsx"):
        out = prepare(name, fixture_config)
        assert out.status == "checked", out.message
        assert out.mapped.nil_return and out.mapped.rows_landed == 0


def test_flat_sheet_with_roles(fixture_config):
    m = prepare("people_flat.xlsx", fixture_config).mapped
    assert [(r["forename"], r["surname"]) for r in m.records["victims"]] == [("Ivy", "MOCKRIDGE")]
    off = m.records["offenders"][0]
    assert (off["forename"], off["surname"], off["ethnicity"], off["ethnicity_detail"]) == \
        ("Karl", "JESTERTON", "Asian", "Pakistani")      # SDE first, else ODE
    assert m.rows_skipped == 1 and m.rows_rejected == 1  # the witness; the unknown "Informant" role
    assert [c["case_ref"] for c in m.records["cases"]] == ["OC1"]
    assert reconciles(m)


def test_unreadable_files_fail_with_reason_and_others_load(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    report = ingest.ingest([RETURNS], con, fixture_config, link=False)
    failed = {f.file_name: f.message for f in report.failed}
    assert set(failed) == {"bad_binary.csv", "bad_renamed.xlsx", "ngo_empty.csv"}
    loaded = [f for f in report.files if f.status == "loaded"]
    assert len(loaded) == 10
    # Per return: rows landed = accepted + rejected + skipped, in the store too.
    for rid, landed, acc, rej, skip in con.execute(
            "SELECT return_id, rows_landed, records_accepted, rows_rejected, rows_skipped FROM returns").fetchall():
        assert landed == acc + rej + skip
        raw = con.execute("SELECT count(*) FROM raw_rows WHERE return_id = ?", [rid]).fetchone()[0]
        assert raw == landed
    # Failed files left nothing behind.
    names = {r[0] for r in con.execute("SELECT DISTINCT file_name FROM returns").fetchall()}
    assert not names & set(failed)


def test_same_file_again_is_a_no_op_and_new_file_supersedes(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RETURNS / "ngo_bom.csv", src / "ngo_2010.csv")
    first = ingest.ingest([src], con, fixture_config, link=False)
    again = ingest.ingest([src], con, fixture_config, link=False)
    assert [f.status for f in first.files] == ["loaded"] and [f.status for f in again.files] == ["unchanged"]
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 1
    shutil.copy(RETURNS / "ngo_cp1252.csv", src / "ngo_2011.csv")
    (src / "ngo_2010.csv").unlink()
    third = ingest.ingest([src], con, fixture_config, link=False)
    assert third.files[0].superseded == [first.files[0].return_id]
    assert con.execute("SELECT count(*) FROM current_victims").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM victims").fetchone()[0] == 6   # the old return is kept for audit


def test_append_keeps_both_returns(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    ingest.ingest([RETURNS / "ngo_bom.csv"], con, fixture_config, link=False)
    ingest.ingest([RETURNS / "ngo_cp1252.csv"], con, fixture_config, link=False, append=True)
    assert con.execute("SELECT count(*) FROM current_returns").fetchone()[0] == 2


def test_unknown_file_name_is_reported(fixture_config, tmp_path):
    path = tmp_path / "mystery.csv"
    shutil.copy(RETURNS / "ngo_bom.csv", path)
    out = ingest.prepare(path, fixture_config)
    assert out.status == "failed" and "--agency" in out.message
    assert ingest.prepare(path, fixture_config, agency_id="ngo-fixture").status == "checked"


def test_missing_expected_sheet_refuses_the_file(fixture_config, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Cases"
    wb.active.append(["Crime Ref", "Date Reported"])
    wb.active.append(["Z1", "01/01/2010"])
    path = tmp_path / "police_nosheet.xlsx"
    wb.save(path)
    out = ingest.prepare(path, fixture_config)
    assert out.status == "failed"
    assert "victims sheet" in out.message and "'Cases'" in out.message


def test_case_date_filled_from_other_records_of_the_case(fixture_config, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Occurrence No", "Occurrence date", "Role", "Full name", "D.O.B.", "Gender", "SDE", "ODE"])
    ws.append(["OC9", "", "Suspect", "Quentin ROWE", "", "M", "", "IC1"])       # no date on this row
    ws.append(["OC9", "01/05/2010", "Victim", "Rhea STONE", "07/08/1996", "F", "", "IC1"])
    path = tmp_path / "people_dates.xlsx"
    wb.save(path)
    m = ingest.prepare(path, fixture_config).mapped
    assert m.records["offenders"][0]["case_date"] == dt.date(2010, 5, 1)
    assert m.records["victims"][0]["age"] == 13


def test_byte_identical_files_from_two_agencies_both_load(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RETURNS / "ngo_nil.csv", src / "ngo_nil.csv")
    shutil.copy(RETURNS / "ngo_nil.csv", src / "silent_nil.csv")      # another agency, same bytes
    report = ingest.ingest([src], con, fixture_config, link=False)
    assert [(f.agency_id, f.status) for f in report.files] == [("ngo-fixture", "loaded"), ("ngo-silent", "loaded")]


def test_workers_running_ahead_still_give_files_in_order(fixture_config, monkeypatch):
    """With two workers, files come back in file order (the write order: later returns supersede
    earlier ones) and as the serial path gives them, however far ahead the workers are let run."""
    paths = sorted(p for p in RETURNS.iterdir() if p.suffix in {".csv", ".xlsx", ".xls", ".ods"}) * 2

    def summary(outcome):
        m = outcome.mapped
        return (outcome.status, outcome.agency_id, m and (m.rows_landed, m.records_accepted, m.rows_rejected))

    serial = [(p, summary(o)) for p, o in pipeline._prepared(paths, fixture_config, None, 1)]
    here, real = [], pipeline.prepare

    def counted(path, *args, **kwargs):  # this process's own files (the workers' are not seen here)
        here.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", counted)
    for jobs, files, budget in [(2, 1, 1), (2, 3, 48 * 1024 * 1024), (3, 3, 48 * 1024 * 1024), (2, 100, 10**12)]:
        monkeypatch.setattr(pipeline, "AHEAD_FILES", files)
        monkeypatch.setattr(pipeline, "AHEAD_BYTES", budget)
        here.clear()
        parallel = [(p, summary(o)) for p, o in pipeline._prepared(paths, fixture_config, None, jobs)]
        assert parallel == serial
        # this process maps files too (issue 21, session 11: it only waited for the workers before),
        # unless one file at a time is all that may be in flight
        assert 0 < len(here) < len(paths) or (files, budget) == (1, 1), (jobs, len(here))


def test_free_cores_from_what_other_processes_did_since_the_load_began(monkeypatch):
    """The cores other work leaves free, measured since a mark taken as the load began (the load
    average is a minute's, and counts a load run just before as other work): busy seconds of all
    cores less this process's own, over the time since the mark."""
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.9, 1.9))   # a busy minute behind us
    since = (100.0, 10.0, 50.0)
    for now, free in [((100.5, 10.4, 50.5), 2),     # 0.5 s busy, 0.4 of it ours: 0.2 cores elsewhere
                      ((101.3, 10.5, 51.0), 1),     # 1.3 s busy, 0.5 ours, over 1 s: 0.8 elsewhere
                      ((104.0, 10.5, 51.0), 1)]:    # all busy: still one core (this one)
        monkeypatch.setattr(pipeline, "cpu_mark", lambda now=now: now)
        assert pipeline._free_cores(since) == free
    monkeypatch.setattr(pipeline, "cpu_mark", lambda: (100.01, 10.0, 50.05))   # too soon to tell
    assert pipeline._free_cores(since) == 1 == pipeline._free_cores(None)     # the load average decides
    monkeypatch.setattr(pipeline, "cpu_mark", lambda: None)                     # no /proc/stat
    assert pipeline._free_cores(since) == 1
