"""Splink's predict streamed into the hand-over (linkage/predictstream.py, issue 21 session 20): when
the scored pairs go to their own engine through a file (more than engine.KEEP_ENGINE_PAIRS), they
are scored by the hand-over's query, never materialised as Splink's predictions table; the scoring
SQL is Splink's predict's, row for row and bit for bit; a link so streamed writes what a link
through Splink's predict writes."""

from __future__ import annotations

import duckdb
import pytest

from .conftest import hard_profile_store
from .test_link_shortcuts import _linked


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("streamed"))


def _statements(monkeypatch):
    """Every SQL statement Splink's DuckDB API runs, and every call of Splink's predict."""
    from splink.internals.duckdb.database_api import DuckDBAPI
    from splink.internals.linker_components.inference import LinkerInference

    seen, predicted = [], []
    run, predict = DuckDBAPI._execute_sql_against_backend, LinkerInference.predict
    monkeypatch.setattr(DuckDBAPI, "_execute_sql_against_backend", lambda self, sql: (seen.append(sql), run(self, sql))[1])
    monkeypatch.setattr(LinkerInference, "predict", lambda self, *a, **k: (predicted.append(1), predict(self, *a, **k))[1])
    return seen, predicted


def test_many_pairs_are_scored_into_the_hand_over_not_into_a_table(hard_store, tmp_path, monkeypatch):
    """Past KEEP_ENGINE_PAIRS (here: every link) no predictions table is created and Splink's
    predict is not called; the link writes exactly what the link through Splink's predict and its
    table writes (links with probabilities, persons, conflicts, the count's range, the prior)."""
    from cse_audit.linkage import engine, predictstream, scorecache

    monkeypatch.setattr(engine, "KEEP_ENGINE_PAIRS", -1)  # every pair handed over through a file
    monkeypatch.setattr(scorecache, "KEEP_ENGINE_PAIRS", -1)
    seen, predicted = _statements(monkeypatch)
    streamed = _linked(hard_store, tmp_path / "streamed.duckdb")
    assert predicted == []
    made = sum(s.lstrip().startswith("CREATE TABLE __splink__df_predict") for s in seen)
    assert any("__splink__blocked_id_pairs" in s for s in seen)  # Splink's blocking did run

    real = predictstream.predict
    monkeypatch.setattr(predictstream, "predict", lambda linker, api, may_stream: real(linker, api, False))
    predicted.clear()
    seen.clear()
    through_table = _linked(hard_store, tmp_path / "table.duckdb")
    assert predicted == [1, 1]  # both kinds through Splink's predict
    # (EM's sessions make tables of that name too): the two predictions tables, one a kind, are gone
    assert sum(s.lstrip().startswith("CREATE TABLE __splink__df_predict") for s in seen) == made + 2
    assert streamed == through_table
    assert len(streamed["victim_links"]) > 3000 and len(streamed["offender_links"]) > 1000 and streamed["meta"]


def test_the_streamed_scoring_is_splinks_predict_bit_for_bit(hard_store):
    """scoring_sql on Splink's blocked pairs gives every row of Splink's predictions table, every
    column (ids, match key, match weight and probability: the same doubles), in the same order."""
    from splink import Linker

    from cse_audit import linkage
    from cse_audit.linkage import predictstream
    from cse_audit.linkage.blockedpairs import pairs_not_regrouped
    from cse_audit.linkage.engine import _splink_engine
    from cse_audit.linkage.features import _features, has_aliases
    from cse_audit.linkage.model import _build_model

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store), read_only=True)
    try:
        features, ids = _features(con, "victims", cfg)
    finally:
        con.close()
    api, records = _splink_engine(features, cfg, False)
    model = _build_model(api, records, cfg, len(ids), train=False, aliases=has_aliases(features))
    linker = Linker(records, model, log_level=None, validate_settings=False)
    with pairs_not_regrouped():
        table = linker.inference.predict(warning_mode="never").physical_name
        blocked, _ = linker.inference._get_or_compute_blocked_pairs_for_predict_chunk(
            left_chunk=(1, 1), right_chunk=(1, 1))
    want = api._con.execute(f"SELECT * FROM {table}")
    cols = [d[0] for d in want.description]
    want = want.fetchall()
    got = api._con.execute(f"SELECT {', '.join(cols)} FROM ({predictstream.scoring_sql(linker, blocked)})").fetchall()
    assert len(want) > 1000 and {"match_weight", "match_probability", "match_key"} <= set(cols)
    assert got == want  # same rows, same order; floats compared exactly
    weights = [r[cols.index("match_weight")] for r in want]
    assert min(weights) < -10 < 10 < max(weights)  # scores on both sides of the threshold


def test_few_pairs_still_go_through_splinks_predict(hard_store, monkeypatch):
    """At or below KEEP_ENGINE_PAIRS the pairs are read where they are: Splink's predict makes its
    table, and the blocked pairs counted to decide are not left behind."""
    from cse_audit import linkage
    from cse_audit.linkage.model import _run

    _seen, predicted = _statements(monkeypatch)
    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store), read_only=True)
    try:
        run = _run(con, "victims", cfg, cfg.threshold)
    finally:
        con.close()
    tables = [t for (t,) in run.api._con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    assert predicted == [1] and any(t.startswith("__splink__df_predict") for t in tables)
    assert not any(t.startswith("__splink__blocked_id_pairs") for t in tables)
