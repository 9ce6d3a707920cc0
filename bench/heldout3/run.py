"""Third held-out check, end to end: generate -> ingest -> link -> score, one table. Nobody tunes on it.

    .venv/bin/python bench/heldout3/run.py                  # ~1k victim records (450 children), seeds 31 and 32
    .venv/bin/python bench/heldout3/run.py --large          # also ~10k (4,500 children), seed 31
    .venv/bin/python bench/heldout3/run.py --only h3-1k-s31 --fresh

Returns come from bench/heldout3/make_returns.py (shares no code with cse_audit.synth or
bench/heldout), are loaded with the project's configs/ as it is now plus bench/heldout3/overlay/
(14 agencies, 7 mappings written from docs/ alone, one code-list entry; linkage.yaml untouched) and
scored with `cse-audit link evaluate` per kind. Also checked: rows landed = accepted + rejected +
skipped, every truth row names a loaded record or a row the tool reported (skipped or rejected, with
its reason), and whether the true number of people lies in the tables' stated range
(persons_low-persons_high). Everything lives in bench/heldout3/data/ (not in git).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = HERE / "data"
OVERLAY = HERE / "overlay"
CLI = str(Path(sys.executable).parent / "cse-audit")
SETS = {"h3-1k-s31": (31, 450), "h3-1k-s32": (32, 450), "h3-10k-s31": (31, 4500), "h3-10k-s32": (32, 4500)}
KINDS = ("victims", "offenders")


def cli(*args: str) -> str:
    res = subprocess.run([CLI, *args], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(f"cse-audit {' '.join(args)} failed ({res.returncode}): {res.stderr[-2000:]}")
    return res.stdout


def make_config(dest: Path) -> Path:
    """The project's configs/ as it is now (linkage.yaml untouched) plus overlay/: agencies appended to
    agencies.yaml, the mappings, and code-list entries an analyst would add after `mapping check`."""
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
        known = {str(k).lower() for k in yaml.safe_load("".join(lines)).get("codes", {})}
        at = next(i for i, line in enumerate(lines) if line.rstrip() == "codes:") + 1
        new = [f"  {e}\n" for e in entries.splitlines()
               if re.sub(r"^\"?(.*?)\"?:.*$", r"\1", e.split("#")[0].strip()).lower() not in known]
        path.write_text("".join(lines[:at] + new + lines[at:]))
    return dest


def generate(out: Path, seed: int, children: int) -> None:
    subprocess.run([sys.executable, str(HERE / "make_returns.py"), str(out), "--seed", str(seed),
                    "--children", str(children)], check=True, capture_output=True)


def load(out: Path, db: Path, configs: Path) -> float:
    """A store built anew with today's configuration (an old store would score an old configuration)."""
    t0 = time.perf_counter()
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    cli("ingest", str(out), "--db", str(db), "--config", str(configs), "--no-tables", "-q")
    return time.perf_counter() - t0


def truth_coverage(db: Path, out: Path) -> dict:
    """Every truth row must be a loaded record or a row the tool reported (skipped / rejected, with a
    code). Counts per kind, the reasons, and `lost` (neither: must be 0); plus the load reconciliation."""
    sys.path.insert(0, str(ROOT))
    from cse_audit import store

    con = store.connect(db, read_only=True)
    try:
        landed, acc, rej, skip = con.execute(
            "SELECT sum(rows_landed), sum(records_accepted), sum(rows_rejected), sum(rows_skipped) "
            "FROM returns WHERE status = 'current'").fetchone()
        files = {r[0] for r in con.execute("SELECT file_name FROM returns WHERE status = 'current'").fetchall()}
        reported = {}
        for f, sheet, row, code, sev in con.execute(
                "SELECT file_name, sheet, row_number, code, severity FROM issues "
                "WHERE (severity IN ('skipped', 'error') OR code = 'unnamed_no_detail') AND row_number IS NOT NULL").fetchall():
            reported[(f, str(sheet), int(row))] = f"{sev}:{code}"
        loaded = {kind: {(f, str(s), int(r)) for f, s, r in con.execute(
            f"SELECT rt.file_name, v.sheet, v.row_number FROM current_{kind} v "
            "JOIN returns rt USING (return_id)").fetchall()} for kind in KINDS}
    finally:
        con.close()
    cov = {"rows_landed": int(landed), "accepted": int(acc), "rejected": int(rej), "skipped": int(skip),
           "reconciles": int(landed) == int(acc) + int(rej) + int(skip),
           "files_not_loaded": sorted({r[0] for k in KINDS for r in _truth(out, k)} - files)}
    for kind in KINDS:
        reasons, lost = Counter(), []
        for f, sheet, row, _pid in _truth(out, kind):
            key = (f, sheet, row)
            if key in loaded[kind]:
                reasons["loaded"] += 1
            elif key in reported or (f, "csv", row) in reported or (f, "0", row) in reported:
                reasons[reported.get(key) or reported.get((f, "csv", row)) or reported.get((f, "0", row))] += 1
            else:
                lost.append(key)
        cov[kind] = {"truth_rows": sum(reasons.values()) + len(lost), **reasons, "lost": len(lost),
                     "lost_examples": [list(k) for k in lost[:5]]}
    return cov


def _truth(out: Path, kind: str) -> list[tuple]:
    with open(out / "_truth" / f"{kind}.csv", newline="", encoding="utf-8") as f:
        return [(r["file_name"], r["sheet"], int(r["row_number"]), r["person_id"]) for r in csv.DictReader(f)]


def score(name: str, fresh: bool, configs: Path) -> list[dict]:
    seed, children = SETS[name]
    out, db = DATA / name, DATA / f"{name}.duckdb"
    if fresh or not (out / "_truth" / "victims.csv").exists():
        if out.exists():
            shutil.rmtree(out)
        generate(out, seed, children)
    load_s = load(out, db, configs)
    cov = truth_coverage(db, out)
    tables = json.loads(cli("tables", "--db", str(db), "--format", "json", "-q"))
    rows = []
    for kind in KINDS:
        # the load's configuration, named (see bench/heldout/run.py)
        ev = json.loads(cli("link", "evaluate", "--db", str(db), "--truth", str(out / "_truth" / f"{kind}.csv"),
                            "--kind", kind, "--config", str(configs), "--format", "json", "-q"))
        tab = tables[f"{kind}_sex"]
        ev.update(dataset=name, load_seconds=round(load_s, 1), table_total=tab["total"],
                  table_low=tab.get("persons_low"), table_high=tab.get("persons_high"), coverage=cov,
                  stats=json.loads((out / "_truth" / "stats.json").read_text()))
        rows.append(ev)
    return rows


def table(rows: list[dict]) -> str:
    head = ["data set", "kind", "records", "truth rows not loaded", "persons true", "count", "diff %", "stated range",
            "true in range", "pairwise P", "pairwise R", "pairwise F1", "B-cubed F1", "exact P", "exact R", "exact F1",
            "named pairs P", "named pairs R"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        t, lo, hi = r["persons_truth"], r["table_low"], r["table_high"]
        out.append("| " + " | ".join([
            r["dataset"], r["kind"], f"{r['records']:,}", str(r["truth_rows_unmatched"]), f"{t:,}",
            f"{r['table_total']:,}", f"{100 * (r['table_total'] - t) / t:+.1f}",
            f"{lo:,}-{hi:,}" if lo is not None else "-", "yes" if lo is not None and lo <= t <= hi else "no",
            *(f"{r[k]:.3f}" if r.get(k) is not None else "-" for k in (
                "pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1", "exact_cluster_precision",
                "exact_cluster_recall", "exact_cluster_f1", "full_name_pairs_precision",
                "full_name_pairs_recall"))]) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="also ~10k victim records (4,500 children), seed 31")
    ap.add_argument("--only", nargs="*", choices=sorted(SETS), help="only these data sets")
    ap.add_argument("--fresh", action="store_true", help="regenerate the returns (after a generator change)")
    args = ap.parse_args(argv)
    names = args.only or [n for n in SETS if "-1k-" in n or (args.large and n == "h3-10k-s31")]
    DATA.mkdir(parents=True, exist_ok=True)
    configs = make_config(DATA / "configs")
    rows = []
    for name in names:
        rows += score(name, args.fresh, configs)
        cov = rows[-1]["coverage"]
        print(f"{name}: load {rows[-1]['load_seconds']}s; rows landed {cov['rows_landed']} = accepted "
              f"{cov['accepted']} + rejected {cov['rejected']} + skipped {cov['skipped']}: "
              f"{'reconciles' if cov['reconciles'] else 'DOES NOT RECONCILE'}; truth rows: "
              + "; ".join(f"{k} {json.dumps({a: b for a, b in cov[k].items() if a != 'lost_examples'})}"
                          for k in KINDS), file=sys.stderr)
    print(table(rows))
    path = DATA / f"results-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
