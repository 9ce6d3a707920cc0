"""u-probabilities from one pass over a random sample of record pairs (DuckDB).

Splink 5 estimates u one comparison at a time, building and comparing the sampled pairs once per
comparison: six passes a kind, half of a first link's time on the sample (BENCHMARKS.md). Here
the sample is drawn once and u for a level is its share of the sampled pairs where the comparison
is not null - Splink's own definition. The level conditions are the model's own SQL (built by
comparisons.py through Splink's level creators, numbers from validated config), never text from a
user or a file.

The sample: records ordered by a seeded hash of their id, the first k kept, where k records give
about the wanted number of pairs; every pair among them (the smaller id on the left) is counted,
so the same records and seed always give the same u, whatever the number of threads.

Counted on distinct values (issue 21): a comparison reads a few columns, and the k records hold
far fewer distinct combinations of them than pairs (3,163 records at 100k: 387 forenames). A
comparison that gives the same level whichever record is on the left (ulevels.symmetric, proved
from its SQL) is evaluated once per pair of distinct combinations, weighted by how many record
pairs share them (n_a * n_b, or n_a (n_a - 1) / 2 for a combination with itself): the same level
counts, so the same u, with a fraction of the evaluations. A level that reads a column of the
other name (the names' "swapped" level) would make every record distinct; it is left out of that
count, and the few pairs where it can hold (its cross conjunct true, found on pairs of distinct
values) are counted apart and moved to it. A comparison this cannot prove symmetric, or with
nearly as many combinations as records, is counted over the record pairs as before
(``pair_level_counts``, also the tests' oracle).

Pairs the null level holds are not compared (issue 21, session 10): u is a level's share of the
pairs where the comparison is not null, so what such a pair would be is never read. When the null
level's condition says a record without a column, or two records whose column differs, is null
(the reference: either record without a reference or an agency, or two agencies), the combinations
without it are left out and pairs are made only within one value (one agency's references, not
every reference against every other); the pairs left out are counted at the null level, so the
counts are the oracle's to the pair."""

from __future__ import annotations

import concurrent.futures
import functools
import math
import queue
import re
from dataclasses import dataclass

from . import ulevels

SAMPLE = "__cse_u_sample"  # a temporary table of the sampled records in Splink's own engine
# counted on distinct values when their pairs are at most this share of the record pairs (the
# CASE per distinct pair costs a little more than per record pair: the weights, the grouping)
DISTINCT_SHARE = 0.6
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _sample_rows(n_pairs: float) -> int:
    # k (k - 1) / 2 >= n_pairs
    return int(math.ceil((1 + math.sqrt(1 + 8 * n_pairs)) / 2))


def _levels(comp: dict) -> list[tuple[str | None, int]]:
    """(condition, value) in CASE order: -1 for the null level, else the level's position among
    the non-null levels (0 = first); condition None for Splink's ElseLevel."""
    out, i = [], 0
    for lvl in comp["comparison_levels"]:
        if lvl.get("is_null_level"):
            out.append((lvl["sql_condition"], -1))
        else:
            is_else = lvl["sql_condition"].strip().upper() == "ELSE"
            out.append((None if is_else else lvl["sql_condition"], i))
            i += 1
    return out


def _case_sql(levels: list[tuple[str | None, int]], skip=frozenset()) -> str:
    parts = [f"ELSE {v}" if cond is None else f"WHEN {cond} THEN {v}"
             for j, (cond, v) in enumerate(levels) if j not in skip]
    return "CASE " + " ".join(parts) + " END"


def _gamma_sql(comp: dict) -> str:
    """CASE over the comparison's levels in order (values as in ``_levels``)."""
    return _case_sql(_levels(comp))


def _q(name: str, columns: set[str], suffix: str = "") -> str:
    """A record column's name (from the engine's own table), quoted; with _l / _r."""
    if name not in columns or not _IDENT.match(name):
        raise ValueError(f"not a record column: {name!r}")
    return f'"{name}{suffix}"'


def pair_level_counts(con, table: str, comparisons: list[dict], k: int, seed: int) -> dict[int, dict[int, int]]:
    """Per comparison (its position) and level value: the sampled record pairs, each pair's CASE
    evaluated (the way u was counted before issue 21)."""
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    seed = int(seed)
    sides = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in columns if c != "unique_id")
    gammas = ", ".join(f"{_gamma_sql(c)} AS g{i}" for i, c in enumerate(comparisons))
    sql = f"""
        WITH s AS (SELECT * FROM {table} ORDER BY hash(unique_id + {seed}), unique_id LIMIT {int(k)}),
        p AS (SELECT l.unique_id AS unique_id_l, r.unique_id AS unique_id_r, {sides}
              FROM s l JOIN s r ON l.unique_id < r.unique_id),
        g AS (SELECT {gammas} FROM p)
        {" UNION ALL ".join(f"SELECT {i} AS c, g{i} AS level, count(*) AS n FROM g GROUP BY g{i}"
                            for i in range(len(comparisons)))}"""
    counts: dict[int, dict[int, int]] = {i: {} for i in range(len(comparisons))}
    for c, level, n in con.execute(sql).fetchall():
        counts[int(c)][int(level)] = int(n)
    return counts


@dataclass
class _Plan:
    columns: list[str]  # counted on the distinct combinations of these
    rest: str  # the CASE without the cross levels (symmetric)
    full: str  # the whole CASE
    read: list[str]  # every column the comparison reads
    crosses: list[ulevels.Cross]
    # from the null level (the CASE's first): combinations without these are left out, and pairs
    # are only made within equal values of ``apart`` (every pair left out is at the null level)
    absent: tuple[str, ...] = ()
    apart: tuple[str, ...] = ()
    pairs: int = 0  # pairs of distinct combinations evaluated (what counting it costs, roughly)


def _known_sql(absent, columns: set[str]) -> str:
    return " AND ".join(f"{_q(c, columns)} IS NOT NULL" for c in absent) or "true"


def _combination_pairs(con, cols: list[str], columns: set[str], absent=(), apart=()) -> int:
    """How many pairs of distinct combinations of ``cols`` are compared (each with itself too):
    without the combinations lacking an ``absent`` column, within equal ``apart`` values."""
    keys = ", ".join(_q(c, columns) for c in cols)
    groups = ", ".join(_q(c, columns) for c in apart) or "true"
    return con.execute(f"SELECT coalesce(sum(n * (n + 1) // 2), 0) FROM (SELECT count(*) AS n FROM ("
                       f"SELECT DISTINCT {keys} FROM {SAMPLE} WHERE {_known_sql(absent, columns)}) "
                       f"GROUP BY {groups})").fetchone()[0]


def _guards(levels, columns: frozenset[str]):
    """The null level's guards (ulevels.null_guards) when it is the CASE's first level: a pair
    its condition holds for is at the null level whatever the other levels say. ``apart`` only
    where ``absent`` too (a pair with the column null is not "apart")."""
    if not levels or levels[0][1] != -1 or levels[0][0] is None:
        return (), ()
    guards = _null_guards(levels[0][0], columns)
    absent = tuple(sorted(guards.absent))
    return absent, tuple(c for c in sorted(guards.apart) if c in guards.absent)


@functools.lru_cache(maxsize=256)
def _null_guards(condition: str, columns: frozenset[str]) -> ulevels.NullGuards:
    return ulevels.null_guards(ulevels.parse(condition), columns)


@functools.lru_cache(maxsize=256)
def _analysed(condition: str, columns: frozenset[str]):
    """A level condition's columns, its cross conjunct and whether it is symmetric (cached: both
    kinds, and every link of a process, have the same conditions)."""
    node = ulevels.parse(condition)
    return (frozenset(c for c, _ in ulevels.sides(node, columns)), ulevels.cross_conjunct(node, columns),
            ulevels.symmetric(node))


def _plan(con, comp: dict, columns: set[str], record_pairs: int) -> _Plan | None:
    """How to count a comparison on distinct values, or None: over the record pairs. The CASE
    gives the same level whichever record is on the left when each of its conditions does (its
    values are constants)."""
    levels = _levels(comp)
    few = DISTINCT_SHARE * record_pairs
    try:
        known = frozenset(columns)
        analysed = [(frozenset(), None, True) if cond is None else _analysed(cond, known) for cond, _ in levels]
        absent, apart = _guards(levels, known)
    except ulevels.Unplannable:
        return None

    def cheap(cols) -> int | None:  # the pairs of distinct combinations, when few enough
        if not cols:
            return None
        a = [c for c in absent if c in cols]
        n = _combination_pairs(con, cols, columns, a, [c for c in apart if c in a])
        return n if n <= few else None
    every = sorted(set().union(*(a[0] for a in analysed)))
    crosses: dict[int, ulevels.Cross] = {}
    pairs = cheap(every)
    rest_cols = every
    if pairs is None:
        crosses = {j: a[1] for j, a in enumerate(analysed) if a[1] is not None}
        rest_cols = sorted(set().union(*(a[0] for j, a in enumerate(analysed) if j not in crosses)))
        pairs = cheap(rest_cols) if crosses else None
        if pairs is None:
            return None
    if not all(a[2] for j, a in enumerate(analysed) if j not in crosses):
        return None
    kept = tuple(c for c in absent if c in rest_cols)
    return _Plan(rest_cols, _case_sql(levels, skip=frozenset(crosses)), _case_sql(levels), every,
                 list(crosses.values()), kept, tuple(c for c in apart if c in kept), pairs)


def _distinct_counts(con, plan: _Plan, columns: set[str], record_pairs: int) -> dict[int, int]:
    """Level counts of the ``record_pairs`` sampled pairs: the pairs of distinct combinations the
    null level's guards leave (``_Plan.absent``, ``apart``), weighted; every pair left out is at
    the null level (-1), so -1 gets what the others do not account for."""
    keys = ", ".join(_q(c, columns) for c in plan.columns)
    left = ", ".join(f"{_q(c, columns)} AS {_q(c, columns, '_l')}" for c in plan.columns)
    right = ", ".join(f"{_q(c, columns)} AS {_q(c, columns, '_r')}" for c in plan.columns)
    within = "".join(f" AND l.{_q(c, columns, '_l')} = r.{_q(c, columns, '_r')}" for c in plan.apart)
    sql = f"""
        WITH d AS (SELECT *, row_number() OVER () AS __t
                   FROM (SELECT {keys}, count(*) AS __n FROM {SAMPLE} WHERE {_known_sql(plan.absent, columns)}
                         GROUP BY {keys}))
        SELECT __g, sum(__w) FROM (
            SELECT {plan.rest} AS __g,
                   CASE WHEN l.__t = r.__t THEN l.__n * (l.__n - 1) // 2 ELSE l.__n * r.__n END AS __w
            FROM (SELECT {left}, __n, __t FROM d) l JOIN (SELECT {right}, __n, __t FROM d) r
              ON (l.__t < r.__t OR (l.__t = r.__t AND l.__n > 1)){within})
        GROUP BY __g"""
    counts = {int(g): int(n) for g, n in con.execute(sql).fetchall()}
    left_out = int(record_pairs) - sum(counts.values())
    if left_out:
        counts[-1] = counts.get(-1, 0) + left_out
    if plan.crosses:
        _move_cross_pairs(con, plan, columns, counts)
    return counts


def _move_cross_pairs(con, plan: _Plan, columns: set[str], counts: dict[int, int]) -> None:
    """The record pairs where a cross level can hold (its cross conjunct true: found on the
    pairs of distinct values of its two columns, then joined to the records having them), with
    their level with and without the cross levels: each moves from the one to the other."""
    found = []
    for x in plan.crosses:
        lc, rc = _q(x.left, columns), _q(x.right, columns)
        lname, rname = _q(x.left, columns, "_l"), _q(x.right, columns, "_r")
        found.append(f"""
            SELECT l.unique_id AS __i, r.unique_id AS __j
            FROM (SELECT * FROM (SELECT a.{lc} AS {lname}, b.{rc} AS {rname}
                                 FROM (SELECT DISTINCT {lc} FROM {SAMPLE}) a, (SELECT DISTINCT {rc} FROM {SAMPLE}) b)
                  WHERE {x.sql}) t
            JOIN {SAMPLE} l ON l.{lc} IS NOT DISTINCT FROM t.{lname}
            JOIN {SAMPLE} r ON r.{rc} IS NOT DISTINCT FROM t.{rname} AND l.unique_id < r.unique_id""")
    sides = ", ".join(f"l.{_q(c, columns)} AS {_q(c, columns, '_l')}, r.{_q(c, columns)} AS {_q(c, columns, '_r')}"
                      for c in plan.read)
    sql = f"""
        WITH cand AS ({" UNION ".join(found)})
        SELECT __f, __g, count(*) FROM (
            SELECT {plan.full} AS __f, {plan.rest} AS __g
            FROM (SELECT {sides} FROM cand JOIN {SAMPLE} l ON l.unique_id = cand.__i
                  JOIN {SAMPLE} r ON r.unique_id = cand.__j))
        WHERE __f <> __g GROUP BY __f, __g"""
    for full, rest, n in con.execute(sql).fetchall():
        counts[int(rest)] -= int(n)
        counts[int(full)] = counts.get(int(full), 0) + int(n)
        if counts[int(rest)] == 0:
            del counts[int(rest)]


KNOWN = "__cse_u_known"  # the sampled records a comparison's null level does not rule out


def _known_pair_counts(con, comp: dict, columns: set[str], rows: int) -> dict[int, int] | None:
    """A comparison counted over record pairs, but only among the sampled records its null
    level's guards do not rule out (``_Plan.absent``: a record without the column is null against
    anyone) and reading only its own columns; every pair left out is at the null level. The people
    named on a case (associates): a list per case, nearly one distinct value per record, and 60 %
    of records with none: 3.4 of 6.5 CPU-s of u at 100k before (session 12). None when the
    comparison has no such guard or cannot be analysed (then counted with the others)."""
    levels = _levels(comp)
    try:
        known = frozenset(columns)
        absent, _apart = _guards(levels, known)
        read = set().union(*(_analysed(cond, known)[0] for cond, _ in levels if cond is not None))
    except ulevels.Unplannable:
        return None
    if not absent:
        return None
    cols = ", ".join(_q(c, columns) for c in sorted(read | {"unique_id"}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {KNOWN} AS SELECT {cols} FROM {SAMPLE} "
                f"WHERE {_known_sql(absent, columns)}")
    try:
        m = con.execute(f"SELECT count(*) FROM {KNOWN}").fetchone()[0]
        got = pair_level_counts(con, KNOWN, [comp], m, 0)[0] if m > 1 else {}
    finally:
        con.execute(f"DROP TABLE IF EXISTS {KNOWN}")
    left_out = rows * (rows - 1) // 2 - m * (m - 1) // 2
    if left_out:
        got[-1] = got.get(-1, 0) + left_out
    return got


def level_counts(con, table: str, comparisons: list[dict], k: int, seed: int) -> dict[int, dict[int, int]]:
    """The same counts as ``pair_level_counts``, each comparison on distinct values where it can
    be (module doc). Each comparison's count is one statement over a few thousand rows, which
    DuckDB runs on one thread (one row group, one task): the comparisons are counted side by side
    on as many cursors as the engine has threads (``_side_by_side``). Integer counts of the same
    pairs, so the same u in whatever order they finish."""
    columns = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    # a table of the engine's own database, not a temporary one: the cursors read it too
    con.execute(f"CREATE OR REPLACE TABLE {SAMPLE} AS SELECT * FROM {table} "
                f"ORDER BY hash(unique_id + {int(seed)}), unique_id LIMIT {int(k)}")
    try:
        rows = con.execute(f"SELECT count(*) FROM {SAMPLE}").fetchone()[0]
        record_pairs = rows * (rows - 1) // 2
        jobs = []
        for i, comp in enumerate(comparisons):
            plan = _plan(con, comp, columns, record_pairs)
            if plan is None:  # (its cost unknown until its records are: the dearest, so first)
                jobs.append((record_pairs + 1, i, functools.partial(_known_pair_counts, comp=comp, columns=columns,
                                                                    rows=rows)))
            else:
                jobs.append((plan.pairs, i, functools.partial(_distinct_counts, plan=plan, columns=columns,
                                                              record_pairs=record_pairs)))
        got = _side_by_side(con, jobs)
        counts = {i: c for i, c in got.items() if c is not None}
        rest = sorted(i for i, c in got.items() if c is None)
        if rest:
            got = pair_level_counts(con, SAMPLE, [comparisons[i] for i in rest], rows, seed)
            counts.update({i: got[j] for j, i in enumerate(rest)})
    finally:
        con.execute(f"DROP TABLE IF EXISTS {SAMPLE}")
    return counts


def _side_by_side(con, jobs: list) -> dict:
    """Run ``jobs`` ((cost, key, fn(cursor) -> result)) on as many cursors of ``con``'s database
    as it has threads, the dearest first (so that the last to finish is a cheap one); on ``con``
    itself, one after another, with one thread. Returns {key: result}."""
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    ordered = sorted(jobs, key=lambda job: (-job[0], job[1]))
    workers = max(1, min(threads, len(ordered)))
    if workers == 1:
        return {key: fn(con) for _, key, fn in ordered}
    cursors = [con.cursor() for _ in range(workers)]
    free = queue.SimpleQueue()
    for cursor in cursors:
        free.put(cursor)

    def on_a_cursor(fn):
        cursor = free.get()
        try:
            return fn(cursor)
        finally:
            free.put(cursor)
    try:
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="cse-u") as pool:
            futures = [(key, pool.submit(on_a_cursor, fn)) for _, key, fn in ordered]
            return {key: future.result() for key, future in futures}
    finally:
        for cursor in cursors:
            cursor.close()


def estimate_u_one_pass(api, records, model: dict, n_pairs: float, seed: int) -> dict[str, list[float]]:
    """Per comparison (output column name): u of each non-null level, in level order. Levels no
    sampled pair falls in get 0 (the caller floors them)."""
    counts = level_counts(api._con, records.physical_name, model["comparisons"], _sample_rows(n_pairs), seed)
    out = {}
    for i, comp in enumerate(model["comparisons"]):
        got = counts.get(i, {})
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        total = sum(n for level, n in got.items() if level >= 0)
        out[comp["output_column_name"]] = [got.get(j, 0) / total if total else 0.0 for j in range(len(levels))]
    return out
