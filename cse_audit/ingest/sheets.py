"""Find a mapping block's sheet, its header row and its columns in a return.

Title rows, notes and blank rows above the header are normal in returns, so the header is
searched for; a nil return is recognised by its marker text.
"""

from __future__ import annotations

import difflib

from ..config import SheetSpec, normalise
from .readers import Sheet
from .records import Issue


def select_sheet(sheets: list[Sheet], spec: SheetSpec) -> Sheet | None:
    sel = spec.sheet
    if isinstance(sel, int):
        return sheets[sel] if 0 <= sel < len(sheets) else None
    if isinstance(sel, str):
        want = normalise(sel)
        return next((s for s in sheets if normalise(s.name) == want), None)
    return next((s for s in sheets if sel.search(s.name)), None)


def find_header(sheet: Sheet, spec: SheetSpec, search_rows: int) -> int | None:
    """Index of the header row: the first row holding every `header_contains` text, or else
    the row matching most of the mapping's column names."""
    wanted = [normalise(h) for h in spec.header_contains]
    aliases = {normalise(h) for c in spec.columns.values() for h in c.all_headers()}
    if spec.role:
        aliases |= {normalise(h) for h in spec.role.column}
    best, best_score = None, 0
    for i, row in enumerate(sheet.rows[:search_rows]):
        cells = {normalise(c) for c in row if c and c.strip()}
        if wanted:
            if all(w in cells for w in wanted):
                return i
            continue
        score = len(cells & aliases)
        if score > best_score:
            best, best_score = i, score
    return best


def _is_nil_sheet(sheet: Sheet, markers: tuple[str, ...]) -> bool:
    text = " ".join(normalise(c) for row in sheet.rows[:50] for c in row if c)
    return any(normalise(m) in text for m in markers)


class _Columns:
    """Resolve header names to column positions for one sheet."""

    def __init__(self, headers: list[str], sheet_name: str, issues: list[Issue], header_row: int):
        self.positions: dict[str, int] = {}
        self.headers = headers
        for i, h in enumerate(headers):
            key = normalise(h)
            if not key:
                continue
            if key in self.positions:
                issues.append(Issue(sheet_name, header_row, h, None, "duplicate_header", "warning",
                                    f"header {h!r} appears more than once; using the first "
                                    f"(column {_col_letter(self.positions[key])}), not column {_col_letter(i)}"))
                continue
            self.positions[key] = i

    def find(self, names: tuple[str, ...]) -> tuple[int, str] | None:
        for name in names:
            pos = self.positions.get(normalise(name))
            if pos is not None:
                return pos, self.headers[pos]
        return None

    def suggest(self, names: tuple[str, ...]) -> list[str]:
        keys = list(self.positions)
        close = []
        for n in names:
            for k in difflib.get_close_matches(normalise(n), keys, n=3, cutoff=0.6):
                h = self.headers[self.positions[k]]
                if h not in close:
                    close.append(h)
        return close


def _col_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out
