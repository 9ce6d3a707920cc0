"""The typed configuration: what a loaded configs/ folder is made of.

The names of every key the mapping loader accepts are here too, so the loader, the docs test
and the drafter share one list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .text import normalise

KINDS = ("cases", "victims", "offenders", "people")
SOURCE_TYPES = ("police", "lscb", "ngo")
DATE_STYLES = ("dayfirst", "monthfirst", "iso")
PARSERS = ("name", "initials", "age")
DERIVERS = ("missing_from_episodes",)
# Every key the mapping loader accepts, by where it may appear (docs/mappings.md documents each;
# a test fails when one is missing there).
MAPPING_KEYS = ("name", "description", "sheets")
SHEET_KEYS = ("sheet", "header_contains", "columns", "role", "optional")
ROLE_KEYS = ("column", "victims", "offenders", "skip")
COLUMN_KEYS = ("column", "codes", "dates", "pattern", "pivot", "unknown", "parse", "derive", "registry", "value",
               "first_of", "required", "optional")
# Layout keys (issue 24): numbered column groups, multi-row headers, duplicated headers, columns by
# letter and dates split over day / month / year columns.
SHEET_KEYS += ("groups", "header_rows", "duplicate_headers")
GROUP_KEYS = ("pattern", "n", "shared")
COLUMN_KEYS += ("letter", "parts")
DATE_PARTS = ("day", "month", "year")
# Issue 18 (appended so other additions merge): a column spec may read a constant from the title rows
# above the header (`title`); a sheet may read the return's reporting period there (`period`);
# `unknown` may replace the global tokens for one column; `derive` may be a small expression.
COLUMN_KEYS += ("title",)
SHEET_KEYS += ("period",)
# Issue 16 (appended): `single_word: forename | surname | reject` on a `parse: name` column.
COLUMN_KEYS += ("single_word",)
SINGLE_WORD = ("forename", "surname", "reject")
# Session 10 (appended): `order: surname_first | forename_first` on a `parse: name` column whose header
# states the order ("Victim (SURNAME, Forename)", "Offender name - surname first").
COLUMN_KEYS += ("order",)
# Session 18 (appended): `below: victims`, a table under another block's table on the same sheet.
SHEET_KEYS += ("below",)
# Session 20 (appended): `fill_down`, columns a return fills on a run's first row only (ingest/filldown.py).
SHEET_KEYS += ("fill_down",)
FILL_DOWN_KEYS = ("columns", "while_same")
NAME_ORDERS = ("surname_first", "forename_first")
# Session 20 (appended): `several: people` on a `parse: name` column whose cells may hold several
# people ("John Smith; Dean Carter": a council's alleged perpetrators): one record each.
COLUMN_KEYS += ("several",)
SEVERAL = ("people",)
UNKNOWN_FORMS = ("add", "replace")          # unknown: {add: [...]} (= a plain list) or {replace: [...]}
EXPRESSION_OPS = ("all_of", "any_of", "not")  # derive: {all_of: [field, {any_of: [field, ...]}, ...]}
PERIOD_FORMS = ("title",)                   # period: title, or period: {title: REGEX with start and end}


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100
    max_uncompressed_mb: float = 500
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_cell_chars: int = 32767
    max_cells: int = 40_000_000  # rows x columns of a sheet's grid (calamine: ~32 bytes a cell, so ~1.3 GB)


@dataclass(frozen=True)
class Settings:
    ignore: tuple[str, ...] = ("_*", ".*", "~$*", "README*")
    extensions: tuple[str, ...] = ("xlsx", "xlsm", "xls", "xlsb", "ods", "csv")
    header_search_rows: int = 30
    limits: Limits = Limits()
    two_digit_year_pivot: int = 30
    nil_markers: tuple[str, ...] = ("no relevant data", "nil return", "no data held", "no cases")
    # Fields whose mapped column must be found (else the return fails, naming the close match):
    # without them records cannot be told apart or linked, so a typo would change every table.
    key_fields: tuple[str, ...] = ("record_ref", "case_ref", "forename", "surname", "dob")
    # Every mapped column must be found (ingest / validate --strict).
    strict_columns: bool = False


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    kinds: tuple[str, ...]
    description: str
    codes: str | None = None
    personal: bool = False
    input_only: bool = False


@dataclass
class CodeList:
    name: str
    categories: tuple[str, ...]
    codes: dict[str, tuple[str, str | None]]   # normalised code -> (category, detail)
    includes: tuple[str, ...] = ()
    display: dict[str, str] = field(default_factory=dict)  # normalised -> code as written
    # `shares_column_with: OTHER`: the other list's codes that are not this list's answer another
    # question of a column both fields read ("Not missing" for missing_from: Unknown, no warning)
    shares_column_with: str | None = None
    no_answer: frozenset = frozenset()     # normalised texts, filled in by load_config

    def lookup(self, value: str) -> tuple[str, str | None] | None:
        return self.codes.get(normalise(value))


@dataclass(frozen=True)
class ColumnSpec:
    headers: tuple[str, ...] = ()
    codes: str | None = None
    dates: str | None = None
    pattern: re.Pattern | None = None
    pivot: int | None = None
    unknown: tuple[str, ...] = ()
    parse: str | None = None
    derive: str | None = None
    registry: str | None = None
    value: str | None = None
    first_of: tuple[ColumnSpec, ...] = ()
    required: bool = False
    optional: bool = False  # may be absent, even for a key field or under --strict (a warning)
    letter: int | None = None                   # 0-based column index given by letter (`letter: F`)
    parts: tuple[tuple[str, ...], ...] = ()     # a date split over columns: day, month, year headers
    unknown_replace: bool = False            # `unknown: {replace: [...]}`: these tokens instead of the global list
    expr: tuple | None = None                # `derive: {all_of: ...}`: ("all_of", (operand, ...)) etc.
    title: re.Pattern | None = None          # `title: REGEX`: a constant read from the rows above the header
    single_word: str | None = None           # `parse: name`: how a lone word reads (SINGLE_WORD; None: the kind's default)
    order: str | None = None                 # `parse: name`: which part comes first (NAME_ORDERS; None: read from the value)
    several: str | None = None               # `several: people`: a cell may hold several people, one record each

    def all_headers(self) -> list[str]:
        out = list(self.headers)
        for part in self.parts:
            out += part
        for sub in self.first_of:
            out += sub.all_headers()
        return out


@dataclass(frozen=True)
class RoleSpec:
    column: tuple[str, ...]
    victims: tuple[str, ...]
    offenders: tuple[str, ...]
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    """Numbered column groups: one record per filled group of a row (`Victim 1 ...`, `Victim 2 ...`)."""

    pattern: str                 # holds {n}; {header} where the field's header goes (default: after it)
    n: tuple[str, ...]
    shared: tuple[str, ...]      # fields read from the row's own columns, the same for every group

    def header(self, header: str, n: str) -> str:
        if "{n}" in header:
            return header.replace("{n}", n)
        pattern = self.pattern if "{header}" in self.pattern else self.pattern + " {header}"
        return pattern.replace("{n}", n).replace("{header}", header)


@dataclass(frozen=True)
class FillDown:
    """`fill_down`: each column as its header names (alternatives), and the columns that must be the
    same as the row above's for a blank to take its value (none: always)."""
    columns: tuple[tuple[str, ...], ...]
    while_same: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    kind: str
    sheet: str | int | re.Pattern
    columns: dict[str, ColumnSpec]
    header_contains: tuple[str, ...] = ()
    role: RoleSpec | None = None
    optional: bool = False
    groups: GroupSpec | None = None
    header_rows: int = 1
    duplicate_headers: str = "error"   # or "first": take the first with a warning (the old behaviour)
    block: str = ""                    # the block's name in the mapping (its kind), named in issues
    period: re.Pattern | None = None         # the reporting period in the title rows (groups start, end)
    below: str = ""                    # the block whose table this one's sits under, on the same sheet
    fill_down: FillDown | None = None  # columns whose blanks take the value above (ingest/filldown.py)

    def describe_sheet(self) -> str:
        if isinstance(self.sheet, re.Pattern):
            return f"matching /{self.sheet.pattern}/"
        if isinstance(self.sheet, int):
            return f"number {self.sheet + 1}"
        return repr(self.sheet)


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    sheets: tuple[SheetSpec, ...]
    path: str = ""


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    source_type: str
    area: str | None
    expected: bool
    mapping: str | None
    files: tuple[str, ...]
    force_area: str | None = None  # the police force area it lies in: shared ground for linkage
    force_areas: tuple[str, ...] = ()  # all of them, for a council that borders two forces (first = force_area)


@dataclass
class Config:
    root: Path
    settings: Settings
    fields: dict[str, FieldDef]
    codes: dict[str, CodeList]
    unknown_tokens: frozenset[str]
    mappings: dict[str, Mapping]
    agencies: dict[str, Agency]
    template: TemplateSpec | None = None
    # codes/unknown.yaml `numbered_names`: in a name column, these with a number ("UM1", "UF 2")
    # are a numbered unnamed person, as an unknown token with a number is ("Unknown male 1")
    numbered_unknown: frozenset[str] = frozenset()
    # codes/unknown.yaml `no_name`: whole texts that in a name column (one cell, or a row's forename
    # and surname cells read together) stand in for a name nobody gave ("No name", "Name withheld")
    no_name: frozenset[str] = frozenset()
    # codes/unknown.yaml `placeholder_marks`: a cell of these marks alone ("-", "??", "...") means not
    # known; any other punctuation alone ("£", "*") is Unknown with a `stray_punctuation` warning
    placeholder_marks: frozenset[str] = frozenset("-?")

    @cached_property
    def agency_list(self) -> list[Agency]:
        return list(self.agencies.values())


@dataclass(frozen=True)
class TemplateSpec:
    """The standard template: sheet -> fields, a label per field, a drop-down list per coded field."""

    sheets: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    codes: dict[str, str]
