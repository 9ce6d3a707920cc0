"""Choosing the column and the code list for each field of one sheet, with a confidence.

`_choose_columns` turns the header (and value) matches of a sheet into one `ColumnChoice` per field:
a duplicate header, a self- and officer-defined ethnicity pair, or two candidate columns (a TODO);
`_column_choice` checks one column's values against the field and picks its code list
(`_best_list`). Separate because this is the judgement of the drafter, apart from reading the sheet
and writing the YAML; the missing-episode rules live in `missing`.
"""

from __future__ import annotations

import re

from ..config import Config, normalise
from ..config.text import listable
from .header import _col_letter
from .missing import _missing_rules
from .model import ColumnChoice
from .profile import Profile, _pct
from .synonyms import HeaderMatch, Synonyms, _hinted, _unknown_like

CODE_FIELDS_DEFAULT = {"sex": "sex", "missing_status": "missing_status", "missing_from": "missing_from",
                       "looked_after": "yes_no", "identified": "yes_no"}


def _match_by_values(p: Profile, config: Config, syn: Synonyms) -> HeaderMatch | None:
    """Only codes are recognised by values alone: a column of IC codes is ethnicity whatever its
    header; dates and names could be several fields, so they need a header."""
    if p.known < 5 or len(p.values) < 2:
        return None
    for fname in ("ethnicity", "sex"):
        best, share = _best_list(fname, p, config, syn, "")
        if best and share >= (0.9 if fname == "ethnicity" else 0.95):
            if fname == "ethnicity" and best in ("ethnicity_text", "ethnicity_template"):
                continue        # free text (names, notes) can look like ethnicity words: need a header
            return HeaderMatch(fname, "values")
    return None


INITIALS_SHARE = 0.6      # share of a name column's values that are initials for it to be drafted as initials


def initials_not_names(m: HeaderMatch, p: Profile) -> HeaderMatch:
    """A column whose header names a whole name but whose values are mostly initials ("J S", "J.S.",
    "JS": one to four letters, upper case or dotted) is drafted as initials: read with `parse: name`
    "J S" would become forename "J", surname "S". Judged by the values, whatever the header says."""
    if m.field == "name" and p.known >= 3 and p.share(p.initials) >= INITIALS_SHARE:
        return HeaderMatch("initials", "name_values", m.describe_short())
    if m.field in ("forename", "surname") and p.known >= 3 and p.share(_part_initials(p)) >= INITIALS_SHARE:
        # a forename or surname column of "J", "J.", "JS": read as names they would be compared as
        # names (the forename "JS"); as initials they are compared as initials
        return HeaderMatch("initials", "name_values", m.describe_short())
    return m


_SPELT_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,2}$|^(?:[A-Za-z](?:\.\s?|\s)){1,3}[A-Za-z]?\.?$")


def _part_initials(p: Profile) -> int:
    """Values of a name-part column that are initials: one or two capitals ("J", "JS"), or letters
    each with a dot or a space ("J.", "j.s.", "J S"). Not three or four capitals: "AMY", "ZOE",
    "JOHN" in an upper-case forename column are names."""
    return sum(k for v, k in p.values.items() if _SPELT_INITIALS.match(v))


def one_letter(p: Profile) -> bool:
    """Whether a column's initials are mostly one letter each ("J", "J."): one part of a name."""
    ones = sum(k for v, k in p.values.items() if len(v.replace(".", "").strip()) == 1)
    return p.known > 0 and ones * 2 > p.known


def _choose_columns(by_field: dict[str, list[int]], headers: list[str], matches: dict, profiles: dict,
                    kind: str, fits, config: Config, syn: Synonyms,
                    unmapped: list[tuple[str, str]]) -> list[ColumnChoice]:
    chosen: dict[str, ColumnChoice] = {}
    for fname, cols in by_field.items():
        distinct = {normalise(headers[j]) for j in cols}
        if len(cols) > 1 and len(distinct) == 1:
            # The same header twice: the loader can only use the first.
            first = cols[0]
            c = _column_choice(fname, first, headers, matches, profiles, config, syn)
            c.evidence.append(f"header appears {len(cols)} times: the loader uses the first "
                              f"(column {_col_letter(first)}); check which holds the {fname}")
            c.confidence = "low"
            chosen[fname] = c
        elif len(cols) > 1 and fname == "ethnicity" and _self_and_officer(cols, headers, syn):
            chosen[fname] = _first_of_ethnicity(cols, headers, matches, profiles, config, syn)
        elif len(cols) > 1:
            # Never guess between two columns that could both be the field.
            names = ", ".join(repr(headers[j]) for j in cols)
            each = [_column_choice(fname, j, headers, matches, profiles, config, syn) for j in cols]
            spec = {"TODO": f"choose one column: {' or '.join(repr(headers[j]) for j in cols)}; write it as "
                            f"column: ... in place of this TODO"}
            if isinstance(each[0].spec, dict):
                spec.update({k: v for k, v in each[0].spec.items() if k not in ("column", "unknown")})
            evidence = [f"{len(cols)} candidate columns: {names}"] + [", ".join(c.evidence) for c in each]
            chosen[fname] = ColumnChoice(fname, [], spec, evidence, "low",
                                         todo=f"{len(cols)} candidate columns: {names}", candidates=each)
        else:
            chosen[fname] = _column_choice(fname, cols[0], headers, matches, profiles, config, syn)

    _missing_rules(chosen, by_field, headers, profiles, fits, config, syn)
    for fname, c in list(chosen.items()):
        if c.confidence == "drop":
            del chosen[fname]
            unmapped.append((c.headers[0], "; ".join(c.evidence)))
    if "area" not in chosen and fits("area"):
        chosen["area"] = ColumnChoice("area", [], {"registry": "area"},
                                      ["no area column: the agency's area from the registry"], "high")
    order = [f for f in config.fields if f != "area"] + ["area"]
    return sorted(chosen.values(), key=lambda c: order.index(c.field))


def _self_and_officer(cols: list[int], headers: list[str], syn: Synonyms) -> bool:
    if len(cols) != 2:
        return False
    kinds = [("self" if _hinted(headers[j], syn.self_defined) else
              "officer" if _hinted(headers[j], syn.officer_defined) else None) for j in cols]
    return sorted(k or "" for k in kinds) == ["officer", "self"]


def _first_of_ethnicity(cols, headers, matches, profiles, config, syn) -> ColumnChoice:
    cols = sorted(cols, key=lambda j: 0 if _hinted(headers[j], syn.self_defined) else 1)
    subs = [_column_choice("ethnicity", j, headers, matches, profiles, config, syn) for j in cols]
    spec = {"first_of": [s.spec if isinstance(s.spec, dict) else {"column": s.spec} for s in subs]}
    evidence = [f"self-defined {headers[cols[0]]!r} first, officer-defined {headers[cols[1]]!r} where it "
                "is unknown"] + [e for s in subs for e in s.evidence]
    conf = min((s.confidence for s in subs), key=["low", "medium", "high"].index)
    return ColumnChoice("ethnicity", [headers[j] for j in cols], spec, evidence, conf,
                        unrecognised=[v for s in subs for v in s.unrecognised],
                        unrecognised_counts={v: n for s in subs for v, n in s.unrecognised_counts.items()})


def _column_choice(fname: str, j: int, headers: list[str], matches: dict, profiles: dict, config: Config,
                   syn: Synonyms) -> ColumnChoice:
    header, p, m = headers[j], profiles[j], matches[j]
    fdef = config.fields[fname]
    spec: dict = {"column": header}
    unrecognised: list[str] = []
    evidence = [m.describe(header)]
    fit = None                       # share of known values that fit the field
    todo = None
    if fname == "name":
        fit, todo = _whole_name(header, p, m, spec, evidence)
    elif fname == "initials":
        spec["parse"] = "initials"
        fit = p.share(p.initials)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are initials")
    elif fname in ("forename", "surname"):
        fit = p.share(p.one_words + p.word_names)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are words")
    elif fdef.type == "date":
        fit = p.share(p.dates)
        spec["dates"] = "monthfirst" if p.monthfirst > p.dayfirst else "dayfirst"
        if p.known:
            how = ("month first" if p.monthfirst > p.dayfirst else "day first" if p.dayfirst
                   else "ISO or date cells" if p.iso == p.dates else "day first assumed (UK)")
            evidence.append(f"{_pct(fit)} of values are dates ({how})")
    elif fname == "age":
        fit = p.share(p.ages)
        if p.age_units:
            spec["parse"] = "age"
        if p.known:
            evidence.append(f"{_pct(fit)} of values are ages" + (" (some with units or bands)" if p.age_units
                                                                  else ""))
    elif fdef.type == "int":
        fit = p.share(p.ints)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are whole numbers")
    elif fdef.type == "code" or fname in CODE_FIELDS_DEFAULT:
        best, fit = _best_list(fname, p, config, syn, header)
        spec["codes"] = best
        code_list = config.codes[best]
        extra_unknown = []
        for v, k in p.values.items():
            if code_list.lookup(v) is None:
                if _unknown_like(v, syn):
                    extra_unknown.append(v)
                elif listable(v, k):  # a name typed into Gender is not copied into the draft
                    unrecognised.append(v)
        if extra_unknown:
            spec["unknown"] = sorted(extra_unknown)
            fit = p.share(sum(k for v, k in p.values.items() if code_list.lookup(v) is not None
                              or v in extra_unknown))
        evidence.append(_list_evidence(fname, best, p, config, syn, header))
    else:   # text: references, area
        if p.known:
            evidence.append(f"{len(p.values)} distinct values in {p.known} rows")
        fit = None
    if p.known == 0 and not (fdef.type == "code" or fname in CODE_FIELDS_DEFAULT):
        evidence.append("no values to check")
    confidence = _confidence(m.strength, fit, p.known)
    if fit is not None and (p.known >= 5 and fit < 0.3 and m.strength < 3
                            or fname == "name" and p.known >= 3 and fit < 0.5):
        confidence = "drop"
        evidence.append(f"only {_pct(fit)} of values fit {fname}: not mapped")
    if fdef.personal or fname not in CODE_FIELDS_DEFAULT and fname != "ethnicity":
        unrecognised = []
    if todo:
        spec["TODO"] = todo          # the loader refuses the mapping until a person decides
    spec_out: object = spec if len(spec) > 1 else header
    unrecognised = sorted(unrecognised, key=lambda v: (-p.values[v], v))   # most rows first
    return ColumnChoice(fname, [header], spec_out, evidence, confidence, todo=todo, unrecognised=unrecognised,
                        unrecognised_counts={v: p.values[v] for v in unrecognised})


def _whole_name(header: str, p: Profile, m: HeaderMatch, spec: dict, evidence: list[str]) -> tuple[float, str | None]:
    """`parse: name` (and the `order` the header states) for a whole-name column: (fit, a TODO or None).
    A TODO when many values are initials, or the header says forename first over "X, Y" values."""
    spec["parse"] = "name"
    fit = p.share(p.comma_names + p.word_names + p.several)
    todo = None
    if p.known:
        style = "'SURNAME, Forename'" if p.comma_names >= p.word_names else "'Forename Surname'"
        if m.order:      # the header gives the order; the values only their shape
            style = "'X, Y'" if p.comma_names >= p.word_names else "words without a comma"
        evidence.append(f"{_pct(fit)} of values are whole names, mostly {style}")
    if p.several:
        # "John Smith; Dean Carter": without the key only the first of each cell is loaded (session 20)
        spec["several"] = "people"
        evidence.append(f"{p.several} cell(s) hold several whole names (parted by ';', '/', 'and' or lines): "
                        "a record each")
    if p.known >= 3 and p.share(p.initials) >= INITIALS_SHARE / 2:
        todo = (f"{_pct(p.share(p.initials))} of the values of {header!r} are initials (\"J S\", \"J.S.\"), "
                "which parse: name reads as a forename and a surname of one letter each: map the column "
                "as name or as initials ({column: ..., parse: initials})")
    if m.order:
        spec["order"] = m.order
        if m.order == "forename_first" and p.known >= 3 and p.comma_names > p.known / 2:
            todo = (f"the header {header!r} says forename first, but most values are written 'X, Y', "
                    "the usual form of SURNAME, Forename: say which (order: surname_first or forename_first)")
    return fit, todo


def _confidence(strength: int, fit: float | None, known: int) -> str:
    if known == 0:
        return "medium" if strength >= 3 else "low"
    if fit is None:
        return "high" if strength >= 3 else "medium"
    if strength >= 2 and fit >= 0.9:
        return "high"
    if (strength >= 2 and fit >= 0.5) or (strength >= 0 and fit >= 0.9):
        return "medium"
    return "low"


def _best_list(fname: str, p: Profile, config: Config, syn: Synonyms, header: str) -> tuple[str, float]:
    """The code list that recognises the most distinct values; ties go to the list the header names,
    then to the smallest (most specific) list."""
    candidates = [c for c in syn.code_candidates.get(fname, []) if c in config.codes]
    default = config.fields[fname].codes or CODE_FIELDS_DEFAULT.get(fname)
    if not candidates:
        candidates = [default] if default else []
    hinted = {name for name, phrases in syn.code_hints.items() if header and _hinted(header, phrases)}
    if not candidates:
        return "", 0.0

    def score(name: str) -> tuple:
        # Coverage: the rows a list reads, then the distinct values, then the header's hint.
        cl = config.codes[name]
        rows = sum(k for v, k in p.values.items() if cl.lookup(v) is not None)
        known = sum(1 for v in p.values if cl.lookup(v) is not None)
        return rows, known, name in hinted, -len(cl.codes)

    best = max(candidates, key=score)
    if not p.values:
        best = next((h for h in candidates if h in hinted), default if default in candidates else best)
    cl = config.codes[best]
    return best, p.share(sum(k for v, k in p.values.items() if cl.lookup(v) is not None))


def _list_evidence(fname: str, best: str, p: Profile, config: Config, syn: Synonyms, header: str) -> str:
    if not p.values:
        return f"codes {best}: the usual list for {fname} (no values to check)"
    distinct = len(p.values)
    scores = {c: sum(1 for v in p.values if config.codes[c].lookup(v) is not None)
              for c in syn.code_candidates.get(fname, [best]) if c in config.codes}
    text = f"{scores.get(best, 0)} of {distinct} distinct values are {best} codes"
    ties = [c for c, s in scores.items() if c != best and s == scores.get(best)]
    if ties and len(scores) > 1:
        hint = "the header names it" if _hinted(header, syn.code_hints.get(best, [])) else "it is the most specific"
        text += f" (as many fit {', '.join(ties)}; {best}: {hint})"
        if best in ("ethnicity_16plus1", "ethnicity_18plus1") and \
                {"ethnicity_16plus1", "ethnicity_18plus1"} <= set(ties) | {best}:
            text += "; 16+1 and 18+1 agree on every category, only the B1/B2 detail differs"
    return text
