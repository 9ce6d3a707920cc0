"""`mapping check`: a name column whose cells hold several people, read by a mapping that does not
say `several: people` (session 20): only the first of each cell is loaded (a `several_names`
warning per row at most; "John Smith and Dean Carter" not even that), so the check says which
column and rows, never a cell."""

from __future__ import annotations

from ..config import Mapping, normalise
from ..ingest.several import people_in

MAX_ROWS = 8


def several_unsaid(mapping: Mapping, mapped) -> list[dict]:
    """One warning per block and column (sheet, code, severity, message), as check's sheet issues."""
    out = []
    for spec in mapping.sheets:
        cspec = spec.columns.get("name")
        if cspec is None or cspec.parse != "name" or cspec.several or not cspec.headers or spec.groups:
            continue
        wanted = {normalise(h) for h in cspec.headers}
        for sheet, kind, _header_row, headers in mapped.raw_headers:
            if kind != spec.kind:
                continue
            pos = next((i for i, h in enumerate(headers) if h and normalise(h) in wanted), None)
            if pos is None:
                continue
            rows = [n for s, n, _k, cells in mapped.raw_rows
                    if s == sheet and pos < len(cells) and len(people_in(cells[pos])) > 1]
            if rows:
                shown = ", ".join(map(str, rows[:MAX_ROWS])) + (" ..." if len(rows) > MAX_ROWS else "")
                out.append({"sheet": sheet, "code": "several_people", "severity": "warning",
                            "message": f"{spec.block}: {len(rows)} cell(s) of column {headers[pos]!r} hold several "
                                       f"people (rows {shown}): only the first of each is loaded; add "
                                       "`several: people` to the name's spec for a record each (docs/mappings.md)"})
    return out
