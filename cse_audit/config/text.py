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
