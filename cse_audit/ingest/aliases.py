"""Other names a person goes by: an `alias` column's cell ("Tiny / Boss", "aka Tiny", '"Bigz"'),
and a street name inside a whole-name or forename cell ('Paul "Tiny" Smith', "Paul (Tiny) Smith",
"Paul Smith aka Tiny", "Paul Smith (a.k.a. Tiny)").

An offender is often known by a street name, a child by a "known as" name: one agency writes
"Tiny" (or "Tiny Smith") where another writes "Paul Smith" with "Tiny" in an alias column. Read
as a name, the street name was the man's forename or surname ("Paul Smith aka Tiny": surname
Tiny); kept as an alias, linkage can compare it with the other record's forename
(linkage/comparisons.py, names/alias). Aliases are personal, as names are: nothing here is ever
put in a message.
"""

from __future__ import annotations

import re

# how an alias is introduced: "aka", "a.k.a.", "also known as", "known as", "nickname", "street name"
_AKA_WORDS = (r"(?:a\.?\s?k\.?\s?a\.?|also\s+known\s+as|known\s+as|nick\s?-?names?d?|street\s+names?|alias(?:es)?)")
_LEAD = re.compile(rf"^\s*{_AKA_WORDS}\s*[:\-]?\s*", re.I)
# one cell of several names: "Tiny / Boss", "Tiny, Boss", "Tiny; Boss", "Tiny aka Boss", "Tiny or Boss"
_SPLIT = re.compile(r"\s*[/,;]\s*|\s+(?:aka|a\.k\.a\.?|also\s+known\s+as|or)\s+", re.I)
_WRAP = " \t\"'\u201c\u201d\u2018\u2019()[]{}<>"
_LETTER = re.compile(r"[^\W\d_]")
# a whole name with an alias after it: "Paul Smith aka Tiny", "Paul Smith (a.k.a. Tiny)",
# "Paul Smith, known as Tiny", "Paul Smith [aka Tiny]"
_TRAILING = re.compile(rf"^(?P<name>.*?\S)\s*[,(\[]?\s*\b{_AKA_WORDS}\s*[:\-]?\s+(?P<alias>[^()\[\]]+?)\s*[)\]]?\s*$",
                       re.I)
# a quoted street name among the words of a name: 'Paul "Tiny" Smith', "Paul 'Tiny' Smith" (a
# single quote only with a space or an end outside it: O'Brien's apostrophe is no quote)
_QUOTED = re.compile("(?:^|(?<=\\s))(?:\"(?P<a>[^\"]+)\"|\u201c(?P<b>[^\u201c\u201d]+)\u201d"
                     "|\u2018(?P<c>[^\u2018\u2019]+)\u2019|'(?P<d>[^']+)')(?=\\s|$|,)")
# a name-like word or two in brackets BETWEEN two words of a name: "Paul (Tiny) Smith". At the end
# ("John Smith (deceased)", "(Asian male)") brackets describe, and stay as they were read before.
_MIDDLE = re.compile(r"(?<=\S)\s+\((?P<alias>[^\W\d_][\w'\-]*(?:\s[^\W\d_][\w'\-]*)?)\)\s+(?=\S)")
# ... or after the name in a forename cell of its own: "Paul (Tiny)"
_AFTER = re.compile(r"(?<=\S)\s+\((?P<alias>[^\W\d_][\w'\-]*(?:\s[^\W\d_][\w'\-]*)?)\)\s*$")


def parse_aliases(text: str, unknown: frozenset = frozenset()) -> list[str]:
    """The names in one alias cell, in order and each once (case-insensitively), quotes and
    brackets stripped; a part that is an unknown token (``unknown``, normalised as
    config.normalise does) or holds no letter is left out."""
    from ..config import normalise

    s = _LEAD.sub("", " ".join(str(text).split()))
    out: list[str] = []
    seen = set()
    for part in _SPLIT.split(s):
        name = " ".join(_LEAD.sub("", part.strip(_WRAP)).strip(_WRAP).split())
        key = name.casefold()
        if not name or _LETTER.search(name) is None or key in seen or (unknown and normalise(name) in unknown):
            continue
        seen.add(key)
        out.append(name)
    return out


def joined(names: list[str]) -> str | None:
    """The alias field's value: the names joined by " / " (None for none)."""
    return " / ".join(names) or None


def may_hold_alias(text: str) -> bool:
    """A quick test: could split_alias find an alias in this cell (a quote, a bracket, an aka word)?"""
    low = text.casefold()
    return ('"' in text or "\u201c" in text or "\u2018" in text or " '" in text or "(" in text or "[" in text
            or "aka" in low or "a.k.a" in low or "known as" in low or "nickname" in low or "street name" in low)


def split_alias(text: str, part: bool = False) -> tuple[str, list[str]]:
    """A name cell without the alias it holds, and the alias's names: ('Paul "Tiny" Smith') ->
    ("Paul Smith", ["Tiny"]). Nothing is taken when nothing of a name would be left (a cell that
    is a quoted street name alone, '"Tiny"', stays as it was read: a forename). With ``part`` (a
    forename cell of its own), a word in brackets after the name is an alias too ("Paul (Tiny)")."""
    s = " ".join(text.split())
    if not may_hold_alias(s):
        return text, []
    found: list[str] = []
    m = _TRAILING.match(s)
    if m is not None and _LETTER.search(m["name"]) and m["name"].strip(_WRAP + ",").strip():
        s, found = m["name"].strip().rstrip(",").strip(), parse_aliases(m["alias"])
    quoted = [next(g for g in q.groups() if g) for q in _QUOTED.finditer(s)]
    rest = " ".join(_QUOTED.sub(" ", s).split())
    if quoted and _LETTER.search(rest):
        s = rest
        found += [n for q in quoted for n in parse_aliases(q)]
    middle = _MIDDLE.search(s) or (_AFTER.search(s) if part else None)
    if middle is not None:
        found += parse_aliases(middle["alias"])
        s = " ".join((s[:middle.start()] + " " + s[middle.end():]).split())
    if not found:
        return text, []
    return s, parse_aliases(" / ".join(found))
