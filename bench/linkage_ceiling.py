"""How far the model's named pairs are from what these comparisons could ever give.

For one data set of bench/linkage_quality.py (its store and truth must exist: run that first),
every candidate pair of two fully named records is grouped by its comparison vector (the level
of each comparison) and, optionally, its name-frequency adjustment rounded to a bit. Within a
group a classifier can only say yes or no to all of it; taking groups in order of their true
share gives the best precision/recall any classifier on these levels could reach (pairwise,
in-sample, so an upper bound), beside the model's own named-pair precision and recall (from its
clusters) and its calibration (true share against the model's probability, by weight).

    .venv/bin/python bench/linkage_ceiling.py hard-s10 offenders

Synthetic data only: it reads names to group pairs by them and prints counts, never a name.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cse_audit import store  # noqa: E402
from cse_audit.linkage import model as model_module  # noqa: E402
from cse_audit.linkage.evaluate import _read_truth  # noqa: E402
from cse_audit.linkage.link import _clusters  # noqa: E402
from cse_audit.linkage.settings import _config  # noqa: E402

DATA = ROOT / "bench" / "data" / "quality"


def _keep_levels():
    """Score with each comparison's weight kept (Splink's intermediate columns), and keep them
    when the scored pairs leave Splink's engine: diagnostics only."""
    build, move = model_module._build_model, model_module._scored_pairs_engine

    def build_keeping(*args, **kwargs):
        got = build(*args, **kwargs)
        got["retain_intermediate_calculation_columns"] = True
        return got

    def move_keeping(api, tables, *args, **kwargs):
        # every column of Splink's scored pairs, not only the ids and weight (the hand-over's select
        # changed since: match the select list, whatever it is)
        tables = {name: (re.sub(r"^SELECT .*? FROM ", "SELECT * FROM ", sql) if name == "scored_pairs" else sql)
                  for name, sql in tables.items()}
        return move(api, tables, *args, **kwargs)
    model_module._build_model, model_module._scored_pairs_engine = build_keeping, move_keeping


def _best(groups: pd.DataFrame, truth_pairs: int) -> tuple[float, float, float, float]:
    """(best F1, its precision, its recall, the best recall at precision >= 0.99)."""
    g = groups.assign(share=groups.t / groups.n).sort_values("share", ascending=False)
    precision = g.t.cumsum() / g.n.cumsum()
    recall = g.t.cumsum() / truth_pairs
    f1 = 2 * precision * recall / (precision + recall)
    i = f1.idxmax()
    return f1[i], precision[i], recall[i], float(recall[precision >= 0.99].max() if (precision >= 0.99).any() else 0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_set", help="e.g. hard-s10 (bench/data/quality/<name>.duckdb)")
    ap.add_argument("kind", choices=["victims", "offenders"])
    ap.add_argument("--data", type=Path, default=DATA,
                    help="folder of the store and truth (e.g. bench/heldout/data; default bench/data/quality)")
    ap.add_argument("--config", type=Path, default=None,
                    help="linkage.yaml to use (e.g. bench/heldout/data/configs/linkage.yaml; default the project's)")
    args = ap.parse_args(argv)
    db = args.data / f"{args.data_set}.duckdb"
    truth_csv = args.data / args.data_set / "_truth" / f"{args.kind}.csv"
    if not truth_csv.exists():
        truth_csv = args.data / f"{args.data_set}.truth.csv"  # FEBRL
    if not db.exists() or not truth_csv.exists():
        ap.error(f"no store or truth for {args.data_set}: run bench/linkage_quality.py first")
    _keep_levels()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(db, Path(tmp) / "s.duckdb")  # linking writes to the store
        con = store.connect(Path(tmp) / "s.duckdb")
        cfg = _config(args.config, None)
        run, roots, _best_pairs, _stats = _clusters(con, args.kind, cfg, False, cfg.threshold)
        t, _ = _read_truth(con, args.kind, truth_csv)
        position = {r: i for i, r in enumerate(run.record_ids)}
        truth = np.full(len(run.record_ids), -1)
        codes: dict = {}
        for rid, person in zip(t.record_id, t.truth_id, strict=True):
            truth[position[rid]] = codes.setdefault(person, len(codes))
        named = run.kinds.astype(int) < 4
        roots = np.asarray(roots)
        columns = list(run.api.query_sql(f"SELECT * FROM {run.predictions} LIMIT 0", "pandas").columns)
        levels = [c for c in columns if c.startswith("mw_") and "tf_adj" not in c]
        tf = [c for c in columns if c.startswith("mw_tf_adj")]
        pairs = run.api.query_sql(f"SELECT unique_id_l AS l, unique_id_r AS r, {', '.join(levels + tf)} "
                                  f"FROM {run.predictions}", "pandas")
        con.close()
    pairs = pairs[named[pairs.l] & named[pairs.r]]
    pairs = pairs.assign(true=truth[pairs.l] == truth[pairs.r], tf=pairs[tf].sum(axis=1).round())
    per_person = pd.Series(truth[named]).value_counts()
    truth_pairs = int((per_person * (per_person - 1) // 2).sum())
    both = pd.DataFrame({"r": roots[named], "t": truth[named]}).value_counts()
    per_root = pd.Series(roots[named]).value_counts()
    tp, predicted = int((both * (both - 1) // 2).sum()), int((per_root * (per_root - 1) // 2).sum())
    print(f"{args.data_set} {args.kind}: {int(named.sum())} named records, {truth_pairs} true named pairs, "
          f"{int(pairs.true.sum())} of them candidates (blocking recall {pairs.true.sum() / truth_pairs:.4f})")
    print(f"  model (clusters):        P {tp / max(predicted, 1):.4f}  R {tp / truth_pairs:.4f}")
    for label, keys in (("levels", levels), ("levels + name frequency", levels + ["tf"])):
        groups = pairs.groupby(keys).true.agg(n="size", t="sum").reset_index()
        f1, p, r, r99 = _best(groups, truth_pairs)
        print(f"  ceiling on {label}: best F1 {f1:.4f} (P {p:.4f} R {r:.4f}); at P >= 0.99, R <= {r99:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
