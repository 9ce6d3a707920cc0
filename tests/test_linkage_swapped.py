"""A return whose name columns hold each other's names (its forename column the surnames, its
surname column the forenames) is read the other way round for linkage: what other returns give as
forenames and surnames decides, per sheet (features._SWAPPED)."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from cse_audit import linkage
from cse_audit.linkage.features import SWAP_MIN, _features

from .test_linkage import _person, _row, build_store

PAIR = [
    # one girl, a two-word surname: the police give "Hayley" / "Le Mesurier", the council (whose
    # columns are the other way round) "Le Mesurier" / "Hayley" before its sheet is swapped below
    _row("hl_p", "P1", "Hayley", "Le Mesurier", None, "2004-04-07", None, "2019-02-01", "Leeds", "HL"),
    _row("hl_l", "L1", "Hayley", "Le Mesurier", None, "2004-04-07", None, "2019-06-01", "Wakefield", "HL"),
]


def _cfg():
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None)


def _store(path, swap_rows=None):
    """The crafted store with PAIR; the council's (L1) names exchanged on every row, or on the
    first ``swap_rows`` of them."""
    con, ids, _ = build_store(path, extra=PAIR)
    limit = "" if swap_rows is None else f"AND row_number <= {int(swap_rows)}"
    con.execute(f"UPDATE victims SET forename = surname, surname = forename WHERE agency_id = 'L1' "
                f"AND forename IS NOT NULL AND surname IS NOT NULL {limit}")
    return con, ids


@pytest.fixture(scope="module")
def swapped(tmp_path_factory):
    con, ids = _store(tmp_path_factory.mktemp("swap") / "store.duckdb")
    yield con, ids
    con.close()


def test_a_sheet_with_its_names_the_other_way_round_is_read_right(swapped, caplog):
    con, ids = swapped
    n_council = con.execute("SELECT count(*) FROM victims WHERE agency_id = 'L1' AND forename IS NOT NULL").fetchone()[0]
    assert n_council >= SWAP_MIN
    with caplog.at_level(logging.INFO, logger="cse_audit.linkage.features"):
        table, record_ids = _features(con, "victims", _cfg())
    assert "names read the other way round on 1 sheet" in caplog.text
    assert not any("Hayley" in r.getMessage() or "hayley" in r.getMessage() for r in caplog.records)
    f = dict(zip(record_ids, zip(table.column("fn").to_pylist(), table.column("sn").to_pylist(), strict=True),
                 strict=True))
    assert f[ids["hl_l"]] == ("hayley", "lemesurier") == f[ids["hl_p"]]
    assert f[ids["kj2"]] == ("kate", "jones")  # every row of the sheet, not only the pair's


def test_the_child_on_the_swapped_sheet_links(swapped):
    con, ids = swapped
    cfg = _cfg()
    linkage.link_people(con, "victims", config=cfg)
    assert _person(con, ids["hl_p"]) == _person(con, ids["hl_l"])
    ex = linkage.explain(con, "victims", ids["hl_p"], ids["hl_l"], config=cfg)
    levels = {c["comparison"]: c["level"] for c in ex.comparisons}
    assert levels["forename"] == "names/exact" and levels["surname"] == "names/exact"


def test_a_sheet_read_the_right_way_or_a_few_odd_rows_are_left_alone(tmp_path):
    con, ids, _ = build_store(tmp_path / "plain.duckdb", extra=PAIR)
    table, record_ids = _features(con, "victims", _cfg())
    f = dict(zip(record_ids, table.column("fn").to_pylist(), strict=True))
    assert f[ids["hl_l"]] == "hayley" and f[ids["kj2"]] == "kate"
    con.close()
    # a handful of rows the other way round (a typist's slip) does not swap the whole sheet
    con, ids = _store(tmp_path / "few.duckdb", swap_rows=SWAP_MIN // 2)
    table, record_ids = _features(con, "victims", _cfg())
    f = dict(zip(record_ids, table.column("fn").to_pylist(), strict=True))
    swapped_rows = con.execute("SELECT record_id FROM victims WHERE agency_id = 'L1' AND row_number <= ? "
                               "AND forename IS NOT NULL", [SWAP_MIN // 2]).fetchall()
    kept = con.execute("SELECT record_id, lower(forename) FROM victims WHERE agency_id = 'L1' "
                       "AND row_number > ? AND forename IS NOT NULL", [SWAP_MIN // 2]).fetchall()
    assert swapped_rows and all(f[r] == fn.split()[0] for r, fn in kept)
    con.close()
