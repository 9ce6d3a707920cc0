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
    block: {kind, field, column, found, wrong, share[, values]}. `fields` maps forename, surname and
    name to the column each is read from (a `name` column gives both parts, judged as one column)."""
    fore, sur = name_lists()
    out = []
    parts = [("forename", sur), ("surname", fore)]
    by_column: dict[str, list[tuple[str, frozenset]]] = {}
    for part, other in parts:
        column = fields.get(part) or fields.get("name")
        if column:
            by_column.setdefault(column, []).append((part, other))
    for column, checks in by_column.items():
        found = wrong = 0
        values: Counter = Counter()
        for part, other in checks:
            own = fore if part == "forename" else sur
            for r in recs:
                v = r.get(part)
                key = normalise(v) if v else ""
                if key in own:
                    found += 1
                elif key in other:
                    found += 1
                    wrong += 1
                    values[v] += 1
        if found >= MIN_FOUND and wrong / found >= SWAP_SHARE:
            field = "name" if len(checks) > 1 or column == fields.get("name") else checks[0][0]
            item = {"kind": kind, "field": field, "column": column, "found": found, "wrong": wrong,
                    "share": round(wrong / found, 2)}
            if show_values:
                item["values"] = dict(values.most_common(12))
            out.append(item)
    return out


def message(f: dict) -> str:
    """The warning for one finding: counts only (values only when the finding carries them)."""
    if f["field"] == "name":
        what = "the whole name's parts read the wrong way round: forenames as surnames and surnames as forenames"
        fix = "set `order:` on the name column (surname_first or forename_first)"
    elif f["field"] == "forename":
        what = "the forename column holds surnames"
        fix = "check that the forename and surname columns are not swapped"
    else:
        what = "the surname column holds forenames"
        fix = "check that the forename and surname columns are not swapped"
    text = (f"{f['kind']}.{f['field']} <- {f['column']}: {f['wrong']} of {f['found']} values found in the name "
            f"lists are in the other part's list ({what}); {fix}")
    if f.get("values"):
        text += "; values: " + ", ".join(f"{v!r} x{n}" for v, n in f["values"].items())
    return text
