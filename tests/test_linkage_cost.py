"""Speed-ups of the linkage that must not change a single score: each is checked against what
it replaces, on inputs chosen to hit every branch."""

from __future__ import annotations

import itertools

import duckdb
import pytest


@pytest.mark.parametrize("d", [0, 1, 2])
def test_guarded_damerau_levenshtein_level_equals_splinks(d):
    """The names' "close" level skips Damerau-Levenshtein where plain Levenshtein is over 2 d;
    it must give what Splink's own DamerauLevenshteinLevel gives on every pair, nulls included
    (transpositions, which are 2 Levenshtein edits but 1 Damerau-Levenshtein edit, above all)."""
    import splink.comparison_level_library as cll
    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage.comparisons import _damerau_levenshtein_within

    ours = _damerau_levenshtein_within(SplinkDialect.from_string("duckdb"), "fn", d)
    ours = ours.get_comparison_level("duckdb").sql_condition
    theirs = cll.DamerauLevenshteinLevel("fn", d).get_comparison_level("duckdb").sql_condition
    assert "levenshtein" in ours and ours != theirs
    names = [None, "", "jon", "ojn", "john", "jonh", "joan", "jo", "jonathan", "abcd", "badc", "bacd", "abdc",
             "dcba", "ab", "ba", "a", "aa", "smith", "smiht", "simth", "smyth", "mohammed", "muhammad"]
    con = duckdb.connect()
    con.execute("CREATE TABLE n (v VARCHAR)")
    con.executemany("INSERT INTO n VALUES (?)", [[v] for v in names])
    rows = con.execute(f"""
        SELECT fn_l, fn_r, {theirs} AS theirs, {ours} AS ours
        FROM (SELECT l.v AS fn_l, r.v AS fn_r FROM n l CROSS JOIN n r)""").fetchall()
    assert len(rows) == len(names) ** 2
    differ = [(a, b, t, o) for a, b, t, o in rows if t is not o]
    assert not differ
    # the inputs reach every branch: a pair within d only by a transposition, a pair the guard
    # skips, and a null
    assert any(t for a, b, t, _ in rows if a == "jon" and b == "ojn") == (d >= 1)
    assert any(t is None for *_, t, _ in rows)
    assert sum(1 for a, b in itertools.product(names[1:], repeat=2) if abs(len(a) - len(b)) > 2 * d) > 0
