"""Counts a return gives as a lower bound or a word: "3+", "more than 3", "several" (session 19).

A council's "Missing episodes (no.)" column holds "3+" or "several" where the exact number was not
counted. Read by `derive: missing_from_episodes` they were `bad_number` warnings and the child's
missing status Unknown: a child a return says went missing several times was not counted as
reported missing (bench/heldout6: 15 of 57 such children). The text says at least how many; the
number itself stays unknown (`missing_episodes` is blank, with a warning that says why).
"""

from __future__ import annotations

import re

# "3+", "3 +", "3 or more", "3 plus", "3-4", "more than 3", "over 3", "at least 3", "min 3", ">3", ">=3"
_AT_LEAST = re.compile(r"(?P<n>\d{1,4})\s*(?:\+|or\s+more|plus|-\s*\d{1,4})|(?:at\s+least|min(?:imum)?\.?|>=|=>)\s*(?P<m>\d{1,4})"
                       r"|(?:more\s+than|over|>)\s*(?P<k>\d{1,4})", re.I)
# words for "more than once" (at least two): never "once", "unknown", "some" (some = maybe one)
_SEVERAL = {"several", "many", "multiple", "numerous", "lots", "a few", "few", "various", "countless",
            "frequent", "frequently", "repeated", "repeatedly", "regularly", "often", "several times",
            "many times", "multiple times", "numerous times", "a number of times", "lots of times"}

_WORDS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3}
# words for no episode at all, as a count column writes them ("No. of times missing": "None"); not
# "no" or "n/a", which answer another question or none (session 20, bench/heldout7)
_NONE = {"none", "nil", "never", "zero", "not once", "no episodes", "no times", "0 times"}


def none_count(text: str) -> int | None:
    """0 for a word meaning no times at all ("None", "Nil", "Never"), else None."""
    return 0 if " ".join(text.strip().lower().split()).rstrip(".") in _NONE else None


def at_least(text: str) -> int | None:
    """The least count a text states ("3+" 3, "more than 3" 4, "several" 2), or None: a plain
    number is no lower bound (parse_int reads it) and any other text states none."""
    s = " ".join(text.strip().lower().split())
    found = _AT_LEAST.fullmatch(s)
    if found is not None:
        if found.group("k") is not None:
            return int(found.group("k")) + 1
        return int(found.group("n") or found.group("m"))
    s = s.rstrip(".")
    return 2 if s in _SEVERAL else _WORDS.get(s)


INEXACT_COUNT = ("bad_number", "a count given as at least a number or as a word ('3+', 'several'): the number "
                               "is unknown (a missing status derived from the column reads it as reported missing)")
