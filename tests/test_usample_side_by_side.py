"""u's comparisons counted side by side (linkage/usample.level_counts, issue 21, session 19): each
comparison's count is one statement over a few thousand sampled rows, which DuckDB runs on one
thread, so the comparisons run on as many cursors as the engine has threads. The counts must be
the oracle's (``pair_level_counts``) whatever the threads, and the sample table must go."""

from __future__ import annotations

import random
import threading

import duckdb
import pytest

from cse_audit.linkage import usample


def _comp(*levels, null=None):
    out = [{"sql_condition": null, "is_null_level": True}] if null else []
    return {"comparison_levels": out + [{"sql_condition": c} for c in levels]}


COMPS = [
    _comp("a_l = a_r", "ELSE", null="a_l IS NULL OR a_r IS NULL"),
    _comp("b_l = b_r", "jaro_winkler_similarity(b_l, b_r) >= 0.8", "ELSE", null="b_l IS NULL OR b_r IS NULL"),
    _comp("a_l = b_r AND b_l = a_r", "a_l = a_r", "ELSE"),
    _comp("a_l < a_r", "ELSE"),  # not symmetric: over the record pairs
]


def _table(threads: int):
    rng = random.Random(19)
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("CREATE TABLE t (unique_id INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    [(i, rng.choice(["ann", "bea", "cal", None]), rng.choice(["ann", "anne", "bob", "dee", None]))
                     for i in range(300)])
    return con


def _spied(monkeypatch):
    """Which connection and thread each comparison's count ran on."""
    seen = []
    for name in ("_distinct_counts", "_known_pair_counts"):
        original = getattr(usample, name)

        def spy(con, *args, _original=original, **kwargs):
            seen.append((id(con), threading.get_ident()))
            return _original(con, *args, **kwargs)
        monkeypatch.setattr(usample, name, spy)
    return seen


def _no_sample_left(con) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [usample.SAMPLE]).fetchone()[0] == 0


def test_counted_side_by_side_on_cursors_the_same_counts(monkeypatch):
    con = _table(threads=2)
    seen = _spied(monkeypatch)
    got = usample.level_counts(con, "t", COMPS, 300, 5)
    assert got == usample.pair_level_counts(con, "t", COMPS, 300, 5)
    # every comparison on a cursor of its own database, two of them, in two threads
    assert len(seen) == len(COMPS)
    assert id(con) not in {c for c, _ in seen} and len({c for c, _ in seen}) == 2
    assert len({t for _, t in seen}) == 2
    assert _no_sample_left(con)


def test_one_thread_counts_on_the_connection_itself(monkeypatch):
    con = _table(threads=1)
    seen = _spied(monkeypatch)
    got = usample.level_counts(con, "t", COMPS, 300, 5)
    assert got == usample.pair_level_counts(con, "t", COMPS, 300, 5)
    assert {c for c, _ in seen} == {id(con)} and {t for _, t in seen} == {threading.get_ident()}


def test_the_dearest_comparison_first():
    order = []
    jobs = [(cost, key, lambda cursor, key=key: order.append(key) or key) for cost, key in
            [(5, "cheap"), (900, "dear"), (50, "middle"), (5, "cheap2")]]
    con = duckdb.connect()
    con.execute("SET threads = 1")
    assert usample._side_by_side(con, jobs) == {"cheap": "cheap", "dear": "dear", "middle": "middle",
                                                "cheap2": "cheap2"}
    assert order == ["dear", "middle", "cheap", "cheap2"]


def test_a_failing_count_fails_the_whole_and_leaves_no_sample(monkeypatch):
    con = _table(threads=2)

    def broken(*args, **kwargs):
        raise duckdb.BinderException("broken")
    monkeypatch.setattr(usample, "_known_pair_counts", broken)
    with pytest.raises(duckdb.BinderException):
        usample.level_counts(con, "t", COMPS, 300, 5)
    assert _no_sample_left(con)
