"""What a return holds that no field reads as written: sheets that no mapping block reads but that
hold a table a block reads elsewhere, cells right of the last header, NUL bytes dropped from a csv;
and rows, columns and sheets the workbook hides, which are read as any other.

A police return with a sheet per year ("2008-09", "2009-10", "2010-11") mapped with one sheet
name (`sheet: "2009-10"`, as a draft of it says) loaded that sheet's rows and said "No issues":
the other years' rows were never landed, so they were in no count and no issue (session 18). Such
a sheet is named by an `unread_sheet` warning with how many rows it holds; the rows stay unloaded
(the mapping decides what a return is), but never without a word.
"""

from __future__ import annotations

from ..config import SheetSpec, normalise
from .readers import Sheet
from .records import Issue
from .sheets import _col_letter as _letter
from .sheets import combined_headers, find_header

# how much of a read sheet's header row another sheet's header must repeat to be the same table
_SAME_TABLE = 0.8


def _header_cells(sheet: Sheet, idx: int, spec: SheetSpec) -> set[str]:
    cells = combined_headers(sheet.rows, idx, spec.header_rows) if spec.header_rows > 1 else sheet.rows[idx]
    return {normalise(c) for c in cells if c and c.strip()}


def unread_sheets(sheets: list[Sheet], specs: list[SheetSpec], read: set[str],
                  raw_headers: list[tuple[str, str, int, list[str]]], search_rows: int) -> list[Issue]:
    """An `unread_sheet` warning for each sheet outside `read` whose header row repeats (80 % or
    more of) the header of a sheet a block did read, with at least one non-blank row under it.
    Sheets with other headers (a cover letter, guidance, a pivot table) stay unmentioned, as before."""
    issues = []
    for sheet in sheets:
        if sheet.name in read:
            continue
        for spec in specs:
            read_as = [(name, {normalise(h) for h in headers if h and h.strip()})
                       for name, kind, _row, headers in raw_headers if kind == spec.kind]
            idx = find_header(sheet, spec, search_rows) if read_as else None
            if idx is None:
                continue
            cells = _header_cells(sheet, idx, spec)
            like = next((name for name, hdr in read_as
                         if len(hdr) >= 2 and len(hdr & cells) >= _SAME_TABLE * len(hdr)), None)
            n = sum(1 for r in sheet.rows[idx + 1:] if "".join(r).strip())
            if like is None or not n:
                continue
            issues.append(Issue(sheet.name, None, None, None, "unread_sheet", "warning",
                                f"{n} row(s) under the same headers as sheet {like!r} ({spec.kind}), but the "
                                f"mapping reads sheet {spec.describe_sheet()} only: these rows are not loaded "
                                f"(a sheet per year: sheet: {{regex: ...}}, docs/mappings.md)", spec.block))
            break
    return issues


def cells_past_header(sheet_name: str, headers: list[str], rows, block: str) -> list[Issue]:
    """A `past_header` warning for each row with a filled cell to the right of the last header: no
    field reads it. In a csv it is most often a comma inside an unquoted value ("Smith, Jane"), which
    shifts every later cell of the row one column on (session 18: such a row loaded without a word,
    its sex read from the ethnicity column). The row still loads, as it did; the warning names the
    row and the first column past the header, never a cell."""
    width = max((i + 1 for i, h in enumerate(headers) if h and h.strip()), default=0)
    issues = []
    for row_number, cells in rows:
        # one slice a row (every data row passes here): the list is built only for a row with something past
        if len(cells) <= width or not "".join(cells[width:]).strip():
            continue
        extra = [i for i in range(width, len(cells)) if cells[i] and cells[i].strip()]
        if extra:
            issues.append(Issue(sheet_name, row_number, _letter(extra[0]), None, "past_header", "warning",
                                f"{len(extra)} filled cell(s) right of the last header (from column "
                                f"{_letter(extra[0])}): no field reads them; in a csv, a comma in an unquoted "
                                "value shifts the row's later cells: check the row's columns", block))
    return issues


def nul_byte_cells(sheet: Sheet, headers: list[str], data_start: int, block: str) -> list[Issue]:
    """A `nul_byte` warning for each data cell a csv reader dropped NUL bytes from (the cell is
    read without them): named by row and header, never by its text."""
    issues = []
    for i, j in sheet.nul_cells:
        if i < data_start:
            continue
        column = headers[j] if j < len(headers) and headers[j] and headers[j].strip() else _letter(j)
        issues.append(Issue(sheet.name, i + 1, column, None, "nul_byte", "warning",
                            "NUL byte(s) in the cell, dropped: the cell is read without them (an export "
                            "that pads fields with NULs?); check the value", block))
    return issues


def header_further_down(sheet: Sheet, spec: SheetSpec, search_rows: int) -> str:
    """Where the header is when it is below the rows searched: "; the header is on row 5000 ...", or
    "" (session 18: a table far down a sheet was "no header row found in the first 30 rows", every
    row rejected, with nothing to say where it was or what to change)."""
    if len(sheet.rows) <= search_rows:
        return ""
    idx = find_header(sheet, spec, len(sheet.rows))
    if idx is None or idx < search_rows:
        return ""
    if not spec.header_contains:
        aliases = {normalise(h) for c in spec.columns.values() for h in c.all_headers()}
        if len(_header_cells(sheet, idx, spec) & aliases) < 2:
            return ""
    return (f"; the header is on row {idx + 1}: raise header_search_rows in settings.yaml above it, or ask "
            "the agency to move the table up")


def hidden_data_rows(sheet: Sheet, rows, block: str) -> list[Issue]:
    """One `hidden_rows` warning for the data rows of a block that the workbook hides (by hand or by
    a filter): they load as any other row, as Excel's own sums would count them, but an agency may
    have hidden rows it meant to withdraw (session 19: loaded without a word). Row numbers only."""
    if not sheet.hidden_rows:
        return []
    hidden = set(sheet.hidden_rows)
    found = [r for r, _ in rows if r in hidden]
    if not found:
        return []
    spans = _spans(found)
    shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans[:10]) + (", ..." if len(spans) > 10 else "")
    return [Issue(sheet.name, found[0], None, None, "hidden_rows", "warning",
                  f"{len(found)} data row(s) hidden in the workbook ({'rows' if len(found) > 1 else 'row'} {shown}): "
                  "loaded as any other; "
                  "check with the agency that hidden rows (a filter, withdrawn cases?) were meant to be sent",
                  block)]


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as runs: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    spans: list[tuple[int, int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    return spans


def repeated_headers(rows: list[tuple[int, list[str]]], header_rows: list[list[str]]) -> list[int]:
    """Indices of `rows` (data rows, as mapping._filled_rows gives them) that repeat one of the
    sheet's header rows: at least two cells, each the header's own text in its column, and at
    least half of that header row's cells. An export that repeats its header at each page break, or
    a block pasted under another with its header, had the header loaded as a person ("First name
    Surname", sex "Gender": session 19) with warnings for its bad age and date and no word that it
    was a header. Page-break copies are exact, so a row is looked at only when its cell under the
    header's first heading holds that heading."""
    out: set[int] = set()
    for header in header_rows:
        heads = {j: normalise(h) for j, h in enumerate(header) if h and h.strip()}
        if len(heads) < 2:
            continue
        j0 = min(heads)
        first = header[j0].strip()
        for i, (_n, cells) in enumerate(rows):
            if len(cells) <= j0 or cells[j0].strip() != first:
                continue
            filled = [j for j, c in enumerate(cells) if c and c.strip()]
            if len(filled) >= max(2, len(heads) / 2) and all(normalise(cells[j]) == heads.get(j) for j in filled):
                out.add(i)
    return sorted(out)


def formula_cells(sheet: Sheet, headers: list[str], data_start: int, block: str) -> list[Issue]:
    """A warning for each data cell holding a formula whose saved result is an error (`formula_error`,
    the error's own text: #REF!, #VALUE!) or that was saved with no result (`formula_no_value`): read
    as blank, so the field is Unknown (extent.formula_gaps). Named by row and header, never a value."""
    issues = []
    for i, j, error in sheet.formula_cells:
        if i < data_start:
            continue
        column = headers[j] if j < len(headers) and headers[j] and headers[j].strip() else _letter(j)
        if error:
            issues.append(Issue(sheet.name, i + 1, column, None, "formula_error", "warning",
                                f"a formula whose saved result is the error {error}: read as blank (Unknown); "
                                "ask the agency to correct the formula or type the value", block))
        else:
            issues.append(Issue(sheet.name, i + 1, column, None, "formula_no_value", "warning",
                                "a formula saved without its result (written by a program that does not "
                                "calculate): read as blank (Unknown); open and save the file in Excel or "
                                "LibreOffice, then load it again", block))
    return issues


_CHECK = "check with the agency that it was meant to be sent (hidden, not deleted?)"


def hidden_read(sheet: Sheet, groups, role, header_row: int, block: str) -> list[Issue]:
    """A `hidden_sheet` warning when the block reads a sheet the workbook hides, and a
    `hidden_column` warning for each column hidden in the workbook that a field of the block reads
    (`groups`: resolve._resolve_groups; `role`: the role column's (position, header)). Both are read
    as any other: an agency may hide a sheet or a column of names thinking it removed it (session
    19: read without a word); nothing dropped, nothing read silently. Names sheet and column only."""
    out = []
    if sheet.state != "visible":
        how = " (very hidden: only a macro shows it)" if sheet.state == "veryHidden" else ""
        out.append(Issue(sheet.name, None, None, None, "hidden_sheet", "warning",
                         f"the sheet is hidden in the workbook{how}: read as any other; {_CHECK}", block))
    if not sheet.hidden_columns:
        return out
    hidden = sheet.hidden_columns
    reads: dict[int, tuple[str, list[str]]] = {}      # position -> (header, fields reading it)
    for _group, fields in groups:
        for f in fields:
            for pos, header, _t, _c in f.parts:
                for p in (pos if isinstance(pos, tuple) else (pos,)):
                    if p is not None:
                        reads.setdefault(p, (header, []))[1].append(f.name)
    if role is not None:
        reads.setdefault(role[0], (role[1], []))[1].append("role")
    for pos in sorted(reads):
        if any(a <= pos + 1 <= b for a, b in hidden):
            header, names = reads[pos]
            out.append(Issue(sheet.name, header_row, header, None, "hidden_column", "warning",
                             f"column {_letter(pos)} {header!r} ({', '.join(dict.fromkeys(names))}) is hidden in "
                             f"the workbook: read as any other; {_CHECK}", block))
    return out
