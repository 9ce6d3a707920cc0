"""A school year where the age goes dates the pupil's birth to one academic year (session 21).

In England and Wales Year N holds the pupils born from 1 September to 31 August of one year. Read
as its age band (N + 4 to N + 5 at the case date) it bounded the birth to two years, so the
linkage took the record for an undated age (a wide interval) and fitted it to children born up to
a year outside the year group: in the seventh held-out world (a council's initials and "School
year" records against the police's named children with dates of birth) 52 of 105 false joins of
such pairs had the police child's date of birth outside the council record's academic year, and
none of the 369 true pairs did."""

from __future__ import annotations

import datetime as dt

import pytest

from cse_audit import store
from cse_audit.ingest.values import school_year_number
from cse_audit.linkage.features import _features
from cse_audit.linkage.groups import record_kinds
from cse_audit.linkage.settings import load_linkage_config

from .test_new_layouts import _map

EPOCH = dt.date(1970, 1, 1)


@pytest.mark.parametrize("text, number", [
    ("Year 10", 10), ("Yr 9", 9), ("Y8", 8), ("year ten", 10), ("NCY 7", 7), ("Reception", 0), ("Year 10/10", 10),
])
def test_the_number_of_one_school_year(text, number):
    assert school_year_number(text) == number


@pytest.mark.parametrize("text", ["S4", "P7", "Y10/11", "Year 10 (14)", "14", "14-15", "Year 2010", "Yes"])
def test_what_is_no_one_england_and_wales_school_year(text):
    """Scotland's S and P years (their year groups turn at March, not September), a pupil between
    two years and a year with the age beside it keep their age band; other ages are no year."""
    assert school_year_number(text) is None


def test_an_age_column_keeps_the_school_years_number_beside_its_band(fixture_config_dir, tmp_path):
    m = _map(fixture_config_dir, tmp_path, "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n"
             "      initials: Initials\n      age: {column: Age, parse: age}\n",
             [["Ref", "Initials", "Age"], ["R1", "AB", "Year 10"], ["R2", "CD", "14-15"], ["R3", "EF", "S4"],
              ["R4", "GH", "15"]])
    assert [(r["age"], r.get("age_max"), r.get("school_year")) for r in m.records["victims"]] == [
        (14, 15, 10), (14, 15, None), (14, 15, None), (15, None, None)]


def _birth_bounds(tmp_path, rows):
    """(bd_lo, bd_hi) as dates and the record kind of each (initials, age, age_max, school_year,
    case_date) victim record of one return."""
    con = store.connect(tmp_path / "s.duckdb")
    con.execute("INSERT INTO returns VALUES (1, 'a', 'lscb', 'f.xlsx', NULL, 'x', NULL, TIMESTAMP '2011-01-01', "
                "'current', false, 0, 0, 0, 0, 0)")
    for i, (ini, age, age_max, year, case) in enumerate(rows):
        con.execute("INSERT INTO victims (record_id, return_id, agency_id, source_type, row_number, initials, age, "
                    "age_max, school_year, case_date) VALUES (?, 1, 'a', 'lscb', ?, ?, ?, ?, ?, ?)",
                    [f"a:1:s:{i + 2}", i + 2, ini, age, age_max, year, case])
    table, _ = _features(con, "victims", load_linkage_config())
    lo, hi = table.column("bd_lo").to_pylist(), table.column("bd_hi").to_pylist()
    days = [(EPOCH + dt.timedelta(days=a), EPOCH + dt.timedelta(days=b)) for a, b in zip(lo, hi, strict=True)]
    return days, record_kinds(table).tolist()


def test_a_school_year_bounds_the_birth_to_one_academic_year(tmp_path):
    """Year 10 in March 2009 (school year 2008-09): born 1 September 1993 to 31 August 1994; in
    October 2009 (2009-10) a year later; Reception in July 2009: born 2003-04. A narrow interval,
    so a dated age (kind 5: initials with an age at a case date), not an undated one (6)."""
    days, kinds = _birth_bounds(tmp_path, [
        ("AB", 14, 15, 10, dt.date(2009, 3, 1)), ("CD", 14, 15, 10, dt.date(2009, 10, 15)),
        ("EF", 4, 5, 0, dt.date(2009, 7, 31))])
    assert days == [(dt.date(1993, 9, 1), dt.date(1994, 8, 31)), (dt.date(1994, 9, 1), dt.date(1995, 8, 31)),
                    (dt.date(2003, 9, 1), dt.date(2004, 8, 31))]
    assert kinds == [5, 5, 5]


def test_a_school_year_without_a_case_date_spans_the_periods_school_years(tmp_path):
    """No case date: the reference period (1 January 2008 - 31 March 2011: school years 2007-08 to
    2010-11) dates it, so Year 10 is a pupil born from September 1992 to August 1996."""
    days, kinds = _birth_bounds(tmp_path, [("AB", 14, 15, 10, None)])
    assert days == [(dt.date(1992, 9, 1), dt.date(1996, 8, 31))]
    assert kinds == [6]


def test_an_age_band_still_bounds_the_birth_by_its_ages(tmp_path):
    """A band written as ages ("14-15") says the age at the case date, whatever school year: two
    years wide, as before."""
    days, _ = _birth_bounds(tmp_path, [("AB", 14, 15, None, dt.date(2009, 3, 1)), ("CD", 14, None, None,
                                                                                  dt.date(2009, 3, 1))])
    assert days == [(dt.date(1993, 3, 2), dt.date(1995, 3, 1)), (dt.date(1994, 3, 2), dt.date(1995, 3, 1))]
