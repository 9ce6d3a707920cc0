"""Session 21 (second pair of eyes): name cells of several people a new analyst's returns had, read
from the installed wheel. Names here are made up."""

from __future__ import annotations

from .test_new_layouts import _map
from .test_several_people import HEAD, PERPS

NO_KEY = PERPS.replace(", several: people", "")


def _people(m):
    return sorted((r["row_number"], r.get("column_group") or "", r["forename"], r["surname"], r.get("alias"))
                   for r in m.records["offenders"])


def test_an_unnamed_first_person_without_the_key_is_no_name(fixture_config_dir, tmp_path):
    """"Unknown male; Neil Ford" without `several: people`: the first part was read as a name, a
    man called "Unknown male" in the offenders count (the column's scan for unnamed people looked at
    whole cells only). Now the first named person, and a cell of unnamed people only is said."""
    rows = [HEAD, ["R1", "Tessa", "Unknown male; Neil Ford", ""], ["R2", "Lola", "Unknown male; Unknown female", ""]]
    m = _map(fixture_config_dir, tmp_path, NO_KEY, rows)
    assert _people(m) == [(2, "", "Neil", "Ford", None)]
    assert sorted((i.row_number, i.code) for i in m.issues) == [(2, "several_names"), (3, "unnamed_no_detail")]


def test_full_names_joined_by_and_without_the_key_read_the_first_with_a_warning(fixture_config_dir, tmp_path):
    """"Wayne Vickers and Dean Tomlin" without the key was one made-up man, Wayne Tomlin, with no
    word at ingest (only `mapping check` said so): now the first man, and `several_names`."""
    rows = [HEAD, ["R1", "Tessa", "Wayne Vickers and Dean Tomlin", ""], ["R2", "Lola", "Lee Bright & Omar Khalid", ""],
            ["R3", "Demi", "Mr and Mrs Smith", ""]]
    m = _map(fixture_config_dir, tmp_path, NO_KEY, rows)
    assert _people(m) == [(2, "", "Wayne", "Vickers", None), (3, "", "Lee", "Bright", None), (4, "", None, "Smith", None)]
    codes = sorted((i.row_number, i.code) for i in m.issues)
    assert codes == [(2, "several_names"), (3, "several_names"), (4, "two_people")]
    text = " ".join(f"{i.message} {i.value}" for i in m.issues)
    for name in ("Wayne", "Vickers", "Dean", "Tomlin", "Omar", "Khalid"):
        assert name not in text


def test_a_dangling_and_is_no_surname(fixture_config_dir, tmp_path):
    """"Rob Carr and" (the second name never typed) was forename Rob, surname "and"."""
    for yaml in (PERPS, NO_KEY):
        rows = [HEAD, ["R1", "Tessa", "Rob Carr and", ""], ["R2", "Lola", "Tom Reed &", ""]]
        m = _map(fixture_config_dir, tmp_path, yaml, rows)
        assert _people(m) == [(2, "", "Rob", "Carr", None), (3, "", "Tom", "Reed", None)]


def test_a_lone_word_after_a_slash_is_an_alias(fixture_config_dir, tmp_path):
    """docs/mappings.md: "Paul Smith / Tiny" is one person with an alias; it was read as Paul Tiny,
    a made-up name, with Smith lost."""
    for yaml in (PERPS, NO_KEY):
        m = _map(fixture_config_dir, tmp_path, yaml, [HEAD, ["R1", "Tessa", "Paul Smith / Tiny", ""]])
        assert _people(m) == [(2, "", "Paul", "Smith", "Tiny")]


def test_the_feedback_workbook_says_a_skipped_row_was_not_loaded(fixture_config, tmp_path):
    """A row with no name, initials, date of birth or age is skipped (rows landed = accepted +
    rejected + skipped), but the agency's feedback workbook said "A value we could not use" and
    "Loaded" for it."""
    import openpyxl

    from cse_audit import ingest
    from cse_audit.outputs import write_feedback
    from cse_audit.store import connect

    from .test_newcomer17 import HEAD as NGO_HEAD
    from .test_newcomer17 import _write

    con = connect(tmp_path / "s.duckdb")
    src = tmp_path / "in"
    src.mkdir()
    _write(src / "ngo_feedback.csv", [NGO_HEAD, ["N1", "01/02/2010", "Tessa", "Mossop", "", "14", "F", "", "", ""],
                                      ["N2", "02/02/2010", "", "", "", "", "F", "", "", ""]])
    report = ingest.ingest([src], con, fixture_config, link=False)
    d = report.files[0].as_dict()
    assert (d["rows_landed"], d["rows_skipped"]) == (2, 1)
    write_feedback(con, fixture_config.agencies["ngo-fixture"], None, tmp_path / "fb.xlsx")
    rows = [r for r in openpyxl.load_workbook(tmp_path / "fb.xlsx")["Problems"].iter_rows(values_only=True)
            if r[2] == 3]
    assert len(rows) == 1
    found, happened = rows[0][4], rows[0][6]
    assert found != "A value we could not use" and "no name" in found
    assert happened == "Row not loaded (skipped)"
    con.close()


def test_a_list_of_whole_names_with_commas_is_several_people(fixture_config_dir, tmp_path):
    """"Ian Dale, Ken Eve and Lou Fox" was two records, one a made-up "Ken Ian Dale" (the comma read
    as SURNAME, Forename) and Eve lost; "Ian Dale, Ken Eve, Lou Fox" one such man. A comma parts
    whole names in a list (two commas or more, or beside another separator); one comma alone stays
    one name written surname first ("SMITH JONES, Mary Ann")."""
    rows = [HEAD, ["R1", "Tessa", "Ian Dale, Ken Eve and Lou Fox", "30, 31 and 32"],
            ["R2", "Lola", "Ian Dale, Ken Eve, Lou Fox", ""], ["R3", "Demi", "SMITH JONES, Mary Ann", ""],
            ["R4", "Carys", "Smith, John and Jones, Mary", ""]]
    m = _map(fixture_config_dir, tmp_path, PERPS, rows)
    got = sorted((r["row_number"], r.get("column_group") or "", r["forename"], r["surname"], r["age"])
                 for r in m.records["offenders"])
    assert got == [(2, "", "Ian", "Dale", 30), (2, "p2", "Ken", "Eve", 31), (2, "p3", "Lou", "Fox", 32),
                   (3, "", "Ian", "Dale", None), (3, "p2", "Ken", "Eve", None), (3, "p3", "Lou", "Fox", None),
                   (4, "", "Mary", "SMITH JONES", None), (5, "", "John", "Smith", None),
                   (5, "p2", "Mary", "Jones", None)]
    m = _map(fixture_config_dir, tmp_path, NO_KEY, rows[:3])
    assert [(r["forename"], r["surname"]) for r in m.records["offenders"]] == [("Ian", "Dale"), ("Ian", "Dale")]
    assert sorted(i.code for i in m.issues) == ["bad_age", "several_names", "several_names"]   # "30, 31 and 32"


def test_the_draft_keeps_a_perpetrators_age_column_beside_their_names(fixture_config_dir, tmp_path):
    """A council's "Children" sheet with "Alleged perpetrators" and "Perpetrator ages": "ages" was
    no age (a plural), but close to "perpetrators", so both were candidates for the offender's
    name; the undecided choice had no column and was dropped, and the draft lost both columns with
    no word (docs/new-layout.md: no column is lost). "Perpetrator ages" is the offenders' age."""
    import openpyxl

    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Children"
    for row in [["Child ID", "Forename", "Surname", "DOB", "Alleged perpetrators", "Perpetrator ages"],
                ["C1", "Ava", "Holt", "01/01/1996", "Darren Ashdown; Imran Platt", "34; 41"],
                ["C2", "Bea", "Lowe", "02/02/1996", "Wayne Vickers", "30"],
                ["C3", "Cara", "Nunn", "03/03/1996", "Lee Bright & Omar Khalid", "22"],
                ["C4", "Dana", "Pike", "04/04/1996", "Gary Stone", "40"]]:
        ws.append(row)
    wb.save(tmp_path / "council.xlsx")
    d = draft_mapping(tmp_path / "council.xlsx", load_config(fixture_config_dir), name="t")
    assert [(s.kind, s.sheet) for s in d.sheets] == [("victims", "Children"), ("offenders", "Children")]
    offenders = {c.field: c.headers for c in d.sheets[1].columns if c.headers}
    assert offenders["name"] == ["Alleged perpetrators"] and offenders["age"] == ["Perpetrator ages"]


def test_two_perpetrator_columns_for_one_field_are_a_todo_never_dropped(fixture_config_dir, tmp_path):
    """Where the drafter cannot choose between two of the perpetrators' columns for one field, the
    columns are listed (a TODO or unmapped, with the reason), never dropped."""
    import openpyxl

    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Children"
    for row in [["Child ID", "Forename", "Surname", "Alleged perpetrator", "Perpetrator name (verified)"],
                ["C1", "Ava", "Holt", "Darren Ashdown", "Darren Ashdown"], ["C2", "Bea", "Lowe", "Wayne Vickers", ""]]:
        ws.append(row)
    wb.save(tmp_path / "council.xlsx")
    d = draft_mapping(tmp_path / "council.xlsx", load_config(fixture_config_dir), name="t")
    placed = {h for s in d.sheets for c in s.columns for h in [*c.headers, *(x for k in c.candidates for x in k.headers)]}
    placed |= {h for s in d.sheets for h, _why in s.unmapped}
    assert {"Alleged perpetrator", "Perpetrator name (verified)"} <= placed
