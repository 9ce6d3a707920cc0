"""A first link's small fixed costs (issue 21, session 19): the configuration read once for both
kinds, the agency registry parsed once a read, and the collection that lets Splink's engine go
walking only the objects the link made (linkage/engine.only_this_links_objects_collected)."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest

from cse_audit import linkage
from cse_audit.linkage import settings

from .conftest import hard_profile_store

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("fixed_costs"))


def test_the_registry_is_parsed_once_a_load(monkeypatch):
    calls = []
    real = settings._registry
    monkeypatch.setattr(settings, "_registry", lambda path: (calls.append(path), real(path))[1])
    cfg = settings.load_linkage_config(CONFIGS / "linkage.yaml")
    assert len(calls) == 1
    # what it read is what reading it for each part gives
    assert cfg.force_areas == settings._load_force_areas(CONFIGS / "agencies.yaml")
    assert cfg.agency_areas == settings._load_agency_areas(CONFIGS / "agencies.yaml")
    assert cfg.agency_periods == settings._load_periods(CONFIGS / "settings.yaml", CONFIGS / "agencies.yaml")[1]
    assert cfg.force_areas and cfg.agency_periods is not None


def test_link_all_reads_the_configuration_once_for_both_kinds(monkeypatch, store):
    from cse_audit.ingest import pipeline

    loads, given = [], []
    real = settings.load_linkage_config

    def load(path=None):
        loads.append(path)
        return real(path)

    def link_people(con, kind, config=None, engine=None, **kwargs):
        given.append(linkage.link._config(config, engine))
        return kind
    monkeypatch.setattr(settings, "load_linkage_config", load)
    monkeypatch.setattr(linkage, "load_linkage_config", load)
    monkeypatch.setattr(linkage, "link_people", link_people)
    monkeypatch.setattr(pipeline, "_precompute_tables", lambda *a: None)
    monkeypatch.setattr("cse_audit.state.record_config", lambda *a: None)
    assert pipeline.link_all(store, CONFIGS) == {"victims": "victims", "offenders": "offenders"}
    assert loads == [CONFIGS / "linkage.yaml"]
    assert given[0] is given[1] and given[0] == real(CONFIGS / "linkage.yaml")


def test_the_links_collection_walks_only_its_own_objects_and_frees_the_engine(hard_store, tmp_path, monkeypatch):
    from cse_audit import store
    from cse_audit.linkage import link, model

    frozen_at_collection, engines = [], []
    real_collect, real_engine = gc.collect, model._splink_engine

    def collect(*args):
        frozen_at_collection.append(gc.get_freeze_count() > 0)
        return real_collect(*args)

    def engine(*args, **kwargs):
        api, records = real_engine(*args, **kwargs)
        engines.append(weakref.ref(api))
        return api, records
    monkeypatch.setattr(link.gc, "collect", collect)
    monkeypatch.setattr(model, "_splink_engine", engine)
    shutil.copyfile(hard_store, tmp_path / "s.duckdb")
    con = store.connect(tmp_path / "s.duckdb")
    try:
        result = linkage.link_people(con, "victims")
    finally:
        con.close()
    assert result.persons > 0
    assert frozen_at_collection == [True]
    assert gc.get_freeze_count() == 0  # unfrozen after
    assert len(engines) == 1 and engines[0]() is None  # Splink's engine let go, as before


def test_a_callers_frozen_objects_are_left_alone():
    from cse_audit.linkage.engine import only_this_links_objects_collected

    kept = [object() for _ in range(10)]
    gc.freeze()
    try:
        count = gc.get_freeze_count()
        with only_this_links_objects_collected():
            assert gc.get_freeze_count() == count
        assert gc.get_freeze_count() == count
    finally:
        gc.unfreeze()
    assert kept


def _features_table():
    import pyarrow as pa

    return pa.table({"unique_id": [0, 1, 2], "fn": ["ann", None, "bo"], "dob_y": [2001, 1999, None]})


def test_the_content_hash_is_summed_on_a_thread_and_is_the_same_digest(monkeypatch):
    """The u cache's content hash is summed while the caller goes on (construction does not wait
    for it), and its digest is what summing first gave: the stores' kept u and m still match."""
    import hashlib
    import threading

    import duckdb

    from cse_audit.linkage import model

    features = _features_table()
    scratch = duckdb.connect()
    scratch.register("f", features)
    before = hashlib.sha256(repr(scratch.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM f").fetchone())
                            .encode()).hexdigest()
    go, threads = threading.Event(), []
    real = model._UCache._sum

    def held(self, table):
        threads.append(threading.current_thread() is threading.main_thread())
        assert go.wait(20)
        return real(self, table)
    monkeypatch.setattr(model._UCache, "_sum", held)
    cache = model._UCache(None, "victims", features)  # returns while the sum waits
    go.set()
    assert cache.digest == before and threads == [False]


def test_a_failed_content_hash_raises_where_the_digest_is_asked_for(monkeypatch):
    from cse_audit.linkage import model

    cache = model._UCache(None, "victims", {"not": "a table"})
    with pytest.raises(Exception):  # noqa: B017 - whatever DuckDB raises for a dict it cannot scan
        _ = cache.digest


def test_the_fits_are_counted_beside_the_scores_fetch_and_not_again(hard_store, monkeypatch):
    """unresolved.fitted_pairs (what the prior's rounds read) is computed on a thread while the
    scored pairs are fetched (model._record_parts), once: the rounds take it from the run."""
    import threading

    import duckdb
    import numpy as np

    from cse_audit.linkage import link, model, unresolved

    real = unresolved.fitted_pairs
    beside, again = [], []
    monkeypatch.setattr(model, "fitted_pairs",
                        lambda f, k: (beside.append(threading.current_thread() is threading.main_thread()), real(f, k))[1])
    monkeypatch.setattr(unresolved, "fitted_pairs", lambda f, k: (again.append(1), real(f, k))[1])
    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store), read_only=True)
    try:
        run, _roots, _best, _stats = link._clusters(con, "victims", cfg, False, cfg.threshold)
    finally:
        con.close()
    assert beside == [False] and again == []
    assert np.array_equal(run.fitted, real(run.fit, run.kinds)) and run.fitted.sum() > 0
