"""bench/link_truth.py scores the links a store holds as `link evaluate` scores a fresh run of
the same linkage (the one function, evaluate.partition_scores): the 1M link's quality is read from
the store a timed run kept, not from a second link of it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cse_audit import linkage

from .test_linkage import _truth_files, cfg, linked, linked_store  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


def _link_truth():
    spec = importlib.util.spec_from_file_location("link_truth", ROOT / "bench" / "link_truth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stored_links_score_as_link_evaluate_scores_them(linked, cfg, tmp_path):  # noqa: F811
    con, ids, truth, _result = linked
    # a truth that disagrees with the links (two people made one, one person split), so no score is 1
    wrong = dict(truth)
    wrong["es1"] = truth["js1"]
    split = next(k for k in ids if k != "es1" and sum(v == truth[k] for v in truth.values()) > 1)
    wrong[split] = "someone-else"
    by_id, by_row = _truth_files(tmp_path, con, ids, wrong)
    for path in (by_id, by_row):
        ev = linkage.evaluate(con, "victims", path, config=cfg)
        got = _link_truth().scores(con, "victims", path)
        assert got["pairwise_precision"] < 1.0 and got["pairwise_recall"] < 1.0
        shared = sorted(set(got) - {"kind", "records"})
        assert len(shared) > 15
        assert {k: got[k] for k in shared} == {k: ev[k] for k in shared}
