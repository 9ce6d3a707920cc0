"""Disclosure control for published tables: small-number suppression with GSS markers.

Rules (DfE children's statistics practice, GSS marker guidance):
- primary: a count of 1..threshold (default 5) becomes "[c]"; a true zero stays 0;
- secondary: in every group of cells that adds up to (or is bounded by) a shown total (a table's
  rows and its total, a sub-table's rows and its total, a column of the `sources` table and its
  Total row), no single cell may be the only one suppressed, or it could be worked out from the
  total: the next smallest non-zero cell is suppressed too (the total itself when no other cell is
  left). A sub-table's total is the same number as the row it breaks down, and tables counting the
  same population share their total, so those cells are suppressed together. Repeated to a fixed point;
- percentages: of a suppressed count are "[c]"; all of a table's percentages are "[c]" when its
  total is suppressed, and all "% of known" are "[c]" when Unknown is suppressed (either would give
  the hidden number back). Percentages are computed from unrounded counts before publishing.

The rules' settings (threshold, exempt columns) come from the caller, in the tables configuration
(`load_config`), so this module depends on nothing else in the package. Separate because it works
on tables already built, whoever built them (`build_tables(..., publish=True)`, the report writer).
"""

from __future__ import annotations

import copy
from typing import Any

SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"


class _Cell:
    __slots__ = ("holder", "key", "value")

    def __init__(self, holder: dict, key: str):
        self.holder, self.key, self.value = holder, key, holder[key]

    @property
    def hidden(self) -> bool:
        return self.holder[self.key] == SUPPRESSED

    @property
    def count(self) -> int | None:
        return self.value if isinstance(self.value, int) and not isinstance(self.value, bool) else None

    def hide(self) -> None:
        self.holder[self.key] = SUPPRESSED


class _Group:
    def __init__(self, members: list[_Cell], total: _Cell | None, rows: list[dict] | None = None):
        self.members, self.total, self.rows = members, total, rows

    @property
    def cells(self) -> list[_Cell]:
        return self.members + ([self.total] if self.total else [])


def _is_subtable(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("rows"), list)


def _row_group(table: dict) -> _Group:
    members = [_Cell(r, "count") for r in table["rows"] if "count" in r]
    total = _Cell(table, "total") if isinstance(table.get("total"), int) or table.get("total") == SUPPRESSED \
        else None
    return _Group(members, total, table["rows"])


def _groups(tables: dict, exempt: set[str]) -> tuple[list[_Group], list[list[_Cell]], list[_Cell]]:
    """Additive groups, sets of cells that hold the same number, and every count cell."""
    groups: list[_Group] = []
    links: list[list[_Cell]] = []
    populations: dict[str, list[_Cell]] = {}
    source_totals: dict[str, _Cell] = {}
    for table in tables.values():
        if "columns" in table:  # wide table (sources): each column with its Total row
            body = [r for r in table["rows"] if r.get("category") != "Total"]
            total_row = next((r for r in table["rows"] if r.get("category") == "Total"), None)
            for col in table["columns"]:
                if col in exempt:
                    continue
                total = _Cell(total_row, col) if total_row is not None and col in total_row else None
                groups.append(_Group([_Cell(r, col) for r in body if col in r], total))
                if total is not None:
                    source_totals[col] = total
            continue
        main = _row_group(table)
        groups.append(main)
        if main.total is not None and table.get("population"):
            populations.setdefault(table["population"], []).append(main.total)
        for key, sub in table.items():
            if key == "rows" or not _is_subtable(sub):
                continue
            group = _row_group(sub)
            groups.append(group)
            parent = main.total
            if sub.get("total_of") is not None:
                parent = next((c for c in main.members if c.holder.get("category") == sub["total_of"]), None)
            if parent is not None and group.total is not None:
                links.append([parent, group.total])
        for key, value in table.items():  # standalone counts, e.g. offenders_in_groups
            if key != "total" and isinstance(value, int) and not isinstance(value, bool):
                groups.append(_Group([_Cell(table, key)], None))
    for population, cells in populations.items():
        if population in source_totals:
            cells = cells + [source_totals[population]]
        if len(cells) > 1:
            links.append(cells)
    return groups, links, [c for g in groups for c in g.cells]


def _secondary(group: _Group) -> bool:
    hidden = [c for c in group.cells if c.hidden]
    if len(hidden) != 1 or group.total is None:
        return False
    candidates = [c for c in group.members if not c.hidden and c.count]
    if candidates:
        min(candidates, key=lambda c: c.count).hide()
        return True
    if not group.total.hidden and group.total.count:
        group.total.hide()
        return True
    return False


def _percentages(group: _Group) -> None:
    if group.rows is None:
        return
    total_hidden = group.total is not None and group.total.hidden
    has_known = any(r.get("percent_known") is not None for r in group.rows)
    unknown_hidden = has_known and any(
        r.get("percent_known") is None and r.get("count") == SUPPRESSED for r in group.rows)
    for row in group.rows:
        if row.get("count") == 0:
            continue  # a true zero is 0% of any total: it gives nothing away
        hidden = row.get("count") == SUPPRESSED
        if "percent" in row and row["percent"] is not None and (hidden or total_hidden):
            row["percent"] = SUPPRESSED
        if row.get("percent_known") is not None and (hidden or total_hidden or unknown_hidden):
            row["percent_known"] = SUPPRESSED


def _how_sure(table: dict) -> None:
    """A range for the number of people beside a suppressed total (relations.py) would give the
    total back (2-4 around a hidden 3): both ends are [c] with it. Small ends, like the record
    counts beside them, are standalone counts (_groups)."""
    if "persons_low" in table and table.get("total") == SUPPRESSED:
        table["persons_low"] = table["persons_high"] = SUPPRESSED


def publish(tables: dict, threshold: int | None = None, *, config: dict) -> dict:
    """A copy of `tables` (as built by build_tables) safe to publish. See the module doc.

    `config` is the tables configuration (`load_config()`): its `disclosure` rules apply, and
    `threshold`, when given, overrides theirs.
    Notes are text, so small counts written in them (records with no case date, say) are out of
    reach here: `build_tables(..., publish=True)` suppresses those too, then calls this."""
    rules = config.get("disclosure", {})
    threshold = rules.get("threshold", 5) if threshold is None else threshold
    exempt = set(rules.get("exempt_columns", []))
    out = copy.deepcopy(tables)
    groups, links, cells = _groups(out, exempt)
    for cell in cells:
        if cell.count is not None and 1 <= cell.count <= threshold:
            cell.hide()
    changed = True
    while changed:
        changed = False
        for group in groups:
            changed |= _secondary(group)
        for linked in links:
            if any(c.hidden for c in linked) and not all(c.hidden for c in linked):
                for c in linked:
                    c.hide()
                changed = True
    for group in groups:
        _percentages(group)
    for table in out.values():
        _how_sure(table)
    note = (f"Published with disclosure control: counts of 1 to {threshold} are shown as [c], and further "
            "cells are [c] where a suppressed count could otherwise be worked out from a total; percentages "
            "of suppressed counts are [c] and are computed from unrounded counts.")
    for table in out.values():
        extra = note
        if "columns" in table and exempt & set(table["columns"]):
            extra += f" Counts of agencies ({', '.join(c for c in table['columns'] if c in exempt)}) are not suppressed."
        table["note"] = f"{table.get('note', '')} {extra}".strip()
        table["published"] = True
    return out
