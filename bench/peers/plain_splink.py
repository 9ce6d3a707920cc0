"""The peer for linkage timing: a plain Splink 5 dedupe with Splink's documented defaults.

usage: plain_splink.py RECORDS.parquet OUT_CLUSTERS.parquet
(columns: record_id, forename, surname, dob, sex, area)

The same script as the peer the linkage figures of issue 21 were measured with, except that
the parquet file is read through DuckDB's API rather than a path spliced into SQL.
"""
import logging
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

t0 = time.perf_counter()
src, out = sys.argv[1], sys.argv[2]
records = duckdb.read_parquet(src)  # noqa: F841 - named in the query below
df = duckdb.sql("""SELECT record_id AS unique_id,
        nullif(lower(trim(forename)), '') AS first_name, nullif(lower(trim(surname)), '') AS surname,
        dob, CASE WHEN sex IN ('Female', 'Male') THEN sex END AS sex, area
    FROM records""").df()
db_api = DuckDBAPI()
sdf = db_api.register(df)
settings = SettingsCreator(
    link_type="dedupe_only",
    comparisons=[
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("dob", input_is_string=False),
        cl.ExactMatch("sex"),
        cl.ExactMatch("area"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("first_name", "surname"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker(sdf, settings, log_level=logging.WARNING)
linker.training.estimate_probability_two_random_records_match(
    [block_on("first_name", "surname", "dob")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
pred = linker.inference.predict(threshold_match_probability=0.9)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9)
c = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
c.to_parquet(out)
print(f"records {len(df)} clusters {c.cluster_id.nunique()} seconds {time.perf_counter()-t0:.1f}", file=sys.stderr)
