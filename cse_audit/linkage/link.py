"""``link_people``: score, cluster, write {victim,offender}_links, then merge the persons.

The one function that writes linkage results to the store, in a transaction; ``_clusters``
(score, carry over and apply overrides, cluster) is shared with ``evaluate``."""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .. import store
from .clusters import _apart_pairs, _cluster, _person_ids
from .merge import _merge_persons
from .model import _run
from .overrides import _carry_over, _resolve_overrides
from .settings import KINDS, _config

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    kind: str
    records: int
    persons: int
    candidate_pairs: int
    pairs_above_threshold: int
    conflicts: int
    seconds: float
    candidate_pairs_by_rule: dict[str, int] = field(default_factory=dict)
    overrides: dict[str, int] = field(default_factory=dict)


def _clusters(con, kind, cfg, overrides, keep_low):
    run = _run(con, kind, cfg, keep_low)
    ov, carried = _carry_over(con, kind, _resolve_overrides(overrides, cfg, kind, con), set(run.record_ids))
    if carried:
        log.info("%s: %d reviewed record(s) found again in resubmitted returns", kind, carried)
    n = len(run.record_ids)
    roots, best, stats = _cluster(n, run.edges, cfg.threshold, run.record_ids, ov)
    apart = _apart_pairs(run, roots, cfg.cannot_link_below) if cfg.cannot_link_below else []
    if apart:
        roots, best, stats = _cluster(n, run.edges, cfg.threshold, run.record_ids, ov, apart)
    stats["kept_apart"] = len(apart)
    stats["carried_over"] = carried
    if stats["unknown_records"]:
        log.warning("%s: %d override(s) name records not in current returns (resubmitted?)",
                    kind, stats["unknown_records"])
    if stats["contradictions"]:
        log.warning("%s: %d forced match(es) join records also forced apart", kind, stats["contradictions"])
    return run, roots, best, stats


def link_people(con: duckdb.DuckDBPyConnection, kind: str = "victims", config=None,
                overrides=None, engine: str | None = None) -> LinkResult:
    """Link the current records of ``kind`` into persons and write (replacing)
    ``{victim|offender}_links``, ``_persons`` and ``_conflicts``.

    ``overrides``: None = the store's own decisions (link_decisions) and an overrides file the
    config names (``overrides_file``); False = none; a path; or a
    list of Override / (record_id_a, record_id_b, "match"|"no-match").
    ``engine``: "duckdb" or "spark"; None = the config's ``engine.backend``."""
    cfg = _config(config, engine)
    t0 = time.perf_counter()
    run, roots, best, stats = _clusters(con, kind, cfg, overrides, cfg.threshold)
    pids = _person_ids(roots, run.record_ids, cfg.person_id_prefix[kind])
    links = pd.DataFrame({
        "record_id": pd.Series(run.record_ids, dtype=object),
        "person_id": pd.Series(pids, dtype=object),
        "match_probability": pd.Series([best.get(i) for i in range(len(pids))], dtype="float64"),
    })
    counts = {"records": len(run.record_ids), "candidate_pairs": run.candidate_pairs,
              "pairs_above_threshold": int((run.edges["p"] >= cfg.threshold).sum()),
              "candidate_pairs_by_rule": run.pairs_by_rule}
    # Splink's engine holds every scored pair (gigabytes at a million records): let it go before
    # the store merges the persons, so the two do not add up.
    del run
    gc.collect()
    k = KINDS[kind]
    con.register("_lk_links", links)
    own_txn = True
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        own_txn = False  # the caller's transaction covers us
    try:
        # record_id is the key: one person per record, which the tables rely on without re-checking.
        con.execute(f"CREATE OR REPLACE TABLE {k}_links (record_id VARCHAR PRIMARY KEY, person_id VARCHAR,"
                    " match_probability DOUBLE)")
        con.execute(f"INSERT INTO {k}_links SELECT record_id, person_id, CAST(match_probability AS DOUBLE)"
                    " FROM _lk_links ORDER BY record_id")
        conflicts = _merge_persons(con, kind, cfg)
        basis = con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0]
        store.set_meta(con, store.links_basis_key(kind), basis)
        if own_txn:
            con.execute("COMMIT")
    except BaseException:
        if own_txn:
            store.rollback(con)
        raise
    finally:
        con.unregister("_lk_links")
    result = LinkResult(kind=kind, persons=len(set(roots)), conflicts=conflicts,
                        seconds=round(time.perf_counter() - t0, 3), overrides=stats, **counts)
    log.info("%s: %d records -> %d persons (%d pairs >= %.2f, %d conflicts) in %.1fs", kind, result.records,
             result.persons, result.pairs_above_threshold, cfg.threshold, conflicts, result.seconds)
    return result
