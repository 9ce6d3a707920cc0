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


def test_shipped_answers_are_splinks(tmp_path):
    """Each shipped answer, for the Splink and sqlglot installed, is what Splink answers for its
    level, under the key levelcache computes for it."""
    from splink.internals.comparison_level import ComparisonLevel
    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage import levelcache

    answers = json.loads(levelcache.SHIPPED.read_text())["answers"]
    assert len(answers) >= 20 and levelcache.shipped(levelcache.SHIPPED)
    ask = ComparisonLevel.__dict__["_is_exact_match"].fget
    for digest, (is_else, sql, dialect, answer) in answers.items():
        level = ComparisonLevel(sql, SplinkDialect.from_string(dialect))
        assert levelcache._digest(("exact", level._is_else_level, level.sql_condition,
                                   str(level.sqlglot_dialect))) == digest
        assert level._is_else_level == is_else
        assert ask(level) is answer, sql
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
    asked, kept = _first_link(hard_store, tmp_path / "shipped.duckdb", monkeypatch, shipped=True)
    assert asked == 0
    asked_before, kept_before = _first_link(hard_store, tmp_path / "asked.duckdb", monkeypatch, shipped=False)
    assert asked_before >= 20
    assert kept == kept_before
