"""Write cse_audit/linkage/exact_match_answers.json: Splink's exact-match answer for every comparison
level a first link of the shipped sample asks about, with the shipped configuration (levelcache.py).

    PYTHONPATH=$PWD python bench/exact_match_answers.py

Run again after a change to the comparisons in configs/linkage.yaml or an upgrade of Splink or
sqlglot (tests/test_link_exact_match_shipped.py fails until then). Each answer is computed by
Splink itself here (nothing shipped is read), keyed as the store keeps them."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    import splink
    import sqlglot
    from splink.internals.comparison_level import ComparisonLevel

    from cse_audit import store
    from cse_audit.ingest import pipeline
    from cse_audit.linkage import levelcache

    asked: dict[str, list] = {}
    real = ComparisonLevel.__dict__["_is_exact_match"]

    def recorded(level) -> bool:
        got = real.fget(level)
        key = ("exact", level._is_else_level, level.sql_condition, str(level.sqlglot_dialect))
        asked[levelcache._digest(key)] = [*key[1:], bool(got)]
        return got

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.duckdb"
        subprocess.run([sys.executable, "-m", "cse_audit.cli", "ingest", str(ROOT / "sample_returns"), "--db", str(db),
                        "--no-link", "--no-tables", "--format", "json"], check=True, capture_output=True)
        levelcache.SHIPPED = Path(tmp) / "none.json"  # every answer from Splink
        levelcache._SEEN.clear()
        ComparisonLevel._is_exact_match = property(recorded)
        con = store.connect(db)
        try:
            pipeline.link_all(con, ROOT / "configs")
        finally:
            con.close()
            ComparisonLevel._is_exact_match = real
    out = ROOT / "cse_audit" / "linkage" / "exact_match_answers.json"
    # the answers of other Splink / sqlglot versions already in the file stay, for the same levels
    # (a fresh install may resolve a newer sqlglot than a developer's environment: both then find
    # theirs); answers for levels the configuration no longer has are dropped
    mine = (splink.__version__, sqlglot.__version__)
    try:
        old = json.loads(out.read_text())
        versions = [tuple(v) for v in old.get("versions", [])] or [(old["splink"], old["sqlglot"])]
        old_answers = old["answers"]
    except (OSError, ValueError, KeyError):
        versions, old_answers = [], {}
    levels = {tuple(v[:3]) for v in asked.values()}
    keep = {levelcache._digest(("exact", *lv), ver): [*lv, ans] for ver in versions if ver != mine
            for d, (*lv, ans) in old_answers.items() if tuple(lv) in levels
            and levelcache._digest(("exact", *lv), ver) == d}
    versions = sorted({*(v for v in versions if v != mine and any(
        levelcache._digest(("exact", *lv), v) in keep for lv in levels)), mine})
    out.write_text(json.dumps({
        "about": "Splink's exact-match answer per comparison level (else level, SQL, dialect, answer), keyed as "
                 "cse_audit/linkage/levelcache.py keys them (the level and the Splink and sqlglot versions); made "
                 "by bench/exact_match_answers.py, which keeps the answers of the other versions listed",
        "versions": [list(v) for v in versions],
        "answers": dict(sorted({**keep, **asked}.items()))}, indent=1) + "\n")
    print(f"{len(asked)} answers ({sum(v[-1] for v in asked.values())} exact matches) for Splink {mine[0]}, "
          f"sqlglot {mine[1]} written to {out}; versions in the file: {versions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
