"""What happened to each file of a load (FileOutcome) and to the whole load (IngestReport).

Kept apart from the pipeline so that discovery, the CLI and the load summary can name
outcomes without importing the readers and the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .mapping import Issue, MappedReturn


class IdentifyError(Exception):
    def __init__(self, file_name: str, reason: str):
        self.file_name, self.reason = file_name, reason
        super().__init__(f"{file_name}: {reason}")


@dataclass
class FileOutcome:
    """What happened to one file: `loaded`, `unchanged`, `checked` (validate), `failed`, or
    `skipped` (in a folder given, but not a return file type)."""

    file_name: str
    path: str
    status: str
    agency_id: str | None = None
    agency_name: str | None = None
    source_type: str | None = None
    mapping: str | None = None
    return_id: int | None = None
    superseded: list[int] = field(default_factory=list)
    message: str = ""
    sheet: str | None = None  # a failed file's sheet that could not be read, where one is to blame
    mapped: MappedReturn | None = None
    tables: dict | None = None  # Arrow tables for the store, built where the file was mapped

    @property
    def issues(self) -> list[Issue]:
        return self.mapped.issues if self.mapped else []

    def as_dict(self) -> dict:
        m = self.mapped
        return {
            "file": self.file_name, "status": self.status, "agency": self.agency_id,
            "source_type": self.source_type, "mapping": self.mapping, "return_id": self.return_id,
            "rows_landed": m.rows_landed if m else 0, "records_accepted": m.records_accepted if m else 0,
            "rows_rejected": m.rows_rejected if m else 0, "rows_skipped": m.rows_skipped if m else 0,
            "cases": m.count("cases") if m else 0, "victims": m.count("victims") if m else 0,
            "offenders": m.count("offenders") if m else 0,
            # `several: people`: rows whose one cell gave several records, and the records they gave
            "several_rows": m.several_rows if m else 0, "several_records": m.several_records if m else 0,
            "warnings": m.warnings if m else 0, "nil_return": bool(m and m.nil_return),
            "empty_return": bool(m and m.empty_return),
            "superseded": self.superseded, "message": self.message,
        }


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    linkage: dict = field(default_factory=dict)
    stored: bool = True  # false when a strict ingest found problems and stored nothing
    warnings: list[str] = field(default_factory=list)   # registry: near-duplicate names, files matching two agencies

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def rows_rejected(self) -> int:
        return sum(f.mapped.rows_rejected for f in self.files if f.mapped)

    @property
    def has_errors(self) -> bool:
        return bool(self.failed) or self.rows_rejected > 0
