"""Comparison features: the current records of a kind, read with SQL on the store and turned
into the columns Splink compares (cleaned names, initials, Soundex, nickname groups, date of
birth parts, age windows, force area), handed over as an Arrow table.

Separate because it is the only place that reads records for the model, and it does not
depend on the engine."""

from __future__ import annotations

import contextlib
import logging

import duckdb
import pandas as pd

from ..store import sql_literal
from .names import fold_sql, soundex
from .settings import LinkageConfig

log = logging.getLogger(__name__)


@contextlib.contextmanager
def one_thread(con):
    """Run a step's statements on one DuckDB thread, then restore the setting. For queries over
    one row per record or person (100k rows, well under a second each), a second thread mostly
    splits and recombines hash tables: at 100k the features and the merge of persons took 1.3-2x
    the CPU on two threads for no less wall time on the shared two-core machine (BENCHMARKS.md,
    session 9). Splink's own queries (u, EM, predict) keep the engine's threads."""
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _sql_list(values) -> str:
    return "[" + ", ".join(sql_literal(v) for v in values) + "]"


# An agency's references are person references unless most of the references its records share
# join records that cannot be one person: another sex, both initials different, births more than
# a year apart, or two ages that differ at one case date. A case number (siblings in one case) or
# a row number (two returns numbering their rows) mapped into record_ref fails this at once, and
# then the agency's references are neither compared nor lift the within-return guard; a person
# reference with the odd typo (FEBRL's: 10 % of shared references join births years apart) does
# not. Constant SQL.
_SHARED_BY_OTHERS = """
    WITH shared AS (
      SELECT agency, ref, (count(DISTINCT sex) > 1 OR (count(DISTINCT fi) > 1 AND count(DISTINCT si) > 1)
                           OR max(bd_lo) - min(bd_hi) > 366) AS apart
      FROM _lk_base WHERE ref IS NOT NULL GROUP BY agency, ref HAVING count(*) > 1),
    ages AS (
      SELECT DISTINCT agency, ref FROM _lk_base
      WHERE ref IS NOT NULL AND case_y IS NOT NULL AND dob IS NULL AND age IS NOT NULL
      GROUP BY agency, ref, case_y, case_md HAVING max(bd_lo) > min(bd_hi))
    SELECT s.agency FROM shared s LEFT JOIN ages a ON a.agency = s.agency AND a.ref = s.ref
    GROUP BY s.agency HAVING 2 * count(*) FILTER (WHERE s.apart OR a.ref IS NOT NULL) > count(*)"""


def _drop_shared_references(con) -> None:
    n = con.execute(f"SELECT count(*) FROM ({_SHARED_BY_OTHERS})").fetchone()[0]
    if n:
        con.execute(f"UPDATE _lk_base SET ref = NULL WHERE agency IN ({_SHARED_BY_OTHERS})")
        log.info("person references not compared for %d agency(ies): a reference of theirs is shared by "
                 "records of different people (case or row numbers?)", n)


# An agency whose dates of birth fall on 1 January far more often than birthdays do (1 in 365)
# writes 1 January for "born that year, day unknown": its 1 January dates are a year, compared as
# an interval of birth dates (dated to the year), not as a date one or two parts away from the
# child's real one. At least this many such dates, and this share of the agency's dates (7 times
# the natural rate). Constant SQL.
PLACEHOLDER_MIN, PLACEHOLDER_SHARE = 3, 0.02
_JAN_FIRST_AGENCIES = f"""
    SELECT agency FROM _lk_base WHERE dob IS NOT NULL GROUP BY agency
    HAVING count(*) FILTER (WHERE dob_m = 1 AND dob_d = 1) >= {PLACEHOLDER_MIN}
       AND count(*) FILTER (WHERE dob_m = 1 AND dob_d = 1) > {PLACEHOLDER_SHARE} * count(*)"""


def _year_only_placeholders(con) -> None:
    n = con.execute(f"SELECT count(*) FROM ({_JAN_FIRST_AGENCIES})").fetchone()[0]
    if n:
        con.execute(f"""UPDATE _lk_base SET
            bd_lo = CAST(date_diff('day', DATE '1970-01-01', make_date(dob_y, 1, 1)) AS INTEGER),
            bd_hi = CAST(date_diff('day', DATE '1970-01-01', make_date(dob_y, 12, 31)) AS INTEGER),
            dob = NULL, dob_m = NULL, dob_d = NULL, dob_md = NULL
            WHERE dob_m = 1 AND dob_d = 1 AND agency IN ({_JAN_FIRST_AGENCIES})""")
        log.info("1 January dates of birth read as a year only for %d agency(ies): far more of their dates "
                 "fall on 1 January than birthdays do", n)


# A return (a sheet of it) whose forename column holds surnames and whose surname column holds
# forenames ("SMITH | Jane" mapped the wrong way round, or a layout that puts the surname first):
# its names are read the other way round. A name is a forename for a return when other returns
# give it as a forename and never as a surname (and the other way round); a sheet is swapped when
# at least SWAP_MIN of its names read the other way round and SWAP_RATIO times as many as read the
# right way. The comparisons' swapped level only finds exact swaps: a sheet's surnames of two
# words ("Le Mesurier" in the forename column) or a typo on top were never found (session 12: a
# held-out council's every row). Constant SQL over one of two view names.
SWAP_MIN, SWAP_RATIO = 10, 4
_SWAPPED = """
    WITH named AS (
      SELECT return_id, sheet, regexp_replace(lower(strip_accents(coalesce(forename, ''))), '[^a-z]', '', 'g') AS f,
             regexp_replace(lower(strip_accents(coalesce(surname, ''))), '[^a-z]', '', 'g') AS s
      FROM {view}),
    rows AS (SELECT * FROM named WHERE length(f) > 1 AND length(s) > 1),
    uses AS (SELECT DISTINCT return_id, f AS name, 'f' AS col FROM rows
             UNION SELECT DISTINCT return_id, s AS name, 's' AS col FROM rows),
    total AS (SELECT name, count(*) FILTER (WHERE col = 'f') AS nf, count(*) FILTER (WHERE col = 's') AS ns
              FROM uses GROUP BY name),
    -- per return and name: how many OTHER returns give it as a forename / as a surname
    others AS (SELECT u.return_id, u.name, t.nf - count(*) FILTER (WHERE u.col = 'f') AS of,
                      t.ns - count(*) FILTER (WHERE u.col = 's') AS os
               FROM uses u JOIN total t USING (name) GROUP BY u.return_id, u.name, t.nf, t.ns),
    scored AS (
      SELECT r.return_id, r.sheet,
        count(*) FILTER (WHERE a.of > 0 AND a.os = 0) + count(*) FILTER (WHERE b.os > 0 AND b.of = 0) AS right_way,
        count(*) FILTER (WHERE a.os > 0 AND a.of = 0) + count(*) FILTER (WHERE b.of > 0 AND b.os = 0) AS swapped
      FROM rows r JOIN others a ON a.return_id = r.return_id AND a.name = r.f
                  JOIN others b ON b.return_id = r.return_id AND b.name = r.s
      GROUP BY r.return_id, r.sheet)
    SELECT return_id, sheet FROM scored WHERE swapped >= {min} AND swapped > {ratio} * right_way"""
_SWAPPED = fold_sql(_SWAPPED)


def _swapped_sheets(con, view: str, table: str) -> int:
    """``table``: the (return_id, sheet) whose names read the other way round; their number.

    Each kind's features read both views' swapped sheets (its own records', and the other kind's
    for the associates), so a link of both kinds asked four times for two answers (0.1-0.2 s each
    at 100k). The answer is kept on the connection (temporary tables, gone with it) with a hash
    of every name it reads, and given again while that hash is the same."""
    seen = "_lk_swapped_seen"  # (view, names' hash) -> the kept table; constant names below
    kept = f"_lk_swapped_kept_{view}"
    names = con.execute(f"SELECT count(*), sum(hash(return_id, sheet, forename, surname)) FROM {view}").fetchone()
    digest = f"{names[0]}:{names[1]}"
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {seen} (view VARCHAR, digest VARCHAR)")
    if not con.execute(f"SELECT count(*) FROM {seen} WHERE view = ? AND digest = ?", [view, digest]).fetchone()[0]:
        con.execute(f"DELETE FROM {seen} WHERE view = ?", [view])
        con.execute(f"CREATE OR REPLACE TEMP TABLE {kept} AS "
                    f"{_SWAPPED.format(view=view, min=int(SWAP_MIN), ratio=int(SWAP_RATIO))}")
        con.execute(f"INSERT INTO {seen} VALUES (?, ?)", [view, digest])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {kept}")
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _names_read_right(view: str, table: str) -> str:
    """The records of ``view`` with forename and surname exchanged on the sheets in ``table``."""
    return (f"(SELECT v.* REPLACE (CASE WHEN w.return_id IS NULL THEN v.forename ELSE v.surname END AS forename, "
            f"CASE WHEN w.return_id IS NULL THEN v.surname ELSE v.forename END AS surname) "
            f"FROM {view} v LEFT JOIN {table} w ON w.return_id = v.return_id AND w.sheet IS NOT DISTINCT FROM v.sheet)")


# The people named on a record's case in the same return: for a victim, the offenders; for an
# offender, the victims (a case is its return's case_ref). Each by a hash of the full name, cleaned
# as the records' own fn / sn are (first forename, letters only; unknown names and single letters
# are no name), so "shares someone" is a list intersection on integers. A child reported by the
# police and by a council is often listed with the same offender by both; two children seldom are
# (issue 16: +11 bits on held-out returns). Only full names: a forename alone is too common.
OTHER_KIND = {"victims": "offenders", "offenders": "victims"}
# the victims (offenders) on each case by their names
_NAMED_BY_NAME = """
    c AS (
      SELECT return_id, case_ref, fn_text, split_part(trim(regexp_replace(fn_text, '\\s+', ' ', 'g')), ' ', 1) AS fn,
        regexp_replace(lower(strip_accents(coalesce(surname, ''))), '[^a-z]', '', 'g') AS sn
      FROM (SELECT return_id, case_ref, surname, regexp_replace(regexp_replace(lower(strip_accents(
                     coalesce(forename, ''))), '[-_.,/]', ' ', 'g'), '[^a-z ]', '', 'g') AS fn_text
            FROM {view} WHERE case_ref IS NOT NULL)),
    named AS (
      SELECT DISTINCT return_id, case_ref, CAST(hash(fn || ' ' || sn) >> 1 AS BIGINT) AS h
      FROM c WHERE length(fn) > 1 AND length(sn) > 1 AND fn NOT IN (SELECT unnest({unk}))
        AND replace(fn_text, ' ', '') NOT IN (SELECT unnest({unk})) AND sn NOT IN (SELECT unnest({unk}))
        -- "Not known", "Not given": the whole name is an unknown name; "Asian Male", "Mr Smith",
        -- "Unidentified Male", "Suspect One": a part describes someone instead of naming him
        AND replace(fn_text, ' ', '') || sn NOT IN (SELECT unnest({unk}))
        AND fn NOT IN (SELECT unnest({words})) AND sn NOT IN (SELECT unnest({words}))),"""
_NAMED_BY_NAME = fold_sql(_NAMED_BY_NAME)
_ASSOCIATES = """
    WITH {named}
    own AS (SELECT return_id, case_ref, count(*) AS n FROM {own} WHERE case_ref IS NOT NULL GROUP BY ALL),
    -- how many of the record's own kind its return lists with each name (on all its cases): an
    -- operation's list on every child's case, or one case of many children, says nothing of which
    -- child (two different children of it "share" the whole list), nor a child's name of which man
    wide AS (SELECT x.return_id, x.h FROM named x JOIN own o USING (return_id, case_ref)
             GROUP BY ALL HAVING sum(o.n) > {most})
    SELECT return_id, case_ref, list(h ORDER BY h) AS assoc FROM named x
    WHERE NOT EXISTS (SELECT 1 FROM wide w WHERE w.return_id = x.return_id AND w.h = x.h)
    GROUP BY return_id, case_ref"""


# An offender's associates are the victims on his case. Once the victims are linked on the current
# returns (a link of both kinds links them first), each is the child it was found to be, not her
# name as this return spells it: "Becky Smith" in a council's referral and "Rebecca Smith" in a
# force's crime are one girl, and the men both list beside her share her. By names alone, 36 % of
# one held-out world's pairs of one man's records from two agencies, each listing the same child,
# shared no name (bench/heldout3, session 15). Links on the current returns hold every current
# victim record, so each victim on a case is there as her person.
_NAMED_BY_PERSON = """named AS (
      SELECT DISTINCT v.return_id, v.case_ref, CAST(hash(k.person_id) >> 1 AS BIGINT) AS h
      FROM current_victims v JOIN victim_links k USING (record_id) WHERE v.case_ref IS NOT NULL),"""


def _victims_linked(con) -> bool:
    """The victims' links were built on the store's current returns (store.stale_link_kinds)."""
    from .. import store

    return "victims" not in store.stale_link_kinds(con)


def _associates(con, kind: str, cfg: LinkageConfig) -> None:
    """_lk_assoc: per case (return_id, case_ref), the hashed full names of the other kind's
    records on it; for offenders, the victims' persons when the victims are linked (_NAMED_BY_PERSON).
    Empty when the associates are not compared (then every record's is null)."""
    if "associates" not in cfg.comparisons:
        con.execute("CREATE OR REPLACE TEMP TABLE _lk_assoc (return_id INTEGER, case_ref VARCHAR, assoc BIGINT[])")
        return
    # the views' names are constants; names through sql_literal, most_listed a validated integer
    c = cfg.comparisons["associates"]
    other = f"current_{OTHER_KIND[kind]}"
    if kind == "offenders" and _victims_linked(con):
        named = _NAMED_BY_PERSON  # the victims' names are not read (nor their swapped sheets)
    else:
        _swapped_sheets(con, other, "_lk_swapped_other")
        named = _NAMED_BY_NAME.format(view=_names_read_right(other, "_lk_swapped_other"),
                                      unk=_sql_list(sorted(cfg.unknown_names) or [""]),
                                      words=_sql_list(sorted(c.not_names) or [""]))
    sql = _ASSOCIATES.format(named=named, own=f"current_{kind}", most=int(c.most_listed))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_assoc AS {sql}")
    con.execute("DROP TABLE IF EXISTS _lk_swapped_other")


def has_aliases(features) -> bool:
    """Whether some record of a features table carries an alias (the names/alias level is then
    compared: comparisons._comparisons)."""
    return "aliases" in features.column_names and features.column("aliases").null_count < features.num_rows


def _school_start(date_sql: str) -> str:
    """SQL: the calendar year in which the school year holding the date began (1 September)."""
    return f"(year({date_sql}) - CASE WHEN month({date_sql}) < 9 THEN 1 ELSE 0 END)"


def _features(con: duckdb.DuckDBPyConnection, kind: str, cfg: LinkageConfig):
    """Read the current records of ``kind`` and derive the comparison features, as Arrow.

    unique_id is the 0-based position in record_id order, so the same records always get
    the same ids (deterministic blocking, training and clustering)."""
    with one_thread(con):
        return _read_features(con, kind, cfg)


def _read_features(con: duckdb.DuckDBPyConnection, kind: str, cfg: LinkageConfig):
    """_features, on one thread. Long because it is one SQL statement building every comparison
    column in one pass over the records (names, initials, dates and birth-date intervals, areas),
    then the lookups joined."""
    view = f"current_{kind}"
    unk_names = _sql_list(sorted(cfg.unknown_names) or [""])
    unk = _sql_list(cfg.unknown_values)
    # validated dates (settings), still written through sql_literal like every config value
    p_from, p_to = (f"CAST({sql_literal(d.isoformat())} AS DATE)" for d in cfg.reference_period)
    # a store made before the alias field, opened read only (evaluate, explain), has no such column
    columns = {d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description}
    alias = "alias" if "alias" in columns else "CAST(NULL AS VARCHAR)"
    school_year = "school_year" if "school_year" in columns else "CAST(NULL AS INTEGER)"
    base = f"""
    WITH r AS (
      -- a person reference compared as letters and digits (N-700123 = n700123), without leading
      -- zeros (00700123 = 700123: a number cell drops the zeros a text cell keeps)
      SELECT record_id, return_id, agency_id, source_type, case_ref,
        nullif(ltrim(regexp_replace(upper(coalesce(record_ref, '')), '[^A-Z0-9]', '', 'g'), '0'), '') AS ref,
        regexp_replace(regexp_replace(lower(strip_accents(coalesce(forename, ''))), '[-_.,/]', ' ', 'g'),
                       '[^a-z ]', '', 'g') AS fn_text,
        regexp_replace(lower(strip_accents(coalesce(surname, ''))), '[^a-z]', '', 'g') AS sn0,
        list_filter(string_split(regexp_replace(lower(strip_accents(coalesce(surname, ''))), '[^a-z]+', ' ', 'g'),
                                 ' '), x -> length(x) > 1) AS sn_split,
        regexp_replace(upper(strip_accents(coalesce(initials, ''))), '[^A-Z]', '', 'g') AS ini,
        -- other names the person goes by (ingest joins them with " / "), each as a forename is
        -- cleaned (letters only; unknown names and single letters are none)
        list_filter(list_transform(string_split(coalesce({alias}, ''), '/'),
                                   x -> regexp_replace(lower(strip_accents(x)), '[^a-z]', '', 'g')),
                    x -> length(x) > 1 AND NOT list_contains({unk_names}, x)) AS alias_list,
        dob, age, age_max, {school_year} AS school_year, case_date, sex, ethnicity, area
      FROM {_names_read_right(view, "_lk_swapped")}
    ), r2 AS (
      SELECT *, split_part(trim(regexp_replace(fn_text, '\\s+', ' ', 'g')), ' ', 1) AS fn0 FROM r
    ), r3 AS (
      SELECT *,
        -- "Not known" is "notknown" (unknown_names are without non-letters), not the forename "not"
        CASE WHEN length(fn0) > 1 AND fn0 NOT IN (SELECT unnest({unk_names}))
                  AND replace(fn_text, ' ', '') NOT IN (SELECT unnest({unk_names})) THEN fn0 END AS fn,
        CASE WHEN length(sn0) > 1 AND sn0 NOT IN (SELECT unnest({unk_names})) THEN sn0 END AS sn
      FROM r2
    )
    , r4 AS (
      -- an age bounds the date of birth: at the case date, else within the return's reference
      -- period (the call for data's period, or the agency's own): born in [lo, hi]. An age band
      -- is [age, age_max] (age_max NULL for an exact age), so its interval is wider. A school year
      -- is no band: Year N holds the pupils born from 1 September to 31 August of one year (N + 4
      -- on the 31 August before the school year the date falls in), so it bounds the birth to that
      -- academic year (over the period's school years without a case date), where its band (N + 4
      -- to N + 5 at the date) gave two years and took the pair for an undated age
      SELECT r3.*,
        CASE WHEN school_year IS NULL
             THEN CAST(coalesce(r3.case_date, pf.p_from, {p_from}) - to_years(coalesce(age_max, age) + 1)
                       + INTERVAL 1 DAY AS DATE)
             ELSE make_date({_school_start("coalesce(r3.case_date, pf.p_from, " + p_from + ")")} - school_year - 5, 9, 1)
        END AS age_lo,
        CASE WHEN school_year IS NULL THEN CAST(coalesce(r3.case_date, pf.p_to, {p_to}) - to_years(age) AS DATE)
             ELSE make_date({_school_start("coalesce(r3.case_date, pf.p_to, " + p_to + ")")} - school_year - 4, 8, 31)
        END AS age_hi
      FROM r3 LEFT JOIN _lk_periods pf ON pf.agency_id = r3.agency_id
    ), full_names AS (
      -- records with this full name, a return's rows of one birth year counting once (a police
      -- return lists a child once per crime): a pair sharing a name few records share is seldom
      -- two people, and the names' EM session must not lose every child with a row per crime.
      -- Grouped, then joined: the same count as a window's count(DISTINCT) over (fn, sn), which
      -- took 0.3 of the 0.7 s of this statement at 100k (BENCHMARKS.md, session 14)
      SELECT fn AS full_fn, sn AS full_sn,
             count(DISTINCT coalesce(return_id || ':' || CAST(year(coalesce(dob, age_hi)) AS VARCHAR), record_id))
               AS full_n
      FROM r4 WHERE fn IS NOT NULL AND sn IS NOT NULL GROUP BY fn, sn
    )
    SELECT CAST(row_number() OVER (ORDER BY record_id) - 1 AS BIGINT) AS unique_id, record_id,
      return_id, agency_id AS agency, ref, case_ref,
      fn, sn,
      -- NULL, not [NULL], without a surname: Spark's array_intersect([null], [null]) is [null],
      -- one element, so every initials-only pair was a shared surname part there
      CASE WHEN sn IS NULL THEN NULL WHEN len(sn_split) > 1 THEN sn_split ELSE [sn] END AS sn_parts,
      (sn IS NOT NULL AND len(sn_split) > 1) AS sn_barrel,
      coalesce(left(fn, 1), nullif(lower(left(ini, 1)), ''),
               CASE WHEN length(fn0) = 1 AND fn0 NOT IN (SELECT unnest({unk_names})) THEN fn0 END) AS fi,
      coalesce(left(sn, 1), CASE WHEN length(ini) >= 2 THEN lower(right(ini, 1)) END) AS si,
      left(sn, 2) AS sn2,
      dob, year(dob) AS dob_y, month(dob) AS dob_m, day(dob) AS dob_d,
      month(dob) * 100 + day(dob) AS dob_md,
      year(case_date) AS case_y, month(case_date) * 100 + day(case_date) AS case_md,
      CAST(date_diff('day', DATE '1970-01-01', coalesce(dob, age_lo)) AS INTEGER) AS bd_lo,
      CAST(date_diff('day', DATE '1970-01-01', coalesce(dob, age_hi)) AS INTEGER) AS bd_hi,
      age, year(case_date) - age AS yob,
      year(case_date) + (dayofyear(case_date) - 1) / 366.0 - age AS born_by,
      CASE WHEN sex IS NULL OR sex IN (SELECT unnest({unk})) THEN NULL ELSE sex END AS sex,
      CASE WHEN ethnicity IS NULL OR ethnicity IN (SELECT unnest({unk})) THEN NULL ELSE ethnicity END
        AS ethnicity,
      CASE WHEN area IS NULL OR trim(area) = '' OR area IN (SELECT unnest({unk})) THEN NULL
           ELSE lower(trim(area)) END AS area,
      -- NULL, not [], without one: Splink reads a null list as nothing to compare
      CASE WHEN len(alias_list) > 0 THEN alias_list END AS aliases,
      -- the first alias, for the blocking rules that pair a street name with a forename
      CASE WHEN len(alias_list) > 0 THEN alias_list[1] END AS alias_key,
      (fn IS NULL OR sn IS NULL) AS names_missing,
      full_n  -- (no row for a record without a full name: NULL)
    FROM r4 LEFT JOIN full_names ON full_fn = fn AND full_sn = sn
    """
    periods = pd.DataFrame({
        "agency_id": pd.Series(list(cfg.agency_periods), dtype=object),
        "p_from": pd.Series([p[0] for p in cfg.agency_periods.values()], dtype="datetime64[s]"),
        "p_to": pd.Series([p[1] for p in cfg.agency_periods.values()], dtype="datetime64[s]")})
    swapped = _swapped_sheets(con, view, "_lk_swapped")
    if swapped:
        log.info("%s: names read the other way round on %d sheet(s): their forename column holds what other "
                 "returns give as surnames, and their surname column forenames", kind, swapped)
    con.register("_lk_periods", periods)
    try:
        # the period's dates are validated dates (settings), written through sql_literal
        con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_base AS {fold_sql(base)}")
    finally:
        con.unregister("_lk_periods")
        con.execute("DROP TABLE IF EXISTS _lk_swapped")
    _drop_shared_references(con)
    _year_only_placeholders(con)
    names = [n for (n,) in con.execute(
        "SELECT DISTINCT fn FROM _lk_base WHERE fn IS NOT NULL UNION "
        "SELECT DISTINCT sn FROM _lk_base WHERE sn IS NOT NULL UNION "
        "SELECT DISTINCT unnest(aliases) FROM _lk_base WHERE aliases IS NOT NULL").fetchall()]
    lookup = pd.DataFrame({
        "name": pd.Series(names, dtype=object),
        "sx": pd.Series([soundex(n) for n in names], dtype=object),
        "nick": pd.Series([(cfg.nicknames.get(n) or (n,))[0] for n in names], dtype=object),
        "grp": pd.Series([list(cfg.nicknames[n]) if n in cfg.nicknames else None for n in names],
                         dtype=object),
    })
    areas = pd.DataFrame({"area": pd.Series(list(cfg.force_areas), dtype=object),
                          "force_area": pd.Series([v[0] for v in cfg.force_areas.values()], dtype=object),
                          "force_areas": pd.Series([list(v) for v in cfg.force_areas.values()], dtype=object)})
    spans = pd.DataFrame({"agency": pd.Series(list(cfg.agency_areas), dtype=object),
                          "area": pd.Series([v[0] for v in cfg.agency_areas.values()], dtype=object),
                          "force_areas": pd.Series([list(v[1]) for v in cfg.agency_areas.values()], dtype=object)})
    con.register("_lk_names", lookup)
    con.register("_lk_areas", areas)
    con.register("_lk_spans", spans)
    _associates(con, kind, cfg)
    try:
        # per record with aliases, their nickname groups (constant SQL)
        con.execute("""CREATE OR REPLACE TEMP TABLE _lk_alias_groups AS
            SELECT q.unique_id, flatten(list(n.grp ORDER BY q.i, n.name)) AS alias_groups
            FROM (SELECT unique_id, unnest(aliases) AS a, generate_subscripts(aliases, 1) AS i
                  FROM _lk_base WHERE aliases IS NOT NULL) q
            JOIN _lk_names n ON n.name = q.a WHERE n.grp IS NOT NULL GROUP BY q.unique_id""")
        table = con.sql("""
            SELECT b.* EXCLUDE (record_id, case_ref),
                   -- the record's case within its return, for the offenders' within-return guard (rules.guard_sql)
                   CASE WHEN b.case_ref IS NULL THEN NULL ELSE CAST(hash(b.return_id, b.case_ref) >> 1 AS BIGINT) END
                     AS case_key, x.assoc, b.fn AS assoc_fn, b.fi AS assoc_fi, b.sn AS assoc_sn,
                   CAST(f.grp AS VARCHAR[]) AS assoc_fn_groups, f.sx AS fn_sx, s.sx AS sn_sx, f.nick AS fn_nick,
                   CAST(f.grp AS VARCHAR[]) AS fn_groups, CAST(s.grp AS VARCHAR[]) AS sn_groups,
                   -- the nickname groups of the record's aliases (alias "Dave" is forename David's)
                   CAST(ag.alias_groups AS VARCHAR[]) AS alias_groups,
                   -- the force areas of a record's area; an agency spanning several forces puts
                   -- the records of its own area in each (settings.agency_areas)
                   CAST(CASE WHEN b.area IS NULL THEN NULL ELSE coalesce(g.force_areas[1], a.force_area, b.area) END
                        AS VARCHAR) AS region,
                   CAST(CASE WHEN b.area IS NULL THEN NULL ELSE coalesce(g.force_areas, a.force_areas, [b.area]) END
                        AS VARCHAR[]) AS regions
            FROM _lk_base b
            LEFT JOIN _lk_names f ON f.name = b.fn
            LEFT JOIN _lk_names s ON s.name = b.sn
            LEFT JOIN _lk_areas a ON a.area = b.area
            LEFT JOIN _lk_spans g ON g.agency = b.agency AND g.area = b.area
            LEFT JOIN _lk_assoc x ON x.return_id = b.return_id AND x.case_ref = b.case_ref
            LEFT JOIN _lk_alias_groups ag ON ag.unique_id = b.unique_id
            ORDER BY b.unique_id""").to_arrow_table()
        ids = con.sql("SELECT record_id, unique_id FROM _lk_base ORDER BY unique_id").to_arrow_table()
    finally:
        con.unregister("_lk_names")
        con.unregister("_lk_areas")
        con.unregister("_lk_spans")
        con.execute("DROP TABLE IF EXISTS _lk_base")
        con.execute("DROP TABLE IF EXISTS _lk_assoc")
        con.execute("DROP TABLE IF EXISTS _lk_alias_groups")
    return table, ids.column("record_id").to_pylist()
