"""Several people in one cell (`several: people` on a `parse: name` column; session 20).

A council writes a case's alleged perpetrators in one cell: "John Smith; Dean Carter". Without
the key the first name is read and a `several_names` warning counts the rest (translate.py). With
it each person of the cell is a record of its own, tied to the row:

* the first person is mapped with the row as any row is (its record id unchanged);
* each further person j is mapped from the same row with the name cell's part j, its record
  keeping the row's sheet and row number with `column_group` "pJ" ("1p2" in column group 1);
* row-level fields (those a case has too: case_ref, case_date, area) are the row's for every
  person; a per-person field (age, DOB, sex, alias ...) is split in step where its cell holds as
  many parts as the name cell ("34; 41"), else the first person keeps the whole cell, as before,
  and the others have it blank (who of the two is 34 nobody can say). Constants apply to each.

The row is landed and counted once (accepted when any of its people made a record); the return
counts how many records came from how many such rows (MappedReturn.several_rows / _records).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..config import Config, SheetSpec
from .name_cells import ALWAYS as _ALWAYS
from .name_cells import BETWEEN_FULL as _BETWEEN_FULL
from .name_cells import COMMA as _COMMA
from .name_cells import people_in
from .records import MappedReturn
from .resolve import _Field
from .sheets import _Grid

__all__ = ["map_people", "people_in"]


def _in_step(text: str, k: int, date: bool | None) -> list[str] | None:
    """A per-person cell's k parts ("34; 41" beside two names), or None when it has not k parts. A
    date is parted by ";" and line breaks only ("01/02/1990" is one date); None for `date`: never."""
    if date is None or not text:
        return None
    parts = [p for p in _ALWAYS.split(text) if p.strip()]
    if len(parts) != k and not date:
        parts = [q for p in parts for q in _BETWEEN_FULL.split(p) for q in _COMMA.split(q) if q.strip()]  # "34/41"
    return parts if len(parts) == k else None


def _plan(fields: list[_Field], config: Config) -> tuple[int, dict, set] | None:
    """(the name column, {per-person column: whether it is a date, None: never split}, the per-person
    fields the other people go without) of a block whose `name` says `several: people`; None for any
    other block. A per-person field reading a row-level field's column ("Child ID" as record_ref and
    case_ref) cannot be blanked by its column: the others go without the field (a reference shared by
    two men would read as one man's)."""
    name = next((f for f in fields if f.name == "name" and len(f.parts) == 1 and f.parts[0][2] is not None
                 and f.parts[0][2].spec.several and isinstance(f.parts[0][0], int)), None)
    if name is None:
        return None
    pos = name.parts[0][0]
    row_level = {f.name for f in fields if "cases" in config.fields[f.name].kinds}
    shared: set = set()
    per: dict = {}
    for f in fields:
        for p, _header, translator, _constant in f.parts:
            if translator is None:
                continue                    # a constant (registry, value, title): each person's
            cells = p if isinstance(p, tuple) else (p,)
            if f.name in row_level:
                shared.update(cells)
            elif f is not name:
                for c in cells:   # a date over day / month / year columns is never split in step
                    per.setdefault(c, translator.ftype == "date" if len(cells) == 1 else None)
    own = {f.name for f in fields if f is not name and f.name not in row_level
           for p, _h, t, _c in f.parts if t is not None and set(p if isinstance(p, tuple) else (p,)) & shared}
    return pos, {p: d for p, d in per.items() if p not in shared and p != pos}, own


def map_people(map_group: Callable, grid: _Grid, n: int, row_numbers: list[int], spec: SheetSpec,
               fields: list[_Field], kinds: list, pre: list, config: Config, sheet_name: str,
               out: MappedReturn, group: str | None) -> list:
    """mapping._map_group, with one record for each person of a `several: people` cell (module
    docstring); any other block goes straight to map_group. Returns the verdict per row."""
    plan = _plan(fields, config)
    split = {}
    if plan is not None:
        names = grid(plan[0])
        split = {i: ps for i, t in enumerate(names) if pre[i] is None and len(ps := people_in(t)) > 1}
    if not split:
        return map_group(grid, n, row_numbers, spec, fields, kinds, pre, config, sheet_name, out, group)
    pos, per, own = plan
    others = [f for f in fields if f.name not in own]
    steps = {p: {i: parts for i in split if (parts := _in_step(grid(p)[i], len(split[i]), date))}
             for p, date in per.items()}
    first = list(grid.columns) + [("",) * n] * (max(pos, *per, 0) + 1 - len(grid.columns))
    first[pos] = tuple(split[i][0] if i in split else t for i, t in enumerate(grid(pos)))
    for p, st in steps.items():
        if st:
            first[p] = tuple(st[i][0] if i in st else t for i, t in enumerate(grid(p)))
    start = len(out.issues)
    verdict = map_group(_Grid.of_columns(first, n), n, row_numbers, spec, fields, kinds, pre, config, sheet_name,
                        out, group)
    said = {(i.sheet, i.row_number, i.column_name, i.code) for i in out.issues[start:]}
    made = dict.fromkeys(split, 0)
    unnamed: list = []
    for j in range(1, max(map(len, split.values()))):
        idx = [i for i in split if len(split[i]) > j]
        cols = [tuple(c[i] for i in idx) for c in first]
        cols[pos] = tuple(split[i][j] for i in idx)
        for p in per:
            cols[p] = tuple(steps[p][i][j] if i in steps[p] else "" for i in idx)
        before = len(out.issues)
        label = f"p{j + 1}" if group is None else f"{group}p{j + 1}"
        sub = map_group(_Grid.of_columns(cols, len(idx)), len(idx), [row_numbers[i] for i in idx], spec, others,
                        [kinds[i] for i in idx], [None] * len(idx), config, sheet_name, out, label)
        # a row-level cell's warning (a bad case date) is the row's: said once, not once a person
        out.issues[before:] = [i for i in out.issues[before:]
                               if (i.sheet, i.row_number, i.column_name, i.code) not in said]
        said.update((i.sheet, i.row_number, i.column_name, i.code) for i in out.issues[before:])
        for k, i in enumerate(idx):
            if sub[k] is None:
                made[i] += 1
            elif _unnamed(sub[k]):
                unnamed.append((i, sub[k][1]))
    rows = [i for i in split if made[i]]
    unnamed += [(i, verdict[i][1]) for i in rows if verdict[i] is not None and _unnamed(verdict[i])]
    out.several_rows += len(rows)
    out.several_records += sum(made[i] + (verdict[i] is None) for i in rows)
    # an unnamed person beside named ones in the cell: a warning, as beside another column group
    out.issues.extend(replace(issue, severity="warning") for i, issue in unnamed if made[i] or verdict[i] is None)
    return [None if v is not None and i in made and made[i] else v for i, v in enumerate(verdict)]


def _unnamed(v) -> bool:
    return v[0] == "skip" and v[1] is not None and v[1].code == "unnamed_no_detail"
