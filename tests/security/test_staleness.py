"""Finding 9: linkage staleness is recorded per kind, and the next ingest re-links what is stale.

Killed after victims were linked and before offenders, the re-run said "unchanged", exit 0, and
kept offenders linked on the old returns (also without a kill: ingest A, ingest B --no-link,
ingest B)."""

from __future__ import annotations

import pytest

from cse_audit import ingest, store
from cse_audit.linkage import link as link_module

from ..conftest import RETURNS

A = [RETURNS / "police_header_row5.xlsx"]
B = [RETURNS / "people_flat.xlsx", RETURNS / "ngo_bom.csv"]


def _persons(con) -> tuple[int, int]:
    return tuple(con.execute(f"SELECT count(*) FROM {k}_persons").fetchone()[0] for k in ("victim", "offender"))


@pytest.fixture
def reference(fixture_config, tmp_path):
    con = store.connect(tmp_path / "ref.duckdb")
    ingest.ingest(A + B, con, fixture_config)
    want = _persons(con), con.execute("SELECT count(*) FROM offender_links").fetchone()[0]
    con.close()
    return want


def test_no_link_then_unchanged_files_relink(fixture_config, tmp_path, reference):
    con = store.connect(tmp_path / "s.duckdb")
    ingest.ingest(A, con, fixture_config)
    ingest.ingest(B, con, fixture_config, link=False)
    assert store.stale_link_kinds(con) == ["victims", "offenders"]
    report = ingest.ingest(B, con, fixture_config)
    assert {f.status for f in report.files} == {"unchanged"}
    assert set(report.linkage) == {"victims", "offenders"}
    assert (_persons(con), con.execute("SELECT count(*) FROM offender_links").fetchone()[0]) == reference
    assert store.stale_link_kinds(con) == []
    con.close()


def test_crash_between_the_two_linkages(fixture_config, tmp_path, reference, monkeypatch):
    con = store.connect(tmp_path / "s.duckdb")
    ingest.ingest(A, con, fixture_config)
    real = link_module.link_people

    def dies_on_offenders(con, kind, **kw):
        if kind == "offenders":
            raise KeyboardInterrupt  # the kill, after victims were linked and committed
        return real(con, kind, **kw)

    monkeypatch.setattr("cse_audit.linkage.link_people", dies_on_offenders)
    with pytest.raises(KeyboardInterrupt):
        ingest.ingest(B, con, fixture_config)
    monkeypatch.undo()
    assert store.stale_link_kinds(con) == ["offenders"]
    report = ingest.ingest(B, con, fixture_config)
    assert {f.status for f in report.files} == {"unchanged"}
    assert set(report.linkage) == {"offenders"}  # only what was stale
    assert (_persons(con), con.execute("SELECT count(*) FROM offender_links").fetchone()[0]) == reference
    con.close()
