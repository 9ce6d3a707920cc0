"""Session 18: a new analyst's returns in layouts the project had never seen, and broken files not
in the fixtures (tests/fixtures/hostile18, made by tests/fixtures/make_hostile18.py). Names here are
made up."""

from __future__ import annotations

from .test_new_layouts import _map

AGES = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n" \
       "      age: {column: Age, parse: age}\n"


def test_an_age_in_years_and_months_is_its_whole_years(fixture_config_dir, tmp_path):
    """A council's 'Age at referral' written "14 years 3 months" was a bad_age warning on every row
    and the child's age Unknown; the whole years are the age. A month count alone is no age."""
    ages = ["14 years 3 months", "14 yrs 3 mths", "13y 11m", "15 years and 6 months", "12 years, 1 month",
            "14", "14.", "14 yrs", "3 months", "14 months"]
    rows = [["Ref", "First", "Age"]] + [[f"R{i}", "Tessa", a] for i, a in enumerate(ages)]
    m = _map(fixture_config_dir, tmp_path, AGES, rows)
    assert [r["age"] for r in m.records["victims"]] == [14, 14, 13, 15, 12, 14, 14, 14, None, None]
    assert sorted((i.row_number, i.code) for i in m.issues) == [(10, "bad_age"), (11, "bad_age")]


YEARS = "name: t\nsheets:\n  people:\n    sheet: SHEET\n    header_contains: [Crime No, Role]\n" \
        "    role: {column: Role, victims: [VICTIM], offenders: [SUSPECT], skip: [WITNESS]}\n" \
        "    columns:\n      case_ref: Crime No\n      forename: Forename\n      surname: Surname\n      dob: DOB\n"


def _year_book(path):
    """A police return with a sheet per year, a cover letter and a guidance sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Greyfield Police: CSE flagged crimes, one sheet per financial year"])
    for year, n in (("2008-09", 3), ("2009-10", 2), ("2010-11", 4)):
        ws = wb.create_sheet(year)
        ws.append([f"Crimes {year}"])
        ws.append(["Crime No", "Role", "Forename", "Surname", "DOB"])
        for i in range(n):
            ws.append([f"GF/{i}/{year[:4]}", "VICTIM", "Tessa", f"Mockford{i}", "01/02/1996"])
    ws = wb.create_sheet("Guidance")
    ws.append(["Crime No", "the force's crime number"])
    ws.append(["Role", "VICTIM or SUSPECT"])
    wb.save(path)


def _map_book(config_dir, path, text):
    from cse_audit.config import Agency, load_config
    from cse_audit.ingest.mapping import map_return
    from cse_audit.ingest.readers import read_file

    (config_dir / "mappings" / "t.yaml").write_text(text, encoding="utf-8")
    config = load_config(config_dir)
    agency = Agency("a", "A", "police", "Testarea", True, "t", ())
    return map_return(read_file(path, config.settings.limits), config.mappings["t"], config, agency, path.name)


def test_a_sheet_per_year_read_as_one_sheet_names_the_sheets_left_unread(fixture_config_dir, tmp_path):
    """A draft names one of a return's year sheets (`sheet: "2009-10"`); the other years' rows were
    never landed, in no count and no issue ("No issues"). Each such sheet is now an unread_sheet
    warning with its row count (never a value); a cover or guidance sheet is not; with a regex
    every year loads and nothing is said."""
    path = tmp_path / "years.xlsx"
    _year_book(path)
    m = _map_book(fixture_config_dir, path, YEARS.replace("SHEET", '"2009-10"'))
    assert (m.rows_landed, m.records_accepted) == (2, 2)
    got = [(i.sheet, i.row_number, i.column_name, i.severity, i.code) for i in m.issues]
    assert got == [("2008-09", None, None, "warning", "unread_sheet"), ("2010-11", None, None, "warning", "unread_sheet")]
    assert "3 row(s)" in m.issues[0].message and "4 row(s)" in m.issues[1].message
    assert not any("Mockford" in i.message or "Tessa" in i.message for i in m.issues)
    m = _map_book(fixture_config_dir, path, YEARS.replace("SHEET", '{regex: "^20\\\\d\\\\d-\\\\d\\\\d$"}'))
    assert (m.rows_landed, m.records_accepted, m.issues) == (9, 9, [])


def test_the_draft_reads_every_year_sheet_though_one_year_drafts_a_field_more(fixture_config, tmp_path):
    """One year's values drafted a field more ("Missing Reports" as episodes too, with three counts), so the year sheets
    were no series: the draft named that one sheet, noted one other and never mentioned the third.
    The same header row is the same table: one regex over the three sheets, the fullest sheet's
    fields and every sheet's role values (the witness is only in 2008's)."""
    import openpyxl

    from cse_audit.authoring import draft_mapping

    head = ["Crime No", "Nominal Type", "Surname", "Forenames", "DoB", "Missing Reports"]
    years = {"2008-09": [["GF/1/08", "VICTIM", "Mockford", "Tessa", "01.02.96", "3"],
                         ["GF/1/08", "WITNESS", "Fakely", "Paul", "10.10.70", ""]],
             "2009-10": [["GF/2/09", "VICTIM", "Mockford", "Tessa", "01.02.96", "0"],
                         ["GF/2/09", "VICTIM", "Testwell", "Lan", "09.11.95", "1"],
                         ["GF/4/09", "VICTIM", "Mockley", "Leah", "01.02.96", "5"],
                         ["GF/2/09", "SUSPECT", "Fakely", "Dan", "04.06.80", ""]],
             "2010-11": [["GF/3/10", "VICTIM", "Testwell", "Ruby", "23.12.96", "2"]]}
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Greyfield Police"])
    for name, rows in years.items():
        ws = wb.create_sheet(name)
        ws.append(head)
        for r in rows:
            ws.append(r)
    path = tmp_path / "years.xlsx"
    wb.save(path)
    got = draft_mapping(path, fixture_config)
    [people] = got.sheets
    assert people.series == ["2008-09", "2009-10", "2010-11"] and isinstance(people.selector, dict)
    assert people.data_rows == 7 and "missing_episodes" in people.fields()
    assert people.role["skip"] == ["WITNESS"] and people.role_todo == []
    assert [n for n, _ in got.skipped] == ["Cover"]
    assert "  # sheets '2008-09', '2009-10', '2010-11'" in got.to_yaml()   # not the one sheet drafted from


def test_a_row_with_cells_past_the_last_header_is_named(fixture_config_dir, tmp_path):
    """A csv row with a comma in an unquoted name ("Mockford, Tessa") has a cell more than the header:
    every later cell sits one column on, and the row loaded without a word. Now a past_header warning
    names the row and the first column past the header (never a cell); the row is read as before, and a
    short row (cells left off the end) is no problem."""
    head = ["Ref", "Name", "DOB", "Sex"]
    rows = [head, ["R1", "Tessa Mockford", "01/02/1996", "F"], ["R2", "Mockford", " Tessa", "01/02/1996", "F"],
            ["R3", "Ruby Testwell"], ["R4", "Amy Fakely", "03/04/1995", "F", "", " "]]
    text = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n" \
           "      name: {column: Name, parse: name}\n      dob: DOB\n      sex: {column: Sex, codes: sex}\n"
    m = _map(fixture_config_dir, tmp_path, text, rows)
    # the shifted row has a one-word name (rejected in a victims block) and a date of birth ' Tessa':
    # nothing identifies the child, so it is skipped; the warning says why the row looks so
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (4, 3, 0, 1)
    past = [(i.sheet, i.row_number, i.column_name, i.severity) for i in m.issues if i.code == "past_header"]
    assert past == [("csv", 3, "E", "warning")]
    assert not any("Tessa" in i.message or "Mockford" in i.message or "1996" in i.message for i in m.issues)


HOSTILE18 = {   # file -> (rows landed, accepted, rejected, skipped, issue kinds) or the file's error
    "ngo_nul_byte.csv": (2, 2, 0, 0, {"missing_column", "nul_byte"}),
    "ngo_unquoted_comma.csv": (2, 2, 0, 0, {"missing_column", "past_header", "bad_date", "bad_age",
                                            "unrecognised_code"}),
    "ngo_utf16_tabs.csv": (3, 3, 0, 0, {"missing_column"}),
    "ngo_bom_only.csv": (0, 0, 0, 0, {"no_header", "empty_return"}),
    "ngo_nbsp_headers.csv": (2, 2, 0, 0, {"missing_column"}),
    "ngo_year_sheets.xlsx": (2, 2, 0, 0, {"missing_column", "unread_sheet"}),
    "ngo_far_down.xlsx": (3, 0, 3, 0, {"no_header"}),   # title, header and data row
    "ngo_not_a_spreadsheet.ods": "damaged workbook",
}


def test_session_18_broken_files_in_one_ingest(fixture_config_dir, tmp_path):
    """tests/fixtures/hostile18 in one ingest: each file loads or fails on its own, every loaded
    return reconciles (rows landed = accepted + rejected + skipped), each problem is an issue naming
    the file and sheet (and row where there is one), and no name or date of birth is printed. Before
    session 18 the NUL byte refused its whole file as binary data, the unquoted comma and the
    unread year sheets said nothing, and the table on row 5,000 was "no header row" with no word of
    where it was."""
    import shutil

    from click.testing import CliRunner

    from cse_audit.cli import cli
    from cse_audit.store import connect

    from .conftest import FIXTURES

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "hostile18", corpus)
    assert {p.name for p in corpus.iterdir()} == set(HOSTILE18)
    db = tmp_path / "s.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(db), "--config", str(fixture_config_dir),
                                      "--append", "--no-link", "--no-tables"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for word in ("Nora", "Brokenfield", "1996"):
        assert word not in result.output
    failed = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
    assert failed == [f"error: ngo_not_a_spreadsheet.ods: {HOSTILE18['ngo_not_a_spreadsheet.ods']} "
                      "(\"There is no item named 'content.xml' in the archive\")"]
    con = connect(db)
    got = {}
    for name, landed, accepted, rejected, skipped in con.execute(
            "SELECT file_name, rows_landed, records_accepted, rows_rejected, rows_skipped FROM returns").fetchall():
        assert landed == accepted + rejected + skipped
        kinds = {k for (k,) in con.execute("SELECT DISTINCT code FROM issues i JOIN returns r USING (return_id) "
                                            "WHERE r.file_name = ?", [name]).fetchall()}
        got[name] = (landed, accepted, rejected, skipped, kinds)
    assert got == {k: v for k, v in HOSTILE18.items() if isinstance(v, tuple)}
    unread = con.execute("SELECT sheet, row_number FROM issues WHERE code = 'unread_sheet' ORDER BY sheet").fetchall()
    assert unread == [("2009", None), ("2010", None)]
    nul = con.execute("SELECT sheet, row_number, column_name, value FROM issues WHERE code = 'nul_byte'").fetchall()
    assert nul == [("csv", 3, "Forename", None)]
    far = con.execute("SELECT message FROM issues WHERE code = 'no_header' AND sheet = 'Sheet'").fetchall()
    assert far and all("the header is on row 5000" in m for (m,) in far)
    forename = con.execute("SELECT v.forename FROM victims v JOIN returns r USING (return_id) "
                           "WHERE r.file_name = 'ngo_nul_byte.csv' AND v.row_number = 3").fetchone()
    assert forename == ("Nora",)
    con.close()


def test_the_draft_reads_date_rec_d_as_the_case_date(fixture_config, tmp_path):
    """"Date Rec'd" normalises to 'date rec d': the synonym table's word form "rec d" (received) was
    never applied, being two words, so a police return's case date was left unmapped and every
    child's age at the case was Unknown."""
    import csv

    from cse_audit.authoring import draft_mapping

    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Crime No", "Date Rec'd", "Forename", "Surname", "DOB"],
                                  ["GF/1/08", "12.05.08", "Tessa", "Mockford", "01.02.96"],
                                  ["GF/2/08", "03.09.08", "Ruby", "Testwell", "23.12.96"],
                                  ["GF/3/09", "15.06.09", "Lan", "Mockley", "09.11.95"]])
    [victims] = draft_mapping(path, fixture_config).sheets
    assert victims.fields()["case_date"] == ["Date Rec'd"]


def test_mapping_check_counts_the_rows_a_role_skips(fixture_config_dir, tmp_path):
    """`mapping check` listed the reasons of skipped rows from their issues, and a witness skipped by
    the role's skip list has none: "2 skipped" over "1 x unnamed_no_detail". It counts them now."""
    from cse_audit import authoring
    from cse_audit.config import load_config

    path = tmp_path / "years.xlsx"
    _year_book(path)
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["2009-10"].append(["GF/9/2009", "WITNESS", "Paul", "Fakely", "10/10/1970"])
    wb["2009-10"].append(["GF/9/2009", "SUSPECT", "Unknown", "Male", ""])
    wb.save(path)
    (fixture_config_dir / "mappings" / "t.yaml").write_text(YEARS.replace("SHEET", '"2009-10"'), encoding="utf-8")
    r = authoring.check_mapping(path, "t", load_config(fixture_config_dir))
    assert (r["rows_skipped"], r["skips"]) == (2, {"unnamed_no_detail": 1, "skip_role": 1})


def test_one_file_under_two_agencies_names_the_copy(fixture_config, tmp_path):
    """A charity's return saved again under a council's name loaded twice with "No issues": the same
    children in two agencies' counts, the council counted as responding. The later copy is now a
    load warning naming both files and agencies; identical blank templates say nothing."""
    import shutil

    from cse_audit import ingest
    from cse_audit.store import connect

    from .test_newcomer17 import HEAD, _write

    src = tmp_path / "in"
    src.mkdir()
    _write(src / "ngo_return.csv", [HEAD, ["C1", "", "Ann", "Fakely", "", "14", "F", "", "", ""]])
    shutil.copy(src / "ngo_return.csv", src / "lscb_return.csv")
    _write(src / "ngo_blank.csv", [HEAD])
    shutil.copy(src / "ngo_blank.csv", src / "lscb_blank.csv")
    con = connect(tmp_path / "s.duckdb")
    report = ingest.ingest([src], con, fixture_config, link=False, append=True)
    copies = [w for w in report.warnings if "byte-identical" in w]
    assert len(copies) == 1 and copies[0].startswith("ngo_return.csv (ngo-fixture) is byte-identical to "
                                                     "lscb_return.csv (return ")
    assert "lscb-fixture" in copies[0] and "Ann" not in copies[0] and "Fakely" not in copies[0]


def test_letters_with_a_stroke_are_folded_for_comparison():
    """No accent-stripping takes 'Ł', 'ø' or 'ß' apart, and the comparisons keep a-z only: a council's
    'Łukasz' was compared as 'ukasz' with the police's 'LUKASZ', 'Michał' as 'micha', 'Ødegård' as
    'degard'. Folded by hand now, in the features (SQL) and in normalise_name (Python)."""
    import duckdb

    from cse_audit.linkage.features import _features
    from cse_audit.linkage.names import normalise_name
    from cse_audit.linkage.settings import load_linkage_config

    from .test_comparison_levels import _records

    written = [("Łukasz", "Dąbrowski"), ("LUKASZ", "DABROWSKI"), ("Michał", "Østergård"), ("Michal", "Ostergard"),
               ("Zoë", "Strauß"), ("Zoe", "Strauss")]
    assert [normalise_name(f) for f, _ in written] == ["lukasz", "lukasz", "michal", "michal", "zoe", "zoe"]
    con = duckdb.connect()
    _records(con, [f for f, _ in written], [s for _, s in written], [None] * len(written))
    table, _ = _features(con, "victims", load_linkage_config())
    got = dict(zip(table.column("unique_id").to_pylist(),
                   zip(table.column("fn").to_pylist(), table.column("sn").to_pylist(), strict=True), strict=True))
    got = [got[k] for k in sorted(got)]
    assert got[0] == got[1] == ("lukasz", "dabrowski")
    assert got[2] == got[3] == ("michal", "ostergard") and got[4] == got[5] == ("zoe", "strauss")


def test_excel_s_lock_file_beside_its_workbook_is_mentioned(fixture_config, tmp_path):
    """Excel's lock file ("~$" over the first two letters of the name, or before a short one) was
    passed over without a word, while the workbook it locks may be open with edits not saved. It is
    listed as skipped, naming the workbook; an orphan lock file (no workbook) stays unlisted."""
    from cse_audit.ingest.discover import discover

    from .test_newcomer17 import HEAD, _write

    (tmp_path / "in").mkdir()
    _write(tmp_path / "in" / "ngo_open_return.csv", [HEAD])
    (tmp_path / "in" / "~$o_open_return.csv").write_bytes(b"\x08Analyst")     # Excel's form for long names
    (tmp_path / "in" / "~$ngo_gone.xlsx").write_bytes(b"\x08Analyst")          # its workbook was moved
    found, problems = discover([tmp_path / "in"], fixture_config)
    assert [p.name for p in found] == ["ngo_open_return.csv"]
    assert [(p.file_name, p.status) for p in problems] == [("~$o_open_return.csv", "skipped")]
    assert "'ngo_open_return.csv' is open in Excel" in problems[0].message


def test_the_letters_fold_in_sql_only_where_a_name_is_not_ascii():
    """Session 18 (lead): the fold is nine passes over a text; an ascii name skips them, and reads the same."""
    import duckdb

    from cse_audit.linkage.names import _folded_sql

    sql = _folded_sql("x")
    assert sql.startswith("CASE WHEN strlen(x) = length(x) THEN x ELSE ")
    con = duckdb.connect()
    got = con.execute(f"SELECT x, strip_accents({sql}) FROM (VALUES ('Łukasz'), ('Strauß'), ('Ødegård'), "
                      "('Smith'), ('Zoë'), ('')) t(x)").fetchall()
    assert dict(got) == {"Łukasz": "Lukasz", "Strauß": "Strauss", "Ødegård": "Odegard", "Smith": "Smith",
                         "Zoë": "Zoe", "": ""}

