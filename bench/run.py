"""Benchmark cse-audit at national scale, against the reading limit.

    python bench/run.py                       # about 10k and 100k victim records
    python bench/run.py --scales 4 40 400     # add about 1M (takes a while)
    python bench/run.py --keep                # keep the generated data in bench/data/

For each scale (multiples of the sample's ~2.5k victim records) it generates returns with
`cse-audit synth --scale`, then measures in one run each:
- ingest throughput (rows per second, linkage off) and its ratio to a bare read of the same
  files with pandas (`read_excel(engine="calamine")`, `read_csv`): the reading limit;
- linkage time, peak memory (max RSS of the process) and candidate pairs per record;
- `tables` and `completeness` time on the loaded store;
and once: `cse-audit --help` start-up against `python -c pass`.
Results go to bench/results/<timestamp>.json and a table is printed. Everything runs as
subprocesses of the installed `cse-audit`, the way a user runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "cse_audit.cli"]


def run(cmd: list[str], **kw) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (MiB) of the child, and the completed process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, max(peak, before) // 1024, proc


def best_of(cmd: list[str], n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_read(folder: Path) -> tuple[float, int]:
    """Seconds and data rows for pandas reading every return, all sheets, no mapping."""
    code = f"""
import time, pathlib, pandas as pd
t0 = time.perf_counter(); rows = 0
for p in sorted(pathlib.Path({str(folder)!r}).rglob('*')):
    if any(part.startswith('_') for part in p.parts) or not p.is_file():
        continue
    s = p.suffix.lower()
    if s == '.csv':
        try:
            frames = [pd.read_csv(p, header=None, dtype=str, encoding='utf-8-sig')]
        except UnicodeDecodeError:
            frames = [pd.read_csv(p, header=None, dtype=str, encoding='cp1252')]
    elif s in ('.xlsx', '.xls', '.ods', '.xlsm'):
        frames = pd.read_excel(p, engine='calamine', header=None, sheet_name=None).values()
    else:
        continue
    rows += sum(len(f) for f in frames)
print(time.perf_counter() - t0, rows)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def bench_scale(scale: float, work: Path, seed: int) -> dict:
    data = work / f"scale{scale:g}"
    gen_s, _, _ = run(CLI + ["synth", str(data), "--seed", str(seed), "--scale", str(scale)])
    db = work / f"scale{scale:g}.duckdb"
    ingest_s, ingest_mb, proc = run(CLI + ["ingest", str(data), "--db", str(db), "--no-link", "--no-tables",
                                           "--format", "json"])
    summary = json.loads(proc.stdout)
    landed = summary["totals"]["rows_landed"]
    bare_s, bare_rows = bare_read(data)
    link_s, link_mb, proc = run(CLI + ["link", "run", "--db", str(db), "--format", "json"])
    link = json.loads(proc.stdout)
    tables_s, _, _ = run(CLI + ["tables", "--db", str(db), "--format", "json"])
    completeness_s, _, _ = run(CLI + ["completeness", "--db", str(db), "--format", "json"])
    victims = link.get("victims", {})
    offenders = link.get("offenders", {})
    return {
        "scale": scale, "generate_s": round(gen_s, 2),
        "files": len(summary["files"]), "rows_landed": landed,
        "victim_records": victims.get("records"), "offender_records": offenders.get("records"),
        "ingest_s": round(ingest_s, 2), "ingest_rows_per_s": round(landed / ingest_s),
        "ingest_peak_mib": ingest_mb,
        "bare_read_s": round(bare_s, 2), "bare_rows": bare_rows, "bare_rows_per_s": round(bare_rows / bare_s),
        "ingest_vs_bare": round((landed / ingest_s) / (bare_rows / bare_s), 2),
        "link_s": round(link_s, 2), "link_peak_mib": link_mb,
        "victim_candidate_pairs": victims.get("candidate_pairs"),
        "victim_pairs_per_record": round(victims["candidate_pairs"] / victims["records"], 1)
        if victims.get("records") else None,
        "victim_persons": victims.get("persons"), "offender_persons": offenders.get("persons"),
        "tables_s": round(tables_s, 2), "completeness_s": round(completeness_s, 2),
    }


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "memory_gib": round(mem, 1), "processor": platform.processor() or platform.machine()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[4, 40],
                    help="multiples of the sample (4 ~ 10k victim records, 40 ~ 100k, 400 ~ 1M)")
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--keep", action="store_true", help="keep generated data in bench/data/")
    args = ap.parse_args(argv)
    work = HERE / "data" if args.keep else Path(tempfile.mkdtemp(prefix="cse-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {"when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine()}
    results["startup"] = {"cse_audit_help_s": round(best_of(CLI + ["--help"]), 3),
                          "python_pass_s": round(best_of([sys.executable, "-c", "pass"]), 3)}
    results["scales"] = []
    try:
        for scale in args.scales:
            print(f"scale {scale:g} ...", file=sys.stderr, flush=True)
            results["scales"].append(bench_scale(scale, work, args.seed))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    path = out / f"{results['when'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nresults written to {path}")
    return 0


def print_table(results: dict) -> None:
    from tabulate import tabulate

    s = results["startup"]
    print(f"start-up: cse-audit --help {s['cse_audit_help_s']} s; python -c pass {s['python_pass_s']} s")
    keys = ["scale", "victim_records", "rows_landed", "ingest_rows_per_s", "bare_rows_per_s", "ingest_vs_bare",
            "link_s", "link_peak_mib", "victim_pairs_per_record", "tables_s", "completeness_s"]
    print(tabulate([[r.get(k) for k in keys] for r in results["scales"]], headers=keys))


if __name__ == "__main__":
    sys.exit(main())
