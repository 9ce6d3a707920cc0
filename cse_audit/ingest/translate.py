"""Translate one column's cell texts into one canonical field's values.

Cell values repeat a lot (codes, dates, areas), so each distinct text is translated once
and the result reused for every row that holds it.
"""

from __future__ import annotations

import re

from ..config import Agency, ColumnSpec, Config, normalise
from .aliases import joined, may_hold_alias, parse_aliases, split_alias
from .counts import INEXACT_COUNT, at_least, none_count
from .name_cells import may_hold_several, people_in, slash_alias, without_dangling
from .name_cells import names_in as _names_in
from .records import UNKNOWN
from .unnamed import (
    COMMA_TITLE,
    after_title,
    may_be_unnamed,
    named_aside,
    no_name_text,
    scans,
    several_unnamed,
    title_couple,
    unnamed_text,
    untitled,
)
from .values import (
    age_in_date,
    age_with_extras,
    date_from_pattern,
    parse_age,
    parse_date,
    parse_initials,
    parse_int,
    parse_name,
    quick_date,
    unquoted,
    written_as_initials,
)

# normalised text ending in a number, e.g. "unknown male 2", "um1", "unknown male no 3"
_NUMBERED = re.compile(r"^(\D*?)\s*(?:no\s*|number\s*)?\d{1,3}$")
_DIGIT = re.compile(r"\d")
# fields holding a name part in a column of its own: a numbered unnamed person there is no name
_NAME_PARTS = ("forename", "surname")
# Issue 16: one cell for several people. The mapping language makes one record of a row's name
# cell, so these stay one record, with a warning that says why the count may be low (the issue
# names file, sheet, row and column, never the text).
SEVERAL = ("several_unnamed", "a text for several unnamed people (a count such as 'x3', or a plural such as "
                              "'unknown males'): read as one record with no name, so they count as one person "
                              "at most; a row per person counts each")
TWO_PEOPLE = ("two_people", "two titles for two people ('Mr and Mrs ...'): read as one record, the name "
                            "after the titles; a row per person counts each")
# Session 19: several people's names in one cell, "Darren Ashdown; Imran Platt" (a council's
# "Alleged perpetrators"). Read whole it was one man, forename of the first and surname of the last,
# with no warning: a person nobody reported. The mapping language makes one record of a cell, so the
# first name is read and the others are counted in a warning (name_cells.py parts the cell).

# Issue 16: an age where the date of birth goes ("DOB unknown, approx 15"): the record keeps the age,
# and the analyst is told where (file, sheet, row and column; never the text, which is personal).
AGE_IN_DOB = ("age_in_dob", "an age written where the date of birth goes, not a date: read as the record's age "
                            "(an age in the mapping's age column wins); the date of birth is unknown")
# Session 17: a cell of punctuation alone that is no placeholder for "not known" ("£", "*"; the
# placeholders are codes/unknown.yaml `placeholder_marks`: "-", "?", "..."). Nothing can be read from
# it, so it is Unknown as before, but no longer silently: the issue names file, sheet, row and column.
STRAY_PUNCTUATION = ("stray_punctuation", "a cell of punctuation only that is no placeholder for not known "
                                          "(placeholders: '-', '?', '.', '/', '_', alone or repeated): a typing "
                                          "error? Counted as Unknown; if the return writes it for not known, "
                                          "add it to the column's `unknown:` in the mapping")

class _Translator:
    """Turns one column's cells into one field's values, translating each distinct cell text once."""

    def __init__(self, fname: str, spec: ColumnSpec, config: Config, agency: Agency):
        self.fname, self.spec, self.config, self.agency = fname, spec, config, agency
        fdef = config.fields[fname]
        self.ftype = fdef.type
        self.personal = fdef.personal
        codes = spec.codes or fdef.codes
        self.codes = config.codes[codes] if codes and (self.ftype == "code" or spec.codes) else None
        self.unknown = config.unknown_tokens | {normalise(t) for t in spec.unknown}
        # an initials column: capitals written as initials ("N.A.", "NA") are someone's initials,
        # though they spell a global unknown token (values.written_as_initials); the mapping's own wins
        self.initials = spec.parse == "initials" or fname == "initials"
        self.own_unknown = frozenset(normalise(t) for t in spec.unknown)
        # a cell of punctuation alone made of these marks is a placeholder (no warning): the global
        # marks, and the marks of the column's own punctuation-only tokens (`unknown: ["*"]`)
        self.marks = config.placeholder_marks | {c for t in spec.unknown if not normalise(t) for c in t
                                                 if not c.isspace()}
        if spec.unknown_replace:
            # `unknown: {replace: [...]}`: only these tokens (and a blank cell) mean Unknown here.
            self.unknown = frozenset({""} | {normalise(t) for t in spec.unknown})
        # Letters and digits in no unknown token: a value holding one cannot normalise to an
        # unknown token (normalise keeps letters and digits), so it needs no normalise call.
        self.not_unknown = frozenset("abcdefghijklmnopqrstuvwxyz0123456789").difference(*self.unknown)
        self.fast = self._fast_path()
        self.may_be_unnamed: frozenset | None = None     # set by column() for a name part or a whole name
        self._unnamed_stripped: frozenset | None = None
        self.no_name = config.no_name                    # codes/unknown.yaml `no_name`: name columns only
        self._scan_line, self._scan_one = scans(self.no_name)

    def many(self, texts) -> dict[str, tuple]:
        """{text: translation} for distinct texts, as _translate gives it for each: a tuple
        (value, extra fields dict or None, problem or None).

        Names, dates and free text (references) are mostly distinct values, so they take a
        shortcut for their common case; anything else goes through _translate."""
        fast, out = self.fast, {}
        if fast is None:
            for text in texts:
                out[text] = self._translate(text)
            return out
        unknown, not_unknown, translate = self.unknown, self.not_unknown, self._translate
        for text in texts:
            s = text.strip()
            key = s.casefold()
            # Could normalise(s) be an unknown token? (For such text, key is what normalise gives.)
            maybe = key in unknown if key.isalnum() else not_unknown.isdisjoint(key) and normalise(s) in unknown
            out[text] = translate(text) if maybe else fast(s)
        return out

    def _fast_path(self):
        """What _translate does to a stripped, known (not unknown-token) text, for the field
        kinds with many distinct values; None for the others (codes, counts: few values)."""
        spec = self.spec
        if spec.derive == "missing_from_episodes" or spec.parse == "initials" or self.fname == "initials":
            return None
        if spec.parse == "name":
            return self._name
        if self.codes is not None or spec.pattern is not None or self.ftype == "int":
            return None
        if self.ftype == "date":
            style = spec.dates or "dayfirst"
            pivot = spec.pivot if spec.pivot is not None else self.config.settings.two_digit_year_pivot
            return _date_translator(style, pivot, self.fname == "dob")
        if self.fname in _NAME_PARTS:
            return self._name_part
        if self.fname == "alias":
            return self._alias
        return _as_is

    def _name_part(self, s: str) -> tuple:
        """A forename or surname in a column of its own: itself, or no name when it is a numbered
        unnamed person ("Unknown male 1" in the forename column, "UM1" in the surname column) or a
        `no_name` text ("Withheld"), as in a whole-name column (_name); a title is dropped ("Mr"
        is no forename; "Mr Smith" in the surname column is "Smith")."""
        # only these forms here: words such as "Male 1" are judged with the row's other name cell
        # (unnamed_rows: "Victoria" + "Male 1" is no unnamed person)
        if self._numbered(s):
            return None, None, None
        if self._candidate(s):
            if normalise(s) in self.no_name:
                return None, None, None
            several = several_unnamed(s)
            if several is not None and several != 1:
                return None, None, SEVERAL
            rest = after_title(s)
            if rest is not None:
                return rest or None, None, TWO_PEOPLE if title_couple(s) else None
        if self.fname == "forename" and may_hold_alias(s):
            # 'Paul "Tiny"', "Paul (Tiny)": the street name is an alias, not part of the forename
            rest, aliases = split_alias(s, part=True)
            if aliases:
                return unquoted(rest) or None, {"alias": joined(aliases)}, None
        return unquoted(s) or None, None, None

    def _alias(self, s: str) -> tuple:
        """An alias cell: its names ("Tiny / Boss", "aka Tiny", '"Bigz"'), cleaned and joined
        (aliases.py); none when every part is an unknown token."""
        return joined(parse_aliases(s, self.unknown)), None, None

    def _candidate(self, s: str, part: bool = False) -> bool:
        """Whether a stripped text may be (part of) an unnamed person: one of the column's texts
        that the scan found (column()), or, without one or for a ``part`` of a cell (the scan saw
        whole cells: "Unknown male" of "Unknown male; Neil Ford"), a match of the scan's one-text form."""
        known = self._unnamed_stripped
        if known is not None and not part:
            return s in known
        return self._scan_one.match(s) is not None or ("," in s and COMMA_TITLE.search(s.lower()) is not None)

    def _no_name_cell(self, text: str) -> bool:
        """Whether a candidate text of a name part column is no name or loses a title by itself,
        whatever the row's other name cell holds (_name_part)."""
        s = text.strip()
        return normalise(s) in self.no_name or after_title(s) is not None or several_unnamed(s) is not None

    def column(self, column) -> tuple[list, list[bool], dict[str, list], dict[str, tuple]]:
        """A whole column (one cell text per row) as one field: (value per row, whether it is known
        per row, extra fields per row, {text: translation} of the texts with a problem), as
        spread_translations gives it from many().

        Free-text columns (references, names in their own columns) are mostly distinct values
        that translate to themselves: when every text is already stripped and none could be an
        unknown token, the column is its own values (one look per distinct text, no translation
        kept per text, nothing spread back)."""
        distinct = set(column)
        if self.fname in _NAME_PARTS and self.spec.parse is None or self.spec.parse == "name":
            # for the row's pair of name cells (unnamed.drop_unnamed, unnamed_rows), and for _name:
            # one scan of the distinct texts, not a regex per text
            self.may_be_unnamed = may_be_unnamed(distinct, self._scan_line, self._scan_one)
            self._unnamed_stripped = frozenset(t.strip() for t in self.may_be_unnamed)
        # a name part is itself unless it may be a numbered unnamed person (it has a digit), a
        # `no_name` text, starts with a title or is wrapped in quotes (_name_part): few texts
        plain = self.fast is _as_is or (self.fname in _NAME_PARTS and self.fast is not None
                                        and self.spec.parse is None and not any(map(_DIGIT.search, distinct))
                                        and not any(unquoted(t.strip()) != t.strip() for t in distinct)
                                        and not (self.fname == "forename" and any(map(may_hold_alias, distinct)))
                                        and not any(map(self._no_name_cell, self.may_be_unnamed)))
        if plain and _as_themselves(distinct, self.unknown, self.not_unknown):
            return list(column), [True] * len(column), {}, {}
        return spread_translations(column, self.many(distinct))

    def _translate(self, text: str) -> tuple:
        s = text.strip()
        key = normalise(s)
        if key in self.unknown and not (self.initials and written_as_initials(s) and key not in self.own_unknown):
            return (UNKNOWN if self.codes is not None else None), self._raw_extra(s or None, None), \
                self._stray(s, key)
        spec, f = self.spec, self.fname
        if spec.derive == "missing_from_episodes":
            n, problem = parse_int(s)
            if n is None:
                # "3+", "several": reported missing, however many times; "None": not ("0+" says
                # nothing: at_least gives 0, none_count None) (counts.py)
                n = at_least(s) or none_count(s)
                if n is None:
                    return UNKNOWN, None, problem
            return ("Reported missing" if n > 0 else "Not reported missing"), None, None
        if spec.parse == "name":
            return self._name(s)
        if spec.parse == "initials" or f == "initials":
            return (*parse_initials(s)[:1], None, parse_initials(s)[1])
        if self.codes is not None:
            hit = self.codes.lookup(s)
            if hit is None and normalise(s) in self.codes.no_answer:
                # another field's answer in a column the two share ("Not missing" for missing_from)
                return UNKNOWN, self._raw_extra(s, None), None
            if hit is None:
                return UNKNOWN, self._raw_extra(s, None), (
                    "unrecognised_code", f"not in code list {self.codes.name!r}; counted as Unknown "
                                         "(add it to the code list if it has a meaning)")
            category, detail = hit
            return category, self._raw_extra(s, detail), None
        if self.ftype == "date":
            pivot = spec.pivot if spec.pivot is not None else self.config.settings.two_digit_year_pivot
            if spec.pattern is not None:
                value, problem = date_from_pattern(s, spec.pattern, pivot)
                return value, None, problem
            return date_translation(s, spec.dates or "dayfirst", pivot, f == "dob")
        if self.ftype == "int" and f == "age":
            return age_with_extras(s)
        if self.ftype == "int":
            value, problem = parse_age(s) if spec.parse == "age" else parse_int(s)
            if value is None and spec.parse != "age" and none_count(s) is not None:
                return 0, None, None    # "None" in a count column: no episode (counts.py)
            if value is None and spec.parse != "age" and at_least(s) is not None:
                problem = INEXACT_COUNT
            return value, None, problem
        if f in _NAME_PARTS:
            return self._name_part(s)
        if f == "alias":
            return self._alias(s)
        return s, None, None

    def _stray(self, s: str, key: str):
        """STRAY_PUNCTUATION for a stripped text of punctuation alone (normalised to nothing) that is
        not made of placeholder marks only, else None (a blank cell, a placeholder, a word token)."""
        if key or not s or all(c in self.marks or c.isspace() for c in s):
            return None
        return STRAY_PUNCTUATION

    def _name(self, s: str, part: bool = False) -> tuple:
        """A whole name split into forename and surname (values.parse_name, a lone word read as
        the column's `single_word` says); a numbered unnamed person ("Unknown male 1", "UM1") or a
        placeholder ("Suspect One", "Mr X", "No name") is no name. A title is no forename: "Mr
        Smith" is surname Smith (one word after a title is a surname, whatever `single_word` says),
        "Mr John Smith" is John Smith."""
        if may_hold_several(s):     # "John Smith; Dean Carter", "John Smith and Dean Carter"
            if len(names := people_in(s)) > 1:
                return self._first_of_several(names)
            if ";" in s or "\n" in s:
                names = _names_in(s)
                s, part = (names[0], True) if names else (s, part)  # "Asif Oakes;": its separator no part of it
        if (rest := without_dangling(s)) is not s:
            s, part = rest, True             # "Rob Carr and": no surname "and"
        candidate = self._candidate(s, part)   # once: without column()'s scan it is a regex per text
        if candidate and several_unnamed(s) not in (None, 1):
            return None, None, SEVERAL
        if self._numbered(s) or candidate and self._unnamed(s):
            return None, None, None
        if candidate and (aside := named_aside(s)) is not None:
            s = aside       # "Suspect 1 (John Smith)": the name is in the brackets
        couple = candidate and title_couple(s)
        s, surname = untitled(s, candidate, self.spec.order == "surname_first")
        if not s:
            return (None, {"forename": None, "surname": surname}, TWO_PEOPLE if couple else None) if surname \
                else (None, None, None)
        s, aliases = split_alias(s) if may_hold_alias(s) else (s, [])
        if "/" in s:
            s, after = slash_alias(s)       # "Paul Smith / Tiny": Tiny is a street name, Smith the surname
            aliases = [*aliases, *after]
        parts, problem = parse_name(s, self.spec.single_word or "reject", self.spec.order)
        if parts is None:
            return None, None, problem
        extra = {"forename": parts[0], "surname": parts[1]}
        if aliases:     # 'Paul "Tiny" Smith', "Paul Smith aka Tiny": Tiny is an alias, not a name part
            extra["alias"] = joined(aliases)
        return None, extra, TWO_PEOPLE if couple else problem

    def _first_of_several(self, names: list[str]) -> tuple:
        """The first named person of several in one cell ("Darren Ashdown; Imran Platt"; "Unknown
        male; Neil Ford" is Neil Ford), with a `several_names` warning counting the others (never
        naming them)."""
        for name in names:
            value, extra, _problem = self._name(name, part=True)
            if extra and (extra.get("forename") or extra.get("surname")):
                break
        return value, extra, ("several_names", f"{len(names)} names in one cell (separated by ';', a line "
                                               "break, or 'and', '&', '+', '/', ',' between whole names): read as "
                                               f"the first named only, {len(names) - 1} not loaded; "
                                               "a row (or a numbered column, groups:) per person counts each")

    def numbered_unknown(self, s: str) -> bool:
        """A numbered unknown (_numbered) or, in one cell, an unnamed person (unnamed_text) or a
        `no_name` text."""
        # _candidate: the texts of this column that may be one (column())
        return self._numbered(s) or (self._candidate(s) and self._unnamed(s))

    def _unnamed(self, s: str) -> bool:
        """Whether a candidate text (_candidate) is an unnamed person or a `no_name` text."""
        return unnamed_text(s) or no_name_text(s, self.no_name)

    def _numbered(self, s: str) -> bool:
        """An unknown token, or one of codes/unknown.yaml's `numbered_names` ("UM", "UF"), with a
        number after it: how a return tells its unnamed suspects apart ("Unknown Male (2)",
        "unknown female 3", "UM1"). Read as a name it was forename "Unknown", surname "male"; and
        "UM" alone may be initials, so only with the number."""
        if _DIGIT.search(s) is None:
            # No number, so not numbered (normalise makes no digits): nearly every whole name, and
            # no comparison key made (and cached) for each of them (a name column is ~all distinct).
            return False
        m = _NUMBERED.match(normalise(s))
        if m is None:
            return False
        word = m[1].strip()
        return bool(word) and (word in self.unknown or word in self.config.numbered_unknown
                               or word.replace(" ", "") in self.config.numbered_unknown)

    def _raw_extra(self, s: str, detail: str | None) -> dict | None:
        if self.fname != "ethnicity":
            return None
        return {"ethnicity_raw": s, "ethnicity_detail": detail}


def _as_is(s: str) -> tuple:
    return s, None, None


def _as_themselves(distinct, unknown: frozenset, not_unknown: frozenset) -> bool:
    """Whether free text translates to itself, known, for each of these texts: stripped already
    and not (in any dress) an unknown token. False sends the column the long way (many())."""
    for text in distinct:
        s = text.strip()
        if s is not text or s == UNKNOWN:
            return False
        key = s.casefold()
        if key in unknown if key.isalnum() else not_unknown.isdisjoint(key) and normalise(s) in unknown:
            return False
    return True


# Translations of date texts, kept across the columns and returns of a load: the same dates of
# birth and case dates come back in return after return (100k records: 127k distinct texts of a
# column, 34k in all). A date text's translation depends on the text, the style, the pivot and whether
# an age may stand in for the date (a date of birth's column) only.
_DATE_CACHE: dict[tuple[str, int, bool], dict[str, tuple]] = {}
_DATE_CACHE_MAX = 1 << 19


def _date_translator(style: str, pivot: int, ages: bool = False):
    """What _translate gives for a stripped, known (not unknown-token) date text in this style
    (with `ages`, an age in place of a date too: date_translation), each text worked out once a
    process (see _DATE_CACHE)."""
    cache = _DATE_CACHE.setdefault((style, pivot, ages), {})
    known = cache.get

    def date(s: str) -> tuple:
        out = known(s)
        if out is None:
            out = date_translation(s, style, pivot, ages)
            if len(cache) >= _DATE_CACHE_MAX:
                cache.clear()  # bounded: a load of many unusual dates must not grow it without end
            cache[s] = out
        return out
    return date


def date_translation(s: str, style: str, pivot: int, ages: bool = False) -> tuple:
    """(date or None, extra fields or None, problem or None) of one stripped date text: quick_date's
    shortcut for the usual shapes, else parse_date. With `ages` (a date of birth), a text that is no
    date but an age with words around it ("DOB unknown, approx 15": values.age_in_date) gives no date,
    the age as extra fields `age` and `age_max` (as an age column gives them) and an AGE_IN_DOB
    warning instead of `bad_date`; the age is looked for only once the text failed as a date, so the
    usual dates cost nothing more."""
    value = quick_date(s, style)
    if value is not None:
        return value, None, None
    value, problem = parse_date(s, style, pivot)
    if ages and value is None and problem is not None and problem[0] == "bad_date":
        age = age_in_date(s)
        if age is not None:
            return None, {"age": age[0], "age_max": age[1]}, AGE_IN_DOB
    return value, None, problem


def spread_translations(column, results: dict[str, tuple]) -> tuple[list, list[bool], dict[str, list],
                                                                     dict[str, tuple]]:
    """One column's values, known flags and extra fields per row from the translations of its
    distinct texts (see _Translator.column), with the translations that carry a problem.

    Each of these is spread back to the rows by the position of the row's text among the distinct
    texts, looked up once per row: a column of names spreads three lists (forename, surname,
    known), and a lookup by string in a dict of 100k names costs several times one by position
    in a list (cache misses at 1M rows). A list that is the same for every row is not spread."""
    n = len(column)
    translated = list(results.values())
    values = [r[0] for r in translated]
    # _known of each translation, inline (a call per distinct text cost more than the test)
    known = [r[0] != UNKNOWN if r[0] is not None else bool(r[1]) and any(v is not None for v in r[1].values())
             for r in translated]
    keys = sorted({k for r in translated if r[1] for k in r[1]})
    some_value, some_unknown = any(v is not None for v in values), not all(known)
    if some_value + some_unknown + len(keys) > 1:
        position = {t: i for i, t in enumerate(results)}
        rows = list(map(position.__getitem__, column))

        def spread(per_text: list) -> list:
            return list(map(per_text.__getitem__, rows))
    else:
        def spread(per_text: list) -> list:
            return list(map(dict(zip(results, per_text, strict=True)).__getitem__, column))

    chosen = spread(values) if some_value else [None] * n
    # Often every value is known (a reference, a name): then no per-row look is needed.
    settled = spread(known) if some_unknown else [True] * n
    extras = {k: spread([(r[1] or {}).get(k) for r in translated]) for k in keys}
    return chosen, settled, extras, {t: r for t, r in results.items() if r[2]}


# An extra field that goes with another, from whichever field gave that one: an age band's upper end
# goes with its lower end (an age column's exact age has no upper end, whatever band a date of
# birth cell held); so does a school year's number.
_GOES_WITH = {"age_max": "age", "school_year": "age"}
_LEADS = frozenset(_GOES_WITH.values())


def merge_extras(values: dict[str, list], given: list[tuple[str, dict[str, list]]]) -> None:
    """Add to `values` (one sheet's fields, each from its own column) the extra fields fields gave
    (each translation's second item, spread over the rows: spread_translations): a whole name's forename
    and surname, an age band's upper end, an age read from a date of birth cell. A field's own column
    wins wherever it is known, in whatever order the mapping lists the fields; an extra fills only the
    rows it leaves unknown (None), the first field to give it first; what goes with a field
    (_GOES_WITH) comes from the field that gave that field's value in the row."""
    for src, extras in given:
        for k, v in extras.items():
            if _GOES_WITH.get(k) == src:      # the age column's own age_max: its own, as its age is
                values[k] = v
    for src, extras in given:
        filled: dict[str, list[int]] = {}     # rows this field's extra filled, per extra others go with
        for k in sorted(extras, key=_GOES_WITH.__contains__):     # what others go with first
            lead, v = _GOES_WITH.get(k), extras[k]
            if lead == src:
                continue
            base = values.get(k)
            if lead in filled:
                rows = filled[lead]
            elif base is None:
                if k not in _LEADS:
                    values[k] = v             # the usual case: no other field gives it
                    continue
                rows = [i for i, x in enumerate(v) if x is not None]
            else:
                rows = [i for i, (b, x) in enumerate(zip(base, v, strict=True)) if b is None and x is not None]
            if k in _LEADS:
                filled[k] = rows
            if rows:
                values[k] = merged = list(base) if base is not None else [None] * len(v)
                for i in rows:
                    merged[i] = v[i]


def _known(value, extra: dict | None) -> bool:
    if value is not None:
        return value != UNKNOWN
    return bool(extra) and any(v is not None for v in extra.values())
