"""The candidate pairs are not regrouped when the only exploded rule is the last
(linkage/blockedpairs.py): the same pairs, each with the rule that found it, without a hash
aggregate over every pair (at 1M: 70M pairs, out of Splink's memory; session 16)."""

from __future__ import annotations

import dataclasses

import pytest

from cse_audit import linkage
from cse_audit.linkage import blockedpairs

from .test_linkage_cost import _em_inputs
from .test_linkage_prior import guard_store  # noqa: F401 - the fixture: a small store with pairs

REGROUP = "GROUP BY join_key_l, join_key_r"


def _sqls(monkeypatch):
    """Record every SQL statement Splink's DuckDB engine runs."""
    from splink.internals.duckdb.database_api import DuckDBAPI

    seen = []
    run = DuckDBAPI._execute_sql_against_backend

    def spy(self, final_sql):
        seen.append(final_sql)
        return run(self, final_sql)

    monkeypatch.setattr(DuckDBAPI, "_execute_sql_against_backend", spy)
    return seen


def _predicted(records, model):
    from splink import Linker

    linker = Linker(records, model, log_level=None, validate_settings=False)
    df = linker.inference.predict(warning_mode="never").as_pandas_dataframe()
    return sorted(zip(df["unique_id_l"], df["unique_id_r"], df["match_key"],
                      df["match_probability"].round(12), strict=True))


def test_a_link_does_not_regroup_its_pairs_when_the_exploded_rule_is_last(guard_store, monkeypatch):  # noqa: F811
    con, _ids = guard_store
    cfg = dataclasses.replace(linkage.load_linkage_config(), overrides_file=None)
    assert any("l.assoc = r.assoc" in str(r) for r in cfg.blocking_rules[-1:])  # the shipped order
    seen = _sqls(monkeypatch)
    linkage.link_people(con, "victims", config=cfg)
    blocked = [s for s in seen if "__splink__blocked_id_pairs" in s and "UNION ALL" in s]
    assert blocked  # the prediction's candidate pairs were built here
    assert not any(REGROUP in s for s in blocked)


def test_the_same_pairs_and_rules_as_splinks_regrouped_pairs(guard_store, monkeypatch):  # noqa: F811
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    seen = _sqls(monkeypatch)
    want = _predicted(records, model)
    assert any(REGROUP in s for s in seen)  # Splink's own path regroups
    seen.clear()
    with blockedpairs.pairs_not_regrouped():
        got = _predicted(records, model)
    assert not any(REGROUP in s for s in seen)
    assert got == want and len(want) > 0
    assert len({(a, b) for a, b, *_ in got}) == len(got)  # no pair twice
    # the patch is gone after the block
    seen.clear()
    _predicted(records, model)
    assert any(REGROUP in s for s in seen)


@pytest.mark.parametrize("order", ["exploded first", "two exploded"])
def test_an_exploded_rule_before_another_keeps_splinks_grouping(order):
    from splink.blocking_rule_library import CustomRule, block_on
    from splink.internals.blocking import block_using_rules_sqls
    from splink.internals.input_column import InputColumn

    assoc = CustomRule("l.assoc = r.assoc", arrays_to_explode=["assoc"])
    regions = block_on("dob", "regions", arrays_to_explode=["regions"])
    rules = [assoc, block_on("dob")] if order == "exploded first" else [block_on("dob"), regions, assoc]
    rules = [r.get_blocking_rule("duckdb") for r in rules]
    for i, r in enumerate(rules):
        r.add_preceding_rules(rules[:i])
    assert not blockedpairs.only_last_rule_explodes(rules)
    kwargs = dict(input_tablename_l="l", input_tablename_r="r", blocking_rules=rules, link_type="dedupe_only",
                  source_dataset_input_column=None, unique_id_input_column=InputColumn("unique_id", sqlglot_dialect_str="duckdb"))
    for i, r in enumerate(rules):  # (the exploded rules' pairs are tables Splink made first)
        if hasattr(r, "exploded_id_pair_table"):
            r.exploded_id_pair_table = type("T", (), {"physical_name": f"exploded_{i}"})()
    want = block_using_rules_sqls(**kwargs)
    got = blockedpairs._ungrouped(block_using_rules_sqls)(**kwargs)
    assert got == want and REGROUP in want[-1]["sql"]
