"""Splink's answers about comparison levels, computed once a process and kept with the store.

Splink parses every comparison level's SQL with sqlglot each time a Linker is made (to validate
it) and each time it asks whether the level is an exact match (each EM session's blocking rule,
term frequencies). The exact-match test normalises the SQL to conjunctive normal form, slow for
levels with ORs and CASEs: 1.2 s of a first link on the sample (BENCHMARKS.md, sessions 6 and
13). Both answers depend on the level's SQL and dialect (and Splink's and sqlglot's versions)
only, so each is computed once a process, and kept in the store (store_meta
``splink_exact_match``) for the next process that links it: a `link run`, or an ingest
that brings new returns and so learns u and m again. An invalid level still raises, every time."""

from __future__ import annotations

import contextlib
import hashlib
import json

import duckdb

from .. import store

META_KEY = "splink_exact_match"
MAX_KEPT = 2000  # answers kept in the store (a few dozen levels a configuration)
_SEEN: dict[tuple, bool] = {}  # this process's answers, by (kind of answer, else level, SQL, dialect)


def _digest(key: tuple) -> str:
    """A stored answer's key: the level and the versions whose parsing gave the answer."""
    import splink
    import sqlglot

    return hashlib.sha256(json.dumps([*map(str, key), splink.__version__, sqlglot.__version__]).encode()).hexdigest()


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
    kept, new = _stored(con), {}

    def answer(key: tuple, ask) -> bool:
        if key not in _SEEN:
            digest = _digest(key)
            # (an invalid level raises in ask: never kept, so it raises every time)
            _SEEN[key] = kept[digest] if digest in kept else new.setdefault(digest, bool(ask()))
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
