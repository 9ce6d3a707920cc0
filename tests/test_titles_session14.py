"""Issue 16 follow-ups (session 14): titles before a name (Sir, Prof, Revd, Rev, Dr, Mx, Master, Dame,
Lord, Lady), an all-caps title alone in the forename cell ("MR" + "SMITH"), two people under two
titles ("Mr & Mrs Smith") and several unnamed people in one cell ("Persons unknown x3"). Names that are
also titles stay names ("Ann Sir", "John Lord"). Names here are made up."""

from __future__ import annotations

import pytest

from .test_placeholder_names import _whole
from .test_single_names import _parts


@pytest.mark.parametrize("name, expected", [
    ("Sir John Fauxley", ("John", "Fauxley")), ("Prof Jane Fauxley", ("Jane", "Fauxley")),
    ("Professor Jane Fauxley", ("Jane", "Fauxley")), ("Revd John Fauxley", ("John", "Fauxley")),
    ("Rev John Fauxley", ("John", "Fauxley")), ("Rev. John Fauxley", ("John", "Fauxley")),
    ("Reverend John Fauxley", ("John", "Fauxley")), ("Dr John Fauxley", ("John", "Fauxley")),
    ("Mx Fauxley", (None, "Fauxley")), ("Mx Sam Fauxley", ("Sam", "Fauxley")), ("MX FAUXLEY", (None, "FAUXLEY")),
    ("Master John Fauxley", ("John", "Fauxley")), ("Master Fauxley", (None, "Fauxley")),
    ("Dame Ann Fauxley", ("Ann", "Fauxley")), ("Lord John Fauxley", ("John", "Fauxley")),
    ("Lady Ann Fauxley", ("Ann", "Fauxley")), ("Lady Fauxley", (None, "Fauxley")), ("Prof. Fauxley", (None, "Fauxley")),
    ("FAUXLEY, Revd John", ("John", "FAUXLEY")), ("FAUXLEY, Sir John", ("John", "FAUXLEY")),
    ("Mx", (None, None)), ("Revd", (None, None)),
])
def test_a_title_before_a_name_is_no_forename(fixture_config_dir, tmp_path, name, expected):
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]
    assert not [i for i in m.issues if i.code in ("bad_name", "single_name")]


@pytest.mark.parametrize("name, expected", [
    # a title that is also a surname stays one after a forename, or alone (a lone word: single_word)
    ("Ann Sir", ("Ann", "Sir")), ("John Rev", ("John", "Rev")), ("Ann Dame", ("Ann", "Dame")),
    ("John Lord", ("John", "Lord")), ("John Master", ("John", "Master")), ("Jane Lady", ("Jane", "Lady")),
    ("Lord", ("Lord", None)), ("Sir", ("Sir", None)), ("Dame", ("Dame", None)), ("Rev", ("Rev", None)),
    ("LORD, John", ("John", "LORD")), ("Sirius Fauxley", ("Sirius", "Fauxley")), ("Lordan Fauxley", ("Lordan", "Fauxley")),
    ("Mxolisi Fauxley", ("Mxolisi", "Fauxley")), ("Revel Fauxley", ("Revel", "Fauxley")),
    ("Males", ("Males", None)), ("John Males", ("John", "Males")), ("Seven Fauxley", ("Seven", "Fauxley")),
    ("Tennant Boys", ("Tennant", "Boys")),
])
def test_names_that_are_also_titles_or_person_words_stay(fixture_config_dir, tmp_path, name, expected):
    got, _ = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected]


@pytest.mark.parametrize("forename, surname, expected", [
    # issue 16: an all-caps title alone in the forename cell beside a surname is a title
    ("MR", "FAUXLEY", (None, "FAUXLEY")), ("MRS", "FAUXLEY", (None, "FAUXLEY")), ("MS", "Fauxley", (None, "Fauxley")),
    ("DR", "Fauxley", (None, "Fauxley")), ("MX", "Fauxley", (None, "Fauxley")), ("Mx", "Fauxley", (None, "Fauxley")),
    ("Sir", "Fauxley", (None, "Fauxley")), ("Lord", "Fauxley", (None, "Fauxley")), ("Dame", "Fauxley", (None, "Fauxley")),
    ("Master", "Fauxley", (None, "Fauxley")), ("Revd John", "Fauxley", ("John", "Fauxley")),
    ("Prof Jane", "Fauxley", ("Jane", "Fauxley")),
    # alone on the row such a cell may be initials or a name: it stays
    ("MR", "", ("MR", None)), ("MRS", "", ("MRS", None)), ("Lord", "", ("Lord", None)),
    # titles that are surnames stay surnames
    ("Ann", "Sir", ("Ann", "Sir")), ("John", "Rev", ("John", "Rev")), ("Ann", "Dame", ("Ann", "Dame")),
    ("John", "Lord", ("John", "Lord")), ("", "Lord", (None, "Lord")), ("John", "Males", ("John", "Males")),
])
def test_titles_in_the_name_columns(fixture_config_dir, tmp_path, forename, surname, expected):
    got, _ = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [expected]


def _warned(m, code):
    return [(i.sheet, i.row_number, i.column_name, i.severity, i.value) for i in m.issues if i.code == code]


@pytest.mark.parametrize("name, expected", [
    ("Mr & Mrs Fauxley", (None, "Fauxley")), ("Mr and Mrs Fauxley", (None, "Fauxley")),
    ("MR & MRS FAUXLEY", (None, "FAUXLEY")), ("Mr/Mrs Fauxley", (None, "Fauxley")),
    ("Mr. & Mrs. John Fauxley", ("John", "Fauxley")), ("FAUXLEY, Mr & Mrs", (None, "FAUXLEY")),
])
def test_two_people_under_two_titles_are_one_record_with_a_warning(fixture_config_dir, tmp_path, name, expected):
    """Neither "&", "and" nor "Mrs" is a forename: one record with the name after the titles, and a
    `two_people` warning naming sheet, row and column (never the text: it holds a name)."""
    got, m = _whole(fixture_config_dir, tmp_path, [name])
    assert got == [expected] and m.rows_landed == 1 and len(m.records["offenders"]) == 1
    assert _warned(m, "two_people") == [("csv", 2, "Name", "warning", None)]
    assert all("fauxley" not in i.message.casefold() for i in m.issues)


@pytest.mark.parametrize("forename, surname", [("Mr & Mrs", "Fauxley"), ("Mr and Mrs", "Fauxley")])
def test_two_people_in_the_forename_cell(fixture_config_dir, tmp_path, forename, surname):
    got, m = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [(None, "Fauxley")]
    assert _warned(m, "two_people") == [("csv", 2, "First", "warning", None)]


SEVERAL = ["Persons unknown x3", "3 unknown males", "Unknown males (x2)", "Unknown male x2", "2 males",
           "Two unknown men", "Unknown males", "Asian males", "PERSONS UNKNOWN (X3)", "Suspects unknown x 4",
           "2 x unknown males", "3x Asian males"]


def test_several_unnamed_people_in_one_cell_are_one_record_with_a_warning(fixture_config_dir, tmp_path):
    """One record each (the mapping language makes one record of a row's name cell), no name, and a
    `several_unnamed` warning naming sheet, row and column (the count may be low); the rows reconcile."""
    names = SEVERAL + ["Unknown male 2", "Persons unknown", "1 unknown male", "1 x unknown male", "Dave Fauxley"]
    got, m = _whole(fixture_config_dir, tmp_path, names)
    assert got == [(None, None)] * (len(names) - 1) + [("Dave", "Fauxley")]
    assert _warned(m, "several_unnamed") == [("csv", r, "Name", "warning", None) for r in range(2, 2 + len(SEVERAL))]
    assert m.rows_landed == len(names) == len(m.records["offenders"]) and m.rows_rejected == 0


@pytest.mark.parametrize("forename, surname, column", [
    ("Persons unknown x3", "", "First"), ("3 unknown males", "", "First"), ("Unknown", "males (x2)", "Last"),
    ("", "Unknown males", "Last"),
])
def test_several_unnamed_people_over_the_name_columns(fixture_config_dir, tmp_path, forename, surname, column):
    got, m = _parts(fixture_config_dir, tmp_path, [(forename, surname)])
    assert got == [(None, None)] and len(m.records["offenders"]) == 1
    assert _warned(m, "several_unnamed") == [("csv", 2, column, "warning", None)]


@pytest.mark.parametrize("name, expected", [("LORD John", ("John", "LORD")), ("DAME Ann", ("Ann", "DAME")),
                                            ("MASTER Jane", ("Jane", "MASTER")), ("LORD JOHN", ("JOHN", "LORD"))])
def test_a_surname_in_capitals_before_the_forename_is_no_title(fixture_config_dir, tmp_path, name, expected):
    # "SMITH John" is surname Smith; "LORD John" is surname Lord, as written (not a peer called John).
    # All capitals say nothing; "LORD JOHN" is read as the column's order says (surname first here).
    from .test_new_layouts import _map
    from .test_single_names import OFFENDERS

    rows = [["Ref", "Name", "Age", "Sex"], ["R1", name, "30", "M"]]
    text = OFFENDERS % ", order: surname_first" if name.isupper() else OFFENDERS % ""
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [expected]


def test_a_surname_first_column_keeps_a_surname_that_is_a_title(fixture_config_dir, tmp_path):
    from .test_new_layouts import _map
    from .test_single_names import OFFENDERS

    rows = [["Ref", "Name", "Age", "Sex"], ["R1", "Lord John", "30", "M"], ["R2", "Mr Smith John", "31", "M"]]
    m = _map(fixture_config_dir, tmp_path, OFFENDERS % ", order: surname_first", rows)
    assert [(r.get("forename"), r.get("surname")) for r in m.records["offenders"]] == [("John", "Lord"),
                                                                                       ("John", "Smith")]
