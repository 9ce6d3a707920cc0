"""Unnamed persons written as names: "Unknown male 1", "Asian male", "Suspect One", "Mr X", "No
name", in one name cell or across a row's forename and surname cells, and titles that are no
forename ("Mr Smith", "Revd John Smith", "MR" + "SMITH"). Read as names, each of these would be one
person shared by every return that wrote it (issue 16). Session 14: two people under two titles ("Mr &
Mrs Smith": title_couple) and several unnamed people in one cell ("Persons unknown x3":
several_unnamed), which translate reads as one record with a warning. Used by translate (one cell) and
mapping (a row's two name cells)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress

from ..config import normalise
from .name_cells import people_in

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
_TITLE = r"(?:mrs|mr|ms|miss|mister|dr|mx)"
# Session 14: titles before a name ("Revd John Smith", "Sir John Smith", "Mx Smith"). These are no
# placeholder alone or before a letter ("Lord X" is no "Mr X"); the ones that are also surnames (Sir,
# Dame, Lord, Lady, Master, Rev: "Ann Sir", "John Lord") stay a name when alone in a cell (_NAME_LIKE).
_MORE_TITLES = r"(?:sir|dame|lord|lady|master|prof|professor|rev|revd|reverend)"
_NAME_LIKE = frozenset(("sir", "dame", "lord", "lady", "master", "rev"))
# a title at the start of a name cell, then a space or the end ("Mr Smith", "Mrs. Jones", "Dr"; not
# "Drew", "Mr.Smith")
_TITLE_LEAD = re.compile(rf"(?:{_TITLE}|{_MORE_TITLES})\.?(?=\s|$)\s*", re.I)
# two titles for two people ("Mr & Mrs Smith", "Mr and Mrs Smith", "Mr/Mrs Smith"): a couple, not
# forename "&" or "and" (issue 16)
_COUPLE_LEAD = re.compile(rf"(?:{_TITLE}|{_MORE_TITLES})\.?\s*(?:&|\+|/|and)\s*(?:{_TITLE}|{_MORE_TITLES})\.?(?=\s|$)\s*",
                          re.I)
# a title after a comma ("SMITH, Mr John"): searched for over a column's joined texts, lower-cased
# (a literal first character and no IGNORECASE: a fast search in C, 0.4 ms per 11k "SMITH, Jane"),
# not per text
COMMA_TITLE = re.compile(r",[ \t]*(?:m(?:rs?|s|iss|ister|x|aster)|dr|sir|dame|l(?:ord|ady)|prof(?:essor)?"
                         r"|rev(?:d|erend)?)\.?(?=\s|$)")
# several unnamed people in one cell (issue 16): "Persons unknown x3", "3 unknown males", "Unknown
# males (x2)": a count before the words or a times-count after them, or a plural person word
_COUNT_WORD = r"(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|several|multiple|various)"
_LEAD_COUNT = re.compile(rf"{_COUNT_WORD}(?:\s*x)?\s+")     # "3 unknown males", "2 x males", "2x males"
_TIMES = re.compile(r"\s*\(?\s*(?:x\s*(\d{1,2})|(\d{1,2})\s*x)\s*\)?$")
_PLURAL = {"males": "male", "females": "female", "men": "man", "women": "woman", "boys": "boy", "girls": "girl",
           "suspects": "suspect", "offenders": "offender", "perpetrators": "perpetrator", "perps": "perp",
           "victims": "victim", "children": "child", "people": "persons", "persons": "persons"}
_PLURAL_WORDS = r"(?:(?:fe)?males|(?:wo)?men|boys|girls|suspects|offenders|perpetrators|perps|victims|children|people)"
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
_MAY_BE_UNNAMED = re.compile(rf"[ \t(]*(?:{_UNK}|{_WHO}|{_DESC}|{_TITLE}|{_MORE_TITLES}|{_PLURAL_WORDS}|"
                             rf"{_COUNT_WORD}x?)(?![a-z])[^\n]{{0,30}}$", re.I)
# the same, found in a column's distinct texts lower-cased and joined by newlines: one scan in C,
# from each newline only (a literal first character), faster than a match per text
# (the words as a tree of first letters: sre tries the branches at each newline, and most fail at once)
_LINE_WORDS = (r"u(?:n(?:known|k\.?|identified|named)|\.?/?k\.?)|n(?:ot\s+known|/k)"
               r"|m(?:ales?|an|en|rs?|s|iss|ister|x|aster|ultiple)|dr|females?|wom[ae]n|boys?|girls?"
               r"|p(?:ersons?|eople|erps?|erpetrators?|rof(?:essor)?)|suspects?|offenders?|victims?|child(?:ren)?"
               r"|s(?:ir|ix|even|everal)|dame|l(?:ord|ady)|rev(?:d|erend)?|t(?:wo|hree|en)|f(?:our|ive)|eight|nine"
               r"|various|\d{1,2}x?"
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
    one = re.compile(rf"[ \t(]*(?:{_UNK}|{_WHO}|{_DESC}|{_TITLE}|{_MORE_TITLES}|{_PLURAL_WORDS}|{_COUNT_WORD}x?|"
                     rf"{extra})(?![a-z])[^\n]{{0,30}}$", re.I)
    return line, one


# a text ending in words in brackets: "Suspect 1 (Asian male)"
_ASIDE = re.compile(r"(?P<head>[^()]*?)\s*\((?P<aside>[^()]*)\)\s*")
_DESC_ALONE = re.compile(rf"\s*{_DESC}\s*", re.I)     # "Unknown male (Asian)"


def unnamed_text(text: str) -> bool:
    """Whether the text (one cell, or a row's forename and surname cells joined by a space) is an
    unnamed person written as a name (see _UNNAMED): "Unknown male A", "U/K male 1", "Male 2", or
    one with the person described in brackets after it ("Suspect 1 (Asian male)": read as a name,
    forename "Suspect", surname "male)", every such suspect of every return one man), or several
    of them (several_unnamed: "3 unknown males")."""
    if several_unnamed(text) is not None:
        return True
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


def several_unnamed(text: str) -> int | None:
    """How many unnamed people a text stands for when it is a count or a plural of the words of an
    unnamed person ("Persons unknown x3": 3, "3 unknown males": 3, "Unknown males (x2)": 2, "Unknown
    males": 0, a plural without a count; "1 unknown male": 1), else None (a name, "Males" alone, or one unnamed
    person written as usual: "Unknown male 2" numbers him, it does not count). "Persons unknown"
    alone is the usual words for one or more: None (no name all the same, _unnamed_words)."""
    t = " ".join(text.casefold().split())
    n = None
    times = _TIMES.search(t)
    if times is not None and times.start() > 0:
        n, t = int(times[1] or times[2]), t[:times.start()]
    lead = _LEAD_COUNT.match(t)
    if lead is not None:
        word = lead[0].split()[0].rstrip("x")      # ("2x", "2 x": 2)
        n = int(word) if word.isdigit() else _COUNT_WORDS.get(word, 0)
        t = t[lead.end():]
    words = _PUNCT.sub(" ", t).split()
    plural = any(w in _PLURAL and _PLURAL[w] != "persons" for w in words)
    # a plural alone may be a surname ("Males", as "Male" with a forename is): with a count, or
    # with other words of an unnamed person ("Unknown males", "Asian men"), it is several people
    if not words or n is None and not (plural and len(words) > 1):
        return None
    single = " ".join(_PLURAL.get(w, w) for w in words)
    return (n if n is not None else 0) if _unnamed_words(single) else None


_COUNT_WORDS = {w: i for i, w in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
                                           start=2)}


def title_couple(text: str) -> bool:
    """Whether a name text starts with (or, after a comma, holds) two titles for two people: "Mr &
    Mrs Smith", "Mr and Mrs John Smith", "SMITH, Mr & Mrs"."""
    s = text.strip()
    return _COUPLE_LEAD.match(s) is not None or ("," in s and _COUPLE_LEAD.match(s.partition(",")[2].strip())
                                                  is not None)


def lone_title(text: str) -> bool:
    """A cell holding a title and nothing else, in any case ("MR", "Mrs", "Sir", "Lord", "Mr & Mrs"):
    in a forename cell beside a surname it is no forename (drop_unnamed)."""
    s = text.strip()
    m = _COUPLE_LEAD.match(s) or _TITLE_LEAD.match(s)
    return m is not None and m.end() == len(s)


def titled_forenames(cells: list, forenames: list, surnames: list | None, candidates) -> list[int]:
    """The rows whose forename cell is a title alone (lone_title, any case: "MR", "MRS", "Sir",
    "Lord", "Mr & Mrs") beside a surname: no forename there. Alone on a row such a cell may be
    initials ("MR") or a name ("Lord"), and stays (translate reads one cell at a time). `cells` are
    the forename column's texts, `forenames` and `surnames` the values read; `candidates` the
    forename texts the scan found (may_be_unnamed)."""
    titles = {t for t in candidates or () if lone_title(t)}
    if not titles or surnames is None:
        return []
    return [i for i, t in enumerate(cells) if t in titles and surnames[i] is not None and forenames[i] is not None]


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


def untitled(s: str, leading: bool, surname_first: bool = False) -> tuple[str, str | None]:
    """A whole name text without its title, if it has one ("Mr John Smith", "SMITH, Mr John"; only
    looked for only when `leading`, a text the scan found): (the text to parse, None), or
    ("", surname) when a surname alone is left ("Mr Smith", "SMITH, Mrs": a title and one word
    name a person by the surname), ("", None) when nothing is ("Mr"). In a column whose names
    come `surname_first` a first word that is also a surname ("Lord John") is the surname."""
    if not leading:
        return s, None
    rest = after_title(s)
    if rest is not None and surname_first and _name_like_lead(s):
        rest = None
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
    ""; "Revd John Smith": "John Smith"; "Mr & Mrs Smith": "Smith"), or None when it starts with none
    (or is "MR" alone: _initials_like; or a title that is also a surname, alone: "Lord")."""
    m = _COUPLE_LEAD.match(s) or _TITLE_LEAD.match(s)
    if m is None or (m.end() == len(s) and (_initials_like(s) or s.rstrip(".").casefold() in _NAME_LIKE)):
        return None     # "MR" alone may be initials; "Lord", "Sir" alone may be a surname
    word = m[0].strip().rstrip(".")
    if word.isupper() and _name_like_lead(s) and any(c.islower() for c in s[m.end():]):
        return None     # "LORD John": a surname in capitals before the forename, as "SMITH John"
    return s[m.end():]


def _name_like_lead(s: str) -> bool:
    """Whether a text starts with a title that is also a surname (_NAME_LIKE: "Lord", "Dame")."""
    m = _TITLE_LEAD.match(s)
    return m is not None and m[0].strip().rstrip(".").casefold() in _NAME_LIKE


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


# A mapping's rows (mapping._map_group: its fields, each with its columns' parts, and the sheet's grid)

def names_someone_unnamed(fields: list, grid, i: int) -> bool:
    """Row ``i``'s name cells (a whole name, or forename and surname joined) write an unnamed person
    ("Unknown male", "U/K male 1", "Persons unknown"), not a blank or "N/A". Asked only of rows that
    identify no one, so never in the hot path."""
    cells = {}
    for fld in fields:
        if fld.name in ("name", "forename", "surname"):
            pos = next((part[0] for part in fld.parts if part[2] is not None), None)
            if pos is not None:
                cells[fld.name] = (grid(pos)[i] or "").strip()
    # "Unknown male; Unknown female" without `several: people`: the first person of the cell
    texts = [people_in(cells.get("name", ""))[0]] + [" ".join(c for c in (cells.get("forename", ""), cells.get("surname", "")) if c)]
    # two words at least: "Unknown male", "Male 2", "Mr X"; "unknown" alone says nothing known, not someone
    return any(len(t.split()) >= 2 and unnamed_text(t) for t in texts)


def drop_unnamed(fields: list, grid, values: dict, identified: list[bool],
                  others: list[list[bool]]) -> None:
    """No forename and no surname for rows whose two name cells together are an unnamed person
    ("Unknown" + "Male 1": translate.unnamed_rows); such a row is identified only by its other
    fields (date of birth, age, initials), as an "Unknown male 1" in one column is."""
    cols = {}
    if any(fld.name == "name" for fld in fields):
        return      # a whole-name column reads its own unnamed persons (translate._Translator._name)
    for fld in fields:
        if fld.name in ("forename", "surname") and len(fld.parts) == 1 and fld.parts[0][2] is not None \
                and fld.parts[0][2].spec.parse is None:
            cols[fld.name] = fld.parts[0]
    if not cols:
        return
    unknown = frozenset().union(*(part[2].unknown for part in cols.values()))
    order = [f for f in ("forename", "surname") if f in cols]     # as unnamed_rows takes them
    known = [cols[f][2].may_be_unnamed for f in order]
    rows = unnamed_rows(*(grid(cols[f][0]) if f in cols else None for f in ("forename", "surname")), unknown,
                        None if None in known else known, cols[order[0]][2].no_name)
    for f in ("forename", "surname") if rows else ():
        if f in values:
            values[f] = list(values[f])
            for i in rows:
                values[f][i] = None
    for i in rows:
        identified[i] = any(k[i] for k in others)
    if "forename" in values and "surname" in cols and "forename" in cols:
        # "MR" + "SMITH", "Sir" + "Smith": a title alone beside a surname is no forename
        titled = titled_forenames(grid(cols["forename"][0]), values["forename"], values.get("surname"),
                                  cols["forename"][2].may_be_unnamed)
        if titled:
            values["forename"] = list(values["forename"])
            for i in titled:
                values["forename"][i] = None
