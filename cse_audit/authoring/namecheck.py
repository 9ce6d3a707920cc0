"""Name parts the wrong way round: `mapping check` warns when a forename column holds surnames, or a
surname column forenames (two columns swapped in the mapping, or a `parse: name` column read in the
wrong order).

The evidence is the project's name lists: the forenames and surnames of the sample generator's
pools (cse_audit/synth/names.py, common names of the communities the returns cover) and the
forenames of the linkage's nickname table (configs/nicknames.yaml). A name in both lists
("Morgan", "Lewis", "Thomas") says nothing and is not counted. Separate from `check` because it is
the one part of checking a mapping that looks at personal values; it returns counts, and the
values themselves only when the caller asks (`--show-values`).
"""

from __future__ import annotations

import functools
from collections import Counter

from ..config import normalise

MIN_FOUND = 5          # values found in exactly one list before a column is judged
SWAP_SHARE = 0.6       # share of those in the other part's list that makes the warning


@functools.lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(forenames, surnames), normalised, each without the names the other holds."""
    import yaml

    from ..config import DEFAULT_CONFIG_DIR
    from ..synth import names as pools

    fore = {n for f, m, _s in pools.POOLS.values() for n in f + m}
    fore |= {n for spec in pools.F_CLUSTERS + pools.M_CLUSTERS for n in spec.split()}
    # the pools' listed surnames, not the invented combinations ("Ash" + "ley" is a forename too)
    sur = set(pools.S_WHITE + pools.S_ASIAN + pools.S_BLACK + pools.S_CHINESE + pools.S_EURO)
    sur |= {n for spec in pools.S_CLUSTERS for n in spec.split()}
    try:
        groups = (yaml.safe_load((DEFAULT_CONFIG_DIR / "nicknames.yaml").read_text(encoding="utf-8")) or {}
                  ).get("groups") or {}
        fore |= {n for k, v in groups.items() for n in [k, *(v or [])]}
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    fore_n, sur_n = {normalise(n) for n in fore}, {normalise(n) for n in sur}
    return frozenset(fore_n - sur_n), frozenset(sur_n - fore_n)


def swapped_parts(recs: list[dict], kind: str, fields: dict, show_values: bool = False) -> list[dict]:
    """One finding per column whose name parts look the wrong way round, for the records `recs` of one
    block: {kind, field, column, values, found, wrong, share[, shown]}. `fields` maps forename, surname
    and name to the column each is read from (a `name` column gives both parts, judged as one column).

    A column is judged on the values found in exactly one list (`found`, of which `wrong` are in the
    other part's): at least MIN_FOUND found and SWAP_SHARE of them wrong. A forename and a surname
    column are judged as a pair too, because a list rarely knows every surname (invented or rare
    ones): the surname column holding known forenames (at least MIN_FOUND, and PAIR_SHARE of its
    values) at twice the forename column's rate says both are swapped, and each is warned."""
    fore, sur = name_lists()
    columns = {part: fields.get(part) or fields.get("name") for part in ("forename", "surname")}
    stats = {part: _stats(recs, part, fore if part == "forename" else sur, sur if part == "forename" else fore)
             for part, column in columns.items() if column}
    out = []
    if columns["forename"] and columns["forename"] == columns["surname"]:     # one whole-name column
        found = stats["forename"]["found"] + stats["surname"]["found"]
        wrong = stats["forename"]["wrong"] + stats["surname"]["wrong"]
        if found >= MIN_FOUND and wrong / found >= SWAP_SHARE:
            shown = stats["forename"]["shown"] + stats["surname"]["shown"]
            out.append(_finding(kind, "name", columns["forename"], stats["forename"]["values"], found, wrong, shown,
                                show_values))
        return out
    alone = {part: s["found"] >= MIN_FOUND and s["wrong"] / s["found"] >= SWAP_SHARE for part, s in stats.items()}
    pair = len(stats) == 2 and _pair_swapped(stats)
    for part, s in stats.items():
        if alone[part] or pair:
            item = _finding(kind, part, columns[part], s["values"], s["found"], s["wrong"], s["shown"], show_values)
            if pair:
                other = "surname" if part == "forename" else "forename"
                item["pair"] = {"column": columns[other], "surname_column_forenames": stats["surname"]["forenames"],
                                "forename_column_forenames": stats["forename"]["forenames"]}
            out.append(item)
    return out


PAIR_SHARE = 0.3       # share of a surname column's values that are known forenames, for the pair rule


def _stats(recs: list[dict], part: str, own: frozenset, other: frozenset) -> dict:
    values = found = wrong = forenames = 0
    shown: Counter = Counter()
    fore = own if part == "forename" else other
    for r in recs:
        v = r.get(part)
        key = normalise(v) if v else ""
        if not key:
            continue
        values += 1
        forenames += key in fore
        if key in own:
            found += 1
        elif key in other:
            found += 1
            wrong += 1
            shown[v] += 1
    return {"values": values, "found": found, "wrong": wrong, "forenames": forenames, "shown": shown}


def _pair_swapped(stats: dict) -> bool:
    f, s = stats["forename"], stats["surname"]
    if not f["values"] or not s["values"]:
        return False
    in_surname = s["forenames"] / s["values"]
    return s["forenames"] >= MIN_FOUND and in_surname >= PAIR_SHARE and in_surname >= 2 * f["forenames"] / f["values"]


def _finding(kind: str, field: str, column: str, values: int, found: int, wrong: int, shown: Counter,
             show_values: bool) -> dict:
    item = {"kind": kind, "field": field, "column": column, "values": values, "found": found, "wrong": wrong,
            "share": round(wrong / found, 2) if found else 0.0}
    if show_values:
        item["shown"] = dict(shown.most_common(12))
    return item


def message(f: dict) -> str:
    """The warning for one finding: counts only (values only when the finding carries them)."""
    if f["field"] == "name":
        what = "the whole name's parts read the wrong way round: forenames as surnames and surnames as forenames"
        fix = ("set `order:` on the name column (surname_first or forename_first), or `single_word:` if its "
               "values are single words")
    elif f["field"] == "forename":
        what = "the forename column holds surnames"
        fix = "check that the forename and surname columns are not swapped"
    else:
        what = "the surname column holds forenames"
        fix = "check that the forename and surname columns are not swapped"
    text = (f"{f['kind']}.{f['field']} <- {f['column']}: of {f['values']} values, {f['found']} are in the name "
            f"lists and {f['wrong']} of those in the other part's list ({what}); {fix}")
    if f.get("pair"):
        p = f["pair"]
        text += (f" (judged with {p['column']} as a pair: the surname column holds {p['surname_column_forenames']} "
                 f"known forenames, the forename column {p['forename_column_forenames']})")
    if f.get("shown"):
        text += "; values: " + ", ".join(f"{v!r} x{n}" for v, n in f["shown"].items())
    return text
