"""Drafting (session 11, issue 16): a number word alone ("No.", "#", "S/N") as the case reference
where nothing better names one, a date the child was first seen as the case date (month-year values
such as "Mar-09" are dates), and forename or surname columns whose values are initials.

Files are built here with headers and values invented for each test (several variants), so no rule
leans on the held-out generators' spelling (bench/draft_blind.py scores those)."""

from __future__ import annotations

import pytest

from cse_audit import authoring as drafting
from cse_audit.authoring.profile import profile_column

from .test_draft import load_draft, records_of, specs, write_csv
from .test_draft_unseen import agency

INITIALS = ["JS", "A.B.", "KT", "L.M.", "RW", "DP"]


def _choice(d, kind, fname):
    return next(c for c in d.sheet(kind).columns if c.field == fname)


# -- a number word alone ---------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["No.", "#", "S/N", "Serial", "ID", "Number", "Row"])
def test_a_number_word_alone_is_the_case_reference_when_nothing_else_is(header, tmp_path, fixture_config):
    rows = [[str(i + 1), ini, str(13 + i % 4), "F"] for i, ini in enumerate(INITIALS)]
    path = write_csv(tmp_path, [header, "Initials", "Age", "Gender"], rows)
    d = drafting.draft_mapping(path, fixture_config)
    c = _choice(d, "victims", "case_ref")
    assert c.headers == [header] and c.confidence == "medium" and not c.todo
    assert "only reference" in " ".join(c.evidence)
    assert header not in [u[0] for u in d.sheet("victims").unmapped]
    # the draft loads, and each row is a case of its own, as a row with no reference is
    mapping = load_draft(d, tmp_path / "m", fixture_config)
    recs = records_of(path, mapping, fixture_config, agency())["victims"]
    assert [r["case_ref"] for r in recs] == [str(i + 1) for i in range(len(INITIALS))]


def test_a_number_word_alone_is_left_when_the_sheet_names_its_reference(tmp_path, fixture_config):
    rows = [[str(i + 1), f"CR/{100 + i}", ini, "14"] for i, ini in enumerate(INITIALS)]
    path = write_csv(tmp_path, ["No.", "Crime Ref", "Initials", "Age"], rows)
    d = drafting.draft_mapping(path, fixture_config)
    assert _choice(d, "victims", "case_ref").headers == ["Crime Ref"]
    assert "No." in [u[0] for u in d.sheet("victims").unmapped]


@pytest.mark.parametrize("header, values", [
    ("No.", ["Yes", "No", "Yes", "No", "No", "Yes"]),          # a yes/no column, not a reference
    ("Number", ["12/03/2009", "01/04/2009", "05/05/2010", "06/07/2010", "01/01/2011", "02/02/2011"]),
])
def test_a_number_word_over_values_that_are_not_references_is_not_the_reference(header, values, tmp_path,
                                                                                 fixture_config):
    rows = [[v, ini, "14"] for v, ini in zip(values, INITIALS, strict=True)]
    d = drafting.draft_mapping(write_csv(tmp_path, [header, "Initials", "Age"], rows), fixture_config)
    assert "case_ref" not in specs(d, "victims")


def test_two_number_words_alone_are_neither(tmp_path, fixture_config):
    rows = [[str(i + 1), f"{900 + i}", ini, "14"] for i, ini in enumerate(INITIALS)]
    d = drafting.draft_mapping(write_csv(tmp_path, ["No.", "ID", "Initials", "Age"], rows), fixture_config)
    assert "case_ref" not in specs(d, "victims")


def test_a_number_word_alone_on_an_offenders_sheet_is_not_a_case_reference(tmp_path, fixture_config):
    # a row count there would tie offender 1 to the case numbered 1 on the children's sheet
    rows = [[str(i + 1), f"Dave {s}", "34", "M"] for i, s in enumerate(["Fauxley", "Testwell", "Mockby"])]
    path = write_csv(tmp_path, ["No.", "Suspect name", "Suspect age", "Sex"], rows, name="suspects.csv")
    d = drafting.draft_mapping(path, fixture_config)
    assert d.sheets[0].kind == "offenders" and "case_ref" not in specs(d, "offenders")


# -- a date first seen -----------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["First seen", "Date first seen", "Date of first contact", "First contacted",
                                    "Month first referred", "First known to service"])
@pytest.mark.parametrize("values", [
    ["Mar-09", "Aug-08", "Jan-10", "Nov-09", "Feb-11", "Jun-10"],
    ["March 2009", "August 2008", "Jan 2010", "Sept 2009", "February 2011", "June 2010"],
    ["03/2009", "08/2008", "01/2010", "11/2009", "02/2011", "06/2010"],
    ["12/03/2009", "01/08/2008", "15/01/2010", "30/11/2009", "02/02/2011", "06/06/2010"],
])
def test_a_date_first_seen_is_the_case_date(header, values, tmp_path, fixture_config):
    rows = [[f"Y{i}", ini, "15", v] for i, (ini, v) in enumerate(zip(INITIALS, values, strict=True))]
    path = write_csv(tmp_path, ["Ref No", "Initials", "Age", header], rows)
    d = drafting.draft_mapping(path, fixture_config)
    c = _choice(d, "victims", "case_date")
    assert c.headers == [header] and c.confidence in ("high", "medium")
    mapping = load_draft(d, tmp_path / "m", fixture_config)
    recs = records_of(path, mapping, fixture_config, agency())["victims"]
    assert all(r["case_date"] is not None for r in recs)


def test_month_and_year_values_are_dates_to_the_profile():
    p = profile_column(["Mar-09", "March 2009", "03/2009", "Sept 2010", "Age 14", "Smith 12"], frozenset({""}))
    assert p.dates == 4


def test_first_words_that_are_not_a_date_are_not_the_case_date(tmp_path, fixture_config):
    # "First name" is a forename, and "First missing" is about being missing, whatever "first" says
    rows = [[f"Y{i}", n, "Yes"] for i, n in enumerate(["Amy", "Chloe", "Jade", "Lauren", "Hannah"])]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref No", "First name", "Ever missing"], rows), fixture_config)
    assert "case_date" not in specs(d, "victims") and specs(d, "victims")["forename"] == "First name"


# -- name-part columns holding initials ------------------------------------------------------------

@pytest.mark.parametrize("header", ["Forename", "First name", "Surname", "Given name"])
@pytest.mark.parametrize("values", [INITIALS, ["J.", "A.", "K.", "L.", "R.", "D."], ["J S", "a.b.", "KT", "L M", "RW", "D.P"]])
def test_a_name_part_column_of_initials_drafts_as_initials(header, values, tmp_path, fixture_config):
    rows = [[f"Y{i}", v, "15"] for i, v in enumerate(values)]
    path = write_csv(tmp_path, ["Ref No", header, "Age"], rows)
    d = drafting.draft_mapping(path, fixture_config)
    s = specs(d, "victims")
    assert s["initials"] == {"column": header, "parse": "initials"}
    assert "forename" not in s and "surname" not in s
    mapping = load_draft(d, tmp_path / "m", fixture_config)
    recs = records_of(path, mapping, fixture_config, agency())["victims"]
    assert all(r["forename"] is None and r["surname"] is None and r["initials"] for r in recs)


def test_a_forename_of_initials_beside_a_full_surname(tmp_path, fixture_config):
    surnames = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Khan"]
    rows = [[f"Y{i}", f"{v}.", s, "15"] for i, (v, s) in enumerate(zip("JAKLRD", surnames, strict=True))]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref No", "Forename", "Surname", "Age"], rows), fixture_config)
    s = specs(d, "victims")
    assert s["initials"] == {"column": "Forename", "parse": "initials"} and s["surname"] == "Surname"


def test_one_letter_forename_and_surname_columns_stay_name_parts(tmp_path, fixture_config):
    """"J" | "S": each is half of the initials; kept as forename and surname, ingest makes "JS"."""
    rows = [[f"Y{i}", a, b, "15"] for i, (a, b) in enumerate(zip("JAKLRD", "SBTMWP", strict=True))]
    path = write_csv(tmp_path, ["Ref No", "Forename", "Surname", "Age"], rows)
    d = drafting.draft_mapping(path, fixture_config)
    s = specs(d, "victims")
    assert s["forename"] == "Forename" and s["surname"] == "Surname" and "initials" not in s and not d.todos
    recs = records_of(path, load_draft(d, tmp_path / "m", fixture_config), fixture_config, agency())["victims"]
    assert [r["initials"] for r in recs] == ["JS", "AB", "KT", "LM", "RW", "DP"]


def test_upper_case_short_forenames_are_names_not_initials(tmp_path, fixture_config):
    rows = [[f"Y{i}", n, "SMITH", "15"] for i, n in enumerate(["AMY", "ZOE", "IAN", "JOHN", "MAY", "EVA"])]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref No", "Forename", "Surname", "Age"], rows), fixture_config)
    s = specs(d, "victims")
    assert s["forename"] == "Forename" and "initials" not in s
