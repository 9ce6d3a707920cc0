"""Splink's settings validation run beside u's counts (issue 21, session 19).

A first link validates the model's settings once a kind (``Linker._validate_settings(True)``:
Splink logs the columns a level, a blocking rule or the unique id names that the records lack).
It is Python, sqlglot parsing every level's SQL, 0.15-0.25 s a kind on the sample or at 100k,
while u's counts (usample.py) are DuckDB statements, which let go of the GIL: so the validation
runs on a thread of its own while u is counted, not before it."""

from __future__ import annotations

import contextlib
import threading


@contextlib.contextmanager
def validating_meanwhile(linker):
    """Splink's settings validation (``Linker._validate_settings(True)``: it only logs columns the
    records lack) on a thread of its own while the block runs. It is Python (sqlglot parsing
    every level's SQL: 0.15-0.25 s a kind, the sample's or 100k's) and u's counts are DuckDB,
    which lets go of the GIL, so the two overlap. The records' columns are read here, on the
    caller's thread: that is the validation's only query of the engine (one connection, one
    thread at a time). Its warnings and errors are what validating first gives; an error is
    raised once the block is done."""
    try:
        from splink.internals.settings_validation.log_invalid_columns import InvalidColumnsLogger
        from splink.internals.settings_validation.settings_column_cleaner import SettingsColumnCleaner
        from splink.internals.settings_validation.valid_types import _validate_dialect
    except ImportError:  # another Splink: validated first, as before
        linker._validate_settings(True)
        yield
        return
    if not linker._check_for_valid_settings():  # (as Splink's own: no input tables, nothing to check)
        yield
        return
    settings = linker._settings_obj
    _validate_dialect(settings_dialect=settings._sql_dialect_str, linker_dialect=linker._sql_dialect_str,
                      linker_type=linker.__class__.__name__)
    logger = InvalidColumnsLogger(SettingsColumnCleaner(settings_object=settings,
                                                        input_columns=linker._input_tables_dict))
    failed: list[BaseException] = []

    def validate():
        try:
            logger.construct_output_logs(True)
        except BaseException as exc:  # raised on the caller's thread below
            failed.append(exc)
    thread = threading.Thread(target=validate, name="cse-splink-validation", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failed:
        raise failed[0]
