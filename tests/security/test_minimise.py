"""Finding 3: minimise removes every personal value, and says "minimised" only once it has."""

from __future__ import annotations

import pytest

from cse_audit import ingest, store
from cse_audit.config import load_config

from ..conftest import ROOT
from .common import LINK_FILES


def _structure_text(sheets) -> str:
    """The configuration, file and sheet names (agency names, areas, codes): a surname such as
    West, or Lin (Lincolnshire), is in the file for reasons that have nothing to do with people."""
    text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "configs").rglob("*.yaml"))
    return text + " ".join(p.name for p in (ROOT / "sample_returns").iterdir()) + " ".join(sheets)


def test_minimised_sample_holds_no_name_and_no_dob(tmp_path):
    db = tmp_path / "sample.duckdb"
    con = store.connect(db)
    ingest.ingest([ROOT / "sample_returns"], con, load_config())
    names, dobs = set(), set()
    for table in ("victims", "offenders"):
        for fn, sn, dob in con.execute(f"SELECT forename, surname, dob FROM {table}").fetchall():
            names |= {n for n in (fn, sn) if n}
            if dob:
                dobs.add(dob)
    # what the old minimise kept: conflicts' values (59 DOBs on the sample), raw ethnicity text
    assert con.execute("SELECT count(*) FROM victim_conflicts WHERE \"values\" IS NOT NULL").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM victims WHERE ethnicity_raw IS NOT NULL").fetchone()[0] > 0
    sheets = [s for (s,) in con.execute("SELECT DISTINCT sheet FROM raw_headers").fetchall() if s]
    con.close()
    assert len(names) > 2000 and len(dobs) > 1500
    store.minimise(db)
    data = db.read_bytes()
    allowed = _structure_text(sheets)
    # four letters and more in the file's bytes; three letters also turn up inside the bytes of
    # a stored number ("Amy" inside a match probability of 0.99997: review 7), so those are looked
    # for in the tables' text instead (below)
    left = sorted(n for n in names if len(n) >= 4 and n not in allowed and n.encode("utf-8") in data)
    assert left == []
    short = sorted(n for n in names if len(n) == 3 and n not in allowed)
    for dob in dobs:
        for form in (dob.isoformat(), dob.strftime("%d/%m/%Y"), dob.strftime("%d/%m/%y")):
            assert form.encode() not in data, form
    con = store.connect(db, read_only=True)
    for table, col in (("victim_conflicts", '"values"'), ("offender_conflicts", "chosen"), ("issues", "value"),
                       ("victims", "ethnicity_raw"), ("offenders", "ethnicity_raw")):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE {col} IS NOT NULL").fetchone()[0] == 0, table
    assert store.get_meta(con, "minimised") and not store.get_meta(con, store.MINIMISE_STARTED)
    text_columns = con.execute("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE data_type = 'VARCHAR'").fetchall()
    assert len(short) > 10 and len(text_columns) > 20
    for table, col in text_columns:
        q = f'SELECT count(*) FROM "{table}" WHERE regexp_matches("{col}", ?)'
        for name in short:  # the name as a word, as written ("Ali", not "Any other" for "Any")
            assert con.execute(q, [rf"\b{name}\b"]).fetchone()[0] == 0, (table, col, name)
    con.close()


def test_flag_only_after_the_rewrite(fixture_config, tmp_path):
    """The rewrite fails (here: the temporary's name is taken by a folder): no "minimised" flag,
    no temporary left; the store refuses new returns (its names are gone) and minimise can be
    run again to finish."""
    db = tmp_path / "m.duckdb"
    con = store.connect(db)
    ingest.ingest(LINK_FILES, con, fixture_config)
    con.close()
    blocker = tmp_path / "m.duckdb.minimising"
    blocker.mkdir()
    (blocker / "x").write_text("in the way")
    with pytest.raises(Exception):  # noqa: B017 - whatever the OS says about a folder in the way
        store.minimise(db)
    con = store.connect(db)
    assert store.get_meta(con, "minimised") is None
    assert store.is_minimised(con)  # names are gone: linking again would split people
    with pytest.raises(store.StoreError):
        ingest.ingest(LINK_FILES[:1], con, fixture_config)
    con.close()
    (blocker / "x").unlink()
    blocker.rmdir()
    store.minimise(db)
    con = store.connect(db, read_only=True)
    assert store.get_meta(con, "minimised")
    con.close()
    assert b"Amelia" not in db.read_bytes()
