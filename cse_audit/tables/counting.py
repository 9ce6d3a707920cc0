"""From grouped counts to table rows: percentages, bands and categories.

Pure Python over numbers DuckDB has already grouped, plus `_category_code_sql`, the SQL twin of
`_category` (they must read a value the same way, so they sit together). Also `_n`, how a count is
written into a note, since notes are suppressed like cells while tables are built for publication.
Separate so that the table builders (headline.py, groups.py) share one way of counting; the shape
of a table dict (`_table`, `_sub`) is in relations.py, next to the context it reads the period from.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from ..store import sql_literal as _literal
from .definitions import UNKNOWN

# While tables are built for publication: the disclosure threshold, so that counts written into
# notes (records with no case date, values outside a code list...) are suppressed like cells.
_NOTE_THRESHOLD: ContextVar[int] = ContextVar("note_threshold", default=0)


def _n(count: int, spec: str = "") -> str:
    """A count as written in a note: "[c]" when publishing and 1 <= count <= the threshold."""
    threshold = _NOTE_THRESHOLD.get()
    return "[c]" if threshold and 1 <= count <= threshold else format(count, spec)



def percent(count: int, base: int) -> float | None:
    """Percentage to 1 dp, half up, from unrounded counts (None when the base is 0)."""
    if not base:
        return None
    return float((Decimal(100 * count) / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rows(counts: dict[str, int], categories: Iterable[str], unknown: str | None = UNKNOWN,
          base: int | None = None) -> tuple[list[dict], int]:
    categories = list(categories)
    total = sum(counts.get(c, 0) for c in categories) if base is None else base
    has_unknown = unknown in categories
    known = total - counts.get(unknown, 0) if has_unknown else None
    rows = []
    for cat in categories:
        n = counts.get(cat, 0)
        rows.append({
            "category": cat,
            "count": n,
            "percent": percent(n, total),
            "percent_known": percent(n, known) if has_unknown and cat != unknown else None,
        })
    return rows, total


def _band(value: Any, bands: list[dict]) -> str | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    for band in bands:
        if n >= band["min"] and (band.get("max") is None or n <= band["max"]):
            return band["label"]
    return None


def _category(value: Any, categories: list[str]) -> tuple[str, bool]:
    """(category, unexpected): blanks are Unknown; a value outside the list is Unknown and flagged."""
    return _category_of(value, tuple(categories))


@lru_cache(maxsize=4096, typed=True)  # called once per person per table: few distinct values, many people
def _category_of(value: Any, categories: tuple[str, ...]) -> tuple[str, bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return UNKNOWN, False
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    text = str(value).strip().lower()
    for cat in categories:
        if cat.lower() == text:
            return cat, False
    return UNKNOWN, True



_WHITESPACE = " \t\n\r\x0b\x0c"  # what Python's str.strip() removes from ASCII text


def _category_code_sql(expr: str, categories: list[str]) -> str:
    """SQL giving the index of `expr` in `categories` (-1 when it is none of them), matching the way
    `_category` reads a value: case-insensitive, surrounding whitespace ignored."""
    text = f"lower(trim(CAST({expr} AS VARCHAR), {_literal(_WHITESPACE)}))"
    whens = " ".join(f"WHEN {_literal(c.lower())} THEN {i}" for i, c in enumerate(categories))
    return f"CASE {text} {whens} ELSE -1 END"
