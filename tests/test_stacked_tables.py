"""Two tables stacked on one sheet (session 18): a children's table, a blank row, a title and an
adults' table with its own header. The fifth held-out world's small agencies send this; before,
the children's block read on to the sheet's end and made children of the adults."""

from __future__ import annotations

import pytest

from .test_new_layouts import _map

CHILDREN = [["Ref", "Name", "Age"], ["1", "Amy Fauxley", "14"], ["2", "Beth Fauxton", "15"]]
ADULTS = [["Adults of concern"], ["Child ref", "Adult name", "Age"], ["1", "Dave Fauxman", "30s"],
          ["2", "Eric Fauxby", "40"]]
VICTIMS = ("  victims:\n    sheet: 0\n    header_contains: [Ref, Name]\n    columns:\n      case_ref: Ref\n"
           "      name: {column: Name, parse: name}\n      age: Age\n")
OFFENDERS = ("  offenders:\n    sheet: 0\n    header_contains: [Adult name]\nBELOW    columns:\n"
             "      case_ref: Child ref\n      name: {column: Adult name, parse: name}\n      age: Age\n")


def _mapping(below: str = "    below: victims\n") -> str:
    return "name: t\nsheets:\n" + VICTIMS + OFFENDERS.replace("BELOW", below)


def _names(m, kind):
    return [(r["forename"], r["case_ref"]) for r in m.records[kind]]


@pytest.mark.parametrize("gap", [[[]], [[], []], [[""] * 3]])
def test_the_adults_table_under_the_children_is_read_as_offenders_not_children(fixture_config_dir, tmp_path, gap):
    m = _map(fixture_config_dir, tmp_path, _mapping(), CHILDREN + gap + ADULTS)
    assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]
    assert [r["age_max"] for r in m.records["offenders"]] == [39, None]
    # the title and the second header are the adults table's title and header: no data rows of
    # anyone, so the four data rows are the rows landed, all accepted
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (4, 4, 0, 0)
    assert not [i for i in m.issues if i.severity in ("error", "warning")]


def test_two_tables_found_near_the_top_part_without_below(fixture_config_dir, tmp_path):
    """Both headers within the first rows: the upper table ends where the lower one starts even
    when the mapping does not say `below`."""
    m = _map(fixture_config_dir, tmp_path, _mapping(below=""), CHILDREN + [[]] + ADULTS)
    assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]


def test_below_finds_a_second_table_far_down_the_sheet(fixture_config_dir, tmp_path):
    """Without `below` a header is looked for in the first 30 rows only; 200 children push the
    adults' header far past them."""
    many = [CHILDREN[0]] + [[str(i), f"Child Fauxley{chr(97 + i % 26)}", "14"] for i in range(200)]
    m = _map(fixture_config_dir, tmp_path, _mapping(), many + [[]] + ADULTS)
    assert len(m.records["victims"]) == 200
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]
    assert m.rows_landed == 202


def test_the_title_rows_of_the_lower_table_are_its_own(fixture_config_dir, tmp_path):
    """A `title:` field of the lower block reads the rows over its own header, not the table above."""
    mapping = _mapping().replace("      age: Age\n", "      age: Age\n", 1) + \
        "      area: {title: \"Area: (?P<value>.+)\"}\n"
    rows = [["Area: Upperton"]] + CHILDREN + [[], ["Adults of concern"], ["Area: Lowerton"]] + ADULTS[1:]
    m = _map(fixture_config_dir, tmp_path, mapping, rows)
    assert {r["area"] for r in m.records["offenders"]} == {"Lowerton"}
    assert len(m.records["victims"]) == 2


def test_a_missing_lower_table_is_an_error_that_rejects_no_child(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, tmp_path, _mapping(), CHILDREN)
    assert len(m.records["victims"]) == 2 and m.rows_rejected == 0
    got = [i for i in m.issues if i.code == "missing_table"]
    assert len(got) == 1 and got[0].severity == "error" and "under the victims table" in got[0].message
    m = _map(fixture_config_dir, tmp_path, _mapping("    below: victims\n    optional: true\n"), CHILDREN)
    assert [i.severity for i in m.issues if i.code == "missing_table"] == ["warning"]


def test_rows_with_no_blank_between_the_tables_still_part(fixture_config_dir, tmp_path):
    """No blank row: the lower header still ends the upper table (a title row directly under the
    children cannot be told from a child's row, so it stays the upper table's, and is skipped)."""
    m = _map(fixture_config_dir, tmp_path, _mapping(), CHILDREN + ADULTS[1:])
    assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]


@pytest.mark.parametrize("below, sheet, message", [
    ("cases", 0, "no cases block"),
    ("offenders", 0, "expected the kind"),
    ("victims", 1, "reads another sheet"),
    ("nonsense", 0, "expected the kind"),
])
def test_below_is_checked_when_the_mapping_loads(fixture_config_dir, below, sheet, message):
    from cse_audit.config import ConfigError, load_config

    text = _mapping(f"    below: {below}\n").replace("  offenders:\n    sheet: 0\n", f"  offenders:\n    sheet: {sheet}\n")
    (fixture_config_dir / "mappings" / "t.yaml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(fixture_config_dir)


def test_below_needs_the_lower_header_s_texts(fixture_config_dir):
    from cse_audit.config import ConfigError, load_config

    text = _mapping().replace("    header_contains: [Adult name]\n", "")
    (fixture_config_dir / "mappings" / "t.yaml").write_text(text)
    with pytest.raises(ConfigError, match="needs `header_contains`"):
        load_config(fixture_config_dir)


def test_two_blocks_cannot_each_be_below_the_other(fixture_config_dir):
    from cse_audit.config import ConfigError, load_config

    text = _mapping().replace("    header_contains: [Ref, Name]\n", "    header_contains: [Ref, Name]\n    below: offenders\n")
    (fixture_config_dir / "mappings" / "t.yaml").write_text(text)
    with pytest.raises(ConfigError, match="each be below"):
        load_config(fixture_config_dir)


def test_the_drafter_drafts_the_lower_table_as_its_own_block_below(fixture_config_dir, tmp_path):
    import csv

    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    config = load_config(fixture_config_dir)
    path = tmp_path / "stacked.csv"
    rows = [r + ["F"] for r in CHILDREN] + [[]] + [ADULTS[0]] + [r + ["M"] for r in ADULTS[1:]]
    rows[0][-1], rows[len(CHILDREN) + 2][-1] = "Gender", "Gender"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    d = draft_mapping(path, config, name="t")
    kinds = {s.kind: s for s in d.sheets}
    assert set(kinds) == {"victims", "offenders"}
    assert kinds["offenders"].below == "victims" and kinds["offenders"].header_row == 6
    assert kinds["victims"].data_rows == 2 and kinds["offenders"].data_rows == 2
    assert {c.field: c.headers for c in kinds["offenders"].columns}["case_ref"] == ["Child ref"]
    # the draft, as written, loads and reads two children and two adults
    m = _map(fixture_config_dir, tmp_path, d.to_yaml(), rows)
    assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]


def test_a_blank_row_inside_one_table_is_no_second_table(fixture_config_dir, tmp_path):
    import csv

    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    path = tmp_path / "gap.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(CHILDREN + [[]] + [["3", "Cara Fauxwell", "13"]])
    d = draft_mapping(path, load_config(fixture_config_dir), name="t")
    assert [s.kind for s in d.sheets] == ["victims"] and d.sheets[0].data_rows == 3


def test_mapping_check_says_when_a_second_table_is_read_as_the_first(fixture_config_dir, tmp_path):
    import csv

    from cse_audit.authoring import check_mapping
    from cse_audit.config import load_config

    path = tmp_path / "stacked.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(CHILDREN + [[]] + ADULTS)
    (fixture_config_dir / "mappings" / "t.yaml").write_text("name: t\nsheets:\n" + VICTIMS)
    (fixture_config_dir / "mappings" / "u.yaml").write_text(_mapping().replace("name: t", "name: u"))
    config = load_config(fixture_config_dir)
    got = [i for i in check_mapping(path, "t", config)["sheet_issues"] if i["code"] == "second_table"]
    assert len(got) == 1 and "row 5" in got[0]["message"] and "below: victims" in got[0]["message"]
    assert "Fauxman" not in got[0]["message"] and "Adult name" not in got[0]["message"]
    assert not [i for i in check_mapping(path, "u", config)["sheet_issues"] if i["code"] == "second_table"]


def test_the_agency_s_feedback_says_what_a_missing_table_is():
    from cse_audit.outputs.feedback import PLAIN

    what, todo = PLAIN["missing_table"]
    assert "table" in what and "under" in what and todo


def test_blocks_each_below_the_other_find_no_table_and_do_not_hang():
    """The loader refuses such a mapping; bounds built from one anyway end, with neither found."""
    from dataclasses import replace

    from cse_audit.config import ColumnSpec, SheetSpec
    from cse_audit.ingest.readers import Sheet
    from cse_audit.ingest.stacked import table_bounds

    col = ColumnSpec(headers=("Ref",))
    a = SheetSpec("victims", 0, {"case_ref": col}, ("Ref",), block="victims", below="offenders")
    b = replace(a, kind="offenders", block="offenders", below="victims")
    got = table_bounds(Sheet("s", CHILDREN + [[]] + ADULTS), [a, b], 30)
    assert got["victims"].header is None and got["offenders"].header is None


def _stacked_csv(tmp_path, rows, name="stacked.csv"):
    import csv

    path = tmp_path / name
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.mark.parametrize("title", [[ADULTS[0]], []])
def test_the_drafter_finds_a_lower_table_with_no_blank_row_over_it(fixture_config_dir, tmp_path, title):
    """Session 18 as a new analyst: a return typed straight on (the title, or the adults' header,
    on the row under the last child) drafted as one victims table, and the adults loaded as
    children (the header row "Child ref | Adult name" a child named "Adult name")."""
    from cse_audit.authoring import check_mapping, draft_mapping
    from cse_audit.config import load_config

    rows = CHILDREN + title + ADULTS[1:]
    path = _stacked_csv(tmp_path, rows)
    config = load_config(fixture_config_dir)
    d = draft_mapping(path, config, name="t")
    kinds = {s.kind: s for s in d.sheets}
    if title:
        assert set(kinds) == {"victims", "offenders"} and kinds["offenders"].below == "victims"
        assert kinds["victims"].data_rows == 2 and kinds["offenders"].data_rows == 2
        m = _map(fixture_config_dir, tmp_path, d.to_yaml(), rows)
        assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
        assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]
    else:
        # no title and no header word says whose the lower table is: a note to map it by hand
        assert set(kinds) == {"victims"}
        assert any(f"second table from row {len(CHILDREN) + 1}" in n for n in kinds["victims"].notes)
    # and `mapping check` of a one-block mapping says so
    (fixture_config_dir / "mappings" / "v.yaml").write_text("name: v\nsheets:\n" + VICTIMS)
    got = [i for i in check_mapping(path, "v", load_config(fixture_config_dir))["sheet_issues"]
           if i["code"] == "second_table"]
    assert len(got) == 1 and f"from row {len(CHILDREN) + 1} " in got[0]["message"]


def test_a_third_table_is_not_drafted_as_the_second_table_s_rows(fixture_config_dir, tmp_path):
    """Children, adults and a case list stacked: the adults' block was drafted from the adults and
    the case list together, and their name column (under half names) was left unmapped; then, with
    the adults bounded, the case list loaded as adults (a date read as a forename)."""
    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    cases = [["Case list"], ["Case ref", "Date referred", "Outcome"]] + \
        [[str(i), "01/02/2009", "Open"] for i in range(1, 3)]
    rows = CHILDREN + [[]] + ADULTS + [[]] + cases
    d = draft_mapping(_stacked_csv(tmp_path, rows), load_config(fixture_config_dir), name="t")
    kinds = {s.kind: s for s in d.sheets}
    adults = kinds["offenders"]
    assert adults.data_rows == 2
    assert {c.field for c in adults.columns} >= {"case_ref", "name", "age"}
    assert kinds["cases"].below == "offenders" and kinds["cases"].header_row == 11
    assert any("further table from row 10 (header on row 11) is drafted as the cases block" in n for n in adults.notes)
    m = _map(fixture_config_dir, tmp_path, d.to_yaml(), rows)
    assert _names(m, "victims") == [("Amy", "1"), ("Beth", "2")]
    assert _names(m, "offenders") == [("Dave", "1"), ("Eric", "2")]
    assert len(m.records["cases"]) == 2
    assert (m.rows_landed, m.rows_skipped, m.rows_rejected) == (6, 0, 0)


def test_a_lower_table_under_other_headers_is_still_said_to_be_read_as_the_upper(fixture_config_dir, tmp_path):
    """The next return of a drafted layout names the adults' columns otherwise ("Perp", "Linked
    YP"): the lower block is a missing_table, and the adults are read as children. The error said
    "nothing loaded from it" and `mapping check` said nothing of the second table (the mapping's
    `below` silenced it)."""
    from cse_audit.authoring import check_mapping
    from cse_audit.config import load_config

    other = [ADULTS[0], ["Linked YP", "Perp", "Perp age", "Sex"]] + [r + ["M"] for r in ADULTS[2:]]
    path = _stacked_csv(tmp_path, CHILDREN + [[]] + other)
    (fixture_config_dir / "mappings" / "t.yaml").write_text(_mapping())
    out = check_mapping(path, "t", load_config(fixture_config_dir))
    got = [i for i in out["sheet_issues"] if i["code"] == "second_table"]
    assert len(got) == 1 and "from row 5 " in got[0]["message"] and "more victims rows" in got[0]["message"]
    m = _map(fixture_config_dir, tmp_path, _mapping(), CHILDREN + [[]] + other)
    missing = [i for i in m.issues if i.code == "missing_table"]
    assert len(missing) == 1 and "read as victims rows" in missing[0].message
    assert "Fauxman" not in missing[0].message


def test_one_victim_group_beside_two_suspect_groups_is_drafted_as_a_group(fixture_config_dir, tmp_path):
    """Session 18 as a new analyst: "Victim 1 Name", "Victim 1 DOB" beside "Suspect 1 ..",
    "Suspect 2 ..": the one victim group was read as the suspects' shared columns (a TODO between
    'Victim 1 Name' and 'Name', and the offenders' dob drafted from 'Victim 1 DOB', confidence high)."""
    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    rows = [["Crime ref", "Victim 1 Name", "Victim 1 DOB", "Suspect 1 Name", "Suspect 1 Age", "Suspect 2 Name",
             "Suspect 2 Age"],
            ["C1", "Amy Fauxley", "01/02/1995", "Dave Fauxman", "31", "Unknown male", ""],
            ["C2", "Beth Fauxton", "03/04/1996", "Eric Fauxby", "40", "", ""]]
    d = draft_mapping(_stacked_csv(tmp_path, rows), load_config(fixture_config_dir), name="t")
    kinds = {s.kind: s for s in d.sheets}
    assert set(kinds) == {"victims", "offenders"}
    assert kinds["victims"].groups["n"] == [1] and kinds["offenders"].groups["n"] == [1, 2]
    fields = {c.field: c.headers for c in kinds["offenders"].columns}
    assert "dob" not in fields and not any(c.todo for c in kinds["offenders"].columns)
    m = _map(fixture_config_dir, tmp_path, d.to_yaml(), rows)
    assert len(m.records["victims"]) == 2 and len(m.records["offenders"]) == 2
    assert [i.code for i in m.issues if i.severity == "warning"] == ["unnamed_no_detail"]


@pytest.mark.parametrize("text", ["03/05/2009", "12345", "2009-05-03"])
def test_a_date_or_number_in_a_name_column_is_no_name(text):
    """A third table read as the adults' rows (a mapping with no block for it) made forenames of
    its dates ("03/05/2009", a single_name warning) and the rows person records."""
    from cse_audit.ingest.values import parse_name

    for single in ("reject", "forename", "surname"):
        name, problem = parse_name(text, single)
        assert name is None and problem[0] == "bad_name" and text not in problem[1]


def test_a_lower_column_no_header_names_holding_the_children_s_refs_is_the_case_link(fixture_config_dir, tmp_path):
    """"Linked YP" beside "Perp": no header word names the link, but its values are the children's
    Refs. Before, it was left unmapped and each adult was a case of his own (13 cases for 8 children
    and 5 adults in the analyst's return)."""
    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    rows = [r + ["F"] for r in CHILDREN] + [[], ADULTS[0], ["Linked YP", "Perp", "Perp age", "Sex"]] + \
        [r + ["M"] for r in ADULTS[2:]]
    rows[0][-1] = "Gender"
    d = draft_mapping(_stacked_csv(tmp_path, rows), load_config(fixture_config_dir), name="t")
    adults = {s.kind: s for s in d.sheets}["offenders"]
    assert {c.field: c.headers for c in adults.columns}["case_ref"] == ["Linked YP"]
    assert "Linked YP" not in [h for h, _ in adults.unmapped]
    m = _map(fixture_config_dir, tmp_path, d.to_yaml(), rows)
    assert sorted(r["case_ref"] for r in m.records["offenders"]) == ["1", "2"]
    assert len(m.records["cases"]) == 2


def test_a_sheet_per_year_with_the_adults_on_some_years_only_drafts_the_adults_optional(fixture_config_dir, tmp_path):
    """Three year sheets, the last with no adults of concern: the drafted adults block made the
    last year a missing_table error (and with the adults on one year only, the mapping was refused)."""
    from openpyxl import Workbook

    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    def sheet_rows(year, adults):
        rows = [[f"CSE return {year}"], []] + CHILDREN
        return rows + ([[]] + ADULTS if adults else [])

    for with_adults in (("2008-09", "2009-10"), ("2008-09",)):
        wb = Workbook()
        wb.remove(wb.active)
        for year in ("2008-09", "2009-10", "2010-11"):
            ws = wb.create_sheet(year)
            for row in sheet_rows(year, year in with_adults):
                ws.append(row or [None])
        path = tmp_path / "years.xlsx"
        wb.save(path)
        d = draft_mapping(path, load_config(fixture_config_dir), name="t")
        kinds = {s.kind: s for s in d.sheets}
        assert kinds["offenders"].selector == kinds["victims"].selector
        assert kinds["offenders"].optional and "'2010-11'" in kinds["offenders"].optional
        (fixture_config_dir / "mappings" / "t.yaml").write_text(d.to_yaml())
        config = load_config(fixture_config_dir)
        from cse_audit.config import Agency
        from cse_audit.ingest.mapping import map_return
        from cse_audit.ingest.readers import read_file

        agency = Agency("a", "A", "ngo", "Testarea", True, "t", ())
        m = map_return(read_file(path, config.settings.limits), config.mappings["t"], config, agency, path.name)
        assert len(m.records["victims"]) == 6 and len(m.records["offenders"]) == 2 * len(with_adults)
        assert not [i for i in m.issues if i.severity == "error"]


def test_a_data_row_of_codes_with_no_blank_over_it_is_no_second_table(fixture_config_dir, tmp_path):
    """Codes alone ("Home" | "Looked after" | "Missing" | "Female") read as header cells; under the
    rows holding the same values, such a row is a child's, not the next table's header."""
    from cse_audit.authoring import draft_mapping
    from cse_audit.config import load_config

    head = ["Ref", "Missing from", "Care status", "Missing status", "Gender"]
    rows = [head, ["1", "Home", "Looked after", "Missing", "Female"], ["2", "Care", "Looked after", "Missing", "Female"],
            ["", "Home", "Looked after", "Missing", "Female"], ["4", "Care", "Looked after", "Missing", "Male"]]
    d = draft_mapping(_stacked_csv(tmp_path, rows), load_config(fixture_config_dir), name="t")
    assert [s.kind for s in d.sheets] == ["victims"] and d.sheets[0].data_rows == 4
    assert not any("second table" in n for n in d.sheets[0].notes)
