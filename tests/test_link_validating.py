"""Splink's settings validation runs beside u's counts (linkage/validating.py, issue 21, session
19): on a thread of its own while u is counted, not before; what it logs and raises is what
validating first gives."""

from __future__ import annotations

import logging
import threading

import duckdb
import pandas as pd
import pytest

from cse_audit.linkage import validating

from .conftest import hard_profile_store


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    return hard_profile_store(tmp_path_factory.mktemp("validating"))


def _linker(blocking_rule: str):
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink import comparison_library as cl

    frame = pd.DataFrame({"unique_id": [1, 2, 3], "fn": ["ann", "ann", "bo"], "sn": ["lee", "lee", "kay"]})
    settings = SettingsCreator(link_type="dedupe_only", comparisons=[cl.ExactMatch("fn"), cl.ExactMatch("sn")],
                               blocking_rules_to_generate_predictions=[block_on(blocking_rule)])
    records = DuckDBAPI(duckdb.connect()).register(frame)
    return Linker(records, settings, log_level=None, validate_settings=False)


def test_the_validation_logs_what_it_logged_before(caplog):
    with caplog.at_level(logging.WARNING, logger="splink"), validating.validating_meanwhile(_linker("no_such_column")):
        pass
    assert "SETTINGS VALIDATION" in caplog.text and "no_such_column" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="splink"), validating.validating_meanwhile(_linker("fn")):
        pass
    assert "SETTINGS VALIDATION" not in caplog.text


def test_an_error_of_the_validation_is_raised_once_the_block_is_done(monkeypatch):
    from splink.internals.settings_validation.log_invalid_columns import InvalidColumnsLogger

    def broken(self, run=True):
        if run:  # (a Linker built without validation calls it with False)
            raise ValueError("validation failed")
    linker = _linker("fn")
    monkeypatch.setattr(InvalidColumnsLogger, "construct_output_logs", broken)
    done = []
    with pytest.raises(ValueError, match="validation failed"), validating.validating_meanwhile(linker):
        done.append(True)
    assert done == [True]


def test_a_first_link_validates_on_another_thread_while_u_is_counted(hard_store, monkeypatch):
    """The validation waits (at most 20 s) for u's counts to begin: on a thread of its own it sees
    them begin; run before u on the caller's thread (as before this change) it never would."""
    from splink.internals.settings_validation.log_invalid_columns import InvalidColumnsLogger

    from cse_audit import linkage
    from cse_audit.linkage import model

    u_began = threading.Event()
    seen = []
    real_u, real_logs = model.estimate_u_one_pass, InvalidColumnsLogger.construct_output_logs

    def u(*args, **kwargs):
        u_began.set()
        return real_u(*args, **kwargs)

    def logs(self, run=True):
        if run:
            seen.append((threading.current_thread() is threading.main_thread(), u_began.wait(20)))
        return real_logs(self, run)
    monkeypatch.setattr(model, "estimate_u_one_pass", u)
    monkeypatch.setattr(InvalidColumnsLogger, "construct_output_logs", logs)
    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(hard_store), read_only=True)
    try:
        run = model._run(con, "victims", cfg, cfg.threshold)
    finally:
        con.close()
    assert run.candidate_pairs > 0
    assert seen == [(False, True)]
