"""Parsing single cell values: dates, ages, counts, names, initials.

Each parser takes text and returns ``(value, problem)``; ``problem`` is ``None`` or a short
``(code, message)`` pair. Messages never repeat the value itself: values can be personal.
"""

from __future__ import annotations

import datetime as dt
import re

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 system, after its 1900 leap-year bug
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NUMERIC = re.compile(r"^\d+(?:\.\d+)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_YEAR = re.compile(r"^([a-z]{3,9})\.?[\s\-/',]+(\d{2}|\d{4})$", re.I)   # "May-08", "March 2010"
_NUM_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")                      # "05/2008"
# Excel serials of plausible dates here: 1 Jan 1910 to 31 Dec 2099. A smaller number in a date column
# is a day, a month or a count ("16" would be 16 Jan 1900), never a date.
MIN_SERIAL, MAX_SERIAL = 3654, 73050
_TEXT_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]{3,9})\.?[\s\-/,]+(\d{2}|\d{4})$", re.I)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

Problem = tuple[str, str] | None


def _make_date(y: int, m: int, d: int) -> tuple[dt.date | None, Problem]:
    try:
        return dt.date(y, m, d), None
    except ValueError:
        return None, ("impossible_date", "not a real calendar date (e.g. 31 February); kept as unknown")


def _year(y: str, pivot: int) -> int:
    if len(y) == 4:
        return int(y)
    yy = int(y)
    return 2000 + yy if yy < pivot else 1900 + yy


def parse_date(text: str, style: str | None = "dayfirst", pivot: int = 30) -> tuple[dt.date | None, Problem]:
    """UK day-first text by default; ISO text, Excel serials and date cells always."""
    s = text.strip()
    m = _ISO.match(s)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if _NUMERIC.match(s):
        serial = float(s)
        if MIN_SERIAL <= serial <= MAX_SERIAL:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial)), None
        return None, ("bad_date", "a number that is not a plausible date (an Excel date serial of 1910-2099); "
                                  "a day, month or year alone? (dates split over columns: `parts`)")
    if style == "iso":
        return None, ("bad_date", "expected an ISO date (YYYY-MM-DD)")
    m = _DMY.match(s)
    if m:
        a, b, y = int(m[1]), int(m[2]), _year(m[3], pivot)
        day, month = (b, a) if style == "monthfirst" else (a, b)
        return _make_date(y, month, day)
    m = _TEXT_MONTH.match(s)
    if m and m[2][:3].lower() in _MONTHS:
        return _make_date(_year(m[3], pivot), _MONTHS[m[2][:3].lower()], int(m[1]))
    return month_year(s, pivot)


def month_year(s: str, pivot: int = 30) -> tuple[dt.date | None, Problem]:
    """Month-year text ("May-08", "Mar 2010", "05/2008"): the first of the month (month precision,
    as `pattern` does for a reference without a day)."""
    m = _MONTH_YEAR.match(s)
    if m and m[1][:3].lower() in _MONTHS and _MONTH_NAMES[_MONTHS[m[1][:3].lower()] - 1].lower().startswith(
            m[1].lower()[:4] if m[1].lower().startswith("sept") else m[1].lower()):
        return _make_date(_year(m[2], pivot), _MONTHS[m[1][:3].lower()], 1)
    m = _NUM_MONTH_YEAR.match(s)
    if m and 1 <= int(m[1]) <= 12:
        return _make_date(int(m[2]), int(m[1]), 1)
    return None, ("bad_date", "not a recognised date")


_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"]


def quick_date(s: str, style: str | None = "dayfirst") -> dt.date | None:
    """The date of a stripped ``YYYY-MM-DD`` or ``DD/MM/YYYY`` text, else None (then use
    parse_date). A shortcut for the two shapes nearly every date cell has, giving exactly what
    parse_date gives for them: it costs a fraction of the regular expressions there."""
    if len(s) != 10 or not s.isascii():
        return None
    try:
        if s[4] == "-" == s[7] and s[:4].isdigit() and s[5:7].isdigit() and s[8:].isdigit():
            return dt.date(int(s[:4]), int(s[5:7]), int(s[8:]))
        if style != "iso" and s[2] in "/.-" and s[5] in "/.-" and s[:2].isdigit() and s[3:5].isdigit() \
                and s[6:].isdigit():
            a, b = int(s[:2]), int(s[3:5])
            day, month = (b, a) if style == "monthfirst" else (a, b)
            return dt.date(int(s[6:]), month, day)
    except ValueError:
        return None  # not a real calendar date: parse_date says why
    return None


NO_PATTERN_MATCH = "the text does not match the mapping's date pattern"


def date_from_pattern(text: str, pattern: re.Pattern, pivot: int = 30) -> tuple[dt.date | None, Problem]:
    """A date read out of other text, e.g. a case reference "LAN/2009/04/0012", by named groups
    year, month and day. A missing month or day is taken as the first (the reference says no more)."""
    m = pattern.search(text.strip())
    if not m:
        return None, ("bad_date", NO_PATTERN_MATCH)
    parts = m.groupdict()
    try:
        year = _year(parts["year"], pivot)
        month = int(parts.get("month") or 1)
        day = int(parts.get("day") or 1)
    except (TypeError, ValueError):
        return None, ("bad_date", "the date pattern matched no digits")
    return _make_date(year, month, day)


# a council's age at referral in years and months ("14 years 3 months", "14 yrs 3 mths", "14y 3m",
# "14 years and 6 months"): the whole years are the age (session 18: a council return read every
# such age as bad_age and the child's age was Unknown)
_AGE_MONTHS = r"(?:\s*,?\s*(?:and\s+)?\d{1,2}\s*(?:m|mo|mos|mth|mths|month|months)\.?)?"
_AGE = re.compile(r"^(\d{1,3})(?:\.0+)?\s*(?:(?:y|yr|yrs|year|years|yo|y/o|years old)\.?"
                  + _AGE_MONTHS + r")?\.?$", re.I)
_AGE_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|to|–)\s*(\d{1,3})\s*(?:y|yrs|years)?$", re.I)
_AGE_UNDER = re.compile(r"^(?:under|<|below)\s*(\d{1,3})", re.I)
# words around an age that say nothing more: "age 14", "aged: 15", "approx. 25", "c. 30",
# "about 40", "25 approx", "30ish", "~35" (an approximate age is an age: the linkage's birth
# levels already allow for a year or three either way)
_AGE_WORDS = re.compile(r"^(?:aged?|approx(?:imately)?|about|around|circa|ca|c)\b\.?\s*:?\s*|^~\s*", re.I)
_AGE_TAIL = re.compile(r"\s*(?:approx(?:imately)?\.?|ish|\?)$", re.I)


def _age_text(text: str) -> str:
    s = _stated_age(text.strip())
    return _AGE_TAIL.sub("", _AGE_WORDS.sub("", s)) if s else s


def parse_age_band(text: str) -> tuple[int | None, int | None, Problem]:
    """Like parse_age, keeping a band's upper end: "14-15" -> (14, 15, None); "14" -> (14, None, None);
    a decade "20s" -> (20, 29, None), "early 20s" -> (20, 23, None)."""
    text = _age_text(text)
    decade = parse_age_decade(text) or parse_school_year(text)
    if decade is not None:
        return decade[0], decade[1], None
    age, problem = parse_age(text)
    m = _AGE_RANGE.match(text.strip()) if age is not None else None
    if m:
        upper = int(m[2])
        if upper < age or upper > 110:
            return None, None, ("bad_age", "an age band whose upper end is below its lower end or over 110")
        return age, upper, None
    return age, None, problem


def parse_age(text: str) -> tuple[int | None, Problem]:
    """"14", "14.0", "14 yrs", "14 years old", "age 14", "approx. 25"; a band "14-15" or a decade "20s"
    gives its lower bound."""
    s = _age_text(text)
    m = _AGE.match(s)
    if m:
        age = int(m[1])
    else:
        m = _AGE_RANGE.match(s)
        if m:
            age = int(m[1])
        elif (parse_age_decade(s) or parse_school_year(s)) is not None:
            # "20s", "Year 10": its lower end (parse_age_band keeps the upper)
            age = (parse_age_decade(s) or parse_school_year(s))[0]
        elif _AGE_UNDER.match(s):
            return None, ("age_band", "an age band with no lower bound (e.g. 'under 13'); kept as unknown")
        else:
            return None, ("bad_age", "not a recognised age")
    if age > 110:
        return None, ("bad_age", "an age over 110")
    return age, None


def parse_int(text: str) -> tuple[int | None, Problem]:
    s = text.strip()
    if _NUMERIC.match(s) and float(s).is_integer():
        return int(float(s)), None
    return None, ("bad_number", "not a whole number")


def first_letter(part: str | None) -> str:
    """The letter a name part starts with (before upper-casing), or '' if it starts with none."""
    if not part:
        return ""
    s = part.strip()
    return s[0] if s and s[0].isalpha() else ""


def initials_of(*parts: str | None) -> str | None:
    return "".join(map(first_letter, parts)).upper() or None


def parse_initials(text: str) -> tuple[str | None, Problem]:
    letters = re.sub(r"[^A-Za-z]", "", text)
    if not letters or len(letters) > 4:
        return None, ("bad_initials", "not initials (expected 1 to 4 letters, e.g. J.S.)")
    return letters.upper(), None


# Two capitals ("NA", "N.A.", "N. A."), or two to four each with a dot ("U.N.K."): how initials are
# written. In an initials column these are initials even when they spell a "not known" token (NA, NK,
# NS: issue 16, a young person "N.A." read as not applicable). "N/A", "n/a", "na", "UNK", "TBC" stay
# not known: a slash, lower case or three letters run together is how a return writes "not known".
_AS_INITIALS = re.compile(r"[A-Z]\.?\s*[A-Z]\.?|(?:[A-Z]\.\s*){2,4}")


def written_as_initials(text: str) -> bool:
    """Whether a stripped text is written as initials are (_AS_INITIALS), whatever it spells."""
    return _AS_INITIALS.fullmatch(text) is not None


_BRACKETED = re.compile(r"\([^()]*\)")
# A whole-name cell written as dotted initials with no spaces ("D.W.", "J.A.S."): one token, so it
# was read as a single word, forename "D.W." with initials "D" (bench/heldout5: offenders known only
# by initials). Spaced ("D. W.") it was already two parts, "D." and "W.".
_DOTTED_INITIALS = re.compile(r"(?:[A-Z]\.){2,4}")


_QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}


def unquoted(text: str) -> str:
    """A name wrapped whole in quotes, as a street name often is ('"Bigz"', '\u201cBigz\u201d'), without
    them: else the quotes stayed part of the name and it had no initials (bench/heldout5)."""
    if len(text) > 2 and _QUOTES.get(text[0]) == text[-1]:
        return text[1:-1].strip()
    return text


def parse_name(text: str, single_word: str = "reject",
               order: str | None = None) -> tuple[tuple[str | None, str | None] | None, Problem]:
    """Split a whole name: "SMITH, Jane", "Jane Smith", "Jane SMITH" -> (forename, surname).

    A single word ("Dave") is read as ``single_word`` says: a forename or a surname with the other
    part unknown, still with a warning (the row is kept, the reading is a guess), or rejected
    (no name, a ``bad_name`` warning). ``order`` is the order the column's header states
    (`surname_first`: "Smith Jane"; `forename_first`: "Jane, Smith" too); upper-case words among
    mixed-case ones ("Jane SMITH") are the surname whatever the order."""
    s = unquoted(" ".join(text.split()))
    # words in brackets ("John Smith (deceased)", "(aka Baz)", "(Asian male)") are no part of the
    # name: else the last of them was the surname ("deceased)"), unless the name is in them ("Jane
    # (Smith)": two words are needed outside). Without a bracket the text stays as it is (it is
    # single-spaced already: unquoted strips only its ends), so nearly every name skips the search.
    if "(" in s:
        bare = " ".join(_BRACKETED.sub(" ", s).split())
        if len(bare.replace(",", " ").split()) >= 2:
            s = bare
    if s and not any(c.isalpha() for c in s):
        # a date or a number where a name goes (a case list's "Date referred" read as the adults'
        # names, session 18): no name, not a forename "03/05/2009"
        return None, ("bad_name", "no letters: a date or a number, not a name")
    if "." in s and _DOTTED_INITIALS.fullmatch(s):
        # initials are written in name order whatever the column's order: the first letter is the
        # forename's, the last the surname's (one-letter parts, never compared as names)
        return (s[0], s[-2]), None
    if order is not None and len(s.split(" ")) > 1:
        return _ordered_name(s, order), None
    if "," in s:
        surname, _, forename = s.partition(",")
        forename = forename.strip().split(" ")[0] if forename.strip() else None
        return (forename, surname.strip() or None), None
    tokens = s.split(" ")
    if len(tokens) == 1:
        if single_word == "forename":
            return (s, None), ("single_name", "a single word: read as a forename, surname unknown "
                                              "(single_word: forename)")
        if single_word == "surname":
            return (None, s), ("single_name", "a single word: read as a surname, forename unknown "
                                              "(single_word: surname)")
        return None, ("bad_name", "a single word: cannot tell forename from surname (a mapping can say how "
                                  "to read one: single_word: forename | surname)")
    upper = [t for t in tokens if t.isupper() and len(t) > 1]
    if upper and len(upper) < len(tokens):
        # "Jane SMITH": the capitalised tokens are the surname, wherever they stand.
        surname = " ".join(upper)
        forename = next(t for t in tokens if t not in upper)
        return (forename, surname), None
    return (tokens[0], tokens[-1]), None


def _ordered_name(s: str, order: str) -> tuple[str | None, str | None]:
    """A name of two or more words in the order a mapping states (see parse_name)."""
    first, sep, rest = s.partition(",")
    tokens = [t for t in s.replace(",", " ").split(" ") if t]
    upper = [t for t in tokens if t.isupper() and len(t) > 1]
    if upper and len(upper) < len(tokens):
        return next(t for t in tokens if t not in upper), " ".join(upper)
    if sep and first.strip() and rest.strip():
        a, b = first.strip(), rest.strip()
    else:
        a, b = tokens[0], " ".join(tokens[1:])
    if order == "surname_first":
        return b.split(" ")[0], a
    return a.split(" ")[0], (b if sep else tokens[-1])


def age_at(dob: dt.date, on: dt.date) -> int | None:
    if on < dob:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def joined_date(day: str, month: str, year: str) -> str:
    """Day, month and year cells as one day-first text ("16/5/1995"); with no day, the first of
    the month (month precision, as month-year text)."""
    day, month, year = (_whole(t) for t in (day, month, year))
    if not (day or month or year):
        return ""
    if not day and month and year:
        day = "1"
    return f"{day}/{month}/{year}"


def _whole(text: str) -> str:
    s = text.strip()
    return s[:-2] if s.endswith(".0") and s[:-2].isdigit() else s


# "20s", "20's", "30s", "early 20s", "mid-30s", "late 40's": an age given as a decade (issue 18).
_AGE_DECADE = re.compile(r"^(?:(early|mid|late)[\s\-]*)?([1-9])0\s*'?\s*s$", re.I)
_DECADE_PART = {None: (0, 9), "early": (0, 3), "mid": (4, 6), "late": (7, 9)}


_AGE_PLUS = re.compile(r"^(\d{1,3})\s*\+$")


def parse_age_decade(text: str) -> tuple[int, int | None] | None:
    """(lower, upper) of an age given as a decade, else None: "20s" -> (20, 29), "late 30s" -> (37, 39);
    "30+" -> (30, None), a lower end only."""
    m = _AGE_DECADE.match(text.strip())
    if not m:
        plus = _AGE_PLUS.match(text.strip())
        return (int(plus[1]), None) if plus and int(plus[1]) <= 110 else None
    lo, hi = _DECADE_PART[m[1].lower() if m[1] else None]
    base = int(m[2]) * 10
    return base + lo, base + hi


# A school year where the age goes ("Year 10", "Yr 10", "Y10", "S4"; the fifth held-out world's
# councils and school nurses, BENCHMARKS.md session 15): in England and Wales a pupil in Year N is
# N + 4 on 1 September and N + 5 by the year's end, so Year 10 is the band 14-15 and Reception 4-5;
# Scotland's secondary years S1-S6 are 11-12 to 16-17 (SN: N + 10 to N + 11). Northern Ireland counts
# its years one higher (its Year 11 is England's Year 10): read by England's rule it is a year too old,
# inside the year or so the linkage's birth levels allow either way.
# Their primary years are "P1" to "P7" (session 19): Northern Ireland's P1 are 4 on 1 July, so P N is
# N + 3 to N + 4 over the year; Scotland's start between 4.5 and 5.5 in August, N + 3 to N + 5 by
# the year's end. The band of both: N + 3 to N + 5 (a P7 pupil is 10 to 12).
# Councils write the year other ways too (session 18, tried as a new analyst): "Year10", "NCY 10"
# (National Curriculum year), "year ten", and a pupil between two years "Y10/11" (the band of both).
_YEAR_WORDS = {w: i for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve thirteen".split(), 1)}
_YEAR_NUMBER = r"(1[0-3]|[1-9]|" + "|".join(_YEAR_WORDS) + ")"
_SCHOOL_YEAR = re.compile(r"^(?:(?:(?:school|nc)\s+)?(?:year|yr)\.?\s*|ncy\s*|y)" + _YEAR_NUMBER
                          + r"(?:\s*[/-]\s*(?:y|yr|year)?\s*(1[0-3]|[1-9]))?$|^(reception)$|^s([1-6])$"
                          + r"|^(?:p|primary)\s*\.?\s*([1-7])$", re.I)


def parse_school_year(text: str) -> tuple[int, int] | None:
    """(lower, upper) age of a school year, else None: "Year 10" -> (14, 15), "Reception" -> (4, 5),
    "S4" -> (14, 15), "Y10/11" -> (14, 16), "year ten" -> (14, 15), "P7" -> (10, 12)."""
    m = _SCHOOL_YEAR.match(text.strip())
    if not m:
        return None
    if m[4]:
        return int(m[4]) + 10, int(m[4]) + 11
    if m[5]:
        return int(m[5]) + 3, int(m[5]) + 5     # P7: 10-11 in Northern Ireland, 10-12 in Scotland
    if m[3]:
        return 4, 5
    n = int(m[1]) if m[1].isdigit() else _YEAR_WORDS[m[1].lower()]
    last = int(m[2]) if m[2] else n
    if last < n or last > n + 1:
        return None     # "Year 10/13" is no one pupil's year
    return n + 4, last + 5


def school_year_number(text: str) -> int | None:
    """The number of one England and Wales school year written where an age goes ("Year 10" -> 10,
    "Reception" -> 0), else None: Scotland's S and P years, a pupil between two years ("Y10/11"),
    a year with the age beside it ("Year 10 (14)": the age is the age) and any other age. A pupil in
    Year N was N + 4 on the 31 August before that school year began, so the year dates the birth to
    one academic year (1 September - 31 August: linkage/features.py), which its age band (N + 4 to
    N + 5 at some date in the year) dates only to two."""
    m = _SCHOOL_YEAR.match(_age_text(text).strip())
    if not m or m[4] or m[5]:
        return None
    if m[3]:
        return 0
    n = int(m[1]) if m[1].isdigit() else _YEAR_WORDS[m[1].lower()]
    return n if not m[2] or int(m[2]) == n else None


def age_with_extras(text: str) -> tuple[int | None, dict | None, str | None]:
    """An age cell's age, the fields that go with it, and any problem: an age band keeps its upper
    end in age_max (the linkage compares intervals), and a school year its number (the academic
    year of the pupils' births: school_year_number)."""
    value, upper, problem = parse_age_band(text)
    if upper is None:
        return value, None, problem
    year = school_year_number(text)
    return value, {"age_max": upper, **({"school_year": year} if year is not None else {})}, problem


# "Year 10 (14)": the year with the pupil's age beside it; the age stated is the age
_YEAR_WITH_AGE = re.compile(r"^(.+?)\s*\(\s*(?:aged?\s*)?(\d{1,2})\s*\)$", re.I)


def _stated_age(text: str) -> str:
    m = _YEAR_WITH_AGE.match(text)
    return m[2] if m and parse_school_year(m[1]) is not None else text


# Issue 16: an age written where the date of birth goes when the date is not known ("DOB unknown,
# approx 15", "not known - aged 14", "DOB not known (15)", "15 (approx)"). The note that the date is
# not known may come first or last; what is left is read as an age column reads it (parse_age_band).
_NOT_KNOWN = r"(?:(?:d\.?\s?o\.?\s?b\.?|date of birth)\s*)?(?:unknown|not known|n/?k|unk\.?|not given|not recorded)?"
_NOTE_HEAD = re.compile(rf"^{_NOT_KNOWN}[\s,;:\-–—]*", re.I)
_NOTE_TAIL = re.compile(rf"[\s,;:\-–—]*{_NOT_KNOWN}$", re.I)
# A number or a band with nothing around it ("15", "15.0", "14-15", "15?") says nothing of an age: in a
# date column it is an Excel serial, a day or a year (parse_date), never an age.
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:\s*(?:-|to|–)\s*\d+)?\s*\??", re.I)
# "c. 85", "circa 92": a year more often than an age, where a date goes.
_CIRCA_ONLY = re.compile(r"(?:c|ca|circa)\b\.?\s*\d{1,3}\s*\??", re.I)


def age_in_date(text: str) -> tuple[int, int | None] | None:
    """(age, upper end of a band or None) of a text that is no date but an age with words or
    brackets around it: "DOB unknown, approx 15", "unknown - approx 15", "DOB not known (15)",
    "approx 15 yrs", "not known - aged 14", "15 (approx)", "aged 14-15" (14, 15). None for anything
    else, a bare number or band ("15", "14-15") and "c. 85" included. Meant for texts parse_date
    refused: it does not look for a date."""
    s = " ".join(text.split())
    if not s or _BARE_NUMBER.fullmatch(s) or _CIRCA_ONLY.fullmatch(s):
        return None
    rest = " ".join(s.replace("(", " ").replace(")", " ").split())
    rest = _NOTE_TAIL.sub("", _NOTE_HEAD.sub("", rest, count=1), count=1)
    if not any(c.isdigit() for c in rest):
        return None
    age, upper, problem = parse_age_band(rest)
    return None if age is None or problem is not None else (age, upper)
