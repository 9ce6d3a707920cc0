"""Issue 24: the layouts real returns use (several people in a row, a sheet per year, two-row
headers, split dates, footers, nil returns under a header) and a batch that never stops halfway."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from cse_audit import ingest
from cse_audit.config import load_config
from cse_audit.store import connect

from .conftest import FIXTURES

LAYOUTS = FIXTURES / "layouts"


@pytest.fixture
def layout_config_dir(fixture_config_dir):
    shutil.copytree(LAYOUTS / "mappings", fixture_config_dir / "mappings", dirs_exist_ok=True)
    with open(fixture_config_dir / "agencies.yaml", "a", encoding="utf-8") as fh:
        fh.write((LAYOUTS / "agencies.yaml").read_text(encoding="utf-8"))
    return fixture_config_dir


@pytest.fixture
def layout_config(layout_config_dir):
    return load_config(layout_config_dir)


def mapped(name, config):
    out = ingest.prepare(LAYOUTS / name, config)
    assert out.status == "checked", out.message
    m = out.mapped
    assert m.rows_landed == m.records_accepted + m.rows_rejected + m.rows_skipped
    return m


def people(m, kind):
    return [(r["forename"], r["surname"]) for r in m.records[kind]]


def test_wide_offence_export_loads_every_victim_and_suspect(layout_config):
    m = mapped("wide_offences.xlsx", layout_config)
    assert sorted(people(m, "victims")) == sorted([
        ("Ada", "Fauxley"), ("Bea", "Mockford"), ("Cy", "Mockford"), ("Dee", "Dummett"), ("Eve", "Example"),
        ("Fay", "Testwell"), ("Gil", "Proxy")])
    assert sorted(people(m, "offenders")) == sorted([
        ("Ned", "TESTER"), ("Ivo", "SAMPLE"), ("Omar", "FIXTON"), ("Pat", "PLACEBO"), ("Quin", "STUBB"),
        ("Rex", "VOID"), ("Sol", "DUMMY")])
    # no phantom: the offence with no suspect makes no offender; the footer makes no victim
    assert not [r for r in m.records["offenders"] if r["case_ref"] == "WX/09/103"]
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (5, 4, 1)
    assert [i.code for i in m.issues if i.severity == "skipped"] == ["footer_row"]
    # each group's record is tied to its row's case and keeps its group
    rex = next(r for r in m.records["offenders"] if r["forename"] == "Rex")
    assert (rex["case_ref"], rex["row_number"], rex["column_group"], rex["case_date"]) == \
        ("WX/08/102", 4, "4", dt.date(2008, 6, 20))
    ivo = next(r for r in m.records["offenders"] if r["forename"] == "Ivo")
    assert (ivo["age"], ivo["age_max"]) == (20, 25)                     # "20-25" kept as an interval
    assert sorted(c["case_ref"] for c in m.records["cases"]) == ["WX/08/101", "WX/08/102", "WX/09/103", "WX/09/104"]


def test_grouped_records_get_unique_ids_and_the_sheet_lands_once(layout_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    report = ingest.ingest([LAYOUTS / "wide_offences.xlsx"], con, layout_config, link=False)
    assert report.files[0].status == "loaded", report.files[0].message
    assert con.execute("SELECT count(*) FROM raw_rows").fetchone()[0] == 5        # read by two blocks, landed once
    ids = [r[0] for r in con.execute("SELECT record_id FROM offenders ORDER BY record_id").fetchall()]
    assert len(ids) == len(set(ids)) == 7
    assert "police-wexshire:1:Offences:4:g4" in ids
    assert con.execute("SELECT column_group FROM victims WHERE record_id = 'police-wexshire:1:Offences:4:g3'"
                       ).fetchone()[0] == "3"
    blocks = con.execute("SELECT DISTINCT block FROM issues WHERE code = 'footer_row'").fetchall()
    assert blocks == [("victims",)]
    con.close()


def test_a_sheet_per_year_loads_every_matching_sheet(layout_config):
    m = mapped("yearly_sheets.xlsx", layout_config)
    victims = m.records["victims"]
    assert len(victims) == 6
    assert {r["sheet"] for r in victims} == {"2008", "2009", "2010", "2011 (to March)"}   # not "Read me"
    first = next(r for r in victims if r["case_ref"] == "YR-1")
    assert first["case_date"] == dt.date(2008, 5, 1)                    # "May-08": month precision
    assert next(r for r in victims if r["case_ref"] == "YR-4")["case_date"] == dt.date(2010, 3, 1)
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (7, 6, 1)   # the "Total: 2 children" footer


def test_an_empty_sheet_of_a_series_is_no_error(layout_config, tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(LAYOUTS / "yearly_sheets.xlsx")
    wb.create_sheet("2012")                                             # next year's sheet, not started
    path = tmp_path / "yearly_with_blank.xlsx"
    wb.save(path)
    m = ingest.prepare(path, layout_config).mapped
    assert m.count("victims") == 6 and not [i for i in m.issues if i.severity == "error"]


def test_mapping_check_lists_every_sheet_read(layout_config):
    from cse_audit.authoring.check import check_command

    text, r = check_command(LAYOUTS / "yearly_sheets.xlsx", "layout-yearly", layout_config)
    assert [s["sheet"] for s in r["sheets"]] == ["2008", "2009", "2010", "2011 (to March)"]
    assert "sheet '2011 (to March)': victims, header on row 1, 1 row(s)" in text


def test_two_row_header_addresses_group_and_sub_header_and_letters(layout_config):
    m = mapped("two_row_header.xlsx", layout_config)
    assert people(m, "victims") == [("Nora", "MERGED"), ("Pia", "HEADERLY"), ("Rae", "SUBBS")]
    assert people(m, "offenders") == [("Otto", "CELLSON"), ("Stu", "ROWE")]    # TR/2 has no suspect
    otto = m.records["offenders"][0]
    assert (otto["ethnicity"], otto["age"]) == ("Asian", 34)              # age from the blank-headed column K
    assert m.records["victims"][0]["dob"] == dt.date(1995, 4, 4)
    assert (m.rows_landed, m.records_accepted) == (3, 3)


def test_a_repeated_header_is_an_error_saying_how_to_address_each(layout_config_dir):
    (layout_config_dir / "mappings" / "layout-tworow.yaml").write_text(
        "name: layout-tworow\nsheets:\n  victims:\n    header_rows: 2\n    columns:\n"
        "      case_ref: Crime No\n      name: {column: Name, parse: name}\n", encoding="utf-8")
    m = mapped("two_row_header.xlsx", load_config(layout_config_dir))
    assert m.count("victims") == 0 and m.rows_rejected == 3
    error = next(i for i in m.issues if i.severity == "error")
    assert "'VICTIM / Name' or {letter: C}" in error.message and "'SUSPECT / Name' or {letter: G}" in error.message


def test_split_dates_month_years_bare_numbers_and_age_bands(layout_config):
    m = mapped("split_dob.csv", layout_config)
    v = {r["case_ref"]: r for r in m.records["victims"]}
    assert v["SP1"]["dob"] == dt.date(1995, 5, 16) and (v["SP1"]["age"], v["SP1"]["age_max"]) == (14, 15)
    assert v["SP2"]["dob"] == dt.date(1996, 12, 1)                        # "1" "Dec" "96"
    assert v["SP3"]["dob"] == dt.date(1994, 7, 1)                         # no day: the first of July
    assert v["SP2"]["case_date"] is None                                  # "16" is not 1900-01-15 ...
    assert ("bad_date", "16", 3) in {(i.code, i.value, i.row_number) for i in m.issues}   # ... but an issue
    assert "SP4" not in v and m.rows_skipped == 1                         # a reference alone is no person
    assert [i.code for i in m.issues if i.row_number == 5] == ["no_identifying_field"]


def test_nil_return_under_a_header(layout_config):
    m = mapped("nil_under_header.csv", layout_config)
    assert m.nil_return and m.rows_landed == 0
    assert [i.code for i in m.issues] == ["nil_return"]


def test_nil_markers_come_from_settings(layout_config_dir):
    settings = layout_config_dir / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "\nnil_markers:" in text
    settings.write_text(text.replace("\nnil_markers:", '\nnil_markers: ["nothing to report"]\nold_markers:')
                        .replace("old_markers:", "# old:"), encoding="utf-8")
    m = mapped("nil_under_header.csv", load_config(layout_config_dir))
    # "NIL RETURN" is no longer a marker: the line is a note in the first column, skipped, not a nil return
    assert not m.nil_return and (m.rows_landed, m.rows_skipped) == (1, 1)


def test_a_store_failure_rolls_back_that_file_alone_and_the_batch_goes_on(layout_config, tmp_path, monkeypatch):
    from cse_audit import store

    real = store.write_returns
    batches = []

    def failing(con, returns, *args, **kwargs):
        # Returns are written in batches: the batch holding the bad file fails, then its files are
        # written one by one, so only the bad one fails.
        batches.append([r[1].id for r in returns])
        if any(r[1].id == "lscb-yearly" for r in returns):
            raise RuntimeError("disk on fire: Hana Yearling")   # a message quoting a name is never shown
        return real(con, returns, *args, **kwargs)

    monkeypatch.setattr(store, "write_returns", failing)
    con = connect(tmp_path / "s.duckdb")
    files = [LAYOUTS / n for n in ("wide_offences.xlsx", "yearly_sheets.xlsx", "two_row_header.xlsx")]
    report = ingest.ingest(files, con, layout_config, link=True, jobs=1)
    status = {f.file_name: (f.status, f.message) for f in report.files}
    assert status["yearly_sheets.xlsx"][0] == "failed"
    assert "RuntimeError" in status["yearly_sheets.xlsx"][1] and "Hana" not in status["yearly_sheets.xlsx"][1]
    assert status["wide_offences.xlsx"][0] == status["two_row_header.xlsx"][0] == "loaded"
    assert set(report.linkage) == {"victims", "offenders"}               # linkage ran after the failure
    assert con.execute("SELECT count(*) FROM victims WHERE agency_id = 'lscb-yearly'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM victims").fetchone()[0] == 7 + 3
    assert len(batches[0]) == 3 and [len(b) for b in batches[1:]] == [1, 1, 1]   # the batch, then one by one
    con.close()


def test_a_mapping_error_inside_one_file_fails_that_file_alone(layout_config, monkeypatch):
    from cse_audit.ingest import pipeline

    real = pipeline.map_return

    def failing(sheets, mapping, *args):
        if mapping.name == "layout-split":
            raise KeyError("boom")
        return real(sheets, mapping, *args)

    monkeypatch.setattr(pipeline, "map_return", failing)
    report = ingest.validate([LAYOUTS / "split_dob.csv", LAYOUTS / "wide_offences.xlsx"], layout_config)
    status = {f.file_name: f for f in report.files}
    assert status["split_dob.csv"].status == "failed" and "KeyError" in status["split_dob.csv"].message
    assert status["wide_offences.xlsx"].status == "checked"


DUPLICATE = """name: layout-wide
sheets:
  people:
    sheet: Offences
    role: {column: Offence, victims: ["Sexual activity with a child"], offenders: []}
    columns: {case_ref: Crime No, surname: Victim 1 Surname}
  victims:
    sheet: Offences
    columns: {case_ref: Crime No, surname: Victim 1 Surname}
"""


def test_duplicate_record_ids_are_found_before_ingest(layout_config_dir, tmp_path):
    from cse_audit.authoring.check import check_mapping

    (layout_config_dir / "mappings" / "layout-wide.yaml").write_text(DUPLICATE, encoding="utf-8")
    config = load_config(layout_config_dir)
    checked = ingest.validate([LAYOUTS / "wide_offences.xlsx"], config).files[0]
    assert checked.status == "failed" and "duplicate victims record id" in checked.message
    assert "sheet 'Offences' row 3" in checked.message and "blocks people, victims" in checked.message
    assert "duplicate victims record id" in check_mapping(LAYOUTS / "wide_offences.xlsx", "layout-wide", config)["error"]
    con = connect(tmp_path / "s.duckdb")
    report = ingest.ingest([LAYOUTS / "wide_offences.xlsx", LAYOUTS / "split_dob.csv"], con, config, link=False)
    assert [f.status for f in report.files] == ["failed", "loaded"]
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 1
    con.close()


def test_link_evaluate_joins_truth_on_file_sheet_row_and_group(layout_config, tmp_path):
    from cse_audit import linkage

    con = connect(tmp_path / "s.duckdb")
    ingest.ingest([LAYOUTS / "wide_offences.xlsx"], con, layout_config, link=True)
    rows = con.execute("SELECT sheet, row_number, column_group FROM victims ORDER BY record_id").fetchall()
    truth = tmp_path / "truth.csv"
    lines = ["file_name,sheet,row_number,group,person_id"]
    lines += [f"wide_offences.xlsx,{s},{r},{g},P{i}" for i, (s, r, g) in enumerate(rows)]
    lines += ["wide_offences.xlsx,Offences,7,,P98",          # the footer row: no record
              "wide_offences.xlsx,Offences,4,,P99",          # a grouped row named without its group
              "wide_offences.xlsx,Elsewhere,3,1,P97"]        # a sheet never loaded
    truth.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ev = linkage.evaluate(con, "victims", truth)
    assert ev["records_evaluated"] == 7 and ev["truth_rows_unmatched"] == 3
    con.close()


@pytest.mark.parametrize("name, mapping, drafted", [
    ("wide_offences.xlsx", "layout-wide", ["groups: {pattern: \"Victim {n}\", n: [1, 2, 3]}",
                                           "groups: {pattern: \"Suspect {n}\", n: [1, 2, 3, 4]}"]),
    ("yearly_sheets.xlsx", "layout-yearly", ['sheet: {regex: "^\\\\s*(19|20)\\\\d\\\\d\\\\b"}']),
    ("two_row_header.xlsx", "layout-tworow", ["header_rows: 2", 'name: {column: "SUSPECT / Name", parse: name}']),
    ("split_dob.csv", "layout-split", ["dob: {parts: {day: Day, month: Month, year: Year}}"]),
])
def test_drafts_of_the_layouts_load_the_same_people_without_structural_edits(layout_config_dir, name, mapping,
                                                                              drafted):
    from cse_audit.authoring import draft_mapping

    config = load_config(layout_config_dir)
    by_hand = mapped(name, config)
    draft = draft_mapping(LAYOUTS / name, config, name=mapping)
    assert not draft.todos, draft.todos
    text = draft.to_yaml()
    for line in drafted:
        assert line in text
    (layout_config_dir / "mappings" / f"{mapping}.yaml").write_text(text, encoding="utf-8")
    by_draft = mapped(name, load_config(layout_config_dir))
    for kind in ("victims", "offenders"):
        assert sorted(people(by_draft, kind)) == sorted(people(by_hand, kind))
