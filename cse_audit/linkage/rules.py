"""The candidate pairs' rules and the within-return guard, as Splink and the store's SQL read them.

The blocking rules of linkage.yaml become Splink's (a rule on region or on the people named on a
case exploded over a record's lists), and the same rules as tests on two records (`link explain`).
The guard is the SQL that holds two rows of one return apart. Separate from model.py, which builds
and runs the model."""

from __future__ import annotations

import re

# Two records l and r of one return are held apart unless the evidence is strong (model._run);
# a constant: no value from a user or a file is in it.
GUARD_SQL = ("(l.return_id = r.return_id AND (l.names_missing OR r.names_missing) "
             "AND NOT coalesce(l.ref = r.ref, false) AND NOT coalesce(l.dob = r.dob "
             "AND (l.fn IS NOT NULL OR l.sn IS NOT NULL) AND (r.fn IS NOT NULL OR r.sn IS NOT NULL), false))")
# Offenders: only two rows of one CASE of a return. A return lists its offenders per case (a
# council's perpetrators per referral, a force's suspects per crime), and one man abusing several
# children is on several of its cases, as "Paul" on one and "Paul Zivczyk" on another: held apart
# as two rows of one return, such a man stayed two people however strongly each row matched a
# third record (a force's, through a child both name). Two rows of one case are two men.
# Rows with no case reference keep the return-wide guard.
GUARD_SQL_OFFENDERS = GUARD_SQL[:-1] + " AND coalesce(l.case_key = r.case_key, true))"


def guard_sql(kind: str) -> str:
    """The within-return guard's SQL over two records l and r of ``kind`` (a constant)."""
    return GUARD_SQL_OFFENDERS if kind == "offenders" else GUARD_SQL


def _blocking_rules(rules: list, spans: bool = False) -> list:
    """Splink's rules from linkage.yaml's. With ``spans`` (an area lies in several police force
    areas: a council bordering two forces, a charity working in two), a prediction rule on
    ``region`` is tried for each of a record's force areas (``regions``, exploded by Splink):
    on the first alone, a charity's record of a child in its second force was never compared
    with that force's records (issue 16). Without, the single force area is compared as it is
    (an exploded rule costs Splink a pass over every candidate pair to drop repeats)."""
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    out = []
    for r in rules:
        if isinstance(r, list):
            cols = ["regions" if c == "region" else c for c in r] if spans else r
            out.append(block_on(*cols, arrays_to_explode=["regions"]) if cols != r else block_on(*r))
            continue
        # "l.assoc = r.assoc": the two records' cases share someone (the lists exploded)
        explode = ["assoc"] if _ASSOC_EQ.search(r) else []
        if spans and _REGION.search(r):
            r, explode = _REGION.sub(r"\1.regions", r), [*explode, "regions"]
        out.append(CustomRule(r, arrays_to_explode=explode) if explode else CustomRule(r))
    return out


# a rule's l.region / r.region (the record's first force area), as the exploded rule names it
_REGION = re.compile(r"\b([lr])\.region\b")
# "l.region = r.region" (either way round) in a rule written as SQL
_REGION_EQ = re.compile(r"\bl\.region\s*=\s*r\.region\b|\br\.region\s*=\s*l\.region\b")
# "l.assoc = r.assoc" in a rule written as SQL: the records' cases share someone (features.py)
_ASSOC_EQ = re.compile(r"\bl\.assoc\s*=\s*r\.assoc\b|\br\.assoc\s*=\s*l\.assoc\b")


def pair_rules(rules: list, spans: bool, dialect: str) -> list:
    """The prediction rules as tests on two records as they are, not exploded: what Splink's
    "found by blocking rules" of one scored pair reads (`link explain`). An exploded rule's
    ``l.regions = r.regions`` compares two lists there, so a council's record in two force areas
    showed as never compared with a force's it was scored against (session 15); here a rule on
    region holds where the two records share any force area (with ``spans``), and one on assoc
    where their lists share someone, as the exploded rules pair them."""
    from splink.blocking_rule_library import CustomRule

    def overlap(col: str) -> str:
        import splink.comparison_level_library as cll

        sql = cll.ArrayIntersectLevel(col, 1).get_comparison_level(dialect).sql_condition
        for q in ('"', "`"):
            sql = sql.replace(f"{q}{col}_l{q}", f"l.{col}").replace(f"{q}{col}_r{q}", f"r.{col}")
        return f"({sql})"

    out = []
    for r in rules:
        if isinstance(r, list):
            r = " AND ".join(f"l.{c} = r.{c}" for c in r)
        r = _ASSOC_EQ.sub(overlap("assoc"), r)
        out.append(CustomRule(_REGION_EQ.sub(overlap("regions"), r) if spans else r))
    return out
