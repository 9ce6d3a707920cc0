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
