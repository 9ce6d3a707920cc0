"""Finding 1, generalised: any text in any string of any configuration file is either refused
with a configuration error or runs normally; it never writes a file outside the store and never
ends in an unexpected exception."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cse_audit import ingest, store
from cse_audit.config import ConfigError, load_config
from cse_audit.linkage import LinkageConfigError, LinkageError
from cse_audit.tables import TablesError, build_completeness, build_tables, load_completeness_config
from cse_audit.tables.definitions import load_config as load_tables_config

from ..conftest import ROOT
from .common import files_under

CONFIGS = ROOT / "configs"
# Two small returns that identify with the shipped registry.
RETURN_FILES = sorted((ROOT / "sample_returns").glob("*Police.csv"))[:2]
EXPECTED = (ConfigError, LinkageConfigError, TablesError, LinkageError, store.StoreError)


def _string_keys() -> list[tuple[str, tuple]]:
    """(config file, path of keys/indexes) of every string in every config file, keys too."""
    out = []

    def walk(node, trail, rel):
        if isinstance(node, dict):
            for k, v in node.items():
                out.append((rel, (*trail, ("key", k))))
                walk(v, (*trail, k), rel)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*trail, i), rel)
        elif isinstance(node, str):
            out.append((rel, trail))

    for path in sorted(CONFIGS.rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), (), str(path.relative_to(CONFIGS)))
    return out


STRING_KEYS = _string_keys()
SQLISH = st.sampled_from(["'", '"', ";", "--", "COPY (SELECT * FROM victims) TO 'leak.csv'", ")", "\\", "\x00",
                          "\x1b]0;x\x07", "=HYPERLINK(\"x\")", "{", "%", "ATTACH 'leak.db'", " ", "é"])
TEXT = st.lists(st.one_of(SQLISH, st.text(max_size=6)), min_size=1, max_size=5).map("".join)


def _set(data, trail, value):
    node = data
    for step in trail[:-1]:
        node = node[step]
    last = trail[-1]
    if isinstance(last, tuple):  # rename a key
        node[value] = node.pop(last[1])
    else:
        node[last] = value


def _run(root: Path, work: Path) -> None:
    config = load_config(root)
    load_completeness_config(root)
    load_tables_config(root / "tables.yaml")
    con = store.connect(work / "fuzz.duckdb")
    try:
        ingest.ingest(RETURN_FILES, con, config)
        build_completeness(con, config.agency_list, load_completeness_config(root))
        build_tables(con, registry=[vars(a) for a in config.agency_list],
                     config=load_tables_config(root / "tables.yaml"))
    finally:
        con.close()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(target=st.sampled_from(STRING_KEYS), value=TEXT)
def test_any_string_in_any_config(target, value):
    rel, trail = target
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root, work = tmp / "configs", tmp / "work"
        shutil.copytree(CONFIGS, root)
        work.mkdir()
        path = root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not trail:
            data = value
        else:
            _set(data, trail, value)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        before = files_under(tmp)
        old = os.getcwd()
        os.chdir(work)
        try:
            _run(root, work)
        except EXPECTED:
            pass
        finally:
            os.chdir(old)
        written = files_under(tmp) - before
        assert {p.name for p in written} <= {"fuzz.duckdb", "fuzz.duckdb.wal"}, (rel, trail, value)


def test_the_fuzz_reaches_every_config_file():
    files = {rel for rel, _ in STRING_KEYS}
    assert {"linkage.yaml", "completeness.yaml", "tables.yaml", "agencies.yaml", "settings.yaml", "schema.yaml",
            "nicknames.yaml"} <= files
    assert any(rel.startswith("codes/") for rel in files) and any(rel.startswith("mappings/") for rel in files)
