"""Session 15 (issue 21): the second kind's features read on the idle core while the first kind
links (linkage/prefetch.py). Checked that the read ahead is taken (fails without it), that a link
with it writes exactly what a link without it writes, that the one-thread setting two threads
hold is restored only by the last, and that no read ahead starts inside the caller's
transaction."""

from __future__ import annotations

import shutil
import threading

import duckdb
import pytest

from .conftest import hard_profile_store
from .test_link_shortcuts import _linked


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("read_ahead"))


def test_offenders_features_read_ahead_in_a_thread(hard_store, tmp_path, monkeypatch):
    """In a link of both kinds the offenders' features are read in a thread of their own, on a
    cursor (not the store's connection), while the victims link; each kind's read once."""
    from cse_audit import store
    from cse_audit.ingest import pipeline
    from cse_audit.linkage import features

    reads = []
    real = features._features
    monkeypatch.setattr(features, "_features", lambda con, kind, cfg: (
        reads.append((kind, threading.current_thread().name, con)), real(con, kind, cfg))[1])
    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    con = store.connect(tmp_path / "s.duckdb")
    try:
        pipeline.link_all(con)
    finally:
        con.close()
    assert [(kind, name) for kind, name, _ in reads] == [("victims", "MainThread"),
                                                         ("offenders", "features-offenders")]
    assert reads[0][2] is con and reads[1][2] is not con


def test_read_ahead_links_as_reading_in_turn(hard_store, tmp_path, monkeypatch):
    from cse_audit.linkage import prefetch

    ahead = _linked(hard_store, tmp_path / "ahead.duckdb")
    monkeypatch.setattr(prefetch, "start", lambda *a, **k: False)  # each kind read in its turn, as before
    in_turn = _linked(hard_store, tmp_path / "in_turn.duckdb")
    assert ahead == in_turn
    assert len(ahead["offender_links"]) > 1000 and ahead["meta"]


def test_one_thread_restored_by_the_last_holder(tmp_path):
    """Two connections of one store (the link's and the read ahead's cursor) each hold one thread,
    overlapping: the setting stays 1 until both are out, then is what it was."""
    from cse_audit.linkage.features import one_thread

    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    cur = con.cursor()

    def threads():
        return int(con.execute("SELECT current_setting('threads')").fetchone()[0])

    try:
        con.execute("SET threads = 3")
        outer = one_thread(con)
        inner = one_thread(cur)
        outer.__enter__()
        inner.__enter__()
        assert threads() == 1
        outer.__exit__(None, None, None)
        assert threads() == 1  # the cursor's step still runs on one thread
        inner.__exit__(None, None, None)
        assert threads() == 3
    finally:
        cur.close()
        con.close()


def test_no_read_ahead_in_the_callers_transaction(hard_store, tmp_path):
    """A cursor would not see records the caller wrote and has not committed: no read ahead then
    (nor on a store in memory); the transaction is left as it was."""
    from cse_audit.linkage import load_linkage_config, prefetch

    cfg = load_linkage_config()
    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM offenders")
        assert not prefetch.start(con, "offenders", cfg, after="victims")
        assert con.execute("SELECT count(*) FROM offenders").fetchone()[0] == 0
        con.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM offenders").fetchone()[0] > 0
    finally:
        con.close()
    memory = duckdb.connect()
    try:
        assert not prefetch.start(memory, "offenders", cfg)
    finally:
        memory.close()
