"""The comparison key for headers, codes and tokens: case, spacing and punctuation ignored."""

from __future__ import annotations

import re
from functools import lru_cache

_NON_ALNUM = re.compile(r"[\W_]+")  # Unicode-aware: "Référé" keeps its letters


@lru_cache(maxsize=1 << 18)
def normalise(text) -> str:
    """Key for comparing headers and codes: case, spacing and punctuation do not matter.

    Cached: the same codes, names and tokens come back in every return of a batch."""
    s = str(text).casefold()
    if s.isalnum():
        return s  # the common case, a plain code or word: no regex needed
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def looks_like_code(value) -> bool:
    """Whether a cell's value may be shown without --show-values: it looks like a code (at most six
    characters, no spaces, with a digit or of one or two characters: W1, IC3, F, NK) and is not a
    name of the nickname table. Letters alone are not enough: WBRI and LUCY look alike. Anything else typed into a coded column (a name in Gender or Role)
    could identify a person, so messages and summaries only count it."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 6 or any(c.isspace() for c in text) or not text.isprintable():
        return False
    if not (any(c.isdigit() for c in text) or len(text) <= 2):
        return False
    return normalise(text) not in _known_names()


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    import yaml

    from .paths import DEFAULT_CONFIG_DIR

    try:
        data = yaml.safe_load((DEFAULT_CONFIG_DIR / "nicknames.yaml").read_text(encoding="utf-8")) or {}
        groups = data.get("groups") or {}
        return frozenset(normalise(n) for k, v in groups.items() for n in [k, *(v or [])])
    except (OSError, yaml.YAMLError, AttributeError, TypeError):
        return frozenset()


def shown_value(value, show_values: bool = False):
    """A cell's value for a message or an export of issues: as given with --show-values, else
    only when it looks like a code (see looks_like_code), else None."""
    if value is None or show_values:
        return value
    return value if looks_like_code(value) else None


def listable(value, count: int) -> bool:
    """For mapping drafts, which must list a column's vocabulary (role words such as Victim or
    Suspect): a code-like value, or one seen in at least three rows that is not a known name. A
    name typed once or twice into Role is counted instead of listed."""
    return looks_like_code(value) or (count >= 3 and normalise(value) not in _known_names())


# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates (an RLO in a cell reverses what a terminal or a spreadsheet shows after it).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, keep_cr: bool = False) -> str:
    """Text safe for a terminal, a csv or an xlsx cell: every control character escaped as
    \\xNN / \\uNNNN (visible, and never a terminal escape sequence or a character that openpyxl
    refuses). Tab and newline stay; carriage return too with ``keep_cr`` (a cell may hold one,
    a terminal line must not)."""
    if not _CONTROL.search(text):
        return text
    if keep_cr and "\r" in text:
        return "\r".join(clean_text(part) for part in text.split("\r"))
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)
