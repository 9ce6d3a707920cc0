"""`fill_down`: details a return gives once for a run of rows (session 20).

A police export of one row per offence often prints the child's date of birth, ethnicity and
missing episodes on the child's first row only and leaves them blank on the rows below (the seventh
held-out world: at 1,200 children the rows without a date of birth split 125 of 741 true pairs
within the file and joined 106 namesakes). A grouped report leaves even the name blank below its
first row. The mapping says which columns are so:

    fill_down: [Name, DOB]                        # a blank takes the value above, always
    fill_down: {columns: [DOB, Ethnicity], while_same: [Forename, Surname]}

With ``while_same`` a blank takes the value of the row above only when that row's ``while_same``
cells are the same as this row's (compared without case, accents and extra spaces: one return's rows
of one child drop accents) and not blank, so one child's details never pass to the next child.
Only the block's own table is filled, and only in the block's copy of the rows: another block reading
the sheet, and every check of the cells as sent, see the blanks.
"""

from __future__ import annotations

import unicodedata

from ..config.models import FillDown


class FillDownError(ValueError):
    """A column the mapping's fill_down names is not on the sheet."""


def fill_down(rows: list[tuple[int, list[str]]], spec: FillDown | None, find, passed=()) -> tuple[list, int]:
    """The rows with the blank cells of ``spec.columns`` filled from above, and how many cells were
    filled. ``find``: the sheet's column finder (a tuple of header names -> (position, header) or
    None). ``passed``: indexes of rows that are no data (the header repeated at a page break): left
    as they are and passing nothing down, so the row under one takes the values above it."""
    if spec is None or not rows:
        return rows, 0
    columns = [_position(find, names) for names in spec.columns]
    same = [_position(find, names) for names in spec.while_same]
    out, filled = [], 0
    above: list[str] | None = None
    key_above = None
    passed = set(passed)
    for i, (number, cells) in enumerate(rows):
        if i in passed:
            out.append((number, cells))
            continue
        key = _key(cells, same) if same else None
        if above is not None and (not same or (key is not None and key == key_above)):
            blanks = [c for c in columns if c < len(above) and not _cell(cells, c).strip() and above[c].strip()]
            if blanks:
                cells = list(cells) + [""] * (max(blanks) + 1 - len(cells))
                for c in blanks:
                    cells[c] = above[c]
                filled += len(blanks)
        out.append((number, cells))
        above, key_above = cells, key
    return out, filled


def _position(find, names: tuple[str, ...]) -> int:
    found = find(names)
    if found is None:
        raise FillDownError(f"fill_down: column {' / '.join(map(repr, names))} not found")
    return found[0]


def _cell(cells: list[str], c: int) -> str:
    return cells[c] if c < len(cells) else ""


def _any_text(cells: list[str], columns: list[int]) -> bool:
    """Whether any of ``columns`` holds text. A plain loop, not any() over a generator: names_once
    asks of every row of every block, and the generator took 0.22-0.28 CPU-s per 240k rows, the
    loop 0.04."""
    n = len(cells)
    for c in columns:  # noqa: SIM110
        if c < n and cells[c] and not cells[c].isspace():
            return True
    return False


def _key(cells: list[str], same: list[int]) -> tuple[str, ...] | None:
    """The ``while_same`` cells folded (case, accents, spacing); None when any is blank."""
    key = tuple(_fold(_cell(cells, c)) for c in same)
    return None if not all(key) else key


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def first_row_only(rows: list[tuple[int, list[str]]], groups, spec, sheet_name: str):
    """A `first_row_only` warning when a block without `fill_down` reads a sheet that gives a
    person's date of birth on their first row only: rows repeating the row above's name with the
    date of birth blank, where an earlier row of the run has one, are at least half of the rows that
    repeat a name (and three or more). The mapping language can say so (`fill_down`); unsaid, each
    later row is a record with no date of birth, which the linkage may keep apart or join to a
    namesake. Row numbers only."""
    from .records import Issue

    if len(groups) != 1 or groups[0][0] is not None:
        return []
    pos = {f.name: f.parts[0][0] for f in groups[0][1] if f.parts and isinstance(f.parts[0][0], int)}
    names = [pos[n] for n in ("forename", "surname", "name") if n in pos]
    if "dob" not in pos or not names or _filled(spec.fill_down, groups[0][1]):
        return []
    repeats, blank, first = first_row_gaps([c for _, c in rows], names, pos["dob"])
    if not given_once(repeats, blank):
        return []
    first_at = rows[first][0]
    return [Issue(sheet_name, None, None, None, "first_row_only", "warning",
                  f"{blank} of the {repeats} row(s) that repeat the name of the row above have no date of birth "
                  f"where an earlier row of that person's run has one (the first: row {first_at}): if the return gives a "
                  "person's details on their first row only, say so with `fill_down` (docs/mappings.md, "
                  "\"Details on the first row only\"); as mapped, each such row is a record without them",
                  spec.block)]


def _filled(spec: FillDown | None, fields, field: str = "dob") -> bool:
    """Whether the block's fill_down fills ``field``'s column (a fill_down of the ethnicity alone
    leaves the dates of birth on each person's first row: s21)."""
    if spec is None:
        return False
    header = next(f.parts[0][1] for f in fields if f.name == field)
    return _fold(header or "") in {_fold(n) for names in spec.columns for n in names}


# the fields that make a row a person record (mapping.py skips a row with none of them)
_IDENTIFYING = ("forename", "surname", "name", "initials", "dob", "age")


def names_once(rows: list[tuple[int, list[str]]], groups, spec, sheet_name: str):
    """A `names_once` warning when a block reads a grouped report as sent: a person named on the
    first of their rows, the rows under it giving details (a case reference, a date) and no name,
    initials, date of birth or age, so each is skipped as naming no one. Said when three or more
    such rows sit under a named row, they are at least a fifth as many as the named rows, and the
    named rows' names seldom repeat (four in five distinct: a sheet of one row per offence repeats
    its suspects, and its rows without one are offences with no suspect); never for offenders (a
    children's sheet leaves "Alleged perpetrators" blank where none is known) nor when the block
    fills a name column down. Row numbers only."""
    from .records import Issue

    if len(groups) != 1 or groups[0][0] is not None or not rows or spec.kind == "offenders":
        return []       # a row with no offender named is a case with none recorded (heldout6, heldout7)
    fields = groups[0][1]
    pos = {f.name: f.parts[0][0] for f in fields if f.parts and isinstance(f.parts[0][0], int)}
    who = [pos[n] for n in _IDENTIFYING if n in pos]
    names = [n for n in ("forename", "surname", "name", "initials") if n in pos]
    if not names or any(_filled(spec.fill_down, fields, n) for n in names):
        return []
    rest = [c for c in set(pos.values()) if c not in who]
    # every block of every return asks: count first, and fold the names only when it may be said
    named, under, first, in_run, named_rows = 0, 0, None, False, []
    for number, cells in rows:
        if _any_text(cells, who):
            named, in_run = named + 1, True
            named_rows.append(cells)
        elif in_run and _any_text(cells, rest):
            under += 1
            first = number if first is None else first
        else:
            in_run = False          # a blank row ends a person's group
    if under < 3 or 5 * under < named:
        return []
    name_cols = [pos[n] for n in names]
    if 5 * len({tuple(_fold(_cell(r, c)) for c in name_cols) for r in named_rows}) < 4 * named:
        return []
    return [Issue(sheet_name, None, None, None, "names_once", "warning",
                  f"{under} row(s) give details but no name, initials, date of birth or age, each under a row "
                  f"that names someone (the first: row {first}): if the return names a person once over their "
                  "rows, say so with `fill_down` (docs/mappings.md, \"Details on the first row only\"); as "
                  "mapped, each such row is skipped", spec.block)]


def first_row_gaps(rows: list[list[str]], names: list[int], detail: int) -> tuple[int, int, int | None]:
    """Over rows (cells), how many repeat the row above's name (``names``' cells, folded), how many
    of those have ``detail`` blank where an earlier row of the same run has it, and the index of
    the first such row. Every block of every return asks (first_row_only), so the names are folded
    only for the rows with the detail blank and the rows above them (most sheets have few), and the
    rows repeating a name are counted only when three or more such blanks make it matter."""
    folded: dict[str, str] = {}

    def key(i: int):
        out = []
        for c in names:
            text = _cell(rows[i], c)
            f = folded.get(text)
            if f is None:
                f = folded[text] = _fold(text)
            if not f:
                return None
            out.append(f)
        return tuple(out)

    d = detail
    blank_rows = [i for i, r in enumerate(rows) if i and (len(r) <= d or not r[d].strip())]
    if len(blank_rows) < 3:
        return 0, 0, None
    run_has: dict[int, bool] = {}         # a blank row: whether an earlier row of its run has the detail
    blank, first = 0, None
    for i in blank_rows:
        k = key(i) if _maybe_same(rows[i], rows[i - 1], names) else None
        same = k is not None and k == key(i - 1)
        run_has[i] = same and (bool(_cell(rows[i - 1], detail).strip()) or run_has.get(i - 1, False))
        if run_has[i]:
            blank += 1
            first = i if first is None else first
    if blank < 3:
        return blank, blank, first
    keys = [key(i) for i in range(len(rows))]
    repeats = sum(1 for a, b in zip(keys, keys[1:], strict=False) if b is not None and a == b)
    return repeats, blank, first


def _maybe_same(a: list[str], b: list[str], names: list[int]) -> bool:
    """False when two rows' names differ at once in a way folding cannot undo: a first letter of
    another ASCII letter (most neighbouring rows); else the folded names decide."""
    for c in names:
        x, y = _cell(a, c).lstrip()[:1], _cell(b, c).lstrip()[:1]
        if x != y and x.isascii() and y.isascii() and x.casefold() != y.casefold():
            return False
    return True


def given_once(repeats: int, blank: int) -> bool:
    """Three or more rows, and at least half the rows that repeat a name, leave the detail to the
    run's first row."""
    return blank >= 3 and 2 * blank >= repeats
