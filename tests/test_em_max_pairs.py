"""em.max_pairs (linkage.yaml): EM's sessions are trained on a record sample only where a rule has
more pairs than the cap (the [dob] rule at a million records: 155M pairs), so every smaller data
set is trained on every pair, exactly as with no cap (BENCHMARKS.md, session 16)."""

from __future__ import annotations

import dataclasses

from cse_audit import linkage
from cse_audit.linkage.model import _em_sessions

from .test_em_patterns import _full_probe, _same_m
from .test_linkage_cost import _em_inputs
from .test_linkage_prior import guard_store  # noqa: F401 - the fixture: a store with enough pairs for EM

# the most pairs an EM rule has on any data set with a truth to score it (the [dob] rule of
# `bench/linkage_quality.py --big`, hard-s40: 2.2M; the 100k scale-40 victims: 1.6M)
LARGEST_SCORED_EM_RULE = 2.2e6


def _sessions(monkeypatch):
    """Record each EM session's sampling decision (Splink's ``_sample_info``)."""
    from splink.internals.linker_components.training import LinkerTraining

    em = LinkerTraining.estimate_parameters_using_expectation_maximisation
    infos = []

    def spy(self, rule, *args, **kwargs):
        session = em(self, rule, *args, **kwargs)
        infos.append(session._sample_info)
        return session

    monkeypatch.setattr(LinkerTraining, "estimate_parameters_using_expectation_maximisation", spy)
    return infos


# each EM session's pairs in a first link of the 1M store (`synth --scale 400`; BENCHMARKS.md
# sessions 16 and 19): victims' ages rule, victims' [dob], offenders' [dob] (the names' rules: 0.2M)
PAIRS_AT_1M = (22.7e6, 155.4e6, 7.0e6)


def test_the_shipped_cap_is_set_and_leaves_every_scored_data_set_exact():
    cap = linkage.load_linkage_config().em_max_pairs
    assert cap is not None  # on: the [dob] rule at 1M is most of a first link's EM (session 16)
    assert cap >= 4 * LARGEST_SCORED_EM_RULE  # well clear of Splink's 1% probe's estimate


def test_the_shipped_cap_trains_the_1m_store_on_at_most_30m_pairs():
    """EM's cost is its pairs' comparisons: at 3.0e+7 the 1M store's sessions compared 60M pairs
    (100 of a 600 CPU-s first link); 1.0e+7 gives m as close to the truth's (session 19)."""
    cap = linkage.load_linkage_config().em_max_pairs
    assert sum(min(p, cap) for p in PAIRS_AT_1M) <= 3.0e7


def test_the_cap_samples_only_the_rules_above_it(guard_store, monkeypatch):  # noqa: F811
    """A cap between the rules' pair counts (a small cap on a small store): the rule above it is
    sampled, the rules below are not; with the shipped cap nothing is, and the m are EM's on
    every pair."""
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    _full_probe(monkeypatch)  # (a 1% probe finds no pair on a store this small)
    infos = _sessions(monkeypatch)
    every = _em_sessions(records, model, dataclasses.replace(cfg, em_max_pairs=None))
    assert [i["sampling_applied"] for i in infos] == [False] * len(cfg.em_blocking_rules)
    infos.clear()
    shipped = _em_sessions(records, model, cfg)
    pairs = [i["estimated_total_pairs"] for i in infos]
    assert all(0 < p < cfg.em_max_pairs for p in pairs)
    assert not any(i["sampling_applied"] for i in infos)
    _same_m(shipped, every)
    infos.clear()
    cap = (max(pairs) + sorted(pairs)[-2]) / 2  # only the rule with the most pairs is above it
    sampled = _em_sessions(records, model, dataclasses.replace(cfg, em_max_pairs=cap))
    assert [i["sampling_applied"] for i in infos] == [p > cap for p in pairs]
    assert sum(p > cap for p in pairs) == 1
    assert [i["expected_pairs_after_sampling"] <= cap for i in infos if i["sampling_applied"]] == [True]
    assert sampled != every  # the sample moved EM's m
