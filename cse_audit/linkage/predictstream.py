"""Splink's predict, streamed into the hand-over when its scored pairs leave Splink's engine anyway
(issue 21, session 20).

On DuckDB a store that may spill hands more than engine.KEEP_ENGINE_PAIRS scored pairs to an
engine of their own through Parquet files (engine._handed_over_on_disk). Splink's predict first
materialises every scored pair as a table in its engine (at a million victim records 75M rows of
ids, match weight, match probability and match key: past the engine's memory limit, so spilled),
then the hand-over reads three of its columns back into the file. Here the same scoring SQL
(Splink's own: its blocked pairs, its comparison vectors, its match weights: the non-chunked branch
of ``LinkerInference._predict_chunk``) is instead the hand-over's query, so each pair's id and match
weight go from the scoring straight to the file: no table of scored pairs, no read back. The pairs
per blocking rule come from Splink's blocked pairs table (predict keeps every blocked pair: no
threshold here). Every other case (Spark, an encrypted store, few pairs: read where they are) calls
Splink's predict as before."""

from __future__ import annotations

from dataclasses import dataclass

from . import engine
from .blockedpairs import pairs_not_regrouped


@dataclass
class Scored:
    """Every candidate pair scored: ``source`` is what a query reads them from (a table, or the
    scoring itself as a subquery), ``table`` the table (None: streamed, no table), ``by_key`` the
    pairs per match_key in key order when known without reading the scores (streamed)."""

    source: str
    table: str | None
    by_key: list[tuple[str, int]] | None = None


def predict(linker, api, may_stream: bool) -> Scored:
    """Every candidate pair of ``linker``'s prediction rules scored by its model. ``may_stream``: the
    scored pairs will be handed over through a file if they are more than KEEP_ENGINE_PAIRS
    (engine._scored_pairs_engine: DuckDB, a store that may spill); then they are not materialised
    (see the module's docstring)."""
    if not may_stream or api.sql_dialect.sql_dialect_str != "duckdb":
        return _predicted(linker)
    with pairs_not_regrouped():  # (the associates' rule, exploded, is last: blockedpairs.py)
        blocked, _ = linker.inference._get_or_compute_blocked_pairs_for_predict_chunk(
            left_chunk=(1, 1), right_chunk=(1, 1))  # predict's own call: (1, 1) is no chunking
    n = api._con.execute(f"SELECT count(*) FROM {blocked.physical_name}").fetchone()[0]
    if n <= engine.KEEP_ENGINE_PAIRS:  # read where they are: Splink's predict, on the blocked pairs just made
        try:
            return _predicted(linker)
        finally:
            blocked.drop_table_from_database_and_remove_from_cache()
    by_key = api._con.execute(f"SELECT match_key, count(*) FROM {blocked.physical_name} GROUP BY 1 ORDER BY 1"
                              ).fetchall()
    return Scored(f"({scoring_sql(linker, blocked)}) AS scored", None, [(str(k), int(c)) for k, c in by_key])


def _predicted(linker) -> Scored:
    with pairs_not_regrouped():
        table = linker.inference.predict(warning_mode="never").physical_name
    return Scored(table, table)


def scoring_sql(linker, blocked) -> str:
    """The SQL Splink's predict materialises as its predictions table, for ``blocked`` (its blocked
    pairs): ``LinkerInference._predict_chunk`` without chunks, thresholds or a registered table."""
    from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    pipeline = CTEPipeline([blocked])
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
        settings._columns_to_select_for_blocking,
        settings._columns_to_select_for_comparison_vector_values,
        input_tablename_l="__splink__df_concat_with_tf",
        input_tablename_r="__splink__df_concat_with_tf",
        source_dataset_input_column=settings.column_info_settings.source_dataset_input_column,
        unique_id_input_column=settings.column_info_settings.unique_id_input_column,
        link_type=settings._link_type,
        sql_dialect_str=linker._sql_dialect_str,
    ))
    pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls_using_settings(settings, None, None))
    return pipeline.generate_cte_pipeline_sql()
