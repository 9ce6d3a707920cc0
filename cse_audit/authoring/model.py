"""The pieces of a draft: one field's column choice, and one sheet's draft.

`ColumnChoice` is a field with its column(s), the YAML spec, the evidence and a confidence;
`SheetDraft` is one sheet with its kind, header row, columns and role block. Separate so that the
column chooser, the sheet drafter and the YAML writer can share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LISTED = 12             # unrecognised values listed per column
NO_ROLE_VALUES = "no role values seen (no data rows): list the values meaning victims, offenders and skip"


@dataclass
class ColumnChoice:
    """One field of one sheet: its column(s), the YAML spec, the evidence and the confidence."""

    field: str
    headers: list[str]
    spec: object                     # str | dict, as it will be written
    evidence: list[str]
    confidence: str                  # high | medium | low
    todo: str | None = None
    unrecognised: list[str] = field(default_factory=list)   # codes no list knows (non-personal only)
    unrecognised_counts: dict[str, int] = field(default_factory=dict)  # rows holding each of them
    candidates: list[ColumnChoice] = field(default_factory=list, repr=False)  # a TODO's columns, each chosen

    def comment(self) -> str:
        parts = list(self.evidence)
        if self.unrecognised:
            parts.append("not in the code list: " + ", ".join(
                repr(v) + (f" x{self.unrecognised_counts[v]}" if v in self.unrecognised_counts else "")
                for v in self.unrecognised[:MAX_LISTED])
                         + (" ..." if len(self.unrecognised) > MAX_LISTED else ""))
        if not self.todo:
            parts.append(f"confidence {self.confidence}")
        return "; ".join(parts)


@dataclass
class SheetDraft:
    sheet: str
    index: int
    kind: str
    kind_evidence: str
    header_row: int                  # Excel row number (1-based)
    header_evidence: str
    data_rows: int
    selector: str | int
    header_contains: list[str]
    columns: list[ColumnChoice]
    unmapped: list[tuple[str, str]]  # header, why not
    role: dict | None = None         # column, victims, offenders, skip
    role_todo: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Layouts of issue 24 (authoring/layouts.py): numbered column groups, a two-row header, the
    # sheets of a series read by one regex.
    groups: dict | None = None
    header_rows: int = 1
    series: list[str] | None = None
    # Issue 18: the distinct (normalised) values of each column, for finding relation columns (ids only,
    # never printed); and whether a title row states a reporting period (`period: title`).
    ids: dict[str, set] = field(default_factory=dict, repr=False)
    period: str | None = None        # evidence, when the title rows state a period
    below: str | None = None         # the kind of the block whose table is above this one on its sheet
    optional: str | None = None      # why the block is `optional: true` (a series' sheet without its table)
    beside: str | None = None        # split off this kind's block of the same sheet and rows (beside.py)
    fill_down: dict | None = None    # columns given on a person's first row only (firstrow.py)

    @property
    def todos(self) -> list[str]:
        out = [f"{self.kind}.{c.field}: {c.todo}" for c in self.columns if c.todo]
        if self.role_todo:
            out.append(f"{self.kind}.role: values not sorted: {', '.join(map(repr, self.role_todo))}")
        elif self.role is not None and not any(self.role[k] for k in ("victims", "offenders", "skip")):
            out.append(f"{self.kind}.role: {NO_ROLE_VALUES}")
        return out

    def fields(self) -> dict[str, list[str]]:
        """field -> the headers it reads (or ["registry:area"]); TODO fields are left out."""
        out = {}
        for c in self.columns:
            if c.todo:
                continue
            out[c.field] = list(c.headers) or [_source_of(c.spec)]
        return out


def _source_of(spec) -> str:
    if isinstance(spec, dict):
        if "registry" in spec:
            return f"registry:{spec['registry']}"
        if "value" in spec:
            return f"value:{spec['value']}"
    return ""
