"""Merge each person's attributes from their records: {victim,offender}_persons and _conflicts.

The rules come from config (``merge``): majority (ties by source priority, then alphabetical),
precedence (a stated order), max, or the value on the record that has a date of birth; a rule
may hold ``within`` the value chosen for another field, and ``combine`` known values into one.
Where the records disagree, the values and how the one kept was chosen go to _conflicts.
All of it is SQL on the store connection."""

from __future__ import annotations

from ..store import sql_literal
from .features import _sql_list, one_thread
from .settings import KINDS, FieldRule, LinkageConfig


def _merge_max(con, fld: str) -> None:
    """The largest value; a conflict when the records hold more than one."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS SELECT person_id, max({fld}) AS value "
                f"FROM _lk_recs GROUP BY person_id")
    con.execute(f"""INSERT INTO _lk_conflicts
        SELECT person_id, '{fld}', list_sort(list_distinct(list(CAST({fld} AS VARCHAR)))),
               CAST(max({fld}) AS VARCHAR), 'max'
        FROM _lk_recs WHERE {fld} IS NOT NULL GROUP BY person_id HAVING count(DISTINCT {fld}) > 1""")


def _merge_from_dob_record(con, fld: str) -> None:
    """The value on the record with a date of birth (then with the value, earliest case, smallest id)."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS
        SELECT person_id, arg_min({fld}, (dob IS NULL, {fld} IS NULL, coalesce(case_date, DATE '9999-12-31'),
               record_id)) AS value
        FROM _lk_recs GROUP BY person_id""")


def _merge_ranked(con, fld: str, rule: FieldRule, typ: str, unk: str) -> None:
    """majority or precedence: known values first, ranked; ``combine`` and ``within`` as configured."""
    within = ""
    if rule.within:
        within = (f"JOIN _lk_f_{rule.within} w ON w.person_id = r.person_id "
                  f"AND CAST(r.{rule.within} AS VARCHAR) = CAST(w.value AS VARCHAR)")
    if rule.rule == "precedence":
        order = f"coalesce(list_position({_sql_list(rule.order)}, val), 9999)"
    else:
        order = "n DESC, pr"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_v AS
        SELECT *, row_number() OVER w AS rn, lead(n) OVER w AS n2, lead(pr) OVER w AS pr2,
               lead(known) OVER w AS known2
        FROM (SELECT r.person_id, CAST(r.{fld} AS VARCHAR) AS val, count(*) AS n, min(r.src_rank) AS pr,
                     CAST(r.{fld} AS VARCHAR) NOT IN (SELECT unnest({unk})) AS known
              FROM _lk_recs r {within} WHERE r.{fld} IS NOT NULL GROUP BY ALL)
        WINDOW w AS (PARTITION BY person_id ORDER BY known DESC, {order}, val)""")
    how = ("'precedence'" if rule.rule == "precedence" else
           "CASE WHEN n > n2 THEN 'majority' WHEN pr < pr2 THEN 'source_priority' ELSE 'alphabetical' END")
    combine = ""
    for target, parts in rule.combine.items():
        combine += f"WHEN list_has_all(kv.vals, {_sql_list(parts)}) THEN {sql_literal(target)} "
    chosen = f"CASE {combine} ELSE v.val END" if combine else "v.val"
    how_c = how
    if combine:
        how_c = "CASE " + " ".join(
            f"WHEN list_has_all(kv.vals, {_sql_list(parts)}) THEN 'combine'" for parts in rule.combine.values()
        ) + f" ELSE {how} END"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS
        WITH kv AS (SELECT person_id, list_sort(list(val)) AS vals FROM _lk_v WHERE known GROUP BY person_id)
        SELECT v.person_id, TRY_CAST({chosen} AS {typ}) AS value,
               CASE WHEN v.known2 THEN {how_c} END AS resolved_by, kv.vals
        FROM _lk_v v LEFT JOIN kv USING (person_id) WHERE v.rn = 1""")
    con.execute(f"""INSERT INTO _lk_conflicts
        SELECT person_id, '{fld}', vals, CAST(value AS VARCHAR), resolved_by
        FROM _lk_f_{fld} WHERE resolved_by IS NOT NULL""")


def _merge_persons(con, kind: str, cfg: LinkageConfig) -> int:
    """Create {k}_persons and {k}_conflicts from {k}_links and the current records."""
    # some thirty small queries (a group-by or a window over one row per person and value)
    with one_thread(con):
        return _merge(con, kind, cfg)


def _merge(con, kind: str, cfg: LinkageConfig) -> int:
    """Most persons hold one record (68k of the 83k victims at 100k): their attributes are their
    record's, found in one pass (_single_record_values), and the group-bys and windows of each
    field's rule run over the persons of several records only (a third of the rows; both kinds
    at 100k 3.3-3.6 -> 2.4-2.6 CPU-s, BENCHMARKS.md session 16). Both give what the rules give a
    person of one record: tests/test_merge_single.py compares them on every rule."""
    k = KINDS[kind]
    rules = cfg.merge[kind]
    cols = {name: typ for name, typ, *_ in con.execute(f"DESCRIBE current_{kind}").fetchall()}
    merged = [f for f in rules if f in cols]
    prio = " ".join(f"WHEN {sql_literal(s)} THEN {i}" for i, s in enumerate(cfg.source_priority))
    unk = _sql_list(cfg.unknown_values)
    # only the columns the rules read (all of them: a third of a second more at 100k)
    used = ", ".join(f"r.{c}" for c in cols if c in {"record_id", "agency_id", "source_type", "dob", "case_date",
                                                      *merged})
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_multi AS SELECT person_id FROM {k}_links "
                f"GROUP BY person_id HAVING count(*) > 1")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_recs AS
        SELECT l.person_id, {used}, CASE r.source_type {prio} ELSE {len(cfg.source_priority)} END AS src_rank
        FROM current_{kind} r JOIN {k}_links l USING (record_id) SEMI JOIN _lk_multi m USING (person_id)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_persons AS
        SELECT person_id, count(*) AS n_records, count(DISTINCT agency_id) AS n_agencies,
               list_sort(list_distinct(list(agency_id))) AS agencies,
               list_sort(list_distinct(list(source_type))) AS source_types
        FROM _lk_recs GROUP BY person_id""")
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_conflicts (person_id VARCHAR, field VARCHAR, "
                "\"values\" VARCHAR[], chosen VARCHAR, resolved_by VARCHAR)")
    for fld in merged:
        rule = rules[fld]
        if rule.rule == "max":
            _merge_max(con, fld)
        elif rule.rule == "from_dob_record":
            _merge_from_dob_record(con, fld)
        else:
            _merge_ranked(con, fld, rule, cols[fld], unk)
    select = ", ".join([f"p.{c}" for c in ("person_id", "n_records", "n_agencies", "agencies", "source_types")]
                       + [f"f_{f}.value AS {f}" for f in merged])
    joins = " ".join(f"LEFT JOIN _lk_f_{f} f_{f} ON f_{f}.person_id = p.person_id" for f in merged)
    single = _single_record_values(merged, rules, cols, unk)
    con.execute(f"CREATE OR REPLACE TABLE {k}_persons AS "
                f"SELECT * FROM (SELECT {select} FROM _lk_persons p {joins}) "
                f"UNION ALL BY NAME (SELECT {single} FROM current_{kind} r JOIN {k}_links l USING (record_id) "
                f"ANTI JOIN _lk_multi m USING (person_id)) "
                f"ORDER BY person_id")
    con.execute(f"CREATE OR REPLACE TABLE {k}_conflicts AS SELECT * FROM _lk_conflicts ORDER BY person_id, field")
    n_conflicts = con.execute(f"SELECT count(*) FROM {k}_conflicts").fetchone()[0]
    for t in ["_lk_multi", "_lk_recs", "_lk_persons", "_lk_conflicts", "_lk_v", *[f"_lk_f_{f}" for f in rules]]:
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n_conflicts)


def _single_record_values(merged: list[str], rules: dict[str, FieldRule], cols: dict[str, str], unk: str) -> str:
    """The select list of a person of one record (over a record ``r`` and its link ``l``): what
    each rule gives when there is one record to choose from, typed as the rule's own table types it. max and
    from_dob_record: the value. majority and precedence: the value as text cast back to the
    column's type, none when it is missing or when its ``within`` field's value is not the
    record's own (as the join there), ``combine`` when the value is known and alone makes one of
    the combinations. A person of one record has no conflict."""
    value: dict[str, str] = {}
    for fld in merged:
        rule = rules[fld]
        if rule.rule in ("max", "from_dob_record"):
            value[fld] = f"r.{fld}"
            continue
        val = f"CAST(r.{fld} AS VARCHAR)"
        known = f"(NOT list_contains({unk}, {val}))"  # (only read where the value is there)
        chosen = val
        if rule.combine:
            whens = " ".join(f"WHEN {known} AND list_has_all([{val}], {_sql_list(parts)}) THEN {sql_literal(target)}"
                             for target, parts in rule.combine.items())
            chosen = f"CASE {whens} ELSE {val} END"
        cond = f"r.{fld} IS NOT NULL"
        if rule.within:
            if rule.within not in value:  # (settings: a field merged before; here also a column)
                raise ValueError(f"merge: {fld}'s 'within' field is not a column of the records")
            cond += f" AND CAST(r.{rule.within} AS VARCHAR) = CAST({value[rule.within]} AS VARCHAR)"
        value[fld] = f"CASE WHEN {cond} THEN TRY_CAST({chosen} AS {cols[fld]}) END"
    return ", ".join(
        ["l.person_id", "CAST(1 AS BIGINT) AS n_records", "CAST(r.agency_id IS NOT NULL AS BIGINT) AS n_agencies"]
        + ["CASE WHEN r.agency_id IS NULL THEN []::VARCHAR[] ELSE [r.agency_id] END AS agencies",
           "CASE WHEN r.source_type IS NULL THEN []::VARCHAR[] ELSE [r.source_type] END AS source_types"]
        + [f"{value[f]} AS {f}" for f in merged])
