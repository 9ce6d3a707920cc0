"""Speed-ups of the linkage that must not change a single score: each is checked against what
it replaces, on inputs chosen to hit every branch."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from .test_linkage_prior import guard_store  # noqa: F401 - the fixture: a store with enough pairs for EM


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


def _em_inputs(con):
    from cse_audit import linkage
    from cse_audit.linkage.engine import _splink_engine
    from cse_audit.linkage.features import _features
    from cse_audit.linkage.model import _build_model

    cfg = linkage.load_linkage_config()
    features, ids = _features(con, "victims", cfg)
    api, records = _splink_engine(features, cfg, False)
    return cfg, records, _build_model(api, records, cfg, len(ids), train=False)


def _m(model):
    return [[lv.get("m_probability") for lv in c["comparison_levels"]] for c in model["comparisons"]]


def test_em_max_pairs_above_a_rules_pairs_trains_on_every_pair_as_without_it(guard_store, monkeypatch):  # noqa: F811
    """em.max_pairs reaches each of Splink's EM sessions, and where a rule has fewer pairs than
    it (every data set but the largest) the m are those of EM on every pair."""
    import dataclasses

    from splink.internals.linker_components.training import LinkerTraining

    from cse_audit.linkage.model import _em_sessions

    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    cfg = dataclasses.replace(cfg, em_max_pairs=1e7)
    seen = []
    em = LinkerTraining.estimate_parameters_using_expectation_maximisation

    def spy(self, rule, *args, **kwargs):
        seen.append(kwargs.get("max_pairs"))
        return em(self, rule, *args, **kwargs)

    monkeypatch.setattr(LinkerTraining, "estimate_parameters_using_expectation_maximisation", spy)
    capped = _em_sessions(records, model, cfg)
    assert seen == [1e7] * len(cfg.em_blocking_rules)
    every = _em_sessions(records, model, dataclasses.replace(cfg, em_max_pairs=None))
    assert seen[len(cfg.em_blocking_rules):] == [None] * len(cfg.em_blocking_rules)
    assert _m(capped) != _m(model)  # EM trained something
    for got, want in zip(_m(capped), _m(every), strict=True):  # (None: a null level has no m)
        assert [g is None for g in got] == [w is None for w in want]
        assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None], rel=1e-9)
