"""Drafting the layouts of issue 24: numbered column groups (`Victim 1 Surname` ... `Suspect 4 DOB`),
two-row headers (`VICTIM` | `SUSPECT` group cells over repeated sub-headers) and a sheet per year.

The sheet drafter works on one header row of one kind. For a grouped or two-row sheet this module
makes one *view* of the sheet per group of people (the case's own columns plus the first group's
columns, under their short headers, named after the kind so the drafter takes that kind), drafts
each view as usual, then writes the result back in the real sheet's terms: `groups:` or
`header_rows: 2` with `GROUP / Sub` headers. Sheets of one kind with the same columns (a sheet per
year) become one block with a `{regex: ...}` sheet.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from ..config import normalise
from ..ingest.readers import Sheet
from ..ingest.sheets import combined_headers
from .model import SheetDraft
from .synonyms import Synonyms, _hinted, match_header

_NUMBERED = re.compile(r"^(?P<label>[^\d]*?[A-Za-z])[\s_.\-]*(?P<n>\d{1,2})(?:\s*[-_:.)]\s*|\s+)(?P<rest>\S.*)$")
VIEW_NAMES = {"victims": "Victims", "offenders": "Offenders"}
DEFAULT_SHARED = ("case_ref", "case_date", "area")


def kind_of_label(label: str, syn: Synonyms) -> str | None:
    """victims / offenders for a group label ("Victim", "SUSPECT", "Alleged perpetrator"), else None."""
    kind = syn.role_values.get(normalise(label))
    if kind in VIEW_NAMES:
        return kind
    for k in VIEW_NAMES:
        if _hinted(label, syn.kind_sheet.get(k, [])) or _hinted(label, syn.kind_header.get(k, [])):
            return k
    return None


def numbered_groups(headers: list[str], syn: Synonyms) -> list[dict]:
    """Numbered column groups in one header row: [{label, kind, pattern, n, columns: {rest: index}
    of the first group, members: all indices}], for labels with two or more groups of two or more columns (one group, where another label has two or more)."""
    found: dict[str, dict] = {}
    for j, h in enumerate(headers):
        m = _NUMBERED.match(h.strip()) if h else None
        if not m:
            continue
        g = found.setdefault(normalise(m["label"]), {"label": m["label"].strip(), "by_n": {}})
        g["by_n"].setdefault(int(m["n"]), {})[m["rest"].strip()] = j
    out = []
    # one numbered group ("Victim 1 Name" | "Victim 1 DOB" beside "Suspect 1 ..", "Suspect 2 ..") is a
    # group too when another label of the row is numbered twice or more: before, its columns were
    # drafted as the suspects' shared columns (the offenders' dob from "Victim 1 DOB")
    numbered = any(len(g["by_n"]) >= 2 and kind_of_label(g["label"], syn) for g in found.values())
    for g in found.values():
        numbers = sorted(g["by_n"])
        kind = kind_of_label(g["label"], syn)
        if kind is None or len(numbers) < (1 if numbered else 2) or len(g["by_n"][numbers[0]]) < 2:
            continue
        members = [j for cols in g["by_n"].values() for j in cols.values()]
        out.append({"label": g["label"], "kind": kind, "pattern": f"{g['label']} {{n}}", "n": numbers,
                    "columns": g["by_n"][numbers[0]], "members": members})
    return out


def two_row_header(rows: list[list[str]], hdr: int) -> int | None:
    """The index of the sub-header row when the header found at `hdr` is one of two rows (group cells
    over sub-headers that repeat under each group), else None."""
    for sub in (hdr, hdr + 1):
        if sub < 1 or sub >= len(rows):
            continue
        subs = [normalise(c) for c in rows[sub] if c and c.strip()]
        if not subs or max(Counter(subs).values()) < 2:
            continue
        top = rows[sub - 1]
        filled_top = [j for j, c in enumerate(top) if c and c.strip()]
        # Group cells span columns (a merged cell: text, then blanks over filled sub-headers), so the
        # top row has fewer filled cells than the sub-header row.
        spans = [j for j in filled_top if j + 1 < len(rows[sub]) and (j + 1 >= len(top) or not top[j + 1].strip())
                 and rows[sub][j + 1].strip()]
        if not spans or len(filled_top) >= len(subs):
            continue
        combined = [normalise(c) for c in combined_headers(rows, sub, 2) if c]
        if len({normalise(top[j]) for j in filled_top}) >= 2 and len(set(combined)) == len(combined):
            return sub
    return None


def views(sheet: Sheet, hdr: int, syn: Synonyms) -> list[tuple[Sheet, dict]]:
    """The per-kind views of a grouped or two-row sheet (see the module docstring), each with what
    it takes to write the draft back: [] for a plain sheet."""
    sub = two_row_header(sheet.rows, hdr)
    if sub is not None:
        return _two_row_views(sheet, sub, syn)
    headers = [c.strip() for c in sheet.rows[hdr]]
    groups = numbered_groups(headers, syn)
    if not groups:
        return prefixed_views(sheet, hdr, syn)
    member = {j for g in groups for j in g["members"]}
    shared = [j for j, h in enumerate(headers) if h and j not in member]
    out = []
    for g in groups:
        if any(g["kind"] == o["kind"] and o is not g and len(o["members"]) > len(g["members"]) for o in groups):
            continue
        names = [headers[j] for j in shared] + list(g["columns"])
        # Every group's values are evidence: the view stacks the groups' columns under one header.
        by_n = _group_columns(headers, g)
        rows = [names] + [[r[j] if j is not None and j < len(r) else "" for j in shared + cols]
                          for r in sheet.rows[hdr + 1:] for cols in by_n]
        out.append((Sheet(VIEW_NAMES[g["kind"]], rows),
                    {"kind": g["kind"], "groups": {"pattern": g["pattern"], "n": g["n"]},
                     "shared_headers": [headers[j] for j in shared],
                     "evidence": f"numbered column groups {g['label']!r} 1..{g['n'][-1]} in one row"}))
    return out


IDENTIFYING = ("name", "forename", "surname", "alias", "initials", "dob", "age")   # a person's own columns


def prefixed_views(sheet: Sheet, hdr: int, syn: Synonyms) -> list[tuple[Sheet, dict]]:
    """A case sheet holding the child and the perpetrator on each row, told apart by a word in the
    header ("Victim name", "Child DOB" | "Suspect name", "Perpetrator age"): one view per kind, each
    the case's own columns plus the columns its word names; a person's column that names neither
    ("Age" beside "Victim name" and "Suspect name") is in neither view, and said so. When only one
    kind's columns carry the word ("Name", "Age", "LAC" | "Alleged perpetrator", "Perpetrator age"),
    the plain person columns are the other kind's if they repeat a field of the named ones or are the
    child's alone (`_plain_is_the_other`). Only when each kind has a name, initials, date of birth or
    age column, and the sheet's name names no kind (an "Offenders" sheet keeps its "Child ID" as the
    link to the child)."""
    from .synonyms import match_header

    words = tuple(normalise(sheet.name).split())
    if any(_hinted(sheet.name, syn.kind_sheet.get(k, [])) for k in VIEW_NAMES) and words:
        return []
    headers = [c.strip() for c in sheet.rows[hdr]]
    whose: dict[int, str | None] = {}
    fields: dict[int, str | None] = {}
    for j, h in enumerate(headers):
        if not h:
            continue
        m = match_header(h, syn)
        fields[j] = m.field if m else None
        kinds = [k for k in VIEW_NAMES if _hinted(h, syn.kind_header.get(k, []))]
        whose[j] = kinds[0] if len(kinds) == 1 else None
    own = {k: [j for j in whose if whose[j] == k and fields[j] in IDENTIFYING] for k in VIEW_NAMES}
    plain = [j for j in whose if whose[j] is None and fields[j] in PERSON_FIELDS]
    evidence = {k: f"each row holds the child and the perpetrator: headers naming "
                   f"{'the child' if k == 'victims' else 'the perpetrator'} ({headers[own[k][0]]!r})"
                for k in VIEW_NAMES if own[k]}
    unclaimed: list[int] = plain
    if not all(own.values()):
        named = next((k for k in VIEW_NAMES if own[k]), None)
        other = next((k for k in VIEW_NAMES if k != named), None)
        if named is None or not _plain_is_the_other(plain, own[named], fields, other):
            return []
        for j in plain:           # the columns no word claims are the other person's
            whose[j] = other
        unclaimed = []
        evidence[other] = (f"each row holds the child and the perpetrator: the {named}' columns say so "
                           f"({headers[own[named][0]]!r}); the person columns that say nothing "
                           f"({', '.join(repr(headers[j]) for j in plain[:3])}) are taken as the {other}': check")
    else:
        # a column only a child has (missing, looked after: "MFH reports") is the child's though it
        # names no one; it was left unmapped, and the child's missing status lost (bench/heldout7)
        for j in plain:
            if fields[j] in VICTIM_ONLY:
                whose[j] = "victims"
        unclaimed = [j for j in plain if whose[j] is None]
    shared = [j for j in whose if whose[j] is None and j not in unclaimed]
    out = []
    for kind in VIEW_NAMES:
        cols = sorted(shared + [j for j in whose if whose[j] == kind])
        out.append((_view(sheet, hdr + 1, cols, [headers[j] for j in cols], kind),
                    {"kind": kind, "header_row": hdr + 1, "evidence": evidence[kind],
                     "unmapped": [(headers[j], "a person's column that does not say whose (victim or offender): "
                                               "add it to the block it belongs to") for j in unclaimed]}))
    return out


PERSON_FIELDS = IDENTIFYING + ("sex", "ethnicity", "record_ref", "missing_status", "missing_from", "missing_episodes",
                               "looked_after", "identified")
VICTIM_ONLY = ("missing_status", "missing_from", "missing_episodes", "looked_after")


def _plain_is_the_other(plain: list[int], named: list[int], fields: dict, other: str) -> bool:
    """Whether the person columns with no kind word are the other person's: they include a name,
    initials, date of birth or age, and either repeat a field the named person's columns have
    ("Age" beside "Perpetrator age") or are the child's alone (looked after, missing)."""
    plain_fields = {fields[j] for j in plain}
    if not plain_fields & set(IDENTIFYING):
        return False
    repeated = plain_fields & {fields[j] for j in named} & set(IDENTIFYING)
    child_only = other == "victims" and bool(plain_fields & set(VICTIM_ONLY))
    return bool(repeated or child_only)


def _group_columns(headers: list[str], g: dict) -> list[list[int | None]]:
    """For each group number, the positions of the first group's columns in that group (None: absent)."""
    pos = {normalise(h): j for j, h in enumerate(headers) if h}
    return [[pos.get(normalise(f"{g['label']} {n} {rest}")) for rest in g["columns"]] for n in g["n"]]


def _two_row_views(sheet: Sheet, sub: int, syn: Synonyms) -> list[tuple[Sheet, dict]]:
    combined = combined_headers(sheet.rows, sub, 2)
    subs = [c.strip() for c in sheet.rows[sub]] + [""] * (len(combined) - len(sheet.rows[sub]))
    tops = [c.split(" / ")[0] if subs[j] and " / " in c else "" for j, c in enumerate(combined)]
    top = sheet.rows[sub - 1]
    # The case's own columns: a header of their own in the top row (merged down), no sub-header.
    shared = [j for j, c in enumerate(combined) if c and not tops[j] and j < len(top) and top[j].strip()]
    labels = {label: [j for j in range(len(combined)) if tops[j] == label] for label in dict.fromkeys(t for t in tops if t)}
    for label, cols in list(labels.items()):
        named = {m.field for j in cols if (m := match_header(subs[j], syn)) is not None}
        if named and not named & set(PERSON_FIELDS):
            # A group cell over the case's columns ("Referral" over Ref | Date referred): every person's
            # columns, not a kind of its own (session 17: "Referral" read as the child's group and the
            # "Young person" group after it dropped, with the child's name, birth and codes)
            shared += labels.pop(label)
    shared.sort()
    out = []
    for label, cols in labels.items():
        kind = kind_of_label(label, syn)
        if kind is None or any(o[1]["kind"] == kind for o in out):
            continue
        rename = {subs[j]: combined[j] for j in cols}
        out.append((_view(sheet, sub + 1, shared + cols, [combined[j] for j in shared] + [subs[j] for j in cols],
                          kind),
                    {"kind": kind, "header_rows": 2, "rename": rename,
                     "evidence": f"group cell {label!r} over the sub-headers of a two-row header"}))
    return out


def _view(sheet: Sheet, start: int, cols: list[int], names: list[str], kind: str) -> Sheet:
    rows = [names] + [[r[j] if j < len(r) else "" for j in cols] for r in sheet.rows[start:]]
    return Sheet(VIEW_NAMES[kind], rows)


def restore(draft: SheetDraft, sheet: Sheet, selector, how: dict, header_row: int) -> SheetDraft:
    """The draft of a view, in terms of the real sheet."""
    draft.sheet, draft.selector, draft.kind = sheet.name, selector, how["kind"]
    draft.kind_evidence = how["evidence"]
    draft.header_row = header_row
    draft.header_evidence = re.sub(r"^header on row \d+", f"header on row {header_row}", draft.header_evidence)
    draft.data_rows = sum(1 for r in sheet.rows[header_row:] if any(c.strip() for c in r))
    draft.groups = how.get("groups")
    draft.header_rows = how.get("header_rows", 1)
    draft.unmapped += how.get("unmapped", [])
    rename = how.get("rename") or {}
    if rename:
        for c in draft.columns:
            c.headers = [rename.get(h, h) for h in c.headers]
            c.spec = _renamed(c.spec, rename)
        draft.header_contains = [rename.get(h, h) for h in draft.header_contains]
    if draft.groups:
        # Fields read from the row's own columns are shared by every group; say so when not the default.
        own = {normalise(h) for h in how["shared_headers"]}
        shared = [c.field for c in draft.columns if c.headers and all(normalise(h) in own for h in c.headers)]
        per_group = [c.field for c in draft.columns if c.headers and c.field not in shared]
        if any(f not in DEFAULT_SHARED for f in shared) or any(f in DEFAULT_SHARED for f in per_group):
            draft.groups["shared"] = shared
    return draft


def _renamed(spec, rename: dict):
    if isinstance(spec, str):
        return rename.get(spec, spec)
    if isinstance(spec, list):
        return [_renamed(s, rename) for s in spec]
    if isinstance(spec, dict):
        return {k: (_renamed(v, rename) if k in ("column", "first_of") else v) for k, v in spec.items()}
    return spec


def merge_series(drafts: list[SheetDraft]) -> list[SheetDraft]:
    """Sheets of one kind with the same columns (a sheet per year) as one block reading them all.
    The block is drafted from the sheet with the most fields, and a flat sheet's role values are
    those of every sheet (a witness only in 2008's)."""
    out: list[SheetDraft] = []
    for d in drafts:
        at = next((i for i, o in enumerate(out) if o.kind == d.kind and _same_columns(o, d)), None)
        if at is None:
            out.append(d)
            continue
        twin = out[at]
        keep, other = (d, twin) if len(d.columns) > len(twin.columns) else (twin, d)
        keep.series = (twin.series or [twin.sheet]) + [d.sheet]
        keep.data_rows = twin.data_rows + d.data_rows
        _join_roles(keep, other)
        out[at] = keep
    for d in out:
        series = d.series
        if series:
            d.selector = {"regex": sheet_regex(series)}
            d.notes.append(f"the same columns on {len(series)} sheets ({', '.join(map(repr, series))}): the "
                           "regex reads them all, and each record keeps its sheet")
    _lower_series(out)
    return out


def _lower_series(drafts: list[SheetDraft]) -> None:
    """A table under another (`below`) on only some sheets of its upper table's series (no adults
    of concern in 2010-11) reads the same sheets, `optional`: before, it read the sheets it was
    drafted from and each sheet without it was a missing_table error, or (one sheet) the mapping
    was refused, its `below` block on another sheet than the upper."""
    for d in drafts:
        upper = next((u for u in drafts if d.below and u.kind == d.below and u.series), None)
        mine = d.series or [d.sheet]
        if upper is None or not set(mine) < set(upper.series):
            continue
        without = [n for n in upper.series if n not in mine]
        d.selector = upper.selector
        d.optional = f"no {d.kind} table on {', '.join(map(repr, without))}"


def _join_roles(keep: SheetDraft, other: SheetDraft) -> None:
    if keep.role is None or other.role is None:
        return
    for k in ("victims", "offenders", "skip"):
        keep.role[k] += [v for v in other.role[k] if v not in keep.role[k]]
    sorted_values = {v for k in ("victims", "offenders", "skip") for v in keep.role[k]}
    keep.role_todo = [v for v in dict.fromkeys(keep.role_todo + other.role_todo) if v not in sorted_values]


def _headers(d: SheetDraft) -> set[str]:
    return {normalise(h) for c in d.columns for h in c.headers} | {normalise(h) for h, _ in d.unmapped}


def _same_columns(a: SheetDraft, b: SheetDraft) -> bool:
    # The same header row is the same table, though the values of one year drafted a field more
    # (session 18: a police return's "Missing Reports" read as episodes on one year's sheet only, so
    # the three year sheets were not one series and the draft named one sheet; two years never loaded)
    same = a.fields() == b.fields() or (len(_headers(a)) >= 2 and _headers(a) == _headers(b))
    return same and a.groups == b.groups and a.header_rows == b.header_rows


def sheet_regex(names: list[str]) -> str:
    """A regex for a series of sheet names: years ("2008", "2011 (to March)") by their year, else
    their common beginning, else the names themselves."""
    if all(re.match(r"\s*(19|20)\d\d\b", n) for n in names):
        return r"^\s*(19|20)\d\d\b"
    prefix = os.path.commonprefix([n.lower() for n in names]).strip()
    if len(prefix) >= 3:
        return "^" + re.escape(names[0][:len(prefix)])
    return "^(" + "|".join(re.escape(n) for n in names) + ")$"


_PART = {"day": "day", "month": "month", "year": "year", "dd": "day", "mm": "month", "yy": "year", "yyyy": "year"}


def split_dates(draft: SheetDraft) -> None:
    """Day / Month / Year columns left unmapped ("DOB Day", "DOB Month", "DOB Year", or bare "Day",
    "Month", "Year"): propose them as one date (`parts`), the date of birth unless they name the case."""
    from .model import ColumnChoice

    for choice in [c for c in draft.columns if c.todo and c.candidates]:
        # "DOB day", "DOB month", "DOB year" each read as a date of birth by its "DOB": a TODO to
        # choose one of them (session 19), when the three together are the date
        heads = [h for c in choice.candidates for h in c.headers]
        prefixes = {" ".join(normalise(h).split()[:-1]) for h in heads}
        if len(heads) == 3 and len(prefixes) == 1 and \
                {_PART.get((normalise(h).split() or [""])[-1]) for h in heads} == {"day", "month", "year"}:
            draft.columns.remove(choice)
            draft.unmapped.extend((h, "") for h in heads)
    found: dict[str, dict[str, str]] = {}
    for header, _why in draft.unmapped:
        words = normalise(header).split()
        if words and words[-1] in _PART:
            found.setdefault(" ".join(words[:-1]), {})[_PART[words[-1]]] = header
    taken = {c.field for c in draft.columns}
    for prefix, parts in found.items():
        if set(parts) != {"day", "month", "year"}:
            continue
        case = any(w in prefix.split() for w in ("referral", "case", "crime", "incident", "offence", "reported"))
        fname = "case_date" if case else "dob"
        if fname in taken:
            continue
        spec = {"parts": {k: parts[k] for k in ("day", "month", "year")}}
        why = f"headers {', '.join(map(repr, parts.values()))} split one date over three columns"
        draft.columns.append(ColumnChoice(fname, list(parts.values()), spec, [why + (
            "" if prefix else " (no prefix: taken as the date of birth; check it is not the case date)")],
            "medium" if not prefix else "high"))
        draft.unmapped = [(h, w) for h, w in draft.unmapped if h not in parts.values()]
        taken.add(fname)
