"""Finding 7: the key is used as given (no escape processing) and never printed.

A key with a backslash could not create a store, and the error printed the key; `abc\\x41`
opened the store made with `abcA` (DuckDB reads \\xNN in a key as an escape)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cse_audit import store
from cse_audit.cli import cli

from ..conftest import RETURNS

KEYS = ["back\\slash", "abc\\x41", "quote'; COPY (SELECT 1) TO 'leak.csv'; --", "ünïcode-ключ", "a\\x5Cb"]


@pytest.mark.parametrize("key", KEYS)
def test_any_key_creates_and_reopens_a_store(tmp_path, key):
    db = tmp_path / "k.duckdb"
    con = store.connect(db, key=key)
    con.execute("CREATE TABLE t AS SELECT 42 AS x")
    con.close()
    con = store.connect(db, key=key, read_only=True)
    assert con.execute("SELECT x FROM t").fetchone()[0] == 42
    con.close()
    assert not (tmp_path / "leak.csv").exists()


def test_escapes_are_not_interpreted(tmp_path):
    db = tmp_path / "k.duckdb"
    store.connect(db, key="abcA").close()
    with pytest.raises(store.StoreError, match="wrong key") as err:
        store.connect(db, key="abc\\x41", read_only=True)
    assert "abc" not in str(err.value)
    store.connect(db, key="abcA", read_only=True).close()


def test_key_never_printed(tmp_path, fixture_config_dir, monkeypatch):
    db = tmp_path / "k.duckdb"
    secret = "s3cr\\et-key"
    monkeypatch.setenv(store.KEY_ENV, secret)
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", str(RETURNS / "ngo_bom.csv"), "--db", str(db), "--config",
                              str(fixture_config_dir), "--no-link"])
    assert res.exit_code == 0, res.output
    monkeypatch.setenv(store.KEY_ENV, secret + "x")
    res = runner.invoke(cli, ["tables", "--db", str(db), "--config", str(fixture_config_dir)])
    assert res.exit_code == 2
    assert "wrong key" in res.output and "s3cr" not in res.output
    monkeypatch.delenv(store.KEY_ENV)
    res = runner.invoke(cli, ["tables", "--db", str(db), "--config", str(fixture_config_dir)])
    assert res.exit_code == 2 and "encrypted" in res.output
