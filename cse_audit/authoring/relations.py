"""What a draft learns from more than one column or sheet (issue 18): relation columns, the
reporting period in the title rows, initials the global unknown list would swallow, and a derived
`identified`.

Relation columns: on an offenders (or cases) sheet, a column whose values are found among the
victims sheet's person ids (or that carries the same id header, for a return with no rows) is the
link to the child's case ("Child ID" on an "Alleged perpetrators" sheet), not the offender's own id.
Read as the offender's own id it would make every offender a case of their own.
"""

from __future__ import annotations

import re

from ..config import Config, normalise
from ..ingest.derived import find_period
from ..ingest.values import parse_initials, written_as_initials
from .model import ColumnChoice, SheetDraft
from .synonyms import Synonyms, _hinted

RELATION_SHARE = 0.8      # share of a column's values found among the other sheet's ids
_DOTTED = re.compile(r"^([A-Za-z]\.\s?){1,4}$")


def sheet_extras(draft: SheetDraft, title_rows: list[list[str]], headers: list[str], sample: list[list[str]],
                 config: Config) -> None:
    """Keep each column's distinct values (for relation columns), and add what one sheet says beyond
    its columns: a reporting period in the title rows, initials kept as initials, derived `identified`."""
    for j, h in enumerate(headers):
        if h:
            draft.ids[h] = {normalise(r[j]) for r in sample if j < len(r) and r[j].strip()}
    for i, row in enumerate(title_rows):
        text = " ".join(c.strip() for c in row if c and c.strip())
        if find_period(text):
            draft.period = f"title row {i + 1} states a reporting period"
            break
    _initials_kept(draft, headers, sample, config)
    _derived_identified(draft)


def _initials_kept(draft: SheetDraft, headers: list[str], sample: list[list[str]], config: Config) -> None:
    """An initials column written "j.s." holding "n.a.": the global unknown list reads "n.a." as n/a
    (capitals, "N.A.", are initials already: values.written_as_initials), so the draft proposes `unknown: {replace: [...]}` without the tokens written like the column's initials.
    No value of the column is printed (initials are personal)."""
    c = next((c for c in draft.columns if c.field == "initials" and len(c.headers) == 1 and not c.todo), None)
    if c is None:
        return
    j = headers.index(c.headers[0])
    cells = [r[j].strip() for r in sample if j < len(r) and r[j].strip()]
    known = [v for v in cells if normalise(v) not in config.unknown_tokens]
    dotted = [v for v in known if _DOTTED.match(v)]
    if len(known) < 3 or len(dotted) < 0.8 * len(known):
        return
    # ("N.A.", "NA" are read as initials already: values.written_as_initials; "n.a." is not)
    like = {normalise(v) for v in cells if normalise(v) in config.unknown_tokens and _DOTTED.match(v)
            and parse_initials(v)[0] is not None and not written_as_initials(v)}
    if not like:
        return
    spec = dict(c.spec) if isinstance(c.spec, dict) else {"column": c.headers[0]}
    spec["unknown"] = {"replace": sorted(t for t in config.unknown_tokens if t and t not in like)}
    c.spec = spec
    n = sum(1 for v in cells if normalise(v) in like)
    c.evidence.append(f"{n} value(s) written like the column's initials (\"X.Y.\") are global unknown tokens: "
                      "`unknown: replace` keeps them as initials")


def _derived_identified(draft: SheetDraft) -> None:
    """No column says whether an offender is identified: derive it (named, with a DOB or an age), the
    schema's own definition, so the offenders' most reliable data group is not empty."""
    if draft.kind not in ("offenders", "people"):
        return
    have = {c.field for c in draft.columns if c.headers and not c.todo}
    if "identified" in {c.field for c in draft.columns}:
        return
    names = [f for f in ("name", "forename", "surname") if f in have]
    born = [f for f in ("dob", "age") if f in have]
    if not names or not born:
        return
    part = lambda fs: fs[0] if len(fs) == 1 else {"any_of": fs}  # noqa: E731
    spec = {"derive": {"all_of": [part(names), part(born)]}}
    draft.columns.append(ColumnChoice(
        "identified", [], spec, ["no column says whether the offender is identified: derived as named "
                                 f"({' or '.join(names)}) with {' or '.join(born)} (the schema's definition)"],
        "medium"))


def link_relations(drafts: list[SheetDraft], syn: Synonyms) -> None:
    """Turn a relation column on an offenders or cases sheet into the link to the victims' cases."""
    victims = next((d for d in drafts if d.kind == "victims"), None)
    vref = _single(victims, "record_ref") if victims else None
    if vref is None:
        return
    ids = victims.ids.get(vref, set())
    for d in drafts:
        if d is victims or d.kind not in ("offenders", "cases"):
            continue
        h = _relation_column(d, vref, ids, syn)
        if h is None:
            continue
        why = (f"the link to the child: {'its values are' if d.ids.get(h) else 'the same header as'} the victims' "
               f"ids ({vref!r} on sheet {victims.sheet!r}), not this sheet's own id")
        d.columns = [_without(c, h) if c.field == "record_ref" else c for c in d.columns]
        d.columns = [c for c in d.columns if c is not None]
        if _single(d, "case_ref") is None and not any(c.field == "case_ref" for c in d.columns):
            d.columns.insert(0, ColumnChoice("case_ref", [h], h, [f"{h!r} is {why}; the child's case"], "high"))
            _victims_cases_by_id(victims, vref)
        else:
            d.unmapped.append((h, why))


def _without(c: ColumnChoice, h: str) -> ColumnChoice | None:
    """The record_ref choice once the relation column `h` is known not to be the record's own id:
    gone if it was `h`; the other column if `h` was one of two candidates (a TODO no longer)."""
    if c.headers == [h]:
        return None
    rest = [k for k in c.candidates if k.headers != [h]]
    if c.todo and len(rest) == 1 and len(rest) < len(c.candidates):
        kept = rest[0]
        kept.evidence.append(f"the other candidate, {h!r}, is the link to the child")
        return kept
    return c


def _victims_cases_by_id(victims: SheetDraft, vref: str) -> None:
    """Offenders link to a child by its id, so the child's id is the case key on the victims sheet too."""
    old = next((c for c in victims.columns if c.field == "case_ref"), None)
    if old is not None and old.headers == [vref]:
        return
    if old is not None:
        victims.columns.remove(old)
        if old.headers:
            victims.unmapped.append((old.headers[0], f"a case reference, but the offenders link to a child by "
                                                     f"{vref!r}: that is the case key here (kept in raw rows)"))
    victims.columns.insert(0, ColumnChoice("case_ref", [vref], vref, [
        f"the offenders sheet links to a child by {vref!r}: each child's id is its case key"], "high"))


def _single(d: SheetDraft | None, fname: str) -> str | None:
    c = next((c for c in d.columns if c.field == fname), None) if d else None
    return c.headers[0] if c is not None and len(c.headers) == 1 and not c.todo else None


def _relation_column(d: SheetDraft, vref: str, ids: set, syn: Synonyms) -> str | None:
    """The column of `d` holding the victims' ids. A header naming the child ("Child ID", "Victim
    ref") whose values are found among the victims' ids (or, with no rows, the victims' own id
    header); or a column mapped to nothing whose values are. Two sheets numbered 1, 2, 3 ... share
    values by chance, so a value match alone never takes a column the sheet maps to a field."""
    unmapped = {h for h, _ in d.unmapped}
    best, best_share = None, 0.0
    for h, values in d.ids.items():
        hinted = _hinted(h, syn.relation_hints or syn.kind_header.get("victims", []))
        if not values:
            if hinted and normalise(h) == normalise(vref):
                return h           # a nil return: the same id header as the children's sheet
            continue
        if not ids or not (hinted or (h in unmapped and len(values) >= 3)):
            continue
        share = len(values & ids) / len(values)
        if share >= RELATION_SHARE and share > best_share:
            best, best_share = h, share
    return best
