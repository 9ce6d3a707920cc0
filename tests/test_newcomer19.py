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
