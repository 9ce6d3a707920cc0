"""What a return's person records become once every sheet is mapped: initials filled in from
names, and cases derived for layouts that have no case sheet.

Apart from mapping.py because it works on the whole return, not on one sheet's rows.
"""

from __future__ import annotations

import operator
from collections import Counter
from itertools import repeat

from .records import PERSON_KINDS, Issue, MappedReturn
from .values import age_at, first_letter


def derive_cases(out: MappedReturn) -> None:
    """Cases for layouts with no case sheet: one per distinct case reference. A person row
    with no reference is a case of its own (e.g. a charity's one-row-per-child referral)."""
    cases: dict[str, dict] = {}
    for kind in PERSON_KINDS:
        cols = out.columns[kind]
        if not cols:
            continue
        n = out.count(kind)
        get = {f: cols.get(f, [None] * n) for f in ("case_ref", "case_date", "area", "sheet", "row_number")}
        for ref, date, area, sheet, row in zip(*get.values(), strict=True):
            key = ref if ref else f"(no ref) {sheet} row {row}"
            case = cases.get(key)
            if case is None:
                cases[key] = {"case_ref": ref or key, "case_date": date, "area": area, "sheet": sheet,
                              "row_number": row}
            else:
                case["case_date"] = case["case_date"] or date
                case["area"] = case["area"] or area
    if cases:
        out.add("cases", {f: [c[f] for c in cases.values()]
                          for f in ("case_ref", "case_date", "area", "sheet", "row_number")})


def _initials(given: list, forenames: list, surnames: list) -> list:
    """Initials as given, else values.initials_of(forename, surname), by whole-list operations."""
    # Each row's two letters joined (whole-list operations), then upper-cased once per distinct pair.
    pairs = list(map(operator.add, _first_letters(forenames), _first_letters(surnames)))
    upper = {pair: pair.upper() or None for pair in set(pairs)}
    return [ini or upper[pair] for ini, pair in zip(given, pairs, strict=True)]


def _first_letters(parts: list) -> list[str]:
    """values.first_letter of each name part. A part that does not start with a space starts with
    its letter or none, so one character per part is looked at (a look-up per distinct part cost
    several times as much at 1M records: 300k distinct surnames); one that does (str.isspace, the
    spaces str.strip removes) goes through first_letter."""
    texts = [p or "" for p in parts]
    heads = list(map(operator.getitem, texts, repeat(slice(0, 1))))
    out = [h if alpha else "" for h, alpha in zip(heads, map(str.isalpha, heads), strict=True)]
    if any(map(str.isspace, heads)):
        for i, h in enumerate(heads):
            if h.isspace():
                out[i] = first_letter(texts[i])
    return out


def _finish_persons(out: MappedReturn) -> None:
    """Fill case dates and areas from the case sheet, derive initials and ages."""
    cases = out.columns["cases"]
    case_by_ref = {}
    if cases:
        for ref, date, area in zip(cases["case_ref"], cases.get("case_date", [None] * out.count("cases")),
                                   cases.get("area", [None] * out.count("cases")), strict=True):
            if ref:
                case_by_ref.setdefault(ref, (date, area))
    has_cases = bool(case_by_ref)
    if not has_cases:
        # No case sheet: a case's date and area are those any of its records gives (an offenders
        # sheet often has no date column, while the victims sheet of the same case does).
        for kind in PERSON_KINDS:
            cols = out.columns[kind]
            n = out.count(kind)
            for ref, date, area in zip(cols.get("case_ref", [None] * n), cols.get("case_date", [None] * n),
                                       cols.get("area", [None] * n), strict=True):
                if ref:
                    old = case_by_ref.get(ref, (None, None))
                    case_by_ref[ref] = (old[0] or date, old[1] or area)
    unknown_refs: Counter = Counter()
    for kind in PERSON_KINDS:
        cols = out.columns[kind]
        n = out.count(kind)
        if not n:
            continue
        for f in ("case_ref", "case_date", "area", "forename", "surname", "initials", "dob", "age"):
            cols.setdefault(f, [None] * n)
        refs = cols["case_ref"]
        cases_of = list(map(case_by_ref.get, refs))
        # A record's own date and area first, else its case's (whole-list operations: a return can
        # have a million records).
        cols["case_date"] = [d or c[0] if c is not None else d for d, c in zip(cols["case_date"], cases_of, strict=True)]
        cols["area"] = [a or c[1] if c is not None else a for a, c in zip(cols["area"], cases_of, strict=True)]
        if has_cases and None in cases_of:
            sheets = cols["sheet"]
            unknown_refs.update((sheets[i], refs[i]) for i, c in enumerate(cases_of) if c is None and refs[i])
        dates = cols["case_date"]
        cols["initials"] = _initials(cols["initials"], cols["forename"], cols["surname"])
        cols["age"] = [age if age is not None or not (dob and on) else age_at(dob, on)
                       for age, dob, on in zip(cols["age"], cols["dob"], dates, strict=True)]
    for (sheet, ref), n in sorted(unknown_refs.items()):
        out.issues.append(Issue(sheet, None, None, ref, "unknown_case_ref", "warning",
                                f"{n} record(s) name a case reference that is not in the cases sheet"))
