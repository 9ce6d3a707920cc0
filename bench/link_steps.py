"""Where a `link run` spends its time: wall and CPU per step, both kinds, in one process.

    python bench/link_steps.py bench/data/scale40.pristine.duckdb          # a first link (u, EM)
    python bench/link_steps.py bench/data/scale40.pristine.duckdb --relink # then a relink of the same copy

Runs what `cse-audit link run` runs (ingest.link_all: both kinds, then the precomputed tables) on
a copy of the store, with the linkage's steps wrapped by a timer: wall seconds and the process's
CPU seconds (all threads) spent inside each, and the highest resident memory seen in it. Steps nest (u and EM are inside "model", the model
inside "score"), so a step's time includes the steps listed under it. The copy is deleted after."""

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


def _report(what, name, results, total) -> None:
    print(f"{what} of {name}: "
          + ", ".join(f"{k} {r.records} records -> {r.persons} persons" for k, r in results.items()))
    print(f"{'step':<52} {'wall s':>8} {'cpu s':>8} {'calls':>6} {'peak MiB':>9}")
    print(f"{'imports (cse_audit, before the link)':<52} {IMPORTS[0]:8.2f} {IMPORTS[1]:8.2f}")
    for _, _, label, depth in STEPS[:8] + [(None, None, "Splink's predict", 2)] + STEPS[8:]:
        if label in SPENT:
            wall, cpu, calls, peak = SPENT[label]
            print(f"{'  ' * depth + label:<52} {wall:8.2f} {cpu:8.2f} {calls:6d} {peak:9.0f}")
    print(f"{'link_all total':<52} {total[0]:8.2f} {total[1]:8.2f}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path, help="a store as ingested (--no-link), or any store")
    ap.add_argument("--relink", action="store_true", help="then link the copy again (u and m from the store)")
    args = ap.parse_args(argv)
    for module, attr, label, _ in STEPS:
        setattr(module, attr, _timed(getattr(module, attr), label))
    _predict_timed()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
