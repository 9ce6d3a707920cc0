"""Session 14 (issue 21): cost taken out of a link that buys no accuracy. Each shortcut is checked
two ways on a hard synthetic store: that it is taken (fails without it), and that a link with it
writes exactly what a link without it writes (links with their probabilities, persons,
conflicts, the count's range and the prior kept for `link explain`)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from .conftest import hard_profile_store

OUTPUTS = ["victim_links", "victim_persons", "victim_conflicts", "offender_links", "offender_persons",
           "offender_conflicts"]


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("shortcuts"))


def _victims_run(db):
    """model._run on the victims of the store, read-only."""
    from cse_audit import linkage
    from cse_audit.linkage.model import _run

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _run(con, "victims", cfg, cfg.threshold)
    finally:
        con.close()


def _rounded(x):
    """Probabilities to 9 decimals (as bench/link_identity.py): the same code linking the same store
    twice differs in the last bit of a few (a sum's order), never in more."""
    if isinstance(x, float):
        return round(x, 9)
    if isinstance(x, (list, tuple)):
        return [_rounded(v) for v in x]
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    return x


def _linked(src, dst) -> dict:
    """Link a copy of ``src`` (both kinds, as `link run`), and what it wrote, every row sorted."""
    from cse_audit import store
    from cse_audit.ingest import pipeline

    shutil.copyfile(src, dst)
    con = store.connect(dst)
    try:
        pipeline.link_all(con)
        out = {t: sorted(map(repr, _rounded(con.execute(f"SELECT * FROM {t}").fetchall()))) for t in OUTPUTS}
        out["meta"] = sorted(repr(_rounded([k, json.loads(v)])) for k, v in con.execute(
            "SELECT key, value FROM store_meta WHERE key LIKE 'linkage_uncertainty:%' "
            "OR key LIKE 'linkage_prior:%'").fetchall())
    finally:
        con.close()
    return out


def test_few_pairs_are_read_in_splinks_engine(hard_store):
    """Below KEEP_ENGINE_PAIRS the scored pairs are not copied: the run's engine is Splink's, the
    pairs a view on its table."""
    run = _victims_run(hard_store)
    kinds = dict(run.api._con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert kinds["scored_pairs"] == "VIEW" and kinds["guard_records"] == "VIEW"
    assert any(name.startswith("__splink__df_predict") for name in kinds)  # Splink's own table, still open


def test_kept_engine_links_as_the_hand_over(hard_store, tmp_path, monkeypatch):
    from cse_audit.linkage import engine

    kept = _linked(hard_store, tmp_path / "kept.duckdb")
    monkeypatch.setattr(engine, "KEEP_ENGINE_PAIRS", -1)  # every pair handed over, as before
    handed = _linked(hard_store, tmp_path / "handed.duckdb")
    assert kept == handed
    assert len(kept["victim_links"]) > 3000 and kept["meta"]


@pytest.mark.parametrize("kind", ["victims", "offenders"])
def test_full_name_counts_as_the_window_counted_them(hard_store, kind):
    """features' full_n (grouped, then joined; a window's count(DISTINCT) over (fn, sn) before):
    per record with a full name, how many records have it, a return's rows of one birth year
    counting once. Recounted here with the window, from the features' own columns (a birth
    year from bd_hi: a year-only placeholder keeps its year there; unique_id stands for record_id,
    one to one)."""
    from cse_audit import linkage
    from cse_audit.linkage.features import _features

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store), read_only=True)
    try:
        table, _ = _features(con, kind, cfg)
    finally:
        con.close()
    scratch = duckdb.connect()
    scratch.register("f", table)
    got = scratch.execute("""
        SELECT count(*), count(full_n), count(*) FILTER (WHERE full_n IS NOT DISTINCT FROM want), max(full_n)
        FROM (SELECT full_n, CASE WHEN fn IS NOT NULL AND sn IS NOT NULL THEN count(DISTINCT coalesce(
                return_id || ':' || CAST(year(DATE '1970-01-01' + bd_hi) AS VARCHAR), 'u' || unique_id))
                OVER (PARTITION BY fn, sn) END AS want FROM f)""").fetchone()
    n, named, same, most = got
    assert same == n and 0 < named <= n and most > 1


class _Counting:
    """A store connection that counts the statements finding swapped sheets."""

    def __init__(self, con):
        object.__setattr__(self, "_con", con)
        object.__setattr__(self, "swapped", 0)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, sql, *args):
        if "FROM scored WHERE swapped" in sql:  # features._SWAPPED's own text
            object.__setattr__(self, "swapped", self.swapped + 1)
        return self._con.execute(sql, *args)


def test_swapped_sheets_found_once_a_view_in_a_link(hard_store, tmp_path):
    from cse_audit import store
    from cse_audit.ingest import pipeline

    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    con = store.connect(tmp_path / "s.duckdb")
    try:
        counting = _Counting(con)
        pipeline.link_all(counting)
    finally:
        con.close()
    assert counting.swapped == 2  # victims' and offenders' records, each once (four asks)


def test_swapped_sheets_follow_the_names(hard_store, tmp_path):
    """The kept answer is given only while the names are those it was found on: a sheet whose
    names are exchanged after is found swapped at the next ask, as a fresh connection finds it."""
    from cse_audit.linkage.features import _SWAPPED, SWAP_MIN, SWAP_RATIO, _swapped_sheets

    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    fresh = _SWAPPED.format(view="current_victims", min=SWAP_MIN, ratio=SWAP_RATIO)
    try:
        before = _swapped_sheets(con, "current_victims", "_t")
        assert before == len(con.execute(fresh).fetchall())
        rid, sheet, n = con.execute("SELECT return_id, sheet, count(*) FROM victims GROUP BY ALL "
                                    "ORDER BY 3 DESC, 1, 2 LIMIT 1").fetchone()
        assert n >= SWAP_MIN
        con.execute("UPDATE victims SET forename = surname, surname = forename "
                    "WHERE return_id = ? AND sheet IS NOT DISTINCT FROM ?", [rid, sheet])
        want = sorted(con.execute(fresh).fetchall())
        assert (rid, sheet) in want and len(want) != before
        assert _swapped_sheets(con, "current_victims", "_t") == len(want)
        assert sorted(con.execute("SELECT * FROM _t").fetchall()) == want
    finally:
        con.close()


def test_settings_validated_when_the_model_is_learnt_not_when_reused(hard_store, tmp_path, monkeypatch):
    """Splink's settings validation runs on a first link (u sampled, m trained) and not on a
    relink whose model comes from the store's cache; the relink finds the same persons."""
    from splink.internals.settings_validation.log_invalid_columns import InvalidColumnsLogger

    calls = []
    real = InvalidColumnsLogger.construct_output_logs
    monkeypatch.setattr(InvalidColumnsLogger, "construct_output_logs",
                        lambda self, run=True: (calls.append(run), real(self, run))[1])
    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    first = _linked(tmp_path / "s.duckdb", tmp_path / "first.duckdb")
    assert calls.count(True) == 2  # one a kind
    calls.clear()
    again = _linked(tmp_path / "first.duckdb", tmp_path / "again.duckdb")
    assert calls.count(True) == 0
    assert again == first


def test_range_reuses_the_joins_estimate_of_the_fits(hard_store, tmp_path, monkeypatch):
    """The count's range asks unresolved.estimate for what the joins by fits asked on the same
    persons: computed once (the memo on the run), and what it gives is what computing it again
    gives, but for the fit_low each asked with."""
    from cse_audit.linkage import unresolved

    asked = []
    real = unresolved._estimate
    monkeypatch.setattr(unresolved, "_estimate", lambda *a, **k: (asked.append(1), real(*a, **k))[1])
    kept = _linked(hard_store, tmp_path / "kept.duckdb")
    with_memo = len(asked)
    memo = {}
    real_estimate = unresolved.estimate

    def no_memo(*a, memo=None, **k):
        return real_estimate(*a, **k)

    monkeypatch.setattr(unresolved, "estimate", no_memo)
    asked.clear()
    again = _linked(hard_store, tmp_path / "again.duckdb")
    assert with_memo == len(asked) - 2  # one a kind fewer
    assert kept == again
    # the memo's answer, for another fit_low, against a fresh one
    run = _victims_run(hard_store)
    import numpy as np

    kinds, roots = np.asarray(run.kinds), np.arange(len(run.kinds))
    first = real_estimate(run.fit, kinds, roots, 1.0, memo=memo)
    second = real_estimate(run.fit, kinds, roots, 0.4, memo=memo)
    fresh = real(run.fit, kinds, roots, 0.4)
    assert len(memo) == 1 and first.fit_low == 1.0 and second.fit_low == 0.4
    for name in ("records", "linked", "excess", "sd", "fit_low"):
        assert getattr(second, name) == getattr(fresh, name)
    for name in ("ambiguous", "part", "fits", "chance", "by_forename"):
        assert np.array_equal(getattr(second, name), getattr(fresh, name))


def test_relink_reads_the_last_links_scores(hard_store, tmp_path, monkeypatch):
    """A link of the same records with the same model reads the pairs the last link scored
    (scorecache.py) instead of predicting again, and writes what predicting again writes; records
    changed since: predicted again."""
    from splink.internals.linker_components.inference import LinkerInference

    from cse_audit.linkage import scorecache

    first = _linked(hard_store, tmp_path / "first.duckdb")
    predicted = []
    real = LinkerInference.predict
    monkeypatch.setattr(LinkerInference, "predict", lambda self, *a, **k: (predicted.append(1), real(self, *a, **k))[1])
    again = _linked(tmp_path / "first.duckdb", tmp_path / "again.duckdb")
    assert predicted == [] and again == first
    monkeypatch.setattr(scorecache, "load", lambda *a, **k: None)  # as before: predicted
    scored = _linked(tmp_path / "first.duckdb", tmp_path / "scored.duckdb")
    assert predicted == [1, 1] and scored == again
    monkeypatch.undo()
    monkeypatch.setattr(LinkerInference, "predict", lambda self, *a, **k: (predicted.append(2), real(self, *a, **k))[1])
    con = duckdb.connect(str(tmp_path / "first.duckdb"))
    # one victim's ethnicity changed: the victims are scored again, the offenders not (their
    # associates are the victims' persons, which this does not change; a changed name might)
    try:
        con.execute("UPDATE victims SET ethnicity = CASE WHEN ethnicity = 'Mixed' THEN 'Other' ELSE 'Mixed' END "
                    "WHERE record_id = (SELECT min(record_id) FROM victims)")
    finally:
        con.close()
    _linked(tmp_path / "first.duckdb", tmp_path / "changed.duckdb")
    assert predicted.count(2) == 1
