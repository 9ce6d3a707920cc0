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
