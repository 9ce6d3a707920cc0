"""Session 15 (issue 21): the exact-match answers for the shipped configuration's comparison
levels ship with the package (levelcache.SHIPPED), so a store's first link does not parse and
normalise every level's SQL (0.3 s of the sample's first link). Checked that each shipped answer
is Splink's own (a wrong one fails), that a first link of a fresh store with the shipped
configuration asks Splink for none (fails when the shortcut stops applying: regenerate with
bench/exact_match_answers.py), and that the store keeps the same answers either way."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import hard_profile_store


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("exact_shipped"))


def _shipped_file() -> tuple[list[tuple[str, str]], dict]:
    from cse_audit.linkage import levelcache

    got = json.loads(levelcache.SHIPPED.read_text())
    return [tuple(v) for v in got["versions"]], got["answers"]


def test_shipped_answers_are_splinks(tmp_path):
    """Each shipped answer is what the installed Splink answers for its level (a wrong one fails),
    under the key levelcache computes for it with one of the versions the file lists; the installed
    versions' answers, when listed, cover the same levels as every other version's."""
    from splink.internals.comparison_level import ComparisonLevel
    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage import levelcache

    versions, answers = _shipped_file()
    assert len(answers) >= 20 and levelcache.shipped(levelcache.SHIPPED)
    ask = ComparisonLevel.__dict__["_is_exact_match"].fget
    per_version: dict = {v: set() for v in versions}
    for digest, (is_else, sql, dialect, answer) in answers.items():
        level = ComparisonLevel(sql, SplinkDialect.from_string(dialect))
        key = ("exact", level._is_else_level, level.sql_condition, str(level.sqlglot_dialect))
        made_with = [v for v in versions if levelcache._digest(key, v) == digest]
        assert len(made_with) == 1, sql
        per_version[made_with[0]].add(key)
        assert level._is_else_level == is_else
        assert ask(level) is answer, sql
    assert len({frozenset(k) for k in per_version.values()}) == 1  # every version: the same levels
    assert any(answers[d][-1] for d in answers) and not all(answers[d][-1] for d in answers)


def _first_link(src, dst, monkeypatch, shipped: bool) -> tuple[int, dict]:
    """A first link of a copy of ``src`` in a process that has asked nothing yet: (exact-match
    questions put to Splink, the answers the store keeps)."""
    from splink.internals.comparison_level import ComparisonLevel

    from cse_audit import store
    from cse_audit.ingest import pipeline
    from cse_audit.linkage import levelcache

    asked = []
    real = ComparisonLevel.__dict__["_is_exact_match"]
    monkeypatch.setattr(ComparisonLevel, "_is_exact_match",
                        property(lambda level: (asked.append(1), real.fget(level))[1]))
    monkeypatch.setattr(levelcache, "_SEEN", {})
    if not shipped:
        monkeypatch.setattr(levelcache, "SHIPPED", dst.with_suffix(".none.json"))
    shutil.copyfile(src, dst)
    con = store.connect(dst)
    try:
        pipeline.link_all(con)
        kept = json.loads(store.get_meta(con, levelcache.META_KEY))
    finally:
        con.close()
    monkeypatch.setattr(ComparisonLevel, "_is_exact_match", real)
    return len(asked), kept


def test_first_link_asks_splink_nothing_and_keeps_the_same(hard_store, tmp_path, monkeypatch):
    """With the installed versions listed in the file, a first link asks Splink nothing. A fresh
    install may resolve a sqlglot newer than the file (session 17: 30.31.0 against 30.30.0): then the
    shipped answers are not used, every one is asked as without the file, and nothing else changes
    (run bench/exact_match_answers.py in that environment to add its answers)."""
    from cse_audit.linkage import levelcache

    listed = levelcache.installed_versions() in _shipped_file()[0]
    asked, kept = _first_link(hard_store, tmp_path / "shipped.duckdb", monkeypatch, shipped=True)
    asked_before, kept_before = _first_link(hard_store, tmp_path / "asked.duckdb", monkeypatch, shipped=False)
    assert asked_before >= 20
    assert asked == (0 if listed else asked_before)
    assert kept == kept_before


def test_answers_of_other_versions_are_never_used(monkeypatch):
    """An answer made with other Splink or sqlglot versions is not found under the installed ones'
    key (their parsing may differ), so it is never used."""
    from cse_audit.linkage import levelcache

    versions, answers = _shipped_file()
    installed = levelcache.installed_versions()
    digest, (is_else, sql, dialect, _) = next(iter(answers.items()))
    key = ("exact", is_else, sql, dialect)
    assert levelcache._digest(key, (installed[0], installed[1] + ".other")) != levelcache._digest(key)
    monkeypatch.setattr(levelcache, "installed_versions", lambda: ("0.0", "0.0"))
    assert all(levelcache._digest(("exact", *v[:3])) not in answers for v in answers.values())
