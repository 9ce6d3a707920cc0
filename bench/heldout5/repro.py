"""Minimal reproductions of what bench/heldout5 found that is not fixed (README, "What the mapping
language could not say"; BENCHMARKS.md, session 15). Each builds a return of two to six made-up rows,
loads it with the project's configs/ plus one agency and one mapping, and prints counts only.

    PYTHONPATH=$PWD .venv/bin/python bench/heldout5/repro.py
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CLI = str(Path(sys.executable).parent / "cse-audit")
AGENCY = """  - id: repro-{n}
    name: "Repro Agency {n}"
    source_type: {kind}
    area: "Reproshire"
    force_area: "Reproshire"
    expected: true
    mapping: repro-{n}
    files: ["*repro agency {n}*"]
"""
CASES = {
    # (mapping columns, header + rows, what to look at)
    "two tables on one sheet: the second read as children": (
        "victims:\n    sheet: 0\n    header_contains: [Ref, Name]\n    columns:\n      case_ref: Ref\n"
        "      name: {column: Name, parse: name}\n      age: Age\n",
        [["Ref", "Name", "Age"], ["1", "Amy Fauxley", "14"], ["2", "Beth Fauxton", "15"], [],
         ["Adults of concern"], ["Child ref", "Adult name", "Age"], ["1", "Dave Fauxman", "30s"]]),
    "a school year as an age": (
        "victims:\n    sheet: 0\n    columns:\n      case_ref: Ref\n      name: {column: Name, parse: name}\n"
        "      age: {column: Age, parse: age}\n",
        [["Ref", "Name", "Age"], ["1", "Amy Fauxley", "Year 10"], ["2", "Beth Fauxton", "15"]]),
    "an age inside the DOB text": (
        "victims:\n    sheet: 0\n    columns:\n      case_ref: Ref\n      name: {column: Name, parse: name}\n"
        "      dob: DOB\n",
        [["Ref", "Name", "DOB"], ["1", "Amy Fauxley", "DOB not known (15)"], ["2", "Beth Fauxton", "35000"]]),
    "a pattern on a Notes column warns on every other note": (
        "victims:\n    sheet: 0\n    columns:\n      case_ref: Ref\n      name: {column: Name, parse: name}\n"
        "      dob: {column: Notes, pattern: \"DOB (?P<day>\\\\d{1,2})\\\\.(?P<month>\\\\d{1,2})\\\\.(?P<year>\\\\d{2,4})\"}\n",
        [["Ref", "Name", "Notes"], ["1", "Amy Fauxley", "DOB 03.04.95 per school"], ["2", "Beth Fauxton", "LAC"],
         ["3", "Cara Fauxwell", "missing x3"]]),
    "an unnamed suspect with no age beside a victim: no record, no issue": (
        "victims:\n    sheet: 0\n    columns:\n      case_ref: Crime\n      name: {column: Victim, parse: name}\n"
        "      age: {column: Victim age, parse: age}\n  offenders:\n    sheet: 0\n    columns:\n"
        "      case_ref: Crime\n      name: {column: Suspect, parse: name}\n      age: {column: Suspect age, parse: age}\n",
        [["Crime", "Victim", "Victim age", "Suspect", "Suspect age"], ["C1", "Amy Fauxley", "14", "Unknown male", ""],
         ["C2", "Beth Fauxton", "15", "Dave Fauxman", "30s"]]),
}


def _config(dest: Path, n: int, kind: str, columns: str) -> None:
    shutil.copytree(ROOT / "configs", dest)
    agencies = dest / "agencies.yaml"
    agencies.write_text(agencies.read_text().rstrip("\n") + "\n" + AGENCY.format(n=n, kind=kind))
    (dest / "mappings" / f"repro-{n}.yaml").write_text(f"name: repro-{n}\nsheets:\n  {columns}")


def _load(tmp: Path, n: int, columns: str, rows: list[list[str]]) -> dict:
    cfg, ret, db = tmp / f"cfg{n}", tmp / f"ret{n}", tmp / f"s{n}.duckdb"
    _config(cfg, n, "lscb", columns)
    ret.mkdir()
    with open(ret / f"Repro Agency {n}.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    subprocess.run([CLI, "ingest", str(ret), "--db", str(db), "--config", str(cfg), "--no-tables", "-q"],
                   capture_output=True, text=True)
    sys.path.insert(0, str(ROOT))
    from cse_audit import store

    con = store.connect(db, read_only=True)
    try:
        out = {kind: con.execute(f"SELECT count(*), count(age), count(dob) FROM current_{kind}").fetchone()
               for kind in ("victims", "offenders")}
        out["issues"] = con.execute("SELECT code, count(*) FROM issues GROUP BY 1 ORDER BY 1").fetchall()
        out["rows"] = con.execute("SELECT rows_landed, records_accepted, rows_rejected, rows_skipped "
                                  "FROM returns").fetchall()
    finally:
        con.close()
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as t:
        for n, (title, (columns, rows)) in enumerate(CASES.items(), start=1):
            got = _load(Path(t), n, columns, rows)
            print(f"{n}. {title}")
            print(f"   victims (records, with age, with dob) {got['victims']}; offenders {got['offenders']}; "
                  f"returns (landed, accepted, rejected, skipped) {got['rows']}; issues {json.dumps(got['issues'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
