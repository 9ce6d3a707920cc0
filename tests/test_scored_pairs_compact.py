"""Session 17 (issue 21): the scored pairs leave Splink's engine as record indices (32-bit) and the
match weight only, 16 bytes a pair, not 32: at a million records the 75M victim pairs went through
a file and a second engine at twice that. The probability is computed again from the weight with
Splink's own expression (model.MATCH_PROBABILITY_SQL): every pair's the same bits."""

from __future__ import annotations

import duckdb
import pytest

from .conftest import hard_profile_store


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("compact"))


def _victims_run(db, keep_low=None):
    from cse_audit import linkage
    from cse_audit.linkage.model import _run

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(db), read_only=True)
    try:
        return _run(con, "victims", cfg, cfg.threshold if keep_low is None else keep_low)
    finally:
        con.close()


def test_handed_over_pairs_are_indices_and_weights(hard_store, monkeypatch):
    from cse_audit.linkage import engine

    monkeypatch.setattr(engine, "KEEP_ENGINE_PAIRS", -1)  # handed over through a file, as at 1M
    run = _victims_run(hard_store)
    cols = run.api._con.execute("DESCRIBE scored_pairs").fetchall()
    assert [(c[0], c[1]) for c in cols] == [("unique_id_l", "INTEGER"), ("unique_id_r", "INTEGER"),
                                            ("match_weight", "DOUBLE")]
    assert run.api._con.execute("SELECT count(*) FROM scored_pairs").fetchone()[0] == run.candidate_pairs


def test_probability_is_splinks_to_the_bit(hard_store):
    """Every scored pair (keep_low 1e-12: the pairs far below the threshold too) against Splink's
    own match_probability, read from its table (the pairs are few: Splink's engine is kept)."""
    run = _victims_run(hard_store, keep_low=1e-12)
    con = run.api._con
    splinks = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
               if t.startswith("__splink__df_predict")]
    assert len(splinks) == 1
    con.register("_edges", run.edges[["uid_l", "uid_r", "p", "w"]])
    n, same, total = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE e.p = s.match_probability AND e.w = s.match_weight), "
        f"(SELECT count(*) FROM _edges) FROM _edges e JOIN {splinks[0]} s "
        "ON s.unique_id_l = e.uid_l AND s.unique_id_r = e.uid_r").fetchone()
    assert n == total == same == run.candidate_pairs and n > 1000
