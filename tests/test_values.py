"""Single-value parsers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cse_audit.ingest.values import age_at, parse_age, parse_date, parse_initials, parse_name


@pytest.mark.parametrize("text, style, expected", [
    ("03/04/2009", "dayfirst", dt.date(2009, 4, 3)),
    ("03/04/2009", "monthfirst", dt.date(2009, 3, 4)),
    ("2009-04-03", "dayfirst", dt.date(2009, 4, 3)),
    ("2009-04-03 00:00:00", "dayfirst", dt.date(2009, 4, 3)),
    ("39906", "dayfirst", dt.date(2009, 4, 3)),
    ("39906.0", "dayfirst", dt.date(2009, 4, 3)),
    ("3.4.09", "dayfirst", dt.date(2009, 4, 3)),
    ("03/04/95", "dayfirst", dt.date(1995, 4, 3)),
    ("3 April 2009", "dayfirst", dt.date(2009, 4, 3)),
    ("03-Apr-2009", "dayfirst", dt.date(2009, 4, 3)),
])
def test_dates(text, style, expected):
    assert parse_date(text, style) == (expected, None)


@pytest.mark.parametrize("text, code", [("31/02/2009", "impossible_date"), ("soon", "bad_date"),
                                        ("13/13/2009", "impossible_date"), ("999999", "bad_date")])
def test_bad_dates_are_problems_not_guesses(text, code):
    value, problem = parse_date(text)
    assert value is None and problem[0] == code
    assert text not in problem[1]  # messages never repeat the value


@pytest.mark.parametrize("text, age", [("14", 14), ("14.0", 14), ("14 yrs", 14), ("15 years", 15),
                                       ("14-15", 14), ("16 yo", 16)])
def test_ages(text, age):
    assert parse_age(text) == (age, None)


def test_age_under_band_is_unknown_with_reason():
    assert parse_age("under 13")[0] is None
    assert parse_age("under 13")[1][0] == "age_band"


@pytest.mark.parametrize("text, parts", [("SMITH, Jane", ("Jane", "SMITH")), ("Jane Smith", ("Jane", "Smith")),
                                         ("Jane SMITH", ("Jane", "SMITH")), ("Jane Mary Smith", ("Jane", "Smith"))])
def test_names(text, parts):
    assert parse_name(text) == (parts, None)


def test_initials():
    assert parse_initials("J.S.") == ("JS", None)
    assert parse_initials("js") == ("JS", None)
    assert parse_initials("12")[0] is None


def test_age_at():
    assert age_at(dt.date(1995, 4, 3), dt.date(2009, 4, 2)) == 13
    assert age_at(dt.date(1995, 4, 3), dt.date(2009, 4, 3)) == 14


@given(st.text(max_size=40))
def test_parsers_never_crash(text):
    for parser in (parse_date, parse_age, parse_initials, parse_name):
        value, problem = parser(text)
        assert value is None or problem is None
