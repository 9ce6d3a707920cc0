"""Held-out returns, end to end: generate -> ingest -> score, one table.

    .venv/bin/python bench/heldout/run.py                       # 1k victim records, seeds 11 and 12 (and
                                                                # the high-overlap batch, ~1.9 records per child)
    .venv/bin/python bench/heldout/run.py --large               # also ~10k (7,000 children), both seeds
    .venv/bin/python bench/heldout/run.py --only ho-1k-s11 --fresh

Data sets are made by bench/heldout/make_returns.py (independent of cse_audit.synth), loaded with
the project's configs/ as it is now plus bench/heldout/overlay/ (14 invented agencies, 6 mappings
written from docs/ alone, two code-list entries; linkage.yaml untouched: make_config) and scored with `cse-audit link
evaluate` per kind. Also checked: the load reconciles (rows landed = accepted + rejected + skipped,
every truth row names a loaded record or a row the tool said it skipped) and the count's stated
range (`tables --format json`: persons_low-persons_high) against the true number of people.
Returns, stores and results live in bench/heldout/data/ (not in git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = HERE / "data"
CONFIGS = DATA / "configs"
OVERLAY = HERE / "overlay"
CLI = str(Path(sys.executable).parent / "cse-audit")
SETS = {"ho-1k-s11": (11, 700), "ho-1k-s12": (12, 700), "ho-10k-s11": (11, 7000), "ho-10k-s12": (12, 7000),
        "ho-hi-1k-s11": (11, 550), "ho-hi-1k-s12": (12, 550)}  # hi: --overlap high, ~1.9 records per child


def _cli(*args: str) -> str:
    res = subprocess.run([CLI, *args], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(f"cse-audit {' '.join(args)} failed ({res.returncode}): {res.stderr[-2000:]}")
    return res.stdout


def make_config(dest: Path = CONFIGS) -> Path:
    """The project's configs/ as it is now (linkage.yaml untouched), plus the held-out agencies, their
    mappings and two code-list entries (bench/heldout/overlay/): so the held-out score is always the
    current default configuration's."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "configs", dest)
    agencies = dest / "agencies.yaml"
    agencies.write_text(agencies.read_text().rstrip("\n") + "\n" + (OVERLAY / "agencies.yaml").read_text())
    for m in (OVERLAY / "mappings").glob("*.yaml"):
        shutil.copy(m, dest / "mappings" / m.name)
    for name, entries in yaml.safe_load((OVERLAY / "codes.yaml").read_text()).items():
        path = dest / "codes" / f"{name}.yaml"
        lines = path.read_text().splitlines(keepends=True)
        known = yaml.safe_load("".join(lines)).get("codes", {})
        at = next(i for i, line in enumerate(lines) if line.rstrip() == "codes:") + 1
        new = [f"  {e}\n" for e in entries.splitlines()
               if re.sub(r"^\"?(.*?)\"?:.*$", r"\1", e.split("#")[0].strip()) not in known]  # the project may add it
        path.write_text("".join(lines[:at] + new + lines[at:]))
    return dest


def build(name: str, fresh: bool) -> tuple[Path, Path, float]:
    """Returns are reused unless --fresh; the store is always built anew with today's configuration."""
    seed, children = SETS[name]
    out, db = DATA / name, DATA / f"{name}.duckdb"
    if fresh or not (out / "_truth" / "victims.csv").exists():
        subprocess.run([sys.executable, str(HERE / "make_returns.py"), str(out), "--seed", str(seed),
                        "--children", str(children), "--overlap", "high" if "-hi-" in name else "normal"],
                       check=True, capture_output=True)
    t0 = time.perf_counter()
    db.unlink(missing_ok=True)  # a store from an older configuration would score that configuration
    Path(f"{db}.wal").unlink(missing_ok=True)
    _cli("ingest", str(out), "--db", str(db), "--config", str(CONFIGS), "--no-tables", "-q")
    return out, db, time.perf_counter() - t0


def reconcile(db: Path) -> dict:
    """Load counts from the store (read only): every landed row is accepted, rejected or skipped."""
    sys.path.insert(0, str(ROOT))
    from cse_audit import store
    con = store.connect(db, read_only=True)
    try:
        landed, acc, rej, skip = con.execute(
            "SELECT sum(rows_landed), sum(records_accepted), sum(rows_rejected), sum(rows_skipped) "
            "FROM returns WHERE status = 'current'").fetchone()
        kinds = {k: con.execute(f"SELECT count(*) FROM current_{k}").fetchone()[0] for k in ("victims", "offenders")}
        skipped = dict(con.execute("SELECT code, count(*) FROM issues WHERE severity = 'skipped' GROUP BY code").fetchall())
    finally:
        con.close()
    return {"rows_landed": int(landed), "accepted": int(acc), "rejected": int(rej), "skipped": int(skip),
            "reconciles": int(landed) == int(acc) + int(rej) + int(skip), "skipped_by_reason": skipped, **kinds}


def score(name: str) -> list[dict]:
    out, db, load_s = build(name, ARGS.fresh)
    rec = reconcile(db)
    tables = json.loads(_cli("tables", "--db", str(db), "--format", "json", "-q"))
    rows = []
    for kind in ("victims", "offenders"):
        t0 = time.perf_counter()
        # the load's configuration, named: without --config evaluate takes the store's recorded copy, but
        # refuses to run when CSE_AUDIT_CONFIG names another folder
        ev = json.loads(_cli("link", "evaluate", "--db", str(db), "--truth", str(out / "_truth" / f"{kind}.csv"),
                             "--kind", kind, "--config", str(CONFIGS), "--format", "json", "-q"))
        tab = tables[f"{kind}_sex"]
        ev.update(dataset=name, load_seconds=round(load_s, 1), evaluate_seconds=round(time.perf_counter() - t0, 1),
                  table_total=tab["total"], table_low=tab.get("persons_low"), table_high=tab.get("persons_high"),
                  reconcile=rec, stats=json.loads((out / "_truth" / "stats.json").read_text()))
        rows.append(ev)
    return rows


def table(rows: list[dict]) -> str:
    head = ["data set", "kind", "records", "truth rows not loaded", "persons true", "count", "diff %", "stated range",
            "true in range", "pairwise P", "pairwise R", "pairwise F1", "B-cubed F1", "exact P", "exact R", "exact F1",
            "named pairs P", "named pairs R", "blocking R"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        t = r["persons_truth"]
        lo, hi = r["table_low"], r["table_high"]
        rng = f"{lo:,}-{hi:,}" if lo is not None else "-"
        inside = "yes" if lo is not None and lo <= t <= hi else "no"
        out.append("| " + " | ".join([
            r["dataset"], r["kind"], f"{r['records']:,}", str(r["truth_rows_unmatched"]), f"{t:,}",
            f"{r['table_total']:,}", f"{100 * (r['table_total'] - t) / t:+.1f}", rng, inside,
            *(f"{r[k]:.3f}" for k in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1",
                                      "exact_cluster_precision", "exact_cluster_recall", "exact_cluster_f1",
                                      "full_name_pairs_precision", "full_name_pairs_recall", "blocking_recall"))]) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="also the ~10k-record data sets (7,000 children)")
    ap.add_argument("--only", nargs="*", choices=sorted(SETS), help="only these data sets")
    ap.add_argument("--fresh", action="store_true", help="regenerate and reload (after a generator or mapping change)")
    ARGS = ap.parse_args(argv)
    names = ARGS.only or [n for n in SETS if ARGS.large or "-1k-" in n]
    DATA.mkdir(parents=True, exist_ok=True)
    make_config()
    rows = []
    for name in names:
        rows += score(name)
        for r in rows[-2:]:
            rec = r["reconcile"]
            print(f"{name} {r['kind']}: {r['records']} records, load {r['load_seconds']}s, evaluate "
                  f"{r['evaluate_seconds']}s; rows landed {rec['rows_landed']} = accepted {rec['accepted']} + "
                  f"rejected {rec['rejected']} + skipped {rec['skipped']}: "
                  f"{'reconciles' if rec['reconciles'] else 'DOES NOT RECONCILE'}", file=sys.stderr)
    print(table(rows))
    path = DATA / f"results-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
