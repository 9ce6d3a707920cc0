"""Figures: the CEOP 2011 targets, and the person-level figures the generated records give
under the stated merge rules (the same rules the analysis uses).

Separate because these are what the sample is checked against: `check_targets` must find no
difference at scale 1, and the figures go into `_truth/expected.json`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import Rec

# Targets (CEOP 2011, parts A and B of shared/reference/ceop-2011-figures.md)

TARGETS = {
    "case_records": 1875,
    "victims": 2083,
    "victims_missing": {"Reported missing": 842, "Not reported missing": 172, "Unknown": 1069},
    "victims_sex": {"Female": 1264, "Male": 182, "Unknown": 637},
    "victims_ethnicity": {"White": 1271, "Asian": 54, "Black": 27, "Chinese": 8, "Mixed": 38,
                          "Other": 14, "Unknown": 671},
    "victims_looked_after_yes": 311,
    "offenders": 2379,
    "offenders_identified": 940,
    "offenders_identified_ethnicity": {"White": 357, "Asian": 244, "Unknown": 301, "Black": 28,
                                       "Chinese": 2, "Other": 5, "Mixed": 3},
    "offender_groups": 230,
}
RESPONDING = {"police": 46, "lscb": 22, "ngo": 12}

MISSING_RANK = {"Reported missing": 2, "Not reported missing": 1, "Unknown": 0}
YES_RANK = {"Yes": 2, "No": 1, "Unknown": 0}


SOURCE_RANK = {"police": 0, "lscb": 1, "ngo": 2}  # configs/linkage.yaml merge.source_priority


def merge_known(recs: list[Rec], attr: str) -> str:
    """A person's value as the tool merges it (configs/linkage.yaml, merge: majority): the known
    value most records say, ties to the value of the highest-priority source, then alphabetical.
    Only the hard profile's records disagree (profiles.ethnicity_other / sex_other)."""
    counts: dict[str, list] = {}
    for r in recs:
        value = getattr(r, attr)
        if value != "Unknown":
            n, rank = counts.get(value, (0, 9))
            counts[value] = [n + 1, min(rank, SOURCE_RANK[r.agency.source_type])]
    if not counts:
        return "Unknown"
    return min(counts, key=lambda v: (-counts[v][0], counts[v][1], v))


ETH_ORDER = ["White", "Asian", "Black", "Chinese", "Mixed", "Other", "Unknown"]


def figures(victim_recs: list[Rec], offender_recs: list[Rec], case_keys: set) -> dict:
    """The expected.json figures: case records, then victims and offenders merged by person."""
    return {
        "case_records": len(case_keys),
        "victims": _victim_figures(victim_recs),
        "offenders": _offender_figures(offender_recs),
    }


def _by_person(recs: list[Rec]) -> dict[str, list[Rec]]:
    by = defaultdict(list)
    for r in recs:
        by[r.person.pid].append(r)
    return by


def _dist(c: Counter, keys) -> dict:
    return {k: c.get(k, 0) for k in keys}


def _victim_figures(victim_recs: list[Rec]) -> dict:
    by_v = _by_person(victim_recs)
    v_missing, v_sex, v_eth, v_lac, v_age = Counter(), Counter(), Counter(), Counter(), Counter()
    for recs in by_v.values():
        v_missing[max((r.missing for r in recs), key=MISSING_RANK.get)] += 1
        v_sex[merge_known(recs, "sex")] += 1
        v_eth[merge_known(recs, "eth")] += 1
        v_lac[max((r.lac for r in recs), key=YES_RANK.get)] += 1
        v_age[recs[0].person.age] += 1
    n_v = len(by_v)
    return {
        "unique": n_v,
        "records": len(victim_recs),
        "missing_status": _dist(v_missing, MISSING_RANK),
        "sex": _dist(v_sex, ["Female", "Male", "Unknown"]),
        "ethnicity": _dist(v_eth, ETH_ORDER),
        "ethnicity_percent": {k: round(100 * v_eth.get(k, 0) / n_v, 1) for k in ETH_ORDER},
        "white_percent_of_known": round(
            100 * v_eth["White"] / max(1, n_v - v_eth["Unknown"]), 1),
        "looked_after": _dist(v_lac, YES_RANK),
        "age_at_first_case": {str(k): v_age[k] for k in sorted(v_age)},
    }


def _offender_figures(offender_recs: list[Rec]) -> dict:
    by_o = _by_person(offender_recs)
    o_ident, o_sex, o_eth_rel, o_band = Counter(), Counter(), Counter(), Counter()
    for recs in by_o.values():
        ident = max((r.ident for r in recs), key=YES_RANK.get)
        o_ident[ident] += 1
        o_sex[merge_known(recs, "sex")] += 1
        eth = merge_known(recs, "eth")
        if ident == "Yes":
            o_eth_rel[eth] += 1
        age = recs[0].person.age
        o_band[next(b for b, hi in [("under 18", 17), ("18-24", 24), ("25-29", 29), ("30-34", 34),
                                    ("35-44", 44), ("45 and over", 999)] if age <= hi)] += 1
    group_sizes = _group_sizes(offender_recs)
    n_rel = sum(o_eth_rel.values())
    return {
        "unique": len(by_o),
        "records": len(offender_recs),
        "identified": _dist(o_ident, YES_RANK),
        "most_reliable_group": {
            "definition": "offenders with identified = Yes after merging",
            "count": n_rel,
            "ethnicity": _dist(o_eth_rel, ETH_ORDER),
            "ethnicity_percent": {k: round(100 * o_eth_rel.get(k, 0) / max(1, n_rel), 1)
                                  for k in ETH_ORDER},
        },
        "sex": _dist(o_sex, ["Male", "Female", "Unknown"]),
        "age_band_at_first_case": _dist(o_band, ["under 18", "18-24", "25-29", "30-34",
                                                 "35-44", "45 and over"]),
        "groups": {
            "count": len(group_sizes),
            "definition": "connected sets of case records (distinct case_ref within one "
                          "return) joined by shared offenders (person level), with two or "
                          "more distinct offenders",
            "sizes": {str(k): v for k, v in sorted(Counter(group_sizes).items())},
            "largest": max(group_sizes, default=0),
            "more_than_8": sum(1 for g in group_sizes if g > 8),
        },
    }


def _group_sizes(offender_recs: list[Rec]) -> list[int]:
    """Offender groups: case records joined by shared offenders, with >= 2 distinct offenders."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in offender_recs:
        a, b = find(("case", r.file, r.case.ref)), find(("off", r.person.pid))
        parent[a] = b
    members = defaultdict(set)
    for r in offender_recs:
        members[find(("off", r.person.pid))].add(r.person.pid)
    return sorted(len(m) for m in members.values() if len(m) >= 2)


def check_targets(fig: dict) -> list[str]:
    """Differences between the figures and the CEOP targets (empty = all exact)."""
    v, o = fig["victims"], fig["offenders"]
    t = TARGETS
    pairs = [
        ("case_records", fig["case_records"], t["case_records"]),
        ("victims", v["unique"], t["victims"]),
        ("victims missing_status", v["missing_status"], t["victims_missing"]),
        ("victims sex", v["sex"], t["victims_sex"]),
        ("victims ethnicity", v["ethnicity"], t["victims_ethnicity"]),
        ("victims looked after", v["looked_after"]["Yes"], t["victims_looked_after_yes"]),
        ("offenders", o["unique"], t["offenders"]),
        ("offenders identified", o["identified"]["Yes"], t["offenders_identified"]),
        ("most reliable ethnicity", o["most_reliable_group"]["ethnicity"],
         t["offenders_identified_ethnicity"]),
        ("offender groups", o["groups"]["count"], t["offender_groups"]),
    ]
    return [f"{name}: got {got}, want {want}" for name, got, want in pairs if got != want]
