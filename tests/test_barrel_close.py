"""Two double-barrelled surnames that share one part are names/part, not names/close (issue 16:
"double-barrelled surnames compare part by part without rewarding one shared part as much as a
full match"). Jaro-Winkler on the whole name rewards a long common start, so Ogunleye-Carter and
Ogunleye-Haworth scored as a typo of each other and made false links (synth scale 40 offenders:
session 17, BENCHMARKS.md). A typo of the whole name stays close."""

from __future__ import annotations

import duckdb
import pytest

from cse_audit.linkage.comparisons import _comparisons
from cse_audit.linkage.features import _features
from cse_audit.linkage.settings import load_linkage_config

from .test_comparison_levels import _level_sql, _records

PAIRS = [
    # (surname l, surname r, expected level)
    ("Ogunleye-Carter", "Ogunleye-Haworth", "names/part"),
    ("Francis-Butler", "Francis-Barrett", "names/part"),
    ("Wisniewski-Foster", "Wisniewski-Griffiths", "names/part"),
    ("Ogunleye-Carter", "Ogunleye-Cartre", "names/close"),      # a typo in one part
    ("Francis-Butler", "Frances-Butler", "names/close"),
    ("Ogunleye-Carter", "Ogunleye Carter", "names/exact"),      # the separator does not matter
    ("Smith", "Smyth", "names/close"),                          # single names: as before
    ("Holmbridge", "Halbridge", "names/close"),
    ("Smith", "Smith-Jones", "names/part"),
]


@pytest.fixture(scope="module")
def levels():
    cfg = load_linkage_config()
    comp = next(c.get_comparison("duckdb") for c in _comparisons(cfg, "duckdb")
                if c.get_comparison("duckdb").output_column_name == "surname")
    con = duckdb.connect()
    surnames = [s for pair in PAIRS for s in pair[:2]]
    _records(con, ["Ann"] * len(surnames), surnames, [None] * len(surnames))
    table, _ = _features(con, "victims", cfg)
    con.register("f_arrow", table)
    con.execute("CREATE TABLE f AS SELECT * FROM f_arrow ORDER BY unique_id")
    sel = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in table.column_names)
    labels = [lv.label_for_charts for lv in comp.comparison_levels]
    case = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(_level_sql(comp)) if c is not None) + \
        f" ELSE {len(labels) - 1} END"
    # records 2k and 2k + 1 are the two surnames of PAIRS[k]
    rows = con.execute(f"SELECT {case} FROM (SELECT {sel} FROM f a JOIN f b ON b.unique_id = a.unique_id + 1 "
                       f"WHERE a.unique_id % 2 = 0) ORDER BY unique_id_l").fetchall()
    return [labels[r[0]] for r in rows]


@pytest.mark.parametrize("i", range(len(PAIRS)), ids=[f"{a}|{b}" for a, b, _ in PAIRS])
def test_surname_level(levels, i):
    assert levels[i] == PAIRS[i][2], PAIRS[i]
