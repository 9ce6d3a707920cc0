"""Whether two trees' ingest gives the same results (issue 21's changes must leave outputs as they were).

    ingest_same.py run TREE DATA OUT [--jobs N]   # one tree's outputs into OUT (created 0700)
    ingest_same.py diff OUT_A OUT_B               # exit 1 and name what differs

`run` writes, under OUT: ingest.json (`ingest --no-link --format json`), validate.csv (`validate
--format csv`: every issue with its file, sheet, row and column), rows.txt (the sorted rows of every
table and view of the store, `loaded_at` and `store_meta`'s `config_recorded_at` left out: they
are the clock) and modes.txt (the store file's mode). The files hold synthetic names: OUT goes under
a git-ignored bench/.../data folder and is owner-only. Sessions 11-18 ran this as a shell script
kept outside the repository; checked in from session 19.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

PYTHON = sys.executable
FILES = ("ingest.json", "validate.csv", "rows.txt", "modes.txt")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def run(tree: Path, data: Path, out: Path, jobs: str | None) -> None:
    os.umask(0o077)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("s.duckdb", "s.duckdb.wal"):
        (out / name).unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cli = [PYTHON, "-m", "cse_audit.cli"]
    with open(out / "ingest.json", "w") as fh, open(out / "ingest.err", "w") as err:
        subprocess.run(cli + ["ingest", str(data), "--db", str(out / "s.duckdb"), "--no-link", "--format", "json"]
                       + (["--jobs", jobs] if jobs else []), cwd=tree, env=env, stdout=fh, stderr=err, check=False)
    with open(out / "validate.csv", "w") as fh, open(out / "validate.err", "w") as err:
        subprocess.run(cli + ["validate", str(data), "--format", "csv"], cwd=tree, env=env, stdout=fh, stderr=err,
                       check=False)
    (out / "modes.txt").write_text(oct((out / "s.duckdb").stat().st_mode & 0o777) + "\n")
    import duckdb

    con = duckdb.connect(str(out / "s.duckdb"), read_only=True)
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    with open(out / "rows.txt", "w") as fh:
        for table in names:
            cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                              "ORDER BY ordinal_position", [table]).fetchall() if r[0] != "loaded_at"]
            rows = con.execute(f"SELECT {', '.join(map(_quoted, cols))} FROM {_quoted(table)}").fetchall()
            if table == "store_meta":
                rows = [r for r in rows if r[0] != "config_recorded_at"]
            fh.write(f"## {table} {len(rows)} {cols}\n")
            fh.writelines(line + "\n" for line in sorted(map(repr, rows)))
    con.close()


def diff(a: Path, b: Path) -> int:
    differ = [name for name in FILES if not filecmp.cmp(a / name, b / name, shallow=False)]
    for name in FILES:
        print(f"{name}: {'DIFFERS' if name in differ else 'same'} ({(a / name).stat().st_size} bytes)")
    return 1 if differ else 0


if __name__ == "__main__":
    if sys.argv[1] == "run":
        jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else None
        run(Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve(), Path(sys.argv[4]).resolve(), jobs)
    else:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
