"""Headline tables from the store, as one JSON-ready structure (contract: docs/tables.md).

Only records of current returns count. People are counted once, through the linkage results
(`victim_links` -> `victim_persons`, `offender_links` -> `offender_persons`); a record with no link
yet counts as a person of its own, and the note says how many did. Unknown is always a category.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .store import sql_literal as _literal

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

TABLE_NAMES = [
    "sources",
    "victims_missing",
    "victims_sex",
    "victims_age",
    "victims_ethnicity",
    "victims_looked_after",
    "victims_overlap",
    "offenders_sex",
    "offenders_age",
    "offenders_ethnicity",
    "offenders_ethnicity_reliable",
    "offender_groups",
]

SOURCE_TYPES = {"police": "Police forces", "lscb": "LSCBs and children's services", "ngo": "Voluntary sector"}
SOURCE_COLUMNS = [
    "agencies_asked", "agencies_responded", "nil_returns", "cases",
    "victim_records", "victims", "offender_records", "offenders",
]
UNKNOWN = "Unknown"
ETHNICITY = ["White", "Asian", "Black", "Chinese", "Mixed", "Other", UNKNOWN]
SEX = ["Female", "Male", UNKNOWN]
MISSING = ["Reported missing", "Not reported missing", UNKNOWN]
MISSING_FROM = ["Home", "Care", "Both", UNKNOWN]
YES_NO = ["Yes", "No", UNKNOWN]
OVERLAP = ["Reported by one agency", "Reported by two agencies", "Reported by three or more agencies"]
MIXED_GROUP = "More than one ethnicity"

MARKER_KEY = (
    "Markers (GSS): [c] confidential, suppressed to protect a small count; [x] not available; "
    "[z] not applicable. A true zero is shown as 0."
)

_VICTIM_FIELDS = ["sex", "ethnicity", "ethnicity_detail", "age", "missing_status", "missing_from",
                  "missing_episodes", "looked_after"]
_OFFENDER_FIELDS = ["sex", "ethnicity", "ethnicity_detail", "age", "identified"]


def _bands(*spec: tuple[str, int, int | None]) -> list[dict]:
    return [{"label": label, "min": lo, "max": hi} for label, lo, hi in spec]


# Fallbacks when configs/tables.yaml is absent; the file is the place to change them.
DEFAULT_CONFIG: dict[str, Any] = {
    "reliable_offenders": {"field": "identified", "equals": "Yes"},
    "victim_age_bands": _bands(("Under 10", 0, 9), ("10-11", 10, 11), ("12-13", 12, 13), ("14", 14, 14),
                               ("15", 15, 15), ("16-17", 16, 17), ("18+", 18, None)),
    "offender_age_bands": _bands(("Under 18", 0, 17), ("18-24", 18, 24), ("25-34", 25, 34),
                                 ("35-44", 35, 44), ("45+", 45, None)),
    "episode_bands": _bands(("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10 or more", 10, None)),
    "group_size_bands": _bands(("2 offenders", 2, 2), ("3-4 offenders", 3, 4), ("5-8 offenders", 5, 8),
                               ("More than 8 offenders", 9, None)),
    "asian_detail": ["Pakistani", "Indian", "Bangladeshi", "British Asian", "Any other Asian"],
    "disclosure": {"threshold": 5, "exempt_columns": ["agencies_asked", "agencies_responded", "nil_returns"]},
}


class TablesError(ValueError):
    """A table name, period or table configuration is wrong."""


# While tables are built for publication: the disclosure threshold, so that counts written into
# notes (records with no case date, values outside a code list...) are suppressed like cells.
_NOTE_THRESHOLD: ContextVar[int] = ContextVar("note_threshold", default=0)


def _n(count: int) -> str:
    """A count as written in a note: "[c]" when publishing and 1 <= count <= the threshold."""
    threshold = _NOTE_THRESHOLD.get()
    return "[c]" if threshold and 1 <= count <= threshold else str(count)


# --------------------------------------------------------------------------- configuration

def load_config(config: dict | str | Path | None = None) -> dict:
    """The tables configuration: defaults overlaid with a dict, a YAML file, or configs/tables.yaml."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_CONFIG.items()}
    if config is None:
        path = CONFIG_DIR / "tables.yaml"
        config = path if path.exists() else {}
    if isinstance(config, (str, Path)):
        import yaml

        try:
            config = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise TablesError(f"{config}: cannot read the tables configuration ({exc})") from exc
        if not isinstance(config, dict):
            raise TablesError("tables configuration: expected a mapping at the top level")
    for key, value in config.items():
        if key not in DEFAULT_CONFIG:
            raise TablesError(f"tables configuration: unknown key {key!r} (known: {', '.join(DEFAULT_CONFIG)})")
        merged[key] = {**merged[key], **value} if isinstance(merged[key], dict) else value
    for key in ("victim_age_bands", "offender_age_bands", "episode_bands", "group_size_bands"):
        for band in merged[key]:
            if not isinstance(band, dict) or "label" not in band or "min" not in band:
                raise TablesError(f"tables configuration: {key}: each band needs label and min, got {band!r}")
    return merged


def load_registry(path: str | Path | None = None) -> list[dict] | None:
    """Agency registry entries from configs/agencies.yaml (None when there is no registry file)."""
    path = Path(path) if path else CONFIG_DIR / "agencies.yaml"
    if not path.exists():
        return None
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("agencies") or []) if isinstance(data, dict) else list(data)


def _entry(entry: Any, key: str, default: Any = None) -> Any:
    # Registry entries may be plain dicts or typed config objects.
    return entry.get(key, default) if isinstance(entry, dict) else getattr(entry, key, default)


def parse_period(period: Any) -> tuple[dt.date | None, dt.date | None] | None:
    """(from, to) as dates (either end may be open), or None for all dates."""
    if period is None or period == "all":
        return None
    try:
        start, end = period
    except (TypeError, ValueError) as exc:
        raise TablesError(f"period: expected (from, to), got {period!r}") from exc
    start, end = _date(start, "from"), _date(end, "to")
    if start is None and end is None:
        return None
    if start and end and start > end:
        raise TablesError(f"period: from {start} is after to {end}")
    return start, end


def _date(value: Any, which: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise TablesError(f"period: {which} date {value!r} is not a date (YYYY-MM-DD)") from exc


def period_json(period: tuple[dt.date | None, dt.date | None] | None) -> Any:
    if period is None:
        return "all"
    return {"from": period[0] and period[0].isoformat(), "to": period[1] and period[1].isoformat()}


def period_text(period: tuple[dt.date | None, dt.date | None] | None) -> str:
    if period is None:
        return "Period: all (no period set)."
    start, end = period
    if start and end:
        return f"Period: cases dated {start.isoformat()} to {end.isoformat()} inclusive."
    if start:
        return f"Period: cases dated from {start.isoformat()}."
    return f"Period: cases dated up to {end.isoformat()} inclusive."


# --------------------------------------------------------------------------- numbers

def percent(count: int, base: int) -> float | None:
    """Percentage to 1 dp, half up, from unrounded counts (None when the base is 0)."""
    if not base:
        return None
    return float((Decimal(100 * count) / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rows(counts: dict[str, int], categories: Iterable[str], unknown: str | None = UNKNOWN,
          base: int | None = None) -> tuple[list[dict], int]:
    categories = list(categories)
    total = sum(counts.get(c, 0) for c in categories) if base is None else base
    has_unknown = unknown in categories
    known = total - counts.get(unknown, 0) if has_unknown else None
    rows = []
    for cat in categories:
        n = counts.get(cat, 0)
        rows.append({
            "category": cat,
            "count": n,
            "percent": percent(n, total),
            "percent_known": percent(n, known) if has_unknown and cat != unknown else None,
        })
    return rows, total


def _band(value: Any, bands: list[dict]) -> str | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    for band in bands:
        if n >= band["min"] and (band.get("max") is None or n <= band["max"]):
            return band["label"]
    return None


def _category(value: Any, categories: list[str]) -> tuple[str, bool]:
    """(category, unexpected): blanks are Unknown; a value outside the list is Unknown and flagged."""
    return _category_of(value, tuple(categories))


@lru_cache(maxsize=4096, typed=True)  # called once per person per table: few distinct values, many people
def _category_of(value: Any, categories: tuple[str, ...]) -> tuple[str, bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return UNKNOWN, False
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    text = str(value).strip().lower()
    for cat in categories:
        if cat.lower() == text:
            return cat, False
    return UNKNOWN, True


# --------------------------------------------------------------------------- store access
#
# The counting is done by DuckDB, over one relation per kind with a row per person: their fields,
# number of distinct agencies and source types. Right after `link run` (and with no period) that
# is the persons table as it is. Otherwise it is a temporary table (dropped when build_tables
# ends) built in one statement from the records' person keys alone, the people's fields joined
# once per person, not once per record (at a million records the per-record version cost two
# thirds of the time). Python only sees grouped counts.

_TEMP = "_cse_tables"  # prefix of the temporary tables
_WHITESPACE = " \t\n\r\x0b\x0c"  # what Python's str.strip() removes from ASCII text


def _relations(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _columns(con, name: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns"
                       f" WHERE table_name = {_literal(name)}")
    return [r[0] for r in rows.fetchall()]


def _period_sql(period, column: str) -> str:
    """SQL condition: the date `column` lies in the period, ends inclusive (TRUE when no period is set)."""
    if period is None:
        return "TRUE"
    start, end = period
    parts = [f"{column} IS NOT NULL"]
    if start is not None:
        parts.append(f"{column} >= DATE '{start.isoformat()}'")
    if end is not None:
        parts.append(f"{column} <= DATE '{end.isoformat()}'")
    return "(" + " AND ".join(parts) + ")"


def _category_code_sql(expr: str, categories: list[str]) -> str:
    """SQL giving the index of `expr` in `categories` (-1 when it is none of them), matching the way
    `_category` reads a value: case-insensitive, surrounding whitespace ignored."""
    text = f"lower(trim(CAST({expr} AS VARCHAR), {_literal(_WHITESPACE)}))"
    whens = " ".join(f"WHEN {_literal(c.lower())} THEN {i}" for i, c in enumerate(categories))
    return f"CASE {text} {whens} ELSE -1 END"


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
        from .store import CURRENT_RETURNS_SQL, get_meta, links_basis_key

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

    def linkage_note(self) -> str:
        if not self.linkage_run:
            return f"Linkage has not been run: each {self.kind[:-1]} record is counted as one person."
        if self.unlinked:
            return (f"{_n(self.unlinked)} {self.kind[:-1]} record(s) have no person link yet (loaded after the "
                    "last linkage?): each is counted as a person of its own.")
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
        return self.con.execute("SELECT agency_id, source_type, nil_return FROM current_returns").fetchall()

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
    return {"title": title, "note": note, "period": period_json(ctx.period), "population": population,
            "rows": rows, "total": total, **extra}


def _sub(title: str, rows: list[dict], total: int, total_of: str | None) -> dict:
    # total_of: the category of the main-table row this sub-table breaks down (None: the whole table).
    return {"title": title, "rows": rows, "total": total, "total_of": total_of}


# --------------------------------------------------------------------------- the tables

def _sources(ctx: _Context) -> dict:
    registry = ctx.registry
    responded: dict[str, set] = defaultdict(set)
    nil_only: dict[str, bool] = {}
    for agency, stype, nil in ctx.returns:
        responded[stype].add(agency)
        nil_only[agency] = nil_only.get(agency, True) and bool(nil)
    cases = ctx.cases[0]
    v, o = ctx.victims, ctx.offenders
    rows = []
    for stype, label in [*SOURCE_TYPES.items(), (None, "Total")]:
        def keep(s, stype=stype):
            return stype is None or s == stype
        asked = None
        if registry is not None:
            asked = sum(1 for e in registry if _entry(e, "expected", True) and keep(_entry(e, "source_type")))
        agencies = set().union(*(a for s, a in responded.items() if keep(s)))
        rows.append({
            "category": label,
            "agencies_asked": asked,
            "agencies_responded": len(agencies),
            "nil_returns": sum(1 for a in agencies if nil_only[a]),
            "cases": sum(n for s, n in cases.items() if keep(s)),
            "victim_records": sum(n for s, n in v.records_by_type.items() if keep(s)),
            "victims": v.n_persons if stype is None else v.persons_by_type[stype],
            "offender_records": sum(n for s, n in o.records_by_type.items() if keep(s)),
            "offenders": o.n_persons if stype is None else o.persons_by_type[stype],
        })
    note = ctx.note(
        "Agencies asked: registry entries with expected: true"
        + (" (no registry found: [x])." if registry is None else "."),
        "Agencies responded: agencies with a current return, nil returns included; nil returns: agencies "
        "whose current returns are all nil returns. Agency counts do not depend on the period.",
        "Victims and offenders are unique people (after linkage) with at least one record from that source "
        "type. The Total row counts each unique person once, so it can be less than the sum of the rows above.",
        v.linkage_note(), o.linkage_note(),
        kinds=("cases", "victims", "offenders"),
    )
    return {"title": "Returns, case records and people by source type", "note": note,
            "period": period_json(ctx.period), "columns": SOURCE_COLUMNS, "rows": rows}


def _counter(groups: list[tuple[dict, int]], field: str, categories: list[str]) -> tuple[dict[str, int], int]:
    """People per category of `field`, and how many had a value outside the list, from
    (fields, number of people) groups (`_Kind.attr_counts`)."""
    counts: dict[str, int] = defaultdict(int)
    unexpected = 0
    for attrs, n in groups:
        cat, odd = _category(attrs.get(field), categories)
        counts[cat] += n
        unexpected += n if odd else 0
    return counts, unexpected


def _unexpected_note(n: int, field: str) -> str:
    return f"{_n(n)} value(s) of {field} outside the code list are counted as Unknown." if n else ""


def _person_note(kind: _Kind) -> str:
    who = kind.kind
    return (f"Base: unique {who} (after linkage) with at least one record in the period; each person's "
            f"attributes are merged across all their records by the linkage rules. {kind.linkage_note()}")


def _categorical(ctx: _Context, kind: str, field: str, categories: list[str], title: str) -> dict:
    k: _Kind = getattr(ctx, kind)
    counts, odd = _counter(k.attr_counts([field]), field, categories)
    rows, total = _rows(counts, categories)
    note = ctx.note(_person_note(k), "Unknown is a category; '% of known' excludes Unknown.",
                    _unexpected_note(odd, field), kinds=(kind,))
    return _table(ctx, title, kind, rows, total, note)


def _banded(ctx: _Context, kind: str, field: str, bands: list[dict]) -> tuple[dict, int]:
    k: _Kind = getattr(ctx, kind)
    counts: dict[str, int] = defaultdict(int)
    outside = 0
    for attrs, n in k.attr_counts([field]):
        label = _band(attrs.get(field), bands)
        if label is None and attrs.get(field) is not None:
            outside += n
        counts[label or UNKNOWN] += n
    return counts, outside


def _age(ctx: _Context, kind: str, bands_key: str, title: str) -> dict:
    bands = ctx.config[bands_key]
    counts, outside = _banded(ctx, kind, "age", bands)
    rows, total = _rows(counts, [b["label"] for b in bands] + [UNKNOWN])
    k = getattr(ctx, kind)
    note = ctx.note(
        _person_note(k), "Age at the case date (merged per person). Unknown is a category; "
        "'% of known' excludes Unknown.",
        f"{_n(outside)} age(s) outside the bands are counted as Unknown." if outside else "",
        kinds=(kind,))
    return _table(ctx, title, kind, rows, total, note)


def _victims_missing(ctx: _Context) -> dict:
    v = ctx.victims
    groups = v.attr_counts(["missing_status", "missing_from", "missing_episodes"])
    counts, odd = _counter(groups, "missing_status", MISSING)
    rows, total = _rows(counts, MISSING)
    missing = [(a, n) for a, n in groups if _category(a.get("missing_status"), MISSING)[0] == MISSING[0]]
    from_counts, odd_from = _counter(missing, "missing_from", MISSING_FROM)
    from_rows, from_total = _rows(from_counts, MISSING_FROM)
    bands = ctx.config["episode_bands"]
    ep_counts: dict[str, int] = defaultdict(int)
    for attrs, n in missing:
        ep_counts[_band(attrs.get("missing_episodes"), bands) or UNKNOWN] += n
    ep_rows, ep_total = _rows(ep_counts, [b["label"] for b in bands] + [UNKNOWN])
    note = ctx.note(
        _person_note(v),
        "A child counts as reported missing if any of their records says so. Unknown is a category; "
        "'% of known' excludes Unknown. Sub-tables: where reported-missing children went missing from, "
        "and their number of missing episodes.",
        _unexpected_note(odd, "missing_status"), _unexpected_note(odd_from, "missing_from"),
        kinds=("victims",))
    return _table(
        ctx, "Victims: reported missing", "victims", rows, total, note,
        missing_from=_sub("Reported missing: missing from", from_rows, from_total, MISSING[0]),
        episodes=_sub("Reported missing: number of missing episodes", ep_rows, ep_total, MISSING[0]),
    )


def _ethnicity(ctx: _Context, kind: str, title: str, groups: list[tuple[dict, int]] | None = None,
               extra_note: str = "") -> dict:
    # groups: (fields, number of people) of the people to count (None: all of the kind).
    k: _Kind = getattr(ctx, kind)
    population = kind if groups is None else f"reliable_{kind}"
    groups = k.attr_counts(["ethnicity", "ethnicity_detail"]) if groups is None else groups
    counts, odd = _counter(groups, "ethnicity", ETHNICITY)
    rows, total = _rows(counts, ETHNICITY)
    detail: dict[str, int] = defaultdict(int)
    for attrs, n in groups:
        if _category(attrs.get("ethnicity"), ETHNICITY)[0] == "Asian":
            d = attrs.get("ethnicity_detail")
            detail[str(d).strip() if d is not None and str(d).strip() else "Detail not known"] += n
    listed = list(ctx.config["asian_detail"])
    others = sorted(d for d in detail if d not in listed and d != "Detail not known")
    detail_rows, detail_total = _rows(detail, listed + others + ["Detail not known"], unknown="Detail not known")
    note = ctx.note(
        _person_note(k), extra_note,
        "Ethnicity is rolled up to the assessment's categories; Unknown is a category; '% of known' "
        "excludes Unknown. Sub-table: the detailed group of those recorded as Asian, as returned.",
        _unexpected_note(odd, "ethnicity"), kinds=(kind,))
    return _table(ctx, title, population, rows, total, note,
                  asian_detail=_sub("Asian: detailed group", detail_rows, detail_total, "Asian"))


def _offenders_reliable(ctx: _Context) -> dict:
    rule = ctx.config["reliable_offenders"]
    field, equals = rule["field"], str(rule["equals"]).strip().lower()

    def reliable(attrs: dict) -> bool:
        value = attrs.get(field)
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        return value is not None and str(value).strip().lower() == equals

    groups = [(a, n) for a, n in ctx.offenders.attr_counts([field, "ethnicity", "ethnicity_detail"])
              if reliable(a)]
    return _ethnicity(ctx, "offenders", "Offenders: ethnicity, most reliable data group", groups,
                      f"Most reliable data group: offenders whose merged {field} is {rule['equals']!r} "
                      "(configs/tables.yaml: reliable_offenders).")


def _victims_overlap(ctx: _Context) -> dict:
    v = ctx.victims
    counts: dict[str, int] = defaultdict(int)
    combos: dict[str, int] = defaultdict(int)
    labels = list(SOURCE_TYPES)
    combo_order = []
    for size in (1, 2, 3):
        for combo in _combinations(labels, size):
            combo_order.append(_combo_label(combo))
    for n, flags, people in v.overlap_counts():
        counts[OVERLAP[min(n, 3) - 1]] += people
        types = tuple(t for t, flag in zip(labels, flags, strict=True) if flag)
        combos[_combo_label(types) if types else "Other source type"] += people
    rows, total = _rows(counts, OVERLAP, unknown=None)
    if combos.get("Other source type"):
        combo_order.append("Other source type")
    combo_rows, combo_total = _rows(combos, combo_order, unknown=None)
    note = ctx.note(
        _person_note(v),
        "Agencies: distinct submitting agencies among the child's records in the period. Sub-table: which "
        "combination of source types reported the child.", kinds=("victims",))
    return _table(ctx, "Victims: reported by one or more agencies", "victims", rows, total, note,
                  source_types=_sub("Victims by combination of source types", combo_rows, combo_total, None))


def _combinations(items: list[str], size: int) -> list[tuple[str, ...]]:
    from itertools import combinations

    return list(combinations(items, size))


def _combo_label(types: tuple[str, ...]) -> str:
    names = [SOURCE_TYPES[t] for t in types]
    if len(names) == len(SOURCE_TYPES):
        return "All three source types"
    if len(names) == 1:
        return f"{names[0]} only"
    return " and ".join(names)


def offender_group_components(edges: Iterable[tuple[Any, Any]]) -> list[set]:
    """Offender sets of the connected components of a case <-> offender-person graph.

    `edges` are (case key, person id) pairs; cases sharing a person fall into one component.
    """
    parent: dict[Any, Any] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for case, person in edges:
        a, b = find(("case", case)), find(("person", person))
        if a != b:
            parent[a] = b
    members: dict[Any, set] = defaultdict(set)
    for node in list(parent):
        if node[0] == "person":
            members[find(node)].add(node[1])
    return sorted(members.values(), key=lambda s: sorted(map(str, s)))


def _component_labels(u, v, n: int):
    """Connected components of the graph on nodes 0..n-1 with edges (u[i], v[i]) (numpy integer
    arrays): a numpy array giving each node the smallest node of its component. Hooking and pointer
    jumping, vectorised: each pass hooks every root to the smallest root across its edges, then
    flattens the trees, until no edge joins two components."""
    import numpy as np

    parent = np.arange(n, dtype=np.int64)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        np.minimum.at(parent, np.maximum(pu, pv)[differ], np.minimum(pu, pv)[differ])
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up


def _offender_groups(ctx: _Context) -> dict:
    import numpy as np

    o = ctx.offenders
    no_case, case_idx, person_idx, person_eth = o.case_graph()
    bands = ctx.config["group_size_bands"]
    labels = [b["label"] for b in bands]
    sizes: dict[str, int] = defaultdict(int)
    outside = 0
    eth_order = [f"All {c}" for c in ETHNICITY if c != UNKNOWN] + [MIXED_GROUP, UNKNOWN]
    known_cats = [c for c in ETHNICITY if c != UNKNOWN]
    eth: dict[str, int] = defaultdict(int)
    n_groups = in_groups = 0
    if len(case_idx):
        n_cases, n_people = int(case_idx.max()) + 1, int(person_idx.max()) + 1
        label = _component_labels(case_idx, person_idx + n_cases, n_cases + n_people)
        component = np.empty(n_people, dtype=np.int64)      # each person's component
        component[person_idx] = label[person_idx + n_cases]
        category = np.empty(n_people, dtype=np.int64)       # index in known_cats, -1 for Unknown
        category[person_idx] = person_eth
        size = np.bincount(component, minlength=n_cases + n_people)
        known = category >= 0
        bits = np.zeros(n_cases + n_people, dtype=np.int64)  # known categories among the members
        np.bitwise_or.at(bits, component[known], np.left_shift(1, category[known]))
        groups = np.flatnonzero(size >= 2)
        n_groups, in_groups = len(groups), int(size[groups].sum())
        for value, count in zip(*np.unique(size[groups], return_counts=True), strict=True):
            label_ = _band(int(value), bands)
            if label_ is None:
                outside += int(count)
            else:
                sizes[label_] += int(count)
        for value, count in zip(*np.unique(bits[groups], return_counts=True), strict=True):
            value = int(value)
            key = UNKNOWN if not value else (
                f"All {known_cats[value.bit_length() - 1]}" if value & (value - 1) == 0 else MIXED_GROUP)
            eth[key] += int(count)
    rows, _ = _rows(sizes, labels, unknown=None, base=n_groups)
    eth_rows, _ = _rows(eth, eth_order, base=n_groups)
    note = ctx.note(
        "A group is a case, or a set of cases joined by shared linked offenders (connected components of "
        "the case-offender graph; a case is a (return, case reference) pair), with two or more distinct "
        "offenders after linkage. Each offender counts once per group.",
        "The total is the number of groups; offenders_in_groups (JSON) counts their distinct members.",
        "Ethnicity rule: a group is 'All <category>' when every member with a known ethnicity is in that "
        f"category, '{MIXED_GROUP}' when known members are in two or more categories, and Unknown when no "
        "member's ethnicity is known; so an 'All' or mixed group may also have members of unknown ethnicity.",
        f"{_n(no_case)} offender record(s) with no case reference are in no group." if no_case else "",
        f"{_n(outside)} group(s) are outside the size bands." if outside else "",
        o.linkage_note(), kinds=("offenders",))
    return _table(ctx, "Offender groups", "offender_groups", rows, n_groups, note,
                  offenders_in_groups=in_groups,
                  ethnicity=_sub("Offender groups by members' ethnicity", eth_rows, n_groups, None))


_BUILDERS: dict[str, Callable[[_Context], dict]] = {
    "sources": _sources,
    "victims_missing": _victims_missing,
    "victims_sex": lambda c: _categorical(c, "victims", "sex", SEX, "Victims: sex"),
    "victims_age": lambda c: _age(c, "victims", "victim_age_bands", "Victims: age"),
    "victims_ethnicity": lambda c: _ethnicity(c, "victims", "Victims: ethnicity"),
    "victims_looked_after": lambda c: _categorical(c, "victims", "looked_after", YES_NO,
                                                   "Victims: looked after (in local-authority care)"),
    "victims_overlap": _victims_overlap,
    "offenders_sex": lambda c: _categorical(c, "offenders", "sex", SEX, "Offenders: sex"),
    "offenders_age": lambda c: _age(c, "offenders", "offender_age_bands", "Offenders: age"),
    "offenders_ethnicity": lambda c: _ethnicity(c, "offenders", "Offenders: ethnicity"),
    "offenders_ethnicity_reliable": _offenders_reliable,
    "offender_groups": _offender_groups,
}
assert list(_BUILDERS) == TABLE_NAMES


def build_tables(con, names: Iterable[str] | None = None, period: Any = None, registry: Any = None,
                 config: dict | str | Path | None = None, publish: bool = False) -> dict:
    """The headline tables as a JSON-ready dict, in TABLE_NAMES order (contract: docs/tables.md).

    `period` is (from, to) (dates or ISO strings, either end None for open) or None for all;
    `registry` is a list of agency entries, a callable returning one, or None for configs/agencies.yaml.
    `publish`: apply disclosure control (`disclosure.publish`) with this configuration's rules, small
    counts in the notes included (which `disclosure.publish` alone cannot see: notes are text).
    """
    wanted = list(TABLE_NAMES) if not names else list(dict.fromkeys(names))
    bad = [n for n in wanted if n not in _BUILDERS]
    if bad:
        raise TablesError(f"unknown table(s): {', '.join(bad)} (tables: {', '.join(TABLE_NAMES)})")
    cfg = load_config(config)
    token = _NOTE_THRESHOLD.set(int(cfg["disclosure"].get("threshold", 5)) if publish else 0)
    ctx = _Context(con, parse_period(period), registry, cfg)
    try:
        tables = {name: _BUILDERS[name](ctx) for name in TABLE_NAMES if name in wanted}
    finally:
        ctx.close()
        _NOTE_THRESHOLD.reset(token)
    if publish:
        from .disclosure import publish as publish_tables

        tables = publish_tables(tables, config=cfg)
    return tables
