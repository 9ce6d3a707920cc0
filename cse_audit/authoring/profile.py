"""Value evidence: what one column's values look like.

`profile_column` counts, for the first rows of a column, how many values are dates (and which way
round), ages, whole numbers, whole names, single words and initials; `Profile` holds the counts.
Separate because it is the only part of the drafter that looks at values cell by cell, and nothing
in a Profile is ever printed for a personal field (counts and shares only).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..config import normalise
from ..ingest.several import people_in
from ..ingest.values import parse_age, parse_date, parse_initials, parse_int

_NUMERIC = re.compile(r"^\d+(?:\.\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}([ T][\d:.]+)?|\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})"
                        r"(\s+[\d:]+)?|\d{1,2}(st|nd|rd|th)?[\s\-/]+[a-z]{3,9}\.?[\s\-/,]+(\d{2}|\d{4})"
                        # a month and a year ("Mar-09", "March 2009", "03/2009"): parse_date reads the 1st
                        r"|[a-z]{3,9}\.?[\s\-/,]+(\d{2}|\d{4})|\d{1,2}[/.\-]\d{4})$", re.I)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]")
_LETTERS = r"[^\W\d_]"
_COMMA_NAME = re.compile(rf"^{_LETTERS}[\w'\-. ]*,\s*{_LETTERS}", re.U)
_WORDS_NAME = re.compile(rf"^{_LETTERS}[\w'\-.]*(\s+{_LETTERS}[\w'\-.]*)+$", re.U)
_ONE_WORD = re.compile(rf"^{_LETTERS}[\w'\-]*$", re.U)
_INITIALS = re.compile(r"^([A-Za-z]\.?\s?){1,4}$")
_AGE_UNITS = re.compile(r"[a-z]|\d\s*(-|to)\s*\d|<", re.I)


@dataclass
class Profile:
    """What one column's values look like (nothing here is ever printed for personal fields)."""

    n: int = 0                         # non-blank cells
    n_unknown: int = 0                 # cells that are unknown tokens
    values: Counter = field(default_factory=Counter)   # known values as written (stripped)
    dates: int = 0
    dayfirst: int = 0                  # d/m/y text with the day over 12
    monthfirst: int = 0                # m/d/y text with the second part over 12
    iso: int = 0
    ages: int = 0
    age_units: int = 0
    ints: int = 0
    comma_names: int = 0
    word_names: int = 0
    one_words: int = 0
    initials: int = 0
    several: int = 0                   # cells of several whole names ("John Smith; Dean Carter")

    @property
    def known(self) -> int:
        return self.n - self.n_unknown

    def share(self, count: int) -> float:
        return count / self.known if self.known else 0.0


def profile_column(cells: list[str], unknown: frozenset[str]) -> Profile:
    p = Profile()
    for raw in cells:
        s = raw.strip()
        if not s:
            continue
        p.n += 1
        if normalise(s) in unknown:
            p.n_unknown += 1
            continue
        p.values[s] += 1
    for s, k in p.values.items():
        if _DATE_TEXT.match(s) and parse_date(s, "dayfirst")[0] is not None:
            p.dates += k
            m = _DMY.match(s)
            if m is None:
                p.iso += k if s[:4].isdigit() else 0
            elif int(m[1]) > 12:
                p.dayfirst += k
            elif int(m[2]) > 12:
                p.monthfirst += k
        elif _NUMERIC.match(s) and 10000 <= float(s) <= 73050:
            p.dates += k          # an Excel serial (1927-2099): counted as a date only if most are dates
        if parse_age(s)[0] is not None:
            p.ages += k
            if _AGE_UNITS.search(s):
                p.age_units += k
        if parse_int(s)[0] is not None:
            p.ints += k
        if len(people := people_in(s)) > 1 and all(_COMMA_NAME.match(q) or _WORDS_NAME.match(q) for q in people):
            p.several += k     # each part a whole name: `several: people` makes a record of each
        elif _COMMA_NAME.match(s):
            p.comma_names += k
        elif _WORDS_NAME.match(s):
            p.word_names += k
        if _ONE_WORD.match(s):
            p.one_words += k
        if _INITIALS.match(s) and parse_initials(s)[0] is not None and (s.isupper() or "." in s):
            p.initials += k
    return p


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _value_hint(p: Profile) -> str:
    if p.known < 3:
        return ""
    if p.share(p.dates) >= 0.9:
        return f" ({_pct(p.share(p.dates))} of values are dates)"
    return ""
