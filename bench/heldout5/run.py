"""Fifth held-out check (issue 16), end to end: generate -> ingest -> link -> score. Nobody tunes on it.

    .venv/bin/python bench/heldout5/run.py --small     # ~500 victim records (200 children), seeds 51 and 52
    .venv/bin/python bench/heldout5/run.py             # ~1k victim records (360 children), seeds 51 and 52
    .venv/bin/python bench/heldout5/run.py --large     # and ~10k victim records (3,600 children), seeds 51 and 52
    .venv/bin/python bench/heldout5/run.py --only h5-1k-s52 --fresh
    (each set also as "-split": the small agencies' adults table moved to its own sheet, see README)

Returns come from bench/heldout5/h5make.py (its own generator: shares no code with cse_audit.synth,
bench/heldout, bench/heldout3 or bench/heldout4), are loaded with the project's configs/ as it is
now (linkage.yaml, code lists and settings untouched) plus this folder's configs/ (19 agencies appended to
agencies.yaml, 7 mappings written from docs/ alone), and scored with `cse-audit link evaluate` per
kind. Also checked: rows landed = accepted + rejected + skipped, every truth row is a loaded record or
a row the tool reported (skipped / rejected, with its reason), the issues by code and severity (counts
only), and whether the true number of people lies in the tables' stated range. Everything lives in
bench/heldout5/data/ (not in git).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = HERE / "data"
CLI = str(Path(sys.executable).parent / "cse-audit")
# name: (seed, children, the adults-of-concern table moved to its own sheet as an analyst would)
SETS = {f"h5-{size}-s{seed}{'-split' if split else ''}": (seed, n, split)
        for size, n in (("small", 200), ("1k", 360), ("10k", 3600)) for seed in (51, 52) for split in (False, True)}
KINDS = ("victims", "offenders")


def cli(*args: str) -> str:
    res = subprocess.run([CLI, *args], capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise SystemExit(f"cse-audit {' '.join(args[:2])} failed ({res.returncode}): {res.stderr[-2000:]}")
    return res.stdout


# As sent, the small agencies' adults of concern sit under the children on sheet "Return": since
# session 18 the mapping says so (`below: victims`); -split reads them from a sheet of their own.
SPLIT_ADULTS = '    sheet: "Adults of concern"\n    optional: true\n'
ADULTS_BELOW = '    sheet: "Return"\n    below: victims\n    optional: true\n'


def make_config(dest: Path, as_sent: bool = False) -> Path:
    """The project's configs/ as it is now plus this world's agencies (appended) and mappings; with
    `as_sent`, the small agencies' adults block reads the table under the children (`below`)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ROOT / "configs", dest)
    agencies = dest / "agencies.yaml"
    agencies.write_text(agencies.read_text().rstrip("\n") + "\n" + (HERE / "configs" / "agencies.yaml").read_text())
    for m in (HERE / "configs" / "mappings").glob("*.yaml"):
        shutil.copy(m, dest / "mappings" / m.name)
    if as_sent:
        multi = dest / "mappings" / "h5-multi-agency.yaml"
        text = multi.read_text()
        if SPLIT_ADULTS not in text:
            raise SystemExit(f"{multi.name}: the adults block is not where this runner expects it")
        multi.write_text(text.replace(SPLIT_ADULTS, ADULTS_BELOW))
    return dest


def generate(out: Path, seed: int, children: int, split: bool) -> None:
    subprocess.run([sys.executable, str(HERE / "h5make.py"), str(out), "--seed", str(seed),
                    "--children", str(children)] + (["--split-adults"] if split else []),
                   check=True, capture_output=True)


def load(out: Path, db: Path, configs: Path) -> float:
    """A store built anew with today's configuration (an old store would score an old configuration)."""
    t0 = time.perf_counter()
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)
    cli("ingest", str(out), "--db", str(db), "--config", str(configs), "--no-tables", "-q")
    return time.perf_counter() - t0


def _truth(out: Path, kind: str) -> list[tuple]:
    with open(out / "_truth" / f"{kind}.csv", newline="", encoding="utf-8") as f:
        return [(r["file_name"], r["sheet"], int(r["row_number"]), r["group"], r["person_id"])
                for r in csv.DictReader(f)]


def truth_coverage(db: Path, out: Path) -> dict:
    """Load reconciliation, issues by (severity, code, block) as counts, and per kind each truth row as
    loaded, reported (skipped / rejected, with the code; or an unnamed person's `unnamed_no_detail` warning
    on its row, session 18) or lost (neither: must be 0)."""
    sys.path.insert(0, str(ROOT))
    from cse_audit import store

    con = store.connect(db, read_only=True)
    try:
        landed, acc, rej, skip = con.execute(
            "SELECT sum(rows_landed), sum(records_accepted), sum(rows_rejected), sum(rows_skipped) "
            "FROM returns WHERE status = 'current'").fetchone()
        issues = con.execute("SELECT severity, code, coalesce(block, ''), count(*) FROM issues "
                             "GROUP BY ALL ORDER BY 4 DESC").fetchall()
        reported = {(f, str(s), int(r)): f"{sev}:{code}" for f, s, r, code, sev in con.execute(
            "SELECT file_name, sheet, row_number, code, severity FROM issues "
            "WHERE (severity IN ('skipped', 'error') OR code = 'unnamed_no_detail') AND row_number IS NOT NULL").fetchall()}
        loaded = {kind: {(f, str(s), int(r), str(g or "")) for f, s, r, g in con.execute(
            f"SELECT rt.file_name, v.sheet, v.row_number, v.column_group FROM current_{kind} v "
            "JOIN returns rt USING (return_id)").fetchall()} for kind in KINDS}
    finally:
        con.close()
    cov = {"rows_landed": int(landed), "accepted": int(acc), "rejected": int(rej), "skipped": int(skip),
           "reconciles": int(landed) == int(acc) + int(rej) + int(skip),
           "issues": [f"{sev}:{code}:{block} x{n}" for sev, code, block, n in issues]}
    for kind in KINDS:
        reasons: Counter = Counter()
        for f, sheet, row, group, _pid in _truth(out, kind):
            if (f, sheet, row, group) in loaded[kind]:
                reasons["loaded"] += 1
            elif (f, sheet, row) in reported:
                reasons[reported[(f, sheet, row)]] += 1
            else:
                reasons["lost"] += 1
        cov[kind] = dict(reasons)
    return cov


def phantoms(db: Path, out: Path, kind: str) -> tuple[int, int]:
    """Records the tool made of rows that are no person of this kind (the adults' table under the
    children's, read as children), and the persons made of such records alone: part of the count."""
    sys.path.insert(0, str(ROOT))
    from cse_audit import store

    truth = {(f, s, r, g) for f, s, r, g, _ in _truth(out, kind)}
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute(
            f"SELECT rt.file_name, v.sheet, v.row_number, coalesce(v.column_group, ''), l.person_id "
            f"FROM current_{kind} v JOIN returns rt USING (return_id) "
            f"JOIN {kind[:-1]}_links l USING (record_id)").fetchall()
    finally:
        con.close()
    real_persons = {p for f, s, r, g, p in rows if (f, str(s), int(r), str(g)) in truth}
    extra = [p for f, s, r, g, p in rows if (f, str(s), int(r), str(g)) not in truth]
    return len(extra), len(set(extra) - real_persons)


def score(name: str, fresh: bool, configs: Path) -> list[dict]:
    seed, children, split = SETS[name]
    out, db = DATA / name, DATA / f"{name}.duckdb"
    if fresh or not (out / "_truth" / "victims.csv").exists():
        if out.exists():
            shutil.rmtree(out)
        generate(out, seed, children, split)
    load_s = load(out, db, configs)
    cov = truth_coverage(db, out)
    tables = json.loads(cli("tables", "--db", str(db), "--format", "json", "-q"))
    rows = []
    for kind in KINDS:
        ev = json.loads(cli("link", "evaluate", "--db", str(db), "--truth", str(out / "_truth" / f"{kind}.csv"),
                            "--kind", kind, "--config", str(configs), "--format", "json", "-q"))
        tab = tables[f"{kind}_sex"]
        extra_records, extra_persons = phantoms(db, out, kind)
        ev.update(extra_records=extra_records, extra_persons=extra_persons,dataset=name, load_seconds=round(load_s, 1), table_total=tab["total"],
                  table_low=tab.get("persons_low"), table_high=tab.get("persons_high"), coverage=cov,
                  stats=json.loads((out / "_truth" / "stats.json").read_text()))
        rows.append(ev)
    return rows


def table(rows: list[dict]) -> str:
    head = ["data set", "kind", "records", "not in truth (persons)", "truth rows not loaded", "persons true", "count",
            "diff %", "stated range",
            "true in range", "pairwise P", "pairwise R", "pairwise F1", "B-cubed F1", "exact F1",
            "named pairs P", "named pairs R"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        t, lo, hi = r["persons_truth"], r["table_low"], r["table_high"]
        out.append("| " + " | ".join([
            r["dataset"], r["kind"], f"{r['records']:,}", f"{r['extra_records']} ({r['extra_persons']})",
            str(r["truth_rows_unmatched"]), f"{t:,}",
            f"{r['table_total']:,}", f"{100 * (r['table_total'] - t) / t:+.1f}",
            f"{lo:,}-{hi:,}" if lo is not None else "-", "yes" if lo is not None and lo <= t <= hi else "no",
            *(f"{r[k]:.3f}" if r.get(k) is not None else "-" for k in (
                "pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1", "exact_cluster_f1",
                "full_name_pairs_precision", "full_name_pairs_recall"))]) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="only ~500 victim records (200 children), seeds 51 and 52")
    ap.add_argument("--large", action="store_true", help="also ~10k victim records (3,600 children), seeds 51 and 52")
    ap.add_argument("--only", nargs="*", choices=sorted(SETS), help="only these data sets")
    ap.add_argument("--fresh", action="store_true", help="regenerate the returns (after a generator change)")
    args = ap.parse_args(argv)
    if args.only:
        names = args.only
    elif args.small:
        names = [f"h5-small-s{seed}{split}" for seed in (51, 52) for split in ("", "-split")]
    else:
        names = [f"h5-{size}-s{seed}{split}" for size in ("1k", "10k")[:2 if args.large else 1]
                 for seed in (51, 52) for split in ("", "-split")]
    DATA.mkdir(parents=True, exist_ok=True)
    configs = make_config(DATA / "configs")
    as_sent = make_config(DATA / "configs-as-sent", as_sent=True)
    rows = []
    for name in names:
        rows += score(name, args.fresh, configs if SETS[name][2] else as_sent)
        cov = rows[-1]["coverage"]
        print(f"{name}: load {rows[-1]['load_seconds']}s; rows landed {cov['rows_landed']} = accepted "
              f"{cov['accepted']} + rejected {cov['rejected']} + skipped {cov['skipped']}: "
              f"{'reconciles' if cov['reconciles'] else 'DOES NOT RECONCILE'}; truth rows: "
              + "; ".join(f"{k} {json.dumps(cov[k])}" for k in KINDS), file=sys.stderr)
        print(f"{name}: issues: " + "; ".join(cov["issues"]), file=sys.stderr)
    print(table(rows))
    path = DATA / f"results-{dt.datetime.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(rows, indent=1, default=str) + "\n")
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
