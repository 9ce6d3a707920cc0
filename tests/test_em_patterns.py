"""EM's agreement patterns counted in one query (linkage/empatterns.py) train the same m as
Splink's own EM sessions, which build a table of every pair's comparison vector first: on every
rule, with and without Splink's EM record sample."""

from __future__ import annotations

import dataclasses

import pytest

from cse_audit.linkage import empatterns
from cse_audit.linkage.model import _em_sessions

from .test_linkage_cost import _em_inputs, _m
from .test_linkage_prior import guard_store  # noqa: F401 - the fixture: a store with enough pairs for EM


def _same_m(got_model, want_model):
    for got, want in zip(_m(got_model), _m(want_model), strict=True):  # (None: a null level has no m)
        assert [g is None for g in got] == [w is None for w in want]
        assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None], rel=1e-9)


def _counted(monkeypatch):
    """Wrap empatterns' query builder to record what each session counted."""
    seen = []
    build = empatterns._pattern_counts_sqls

    def spy(session):
        sqls = build(session)
        seen.append(sqls)
        return sqls

    monkeypatch.setattr(empatterns, "_pattern_counts_sqls", spy)
    return seen


def _full_probe(monkeypatch):
    """Splink probes 1% of the records to size its EM sample: on a store this small that finds no
    pair and it would not sample; probe them all."""
    from splink.internals.linker_components.training import LinkerTraining

    em = LinkerTraining.estimate_parameters_using_expectation_maximisation

    def probed(self, rule, *args, **kwargs):
        return em(self, rule, *args, record_sample_proportion=1.0, **kwargs)

    monkeypatch.setattr(LinkerTraining, "estimate_parameters_using_expectation_maximisation", probed)


@pytest.mark.parametrize("max_pairs", [None, 3.0])
def test_em_on_pattern_counts_trains_the_m_splink_trains(guard_store, monkeypatch, max_pairs):  # noqa: F811
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    _full_probe(monkeypatch)
    cfg = dataclasses.replace(cfg, em_max_pairs=max_pairs)
    splinks = _em_sessions(records, model, cfg)
    seen = _counted(monkeypatch)
    with empatterns.em_on_pattern_counts():
        counted = _em_sessions(records, model, cfg)
    # every rule went through the one-query count (none fell back to Splink's vectors)
    assert len(seen) == len(cfg.em_blocking_rules) and all(s is not None for s in seen)
    if max_pairs is not None:  # Splink's record sample reached the query
        assert any("hash" in s[0][0].lower() for s in seen)
    assert _m(splinks) != _m(model)  # EM trained something
    _same_m(counted, splinks)
    # the patch is gone after the block: Splink's own path again (no pattern-count query, its m;
    # approx, as DuckDB's threaded sums of Splink's own runs differ in the last bits run to run)
    counted_queries = len(seen)
    _same_m(_em_sessions(records, model, cfg), splinks)
    assert len(seen) == counted_queries


def test_sampled_em_differs_from_em_on_every_pair(guard_store, monkeypatch):  # noqa: F811
    """The sampled case above is a real sample (else it would test nothing new)."""
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    _full_probe(monkeypatch)
    with empatterns.em_on_pattern_counts():
        every = _em_sessions(records, model, cfg)
        sampled = _em_sessions(records, model, dataclasses.replace(cfg, em_max_pairs=3.0))
    assert _m(every) != _m(sampled)


def test_a_rule_splink_explodes_keeps_splinks_vectors_counted(guard_store, monkeypatch):  # noqa: F811
    """A rule this module does not handle (here: every rule, forced) takes Splink's own vectors,
    counted afterwards: the same m again."""
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    want = _em_sessions(records, model, cfg)
    monkeypatch.setattr(empatterns, "_pattern_counts_sqls", lambda session: None)
    with empatterns.em_on_pattern_counts():
        got = _em_sessions(records, model, cfg)
    _same_m(got, want)
