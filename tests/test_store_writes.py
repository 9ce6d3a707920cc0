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


def test_a_batch_over_the_checkpoint_threshold_goes_straight_into_the_store(fixture_config, tmp_path):
    """Returns are written several to a transaction (ingest/batches.py): a commit bigger than the
    checkpoint threshold is checkpointed into the store file without passing through the WAL
    (DuckDB's auto_checkpoint_skip_wal_threshold), so no plaintext copy of it is left beside the
    store, and the CPU of writing it twice is saved. Shown by a crash inside that checkpoint
    (DuckDB's debug_checkpoint_abort): the batch is lost, as it was not committed, and the WAL
    holds nothing of it (written through the WAL, as one return at a time was, it held ~9 MB)."""
    agency = fixture_config.agency_list[0]
    db = tmp_path / "s.duckdb"
    con = store.connect(db)
    n = 60_000
    returns = []
    for part in ("a", "b"):
        mapped = _mapped([("Victims", i + 2, None) for i in range(n)])
        mapped.columns["victims"]["forename"] = [f"Forename{part}{i:07d}" for i in range(n)]
        returns.append((mapped, agency, "m", tmp_path / f"{part}.xlsx", f"sha-{part}", None))
    written = store.write_returns(con, returns, append=True)
    assert [rid for rid, _ in written] == [1, 2]
    assert con.execute("SELECT count(*), count(DISTINCT record_id) FROM victims").fetchone() == (2 * n, 2 * n)
    assert con.execute("SELECT count(*) FROM victims WHERE forename = 'Forenameb0000007' AND return_id = 2 "
                       "AND record_id LIKE '%:2:Victims:9'").fetchone()[0] == 1
    con.execute("SET debug_checkpoint_abort = 'before_header'")
    with pytest.raises(store.duckdb.Error, match="[Cc]heckpoint"):
        store.write_returns(con, [(*r[:3], tmp_path / "c.xlsx", "sha-c", None) for r in returns], append=True)
    wal = db.with_name(db.name + ".wal")
    assert not wal.exists() or wal.stat().st_size < 64 * 1024
    con.close()


def _batch_sizes(monkeypatch) -> list[int]:
    """The number of returns in each batch the writer is given, as the load goes."""
    sizes = []
    real = store.write_returns

    def counting(con, returns, *args, **kwargs):
        sizes.append(len(returns))
        return real(con, returns, *args, **kwargs)

    monkeypatch.setattr(store, "write_returns", counting)
    return sizes


def test_the_pipeline_writes_returns_in_batches_and_the_counts_reconcile(fixture_config, tmp_path, monkeypatch):
    from cse_audit.ingest import batches

    sizes = _batch_sizes(monkeypatch)
    con = store.connect(tmp_path / "s.duckdb")
    report = ingest.ingest([RETURNS], con, fixture_config, link=False, jobs=1)
    loaded = [f for f in report.files if f.status == "loaded"]
    assert len(loaded) > 2 and sizes == [len(loaded)]        # the fixture's returns are one batch
    for f in loaded:
        landed, acc, rej, skip = con.execute("SELECT rows_landed, records_accepted, rows_rejected, rows_skipped "
                                             "FROM returns WHERE return_id = ?", [f.return_id]).fetchone()
        assert landed == acc + rej + skip == f.as_dict()["rows_landed"]
        assert con.execute("SELECT count(*) FROM raw_rows WHERE return_id = ?", [f.return_id]).fetchone()[0] == landed
    # with a batch of each return, the same store
    monkeypatch.setattr(batches, "BATCH_BYTES", 1)
    sizes.clear()
    con2 = store.connect(tmp_path / "s2.duckdb")
    ingest.ingest([RETURNS], con2, fixture_config, link=False, jobs=1)
    assert sizes == [1] * len(loaded)
    for table in ("raw_rows", "victims", "offenders", "cases", "issues"):
        query = f"SELECT * FROM {table} ORDER BY ALL"
        assert con.execute(query).fetchall() == con2.execute(query).fetchall(), table


def test_a_batch_is_handed_over_once_it_holds_what_is_still_to_come(fixture_config, tmp_path, monkeypatch):
    """Batches end early enough for the writer to work while the last files are mapped (issue 21,
    session 11): a batch over MIN_BATCH_BYTES that holds at least the rows the files not yet added
    will bring (estimated from rows per source byte so far) is handed over, so what is left to
    write after the last file is small. With one 64MB batch handed over at 90 % of a 100k load,
    the load ended waiting 1.3 s for the writer. Fails if the early hand-over goes (one batch) or
    ignores the estimate (a batch per return); the store is the same as with one batch."""
    from cse_audit.ingest import batches

    sizes = _batch_sizes(monkeypatch)
    con = store.connect(tmp_path / "one.duckdb")
    report = ingest.ingest([RETURNS], con, fixture_config, link=False, jobs=1)
    n = len([f for f in report.files if f.status == "loaded"])
    assert sizes == [n] and n >= 4
    monkeypatch.setattr(batches, "MIN_BATCH_BYTES", 1)
    sizes.clear()
    con2 = store.connect(tmp_path / "early.duckdb")
    ingest.ingest([RETURNS], con2, fixture_config, link=False, jobs=1)
    # halving what is left each time: more than one batch, fewer than one per return, the first the biggest
    assert sum(sizes) == n and 1 < len(sizes) < n and sizes[0] == max(sizes), sizes
    for table in ("returns", "raw_rows", "victims", "offenders", "cases", "issues"):
        query = f"SELECT * EXCLUDE (loaded_at) FROM {table} ORDER BY ALL" if table == "returns" else \
            f"SELECT * FROM {table} ORDER BY ALL"
        assert con.execute(query).fetchall() == con2.execute(query).fetchall(), table


def test_the_estimate_of_what_is_still_to_come(fixture_config, tmp_path):
    """Rows per byte of the source files added so far, times the bytes of those not added yet."""
    import pyarrow as pa

    from cse_audit.ingest.batches import BatchWriter
    from cse_audit.ingest.outcomes import FileOutcome

    files = []
    for i, size in enumerate((1000, 3000, 2000)):
        path = tmp_path / f"f{i}.csv"
        path.write_bytes(b"x" * size)
        files.append(path)
    writer = BatchWriter(None, fixture_config, {}, False, source_bytes=6000)
    writer.flush = lambda: None
    table = pa.table({"a": pa.array([1] * 250, pa.int64())})      # 2000 bytes of rows
    outcome = FileOutcome(files[0].name, str(files[0]), "checked", agency_id="a", tables={"t": table})
    writer.add(files[0], outcome, "sha0")
    assert writer.still_to_come() == 5000 * 2000 / 1000
    writer.add(files[1], FileOutcome(files[1].name, str(files[1]), "failed"), "sha1")   # a failed file brings nothing
    assert writer.still_to_come() == 2000 * 2000 / 1000
