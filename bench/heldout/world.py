"""The held-out world: agencies, children, offenders and who reported whom.

Independent of cse_audit.synth; every rate is a parameter in PARAMS, chosen from what real
multi-agency returns do (see bench/heldout/README.md), not from the project's generator.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from names import BOYS, GIRLS, GIRLS_B, MEN, MEN_B, SURNAMES_B, WOMEN, Pool, SurnamePool

PERIOD = (dt.date(2008, 1, 1), dt.date(2011, 3, 31))  # the call for data (the tool's default)

PARAMS = {
    "p_police": 0.55,          # the home force reported the child
    "p_police_again": 0.15,    # ... for a second crime too (a second row in its return)
    "p_council": 0.28,         # the home council reported the child
    "p_charity": 0.22,         # a charity working in the child's force area reported the child
    "p_moved": 0.10,           # the child was also reported in another force area (moved / trafficked)
    "p_moved_council": 0.3,    # ... and by that area's council
    "p_namesake": 0.006,       # a child given the full name of an earlier child in the same force area
    "charity_twins": 2,        # per charity: children with another's initials, sex and age
    "p_hyphen": 0.05,          # double-barrelled surname
    "p_hyphen_part": 0.4,      # a source gives one part of a double-barrelled surname only
    "p_pool_b": 0.05,          # victims from the second (small) name pool; offenders: 0.3
    "p_surname_typo": 0.03,
    "p_forename_typo": 0.015,
    "p_nickname": 0.04,
    "p_dob_day": 0.025,        # DOB day off by one
    "p_dob_swap": 0.015,       # DOB day and month swapped (when both <= 12)
    "p_dob_year": 0.01,        # DOB year off by one
    "p_no_dob_police": 0.12, "p_no_dob_council": 0.25,
    "p_charity_age_off": 0.08,  # a charity's age one year out
    "offenders_per_child": [0.30, 0.36, 0.20, 0.09, 0.05],  # P(0, 1, 2, 3, 4 offenders)
    "p_offender_shared": 0.28,  # an offender of a child is one already abusing another child there
    "p_offender_listed_police": 0.85, "p_offender_listed_council": 0.5,
    "p_offender_dob": 0.5,      # police know an offender's DOB (else an age, or nothing)
    "p_alias": 0.03,            # an offender with an alias forename, used by one source in two
    "p_unknown_male": 0.05,     # a council writes "Unknown male" / a first name only
}


@dataclass
class Agency:
    id: str
    name: str
    source_type: str            # police | lscb | ngo
    layout: str
    forces: list[str]           # force areas it covers (first: its own)
    file: str
    area: str = ""


FORCES = ["Wexshire", "Northmoor", "Calder Vale", "Fenland Marches", "Ashby Coast"]
AGENCIES = [
    Agency("ho-police-wexshire", "Wexshire Constabulary", "police", "occ-xlsx", ["Wexshire"],
           "Wexshire Constabulary - Op Lantern CSE occurrences.xlsx"),
    Agency("ho-police-northmoor", "Northmoor Police", "police", "occ-xlsx", ["Northmoor"],
           "Northmoor Police - Op Lantern CSE occurrences.xlsx"),
    Agency("ho-police-ashby", "Ashby Coast Police", "police", "occ-xlsx", ["Ashby Coast"],
           "Ashby Coast Police - Op Lantern CSE occurrences.xlsx"),
    Agency("ho-police-calder", "Calder Vale Police", "police", "nominal-csv", ["Calder Vale"],
           "CaldervalePol_nominals_CSEflag.csv"),
    Agency("ho-police-fenland", "Fenland Marches Constabulary", "police", "nominal-csv", ["Fenland Marches"],
           "FenlandMarches_nominals_CSEflag.csv"),
    Agency("ho-cc-wexshire", "Wexshire County Council", "lscb", "cohort-xlsx", ["Wexshire"],
           "WCC CSE cohort 2008-2011.xlsx"),
    Agency("ho-bc-northmoor", "Northmoor Borough Council", "lscb", "cohort-xlsx", ["Northmoor"],
           "NBC CSE cohort 2008-2011.xlsx"),
    Agency("ho-uc-ashby", "Ashby Coast Unitary Council", "lscb", "cohort-xlsx", ["Ashby Coast", "Wexshire"],
           "ACUC CSE cohort 2008-2011.xlsx"),
    Agency("ho-mc-calder", "Calder Vale Metropolitan Council", "lscb", "casefile-csv", ["Calder Vale", "Northmoor"],
           "Calder Vale MC - children CSE casefile extract.csv"),
    Agency("ho-dc-fenland", "Fenland District Council", "lscb", "casefile-csv", ["Fenland Marches"],
           "Fenland DC - children CSE casefile extract.csv"),
    Agency("ho-ngo-lanternway", "Lanternway Young Peoples Trust", "ngo", "supported-ods", ["Wexshire", "Ashby Coast"],
           "Lanternway YPT - young people supported.ods"),
    Agency("ho-ngo-secondstep", "Second Step Runaways Service", "ngo", "supported-ods", ["Calder Vale"],
           "Second Step Runaways - young people supported.ods"),
    Agency("ho-ngo-harbourline", "Harbour Line Project", "ngo", "referrals-csv", ["Northmoor"],
           "harbour line referrals.csv"),
    Agency("ho-ngo-openroad", "Open Road Outreach", "ngo", "referrals-csv", ["Fenland Marches", "Ashby Coast"],
           "open road outreach referrals.csv"),
]
AREAS = {"ho-cc-wexshire": "Wexshire", "ho-bc-northmoor": "Northmoor Borough", "ho-uc-ashby": "Ashby Coast",
         "ho-mc-calder": "Calder Vale", "ho-dc-fenland": "Fenland District"}
for _a in AGENCIES:
    _a.area = AREAS.get(_a.id, _a.forces[0])


@dataclass
class Person:
    pid: str
    forename: str
    surname: str
    sex: str
    dob: dt.date
    force: str
    ethnicity: str
    alias: str | None = None
    council: Agency | None = None
    looked_after: bool = False
    missing: int = 0
    offenders: list = field(default_factory=list)


@dataclass
class Report:
    """One agency's record of one child (and the child's offenders it lists)."""
    agency: Agency
    child: Person
    case_date: dt.date
    offenders: list = field(default_factory=list)


def _date_between(rng, a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randrange((b - a).days + 1))


class World:
    def __init__(self, seed: int, children: int, params: dict | None = None):
        self.rng = rng = random.Random(seed)
        self.p = {**PARAMS, **(params or {})}
        self.girls, self.boys = Pool(GIRLS, 10, 1.0), Pool(BOYS, 8, 1.0)
        self.men, self.women = Pool(MEN, 8, 1.0), Pool(WOMEN, 4, 1.0)
        self.men_b, self.girls_b, self.sur_b = Pool(MEN_B, 2, 1.0), Pool(GIRLS_B, 2, 1.0), Pool(SURNAMES_B, 2, 1.0)
        self.surnames = SurnamePool(rng)
        self.children: list[Person] = []
        self.offenders: list[Person] = []
        self.reports: list[Report] = []
        self.by_agency = {a.id: a for a in AGENCIES}
        self.councils = [a for a in AGENCIES if a.source_type == "lscb"]
        self.stats = {"namesakes": 0, "charity_twins": 0, "movers": 0, "hyphenated": 0}
        for i in range(children):
            self.children.append(self._child(f"C{i + 1:05d}"))
        for c in list(self.children):
            self._report(c)
        self._charity_twins()

    # --- people -------------------------------------------------------------------------
    def _surname(self, pool_b: bool) -> str:
        rng = self.rng
        if pool_b:
            return self.sur_b.draw(rng)
        s = self.surnames.draw(rng)
        if rng.random() < self.p["p_hyphen"]:
            self.stats["hyphenated"] += 1
            s = f"{s}-{self.surnames.draw(rng)}"
        return s

    def _child(self, pid: str) -> Person:
        rng, p = self.rng, self.p
        council = rng.choice(self.councils)
        force = council.forces[0] if rng.random() < 0.7 else rng.choice(council.forces)
        sex = "F" if rng.random() < 0.86 else "M"
        pool_b = rng.random() < p["p_pool_b"]
        fore = (self.girls_b if pool_b else self.girls) if sex == "F" else (self.men_b if pool_b else self.boys)
        child = Person(pid, fore.draw(rng), self._surname(pool_b), sex,
                       _date_between(rng, dt.date(1992, 4, 1), dt.date(1998, 9, 30)), force,
                       "p" if pool_b else rng.choices("wikmo", [88, 2, 3, 5, 2])[0], council=council,
                       looked_after=rng.random() < 0.22,
                       missing=rng.choices([0, 1, 2, 5, 12], [40, 20, 15, 15, 10])[0])
        same_area = [c for c in self.children if c.force == force and c.sex == sex]
        if same_area and rng.random() < p["p_namesake"]:
            twin = rng.choice(same_area)
            child.forename, child.surname = twin.forename, twin.surname
            self.stats["namesakes"] += 1
        return child

    def _offender(self, force: str) -> Person:
        rng = self.rng
        male = rng.random() < 0.92
        pool_b = rng.random() < 0.25
        fore = (self.men_b if pool_b else self.men) if male else self.women
        o = Person(f"O{len(self.offenders) + 1:05d}", fore.draw(rng), self._surname(pool_b), "M" if male else "F",
                   _date_between(rng, dt.date(1950, 1, 1), dt.date(1992, 1, 1)), force,
                   "p" if pool_b else rng.choices("wikmo", [80, 3, 8, 6, 3])[0])
        if rng.random() < self.p["p_alias"]:
            o.alias = fore.draw(rng)
        self.offenders.append(o)
        return o

    # --- who reported whom ---------------------------------------------------------------
    def _agencies(self, kind: str, force: str) -> list[Agency]:
        return [a for a in AGENCIES if a.source_type == kind and force in a.forces]

    def _report(self, c: Person) -> None:
        rng, p = self.rng, self.p
        k = rng.choices(range(5), p["offenders_per_child"])[0]
        pool = [o for o in self.offenders if o.force == c.force]
        for _ in range(k):
            o = rng.choice(pool) if pool and rng.random() < p["p_offender_shared"] else self._offender(c.force)
            if o not in c.offenders:
                c.offenders.append(o)
        chosen: list[Agency] = []
        police = self._agencies("police", c.force)
        if rng.random() < p["p_police"]:
            chosen.append(police[0])
            if rng.random() < p["p_police_again"]:
                chosen.append(police[0])
        if rng.random() < p["p_council"]:
            chosen.append(c.council)
        charities = self._agencies("ngo", c.force)
        if charities and rng.random() < p["p_charity"]:
            chosen.append(rng.choice(charities))
        if rng.random() < p["p_moved"]:
            self.stats["movers"] += 1
            other = rng.choice([f for f in FORCES if f != c.force])
            chosen.append(self._agencies("police", other)[0])
            if rng.random() < p["p_moved_council"]:
                chosen.append(rng.choice(self._agencies("lscb", other)))
        if not chosen:
            chosen.append(police[0])
        for a in chosen:
            listed = {"police": p["p_offender_listed_police"], "lscb": p["p_offender_listed_council"]}.get(a.source_type, 0)
            self.reports.append(Report(a, c, self._case_date(c),
                                       [o for o in c.offenders if rng.random() < listed]))

    def _case_date(self, c: Person) -> dt.date:
        """A date in the period at which the child was 11 to 17 (CSE referrals are of under-18s)."""
        for _ in range(50):
            d = _date_between(self.rng, *PERIOD)
            age = d.year - c.dob.year - ((d.month, d.day) < (c.dob.month, c.dob.day))
            if 11 <= age <= 17:
                return d
        return d

    def _charity_twins(self) -> None:
        """Children in one charity's return with another child's initials, sex and age."""
        rng = self.rng
        for a in (a for a in AGENCIES if a.source_type == "ngo"):
            mine = [r for r in self.reports if r.agency is a]
            for r in rng.sample(mine, min(self.p["charity_twins"], len(mine))):
                c = r.child
                pool = self.girls if c.sex == "F" else self.boys
                fore = next((n for n in (pool.draw(rng) for _ in range(500)) if n[0] == c.forename[0]), c.forename)
                sur = next((n for n in (self.surnames.draw(rng) for _ in range(2000))
                            if n[0] == c.surname[0] and n != c.surname), c.surname)
                twin = Person(f"C{len(self.children) + 1:05d}", fore, sur, c.sex,
                              c.dob + dt.timedelta(days=rng.randrange(-120, 120)), c.force, c.ethnicity,
                              council=c.council)
                self.children.append(twin)
                self.reports.append(Report(a, twin, r.case_date))
                if rng.random() < 0.5:
                    self.reports.append(Report(self._agencies("police", c.force)[0], twin, self._case_date(twin)))
                self.stats["charity_twins"] += 1
