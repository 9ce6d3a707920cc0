"""Features and the merge of persons run on one DuckDB thread (linkage.features.one_thread) and
give the connection its own thread setting back, also when the step fails."""

from __future__ import annotations

import duckdb
import pytest

from cse_audit.linkage.features import one_thread


def _threads(con) -> int:
    return int(con.execute("SELECT current_setting('threads')").fetchone()[0])


def test_one_thread_inside_and_restored_after():
    con = duckdb.connect()
    con.execute("SET threads = 3")
    with one_thread(con):
        assert _threads(con) == 1
    assert _threads(con) == 3


def test_restored_when_the_step_fails():
    con = duckdb.connect()
    con.execute("SET threads = 2")
    with pytest.raises(duckdb.CatalogException), one_thread(con):
        con.execute("SELECT * FROM no_such_table")
    assert _threads(con) == 2
