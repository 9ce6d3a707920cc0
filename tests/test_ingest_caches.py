"""Session 9 of issue 21: date translations kept across columns and returns, record id keys
checked on the Python lists, constant columns made as such, registry patterns worked out once.
Each shortcut is compared with the way it replaced, on values chosen to tell them apart."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cse_audit.config import ColumnSpec
from cse_audit.ingest import rows, translate
from cse_audit.ingest.records import MappedReturn
from cse_audit.ingest.translate import _known, _Translator
from cse_audit.ingest.values import parse_date

from .test_fast_paths import AWKWARD

DATES = AWKWARD + [
    "05/04/29", "05/04/30", "05/04/09", "12/11/10", "11/12/10", "29/02/2000", "29/02/1900", "29/02/2001",
    "01.13.2009", "13.01.2009", "3654", "3653", "40179.5", "73050", "73051", "2009-04-03T10:30", "May-08",
    "March 2010", "Sept 2010", "Sep 2010", "Septem 2010", "05/2008", "13/2008", "1st May 09", "31st Feb 09",
    "\u00a005/04/29", "05/04/29\u3000", "\x1c05/04/29", "０５/０４/２９", "05/04/2९",
]
# Two translators of one field that must not share translations: style and pivot both matter.
DATE_SPECS = [
    ColumnSpec(headers=("Date",)),
    ColumnSpec(headers=("Date",), dates="monthfirst"),
    ColumnSpec(headers=("Date",), pivot=10),
    ColumnSpec(headers=("Date",), dates="monthfirst", pivot=40),
    ColumnSpec(headers=("Date",), dates="iso"),
]


def _reference(translator: _Translator, texts: list[str]) -> dict:
    """Each text translated on its own, the way without any cache (_translate calls parse_date)."""
    return {t: translator._translate(t) for t in texts}


@pytest.fixture(autouse=True)
def _cold_date_cache(monkeypatch):
    monkeypatch.setattr(translate, "_DATE_CACHE", {})


def test_date_translations_kept_across_columns_agree_with_each_text_on_its_own(fixture_config):
    agency = next(iter(fixture_config.agencies.values()))
    texts = DATES + [t.upper() for t in DATES] + [f" {t}\t" for t in DATES]
    for rounds in range(2):  # cold, then every text remembered
        for field in ("case_date", "dob"):
            for spec in DATE_SPECS:
                translator = _Translator(field, spec, fixture_config, agency)
                assert translator.fast is not None  # the cached path is the one under test
                got = translator.many(set(texts))
                want = _reference(translator, sorted(set(texts)))
                assert got == want, (field, spec, rounds)
    # one cache per style, pivot and whether an age may stand for the date (a date of birth's), each
    # text once
    pivot = fixture_config.settings.two_digit_year_pivot
    assert {k for k in translate._DATE_CACHE} == {(style, p, ages) for style, p in (
        ("dayfirst", pivot), ("monthfirst", pivot), ("dayfirst", 10), ("monthfirst", 40), ("iso", pivot))
        for ages in (False, True)}


def test_the_date_cache_tells_styles_and_pivots_apart(fixture_config):
    """The same text, first seen by one translator, then by others: each gets its own reading
    (a cache keyed by the text alone would hand the first reading to all)."""
    agency = next(iter(fixture_config.agencies.values()))
    day, month, pivot10 = (_Translator("case_date", spec, fixture_config, agency) for spec in DATE_SPECS[:3])
    for t in (day, month, pivot10):
        t.many({"05/04/29", "12/11/10"})
    assert day.many({"05/04/29"})["05/04/29"][0] == dt.date(2029, 4, 5)
    assert month.many({"05/04/29"})["05/04/29"][0] == dt.date(2029, 5, 4)
    assert pivot10.many({"05/04/29"})["05/04/29"][0] == dt.date(1929, 4, 5)


def test_the_date_cache_is_bounded_and_stays_right_when_it_starts_again(fixture_config, monkeypatch):
    monkeypatch.setattr(translate, "_DATE_CACHE_MAX", 7)
    agency = next(iter(fixture_config.agencies.values()))
    translator = _Translator("dob", ColumnSpec(headers=("DOB",)), fixture_config, agency)
    for _ in range(3):
        assert translator.many(set(DATES)) == _reference(translator, DATES)
        assert all(len(c) <= 7 for c in translate._DATE_CACHE.values())


def test_date_translation_is_parse_date_where_quick_date_says_nothing():
    for text in DATES:
        s = text.strip()
        for style in ("dayfirst", "monthfirst", "iso"):
            value, extra, problem = translate.date_translation(s, style, 30)
            assert extra is None
            assert (value, problem) == parse_date(s, style, 30), (text, style)
            assert _known(value, extra) == (value is not None)


# -- record id keys ---------------------------------------------------------------------------

KEYS = [  # (sheet, row, group) rows of one table; some give one record id twice
    [("Victims", 2, None), ("Victims", 3, None)],
    [("Victims", 2, None), ("Victims", 2, None)],
    [("Victims", 2, "1"), ("Victims", 2, "2"), ("Victims", 2, None)],
    [("Victims", 2, "1"), ("Victims", 2, "1")],
    [("A:5:g7", 3, None), ("A", 5, "7:3")],          # the same text, "A:5:g7:3", from different parts
    [("a:1", 2, None), ("a", 12, None)],
    [("a:1", 2, None), ("a", 1, None)],
    [("S", 1, "1:g2"), ("S", 1, "1:g2")],
    [(None, 1, None), (None, 2, None)],               # no sheet: Arrow keys both as null
    [("S", 1, ""), ("S", 1, None)],
    [("Ünïcödé", 10, None), ("Ünïcödé", 10, "x")],
]


def _mapped(keys: list[tuple]) -> MappedReturn:
    out = MappedReturn()
    out.add("victims", {"sheet": [k[0] for k in keys], "row_number": [k[1] for k in keys],
                        "column_group": [k[2] for k in keys], "forename": ["A"] * len(keys)})
    return out


def _old_verdict(keys: list[tuple]):
    """What the Arrow check alone says (the code before the Python shortcut)."""
    import pyarrow as pa

    frame = pa.table({"sheet": pa.array([k[0] for k in keys], pa.string()),
                      "row_number": pa.array([k[1] for k in keys], pa.int32()),
                      "column_group": pa.array([None if k[2] is None else str(k[2]) for k in keys], pa.string())})
    try:
        rows._check_unique_ids(frame, "victims")
    except duckdb.ConstraintException as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("keys", KEYS, ids=range(len(KEYS)))
def test_record_id_keys_checked_on_the_lists_agree_with_the_arrow_check(fixture_config, keys):
    agency = fixture_config.agency_list[0]
    cols = _mapped(keys).columns["victims"]
    want = _old_verdict(keys)
    if rows._unique_ids(cols, len(keys)):
        assert want is None  # the shortcut may only ever say "distinct" when the ids are
    try:
        rows.arrow_tables(_mapped(keys), agency)
        got = None
    except duckdb.ConstraintException as exc:
        got = str(exc)
    assert got == want


def test_constant_and_absent_columns_are_what_lists_would_give(fixture_config):
    import pyarrow as pa

    agency = fixture_config.agency_list[0]
    mapped = _mapped([("Victims", 2, None), ("Victims", 3, "2")])
    table = rows.arrow_tables(mapped, agency)["victims"]
    assert table["agency_id"].to_pylist() == [agency.id] * 2
    assert table["source_type"].to_pylist() == [agency.source_type] * 2
    assert table["force_area"].to_pylist() == [agency.force_area] * 2
    assert table["dob"].type == pa.date32() and table["dob"].to_pylist() == [None, None]
    assert table["age_max"].type == pa.int32() and table["surname"].null_count == 2
    assert table["column_group"].to_pylist() == [None, "2"]
    assert rows._constant(None, 3).to_pylist() == [None] * 3
    assert rows._constant(None, 3).type == pa.string()


# -- registry patterns ------------------------------------------------------------------------

def test_registry_patterns_worked_out_once_match_as_before(fixture_config):
    import fnmatch
    import importlib

    discover = importlib.import_module("cse_audit.ingest.discover")  # (the package exports a function of that name)

    def old_hit(name, key, pat):
        if fnmatch.fnmatchcase(name.lower(), pat.lower()) or fnmatch.fnmatchcase(key, discover.pattern_key(pat)):
            return len(discover.pattern_key(pat).replace("*", "").replace("?", "").strip())
        return None

    names = ["Barsetshire Children's Services CSE return.csv", "BARSETSHIRE childrens SERVICES.xlsx",
             "CEOP return - Kestrel House.csv", "ceop_return_kestrel_house.CSV", "İstanbul.xlsx", "x.csv",
             "North Yorkshire Police.xlsx", "Yorkshire.xlsx", "K\u212aestrel House.csv"]
    for name in names:
        key = discover.pattern_key(name)
        for agency in fixture_config.agency_list:
            for pat in agency.files:
                assert discover._pattern_hit(name.lower(), key, pat) == old_hit(name, key, pat), (name, pat)
