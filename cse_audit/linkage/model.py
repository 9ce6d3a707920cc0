"""The Splink model and a scoring run: stated m, sampled u, then every candidate pair scored.

``_build_model`` estimates u by seeded random sampling and sets each level's m from config;
``_run`` takes the features through the engine and model and returns the scored pairs.
Nothing here writes to the store."""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import functools
import hashlib
import json
import logging
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from .. import store
from . import scorecache
from .blockedpairs import pairs_not_regrouped
from .comparisons import _comparisons
from .emevidence import session_evidence
from .empatterns import em_on_pattern_counts
from .engine import _scored_pairs_engine, _splink_engine, _store_encrypted
from .errors import LinkageError
from .features import _features, has_aliases
from .groups import record_kinds
from .levelcache import exact_match_cached as _exact_match_cached
from .levels import stated_m
from .namedep import full_name_bits, name_codes
from .rules import _blocking_rules, guard_sql
from .settings import KINDS, LinkageConfig
from .unresolved import fit_frame, fitted_pairs
from .usample import estimate_u_one_pass
from .validating import validating_meanwhile

log = logging.getLogger(__name__)

# EM's m within each group of levels, the stated m counting as this many matched pairs of that
# group (see _m_from_data): they decide where the data are few, the data where they are many
STATED_M_PAIRS = 20.0
# bits below the threshold that scored pairs are kept, for the prior to be re-estimated without
# scoring again: the overall prior's rise plus a group's shift (groups.GROUP_MAX_SHIFT) fit in it
PRIOR_SLACK = 12.0
# a match weight's probability as Splink's predict computes its match_probability (splink
# internals/predict.py: the weight's sum in place of {w}, here the stored sum), so the same bits:
# tests/test_scored_pairs_compact.py compares every pair. A constant; {w} is a column name.
MATCH_PROBABILITY_SQL = ("CASE WHEN {w} >= 0 THEN 1.0 / (1.0 + POWER(CAST(2 AS DOUBLE), -{w})) "
                         "ELSE POWER(CAST(2 AS DOUBLE), {w}) / (1.0 + POWER(CAST(2 AS DOUBLE), {w})) END")


def _level_key(label: str, comp: str) -> tuple[str, str]:
    group, _, level = label.rpartition("/")
    return (group or "all"), level


def _u_pairs(cfg: LinkageConfig, n_records: int) -> float:
    """Pairs sampled for u: every pair when they are few, else a sample that grows with the
    records (u_sampling.pairs_per_record each) up to u_sampling.max_pairs."""
    all_pairs = n_records * (n_records - 1) / 2
    return float(min(all_pairs, cfg.u_max_pairs, max(cfg.u_pairs_per_record * n_records, 1e5)))


class _UCache:
    """The model's u (and trained m) kept in the store per kind (store_meta ``linkage_u:<kind>``),
    reused while the records' comparison columns, the comparisons, the sampling and the training
    settings are unchanged: a review round re-links without sampling or training again, and
    `link explain` shows the weights the last run used. Best effort: a read-only store is not
    written."""

    def __init__(self, con, kind: str, features):
        self.con, self.key_name = con, f"linkage_u:{kind}"
        # a content hash of every comparison column (unique_id included, so order counts too),
        # summed by DuckDB on a thread while the caller builds the model's settings and Linker
        # (Python, 0.1 s a kind): 0.05-0.2 s a kind, one core's work
        self._sums: list = []
        self._hashing = threading.Thread(target=self._sum, args=(features,), name="cse-u-cache-hash", daemon=True)
        self._hashing.start()

    def _sum(self, features) -> None:
        try:
            scratch = duckdb.connect()
            try:
                scratch.register("f", features)
                self._sums.append(scratch.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM f").fetchone())
            finally:
                scratch.close()
        except BaseException as exc:  # raised where the digest is asked for
            self._sums.append(exc)

    @functools.cached_property
    def digest(self) -> str:
        self._hashing.join()
        if isinstance(self._sums[0], BaseException):
            raise self._sums[0]
        return hashlib.sha256(repr(self._sums[0]).encode()).hexdigest()

    def key(self, model: dict, n_pairs: float, seed: int, trainer: str) -> str:
        sql = json.dumps([[lv.get("sql_condition") for lv in c["comparison_levels"]] for c in model["comparisons"]])
        return hashlib.sha256(f"{self.digest}|{sql}|{n_pairs!r}|{seed}|{trainer}".encode()).hexdigest()

    def get(self, key: str) -> dict | None:
        try:
            got = json.loads(store.get_meta(self.con, self.key_name) or "null")
        except (duckdb.Error, ValueError):
            return None
        return got["u"] if isinstance(got, dict) and got.get("key") == key else None

    def put(self, key: str, u: dict) -> None:
        with contextlib.suppress(duckdb.Error):  # read-only store (evaluate, explain): nothing kept
            store.set_meta(self.con, self.key_name, json.dumps({"key": key, "u": u}))


def _build_model(api, records_df, cfg: LinkageConfig, n_records: int, train: bool = True,
                 u_cache: _UCache | None = None, aliases: bool = False) -> dict:
    """u by seeded random sampling (sized to the data; on DuckDB in one pass over the sampled
    pairs, usample.py, on Spark by Splink's per-comparison estimator); m by EM with u fixed, on blocking rules
    that leave out the field being estimated (em.blocking_rules), starting from the stated
    conditional m in config times its group's share of pairs, which weigh as STATED_M_PAIRS
    matched pairs against EM's estimate (_m_from_data) and alone are used on fewer than
    em.min_records records. ``aliases``: some record carries an alias (the forename's names/alias
    level is compared: comparisons._comparisons). Returns a Splink model dict."""
    from splink import Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(cfg, api.sql_dialect.sql_dialect_str, aliases),
        blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules, cfg.spans_forces),
        probability_two_random_records_match=cfg.prior(n_records),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records_df, settings, log_level=None, validate_settings=False)  # validated below
    n_pairs = _u_pairs(cfg, n_records)
    key = cached = None
    if u_cache is not None:
        # the prior too: the trained m weigh the prior's expected matches (_m_from_data)
        trainer = ("u-one-pass", ("m-by-data", STATED_M_PAIRS, cfg.prior(n_records)), cfg.em_enabled,
                   cfg.em_min_records, cfg.em_blocking_rules, train,
                   {k: v.m for k, v in sorted(cfg.comparisons.items())})
        if cfg.em_max_pairs is not None:  # (keys stored before the setting existed still match)
            trainer += (("em_max_pairs", cfg.em_max_pairs),)
        trainer += ("em-pattern-counts",)  # EM counts its patterns in one query (empatterns.py)
        trainer += ("em-group-evidence",)  # a group of levels decided as a whole (emevidence.py)
        trainer += ("swap-counted-once",)  # (_swap_counted_once)
        if cfg.em_leave_out:
            trainer += (("em_leave_out", cfg.em_leave_out),)
        key = u_cache.key(linker.misc.save_model_to_json(), n_pairs, cfg.u_seed, repr(trainer))
        cached = u_cache.get(key)
    if cached is not None:  # the same data, comparisons and training as last time: its u and m
        model = linker.misc.save_model_to_json()
        model.pop("linker_uid", None)
        for comp in model["comparisons"]:
            got = cached[comp["output_column_name"]]
            for lvl, u, m in zip(comp["comparison_levels"], got["u"], got["m"], strict=True):
                if not lvl.get("is_null_level"):
                    lvl["u_probability"], lvl["m_probability"] = u, m
        return model
    if api.sql_dialect.sql_dialect_str == "duckdb":  # one pass over the sampled pairs, not six
        model = linker.misc.save_model_to_json()
        # (Splink logs columns the records lack; a cached model's were validated)
        with validating_meanwhile(linker):
            u = estimate_u_one_pass(api, records_df, model, n_pairs, cfg.u_seed)
        for comp in model["comparisons"]:
            levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
            for lvl, value in zip(levels, u[comp["output_column_name"]], strict=True):
                lvl["u_probability"] = value
    else:
        linker._validate_settings(True)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=n_pairs, seed=cfg.u_seed, min_count_per_level=None, num_chunks=1)
        model = linker.misc.save_model_to_json()
    _start_from_stated_m(model, cfg, 1.0 / max(n_pairs, 1.0))
    model.pop("linker_uid", None)
    if train and cfg.em_enabled and n_records >= cfg.em_min_records:
        model = _train_m(records_df, model, cfg, n_records)
    _swap_counted_once(model)
    if u_cache is not None:
        u_cache.put(key, {c["output_column_name"]: {"u": [lv.get("u_probability") for lv in c["comparison_levels"]],
                                                     "m": [lv.get("m_probability") for lv in c["comparison_levels"]]}
                          for c in model["comparisons"]})
    return model


def _start_from_stated_m(model: dict, cfg: LinkageConfig, u_floor: float) -> None:
    """Floor each level's u at ``u_floor`` (a level never seen among the sampled pairs is rarer
    than 1 / n: a level no pair can reach, too) and set its m to the stated conditional m times
    its group's share of pairs (from u)."""
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl in levels:
            u = lvl.get("u_probability")
            if not isinstance(u, (int, float)) or u <= 0:
                lvl["u_probability"] = u_floor
        share: dict[str, float] = defaultdict(float)
        present: dict[str, list] = defaultdict(list)
        for lvl in levels:
            group, level = _level_key(lvl["label_for_charts"], name)
            share[group] += lvl["u_probability"]
            present[group].append(level)
        total = sum(share.values())
        stated = {g: stated_m(cfg, name, g, lvs) for g, lvs in present.items()}
        for lvl in levels:
            group, level = _level_key(lvl["label_for_charts"], name)
            lvl["m_probability"] = stated[group][level] * share[group] / total


def _train_m(records_df, model: dict, cfg: LinkageConfig, n_records: int) -> dict:
    """m by EM with u fixed, one session per rule; a comparison no session trains keeps its
    stated m (see _m_from_data for a level EM saw no match in). Each session starts from the
    model the one before saved; the last session that saw matches in a group of levels decides
    the whole group (emevidence.py: level by level, two sessions' scales mixed within a group);
    each rule leaves out the comparisons it blocks on."""

    trained = model
    # Splink warns for every level a session cannot train (the stated m stand): expected, not news
    splink_log = logging.getLogger("splink")
    level = splink_log.level
    splink_log.setLevel(logging.ERROR)
    # each session counts its agreement patterns (on DuckDB in one query, empatterns.py: the same
    # counts, so the same m, without tables of every pair; elsewhere Splink's own vectors,
    # counted), and the counts say what each group of levels learnt
    evidence: dict = {}
    try:
        with em_on_pattern_counts():
            trained = _em_sessions(records_df, trained, cfg, evidence)
    finally:
        splink_log.setLevel(level)
    return _m_from_data(trained, cfg, model, n_records, evidence)


def _em_sessions(records_df, trained: dict, cfg: LinkageConfig, evidence: dict | None = None) -> dict:
    """One EM session per rule, each starting from the model the one before saved. ``evidence``
    (when given) gets, per (comparison, group of levels), what the last session that saw matches
    there learnt (emevidence.py; sessions that counted their patterns only)."""
    from splink import Linker

    leave_out = dict(cfg.em_leave_out)
    for stated, rule in zip(cfg.em_blocking_rules, _blocking_rules(cfg.em_blocking_rules), strict=True):
        # the settings were validated when the model was first built from them (0.3 s a linker)
        linker = Linker(records_df, trained, log_level=None, validate_settings=False)
        if leave_out.get(str(stated)):
            rule = _leaving_out(linker, rule, leave_out[str(stated)])
        try:
            # em.max_pairs: a rule with more pairs than that is trained on about that many
            # (Splink samples records by a hash of their id: the same records every run); a rule
            # with fewer is trained on every pair, exactly as without the setting
            session = linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_u_probabilities=True, estimate_without_term_frequencies=True,
                max_pairs=cfg.em_max_pairs)
        except Exception as exc:  # e.g. no pair on a small data set: keep the m so far
            log.info("EM on %s skipped: %s", stated, str(exc).splitlines()[0][:200])
            continue  # (a failed session leaves the linker's settings half-trained)
        trained = linker.misc.save_model_to_json()
        trained.pop("linker_uid", None)
        if evidence is not None:
            evidence.update(session_evidence(session))
    return trained


def _swap_counted_once(model: dict) -> None:
    """Names the wrong way round are one event that the forename and the surname comparison both
    see (comparisons.py: the same condition in both): counted in each, a swap weighed twice its
    evidence, 2 x 11-12 bits, and two different people whose names were each other's (Thomas
    James, James Thomas) merged despite dates of birth years apart (FEBRL4: 40 such pairs against
    17 true ones, session 9). The forename's level keeps the evidence; the surname's weighs
    nothing: its share of the group's m is its share of the group's u (so m = u where the u sum to
    one; never 0 on a tiny store whose floored u do not), the group's other m rescaled to keep the
    group's share."""
    for comp in model["comparisons"]:
        if comp["output_column_name"] != "surname":
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        swap = [lv for lv in levels if lv.get("label_for_charts") == "names/swapped"]
        if not swap:
            continue
        group = [lv for lv in levels if _level_key(lv["label_for_charts"], "surname")[0] == "names"]
        share = sum(lv["m_probability"] for lv in group)
        others = [lv for lv in group if lv is not swap[0]]
        rest = sum(lv["m_probability"] for lv in others)
        u_group = sum(lv["u_probability"] for lv in group)
        if not others or rest <= 0 or u_group <= 0:
            continue
        swap[0]["m_probability"] = share * swap[0]["u_probability"] / u_group
        for lv in others:
            lv["m_probability"] *= (share - swap[0]["m_probability"]) / rest


def _leaving_out(linker, rule, leave: tuple[str, ...]):
    """``rule`` with the comparisons ``leave`` left out of its EM session: Splink leaves out
    every comparison whose columns the rule mentions, so each of their columns is mentioned in a
    condition that is always true (the same pairs). The columns are the comparisons' own
    (comparisons.py), not a value from a file."""
    from splink.blocking_rule_library import CustomRule

    sql = rule.get_blocking_rule(linker._sql_dialect_str).blocking_rule_sql
    cols = sorted({c.input_name for cc in linker._settings_obj.comparisons if cc.output_column_name in leave
                   for c in cc._input_columns_used_by_case_statement})
    return CustomRule(" AND ".join([f"({sql})", *(f"(l.{c} IS NULL OR l.{c} IS NOT NULL)" for c in cols)]))


def _m_from_data(trained: dict, cfg: LinkageConfig, model: dict, n_records: int,
                 evidence: dict | None = None) -> dict:
    """EM's m, used within each group of levels only (e.g. among pairs where one record has a
    dob and the other an age): a group's share of matches is its share of pairs (from u), as
    for the stated m, since whether a record has a dob or only initials is no evidence either
    way, while EM on a blocking rule sees a mix of groups that random pairs do not.

    Within a group, EM's m and the stated m are weighed by how many matched pairs each stands
    for: the stated m as STATED_M_PAIRS pairs, EM's as the expected matches the session that
    decided the group saw there (``evidence``, emevidence.py; without it, the trained model's m
    and the group's expected matches among all pairs). So on a few thousand records, or in a
    small group (pairs of two undated ages), the stated m still count, and a level EM never
    sees keeps a small m (rare, not a veto); on data with thousands of matches, the data
    decide. Whether one person's records lie in two force areas, how often a return's ages are
    off, whether agencies agree on ethnicity: these are properties of the returns, not of the
    project's own generator (issue 16). Measured (BENCHMARKS.md, session 7): the half-and-half
    blend with the stated m used before, floored at half of it, kept e.g. a child's ethnicity
    "different" at m 0.10 and an offender's ages years apart at 0.01 where EM and the truth said
    0.000, so namesakes in one force area merged (offenders' named-pair precision 0.95 at
    `synth --profile hard --scale 10`, 0.91 at 100k records)."""
    trained = copy.deepcopy(trained)
    if evidence is None:
        evidence = _evidence_from_model(trained, model, n_records)
    for comp in trained["comparisons"]:
        name = comp["output_column_name"]
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        groups: dict[str, list] = defaultdict(list)
        for lv in levels:
            groups[_level_key(lv["label_for_charts"], name)[0]].append(lv)
        u_total = sum(lv["u_probability"] for lv in levels)
        for group, lvs in groups.items():
            stated = stated_m(cfg, name, group, [_level_key(lv["label_for_charts"], name)[1] for lv in lvs])
            learnt, n_g = evidence.get((name, group), ({}, 0.0))
            cond = {}
            for lv in lvs:
                level = _level_key(lv["label_for_charts"], name)[1]
                cond[level] = (learnt.get(level, 0.0) * n_g + STATED_M_PAIRS * stated[level]) / (n_g + STATED_M_PAIRS)
            norm = sum(cond.values())
            share = sum(lv["u_probability"] for lv in lvs) / u_total
            for lv in lvs:
                lv["m_probability"] = cond[_level_key(lv["label_for_charts"], name)[1]] / norm * share
    trained["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return trained


def _evidence_from_model(trained: dict, model: dict, n_records: int) -> dict:
    """Without a session's counts: each group's m as the trained model holds them, standing for
    the group's expected matches among all pairs (the prior's matches times its share of u)."""
    prior = float(model["probability_two_random_records_match"])
    matches = prior * n_records * (n_records - 1) / 2
    out = {}
    for comp in trained["comparisons"]:
        name = comp["output_column_name"]
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        u_total = sum(lv["u_probability"] for lv in levels)
        groups: dict[str, list] = defaultdict(list)
        for lv in levels:
            groups[_level_key(lv["label_for_charts"], name)[0]].append(lv)
        for group, lvs in groups.items():
            em = {_level_key(lv["label_for_charts"], name)[1]: lv.get("m_probability") for lv in lvs}
            em = {k: (v if isinstance(v, (int, float)) and v == v and v > 0 else 0.0) for k, v in em.items()}
            total = sum(em.values())
            if total:
                n_g = matches * sum(lv["u_probability"] for lv in lvs) / u_total
                out[(name, group)] = ({k: v / total for k, v in em.items()}, n_g)
    return out


@dataclass
class _Run:
    record_ids: list[str]
    edges: pd.DataFrame  # uid_l, uid_r, p, w (match weight), guard: scored pairs near or above keep_low
    candidate_pairs: int
    pairs_by_rule: dict[str, int]
    api: Any  # the Splink database API holding the scored pairs (for follow-up queries)
    predictions: str  # physical name of the table of all scored candidate pairs
    model: dict
    seconds: float
    prior: float = 0.0  # the prior the scores were computed with
    partial: Any = None  # per record: lacks a full name or anything to date a birth (see _partial)
    kinds: Any = None  # per record: what it carries (groups.record_kinds)
    fit: Any = None  # per record: initials, sex, area, birth interval (unresolved.fit_frame)
    joined: Any = None  # (uid, uid, chance it is this one, chance it is anyone counted) joined by fits (link._join_fitting)
    duplicate_chance: Any = None  # per partial record left alone: chance it is a fitting named person's
    group_shifts: Any = None  # bits added to the prior per group of pairs (link._clusters)
    full_name: Any = None  # per record: a code for its forename and surname together (namedep)
    name_bits: float = 0.0  # bits a pair of one full name weighs less in the count's range (namedep)
    fit_estimates: dict = field(default_factory=dict)  # unresolved.estimate's memo (the run's fit and kinds)
    fitted: Any = None  # unresolved.fitted_pairs(fit, kinds), computed beside the scores' fetch (_record_parts)


def _run(con, kind: str, cfg: LinkageConfig, keep_low: float) -> _Run:
    """Features -> model -> score every candidate pair. Nothing is written to the store."""
    from splink import Linker

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    t0 = time.perf_counter()
    features, record_ids = _features(con, kind, cfg)
    n = len(record_ids)
    if n < 2:
        return _Run(record_ids, pd.DataFrame({"uid_l": [], "uid_r": [], "p": [], "w": [], "guard": []}), 0, {},
                    None, "", {},
                    time.perf_counter() - t0)
    api, records = _splink_engine(features, cfg, _store_encrypted(con))
    try:
        with _exact_match_cached(con):
            u_cache = _UCache(con, kind, features)
            model = _build_model(api, records, cfg, n, u_cache=u_cache, aliases=has_aliases(features))
            # the same records and model as the last link: its scored pairs (scorecache.py)
            key = scorecache.score_key(u_cache.digest, model)
            table = scorecache.load(con, kind, key, api)
            if table is None:
                linker = Linker(records, model, log_level=None, validate_settings=False)  # validated in _build_model
                with pairs_not_regrouped():  # (the associates' rule, exploded, is last: blockedpairs.py)
                    table = linker.inference.predict(warning_mode="never").physical_name
    except duckdb.OutOfMemoryException as exc:
        raise LinkageError(
            f"{kind}: linkage ran out of memory ({str(exc).splitlines()[0][:200]}). Raise engine.memory_limit "
            "in linkage.yaml, or use --engine spark. An encrypted store's working tables are never written "
            "to disk, so they must fit in memory.") from None
    # per record what it carries, fits and is named (Python and pandas, 0.3-0.4 s a kind at 100k) on
    # a thread while DuckDB, which lets go of the GIL, keeps the scores and fetches the pairs
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="cse-records")
    parts = pool.submit(_record_parts, features)
    pool.shutdown(wait=False)  # (the thread ends with its work)
    by_key = api.query_sql(f"SELECT match_key, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1", "pandas")
    pairs_by_rule = {str(cfg.blocking_rules[int(k)]): int(c)
                     for k, c in zip(by_key["match_key"], by_key["n"], strict=True)}
    candidates = sum(pairs_by_rule.values())
    if table != scorecache.KEPT:
        scorecache.keep(con, kind, key, api, table, candidates)
    log.info("%s: %d records, %d candidate pairs (%s)", kind, n, candidates,
             "; ".join(f"{r}: {c}" for r, c in pairs_by_rule.items()))
    # Kept with their match weights (prior included), PRIOR_SLACK bits below keep_low, so that
    # the prior can be re-estimated from the clusters without scoring again. "guard": two
    # records of one return are one person only on strong evidence: both fully named, the same
    # person reference, or the same full date of birth with a name (a forename or a surname) on
    # both (a row with a surname and a date of birth but no forename is its named twin row's
    # duplicate far more often than a second child); never on initials and an age, or initials
    # and a date of birth (twins), alone.
    low_weight = math.log2(max(keep_low, 1e-12) / max(1 - keep_low, 1e-12)) - PRIOR_SLACK
    # Splink's engine is done: the scored pairs' ids and scores and the guard's columns move to a
    # smaller engine of their own (engine._scored_pairs_engine) and Splink's is closed (unless
    # the pairs are few: then they are read where they are)
    # record indices as 32-bit integers (half the memory of the pairs' ids; n < 2**31 always)
    uid = "INTEGER" if n < 2**31 else "BIGINT"
    # the pairs without Splink's match_probability: it is a function of the match weight, computed
    # again below (MATCH_PROBABILITY_SQL, Splink's own expression: the same bits). At a million
    # records the copy is 75M victim pairs, handed over through a file: 16 bytes a pair, not 32
    api = _scored_pairs_engine(api, {
        "scored_pairs": f"SELECT CAST(unique_id_l AS {uid}) AS unique_id_l, CAST(unique_id_r AS {uid}) AS unique_id_r, "
                        f"match_weight FROM {table}",
        "guard_records": f"SELECT unique_id, return_id, case_key, names_missing, ref, dob, fn, sn "
                         f"FROM {records.physical_name}",
    }, cfg, _store_encrypted(con), pairs=candidates)
    table = "scored_pairs"
    # on DuckDB fetched straight from the query, not through a table Splink would create first
    sql = (f"SELECT p.unique_id_l AS uid_l, p.unique_id_r AS uid_r, "
           f"{MATCH_PROBABILITY_SQL.format(w='p.match_weight')} AS p, p.match_weight AS w, {guard_sql(kind)} AS guard "
           f"FROM {table} p JOIN guard_records l ON l.unique_id = p.unique_id_l "
           f"JOIN guard_records r ON r.unique_id = p.unique_id_r "
           f"WHERE p.match_weight >= {float(low_weight)!r} ORDER BY uid_l, uid_r")
    edges = api._con.execute(sql).df() if api.sql_dialect.sql_dialect_str == "duckdb" else api.query_sql(sql, "pandas")
    kinds, fit, names, name_bits, fitted = parts.result()
    return _Run(record_ids, edges, candidates, pairs_by_rule, api, table, model, time.perf_counter() - t0,
                prior=float(model["probability_two_random_records_match"]), partial=_partial(kinds),
                kinds=kinds, fit=fit, full_name=names.full, name_bits=name_bits, fitted=fitted)


def _record_parts(features):
    """Per record: its kind (groups.record_kinds), its fit frame, its full name's code and the
    bits a pair of one full name weighs less (namedep), and the pairs the fits alone make
    (unresolved.fitted_pairs: the prior's rounds read it)."""
    kinds, fit, names = record_kinds(features), fit_frame(features), name_codes(features)
    return kinds, fit, names, full_name_bits(features, names), fitted_pairs(fit, kinds)


def _partial(kinds):
    """Records that lack a full name (initials and an age), anything to date a birth (a name
    alone) or all but an age interval over a year wide (a name and an age dated only by the
    reference period, or a band), from their kinds (groups.record_kinds): such a record can fit
    two people who share what it has, so it joins only the person of its best match and never
    bridges two (link._best_only_for_partial). Namesakes born a year or two apart both fit a
    name with "13-15" and no date: in the seventh held-out world a charity's named records with
    undated ages or bands joined two children of one full name whose dates of birth differ
    (session 21)."""
    return (kinds >= 4) | (kinds % 4 >= 2)
