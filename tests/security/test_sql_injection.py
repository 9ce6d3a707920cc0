"""Finding 1: configuration values and paths never run as SQL.

Each payload tries to write leak.csv (names and dates of birth) into the current folder. A key
that names SQL (a setting, a column, a group name, a blocking rule) refuses it with a config
error naming the key; a key that holds a value (a source type... a merged value) carries it as a
quoted literal. Either way nothing is written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from cse_audit import ingest, store
from cse_audit.config import ConfigError, load_config
from cse_audit.linkage import LinkageConfigError, load_linkage_config
from cse_audit.tables import TablesError, build_completeness, load_completeness_config
from cse_audit.tables.definitions import load_config as load_tables_config

from .common import LINK_FILES, PAYLOADS, edit_yaml, files_under


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _no_leak(root: Path) -> None:
    assert not any(p.name == "leak.csv" for p in files_under(root))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_source_priority_is_a_config_error(fixture_config_dir, here, payload):
    edit_yaml(fixture_config_dir / "linkage.yaml",
              lambda d: d["merge"].__setitem__("source_priority", ["police", payload]))
    with pytest.raises(LinkageConfigError, match="merge.source_priority"):
        load_linkage_config(fixture_config_dir / "linkage.yaml")
    con = store.connect(here / "s.duckdb")
    with pytest.raises(LinkageConfigError, match="merge.source_priority"):
        ingest.ingest(LINK_FILES, con, load_config(fixture_config_dir))
    con.close()
    _no_leak(here)


@pytest.mark.parametrize("payload", PAYLOADS + ["1GB'; COPY (SELECT 1) TO 'leak.csv'; --", "3 GB;", "lots"])
def test_memory_limit_is_a_config_error(fixture_config_dir, here, payload):
    edit_yaml(fixture_config_dir / "linkage.yaml", lambda d: d["engine"].__setitem__("memory_limit", payload))
    with pytest.raises(LinkageConfigError, match="engine.memory_limit"):
        load_linkage_config(fixture_config_dir / "linkage.yaml")
    _no_leak(here)


@pytest.mark.parametrize("rule", [
    "l.dob = r.dob; COPY (SELECT * FROM __splink__df_concat) TO 'leak.csv'",
    "l.dob = r.dob AND (SELECT count(*) FROM read_csv('leak.csv')) > 0",
    "COPY (SELECT 1) TO 'leak.csv'",
    "l.dob = r.dob) UNION SELECT * FROM (SELECT 1",
])
def test_blocking_rule_sql_is_one_condition(fixture_config_dir, here, rule):
    edit_yaml(fixture_config_dir / "linkage.yaml", lambda d: d["blocking_rules"].append(rule))
    with pytest.raises(LinkageConfigError, match=r"blocking_rules\[\d+\]"):
        load_linkage_config(fixture_config_dir / "linkage.yaml")
    _no_leak(here)


def test_merge_values_are_quoted_literals(fixture_config_dir, here):
    """combine targets, precedence orders and unknown values are values: any text, never SQL."""
    payload = PAYLOADS[0]

    def change(d):
        d["merge"]["victims"]["missing_from"] = {"rule": "precedence", "order": [payload, "Both", "Home"],
                                                 "combine": {payload: ["Home", "Care"]}}
        d["merge"]["offenders"]["sex"] = {"rule": "majority", "combine": {"children's": ["Female", "Male"]}}
        d["unknown_values"] = ["Unknown", payload, "children's"]

    edit_yaml(fixture_config_dir / "linkage.yaml", change)
    con = store.connect(here / "s.duckdb")
    report = ingest.ingest(LINK_FILES, con, load_config(fixture_config_dir))
    assert report.linkage["victims"].persons > 0
    assert con.execute("SELECT count(*) FROM victim_persons").fetchone()[0] > 0
    con.close()
    _no_leak(here)


def test_the_splink_engine_has_no_file_access(fixture_config_dir):
    from cse_audit.linkage.engine import _splink_engine

    cfg = load_linkage_config(fixture_config_dir / "linkage.yaml")
    import pyarrow as pa

    api, _ = _splink_engine(pa.table({"unique_id": [1]}), cfg)
    import duckdb

    with pytest.raises(duckdb.Error):
        api.duckdb_con.execute("COPY (SELECT 1) TO 'leak.csv'")
    with pytest.raises(duckdb.Error):
        api.duckdb_con.execute("SET enable_external_access = true")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_completeness_group_name_is_a_config_error(fixture_config_dir, here, payload):
    """The read-only `completeness` command once wrote every name and DOB to a csv."""
    edit_yaml(fixture_config_dir / "completeness.yaml", lambda d: d["victims"].__setitem__(payload, ["dob"]))
    with pytest.raises(ConfigError) as err:
        load_completeness_config(fixture_config_dir)
    assert err.value.key == f"victims.{payload}"
    _no_leak(here)


@pytest.mark.parametrize("column", ["dob) OR 1=1 --", 'dob" FROM victims; COPY (SELECT 1) TO \'leak.csv\'; --',
                                    "return_id"])
def test_completeness_columns_must_be_fields(fixture_config_dir, here, column):
    edit_yaml(fixture_config_dir / "completeness.yaml", lambda d: d["offenders"].__setitem__("sex", [column]))
    with pytest.raises(ConfigError) as err:
        load_completeness_config(fixture_config_dir)
    assert err.value.key == "offenders.sex"
    _no_leak(here)


def test_completeness_with_odd_but_valid_group_names_runs(fixture_config_dir, fixture_config, here):
    edit_yaml(fixture_config_dir / "completeness.yaml",
              lambda d: d["victims"].__setitem__("date of birth - any", ["dob", "age"]))
    con = store.connect(here / "s.duckdb")
    ingest.ingest(LINK_FILES[:1], con, fixture_config, link=False)
    out = build_completeness(con, fixture_config.agency_list, load_completeness_config(fixture_config_dir))
    assert "victims_date of birth - any" in out["agencies"][0]
    con.close()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reliable_offenders_field_is_a_config_error(payload):
    with pytest.raises(TablesError, match="reliable_offenders.field"):
        load_tables_config({"reliable_offenders": {"field": payload, "equals": "Yes"}})


@pytest.mark.parametrize("name", ["it's.duckdb", "x'; COPY (SELECT forename FROM victims) TO 'leak.csv'; --"])
def test_minimise_path_is_never_sql(fixture_config, here, name):
    """An apostrophe in the path set the "minimised" flag, then failed, leaving the names."""
    db = here / name
    con = store.connect(db)
    ingest.ingest(LINK_FILES, con, fixture_config)
    con.close()
    store.minimise(db)
    _no_leak(here)
    con = store.connect(db, read_only=True)
    assert store.is_minimised(con)
    assert con.execute("SELECT count(*) FROM victims WHERE forename IS NOT NULL").fetchone()[0] == 0
    con.close()
    assert b"Amelia" not in db.read_bytes()
    assert not (here / (name + ".minimising")).exists()


def test_tmpdir_is_never_sql(fixture_config, here, monkeypatch):
    """Splink's spill folder lives under TMPDIR: its path is bound, not spliced."""
    odd = here / "t'; COPY (SELECT 1) TO 'leak.csv'; --"
    odd.mkdir()
    monkeypatch.setenv("TMPDIR", str(odd))
    monkeypatch.setattr(tempfile, "tempdir", None)
    con = store.connect(here / "s.duckdb")
    report = ingest.ingest(LINK_FILES, con, fixture_config)
    assert report.linkage["offenders"].persons > 0
    con.close()
    _no_leak(here)
