"""Broken, odd and dangerous files; crash safety; two writers; no personal data in messages."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.store import connect

from .conftest import FIXTURES, RETURNS

HOSTILE = FIXTURES / "hostile"

# file -> the reason its one message must contain (None: the file loads)
EXPECTED = {
    "ngo_zero_bytes.xlsx": "the file is empty",
    "ngo_text_renamed.xlsx": "not a zip archive",
    "ngo_truncated.xlsx": "not a zip archive",
    "ngo_password.xlsx": "password-protected",
    "ngo_billion_laughs.xlsx": "cannot read the sheet",
    "ngo_zip_bomb.xlsx": "over the 100 MB limit",
    "ngo_garbage.csv": "binary data",
    "ngo_10000_columns.csv": "over the 500 column limit",
    "police_missing_sheet.xlsx": "expected victims sheet",
    "ngo_1mb_cell.csv": None,              # the long row is rejected, the other loads
    "ngo_formulas.xlsx": None,             # formulas are read as their cached values, never run
    "ngo_duplicate_blank_headers.csv": None,
}


@pytest.fixture
def hostile_config(fixture_config_dir):
    """Limits set in config: a lower uncompressed-size limit than the default."""
    path = fixture_config_dir / "settings.yaml"
    path.write_text(path.read_text().replace("max_uncompressed_mb: 500", "max_uncompressed_mb: 100"))
    return fixture_config_dir


def test_corpus_in_one_ingest(hostile_config, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(HOSTILE, corpus)
    shutil.copy(RETURNS / "lscb_legacy.xls", corpus / "lscb_good.xls")     # one good file
    assert set(EXPECTED) | {"lscb_good.xls"} == {p.name for p in corpus.iterdir()}
    db = tmp_path / "s.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--db", str(db), "--config", str(hostile_config),
                                      "--no-link", "--no-tables"])
    assert result.exit_code == 1                      # files could not be loaded: documented exit 1
    assert "Traceback" not in result.output
    for name, reason in EXPECTED.items():
        lines = [ln for ln in result.output.splitlines() if ln.startswith(f"error: {name}:")]
        if reason is None:
            assert not lines, lines
        else:
            assert len(lines) == 1 and reason in lines[0], (name, lines)
    con = connect(db)
    loaded = {r[0] for r in con.execute("SELECT file_name FROM returns").fetchall()}
    assert loaded == {n for n, r in EXPECTED.items() if r is None} | {"lscb_good.xls"}
    # The store holds nothing from a refused file.
    assert not con.execute("SELECT count(*) FROM issues WHERE file_name IN ?",
                           [[n for n, r in EXPECTED.items() if r]]).fetchone()[0]
    big = con.execute("SELECT rows_landed, records_accepted, rows_rejected FROM returns "
                      "WHERE file_name = 'ngo_1mb_cell.csv'").fetchone()
    assert big == (2, 1, 1)
    formulas = con.execute("SELECT forename, age FROM victims v JOIN returns r USING (return_id) "
                           "WHERE r.file_name = 'ngo_formulas.xlsx' ORDER BY row_number").fetchall()
    assert formulas[0] == (None, None)               # no cached value: blank, nothing evaluated
    assert formulas[1][0] == "@SUM(A1)"              # kept as text; exports neutralise it
    con.close()


def test_debug_shows_traceback_for_unexpected_errors(fixture_config_dir, tmp_path, monkeypatch):
    from cse_audit import ingest

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest, "ingest", boom)
    args = ["ingest", str(RETURNS / "ngo_bom.csv"), "--db", str(tmp_path / "x.duckdb"),
            "--config", str(fixture_config_dir)]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 1 and "unexpected error: RuntimeError: boom" in plain.output
    assert plain.exc_info[0] is SystemExit
    debug = CliRunner().invoke(cli, ["--debug"] + args)
    assert isinstance(debug.exception, RuntimeError)


def _write_many(folder, n_files, n_rows):
    folder.mkdir()
    for f in range(n_files):
        with open(folder / f"ngo_part{f:03d}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Case", "Referral date", "Forename", "Surname", "Age", "Sex", "Ethnicity", "Missing"])
            for r in range(n_rows):
                w.writerow([f"K{f}-{r}", "01/02/2010", f"Name{r % 97}", f"Fam{f}x{r}", 12 + r % 6, "F", "W1", "N"])


def _consistent(con):
    rows = con.execute("SELECT return_id, rows_landed, records_accepted, rows_rejected, rows_skipped "
                       "FROM returns").fetchall()
    for rid, landed, acc, rej, skip in rows:
        assert landed == acc + rej + skip
        assert con.execute("SELECT count(*) FROM raw_rows WHERE return_id = ?", [rid]).fetchone()[0] == landed
        assert con.execute("SELECT count(*) FROM victims WHERE return_id = ?", [rid]).fetchone()[0] == acc
    orphans = con.execute("SELECT count(*) FROM victims WHERE return_id NOT IN (SELECT return_id FROM returns)")
    assert orphans.fetchone()[0] == 0
    return len(rows)


# Loads returns with worker processes and stops, killable, inside the transaction of the 5th
# batch of returns (BATCH_BYTES from the command line: 1 makes a batch of each return): its
# return rows and raw rows are written, its records not yet. Prints how many returns the four
# batches before it committed.
_PAUSED_INGEST = """
import sys
from cse_audit import ingest, store
from cse_audit.config import load_config
from cse_audit.ingest import batches

src, db, config, batch_bytes = sys.argv[1:5]
batches.BATCH_BYTES = int(batch_bytes)
real_insert, real_write, seen, sizes = store._insert, store.write_returns, [], []

def counting_write(con, returns, *args, **kwargs):
    sizes.append(len(returns))
    return real_write(con, returns, *args, **kwargs)

def pausing_insert(con, table, frame, extra="", params=None):
    real_insert(con, table, frame, extra, params)
    if table == "raw_rows":
        seen.append(table)
        if len(seen) == 5:
            print("paused in transaction", sum(sizes[:-1]), flush=True)
            sys.stdin.read()          # until killed

store._insert, store.write_returns = pausing_insert, counting_write
ingest.ingest([src], store.connect(db), load_config(config), append=True, link=False, jobs=2)
"""


def _group(pgid: int) -> set[int]:
    """Live processes in process group ``pgid`` (from /proc)."""
    out = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.add(int(entry))
    return out


@pytest.mark.parametrize("batch_bytes", [1, 250_000])
def test_sigkill_leaves_a_consistent_store_and_a_rerun_completes(fixture_config_dir, tmp_path, batch_bytes):
    """SIGKILL in the middle of a batch's transaction (not after a guessed sleep): the store
    keeps the returns of the four batches committed before it and nothing of the fifth; a rerun
    completes. Batches of one return each, and of two or three (each return ~120 kB of rows).
    The killed ingest's forkserver, workers and resource tracker are ended with it."""
    from .conftest import wait_until_gone

    src = tmp_path / "many"
    _write_many(src, n_files=30, n_rows=300)
    db = tmp_path / "kill.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_INGEST, str(src), str(db), str(fixture_config_dir),
                             str(batch_bytes)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)       # its own process group, helpers included
    try:
        said, committed = proc.stdout.readline().strip().rsplit(" ", 1)
        assert said == "paused in transaction"
        committed = int(committed)
        assert committed == 4 if batch_bytes == 1 else committed > 4   # several returns a batch
        helpers = _group(proc.pid) - {proc.pid}
        assert helpers, "the ingest started no worker processes"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        # orphaned by the kill, the helpers would wait forever: end the group, and wait for it
        pids = _group(proc.pid)
        if pids:
            os.killpg(proc.pid, signal.SIGKILL)
        assert not wait_until_gone(pids)
        proc.stdout.close()
        proc.stdin.close()
    # A helper killed while busy can still be tearing down (state R, its memory and environment
    # already gone, so wait_until_gone counts it gone): give it the moment it needs, no more.
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group(proc.pid)
    con = connect(db)
    assert _consistent(con) == committed              # the fifth batch's open transaction is gone
    assert con.execute("SELECT count(*) FROM raw_rows").fetchone()[0] == committed * 300
    con.close()
    cmd = [sys.executable, "-m", "cse_audit.cli", "ingest", str(src), "--db", str(db), "--config",
           str(fixture_config_dir), "--append", "--no-link", "--no-tables"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    con = connect(db)
    assert _consistent(con) == 30
    assert con.execute("SELECT count(DISTINCT sha256) FROM returns").fetchone()[0] == 30
    con.close()


def test_second_writer_fails_clearly_and_nothing_is_corrupted(fixture_config_dir, tmp_path):
    db = tmp_path / "busy.duckdb"
    args = ["ingest", str(RETURNS / "ngo_bom.csv"), "--db", str(db), "--config", str(fixture_config_dir),
            "--no-link", "--no-tables"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        second = CliRunner().invoke(cli, ["ingest", str(RETURNS / "lscb_legacy.xls"), "--db", str(db),
                                          "--config", str(fixture_config_dir), "--no-link", "--no-tables"])
        assert second.exit_code == 2
        assert "in use by another" in second.output and "Traceback" not in second.output
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    con = connect(db)
    assert _consistent(con) == 1
    con.close()


def test_store_file_is_owner_only(tmp_path):
    con = connect(tmp_path / "private.duckdb")
    con.close()
    assert os.stat(tmp_path / "private.duckdb").st_mode & 0o077 == 0


def test_a_file_that_is_not_a_store_is_named_as_such(tmp_path):
    bogus = tmp_path / "not_a_store.duckdb"
    bogus.write_bytes(b"this is not a database" * 200)
    result = CliRunner().invoke(cli, ["tables", "--db", str(bogus)])
    assert result.exit_code == 2 and "cannot open the store" in result.output
    assert "in use" not in result.output and "Traceback" not in result.output
