"""The store tells the truth about itself: the configuration that built it, its reviewed
decisions, whether its linkage is current, and which returns it holds."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cse_audit.cli import cli

from .conftest import ROOT

SAMPLE = ROOT / "sample_returns"
# A few small returns of the sample: two voluntary-sector csv files and a police workbook.
FEW = ["CEOP return - Amberline Trust.csv", "CEOP return - Kestrel House.csv", "CEOP return Dorset Police.csv"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _total(stdout):
    return next(r for r in json.loads(stdout)["sources"]["rows"] if r["category"] == "Total")


@pytest.fixture
def few(tmp_path):
    folder = tmp_path / "few"
    folder.mkdir()
    for name in FEW:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


@pytest.fixture
def edited_config(tmp_path):
    """A copy of the project's configs/ with one more agency asked (117 instead of 116)."""
    root = tmp_path / "my-configs"
    shutil.copytree(ROOT / "configs", root)
    with open(root / "agencies.yaml", "a", encoding="utf-8") as f:
        f.write('  - id: police-extra\n    name: "Extra Constabulary"\n    source_type: police\n'
                '    area: "Extra"\n    expected: true\n    mapping: police-ic-export\n    files: ["*extra constab*"]\n')
    return root


def test_store_keeps_the_configuration_it_was_built_with(tmp_path, few, edited_config, monkeypatch):
    monkeypatch.chdir(ROOT)  # ./configs (the project's, 116 agencies) is right here
    monkeypatch.delenv("CSE_AUDIT_CONFIG", raising=False)
    db = tmp_path / "s.duckdb"
    built = run("ingest", few, "--db", db, "--config", edited_config, "--format", "json")
    assert built.exit_code == 0, built.output
    later = run("tables", "sources", "--db", db, "--format", "json")
    assert later.exit_code == 0, later.output
    assert _total(later.stdout)["agencies_asked"] == 117
    assert "configuration: recorded in the store" in later.stderr
    # the same folder, given again, is accepted; another one is refused, naming both
    same = run("tables", "sources", "--db", db, "--format", "json", "--config", edited_config)
    assert same.exit_code == 0 and _total(same.stdout)["agencies_asked"] == 117
    other = run("tables", "sources", "--db", db, "--config", ROOT / "configs")
    assert other.exit_code == 2 and "not the configuration this store was built with" in other.output
    assert str(edited_config) in other.output
    monkeypatch.setenv("CSE_AUDIT_CONFIG", str(ROOT / "configs"))
    assert run("completeness", "--db", db).exit_code == 2
    monkeypatch.delenv("CSE_AUDIT_CONFIG")
    outstanding = json.loads(run("completeness", "--db", db, "--format", "json").stdout)["outstanding"]
    assert "police-extra" in {r["agency"] for r in outstanding}
    # a folder edited later is not picked up silently, even by a command that writes
    (edited_config / "agencies.yaml").write_text(
        (ROOT / "configs" / "agencies.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    relinked = run("link", "run", "--db", db)
    assert relinked.exit_code == 0, relinked.output
    assert _total(run("tables", "sources", "--db", db, "--format", "json").stdout)["agencies_asked"] == 117
    # ...but a write command given the folder records it, and says so
    adopted = run("link", "run", "--db", db, "--config", edited_config)
    assert adopted.exit_code == 0 and "will be recorded" in adopted.output
    assert _total(run("tables", "sources", "--db", db, "--format", "json").stdout)["agencies_asked"] == 116


def _persons(db, kind="victims"):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT count(DISTINCT person_id) FROM {kind[:-1]}_links").fetchone()[0]
    finally:
        con.close()


def test_decisions_live_in_their_own_store(tmp_path, few, monkeypatch):
    import duckdb

    monkeypatch.chdir(tmp_path)  # no ./configs here: the packaged defaults
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for db in (a, b):
        assert run("ingest", few, "--db", db, "--no-tables").exit_code == 0
    con = duckdb.connect(str(a), read_only=True)
    # two records of different people: a match joins them
    (r1, p1), (r2, _p2) = con.execute(
        "SELECT min(record_id), person_id FROM victim_links GROUP BY person_id ORDER BY person_id LIMIT 2").fetchall()
    con.close()
    before = _persons(a)
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text(f"record_id_l,record_id_r,decision\n{r1},{r2},yes\n")
    bad = run("link", "apply", reviewed, "--db", a)
    assert bad.exit_code == 2 and "row 2" in bad.output and "'yes'" in bad.output
    assert _persons(a) == before
    reviewed.write_text(f"record_id_l,record_id_r,decision\n{r1},{r2},match\n")
    applied = run("link", "apply", reviewed, "--db", a)
    assert applied.exit_code == 0, applied.output
    assert _persons(a) == before - 1 and _persons(b) == before
    assert run("link", "run", "--db", b).exit_code == 0 and _persons(b) == before
    # nothing written beside the configuration, in the packaged defaults or here
    from cse_audit.config import DEFAULT_CONFIG_DIR

    assert not (DEFAULT_CONFIG_DIR / "link_overrides.yaml").exists()
    assert not list(tmp_path.glob("*.yaml"))
    # exported on request, in a form a project can name as its shared file
    out = tmp_path / "decisions.yaml"
    exported = run("link", "export-decisions", "--db", a, "--output", out)
    assert exported.exit_code == 0 and "1 victims decision(s)" in exported.output
    from cse_audit.linkage import load_overrides

    assert [(o.decision, o.pair) for o in load_overrides(out, "victims")] == [("match", tuple(sorted((r1, r2))))]
    assert oct(out.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("batch_bytes", "stored"), [(1, 2), (64 * 1024 * 1024, 0)])
def test_interrupted_loading_says_how_far_it_got(tmp_path, few, monkeypatch, batch_bytes, stored):
    """Ctrl-C between returns: the returns written stay whole, the rest are not there at all.
    Returns are written in batches (ingest/batches.py): with a batch of each return, the two
    before the interrupt are stored; with the usual batches, the three are one batch, gathered
    but not yet written, so none is (and the message says so)."""
    from cse_audit import store
    from cse_audit.config import load_config
    from cse_audit.ingest import batches, pipeline
    from cse_audit.state import Interrupted

    real, calls = batches.BatchWriter.add, []

    def add_then_interrupt(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(batches.BatchWriter, "add", add_then_interrupt)
    monkeypatch.setattr(batches, "BATCH_BYTES", batch_bytes)
    con = store.connect(tmp_path / "s.duckdb")
    with pytest.raises(Interrupted) as exc:
        pipeline.ingest([few], con, load_config(ROOT / "configs"), jobs=1)
    assert exc.value.message == f"{stored} of 3 returns loaded; linkage not run"
    assert con.execute("SELECT count(*) FROM returns").fetchone()[0] == stored
    assert con.execute("SELECT count(*) FROM raw_rows WHERE return_id NOT IN (SELECT return_id FROM returns)"
                       ).fetchone()[0] == 0
    from cse_audit.state import linkage_state

    assert linkage_state(con) == {"victims": "missing", "offenders": "missing"}
    con.close()


@pytest.mark.slow
def test_sigint_during_linkage(tmp_path):
    """SIGINT once offender linkage has started: one line, exit 130, victims linked and offenders
    not; `tables` refuses the store, naming `link run`; the next ingest completes."""
    import contextlib
    import os
    import pty
    import signal
    import subprocess
    import sys
    import time

    db = tmp_path / "s.duckdb"
    cmd = [sys.executable, "-m", "cse_audit.cli", "ingest", str(SAMPLE), "--db", str(db)]
    # stderr on a terminal, so the status line says when offender linkage starts.
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stderr=slave, stdout=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    os.close(slave)
    seen = b""

    def read_more() -> bool:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the process ended
            return False
        nonlocal seen
        seen += chunk
        return bool(chunk)

    try:
        deadline = time.monotonic() + 600
        while b"Linking offenders..." not in seen:
            assert read_more() and time.monotonic() < deadline, f"linkage never started: {seen[-500:]!r}"
        proc.send_signal(signal.SIGINT)
        while read_more():
            pass
        assert proc.wait(timeout=120) == 130, seen[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
        with contextlib.suppress(ProcessLookupError):  # anything it started (worker processes) goes too
            os.killpg(proc.pid, signal.SIGKILL)
    text = seen.decode("utf-8", "replace").replace("\r\n", "\n")
    assert "Traceback" not in text
    assert text.rstrip().splitlines()[-1] == (
        "interrupted: 80 of 80 returns loaded; linkage interrupted (victims linked, offenders not: "
        "run `cse-audit link run`)"), text[-1000:]
    refused = run("tables", "--db", db)
    assert refused.exit_code == 2 and "cse-audit link run" in refused.output and "offenders" in refused.output
    again = run("ingest", SAMPLE, "--db", db, "--no-tables")
    assert again.exit_code == 0, again.output
    assert run("link", "run", "--db", db).exit_code == 0
    tables = run("tables", "victims_missing", "offenders_ethnicity_reliable", "--db", db, "--format", "json")
    data = json.loads(tables.stdout)
    assert data["victims_missing"]["rows"][0]["count"] == 842
    assert data["offenders_ethnicity_reliable"]["total"] == 940


def test_missing_key_column_fails_validation(tmp_path):
    """A typo in a key field's column (Crime Ref -> Crime Rfe) fails the return, naming the close
    match; a missing non-key column is a warning, an error under --strict; `optional` allows it."""
    root = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", root)
    mapping = root / "mappings" / "police-ic-export.yaml"
    original = mapping.read_text(encoding="utf-8")
    police = next(SAMPLE.glob("South Yorkshire Police*"))  # a police-ic-export return with no deliberate errors
    mapping.write_text(original.replace('case_ref: "Crime Ref"', 'case_ref: "Crime Rfe"'), encoding="utf-8")
    typo = run("validate", SAMPLE, "--config", root)
    assert typo.exit_code == 1
    assert "expected column 'Crime Rfe' for field 'case_ref' was not found; close matches: 'Crime Ref'" in typo.output
    assert "case_ref is a key field" in typo.output
    db = tmp_path / "s.duckdb"
    loaded = run("ingest", police, "--db", db, "--config", root, "--no-tables")
    assert loaded.exit_code == 1 and "key field" in loaded.output
    # a non-key column: a warning (exit 0), an error under --strict, allowed when optional
    eth = '{column: "Officer Defined Ethnicity", codes: ethnicity_ic}'
    assert eth in original
    mapping.write_text(original.replace(eth, '{column: "Officer Defined Ethnicty", codes: ethnicity_ic}'),
                       encoding="utf-8")
    assert run("validate", police, "--config", root).exit_code == 0
    strict = run("validate", police, "--config", root, "--strict")
    assert strict.exit_code == 1 and "'Officer Defined Ethnicty' for field 'ethnicity' was not found" in strict.output
    assert 'record_ref: "Victim Ref"' in original
    mapping.write_text(original.replace('record_ref: "Victim Ref"', 'record_ref: "Victim Rfe"'), encoding="utf-8")
    assert run("validate", police, "--config", root).exit_code == 1
    mapping.write_text(original.replace('record_ref: "Victim Ref"', 'record_ref: {column: "Victim Rfe", optional: true}'),
                       encoding="utf-8")
    assert run("validate", police, "--config", root).exit_code == 0


def test_sample_has_no_missing_columns_even_strict():
    result = run("validate", SAMPLE, "--config", ROOT / "configs", "--strict", "--format", "json", "--summary")
    data = json.loads(result.stdout)
    assert [f["file"] for f in data["files"] if f["status"] == "failed"] == []
    assert data["totals"]["rows_rejected"] == 1 and "missing_column" not in json.dumps(data["issues"])


def test_restore_undoes_a_supersession(tmp_path, few, monkeypatch):
    """A 2-row resubmission replaces a return, saying so; `returns` lists both; `returns restore`
    brings the old one back, the tables refuse until `link run`, then match the original."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "s.duckdb"
    assert run("ingest", few, "--db", db, "--no-tables").exit_code == 0
    before = run("tables", "sources", "--db", db, "--format", "json")
    name = "CEOP return - Kestrel House.csv"
    lines = (few / name).read_bytes().splitlines(keepends=True)
    resub = tmp_path / "resub"
    resub.mkdir()
    (resub / name).write_bytes(b"".join(lines[:3]))
    listed = json.loads(run("returns", "--db", db, "--format", "json").stdout)
    old = next(r for r in listed if r["file"] == name)
    replaced = run("ingest", resub / name, "--db", db, "--no-tables")
    assert replaced.exit_code == 0, replaced.output
    assert f"replaces return {old['return_id']} ({old['rows_landed']} rows -> 2 rows)" in replaced.output
    assert run("tables", "sources", "--db", db, "--format", "json").stdout != before.stdout
    listed = json.loads(run("returns", "--db", db, "--format", "json").stdout)
    assert [(r["file"], r["status"]) for r in listed if r["file"] == name] == [(name, "superseded"), (name, "current")]
    assert {"agency", "file", "rows_landed", "loaded_at", "status"} <= set(listed[0])
    restored = run("returns", "restore", old["return_id"], "--db", db)
    assert restored.exit_code == 0 and "link run" in restored.output
    listed = json.loads(run("returns", "--db", db, "--format", "json").stdout)
    assert [r["status"] for r in listed if r["file"] == name] == ["current", "superseded"]
    stale = run("tables", "--db", db)
    assert stale.exit_code == 2 and "cse-audit link run" in stale.output
    assert run("link", "run", "--db", db).exit_code == 0
    assert run("tables", "sources", "--db", db, "--format", "json").stdout == before.stdout
    again = run("returns", "restore", old["return_id"], "--db", db)
    assert again.exit_code == 2 and "current already" in again.output


def test_new_commands_have_help_with_an_example():
    for cmd in (["init"], ["returns"], ["returns", "restore"], ["link", "export-decisions"], ["link", "apply"]):
        result = run(*cmd, "--help")
        assert result.exit_code == 0 and "Example" in result.output, cmd


def test_a_named_overrides_file_that_is_missing_is_an_error(tmp_path, few):
    root = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", root)
    text = (root / "linkage.yaml").read_text(encoding="utf-8")
    (root / "linkage.yaml").write_text(text.replace("overrides_file: null", "overrides_file: ../shared.yaml"),
                                       encoding="utf-8")
    result = run("ingest", few, "--db", tmp_path / "s.duckdb", "--config", root, "--no-tables")
    assert result.exit_code == 2 and "shared.yaml does not exist" in result.output
