"""How much would shared offenders tell about victim pairs? (issue 16, named pairs)

For the named victim records of a held-out store (each record's case lists offenders by name in
the same return), counts the true pairs of named records the linkage finds and misses, the false
pairs it makes, and random pairs of two different children, and how many of each list an offender
of the same full name on their cases. Prints counts only, never a name.

    .venv/bin/python bench/heldout/shared_offenders.py ho-10k-s11 [--data bench/heldout/data]
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cse_audit import store  # noqa: E402
from cse_audit.linkage import link  # noqa: E402

evaluate = importlib.import_module("cse_audit.linkage.evaluate")
NAME = "lower(regexp_replace({c}, '[^A-Za-z]', '', 'g'))"


def _records(con, truth):
    v = con.execute(f"SELECT record_id, return_id, case_ref, {NAME.format(c='forename')} AS fn, "
                    f"{NAME.format(c='surname')} AS sn FROM current_victims").df()
    o = con.execute(f"SELECT return_id, case_ref, {NAME.format(c='forename')} || ' ' || {NAME.format(c='surname')} "
                    "AS name FROM current_offenders WHERE forename IS NOT NULL AND surname IS NOT NULL").df()
    offs = o.groupby(["return_id", "case_ref"])["name"].apply(set).to_dict()
    v["offs"] = [offs.get(k, set()) for k in zip(v["return_id"], v["case_ref"], strict=True)]
    v = v.merge(truth.drop_duplicates("record_id"), on="record_id")
    return v[(v["fn"].str.len() > 1) & (v["sn"].str.len() > 1)].reset_index(drop=True)


def _pairs(groups):
    for ix in groups.values():
        yield from itertools.combinations(ix.tolist(), 2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset")
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "heldout" / "data")
    args = ap.parse_args(argv)
    d = args.data
    con = store.connect(str(d / f"{args.dataset}.duckdb"), read_only=True)
    cfg = evaluate._config(str(d / "configs" / "linkage.yaml"), None)
    truth, _ = evaluate._read_truth(con, "victims", d / args.dataset / "_truth" / "victims.csv")
    run, roots, _, _ = link._clusters(con, "victims", cfg, False, cfg.threshold)
    v = _records(con, truth)
    index = {r: i for i, r in enumerate(run.record_ids)}
    pred = np.asarray(roots)[[index[r] for r in v["record_id"]]]
    offs, tid = v["offs"].tolist(), v["truth_id"].to_numpy()
    count = dict.fromkeys(("found", "found_shared", "missed", "missed_shared", "missed_both_list", "true_both_list",
                           "true_both_list_shared", "false", "false_shared", "false_both_list"), 0)
    for a, b in _pairs(v.groupby("truth_id").indices):
        shared, both = bool(offs[a] & offs[b]), bool(offs[a]) and bool(offs[b])
        kind = "found" if pred[a] == pred[b] else "missed"
        count[kind] += 1
        count[kind + "_shared"] += shared
        count["true_both_list"] += both
        count["true_both_list_shared"] += both and shared
        count["missed_both_list"] += both and kind == "missed"
    for a, b in _pairs(v.groupby(pred).indices):
        if tid[a] != tid[b]:
            count["false"] += 1
            count["false_shared"] += bool(offs[a] & offs[b])
            count["false_both_list"] += bool(offs[a]) and bool(offs[b])
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, len(v), 60000), rng.integers(0, len(v), 60000)
    keep = tid[x] != tid[y]
    x, y = x[keep][:50000], y[keep][:50000]
    count["random_pairs"] = len(x)
    count["random_shared"] = sum(bool(offs[i] & offs[j]) for i, j in zip(x.tolist(), y.tolist(), strict=True))
    print(args.dataset, f"named victim records {len(v)}, listing a named offender {sum(map(bool, offs))}")
    for k, n in count.items():
        print(f"  {k}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
