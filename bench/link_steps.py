"""Where a `link run` spends its time: wall and CPU per step, both kinds, in one process.

    python bench/link_steps.py bench/data/scale40.pristine.duckdb          # a first link (u, EM)
    python bench/link_steps.py bench/data/scale40.pristine.duckdb --relink # then a relink of the same copy

Runs what `cse-audit link run` runs (ingest.link_all: both kinds, then the precomputed tables) on
a copy of the store, with the linkage's steps wrapped by a timer: wall seconds and the process's
CPU seconds (all threads) spent inside each, and the highest resident memory seen in it. Steps nest (u and EM are inside "model", the model
inside "score"), so a step's time includes the steps listed under it. The copy is deleted after,
or kept with --keep PATH (a 1M link costs 10-20 minutes: score the same run's persons)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

T0 = time.perf_counter(), time.process_time()
import cse_audit.linkage as linkage  # noqa: E402
from cse_audit import store  # noqa: E402
from cse_audit.ingest import pipeline  # noqa: E402
from cse_audit.linkage import link, model  # noqa: E402

IMPORTS = time.perf_counter() - T0[0], time.process_time() - T0[1]
SPENT: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0.0])  # wall, cpu, calls, peak MiB
RSS: list[float] = [0.0]  # the highest resident set seen since a step reset it (sampled every 50 ms)
OPEN: list[str] = []  # the steps running now (nested)


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _sample_rss() -> None:
    while True:
        now = _rss_mib()
        for label in list(OPEN):
            s = SPENT[label]
            s[3] = max(s[3], now)
        time.sleep(0.05)

# (module, attribute, label, depth): the steps, in the order a link runs them
STEPS = [
    (linkage, "link_people", "link_people (one kind)", 0),
    (link, "_run", "score: features, Splink, pairs kept", 1),
    (model, "_features", "features", 2),
    (model, "_splink_engine", "Splink's engine, records loaded", 2),
    (model, "_UCache", "content hash of the records (u cache key)", 2),
    (model, "_build_model", "model: u and m", 2),
    (model, "estimate_u_one_pass", "u (one pass over the sampled pairs)", 3),
    (model, "_train_m", "m by EM (three sessions)", 3),
    (model, "_scored_pairs_engine", "scored pairs to the second engine", 2),
    (model, "record_kinds", "record kinds", 2),
    (model, "fit_frame", "fit frame", 2),
    (link, "_carry_over", "overrides carried over", 1),
    (link, "pair_groups", "pair groups", 1),
    (link, "_rescored", "prior rounds (_rescored)", 1),
    (link, "_cluster", "clustering", 1),
    (link, "_apart", "cannot-link pairs", 1),
    (link, "_join_fitting", "joins by fits", 1),
    (link, "_uncertainty", "the count's range", 1),
    (link, "_merge_persons", "merging persons", 1),
    (pipeline, "_precompute_tables", "precomputed tables (after both kinds)", 0),
]


def _timed(fn, label):
    def wrapper(*args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        s = SPENT[label]
        s[3] = max(s[3], _rss_mib())
        OPEN.append(label)
        try:
            return fn(*args, **kwargs)
        finally:
            OPEN.remove(label)
            s[3] = max(s[3], _rss_mib())
            s[0] += time.perf_counter() - w
            s[1] += time.process_time() - c
            s[2] += 1
    return wrapper


def _predict_timed():
    from splink.internals.linker_components.inference import LinkerInference

    LinkerInference.predict = _timed(LinkerInference.predict, "Splink's predict")


def _em_sessions_timed():
    """Each EM session timed on its own (labelled by its rule's place in em.blocking_rules), with
    the pairs Splink estimated for it and whether em.max_pairs sampled it."""
    from splink.internals.linker_components.training import LinkerTraining

    em = LinkerTraining.estimate_parameters_using_expectation_maximisation
    calls = [0]

    def timed(self, rule, *args, **kwargs):
        label = f"EM session {calls[0] % 3 + 1}"
        calls[0] += 1
        session = _timed(em, label)(self, rule, *args, **kwargs)
        info = getattr(session, "_sample_info", None) or {}
        EM_INFO.append((label, info.get("estimated_total_pairs"), info.get("sampling_applied"),
                        info.get("expected_pairs_after_sampling")))
        return session

    LinkerTraining.estimate_parameters_using_expectation_maximisation = timed


def _pairs_by_rule():
    """Before the scored pairs leave Splink's engine: per prediction rule (match_key), its pairs and
    how many score at least 0.5 and 0.05 (the model's prior; the prior's rounds move them a little)."""
    original = model._scored_pairs_engine

    def counted(api, queries, *args, **kwargs):
        table = queries["scored_pairs"].rsplit(" FROM ", 1)[1].strip()
        rows = api._con.execute(
            f"SELECT match_key, count(*), count(*) FILTER (match_probability >= 0.5), "
            f"count(*) FILTER (match_probability >= 0.05) FROM {table} GROUP BY 1 ORDER BY CAST(match_key AS INTEGER)").fetchall()
        BY_RULE.append(rows)
        return original(api, queries, *args, **kwargs)

    model._scored_pairs_engine = counted


EM_INFO: list = []
BY_RULE: list = []


def _report(what, name, results, total) -> None:
    print(f"{what} of {name}: "
          + ", ".join(f"{k} {r.records} records -> {r.persons} persons" for k, r in results.items()))
    print(f"{'step':<52} {'wall s':>8} {'cpu s':>8} {'calls':>6} {'peak MiB':>9}")
    print(f"{'imports (cse_audit, before the link)':<52} {IMPORTS[0]:8.2f} {IMPORTS[1]:8.2f}")
    em_sessions = [(None, None, f"EM session {i}", 4) for i in (1, 2, 3)]
    for _, _, label, depth in STEPS[:8] + em_sessions + [(None, None, "Splink's predict", 2)] + STEPS[8:]:
        if label in SPENT:
            wall, cpu, calls, peak = SPENT[label]
            print(f"{'  ' * depth + label:<52} {wall:8.2f} {cpu:8.2f} {calls:6d} {peak:9.0f}")
    print(f"{'link_all total':<52} {total[0]:8.2f} {total[1]:8.2f}", flush=True)
    for label, est, sampled, after in EM_INFO:
        print(f"{label}: ~{est or 0:,.0f} pairs estimated, sampled {bool(sampled)}"
              + (f" to ~{after:,.0f}" if sampled else ""))
    for kind, rows in zip(results, BY_RULE, strict=False):
        print(f"{kind}: rule, candidate pairs, p >= 0.5, p >= 0.05")
        for key, n, hi, lo in rows:
            print(f"  {key}: {n:,} {hi:,} {lo:,}")
    EM_INFO.clear()
    BY_RULE.clear()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, help="a store as ingested (--no-link), or any store")
    ap.add_argument("--relink", action="store_true", help="then link the copy again (u and m from the store)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the linked copy at this path (to score it: `link evaluate`), instead of deleting it")
    ap.add_argument("--by-rule", action="store_true",
                    help="count each prediction rule's pairs and how many score >= 0.5 (a scan of the pairs)")
    args = ap.parse_args(argv)
    store.private_files()  # copies of stores hold names: owner-only, as the tool's own files
    for module, attr, label, _ in STEPS:
        setattr(module, attr, _timed(getattr(module, attr), label))
    _predict_timed()
    _em_sessions_timed()
    if args.by_rule:
        _pairs_by_rule()
    threading.Thread(target=_sample_rss, daemon=True).start()
    root = Path(__file__).resolve().parent.parent / "configs"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copyfile(args.db, copy)
        for round_ in range(2 if args.relink else 1):
            SPENT.clear()
            con = store.connect(copy)
            w, c = time.perf_counter(), time.process_time()
            try:
                results = pipeline.link_all(con, root)
            finally:
                con.close()
            _report("relink" if round_ else "first link", args.db.name, results,
                    (time.perf_counter() - w, time.process_time() - c))
        if args.keep is not None:
            shutil.move(copy, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
