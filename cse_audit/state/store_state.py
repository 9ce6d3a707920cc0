"""What the store knows about itself: the configuration it was built with, and whether its
linkage is current for its current returns.

Kept apart from store.py (schema, connection, writing returns) because it is about trust in
what a later command reads: a store built with one configuration folder is read with that one,
never silently with another, and tables are never counted from links of other returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..store import CURRENT_RETURNS_SQL, get_meta, links_basis_key, rollback, set_meta

CONFIG_TABLE = "store_config"
KINDS = ("victims", "offenders")


@dataclass(frozen=True)
class RecordedConfig:
    files: dict[str, str]   # relative path -> text
    source: str             # the folder it was read from, as given
    sha256: str
    recorded_at: str


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def recorded_config(con) -> RecordedConfig | None:
    """The configuration the store was built with, or None for a store from before it was recorded."""
    import duckdb

    # Every command on a store starts here: two queries, not the eight of a catalog lookup and
    # get_meta per value (a missing table is a binder error, which leaves a transaction usable).
    try:
        files = dict(con.execute(f"SELECT path, content FROM {CONFIG_TABLE} ORDER BY path").fetchall())
        meta = dict(con.execute("SELECT key, value FROM store_meta WHERE key IN "
                                "('config_sha256', 'config_source', 'config_recorded_at')").fetchall())
    except duckdb.CatalogException:
        return None
    sha = meta.get("config_sha256")
    if not files or not sha:
        return None
    return RecordedConfig(files, meta.get("config_source") or "?", sha, meta.get("config_recorded_at") or "")


def record_config(con, root: str | Path) -> bool:
    """Record the configuration folder's files (contents and hash) in the store, in one transaction.
    Returns True when it differs from what was recorded before (or nothing was)."""
    from ..config.snapshot import config_files, content_hash

    files = config_files(root)
    sha = content_hash(files)
    before = recorded_config(con)
    if before is not None and before.sha256 == sha:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {CONFIG_TABLE} (path VARCHAR PRIMARY KEY, content VARCHAR NOT NULL)")
        con.execute(f"DELETE FROM {CONFIG_TABLE}")
        con.executemany(f"INSERT INTO {CONFIG_TABLE} VALUES (?, ?)", sorted(files.items()))
        set_meta(con, "config_sha256", sha)
        set_meta(con, "config_source", str(Path(root)))
        set_meta(con, "config_recorded_at", dt.datetime.now().replace(microsecond=0).isoformat())
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return True


def linkage_state(con) -> dict[str, str]:
    """Per kind: ``current`` (linked from exactly the current returns), ``stale`` (linked, but the
    current returns changed since, or a run was interrupted) or ``missing`` (never linked)."""
    names = _tables(con)
    current = con.execute(CURRENT_RETURNS_SQL).fetchone()[0]
    out = {}
    for kind in KINDS:
        k = kind[:-1]
        if not {f"{k}_links", f"{k}_persons"} <= names:
            out[kind] = "missing"
            continue
        basis = get_meta(con, links_basis_key(kind))
        out[kind] = "current" if basis is not None and basis == current else "stale"
    return out


class StaleLinkage(Exception):
    """The people in the store's linkage are not those of its current returns."""


def require_current_linkage(con, db: str | Path) -> None:
    """Refuse (StaleLinkage) unless both kinds are linked from exactly the current returns: the
    tables would otherwise count records as people, or people of returns no longer current."""
    state = linkage_state(con)
    if not con.execute("SELECT count(*) FROM current_returns").fetchone()[0]:
        return  # an empty store: nothing to count, nothing to link
    bad = {k: v for k, v in state.items() if v != "current"}
    if bad:
        what = "; ".join(f"{k}: {'not linked' if v == 'missing' else 'linked from other returns'}"
                         for k, v in bad.items())
        raise StaleLinkage(f"{db}: the linkage is not current ({what}), so people cannot be counted; "
                           f"run `cse-audit link run --db {db}` first")


def list_returns(con) -> list[dict]:
    """Every return the store holds, oldest first: agency, file, rows, loaded at, status."""
    rows = con.execute("SELECT return_id, agency_id, file_name, rows_landed, records_accepted, loaded_at, status, "
                       "nil_return FROM returns ORDER BY return_id").fetchall()
    keys = ("return_id", "agency", "file", "rows_landed", "records_accepted", "loaded_at", "status", "nil_return")
    return [dict(zip(keys, r, strict=True)) for r in rows]


class RestoreError(Exception):
    """The return cannot be made current (no such return, or it is current already)."""


def restore_return(con, return_id: int) -> list[int]:
    """Make a superseded return current again, superseding the agency's current return(s), in one
    transaction. The linkage is then stale (its returns are no longer the current ones) until
    `link run`. Returns the ids superseded."""
    row = con.execute("SELECT agency_id, status FROM returns WHERE return_id = ?", [return_id]).fetchone()
    if row is None:
        raise RestoreError(f"no return {return_id} in this store (see `cse-audit returns`)")
    agency, status = row
    if status == "current":
        raise RestoreError(f"return {return_id} is current already")
    con.execute("BEGIN TRANSACTION")
    try:
        replaced = [r[0] for r in con.execute(
            "SELECT return_id FROM returns WHERE agency_id = ? AND status = 'current' ORDER BY return_id",
            [agency]).fetchall()]
        con.execute("UPDATE returns SET status = 'superseded' WHERE agency_id = ? AND status = 'current'", [agency])
        con.execute("UPDATE returns SET status = 'current' WHERE return_id = ?", [return_id])
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return replaced
