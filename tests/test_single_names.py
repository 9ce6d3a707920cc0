"""Issue 16 (session 9): a lone word in a name column (`single_word`), numbered unnamed suspects
("Unknown male 1", "UM1"), and "Home and care" in missing_status. Names here are made up."""

from __future__ import annotations

import pytest

from cse_audit.ingest.values import parse_name

from .test_new_layouts import _map

OFFENDERS = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n"
             "      name: {column: Name, parse: name%s}\n      age: {column: Age, parse: age}\n      sex: Sex\n")
VICTIMS = OFFENDERS.replace("offenders:", "victims:")


def test_parse_name_reads_a_lone_word_as_told():
    (parts, problem) = parse_name("Dave", "forename")
    assert parts == ("Dave", None) and problem[0] == "single_name"
    (parts, problem) = parse_name("FAUXLEY", "surname")
    assert parts == (None, "FAUXLEY") and problem[0] == "single_name"
    assert parse_name("Dave", "reject") == (None, parse_name("Dave")[1])
    assert parse_name("Dave")[0] is None and parse_name("Dave")[1][0] == "bad_name"
    # two words are never touched by single_word
    assert parse_name("Dave Fauxley", "surname") == (("Dave", "Fauxley"), None)


def test_an_offenders_lone_word_is_a_forename_by_default_and_still_reported(fixture_config_dir, tmp_path):
    rows = [["Ref", "Name", "Age", "Sex"], ["R1", "Tariq", "30s", "M"], ["R2", "Dave Fauxley", "41", "M"],
            ["R3", "dave", "", "M"]]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    recs = m.records["offenders"]
    assert [(r.get("forename"), r.get("surname")) for r in recs] == [("Tariq", None), ("Dave", "Fauxley"),
                                                                     ("dave", None)]
    warned = [(i.row_number, i.code, i.severity) for i in m.issues if i.code in ("single_name", "bad_name")]
    assert warned == [(2, "single_name", "warning"), (4, "single_name", "warning")]
    # the warning never repeats the value (a name)
    assert all("Tariq" not in (i.message + str(i.value)) for i in m.issues)
    assert m.rows_landed == 3 and m.rows_rejected == 0


def test_a_victims_lone_word_is_rejected_by_default_and_a_mapping_can_say_otherwise(fixture_config_dir, tmp_path):
    rows = [["Ref", "Name", "Age", "Sex"], ["R1", "Chloe", "14", "F"], ["R2", "FAUXLEY", "15", "F"]]
    m = _map(fixture_config_dir, tmp_path, VICTIMS % "", rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["victims"]] == [(None, None), (None, None)]
    assert [i.code for i in m.issues if i.row_number in (2, 3)] == ["bad_name", "bad_name"]
    m = _map(fixture_config_dir, tmp_path, VICTIMS % ", single_word: surname", rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["victims"]] == [(None, "Chloe"),
                                                                                   (None, "FAUXLEY")]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % ", single_word: reject", rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [(None, None), (None, None)]


@pytest.mark.parametrize("extra, message", [
    (", single_word: first", "one of forename, surname, reject"),
    ("", "one of forename, surname, reject"),       # without parse: name
])
def test_single_word_errors_name_the_key(fixture_config_dir, extra, message):
    from cse_audit.config import ConfigError, load_config

    text = (OFFENDERS % extra) if extra else OFFENDERS.replace("{column: Name, parse: name%s}",
                                                                "{column: Name, single_word: forename}")
    (fixture_config_dir / "mappings" / "t.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(fixture_config_dir)
    assert "single_word" in str(exc.value) and message in str(exc.value)


def test_numbered_unnamed_suspects_are_no_name(fixture_config_dir, tmp_path):
    # "Unknown male 1" was forename "Unknown", surname "male" (every such row of every return one man);
    # "UM1" a lone word, with single_word: forename the forename "UM1"
    names = ["Unknown male 1", "Unknown Male (2)", "unknown female 3", "UM1", "UF 2", "Unidentified male no. 4",
             "Unknown 5"]
    rows = [["Ref", "Name", "Age", "Sex"]] + [[f"R{i}", n, "30", "M"] for i, n in enumerate(names)]
    rows += [["R9", "Umar Fauxley", "30", "M"], ["R10", "UM", "31", "M"]]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    got = [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]]
    assert got == [(None, None)] * len(names) + [("Umar", "Fauxley"), ("UM", None)]
    assert not [i for i in m.issues if i.code in ("bad_name", "single_name") and i.row_number <= len(names) + 1]


def test_home_and_care_means_reported_missing():
    from cse_audit.config import load_config

    config = load_config()
    for text in ("Home and care", "home & care", "HOME AND CARE"):
        assert config.codes["missing_status"].lookup(text) == ("Reported missing", None)
        assert config.codes["missing_from"].lookup(text)[0] == "Both"


# -- linkage: a forename with no surname (made-up names, victims' tables as in test_linkage) ------

def _fn_rows():
    from .test_linkage import _row

    return [
        _row("dave_full", "P1", "Dave", "Fauxley", None, "1995-05-01", None, "2009-06-01", "Leeds", "D1", "Male"),
        _row("dave_other", "P2", "Dave", "Testwell", None, "1980-01-01", None, "2009-02-01", "Leeds", "D2", "Male"),
        # a first name alone, nothing to date a birth: either Dave, or a third
        _row("dave_bare", "L1", "Dave", None, None, None, None, "2009-07-01", "Leeds", "D3", "Male"),
        # a first name and an age that fits Dave Fauxley only
        _row("dave_aged", "N1", "Dave", None, None, None, 14, "2009-08-01", "Leeds", "D1", "Male"),
    ]


@pytest.fixture(scope="module")
def fn_linked(tmp_path_factory):
    import dataclasses

    from cse_audit import linkage

    from .test_linkage import _person, build_store

    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                              overrides_file=None)
    con, ids, truth = build_store(tmp_path_factory.mktemp("fn") / "store.duckdb", extra=_fn_rows())
    result = linkage.link_people(con, "victims", config=cfg)
    yield con, {k: _person(con, rid) for k, rid in ids.items()}, result, ids, truth, cfg
    con.close()


def test_a_forename_alone_is_compared_as_a_forename_and_never_links_on_it_alone(fn_linked):
    from cse_audit import linkage

    con, p, result, ids, truth, cfg = fn_linked
    # blocked with the records of its area that have its forename (the rule for forename-only records)
    rule = next(r for r in result.candidate_pairs_by_rule if "fn_nick" in r and "sn IS NULL" in r)
    assert result.candidate_pairs_by_rule[rule] >= 3
    assert len({p["dave_full"], p["dave_other"], p["dave_bare"]}) == 3  # two Daves, and a bare "Dave"
    assert p["dave_aged"] != p["dave_other"]                            # ten years off
    ex = linkage.explain(con, "victims", ids["dave_aged"], ids["dave_full"], config=cfg)
    levels = {c["comparison"]: c["level"] for c in ex.comparisons}
    assert levels["forename"] == "names/exact" and levels["surname"] == "null"
    # the range allows for the forename-only records being someone already counted
    persons_true = len(set(truth.values()))
    assert result.persons_low <= persons_true <= result.persons_high


def test_numbered_names_must_be_a_list(fixture_config_dir):
    from cse_audit.config import ConfigError, load_config

    path = fixture_config_dir / "codes" / "unknown.yaml"
    path.write_text(path.read_text().replace('numbered_names: ["um", "uf"]', "numbered_names: um"))
    with pytest.raises(ConfigError) as exc:
        load_config(fixture_config_dir)
    assert "unknown.yaml" in str(exc.value) and "numbered_names" in str(exc.value)


def test_numbered_unnamed_suspects_in_name_part_columns_are_no_name(fixture_config_dir, tmp_path):
    """The same in a return with forename and surname columns of their own: "Unknown male 1" in the
    forename column was the forename "Unknown male 1", one man in every return that wrote it."""
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n      forename: First\n"
            "      surname: Last\n      age: {column: Age, parse: age}\n      sex: Sex\n")
    rows = [["Ref", "First", "Last", "Age", "Sex"], ["R1", "Unknown male 1", "", "30", "M"],
            ["R2", "", "UM2", "30", "M"], ["R3", "Unknown Male (3)", "Unknown", "31", "M"],
            ["R4", "Dave", "Fauxley", "41", "M"], ["R5", "Dave 2", "", "40", "M"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    got = [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]]
    # "Dave 2" is no numbered unknown: a name with a digit stays as written
    assert got == [(None, None), (None, None), (None, None), ("Dave", "Fauxley"), ("Dave 2", None)]
    plain = [["Ref", "First", "Last", "Age", "Sex"], ["R1", "Dave", "Fauxley", "41", "M"]]
    assert [r.get("forename") for r in _map(fixture_config_dir, tmp_path, text, plain).records["offenders"]] == ["Dave"]


# -- an unnamed person across the forename and surname columns (session 11) ------------------------

PARTS = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n      forename: First\n"
         "      surname: Last\n      age: {column: Age, parse: age}\n      sex: Sex\n")


def _parts(fixture_config_dir, tmp_path, pairs, text=PARTS, age="30"):
    rows = [["Ref", "First", "Last", "Age", "Sex"]] + [[f"R{i}", f, s, age, "M"] for i, (f, s) in enumerate(pairs)]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    return [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]], m


@pytest.mark.parametrize("forename, surname", [
    ("Unknown", "Male 1"), ("Unknown male", "A"), ("Unknown", "Female (2)"), ("Unknown male A", ""),
    ("Unknown female B", ""), ("U/K male 1", ""), ("UK Male 2", ""), ("Unk. female", ""), ("", "Male 1"),
    ("?", "Male 3"), ("UNKNOWN", "MALE"), ("u.k.", "female"), ("Male", "2"), ("", "Unknown male no. 4"),
    ("Unidentified", "Man"), ("Child", "B"), ("", "Female"),
    # described instead of named (session 12): an unidentified suspect's ethnicity and sex
    ("Asian", "Male"), ("Asian male", ""), ("White Male 2", ""), ("", "Eastern European man"),
    ("Unknown", "Asian male"), ("Black", "Female (1)"),
])
def test_an_unnamed_person_split_over_the_name_columns_has_no_name(fixture_config_dir, tmp_path, forename,
                                                                   surname):
    got, m = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [(None, None)]
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1   # still a record: it has an age


@pytest.mark.parametrize("forename, surname, expected", [
    ("John", "Male", ("John", "Male")),          # a real surname Male
    ("Una", "Female", ("Una", "Female")),
    ("Una", "Male", ("Una", "Male")),
    ("Unknown", "Smith", (None, "Smith")),       # forename not known, surname known
    ("Unknown", "A", (None, "A")),               # a surname's initial, not a letter numbering suspects
    ("A", "Male", ("A", "Male")),
    ("U", "K", ("U", "K")),                      # initials in two columns
    ("Manning", "", ("Manning", None)),
    ("Mandy", "Child", ("Mandy", "Child")),
    ("Unknown", "Manning", (None, "Manning")),
    ("Unknown", "F", (None, "F")),
    ("Victoria", "Male 1", ("Victoria", "Male 1")),
    ("John", "White", ("John", "White")),        # a description word is a surname beside a name
    ("White", "", ("White", None)),
    ("Asian", "", ("Asian", None)),              # a description alone names no one either way
    ("Arabella", "Male", ("Arabella", "Male")),
    ("Black", "Smith", ("Black", "Smith")),
])
def test_real_names_beside_placeholder_words_are_kept(fixture_config_dir, tmp_path, forename, surname, expected):
    got, _ = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [expected]


def test_unnamed_rows_among_named_ones_and_a_row_with_nothing_else(fixture_config_dir, tmp_path):
    pairs = [("Dave", "Fauxley"), ("Unknown", "Male 1"), ("Dave", "Male"), ("Unknown male", "B")]
    got, m = _parts(fixture_config_dir, tmp_path, pairs)
    assert got == [("Dave", "Fauxley"), (None, None), ("Dave", "Male"), (None, None)]
    # with no age either, an unnamed person is no person record (as "Unknown male 1" in one column)
    got, m = _parts(fixture_config_dir, tmp_path, pairs, age="")
    assert got == [("Dave", "Fauxley"), ("Dave", "Male")]
    # said as what it is: someone unnamed, with nothing to tell him by (session 15)
    skipped = sorted(i.row_number for i in m.issues if i.code == "unnamed_no_detail")
    assert skipped == [3, 5] and m.rows_landed == 4
    assert all(i.severity == "skipped" and i.value is None for i in m.issues if i.code == "unnamed_no_detail")


def test_unnamed_person_words_in_a_whole_name_column(fixture_config_dir, tmp_path):
    names = ["Unknown male A", "U/K male 1", "UK Male 2", "Unk. female", "Male 1", "Unknown female B",
             "Asian male", "White Male 3"]
    rows = [["Ref", "Name", "Age", "Sex"]] + [[f"R{i}", n, "30", "M"] for i, n in enumerate(names)]
    rows += [["R9", "Una Male", "30", "F"], ["R10", "Ukmal Fauxley", "31", "M"], ["R11", "Jack White", "40", "M"]]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    got = [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]]
    assert got == [(None, None)] * len(names) + [("Una", "Male"), ("Ukmal", "Fauxley"), ("Jack", "White")]


def test_a_forename_column_alone_with_unnamed_people(fixture_config_dir, tmp_path):
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n      forename: First\n"
            "      age: {column: Age, parse: age}\n")
    rows = [["Ref", "First", "Age"], ["R1", "Unk. female", "30"], ["R2", "Maleeha", "30"], ["R3", "Male", "31"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [r.get("forename") for r in m.records["offenders"]] == [None, "Maleeha", None]


def test_unnamed_pairs_whatever_order_the_mapping_lists_the_name_columns(fixture_config_dir, tmp_path):
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n      surname: Last\n"
            "      forename: First\n      age: {column: Age, parse: age}\n      sex: Sex\n")
    got, _ = _parts(fixture_config_dir, tmp_path, [("Unknown", "Male 1"), ("John", "Male"), ("", "Female 2")], text)
    assert got == [(None, None), ("John", "Male"), (None, None)]


def test_unnamed_person_words_in_a_whole_name_column_read_one_text_at_a_time(fixture_config_dir, tmp_path):
    # first_of translates each column's texts without the whole-column scan (_Translator.many)
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n"
            "      name: {first_of: [{column: Name, parse: name}, {column: Alias, parse: name}]}\n"
            "      age: {column: Age, parse: age}\n")
    rows = [["Ref", "Name", "Alias", "Age"], ["R1", "Unk. female", "", "30"], ["R2", "", "UK Male 2", "31"],
            ["R3", "Una Male", "", "32"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [
        (None, None), (None, None), ("Una", "Male")]


def test_dotted_initials_in_a_whole_name_column_are_initials_not_a_forename():
    # bench/heldout5: a suspect known only by initials, "D.W.", was forename "D.W." with initials "D"
    for order in (None, "surname_first", "forename_first"):
        assert parse_name("D.W.", "forename", order) == (("D", "W"), None)
        assert parse_name("J.A.S.", "reject", order) == (("J", "S"), None)
    # not initials: a word, two capitals with no dots (a name in capitals may be "JO"), a lone letter
    assert parse_name("JO", "forename")[0] == ("JO", None)
    assert parse_name("D.", "forename")[0] == ("D.", None)


def test_an_offender_written_as_initials_gets_both_initials(fixture_config_dir, tmp_path):
    rows = [["Ref", "Name", "Age", "Sex"], ["R1", "D.W.", "30s", "M"], ["R2", "Dave Fauxley", "41", "M"]]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    recs = m.records["offenders"]
    assert [(r.get("forename"), r.get("surname")) for r in recs] == [("D", "W"), ("Dave", "Fauxley")]
    assert not [i for i in m.issues if i.code in ("single_name", "bad_name")]


def test_a_name_wrapped_in_quotes_loses_them():
    # bench/heldout5: a suspect known by a street name written '"Bigz"' kept the quotes and had no initials
    assert parse_name('"Bigz"', "forename") == (("Bigz", None), parse_name("Bigz", "forename")[1])
    assert parse_name("\u201cBigz\u201d", "forename")[0] == ("Bigz", None)
    # quotes inside a name stay where they are: the street name between forename and surname
    assert parse_name('Dave "Bigz" Fauxley') == (("Dave", "Fauxley"), None)
    assert parse_name("O'Neil", "surname") == ((None, "O'Neil"), parse_name("O'Neil", "surname")[1])


def test_a_quoted_street_name_in_the_forename_column_gets_initials(fixture_config_dir, tmp_path):
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n      forename: Forename\n"
            "      surname: Surname\n      age: {column: Age, parse: age}\n")
    rows = [["Ref", "Forename", "Surname", "Age"], ["R1", '"Bigz"', "", "30s"], ["R2", "Dave", "'Fauxley'", "41"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [("Bigz", None),
                                                                                       ("Dave", "Fauxley")]


def test_an_unnamed_suspect_beside_a_victim_who_loads_is_said(tmp_path):
    """A crime row: the victim loads, the suspect is "Unknown male" with no age. No offender record
    is made, and the row counts accepted; the analyst is told (it was silent: bench/heldout5)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from cse_audit import store

    cfg = tmp_path / "cfg"
    shutil.copytree(Path(__file__).resolve().parent.parent / "configs", cfg)
    agencies = cfg / "agencies.yaml"
    agencies.write_text(agencies.read_text().rstrip("\n") + "\n  - {id: unnamed-test, name: Unnamed Test Police, "
                        "source_type: police, area: Testshire, force_area: Testshire, mapping: unnamed-test, "
                        "files: ['*unnamed test*']}\n")
    (cfg / "mappings" / "unnamed-test.yaml").write_text(
        "name: unnamed-test\nsheets:\n  victims:\n    sheet: 0\n    columns:\n      case_ref: Crime\n"
        "      name: {column: Victim, parse: name}\n      age: {column: Victim age, parse: age}\n  offenders:\n"
        "    sheet: 0\n    columns:\n      case_ref: Crime\n      name: {column: Suspect, parse: name}\n"
        "      age: {column: Suspect age, parse: age}\n")
    ret = tmp_path / "returns"
    ret.mkdir()
    (ret / "Unnamed Test crimes.csv").write_text(
        "Crime,Victim,Victim age,Suspect,Suspect age\nC1,Amy Fauxley,14,Unknown male,\nC2,Beth Fauxton,15,Dave Fauxman,30s\n"
        "C3,Cara Fauxwell,13,,\n")
    db = tmp_path / "s.duckdb"
    done = subprocess.run([sys.executable, "-m", "cse_audit.cli", "ingest", str(ret), "--db", str(db), "--config",
                           str(cfg), "--no-link", "--no-tables", "-q"], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    con = store.connect(db, read_only=True)
    try:
        issues = con.execute("SELECT code, severity, row_number, value FROM issues").fetchall()
        rows = con.execute("SELECT rows_landed, records_accepted, rows_rejected, rows_skipped FROM returns").fetchone()
        offenders = con.execute("SELECT count(*) FROM current_offenders").fetchone()[0]
    finally:
        con.close()
    assert [(c, s, r) for c, s, r, _ in issues if c == "unnamed_no_detail"] == [("unnamed_no_detail", "warning", 2)]
    assert all(v is None for c, _, _, v in issues if c == "unnamed_no_detail")  # never the cell's text
    assert offenders == 1 and rows[0] == 3 and rows[0] == rows[1] + rows[2] + rows[3]
    # a crime with no suspect at all (C3) is not an unnamed person: nothing said
    assert not [r for c, _, r, _ in issues if r == 4]
