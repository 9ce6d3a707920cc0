"""Ingest's worker processes do without pandas and DuckDB (issue 21, session 13): pyarrow imported
pandas on its first `pa.array` only to ask whether a list is a pandas object (half of a worker's
start-up CPU), and the rows' module imported DuckDB for the store's field lists and one exception."""

from __future__ import annotations

from cse_audit.ingest import pipeline

from .conftest import RETURNS


def _tables(outcome) -> dict:
    return {name: table for name, table in (outcome.tables or {}).items()}


def test_a_worker_maps_every_fixture_as_this_process_does_and_never_imports_pandas_or_duckdb(fixture_config):
    paths = sorted(p for p in RETURNS.iterdir() if p.suffix in {".csv", ".xlsx", ".xls", ".ods", ".xlsm"})
    here = [pipeline._prepare_one((p, fixture_config, None, True)) for p in paths]
    with pipeline.worker_pool(1) as pool:
        there = [pool.submit(pipeline._prepare_one, (p, fixture_config, None, True)).result() for p in paths]
        # builtins travel by name: asked in the worker itself, after every file
        loaded = pool.submit(eval, "sorted(m for m in __import__('sys').modules if m.split('.')[0] in ('pandas', "
                                   "'duckdb'))")
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


def test_the_record_fields_are_the_stores():
    """store.py's field lists are config.fields (one definition, the store's schema built from it)."""
    from cse_audit import store
    from cse_audit.config import fields as record_fields

    assert store.RECORD_TABLES is record_fields.RECORD_TABLES
    assert store.VICTIM_FIELDS is record_fields.VICTIM_FIELDS


def test_the_outputs_package_still_gives_every_name_it_lists():
    """cse_audit.outputs loads its modules when a name is asked for (so ingest's workers need not
    import the report, the tables and DuckDB to read a template marker); every listed name comes."""
    import subprocess
    import sys

    code = ("import sys, cse_audit.outputs as o\n"
            "assert 'cse_audit.outputs.report' not in sys.modules and 'duckdb' not in sys.modules\n"
            "from cse_audit.outputs.template import read_marker\n"
            "assert 'duckdb' not in sys.modules, 'the template alone brought DuckDB'\n"
            "from cse_audit.outputs import *\n"
            "for name in o.__all__:\n"
            "    assert getattr(o, name) is not None, name\n"
            "try:\n"
            "    o.no_such_name\n"
            "except AttributeError:\n"
            "    pass\n"
            "else:\n"
            "    raise SystemExit('no AttributeError')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
