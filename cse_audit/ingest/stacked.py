"""Tables stacked on one sheet: where each block's table starts and ends.

Small agencies often send one sheet with the children's table, a blank row, a title ("Adults of
concern") and a second table with its own header under it. Read from its header to the end of
the sheet, the first table took in the second's title, header and rows as children (bad dates,
"names" such as "Adult name", and adults counted as victims: BENCHMARKS.md, session 15, the
fifth world "as sent"). Here every block reading a sheet gets its bounds: its title rows, its
header row and the row its table stops before (the next table's title rows, or the sheet's end).

A block says `below: victims` when its table is under the victims block's: its header is then
looked for anywhere under that header (not only in the sheet's first `header_search_rows`).
Two blocks whose headers are found in different rows are two tables whether or not one says so:
the upper one ends where the lower one's table starts."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Mapping, SheetSpec
from .readers import Sheet
from .sheets import find_header, select_sheets

# at most this many title rows over a table's header ("Adults of concern", "Period: ..."), found
# walking up from it to the blank row that parts it from the table above
TITLE_ROWS = 5


@dataclass(frozen=True)
class Bounds:
    top: int            # the table's first row (its title rows start here; 0 for the sheet's first table)
    header: int | None  # the header row's index (its last row, with `header_rows`), None when not found
    end: int            # the table's rows stop before this index


def _blank(row: list[str]) -> bool:
    return not "".join(row).strip()


def _headers(sheet: Sheet, specs: list[SheetSpec], search_rows: int) -> dict[str, int | None]:
    """Each block's header row index: a block `below` another is looked for under that one's
    header, anywhere down the sheet (uppers first: the mapping forbids cycles)."""
    found: dict[str, int | None] = {}
    todo = list(specs)
    while todo:
        ready = [s for s in todo if not s.below or s.below in found or all(o.block != s.below for o in specs)]
        if not ready:           # a cycle (the mapping loader refuses one): none of them is found
            found.update((s.block, None) for s in todo)
            break
        for spec in ready:
            if spec.below:
                upper = found.get(spec.below)
                found[spec.block] = None if upper is None else find_header(sheet, spec, len(sheet.rows), upper + 1)
            else:
                found[spec.block] = find_header(sheet, spec, search_rows)
        todo = [s for s in todo if s not in ready]
    return found


def _top(rows: list[list[str]], header: int, header_rows: int, floor: int) -> int:
    """Where the table whose (last) header row is ``header`` starts: its group rows, then up to
    TITLE_ROWS title rows above them when a blank row parts those from what is above (else the
    titles cannot be told from the table above's last rows, and the table starts at its header)."""
    first = header - header_rows + 1
    i = first - 1
    while i > floor and first - i <= TITLE_ROWS and not _blank(rows[i]):
        i -= 1
    return i + 1 if i > floor and _blank(rows[i]) else first


def table_bounds(sheet: Sheet, specs: list[SheetSpec], search_rows: int) -> dict[str, Bounds]:
    """Bounds of every block reading ``sheet`` (by block name). A block whose header is not found
    keeps the whole sheet (its no-header handling reports it)."""
    headers = _headers(sheet, specs, search_rows)
    depth = {}  # how many rows each found header takes (the most any block there says)
    for spec in specs:
        h = headers[spec.block]
        if h is not None:
            depth[h] = max(depth.get(h, 1), spec.header_rows)
    rows, n = sheet.rows, len(sheet.rows)
    heads: list[int] = []   # the header row of each table, top down
    for h in sorted(depth):
        # a header within the rows of the one above's header (a group row found by another block)
        # is that table's, not a second one
        if not heads or h - heads[-1] > depth[h]:
            heads.append(h)
    tops = [0] + [_top(rows, h, depth[h], prev) for prev, h in zip(heads, heads[1:], strict=False)]
    ends = tops[1:] + [n]
    out = {}
    for spec in specs:
        h = headers[spec.block]
        if h is None:
            out[spec.block] = Bounds(0, None, n)
            continue
        t = max(i for i, head in enumerate(heads) if head <= h)
        out[spec.block] = Bounds(tops[t], h, ends[t])
    return out


def sheet_tables(sheets: list[Sheet], mapping: Mapping, search_rows: int) -> dict[str, dict[str, Bounds]]:
    """Per sheet, the bounds of each block reading it: found with all of that sheet's blocks, as
    two of them may read two tables stacked on it."""
    on_sheet: dict[str, tuple[Sheet, list[SheetSpec]]] = {}
    for spec in mapping.sheets:
        for sheet in select_sheets(sheets, spec):
            on_sheet.setdefault(sheet.name, (sheet, []))[1].append(spec)
    return {name: table_bounds(sheet, specs, search_rows) for name, (sheet, specs) in on_sheet.items()}
