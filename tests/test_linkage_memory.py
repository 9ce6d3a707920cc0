"""Memory cuts in the linkage's Python side that must not change a single result: each is checked
against the code it replaced (kept here as the reference), on inputs with ties, guards and
records without pairs."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from cse_audit.linkage import link


def _edges(seed: int, n: int = 300, m: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n - 51, m)
    b = a + rng.integers(1, 40, m)
    b = np.minimum(b, n - 51)  # the last 50 records have no pair
    keep = a < b
    e = pd.DataFrame({"uid_l": a[keep], "uid_r": b[keep]}).drop_duplicates().sort_values(["uid_l", "uid_r"])
    # few distinct p: many ties, which decide which pair is a record's best
    e["p"] = rng.choice([0.0, 0.05, 0.3, 0.5, 0.5, 0.9, 0.99, 1.0], len(e))
    e["w"] = rng.normal(-4.0, 6.0, len(e))
    e["guard"] = rng.random(len(e)) < 0.1
    return e.reset_index(drop=True)


def _best_pairs_before(edges, roots):
    """link._best_pairs as it was (a frame of both ends of every pair, sorted)."""
    ends = pd.DataFrame({"uid": np.concatenate([edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy()]),
                         "other": np.concatenate([edges["uid_r"].to_numpy(), edges["uid_l"].to_numpy()]),
                         "p": np.concatenate([edges["p"].to_numpy(), edges["p"].to_numpy()])})
    root = np.asarray(roots)
    ends["same"] = root[ends["uid"].to_numpy()] == root[ends["other"].to_numpy()]
    best = ends.sort_values(["uid", "p"], ascending=[True, False], kind="mergesort").drop_duplicates("uid")
    return best, ends, root


@pytest.mark.parametrize("seed", range(6))
def test_best_pairs_and_strong_ends_equal_the_frame_of_both_ends(seed):
    e = _edges(seed)
    n = 300
    roots = (np.arange(n) // np.random.default_rng(seed).integers(1, 6)).tolist()  # persons of a few records
    want, ends, _ = _best_pairs_before(e, roots)
    got, root = link._best_pairs(e, roots)
    assert len(got) == len(want) < n  # some records have no pair
    for col in ("uid", "other", "p", "same"):
        assert got[col].tolist() == want[col].tolist(), col
    # the ties are real: some record has two best pairs to different others
    ties = ends.groupby("uid")["p"].transform("max") == ends["p"]
    assert (ends[ties].groupby("uid")["other"].nunique() > 1).any()
    strong = link._strong_ends(e, 0.5)
    before = ends[ends["p"] >= 0.5]
    assert sorted(zip(strong["uid"], strong["other"], strict=True)) == sorted(
        zip(before["uid"], before["other"], strict=True))
    assert (root == np.asarray(roots)).all()


def _rescored_before(run, prior, shifts=0.0):
    e = run.edges.copy()
    e["w"] = e["w"] + (link._logit2(prior) - link._logit2(run.prior)) + shifts
    e["p"] = 1.0 / (1.0 + np.exp2(-e["w"].to_numpy()))
    e.loc[e["guard"].astype(bool).to_numpy(), "p"] = 0.0
    return e


@pytest.mark.parametrize("shifts", ["scalar", "per pair"])
def test_rescored_equals_the_copy_and_leaves_the_run_alone(shifts):
    e = _edges(1)
    run = types.SimpleNamespace(edges=e, prior=1e-5)
    before = e.copy()
    s = 0.0 if shifts == "scalar" else np.random.default_rng(2).normal(0, 2, len(e))
    got, want = link._rescored(run, 3.3e-5, s), _rescored_before(run, 3.3e-5, s)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert (got["p"][got["guard"]] == 0).all() and (got["p"][~got["guard"]] > 0).any()
    pd.testing.assert_frame_equal(run.edges, before, check_exact=True)  # the run's own scores unchanged


def test_join_fitting_gives_join_chances_only_the_pairs_it_can_use(monkeypatch):
    """link._join_fitting passes join_chances only the pairs with a partial record that is a person
    of its own: the chances must equal those from every pair, row for row."""
    from cse_audit.linkage import unresolved

    from .test_linkage_unresolved import _fit_edges, _population

    rng = np.random.default_rng(5)
    fit, kinds, roots, _ = _population(rng, 20000, 1500, 500, regions=80)
    edges = _fit_edges(fit, kinds)
    # pairs no partial record alone is in (between named records), which the filter drops
    named = np.flatnonzero(kinds < 4)
    extra = pd.DataFrame({"uid_l": named[:3000:2], "uid_r": named[1:3000:2]})
    edges = pd.concat([edges, extra]).drop_duplicates(["uid_l", "uid_r"]).sort_values(["uid_l", "uid_r"])
    edges = edges.reset_index(drop=True)
    edges["w"] = rng.normal(-3.0, 3.0, len(edges))
    edges["p"] = 1.0 / (1.0 + np.exp2(-edges["w"].to_numpy()))
    edges["guard"] = False
    seen = []
    real = unresolved.join_chances

    def spy(est, fit_, kinds_, roots_, e, bits, **kw):
        seen.append((len(e), real(est, fit_, kinds_, roots_, e, bits, **kw)))
        return seen[-1][1]

    monkeypatch.setattr(unresolved, "join_chances", spy)
    run = types.SimpleNamespace(fit=fit, kinds=kinds, edges=edges.copy(), joined=None, duplicate_chance=None)
    link._join_fitting(run, roots.tolist(), edges, None, np.zeros(64), 1e-4, 0.5)
    (used, got), = seen
    bits = edges["w"].to_numpy() - link._logit2(1e-4)
    want = real(unresolved.estimate(fit, kinds, roots, 1.0), fit, kinds, roots, edges, bits, ranked=True)
    assert used < len(edges) and len(want) > 100
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_exact_match_and_validation_cached_give_splinks_answers():
    """model._exact_match_cached: inside it, every level of the model's comparisons answers
    _is_exact_match and _validate_sql as Splink does without it; an invalid level still raises
    every time; outside it, Splink's own methods are back."""
    import splink.comparison_level_library as cll
    from splink.internals.comparison_level import ComparisonLevel

    from cse_audit.linkage import model
    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.settings import _config

    levels = [lv for c in _comparisons(_config(None), "duckdb")
              for lv in c.get_comparison("duckdb").comparison_levels]
    want = [lv._is_exact_match for lv in levels]
    assert any(want) and not all(want)
    before = (ComparisonLevel.__dict__["_is_exact_match"], ComparisonLevel._validate_sql)
    with model._exact_match_cached():
        for _ in range(2):  # computed, then from the cache
            assert [lv._is_exact_match for lv in levels] == want
            assert all(lv._validate_sql() for lv in levels)
        for _ in range(2):  # (a level validates its SQL when it is made)
            with pytest.raises(ValueError, match="Error parsing"):
                cll.CustomLevel("fn_l = = fn_r").get_comparison_level("duckdb")
    assert (ComparisonLevel.__dict__["_is_exact_match"], ComparisonLevel._validate_sql) == before


def _join_chances_before(est, fit, kinds, roots, edges, bits):
    """unresolved.join_chances as it was (session 6): the frame of both ends of every pair, then
    the object columns compared by fancy indexing."""
    empty = pd.DataFrame({"uid": [], "other": [], "p": [], "dup": []})
    if not len(est.part) or not len(edges):
        return empty
    alone = np.bincount(roots, minlength=len(roots))[roots] == 1
    n_by_kind = np.bincount(kinds[est.part], minlength=8)
    q = np.bincount(kinds[est.part], weights=est.fits - est.chance, minlength=8) / np.maximum(n_by_kind, 1)
    q = np.clip(q, 0.0, 0.99)[kinds[est.part]]
    ratio = est.fits / np.maximum(est.chance, 1e-3)
    dup = np.where(est.fits > 0, q * ratio / (q * ratio + 1 - q), 0.0)
    chance_of = dict(zip(est.part[alone[est.part]].tolist(), dup[alone[est.part]].tolist(), strict=True))
    a, b = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy()
    ends = pd.DataFrame({"uid": np.r_[a, b], "other": np.r_[b, a], "bits": np.r_[bits, bits]})
    ends = ends[ends["uid"].isin(list(chance_of)) & (kinds[ends["other"].to_numpy()] < 4)]
    if not len(ends):
        return empty
    x, y = ends["uid"].to_numpy(), ends["other"].to_numpy()
    col = {c: fit[c].to_numpy() for c in ("region", "fi", "si", "sex", "lo", "hi")}
    same = (col["region"][x] == col["region"][y]) & (col["fi"][x] == col["fi"][y]) & (col["si"][x] == col["si"][y])
    sex = pd.isna(col["sex"][x]) | pd.isna(col["sex"][y]) | (col["sex"][x] == col["sex"][y])
    lo_x, hi_x, lo_y, hi_y = col["lo"][x], col["hi"][x], col["lo"][y], col["hi"][y]
    birth = np.isnan(lo_x) | np.isnan(lo_y) | ((lo_y <= hi_x) & (lo_x <= hi_y))
    ends = ends[same & sex & birth].assign(person=lambda d: roots[d["other"].to_numpy()])
    if not len(ends):
        return empty
    ends = ends.sort_values(["uid", "person", "bits"], ascending=[True, True, False]).drop_duplicates(["uid", "person"])
    ends["k"] = np.exp2(ends["bits"] - ends.groupby("uid")["bits"].transform("max"))
    ends["dup"] = ends["uid"].map(chance_of)
    ends["p"] = ends["dup"] * ends["k"] / ends.groupby("uid")["k"].transform("sum")
    best = ends.sort_values(["uid", "p"], ascending=[True, False]).drop_duplicates("uid")
    return best[["uid", "other", "p", "dup"]].reset_index(drop=True)


@pytest.mark.parametrize("missing", ["none", "nan", "object-none"])
def test_join_chances_on_codes_equals_the_object_columns(missing):
    """unresolved.join_chances compares initials, area and sex as integer codes and builds the
    frame of pair ends from the pairs it keeps: row for row the old result, with values missing
    as pandas' NaN and as None (an object column), and pairs the fits reject."""
    from cse_audit.linkage import unresolved

    from .test_linkage_unresolved import _fit_edges, _population

    rng = np.random.default_rng(7)
    fit, kinds, roots, _ = _population(rng, 6000, 600, 300, regions=30)
    edges = _fit_edges(fit, kinds)
    # pairs the fits reject (other initials or area) and pairs of two named records
    part, named = np.flatnonzero(kinds >= 4), np.flatnonzero(kinds < 4)
    extra = pd.DataFrame({"uid_l": rng.choice(named, 4000), "uid_r": rng.choice(part, 4000)})
    extra = pd.concat([extra, pd.DataFrame({"uid_l": named[:2000:2], "uid_r": named[1:2000:2]})])
    edges = pd.concat([edges, extra.assign(uid_l=np.minimum(extra["uid_l"], extra["uid_r"]),
                                           uid_r=np.maximum(extra["uid_l"], extra["uid_r"]))])
    edges = edges.drop_duplicates(["uid_l", "uid_r"]).sort_values(["uid_l", "uid_r"]).reset_index(drop=True)
    fit = fit.copy()
    if missing != "none":
        for c in ("region", "fi", "si", "sex"):
            gone = rng.random(len(fit)) < 0.05
            if missing == "nan":
                fit.loc[gone, c] = np.nan
            else:
                fit[c] = pd.Series(np.where(gone, None, fit[c].to_numpy(dtype=object)), dtype=object)
    bits = rng.normal(0.0, 4.0, len(edges))
    est = unresolved.estimate(fit, kinds, roots, 1.0)
    want = _join_chances_before(est, fit, kinds, roots, edges, bits)
    got = unresolved.join_chances(est, fit, kinds, roots, edges, bits)
    assert len(want) > 100
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # the rejecting pairs were there to reject: without the fit test more records would join
    loose = fit.assign(region="r", fi="f", si="s", sex="Female")
    assert len(_join_chances_before(est, loose, kinds, roots, edges, bits)) > len(want)


def test_scored_pairs_handed_over_through_a_private_file_then_removed(monkeypatch, tmp_path):
    """An unencrypted store's scored pairs reach the second engine through Parquet in a private
    folder (Splink's engine closed first: the 1M peak), identical, owner-only, and gone after."""
    import os
    import stat
    import tempfile

    import pyarrow.parquet as pq

    from cse_audit import linkage
    from cse_audit.linkage import engine

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cfg = linkage.load_linkage_config()
    src = engine._duckdb_api("1GB", 1, False)
    src._con.execute("CREATE TABLE p AS SELECT range AS unique_id_l, range + 1 AS unique_id_r, "
                     "range / 7.0 AS match_weight, 'x' || range AS fn FROM range(250000)")
    modes = []
    real = pq.ParquetWriter

    class Spy(real):
        def __init__(self, where, *a, **k):
            modes.append(stat.S_IMODE(os.fstat(where.fileno()).st_mode))
            modes.append(stat.S_IMODE(os.stat(os.path.dirname(where.name)).st_mode))
            super().__init__(where, *a, **k)

    monkeypatch.setattr(pq, "ParquetWriter", Spy)
    got = engine._scored_pairs_engine(src, {"scored_pairs": "SELECT * FROM p ORDER BY unique_id_l"}, cfg, False)
    assert modes == [0o600, 0o700]
    with pytest.raises(Exception):  # noqa: B017 - Splink's engine is closed
        src._con.execute("SELECT 1")
    n, total, last = got._con.execute("SELECT count(*), sum(unique_id_r), max(fn) FROM scored_pairs").fetchone()
    assert (n, total, last) == (250000, sum(range(1, 250001)), "x99999")
    assert not list(tmp_path.rglob("*.parquet"))


def test_splinks_engine_by_default_leaves_the_1m_link_room_under_4_gib():
    """Session 19 (issue 21): with Splink's engine at 3GB a first link of the 1M store peaked at
    3.84-4.06 GiB (the engine full while predict's pairs stream out, ~0.9 GiB of the process's
    own beside it); at 2.5GB 3.42-3.92 GiB (predict 0.4 GiB lower), the same CPU. The default, as DuckDB reads it."""
    import duckdb

    from cse_audit.linkage.engine import DEFAULT_MEMORY_LIMIT

    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [DEFAULT_MEMORY_LIMIT])
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # e.g. "2.3 GiB"
    value, unit = limit.split()
    assert unit == "GiB" and float(value) <= 2.5 * 1e9 / 2**30 + 0.01
