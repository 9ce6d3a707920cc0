"""Values a mapping takes from somewhere other than a data column (issue 18): a field derived from
other fields by a small expression (`derive: {all_of: [...]}`), and text read from the title rows
above the header (`title:` constants, the return's reporting `period:`).

Separate from the mapping loop so each rule reads on its own; nothing here evaluates code: an
expression is nested tuples of field names and all_of / any_of / not.
"""

from __future__ import annotations

import datetime as dt

from ..config import Agency, ColumnSpec, Config, SheetSpec
from .records import UNKNOWN, Issue, MappedReturn
from .translate import _Translator
from .values import month_year, parse_date


def derive_fields(spec: SheetSpec, values: dict[str, list], n: int) -> None:
    """Fill each derived field ("Yes" / "No" per row) from the known-ness of the fields it reads."""
    for fname, col in spec.columns.items():
        if col.expr is not None:
            values[fname] = ["Yes" if ok else "No" for ok in _truth(col.expr, values, n)]


def _known(values: dict[str, list], fname: str, n: int) -> list[bool]:
    if fname == "name":            # a whole name was split into forename and surname
        return [a or b for a, b in zip(_known(values, "forename", n), _known(values, "surname", n), strict=True)]
    col = values.get(fname)
    if col is None:
        return [False] * n
    return [v is not None and v != UNKNOWN and v != "" for v in col]


def _truth(expr: tuple, values: dict[str, list], n: int) -> list[bool]:
    op = expr[0]
    if op == "field":
        return _known(values, expr[1], n)
    if op == "not":
        return [not x for x in _truth(expr[1], values, n)]
    parts = [_truth(e, values, n) for e in expr[1]]
    combine = all if op == "all_of" else any
    return [combine(row) for row in zip(*parts, strict=True)]


def title_text(rows: list[list[str]], first: int = 0) -> list[tuple[int, str]]:
    """(Excel row number, the row's text) of the rows above the header that hold anything;
    ``rows`` start at index ``first`` of the sheet (a table under another: stacked.py)."""
    out = []
    for i, row in enumerate(rows, start=first):
        text = " ".join(c.strip() for c in row if c and c.strip())
        if text:
            out.append((i + 1, text))
    return out


def title_value(col: ColumnSpec, rows: list[tuple[int, str]]) -> str | None:
    """The text a `title:` pattern picks out of the title rows: its group `value`, else its first
    group, else the whole match; None when no title row matches."""
    for _row, text in rows:
        m = col.title.search(text)
        if m:
            if "value" in m.groupdict():
                return m["value"]
            return m[1] if m.groups() else m[0]
    return None


def period_dates(start_text: str, end_text: str) -> tuple[dt.date | None, dt.date | None]:
    """The two ends of a stated period: whole dates, or months ("April 2008 to March 2011": the
    first of the first month to the last of the last)."""
    return _period_end(start_text, last=False), _period_end(end_text, last=True)


def _period_end(text: str, last: bool) -> dt.date | None:
    text = text.strip(" ,.")
    # A month ("March 2011") first: parse_date reads it too, but as the first of the month (a cell's
    # month precision), while a period that ends in March ends on its last day.
    first, _problem = month_year(text)
    if first is not None:
        if not last:
            return first
        return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1) - dt.timedelta(days=1)
    value, _problem = parse_date(text)
    return value


def find_period(text: str, pattern=None) -> tuple[dt.date, dt.date] | None:
    """The period a title row states, if it states one that reads as two dates in order."""
    from ..config.mappings import DEFAULT_PERIOD

    m = (pattern or DEFAULT_PERIOD).search(text)
    if not m:
        return None
    start, end = period_dates(m["start"], m["end"])
    return (start, end) if start and end and start <= end else None


def read_period(spec: SheetSpec, sheet_name: str, rows: list[tuple[int, str]], out: MappedReturn) -> None:
    """The reporting period stated in a title row ("1 January 2008 to 31 March 2011"), kept on the
    return (the first sheet that states one wins). A period the mapping expects but no title row
    states as two dates in order is a warning: the records still load."""
    if spec.period is None or out.period_start is not None:
        return
    matched = False
    for row, text in rows:
        found = find_period(text, spec.period)
        matched = matched or bool(spec.period.search(text))
        if found:
            out.period_start, out.period_end = found
            out.period_source = f"sheet {sheet_name!r} row {row}"
            return
    if matched:
        out.issues.append(Issue(sheet_name, None, None, None, "bad_period", "warning",
                                "a title row looks like a reporting period but is not two dates in order; "
                                "period not kept"))
    else:
        out.issues.append(Issue(sheet_name, None, None, None, "no_period", "warning",
                                "the mapping reads a reporting period from the title rows, but none states one"))


def title_part(fname: str, sub, config: Config, agency: Agency, sheet_name: str, title_rows: list,
                issues: list[Issue]) -> list[tuple]:
    """A constant read from the title rows by the spec's `title` pattern, as the field's type reads it."""
    text = title_value(sub, title_rows)
    value = problem = None
    if text is not None:
        value, _extra, problem = _Translator(fname, sub, config, agency)._translate(text)
    if text is None or problem is not None:
        issues.append(Issue(sheet_name, None, None, None, "title_not_found", "warning",
                            f"{fname}: no title row above the header matches the mapping's `title` pattern"
                            if text is None else f"{fname}: the title row's text is not a {fname} ({problem[1]})"))
        return []
    return [(None, None, None, value)]
