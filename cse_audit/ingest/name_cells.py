"""How one whole-name cell may hold several people, a dangling connector or an alias after a slash.

Shared by the translator (translate.py: a cell without `several: people` reads its first person,
with a `several_names` warning), several.py (with the key, a record each) and the drafter's checks
(authoring), so that all three part a cell the same way.
"""

from __future__ import annotations

import re

# ";" and line breaks always part people (a list typed in one cell); "/", "&", "+" and " and " only
# where every part is a full name of two words or more, so that "Mr and Mrs Smith" (two_people) and
# "Paul Smith / Tiny" (an alias) stay one person.
ALWAYS = re.compile(r"\s*(?:;|\r?\n)+\s*")
BETWEEN_FULL = re.compile(r"\s+and\s+|\s*[/&+]\s*", re.IGNORECASE)
MAYBE = re.compile(r"[;\n/&+]|\sand\s", re.IGNORECASE)
# "Ian Dale, Ken Eve and Lou Fox": a comma parts whole names in a list (two commas or more, or
# beside another separator); one comma alone is a name written surname first ("SMITH JONES, Mary")
COMMA = re.compile(r"\s*,\s*")
_WORD = re.compile(r"[^\W\d_][\w'.-]*")
_LETTER = re.compile(r"[^\W\d_]")
# "Rob Carr and", "Tom Reed &": the second person never typed (read as the surname "and" before)
_DANGLING = re.compile(r"(?:\s+and|\s*[&+/])\s*$", re.IGNORECASE)
# "Paul Smith / Tiny": a whole name, then one word after a slash (a street name)
_SLASH_ALIAS = re.compile(r"(?P<name>\S+(?:\s+\S+)+?)\s*/\s*(?P<alias>[^\W\d_][\w'.-]*)")


def may_hold_several(text: str) -> bool:
    """A quick test (every whole name asks, a million a return): could people_in part this cell?
    One comma is a name written surname first ("SMITH, Jane"), no list."""
    if ";" in text or "\n" in text or "/" in text or "&" in text or "+" in text or \
            "," in text and text.count(",") > 1:
        return True
    return ("and" in text or "AND" in text or "And" in text) and MAYBE.search(text) is not None


def people_in(text: str) -> list[str]:
    """The people of one name cell, a text each; [text] when it holds one (or none)."""
    if not may_hold_several(text):
        return [text]
    out: list[str] = []
    for part in ALWAYS.split(text):
        if not _LETTER.search(part):
            continue            # "Asif Oakes;": the separator closes one name
        subs = BETWEEN_FULL.split(part)
        out.extend(subs if len(subs) > 1 and _whole(subs) else [part])
    if "," in text:
        out = [q for p in out for q in _commas(p, len(out) > 1)]
    return out if len(out) > 1 else [text]


def _commas(part: str, listed: bool) -> list[str]:
    """A part of a cell parted at its commas when it is a list of whole names (two commas or more,
    or ``listed``: the cell had another separator), else [part]."""
    names = [x for x in COMMA.split(part) if x]
    return names if len(names) > 1 and _whole(names) and (len(names) > 2 or listed) else [part]


def _whole(parts: list[str]) -> bool:
    """Every part a full name of two words or more."""
    return all(len(_WORD.findall(s)) >= 2 for s in parts)


def names_in(s: str) -> list[str]:
    """The parts of a cell split on ';' and line breaks that hold a letter (a name each)."""
    return [n for n in ALWAYS.split(s) if any(c.isalpha() for c in n)]


def without_dangling(text: str) -> str:
    """The cell without a connector closing it ("Rob Carr and" -> "Rob Carr"); as it was when
    nothing of a name would be left ("and" alone)."""
    if not text or text[-1] not in "dD&+/":
        return text
    rest = _DANGLING.sub("", text)
    return rest if rest != text and _LETTER.search(rest) else text


def slash_alias(text: str) -> tuple[str, list[str]]:
    """("Paul Smith", ["Tiny"]) for "Paul Smith / Tiny"; (text, []) for any other cell ("Mr/Mrs
    Smith", "Smith/Jones", two full names)."""
    m = _SLASH_ALIAS.fullmatch(text.strip())
    if m is None or len(_WORD.findall(m["name"])) < 2:
        return text, []
    return m["name"], [m["alias"]]
