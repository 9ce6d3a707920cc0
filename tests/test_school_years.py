"""A school year where the age goes ("Year 10"): the fifth held-out world's councils and school
nurses wrote them, and each was a `bad_age` warning with no age (674 at 10k; session 15)."""

from __future__ import annotations

import pytest

from cse_audit.ingest.values import age_in_date, parse_age, parse_age_band, parse_school_year

from .test_new_layouts import _map


@pytest.mark.parametrize("text, band", [
    ("Year 10", (14, 15)), ("year 7", (11, 12)), ("Yr 10", (14, 15)), ("Yr. 11", (15, 16)), ("Y9", (13, 14)),
    ("School year 8", (12, 13)), ("Year 13", (17, 18)), ("Reception", (4, 5)), ("S4", (14, 15)), ("s1", (11, 12)),
    ("Year 10 ", (14, 15)),
])
def test_a_school_year_is_the_age_band_of_its_pupils(text, band):
    assert parse_school_year(text) == band
    assert parse_age_band(text) == (band[0], band[1], None)
    assert parse_age(text) == (band[0], None)


@pytest.mark.parametrize("text", ["Year 14", "Year 0", "Year", "Y", "S7", "Yes", "Year 2010", "10 years"])
def test_what_is_no_school_year(text):
    assert parse_school_year(text) is None


def test_other_ages_read_as_before():
    assert parse_age_band("10") == (10, None, None)
    assert parse_age_band("14-15") == (14, 15, None)
    assert parse_age_band("Year 2010")[0] is None


def test_a_school_year_in_the_dob_cell_is_the_age_too():
    assert age_in_date("DOB unknown - Year 10") == (14, 15)


def test_a_school_year_in_an_age_column_loads_as_a_band_without_a_warning(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, tmp_path, "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n"
             "      initials: Initials\n      age: {column: Age, parse: age}\n",
             [["Ref", "Initials", "Age"], ["R1", "AB", "Year 10"], ["R2", "CD", "15"], ["R3", "EF", "Year 99"]])
    assert [(r["age"], r.get("age_max")) for r in m.records["victims"]] == [(14, 15), (15, None), (None, None)]
    assert [(i.code, i.row_number) for i in m.issues if i.severity == "warning"] == [("bad_age", 4)]


def test_a_note_without_a_dob_is_no_bad_date_in_a_first_of(fixture_config_dir, tmp_path):
    """World 5's councils: dob from the DOB column, else a "DOB 03.04.95" in Notes. Every other note
    ("LAC", "missing x3") was a bad_date warning (360 + 51 at 10k), burying the real ones; a note
    that matches with an impossible date still is one."""
    m = _map(fixture_config_dir, tmp_path, "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n"
             "      initials: Initials\n      dob:\n        first_of:\n          - {column: DOB}\n"
             "          - {column: Notes, pattern: \"DOB (?P<day>\\\\d{1,2})\\\\.(?P<month>\\\\d{1,2})\\\\."
             "(?P<year>\\\\d{2,4})\"}\n",
             [["Ref", "Initials", "DOB", "Notes"], ["R1", "AB", "", "DOB 03.04.95 per school"], ["R2", "CD", "", "LAC"],
              ["R3", "EF", "01/02/1996", "missing x3"], ["R4", "GH", "", "DOB 31.02.95"]])
    assert [str(r["dob"]) for r in m.records["victims"]] == ["1995-04-03", "None", "1996-02-01", "None"]
    assert [(i.code, i.row_number) for i in m.issues if i.severity == "warning"] == [("impossible_date", 5)]


@pytest.mark.parametrize("text, band", [
    ("Year10", (14, 15)), ("Yr10", (14, 15)), ("NCY 10", (14, 15)), ("NC Year 9", (13, 14)), ("year ten", (14, 15)),
    ("Year Seven", (11, 12)), ("Y10/11", (14, 16)), ("Year 10-11", (14, 16)), ("Yr 10 / Yr 11", (14, 16)),
])
def test_the_other_ways_councils_write_a_school_year(text, band):
    """Session 18 as a new analyst: each was a bad_age warning and no age."""
    assert parse_school_year(text) == band
    assert parse_age_band(text) == (band[0], band[1], None)


@pytest.mark.parametrize("text", ["Year 10/13", "Y11/10", "Year eleventy", "NCY", "Year 10 (old)"])
def test_what_is_still_no_school_year(text):
    assert parse_school_year(text) is None


def test_a_school_year_with_the_age_beside_it_is_that_age():
    assert parse_age_band("Year 10 (14)") == (14, None, None)
    assert parse_age_band("Yr 9 (aged 13)") == (13, None, None)
    assert parse_age("Year 10 (14)") == (14, None)
    assert parse_age_band("Smith (14)")[0] is None    # only a school year gives way to the age beside it


@pytest.mark.parametrize("text, band", [
    ("P7", (10, 12)), ("p1", (4, 6)), ("P 5", (8, 10)), ("P.6", (9, 11)), ("Primary 7", (10, 12)), ("primary 3", (6, 8)),
])
def test_a_primary_year_of_scotland_or_northern_ireland_is_the_band_of_both(text, band):
    """Session 19: "P7" was a bad_age warning. Northern Ireland's P7 are 10-11, Scotland's 10-12."""
    assert parse_school_year(text) == band
    assert parse_age_band(text) == (band[0], band[1], None)
    assert age_in_date(f"DOB unknown - {text}") == band


@pytest.mark.parametrize("text", ["P8", "P0", "P", "PP7", "P7 7", "Primary", "Q7"])
def test_what_is_no_primary_year(text):
    assert parse_school_year(text) is None
