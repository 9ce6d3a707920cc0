"""The perpetrators on a children's sheet (session 20): a council's "Children" sheet with an "Alleged
perpetrators" column, one row per child.

`_draft_sheet` drafts such a sheet as the victims' (its name says children), and a name column there
became the child's own `name`, beside the child's forename and surname: every perpetrator loaded as a
child. A column of the victims' draft whose header names the offender ("Alleged perpetrators",
"Perpetrator age", "Suspect DOB") is moved to an offenders block on the same sheet and header row,
which shares the row's case (the children's case reference; where they have only their own id, "Child
ID", both blocks read it as the case: one row per child is one case). No column is lost on the way:
a column that cannot go to such a block (the sheet's offenders are drafted from another table, or
another sheet's offenders block wins) is listed as unmapped, with the reason.
"""

from __future__ import annotations

import copy

from ..config import Config, normalise
from .layouts import PERSON_FIELDS
from .model import ColumnChoice, SheetDraft
from .synonyms import Synonyms, _has_phrase, singular

ROW_LEVEL = ("case_ref", "case_date", "area")
BESIDE_NOTE = "drafted as the offenders block on the same sheet"


def _names(header: str, phrases: list[tuple[str, ...]]) -> bool:
    """Whether a header holds one of the phrases, a plural word read as its singular too
    ("Alleged perpetrators", "Suspects' DOB")."""
    words = tuple(normalise(header).split())
    single = singular(words)
    return any(_has_phrase(words, p) or _has_phrase(single, p) for p in phrases)


def theirs(c: ColumnChoice, syn: Synonyms) -> bool:
    """A person's column of a victims' draft whose every header names the offender and not the child
    (a TODO between columns: its candidates' headers)."""
    heads = _heads(c)
    return c.field in PERSON_FIELDS and bool(heads) and all(_offender_header(h, syn) for h in heads)


def _heads(c: ColumnChoice) -> list[str]:
    """A choice's headers; a TODO's: its candidate columns' headers."""
    return c.headers or [h for k in c.candidates for h in k.headers]


def split_theirs(by_field: dict[str, list[int]], headers: list[str], kind: str, syn: Synonyms) -> dict:
    """On a victims' sheet, the person columns whose header names the offender, taken out of
    ``by_field`` (field -> columns) and returned as their own: chosen apart from the child's, so that
    "Young person" and "Alleged perpetrators" are the child's name and a perpetrator's, not a TODO
    between two candidates for the child's (which left the sheet "not a table" and drafted nothing)."""
    out: dict[str, list[int]] = {}
    if kind != "victims":
        return out
    for fname, cols in list(by_field.items()):
        mine = [j for j in cols if fname in PERSON_FIELDS and _offender_header(headers[j], syn)]
        if mine:
            out[fname] = mine
            by_field[fname] = [j for j in cols if j not in mine]
            if not by_field[fname]:
                del by_field[fname]
    return out


def _offender_header(header: str, syn: Synonyms) -> bool:
    return _names(header, syn.kind_header.get("offenders", [])) and \
        not _names(header, syn.kind_header.get("victims", []))


def offenders_beside(drafts: list[SheetDraft], syn: Synonyms, config: Config) -> list[SheetDraft]:
    """The drafts of one sheet, with an offenders block split off each victims' draft that holds
    offender columns (the module docstring)."""
    out = list(drafts)
    for d in drafts:
        if d.kind != "victims":
            continue
        moved = [c for c in d.columns if theirs(c, syn)]
        if not moved:
            continue
        d.columns = [c for c in d.columns if c not in moved]
        heads = ", ".join(repr(_heads(c)[0]) for c in moved)
        if any(o.kind == "offenders" for o in out):
            d.unmapped += [(h, "its header names the offender, on the children's table; the sheet's "
                               "offenders are drafted from another table: map it there by hand")
                           for c in moved for h in (c.headers[:1] or _heads(c))]
            continue
        out.append(_block(d, moved, heads, config))
        d.notes.append(f"{heads}: the perpetrators on each child's row, {BESIDE_NOTE}")
    return out


def _block(d: SheetDraft, moved: list[ColumnChoice], heads: str, config: Config) -> SheetDraft:
    """The offenders block of a victims' draft ``d``: the row's case and ``moved``."""
    shared = [c for c in d.columns if c.field in ROW_LEVEL and not c.todo]
    ref = next((c for c in d.columns if c.field == "record_ref" and len(c.headers) == 1 and not c.todo), None)
    if ref is not None and not any(c.field == "case_ref" for c in shared):
        case = ColumnChoice("case_ref", list(ref.headers), copy.deepcopy(ref.spec), [
            f"the child's own id {ref.headers[0]!r}: one row per child is one case, which the perpetrators of "
            "the row share"], "medium")
        d.columns.insert(d.columns.index(ref) + 1, case)
        shared.insert(0, case)
    order = list(config.fields)
    columns = sorted([copy.deepcopy(c) for c in shared] + moved, key=lambda c: order.index(c.field))
    block = SheetDraft(d.sheet, d.index, "offenders", f"the children's sheet's columns naming the perpetrator "
                                                      f"({heads})", d.header_row, d.header_evidence, d.data_rows,
                       d.selector, list(d.header_contains), columns, [], beside="victims")
    if not any(c.field == "case_ref" for c in shared):
        block.notes.append("no case column to share with the children: each perpetrator record is a case of "
                           "its own; map a case reference if the sheet has one")
    return block


def keep_beside_columns(chosen: dict[str, SheetDraft], loser: SheetDraft, winner: SheetDraft) -> None:
    """An offenders block split off a children's sheet that another sheet's offenders block wins over:
    its own columns are listed as unmapped on the children's block, never dropped silently."""
    home = chosen.get(loser.beside or "")
    if home is None or home.sheet != loser.sheet or loser is winner:
        return
    home.notes = [n for n in home.notes if not n.endswith(BESIDE_NOTE)]
    home.unmapped += [(h, f"its header names the offender; the offenders are drafted from sheet "
                          f"{winner.sheet!r}: map it by hand")
                      for c in loser.columns if c.field not in ROW_LEVEL for h in (c.headers[:1] or _heads(c))]
