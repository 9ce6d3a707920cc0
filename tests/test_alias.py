"""Session 16 (issue 16): the alias field. Offenders are known by street names ("Tiny"), children
by "known as" names; one agency writes the street name where the forename goes, another the man's
own name with the street name in an alias column, and the two never linked. Names here are made up."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from cse_audit import linkage
from cse_audit.ingest.aliases import parse_aliases, split_alias

from .test_linkage import AGENCIES, build_store
from .test_new_layouts import _map

OFFENDERS = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n"
             "      name: {column: Name, parse: name}\n      alias: {column: Alias, optional: true}\n"
             "      age: {column: Age, parse: age}\n      sex: Sex\n")


def test_an_alias_cell_is_split_into_names():
    assert parse_aliases('"Tiny" / Boss; Big Dave, T-Bone aka Bigz a.k.a. Biggie or Snoop') == [
        "Tiny", "Boss", "Big Dave", "T-Bone", "Bigz", "Biggie", "Snoop"]
    assert parse_aliases("(Tiny)") == ["Tiny"] and parse_aliases("aka Tiny") == ["Tiny"]
    assert parse_aliases("Tiny / unknown", frozenset({"unknown"})) == ["Tiny"]
    assert parse_aliases("Tiny / tiny") == ["Tiny"]


@pytest.mark.parametrize("cell", ['Paul "Tiny" Smith', "Paul \u201cTiny\u201d Smith", "Paul 'Tiny' Smith",
                                  "Paul (Tiny) Smith", "Paul Smith aka Tiny", "Paul Smith (a.k.a. Tiny)",
                                  "Paul Smith also known as Tiny", "Paul Smith [aka Tiny]"])
def test_a_whole_name_cell_gives_its_alias(cell):
    assert split_alias(cell) == ("Paul Smith", ["Tiny"])


@pytest.mark.parametrize("cell", ["John Smith (deceased)", "Mary-Ann O'Brien", "Jane (Smith)", '"Tiny"', "Tiny"])
def test_no_alias_where_there_is_none(cell):
    assert split_alias(cell) == (cell, [])


def test_a_mapping_with_an_alias_column_loads_it_and_name_cells_give_theirs(fixture_config_dir, tmp_path, caplog):
    rows = [["Ref", "Name", "Alias", "Age", "Sex"],
            ["R1", "Paul Smith", "Tiny / Boss", "30", "M"],
            ["R2", 'Paul "Tiny" Smith', "", "30", "M"],
            ["R3", "Paul Smith aka Tiny", "n/k", "30", "M"],
            ["R4", "Dave Fauxley", "", "41", "M"],
            ["R5", "", "Bigz", "25", "M"],                    # known by his street name only
            ["R6", "Paul Smith (a.k.a. Tiny)", "Boss", "30", "M"]]   # the alias column wins
    with caplog.at_level(logging.DEBUG):
        m = _map(fixture_config_dir, tmp_path, OFFENDERS, rows)
    got = [(r.get("forename"), r.get("surname"), r.get("alias")) for r in m.records["offenders"]]
    assert got == [("Paul", "Smith", "Tiny / Boss"), ("Paul", "Smith", "Tiny"), ("Paul", "Smith", "Tiny"),
                   ("Dave", "Fauxley", None), (None, None, "Bigz"), ("Paul", "Smith", "Boss")]
    # an alias is personal: never in an issue, a message or a log line
    said = " ".join([i.message + str(i.value) for i in m.issues] + [r.getMessage() for r in caplog.records])
    assert not any(a in said for a in ("Tiny", "Boss", "Bigz"))


def test_a_forename_cell_gives_its_alias(fixture_config_dir, tmp_path):
    text = OFFENDERS.replace("name: {column: Name, parse: name}", "forename: First\n      surname: Last")
    rows = [["Ref", "First", "Last", "Age", "Sex"], ["R1", 'Paul "Tiny"', "Smith", "30", "M"],
            ["R2", "Paul (Tiny)", "Smith", "30", "M"], ["R3", "Paul", "Smith", "30", "M"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    got = [(r.get("forename"), r.get("surname"), r.get("alias")) for r in m.records["offenders"]]
    assert got == [("Paul", "Smith", "Tiny"), ("Paul", "Smith", "Tiny"), ("Paul", "Smith", None)]


def test_alias_is_personal_and_minimised():
    from cse_audit import store
    from cse_audit.config import load_config

    assert load_config().fields["alias"].personal
    assert "alias" in store.MINIMISED_COLUMNS["offenders"] and "alias" in store.MINIMISED_COLUMNS["victims"]


# -- linkage --------------------------------------------------------------------------------------

# (key, agency, forename, surname, alias, dob, age): one man as three agencies wrote him, and a
# namesake of his street name elsewhere in the force area
MEN = [("tiny_p1", "P1", "Tiny", "Smithers", None, "1981-05-05", None),     # his street name as forename
       ("paul_l1", "L1", "Paul", "Smithers", "Tiny", "1981-05-05", None),   # his name, street name aside
       ("tiny_n1", "N1", "Tiny", None, None, None, 29)]                     # the street name alone


def _offenders_store(path, aliases: bool):
    con, _, _ = build_store(path)
    # filler men: the victims' filler as offenders (names, dates and areas to estimate u from)
    con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, forename, "
                "surname, initials, dob, age, case_date, sex, ethnicity, area) SELECT 'o' || record_id, return_id, "
                "agency_id, source_type, sheet, row_number, forename, surname, initials, dob, age, case_date, 'Male', "
                "ethnicity, area FROM victims")
    ids = {}
    for n, (key, agency, fn, sn, alias, dob, age) in enumerate(MEN, start=900):
        rid, st, _ = AGENCIES[agency]
        ids[key] = f"{agency}:{rid}:Offenders:{n}"
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "forename, surname, alias, initials, dob, age, case_date, sex, area) VALUES (?, ?, ?, ?, "
                    "'Offenders', ?, ?, ?, ?, ?, CAST(? AS DATE), ?, DATE '2010-06-01', 'Male', 'Leeds')",
                    [ids[key], rid, agency, st, n, fn, sn, alias if aliases else None,
                     (fn[0] + (sn or "")[:1]).upper(), dob, age])
    return con, ids


@pytest.fixture(scope="module")
def cfg():
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None)


def _person(con, rid):
    return con.execute("SELECT person_id FROM offender_links WHERE record_id = ?", [rid]).fetchone()[0]


@pytest.mark.parametrize("aliases", [True, False])
def test_a_street_name_links_to_the_man_known_by_it(tmp_path, cfg, aliases, caplog):
    con, ids = _offenders_store(tmp_path / "s.duckdb", aliases)
    with caplog.at_level(logging.DEBUG):
        linkage.link_people(con, "offenders", config=cfg)
    p = {k: _person(con, rid) for k, rid in ids.items()}
    if aliases:
        assert p["tiny_p1"] == p["paul_l1"] == p["tiny_n1"]
        e = linkage.explain(con, "offenders", ids["tiny_p1"], ids["paul_l1"], config=cfg)
        forename = next(c for c in e.comparisons if c["comparison"] == "forename")
        assert forename["level"] == "names/alias" and forename["match_weight"] > 5
        assert "values" not in forename      # the alias is shown only with show_values
        shown = linkage.explain(con, "offenders", ids["tiny_n1"], ids["paul_l1"], config=cfg, show_values=True)
        assert shown.candidate_pair
        assert next(c for c in shown.comparisons if c["comparison"] == "forename")["values"]["aliases"][1] == ["tiny"]
    else:   # without the alias: Tiny and Paul are two men
        assert p["tiny_p1"] != p["paul_l1"] and p["tiny_n1"] != p["paul_l1"]
    assert not any("Tiny" in r.getMessage() or "tiny" in r.getMessage() for r in caplog.records)
    con.close()


def test_no_alias_no_alias_level(tmp_path, cfg):
    """Where no record carries an alias the level is not compared: the model is the one without it."""
    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.features import _features, has_aliases

    con, _ = _offenders_store(tmp_path / "s.duckdb", False)
    table, _ = _features(con, "offenders", cfg)
    assert not has_aliases(table)
    labels = [lv.label_for_charts for c in _comparisons(cfg, "duckdb", has_aliases(table))
              for lv in c.get_comparison("duckdb").comparison_levels]
    assert "names/alias" not in labels
    labels = [lv.label_for_charts for c in _comparisons(cfg, "duckdb", True)
              for lv in c.get_comparison("duckdb").comparison_levels]
    assert "names/alias" in labels
    con.close()


def test_stated_m_are_rescaled_only_where_the_alias_level_is_compared(cfg):
    from cse_audit.linkage.levels import stated_m

    names = cfg.comparisons["forename"].m["names"]
    without = [lv for lv in names if lv != "alias"]
    assert stated_m(cfg, "forename", "names", without) is names     # as stated: nothing moves
    scaled = stated_m(cfg, "forename", "names", list(names))
    assert abs(sum(scaled.values()) - 1) < 1e-9 and scaled["alias"] > 0


def test_draft_maps_an_alias_header_without_showing_its_values(tmp_path):
    from cse_audit import authoring as drafting
    from cse_audit.config import load_config

    path = tmp_path / "off.csv"
    path.write_text("Ref,Offender Name,Aliases / street names,Age,Sex\nR1,Paul Smith,Tiny / Boss,30,M\n"
                    "R2,Dave Fauxley,,41,M\nR3,Ali Testwell,Bigz,25,M\n", encoding="utf-8")
    d = drafting.draft_mapping(path, load_config())
    col = next(c for s in d.sheets for c in s.columns if c.field == "alias")
    assert col.headers == ["Aliases / street names"] and not col.todo
    text = d.to_yaml()
    assert "alias:" in text and not any(v in text for v in ("Tiny", "Boss", "Bigz"))
    from cse_audit.authoring.synonyms import load_synonyms, match_header

    syn = load_synonyms(load_config())
    for header in ("Alias", "Aliases", "AKA", "Known as", "Nickname", "Street name(s)", "Suspect 1 Alias"):
        assert match_header(header, syn).field == "alias", header
