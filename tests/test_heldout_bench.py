"""The held-out returns (bench/heldout) still load whole through their mappings: every truth row
names a loaded record, or a row the tool said it skipped, and the counts reconcile. Guards the
independent benchmark against ingest changes that would quietly drop its rows."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from click.testing import CliRunner

from cse_audit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "heldout"


def test_heldout_returns_load_whole(tmp_path):
    out, db = tmp_path / "returns", tmp_path / "ho.duckdb"
    subprocess.run([sys.executable, str(HELDOUT / "make_returns.py"), str(out), "--seed", "5", "--children", "120"],
                   check=True, capture_output=True)
    assert len([p for p in out.iterdir() if p.is_file()]) == 14  # one return per agency, xlsx, csv and ods
    sys.path.insert(0, str(HELDOUT))
    from run import make_config  # the project's configs/ plus the held-out agencies and mappings

    configs = make_config(tmp_path / "configs")
    res = CliRunner().invoke(cli, ["ingest", str(out), "--db", str(db), "--config", str(configs),
                                   "--no-link", "--no-tables", "-q"])
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(db), read_only=True)
    landed, acc, rej, skip, n = con.execute("SELECT sum(rows_landed), sum(records_accepted), sum(rows_rejected), "
                                            "sum(rows_skipped), count(*) FROM returns").fetchone()
    assert n == 14 and rej == 0 and landed == acc + rej + skip
    skipped = {(os.path.basename(f), sh, r) for f, sh, r in con.execute(
        "SELECT file_name, sheet, row_number FROM issues WHERE severity = 'skipped'").fetchall()}
    for kind in ("victims", "offenders"):
        loaded = {(os.path.basename(f), sh, r) for f, sh, r in con.execute(
            f"SELECT r.file_name, v.sheet, v.row_number FROM current_{kind} v JOIN returns r USING (return_id)").fetchall()}
        with open(out / "_truth" / f"{kind}.csv", newline="") as fh:  # a csv's one sheet is 'csv' in the store
            truth = [(t["file_name"], t["sheet"] or "csv", int(t["row_number"])) for t in csv.DictReader(fh)]
        assert len(loaded) == len(truth) - len([t for t in truth if t in skipped])
        missing = [t for t in truth if t not in loaded and t not in skipped]
        assert not missing, f"{kind}: truth rows neither loaded nor reported skipped: {missing[:5]}"
        if kind == "victims":  # every child row is a record; only perpetrator rows may be skipped
            assert len(loaded) == len(truth)
    # every charity row carries initials ("N A" too: the mappings keep it as initials, not "N/A")
    assert con.execute("SELECT count(*) FROM current_victims WHERE source_type = 'ngo' AND initials IS NULL").fetchone()[0] == 0
    # ages without dates are dated by the period the title rows state (three layouts state one)
    periods = con.execute("SELECT count(*) FROM return_periods").fetchone()[0]
    con.close()
    assert periods >= 8
