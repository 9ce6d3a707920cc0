"""The last link's scored pairs, kept in the store for the next link of the same records with the
same model (issue 21, session 14).

A relink after a review round, or `link run` again, scores the same records with the same u and m
(model._UCache): Splink's predict then gives the same pairs and scores, and it was the largest
step of such a link (3.0 of 11 s at 100k, both kinds). The pairs (record positions, match weight
and probability, the blocking rule) are kept per kind in ``linkage_scores_<kind>`` with a key of
everything the scores depend on: a content hash of every comparison column of the records (the
u cache's), the model as Splink reads it (comparisons and their SQL, u, m, prior, blocking rules,
term-frequency settings) and the Splink and DuckDB versions. No personal values: positions and
numbers only. Kept only up to engine.KEEP_ENGINE_PAIRS pairs (at a million records the copy would
cost more than it saves); best effort: a read-only store is neither written nor required."""

from __future__ import annotations

import contextlib
import hashlib
import json

import duckdb

from .. import store
from .engine import KEEP_ENGINE_PAIRS

TABLES = store.SCORE_TABLES  # constant names (minimise drops them)
COLUMNS = "unique_id_l, unique_id_r, match_weight, match_probability, match_key"
KEPT = "__cse_kept_scores"  # the kept pairs' table in Splink's engine


def _meta(kind: str) -> str:
    return f"linkage_scores:{kind}"


def score_key(records_digest: str, model: dict) -> str:
    import splink

    return hashlib.sha256(json.dumps([records_digest, model, splink.__version__, duckdb.__version__],
                                     sort_keys=True, default=str).encode()).hexdigest()


def load(con, kind: str, key: str, api) -> str | None:
    """The kept pairs as a table in ``api``'s engine (its name), when they were scored for ``key``;
    else None."""
    if api.sql_dialect.sql_dialect_str != "duckdb":
        return None
    try:
        if store.get_meta(con, _meta(kind)) != key:
            return None
        pairs = con.execute(f"SELECT {COLUMNS} FROM {TABLES[kind]}").to_arrow_table()
    except duckdb.Error:
        return None
    api._con.register("_cse_kept_in", pairs)
    try:
        api._con.execute(f"CREATE OR REPLACE TABLE {KEPT} AS SELECT * FROM _cse_kept_in")
    finally:
        api._con.unregister("_cse_kept_in")
    return KEPT


def keep(con, kind: str, key: str, api, table: str, pairs: int) -> None:
    """Keep ``table`` (Splink's scored pairs in ``api``) for ``key``; more than KEEP_ENGINE_PAIRS
    pairs: none kept (and an older copy dropped)."""
    if api.sql_dialect.sql_dialect_str != "duckdb":
        return
    # a read-only store (evaluate, explain): nothing kept
    with contextlib.suppress(duckdb.Error), store.transaction(con):
        if pairs > KEEP_ENGINE_PAIRS:
            con.execute(f"DROP TABLE IF EXISTS {TABLES[kind]}")
            con.execute("DELETE FROM store_meta WHERE key = ?", [_meta(kind)])
            return
        scored = api._con.execute(f"SELECT {COLUMNS} FROM {table}").to_arrow_table()
        con.register("_cse_kept_out", scored)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {TABLES[kind]} AS SELECT * FROM _cse_kept_out")
        finally:
            con.unregister("_cse_kept_out")
        store.set_meta(con, _meta(kind), key)
