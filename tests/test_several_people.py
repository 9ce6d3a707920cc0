"""Session 20: several people in one cell (`several: people`), each their own record. Names here are
made up."""

from __future__ import annotations

import pytest

from .test_new_layouts import _map

PERPS = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n" \
        "  offenders:\n    columns:\n      case_ref: Ref\n      area: {registry: area}\n" \
        "      name: {column: Alleged perpetrators, parse: name, several: people}\n" \
        "      age: {column: Perp age, parse: age}\n"
HEAD = ["Ref", "First", "Alleged perpetrators", "Perp age"]


def test_each_person_of_a_cell_is_a_record_of_the_row(fixture_config_dir, tmp_path):
    """A council's "Alleged perpetrators" cell of several men loaded its first man only (a
    several_names warning counting the rest): the offenders count too low. With `several: people`
    each is a record of the row's case; an age split in step where the cell has as many parts,
    else the first man keeps it and the others have none."""
    rows = [HEAD, ["R1", "Tessa", "Darren Ashdown; Imran Platt", "34; 41"],
            ["R2", "Lola", "Shaun KETTLEY;Tariq Chaudry\nCraig Lomax", "30"], ["R3", "Demi", "Zahid Rudd", "22"],
            ["R4", "Carys", "Asif Oakes;", ""], ["R5", "Roxanne", "Wayne Vickers and Dean Tomlin", "20/25"],
            ["R6", "Mia", "Mr and Mrs Smith", ""], ["R7", "Zoe", "Paul Smith / Tiny", ""]]
    m = _map(fixture_config_dir, tmp_path, PERPS, rows)
    got = [(r["row_number"], r["column_group"], r["case_ref"], r["area"], r["forename"], r["surname"], r["age"])
           for r in m.records["offenders"]]
    assert sorted(got, key=lambda g: (g[0], g[1] or "")) == [
        (2, None, "R1", "Testarea", "Darren", "Ashdown", 34), (2, "p2", "R1", "Testarea", "Imran", "Platt", 41),
        (3, None, "R2", "Testarea", "Shaun", "KETTLEY", 30), (3, "p2", "R2", "Testarea", "Tariq", "Chaudry", None),
        (3, "p3", "R2", "Testarea", "Craig", "Lomax", None), (4, None, "R3", "Testarea", "Zahid", "Rudd", 22),
        (5, None, "R4", "Testarea", "Asif", "Oakes", None), (6, None, "R5", "Testarea", "Wayne", "Vickers", 20),
        (6, "p2", "R5", "Testarea", "Dean", "Tomlin", 25), (7, None, "R6", "Testarea", None, "Smith", None),
        (8, None, "R7", "Testarea", "Paul", "Smith", None)]   # "/" before a lone word: an alias (s21)
    assert not [i for i in m.issues if i.code == "several_names"]
    # the ledger: every row once; 6 records from the 3 rows whose cell held several people
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (7, 7, 0, 0)
    assert (m.several_rows, m.several_records) == (3, 7)
    assert len(m.records["offenders"]) == 7 + 4


def test_a_reference_read_from_the_case_column_stays_with_the_first_person(fixture_config_dir, tmp_path):
    """"Child ID" as both case_ref and record_ref of a victims block: two sisters in one cell share
    the case, but not the reference (a reference shared by two records reads as one person's)."""
    yaml = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Child ID\n      record_ref: Child ID\n" \
           "      name: {column: Children, parse: name, several: people}\n"
    m = _map(fixture_config_dir, tmp_path, yaml, [["Child ID", "Children"], ["C1", "Tessa Mossop; Lola Mossop"]])
    assert [(r["case_ref"], r["record_ref"], r["forename"]) for r in m.records["victims"]] == \
        [("C1", "C1", "Tessa"), ("C1", None, "Lola")]


def test_without_the_key_the_first_is_read_and_the_rest_counted(fixture_config_dir, tmp_path):
    rows = [HEAD, ["R1", "Tessa", "Darren Ashdown; Imran Platt", "34"]]
    m = _map(fixture_config_dir, tmp_path, PERPS.replace(", several: people", ""), rows)
    assert [r["forename"] for r in m.records["offenders"]] == ["Darren"]
    assert [i.code for i in m.issues] == ["several_names"]
    assert (m.several_rows, m.several_records) == (0, 0)


def test_an_unnamed_person_beside_a_named_one_is_a_warning_and_names_stay_out_of_issues(fixture_config_dir,
                                                                                         tmp_path):
    """"Unknown male; John Smith": the named man is a record, the row accepted, the unnamed one a
    warning (as beside another column group); a bad row-level value is said once for the row."""
    yaml = PERPS + "      case_date: {column: Date, dates: dayfirst}\n"
    rows = [HEAD + ["Date"], ["R1", "Tessa", "Unknown male; Imran Platt; Dean Tomlin", "", "31/02/2010"],
            ["R2", "Lola", "Unknown male; Unknown female", "", ""]]
    m = _map(fixture_config_dir, tmp_path, yaml, rows)
    assert [(r["row_number"], r["forename"]) for r in m.records["offenders"]] == [(2, "Imran"), (2, "Dean")]
    codes = sorted((i.row_number, i.code, i.severity) for i in m.issues)
    # (R2's child loaded, so its unnamed men are a warning too, said once for the row)
    assert codes == [(2, "impossible_date", "warning"), (2, "unnamed_no_detail", "warning"),
                     (3, "unnamed_no_detail", "warning")]
    assert (m.rows_landed, m.records_accepted, m.rows_skipped) == (2, 2, 0)
    text = " ".join(f"{i.message} {i.value}" for i in m.issues)
    for name in ("Imran", "Platt", "Dean", "Tomlin"):
        assert name not in text


def test_people_and_groups_blocks_split_too(fixture_config_dir, tmp_path):
    """A `people` block (role column) and a numbered column group split a cell the same way: the
    extra records keep the row's role and the group ("1p2")."""
    roles = "name: t\nsheets:\n  people:\n    header_contains: [Role]\n" \
            "    role: {column: Role, victims: [Victim], offenders: [Suspect]}\n" \
            "    columns:\n      case_ref: Ref\n      name: {column: Name, parse: name, several: people}\n"
    rows = [["Ref", "Role", "Name"], ["C1", "Victim", "Tessa Mossop"], ["C1", "Suspect", "Dean Carter; John Smith"]]
    m = _map(fixture_config_dir, tmp_path, roles, rows)
    assert [r["surname"] for r in m.records["offenders"]] == ["Carter", "Smith"]
    assert [r["surname"] for r in m.records["victims"]] == ["Mossop"]
    groups = "name: t\nsheets:\n  offenders:\n    groups: {pattern: \"Suspect {n}\", n: 2}\n    columns:\n" \
             "      case_ref: Ref\n      name: {column: Name, parse: name, several: people}\n"
    rows = [["Ref", "Suspect 1 Name", "Suspect 2 Name"], ["C1", "Dean Carter; John Smith", "Zahid Rudd"]]
    m = _map(fixture_config_dir, tmp_path, groups, rows)
    assert sorted((r["column_group"], r["surname"]) for r in m.records["offenders"]) == \
        [("1", "Carter"), ("1p2", "Smith"), ("2", "Rudd")]


@pytest.mark.parametrize("spec, says", [("{column: Alleged perpetrators, several: people}", "parse: name"),
                                        ("{column: Alleged perpetrators, parse: name, several: yes}", "people")])
def test_several_needs_a_name_column(fixture_config_dir, tmp_path, spec, says):
    from cse_audit.config import ConfigError
    with pytest.raises(ConfigError) as exc:
        _map(fixture_config_dir, tmp_path, PERPS.replace(
            "{column: Alleged perpetrators, parse: name, several: people}", spec), [HEAD])
    assert "several" in str(exc.value) and says in str(exc.value)


def _csv(path, rows):
    import csv
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_mapping_check_warns_of_a_name_column_of_several_people_read_without_the_key(fixture_config_dir,
                                                                                       tmp_path):
    """Without `several: people` the other people of a cell are never loaded; "Wayne Vickers and Dean
    Tomlin" not even with a several_names warning. `mapping check` says which column and rows (never a
    cell), and says nothing once the mapping has the key, where it counts the records instead."""
    from cse_audit.authoring import check_mapping
    from cse_audit.authoring.check import check_command
    from cse_audit.config import load_config

    rows = [HEAD, ["R1", "Tessa", "Darren Ashdown; Imran Platt", ""], ["R2", "Lola", "Zahid Rudd", ""],
            ["R3", "Roxanne", "Wayne Vickers and Dean Tomlin", ""], ["R4", "Mia", "Mr and Mrs Smith", ""]]
    path = _csv(tmp_path / "council.csv", rows)
    (fixture_config_dir / "mappings" / "t.yaml").write_text(PERPS.replace(", several: people", ""))
    (fixture_config_dir / "mappings" / "u.yaml").write_text(PERPS.replace("name: t", "name: u"))
    config = load_config(fixture_config_dir)
    got = [i for i in check_mapping(path, "t", config)["sheet_issues"] if i["code"] == "several_people"]
    assert len(got) == 1 and "2 cell(s)" in got[0]["message"] and "rows 2, 4" in got[0]["message"]
    assert "Alleged perpetrators" in got[0]["message"] and "several: people" in got[0]["message"]
    for name in ("Darren", "Imran", "Wayne", "Tomlin", "Smith"):
        assert name not in got[0]["message"]
    text, r = check_command(path, "u", config)
    assert not [i for i in r["sheet_issues"] if i["code"] == "several_people"]
    assert "6 offenders (4 of them from 2 rows of several people in one cell)" in text


def test_the_load_summary_says_how_many_records_came_from_how_many_rows(fixture_config_dir, tmp_path):
    from cse_audit.ingest.outcomes import FileOutcome, IngestReport
    from cse_audit.ingest.summary import render_load_summary

    rows = [HEAD, ["R1", "Tessa", "Darren Ashdown; Imran Platt", ""], ["R2", "Lola", "Zahid Rudd", ""]]
    m = _map(fixture_config_dir, tmp_path, PERPS, rows)
    report = IngestReport(files=[FileOutcome("r.csv", "r.csv", "loaded", mapped=m)])
    text = render_load_summary(report, "text")
    assert "Rows landed 2 = accepted 2 + rejected 0 + skipped 0" in text
    assert "2 records from the cells of 1 accepted rows" in text
    assert '"several_records": 2' in render_load_summary(report, "json")


FIX = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "hostile20"


def _draft(fixture_config_dir, file_name):
    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    return draft_mapping(FIX / file_name, load_config(fixture_config_dir), name="t")


def test_draft_makes_the_perpetrators_of_a_children_sheet_offenders_with_a_record_each(fixture_config_dir,
                                                                                         tmp_path):
    """Session 19: `mapping draft` read a "Children" sheet's "Alleged perpetrators" as the child's own
    name, so every perpetrator would load as a child. It is an offenders block on the same sheet,
    sharing the row's case (the child's id), its name `several: people`; the draft loads and makes a
    record per man."""
    from cse_audit.authoring import check_mapping
    from cse_audit.config import load_config

    d = _draft(fixture_config_dir, "council_children_perpetrators.xlsx")
    assert [(s.kind, s.sheet) for s in d.sheets] == [("victims", "Children"), ("offenders", "Children")]
    victims, offenders = d.sheets
    assert "Alleged perpetrators" not in {h for c in victims.columns for h in c.headers}
    assert {c.field: c.spec for c in offenders.columns if c.headers} == {
        "case_ref": "Child ID", "name": {"column": "Alleged perpetrators", "parse": "name", "several": "people"}}
    assert victims.fields()["case_ref"] == ["Child ID"] and victims.fields()["forename"] == ["Forename"]
    assert not d.todos
    (fixture_config_dir / "mappings" / "t.yaml").write_text(d.to_yaml(), encoding="utf-8")
    r = check_mapping(FIX / "council_children_perpetrators.xlsx", "t", load_config(fixture_config_dir))
    assert r["records"]["victims"] == 6 and r["records"]["offenders"] == 9
    assert (r["several_rows"], r["several_records"]) == (3, 7)
    assert not [i for i in r["sheet_issues"] if i["code"] == "several_people"]


@pytest.mark.parametrize("file_name", ["council_children_perpetrators.xlsx", "council_children_no_case.xlsx",
                                       "council_children_and_perpetrators_sheet.xlsx"])
def test_no_column_is_lost_from_the_draft(fixture_config_dir, file_name):
    """The fix reverted in session 19 dropped a lone perpetrators column silently when the sheet had
    no case column to share. Every header of the children's sheet is mapped by a block or listed as
    unmapped, with or without a case column, and when another sheet's offenders win."""
    from cse_audit.config import Limits
    from cse_audit.ingest.readers import read_file

    d = _draft(fixture_config_dir, file_name)
    placed = {(s.sheet, h) for s in d.sheets for c in s.columns for h in c.headers} | \
        {(s.sheet, h) for s in d.sheets for h, _why in s.unmapped}
    children = next(s for s in read_file(FIX / file_name, Limits()) if s.name == "Children")
    head = next(r for r in children.rows if "Alleged perpetrators" in r)
    assert {("Children", h) for h in head if h} <= placed
    kinds = {s.kind: s for s in d.sheets}
    assert "Alleged perpetrators" not in {h for c in kinds["victims"].columns for h in c.headers}
    if file_name == "council_children_and_perpetrators_sheet.xlsx":
        # the offenders come from their own sheet: the children's column is listed, said why
        assert kinds["offenders"].sheet == "Perpetrators"
        assert [h for h, _ in kinds["victims"].unmapped] == ["Alleged perpetrators"]
        assert not any("same sheet" in n for n in kinds["victims"].notes)
    else:
        assert kinds["offenders"].sheet == "Children"
    if file_name == "council_children_no_case.xlsx":
        # "Young person" and "Alleged perpetrators" were two candidates for the child's name: a TODO,
        # and the sheet "not a table" (nothing drafted at all)
        assert kinds["victims"].fields()["name"] == ["Young person"] and not d.todos
        assert any("case of its own" in n for n in kinds["offenders"].notes)


def test_mapping_check_reports_cells_past_the_header_and_nul_bytes(fixture_config_dir):
    """Ingest warns `past_header` (a comma in an unquoted csv value: the row's later cells shifted)
    and `nul_byte` (NUL bytes dropped from a cell); `mapping check` said neither, so a mapping
    checked clean over shifted rows. It lists each, summed per sheet with rows and columns only."""
    from cse_audit.authoring.check import check_command
    from cse_audit.config import load_config

    from .conftest import FIXTURES

    config = load_config(fixture_config_dir)
    text, r = check_command(FIXTURES / "hostile18" / "ngo_unquoted_comma.csv", "fixture-flat", config)
    past = [i for i in r["sheet_issues"] if i["code"] == "past_header"]
    assert len(past) == 1 and past[0]["message"].startswith("1 row(s) with filled cells right of the last header")
    assert "(row 3; first at column 'K')" in past[0]["message"] and "right of the last header" in text
    text, r = check_command(FIXTURES / "hostile18" / "ngo_nul_byte.csv", "fixture-flat", config)
    nul = [i for i in r["sheet_issues"] if i["code"] == "nul_byte"]
    assert len(nul) == 1 and "(row 3; columns 'Forename')" in nul[0]["message"]
    assert "NUL bytes" in text
    for word in ("Nora", "Brokenfield", "1996"):
        assert word not in text
