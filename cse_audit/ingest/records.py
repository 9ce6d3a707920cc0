"""What mapping one return produces: records column-wise, issues, counts (MappedReturn).

The result types live apart from the mapping code so that the pipeline, the store and the
summary can use them without importing the mapping machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PERSON_KINDS = ("victims", "offenders")
UNKNOWN = "Unknown"


class ReturnError(Exception):
    """The whole return cannot be mapped (e.g. an expected sheet is missing)."""

    def __init__(self, file_name: str, reason: str):
        self.file_name, self.reason = file_name, reason
        super().__init__(f"{file_name}: {reason}")


@dataclass
class Issue:
    sheet: str | None
    row_number: int | None
    column_name: str | None
    value: str | None
    code: str
    severity: str  # "error" (row rejected), "warning" (row kept) or "skipped" (row not a record)
    message: str
    block: str | None = None  # the mapping block (its kind) that found it


@dataclass
class MappedReturn:
    """What one return produced: raw rows, records per kind, issues and the counts."""

    raw_headers: list[tuple[str, str, int, list[str]]] = field(default_factory=list)
    raw_rows: list[tuple[str, int, str, list[str]]] = field(default_factory=list)
    # Records are kept column-wise (kind -> field -> values, all lists of one length): the
    # mapping works a column at a time and the store bulk-inserts them as they are.
    columns: dict[str, dict[str, list]] = field(default_factory=lambda: {"cases": {}, "victims": {}, "offenders": {}})
    issues: list[Issue] = field(default_factory=list)
    rows_landed: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    nil_return: bool = False     # no rows landed, and the return says it is nil (sheets.settle_nil)
    empty_return: bool = False   # no rows landed, and nothing says nil: an empty template
    counts: dict[str, int] | None = None  # records per kind, kept once the rows are dropped
    period_start: object = None  # the reporting period stated in a title row (`period:`), a date
    period_end: object = None
    period_source: str | None = None  # where it was read: "sheet 'Cases' row 2"
    # `several: people` (several.py): rows whose one cell gave more than one record, and the records
    # those rows gave, so that records beyond rows accepted are accounted for
    several_rows: int = 0
    several_records: int = 0

    def count(self, kind: str) -> int:
        if self.counts is not None:
            return self.counts[kind]
        return len(self.columns[kind].get("row_number", ()))

    def drop_rows(self) -> None:
        """Forget raw rows and records (once they are stored or in Arrow), keeping counts and issues."""
        self.counts = {kind: self.count(kind) for kind in self.columns}
        self.raw_rows = []
        self.columns = {kind: {} for kind in self.columns}

    @property
    def records(self) -> dict[str, list[dict]]:
        """The records as one dict per record (convenient for small returns and tests)."""
        out = {}
        for kind, cols in self.columns.items():
            names = list(cols)
            out[kind] = [dict(zip(names, values, strict=True)) for values in zip(*cols.values(), strict=True)] \
                if names else []
        return out

    def add(self, kind: str, cols: dict[str, list]) -> None:
        """Append records given column-wise; fields missing on either side are padded with None."""
        target = self.columns[kind]
        n_old = self.count(kind)
        n_new = len(cols["row_number"])
        for name in cols.keys() - target.keys():
            target[name] = [None] * n_old
        for name, values in target.items():
            values.extend(cols.get(name, [None] * n_new))

    @property
    def records_accepted(self) -> int:
        """Rows that became records (cases derived from person rows are not rows)."""
        return self.rows_landed - self.rows_rejected - self.rows_skipped

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")
