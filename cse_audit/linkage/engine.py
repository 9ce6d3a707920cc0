"""Splink's database engine: the one engine-specific part of linkage.

DuckDB (a private in-memory database, with memory limit and a private spill folder) or
Splink's SparkAPI on a Spark local[2] session created on first use. The model, the follow-up
queries and the clustering are shared by both; nothing else knows which engine runs."""

from __future__ import annotations

import contextlib
import gc
import os
import warnings

import duckdb

from .errors import LinkageError
from .settings import LinkageConfig

SPILL_PREFIX = "cse-audit-linkage-"
# Splink's engine when engine.memory_limit is null and it may spill. 2.5GB, not 3GB: at a million
# records the process peaked at 3.84-4.06 GiB with 3GB (the engine full in predict and the
# hand-over, ~0.9 GiB of features and frames beside it), 3.42-3.92 GiB with 2.5GB, at the same CPU
# (BENCHMARKS.md, session 19): predict ~0.4 GiB lower; the hand-over's peak still varies
DEFAULT_MEMORY_LIMIT = "2.5GB"


def _store_encrypted(con) -> bool:
    try:
        row = con.execute("SELECT encrypted FROM duckdb_databases() WHERE database_name = current_database()"
                          ).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0])


@contextlib.contextmanager
def only_this_links_objects_collected():
    """Within the block, a garbage collection looks at the objects made in it only: every object
    alive when it begins (the modules, the configuration, a caller's) is frozen (``gc.freeze``)
    and unfrozen after. A link collects once a kind to let Splink's engine go (its objects are in
    reference cycles); a full collection walked every object of the process, Splink's, pandas'
    and sqlglot's modules among them, 0.07-0.1 s a kind. The link's own garbage is freed as
    before; garbage left from before the link waits for a later collection. Not done when the
    caller froze objects itself (its unfreeze is its own)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _remove_orphan_spill_folders(tmp: str) -> None:
    """Spill folders of linkage runs whose process is gone (killed: no clean-up ran). They may
    hold spilled names, so they go, but only this user's and only when their process is dead."""
    import shutil

    try:
        entries = list(os.scandir(tmp))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(SPILL_PREFIX):
            continue
        pid = entry.name[len(SPILL_PREFIX):].split("-", 1)[0]
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _splink_engine(features, cfg: LinkageConfig, encrypted: bool = False):
    """The one engine-specific function: a Splink database API holding ``features``.

    DuckDB: a private in-memory database, so Splink's working tables never touch the store.
    Spark: a SparkAPI on the process's Spark local session (see ``_spark_session``)."""
    if cfg.backend == "spark":
        spark = _spark_session()  # first: it says clearly when pyspark is missing
        from splink.backends.spark import SparkAPI

        # the previous run's working tables (temp views, persisted in memory)
        for t in spark.catalog.listTables():
            if t.isTemporary and (t.name == "records" or t.name.startswith("__splink")):
                spark.catalog.dropTempView(t.name)
        spark.catalog.clearCache()
        # persist, not Splink's default of parquet files in a checkpoint dir: local and small
        api = SparkAPI(spark_session=spark, break_lineage_method="persist",
                       num_partitions_on_repartition=SPARK_PARTITIONS)
        return api, api.register(features, dataset_display_name="records")
    api = _duckdb_api(cfg.memory_limit or (None if encrypted else DEFAULT_MEMORY_LIMIT), cfg.threads, encrypted)
    return api, api.register(features, dataset_display_name="records")


def _duckdb_api(limit: str | None, threads: int | None, encrypted: bool):
    """A Splink DuckDBAPI on a private in-memory DuckDB: memory limit, private spill folder (none
    for an encrypted store), no file access, configuration locked."""
    from splink import DuckDBAPI

    engine = duckdb.connect()
    if threads:
        engine.execute(f"SET threads = {int(threads)}")
    # No limit set: a few GB, the rest of the scored pairs spilled (measured at a million victim
    # records: peak 6.7 -> 3.7 GiB, time 160 -> 169 s), unless nothing may spill (encrypted store).
    if limit:
        engine.execute("SET memory_limit = ?", [limit])  # validated at config load, bound anyway
    engine.execute("SET preserve_insertion_order = true")
    engine.execute("SET enable_progress_bar = false")  # progress is the CLI's business
    # The working tables hold names and dates of birth. Past memory_limit DuckDB moves them to
    # temp_directory, by default ".tmp" in the current folder: use a private folder instead (owner
    # only, removed with the engine), and none for an encrypted store, whose data must not reach
    # disk in clear (running out of memory is then an error that says so).
    if encrypted:
        engine.execute("SET temp_directory = ''")
    else:
        import shutil
        import tempfile
        import weakref

        _remove_orphan_spill_folders(tempfile.gettempdir())
        spill = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
        engine.execute("SET temp_directory = ?", [spill])  # a path (TMPDIR): bound, never spliced
        weakref.finalize(engine, shutil.rmtree, spill, True)
    # This engine only ever needs the features registered into it: no file reads or writes, no
    # ATTACH, no extension loads, whatever SQL a blocking rule from config holds; locked so
    # that no statement can turn that back on. Spilling to temp_directory still works.
    engine.execute("SET enable_external_access = false")
    engine.execute("SET lock_configuration = true")
    return DuckDBAPI(engine)


PAIRS_MEMORY_LIMIT = "1GB"  # the scored pairs' own engine (see _scored_pairs_engine)
# Up to this many scored pairs, Splink's engine is kept (its working tables are a few hundred MB
# at most: 1.26M pairs at 100k records, 0.7 GB peak either way) and the copies are views on it:
# handing 1.26M pairs over through a file cost 0.6-0.8 CPU-s a link at 100k and saved no memory
# (BENCHMARKS.md, session 14). A million records score ~20M pairs: handed over as before.
KEEP_ENGINE_PAIRS = 5_000_000


def _scored_pairs_engine(api, copies: dict[str, str], cfg: LinkageConfig, encrypted: bool = False,
                         pairs: int | None = None):
    """Once every pair is scored, what follows (the pairs kept for clustering, pairs scored too
    low to share a person, evaluate's truth pairs) needs only each pair's ids and scores and a few
    columns of the records. On DuckDB those (``copies``: new table name -> a constant SELECT on
    Splink's engine) are streamed in Arrow batches into a new engine of their own, with a smaller
    memory limit (the rest spilled), and Splink's engine is closed: it holds engine.memory_limit
    (2.5GB) of working tables to the end otherwise, which at a million records was most of the
    linkage's peak (BENCHMARKS.md, session 6). Returns the new API, or on Spark ``api`` itself
    with the copies as temporary views; on DuckDB with at most KEEP_ENGINE_PAIRS scored pairs
    (``pairs``; None: unknown, handed over), Splink's engine itself with the copies as views."""
    if api.sql_dialect.sql_dialect_str != "duckdb":
        for name, sql in copies.items():
            api.spark.sql(sql).createOrReplaceTempView(name)
        return api
    if pairs is not None and pairs <= KEEP_ENGINE_PAIRS:
        for name, sql in copies.items():  # constant names and SELECTs (model._run)
            api._con.execute(f"CREATE VIEW {name} AS {sql}")
        return api
    if encrypted:  # nothing may reach disk in clear: streamed while both engines are open
        pairs = _duckdb_api(None, cfg.threads, encrypted)
        for name, sql in copies.items():
            _load(pairs, name, api._con.execute(sql).to_arrow_reader(1 << 20))
        api._con.close()
        return pairs
    return _handed_over_on_disk(api, copies, cfg)


def _load(pairs, name: str, source) -> None:
    """Table ``name`` (one of the copies' constant names) in the new engine, from an Arrow source."""
    pairs._con.register("_lk_copy", source)
    try:
        pairs._con.execute(f"CREATE TABLE {name} AS SELECT * FROM _lk_copy")
    finally:
        pairs._con.unregister("_lk_copy")


def _handed_over_on_disk(api, copies: dict[str, str], cfg: LinkageConfig):
    """_scored_pairs_engine for a store that may spill: the copies written as Parquet into a
    private folder (owner only, like the engines' spill folders, which hold the same names and
    dates of birth), Splink's engine closed, then read into the new engine. Streamed from one
    engine into the other, both were open at once: at a million records Splink's (its 3GB cap
    full) and the new one's growing table made the linkage's peak (4.82 GiB, BENCHMARKS.md
    session 12); this way the peak is the larger of the two."""
    import shutil
    import tempfile

    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    folder = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")  # mode 0700
    try:
        files = {}
        for name, sql in copies.items():
            reader = api._con.execute(sql).to_arrow_reader(1 << 20)
            files[name] = os.path.join(folder, f"{name}.parquet")
            # owner only (names), though the folder is too
            with open(files[name], "wb", opener=lambda p, f: os.open(p, f, 0o600)) as fh, \
                    pq.ParquetWriter(fh, reader.schema, compression="none") as out:
                for batch in reader:
                    out.write_batch(batch)
        api._con.close()  # Splink's engine and its working tables: memory (and spill folder) freed
        pairs = _duckdb_api(PAIRS_MEMORY_LIMIT, cfg.threads, False)
        for name, path in files.items():
            _load(pairs, name, ds.dataset(path, format="parquet"))
        return pairs
    finally:
        shutil.rmtree(folder, ignore_errors=True)


SPARK_PARTITIONS = 4
_SPARK = None


def _spark_session():
    """Spark in local mode (2 cores) with Splink's similarity UDF jar, created on first use and
    kept for the life of the process (starting the JVM takes seconds)."""
    global _SPARK
    if _SPARK is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise LinkageError(f"the spark engine needs pyspark: pip install 'cse-audit[spark]' ({exc})") from exc
    try:
        _SPARK = (SparkSession.builder.master("local[2]").appName("cse-audit-linkage")
                  .config("spark.jars", similarity_jar_location())  # jaro_winkler, damerau_levenshtein
                  .config("spark.sql.shuffle.partitions", str(SPARK_PARTITIONS))
                  .config("spark.default.parallelism", str(SPARK_PARTITIONS))
                  .config("spark.sql.session.timeZone", "UTC")
                  .config("spark.ui.enabled", "false")
                  .config("spark.ui.showConsoleProgress", "false")
                  .config("spark.log.level", "ERROR")
                  .getOrCreate())
    except Exception as exc:  # no Java, or a JVM that will not start
        raise LinkageError(f"cannot start Spark (is Java 17+ installed and on PATH?): {exc}") from exc
    _SPARK.sparkContext.setLogLevel("ERROR")
    # pyspark 4.x warns on every pandas conversion that pandas 3 is not fully supported; the
    # frames crossing here are plain int/float/str columns, checked equal to DuckDB's by tests.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    return _SPARK
