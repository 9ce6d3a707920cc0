"""Find a mapping block's sheet, its header row and its columns in a return.

Title rows, notes and blank rows above the header are normal in returns, so the header is
searched for; a nil return is recognised by its marker text.
"""

from __future__ import annotations

import difflib
import re
from itertools import zip_longest

from ..config import SheetSpec, normalise
from .readers import Sheet
from .records import Issue
from .values import joined_date


def select_sheet(sheets: list[Sheet], spec: SheetSpec) -> Sheet | None:
    sel = spec.sheet
    if isinstance(sel, int):
        return sheets[sel] if 0 <= sel < len(sheets) else None
    if isinstance(sel, str):
        want = normalise(sel)
        return next((s for s in sheets if normalise(s.name) == want), None)
    return next((s for s in sheets if sel.search(s.name)), None)


def select_sheets(sheets: list[Sheet], spec: SheetSpec) -> list[Sheet]:
    """Every sheet a block maps: all sheets matching a `{regex: ...}` (a sheet per year), else the one named."""
    if hasattr(spec.sheet, "search"):
        return [s for s in sheets if spec.sheet.search(s.name)]
    one = select_sheet(sheets, spec)
    return [one] if one is not None else []


def find_header(sheet: Sheet, spec: SheetSpec, search_rows: int, start: int = 0) -> int | None:
    """Index of the header row: the first row holding every `header_contains` text, or else
    the row matching most of the mapping's column names. With `header_rows: 2` (or 3) it is the
    last header row, and a row is scored on its combined headers (`VICTIM / Name`). Rows from
    ``start`` (a table under another: stacked.py) up to ``search_rows`` are looked at."""
    wanted = [normalise(h) for h in spec.header_contains]
    aliases = {normalise(h) for c in spec.columns.values() for h in c.all_headers()}
    if spec.role:
        aliases |= {normalise(h) for h in spec.role.column}
    if spec.groups:
        aliases |= {normalise(spec.groups.header(h, n)) for c in spec.columns.values() for h in c.all_headers()
                    for n in spec.groups.n}
    best, best_score = None, 0
    for i, row in enumerate(sheet.rows[start:search_rows], start=start):
        if i < spec.header_rows - 1:
            continue
        cells = {normalise(c) for c in row if c and c.strip()}
        if spec.header_rows > 1:
            cells |= {normalise(c) for c in combined_headers(sheet.rows, i, spec.header_rows) if c}
            cells |= {normalise(c) for r in sheet.rows[i - spec.header_rows + 1:i] for c in r if c and c.strip()}
        if wanted:
            if all(w in cells for w in wanted):
                return i
            continue
        score = len(cells & aliases)
        if score > best_score:
            best, best_score = i, score
    return best


_FOOTER = re.compile(r"^\s*(grand\s+|sub-?\s*)?totals?\b|^\s*(notes?|n\.?\s?b\.?|source|key)\s*[:\-]|"
                     r"^\s*(end of (report|data|return)|count\s*[:=])", re.IGNORECASE)


def is_footer_row(cells: list[str], markers: tuple[str, ...]) -> bool:
    """A total, a note or a nil line under (or instead of) the data: at most two filled cells, one of
    them reading like "Total: 88 children", "Note: ...", "Grand total" or a nil-return marker."""
    if len(cells) - cells.count("") > 2:
        return False   # the common case, a data row, decided without a look at each cell
    filled = [c for c in cells if c.strip()]
    if not filled or len(filled) > 2:
        return False
    if any(_FOOTER.match(c) for c in filled):
        return True
    text = " ".join(normalise(c) for c in filled)
    return any(normalise(m) in text for m in markers)


# A count in a totals row: "8", "1,875", "8 young people", "6 perpetrators", "12%", "£50"
_COUNT = re.compile(r"[£$]?\d[\d,.]*\s*(?:%|[^\W\d_][\w\s'()/-]*)?", re.IGNORECASE)
# How a total label starts (lower case): a row whose first filled cell starts otherwise is no totals row.
TOTAL_HEADS = ("tot", "gra", "sub")
_TOTAL_LABEL = re.compile(r"(?:grand\s+|sub-?\s*)?totals?\b(?:[\w\s'()/-]*)?:?", re.IGNORECASE)


def is_totals_row(cells: list[str]) -> bool:
    """A totals row however many cells it fills: the first filled cell a total label ("Total",
    "Grand total", "Totals:", "Total referrals"), every other filled cell a count ("8", "8 young
    people", "1,875"). is_footer_row takes such a row only with two cells filled or fewer (session 17:
    "Total" | "8 young people" | "6 perpetrators" under a referral sheet was a child named "8 young
    people" of a case "Total"). A data row is never one: its names, dates and codes are no counts."""
    first = next((c for c in cells if c), "").lstrip()
    if first[:3].lower() not in TOTAL_HEADS or not _TOTAL_LABEL.fullmatch(first.strip()):
        return False
    counts = [c.strip() for c in cells if c and c.strip()][1:]
    return bool(counts) and all(_COUNT.fullmatch(c) for c in counts)


def _is_nil_sheet(sheet: Sheet, markers: tuple[str, ...]) -> bool:
    text = " ".join(normalise(c) for row in sheet.rows[:50] for c in row if c)
    return any(normalise(m) in text for m in markers)


def states_nil(rows: list[list[str]], markers: tuple[str, ...]) -> bool:
    """Whether any cell of these rows (title rows above a header, a file's name) holds a nil marker."""
    keys = [normalise(m) for m in markers]
    return any(k in normalise(c) for row in rows for c in row if c for k in keys)


EMPTY_RETURN = ("empty_return", "no rows under the headers, and no word that it is a nil return ('Nil return', "
                                "'No cases': nil_markers in settings.yaml) above or under them or in the file "
                                "name: an empty template, counted neither as a response nor as a nil return; ask "
                                "the agency whether it holds no cases")


def once_per_cell(issues: list[Issue]) -> list[Issue]:
    """The issues with one `stray_punctuation` per cell: the mark is the cell's, however many fields
    (missing status and missing-from of one column) or blocks (a case date read by the victims and
    the offenders block) read it."""
    seen, out = set(), []
    for i in issues:
        if i.code in ("stray_punctuation", "past_header", "nul_byte", "hidden_rows", "hidden_column", "hidden_sheet"):
            key = (i.code, i.sheet, i.row_number, i.column_name)
            if key in seen:
                continue
            seen.add(key)
        out.append(i)
    return out


def settle_nil(out, stated: bool) -> None:
    """A return with no rows landed is a nil return when it says so somewhere (`stated`), else an
    empty template, with an `empty_return` warning. Before session 17 every return with no rows
    landed was a nil return, a blank template too, counted as a response with zero records."""
    out.nil_return = out.rows_landed == 0 and stated
    out.empty_return = out.rows_landed == 0 and not stated
    if out.empty_return:
        out.issues.append(Issue(None, None, None, None, EMPTY_RETURN[0], "warning", EMPTY_RETURN[1]))


def combined_headers(rows: list[list[str]], last: int, n_rows: int) -> list[str]:
    """The headers of a header that takes `n_rows` rows ending at row index `last`: each group cell
    of the rows above (a merged cell: its text in its first column, blanks after it) carried right
    over the blanks, joined to the sub-header below: `VICTIM / Name`."""
    top_rows = rows[last - n_rows + 1:last]
    subs = rows[last]
    width = max([len(subs)] + [len(r) for r in top_rows])
    carried = []
    for r in top_rows:
        held, out = "", []
        for i in range(width):
            text = r[i].strip() if i < len(r) else ""
            held = text or held
            out.append(held)
        carried.append(out)
    headers = []
    for i in range(width):
        parts = [c[i] for c in carried if c[i]]
        sub = subs[i].strip() if i < len(subs) else ""
        if sub:
            parts.append(sub)
        headers.append(" / ".join(parts))
    return headers


class SheetError(Exception):
    """A block cannot map a sheet at all (a required column is missing, a header is ambiguous)."""


class _Columns:
    """Resolve header names (or letters) to column positions for one sheet.

    A header that appears more than once is an error when a mapping asks for it (saying how to
    address each copy), unless the block says `duplicate_headers: first` (the first, with a warning).
    With a multi-row header, `subs` are the bottom-row sub-headers: a sub-header names its column
    on its own where it is unique."""

    def __init__(self, headers: list[str], sheet_name: str, issues: list[Issue], header_row: int,
                 duplicates: str = "first", subs: list[str] | None = None, below: list[str] | None = None):
        # the row under a one-row header: a header merged over two rows has its sub-headers there
        self.below = {normalise(h) for h in (below or []) if normalise(h)}
        self.positions: dict[str, int] = {}
        self.repeated: dict[str, list[int]] = {}
        self.headers, self.duplicates = headers, duplicates
        self.sheet_name, self.issues, self.header_row = sheet_name, issues, header_row
        for i, h in enumerate(headers):
            key = normalise(h)
            if not key:
                continue
            if key in self.positions:
                self.repeated.setdefault(key, [self.positions[key]]).append(i)
                if duplicates == "first":
                    issues.append(Issue(sheet_name, header_row, h, None, "duplicate_header", "warning",
                                        f"header {h!r} appears more than once; using the first "
                                        f"(column {_col_letter(self.positions[key])}), not column {_col_letter(i)}"))
                continue
            self.positions[key] = i
        self.sub_positions: dict[str, list[int]] = {}
        for i, h in enumerate(subs or []):
            key = normalise(h)
            if key and key not in self.positions:
                self.sub_positions.setdefault(key, []).append(i)

    def find(self, names: tuple[str, ...]) -> tuple[int, str] | None:
        for name in names:
            key = normalise(name)
            if key in self.repeated and self.duplicates != "first":
                raise SheetError(self._ambiguous(name, self.repeated[key]))
            pos = self.positions.get(key)
            if pos is not None:
                return pos, self.headers[pos]
            subs = self.sub_positions.get(key)
            if subs and len(subs) > 1:
                raise SheetError(self._ambiguous(name, subs))
            if subs:
                return subs[0], self.headers[subs[0]]
        return None

    def at(self, index: int) -> tuple[int, str]:
        """A column given by letter: always found (a column past the last is blank)."""
        return index, (self.headers[index] if index < len(self.headers) else "") or f"column {_col_letter(index)}"

    def _ambiguous(self, name: str, positions: list[int]) -> str:
        ways = [f"{{letter: {_col_letter(p)}}}" for p in positions]
        whole = [self.headers[p] for p in positions]
        if len(set(map(normalise, whole))) == len(whole):
            ways = [f"{w!r} or {letter}" for w, letter in zip(whole, ways, strict=True)]
        return (f"header {name!r} appears in columns {', '.join(_col_letter(p) for p in positions)}; address each "
                f"copy as {' / '.join(ways)} (or set `duplicate_headers: first` to take the first)")

    def under_header(self, names: tuple[str, ...]) -> str:
        """A hint when a header not found is on the row under the header row (bench/heldout7: an ods
        header merged over two rows, "Missing" over "No. of times missing"), else ''. Headers only."""
        if not any(normalise(n) in self.below for n in names):
            return ""
        return (f"; it is on row {self.header_row + 1}, under the header row: a header over two rows "
                "(merged cells)? Map the block with header_rows: 2")

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


class _Grid:
    """The data rows of a sheet column by column (short rows padded with ''), transposed once."""

    def __init__(self, cells_list: list[list[str]]):
        self.n = len(cells_list)
        self.columns = list(zip_longest(*cells_list, fillvalue=""))

    @classmethod
    def of_columns(cls, columns: list[tuple[str, ...]], n: int) -> _Grid:
        """A grid of columns already cut (the rows of one person of several in a cell: several.py)."""
        grid = cls.__new__(cls)
        grid.n, grid.columns = n, columns
        return grid

    def __call__(self, pos) -> tuple[str, ...]:
        if isinstance(pos, tuple):
            return tuple(map(joined_date, *(self(p) for p in pos)))
        return self.columns[pos] if pos < len(self.columns) else ("",) * self.n
