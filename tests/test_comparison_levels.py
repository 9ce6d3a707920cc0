"""The cheaper level SQL of comparisons.py (issue 21: exact pre-checks before the string
distances, the surname part without a list intersection) gives every pair the same level as the
SQL it replaced, kept here verbatim as the oracle: on every ordered pair of a list of awkward names
(empty, one letter, double-barrelled, long, accented and other non-ASCII, transpositions, lengths
1, 2, 3 apart...), on random strings over a tiny alphabet (many pairs one or two edits apart) and
on the shipped sample's names."""

from __future__ import annotations

import random

import duckdb
import pytest

from cse_audit.linkage import ulevels
from cse_audit.linkage.comparisons import _comparisons, _damerau_levenshtein_within
from cse_audit.linkage.features import _features
from cse_audit.linkage.settings import load_linkage_config

# the levels as they were before this change (session 8, 5c6fbee), with linkage.yaml's thresholds
OLD = {
    ("forename", "names/close"):
        '(jaro_winkler_similarity("fn_l", "fn_r") >= 0.88) OR ((CASE WHEN levenshtein(fn_l, fn_r) > 2 THEN false '
        'ELSE damerau_levenshtein(fn_l, fn_r) <= 1 END)) OR ((length(fn_l) >= 3 AND substr(fn_r, 1, length(fn_l)) '
        '= fn_l) OR (length(fn_r) >= 3 AND substr(fn_l, 1, length(fn_r)) = fn_r))',
    ("surname", "names/close"):
        '((jaro_winkler_similarity("sn_l", "sn_r") >= 0.9) OR ((CASE WHEN levenshtein(sn_l, sn_r) > 2 THEN false '
        'ELSE damerau_levenshtein(sn_l, sn_r) <= 1 END)) OR ((length(sn_l) >= 3 AND substr(sn_r, 1, length(sn_l)) '
        '= sn_l) OR (length(sn_r) >= 3 AND substr(sn_l, 1, length(sn_r)) = sn_r))) AND (sn_barrel_l = sn_barrel_r)'
        # session 17: between two double-barrelled names only a typo of the whole name is close
        ' AND (NOT (sn_barrel_l AND sn_barrel_r) OR (CASE WHEN levenshtein(sn_l, sn_r) > 2 THEN false '
        'ELSE damerau_levenshtein(sn_l, sn_r) <= 1 END))',
    ("surname", "names/part"): 'array_length(list_intersect("sn_parts_l", "sn_parts_r")) >= 1',
    ("reference", "close"):
        "(length(ref_l) >= 5 AND length(ref_r) >= 5 AND CASE WHEN levenshtein(ref_l, ref_r) > 2 THEN false "
        "ELSE damerau_levenshtein(ref_l, ref_r) <= 1 END)",
}

AWKWARD = [
    None, "", " ", "a", "b", "é", "e", "ab", "ba", "aa", "abc", "acb", "bac", "cab", "cba", "abd", "xbc", "abx",
    "abcd", "abdc", "bacd", "acbd", "abce", "xbcd", "abcde", "abcdx", "xabcd", "abcdef", "abcdefg", "bcd",
    "smith", "smyth", "smithe", "smit", "mith", "smiht", "msith", "simth", "smtih", "smithh", "ssmith",
    "smith-jones", "smith jones", "jones-smith", "smithjones", "smith-jones-brown", "smith-smith", "jo-smith",
    "o'neil", "oneil", "o neil", "oneill", "mc donald", "mcdonald", "macdonald", "de la cruz", "delacruz",
    "van der berg", "vanderberg", "müller", "muller", "mueller", "josé", "jose", "zoë", "zoe", "straße",
    "strasse", "strase", "ñ", "n", "ñn", "nñ", "éé", "ee", "e\u0301", "e\u0301e", "李", "李明", "明李", "李明华",
    "a" * 40, "a" * 39 + "b", "b" + "a" * 39, "a" * 38, "wolfeschlegelsteinhausenbergerdorff",
    "wolfeschlegelsteinhausenbergerdorf", "  smith ", "SMITH", "x-y", "al", "la", "al-amin", "alamin", "amin",
    "ali", "aly", "mohammed", "muhammad", "mohamed", "ann", "anne", "anna", "nna", "jon", "john", "jonathan",
    "johnathan", "jo", "jane", "jnae", "ajne", "janet", "n-700123", "700123", "0700123", "700132", "7001234",
    "1700123", "70012", "70021", "07001", "abcdefghij", "bacdefghij", "abcdefghji", "jihgfedcba",
]


def _random_strings(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice("abé") for _ in range(rng.randint(0, 7))) for _ in range(n)]


def _level_sql(comp) -> list[str | None]:
    return [None if lv._is_else_level else lv.sql_condition for lv in comp.comparison_levels]


def _case(levels: list[str | None]) -> str:
    return "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(levels) if c is not None) + \
        f" ELSE {len(levels) - 1} END"


@pytest.fixture(scope="module")
def comparisons():
    cfg = load_linkage_config()
    return cfg, {c.get_comparison("duckdb").output_column_name: c.get_comparison("duckdb")
                 for c in _comparisons(cfg, "duckdb")}


def test_only_the_rewritten_levels_changed(comparisons):
    """The oracle is the whole previous comparison: the new levels are the old ones except at
    OLD's keys, and each of those is really new SQL (else this file tests nothing)."""
    _, comps = comparisons
    for (name, label), old_sql in OLD.items():
        levels = {lv.label_for_charts: lv.sql_condition for lv in comps[name].comparison_levels}
        assert levels[label] != old_sql, (name, label)
    # every level still proved symmetric (u counts them on distinct values, usample.py)
    for comp in comps.values():
        for sql in _level_sql(comp):
            if sql is not None:
                assert ulevels.symmetric(ulevels.parse(sql)), sql


def _old_levels(comp) -> list[str | None]:
    return [OLD.get((comp.output_column_name, lv.label_for_charts),
                    None if lv._is_else_level else lv.sql_condition) for lv in comp.comparison_levels]


def _raw_pairs(con, values: list[str | None], cols: list[str]) -> int:
    """Every ordered pair of values (both orientations, each value with itself) as <col>_l/_r."""
    con.execute("CREATE OR REPLACE TABLE v AS SELECT * FROM (SELECT unnest(?) AS x)", [values])
    sel = ", ".join(f"a.x AS {c}_l, b.x AS {c}_r" for c in cols)
    con.execute(f"CREATE OR REPLACE TABLE p AS SELECT {sel} FROM v a, v b")
    return con.execute("SELECT count(*) FROM p").fetchone()[0]


@pytest.mark.parametrize("values", [AWKWARD, _random_strings(500, 1)], ids=["awkward", "random-abé"])
def test_edit_distance_guard_is_exact_on_raw_strings(values):
    """The guarded Damerau-Levenshtein test against the plain one it stands for, for d = 0..3, on
    strings features.py would never produce (non-ASCII, spaces, digits, empty): its pre-checks
    rest on facts about the distances, not on what names look like."""
    from splink.internals.dialects import SplinkDialect

    con = duckdb.connect()
    n = _raw_pairs(con, values, ["x"])
    assert n == len(values) ** 2
    dialect = SplinkDialect.from_string("duckdb")
    for d in range(4):
        old = f"(CASE WHEN levenshtein(x_l, x_r) > {2 * d} THEN false ELSE damerau_levenshtein(x_l, x_r) <= {d} END)"
        new = _damerau_levenshtein_within(dialect, "x", d).sql_condition
        diff, within = con.execute(
            f"SELECT count(*) FILTER (WHERE coalesce({old}, false) <> coalesce({new}, false)), "
            f"count(*) FILTER (WHERE {old}) FROM p").fetchone()
        assert diff == 0, (d, con.execute(f"SELECT x_l, x_r FROM p WHERE coalesce({old}, false) <> "
                                          f"coalesce({new}, false) LIMIT 5").fetchall())
        assert within > len(values) // 2  # pairs within d exist beyond the identical ones
        # null in, null out (a missing name is never close), as before
        assert con.execute(f"SELECT {new} IS NULL FROM (SELECT NULL::VARCHAR AS x_l, 'ab' AS x_r)").fetchone()[0]


@pytest.mark.parametrize("values", [AWKWARD, _random_strings(400, 2)], ids=["awkward", "random-abé"])
def test_changed_levels_alone_on_raw_strings(comparisons, values):
    """Each rewritten level alone (not only after the levels before it) is true for exactly the
    pairs the old one was true for, on raw strings; the surname's barrel flag and parts set as
    features.py sets them for these strings is covered in the next test."""
    _, comps = comparisons
    con = duckdb.connect()
    _raw_pairs(con, values, ["fn", "sn", "ref"])
    con.execute("ALTER TABLE p ADD COLUMN sn_barrel_l BOOLEAN DEFAULT false")
    con.execute("ALTER TABLE p ADD COLUMN sn_barrel_r BOOLEAN DEFAULT false")
    for (name, label), old_sql in OLD.items():
        if label == "names/part":
            continue  # reads sn_parts: through features below
        new_sql = next(lv.sql_condition for lv in comps[name].comparison_levels if lv.label_for_charts == label)
        diff, hits = con.execute(
            f"SELECT count(*) FILTER (WHERE coalesce({old_sql}, false) <> coalesce({new_sql}, false)), "
            f"count(*) FILTER (WHERE {old_sql}) FROM p").fetchone()
        assert diff == 0, (name, label)
        assert hits > 0


def _references(n: int, rng: random.Random) -> list[str | None]:
    """Distinct references (a shared one would make features.py drop the agency's references),
    many one or two keystrokes from another, 3 to 9 characters, some missing."""
    out: list[str | None] = []
    while len(out) < n:
        if out and rng.random() < 0.6:
            base = list(rng.choice([r for r in out if r] or ["12345"]))
            i = rng.randrange(len(base))
            op = rng.choice("sidt")
            if op == "s":
                base[i] = rng.choice("0123456789AB")
            elif op == "i":
                base.insert(i, rng.choice("0123456789"))
            elif op == "d" and len(base) > 3:
                del base[i]
            elif i + 1 < len(base):
                base[i], base[i + 1] = base[i + 1], base[i]
            ref = "".join(base)
        else:
            ref = "".join(rng.choice("123456789") for _ in range(rng.randint(3, 9)))
        out.append(None if rng.random() < 0.1 else (ref if ref not in out else None))
    return out


def _records(con, forenames, surnames, refs) -> None:
    """A current_victims view of one record per (forename, surname, reference), for features.py."""
    rows = [(i, f, s, r) for i, (f, s, r) in enumerate(zip(forenames, surnames, refs, strict=True))]
    con.execute("""CREATE TABLE recs (record_id VARCHAR, return_id VARCHAR, agency_id VARCHAR, source_type VARCHAR,
        record_ref VARCHAR, forename VARCHAR, surname VARCHAR, initials VARCHAR, dob DATE, age INTEGER,
        age_max INTEGER, case_date DATE, sex VARCHAR, ethnicity VARCHAR, area VARCHAR, case_ref VARCHAR,
        sheet VARCHAR)""")
    con.executemany("INSERT INTO recs VALUES (?, 'ret', 'ag', 'police', ?, ?, ?, NULL, NULL, NULL, NULL, NULL, "
                    "NULL, NULL, NULL, NULL, NULL)", [(f"r{i:06d}", r, f, s) for i, f, s, r in rows])
    con.execute("CREATE VIEW current_victims AS SELECT * FROM recs")
    con.execute("CREATE VIEW current_offenders AS SELECT * FROM recs WHERE false")


_FEATURE_COLUMNS = ("fn", "sn", "fi", "si", "fn_groups", "sn_groups", "sn_parts", "sn_barrel", "ref", "agency")


def _compare_whole_comparisons(con, comps) -> dict[str, int]:
    """Old and new CASE of each changed comparison over every ordered pair of the features table
    ``f``: the number of pairs, asserting no pair's level differs."""
    read = set()
    for name in {n for n, _ in OLD}:
        for sql in _level_sql(comps[name]):
            if sql is not None:
                read |= {c for c, _ in ulevels.sides(ulevels.parse(sql), set(_FEATURE_COLUMNS))}
    cols = sorted(read)
    sel = ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in cols)
    con.execute(f"CREATE OR REPLACE TABLE p AS SELECT {sel} FROM f a, f b")
    seen = {}
    for name in sorted({n for n, _ in OLD}):
        comp = comps[name]
        old, new = _case(_old_levels(comp)), _case(_level_sql(comp))
        diff, n = con.execute(f"SELECT count(*) FILTER (WHERE ({old}) <> ({new})), count(*) FROM p").fetchone()
        assert diff == 0, (name, con.execute(f"SELECT sn_l, sn_r, fn_l, fn_r, ref_l, ref_r, {old}, {new} FROM p "
                                             f"WHERE ({old}) <> ({new}) LIMIT 5").fetchall())
        seen[name] = dict(con.execute(f"SELECT {new} AS g, count(*) FROM p GROUP BY g").fetchall())
    return seen


def test_whole_comparisons_same_level_through_features(comparisons):
    """Forename, surname and reference levels for every ordered pair of records whose raw names are
    the awkward list (features.py cleans them: accents stripped, parts split, the barrel flag
    set), the old CASE against the new."""
    cfg, comps = comparisons
    con = duckdb.connect()
    names = [x for x in AWKWARD if x is not None]
    rng = random.Random(3)
    forenames = names + [rng.choice(names) for _ in range(200)]
    surnames = list(reversed(names)) + [rng.choice(names) + rng.choice(["", "-", " "]) + rng.choice(names)
                                        for _ in range(200)]
    refs = _references(len(forenames), rng)
    _records(con, forenames, surnames, refs)
    table, _ = _features(con, "victims", cfg)
    con.register("f_arrow", table)
    con.execute("CREATE TABLE f AS SELECT * FROM f_arrow")
    assert con.execute("SELECT count(*) FILTER (WHERE sn_barrel), count(*) FILTER (WHERE NOT sn_barrel "
                       "AND sn IS NOT NULL) FROM f").fetchone() > (50, 50)
    seen = _compare_whole_comparisons(con, comps)
    levels = {lv.label_for_charts: i for i, lv in enumerate(comps["surname"].comparison_levels)}
    # the awkward names reach the rewritten levels (else the comparison proves little)
    assert seen["surname"].get(levels["names/part"], 0) > 100
    assert seen["surname"].get(levels["names/close"], 0) > 100
    ref_levels = {lv.label_for_charts: i for i, lv in enumerate(comps["reference"].comparison_levels)}
    assert seen["reference"].get(ref_levels["close"], 0) > 10


def test_whole_comparisons_same_level_on_the_sample(comparisons, tmp_path):
    """The same on the sample's own names: every pair of the distinct (forename, surname,
    reference) combinations of its victims and offenders."""
    from click.testing import CliRunner

    from cse_audit.cli import cli

    from .test_sample_e2e import SAMPLE

    cfg, comps = comparisons
    db = tmp_path / "s.duckdb"
    got = CliRunner().invoke(cli, ["ingest", str(SAMPLE), "--db", str(db), "--no-link", "--no-tables"])
    assert got.exit_code == 0, got.output
    src = duckdb.connect(str(db), read_only=True)
    tables = [_features(src, kind, cfg)[0] for kind in ("victims", "offenders")]
    src.close()
    con = duckdb.connect()
    for i, t in enumerate(tables):
        con.register(f"t{i}", t)
    con.execute("CREATE TABLE f AS SELECT DISTINCT ON (fn, sn, ref) * FROM (SELECT * FROM t0 UNION ALL BY NAME "
                "SELECT * FROM t1) ORDER BY fn, sn, ref, unique_id")
    con.execute("DELETE FROM f WHERE unique_id % 5 <> 0")  # about 800 records, 0.6M pairs
    assert con.execute("SELECT count(*) FROM f").fetchone()[0] > 500
    seen = _compare_whole_comparisons(con, comps)
    assert len(seen["surname"]) >= 6


# the area's "same force area" level before session 10 (a list intersection on every pair)
OLD_FORCE_AREA = 'array_length(list_intersect("regions_l", "regions_r")) >= 1'


def test_force_area_level_same_as_the_list_intersection():
    """The area comparison, old CASE against new, over every ordered pair of records whose areas
    are every area linkage.yaml places, areas it does not know, unknown and empty ones, and (in a
    configuration that has them) areas lying in two or three force areas: the new level's
    equality stands for the intersection only where both lists have one force area."""
    import dataclasses

    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage.comparisons import _area_comparison

    cfg = load_linkage_config()
    forces = sorted({f for v in cfg.force_areas.values() for f in v})
    multi = {"borderton": (forces[0], forces[1]), "tri town": (forces[2], forces[1], forces[3]),
             "edgeham": (forces[1], forces[0]), "samesville": (forces[0], forces[0])}
    cfg = dataclasses.replace(cfg, force_areas={**cfg.force_areas, **multi})
    areas = [*cfg.force_areas, "atlantis", "narnia", "Unknown", "", None, forces[0].title(), "  Borderton "]
    con = duckdb.connect()
    _records(con, ["ann"] * len(areas), ["lee"] * len(areas), [None] * len(areas))
    con.execute("CREATE OR REPLACE TABLE recs2 AS SELECT * EXCLUDE (area), a.area FROM recs "
                "POSITIONAL JOIN (SELECT unnest(?) AS area) a", [areas])
    con.execute("CREATE OR REPLACE VIEW current_victims AS SELECT * FROM recs2")
    table, _ = _features(con, "victims", cfg)
    con.register("f", table)
    cols = ("area", "region", "regions")
    con.execute("CREATE TABLE p AS SELECT " + ", ".join(f"a.{c} AS {c}_l, b.{c} AS {c}_r" for c in cols)
                + " FROM f a, f b")
    comp = _area_comparison(cfg, SplinkDialect.from_string("duckdb")).get_comparison("duckdb")
    new_levels = _level_sql(comp)
    labels = [lv.label_for_charts for lv in comp.comparison_levels]
    old_levels = [OLD_FORCE_AREA if label == "same_force_area" else sql for label, sql in zip(labels, new_levels,
                                                                                               strict=True)]
    assert old_levels != new_levels and all(ulevels.symmetric(ulevels.parse(s)) for s in new_levels if s)
    old, new = _case(old_levels), _case(new_levels)
    diff, n = con.execute(f"SELECT count(*) FILTER (WHERE ({old}) <> ({new})), count(*) FROM p").fetchone()
    assert n == len(areas) ** 2 and diff == 0, con.execute(
        f"SELECT area_l, area_r, regions_l, regions_r FROM p WHERE ({old}) <> ({new}) LIMIT 5").fetchall()
    shared = labels.index("same_force_area")
    # both branches reached: single force areas that are equal, and lists of two or three
    one, several = con.execute(
        f"SELECT count(*) FILTER (WHERE len(regions_l) = 1 AND len(regions_r) = 1), "
        f"count(*) FILTER (WHERE len(regions_l) > 1 OR len(regions_r) > 1) FROM p WHERE ({new}) = {shared}").fetchone()
    assert one > 100 and several > 10, (one, several)


# the surname's names/close as main had it before session 18 (the barrel test after the close test)
MAIN17_SURNAME_CLOSE = (
    "((jaro_winkler_similarity(\"sn_l\", \"sn_r\") >= 0.9) OR ((CASE WHEN abs(length(sn_l) - length(sn_r)) > 1 THEN "
    "false WHEN length(sn_l) >= 3 AND length(sn_r) >= 3 AND substr(sn_l, 1, 1) <> substr(sn_r, 1, 1) AND "
    "substr(sn_l, -1) <> substr(sn_r, -1) THEN false WHEN levenshtein(sn_l, sn_r) > 2 THEN false ELSE "
    "damerau_levenshtein(sn_l, sn_r) <= 1 END)) OR ((length(sn_l) >= 3 AND substr(sn_r, 1, length(sn_l)) = sn_l) OR "
    "(length(sn_r) >= 3 AND substr(sn_l, 1, length(sn_r)) = sn_r))) AND (sn_barrel_l = sn_barrel_r AND (NOT "
    "(sn_barrel_l AND sn_barrel_r) OR (CASE WHEN abs(length(sn_l) - length(sn_r)) > 1 THEN false WHEN length(sn_l) "
    ">= 3 AND length(sn_r) >= 3 AND substr(sn_l, 1, 1) <> substr(sn_r, 1, 1) AND substr(sn_l, -1) <> substr(sn_r, -1) "
    "THEN false WHEN levenshtein(sn_l, sn_r) > 2 THEN false ELSE damerau_levenshtein(sn_l, sn_r) <= 1 END)))")


def _surname_close(comps) -> str:
    return next(lv.sql_condition for lv in comps["surname"].comparison_levels if lv.label_for_charts == "names/close")


def test_surname_close_branches_on_the_barrel_first(comparisons):
    """Session 18 (issue 21): the surname's close level decides by the two barrel flags before any
    string distance. At a million records most candidate pairs have a double-barrelled surname
    on one side or both (a single against a double-barrelled name is never close; two
    double-barrelled names only by a typo): those pairs no longer pay Jaro-Winkler, the prefix
    test and a second edit distance. Main's form tested the barrel after the close test."""
    from sqlglot import exp

    _, comps = comparisons
    node = ulevels.parse(_surname_close(comps))
    assert isinstance(node, exp.Case), node.sql()
    ifs = node.args["ifs"]
    flags = {"sn_barrel_l", "sn_barrel_r"}
    assert [{c.name for c in i.this.find_all(exp.Column)} for i in ifs] == [flags, flags]
    assert isinstance(node.args["default"], exp.Boolean) and not node.args["default"].this
    # two double-barrelled names: the typo alone (no Jaro-Winkler, no prefix test)
    both = ifs[0].args["true"]
    assert not list(both.find_all(exp.JarowinklerSimilarity)) and "damerau_levenshtein" in both.sql().lower()


def test_surname_close_same_as_main_for_every_barrel_flag(comparisons):
    """The new form against main's (session 17) on every ordered pair of the awkward names and
    random strings, with the two barrel flags set to each of true, false and null (features.py
    never leaves one null; the level is not true then, before and after)."""
    _, comps = comparisons
    new = _surname_close(comps)
    assert new != MAIN17_SURNAME_CLOSE
    con = duckdb.connect()
    _raw_pairs(con, AWKWARD + _random_strings(150, 4), ["sn"])
    flags = [True, False, None]
    con.execute("CREATE TABLE fl AS SELECT a.f AS sn_barrel_l, b.f AS sn_barrel_r FROM (SELECT unnest(?) AS f) a, "
                "(SELECT unnest(?) AS f) b", [flags, flags])
    con.execute("CREATE TABLE q AS SELECT * FROM p, fl")
    diff, hits, n = con.execute(
        f"SELECT count(*) FILTER (WHERE coalesce({MAIN17_SURNAME_CLOSE}, false) <> coalesce({new}, false)), "
        f"count(*) FILTER (WHERE {new}), count(*) FROM q").fetchone()
    assert n == 9 * (len(AWKWARD) + 150) ** 2
    assert diff == 0, con.execute(f"SELECT * FROM q WHERE coalesce({MAIN17_SURNAME_CLOSE}, false) <> "
                                  f"coalesce({new}, false) LIMIT 5").fetchall()
    # close pairs both ways: between single names (Jaro-Winkler, prefix) and double-barrelled (typo)
    assert con.execute(f"SELECT count(DISTINCT (sn_barrel_l, sn_barrel_r)) FROM q WHERE {new}").fetchone()[0] == 2
    assert hits > 1000


def _level(comps, name: str, label: str) -> str:
    return next(lv.sql_condition for lv in comps[name].comparison_levels if lv.label_for_charts == label)


def test_duckdb_prefix_and_shared_part_use_the_cheaper_functions(comparisons):
    """Session 19 (issue 21): on DuckDB the names' prefix test is starts_with (not a substring
    compared) and the surname's part level between two double-barrelled names list_has_any (not
    the size of the lists' intersection); Spark keeps Splink's forms. Both are still proved
    symmetric (usample.py counts u on distinct values only then)."""
    from sqlglot import exp

    cfg, comps = comparisons
    for name in ("forename", "surname"):
        close = ulevels.parse(_level(comps, name, "names/close"))
        assert len(list(close.find_all(exp.StartsWith))) == 2, name
        assert not any(s.sql().startswith("SUBSTRING") and "LENGTH" in s.sql() for s in close.find_all(exp.Substring))
        assert ulevels.symmetric(close)
    part = ulevels.parse(_level(comps, "surname", "names/part"))
    assert list(part.find_all(exp.ArrayOverlaps)) and "list_intersect" not in part.sql().lower()
    assert ulevels.symmetric(part)
    spark = {c.get_comparison("spark").output_column_name: c.get_comparison("spark") for c in _comparisons(cfg, "spark")}
    assert "starts_with" not in _level(spark, "forename", "names/close").lower()
    assert "list_has_any" not in _level(spark, "surname", "names/part").lower()


@pytest.mark.parametrize("values", [AWKWARD, _random_strings(500, 5)], ids=["awkward", "random-abé"])
def test_starts_with_is_the_substring_prefix_test_on_raw_strings(values):
    """The prefix test with starts_with against the substring form it replaced, on every ordered
    pair (nulls, empty, accents, combining marks, CJK): true, false and null alike."""
    from splink.internals.dialects import SplinkDialect

    from cse_audit.linkage.comparisons import _starts_with

    con = duckdb.connect()
    _raw_pairs(con, [*values, None], ["x"])
    old = "(length(x_l) >= 3 AND substr(x_r, 1, length(x_l)) = x_l)"
    new = _starts_with(SplinkDialect.from_string("duckdb"), "x_r", "x_l")
    assert "starts_with" in new
    diff, hits, nulls = con.execute(
        f"SELECT count(*) FILTER (WHERE ({old}) IS DISTINCT FROM ({new})), count(*) FILTER (WHERE {new}), "
        f"count(*) FILTER (WHERE ({new}) IS NULL) FROM p").fetchone()
    assert diff == 0, con.execute(f"SELECT x_l, x_r FROM p WHERE ({old}) IS DISTINCT FROM ({new}) LIMIT 5").fetchall()
    assert hits > len(values) // 2 and nulls > 0


def test_list_has_any_is_the_intersection_level_on_lists_with_nulls():
    """list_has_any against Splink's intersection level on every ordered pair of lists with null
    lists, null elements, empty lists, repeats and empty strings: the same truth as a level (a
    null and a false are both not this level: a null list gives null, not the intersection's
    false)."""
    con = duckdb.connect()
    lists = [None, [], [None], ["a"], ["a", None], ["b"], ["a", "b"], ["b", None, "a"], [""], ["a", "a"],
             [None, None], ["smith", "jones"], ["jones", "smith"], ["smith"], ["jones", "brown"], ["é"], ["e"]]
    con.execute("CREATE TABLE v AS SELECT unnest(?::VARCHAR[][]) AS x", [lists])
    con.execute("CREATE TABLE p AS SELECT a.x AS sn_parts_l, b.x AS sn_parts_r FROM v a, v b")
    old = OLD[("surname", "names/part")]
    new = "list_has_any(sn_parts_l, sn_parts_r)"
    n, diff, hits, differ = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE coalesce({old}, false) <> coalesce({new}, false)), "
        f"count(*) FILTER (WHERE {new}), count(*) FILTER (WHERE ({old}) IS DISTINCT FROM ({new})) FROM p").fetchone()
    assert n == len(lists) ** 2 and diff == 0 and hits > 20
    assert differ > 0  # (nulls do differ: why the level compares them as truths, not as values)
