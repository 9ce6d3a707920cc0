"""The second kind's features read on the idle core while the first kind links (issue 21).

A link of both kinds runs on one core: each kind's features are store SQL on one DuckDB thread
(features.one_thread), and the rest of a kind's link (Splink's model, predict, clustering, the
merge of persons) never reads what the other kind's features read. So while the victims link,
the offenders' features are read on a cursor of the same store in a thread of their own (DuckDB
releases the GIL while a statement runs): 1.0 s of the offenders' features at 100k, 0.1 s on the
sample, taken off the wall time (BENCHMARKS.md, session 15).

The same features as reading them when the kind's turn comes: a features read reads only the
records (the kinds' tables, returns, return periods) and the linkage configuration, which a link
never writes; it runs on one thread (features.one_thread counts who holds the setting, so the two
threads' reads never change it under each other); and it is used only for the same
configuration. It is not started when the caller holds a transaction open (a cursor would not
see its uncommitted records), on a store that is not a file, or on anything but a DuckDB
connection; a read that fails is done again in the kind's turn."""

from __future__ import annotations

import contextlib
import threading

import duckdb

_PENDING: dict[tuple[int, str], _Read] = {}  # (id of the store connection, kind) -> its read


class _Read:
    def __init__(self, con, kind: str, cfg, after: str | None = None):
        self.kind, self.cfg, self.result, self.failed = kind, cfg, None, False
        self.after, self.started = after, after is None  # (started by features() once ``after`` is read)
        self.cursor = con.cursor()
        self.thread = threading.Thread(target=self._read, name=f"features-{kind}", daemon=True)

    def _read(self) -> None:
        from .features import _features

        try:
            self.result = _features(self.cursor, self.kind, self.cfg)
        except BaseException:  # noqa: BLE001 - read again in the kind's own turn, which raises if it must
            self.failed = True

    def done(self):
        """The features read (None if the read failed or never started), the cursor closed."""
        if self.started:
            self.thread.join()
        else:
            self.failed = True
        with contextlib.suppress(duckdb.Error):
            self.cursor.close()
        return None if self.failed else self.result


def _idle_transaction(con) -> bool:
    """True when ``con`` holds no open transaction: each statement then runs in a transaction of
    its own, so two give two ids (inside one, the same). Not probed with a BEGIN: a BEGIN that
    fails aborts the caller's transaction."""
    try:
        first = con.execute("SELECT txid_current()").fetchone()[0]
        return con.execute("SELECT txid_current()").fetchone()[0] != first
    except duckdb.Error:
        return False


def _file_backed(con) -> bool:
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return bool(row and row[0])


def start(con, kind: str, cfg, after: str | None = None) -> bool:
    """Read ``kind``'s features in a thread, for ``features(con, kind, cfg)`` to take: now, or
    (``after``) once that kind's own features are read, so the two reads do not share the cores;
    False when not started (see the module doc)."""
    if not isinstance(con, duckdb.DuckDBPyConnection) or (id(con), kind) in _PENDING:
        return False
    if not (_file_backed(con) and _idle_transaction(con)):
        return False
    read = _PENDING[(id(con), kind)] = _Read(con, kind, cfg, after)
    if after is None:
        read.thread.start()
    return True


def features(con, kind: str, cfg):
    """``kind``'s features as features._features gives them: the read started for this connection,
    kind and configuration if there is one, else read now (and then any read waiting for it
    started)."""
    from .features import _features

    read = _PENDING.pop((id(con), kind), None)
    got = read.done() if read is not None else None
    if got is not None and read.cfg == cfg:
        return got
    got = _features(con, kind, cfg)
    for key, waiting in list(_PENDING.items()):
        if key[0] == id(con) and waiting.after == kind and not waiting.started:
            waiting.started = True
            waiting.thread.start()
    return got


def discard(con) -> None:
    """Wait for and drop every read started for ``con`` and not taken (a link that stopped early)."""
    for key in [k for k in _PENDING if k[0] == id(con)]:
        read = _PENDING.pop(key)
        if read.started:
            read.cursor.interrupt()
        read.done()
