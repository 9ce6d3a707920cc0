"""Prepared returns written to the store several at a time (issue 21).

Each return committed on its own went through DuckDB's write-ahead log and then, at the next
checkpoint (every 4MB, issue 22), was read back, compressed and written again: half of ingest's
writing CPU. A commit bigger than the checkpoint threshold skips the log and is checkpointed
straight into the store file (DuckDB's auto_checkpoint_skip_wal_threshold), so returns are
gathered into batches of about BATCH_BYTES of Arrow rows and each batch is one transaction with
one INSERT per table. Per return nothing changes that a user can see: a batch is all or nothing
(a crash leaves whole returns or none; the WAL holds less than before, as batches never enter
it), and when a batch fails its returns are written again one by one, so only the bad one fails.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from .outcomes import FileOutcome

# Bigger batches mean fewer checkpoints (each has a cost per column of every table) and fewer,
# fuller row groups; the price is memory (the batch's Arrow rows) and the work a crash loses
# (reloaded by the next run). At 100k records the writer's CPU was 4.0 s one return at a time,
# 2.2-2.5 s in 16MB batches, 1.8-2.3 s in 64MB ones.
BATCH_BYTES = 64 * 1024 * 1024
# A batch is also handed over once it holds at least what is still to come (estimated), if that is
# this much: the writer then works while the last files are read and mapped, and what is left to
# write after the last file is half the load or less, not nearly all of it (at 100k records one
# 64MB batch was ready only at 90 % of the mapping, and the load ended with 1.3 s of waiting for
# it; now the first batch goes at half the load). Each commit more costs ~0.13 s of CPU (its
# checkpoint) and fragments the store: at 100k 16MB made four commits (+0.3 s, +3 MB), this two,
# as many as before.
MIN_BATCH_BYTES = 32 * 1024 * 1024


class BatchWriter:
    """Takes prepared files in file order, writes them in batches, settles each outcome
    (`loaded`, `unchanged` or `failed`) once its batch is written."""

    def __init__(self, con, config: Config, current: dict, append: bool, source_bytes: int = 0):
        self.con, self.config, self.current, self.append = con, config, current, append
        self.pending: list[tuple[Path, FileOutcome, str]] = []
        self.bytes = 0
        # For the estimate of what is still to come: bytes of the source files not added yet (all
        # the files to load, `source_bytes`, less those added), and of those added with their rows.
        self._source_left, self._source_seen, self._rows_seen = source_bytes, 0, 0
        # Files whose outcome is final: settled here (unchanged, failed before writing) and by the
        # writing thread (committed, or failed to store), counted apart so neither loses a count.
        self._settled_here = self._settled_written = 0
        self.changed = False  # a return was stored
        # One batch is written on a thread of its own while the next is read and mapped: DuckDB
        # works without the GIL, so with a core free the writing costs no wall time. At most one
        # batch is being written and one gathered, and only that thread uses the connection
        # until wait() (the caller must not touch it in between).
        self._pool = None
        self._writing = None              # the Future of the batch being written
        self._writing_keys: set = set()   # its files' (digest, agency)

    @property
    def settled(self) -> int:
        """Files whose outcome is final (committed, unchanged or failed)."""
        return self._settled_here + self._settled_written

    def add(self, path: Path, outcome: FileOutcome, digest: str) -> None:
        size = _size(path)
        self._source_left -= size
        if outcome.status == "failed":
            self._settled_here += 1
            return
        key = (digest, outcome.agency_id)
        if key in self._writing_keys or any((d, o.agency_id) == key for _, o, d in self.pending):
            self.flush()  # the same file twice in this run: the second is `unchanged`, as before
            self.wait()
        if key in self.current:
            rid = self.current[key]
            outcome.status, outcome.return_id, outcome.mapped, outcome.tables = "unchanged", rid, None, None
            outcome.message = f"identical to return {rid}, already loaded"
            self._settled_here += 1
            return
        self.pending.append((path, outcome, digest))
        added = sum(t.nbytes for t in (outcome.tables or {}).values())
        self.bytes += added
        self._source_seen, self._rows_seen = self._source_seen + size, self._rows_seen + added
        if self.bytes >= BATCH_BYTES or (self.bytes >= MIN_BATCH_BYTES and self.bytes >= self.still_to_come()):
            self.flush()

    def still_to_come(self) -> float:
        """Bytes of rows the files not added yet will bring, estimated from those added so far
        (rows per byte of source file)."""
        return max(self._source_left, 0) * self._rows_seen / max(self._source_seen, 1)

    def flush(self) -> None:
        """Hand the pending returns to the writing thread (once it is done with the batch before)."""
        from concurrent.futures import ThreadPoolExecutor

        batch, self.pending, self.bytes = self.pending, [], 0
        if not batch:
            return
        self.wait()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cse-audit-writer")
        self._writing_keys = {(d, o.agency_id) for _, o, d in batch}
        self._writing = self._pool.submit(self._write, batch)

    def wait(self) -> None:
        """Until the batch being written is written (its errors, other than a file's, raised here)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            try:
                writing.result()
            finally:
                self._writing_keys = set()

    def close(self) -> None:
        """Wait for the writing thread and end it (also when the load stops half-way)."""
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None

    def _write(self, batch: list) -> None:
        """The returns of a batch: in one transaction, or, if that fails, one by one."""
        from .. import store

        try:
            written = store.write_returns(self.con, [self._item(*entry) for entry in batch], self.append)
        except Exception:  # rolled back; find the file at fault by writing them one at a time
            written = None
        for i, (path, outcome, digest) in enumerate(batch):
            if written is not None:
                self._loaded(outcome, digest, *written[i])
                continue
            try:
                self._loaded(outcome, digest, *store.write_returns(self.con, [self._item(path, outcome, digest)],
                                                                   self.append)[0])
            except Exception as exc:  # write_returns rolled this file back; the batch goes on
                from .pipeline import unexpected_error

                outcome.status, outcome.message = "failed", unexpected_error("storing", exc)
                outcome.mapped = outcome.tables = None
                self._settled_written += 1

    def finish(self) -> None:
        """Write what is pending, then checkpoint: the small commits that went through the WAL
        (a last batch under the threshold, a nil return) would otherwise stay there while the
        linkage runs, minutes at 1M records."""
        import contextlib

        import duckdb

        self.flush()
        self.close()
        # (not while another transaction on this database is open: DuckDB checkpoints later then)
        with contextlib.suppress(duckdb.TransactionException):
            if self.changed:
                self.con.execute("CHECKPOINT")

    def _item(self, path: Path, outcome: FileOutcome, digest: str) -> tuple:
        return (outcome.mapped, self.config.agencies[outcome.agency_id], outcome.mapping, path, digest,
                outcome.tables)

    def _loaded(self, outcome: FileOutcome, digest: str, return_id: int, superseded: list[int]) -> None:
        outcome.return_id, outcome.superseded, outcome.tables = return_id, superseded, None
        self.current[(digest, outcome.agency_id)] = return_id
        outcome.status = "loaded"
        self._settled_written += 1
        self.changed = True
        if superseded:
            # Said in the load summary: a short resubmission must not replace a return unnoticed.
            old = self.con.execute("SELECT return_id, rows_landed FROM returns WHERE list_contains(?, return_id) "
                                   "ORDER BY return_id", [superseded]).fetchall()
            outcome.message = "; ".join(f"replaces return {rid} ({n} rows -> {outcome.mapped.rows_landed} rows)"
                                        for rid, n in old)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was read: it only steers when batches are handed over
        return 0
