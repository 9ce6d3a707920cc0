"""Minimise: names and dates of birth go, person ids, ages and tables stay."""

from __future__ import annotations

import pytest

from cse_audit import ingest, store
from cse_audit.tables import build_tables

from .conftest import RETURNS


def test_minimise_keeps_tables_and_removes_identifiers(fixture_config, tmp_path):
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    files = [RETURNS / n for n in ("police_header_row5.xlsx", "ngo_bom.csv", "people_flat.xlsx")]
    ingest.ingest(files, con, fixture_config)
    registry = [vars(a) for a in fixture_config.agency_list]
    before = build_tables(con, registry=registry)
    persons = con.execute("SELECT person_id, age FROM victim_persons ORDER BY person_id").fetchall()
    assert con.execute("SELECT count(*) FROM store_meta WHERE key LIKE 'linkage_scores:%'").fetchone()[0] == 2
    con.close()
    counts = store.minimise(db)
    assert counts["victims"] == 7 and counts["raw_rows"] == 16   # 3 + 3 + 1 victims; 9 + 3 + 4 rows
    con = store.connect(db)
    assert build_tables(con, registry=registry) == before
    assert con.execute("SELECT person_id, age FROM victim_persons ORDER BY person_id").fetchall() == persons
    for table in ("victims", "offenders"):
        left = con.execute(f"SELECT count(*) FROM {table} WHERE forename IS NOT NULL OR surname IS NOT NULL "
                           "OR initials IS NOT NULL OR dob IS NOT NULL").fetchone()[0]
        assert left == 0
    assert con.execute("SELECT count(*) FROM raw_rows").fetchone()[0] == 0
    # the last link's scored pairs (kept for a relink, which a minimised store never has) are gone
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not tables & set(store.SCORE_TABLES.values())
    assert con.execute("SELECT count(*) FROM store_meta WHERE key LIKE 'linkage_scores:%'").fetchone()[0] == 0
    with pytest.raises(store.StoreError, match="minimised"):
        ingest.ingest([RETURNS / "lscb_legacy.xls"], con, fixture_config)
    con.close()
    # The rewritten file holds none of the removed values, not even in free pages.
    data = db.read_bytes()
    for secret in (b"Amelia", b"Testcase", b"MOCKRIDGE", b"Fauxname"):
        assert secret not in data


def test_minimised_store_cannot_be_relinked(fixture_config, tmp_path):
    from cse_audit.ingest import link_all

    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    ingest.ingest([RETURNS / "ngo_bom.csv"], con, fixture_config)
    con.close()
    store.minimise(db)
    con = store.connect(db)
    with pytest.raises(store.StoreError, match="cannot be linked again"):
        link_all(con)
    con.close()
