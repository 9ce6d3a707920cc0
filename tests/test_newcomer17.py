"""Session 17: what a new analyst hit last session (issue 16's follow-ups). Names here are made up."""

from __future__ import annotations

import csv
import io

from .test_new_layouts import _map

FLAT = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n      surname: Last\n" \
       "      dob: DOB\n      sex: {column: Sex, codes: sex}\n      ethnicity: {column: Ethnicity, codes: ethnicity_text}\n"


def _punctuation_rows(cells: list[tuple[str, str]]) -> list[list[str]]:
    """One victim a row, each with one punctuation cell in the column named."""
    header = ["Ref", "First", "Last", "DOB", "Sex", "Ethnicity"]
    rows = [header]
    for i, (column, value) in enumerate(cells):
        row = [f"R{i}", "Tessa", "Mockford", "01/02/1996", "F", "White British"]
        row[header.index(column)] = value
        rows.append(row)
    return rows


def test_stray_punctuation_is_unknown_with_a_warning_and_a_placeholder_without(fixture_config_dir, tmp_path):
    """A cell of punctuation alone was Unknown without a word, a stray "£" as much as a placeholder
    "-". Placeholders ("-", "?", "—", "...", "/", "__") stay silent; anything else ("£", "*", "#")
    is Unknown with a `stray_punctuation` warning naming sheet, row and column, never the cell, and
    the row loads."""
    cells = [("Sex", "£"), ("Ethnicity", "£"), ("Sex", "-"), ("Ethnicity", "?"), ("Sex", "—"),
             ("Ethnicity", "..."), ("DOB", "/"), ("DOB", "£"), ("First", "*"), ("Ethnicity", "#"),
             ("Sex", "- -"), ("Ethnicity", "__"), ("Sex", "? "), ("Last", "£")]
    m = _map(fixture_config_dir, tmp_path, FLAT, _punctuation_rows(cells))
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (14, 14, 0, 0)
    got = [(r["sex"], r["ethnicity"], r["dob"] is None) for r in m.records["victims"]]
    assert got[0] == ("Unknown", "White", False) and got[1] == ("Female", "Unknown", False)
    assert got[2][0] == got[4][0] == got[10][0] == got[12][0] == "Unknown"
    assert got[3][1] == got[5][1] == got[11][1] == "Unknown" and got[6][2] and got[7][2]
    warned = sorted((i.row_number, i.column_name, i.code, i.severity) for i in m.issues)
    assert warned == [(2, "Sex", "stray_punctuation", "warning"), (3, "Ethnicity", "stray_punctuation", "warning"),
                      (9, "DOB", "stray_punctuation", "warning"), (10, "First", "stray_punctuation", "warning"),
                      (11, "Ethnicity", "stray_punctuation", "warning"),
                      (15, "Last", "stray_punctuation", "warning")]
    assert all("£" not in i.message and "#" not in i.message for i in m.issues)
    # personal fields never keep the value in the issue; coded ones keep it for the load summary
    values = {(i.row_number, i.column_name): i.value for i in m.issues}
    assert values[(9, "DOB")] is None and values[(10, "First")] is None and values[(15, "Last")] is None
    assert values[(2, "Sex")] == "£"


def test_a_mapping_can_make_a_mark_a_placeholder_in_its_column(fixture_config_dir, tmp_path):
    text = FLAT.replace("{column: Sex, codes: sex}", "{column: Sex, codes: sex, unknown: ['*']}")
    m = _map(fixture_config_dir, tmp_path, text, _punctuation_rows([("Sex", "*"), ("Ethnicity", "*")]))
    assert [(i.row_number, i.column_name, i.code) for i in m.issues] == [(3, "Ethnicity", "stray_punctuation")]
    # `replace` keeps the placeholders: a dash is still not known, a pound sign still warns
    text = FLAT.replace("{column: Sex, codes: sex}", "{column: Sex, codes: sex, unknown: {replace: [zz]}}")
    m = _map(fixture_config_dir, tmp_path, text, _punctuation_rows([("Sex", "-"), ("Sex", "£")]))
    assert [r["sex"] for r in m.records["victims"]] == ["Unknown", "Unknown"]
    assert [(i.row_number, i.code) for i in m.issues] == [(3, "stray_punctuation")]


def test_placeholder_marks_are_checked_and_default_to_the_punctuation_tokens(fixture_config_dir):
    import pytest

    from cse_audit.config import ConfigError, load_config

    assert load_config(fixture_config_dir).placeholder_marks >= set("-?./_—")
    path = fixture_config_dir / "codes" / "unknown.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("placeholder_marks:")
    line = text[start:text.index("\n", start) + 1]
    path.write_text(text.replace(line, ""), encoding="utf-8")
    assert load_config(fixture_config_dir).placeholder_marks == {"-", "?"}   # a configuration copied before
    path.write_text(text.replace(line, 'placeholder_marks: ["-", "x"]\n'), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(fixture_config_dir)
    assert "placeholder_marks" in str(exc.value)


def test_validate_lists_stray_punctuation_by_place_never_by_value(fixture_config_dir, tmp_path):
    from click.testing import CliRunner

    from cse_audit.cli import cli

    (fixture_config_dir / "mappings" / "t.yaml").write_text(FLAT, encoding="utf-8")
    agencies = fixture_config_dir / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8") + _agency_entry(), encoding="utf-8")
    path = tmp_path / "Punctland return.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(_punctuation_rows([("Sex", "£"), ("Ethnicity", "-")]))
    result = CliRunner().invoke(cli, ["validate", str(path), "--config", str(fixture_config_dir),
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["file"], r["sheet"], r["row"], r["column"], r["kind"]) for r in rows] == [
        ("Punctland return.csv", "csv", "2", "Sex", "stray_punctuation")]
    assert "£" not in result.stdout
    assert "stray_punctuation 1" in result.stderr
    # the load summary (stderr) may show the mark of a coded column, as it shows unrecognised codes
    assert "Punctuation alone, read as Unknown" in result.stderr and "'£' x1" in result.stderr


def _agency_entry() -> str:
    return ("  - {id: ngo-punctland, name: Punctland Project, source_type: ngo, area: Testarea, mapping: t,\n"
            "     files: ['Punctland*']}\n")


def test_a_plain_asian_carries_no_detailed_group(fixture_config_dir, tmp_path):
    """Issue 16 follow-up 2: "Asian", "British Asian", "Asian unknown" and police IC4 say no more than
    the category, so they give no ethnicity_detail (a person's detail then comes from a record that has
    one); a detailed group still does."""
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      age: Age\n"
            "      ethnicity: {column: Ethnicity, codes: ethnicity_any}\n")
    values = ["Asian", "British Asian", "Asian unknown", "IC4", "4", "Pakistani", "Asian other", "Kashmiri"]
    m = _map(fixture_config_dir, tmp_path, text, [["Ref", "Age", "Ethnicity"]] + [[f"R{i}", "15", v]
                                                                                  for i, v in enumerate(values)])
    got = [(r["ethnicity"], r["ethnicity_detail"], r["ethnicity_raw"]) for r in m.records["victims"]]
    assert got == [("Asian", None, v) for v in values[:5]] + [
        ("Asian", "Pakistani", "Pakistani"), ("Asian", "Any other Asian", "Asian other"),
        ("Asian", "Pakistani", "Kashmiri")]
    assert not m.issues


def test_the_asian_sub_table_counts_a_detail_that_names_no_group_as_not_known():
    """A store loaded before session 17 (or a code list giving `detail: Asian`) holds such details:
    the sub-table still counts them "Detail not known", never beside Pakistani as a known group."""
    from cse_audit.tables.headline import _asian_detail

    for value in (None, "", "  ", "Asian", " asian ", "British Asian", "Asian British", "Asian unknown",
                  "Asian - Indian subcontinent"):
        assert _asian_detail(value) == "Detail not known", value
    for value in ("Pakistani", "Any other Asian", "Indian", "Sri Lankan"):
        assert _asian_detail(value) == value


# -- issue 16 follow-up 3: a blank template is no nil return ------------------------------------------

HEAD = ["Case", "Referral date", "Forename", "Surname", "DOB", "Age", "Sex", "Ethnicity", "Missing", "Looked after"]


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _prepare(path, config):
    from cse_audit import ingest

    out = ingest.prepare(path, config)
    assert out.status == "checked", out.message
    return out.mapped


def test_headers_alone_are_an_empty_template_and_a_note_makes_a_nil_return(fixture_config, tmp_path):
    blank = _prepare(_write(tmp_path / "ngo_blank.csv", [HEAD]), fixture_config)
    assert (blank.rows_landed, blank.nil_return, blank.empty_return) == (0, False, True)
    empty = [(i.sheet, i.row_number, i.column_name, i.value, i.severity, i.message) for i in blank.issues
             if i.code == "empty_return"]
    assert len(empty) == 1 and empty[0][:5] == (None, None, None, None, "warning") and "ask the agency" in empty[0][5]
    stated = {"title": [["Fixture Charity: NIL RETURN"], [], HEAD],
              "under the headers": [HEAD, ["No cases to report"]],
              "instead of a table": [["Fixture Charity"], ["No relevant data held for the period."]]}
    for how, rows in stated.items():
        m = _prepare(_write(tmp_path / "ngo_stated.csv", rows), fixture_config)
        assert (m.rows_landed, m.nil_return, m.empty_return) == (0, True, False), how
        assert "empty_return" not in [i.code for i in m.issues], how
    named = _prepare(_write(tmp_path / "ngo_Nil return 2011.csv", [HEAD]), fixture_config)
    assert (named.nil_return, named.empty_return) == (True, False)
    # a header with rows is neither, whatever its title says
    data = _prepare(_write(tmp_path / "ngo_data.csv", [["Nil return"], HEAD, ["C1", "", "Ann", "Fakely", "",
                                                                               "14", "F", "", "", ""]]), fixture_config)
    assert (data.records_accepted, data.nil_return, data.empty_return) == (1, False, False)


def test_an_empty_template_is_no_response_and_is_chased(fixture_config, tmp_path):
    from cse_audit import ingest
    from cse_audit.store import connect
    from cse_audit.tables import build_completeness, build_tables, load_completeness_config

    con = connect(tmp_path / "s.duckdb")
    src = tmp_path / "in"
    src.mkdir()
    _write(src / "ngo_blank.csv", [HEAD])                                       # ngo-fixture: headers only
    _write(src / "silent_nil.csv", [["Silent Charity: no cases"], [], HEAD])    # ngo-silent: says nil
    report = ingest.ingest([src], con, fixture_config, link=False)
    assert [(f.agency_id, f.as_dict()["nil_return"], f.as_dict()["empty_return"]) for f in report.files] == [
        ("ngo-fixture", False, True), ("ngo-silent", True, False)]
    got = build_completeness(con, fixture_config.agency_list, load_completeness_config(fixture_config.root))
    status = {r["agency"]: r["status"] for r in got["agencies"]}
    assert status["ngo-fixture"] == "empty template: ask the agency" and status["ngo-silent"] == "nil return"
    ngo = next(r for r in got["by_source_type"] if r["source_type"] == "Voluntary sector")
    assert (ngo["received"], ngo["nil_returns"], ngo["empty_templates"], ngo["not_received"]) == (1, 1, 1, 0)
    assert {"agency": "ngo-fixture", "name": "Fixture Charity", "source_type": "ngo",
            "status": "empty template: ask the agency"} in got["outstanding"]
    sources = build_tables(con, ["sources"])["sources"]
    ngo = next(r for r in sources["rows"] if r["category"] == "Voluntary sector")
    assert (ngo["agencies_responded"], ngo["nil_returns"]) == (1, 1)
    assert "Not counted as responded: 1 agency whose only return is an empty template" in sources["note"]
    # the agency's feedback says it in its words, and how to send a nil return
    import openpyxl

    from cse_audit.outputs import write_feedback

    row = next(r for r in got["agencies"] if r["agency"] == "ngo-fixture")
    write_feedback(con, fixture_config.agencies["ngo-fixture"], row, tmp_path / "fb.xlsx")
    text = " ".join(str(c) for ws in openpyxl.load_workbook(tmp_path / "fb.xlsx") for r in ws.iter_rows(values_only=True)
                    for c in r if c)
    assert "no word that you had no cases" in text and "write Nil return under the headings" in text
    assert "ask the agency" not in text
    con.close()


def test_the_standard_template_says_how_to_send_a_nil_return_and_blank_it_is_no_nil(fixture_config, tmp_path):
    import openpyxl

    from cse_audit import ingest
    from cse_audit.outputs import write_template

    path = tmp_path / "anything.xlsx"
    write_template(fixture_config, path, agency_id="ngo-fixture")
    steps = [r[1].value for r in openpyxl.load_workbook(path)["Instructions"].iter_rows()
             if r[0].value and str(r[0].value).startswith("Step")]
    assert any("Nil return" in s for s in steps)
    blank = ingest.prepare(path, fixture_config).mapped     # the Instructions' words are no nil statement
    assert (blank.nil_return, blank.empty_return) == (False, True)
    wb = openpyxl.load_workbook(path)
    wb["Cases"].cell(2, 1).value = "Nil return"
    wb.save(path)
    nil = ingest.prepare(path, fixture_config).mapped
    assert (nil.rows_landed, nil.nil_return, nil.empty_return) == (0, True, False)


# -- item 4: a layout not in the repository (merged group headers, notes, text dates, a totals row) ----

ONE_ROW = ("name: t\nsheets:\n  victims:\n    header_rows: 2\n    columns:\n      case_ref: Referral / Ref\n"
           "      forename: Young person / First name\n      surname: Young person / Last name\n"
           "      missing_status: {column: Young person / Missing?, codes: missing_status}\n"
           "      missing_from: {column: Young person / Missing?, codes: missing_from}\n"
           "  offenders:\n    header_rows: 2\n    columns:\n      case_ref: Referral / Ref\n"
           "      name: {column: Alleged perpetrator / Name, parse: name, single_word: forename}\n"
           "      age: Alleged perpetrator / Age\n")
GROUPS = [["Referral", "", "Young person", "", "", "Alleged perpetrator", "", "Notes"],
          ["Ref", "Date", "First name", "Last name", "Missing?", "Name", "Age", "Worker notes"]]


def test_a_totals_row_of_three_cells_is_a_footer_not_a_child(fixture_config_dir, tmp_path):
    """A referral sheet ending "Total" | "8 young people" | "6 perpetrators" made a case "Total"
    and a child named "8 young people" (is_footer_row took two filled cells at most)."""
    rows = GROUPS + [["NYO-1", "03/04/2009", "Keira", "Moorvale", "Yes", "Dazza", "20s", "gifts"],
                     ["Total", "", "8 young people", "", "", "6 perpetrators", "", ""],
                     ["Grand total:", "", "1,875", "", "", "2", "", "12%"],
                     ["Total-7", "", "Jo", "Totalson", "No", "", "", ""]]     # a reference, not a total
    m = _map(fixture_config_dir, tmp_path, ONE_ROW, rows)
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (4, 2, 2)
    assert [r["case_ref"] for r in m.records["victims"]] == ["NYO-1", "Total-7"]
    assert sorted(i.row_number for i in m.issues if i.code == "footer_row") == [4, 5]


def test_one_stray_punctuation_warning_per_cell_however_many_fields_read_it(fixture_config_dir, tmp_path):
    """Missing status and missing-from read one column: a "£" there was two warnings for one cell."""
    rows = GROUPS + [["NYO-1", "", "Keira", "Moorvale", "£", "Dazza", "£", ""]]
    m = _map(fixture_config_dir, tmp_path, ONE_ROW, rows)
    assert sorted((i.row_number, i.column_name, i.code) for i in m.issues if i.code == "stray_punctuation") == [
        (3, "Alleged perpetrator / Age", "stray_punctuation"), (3, "Young person / Missing?", "stray_punctuation")]
    assert m.warnings == len([i for i in m.issues if i.severity == "warning"])


def test_the_drafter_reads_a_group_cell_over_the_case_columns_as_every_person_s(fixture_config, tmp_path):
    """A two-row header "Referral" (Ref | Date referred) | "Young person" (...) | "Alleged perpetrator"
    (...): "Referral" names a victims sheet, so its group was drafted as the child's block and the
    "Young person" group, the child's name, birth and codes, was dropped without a word; the
    offenders block had no case reference."""
    import openpyxl

    from cse_audit import authoring

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals 2009-11"
    ws.append(["Northmoor Youth Outreach - CSE referrals"])
    ws.append([])
    ws.append(["Referral", None, "Young person", None, None, None, "Alleged perpetrator", None, None, "Notes"])
    ws.append(["Ref", "Date referred", "First name", "Last name", "Date of birth", "Gender", "Name", "Age", "Gender",
               "Worker notes"])
    for rng in ("A3:B3", "C3:F3", "G3:I3"):
        ws.merge_cells(rng)
    for i in range(6):
        ws.append([f"NYO-00{i}", f"0{i + 1}/04/2009", f"Keira{i}", f"Moorvale{i}", f"1{i}/05/1995", "F",
                   f"Dazza Quillby{i}", str(20 + i), "M", "gifts"])
    path = tmp_path / "northmoor.xlsx"
    wb.save(path)
    d = authoring.draft_mapping(path, fixture_config)
    blocks = {s.kind: {c.field: c.headers for c in s.columns} for s in d.sheets}
    assert blocks["victims"]["case_ref"] == blocks["offenders"]["case_ref"] == ["Referral / Ref"]
    assert blocks["victims"]["forename"] == ["Young person / First name"]
    assert blocks["victims"]["dob"] == ["Young person / Date of birth"] and "sex" in blocks["victims"]
    assert blocks["offenders"]["name"] == ["Alleged perpetrator / Name"]
