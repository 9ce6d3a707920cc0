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


# Boundaries, with expected values written out by hand (not computed by the code's helpers).
# The two-digit-year pivot is 30 (configs/settings.yaml): "29" is 2029, "30" is 1930.
@pytest.mark.parametrize("text, pivot, expected", [
    ("31/12/29", 30, dt.date(2029, 12, 31)),    # one below the pivot: this century
    ("01/01/30", 30, dt.date(1930, 1, 1)),      # at the pivot: last century
    ("1 Jan 30", 30, dt.date(1930, 1, 1)),
    ("31 Dec 29", 30, dt.date(2029, 12, 31)),
    ("01/01/00", 30, dt.date(2000, 1, 1)),
    ("31/12/99", 30, dt.date(1999, 12, 31)),
    ("15/06/09", 10, dt.date(2009, 6, 15)),     # a mapping's own pivot
    ("15/06/10", 10, dt.date(1910, 6, 15)),
    ("15/06/00", 0, dt.date(1900, 6, 15)),      # pivot 0: every two-digit year is 19xx
    ("15/06/98", 99, dt.date(2098, 6, 15)),
    ("15/06/99", 99, dt.date(1999, 6, 15)),
])
def test_two_digit_years_at_the_pivot(text, pivot, expected):
    assert parse_date(text, "dayfirst", pivot) == (expected, None)


@pytest.mark.parametrize("year, expected", [("29", 2029), ("30", 1930), ("2030", 2030)])
def test_two_digit_year_in_a_reference_pattern(year, expected):
    import re

    from cse_audit.ingest.values import date_from_pattern

    pattern = re.compile(r"LAN/(?P<year>\d{2,4})/(?P<month>\d{2})")
    assert date_from_pattern(f"LAN/{year}/04/0012", pattern, 30) == (dt.date(expected, 4, 1), None)


def test_two_digit_years_through_a_configured_column(fixture_config):
    """The column translator (the path ingest takes, with its shortcuts) and the configured pivot."""
    from cse_audit.config import ColumnSpec
    from cse_audit.ingest.translate import _Translator

    assert fixture_config.settings.two_digit_year_pivot == 30
    agency = next(iter(fixture_config.agencies.values()))
    dob = _Translator("dob", ColumnSpec(headers=("DOB",), dates="dayfirst"), fixture_config, agency)
    got = dob.many({"31/12/29", "01/01/30", "1/1/30"})
    assert {t: v[0] for t, v in got.items()} == {"31/12/29": dt.date(2029, 12, 31), "01/01/30": dt.date(1930, 1, 1),
                                                 "1/1/30": dt.date(1930, 1, 1)}


# Excel's 1900 date system (after the 1900 leap day Excel wrongly keeps): day 0 is 30 Dec 1899, so
# serial 36526 is 1 Jan 2000. Only serials of plausible dates, 1 Jan 1910 to 31 Dec 2099, are dates
# (issue 24): any other bare number in a date column is an issue, never a 1900-01-xx date.
_EPOCH = dt.date(1899, 12, 30)
FIRST_SERIAL = (dt.date(1910, 1, 1) - _EPOCH).days     # 3654
LAST_SERIAL = (dt.date(2099, 12, 31) - _EPOCH).days    # 73050


@pytest.mark.parametrize("text, expected", [
    ("36526", dt.date(2000, 1, 1)),
    (str(FIRST_SERIAL), dt.date(1910, 1, 1)),
    (str(FIRST_SERIAL + 1), dt.date(1910, 1, 2)),
    (str(LAST_SERIAL), dt.date(2099, 12, 31)),
    (str(LAST_SERIAL - 1), dt.date(2099, 12, 30)),
    ("40000", dt.date(2009, 7, 6)),
    ("40000.75", dt.date(2009, 7, 6)),          # a time of day is dropped
])
def test_excel_serials_at_the_limits(text, expected):
    assert (FIRST_SERIAL, LAST_SERIAL) == (3654, 73050)
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", [str(FIRST_SERIAL - 1), str(LAST_SERIAL + 1), "61", "16", "0", "0.5", "100000"])
def test_numbers_outside_the_serial_range_are_not_dates(text):
    value, problem = parse_date(text)
    assert value is None and problem is not None and problem[0] == "bad_date"
    assert problem[1].startswith("a number that is not a plausible date (an Excel date serial of 1910-2099)")


@pytest.mark.parametrize("text, expected", [
    ("0", (0, None)), ("110", (110, None)), ("110.0", (110, None)), ("110 years", (110, None)),
    ("111", (None, ("bad_age", "an age over 110"))), ("999", (None, ("bad_age", "an age over 110"))),
    ("1000", (None, ("bad_age", "not a recognised age"))), ("-1", (None, ("bad_age", "not a recognised age"))),
    ("17-18", (17, None)), ("110-111", (110, None)),
])
def test_ages_at_the_limits(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("dob, on, expected", [
    (dt.date(2004, 2, 29), dt.date(2009, 2, 28), 4),    # a leap-day birthday comes on 1 March
    (dt.date(2004, 2, 29), dt.date(2009, 3, 1), 5),
    (dt.date(2004, 2, 29), dt.date(2008, 2, 29), 4),
    (dt.date(1995, 12, 31), dt.date(2009, 12, 30), 13),
    (dt.date(1995, 12, 31), dt.date(2009, 12, 31), 14),
    (dt.date(2009, 4, 3), dt.date(2009, 4, 3), 0),
    (dt.date(2009, 4, 3), dt.date(2009, 4, 2), None),   # a case dated before the birth
])
def test_age_at_boundaries(dob, on, expected):
    assert age_at(dob, on) == expected


@pytest.mark.parametrize(("text", "age", "upper"), [
    ("age 14", 14, None), ("Aged 15", 15, None), ("aged: 16", 16, None), ("AGE 14-15", 14, 15),
    ("approx 25", 25, None), ("approx. 25", 25, None), ("approximately 40", 40, None), ("c. 30", 30, None),
    ("ca 30", 30, None), ("circa 30", 30, None), ("about 40", 40, None), ("25 approx", 25, None),
    ("30ish", 30, None), ("~35", 35, None), ("12?", 12, None), ("approx 20s", 20, 29),
])
def test_an_age_with_words_around_it_is_the_age(text, age, upper):
    # charities and councils write "age 14" and "approx 25" (a third held-out world: these were
    # bad_age, so the record had no age at all)
    from cse_audit.ingest.values import parse_age_band
    assert parse_age(text) == (age, None)
    assert parse_age_band(text) == (age, upper, None)


@pytest.mark.parametrize("text", ["Age", "aged", "approx", "c25", "cat", "acne", "about", "ca"])
def test_words_alone_are_not_an_age(text):
    assert parse_age(text)[0] is None and parse_age(text)[1][0] == "bad_age"
