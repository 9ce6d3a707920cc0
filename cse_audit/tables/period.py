"""The period a set of tables covers: parsing (from, to), describing it in JSON and in notes, and as SQL.

Separate because the period is read once from the caller and then shapes both the SQL that picks
records (`_period_sql`) and the text of every note (`period_text`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .definitions import TablesError


def parse_period(period: Any) -> tuple[dt.date | None, dt.date | None] | None:
    """(from, to) as dates (either end may be open), or None for all dates."""
    if period is None or period == "all":
        return None
    try:
        start, end = period
    except (TypeError, ValueError) as exc:
        raise TablesError(f"period: expected (from, to), got {period!r}") from exc
    start, end = _date(start, "from"), _date(end, "to")
    if start is None and end is None:
        return None
    if start and end and start > end:
        raise TablesError(f"period: from {start} is after to {end}")
    return start, end


def _date(value: Any, which: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise TablesError(f"period: {which} date {value!r} is not a date (YYYY-MM-DD)") from exc


def period_json(period: tuple[dt.date | None, dt.date | None] | None) -> Any:
    if period is None:
        return "all"
    return {"from": period[0] and period[0].isoformat(), "to": period[1] and period[1].isoformat()}


def period_text(period: tuple[dt.date | None, dt.date | None] | None) -> str:
    if period is None:
        return "Period: all (no period set)."
    start, end = period
    if start and end:
        return f"Period: cases dated {start.isoformat()} to {end.isoformat()} inclusive."
    if start:
        return f"Period: cases dated from {start.isoformat()}."
    return f"Period: cases dated up to {end.isoformat()} inclusive."



def _period_sql(period, column: str) -> str:
    """SQL condition: the date `column` lies in the period, ends inclusive (TRUE when no period is set)."""
    if period is None:
        return "TRUE"
    start, end = period
    parts = [f"{column} IS NOT NULL"]
    if start is not None:
        parts.append(f"{column} >= DATE '{start.isoformat()}'")
    if end is not None:
        parts.append(f"{column} <= DATE '{end.isoformat()}'")
    return "(" + " AND ".join(parts) + ")"

