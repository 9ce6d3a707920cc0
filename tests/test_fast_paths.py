"""The shortcuts taken for speed give exactly what the plain code gives.

Ingest translates whole columns at once (`_Translator.many`), reads ISO and day-first dates
without regular expressions (`quick_date`), converts cells by type lookup and derives
initials per distinct name part. Each is checked against its scalar reference on awkward
values: unknown tokens in odd dress, Unicode digits and spaces, impossible dates.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cse_audit import ingest
from cse_audit.config import ColumnSpec
from cse_audit.ingest import pipeline
from cse_audit.ingest.mapping import _initials, map_return
from cse_audit.ingest.readers import Sheet, cell_text
from cse_audit.ingest.translate import _Translator
from cse_audit.ingest.values import initials_of, parse_date, quick_date

AWKWARD = [
    "", " ", "\t", "\u00a0", "\u2003Unknown\u2003", "Unknown", "UNKNOWN", " unknown ", "N/K", "n.k.", "N-A", "n/a",
    "N/A.", "NA", "Not known", "not-known", "NOT_KNOWN", "Not  Known", "tbc", "T.B.C", "TBC?", "None recorded",
    "none", "ns", "unk", "Ｕｎｋｎｏｗｎ", "ＮＡ", "K\u212a", "nk1", "-", "?", "0", "1", "14", "14 yrs", "14.0", "1e3",
    "2009-04-03", " 2009-04-03 ", "2009-4-3", "2009-02-31", "0000-01-01", "9999-12-31", "2009-04-03 10:30",
    "03/04/2009", "3/4/2009", "03.04.2009", "03-04-2009", "03/04-2009", "31/02/2009", "00/00/0000", "13/13/2009",
    "03/04/09", "03/04/29", "03/04/30", "٠٣/٠٤/٢٠٠٩", "２００９-０４-０３", "2009-04-0３", "40000", "73050", "73051",
    "3 April 2009", "3rd Apr 09", "SMITH, Jane", "Jane SMITH", "Jane Smith", "Smith", ", Jane", "SMITH,", "O'Neil, Ann",
    "Ann-Marie DE LA CRUZ", "J.S.", "JS", "j s", "ABCDE", "AB/12/34567", "LAN/2009/04/0012", "W1", "IC1", "A4",
    "White British", "Mixed - Other", "Y", "N", "yes", "no", "Female", "M", "=1+1", "\x00", "é£", "Ñandú, José",
    "ÉMILE Zola", "ß", "ﬁona FLYNN", "\u0130stanbul", "x" * 40,
]

FIELDS = [  # field, column spec: one of each path through _Translator._translate
    ("case_ref", ColumnSpec(headers=("Ref",))),
    ("record_ref", ColumnSpec(headers=("Ref",), unknown=("nil", "-"))),
    ("forename", ColumnSpec(headers=("Forename",))),
    ("name", ColumnSpec(headers=("Name",), parse="name")),
    ("initials", ColumnSpec(headers=("Initials",))),
    ("case_date", ColumnSpec(headers=("Date",))),
    ("case_date", ColumnSpec(headers=("Date",), dates="iso")),
    ("case_date", ColumnSpec(headers=("Date",), dates="monthfirst", pivot=10)),
    ("dob", ColumnSpec(headers=("DOB",), dates="dayfirst")),
    ("age", ColumnSpec(headers=("Age",), parse="age")),
    ("sex", ColumnSpec(headers=("Sex",))),
    ("ethnicity", ColumnSpec(headers=("Ethnicity",))),
    ("missing_status", ColumnSpec(headers=("Missing",), derive="missing_from_episodes")),
    ("missing_episodes", ColumnSpec(headers=("Episodes",))),
]


def _translators(config):
    agency = next(iter(config.agencies.values()))
    return [_Translator(fname, spec, config, agency) for fname, spec in FIELDS]


@pytest.mark.parametrize("i", range(len(FIELDS)), ids=[f"{f}-{s.dates or s.parse or s.derive or ''}" for f, s in FIELDS])
def test_column_translation_agrees_with_one_value_at_a_time(i, fixture_config):
    translator = _translators(fixture_config)[i]
    texts = set(AWKWARD) | {t.upper() for t in AWKWARD} | {f" {t}\t" for t in AWKWARD}
    assert translator.many(texts) == {t: translator._translate(t) for t in texts}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.one_of(st.text(max_size=20), st.sampled_from(AWKWARD),
                         st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.dates().map(dt.date.isoformat)),
               max_size=20))
def test_column_translation_agrees_on_any_text(fixture_config, texts):
    for translator in _translators(fixture_config):
        assert translator.many(texts) == {t: translator._translate(t) for t in texts}


_QUICK_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_QUICK_DMY = re.compile(r"[0-9]{2}[/.-][0-9]{2}[/.-][0-9]{4}")


def _quick_expected(s: str, style) -> dt.date | None:
    """What quick_date must give, from its documented shapes: parse_date's date for a text of
    one of them (ASCII digits only), else None."""
    shaped = _QUICK_ISO.fullmatch(s) or (style != "iso" and _QUICK_DMY.fullmatch(s))
    return parse_date(s, style)[0] if shaped else None


@pytest.mark.parametrize("style", ["dayfirst", "monthfirst", "iso", None])
def test_quick_date_is_parse_date_or_nothing(style):
    generated = [f"{d:02d}/{m:02d}/{y}" for d in (0, 1, 12, 13, 29, 31, 32) for m in (0, 1, 2, 12, 13)
                 for y in (1900, 2000, 2009)]
    taken = 0
    for text in AWKWARD + generated:
        s = text.strip()
        quick = quick_date(s, style)
        assert quick == _quick_expected(s, style), text
        taken += quick is not None
    # counted by hand: day-first, the generated real dates are days 1, 12, 13 in months 1, 2, 12
    # (27), 29th in Jan and Dec (6) and 29 Feb 2000, 31st in Jan and Dec (6): 40; month-first,
    # months 1 and 12 with days 1, 2, 12, 13 in three years: 24. AWKWARD adds three ISO dates
    # (2009-04-03 twice, 9999-12-31) and four of 03?04?2009 (not for "iso").
    assert taken == {"dayfirst": 47, "monthfirst": 31, "iso": 3, None: 47}[style]


@given(st.text(alphabet="0123456789-/.٣２ ", min_size=8, max_size=12), st.sampled_from(["dayfirst", "monthfirst", "iso"]))
def test_quick_date_never_disagrees(text, style):
    assert quick_date(text, style) == _quick_expected(text, style)


def test_quick_date_takes_the_common_shapes():
    assert quick_date("2009-04-03") == dt.date(2009, 4, 3)
    assert quick_date("03/04/2009") == dt.date(2009, 4, 3)
    assert quick_date("03/04/2009", "monthfirst") == dt.date(2009, 3, 4)
    assert quick_date("03/04/2009", "iso") is None          # not ISO: parse_date says why
    assert quick_date("31/02/2009") is None                 # impossible: parse_date says why


def test_initials_per_distinct_part_agree_with_initials_of():
    parts = [None, "", " ", "Jane", " jane", "SMITH", "1st", "-Ann", "ßophie", "émile", "\u0130lker", "ǆ", "ﬁ",
             "\u00a0Ann", "\u2003\u2003x", "\x1cBea", "\t", " 1a", "\u0301e", "ǅ", "Ⅷ", "\ufeffZoe"]
    given_ = [None, "", "JS"]
    rows = [(g, f, s) for g in given_ for f in parts for s in parts]
    got = _initials([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    assert got == [g or initials_of(f, s) for g, f, s in rows]


@pytest.mark.parametrize("value, text", [
    (None, ""), ("x", "x"), (True, "TRUE"), (False, "FALSE"), (1.0, "1"), (0.0, "0"), (-3.0, "-3"), (1.5, "1.5"),
    (1e20, "100000000000000000000"), (0.1, "0.1"), (math.inf, "inf"), (5, "5"),
    (dt.date(2009, 4, 3), "2009-04-03"), (dt.datetime(2009, 4, 3), "2009-04-03"),
    (dt.datetime(2009, 4, 3, 10, 30), "2009-04-03 10:30:00"), (dt.time(10, 30), "10:30:00"),
    (dt.timedelta(days=1), "1 day, 0:00:00"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_mapping_reconciles_with_unknowns_and_first_of(fixture_config):
    """Blank, unknown and problem values through a whole sheet: every row accounted for once."""
    header = ["Case", "Referral date", "Forename", "Surname", "Initials", "DOB", "Age", "Sex", "Ethnicity",
              "Missing", "Looked after"]
    rows = [[a, b, c, "Smith", "", b, "14", "F", "W1", "", ""] for a, b, c in
            zip(AWKWARD, reversed(AWKWARD), AWKWARD[5:] + AWKWARD[:5], strict=True)]
    agency = fixture_config.agencies["ngo-fixture"]
    m = map_return([Sheet("csv", [header] + rows)], fixture_config.mappings["fixture-flat"], fixture_config,
                   agency, "x.csv")
    assert m.rows_landed == m.records_accepted + m.rows_rejected + m.rows_skipped
    assert m.count("victims") == m.records_accepted


def test_dropped_rows_keep_their_counts(fixture_config):
    from tests.conftest import RETURNS

    out = pipeline._prepare_one((RETURNS / "police_header_row5.xlsx", fixture_config, None, True))
    fresh = ingest.prepare(RETURNS / "police_header_row5.xlsx", fixture_config).mapped
    assert out.tables is not None and out.mapped.raw_rows == []
    for kind in ("cases", "victims", "offenders"):
        assert out.mapped.count(kind) == fresh.count(kind)
    assert out.mapped.issues == fresh.issues
    assert out.as_dict() == ingest.FileOutcome(out.file_name, out.path, out.status, out.agency_id, out.agency_name,
                                               out.source_type, out.mapping, mapped=fresh).as_dict()


def test_collector_is_back_on_after_a_file(fixture_config):
    from tests.conftest import RETURNS

    assert gc.isenabled()
    pipeline._prepare_one((RETURNS / "bad_binary.csv", fixture_config, None, True))
    assert gc.isenabled()


def test_store_threads_are_restored(store):
    before = store.execute("SELECT current_setting('threads')").fetchone()[0]
    with pytest.raises(RuntimeError), pipeline._one_thread(store):
        assert store.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        raise RuntimeError
    assert store.execute("SELECT current_setting('threads')").fetchone()[0] == before
