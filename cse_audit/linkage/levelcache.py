"""Splink's answers about comparison levels, computed once a process and kept with the store.

Splink parses every comparison level's SQL with sqlglot each time a Linker is made (to validate
it) and each time it asks whether the level is an exact match (each EM session's blocking rule,
term frequencies). The exact-match test normalises the SQL to conjunctive normal form, slow for
levels with ORs and CASEs: 1.2 s of a first link on the sample (BENCHMARKS.md, sessions 6 and
13). Both answers depend on the level's SQL and dialect (and Splink's and sqlglot's versions)
only, so each is computed once a process, and kept in the store (store_meta
``splink_exact_match``) for the next process that links it: a `link run`, or an ingest
that brings new returns and so learns u and m again. An invalid level still raises, every time.

A store's first link has none kept: the exact-match answers for the shipped configuration's
levels ship with the package (``exact_match_answers.json``, made by bench/exact_match_answers.py),
under the same key (the level's SQL and dialect, Splink's and sqlglot's versions), and are taken
from there as if computed (and kept in the store as before): 0.3 s of the sample's first link
(BENCHMARKS.md, session 15). A level that is not there (another configuration, other versions)
is asked of Splink as before."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path

import duckdb

from .. import store

SHIPPED = Path(__file__).with_name("exact_match_answers.json")

META_KEY = "splink_exact_match"
MAX_KEPT = 2000  # answers kept in the store (a few dozen levels a configuration)
_SEEN: dict[tuple, bool] = {}  # this process's answers, by (kind of answer, else level, SQL, dialect)


def installed_versions() -> tuple[str, str]:
    """The Splink and sqlglot versions whose parsing gives this process's answers."""
    import splink
    import sqlglot

    return splink.__version__, sqlglot.__version__


def _digest(key: tuple, versions: tuple[str, str] | None = None) -> str:
    """A stored answer's key: the level and the versions whose parsing gave the answer (the
    installed ones unless ``versions`` says which)."""
    return hashlib.sha256(json.dumps([*map(str, key), *(versions or installed_versions())]).encode()).hexdigest()


@functools.lru_cache(maxsize=4)
def shipped(path: Path = SHIPPED) -> dict[str, bool]:
    """The shipped exact-match answers by key (_digest of ("exact", else level, SQL, dialect)), for
    every pair of Splink and sqlglot versions the file was made with (an answer under other
    versions is never used: a fresh install with a newer sqlglot asks Splink, as without the file);
    none when the file is missing or unreadable."""
    try:
        got = json.loads(path.read_text())["answers"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {k: v[-1] for k, v in got.items() if isinstance(v, list) and v and isinstance(v[-1], bool)}


def _stored(con) -> dict[str, bool]:
    if con is None:
        return {}
    try:
        got = json.loads(store.get_meta(con, META_KEY) or "{}")
    except (duckdb.Error, ValueError):
        return {}
    return {k: v for k, v in got.items() if isinstance(v, bool)} if isinstance(got, dict) else {}


def _store(con, answers: dict[str, bool]) -> None:
    with contextlib.suppress(duckdb.Error):  # a read-only store (evaluate, explain): nothing kept
        store.set_meta(con, META_KEY, json.dumps(dict(list(answers.items())[-MAX_KEPT:])))


@contextlib.contextmanager
def exact_match_cached(con=None):
    """Inside: ComparisonLevel._is_exact_match and _validate_sql answered once a process per
    level, and from (new ones into) ``con``'s store."""
    from splink.internals.comparison_level import ComparisonLevel

    original = ComparisonLevel.__dict__["_is_exact_match"]
    validate = ComparisonLevel._validate_sql
    kept, new, ready = _stored(con), {}, shipped(SHIPPED)

    def answer(key: tuple, ask) -> bool:
        if key not in _SEEN:
            digest = _digest(key)
            # (an invalid level raises in ask: never kept, so it raises every time; only
            # exact-match answers ship)
            if digest in kept:
                _SEEN[key] = kept[digest]
            else:
                _SEEN[key] = new[digest] = ready[digest] if key[0] == "exact" and digest in ready else bool(ask())
        return _SEEN[key]

    def validated(level) -> bool:
        return answer(("valid", level._is_else_level, level.sql_condition, str(level.sqlglot_dialect)),
                      lambda: validate(level))

    def cached(level) -> bool:
        return answer(("exact", level._is_else_level, level.sql_condition, str(level.sqlglot_dialect)),
                      lambda: original.fget(level))

    ComparisonLevel._is_exact_match, ComparisonLevel._validate_sql = property(cached), validated
    try:
        yield
    finally:
        ComparisonLevel._is_exact_match, ComparisonLevel._validate_sql = original, validate
        if new and con is not None:
            _store(con, {**kept, **new})
