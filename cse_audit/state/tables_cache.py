"""The headline tables precomputed by the writer that links the store, for `cse-audit tables`.

Every linkage through `ingest.link_all` (`link run`, ingest's linkage, `link apply`) ends by
counting the default tables (all of them, no period, not published) with the store's recorded
configuration and keeping each output's text in `store_meta`: one row per variant
(`tables_cache:<format>[-wide]`), holding the text and the key it was made under. `cse-audit
tables` without table names, a period or --publish then reads one row and prints it, when the
row's key is the one the store gives now and the configuration it would use is the recorded one;
otherwise it counts as it always did. (Published tables are not kept: counting them too doubled
what the linkage pays, about 0.5 s at 100k records, for a command run once per publication.)

The key is a hash of everything the text depends on: the current returns (which records count),
both kinds' links basis and linkage uncertainty (store_meta), the recorded configuration's hash
(registry, tables.yaml), and the code and libraries that count and print (this package's tables,
config, state, cli and store modules, byte for byte, in place of its version; the versions of
DuckDB, tabulate, PyYAML and Python). What the key cannot see is removed instead: writing a kind's
links basis (every `link_people`, in its own transaction) deletes the rows (`store.set_meta`).
The text is what `tables` prints, aggregates only: nothing personal is kept that the output does
not show.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from ..store import CURRENT_RETURNS_SQL, links_basis_key, sql_literal, transaction

PREFIX = "tables_cache:"  # store.set_meta deletes rows with this prefix when a kind is linked
LAYOUT = 1  # of the rows and key below; raise it when either changes
KINDS = ("victims", "offenders")
_INPUT_META = (*(links_basis_key(k) for k in KINDS), *(f"linkage_uncertainty:{k}" for k in KINDS), "config_sha256")
# Each (format, wide) the command prints; width only shapes the "table" format.
FORMS = (("table", False), ("table", True), ("markdown", False), ("csv", False), ("json", False))
# What counts and prints the tables: a change in any of these files voids the rows. Their bytes
# stand in for the package's version, which an editable install keeps while its code changes.
_CODE = ("tables/*.py", "config/*.py", "state/*.py", "cli/*.py", "store.py")
# Libraries that shape the text beside DuckDB (its version is at hand): the table layout, the
# configuration's parsing. Looked up by name (cse-audit's own lookup, in an editable install,
# costs more than all of its code's bytes).
_LIBRARIES = ("tabulate", "PyYAML")


def variant(fmt: str, wide: bool = False) -> str:
    """The store_meta key of one output variant."""
    return f"{PREFIX}{fmt}{'-wide' if wide and fmt == 'table' else ''}"


def table_inputs(config) -> dict:
    """The registry and tables configuration `build_tables` takes, from one loaded config folder
    (the command line and the precomputation pass the same)."""
    return {"registry": [vars(a) for a in config.agency_list], "config": config.root / "tables.yaml"}


def _code_fingerprint() -> str:
    from importlib import metadata

    import duckdb

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for pattern in _CODE:
        for path in sorted(package.glob(pattern)):
            h.update(path.relative_to(package).as_posix().encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?;".encode())
    h.update(f"duckdb={duckdb.__version__};python={sys.version}".encode())
    return h.hexdigest()


def _rows(con, *keys: str) -> dict[str, str] | None:
    """store_meta values of ``keys`` (absent ones left out); None when the store has no store_meta.
    Literals, not parameters: DuckDB imports pandas to bind parameters (a tenth of a second)."""
    import duckdb

    try:
        rows = con.execute(f"SELECT key, value FROM store_meta WHERE key IN ({', '.join(map(sql_literal, keys))})")
        return dict(rows.fetchall())
    except duckdb.CatalogException:
        return None


def _key(meta: dict[str, str], returns: str) -> str:
    parts = [f"layout={LAYOUT}", f"code={_code_fingerprint()}", f"returns={returns}",
             *(f"{k}={meta[k]}" if k in meta else f"{k} absent" for k in _INPUT_META)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _row(key: str, config_sha: str, text: str) -> str:
    # Plain lines, not JSON: reading it back must cost nothing (the json module's import, included).
    return f"{LAYOUT}\n{key}\n{config_sha}\n{text}"


def cached_tables(con, config_sha: str, fmt: str, wide: bool = False) -> str | None:
    """The precomputed text of the default tables in this format, or None when there is none that
    holds for the store as it is now and for the configuration ``config_sha`` (the hash of the
    configuration the command would count with). A row that cannot be read is ignored."""
    name = variant(fmt, wide)
    meta = _rows(con, name, *_INPUT_META)
    if not meta or not isinstance(meta.get(name), str):
        return None
    parts = meta[name].split("\n", 3)
    if len(parts) != 4 or parts[0] != str(LAYOUT):
        return None
    _, key, sha, text = parts
    if sha != config_sha or meta.get("config_sha256") != config_sha:
        return None
    if key != _key(meta, con.execute(CURRENT_RETURNS_SQL).fetchone()[0]):
        return None
    return text


def write_tables_cache(con, config_root: str | Path) -> int:
    """Count the default tables (not published) with the configuration folder ``config_root``
    and keep every variant's text in store_meta, replacing what was there, in one transaction.
    Only when both kinds are linked from exactly the current returns and ``config_root`` is the
    store's recorded configuration; otherwise the old rows are just removed. Returns the number of
    variants kept."""

    from ..config import config_files, content_hash, load_config
    from ..tables import build_tables, render

    meta = _rows(con, *_INPUT_META) or {}
    returns = con.execute(CURRENT_RETURNS_SQL).fetchone()[0]
    sha = content_hash(config_files(config_root))
    rows = []
    if all(meta.get(links_basis_key(k)) == returns for k in KINDS) and meta.get("config_sha256") == sha:
        key = _key(meta, returns)
        inputs = table_inputs(load_config(config_root))
        result = build_tables(con, **inputs)
        rows = [(variant(fmt, wide), _row(key, sha, render(result, fmt, None if wide else 100))) for fmt, wide in FORMS]
    with transaction(con):
        con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("DELETE FROM store_meta WHERE starts_with(key, ?)", [PREFIX])
        if rows:
            con.executemany("INSERT INTO store_meta VALUES (?, ?)", rows)
    return len(rows)
