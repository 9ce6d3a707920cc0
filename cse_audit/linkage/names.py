"""Pure name functions: the compared form of a name, and its Soundex code.

Separate because settings (nickname table, unknown names: normalise_name) and features
(soundex) both use them, and they need neither config nor a database."""

from __future__ import annotations

# Letters that no accent-stripping takes apart (a stroke or a ligature is no accent): folded by
# hand, or a council's 'Łukasz' was compared as 'ukasz' with the police's 'LUKASZ', 'Michał' as
# 'micha', 'Ødegård' as 'degard' (session 18). Both the Python form (normalise_name) and the SQL
# one (fold_sql over DuckDB's strip_accents) fold them.
FOLD = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Ħ": "H", "ħ": "h",
        "ı": "i", "Ŧ": "T", "ŧ": "t", "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th"}
_FOLD_TABLE = str.maketrans(FOLD)


def normalise_name(value: str | None) -> str:
    """Lower case ascii letters only (accents and the FOLD letters folded): the form names are compared in."""
    import unicodedata

    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", str(value).translate(_FOLD_TABLE)).encode("ascii", "ignore").decode()
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


def _folded_sql(arg: str) -> str:
    """``arg`` with the FOLD letters folded; an ascii text (as many bytes as characters: nearly every
    name) as it is, without the nine passes over it (10 CPU-s of a 1M link's features otherwise)."""
    one = {k: v for k, v in FOLD.items() if len(v) == 1}
    out = f"translate({arg}, '{''.join(one)}', '{''.join(one.values())}')"
    for k, v in FOLD.items():
        if len(v) > 1:
            out = f"replace({out}, '{k}', '{v}')"
    return f"CASE WHEN strlen({arg}) = length({arg}) THEN {arg} ELSE {out} END"


def fold_sql(sql: str) -> str:
    """`sql` with the argument of every `strip_accents(...)` first folded by FOLD (constant SQL:
    only the fixed letters of FOLD are written into it)."""
    out, i, key = [], 0, "strip_accents("
    while (at := sql.find(key, i)) >= 0:
        start = at + len(key)
        depth, j = 1, start
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[j], 0)
            j += 1
        out.append(sql[i:start] + _folded_sql(sql[start:j - 1]) + ")")
        i = j
    return "".join(out) + sql[i:]
