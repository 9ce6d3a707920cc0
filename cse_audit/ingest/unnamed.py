"""Unnamed persons written as names: "Unknown male 1", "Asian male", "Suspect One", "Mr X", "No
name", in one name cell or across a row's forename and surname cells, and titles that are no
forename ("Mr Smith"). Read as names, each of these would be one person shared by every return that
wrote it (issue 16). Used by translate (one cell) and mapping (a row's two name cells)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress

from ..config import normalise

# An unnamed person written as a name, in one cell or across the forename and surname cells of a
# row: "Unknown male 1", "Unknown" + "Male 1", "Unknown male" + "A", "U/K male 1", "UK Male 2",
# "Unk. female", "Male 1", "Child A". Read as a name it is a person called "Male" (or "Unknown
# Male"): one name shared by every unnamed suspect of every return. The whole text of the cells
# must be these words: a not-known word, then a word for the person (male, female, child...), then
# a number or (after the person word) a letter; "Una Male", "John Male", "Unknown Smith" are names.
# Session 13: a number in words after the person word ("Suspect One"), a not-known word after it
# ("Person unknown", "Unknown unknown"), and a title before a letter or alone ("Mr X", "Mrs A",
# "Mr"): a title is no forename, and a letter after it stands for a name nobody gave.
_UNK = r"(?:unknown|unk\.?|u\.?/?k\.?|unidentified|unnamed|not\s+known|n/k)"
_WHO = r"(?:male|female|man|woman|boy|girl|persons?|suspect|offender|perpetrator|perp|victim|child)"
_MARK = r"(?:(?:no\.?|number)\s*)?\d{1,3}"
_NUMWORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten)"
_TITLE = r"(?:mrs|mr|ms|miss|mister|dr)"
# a title at the start of a name cell, then a space or the end ("Mr Smith", "Mrs. Jones", "Dr"; not
# "Drew", "Mr.Smith")
_TITLE_LEAD = re.compile(rf"{_TITLE}\.?(?=\s|$)\s*", re.I)
# a title after a comma ("SMITH, Mr John"): searched for over a column's joined texts, lower-cased
# (a literal first character and no IGNORECASE: a fast search in C, 0.4 ms per 11k "SMITH, Jane"),
# not per text
COMMA_TITLE = re.compile(r",[ \t]*(?:m(?:rs?|s|iss|ister)|dr)\.?(?=\s|$)")
# an unidentified suspect described instead of named: "Asian male", "White Male 2", "Eastern
# European man" (a description, then a person word: "John White", "Asian" alone stay names)
_DESC = (r"(?:asian|white|black|mixed|arab|arabic|african|caribbean|(?:eastern\s+)?european|british|"
         r"pakistani|bangladeshi|indian|kurdish|afghan|somali|albanian|romanian)")
_UNNAMED = re.compile(rf"(?:(?P<title>{_TITLE})\b\.?)?\s*(?P<unk>{_UNK})?\s*(?:(?P<desc>{_DESC})\s+)?"
                      rf"(?:(?P<who>{_WHO})\b|(?P<mf>[mf])(?=\s*{_MARK}$))?\s*"
                      rf"(?:(?P<no>{_MARK})|\b(?P<letter>[a-z])|\b(?P<word>{_NUMWORD})\b)?\.?"
                      rf"(?:\s*\b(?P<unk2>{_UNK}))?")
# a cell that may be (the start of) such a text: it starts with a not-known, a description, a
# person word or a title
_MAY_BE_UNNAMED = re.compile(rf"[ \t(]*(?:{_UNK}|{_WHO}|{_DESC}|{_TITLE})(?![a-z])[^\n]{{0,30}}$", re.I)
# the same, found in a column's distinct texts lower-cased and joined by newlines: one scan in C,
# from each newline only (a literal first character), faster than a match per text
# (the words as a tree of first letters: sre tries the branches at each newline, and most fail at once)
_LINE_WORDS = (r"u(?:n(?:known|k\.?|identified|named)|\.?/?k\.?)|n(?:ot\s+known|/k)"
               r"|m(?:ale|an|rs?|s|iss|ister)|dr|female|woman|boy|girl|p(?:ersons?|erp(?:etrator)?)|suspect|offender"
               r"|victim|child"
               r"|a(?:sian|rab(?:ic)?|frican|fghan|lbanian)|w(?:hite)|b(?:lack|ritish|angladeshi)|mixed"
               r"|caribbean|(?:eastern\s+)?european|pakistani|indian|kurdish|somali|romanian")
_UNNAMED_LINE = re.compile(rf"\n[ \t(]*(?:{_LINE_WORDS})(?![a-z])[^\n]{{0,30}}(?=\n)")
_PUNCT = re.compile(r"[(),#:;_\-\[\]]")


@lru_cache(maxsize=16)
def scans(no_name: frozenset) -> tuple[re.Pattern, re.Pattern]:
    """The candidate scans (_UNNAMED_LINE over a column's joined texts, _MAY_BE_UNNAMED over one
    text) that also find the configuration's `no_name` texts (codes/unknown.yaml: "No name",
    "Withheld"), by their first words: a text starting with one may be, or start, such a text."""
    words = {t.split(" ")[0] for t in no_name if t}
    words = sorted(w for w in words if not _MAY_BE_UNNAMED.match(w))
    if not words:
        return _UNNAMED_LINE, _MAY_BE_UNNAMED
    # one branch per first letter, as _LINE_WORDS: the scan tries a few branches at each newline
    first: dict[str, list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        first.setdefault(w[0], []).append(re.escape(w[1:]))
    extra = "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in first.items())
    line = re.compile(rf"\n[ \t(]*(?:{_LINE_WORDS}|{extra})(?![a-z])[^\n]{{0,30}}(?=\n)")
    one = re.compile(rf"[ \t(]*(?:{_UNK}|{_WHO}|{_DESC}|{_TITLE}|{extra})(?![a-z])[^\n]{{0,30}}$", re.I)
    return line, one


# a text ending in words in brackets: "Suspect 1 (Asian male)"
_ASIDE = re.compile(r"(?P<head>[^()]*?)\s*\((?P<aside>[^()]*)\)\s*")
_DESC_ALONE = re.compile(rf"\s*{_DESC}\s*", re.I)     # "Unknown male (Asian)"


def unnamed_text(text: str) -> bool:
    """Whether the text (one cell, or a row's forename and surname cells joined by a space) is an
    unnamed person written as a name (see _UNNAMED): "Unknown male A", "U/K male 1", "Male 2", or
    one with the person described in brackets after it ("Suspect 1 (Asian male)": read as a name,
    forename "Suspect", surname "male)", every such suspect of every return one man)."""
    m = _ASIDE.fullmatch(text)
    if m is not None and m["head"].strip() and _unnamed_words(m["head"]) and (
            _unnamed_words(m["aside"]) or _DESC_ALONE.fullmatch(m["aside"])):
        return True     # (a name on either side, "John Smith (Asian male)", "Suspect (John Smith)": no)
    return _unnamed_words(text)


_AKA = re.compile(r"^(?:a\.?\s?k\.?\s?a\.?|also\s+known\s+as|known\s+as|nick\s?name[ds]?|called)\s*[:\-]?\s+", re.I)


def named_aside(text: str) -> str | None:
    """The words in brackets after an unnamed person when they are no description ("Suspect 1
    (John Smith)": "John Smith", the name the return has), else None."""
    m = _ASIDE.fullmatch(text)
    if m is None or not m["head"].strip() or not m["aside"].strip() or not _unnamed_words(m["head"]):
        return None
    if _unnamed_words(m["aside"]) or _DESC_ALONE.fullmatch(m["aside"]):
        return None
    # "Unknown male (aka Baz)": the name he goes by, not forename "aka"
    return _AKA.sub("", m["aside"].strip()).strip() or None


def no_name_text(text: str, no_name: frozenset) -> bool:
    """Whether the text is a `no_name` text (codes/unknown.yaml), alone, after a title ("Mr
    Withheld": else surname Withheld) or twice ("Withheld Withheld", a forename and a surname cell
    joined: else a man called Withheld Withheld in every return that wrote it)."""
    n = normalise(text)
    if n in no_name:
        return True
    rest = after_title(text.strip())
    if rest and normalise(rest) in no_name:
        return True
    words = n.split()
    half = len(words) // 2
    return half > 0 and words[:half] == words[half:] and " ".join(words[:half]) in no_name


def _unnamed_words(text: str) -> bool:
    """unnamed_text without the words in brackets."""
    t = " ".join(_PUNCT.sub(" ", text.casefold()).split())
    m = _UNNAMED.fullmatch(t)
    if m is None or not t:
        return False
    unk, who, letter, title = m["unk"], m["who"], m["letter"], m["title"]
    # a letter numbers only after a person word or a title ("Unknown A" may be a surname's initial;
    # "Mr X" stands for a name); without a not-known word the person word or a title must be there
    # ("Male 1", "Mr"; "A" or "1" alone say nothing); a description only with a person word ("Asian
    # male"; "White" or "Black 2" are not); a number in words only after a person word ("Suspect
    # One"); a not-known word after a person word or another one ("Person unknown")
    if title and not (unk or who or letter or m["no"]) and _initials_like(text.strip()):
        return False    # "MR" alone may be someone's initials
    return (bool(unk or who or title) and not (letter and not (who or title)) and not (m["mf"] and not unk)
            and not (m["desc"] and not who) and not (m["word"] and not who)
            and not (m["unk2"] and not (who or unk)))


def _initials_like(s: str) -> bool:
    """A title word alone in capitals, no dot ("MR", "DR", "MS", "MRS"): perhaps someone's
    initials (as "UM" alone is, codes/unknown.yaml), so not read as a title."""
    return len(s) <= 3 and s.isalpha() and s.isupper()


def untitled(s: str, leading: bool) -> tuple[str, str | None]:
    """A whole name text without its title, if it has one ("Mr John Smith", "SMITH, Mr John"; only
    looked for only when `leading`, a text the scan found): (the text to parse, None), or
    ("", surname) when a surname alone is left ("Mr Smith", "SMITH, Mrs": a title and one word
    name a person by the surname), ("", None) when nothing is ("Mr")."""
    if not leading:
        return s, None
    rest = after_title(s)
    if rest is not None:
        rest = rest.strip(" ,")
        return ("", rest) if len(rest.replace(",", " ").split()) == 1 else (rest, None)
    if "," in s:
        head, _, tail = s.partition(",")
        after = after_title(tail.strip())     # (_TITLE_LEAD: any case)
        if after is not None:
            return (f"{head}, {after}", None) if after.strip() else ("", head.strip())
    return s, None


def after_title(s: str) -> str | None:
    """The rest of a stripped name text after a title it starts with ("Mr Smith": "Smith"; "Mr":
    ""), or None when it starts with none (or is "MR" alone: _initials_like)."""
    m = _TITLE_LEAD.match(s)
    if m is None or (m.end() == len(s) and _initials_like(s)):
        return None
    return s[m.end():]


def may_be_unnamed(distinct, line: re.Pattern = _UNNAMED_LINE, one: re.Pattern = _MAY_BE_UNNAMED) -> frozenset:
    """The texts among a column's distinct texts that may be (part of) an unnamed person: those
    starting with a not-known word, a person word or a title ("Unknown", "Male 1", "Mr X"; not
    "Manning"), or (with scans' patterns) the first word of a `no_name` text, and those with a
    title after a comma ("SMITH, Mr"). Usually none:
    found by one scan of the texts joined, lower-cased (a text holding a newline is never one)."""
    texts = list(distinct)
    joined = ("\n" + "\n".join(texts) + "\n").lower()
    if joined.count("\n") != len(texts) + 1:
        # a text with a newline of its own (rare): such a text is no name; the others one by one
        return frozenset(t for t in texts if "\n" not in t and (one.match(t.lower()) or COMMA_TITLE.search(t.lower())))
    # lower() keeps the newlines, so the newlines before a match give its text's place in the list
    found = {joined.count("\n", 0, m.start() + 1) - 1 for m in line.finditer(joined)}
    found.update(joined.count("\n", 0, m.start()) - 1 for m in COMMA_TITLE.finditer(joined))
    return frozenset(map(texts.__getitem__, found))


def unnamed_rows(forenames, surnames, unknown: frozenset, candidates=None,
                 no_name: frozenset = frozenset()) -> list[int]:
    """Rows whose forename and surname cells together are an unnamed person (unnamed_text) or a
    `no_name` text, e.g. forename "Unknown" + surname "Male 1", forename "Unknown male" + surname
    "A", forename blank + surname "Male 1", "Suspect" + "One", "Mr" + "X", "No" + "Name": such a
    row has no name at all. Either column may be None (not in the return). Decided on the pair:
    "Male" with a real forename, or "Unknown" with a real surname, stays.

    Only rows one of whose cells may_be_unnamed are looked at; `candidates` gives those texts per
    column when already known (_Translator.column works them out from the distinct texts it has)."""
    cols = [c for c in (forenames, surnames) if c is not None]
    if candidates is None:
        line, one = scans(no_name)
        candidates = [may_be_unnamed(set(col), line, one) for col in cols]
    if not any(candidates):
        return []
    rows = _rows_holding(cols, candidates)
    verdict: dict[tuple, bool] = {}
    out = []
    for i in rows:
        pair = tuple(col[i] for col in cols)
        hit = verdict.get(pair)
        if hit is None:
            # a blank or not-known cell ("?", "n/a") adds nothing; "Unknown" and its like stay words
            texts = [c.strip() for c in pair
                     if c.strip() and (normalise(c) not in unknown or _MAY_BE_UNNAMED.match(c))]
            whole = " ".join(t for t in (c.strip() for c in pair) if t)
            hit = verdict[pair] = bool(texts) and unnamed_text(" ".join(texts)) or no_name_text(whole, no_name)
        if hit:
            out.append(i)
    return out


def _rows_holding(cols: list, candidates: list) -> list[int]:
    """The rows (sorted) where a column holds one of its candidate texts. A few texts are found by
    list.index (a scan in C per occurrence); many by a look-up per row."""
    if sum(map(len, candidates)) > 20:
        flags = [map(found.__contains__, col) for found, col in zip(candidates, cols, strict=True)]
        return list(compress(range(len(cols[0])), map(any, zip(*flags, strict=True))))
    rows = set()
    for found, col in zip(candidates, cols, strict=True):
        for text in found:
            i = -1
            try:
                while True:
                    i = col.index(text, i + 1)
                    rows.add(i)
            except ValueError:
                pass
    return sorted(rows)
