"""EM's agreement patterns counted in one streaming query (DuckDB), not from a table of every pair.

Splink 5's EM session (``estimate_parameters_using_expectation_maximisation`` with
``estimate_without_term_frequencies``, the only way model.py trains m) materialises the blocking
rule's pairs as a table of ids, joins both records back to every pair and materialises their
comparison vectors as a second table, only to count how many pairs show each agreement pattern
once; its iterations then run on those counts alone. For the [dob] rule that is 1.6M pairs at
100k victim records and 155M at 1M (8.4 GiB spilled, most of a first link's time: BENCHMARKS.md,
sessions 5-7).

Here the same pairs (the rule's own SQL and Splink's own where-condition and EM sample filter) are
compared in the join itself and grouped by pattern in the same query: nothing the size of the
pairs is kept. The counts are integers, the same as Splink's, and Splink's own iterations run on
them, so m is what Splink computes (to the last bits of DuckDB's parallel float sums, which vary
from run to run anyway). A rule Splink would explode (array columns) or a backend other than
DuckDB takes Splink's own path."""

from __future__ import annotations

import contextlib


def _pattern_counts_sqls(session) -> list[tuple[str, str]] | None:
    """One query (as steps: sql, name) counting the rule's pairs by agreement pattern, or None when this session is
    not one this module handles (Splink's own path is used)."""
    from splink.internals.blocking import (
        BlockingRule,
        _sql_gen_where_condition,
        combine_unique_id_input_columns,
    )

    rule = session._blocking_rule_for_training
    settings = session._original_linker._settings_obj
    if type(rule) is not BlockingRule or session.db_api.sql_dialect.sql_dialect_str != "duckdb":
        return None
    info = settings.column_info_settings
    where = _sql_gen_where_condition(
        settings._link_type,
        combine_unique_id_input_columns(info.source_dataset_input_column, info.unique_id_input_column),
        sql_dialect=session.db_api.sql_dialect,
        sample_threshold=session._sample_threshold,
        sample_modulus=session._sample_modulus,
    )
    comparisons = session.core_model_settings.comparisons
    gammas = ", ".join(c._gamma_column_name for c in comparisons)
    # three steps of one CTE pipeline: a single statement, nothing materialised but the counts
    return [
        (f"SELECT {', '.join(settings._columns_to_select_for_blocking)} "
         f"FROM __splink__df_concat_with_tf AS l INNER JOIN __splink__df_concat_with_tf AS r "
         f"ON ({rule.blocking_rule_sql}) {where}", "__cse_em_pairs"),
        (f"SELECT {', '.join(c._case_statement for c in comparisons)} FROM __cse_em_pairs", "__cse_em_vectors"),
        (f"SELECT {gammas}, count(*) AS agreement_pattern_count FROM __cse_em_vectors GROUP BY {gammas}",
         "__splink__df_comparison_vectors"),
    ]


def _counted_vectors(original):
    def comparison_vectors(session):
        """Splink's ``_comparison_vectors``, returning the agreement pattern counts instead."""
        from splink.internals.pipeline import CTEPipeline
        from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

        session._ensure_em_sampling_settings()
        sqls = _pattern_counts_sqls(session)
        if sqls is None:  # Splink's own vectors, counted here
            vectors = original(session)
            gammas = ", ".join(c._gamma_column_name for c in session.core_model_settings.comparisons)
            pipeline = CTEPipeline([vectors])
            pipeline.enqueue_sql(f"SELECT {gammas}, count(*) AS agreement_pattern_count "
                                 f"FROM {vectors.physical_name} GROUP BY {gammas}", "__splink__df_comparison_vectors")
            counted = session.db_api.sql_pipeline_to_splink_dataframe(pipeline)
            vectors.drop_table_from_database_and_remove_from_cache()
            return _kept(session, counted)
        pipeline = CTEPipeline()
        enqueue_df_concat_with_tf(session._original_linker, pipeline)
        for sql, name in sqls:
            pipeline.enqueue_sql(sql, name)
        return _kept(session, session.db_api.sql_pipeline_to_splink_dataframe(pipeline))
    return comparison_vectors


def _kept(session, counted):
    """The counts, also kept on the session (a few thousand patterns at most): what each group of
    levels learnt is read from them afterwards (emevidence.py)."""
    session._cse_counts = counted.as_pandas_dataframe()
    return counted


def _summed_counts_sql(comparisons) -> str:
    """Splink's ``count_agreement_patterns_sql`` over rows that are already counts."""
    gammas = ", ".join(c._gamma_column_name for c in comparisons)
    return (f"SELECT {gammas}, sum(agreement_pattern_count) AS agreement_pattern_count "
            f"FROM __splink__df_comparison_vectors GROUP BY {gammas}")


@contextlib.contextmanager
def em_on_pattern_counts():
    """Within the block, Splink's EM sessions count agreement patterns in one query (see the
    module's docstring). Only EM without term frequencies reads the vectors by their counts,
    which is how model._em_sessions calls it."""
    import splink.internals.em_training_session as session_module
    import splink.internals.expectation_maximisation as em_module

    session_class = session_module.EMTrainingSession
    original_vectors = session_class.__dict__["_comparison_vectors"]
    original_count = em_module.count_agreement_patterns_sql
    session_class._comparison_vectors = _counted_vectors(original_vectors)
    em_module.count_agreement_patterns_sql = _summed_counts_sql
    try:
        yield
    finally:
        session_class._comparison_vectors = original_vectors
        em_module.count_agreement_patterns_sql = original_count
