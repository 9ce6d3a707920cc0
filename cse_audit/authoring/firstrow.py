"""`mapping draft` proposes `fill_down` (session 20) for a sheet that gives a person's details on
the first of their rows only (one row per offence: the child's date of birth on the child's first
row). The test is ingest's own (filldown.first_row_gaps): rows repeating the row above's name,
most of them with the detail blank where the run's first row has it. Counts only, never a value."""

from __future__ import annotations

from ..ingest.filldown import first_row_gaps, given_once
from .model import SheetDraft

SAMPLE_ROWS = 5000        # as draft.SAMPLE_ROWS (imported from there it would be a cycle)

NAME_FIELDS = ("forename", "surname", "name")
# the fields a run of one person's rows shares; a case's own fields (reference, date, offence) differ by row
PERSON_FIELDS = ("dob", "age", "sex", "ethnicity", "ethnicity_detail", "missing_status", "missing_episodes",
                 "missing_from", "looked_after", "initials", "alias")


def with_fill_down(drafts: list[SheetDraft], sheets) -> None:
    """Give each draft ``fill_down`` where its own columns call for it (its blocks once split:
    beside.py), from its sheet's rows under its header."""
    by_name = {s.name: s for s in sheets}
    for d in drafts:
        sheet = by_name.get(d.sheet)
        if sheet is None or not 0 < d.header_row <= len(sheet.rows):
            continue
        headers = [c.strip() for c in sheet.rows[d.header_row - 1]]
        sample = [r for r in sheet.rows[d.header_row:] if any(c.strip() for c in r)][:SAMPLE_ROWS]
        propose_fill_down(d, headers, sample)


def propose_fill_down(draft: SheetDraft, headers: list[str], sample: list[list[str]]) -> None:
    """Set ``draft.fill_down`` when the sampled rows give some person column on a run's first row only."""
    if draft.groups or draft.kind not in ("victims", "offenders", "people"):
        return
    single = {c.field: c.headers[0] for c in draft.columns if not c.todo and len(c.headers) == 1}
    # a two-row header's columns are "GROUP / Sub", not one row's cells: such a block is left alone
    position = {h: j for j, h in reversed(list(enumerate(headers))) if h}
    names = [single[f] for f in NAME_FIELDS if f in single]
    if draft.header_rows > 1 or not names or any(h not in position for h in names):
        return
    at = [position[h] for h in names]
    given = []
    for fname in PERSON_FIELDS:
        h = single.get(fname)
        if h in position and h not in given and given_once(*first_row_gaps(sample, at, position[h])[:2]):
            given.append(h)
    if given:
        draft.fill_down = {"columns": given, "while_same": names}
