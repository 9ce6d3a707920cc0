"""`fill_down` (session 20): a return that gives a child's details on the first of the child's rows
only. Blanks take the value above, only where the mapping says, and with `while_same` only within
one child's run of rows, so a detail never passes to the next child."""

from __future__ import annotations

import openpyxl
import pytest

from cse_audit.config import ConfigError

from .test_hidden_rows import _map

ROWS = [
    ["Offence", "Forename", "Surname", "DOB", "Ethnicity"],
    ["C1", "Siân", "Jones", "03/03/1995", "White"],
    ["C2", "Sian", "JONES", "", ""],          # the same child, accents and case lost
    ["C3", "Siân", "Jones", "", ""],
    ["C4", "Megan", "Jones", "", ""],         # another child: her DOB is not known
    ["C5", "Megan", "Jones", "10/10/1996", "Asian"],
    ["C6", "", "", "", ""],                    # no name: nothing to tell it is the same child
]


def _xlsx(path, rows=ROWS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Victims"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _mapping(fill: str) -> str:
    return ("name: t\nsheets:\n  victims:\n    sheet: Victims\n" + fill +
            "    columns:\n      case_ref: Offence\n      forename: Forename\n      surname: Surname\n"
            "      dob: {column: DOB, dates: dayfirst}\n      ethnicity: {column: Ethnicity, codes: ethnicity_text}\n")


def _dobs(m):
    return [(r["case_ref"], str(r["dob"]) if r.get("dob") else None) for r in m.records["victims"]]


def test_while_same_fills_one_childs_rows_and_never_the_next_childs(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, _xlsx(tmp_path / "police.xlsx"), _mapping(
        "    fill_down: {columns: [DOB, Ethnicity], while_same: [Forename, Surname]}\n"))
    assert _dobs(m) == [("C1", "1995-03-03"), ("C2", "1995-03-03"), ("C3", "1995-03-03"), ("C4", None),
                        ("C5", "1996-10-10")]
    eth = {r["case_ref"]: r.get("ethnicity") for r in m.records["victims"]}
    assert eth["C3"] == eth["C1"] and eth["C4"] != eth["C1"]


def test_without_fill_down_the_blanks_stay_blank(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, _xlsx(tmp_path / "police.xlsx"), _mapping(""))
    assert _dobs(m)[:4] == [("C1", "1995-03-03"), ("C2", None), ("C3", None), ("C4", None)]


def test_a_plain_list_fills_a_grouped_report(fixture_config_dir, tmp_path):
    rows = [["Offence", "Forename", "Surname", "DOB", "Ethnicity"],
            ["C1", "Siân", "Jones", "03/03/1995", ""], ["C2", "", "", "", ""], ["C3", "Megan", "Evans", "", ""]]
    m = _map(fixture_config_dir, _xlsx(tmp_path / "grouped.xlsx", rows), _mapping(
        "    fill_down: [Forename, Surname, DOB]\n"))
    got = [(r["case_ref"], r.get("surname"), str(r.get("dob"))) for r in m.records["victims"]]
    # a plain list always fills: the grouped report's second row is the first child's
    assert got == [("C1", "Jones", "1995-03-03"), ("C2", "Jones", "1995-03-03"), ("C3", "Evans", "1995-03-03")]


def test_a_total_or_note_under_a_grouped_report_stays_a_footer(fixture_config_dir, tmp_path):
    """s21: under a plain list, "Total: 2 referrals" and "Note: ..." rows took the last child's name
    and date of birth from above and loaded as two more of her cases; footers are told by the cells
    as sent."""
    rows = [["Offence", "Forename", "Surname", "DOB", "Ethnicity"],
            ["C1", "Siân", "Jones", "03/03/1995", ""], ["C2", "", "", "", ""],
            ["Total: 2 referrals", "", "", "", ""], ["Note: figures provisional", "", "", "", ""]]
    m = _map(fixture_config_dir, _xlsx(tmp_path / "grouped.xlsx", rows), _mapping(
        "    fill_down: [Forename, Surname, DOB]\n"))
    assert [r["case_ref"] for r in m.records["victims"]] == ["C1", "C2"]
    assert [(i.row_number, i.code) for i in m.issues] == [(4, "footer_row"), (5, "footer_row")]
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (4, 2, 2)


def test_the_header_repeated_at_a_page_break_passes_nothing_down(fixture_config_dir, tmp_path):
    """s21: under a plain list the row after a repeated header (a page break) took the header's
    texts: a child named "Forename Surname" with a bad date. The group goes on across the break."""
    head = ["Offence", "Forename", "Surname", "DOB", "Ethnicity"]
    rows = [head, ["C1", "Siân", "Jones", "03/03/1995", ""], head, ["C2", "", "", "", ""]]
    m = _map(fixture_config_dir, _xlsx(tmp_path / "grouped.xlsx", rows), _mapping(
        "    fill_down: [Forename, Surname, DOB]\n"))
    assert [(r["case_ref"], r["surname"], str(r["dob"])) for r in m.records["victims"]] == [
        ("C1", "Jones", "1995-03-03"), ("C2", "Jones", "1995-03-03")]
    assert [(i.row_number, i.code) for i in m.issues] == [(3, "repeated_header")]


def test_a_column_fill_down_names_that_is_not_there_rejects_the_rows_and_says_which(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, _xlsx(tmp_path / "police.xlsx"), _mapping("    fill_down: [Date of birth]\n"))
    assert not m.records["victims"]
    errors = [i for i in m.issues if i.code == "missing_column"]
    assert errors and "fill_down" in errors[0].message and "'Date of birth'" in errors[0].message


@pytest.mark.parametrize("fill", ["fill_down: DOB", "fill_down: {columns: []}", "fill_down: {column: [DOB]}",
                                  "fill_down: {columns: [DOB], while_same: [DOB]}",
                                  # s21: an empty while_same was no while_same: every blank filled from above
                                  "fill_down: {columns: [DOB], while_same: []}"])
def test_a_malformed_fill_down_is_a_config_error(fixture_config_dir, tmp_path, fill):
    with pytest.raises(ConfigError) as exc:
        _map(fixture_config_dir, _xlsx(tmp_path / "police.xlsx"), _mapping(f"    {fill}\n"))
    assert "fill_down" in str(exc.value)


def _runs(dob_on_every_row: bool = False):
    rows = [ROWS[0]]
    for child, (fn, sn, dob) in enumerate([("Siân", "Jones", "03/03/1995"), ("Megan", "Evans", "10/10/1996"),
                                           ("Ffion", "Price", "01/05/1997"), ("Cerys", "Hughes", "02/06/1994")]):
        for k in range(3):
            rows.append([f"C{child}{k}", fn, sn, dob if k == 0 or dob_on_every_row else "", ""])
    return rows


def test_mapping_a_sheet_of_details_on_the_first_row_only_says_fill_down(fixture_config_dir, tmp_path):
    path = _xlsx(tmp_path / "police.xlsx", _runs())
    warned = [i for i in _map(fixture_config_dir, path, _mapping("")).issues if i.code == "first_row_only"]
    assert len(warned) == 1 and warned[0].severity == "warning" and "fill_down" in warned[0].message
    assert "8 of the 8 row(s)" in warned[0].message and "row 3" in warned[0].message
    assert "Jones" not in warned[0].message and "1995" not in warned[0].message
    # said once fill_down is there, or where the rows give their dates
    filled = _map(fixture_config_dir, path, _mapping(
        "    fill_down: {columns: [DOB], while_same: [Forename, Surname]}\n"))
    assert not [i for i in filled.issues if i.code == "first_row_only"]
    assert all(r.get("dob") for r in filled.records["victims"])
    every = _map(fixture_config_dir, _xlsx(tmp_path / "dated.xlsx", _runs(True)), _mapping(""))
    assert not [i for i in every.issues if i.code == "first_row_only"]


def test_a_fill_down_of_other_columns_still_says_first_row_only(fixture_config_dir, tmp_path):
    """s21: any fill_down silenced the warning, though it filled the ethnicity only and the dates of
    birth stayed on each child's first row."""
    path = _xlsx(tmp_path / "police.xlsx", _runs())
    m = _map(fixture_config_dir, path, _mapping("    fill_down: {columns: [Ethnicity], while_same: [Forename, Surname]}\n"))
    assert [i.code for i in m.issues if i.code == "first_row_only"] == ["first_row_only"]
    m = _map(fixture_config_dir, path, _mapping("    fill_down: [[Date of birth, dob], Ethnicity]\n"))   # any case
    assert not [i for i in m.issues if i.code == "first_row_only"]


def test_mapping_draft_proposes_fill_down_for_details_on_the_first_row_only(fixture_config_dir, tmp_path):
    import yaml

    from cse_audit.authoring.draft import draft_mapping
    from cse_audit.config import load_config

    config = load_config(fixture_config_dir)
    drafted = yaml.safe_load(draft_mapping(_xlsx(tmp_path / "police.xlsx", _runs()), config).to_yaml())
    block = drafted["sheets"]["victims"]
    assert block["fill_down"] == {"columns": ["DOB"], "while_same": ["Forename", "Surname"]}
    # rows that give their dates: no fill_down
    dated = yaml.safe_load(draft_mapping(_xlsx(tmp_path / "dated.xlsx", _runs(True)), config).to_yaml())
    assert "fill_down" not in dated["sheets"]["victims"]


def _grouped(children: int = 3, cases: int = 3):
    """A grouped report: each child named (with a DOB) on the first of their rows only."""
    rows = [ROWS[0]]
    for child, (fn, sn, dob) in enumerate([("Siân", "Jones", "03/03/1995"), ("Megan", "Evans", "10/10/1996"),
                                           ("Ffion", "Price", "01/05/1997")][:children]):
        rows.append([f"C{child}0", fn, sn, dob, ""])
        rows.extend([f"C{child}{k}", "", "", "", ""] for k in range(1, cases))
    return rows


def test_a_grouped_report_read_as_sent_says_names_once(fixture_config_dir, tmp_path):
    """s21 (a new analyst's finding): a report naming each child once over their rows loaded the
    later rows as skipped rows that name no one, with no hint that `fill_down` says what it does."""
    path = _xlsx(tmp_path / "grouped.xlsx", _grouped())
    m = _map(fixture_config_dir, path, _mapping(""))
    warned = [i for i in m.issues if i.code == "names_once"]
    assert len(warned) == 1 and warned[0].severity == "warning" and warned[0].row_number is None
    assert "6 row(s)" in warned[0].message and "row 3" in warned[0].message and "fill_down" in warned[0].message
    assert "Jones" not in warned[0].message and "C01" not in warned[0].message
    assert (m.records_accepted, m.rows_skipped) == (3, 6)
    # said no more once the names are filled down, or where every row names its child
    filled = _map(fixture_config_dir, path, _mapping("    fill_down: [Forename, Surname, DOB]\n"))
    assert not [i for i in filled.issues if i.code == "names_once"] and filled.records_accepted == 9
    assert not [i for i in _map(fixture_config_dir, _xlsx(tmp_path / "runs.xlsx", _runs()), _mapping("")).issues
                if i.code == "names_once"]


def test_a_few_rows_without_a_name_are_not_a_grouped_report(fixture_config_dir, tmp_path):
    """Two stray rows (a note, a total) under named rows, or nameless rows that are a small share of
    a long sheet, are no grouped report."""
    few = _grouped(children=3, cases=1) + [["Total: 3", "", "", "", ""], ["Note", "", "", "", ""]]
    assert not [i for i in _map(fixture_config_dir, _xlsx(tmp_path / "few.xlsx", few), _mapping("")).issues
                if i.code == "names_once"]
    long = [ROWS[0]] + [[f"C{k}", f"Name{chr(65 + k % 26)}", "Jones", "03/03/1995", ""] for k in range(40)]
    long[5:5] = [["X1", "", "", "", ""], ["X2", "", "", "", ""], ["X3", "", "", "", ""]]
    assert not [i for i in _map(fixture_config_dir, _xlsx(tmp_path / "long.xlsx", long), _mapping("")).issues
                if i.code == "names_once"]


def test_an_offence_sheet_with_offences_without_a_suspect_is_not_a_grouped_report(fixture_config_dir, tmp_path):
    """A sheet of one row per offence repeats its suspects' names, and a row without one is an
    offence with no suspect, not a person named once over their rows (the seventh held-out world's
    police return: 45 such rows said names_once before the names' repeats were counted)."""
    rows = [ROWS[0]]
    for k in range(30):
        suspect = ("Dean", "Platt") if k % 3 else ("", "")          # every third offence: no suspect
        rows.append([f"O{k}", *suspect, "01/01/1980" if suspect[0] else "", ""])
    m = _map(fixture_config_dir, _xlsx(tmp_path / "offences.xlsx", rows), _mapping(""))
    assert not [i for i in m.issues if i.code == "names_once"]


def test_a_childrens_sheet_without_a_perpetrator_on_some_rows_says_no_names_once(fixture_config_dir, tmp_path):
    """An offenders block over a children's sheet: a blank "Alleged perpetrator" is a child with none
    known, under a row that names another child's (the sixth held-out world's council return)."""
    rows = [["Child ID", "Forename", "Surname", "Alleged perpetrator"]]
    for k in range(12):
        rows.append([f"CH{k}", f"Name{chr(65 + k)}", "Evans", f"Man{chr(65 + k)} Platt" if k % 3 == 0 else ""])
    mapping = ("name: t\nsheets:\n  victims:\n    sheet: Victims\n    columns:\n      case_ref: Child ID\n"
               "      forename: Forename\n      surname: Surname\n  offenders:\n    sheet: Victims\n"
               "    columns:\n      case_ref: Child ID\n      name: {column: Alleged perpetrator, parse: name}\n")
    m = _map(fixture_config_dir, _xlsx(tmp_path / "children.xlsx", rows), mapping)
    assert len(m.records["offenders"]) == 4 and len(m.records["victims"]) == 12
    assert not [i for i in m.issues if i.code == "names_once"]


@pytest.mark.parametrize("code", ["first_row_only", "names_once"])
def test_mapping_check_lists_the_warning_under_the_sheet(fixture_config_dir, tmp_path, code):
    from cse_audit.authoring.check import check_mapping
    from cse_audit.config import load_config

    rows = _runs() if code == "first_row_only" else _grouped()
    _map(fixture_config_dir, _xlsx(tmp_path / "return.xlsx", rows), _mapping(""))   # writes t.yaml
    report = check_mapping(tmp_path / "return.xlsx", "t", load_config(fixture_config_dir))
    assert [s["code"] for s in report["sheet_issues"] if s["code"] == code] == [code]


def test_the_feedback_workbook_says_names_once_in_plain_words(fixture_config_dir, tmp_path):
    from cse_audit.outputs.feedback import _problems

    m = _map(fixture_config_dir, _xlsx(tmp_path / "grouped.xlsx", _grouped()), _mapping(""))
    [issue] = [i for i in m.issues if i.code == "names_once"]
    wb = openpyxl.Workbook()
    _problems(wb.active, [{"file": "grouped.xlsx", "sheet": issue.sheet, "row": issue.row_number, "column": None,
                           "severity": issue.severity, "code": issue.code, "value": issue.value,
                           "problem": issue.message}])
    row = [c.value for c in wb.active[4]]
    assert row[4].startswith("Rows under a person's row give no name") and "name or initials on every row" in row[7]
    assert row[6] == "Those rows not loaded (skipped)"
