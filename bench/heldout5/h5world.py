"""The fifth held-out world: a rural motorway corridor of seven force areas and many small agencies.

Every rate is in PARAMS. The world is people (children, offenders) and reports (an agency's case about a
child, naming some of her offenders); how a report is written down is h5record.py and h5layouts.py.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from h5names import CULTURES, STREET, british_surnames, zipf_pick

AREAS = ["Wessingham", "Dunholt", "Marlbury", "Carnford", "Stourleigh", "Halvergate", "Brenmoor"]

PARAMS = {
    "area_weight": [1.0, 0.8, 1.4, 1.2, 1.0, 0.9, 0.7],           # corridor towns, Marlbury the largest
    "culture_weight": {"british": 0.70, "gypsy_traveller": 0.06, "roma": 0.04, "albanian": 0.04,
                       "kurdish": 0.05, "eritrean": 0.03, "west_african": 0.05, "chinese": 0.03},
    "culture_area_boost": {"roma": {"Carnford": 4, "Marlbury": 2}, "kurdish": {"Stourleigh": 3},
                           "eritrean": {"Dunholt": 3}, "chinese": {"Halvergate": 3},
                           "gypsy_traveller": {"Brenmoor": 2, "Wessingham": 2}},
    "british_tail": 1500, "forename_law": 0.5,
    # Zipf exponents of the surname pools: British over ~1,570 names (Smith ~1.5 %), small communities steeper
    "surname_law": {"british": 0.6, "gypsy_traveller": 1.1, "roma": 0.9, "albanian": 0.8, "kurdish": 0.9,
                    "eritrean": 0.8, "west_african": 0.7, "chinese": 1.1},
    "girl_share": 0.80, "age_at_first": {11: 1, 12: 3, 13: 6, 14: 9, 15: 10, 16: 7, 17: 3},
    "period": (dt.date(2008, 1, 1), dt.date(2011, 3, 31)),
    "mover": 0.25, "move_two_junctions": 0.30,                     # moved along the corridor: +-1, else +-2
    "sibling": 0.06, "twin": 0.015, "double_barrel": 0.04, "name_change": 0.04, "name_change_after_days": 180,
    "p_home_force": 0.65, "force_cases": [1, 2, 3], "force_case_w": [0.55, 0.3, 0.15],
    "p_home_council": 0.50, "council_refs": [1, 2], "council_ref_w": [0.7, 0.3],
    "p_health": 0.15, "p_yot": 0.15, "p_school_nurse": 0.18, "p_charity": 0.30, "p_grt_charity": 0.60,
    "p_mover_force": 0.60, "p_mover_council": 0.30,
    "group_per_children": 0.08, "group_size": (2, 8), "group_next_area": 0.35,
    "p_in_group": 0.40, "group_offenders": (2, 5), "lone_offenders_w": [0.45, 0.40, 0.15],
    "offender_culture": {"british": 0.6, "kurdish": 0.1, "albanian": 0.1, "west_african": 0.05,
                         "gypsy_traveller": 0.05, "roma": 0.05, "chinese": 0.05},
    "offender_female": 0.06, "offender_age": (18, 52), "street_name": 0.30,
    "offender_listed": {"police": 0.80, "lscb": 0.45, "ngo": 0.0},
}

# (id, name, source_type, areas (first = area), layout)
AGENCIES = [
    ("h5-police-wessingham", "Wessingham Constabulary", "police", ["Wessingham"], "police_ods"),
    ("h5-police-dunholt", "Dunholt Police", "police", ["Dunholt"], "police_xls"),
    ("h5-police-marlbury", "Marlbury Constabulary", "police", ["Marlbury"], "police_ods"),
    ("h5-police-carnford", "Carnford Police", "police", ["Carnford"], "police_xls"),
    ("h5-police-stourleigh", "Stourleigh Constabulary", "police", ["Stourleigh"], "police_ods"),
    ("h5-police-halvergate", "Halvergate Police", "police", ["Halvergate"], "police_csv"),
    ("h5-police-brenmoor", "Brenmoor Constabulary", "police", ["Brenmoor"], "police_csv"),
    ("h5-council-wessingham", "Wessingham County Council", "lscb", ["Wessingham", "Dunholt"], "council_csv"),
    ("h5-council-marlbury", "Marlbury County Council", "lscb", ["Marlbury"], "council_csv"),
    ("h5-council-carnford", "Carnford Borough Council", "lscb", ["Carnford"], "council_csv"),
    ("h5-council-stourleigh", "Stourleigh District Council", "lscb", ["Stourleigh"], "multi_xlsx"),
    ("h5-council-halvergate", "Halvergate and Brenmoor District Council", "lscb",
     ["Halvergate", "Brenmoor"], "multi_xlsx"),
    ("h5-health-corridor", "Corridor Community Health NHS Trust", "lscb",
     ["Marlbury", "Carnford", "Stourleigh"], "multi_xlsx"),
    ("h5-yot-dunholt", "Dunholt Youth Offending Team", "lscb", ["Dunholt"], "multi_xlsx"),
    ("h5-nurse-wessingham", "Wessingham School Nursing Service", "lscb", ["Wessingham"], "multi_xlsx"),
    ("h5-charity-lantern", "Lantern Way", "ngo", ["Wessingham", "Dunholt", "Marlbury"], "charity_csv"),
    ("h5-charity-harbour", "Safe Harbour Roads", "ngo", ["Carnford", "Stourleigh"], "charity_csv"),
    ("h5-charity-brightpath", "Brightpath Young People", "ngo", ["Halvergate", "Brenmoor"], "charity_csv"),
    ("h5-charity-kinship", "Kinship Traveller Support", "ngo", list(AREAS), "charity_ods"),
]
HEALTH_LIKE = {"h5-health-corridor": "p_health", "h5-yot-dunholt": "p_yot", "h5-nurse-wessingham": "p_school_nurse"}


@dataclass
class Person:
    pid: str
    culture: str
    sex: str
    forename: str
    surname: str
    dob: dt.date
    area: int
    eth: str
    second_area: int | None = None
    new_surname: str | None = None          # after adoption / care: used by councils and later cases
    street: str | None = None
    offenders: list = field(default_factory=list)


@dataclass
class Report:
    agency: tuple
    child: Person
    case_ref: str
    case_date: dt.date
    offenders: list


def _culture(rng: random.Random, area: int, weights: dict, boost: dict) -> str:
    names = list(weights)
    w = [weights[c] * boost.get(c, {}).get(AREAS[area], 1) for c in names]
    return rng.choices(names, weights=w)[0]


def _surname(rng, culture, brit, P=PARAMS):
    pool = brit if culture == "british" else CULTURES[culture]["sur"]
    return zipf_pick(rng, pool, P["surname_law"][culture])


def _child(rng, P, i, brit, base: Person | None = None) -> Person:
    area = base.area if base else rng.choices(range(len(AREAS)), weights=P["area_weight"])[0]
    culture = base.culture if base else _culture(rng, area, P["culture_weight"], P["culture_area_boost"])
    c = CULTURES[culture]
    sex = "F" if rng.random() < P["girl_share"] else "M"
    fore = zipf_pick(rng, c["girl"] if sex == "F" else c["boy"], P["forename_law"])
    sur = base.surname if base else _surname(rng, culture, brit)
    if not base and culture == "british" and rng.random() < P["double_barrel"]:
        sur = f"{sur}-{_surname(rng, culture, brit)}"
    start, end = P["period"]
    ages = P["age_at_first"]
    first = start + dt.timedelta(days=rng.randrange((end - start).days))
    age = rng.choices(list(ages), weights=list(ages.values()))[0]
    dob = first - dt.timedelta(days=int(365.25 * age) + rng.randrange(365))
    if base:
        dob = base.dob + dt.timedelta(days=rng.choice([-1, 1]) * rng.randrange(400, 1500))
    p = Person(f"C{i:06d}", culture, sex, fore, sur, dob, area, rng.choice(c["eth"]))
    if rng.random() < P["mover"]:
        step = 2 if rng.random() < P["move_two_junctions"] else 1
        p.second_area = min(len(AREAS) - 1, max(0, area + rng.choice([-step, step])))
        if p.second_area == area:
            p.second_area = None
    if rng.random() < P["name_change"]:
        p.new_surname = _surname(rng, "british", brit)
    return p


def _offender(rng, P, i, brit, area) -> Person:
    culture = rng.choices(list(P["offender_culture"]), weights=list(P["offender_culture"].values()))[0]
    c = CULTURES[culture]
    sex = "F" if rng.random() < P["offender_female"] else "M"
    fore = zipf_pick(rng, c["girl"] if sex == "F" else c["men"], P["forename_law"])
    lo, hi = P["offender_age"]
    dob = dt.date(2009, 6, 1) - dt.timedelta(days=int(365.25 * rng.randint(lo, hi)) + rng.randrange(365))
    p = Person(f"O{i:06d}", culture, sex, fore, _surname(rng, culture, brit), dob, area, rng.choice(c["eth"]))
    if rng.random() < P["street_name"]:
        p.street = rng.choice(STREET)
    return p


def build(seed: int, n_children: int, P: dict = PARAMS) -> tuple[list[Person], list[Person], list[Report]]:
    """Long because: children, families, offenders and groups, then every agency's reports, in one pass."""
    rng = random.Random(seed)
    brit = british_surnames(random.Random(seed * 7 + 1), P["british_tail"])
    children: list[Person] = []
    while len(children) < n_children:
        base = children[-1] if children and rng.random() < P["sibling"] + P["twin"] else None
        child = _child(rng, P, len(children), brit, base)
        if base and rng.random() < P["twin"] / (P["sibling"] + P["twin"]):
            child.dob = base.dob
            child.forename = zipf_pick(rng, CULTURES[child.culture]["girl" if child.sex == "F" else "boy"], 0.2)
        children.append(child)
    offenders: list[Person] = []
    groups: dict[int, list[list[Person]]] = {a: [] for a in range(len(AREAS))}
    for a in range(len(AREAS)):
        n_here = sum(1 for c in children if c.area == a)
        for _ in range(max(1, round(n_here * P["group_per_children"]))):
            g = [_offender(rng, P, len(offenders) + k, brit, a) for k in range(rng.randint(*P["group_size"]))]
            offenders += g
            groups[a].append(g)
            if rng.random() < P["group_next_area"]:
                groups[min(len(AREAS) - 1, a + 1) if a == 0 or rng.random() < 0.5 else a - 1].append(g)
    for c in children:
        if rng.random() < P["p_in_group"]:
            g = rng.choice(groups[c.area])
            c.offenders += rng.sample(g, min(len(g), rng.randint(*P["group_offenders"])))
        for _ in range(rng.choices([0, 1, 2], weights=P["lone_offenders_w"])[0]):
            o = _offender(rng, P, len(offenders), brit, c.area)
            offenders.append(o)
            c.offenders.append(o)
    return children, offenders, _reports(rng, P, children)


def _reports(rng, P, children) -> list[Report]:
    start, end = P["period"]
    span = (end - start).days
    by_id = {a[0]: a for a in AGENCIES}
    reports: list[Report] = []
    counter = [0]

    def add(agency_id, child, n=1):
        ag = by_id[agency_id]
        listed = P["offender_listed"][ag[2]]
        for _ in range(n):
            counter[0] += 1
            when = start + dt.timedelta(days=rng.randrange(span))
            offs = [o for o in child.offenders if rng.random() < listed]
            reports.append(Report(ag, child, f"{counter[0]:06d}", when, offs))

    def home(kind, area):
        return [a for a in AGENCIES if a[2] == kind and AREAS[area] in a[3] and a[0] not in HEALTH_LIKE
                and a[0] != "h5-charity-kinship"]

    for c in children:
        before = len(reports)
        if rng.random() < P["p_home_force"]:
            add(home("police", c.area)[0][0], c, rng.choices(P["force_cases"], weights=P["force_case_w"])[0])
        if rng.random() < P["p_home_council"]:
            add(home("lscb", c.area)[0][0], c, rng.choices(P["council_refs"], weights=P["council_ref_w"])[0])
        for aid, key in HEALTH_LIKE.items():
            if AREAS[c.area] in by_id[aid][3] and rng.random() < P[key]:
                add(aid, c)
        if c.culture == "gypsy_traveller" and rng.random() < P["p_grt_charity"]:
            add("h5-charity-kinship", c)
        elif rng.random() < P["p_charity"]:
            add(home("ngo", c.area)[0][0], c)
        if c.second_area is not None:
            if rng.random() < P["p_mover_force"]:
                add(home("police", c.second_area)[0][0], c)
            if rng.random() < P["p_mover_council"]:
                add(home("lscb", c.second_area)[0][0], c)
        if len(reports) == before:
            add(home("police", c.area)[0][0], c)
    return reports
