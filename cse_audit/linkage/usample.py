"""u-probabilities from one pass over a random sample of record pairs (DuckDB).

Splink 5 estimates u one comparison at a time, building and comparing the sampled pairs once per
comparison: six passes a kind, half of a first link's time on the sample (BENCHMARKS.md). Here
the sample is drawn once, every comparison's level is computed for each pair in the same query,
and u for a level is its share of the pairs where the comparison is not null - Splink's own
definition. The level conditions are the model's own SQL (built by comparisons.py through
Splink's level creators, numbers from validated config), never text from a user or a file.

The sample: records ordered by a seeded hash of their id, the first k kept, where k records give
about the wanted number of pairs; so the same records and seed always give the same u, whatever
the number of threads."""

from __future__ import annotations

import math


def _sample_rows(n_pairs: float) -> int:
    # k (k - 1) / 2 >= n_pairs
    return int(math.ceil((1 + math.sqrt(1 + 8 * n_pairs)) / 2))


def _gamma_sql(comp: dict) -> str:
    """CASE over the comparison's levels in order: -1 for the null level, else the level's
    position among the non-null levels (0 = first)."""
    parts, i = [], 0
    for lvl in comp["comparison_levels"]:
        if lvl.get("is_null_level"):
            parts.append(f"WHEN {lvl['sql_condition']} THEN -1")
        elif lvl["sql_condition"].strip().upper() == "ELSE":  # Splink's ElseLevel
            parts.append(f"ELSE {i}")
            i += 1
        else:
            parts.append(f"WHEN {lvl['sql_condition']} THEN {i}")
            i += 1
    return "CASE " + " ".join(parts) + " END"


def estimate_u_one_pass(api, records, model: dict, n_pairs: float, seed: int) -> dict[str, list[float]]:
    """Per comparison (output column name): u of each non-null level, in level order. Levels no
    sampled pair falls in get 0 (the caller floors them)."""
    table = records.physical_name
    columns = [r[0] for r in api._con.execute(f"DESCRIBE {table}").fetchall()]
    k = _sample_rows(n_pairs)
    seed = int(seed)
    sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns if c != "unique_id")
    gammas = ", ".join(f"{_gamma_sql(c)} AS g{i}" for i, c in enumerate(model["comparisons"]))
    sql = f"""
        WITH s AS (SELECT * FROM {table} ORDER BY hash(unique_id + {seed}), unique_id LIMIT {k}),
        p AS (SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r, {sides}
              FROM s l JOIN s r ON l.unique_id < r.unique_id),
        g AS (SELECT {gammas} FROM p)
        {" UNION ALL ".join(f"SELECT {i} AS c, g{i} AS level, count(*) AS n FROM g GROUP BY g{i}"
                            for i in range(len(model["comparisons"])))}"""
    counts: dict[int, dict[int, int]] = {}
    for c, level, n in api._con.execute(sql).fetchall():
        counts.setdefault(int(c), {})[int(level)] = int(n)
    out = {}
    for i, comp in enumerate(model["comparisons"]):
        got = counts.get(i, {})
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        total = sum(n for level, n in got.items() if level >= 0)
        out[comp["output_column_name"]] = [got.get(j, 0) / total if total else 0.0 for j in range(len(levels))]
    return out
