"""Generator profiles: what kinds of trouble the returns carry, as data.

``default`` is the generator as it always was (the shipped sample, byte-identical). ``hard``
adds what real returns do and the sample does not, so that linkage is scored on data it was
never tuned on (issue 16). Every number is a share (0..1) and is documented below; a profile
draws from its own random stream (``seed * 7919 + 16``), so the default profile's draws are
untouched.

hard:
    names.frequency       names drawn with realistic frequencies (rank weight 1/(rank + 10)),
                          never kept unique: two children may share a name, as in life; no
                          double-barrelling to stay unique; each pool is its listed names then a
                          long tail of rarer invented ones (names.TAILS), so two children share a
                          full name about as often as in life at every scale (short pools made
                          six different "Daria K."s among 20,000 children)
    names.barrel          share of people with a real double-barrelled surname
    extra_reports         share of children reported again by another council or charity of
                          their region (more records per child: the prior must follow)
    other_force           share of children also reported by a second police force (moved
                          between towns and force areas)
    council_other_force   share of council-reported children who are also known to the police
                          force of a neighbouring area (councils border more than one force)
    charity_undated       share of charity initials returns that give no referral date at all
                          (initials, sex and an age: the age is dated by the call's period)
    age_band              share of charity ages written as a band ("14-15")
    dob_omitted           share of a child's later records that leave the date of birth out
    dob_day_off           share of later records whose date of birth is a day off
    dob_swap              share of later records with day and month swapped (day <= 12)
    surname_typo          share of later records with one letter of the surname mistyped
    upper_case            share of records whose surname is written in capitals
    ethnicity_other       share of a person's later records (those that state an ethnicity)
                          that record another category: officer-perceived against self-defined,
                          a Mixed child seen as White or Black
    sex_other             share of later records with the other sex (a keying error)
"""

from __future__ import annotations

import random
import string

from .ethnicity import DETAILS, eth_expressible
from .model import Case, Gen, _near, _weighted

PROFILES: dict[str, dict] = {
    "default": {},
    "hard": {
        "names": {"frequency": True, "barrel": 0.03},
        "extra_reports": 0.30,
        "other_force": 0.08,
        "council_other_force": 0.10,
        "charity_undated": 0.6,
        "age_band": 0.15,
        "dob_omitted": 0.20,
        "dob_day_off": 0.05,
        "dob_swap": 0.04,
        "surname_typo": 0.06,
        "upper_case": 0.15,
        "ethnicity_other": 0.08,
        "sex_other": 0.005,
    },
}


def profile_params(name: str) -> dict:
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
    return PROFILES[name]


def _rng(g: Gen) -> random.Random:
    return random.Random(g.seed * 7919 + 16)


def structure(g: Gen, params: dict, rng: random.Random) -> None:
    """More reports per child: other councils/charities of the region, a second police force."""
    if not params:
        return
    police = {r: s["police"] for r, s in g.by_region.items() if s["police"] is not None}
    regions = sorted(police)
    for p in list(g.victims):
        slot = g.by_region[p.region]
        known = {r.agency.id for r in p.records}  # a second report comes from another agency
        others = [a for a in slot["lscb"] + [slot["ngo"]] if a is not None and a.id not in known]
        if others and rng.random() < params.get("extra_reports", 0):
            _report(g, p, rng.choice(others), rng)
        has_council = any(r.agency.source_type == "lscb" for r in p.records)
        share = params.get("other_force", 0) + (params.get("council_other_force", 0) if has_council else 0)
        if len(regions) > 1 and rng.random() < share:
            far = rng.choice([r for r in regions if r != p.region])
            _report(g, p, police[far], rng)


def _report(g: Gen, p, agency, rng: random.Random) -> None:
    case = Case(agency, _near(rng, p.primary.date))
    g.victim_rec(p, case)
    agency.cases.append(case)


def identity(g: Gen, params: dict, rng: random.Random) -> None:
    """Noise on what records say: DOB left out or mistyped, surnames mistyped or in capitals,
    charity returns without dates and with age bands."""
    if not params:
        return
    for a in g.agencies:
        if a.mapping == "ngo-initials-csv" and rng.random() < params.get("charity_undated", 0):
            a.undated = True
    for p in g.victims + g.offenders:
        for i, r in enumerate(p.records):
            if r.surname and rng.random() < params.get("upper_case", 0):
                r.surname = r.surname.upper()
            if i == 0:
                continue
            if r.surname and rng.random() < params.get("surname_typo", 0):
                r.surname = _typo(r.surname, rng)
            if r.dob is not None:
                x = rng.random()
                if x < params.get("dob_omitted", 0):
                    r.dob = None
                elif x < params.get("dob_omitted", 0) + params.get("dob_day_off", 0):
                    r.dob = r.dob.replace(day=r.dob.day + (1 if r.dob.day < 28 else -1))
                elif (x < params.get("dob_omitted", 0) + params.get("dob_day_off", 0) + params.get("dob_swap", 0)
                      and r.dob.day <= 12 and r.dob.day != r.dob.month):
                    r.dob = r.dob.replace(month=r.dob.day, day=r.dob.month)
            _other_attributes(r, params, rng)
            if (r.age is not None and r.agency.mapping == "ngo-initials-csv"
                    and rng.random() < params.get("age_band", 0)):
                lo = r.age - rng.randint(0, 1)
                r.raw = {**(r.raw or {}), "age": f"{lo}-{lo + 1}"}


def _other_attributes(r, params: dict, rng: random.Random) -> None:
    """A later record that says another ethnicity (one its layout can express) or sex."""
    if r.eth != "Unknown" and rng.random() < params.get("ethnicity_other", 0):
        others = [c for c in ("White", "Black", "Asian", "Mixed")
                  if c != r.eth and eth_expressible(r.agency.layout["eth"], c)]
        r.eth = rng.choice(others)
        r.detail = _weighted(rng, DETAILS[r.eth])
    if r.sex in ("Female", "Male") and rng.random() < params.get("sex_other", 0):
        r.sex = "Male" if r.sex == "Female" else "Female"


def _typo(name: str, rng: random.Random) -> str:
    """One letter substituted, dropped or two letters swapped (never the first letter)."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    kind = rng.random()
    if kind < 0.4:
        c = rng.choice(string.ascii_lowercase)
        return name[:i] + (c.upper() if name[i].isupper() else c) + name[i + 1:]
    if kind < 0.7:
        return name[:i] + name[i + 1:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]
