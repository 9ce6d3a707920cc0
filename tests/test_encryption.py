"""Encryption at rest: with CSE_AUDIT_KEY the whole store file is encrypted by DuckDB."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cse_audit import ingest, store
from cse_audit.cli import cli

from .conftest import RETURNS

SECRETS = (b"Amelia", b"Testcase", b"Fauxname", b"DOEVILLE")


def _can_write_encrypted(tmp_path) -> bool:
    try:
        store.connect(tmp_path / "probe.duckdb", key="probe").close()
        return True
    except store.StoreError:
        return False


@pytest.fixture
def encrypted(tmp_path, monkeypatch, fixture_config):
    if not _can_write_encrypted(tmp_path):
        pytest.skip("DuckDB's httpfs extension for this DuckDB version is not installed")
    monkeypatch.setenv(store.KEY_ENV, "correct horse battery staple")
    db = tmp_path / "enc.duckdb"
    con = store.connect(db)
    ingest.ingest([RETURNS / "police_header_row5.xlsx", RETURNS / "ngo_bom.csv"], con, fixture_config)
    con.close()
    return db


def test_no_identifier_readable_in_the_file(encrypted):
    data = encrypted.read_bytes()
    for secret in SECRETS:
        assert secret not in data


def test_store_works_with_the_key_and_refuses_without(encrypted, monkeypatch, fixture_config_dir):
    ok = CliRunner().invoke(cli, ["tables", "victims_sex", "--db", str(encrypted), "--config",
                                  str(fixture_config_dir), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    monkeypatch.delenv(store.KEY_ENV)
    refused = CliRunner().invoke(cli, ["tables", "--db", str(encrypted)])
    assert refused.exit_code == 2 and "encrypted; set CSE_AUDIT_KEY" in refused.output
    monkeypatch.setenv(store.KEY_ENV, "wrong")
    wrong = CliRunner().invoke(cli, ["tables", "--db", str(encrypted)])
    assert wrong.exit_code == 2 and "wrong key" in wrong.output
    assert "correct horse" not in refused.output + wrong.output


def test_minimise_keeps_the_store_encrypted(encrypted, monkeypatch):
    store.minimise(encrypted)
    monkeypatch.delenv(store.KEY_ENV)
    with pytest.raises(store.StoreError, match="encrypted"):
        store.connect(encrypted, read_only=True)
