"""The two errors of linkage: a bad config (or overrides file), and a store linkage cannot run on.

Separate so that every module of the package can raise them without importing another."""

import contextlib


class LinkageConfigError(ValueError):
    """configs/linkage.yaml (or an overrides file) is wrong; the message names file and key."""


class LinkageError(RuntimeError):
    """Linkage cannot run on this store (e.g. no records, unknown record ids)."""


class TruthMismatchError(LinkageError):
    """A truth file whose rows mostly match no current record (another kind or data set)."""


@contextlib.contextmanager
def out_of_memory_said(kind: str):
    """DuckDB running out of memory within the block, as a LinkageError that says what to do
    (scoring runs in predict, or streamed into the hand-over: predictstream.py)."""
    import duckdb

    try:
        yield
    except duckdb.OutOfMemoryException as exc:
        raise LinkageError(
            f"{kind}: linkage ran out of memory ({str(exc).splitlines()[0][:200]}). Raise engine.memory_limit "
            "in linkage.yaml, or use --engine spark. An encrypted store's working tables are never written "
            "to disk, so they must fit in memory.") from None
