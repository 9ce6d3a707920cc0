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
