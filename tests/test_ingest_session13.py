"""Ingest's worker processes do without pandas (issue 21, session 13): pyarrow imported it on its
first `pa.array` only to ask whether a list is a pandas object, a third of a worker's start-up."""

from __future__ import annotations

from cse_audit.ingest import pipeline

from .conftest import RETURNS


def _tables(outcome) -> dict:
    return {name: table for name, table in (outcome.tables or {}).items()}


def test_a_worker_maps_every_fixture_as_this_process_does_and_never_imports_pandas(fixture_config):
    paths = sorted(p for p in RETURNS.iterdir() if p.suffix in {".csv", ".xlsx", ".xls", ".ods", ".xlsm"})
    here = [pipeline._prepare_one((p, fixture_config, None, True)) for p in paths]
    with pipeline.worker_pool(1) as pool:
        there = [pool.submit(pipeline._prepare_one, (p, fixture_config, None, True)).result() for p in paths]
        # builtins travel by name: asked in the worker itself, after every file
        loaded = pool.submit(eval, "sorted(m for m in __import__('sys').modules if m.split('.')[0] == 'pandas')")
        assert loaded.result() == []
    assert any(o.tables for o in there)
    for path, a, b in zip(paths, here, there, strict=True):
        assert (a.status, a.message, a.agency_id) == (b.status, b.message, b.agency_id), path.name
        ta, tb = _tables(a), _tables(b)
        assert ta.keys() == tb.keys(), path.name
        for name in ta:
            assert ta[name].equals(tb[name], check_metadata=True), (path.name, name)


def test_pandas_still_imports_in_this_process_after_a_worker_ran():
    """The refusal is the worker's own: this process (linkage, tables) keeps pandas."""
    import importlib
    import sys

    assert not any(isinstance(f, pipeline._WithoutPandas) for f in sys.meta_path)
    assert importlib.import_module("pandas").DataFrame is not None
