"""The store side of the tables: one relation of people per kind (`_Kind`) and the shared context (`_Context`).

All SQL against the store is here: which records are current and in the period, who each record's
person is (through the linkage results), and the per-person relation the tables count from.
Separate because it is the one part that knows the store's schema and the linkage shortcuts.
Also the shape of a table and a sub-table dict (`_table`, `_sub`), which every table builder uses.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..store import sql_literal as _literal
from .counting import _category_code_sql, _n
from .definitions import (
    _OFFENDER_FIELDS,
    _VICTIM_FIELDS,
    ETHNICITY,
    MARKER_KEY,
    SOURCE_TYPES,
    UNKNOWN,
    load_registry,
)
from .period import _period_sql, period_json, period_text

# --------------------------------------------------------------------------- store access
#
# The counting is done by DuckDB, over one relation per kind with a row per person: their fields,
# number of distinct agencies and source types. Right after `link run` (and with no period) that
# is the persons table as it is. Otherwise it is a temporary table (dropped when build_tables
# ends) built in one statement from the records' person keys alone, the people's fields joined
# once per person, not once per record (at a million records the per-record version cost two
# thirds of the time). Python only sees grouped counts.

_TEMP = "_cse_tables"  # prefix of the temporary tables


def _relations(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _columns(con, name: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns"
                       f" WHERE table_name = {_literal(name)}")
    return [r[0] for r in rows.fetchall()]



class _Kind:
    """Records of one kind (victims or offenders) in the period, and the people they belong to.

    A record's person is its linked person (`*_links`, the smallest person id if it has two), else
    `record:<record_id>`. A person's fields are their merged values when that person is in
    `*_persons`, else those of their first record in the period (by record_id).
    """

    def __init__(self, con, kind: str, fields: list[str], period, relations: set[str]):
        self.con, self.kind, self.period = con, kind, period
        self.fields = list(dict.fromkeys(fields))
        self.links, self.persons = f"{kind[:-1]}_links", f"{kind[:-1]}_persons"
        self.has_links = self.links in relations
        self.linkage_run = self.has_links and self.persons in relations
        self.table = f"{_TEMP}_{kind}_persons"
        rcols = set(_columns(con, kind))
        pcols = set(_columns(con, self.persons)) if self.linkage_run else set()
        pcols = pcols if "person_id" in pcols else set()
        # self.source: the people with a record in the period, one row each (a table or a subquery).
        # fresh: `link run` linked exactly the current returns (every record has one link).
        self.fresh = self._links_fresh(pcols)
        if self.fresh and period is None:
            self.source = self._persons_as_they_are(pcols)
        else:
            self.source = self._build_linked(pcols) if self.fresh else self._build(rcols, pcols)
        self._record_counts()

    def _links_fresh(self, pcols: set[str]) -> bool:
        """True when `link run` linked exactly the store's current returns: then every current record
        has one link, and the persons table already holds what the tables count for each person."""
        from ..store import CURRENT_RETURNS_SQL, get_meta, links_basis_key

        if not {"n_agencies", "source_types"} <= pcols:
            return False
        basis = get_meta(self.con, links_basis_key(self.kind))
        return basis is not None and basis == self.con.execute(CURRENT_RETURNS_SQL).fetchone()[0]

    def _persons_as_they_are(self, pcols: set[str]) -> str:
        """The persons table in the shape `_build` makes (no period: every person is counted)."""
        flags = [f"coalesce(list_contains(source_types, {_literal(s)}), FALSE) AS st_{s}" for s in SOURCE_TYPES]
        return (f"(SELECT rowid AS idx, CAST(person_id AS VARCHAR) AS person, n_agencies, {', '.join(flags)},"
                f" TRUE AS linked, {self._person_fields_sql(pcols)}, {', '.join(f'NULL AS r_{f}' for f in self.fields)}"
                f" FROM {self.persons} p)")

    @cached_property
    def _links_sql(self) -> str:
        """The links as (record_id, person_id), one row per record."""
        unique = self.con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = "
            f"{_literal(self.links)} AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
            " AND constraint_column_names = ['record_id']").fetchone()[0]
        if unique:  # written by `link run` with record_id as the key: nothing to deduplicate
            return f"SELECT record_id, CAST(person_id AS VARCHAR) AS person_id FROM {self.links}"
        # min(): one link per record is the contract; be deterministic if a store has two.
        return (f"SELECT record_id, min(CAST(person_id AS VARCHAR)) AS person_id FROM {self.links}"
                " GROUP BY record_id")

    def records_sql(self, *columns: str, person: bool = True, case_date: bool = True) -> str:
        """Every current record with the record `columns` asked for, its `person` and `unlinked`
        (when `person`), and its `case_date` (its own, else its case's, when `case_date`)."""
        select = [f"r.{c}" for c in dict.fromkeys(("record_id", *columns))]
        joins = ""
        if person:
            record_person = "'record:' || coalesce(CAST(r.record_id AS VARCHAR), 'None')"
            if self.has_links:
                joins += f" LEFT JOIN ({self._links_sql}) l ON l.record_id = r.record_id"
                select += [f"coalesce(l.person_id, {record_person}) AS person", "l.person_id IS NULL AS unlinked"]
            else:
                select += [f"{record_person} AS person", "TRUE AS unlinked"]
        if case_date:
            joins += (" LEFT JOIN (SELECT return_id, case_ref, min(case_date) AS case_date FROM current_cases"
                      " GROUP BY return_id, case_ref) c ON c.return_id = r.return_id AND c.case_ref = r.case_ref")
            select.append("coalesce(r.case_date, c.case_date) AS case_date")
        return f"SELECT {', '.join(select)} FROM current_{self.kind} r{joins}"

    def _in_period(self) -> str:
        return _period_sql(self.period, "case_date")

    def _per_person_sql(self) -> list[str]:
        """Each person's distinct agencies and source types, over their records (`rec`)."""
        return [
            "count(DISTINCT agency_id) + max(CASE WHEN agency_id IS NULL THEN 1 ELSE 0 END) AS n_agencies",
            *(f"bool_or(source_type = {_literal(s)}) AS st_{s}" for s in SOURCE_TYPES),
        ]

    def _person_fields_sql(self, pcols: set[str]) -> str:
        """p_<field>: the person's merged value from *_persons (alias p), NULL where it has none."""
        return ", ".join(f"p.{f} AS p_{f}" if f in pcols else f"NULL AS p_{f}" for f in self.fields)

    def _build(self, rcols: set[str], pcols: set[str]) -> str:
        """A temporary table of the people with a record in the period, from the records."""
        con, fields = self.con, self.fields
        dated = self.period is not None  # the case date matters only to pick the records in a period
        per_person = ["min(record_id) AS first_record", *self._per_person_sql()]
        linked = "p.person_id IS NOT NULL" if pcols else "FALSE"
        person_join = (f" LEFT JOIN {self.persons} p ON CAST(p.person_id AS VARCHAR) = g.person"
                       if pcols else "")
        # p_<field>: the person's merged value (used when linked); r_<field>: the first record's own
        # (when not). Only the records of people not in *_persons are looked up, by record_id.
        r_fields = [f for f in fields if f in rcols]
        r_select = [f"r.{f} AS r_{f}" if f in rcols else f"NULL AS r_{f}" for f in fields]
        stats = ["n_agencies", *(f"st_{s}" for s in SOURCE_TYPES)]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.table} AS"
            f" WITH rec AS (SELECT * FROM ({self.records_sql('agency_id', 'source_type', case_date=dated)})"
            f" WHERE {self._in_period()}),"
            f" g AS (SELECT person, {', '.join(per_person)} FROM rec GROUP BY person),"
            f" x AS (SELECT g.*, {linked} AS linked, {self._person_fields_sql(pcols)} FROM g{person_join}),"
            f" r AS (SELECT record_id{''.join(f', {f}' for f in r_fields)} FROM current_{self.kind}"
            f" WHERE record_id IN (SELECT first_record FROM x WHERE NOT linked))"
            f" SELECT x.person, {', '.join(f'x.{c}' for c in stats)}, x.linked,"
            f" {', '.join(f'x.p_{f}' for f in fields)}, {', '.join(r_select)}"
            f" FROM x LEFT JOIN r ON r.record_id = x.first_record"
        )
        return f"(SELECT rowid AS idx, * FROM {self.table})"

    def _build_linked(self, pcols: set[str]) -> str:
        """`_build` when the links are fresh: every record has a person in the persons table, so
        there is no first record to look up, only each person's agencies and source types among
        their records in the period."""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.table} AS"
            f" WITH rec AS (SELECT * FROM ({self.records_sql('agency_id', 'source_type')})"
            f" WHERE {self._in_period()}),"
            f" g AS (SELECT person, {', '.join(self._per_person_sql())} FROM rec GROUP BY person)"
            f" SELECT g.*, TRUE AS linked, {self._person_fields_sql(pcols)},"
            f" {', '.join(f'NULL AS r_{f}' for f in self.fields)}"
            f" FROM g JOIN {self.persons} p ON CAST(p.person_id AS VARCHAR) = g.person"
        )
        return f"(SELECT rowid AS idx, * FROM {self.table})"

    def _record_counts(self) -> None:
        """Records in the period by source type (other types under None), records with no case
        reference in the period, and over all current records: with no case date, with no link."""
        if self.period is None:
            # No case date is needed to count, except to find the undated: look those up alone.
            rows = self.con.execute(
                f"SELECT source_type, count(*), count(*) FILTER (WHERE {_no_case_sql()}),"
                f" count(*) FILTER (WHERE case_date IS NULL) FROM current_{self.kind} GROUP BY source_type"
            ).fetchall()
            if any(r[3] for r in rows):
                undated = self.con.execute(
                    f"SELECT count(*) FROM current_{self.kind} r WHERE r.case_date IS NULL AND NOT EXISTS"
                    f" (SELECT 1 FROM current_cases c WHERE c.return_id = r.return_id AND c.case_ref = r.case_ref"
                    f" AND c.case_date IS NOT NULL)").fetchone()[0]
                rows = [(*r[:3], 0) for r in rows] + [(None, 0, 0, undated)]
        else:
            in_period = self._in_period()
            rows = self.con.execute(
                f"SELECT source_type, count(*) FILTER (WHERE {in_period}),"
                f" count(*) FILTER (WHERE {in_period} AND {_no_case_sql()}),"
                f" count(*) FILTER (WHERE case_date IS NULL)"
                f" FROM ({self.records_sql('source_type', 'case_ref', person=False)}) GROUP BY source_type"
            ).fetchall()
        self.records_by_type = {s: 0 for s in SOURCE_TYPES}
        for stype, n, *_ in rows:
            key = stype if stype in SOURCE_TYPES else None
            self.records_by_type[key] = self.records_by_type.get(key, 0) + n
        self.no_case, self.undated = (sum(r[i] for r in rows) for i in (2, 3))
        if self.fresh:
            self.unlinked = 0
            return
        if self.period is None:  # every record is in the table, and an unlinked one is a person of its own
            query = f"SELECT count(*) FROM {self.table} WHERE starts_with(person, 'record:')"
        else:
            query = (f"SELECT count(*) FROM current_{self.kind} r WHERE NOT EXISTS (SELECT 1 FROM"
                     f" {self.links} l WHERE l.record_id = r.record_id AND l.person_id IS NOT NULL)"
                     if self.has_links else f"SELECT count(*) FROM current_{self.kind}")
        self.unlinked = self.con.execute(query).fetchone()[0]

    def attr_counts(self, fields: list[str]) -> list[tuple[dict, int]]:
        """(fields of a person, number of people with them) for each distinct combination."""
        fields = list(dict.fromkeys(fields))
        n = len(fields)
        cols = ["linked"] + [f"p_{f}" for f in fields] + [f"r_{f}" for f in fields]
        rows = self.con.execute(
            f"SELECT {', '.join(cols)}, count(*) FROM {self.source} GROUP BY ALL"
        ).fetchall()
        out = []
        for row in rows:
            values = row[1: 1 + n] if row[0] else row[1 + n: 1 + 2 * n]
            out.append((dict(zip(fields, values, strict=True)), row[-1]))
        return out

    @cached_property
    def n_persons(self) -> int:
        return self.con.execute(f"SELECT count(*) FROM {self.source}").fetchone()[0]

    @cached_property
    def persons_by_type(self) -> dict[str, int]:
        """People with at least one record in the period from each source type."""
        row = self.con.execute(
            f"SELECT {', '.join(f'count(*) FILTER (WHERE st_{s})' for s in SOURCE_TYPES)}"
            f" FROM {self.source}").fetchone()
        return dict(zip(SOURCE_TYPES, row, strict=True))

    def overlap_counts(self) -> list[tuple[int, tuple[bool, ...], int]]:
        """(distinct agencies, source-type flags in SOURCE_TYPES order, number of people)."""
        rows = self.con.execute(
            f"SELECT n_agencies, {', '.join(f'st_{s}' for s in SOURCE_TYPES)}, count(*)"
            f" FROM {self.source} GROUP BY ALL").fetchall()
        return [(row[0], tuple(row[1:-1]), row[-1]) for row in rows]

    def case_graph(self):
        """The case <-> person graph of the records in the period, for offender groups: (records with
        no case reference, then numpy arrays: case index and person index of each distinct edge, and
        the person's ethnicity as an index in the known ETHNICITY categories, -1 for Unknown).
        A case is a (return_id, case_ref) pair; indexes are dense, from 0, in no particular order.

        DuckDB groups each case's people (their row numbers in the persons relation): one
        aggregation, no sorting or numbering of a million keys, no string leaves DuckDB."""
        import numpy as np

        known = [c for c in ETHNICITY if c != UNKNOWN]
        # As VARCHAR both: a side that is all NULL (no persons table) is stored as INTEGER.
        ethnicity = "CASE WHEN linked THEN CAST(p_ethnicity AS VARCHAR) ELSE CAST(r_ethnicity AS VARCHAR) END"
        # One row per (case, person): the case numbered after grouping, its people unnested.
        edges = self.con.execute(
            f"SELECT CAST(c AS BIGINT) AS c, CAST(unnest(people) AS BIGINT) AS p FROM"
            f" (SELECT row_number() OVER () - 1 AS c, people FROM (SELECT list(DISTINCT t.idx) AS people"
            f" FROM ({self.records_sql('return_id', 'case_ref', case_date=self.period is not None)}) e"
            f" JOIN {self.source} t ON t.person = e.person"
            f" WHERE {self._in_period()} AND NOT {_no_case_sql()} GROUP BY e.return_id, e.case_ref))"
        ).fetchnumpy()  # numpy, not Arrow: Arrow would import pandas (a third of a second)
        codes = self.con.execute(
            f"SELECT idx, CAST({_category_code_sql(ethnicity, known)} AS BIGINT) AS code FROM {self.source}"
        ).fetchnumpy()
        code_of = np.full(int(codes["idx"].max()) + 1 if len(codes["idx"]) else 0, -1, dtype=np.int64)
        code_of[np.asarray(codes["idx"], dtype=np.int64)] = np.asarray(codes["code"], dtype=np.int64)
        cases = np.asarray(edges["c"], dtype=np.int64)
        members = np.asarray(edges["p"], dtype=np.int64)
        _, persons = np.unique(members, return_inverse=True)
        return self.no_case, cases, persons.astype(np.int64), code_of[members]

    @cached_property
    def uncertainty(self) -> dict | None:
        """How sure the linkage's count is (records left ambiguous, a range for the number of
        people), as `link run` stored it; only for the count it was made for (the current returns
        it linked, no period)."""
        if self.period is not None or not self.linkage_run:
            return None
        import json

        from ..store import CURRENT_RETURNS_SQL, get_meta

        raw = get_meta(self.con, f"linkage_uncertainty:{self.kind}")
        try:
            got = json.loads(raw) if raw else None
        except ValueError:
            return None
        keys = ("ambiguous_records", "persons_low", "persons_high")
        if not (isinstance(got, dict) and all(k in got for k in keys)):
            return None
        if got.get("basis") != self.con.execute(CURRENT_RETURNS_SQL).fetchone()[0]:
            return None  # the returns changed since: the range was for other records
        joined = got.get("joined_by_fits")  # None: linked before session 11 kept the number
        self.joined_by_fits = joined if isinstance(joined, int) and not isinstance(joined, bool) else None
        known = {} if self.joined_by_fits is None else {"joined_by_fits": self.joined_by_fits}
        return {**{k: int(got[k]) for k in keys}, **known}

    def uncertainty_note(self, total: int | None = None) -> str:
        """The note's sentence on how sure the count is. Published, a range around a total of 1 to
        the threshold is [c] (disclosure._how_sure does the same to the fields)."""
        u = self.uncertainty
        if not u or not u["ambiguous_records"] and u["persons_low"] == u["persons_high"]:
            return ""
        hidden = total is not None and _n(total) == "[c]"
        low, high = ("[c]", "[c]") if hidden else (_n(u["persons_low"], ","), _n(u["persons_high"], ","))
        if not u["ambiguous_records"]:
            # The range still has width from the pairs' scores (people who may be one, or two):
            # the JSON gives it, so the note must too (the sample's offenders: 2,377-2,381).
            return (f"No {self.kind[:-1]} record is ambiguous; from the scores of the pairs of records that join "
                    f"people or keep them apart, the number of {self.kind} is estimated at between {low} and {high}."
                    f"{'' if hidden else _outside_range(total, u)}")
        joined = getattr(self, "joined_by_fits", None)
        if joined is None:  # a store linked before the count of joins was kept: the rule, not the number
            how = ("a record more likely than not someone already counted is counted with the person it most "
                   "likely is; each other record left unresolved is counted as a person of its own")
        elif joined:
            how = (f"{_n(joined)} record(s) more likely than not someone already counted are counted with the "
                   "person each most likely is; each other record left unresolved is counted as a person of its own")
        else:
            how = "each record left unresolved is counted as a person of its own"
        return (f"{_n(u['ambiguous_records'])} {self.kind[:-1]} record(s) could not be resolved with certainty "
                f"(e.g. initials and an age that fit more than one person): the number of {self.kind} is "
                f"estimated at between {low} and {high} (above, {how}).{'' if hidden else _outside_range(total, u)}")

    def linkage_note(self) -> str:
        if not self.linkage_run:
            return f"Linkage has not been run: each {self.kind[:-1]} record is counted as one person."
        if self.unlinked:
            return (f"{_n(self.unlinked)} {self.kind[:-1]} record(s) have no person link yet (loaded after the "
                    "last linkage?): each is counted as a person of its own.")
        return ""


def _outside_range(total: int | None, u: dict) -> str:
    """A sentence when the count lies outside its own range, so that a reader does not take one
    of the two for a mistake: the count decides each pair at the threshold, the range weighs each
    by its chance (certainty.py), and the two part when many decisions lean the same way
    (synth scale 40's offenders: 94,688 counted, 94,734-95,357 estimated)."""
    if total is None or isinstance(total, bool) or not isinstance(total, int):
        return ""
    if total < u["persons_low"]:
        return (" The count is below that range: each join it makes is more likely right than wrong, but "
                "taken together the scores expect some of the records it joined to be two people.")
    if total > u["persons_high"]:
        return (" The count is above that range: each record it keeps apart is more likely someone new than "
                "someone already counted, but taken together the scores expect some of them to be duplicates.")
    return ""


def _no_case_sql() -> str:
    return "(case_ref IS NULL OR case_ref = '')"


class _Context:
    """Lazily read store data shared by the tables."""

    def __init__(self, con, period, registry, config):
        self.con, self.period, self.config = con, period, config
        self._registry = registry
        self.relations = _relations(con)
        self._temp_tables: list[str] = []

    def close(self) -> None:
        """Drop the temporary tables made for the tables."""
        for name in self._temp_tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self._temp_tables = []

    @cached_property
    def registry(self) -> list | None:
        reg = self._registry
        if reg is None:
            reg = load_registry
        return reg() if callable(reg) else list(reg)

    def _kind(self, kind: str, fields: list[str]) -> _Kind:
        self._temp_tables.append(f"{_TEMP}_{kind}_persons")  # before building: dropped even if it fails
        return _Kind(self.con, kind, fields, self.period, self.relations)

    @cached_property
    def victims(self) -> _Kind:
        return self._kind("victims", _VICTIM_FIELDS)

    @cached_property
    def offenders(self) -> _Kind:
        field = self.config["reliable_offenders"]["field"]
        fields = _OFFENDER_FIELDS + ([field] if field not in _OFFENDER_FIELDS else [])
        return self._kind("offenders", fields)

    @cached_property
    def cases(self) -> tuple[dict[Any, int], int]:
        """(case records in the period by source type, case records with no case date)."""
        rows = self.con.execute(
            f"SELECT source_type, count(*) FILTER (WHERE {_period_sql(self.period, 'case_date')}),"
            f" count(*) FILTER (WHERE case_date IS NULL) FROM current_cases GROUP BY source_type").fetchall()
        return {s: n for s, n, _ in rows}, sum(u for _, _, u in rows)

    @cached_property
    def returns(self) -> list[tuple]:
        # (agency, source type, nil, empty): an empty template holds no rows and does not say nil
        return self.con.execute("SELECT agency_id, source_type, nil_return, rows_landed = 0 AND NOT nil_return "
                                "FROM current_returns").fetchall()

    def dated_note(self, *kinds: str) -> str:
        counts = []
        for kind in kinds:
            n = self.cases[1] if kind == "cases" else getattr(self, kind).undated
            counts.append(f"{kind} {_n(n)}")
        how = "included, as no period is set" if self.period is None else \
            "excluded from this table, as a period is set"
        return f"Records with no case date ({how}): {', '.join(counts)}."

    def note(self, *parts: str, kinds: tuple[str, ...]) -> str:
        text = [p for p in parts if p]
        text += [period_text(self.period), self.dated_note(*kinds), MARKER_KEY]
        return " ".join(text)


def _table(ctx: _Context, title: str, population: str, rows: list[dict], total: int, note: str,
           **extra) -> dict:
    # population: who the total counts; tables with the same population share their total, which
    # disclosure control relies on (a total suppressed in one table is suppressed in all).
    kind = getattr(ctx, population, None) if population in ("victims", "offenders") else None
    u = kind.uncertainty if kind is not None else None
    if u:  # how sure the count of people is: fields beside the total, and a sentence in the note
        extra = {**u, **extra}
        note = f"{note} {kind.uncertainty_note(total)}".strip()
    return {"title": title, "note": note, "period": period_json(ctx.period), "population": population,
            "rows": rows, "total": total, **extra}


def _sub(title: str, rows: list[dict], total: int, total_of: str | None) -> dict:
    # total_of: the category of the main-table row this sub-table breaks down (None: the whole table).
    return {"title": title, "rows": rows, "total": total, "total_of": total_of}

