"""Which pairs a link scores is Splink's blocking of the configured rules, exactly: the pairs
model._run keeps for the follow-up queries (the whole scored table, every pair) and its count by
rule are compared with Splink's own blocking of the same rules on the same features, on a hard
synthetic store (issue 21: the first link's cost may change, never the pairs it scores). A change
to the candidate pairs (a rule dropped, a pair found twice, another rule credited with a pair, a
pair lost to a null) fails here."""

from __future__ import annotations

import duckdb
import pytest

from .conftest import hard_profile_store


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("scored_pairs"))


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_scored_pairs_are_splinks_blocking(hard_store, kind):
    from splink import Linker, SettingsCreator

    from cse_audit import linkage
    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.engine import _splink_engine
    from cse_audit.linkage.features import _features
    from cse_audit.linkage.model import _blocking_rules, _run

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store))
    try:
        run = _run(con, kind, cfg, cfg.threshold)
        features, _ = _features(con, kind, cfg)
    finally:
        con.close()
    got = run.api._con.execute(f"SELECT unique_id_l, unique_id_r FROM {run.predictions}").fetchall()
    # Splink's own blocking, on its own engine, of the same rules over the same features
    api, records = _splink_engine(features, cfg)
    linker = Linker(records, SettingsCreator(
        link_type="dedupe_only", comparisons=_comparisons(cfg, "duckdb"),
        blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules)), log_level=None)
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    want = api._con.execute(f"SELECT join_key_l, join_key_r, match_key FROM {blocked.physical_name}").fetchall()
    assert len(got) == len(set(got)) == run.candidate_pairs  # each pair scored once
    assert set(got) == {(a, b) for a, b, _ in want}
    assert all(a < b for a, b in got)
    by_rule: dict[str, int] = {}
    for _, _, key in want:
        rule = str(cfg.blocking_rules[int(key)])
        by_rule[rule] = by_rule.get(rule, 0) + 1
    assert run.pairs_by_rule == by_rule
    # the store is one a rule's change would show on: most rules find pairs of their own
    assert len(by_rule) >= 6 and len(got) > 1000, by_rule
