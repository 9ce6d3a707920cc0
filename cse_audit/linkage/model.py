"""The Splink model and a scoring run: stated m, sampled u, then every candidate pair scored.

``_build_model`` estimates u by seeded random sampling and sets each level's m from config;
``_run`` takes the features through the engine and model and returns the scored pairs.
Nothing here writes to the store."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from .comparisons import _comparisons
from .engine import _splink_engine, _store_encrypted
from .errors import LinkageError
from .features import _features
from .settings import KINDS, LinkageConfig

log = logging.getLogger(__name__)


def _blocking_rules(rules: list) -> list:
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [block_on(*r) if isinstance(r, list) else CustomRule(r) for r in rules]


def _level_key(label: str, comp: str) -> tuple[str, str]:
    group, _, level = label.rpartition("/")
    return (group or "all"), level


def _build_model(api, records_df, cfg: LinkageConfig, n_records: int) -> dict:
    """Estimate u by seeded random sampling, then set each level's m from its conditional m in
    config times its group's share of pairs (from the u sample). Returns a Splink model dict."""
    from splink import Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(cfg, api.sql_dialect.sql_dialect_str),
        blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules),
        probability_two_random_records_match=cfg.prior(n_records),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records_df, settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=cfg.u_max_pairs, seed=cfg.u_seed, min_count_per_level=None, num_chunks=1)
    model = linker.misc.save_model_to_json()
    n_pairs = min(cfg.u_max_pairs, n_records * (n_records - 1) / 2)
    u_floor = 1.0 / max(n_pairs, 1.0)
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl in levels:
            u = lvl.get("u_probability")
            if not isinstance(u, (int, float)) or u <= 0:
                lvl["u_probability"] = u_floor  # never seen among sampled pairs: rarer than 1/n
        share: dict[str, float] = defaultdict(float)
        for lvl in levels:
            share[_level_key(lvl["label_for_charts"], name)[0]] += lvl["u_probability"]
        total = sum(share.values())
        for lvl in levels:
            group, level = _level_key(lvl["label_for_charts"], name)
            lvl["m_probability"] = cfg.comparisons[name].m[group][level] * share[group] / total
    model.pop("linker_uid", None)
    return model


@dataclass
class _Run:
    record_ids: list[str]
    edges: pd.DataFrame  # uid_l, uid_r, p: scored pairs with p >= keep_low
    candidate_pairs: int
    pairs_by_rule: dict[str, int]
    api: Any  # the Splink database API holding the scored pairs (for follow-up queries)
    predictions: str  # physical name of the table of all scored candidate pairs
    model: dict
    seconds: float


def _run(con, kind: str, cfg: LinkageConfig, keep_low: float) -> _Run:
    """Features -> model -> score every candidate pair. Nothing is written to the store."""
    from splink import Linker

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    t0 = time.perf_counter()
    features, record_ids = _features(con, kind, cfg)
    n = len(record_ids)
    if n < 2:
        return _Run(record_ids, pd.DataFrame({"uid_l": [], "uid_r": [], "p": []}), 0, {}, None, "", {},
                    time.perf_counter() - t0)
    api, records = _splink_engine(features, cfg, _store_encrypted(con))
    try:
        model = _build_model(api, records, cfg, n)
        linker = Linker(records, model, log_level=None)
        if cfg.em_enabled:
            for rule in _blocking_rules(cfg.em_blocking_rules):
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            model = linker.misc.save_model_to_json()
        predictions = linker.inference.predict(warning_mode="never")
    except duckdb.OutOfMemoryException as exc:
        raise LinkageError(
            f"{kind}: linkage ran out of memory ({str(exc).splitlines()[0][:200]}). Raise engine.memory_limit "
            "in linkage.yaml, or use --engine spark. An encrypted store's working tables are never written "
            "to disk, so they must fit in memory.") from None
    table = predictions.physical_name
    by_key = api.query_sql(f"SELECT match_key, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1", "pandas")
    pairs_by_rule = {str(cfg.blocking_rules[int(k)]): int(c)
                     for k, c in zip(by_key["match_key"], by_key["n"], strict=True)}
    candidates = sum(pairs_by_rule.values())
    log.info("%s: %d records, %d candidate pairs (%s)", kind, n, candidates,
             "; ".join(f"{r}: {c}" for r, c in pairs_by_rule.items()))
    edges = api.query_sql(
        f"SELECT unique_id_l AS uid_l, unique_id_r AS uid_r, match_probability AS p FROM {table} "
        f"WHERE match_probability >= {float(keep_low)!r} ORDER BY uid_l, uid_r", "pandas")
    return _Run(record_ids, edges, candidates, pairs_by_rule, api, table, model, time.perf_counter() - t0)
