"""Pure name functions: the compared form of a name, and its Soundex code.

Separate because settings (nickname table, unknown names: normalise_name) and features
(soundex) both use them, and they need neither config nor a database."""

from __future__ import annotations


def normalise_name(value: str | None) -> str:
    """Lower case ascii letters only (accents folded): the form names are compared in."""
    import unicodedata

    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


def soundex(name: str) -> str | None:
    """American Soundex of a normalised name (DuckDB has no soundex function)."""
    if not name:
        return None
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
             "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    out, last = name[0].upper(), codes.get(name[0], "")
    for ch in name[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            out += code
            if len(out) == 4:
                break
        if ch not in "hw":
            last = code
    return out.ljust(4, "0")
