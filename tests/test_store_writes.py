"""How ingest writes the store (issue 21): record ids unique without a key index, checkpoints
that do not rewrite what is stored already."""

from __future__ import annotations

import pytest

from cse_audit import ingest, store
from cse_audit.ingest.records import MappedReturn

from .conftest import RETURNS


def _mapped(rows: list[tuple[str, int, str | None]]) -> MappedReturn:
    mapped = MappedReturn()
    mapped.add("victims", {"sheet": [r[0] for r in rows], "row_number": [r[1] for r in rows],
                           "column_group": [r[2] for r in rows], "forename": ["x"] * len(rows)})
    mapped.rows_landed = len(rows)
    return mapped


def test_two_rows_with_one_record_id_fail_the_return_and_store_nothing(fixture_config, tmp_path):
    agency = fixture_config.agency_list[0]
    con = store.connect(tmp_path / "s.duckdb")
    # Different groups, or the same row on two sheets, are different records.
    ok = _mapped([("Victims", 2, "1"), ("Victims", 2, "2"), ("Victims", 2, None), ("Other", 2, "1")])
    store.write_return(con, ok, agency, "m", tmp_path / "a.xlsx", "sha-a")
    assert con.execute("SELECT count(DISTINCT record_id), count(*) FROM victims").fetchone() == (4, 4)
    with pytest.raises(store.duckdb.ConstraintException, match=r"record_id: \.\.\.:Victims:3:g2"):
        store.write_return(con, _mapped([("Victims", 3, "2"), ("Victims", 4, None), ("Victims", 3, "2")]),
                           agency, "m", tmp_path / "b.xlsx", "sha-b")
    # rolled back: the first return alone, still current
    assert con.execute("SELECT count(*) FROM victims").fetchone()[0] == 4
    assert con.execute("SELECT count(*), min(status) FROM returns").fetchone() == (1, "current")


def test_the_batch_reports_the_repeated_id_and_goes_on(fixture_config, tmp_path, monkeypatch):
    """In the pipeline the check runs in the worker (arrow_tables): the file fails, naming the
    key (a sheet and row, nothing personal), and the other files load."""
    from cse_audit.ingest import pipeline

    real = pipeline.map_return

    def twice(sheets, mapping, config, agency, name):
        mapped = real(sheets, mapping, config, agency, name)
        if name == "people_flat.xlsx" and mapped.count("victims"):
            first = {f: v[:1] for f, v in mapped.columns["victims"].items()}
            mapped.add("victims", first)  # the first victim's row again
        return mapped

    monkeypatch.setattr(pipeline, "map_return", twice)
    con = store.connect(tmp_path / "s.duckdb")
    report = ingest.ingest([RETURNS / "people_flat.xlsx", RETURNS / "ngo_bom.csv"], con, fixture_config,
                           link=False, jobs=1)
    by_name = {f.file_name: f for f in report.files}
    assert by_name["people_flat.xlsx"].status == "failed"
    assert "Duplicate key" in by_name["people_flat.xlsx"].message
    assert by_name["ngo_bom.csv"].status == "loaded"
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == 1


def test_record_ids_stay_unique_and_checkpoints_do_not_merge(fixture_config, tmp_path):
    con = store.connect(tmp_path / "s.duckdb")
    ingest.ingest([RETURNS], con, fixture_config, link=False, jobs=1)
    for table in store.RECORD_TABLES:
        n, distinct = con.execute(f"SELECT count(*), count(DISTINCT record_id) FROM {table}").fetchone()
        assert n == distinct and n > 0, table
    # No key index on the record tables (each checkpoint rewrote it whole: loading was quadratic)...
    indexed = con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type IN "
                          "('PRIMARY KEY', 'UNIQUE') AND table_name IN ('cases', 'victims', 'offenders')").fetchall()
    assert indexed == []
    # ... and no vacuum: each checkpoint merged the new rows into the last row group, rewriting it.
    assert con.execute("SELECT current_setting('max_vacuum_tasks')").fetchone()[0] == 0


@pytest.mark.parametrize(("cores", "load", "free"), [(2, 0.1, 2), (2, 1.2, 1), (2, 2.9, 1), (8, 3.4, 5)])
def test_workers_only_for_cores_other_work_leaves_free(monkeypatch, cores, load, free):
    """Ingest's default number of workers: the cores less the load average (as `make -l`), less
    the writer's own; on a busy machine none (workers then only added their own CPU)."""
    import os

    from cse_audit.ingest import pipeline

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert pipeline._free_cores() == free
