"""Session 19: a new analyst's returns (bench/heldout6) and broken files not in the fixtures
(tests/fixtures/hostile19, made by tests/fixtures/make_hostile19.py). Names here are made up."""

from __future__ import annotations

from .test_new_layouts import _map

EPISODES = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n" \
           "      age: Age\n" \
           "      missing_status: {column: Missing episodes (no.), derive: missing_from_episodes}\n" \
           "      missing_episodes: Missing episodes (no.)\n"


def test_a_count_of_missing_episodes_given_as_at_least_or_a_word_is_reported_missing(fixture_config_dir, tmp_path):
    """'3+' and 'several' in a council's "Missing episodes (no.)" were bad_number warnings (two per
    cell) and the child's missing status Unknown: in bench/heldout6, 42 children reported missing
    of 57. They say the child went missing; the number stays unknown, with one warning that says so."""
    cells = ["3+", "several", "more than 2", "Once", "0", "2", "", "unknown", "soon"]
    rows = [["Ref", "First", "Age", "Missing episodes (no.)"]] + [[f"R{i}", "Tessa", "14", c] for i, c in enumerate(cells)]
    m = _map(fixture_config_dir, tmp_path, EPISODES, rows)
    got = [(r["missing_status"], r["missing_episodes"]) for r in m.records["victims"]]
    assert got == [("Reported missing", None), ("Reported missing", None), ("Reported missing", None),
                   ("Reported missing", None), ("Not reported missing", 0), ("Reported missing", 2),
                   ("Unknown", None), ("Unknown", None), ("Unknown", None)]
    by_row = sorted((i.row_number, i.code) for i in m.issues)
    # one warning for each inexact count (the episodes), none for its missing status; "soon" is no
    # count at all and warns for both fields, as before
    assert by_row == [(2, "bad_number"), (3, "bad_number"), (4, "bad_number"), (5, "bad_number"),
                      (10, "bad_number"), (10, "bad_number")]
    assert all("at least" in i.message for i in m.issues if i.row_number < 10)


PERPS = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n" \
        "  offenders:\n    columns:\n      case_ref: Ref\n      name: {column: Alleged perpetrators, parse: name}\n"


def test_several_names_in_one_cell_are_not_read_as_one_made_up_man(fixture_config_dir, tmp_path):
    """A council's "Alleged perpetrators" cell, "Darren Ashdown; Imran Platt", was read as one man,
    Darren Platt, with no warning: a person nobody reported, and Imran Platt counted nowhere. The
    first name is read, and a several_names warning counts the rest (never names them)."""
    rows = [["Ref", "First", "Alleged perpetrators"], ["R1", "Tessa", "Darren Ashdown; Imran Platt"],
            ["R2", "Lola", "Shaun KETTLEY;Tariq Chaudry; Craig Lomax"], ["R3", "Demi", "Zahid Rudd"],
            ["R4", "Carys", "Asif Oakes;"], ["R5", "Roxanne", "Wayne Vickers\nDean Tomlin"]]
    m = _map(fixture_config_dir, tmp_path, PERPS, rows)
    got = [(r["forename"], r["surname"]) for r in m.records["offenders"]]
    assert got == [("Darren", "Ashdown"), ("Shaun", "KETTLEY"), ("Zahid", "Rudd"), ("Asif", "Oakes"),
                   ("Wayne", "Vickers")]
    issues = sorted((i.row_number, i.code) for i in m.issues)
    assert issues == [(2, "several_names"), (3, "several_names"), (6, "several_names")]
    text = " ".join(i.message for i in m.issues)
    assert "2 not loaded" in text and "1 not loaded" in text
    for name in ("Darren", "Imran", "Platt", "Tariq", "Chaudry", "Lomax", "Dean", "Tomlin"):
        assert name not in text


ROLES = "name: t\nsheets:\n  people:\n    header_rows: 2\n    header_contains: [Subject role]\n" \
        "    role: {column: Subject role, victims: [Victim], offenders: [Suspect]}\n" \
        "    columns:\n      case_ref: Occurrence No\n      forename: Forename\n      surname: Surname\n" \
        "      sex: {column: Sex, codes: sex}\n"
CHARITY = "name: t\nsheets:\n  victims:\n    columns:\n      record_ref: Ref\n      forename: First name\n" \
          "      surname: Surname\n      age: {column: Age, parse: age}\n      sex: {column: Gender, codes: sex}\n"


def test_a_header_row_repeated_down_the_sheet_is_skipped_as_such(fixture_config_dir, tmp_path):
    """An export that repeats its header at each page break had the header loaded as a child,
    forename "First name", surname "Surname", with bad_age / unrecognised_code warnings and no word
    that it was a header. It is a skipped row (`repeated_header`), counted, not a record; a data
    row that happens to hold a heading's word in one cell is still a record."""
    head = ["Ref", "First name", "Surname", "Age", "Gender"]
    rows = [head, ["N1", "Zoe", "Pellow", "14yrs", "Girl"], ["N2", "Tia", "Rudd", "15yrs", "Girl"], head,
            ["N3", "Paige", "Hewlett", "15yrs", "Girl"], ["Ref", "Megan", "Surname", "15yrs", "Girl"]]
    m = _map(fixture_config_dir, tmp_path, CHARITY, rows)
    assert [r["forename"] for r in m.records["victims"]] == ["Zoe", "Tia", "Paige", "Megan"]
    assert [(i.row_number, i.severity, i.code) for i in m.issues] == [(4, "skipped", "repeated_header")]
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (5, 4, 1)
    # a two-row header (group cells over sub-headers) repeated whole: both rows skipped, no
    # unrecognised_role error for the group row, no record for the sub-header row
    two = [["OCCURRENCE", "", "SUBJECT", "", "", ""], ["Occurrence No", "Subject role", "Forename", "Surname", "Sex"]]
    rows = two + [["F1", "Victim", "Lola", "Mossop", "F"], ["F1", "Suspect", "Shaun", "Kettley", "M"]] + two + \
        [["F2", "Victim", "Demi", "Wragg", "F"]]
    m = _map(fixture_config_dir, tmp_path, ROLES, rows)
    assert sorted((i.row_number, i.code) for i in m.issues) == [(5, "repeated_header"), (6, "repeated_header")]
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (5, 3, 0, 2)


HOSTILE = __import__("pathlib").Path(__file__).parent / "fixtures" / "hostile19"
GAPS = "name: t\nsheets:\n  victims:\n    sheet: Victims\n    columns:\n      case_ref: Crime Ref\n" \
       "      name: {column: Name, parse: name}\n      dob: DOB\n      sex: {column: Sex, codes: sex}\n" \
       "      missing_episodes: Missing episodes\n"


def test_a_formula_whose_result_is_an_error_or_missing_is_named_not_silently_blank(fixture_config_dir, tmp_path):
    """A #REF! date of birth, a #VALUE! count and a formula a script saved with no result were read
    as blank cells: the fields Unknown, no issue at all. Each is now a warning naming row and
    column (the error's own text, never a value); a formula with its result reads as before."""
    from .test_newcomer18 import _map_book

    m = _map_book(fixture_config_dir, HOSTILE / "police_formula_gaps.xlsx", GAPS)
    recs = m.records["victims"]
    assert [str(r["dob"]) if r["dob"] else None for r in recs] == \
        ["1995-03-14", None, "1995-01-09", None, "1997-05-21"]
    got = sorted((i.row_number, i.column_name, i.code) for i in m.issues)
    assert got == [(3, "DOB", "formula_error"), (4, "Missing episodes", "formula_error"),
                   (5, "DOB", "formula_no_value")]
    text = " ".join(i.message for i in m.issues)
    assert "#REF!" in text and "#VALUE!" in text
    assert not any(n in text for n in ("WRAGG", "Demi", "NOAKES", "MOSSOP", "Lola", "1996"))


def test_a_csv_mixing_utf8_and_windows_1252_lines_reads_each_line_right():
    """Rows pasted together from a UTF-8 and a Windows-1252 export: the file is no UTF-8, so every
    line was read as cp1252 and "Zoë" on the UTF-8 lines became "ZoÃ«", another name to the
    linkage, without a word. Each line is read in its own encoding."""
    from cse_audit.config import load_config
    from cse_audit.ingest.readers import decode_text, read_file

    rows = read_file(HOSTILE / "ngo_mixed_encoding.csv", load_config().settings.limits)[0].rows
    assert [r[1] for r in rows[1:]] == ["Zoë", "Renée", "Chloé", "Zoë", "Imogen"]
    # a file in one encoding reads as before
    assert decode_text("Zoë,Chloé\r\n".encode("cp1252"), "x.csv") == "Zoë,Chloé\r\n"
    assert decode_text("Zoë,Chloé\r\n".encode(), "x.csv") == "Zoë,Chloé\r\n"


def test_a_sheet_that_cannot_be_read_is_named_in_the_failed_files_issue(fixture_config):
    """A damaged sheet (cells pointing into a shared strings table the file lacks) failed the file
    with "cannot read the sheet (Cell string index not found in shared strings table)": which sheet,
    neither the message nor the issue row's sheet said. Both name it now."""
    from cse_audit.ingest.pipeline import validate
    from cse_audit.ingest.summary import issue_rows

    report = validate([HOSTILE / "police_lost_shared_strings.xlsx"], fixture_config)
    rows = [r for r in issue_rows(report) if r["kind"] == "file_failed"]
    assert len(rows) == 1 and rows[0]["file"] == "police_lost_shared_strings.xlsx"
    assert rows[0]["sheet"] == "Victims" and "'Victims'" in rows[0]["message"]


def test_the_draft_reads_dob_day_month_year_columns_as_one_date(fixture_config, tmp_path):
    """A council's "DOB day" | "DOB month" | "DOB year": each header holds "DOB", so each was a
    candidate date of birth and the draft wrote a TODO to choose one of the three (any choice wrong).
    The three are one date, `parts`, as bare "Day" | "Month" | "Year" already were."""
    import csv

    from cse_audit.authoring import draft_mapping

    rows = [["Child ID", "Forename", "Surname", "DOB day", "DOB month", "DOB year", "Sex"],
            ["FC1", "Megan", "Ingham", "3", "Mar", "1995", "F"], ["FC2", "Lola", "Mossop", "11", "2", "1996", "F"],
            ["FC3", "Demi", "Wragg", "", "", "", "F"], ["FC4", "Carys", "Upcott", "21", "5", "1997", "F"]]
    path = tmp_path / "children.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    got = draft_mapping(path, fixture_config)
    [victims] = got.sheets
    dob = next(c for c in victims.columns if c.field == "dob")
    assert dob.todo is None
    assert dob.spec == {"parts": {"day": "DOB day", "month": "DOB month", "year": "DOB year"}}
    assert "TODO" not in got.to_yaml().split("sheets:", 1)[1]
