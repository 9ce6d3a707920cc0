"""The third held-out world: six invented force areas, 14 agencies, children and offenders, and the
records each agency holds about them (true values plus that agency's noise). Every rate is in PARAMS.

Independent of cse_audit/synth and bench/heldout: written from README.md, docs/ and what real UK
returns look like. h3layouts.py turns the records into files.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from h3names import (
    ASIAN_GIRLS,
    ASIAN_MEN,
    EASTERN_GIRLS,
    EASTERN_MEN,
    VARIANTS,
    Pool,
    build_pools,
    gaelic_variant,
    ocr,
    strip_accents,
    typo,
)

PARAMS = {
    "girls": 0.80,
    "age_weights": {10: 1, 11: 3, 12: 6, 13: 12, 14: 18, 15: 18, 16: 12, 17: 6},
    # community: share of children, share of offenders
    "communities": {"british": (0.60, 0.44), "gaelic": (0.12, 0.10), "eastern": (0.07, 0.10),
                    "roma": (0.06, 0.04), "asian": (0.10, 0.28), "two_word": (0.02, 0.02),
                    "double": (0.03, 0.02)},
    "siblings": 0.05, "twins": 0.01, "namesakes": 0.01,
    "police_p": 0.62, "crimes": [0.64, 0.23, 0.09, 0.04],      # 1, 2, 3, 4 crimes, one row each
    "council_p": 0.45, "referrals": [0.68, 0.24, 0.08],        # 1, 2, 3 referrals, one row each
    "charity_p": 0.32,
    "moved": 0.20, "moved_police_p": 0.75, "moved_council_p": 0.40,
    # noise per record
    "forename_variant": 0.08, "surname_typo": 0.03, "forename_typo": 0.015, "double_one_part": 0.35,
    "gaelic_variant": 0.35, "two_word_joined": 0.30, "masculine_ending": 0.20,
    "dob_day_off": 0.02, "dob_swap": 0.02, "dob_year_off": 0.01, "age_off": 0.10,
    "offenders_per_child": [0.30, 0.35, 0.20, 0.10, 0.05], "offender_known": 0.40,
    "police_lists_offender": 0.80, "council_lists_offender": 0.50,
    "street_name": 0.30, "street_name_used": 0.20,   # offenders with a street name; records that give it
}

AREAS = ["Merrowdale", "Kestrel Vale", "Tamarside", "Hollinshire", "Ravensmere", "Dunmore Coast"]
AREA_WEIGHT = [0.22, 0.18, 0.17, 0.13, 0.17, 0.13]
NEIGHBOURS = {"Merrowdale": ["Kestrel Vale", "Hollinshire"], "Kestrel Vale": ["Merrowdale", "Ravensmere"],
              "Tamarside": ["Hollinshire", "Dunmore Coast"], "Hollinshire": ["Tamarside", "Merrowdale"],
              "Ravensmere": ["Kestrel Vale", "Dunmore Coast"], "Dunmore Coast": ["Ravensmere", "Tamarside"]}
TIGHT_AREAS = {"roma": ["Ravensmere", "Tamarside"], "asian": ["Merrowdale", "Kestrel Vale", "Ravensmere"]}
START, END = dt.date(2008, 1, 1), dt.date(2011, 3, 31)


@dataclass
class Agency:
    id: str
    name: str
    source_type: str          # police | lscb | ngo
    area: str
    covers: list[str]         # force areas whose children it sees
    layout: str
    file_name: str
    quirks: dict = field(default_factory=dict)


AGENCIES = [
    Agency("h3-pol-merrowdale", "Merrowdale Constabulary", "police", "Merrowdale", ["Merrowdale"], "police_crimes",
           "Merrowdale Constabulary CSE flagged crimes.xlsx"),
    Agency("h3-pol-tamarside", "Tamarside Police", "police", "Tamarside", ["Tamarside"], "police_crimes",
           "Tamarside Police CSE flagged crimes.xlsx"),
    Agency("h3-pol-hollinshire", "Hollinshire Constabulary", "police", "Hollinshire", ["Hollinshire"],
           "police_crimes", "Hollinshire Constabulary CSE flagged crimes.xls"),
    Agency("h3-pol-dunmore", "Dunmore Coast Police", "police", "Dunmore Coast", ["Dunmore Coast"], "police_crimes",
           "Dunmore Coast Police CSE flagged crimes.xlsx"),
    Agency("h3-pol-kestrel", "Kestrel Vale Police", "police", "Kestrel Vale", ["Kestrel Vale"], "police_involvements",
           "KVP involvements extract.csv", {"us_dates": True}),
    Agency("h3-pol-ravensmere", "Ravensmere Police", "police", "Ravensmere", ["Ravensmere"], "police_involvements",
           "RAVP involvements extract.csv"),
    Agency("h3-cc-merrowdale", "Merrowdale City Council", "lscb", "Merrowdale City", ["Merrowdale"],
           "council_referrals", "Merrowdale City Council CSE referrals.xlsx", {"placeholder_dob": 0.10}),
    Agency("h3-bc-tamarside", "Tamarside Borough Council", "lscb", "Tamarside Borough", ["Tamarside", "Hollinshire"],
           "council_referrals", "Tamarside Borough Council CSE referrals.xlsx", {"placeholder_dob": 0.10}),
    Agency("h3-cc-kestrel", "Kestrel Vale County Council", "lscb", "Kestrel Vale", ["Kestrel Vale"],
           "council_referrals", "Kestrel Vale County Council CSE referrals.xlsx",
           {"placeholder_dob": 0.10, "names_swapped": True}),
    Agency("h3-mbc-ravensmere", "Ravensmere Metropolitan Borough Council", "lscb", "Ravensmere", ["Ravensmere"],
           "council_ods", "Ravensmere MBC exploitation cases.ods", {"ocr": 0.15}),
    Agency("h3-dc-dunmore", "Dunmore District Council", "lscb", "Dunmore District", ["Dunmore Coast"],
           "council_ods", "Dunmore DC exploitation cases.ods"),
    Agency("h3-ngo-bridgeway", "Bridgeway Young Peoples Project", "ngo", "Merrowdale", ["Merrowdale", "Kestrel Vale"],
           "charity_firstname", "Bridgeway YPP young people list.csv"),
    Agency("h3-ngo-kite", "Northern Kite Trust", "ngo", "Ravensmere", ["Ravensmere", "Dunmore Coast"],
           "charity_firstname", "Northern Kite Trust young people list.csv"),
    Agency("h3-ngo-amberlane", "Amber Lane Trust", "ngo", "Tamarside", ["Tamarside", "Hollinshire"],
           "charity_initials", "Amber Lane Trust referrals 2008-11.xlsx", {"placeholder_dob": 0.40}),
]


def pick(rng: random.Random, weights) -> int:
    """Index drawn with the given weights."""
    return rng.choices(range(len(weights)), weights=weights)[0]


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass
class Person:
    pid: str
    forename: str
    surname: str
    sex: str
    dob: dt.date
    area: str
    community: str
    ethnicity: str            # a detailed group; layouts.py codes it per layout
    first_case: dt.date | None = None
    offenders: list = field(default_factory=list)
    nickname: str | None = None


class World:
    """All people and records for one seed. `records[kind]` holds one dict per record, keyed by agency."""

    def __init__(self, seed: int, children: int):
        self.rng = random.Random(seed)
        self.pools = build_pools(seed)
        self.local_pools = {}  # (community, sex) -> Pool of the community's own forenames
        self.children: list[Person] = []
        self.offenders: list[Person] = []
        self.area_offenders: dict[str, list[Person]] = {a: [] for a in AREAS}
        self.records: dict[str, list[dict]] = {a.id: [] for a in AGENCIES}
        self.stats = {"children": 0, "offenders": 0, "movers": 0, "siblings": 0, "twins": 0, "namesakes": 0}
        self._make_children(children)
        for child in self.children:
            self._make_offenders(child)
        for child in self.children:
            self._report(child)

    # --- people --------------------------------------------------------------------------------
    def _surname(self, community: str, area: str, sex: str) -> str:
        rng, p = self.rng, self.pools
        if community == "double":
            a, b = p["british"].draw(rng), p["british"].draw(rng)
            name = f"{a}-{b}" if a != b else a
        else:
            name = p[community].draw(rng)
        if sex == "F" and community in ("eastern", "roma"):
            name = name.replace("owski", "owska").replace("ęcki", "ęcka")
            if name.endswith(("ek", "áš", "ár", "ovič", "áth", "áh", "atoš")):
                name += "ová"
        return name

    def _forename(self, community: str, sex: str, adult: bool) -> str:
        rng, p = self.rng, self.pools
        local = {"asian": {"F": ASIAN_GIRLS, "M": ASIAN_MEN}, "eastern": {"F": EASTERN_GIRLS, "M": EASTERN_MEN},
                 "roma": {"F": EASTERN_GIRLS, "M": EASTERN_MEN}}
        if community in local and rng.random() < (0.75 if adult else 0.6):  # else a name of the town at large
            key = (community, sex)
            if key not in self.local_pools:  # a community's own names, steeper than the town's: namesakes
                self.local_pools[key] = Pool(local[community][sex], 0.8, 6)
            return self.local_pools[key].draw(rng)
        pool = ("women" if sex == "F" else "men") if adult else ("girls" if sex == "F" else "boys")
        return p[pool].draw(rng)

    def _ethnicity(self, community: str) -> str:
        rng = self.rng
        if community == "asian":
            return rng.choice(["Pakistani"] * 6 + ["Bangladeshi", "Indian", "Kashmiri"])
        if community == "eastern":
            return rng.choice(["Polish", "Slovak", "Czech", "Any other White"])
        if community == "roma":
            return "Roma"
        if community == "gaelic":
            return rng.choice(["White Irish", "White British", "White British"])
        r = rng.random()
        return ("White British" if r < 0.86 else "White and Black Caribbean" if r < 0.93
                else "Black Caribbean" if r < 0.97 else "Chinese")

    def _new_child(self, pid: str, area: str, community: str) -> Person:
        rng = self.rng
        sex = "F" if rng.random() < PARAMS["girls"] else "M"
        ages = PARAMS["age_weights"]
        first = rand_date(rng, START, END)
        age = list(ages)[pick(rng, list(ages.values()))]
        dob = years_before(first, age) - dt.timedelta(days=rng.randrange(365))
        return Person(pid, self._forename(community, sex, False), self._surname(community, area, sex), sex, dob,
                      area, community, self._ethnicity(community), first)

    def _make_children(self, n: int) -> None:
        rng, comms = self.rng, PARAMS["communities"]
        names, shares = list(comms), [v[0] for v in comms.values()]
        while len(self.children) < n:
            pid = f"C{len(self.children) + 1:06d}"
            community = names[pick(rng, shares)]
            area = (rng.choice(TIGHT_AREAS[community]) if community in TIGHT_AREAS
                    else AREAS[pick(rng, AREA_WEIGHT)])
            child = self._new_child(pid, area, community)
            r = rng.random()
            if self.children and r < PARAMS["siblings"] + PARAMS["twins"]:
                sib = rng.choice(self.children[-50:])  # a brother or sister of a recent child
                child.surname, child.area, child.community = sib.surname, sib.area, sib.community
                child.ethnicity = sib.ethnicity
                if r < PARAMS["twins"]:
                    child.dob, child.first_case = sib.dob, sib.first_case
                    self.stats["twins"] += 1
                else:
                    child.dob = sib.dob + dt.timedelta(days=rng.choice([-1, 1]) * rng.randrange(400, 1100))
                    self.stats["siblings"] += 1
                while child.forename == sib.forename:
                    child.forename = self._forename(child.community, child.sex, False)
            elif self.children and r < PARAMS["siblings"] + PARAMS["twins"] + PARAMS["namesakes"]:
                same = [c for c in self.children[-200:] if c.area == area and c.sex == child.sex]
                if same:
                    other = rng.choice(same)
                    child.forename, child.surname, child.community = other.forename, other.surname, other.community
                    self.stats["namesakes"] += 1
            self.children.append(child)
        self.stats["children"] = len(self.children)

    def _make_offenders(self, child: Person) -> None:
        rng, comms = self.rng, PARAMS["communities"]
        names, shares = list(comms), [v[1] for v in comms.values()]
        known = self.area_offenders[child.area]
        for _ in range(pick(rng, PARAMS["offenders_per_child"])):
            if known and rng.random() < PARAMS["offender_known"]:
                off = rng.choice(known[-30:])  # a group working in this area
                if off in child.offenders:
                    continue
            else:
                community = names[pick(rng, shares)]
                sex = "M" if rng.random() < 0.93 else "F"
                age = int(min(60, 17 + rng.gammavariate(2.2, 4.5)))
                dob = years_before(child.first_case, age) - dt.timedelta(days=rng.randrange(365))
                off = Person(f"O{len(self.offenders) + 1:06d}", self._forename(community, sex, True),
                             self._surname(community, child.area, sex), sex, dob, child.area, community,
                             self._ethnicity(community))
                if rng.random() < PARAMS["street_name"]:
                    off.nickname = rng.choice(["Mo", "Taz", "Boss", "Kash", "Jay", "Bigz", "Saj", "Dee"])
                self.offenders.append(off)
                known.append(off)
            child.offenders.append(off)
        self.stats["offenders"] = len(self.offenders)

    # --- records -----------------------------------------------------------------------------
    def _agencies(self, source_type: str, area: str) -> list[Agency]:
        return [a for a in AGENCIES if a.source_type == source_type and area in a.covers]

    def _report(self, child: Person) -> None:
        rng, P = self.rng, PARAMS
        made = 0
        made += self._report_area(child, child.area, P["police_p"], P["council_p"], P["charity_p"], home=True)
        if rng.random() < P["moved"]:
            self.stats["movers"] += 1
            other = rng.choice(NEIGHBOURS[child.area])
            made += self._report_area(child, other, P["moved_police_p"], P["moved_council_p"], 0.0, home=False)
        if not made:  # every child in the world was reported by someone: the home force
            self._police(child, self._agencies("police", child.area)[0], home=True)

    def _report_area(self, child, area, p_pol, p_cc, p_ngo, home) -> int:
        rng, made = self.rng, 0
        for agency in self._agencies("police", area):
            if rng.random() < p_pol:
                made += self._police(child, agency, home)
        councils = self._agencies("lscb", area)
        if councils and rng.random() < p_cc:
            made += self._council(child, rng.choice(councils))
        charities = self._agencies("ngo", area)
        if charities and rng.random() < p_ngo:
            made += self._charity(child, rng.choice(charities))
        return made

    def _case_date(self, child: Person, spread_days: int) -> dt.date:
        d = child.first_case + dt.timedelta(days=self.rng.randrange(spread_days))
        return min(d, END)

    def _police(self, child, agency, home) -> int:
        rng = self.rng
        n = 1 + pick(rng, PARAMS["crimes"]) if home else 1 + (rng.random() < 0.3)
        for _ in range(n):
            day = self._case_date(child, 300)
            rec = self.victim_record(child, agency, day)
            rec["offenders"] = [self.offender_record(o, agency, day) for o in child.offenders
                                if rng.random() < PARAMS["police_lists_offender"]]
            self.records[agency.id].append(rec)
        return n

    def _council(self, child, agency) -> int:
        rng = self.rng
        n = 1 + pick(rng, PARAMS["referrals"])
        for _ in range(n):
            day = self._case_date(child, 400)
            rec = self.victim_record(child, agency, day)
            rec["offenders"] = [self.offender_record(o, agency, day) for o in child.offenders
                                if rng.random() < PARAMS["council_lists_offender"]]
            self.records[agency.id].append(rec)
        return n

    def _charity(self, child, agency) -> int:
        rec = self.victim_record(child, agency, self._case_date(child, 200))
        rec["offenders"] = []
        self.records[agency.id].append(rec)
        return 1

    def noisy_names(self, person: Person, agency: Agency) -> tuple[str, str]:
        """Forename and surname as this agency wrote them."""
        rng, P = self.rng, PARAMS
        fn, sn = person.forename, person.surname
        if fn in VARIANTS and rng.random() < P["forename_variant"]:
            fn = rng.choice(VARIANTS[fn])
        if rng.random() < P["forename_typo"]:
            fn = typo(fn, rng)
        if "-" in sn and rng.random() < P["double_one_part"]:
            sn = rng.choice(sn.split("-"))
        elif " " in sn and rng.random() < P["two_word_joined"]:
            sn = sn.replace(" ", "") if rng.random() < 0.6 else sn.split(" ")[-1]
        if person.community == "gaelic" and rng.random() < P["gaelic_variant"]:
            sn = gaelic_variant(sn, rng)
        if person.community in ("eastern", "roma"):
            if sn.endswith(("owska", "ęcka", "ová")) and rng.random() < P["masculine_ending"]:
                sn = sn.replace("owska", "owski").replace("ęcka", "ęcki").removesuffix("ová")
            if agency.source_type == "police" or rng.random() < 0.5:
                sn, fn = strip_accents(sn), strip_accents(fn)
        if rng.random() < P["surname_typo"]:
            sn = typo(sn, rng)
        if agency.quirks.get("ocr") and rng.random() < agency.quirks["ocr"]:
            if rng.random() < 0.5:
                sn = ocr(sn, rng)
            else:
                fn = ocr(fn, rng)
        return fn, sn

    def noisy_dob(self, dob: dt.date) -> dt.date:
        rng, P = self.rng, PARAMS
        r = rng.random()
        if r < P["dob_day_off"]:
            return dob + dt.timedelta(days=rng.choice([-1, 1]))
        if r < P["dob_day_off"] + P["dob_swap"] and dob.day <= 12 and dob.day != dob.month:
            return dob.replace(month=dob.day, day=dob.month)
        if r < P["dob_day_off"] + P["dob_swap"] + P["dob_year_off"]:
            return dob.replace(year=dob.year + rng.choice([-1, 1]), day=min(dob.day, 28))
        return dob

    def victim_record(self, child: Person, agency: Agency, day: dt.date) -> dict:
        fn, sn = self.noisy_names(child, agency)
        age = age_on(child.dob, day)
        if agency.source_type == "ngo" and self.rng.random() < PARAMS["age_off"]:
            age += self.rng.choice([-1, 1])
        return {"pid": child.pid, "forename": fn, "surname": sn, "dob": self.noisy_dob(child.dob), "age": age,
                "true_dob": child.dob, "sex": child.sex, "ethnicity": child.ethnicity, "date": day,
                "person": child}

    def offender_record(self, off: Person, agency: Agency, day: dt.date) -> dict:
        fn, sn = self.noisy_names(off, agency)
        if off.nickname and self.rng.random() < PARAMS["street_name_used"]:
            fn = off.nickname  # known by a street name
        return {"pid": off.pid, "forename": fn, "surname": sn, "dob": self.noisy_dob(off.dob),
                "age": age_on(off.dob, day), "sex": off.sex, "ethnicity": off.ethnicity, "date": day,
                "person": off}
