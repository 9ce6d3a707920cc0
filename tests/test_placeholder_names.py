"""Issue 16, session 13: a suspect recorded with a placeholder instead of a name ("Suspect One",
"Mr X", "Person unknown", "No name", "Withheld") is no name at ingest, in one cell or across the
forename and surname cells; a title is no forename ("Mr Smith" is surname Smith); real names,
awkward ones included, stay. Names here are made up."""

from __future__ import annotations

import pytest

from .test_new_layouts import _map
from .test_single_names import OFFENDERS, _parts


def _whole(fixture_config_dir, tmp_path, names, age="30"):
    rows = [["Ref", "Name", "Age", "Sex"]] + [[f"R{i}", n, age, "M"] for i, n in enumerate(names)]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    return [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]], m


PLACEHOLDERS = ["Mr X", "Mr. X", "Mrs A", "Miss X", "Male X", "Suspect One", "Suspect Two", "SUSPECT ONE",
                "Suspect 1", "Suspect A", "Offender 2", "Perpetrator B", "Person Unknown", "Persons unknown",
                "Male unknown", "Unknown Unknown", "No Name", "Name not given", "Name withheld", "Not disclosed",
                "N/K", "NK", "Unk", "Not Stated", "Withheld", "?", "Mr", "Mr Unknown", "Anonymous"]


@pytest.mark.parametrize("name", PLACEHOLDERS)
def test_a_placeholder_in_a_whole_name_column_is_no_name(fixture_config_dir, tmp_path, name):
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [(None, None)]
    # still an offender record (it has an age), and no warning about a lone word for it
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1
    assert not [i for i in m.issues if i.code in ("bad_name", "single_name")]


@pytest.mark.parametrize("forename, surname", [
    ("Suspect", "One"), ("Suspect", "1"), ("Suspect", "A"), ("Unknown", "Male"), ("Mr", "X"), ("Mr.", "Y"),
    ("Person", "Unknown"), ("No", "Name"), ("Name", "not given"), ("Not", "Known"), ("Not", "disclosed"),
    ("Name", "Withheld"), ("Withheld", "Withheld"), ("N/K", "N/K"), ("Unknown", "Unknown"), ("Mr X", ""),
    ("", "Mr X"), ("Suspect One", ""), ("", "Suspect Two"), ("Offender", "Three"), ("Withheld", ""),
    ("Mr", ""), ("", "No name"),
])
def test_a_placeholder_split_over_the_name_columns_is_no_name(fixture_config_dir, tmp_path, forename, surname):
    got, m = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [(None, None)]
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1


@pytest.mark.parametrize("name, expected", [
    ("John Suspect", ("John", "Suspect")), ("Una Known", ("Una", "Known")), ("Kay", ("Kay", None)),
    ("Ng", ("Ng", None)), ("X Æ", ("X", "Æ")), ("Oneil", ("Oneil", None)), ("Suspect Oneil", ("Suspect", "Oneil")),
    ("Noah Name", ("Noah", "Name")), ("Kim No", ("Kim", "No")), ("Drew Smith", ("Drew", "Smith")),
    ("Misty Jones", ("Misty", "Jones")), ("Nobody Known", ("Nobody", "Known")), ("J. S.", ("J.", "S.")),
    ("JS", ("JS", None)), ("J.S.", ("J", "S")), ("DR", ("DR", None)),  # dotted: initials J, S (heldout5)
    ("MR", ("MR", None)), ("MRS", ("MRS", None)),          # alone in capitals: perhaps initials
    ("Withers", ("Withers", None)), ("Nameer Fauxley", ("Nameer", "Fauxley")), ("Personne Male", ("Personne", "Male")),
])
def test_real_names_in_a_whole_name_column_stay(fixture_config_dir, tmp_path, name, expected):
    got, _ = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]


@pytest.mark.parametrize("forename, surname, expected", [
    ("John", "Suspect", ("John", "Suspect")), ("Una", "Known", ("Una", "Known")), ("Kay", "", ("Kay", None)),
    ("", "Ng", (None, "Ng")), ("X", "Æ", ("X", "Æ")), ("", "Oneil", (None, "Oneil")), ("J.", "S.", ("J.", "S.")),
    ("No", "", ("No", None)), ("Name", "Smith", ("Name", "Smith")), ("Kim", "No", ("Kim", "No")),
    ("Suspect", "Oneil", ("Suspect", "Oneil")), ("MR", "", ("MR", None)), ("Drew", "Withers", ("Drew", "Withers")),
    ("Unknown", "Smith", (None, "Smith")), ("Unknown", "A", (None, "A")),     # as in session 11
])
def test_real_names_split_over_the_name_columns_stay(fixture_config_dir, tmp_path, forename, surname, expected):
    got, _ = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [expected]


@pytest.mark.parametrize("name, expected", [
    ("Mr Smith", (None, "Smith")), ("MR SMITH", (None, "SMITH")), ("Mrs. Jones", (None, "Jones")),
    ("Mister Softee", (None, "Softee")), ("Mr John Smith", ("John", "Smith")), ("Dr Jane FAUXLEY", ("Jane", "FAUXLEY")),
    ("SMITH, Mr", (None, "SMITH")), ("SMITH, Mr John", ("John", "SMITH")), ("Van Dyke, Mrs", (None, "Van Dyke")),
])
def test_a_title_is_no_forename_and_one_word_after_it_is_a_surname(fixture_config_dir, tmp_path, name, expected):
    # an offenders block reads a lone word as a forename: after a title it is the surname all the same
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]
    assert not [i for i in m.issues if i.code in ("bad_name", "single_name")]


@pytest.mark.parametrize("forename, surname, expected", [
    ("Mr", "Smith", (None, "Smith")), ("Mrs", "Jones", (None, "Jones")), ("Mr John", "Smith", ("John", "Smith")),
    ("", "Mr Smith", (None, "Smith")), ("Dr.", "Fauxley", (None, "Fauxley")),
])
def test_a_title_in_the_name_columns_is_dropped(fixture_config_dir, tmp_path, forename, surname, expected):
    got, _ = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [expected]


def test_initials_columns_keep_initials_that_look_like_titles_or_placeholders(fixture_config_dir, tmp_path):
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      initials: Initials\n"
            "      age: Age\n")
    rows = [["Ref", "Initials", "Age"], ["R1", "J. S.", "14"], ["R2", "JS", "15"], ["R3", "J.S.", "14"],
            ["R4", "MR", "15"], ["R5", "M.X.", "15"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [r["initials"] for r in m.records["victims"]] == ["JS", "JS", "JS", "MR", "MX"]


def test_suspect_one_rows_are_offender_records_with_no_name_and_the_rows_reconcile(fixture_config_dir, tmp_path):
    """A return's "Suspect One" rows: offenders with no name (no longer one man called Suspect One in
    every return); with an age each is still a record; without one, skipped with the reason an
    "Unknown male" row gets (an unnamed person with nothing else, unnamed_no_detail since session 15).
    Nothing is lost: landed = accepted + skipped."""
    names = ["Suspect One", "Dave Fauxley", "Suspect Two", "Mr X", "Unknown male"]
    ages = ["30", "41", "", "", ""]
    rows = [["Ref", "Name", "Age", "Sex"]] + [[f"R{i}", n, a, "M"] for i, (n, a) in enumerate(zip(names, ages, strict=True))]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % "", rows)
    got = [(r["row_number"], r.get("forename"), r.get("surname")) for r in m.records["offenders"]]
    assert got == [(2, None, None), (3, "Dave", "Fauxley")]
    skipped = sorted((i.row_number, i.code) for i in m.issues if i.severity == "skipped")
    assert skipped == [(4, "unnamed_no_detail"), (5, "unnamed_no_detail"), (6, "unnamed_no_detail")]
    assert m.rows_landed == 5 and m.rows_rejected == 0
    assert m.rows_landed == len(m.records["offenders"]) + len(skipped)


def test_no_name_is_a_list_in_unknown_yaml(fixture_config_dir):
    from cse_audit.config import ConfigError, load_config

    path = fixture_config_dir / "codes" / "unknown.yaml"
    text = path.read_text()
    assert "no_name:" in text
    path.write_text(text[:text.index("no_name:")] + "no_name: withheld\n")
    with pytest.raises(ConfigError) as exc:
        load_config(fixture_config_dir)
    assert "unknown.yaml" in str(exc.value) and "no_name" in str(exc.value)


def test_a_no_name_text_the_configuration_adds_is_read_in_one_cell_and_across_cells(fixture_config_dir, tmp_path):
    # the list is data: a text the project never shipped works in both places (the scan finds its
    # first word, translate.scans)
    path = fixture_config_dir / "codes" / "unknown.yaml"
    path.write_text(path.read_text().replace('no_name: ["no name",', 'no_name: ["zzname gone", "no name",'))
    got, _ = _whole(fixture_config_dir, tmp_path, ["ZZName Gone", "Zzname Fauxley"])
    assert got == [(None, None), ("Zzname", "Fauxley")]
    got, _ = _parts(fixture_config_dir, tmp_path, [("Zzname", "gone"), ("Zzname", "Fauxley")])
    assert got == [(None, None), ("Zzname", "Fauxley")]


def test_placeholders_read_one_text_at_a_time_too(fixture_config_dir, tmp_path):
    # first_of translates each column's texts without the whole-column scan (_Translator.many)
    text = ("name: t\nsheets:\n  offenders:\n    columns:\n      case_ref: Ref\n"
            "      name: {first_of: [{column: Name, parse: name}, {column: Alias, parse: name}]}\n"
            "      age: {column: Age, parse: age}\n")
    rows = [["Ref", "Name", "Alias", "Age"], ["R1", "Suspect One", "", "30"], ["R2", "", "Name withheld", "31"],
            ["R3", "SMITH, Mr", "", "32"], ["R4", "Una Known", "", "33"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [
        (None, None), (None, None), (None, "SMITH"), ("Una", "Known")]


@pytest.mark.parametrize("name", [
    # session 13 review: a placeholder with the suspect's description in brackets; read as a name it
    # was forename "Suspect", surname "male)": every such suspect of every return one man
    "Suspect 1 (Asian male)", "Suspect 2 (white male)", "Offender A (Asian male)", "Male 1 (unknown)",
    "Unknown male (Asian)",
    # a title before a no_name text, and a no_name text twice (a forename and a surname cell joined)
    "Mr Withheld", "Mr No Name", "Mrs. Name withheld", "Withheld Withheld", "Redacted Redacted",
    "Not disclosed Not disclosed",
])
def test_a_described_titled_or_doubled_placeholder_is_no_name(fixture_config_dir, tmp_path, name):
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [(None, None)]
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1


@pytest.mark.parametrize("forename, surname", [("Suspect 1", "(Asian male)"), ("Suspect", "1 (white male)"),
                                               ("Offender A", "(Asian male)")])
def test_a_described_placeholder_over_the_name_columns_is_no_name(fixture_config_dir, tmp_path, forename, surname):
    got, m = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [(None, None)]
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1


@pytest.mark.parametrize("name, expected", [
    ("John Smith (Asian male)", None), ("Suspect 1 (John Smith)", ("John", "Smith")),
    ("Unknown male (aka Baz Fauxley)", ("Baz", "Fauxley")), ("Suspect 2 (known as: Baz Fauxley)", ("Baz", "Fauxley")),
    ("Unknown male (a.k.a. Baz Fauxley)", ("Baz", "Fauxley")), ("Suspect 3 (Akash Fauxley)", ("Akash", "Fauxley")),
    ("Mr Withers", (None, "Withers")), ("Jon Withheld", ("Jon", "Withheld")), ("Withers Withers", ("Withers", "Withers")),
])
def test_names_next_to_described_or_doubled_placeholders_stay(fixture_config_dir, tmp_path, name, expected):
    got, _ = _whole(fixture_config_dir, tmp_path, [name])
    # a name with a description in brackets, or a name in brackets after a placeholder, is not
    # thrown away as a placeholder with a description is (None: some name, read as parse_name can)
    assert got != [(None, None)] if expected is None else got == [expected]


@pytest.mark.parametrize("name", ["A.N. Other", "A N Other", "AN Other", "Anon", "ANON.", "Refused", "Name refused"])
def test_the_usual_stand_ins_for_a_name_are_no_name(fixture_config_dir, tmp_path, name):
    # session 13 review: "A.N. Other" is the customary British stand-in for someone not named; read
    # as a name it was forename "Other", surname "A.N." (every such row one man), "Anon" and
    # "Refused" a forename each
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [(None, None)]
    assert m.rows_landed == 1 and len(m.records["offenders"]) == 1
    got, _ = _parts(fixture_config_dir, tmp_path, [(name, "")])
    assert got == [(None, None)]


@pytest.mark.parametrize("name, expected", [("Anona Fauxley", ("Anona", "Fauxley")), ("A Fauxley", ("A", "Fauxley")),
                                            ("Ann Other", ("Ann", "Other")), ("Refusal", ("Refusal", None))])
def test_names_like_the_stand_ins_stay(fixture_config_dir, tmp_path, name, expected):
    got, _ = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]


@pytest.mark.parametrize("name, expected", [
    # session 13 review: words in brackets after a whole name were its last word: surname "male)",
    # "(deceased)", "Baz)": a real surname lost, and one shared by every row so written
    ("John Fauxley (Asian male)", ("John", "Fauxley")), ("Dave Fauxley (deceased)", ("Dave", "Fauxley")),
    ("Jane Fauxley (aka Baz)", ("Jane", "Fauxley")), ("John (Jonny) Fauxley", ("John", "Fauxley")),
    ("FAUXLEY (deceased), Dave", ("Dave", "FAUXLEY")),
    # a bracket that may hold the name itself stays as it was read
    ("Jane (Fauxley)", ("Jane", "(Fauxley)")),
])
def test_words_in_brackets_after_a_name_are_not_its_surname(fixture_config_dir, tmp_path, name, expected):
    got, _ = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]
