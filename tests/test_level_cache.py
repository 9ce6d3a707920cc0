"""Splink's answers about comparison levels (is a level an exact match, is its SQL valid) kept
with the store (linkage/levelcache.py, session 13): a later process that learns u and m again
asks Splink for none of them, and links exactly as before."""

from __future__ import annotations

import pytest

from cse_audit import linkage, store
from cse_audit.linkage import levelcache

from .test_linkage import build_store


def _persons(con):
    return sorted(con.execute("SELECT record_id, person_id FROM victim_links").fetchall())


def _forget(con):
    """A new process (nothing answered yet) on a store whose records changed (no u and m kept)."""
    levelcache._SEEN.clear()
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("DELETE FROM store_meta WHERE key LIKE 'linkage_u:%'")


def test_a_later_link_asks_splink_nothing_the_store_answered(tmp_path, monkeypatch):
    from splink.internals.comparison_level import ComparisonLevel

    con, _ids, _truth = build_store(tmp_path / "store.duckdb")
    _forget(con)
    linkage.link_people(con, "victims")
    first = _persons(con)
    assert store.get_meta(con, levelcache.META_KEY)  # the answers were kept
    _forget(con)
    asked = []
    real_exact, real_valid = ComparisonLevel.__dict__["_is_exact_match"], ComparisonLevel._validate_sql
    monkeypatch.setattr(ComparisonLevel, "_is_exact_match",
                        property(lambda lv: asked.append("exact") or real_exact.fget(lv)))
    monkeypatch.setattr(ComparisonLevel, "_validate_sql", lambda lv: asked.append("valid") or real_valid(lv))
    linkage.link_people(con, "victims")
    assert asked == [] and _persons(con) == first
    # answers from another Splink or sqlglot are not used: asked again, the same persons
    _forget(con)
    monkeypatch.setattr("splink.__version__", "0.0.0-other")
    linkage.link_people(con, "victims")
    assert "exact" in asked and _persons(con) == first
    con.close()


def test_an_invalid_level_raises_every_time_and_is_never_kept(tmp_path):
    import splink.comparison_level_library as cll

    con, _ids, _truth = build_store(tmp_path / "store.duckdb")
    levelcache._SEEN.clear()
    for _ in range(2):
        with levelcache.exact_match_cached(con), pytest.raises(ValueError, match="Error parsing"):
            cll.CustomLevel("fn_l = = fn_r").get_comparison_level("duckdb")
    assert not store.get_meta(con, levelcache.META_KEY)
    con.close()


def test_a_read_only_store_is_asked_and_never_written(tmp_path):
    """evaluate and explain open stores read-only: the answers are worked out, nothing is kept."""
    path = tmp_path / "store.duckdb"
    con, _ids, _truth = build_store(path)
    con.close()
    levelcache._SEEN.clear()
    ro = store.connect(path, read_only=True)
    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.settings import _config

    levels = [lv for c in _comparisons(_config(None), "duckdb") for lv in c.get_comparison("duckdb").comparison_levels]
    with levelcache.exact_match_cached(ro):
        assert any(lv._is_exact_match for lv in levels)
    assert store.get_meta(ro, levelcache.META_KEY) is None
    ro.close()
