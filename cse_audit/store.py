"""The DuckDB store: schema, connection, provenance and supersession of returns.

One file holds everything: returns as received, raw rows exactly as read, normalised
records with provenance, row-level issues, and the linkage results. Each return loads in
one transaction, so a crash leaves either the whole return or none of it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb

# The record tables' fields live apart (ingest's workers build rows for them without DuckDB).
from .config.fields import CASE_FIELDS, OFFENDER_FIELDS, PERSON_FIELDS, RECORD_TABLES, VICTIM_FIELDS  # noqa: F401

DEFAULT_DB = "cse_audit.duckdb"


_TYPES = {"dob": "DATE", "case_date": "DATE", "age": "INTEGER", "missing_episodes": "INTEGER", "age_max": "INTEGER",
          "school_year": "INTEGER"}
# record_id is unique but not a PRIMARY KEY: DuckDB rewrites a table's whole key index at every
# checkpoint, and with the WAL checkpointed every 4MB that made loading quadratic (at 100k records,
# 12 of the load's 22 CPU seconds; far worse at 1M). Unique without the index: agency ids hold no
# ':', each return gets a fresh id, and ingest.rows.arrow_tables refuses a return whose rows would
# share one.
# Stores made before keep their key; both work.
_PROVENANCE = (
    "record_id VARCHAR NOT NULL, return_id INTEGER NOT NULL, agency_id VARCHAR NOT NULL, "
    "source_type VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER"
)


def _columns(fields: list[str]) -> str:
    return ", ".join(f"{f} {_TYPES.get(f, 'VARCHAR')}" for f in fields)


SCHEMA = f"""
CREATE SEQUENCE IF NOT EXISTS return_ids START 1;
CREATE TABLE IF NOT EXISTS returns (
    return_id INTEGER PRIMARY KEY, agency_id VARCHAR NOT NULL, source_type VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL, file_path VARCHAR, sha256 VARCHAR NOT NULL, mapping VARCHAR,
    loaded_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL, nil_return BOOLEAN NOT NULL,
    rows_landed INTEGER NOT NULL, records_accepted INTEGER NOT NULL, rows_rejected INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL, warnings INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS raw_headers (
    return_id INTEGER, sheet VARCHAR, kind VARCHAR, header_row INTEGER, headers VARCHAR[]
);
CREATE TABLE IF NOT EXISTS raw_rows (
    return_id INTEGER, sheet VARCHAR, row_number INTEGER, kind VARCHAR, cells VARCHAR[]
);
CREATE TABLE IF NOT EXISTS cases ({_PROVENANCE}, {_columns(CASE_FIELDS)});
CREATE TABLE IF NOT EXISTS victims ({_PROVENANCE}, {_columns(VICTIM_FIELDS)});
CREATE TABLE IF NOT EXISTS offenders ({_PROVENANCE}, {_columns(OFFENDER_FIELDS)});
CREATE TABLE IF NOT EXISTS issues (
    return_id INTEGER, file_name VARCHAR, sheet VARCHAR, row_number INTEGER, column_name VARCHAR,
    value VARCHAR, code VARCHAR, severity VARCHAR, message VARCHAR
);
-- Added with issue 24 (stores made before it gain them here): the numbered column group a record
-- came from (NULL outside grouped blocks), an age band's upper end, the mapping block of an issue.
ALTER TABLE victims ADD COLUMN IF NOT EXISTS column_group VARCHAR;
ALTER TABLE offenders ADD COLUMN IF NOT EXISTS column_group VARCHAR;
ALTER TABLE victims ADD COLUMN IF NOT EXISTS age_max INTEGER;
ALTER TABLE offenders ADD COLUMN IF NOT EXISTS age_max INTEGER;
ALTER TABLE issues ADD COLUMN IF NOT EXISTS block VARCHAR;
CREATE OR REPLACE VIEW current_returns AS SELECT * FROM returns WHERE status = 'current';
CREATE OR REPLACE VIEW current_cases AS
    SELECT * FROM cases WHERE return_id IN (SELECT return_id FROM current_returns);
CREATE OR REPLACE VIEW current_victims AS
    SELECT * FROM victims WHERE return_id IN (SELECT return_id FROM current_returns);
CREATE OR REPLACE VIEW current_offenders AS
    SELECT * FROM offenders WHERE return_id IN (SELECT return_id FROM current_returns);
-- Added with issue 18 (stores made before it gain them here): the reporting period a return states
-- in its title rows (`period:` in the mapping; one row per return that states one; linkage reads it
-- for ages without dates), and an age band's upper end.
CREATE TABLE IF NOT EXISTS return_periods (
    return_id INTEGER PRIMARY KEY, period_start DATE, period_end DATE, source VARCHAR
);
CREATE OR REPLACE VIEW current_return_periods AS
    SELECT * FROM return_periods WHERE return_id IN (SELECT return_id FROM current_returns);
ALTER TABLE victims ADD COLUMN IF NOT EXISTS age_max INTEGER;
ALTER TABLE offenders ADD COLUMN IF NOT EXISTS age_max INTEGER;
-- Added with the alias field (issue 16, session 16): other names a person goes by (personal).
ALTER TABLE victims ADD COLUMN IF NOT EXISTS alias VARCHAR;
ALTER TABLE offenders ADD COLUMN IF NOT EXISTS alias VARCHAR;
-- Added in session 21: the number of a school year written where the age goes (Year 10 -> 10).
ALTER TABLE victims ADD COLUMN IF NOT EXISTS school_year INTEGER;
ALTER TABLE offenders ADD COLUMN IF NOT EXISTS school_year INTEGER;
"""



class StoreError(Exception):
    """The store cannot be opened or is in use."""


KEY_ENV = "CSE_AUDIT_KEY"
WAL_CHECKPOINT = "4MB"
# New stores are written in the storage format of the DuckDB this package requires (pyproject: 1.5),
# not DuckDB's default (0.10.2's, for files older DuckDBs must read): its checkpoints compress text
# with DICT_FSST, which at 100k records took the load's writer from 1.55 to 1.25 s of CPU and made
# the store smaller (BENCHMARKS.md, session 11). A store made before keeps its format; encrypted
# stores had a newer one already (DuckDB encrypts only in 1.4's format or later).
STORAGE_VERSION = "v1.5.0"
CATALOG = "store"


def connect(path: str | os.PathLike = DEFAULT_DB, read_only: bool = False,
            key: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store, with the schema in place.

    A new store file is created readable by its owner only: it holds special-category data.
    With a key (``key`` or the CSE_AUDIT_KEY environment variable) the whole file is encrypted
    by DuckDB (AES-GCM): names, dates of birth and raw rows included.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"{path}: no store here yet (run `cse-audit ingest` first)")
    key = key if key is not None else (os.environ.get(KEY_ENV) or None)
    new = not path.exists()
    private_files()
    try:
        if new and not key:
            # Made on its own first: the format is kept in the file, and every connection then has
            # the same configuration (DuckDB refuses two connections to one file that differ).
            duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION}).close()
        con = _open_encrypted(path, read_only, key) if key else duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            # DuckDB holds an exclusive lock per file: a second writer fails here.
            raise StoreError(f"{path}: the store is in use by another cse-audit process") from None
        raise StoreError(f"{path}: cannot open the store ({_without_key(str(exc), key).splitlines()[0][:300]})"
                         ) from None
    except (duckdb.CatalogException, duckdb.InvalidInputException, duckdb.BinderException) as exc:
        raise StoreError(_key_problem(path, _without_key(str(exc), key))) from None
    if new:
        os.chmod(path, 0o600)
    # DuckDB's own progress bar would land in stdout, inside JSON or csv the user is piping.
    con.execute("SET enable_progress_bar = false")
    if not read_only:
        con.execute(SCHEMA)
        # Each return commits on its own (crash safety). The WAL is a second copy of what was
        # written, left behind by a crash: keep it small. Checkpointing after every return took the
        # sample's load from ~8 s to ~60 s; a 4MB threshold costs nothing measurable there, and a
        # crash leaves at most about 4MB (+ one return) in the WAL (it was 1GB: the whole load).
        con.execute(f"SET checkpoint_threshold = {sql_literal(WAL_CHECKPOINT)}")
        # No vacuum at checkpoints. With one every 4MB, each merged the rows appended since the last
        # into the table's last, partly filled row group, rewriting and recompressing up to 122,880
        # rows of every table each time, more as the store grew (at 100k records 3 of the load's 8
        # CPU seconds; a later writer's first checkpoint then merged the whole store again, ~3 s).
        # The price: a row group per checkpoint (~6k records at 100k), and rows deleted are not
        # compacted (nothing deletes much here; minimise rewrites the whole file).
        con.execute("SET max_vacuum_tasks = 0")
    return con


def _open_encrypted(path: Path, read_only: bool, key: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if not read_only:
        _load_crypto(con)
    # ATTACH takes no parameter for the path: it goes in as a literal (quotes doubled); the key
    # is a bound parameter, encoded so that DuckDB uses it byte for byte (see _key_param).
    options = "ENCRYPTION_KEY ?" + (", READ_ONLY" if read_only else "")
    con.execute(f"ATTACH {sql_literal(path)} AS {CATALOG} ({options})", [_key_param(key)])
    con.execute(f"USE {CATALOG}")
    return con


def _load_crypto(con) -> None:
    """DuckDB writes encrypted files only with its httpfs extension loaded (OpenSSL); reading
    needs nothing more. The extension comes from PyPI (duckdb-extension-httpfs), matched to the
    installed DuckDB, since these machines cannot download extensions at run time."""
    try:
        import duckdb_extension_httpfs as ext
    except ImportError:
        ext = None
    if ext is not None:
        found = Path(ext.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
        if found.exists():
            con.execute(f"LOAD {sql_literal(found)}")
            return
    try:
        con.execute("LOAD httpfs")
    except duckdb.Error as exc:
        raise StoreError(f"writing an encrypted store needs DuckDB's httpfs extension for DuckDB "
                         f"{duckdb.__version__} (pip package duckdb-extension-httpfs of the same version)") from exc


def private_files() -> None:
    """From now on this process creates files readable by their owner only (umask 077): the
    store's write-ahead log (created and removed by DuckDB as it goes, so it cannot be chmod-ed
    once), the minimise temporary, spill files and every export that can hold names. Set for
    the whole process, since those files are created long after the store is opened."""
    os.umask(os.umask(0o077) | 0o077)


def _without_key(message: str, key: str | None) -> str:
    """An error message from DuckDB with the key (as given or as sent) taken out."""
    if key:
        for form in {key, _key_param(key)}:
            message = message.replace(form, "<key>")
    return message


def _key_param(key: str) -> str:
    """The key as DuckDB must receive it to use it as given. DuckDB casts ENCRYPTION_KEY to a
    BLOB, which reads ``\\xNN`` as an escape (so ``abc\\x41`` meant ``abcA``, and a lone backslash
    was an error); every backslash and non-ASCII or control byte is therefore sent as ``\\xNN``.
    Printable ASCII keys (all keys that worked before) give the same bytes as before."""
    return "".join(chr(b) if 32 <= b < 127 and b != 0x5C else f"\\x{b:02X}" for b in key.encode("utf-8"))


def _key_problem(path: Path, message: str) -> str:
    if "without a key" in message:
        return f"{path}: the store is encrypted; set {KEY_ENV} to its key"
    if "Wrong encryption key" in message:
        return f"{path}: wrong key for this encrypted store ({KEY_ENV})"
    if "not encrypted" in message:
        return f"{path}: this store is not encrypted, but {KEY_ENV} is set; unset it, or start a new store"
    return f"{path}: cannot open the store ({message.splitlines()[0][:200]})"


def write_return(con, mapped, agency, mapping_name: str, path: Path, digest: str,
                 append: bool = False, tables: dict | None = None) -> tuple[int, list[int]]:
    """Write one mapped return in a single transaction. Returns (return_id, superseded ids).

    A new return from an agency supersedes its earlier current ones (kept for audit, left out
    of tables) unless ``append`` is set, for agencies that send their data in parts, or it is an
    empty template (``mapped.empty_return``), which replaces nothing. ``tables``
    are the return's arrow_tables, when a worker built them already.
    """
    return write_returns(con, [(mapped, agency, mapping_name, path, digest, tables)], append)[0]


# The rows of each table, the return id added: record_id = agency:return:sheet:row (":case" for
# cases; a record of a numbered column group, `Victim 2 ...`, gets ":g" and its group: one row, several people).
_RECORD_ID = "agency_id || ':' || CAST(return_id AS VARCHAR) || ':' || sheet || ':' || CAST(row_number AS VARCHAR)"
_EXTRA = {"cases": _RECORD_ID + " || ':case' AS record_id",
          "victims": _RECORD_ID + " || coalesce(':g' || column_group, '') AS record_id",
          "offenders": _RECORD_ID + " || coalesce(':g' || column_group, '') AS record_id"}


def write_returns(con, returns: list[tuple], append: bool = False) -> list[tuple[int, list[int]]]:
    """Write returns, each (mapped, agency, mapping name, path, digest, arrow tables or None), in
    one transaction, in their order (a later one supersedes an earlier one of its agency): all or
    none of them. One INSERT per table for all of them: a commit this size goes straight into the
    store file at a checkpoint, not through the WAL (auto_checkpoint_skip_wal_threshold), which
    costs half the CPU of many small commits, each written to the WAL and then checkpointed."""
    import datetime as dt

    import pyarrow as pa

    con.execute("BEGIN TRANSACTION")
    try:
        done, frames = [], {}
        for mapped, agency, mapping_name, path, digest, tables in returns:
            if tables is None:
                from .ingest.rows import arrow_tables

                tables = arrow_tables(mapped, agency)
            return_id = con.execute("SELECT nextval('return_ids')").fetchone()[0]
            superseded = []
            # An empty template (headers, no rows, no word that it is nil) is no response, so it
            # replaces nothing: superseding, it took a real return's records out of the tables and
            # had the agency chased as if it had never answered (session 17). A real return after it
            # replaces it as any new return does.
            if not append and not getattr(mapped, "empty_return", False):
                superseded = [r[0] for r in con.execute(
                    "SELECT return_id FROM returns WHERE agency_id = ? AND status = 'current'", [agency.id]).fetchall()]
                if superseded:
                    con.execute("UPDATE returns SET status = 'superseded' WHERE agency_id = ? AND status = 'current'",
                                [agency.id])
            con.execute(
                "INSERT INTO returns VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, ?, ?, ?, ?, ?)",
                [return_id, agency.id, agency.source_type, path.name, str(path), digest, mapping_name,
                 dt.datetime.now().replace(microsecond=0), mapped.nil_return, mapped.rows_landed,
                 mapped.records_accepted, mapped.rows_rejected, mapped.rows_skipped, mapped.warnings])
            if getattr(mapped, "period_start", None) or getattr(mapped, "period_end", None):
                con.execute("INSERT INTO return_periods VALUES (?, ?, ?, ?)",
                            [return_id, mapped.period_start, mapped.period_end, mapped.period_source])
            for table, frame in tables.items():
                frame = frame.append_column("return_id", pa.repeat(pa.scalar(return_id, pa.int32()), len(frame)))
                if table == "issues":
                    frame = frame.append_column("file_name", pa.repeat(pa.scalar(path.name), len(frame)))
                frames.setdefault(table, []).append(frame)
            done.append((return_id, superseded))
        for table, parts in frames.items():
            _insert(con, table, pa.concat_tables(parts, promote_options="default"), _EXTRA.get(table, ""))
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return done


@contextlib.contextmanager
def transaction(con):
    """A transaction around the block (rolled back on any error), or the caller's open one."""
    try:
        con.execute("BEGIN TRANSACTION")
        own = True
    except duckdb.TransactionException:
        own = False  # the caller's transaction covers us
    try:
        yield
        if own:
            con.execute("COMMIT")
    except BaseException:
        if own:
            rollback(con)
        raise


def rollback(con) -> None:
    """Roll back if still open (an interrupted query may have ended it; a 2nd error would hide the 1st)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _insert(con, table: str, frame, extra: str = "", params: list | None = None) -> None:
    """Bulk insert an Arrow table by column name, with extra computed columns."""
    con.register("_incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT {extra + ', ' if extra else ''}* FROM _incoming",
                    params or [])
    finally:
        con.unregister("_incoming")


PERSONAL_COLUMNS = ("forename", "surname", "alias", "initials", "dob")


def sql_identifier(name) -> str:
    """A SQL identifier, double-quoted by DuckDB's rules (inner quotes doubled). The one way a name
    that is not a constant of this package may reach SQL; values go as bound parameters or through
    sql_literal."""
    text = str(name)
    if "\x00" in text:
        raise ValueError("an identifier cannot contain a NUL character")
    return '"' + text.replace('"', '""') + '"'


def sql_literal(text) -> str:
    """A SQL string literal. Used instead of query parameters where start-up counts: DuckDB imports
    pandas to inspect parameters (a third of a second)."""
    text = str(text)
    if "\x00" in text:
        raise ValueError("a SQL string cannot contain a NUL character")
    return "'" + text.replace("'", "''") + "'"


def get_meta(con, key: str) -> str | None:
    """A value from the store's store_meta table (None when absent)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "store_meta" not in tables:
        return None
    row = con.execute(f"SELECT value FROM store_meta WHERE key = {sql_literal(key)}").fetchone()
    return row[0] if row else None


def set_meta(con, key: str, value: str) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT OR REPLACE INTO store_meta VALUES ($key, $value)", {"key": key, "value": value})
    if key in (links_basis_key("victims"), links_basis_key("offenders")):
        # A kind was linked (again), in this transaction: the tables precomputed from its old links
        # are void, whoever linked (state/tables_cache.py; ingest.link_all writes them afresh).
        con.execute("DELETE FROM store_meta WHERE starts_with(key, 'tables_cache:')")


# The returns a linkage result was computed from: `link run` stores it, the tables compare it
# with the store's current returns. Returns never change once loaded (a resubmission is a new
# return), so the same set of current returns means the same records.
CURRENT_RETURNS_SQL = ("SELECT coalesce(string_agg(CAST(return_id AS VARCHAR), ',' ORDER BY return_id), '')"
                       " FROM current_returns")


def links_basis_key(kind: str) -> str:
    return f"{kind}_links_basis"


def stale_link_kinds(con) -> list[str]:
    """The kinds (victims, offenders) whose links were not built on the store's current returns:
    never linked, linked before a return was added or superseded (``ingest --no-link``), or cut
    off between the two linkages by a crash. Recorded per kind, so each is judged on its own."""
    current = con.execute(CURRENT_RETURNS_SQL).fetchone()[0]
    return [kind for kind in ("victims", "offenders") if get_meta(con, links_basis_key(kind)) != current]


def is_minimised(con) -> bool:
    """True once minimise has removed the names, also when its rewrite did not finish (the names
    are gone from the records either way, so linking again would split every person)."""
    return bool(get_meta(con, "minimised") or get_meta(con, MINIMISE_STARTED))


MINIMISE_STARTED = "minimise_started"
# Free text as sent, or values that identify a person: what minimise removes from each table.
MINIMISED_COLUMNS = {
    "victims": (*PERSONAL_COLUMNS, "ethnicity_raw"),
    "offenders": (*PERSONAL_COLUMNS, "ethnicity_raw"),
    "victim_persons": PERSONAL_COLUMNS,
    "offender_persons": PERSONAL_COLUMNS,
    "victim_conflicts": ("values", "chosen"),
    "offender_conflicts": ("values", "chosen"),
    "issues": ("value",),
}


# The last link's scored pairs per kind (linkage/scorecache.py): record positions and scores, for
# a relink of the same records; a minimised store is never linked again, so they go with it.
SCORE_TABLES = {"victims": "linkage_scores_victims", "offenders": "linkage_scores_offenders"}


def minimise(path: str | os.PathLike) -> dict:
    """Drop names, initials, dates of birth and every other value as typed (raw rows, raw
    ethnicity text, issue values, the values of merge conflicts) once linkage is done, keeping
    person ids and ages.

    The store is then rewritten into a fresh file, so the dropped values do not linger in free
    pages of the old one, and the fresh file replaces the store by an atomic rename: the
    "minimised" flag is set in the fresh file only, so it is never set on a file still holding
    the values. A minimised store takes no more returns: linking needs the names this removed.
    """
    import datetime as dt

    path = Path(path)
    con = connect(path)
    fresh = path.with_name(path.name + ".minimising")
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"victim_persons", "offender_persons"} <= tables:
            raise StoreError(f"{path}: link the records before minimising (run `cse-audit ingest`)")
        counts = {"raw_rows": con.execute("SELECT count(*) FROM raw_rows").fetchone()[0]}
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        con.execute("BEGIN TRANSACTION")
        for table, columns in MINIMISED_COLUMNS.items():
            if table not in tables:
                continue
            if table in ("victims", "offenders"):
                counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            present = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
            cols = [c for c in columns if c in present]
            if cols:
                con.execute(f"UPDATE {table} SET {', '.join(f'{sql_identifier(c)} = NULL' for c in cols)}")
        con.execute("DELETE FROM raw_rows")
        # The tables precomputed by the linkage (state/tables_cache.py) go too: text made before,
        # whose words a search for names would trip on; a minimised store counts its tables.
        con.execute("DELETE FROM store_meta WHERE starts_with(key, 'tables_cache:')")
        for table in SCORE_TABLES.values():  # constant names
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("DELETE FROM store_meta WHERE starts_with(key, 'linkage_scores:')")
        # Not yet "minimised": that flag is set in the rewritten file only (below).
        set_meta(con, MINIMISE_STARTED, now)
        con.execute("COMMIT")
        if fresh.exists():
            fresh.unlink()
        key = os.environ.get(KEY_ENV) or None
        # The rewritten file keeps the store's encryption, if it had any.
        options = " (ENCRYPTION_KEY ?)" if key else ""
        con.execute(f"ATTACH {sql_literal(fresh)} AS fresh{options}", [_key_param(key)] if key else [])
        con.execute(f"COPY FROM DATABASE {sql_identifier(con.execute('SELECT current_database()').fetchone()[0])}"
                    " TO fresh")
        con.execute("DELETE FROM fresh.store_meta WHERE key = ?", [MINIMISE_STARTED])
        con.execute("INSERT OR REPLACE INTO fresh.store_meta VALUES ('minimised', ?)", [now])
        con.execute("DETACH fresh")
    except BaseException:
        con.close()
        if fresh.exists():
            fresh.unlink()
        raise
    con.close()
    os.chmod(fresh, 0o600)
    with open(fresh, "rb") as f:
        os.fsync(f.fileno())
    os.replace(fresh, path)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.unlink()
    return counts
