"""Reviewed decisions kept in the store itself (table ``link_decisions``).

``link apply`` imports a reviewed sheet into the store it is run on, and every later linkage of
that store obeys them; no other store sees them. ``link export-decisions`` writes them out in the
overrides-file format, which a project may name in its linkage.yaml (``overrides_file``) to share
decisions between stores on purpose."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml

from .overrides import Override, load_overrides
from .settings import KINDS

TABLE = "link_decisions"
_DDL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (kind VARCHAR NOT NULL, record_id_a VARCHAR NOT NULL, "
        "record_id_b VARCHAR NOT NULL, decision VARCHAR NOT NULL, note VARCHAR, source VARCHAR, "
        "decided_at TIMESTAMP, PRIMARY KEY (kind, record_id_a, record_id_b))")


def _has_table(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [TABLE]).fetchone()[0])


def stored_decisions(con, kind: str) -> list[Override]:
    """The decisions recorded in this store for ``kind`` (pairs in sorted order)."""
    if con is None or not _has_table(con):
        return []
    rows = con.execute(f"SELECT record_id_a, record_id_b, decision, coalesce(note, '') FROM {TABLE} "
                       "WHERE kind = ? ORDER BY record_id_a, record_id_b", [kind]).fetchall()
    return [Override(*r) for r in rows]


def import_decisions(con, reviewed: str | os.PathLike, kind: str) -> dict[str, int]:
    """Record the decisions of a reviewed sheet (or overrides YAML) in the store, in one transaction.
    A value other than match / no-match is an error naming the row, and nothing is recorded.
    A later decision on a pair replaces the earlier one. Counts: added, changed, unchanged, total."""
    incoming = load_overrides(reviewed, kind)
    current = {o.pair: o for o in stored_decisions(con, kind)}
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    now = dt.datetime.now().replace(microsecond=0)
    con.execute(_DDL)
    con.execute("BEGIN TRANSACTION")
    try:
        for o in incoming:
            old = current.get(o.pair)
            counts["unchanged" if old and old.decision == o.decision else "changed" if old else "added"] += 1
            con.execute(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [kind, *o.pair, o.decision, o.note or None, Path(reviewed).name, now])
            current[o.pair] = o
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    counts["total"] = len(current)
    return counts


def export_decisions(con, path: str | os.PathLike) -> dict[str, int]:
    """Write the store's decisions (both kinds) as an overrides YAML file (owner-only: it names
    records). Returns the number written per kind."""
    data, counts = {}, {}
    for kind in KINDS:
        decided = stored_decisions(con, kind)
        counts[kind] = len(decided)
        data[kind] = [{"a": o.record_id_a, "b": o.record_id_b, "decision": o.decision,
                       **({"note": o.note} if o.note else {})} for o in decided]
    header = ("# Reviewed record-pair decisions exported from a store (`cse-audit link export-decisions`).\n"
              "# match = same person, no-match = not. Name this file in linkage.yaml (overrides_file)\n"
              "# to have every store built with that configuration obey it.\n")
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open (a reviewer's note may name a child)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True))
    return counts
