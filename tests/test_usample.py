"""u counted on distinct values (linkage/usample.py, issue 21) gives exactly the level counts of
the old per-pair query (``pair_level_counts``, the oracle), on the sample's records, on the hard
synthetic profile and on hand-built tables where a wrong weight, a wrong orientation or a missed
cross pair would show."""

from __future__ import annotations

import random

import duckdb
import pytest
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.linkage import ulevels, usample

from .test_sample_e2e import SAMPLE


def _model_and_engine(db):
    from splink import Linker, SettingsCreator

    from cse_audit import linkage
    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.engine import _splink_engine
    from cse_audit.linkage.features import _features
    from cse_audit.linkage.model import _blocking_rules, _u_pairs

    cfg = linkage.load_linkage_config()
    con = duckdb.connect(str(db), read_only=True)
    try:
        for kind in ("victims", "offenders"):
            features, ids = _features(con, kind, cfg)
            api, records = _splink_engine(features, cfg, False)
            model = Linker(records, SettingsCreator(
                link_type="dedupe_only", comparisons=_comparisons(cfg, "duckdb"),
                blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules),
                probability_two_random_records_match=1e-3), log_level=None).misc.save_model_to_json()
            yield kind, api, records, model, usample._sample_rows(_u_pairs(cfg, len(ids))), cfg.u_seed
    finally:
        con.close()


def _ingested(root, returns):
    db = root / "store.duckdb"
    got = CliRunner().invoke(cli, ["ingest", str(returns), "--db", str(db), "--no-link", "--no-tables"])
    assert got.exit_code == 0, got.output
    return db


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    return _ingested(tmp_path_factory.mktemp("usample"), SAMPLE)


@pytest.fixture(scope="module")
def hard_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("usample_hard")
    made = CliRunner().invoke(cli, ["synth", str(root / "returns"), "--profile", "hard", "--seed", "1"])
    assert made.exit_code == 0, made.output
    return _ingested(root, root / "returns")


def _same_counts_as_pairs(db):
    planned = {}
    for kind, api, records, model, k, seed in _model_and_engine(db):
        comps = model["comparisons"]
        new = usample.level_counts(api._con, records.physical_name, comps, k, seed)
        old = usample.pair_level_counts(api._con, records.physical_name, comps, k, seed)
        for i, comp in enumerate(comps):
            assert new[i] == old[i], (kind, comp["output_column_name"], new[i], old[i])
            assert sum(old[i].values()) == k * (k - 1) // 2
        # and the new way was used: which comparisons are counted on distinct values, which
        # with their cross ("swapped") level apart
        con = api._con
        columns = {r[0] for r in con.execute(f"DESCRIBE {records.physical_name}").fetchall()}
        con.execute(f"CREATE TEMP TABLE {usample.SAMPLE} AS SELECT * FROM {records.physical_name} "
                    f"ORDER BY hash(unique_id + {int(seed)}), unique_id LIMIT {k}")
        for comp in comps:
            plan = usample._plan(con, comp, columns, k * (k - 1) // 2)
            planned[kind, comp["output_column_name"]] = None if plan is None else len(plan.crosses)
        con.execute(f"DROP TABLE {usample.SAMPLE}")
    return planned


def test_sample_counts_on_distinct_values_equal_the_pair_counts(sample_store):
    planned = _same_counts_as_pairs(sample_store)
    for kind in ("victims", "offenders"):
        assert planned[kind, "forename"] == 1 and planned[kind, "surname"] == 1, planned
        assert planned[kind, "sex"] == planned[kind, "area"] == planned[kind, "ethnicity"] == 0, planned
        # the reference takes either path (by how many distinct references there are); its
        # levels are symmetric since session 8 (below)


def test_every_reference_level_is_symmetric():
    # "close" tested one side's length only: a 5- against a 4-character reference one edit apart
    # was close or different by which record had the smaller id
    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage import ulevels
    from cse_audit.linkage.comparisons import _reference_comparison

    comp = _reference_comparison(SplinkDialect.from_string("duckdb")).get_comparison("duckdb").as_dict()
    conditions = [lv["sql_condition"] for lv in comp["comparison_levels"] if lv["sql_condition"] != "ELSE"]
    assert len(conditions) == 3 and all(ulevels.symmetric(ulevels.parse(c)) for c in conditions), conditions


def test_hard_profile_counts_on_distinct_values_equal_the_pair_counts(hard_store):
    planned = _same_counts_as_pairs(hard_store)
    assert planned["victims", "forename"] == 1, planned


# -- hand-built tables ----------------------------------------------------------------------------

def _comp(*levels, null=None):
    out = [{"sql_condition": null, "is_null_level": True}] if null else []
    return {"comparison_levels": out + [{"sql_condition": c} for c in levels]}


def _counts(rows, comps):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (unique_id INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    k = len(rows)
    new = usample.level_counts(con, "t", comps, k, 0)
    assert new == usample.pair_level_counts(con, "t", comps, k, 0)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [usample.SAMPLE]).fetchone()[0] == 0
    return new


def test_duplicate_values_weigh_as_many_pairs_as_they_make():
    # a: x three times, y twice, null once -> pairs x-x 3, y-y 1, x-y 6, null with any 5
    rows = [(1, "x", "p"), (2, "x", "q"), (3, "x", "p"), (4, "y", "q"), (5, "y", "p"), (6, None, "q")]
    got = _counts(rows, [_comp("a_l = a_r", "ELSE", null="a_l IS NULL OR a_r IS NULL")])
    assert got == {0: {0: 4, 1: 6, -1: 5}}


def test_cross_level_pairs_move_with_their_orientation():
    # forename/surname-like: a swapped pair (a_l = b_r AND b_l = a_r) is level 1, else the
    # same a is level 0, else level 2. Rows 1 and 2 are swapped, 3 and 4 hold the same values
    # as 1 and 2 (more pairs to move); 40 more rows have one of two a and each its own b, so
    # that (a, b) is nearly as many combinations as rows and a alone few: the cross level apart
    rows = [(1, "ann", "lee"), (2, "lee", "ann"), (3, "ann", "lee"), (4, "lee", "ann"), (5, "bob", "kay")]
    rows += [(10 + i, "xy"[i % 2], f"b{i}") for i in range(40)]
    rows += [(60, "b3", "y"), (61, "b4", "x")]  # swapped with row 13 (x, b3) / 14 (y, b4) only
    comp = _comp("a_l = a_r", "a_l = b_r AND b_l = a_r", "ELSE")
    con = duckdb.connect()
    con.execute("CREATE TABLE t (unique_id INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    con.execute(f"CREATE TEMP TABLE {usample.SAMPLE} AS SELECT * FROM t")
    plan = usample._plan(con, comp, {"unique_id", "a", "b"}, len(rows) * (len(rows) - 1) // 2)
    assert plan is not None and [(x.left, x.right) for x in plan.crosses] == [("a", "b")] and plan.columns == ["a"]
    con.execute(f"DROP TABLE {usample.SAMPLE}")
    want: dict[int, int] = {}
    for i, (_, a1, b1) in enumerate(rows):
        for _, a2, b2 in rows[i + 1:]:
            level = 0 if a1 == a2 else 1 if (a1 == b2 and b1 == a2) else 2
            want[level] = want.get(level, 0) + 1
    assert want[1] == 6
    assert _counts(rows, [comp]) == {0: want}


def test_a_comparison_not_symmetric_is_counted_over_record_pairs():
    # a_l < a_r depends on which record has the smaller id: ids 1 "b", 2 "a", 3 "a", 4 "b" ->
    # level 0 for (2,4) and (3,4) only. Counted on distinct values without orientation, a-b's
    # four pairs would all be level 0 or all level 1, whichever value came first
    rows = [(1, "b", None), (2, "a", None), (3, "a", None), (4, "b", None)]
    comp = _comp("a_l < a_r", "ELSE")
    assert not ulevels.symmetric(ulevels.parse(usample._gamma_sql(comp)))
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE {usample.SAMPLE} (unique_id INTEGER, a VARCHAR)")
    assert usample._plan(con, comp, {"unique_id", "a"}, 6) is None
    assert _counts(rows, [comp]) == {0: {0: 2, 1: 4}}


@pytest.mark.parametrize(("sql", "expected"), [
    ("jaro_winkler_similarity(fn_l, sn_r) >= 0.9 AND jaro_winkler_similarity(sn_l, fn_r) >= 0.9", True),
    ("jaro_winkler_similarity(fn_l, sn_r) >= 0.9", False),
    ("greatest(lo_l - hi_r, lo_r - hi_l, 0) <= 366", True),
    ("lo_l - hi_r <= 366", False),
    ("(length(x_l) >= 3 AND substr(x_r, 1, length(x_l)) = x_l) OR "
     "(length(x_r) >= 3 AND substr(x_l, 1, length(x_r)) = x_r)", True),
    ("length(x_l) >= 5 AND levenshtein(x_l, x_r) <= 1", False),
    ("array_length(list_intersect(g_l, g_r)) >= 1", True),
    ("list_intersect(g_l, g_r) = [1]", False),  # the list's order may follow its first argument
    ("y_l = y_r AND m_l = d_r AND d_l = m_r", True),
])
def test_symmetry_is_proved_from_the_sql(sql, expected):
    assert ulevels.symmetric(ulevels.parse(sql)) is expected


def test_duckdb_string_distances_do_not_depend_on_argument_order():
    """ulevels treats these as symmetric: strings of a small alphabet (many near ties, equal
    lengths, transpositions) in both orders give the same value, bit for bit."""
    rng = random.Random(21)
    words = sorted({"".join(rng.choice("abca") for _ in range(rng.randint(1, 9))) for _ in range(400)})
    con = duckdb.connect()
    con.execute("CREATE TABLE w (v VARCHAR)")
    con.executemany("INSERT INTO w VALUES (?)", [[w] for w in words])
    fns = ["jaro_winkler_similarity", "jaro_similarity", "levenshtein", "damerau_levenshtein"]
    differ = ", ".join(f"count(*) FILTER (WHERE {f}(x.v, y.v) IS DISTINCT FROM {f}(y.v, x.v))" for f in fns)
    pairs, *diffs = con.execute(f"SELECT count(*), {differ} FROM w x, w y").fetchone()
    assert pairs > 50_000 and diffs == [0] * len(fns)


def test_pairs_the_null_level_holds_are_left_out_and_counted_at_it():
    # reference-like: null when either record lacks a or b, or their b differ (an agency's own
    # reference is only compared within the agency). Pairs are made only within equal b, without
    # the rows lacking a or b, and every pair left out still counts at -1, exactly as the oracle
    rng = random.Random(7)
    rows = [(i, rng.choice(["r1", "r2", "r3", None, "r10"]), rng.choice(["p", "q", "s", None])) for i in range(60)]
    comp = _comp("a_l = a_r", "length(a_l) = length(a_r)", "ELSE",
                 null="a_l IS NULL OR a_r IS NULL OR b_l IS NULL OR b_r IS NULL OR b_l <> b_r")
    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE {usample.SAMPLE} (unique_id INTEGER, a VARCHAR, b VARCHAR)")
    con.executemany(f"INSERT INTO {usample.SAMPLE} VALUES (?, ?, ?)", rows)
    plan = usample._plan(con, comp, {"unique_id", "a", "b"}, 60 * 59 // 2)
    assert plan is not None and plan.absent == ("a", "b") and plan.apart == ("b",)
    got = _counts(rows, [comp])[0]
    assert sum(got.values()) == 60 * 59 // 2 and got[-1] > 0 and got[0] > 0 and got[1] > 0 and got[2] > 0
    # "differ" on a column whose nulls the condition does not hold proves nothing (a null b is not
    # "apart"): the rows lacking a are left out, but pairs are made across b
    loose = _comp("a_l = a_r", "ELSE", null="a_l IS NULL OR a_r IS NULL OR b_l <> b_r")
    plan = usample._plan(con, loose, {"unique_id", "a", "b"}, 60 * 59 // 2)
    assert plan is not None and plan.absent == ("a",) and plan.apart == ()
    _counts(rows, [loose])
