"""A whole column translated at once (`_Translator.column`, issue 21) gives, row by row, what
translating each cell on its own gives: the value, whether it is known, the extra fields and the
problem. Free text that is already clean skips the per-text translations (`_as_themselves`); these
tests make sure that shortcut is taken only when it cannot change a value, and that the long way
agrees on awkward cells (Unicode spaces, casefolding, unknown tokens in odd dress, Excel serials,
impossible dates, empty cells)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cse_audit.config import ColumnSpec
from cse_audit.ingest.translate import _as_is, _as_themselves, _known, _Translator

from .test_fast_paths import AWKWARD, FIELDS

# More cells Python's str.strip / casefold treat in ways a byte-level rule would not.
ODD = ["\u00a0Smith", "Smith\u00a0", "\u2007x", "x\u202f", "\u3000", "\x1c", "a\x1fb", "\x1fref", "STRASSE", "Straße",
       "straße", "ǅ", "\u0130", "I\u0307", "ﬀ", "Ω", "\u2126", "\ufeffREF1", "REF 1", "REF  1", "0", "00", "3654",
       "3653", "40179", "40179.0", "40179.5", "1e4", "-1", "", " ", "Unknown", "unknown", "U n k n o w n", "N\\A"]
SPECS = FIELDS + [
    ("case_ref", ColumnSpec(headers=("Ref",), unknown=("REF1", "nil"), unknown_replace=True)),
    ("forename", ColumnSpec(headers=("Forename",), unknown=("x",), unknown_replace=True)),
]


def _translators(config):
    agency = next(iter(config.agencies.values()))
    return [_Translator(fname, spec, config, agency) for fname, spec in SPECS]


def _one_at_a_time(translator, column):
    """What each row's cell gives translated on its own (the reference for column())."""
    results = [translator._translate(t) for t in column]
    keys = sorted({k for _, extra, _ in results if extra for k in extra})
    return ([r[0] for r in results], [_known(r[0], r[1]) for r in results],
            {k: [(r[1] or {}).get(k) for r in results] for k in keys},
            {t: r for t, r in zip(column, results, strict=True) if r[2]})


def _check(translator, column):
    chosen, settled, extras, bad = translator.column(tuple(column))
    want = _one_at_a_time(translator, column)
    assert (chosen, settled, {k: extras[k] for k in sorted(extras)}, bad) == want
    assert len(chosen) == len(settled) == len(column)


@pytest.mark.parametrize("i", range(len(SPECS)), ids=[f"{f}-{s.dates or s.parse or s.derive or ''}"
                                                      f"{'-replace' if s.unknown_replace else ''}" for f, s in SPECS])
def test_column_agrees_with_each_cell_on_its_own(i, fixture_config):
    translator = _translators(fixture_config)[i]
    cells = AWKWARD + ODD
    column = cells + [c.upper() for c in cells] + [f" {c}\t" for c in cells] + cells[::3]  # repeats too
    _check(translator, column)
    _check(translator, [])


@pytest.mark.parametrize("replace", [False, True], ids=["global-tokens", "replace-tokens"])
def test_clean_free_text_is_its_own_value_and_anything_else_goes_the_long_way(fixture_config, replace):
    translator = next(t for t in _translators(fixture_config) if t.fname == "case_ref"
                      and t.spec.unknown_replace == replace)
    assert translator.fast is _as_is
    clean = ["AB/12/34567", "LAN/2009/04/0012", "x" * 40, "Ref 7", "Straße 1", "ǅ"]
    assert _as_themselves(set(clean), translator.unknown, translator.not_unknown)
    _check(translator, clean * 3)
    # one cell that is not its own value sends the whole column the long way, and still agrees
    for odd in ["REF1", "ref1", " AB/1", "AB/1 ", "\u00a0AB/1", "AB/1\x1c", "N/K", "n.k.", "Unknown", "UNKNOWN", "", "Ｕｎｋｎｏｗｎ",
                "K\u212a"]:
        column = clean + [odd]
        # "Unknown" is not known even where it is no unknown token (a `replace` list without it)
        if odd.strip() != odd or odd == "Unknown" or translator._translate(odd)[0] != odd:
            assert not _as_themselves(set(column), translator.unknown, translator.not_unknown), repr(odd)
        _check(translator, column)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(AWKWARD + ODD),
                          st.text(alphabet="ABCDEFGHIJ/0123456789 ", min_size=1, max_size=10)), max_size=30))
def test_column_agrees_on_any_cells(fixture_config, column):
    for translator in _translators(fixture_config):
        _check(translator, column)
