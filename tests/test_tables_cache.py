"""The tables `link run` precomputes (state/tables_cache.py): the same bytes as counting them, and
never served once anything they depend on changed.

How a stale row would show: `planted` replaces the text of every precomputed row (key kept) with a
marker. A command that prints the marker read the row; after a change, the marker must be gone
and the output must be what counting gives (`counted`: a copy of the store without the rows).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.state import tables_cache

from .conftest import ROOT

SAMPLE = ROOT / "sample_returns"
FEW = ["CEOP return - Amberline Trust.csv", "CEOP return - Kestrel House.csv", "CEOP return Dorset Police.csv"]
ANOTHER = "CEOP return - Marchlands Youth Support.csv"
MARKER = "STALE-PRECOMPUTED-TABLES"
VARIANTS = [(fmt, extra) for fmt in ("table", "markdown", "csv", "json")
            for extra in ((), ("--wide",), ("--publish",), ("--publish", "--wide"))]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _meta_rows(db) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM store_meta WHERE starts_with(key, 'tables_cache:')")
                    .fetchall())
    finally:
        con.close()


def _set_rows(db, rows: dict[str, str]) -> None:
    con = duckdb.connect(str(db))
    try:
        for key, value in rows.items():
            con.execute("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", [key, value])
    finally:
        con.close()


def planted(db) -> None:
    """Every precomputed row's text replaced by MARKER, its key and layout kept: a read shows."""
    rows = _meta_rows(db)
    assert len(rows) == 5, sorted(rows)  # table, table --wide, markdown, csv, json
    _set_rows(db, {k: "\n".join(v.split("\n", 3)[:3] + [MARKER]) for k, v in rows.items()})


def counted(db, tmp_path, *args):
    """`tables` on a copy of the store without precomputed rows: what counting prints."""
    copy = tmp_path / f"counted-{len(list(tmp_path.glob('counted-*')))}.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM store_meta WHERE starts_with(key, 'tables_cache:')")
    con.close()
    return run("tables", "--db", copy, *args)


def _total(stdout: str, table: str = "sources") -> dict:
    return next(r for r in json.loads(stdout)[table]["rows"] if r["category"] == "Total")


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """(db, config folder): three small sample returns, loaded and linked by `ingest`; tests copy it."""
    root = tmp_path_factory.mktemp("tcache")
    folder = root / "few"
    folder.mkdir()
    for name in FEW:
        shutil.copy(SAMPLE / name, folder / name)
    configs = root / "configs"
    shutil.copytree(ROOT / "configs", configs)
    db = root / "s.duckdb"
    result = run("ingest", folder, "--db", db, "--config", configs, "--format", "json")
    assert result.exit_code == 0, result.output
    return db, configs


@pytest.fixture
def store(linked, tmp_path, monkeypatch):
    """A copy of the linked store, and its configuration folder as ./configs (found, not given)."""
    db, configs = linked
    monkeypatch.delenv("CSE_AUDIT_CONFIG", raising=False)
    shutil.copytree(configs, tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "s.duckdb"
    shutil.copy(db, copy)
    return copy


def test_precomputed_output_is_byte_for_byte_the_counted_one(store, tmp_path):
    assert len(_meta_rows(store)) == 5  # written by ingest's linkage
    for fmt, extra in VARIANTS:
        cached = run("tables", "--db", store, "--format", fmt, *extra)
        fresh = counted(store, tmp_path, "--format", fmt, *extra)
        assert cached.exit_code == fresh.exit_code == 0, (cached.output, fresh.output)
        assert cached.stdout == fresh.stdout, (fmt, extra)
        assert cached.stderr == fresh.stderr  # the configuration note too
    # and it was the precomputed text that was printed (published tables are always counted)
    planted(store)
    for fmt, extra in VARIANTS:
        got = run("tables", "--db", store, "--format", fmt, *extra).stdout
        assert (got == MARKER) == ("--publish" not in extra), (fmt, extra)


def test_names_periods_and_publishing_are_counted(store, tmp_path):
    planted(store)
    for args in (("victims_sex",), ("--from", "2000-01-01"), ("--to", "2030-12-31"), ("--publish",),
                 ("sources", "--publish")):
        got = run("tables", "--db", store, "--format", "json", *args)
        assert got.exit_code == 0 and MARKER not in got.stdout, args
        assert got.stdout == counted(store, tmp_path, "--format", "json", *args).stdout


def _edit_band(configs):
    text = (configs / "tables.yaml").read_text(encoding="utf-8")
    assert '{label: "Under 10", min: 0, max: 9}' in text
    (configs / "tables.yaml").write_text(text.replace('label: "Under 10"', 'label: "Younger than 10"'),
                                         encoding="utf-8")


def test_an_edited_tables_yaml_is_never_answered_from_the_old_count(store, tmp_path):
    _edit_band(tmp_path / "configs")
    # found by default (./configs): the store's recorded configuration counts, as before, saying so
    # (so the precomputed text, made with that configuration, holds)
    got = run("tables", "--db", store, "--format", "json")
    fresh = counted(store, tmp_path, "--format", "json")
    assert got.exit_code == 0 and "differs and is not used" in got.stderr
    assert (got.stdout, got.stderr) == (fresh.stdout, fresh.stderr)
    assert "Younger than 10" not in got.stdout
    # given explicitly: refused, as before
    assert run("tables", "--db", store, "--config", tmp_path / "configs").exit_code == 2
    planted(store)
    # recorded without linking again (the returns unchanged): the new labels, counted
    recorded = run("ingest", SAMPLE / FEW[0], "--db", store, "--config", tmp_path / "configs", "--no-link")
    assert recorded.exit_code == 0, recorded.output
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0 and MARKER not in got.stdout
    assert "Younger than 10" in got.stdout
    assert got.stdout == counted(store, tmp_path, "--format", "json").stdout
    # linked again: precomputed with the new configuration
    assert run("link", "run", "--db", store).exit_code == 0
    planted(store)
    assert run("tables", "--db", store, "--format", "json").stdout == MARKER


def test_a_new_return_is_counted_and_precomputed_again(store, tmp_path):
    before = run("tables", "--db", store, "--format", "json").stdout
    planted(store)
    loaded = run("ingest", SAMPLE / ANOTHER, "--db", store, "--no-link")
    assert loaded.exit_code == 0, loaded.output
    # returns changed, links not: refused, as counting does, never the old figures
    stale = run("tables", "--db", store, "--format", "json")
    assert stale.exit_code == 2 and MARKER not in stale.output and "link run" in stale.output
    assert run("ingest", SAMPLE / ANOTHER, "--db", store).exit_code == 0  # links what is stale
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0 and MARKER not in got.stdout
    assert _total(got.stdout)["victim_records"] > _total(before)["victim_records"]
    assert got.stdout == counted(store, tmp_path, "--format", "json").stdout
    assert len(_meta_rows(store)) == 5


def _two_people(db) -> tuple[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        (r1, _), (r2, _) = con.execute("SELECT min(record_id), person_id FROM victim_links GROUP BY person_id "
                                       "ORDER BY person_id LIMIT 2").fetchall()
    finally:
        con.close()
    return r1, r2


def test_a_review_decision_is_counted(store, tmp_path):
    before = _total(run("tables", "--db", store, "--format", "json").stdout)["victims"]
    planted(store)
    r1, r2 = _two_people(store)
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text(f"record_id_l,record_id_r,decision\n{r1},{r2},match\n")
    assert run("link", "apply", reviewed, "--db", store).exit_code == 0
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0 and MARKER not in got.stdout
    assert _total(got.stdout)["victims"] == before - 1
    assert got.stdout == counted(store, tmp_path, "--format", "json").stdout


def test_linking_outside_link_all_drops_the_rows(store, tmp_path):
    """`link_people` called directly (the Python API) writes the people but no tables: the rows
    made from the old people go in its own transaction (store.set_meta), whatever the key says."""
    from cse_audit import store as store_mod
    from cse_audit.linkage import link_people

    planted(store)
    r1, r2 = _two_people(store)
    con = store_mod.connect(store)
    try:
        link_people(con, "victims", config=tmp_path / "configs" / "linkage.yaml", overrides=[(r1, r2, "match")])
    finally:
        con.close()
    assert _meta_rows(store) == {}
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0 and MARKER not in got.stdout
    assert got.stdout == counted(store, tmp_path, "--format", "json").stdout


def test_other_code_or_libraries_void_the_rows(store, monkeypatch):
    planted(store)
    assert run("tables", "--db", store, "--format", "csv").stdout == MARKER
    real = tables_cache._code_fingerprint()
    monkeypatch.setattr(tables_cache, "_code_fingerprint", lambda: real + "-changed")
    got = run("tables", "--db", store, "--format", "csv")
    assert got.exit_code == 0 and MARKER not in got.stdout


def test_the_fingerprint_follows_the_code(tmp_path, monkeypatch):
    """A byte changed in a tables module changes the key (an editable install keeps its version)."""
    package = tmp_path / "cse_audit"
    for sub in ("tables", "config", "state", "cli"):
        shutil.copytree(ROOT / "cse_audit" / sub, package / sub, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "cse_audit" / "store.py", package / "store.py")
    monkeypatch.setattr(tables_cache, "__file__", str(package / "state" / "tables_cache.py"))
    before = tables_cache._code_fingerprint()
    assert before == tables_cache._code_fingerprint()
    path = package / "tables" / "headline.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert tables_cache._code_fingerprint() != before


@pytest.mark.parametrize("bad", ["", "garbage", "1\nkey only", "2\na\nb\nc", "1\n\n\n", None])
def test_a_corrupt_row_is_ignored(store, tmp_path, bad):
    rows = _meta_rows(store)
    name = tables_cache.variant("json")
    if bad is None:  # a row whose key is right but whose configuration hash is not
        layout, key, _, text = rows[name].split("\n", 3)
        bad = "\n".join([layout, key, "0" * 64, MARKER])
    _set_rows(store, {name: bad})
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0, got.output
    assert MARKER not in got.stdout
    assert got.stdout == counted(store, tmp_path, "--format", "json").stdout


def test_a_read_only_store_is_read(store, tmp_path):
    assert stat.S_IMODE(os.stat(store).st_mode) == 0o600  # owner-only, precomputed rows and all
    planted(store)
    copy = tmp_path / "counted-ro.duckdb"
    shutil.copy(store, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM store_meta WHERE starts_with(key, 'tables_cache:')")
    con.close()
    for db in (store, copy):
        os.chmod(db, 0o400)
    try:
        assert run("tables", "--db", store, "--format", "json").stdout == MARKER
        counted_ro = run("tables", "--db", copy, "--format", "json")
        assert counted_ro.exit_code == 0 and _total(counted_ro.stdout)["victims"] > 0
    finally:
        for db in (store, copy):
            os.chmod(db, 0o600)


def test_minimised_store_counts_the_same(store, tmp_path):
    """minimise drops the precomputed text (made before it; none of it may outlive it in the
    file) and removes nothing the tables count: the counted tables are the same."""
    before = run("tables", "--db", store, "--format", "json").stdout
    assert run("minimise", "--db", store, "--yes").exit_code == 0
    assert _meta_rows(store) == {}
    assert b"Markers (GSS)" not in store.read_bytes()  # a phrase of every table's note
    assert run("tables", "--db", store, "--format", "json").stdout == before


def test_a_failed_precomputation_fails_no_linkage(store, monkeypatch):
    from cse_audit import tables

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tables, "build_tables", broken)
    linked = run("link", "run", "--db", store)
    assert linked.exit_code == 0, linked.output
    assert _meta_rows(store) == {}
    monkeypatch.undo()
    monkeypatch.chdir(store.parent)
    got = run("tables", "--db", store, "--format", "json")
    assert got.exit_code == 0 and _total(got.stdout)["victims"] > 0


def test_reading_the_precomputed_tables_parses_nothing(linked, tmp_path):
    """The whole command, as a user runs it: no YAML parser, no numpy, no table builders."""
    db, configs = linked
    env = {**os.environ, "CSE_AUDIT_CONFIG": str(configs)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "cse_audit.cli", "tables", "--db", str(db),
                           "--format", "json"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "cse_audit.state.tables_cache" in imported
    assert not imported & {"yaml", "numpy", "pandas", "cse_audit.tables", "cse_audit.config.loaders"}, \
        sorted(imported & {"yaml", "numpy", "pandas", "cse_audit.tables", "cse_audit.config.loaders"})
    assert json.loads(done.stdout)["sources"]["rows"]
