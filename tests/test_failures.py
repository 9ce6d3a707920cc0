"""Failure paths: an exception in the middle of writing a return or of writing the links leaves
no partial data; a sheet with no header row is rejected row by row; the Spark engine without
pyspark is a clear error."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from cse_audit import ingest, linkage
from cse_audit import store as store_mod
from cse_audit.cli import cli

from .conftest import RETURNS

TABLES = ("returns", "raw_rows", "cases", "victims", "offenders", "issues")


def _snapshot(con) -> dict:
    snap = {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    snap["status"] = con.execute("SELECT return_id, status FROM returns ORDER BY 1").fetchall()
    return snap


def test_an_exception_inside_write_return_leaves_no_partial_return(store, fixture_config, monkeypatch):
    ingest.ingest([RETURNS / "ngo_bom.csv"], store, fixture_config, link=False, jobs=1)
    before = _snapshot(store)
    assert before["status"] == [(1, "current")]
    real_insert = store_mod._insert
    written = []

    def failing_insert(con, table, frame, extra="", params=None):
        if table == "victims":        # after the return row, its supersession and its raw rows
            raise RuntimeError("injected failure while writing victims")
        written.append(table)
        return real_insert(con, table, frame, extra, params)

    monkeypatch.setattr(store_mod, "_insert", failing_insert)
    # the same agency: this return would supersede return 1. The failing file is rolled back and
    # reported `failed` (its reason names the step and the error's type, not its text); the batch goes on.
    failed = ingest.ingest([RETURNS / "ngo_cp1252.csv"], store, fixture_config, link=False, jobs=1)
    assert [f.status for f in failed.files] == ["failed"]
    assert failed.files[0].return_id is None
    message = failed.files[0].message
    assert "while storing (RuntimeError" in message and "nothing of this file was stored" in message
    assert "injected failure" not in message
    assert "raw_rows" in written                 # the failure came in the middle of the return
    assert _snapshot(store) == before            # nothing of it stayed; return 1 is still current
    monkeypatch.setattr(store_mod, "_insert", real_insert)
    report = ingest.ingest([RETURNS / "ngo_cp1252.csv"], store, fixture_config, link=False, jobs=1)
    assert [f.status for f in report.files] == ["loaded"]
    assert [s for _, s in store.execute("SELECT return_id, status FROM returns ORDER BY 1").fetchall()] == [
        "superseded", "current"]
    landed, acc, rej, skip = store.execute("SELECT rows_landed, records_accepted, rows_rejected, rows_skipped "
                                           "FROM returns WHERE status = 'current'").fetchone()
    assert landed == acc + rej + skip and store.execute(
        "SELECT count(*) FROM current_victims").fetchone()[0] == acc


def test_an_exception_inside_link_people_keeps_the_previous_links(store, fixture_config, monkeypatch):
    from cse_audit.linkage import link as link_mod

    files = [RETURNS / "ngo_bom.csv", RETURNS / "police_header_row5.xlsx"]
    ingest.ingest(files, store, fixture_config, link=False, jobs=1)
    cfg = linkage.load_linkage_config(fixture_config.root / "linkage.yaml")
    first = linkage.link_people(store, "victims", config=cfg)
    assert first.persons == first.records == 6

    def links():
        return {t: store.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("victim_links", "victim_persons", "victim_conflicts", "store_meta")}

    before = links()
    a, b = [r for (r,) in store.execute("SELECT record_id FROM current_victims ORDER BY 1 LIMIT 2").fetchall()]
    real_merge = link_mod._merge_persons

    def failing_merge(con, kind, config):
        real_merge(con, kind, config)          # links and persons are written, then it fails
        raise RuntimeError("injected failure while merging")

    monkeypatch.setattr(link_mod, "_merge_persons", failing_merge)
    with pytest.raises(RuntimeError, match="injected failure"):
        linkage.link_people(store, "victims", config=cfg, overrides=[(a, b, "match")])
    assert links() == before
    monkeypatch.setattr(link_mod, "_merge_persons", real_merge)
    joined = linkage.link_people(store, "victims", config=cfg, overrides=[(a, b, "match")])
    assert joined.persons == 5 and links() != before


def test_a_sheet_with_no_header_row_is_rejected_row_by_row(fixture_config, tmp_path):
    path = tmp_path / "ngo_no_header.csv"
    path.write_text("Reference,Notes\nA1,first\nA2,second\n", encoding="utf-8")
    out = ingest.prepare(path, fixture_config)
    m = out.mapped
    assert (out.agency_id, out.mapping) == ("ngo-fixture", "fixture-flat")
    assert (m.rows_landed, m.records_accepted, m.rows_rejected, m.rows_skipped) == (3, 0, 3, 0)
    # one error for the sheet, saying why every row of it is rejected; every row is kept as read
    [issue] = m.issues
    assert (issue.sheet, issue.row_number, issue.severity, issue.code) == ("csv", None, "error", "no_header")
    assert issue.message.startswith(
        f"no header row found in the first {fixture_config.settings.header_search_rows} rows (looked for 'Case'")
    assert issue.message.endswith("; every row of the sheet is rejected")
    assert "A1" not in issue.message and "second" not in issue.message
    assert [(r[0], r[1]) for r in m.raw_rows] == [("csv", 1), ("csv", 2), ("csv", 3)]


def test_spark_engine_without_pyspark_is_a_clear_error(tmp_path, fixture_config_dir, monkeypatch):
    from cse_audit.linkage import engine

    monkeypatch.setitem(sys.modules, "pyspark", None)        # import pyspark now fails, installed or not
    monkeypatch.setattr(engine, "_SPARK", None)
    db = tmp_path / "s.duckdb"
    loaded = CliRunner().invoke(cli, ["ingest", str(RETURNS / "ngo_bom.csv"), "--db", str(db), "--config",
                                      str(fixture_config_dir), "--no-link", "--no-tables"])
    assert loaded.exit_code == 0, loaded.output
    result = CliRunner().invoke(cli, ["link", "run", "--db", str(db), "--config", str(fixture_config_dir),
                                      "--engine", "spark"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "the spark engine needs pyspark: pip install 'cse-audit[spark]'" in result.output
    con = store_mod.connect(db)
    try:   # nothing linked, nothing half-written
        assert not con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'victim_links'").fetchone()[0]
    finally:
        con.close()
