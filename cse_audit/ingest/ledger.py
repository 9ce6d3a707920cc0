"""Rows landed once per sheet, whatever number of mapping blocks read them (issue 24).

A sheet can be read by several blocks (victims and offenders of one offence export, or a case
block too) and by several column groups of one block. Each row is landed once (one raw row) and
counted once, as the outcome that matters most over every block that read it: rejected (some
block found an error), else accepted (some block made a record of it), else skipped, so that
rows landed = accepted + rejected + skipped holds per sheet and per return.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .records import Issue, MappedReturn, ReturnError

_RANK = {"skipped": 0, "accepted": 1, "rejected": 2}


class SheetLedger:
    """One sheet's rows (as read) and each row's outcome so far."""

    def __init__(self, name: str):
        self.name = name
        self.kinds: list[str] = []
        self.blocks: list[str] = []
        self.rows: dict[int, list[str]] = {}
        self.status: dict[int, str] = {}
        self.skip_issue: dict[int, Issue] = {}
        self.nil = False

    def nil_return(self, out: MappedReturn) -> None:
        """The sheet is a nil return (a note instead of a table, or under its header): said once."""
        if not self.nil:
            self.nil = True
            out.issues.append(Issue(self.name, None, None, None, "nil_return", "warning",
                                    "the sheet says the agency holds no relevant data (nil return)"))

    def settle(self, block: str, kind: str, rows, verdicts) -> None:
        """Record one block's outcome for each row: None (accepted), ("skip", Issue | None) or
        ("error", ...) (rejected; the block has reported its issue)."""
        if kind not in self.kinds:
            self.kinds.append(kind)
        if block not in self.blocks:
            self.blocks.append(block)
        numbers = [r for r, _ in rows]
        if any(verdicts):
            statuses = ["accepted" if v is None else "skipped" if v[0] == "skip" else "rejected" for v in verdicts]
        else:
            statuses = ["accepted"] * len(numbers)   # the usual sheet: every row made a record
        if not self.rows:
            # The first (usually the only) block to read the sheet: whole-list operations, no per-row work.
            self.rows = dict(rows)
            self.status = dict(zip(numbers, statuses, strict=True))
        else:
            for (row_number, cells), status in zip(rows, statuses, strict=True):
                self.rows.setdefault(row_number, cells)
                old = self.status.get(row_number)
                if old is None or _RANK[status] > _RANK[old]:
                    self.status[row_number] = status
        for i in [i for i, v in enumerate(verdicts) if v is not None and v[0] == "skip" and v[1] is not None] \
                if any(verdicts) else ():
            self.skip_issue.setdefault(numbers[i], verdicts[i][1])


def land(out: MappedReturn, ledgers: dict[str, SheetLedger]) -> None:
    """Land every row of every sheet once and count it once; a row skipped by every block that read
    it gets the first reason given (rows skipped by role, e.g. witnesses, need none)."""
    for ledger in ledgers.values():
        kind, name, cells = ",".join(ledger.kinds), ledger.name, ledger.rows
        numbers = sorted(cells)
        out.raw_rows.extend([(name, n, kind, cells[n]) for n in numbers])
        counts = Counter(ledger.status.values())
        out.rows_landed += len(numbers)
        out.rows_rejected += counts["rejected"]
        out.rows_skipped += counts["skipped"]
        out.issues.extend(ledger.skip_issue[n] for n in sorted(ledger.skip_issue) if ledger.status[n] == "skipped")
        # an unnamed person with nothing to tell him by, on a row another block made a record of (his
        # victim): said as a warning, the row counting accepted
        out.issues.extend(replace(ledger.skip_issue[n], severity="warning") for n in sorted(ledger.skip_issue)
                          if ledger.status[n] != "skipped" and ledger.skip_issue[n].code == "unnamed_no_detail")


def check_unique_records(out: MappedReturn, file_name: str, ledgers: dict[str, SheetLedger]) -> None:
    """Two records of one kind from the same sheet, row and column group would get the same
    record id: refuse the file (before anything is stored) saying which blocks read the sheet."""
    for kind, cols in out.columns.items():
        if not cols:
            continue
        n = out.count(kind)
        keys = zip(cols["sheet"], cols["row_number"], cols.get("column_group", [None] * n), strict=True)
        seen = Counter(keys)
        dup = next((k for k, c in seen.items() if c > 1), None)
        if dup is None:
            continue
        sheet, row, group = dup
        blocks = ledgers[sheet].blocks if sheet in ledgers else []
        where = f"sheet {sheet!r} row {row}" + (f" group {group}" if group is not None else "")
        if kind == "cases":
            hint = ("cases are derived from the case references of the person rows, and two blocks give "
                    "different case references on the same row: map case_ref to the same column in each")
        else:
            hint = ("two blocks make the same kind of record from one row: map the sheet once (a `people` "
                    "block with a role column, or one block with `groups`)")
        raise ReturnError(file_name, f"{sum(c - 1 for c in seen.values())} duplicate {kind} record id(s), first "
                                     f"at {where} (blocks {', '.join(blocks)}); {hint}")
