"""`mapping check`: row warnings that say something about the file as a whole, summed per sheet
(session 20). Ingest warns `past_header` (a filled cell right of the last header: in a csv most
often a comma in an unquoted value, which shifts the row's later cells) and `nul_byte` (NUL bytes a
csv reader dropped from a cell) once a row or cell; `mapping check` listed neither, so a mapping
could be checked clean over a file whose rows are shifted. Row numbers and columns only, never a cell.
"""

from __future__ import annotations

MAX_ROWS = 8
SUMMED = {
    "past_header": "row(s) with filled cells right of the last header ({rows}; first at column {cols}): no field "
                   "reads them; in a csv a comma in an unquoted value shifts the row's later cells one column "
                   "on: check those rows",
    "nul_byte": "cell(s) held NUL bytes, dropped ({rows}; columns {cols}): the cells are read without them; "
                "an export fault: ask for the file again if a value looks cut",
}


def summed_row_warnings(mapped) -> list[dict]:
    """One entry per sheet and code of SUMMED (sheet, code, severity, message), as check's sheet issues."""
    seen: dict[tuple, list] = {}
    for i in mapped.issues:
        if i.code in SUMMED and i.row_number is not None:
            seen.setdefault((i.sheet, i.code), []).append(i)
    out = []
    for (sheet, code), issues in seen.items():
        rows = sorted({i.row_number for i in issues})
        cols = list(dict.fromkeys(i.column_name for i in issues if i.column_name))
        shown = ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, rows[:MAX_ROWS])) + (" ..." if len(rows) > MAX_ROWS else "")
        text = SUMMED[code].format(rows=shown, cols=", ".join(map(repr, cols[:MAX_ROWS])) or "?")
        out.append({"sheet": sheet, "code": code, "severity": "warning", "message": f"{len(issues)} {text}"})
    return out
