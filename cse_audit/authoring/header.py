"""Finding the header row of a sheet, and the row/column helpers that go with it.

`find_header_row` scores the first rows of a sheet for header-like cells and cells that name a
field. Separate because it is the one layout question asked of the raw rows before any column is
looked at.
"""

from __future__ import annotations

import re

from ..config import normalise
from .profile import _DATE_TEXT, _LETTERS
from .synonyms import Synonyms, match_header


def _blank(row: list[str]) -> bool:
    return all(not c or not c.strip() for c in row)


def _headerish(cell: str) -> bool:
    s = cell.strip()
    if len(re.findall(_LETTERS, s)) < 2 or len(s) > 80:
        return False
    if _DATE_TEXT.match(s):
        return False
    # Codes and references ("TS/001", "IC1", "W1") are data, not headers.
    return not (any(ch.isdigit() for ch in s) and " " not in s and len(s) <= 10)


def find_header_row(rows: list[list[str]], syn: Synonyms, search_rows: int = 30) -> tuple[int, int] | None:
    """(row index, number of headers that name a field) of the most header-like row in the first
    `search_rows`: the row with most cells that look like header words, weighted by how many name a
    field, followed by data rows (or by nothing, for a return with a header and no data)."""
    best, best_score, best_hits = None, 0, 0
    nonblank = [i for i, r in enumerate(rows) if not _blank(r)]
    for i, row in enumerate(rows[:search_rows]):
        cells = [c.strip() for c in row if c and c.strip()]
        if len(cells) < 2:
            continue
        hits = sum(1 for c in cells if match_header(c, syn) is not None or normalise(c) in syn.role_headers)
        headerish = sum(1 for c in cells if _headerish(c))
        if len(set(map(normalise, cells))) < len(cells) * 0.6:
            continue          # a row of repeated values is data
        score = 3 * hits + headerish - (len(cells) - headerish)
        followed = any(j > i for j in nonblank)
        if not followed and hits < 2:
            continue
        if score > best_score:
            best, best_score, best_hits = i, score, hits
    if best is None or best_hits == 0 and best_score < 4:
        return None
    return best, best_hits


# at most this many title rows between the blank row under a table and the next table's header
STACKED_TITLE_ROWS = 5


def _header_like(row: list[str], syn: Synonyms) -> bool:
    """A row that reads as a table's header: two or more distinct cells naming a field, and at
    most one cell that looks like data."""
    cells = [c.strip() for c in row if c and c.strip()]
    if len(cells) < 2 or len(set(map(normalise, cells))) < len(cells):
        return False
    hits = sum(1 for c in cells if match_header(c, syn) is not None)
    return hits >= 2 and sum(1 for c in cells if not _headerish(c)) <= 1


def stacked_header(rows: list[list[str]], hdr: int, syn: Synonyms) -> tuple[int, int] | None:
    """(top, header index) of a second table under the one whose header is row ``hdr``: after a
    blank row, up to STACKED_TITLE_ROWS title rows ("Adults of concern") and a row that reads as
    a header; None when there is none. ``top`` is the first row after the blank one.

    With no blank row between them (a return typed straight on), a row that reads as a header
    right under a data row starts the second table too, with the one-cell title rows directly
    over it: before, such a sheet drafted as one table and the adults loaded as children. Such a
    row must repeat no value of its column above it: a data row of codes ("Home" | "Looked after" |
    "Missing" | "Female") can read as a header, but repeats the values of the rows over it."""
    seen: dict[int, set[str]] = {}     # each column's values so far, under the upper header
    for i in range(hdr + 2, len(rows)):
        for j, c in enumerate(rows[i - 1]):
            if c and c.strip():
                seen.setdefault(j, set()).add(normalise(c))
        if _blank(rows[i]):
            continue
        if _blank(rows[i - 1]):
            for j in range(i, min(i + STACKED_TITLE_ROWS + 1, len(rows))):
                if _blank(rows[j]):
                    break
                if _header_like(rows[j], syn):
                    return i, j
        elif _header_like(rows[i], syn) and not any(
                c and normalise(c) in seen.get(j, ()) for j, c in enumerate(rows[i])):
            top = i
            while top - 1 > hdr + 1 and i - top < STACKED_TITLE_ROWS and _one_cell(rows[top - 1]):
                top -= 1
            return top, i
    return None


def _one_cell(row: list[str]) -> bool:
    return sum(1 for c in row if c and c.strip()) == 1


def _col_letter(i: int) -> str:
    out, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out
