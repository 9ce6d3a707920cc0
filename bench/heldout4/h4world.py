"""The fourth held-out world: children, offenders and who reports whom. Every rate is in PARAMS.

Nine force areas: a metropolitan core (Calderbridge) bordering all eight others, which form a ring
(each borders the core and its two ring neighbours). 9 forces, 6 councils (one spanning three
forces), 4 charities. Children are reported by the forces, councils and charities of the areas
they live in; 30 % also live (moved or trafficked) in a neighbouring area. Offenders act alone or
in groups that abuse several children of an area (some groups work in two areas).
Written without reading cse_audit/synth/ or bench/heldout*/ generators.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from h4names import BENGALI_GIRL_SURNAMES, CULTURES, STREET_NAMES, fem_surname, surname, zipf_pick

PARAMS = {
    "female": 0.82,
    "age_at_first_case": {11: 4, 12: 8, 13: 14, 14: 20, 15: 22, 16: 18, 17: 10},
    "period": (dt.date(2008, 1, 1), dt.date(2011, 3, 31)),
    "mover": 0.30,                      # also lives in a neighbouring area
    "police_home": 0.68, "crimes": {1: 60, 2: 28, 3: 12},
    "council_home": 0.45, "referrals": {1: 80, 2: 20},
    "charity": 0.30,                    # a charity covering the area (or the second area) reports the child
    "police_second": 0.60, "council_second": 0.30,
    "culture_base": {"british": 42, "welsh": 8, "polish": 8, "romanian": 5, "somali": 7, "southasian": 14,
                     "traveller": 6, "vietnamese": 4, "mixed": 6},
    "area_boost": {"Glanmor": {"welsh": 12.0}, "Pennard Vale": {"welsh": 4.0}, "Calderbridge": {
        "somali": 2.0, "southasian": 1.5, "vietnamese": 2.0}, "Harrowfield": {"southasian": 2.5},
        "Saltfleet": {"polish": 2.5, "romanian": 2.5}, "Brackmoor": {"traveller": 3.0}},
    "core_extra": 0.4,                  # share of children placed in the core before the uniform draw
    # surnames: (share from the listed names, their Zipf exponent, the long tail's exponent); measured
    # at 4,200 children (siblings included): the commonest British surname 2 % of British children,
    # Welsh 11 %, South Asian 16 %, Somali 17 %, Traveller 18 %, Vietnamese (Nguyen) 43 %
    "surname_law": {"british": (0.12, 0.6, 0.5), "welsh": (0.5, 0.75, 0.5), "polish": (1, 0.5, 0),
                    "romanian": (1, 0.6, 0), "somali": (1, 0.7, 0), "southasian": (1, 0.75, 0),
                    "traveller": (1, 0.8, 0), "vietnamese": (1, 1.2, 0)},
    "zipf_forename": 0.55,
    "somali_swapped": 0.10,             # an agency keys a Somali child's two names the other way round
    "sibling": 0.06, "twin": 0.015,
    "stepfather_surname": 0.08,        # girls known later under a stepfather's surname
    "step_used": 0.6, "step_hyphenated": 0.2,
    "double_barrelled": 0.04, "double_part_only": 0.3,
    "own_surname_begum": 0.3,           # South Asian girls with a personal surname (Begum, Bibi)
    "begum_used": 0.5,
    "nickname": {"police": 0.06, "lscb": 0.12, "ngo": 0.35},
    "forename_typo": 0.015, "surname_typo": 0.025,
    "accents_kept": {"police": 0.0, "lscb": 0.5, "ngo": 0.7},
    "dob_swap": 0.03, "dob_year_typo": 0.02, "dob_day_off": 0.01,
    # offenders
    "group_child_share": 0.35, "children_per_group": 4.0, "group_size": {2: 20, 3: 25, 4: 20, 5: 15, 6: 10, 8: 10},
    "group_two_areas": 0.3, "lone_offenders": {0: 35, 1: 45, 2: 20},
    "offender_female": 0.05, "offender_street_name": 0.35,
    "offender_listed": {"police": 0.8, "lscb": 0.5, "ngo": 0.0},
    "group_members_per_child": (2, 5),  # how many of a group's men abuse one child (at most the group)
    # how an offender is named on a record (cumulative): nobody ("Unknown male"), a first name only,
    # his street name only (when he has one); else his full name
    "offender_unknown": 0.07, "offender_forename_only": 0.10, "offender_street_only": 0.13,
    "offender_age_form": {"decade": 35, "early/mid/late": 15, "range": 20, "exact": 30},
    "charity_age_form": {"exact": 50, "band": 35, "plus": 15},
    "viet_given_short": 0.3,            # "Thi Lan" written "Lan"
    # layouts (h4layouts.py)
    "police_dob_blank": 0.12, "police_age_when_blank": 0.6, "viet_family_first": 0.5, "witness_row": 0.1,
    "blank_row": 0.08, "council_placeholder": 0.12, "council_dob_unknown_text": 0.05, "council_dob_blank": 0.08,
    "charity_dob_given": 0.3, "lac": 0.35, "missing": 0.55, "offender_dob_given": {
        "h4-police-yearly": 0.6, "h4-police-crimes-csv": 0.5, "h4-police-by-offender": 0.7},
    "street_in_brackets": 0.4, "alias_column_filled": 0.5, "police_age_with_dob": 0.3, "council_csv_age": 0.5,
    "initials_dotted": 0.5,
}

AREAS = ["Calderbridge", "Glanmor", "Harrowfield", "Wendlesham", "Brackmoor", "Saltfleet", "Pennard Vale",
         "Oxley", "Thornbury Marches"]
RING = AREAS[1:]


def neighbours(area: str) -> list[str]:
    if area == AREAS[0]:
        return list(RING)
    i = RING.index(area)
    return [AREAS[0], RING[i - 1], RING[(i + 1) % len(RING)]]


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    kind: str            # police | lscb | ngo
    areas: tuple         # the home areas of the children it sees
    layout: str
    file: str


def _police(area: str, name: str, layout: str, ext: str) -> Agency:
    slug = area.lower().replace(" ", "-")
    return Agency(f"h4-police-{slug}", name, "police", (area,), layout, f"{name} CSE return.{ext}")


AGENCIES = [
    _police("Calderbridge", "Calderbridge Metropolitan Police", "h4-police-yearly", "xlsx"),
    _police("Glanmor", "Heddlu Glanmor Police", "h4-police-crimes-csv", "csv"),
    _police("Harrowfield", "Harrowfield Constabulary", "h4-police-by-offender", "xlsx"),
    _police("Wendlesham", "Wendlesham Police", "h4-police-crimes-csv", "csv"),
    _police("Brackmoor", "Brackmoor Constabulary", "h4-police-yearly", "xlsx"),
    _police("Saltfleet", "Saltfleet Police", "h4-police-by-offender", "xlsx"),
    _police("Pennard Vale", "Pennard Vale Police", "h4-police-crimes-csv", "csv"),
    _police("Oxley", "Oxley Constabulary", "h4-police-yearly", "xlsx"),
    _police("Thornbury Marches", "Thornbury Marches Police", "h4-police-crimes-csv", "csv"),
    Agency("h4-lscb-calderbridge", "Calderbridge City Council", "lscb", ("Calderbridge",), "h4-council-referrals",
           "Calderbridge City Council CSE referrals.xlsx"),
    Agency("h4-lscb-triborough", "Tri-Borough Children's Services", "lscb", ("Harrowfield", "Wendlesham", "Brackmoor"),
           "h4-council-referrals", "Tri-Borough Childrens Services CSE referrals.xlsx"),
    Agency("h4-lscb-saltfleet", "Saltfleet Council", "lscb", ("Saltfleet",), "h4-council-referrals",
           "Saltfleet Council CSE referrals.xlsx"),
    Agency("h4-lscb-glanmor", "Glanmor County Borough Council", "lscb", ("Glanmor",), "h4-council-children-csv",
           "Glanmor County Borough children.csv"),
    Agency("h4-lscb-oxley", "Oxley District Council", "lscb", ("Oxley",), "h4-council-children-csv",
           "Oxley District Council children.csv"),
    Agency("h4-lscb-pennard", "Pennard Vale Council", "lscb", ("Pennard Vale",), "h4-council-children-csv",
           "Pennard Vale Council children.csv"),
    Agency("h4-ngo-safesteps", "Safe Steps Outreach", "ngo", ("Calderbridge", "Glanmor", "Harrowfield"),
           "h4-charity-initials", "Safe Steps young people.csv"),
    Agency("h4-ngo-opendoor", "Open Door Project", "ngo", ("Saltfleet", "Pennard Vale", "Oxley"),
           "h4-charity-initials", "Open Door Project young people.csv"),
    Agency("h4-ngo-rowan", "Rowan Trust", "ngo", ("Calderbridge", "Wendlesham", "Brackmoor", "Thornbury Marches"),
           "h4-charity-casework", "Rowan Trust casework.xlsx"),
]


@dataclass
class Offender:
    pid: str
    forename: str
    surname: str
    dob: dt.date
    female: bool
    culture: str
    street: str | None


@dataclass
class Child:
    pid: str
    female: bool
    culture: str
    area: str
    area2: str | None
    dob: dt.date
    forename: str
    surname: str
    step_surname: str | None = None
    own_surname: str | None = None
    first_case: dt.date = dt.date(2008, 1, 1)
    offenders: list = field(default_factory=list)


@dataclass
class Report:
    """One agency's case about one child: becomes one or more rows of its return."""
    agency: Agency
    child: Child
    case_ref: str
    case_date: dt.date
    second_area: bool
    offenders: list


def _weighted(rng: random.Random, table: dict):
    return rng.choices(list(table), list(table.values()))[0]


def _culture(rng: random.Random, area: str) -> str:
    w = dict(PARAMS["culture_base"])
    for c, k in PARAMS["area_boost"].get(area, {}).items():
        w[c] *= k
    return _weighted(rng, w)


def _names(rng: random.Random, culture: str, female: bool) -> tuple[str, str]:
    pool_c = "british" if culture == "mixed" else culture
    pool = CULTURES[pool_c]
    fore = zipf_pick(rng, pool["girls" if female else "boys"], PARAMS["zipf_forename"])
    sur = surname(rng, pool_c, PARAMS["surname_law"])
    return fore, (fem_surname(pool_c, sur) if female else sur)


def _date_between(rng: random.Random, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange(max(1, (b - a).days + 1)))


def make_children(rng: random.Random, n: int) -> list[Child]:
    """Long because it is the children's story in order: family, names, dates, areas."""
    start, end = PARAMS["period"]
    kids: list[Child] = []
    while len(kids) < n:
        area = AREAS[0] if rng.random() < PARAMS["core_extra"] else rng.choice(AREAS)  # the core is the biggest
        culture = _culture(rng, area)
        female = rng.random() < PARAMS["female"]
        fore, sur = _names(rng, culture, female)
        if rng.random() < PARAMS["double_barrelled"] and culture in ("british", "welsh", "mixed"):
            sur = f"{sur}-{_names(rng, 'welsh' if rng.random() < 0.5 else 'british', False)[1]}"
        first = _date_between(rng, start, end)
        age = _weighted(rng, PARAMS["age_at_first_case"])
        dob = first - dt.timedelta(days=365 * age + rng.randrange(365))
        mover = rng.random() < PARAMS["mover"]
        child = Child(f"c{len(kids) + 1:05d}", female, culture, area,
                      rng.choice(neighbours(area)) if mover else None, dob, fore, sur, first_case=first)
        if female and rng.random() < PARAMS["stepfather_surname"]:
            child.step_surname = _names(rng, "british" if culture == "mixed" else culture, False)[1]
        if female and culture == "southasian" and rng.random() < PARAMS["own_surname_begum"]:
            child.own_surname = rng.choice(BENGALI_GIRL_SURNAMES)
        kids.append(child)
        roll = rng.random()
        if roll < PARAMS["twin"] + PARAMS["sibling"] and len(kids) < n:
            twin = roll < PARAMS["twin"]
            sib_female = rng.random() < PARAMS["female"]
            sib_fore = _names(rng, culture, sib_female)[0]
            if sib_fore == fore:
                continue
            gap = 0 if twin else rng.choice((-1, 1)) * (365 + rng.randrange(3 * 365))
            sib_dob = dob + dt.timedelta(days=gap)
            sib_first = min(end, max(start, first + dt.timedelta(days=rng.randrange(-200, 200))))
            if not 10 <= (sib_first - sib_dob).days // 365 <= 17:
                continue
            base = fem_surname(culture, sur.rstrip("a") + "i") if culture == "polish" and not sib_female \
                and sur.endswith(("ska", "cka")) else sur
            kids.append(Child(f"c{len(kids) + 1:05d}", sib_female, culture, area, child.area2, sib_dob,
                              sib_fore, fem_surname(culture, base) if sib_female else base, first_case=sib_first))
    return kids


def _offender(rng: random.Random, i: int, culture: str) -> Offender:
    female = rng.random() < PARAMS["offender_female"]
    pool_c = "british" if culture == "mixed" else culture
    pool = CULTURES[pool_c]
    fore = zipf_pick(rng, pool["girls"] if female else pool["men"], PARAMS["zipf_forename"])
    sur = surname(rng, pool_c, PARAMS["surname_law"])
    age = rng.choice(range(20, 52))
    dob = dt.date(2009 - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
    street = rng.choice(STREET_NAMES) if rng.random() < PARAMS["offender_street_name"] else None
    return Offender(f"o{i:05d}", fore, fem_surname(pool_c, sur) if female else sur, dob, female, pool_c, street)


def attach_offenders(rng: random.Random, kids: list[Child]) -> list[Offender]:
    """Groups per area (each abuses several of its children; some in a second area too), lone men."""
    offenders: list[Offender] = []
    groups: dict[str, list[list[Offender]]] = {a: [] for a in AREAS}
    for area in AREAS:
        n_area = sum(1 for k in kids if k.area == area)
        n_groups = max(1, round(n_area * PARAMS["group_child_share"] / PARAMS["children_per_group"]))
        for _ in range(n_groups):
            culture = rng.choice(("southasian", "british", "british", "polish", "romanian", "somali", "traveller",
                                  "vietnamese"))
            members = [_offender(rng, len(offenders) + j + 1, culture)
                       for j in range(_weighted(rng, PARAMS["group_size"]))]
            offenders += members
            groups[area].append(members)
            if rng.random() < PARAMS["group_two_areas"]:
                groups[rng.choice(neighbours(area))].append(members)
    for k in kids:
        if rng.random() < PARAMS["group_child_share"] and groups[k.area]:
            members = rng.choice(groups[k.area])
            k.offenders += rng.sample(members, min(len(members), rng.randint(*PARAMS["group_members_per_child"])))
        for _ in range(_weighted(rng, PARAMS["lone_offenders"])):
            o = _offender(rng, len(offenders) + 1, rng.choice((k.culture, "british", "british")))
            offenders.append(o)
            k.offenders.append(o)
    return offenders


def _agency_for(kind: str, area: str) -> list[Agency]:
    return [a for a in AGENCIES if a.kind == kind and area in a.areas]


def make_reports(rng: random.Random, kids: list[Child]) -> list[Report]:
    """Who reports each child: home force (a case per crime), home council (a case per referral),
    a charity, and the second area's force and council for movers; at least one report each."""
    end = PARAMS["period"][1]
    reports: list[Report] = []
    seq = {}

    def add(agency: Agency, child: Child, second: bool, date: dt.date):
        seq[agency.id] = seq.get(agency.id, 0) + 1
        share = PARAMS["offender_listed"][agency.kind]
        listed = [o for o in child.offenders if rng.random() < share]
        reports.append(Report(agency, child, f"{seq[agency.id]:05d}", date, second, listed))

    def dates(n: int, first: dt.date) -> list[dt.date]:
        return sorted(min(end, first + dt.timedelta(days=rng.randrange(0, 500) if i else 0)) for i in range(n))

    for k in kids:
        before = len(reports)
        for area, second in ((k.area, False), (k.area2, True)):
            if area is None:
                continue
            p_pol = PARAMS["police_second"] if second else PARAMS["police_home"]
            p_cou = PARAMS["council_second"] if second else PARAMS["council_home"]
            first = k.first_case if not second else min(end, k.first_case + dt.timedelta(days=rng.randrange(30, 400)))
            if rng.random() < p_pol:
                for d in dates(_weighted(rng, PARAMS["crimes"]), first):
                    add(_agency_for("police", area)[0], k, second, d)
            councils = _agency_for("lscb", area)
            if councils and rng.random() < p_cou:
                for d in dates(_weighted(rng, PARAMS["referrals"]), first):
                    add(councils[0], k, second, d)
        charities = _agency_for("ngo", k.area) + (_agency_for("ngo", k.area2) if k.area2 else [])
        if charities and rng.random() < PARAMS["charity"]:
            add(rng.choice(charities), k, False, min(end, k.first_case + dt.timedelta(days=rng.randrange(200))))
        if len(reports) == before:
            add(_agency_for("police", k.area)[0], k, False, k.first_case)
    return reports
