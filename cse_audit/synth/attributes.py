"""Phase 3: each person's true attributes (ethnicity, looked after, identified, sex, names,
missing episodes, ages and dates of birth), with the exact CEOP counts.

Separate because the counts are capability-aware: a value is only given to a person at least
one of whose records can say it (IC codes have no Mixed; some layouts have no looked-after or
identified column), which needs the cases and offenders of phases 1 and 2. Draws from
`g.rng` in the order `generator.build` calls it.
"""

from __future__ import annotations

from collections import defaultdict

from .ethnicity import DETAILS, eth_expressible
from .figures import TARGETS
from .model import Gen, Person, _assign, _counts, _dob_for, _scaled, _weighted
from .names import initials, name_pool


def attributes(g: Gen) -> None:
    """Children first, then offenders (the order of the draws is the output)."""
    _victim_attributes(g)
    _offender_attributes(g)


def _systems(p: Person) -> set[str]:
    return {r.agency.layout["eth"] for r in p.records}


def _can_eth(p: Person, v: str) -> bool:
    return any(eth_expressible(sy, v) for sy in _systems(p))


def _has(p: Person, key: str) -> bool:
    return any(r.agency.layout[key] for r in p.records)


def _victim_attributes(g: Gen) -> None:
    rng, s = g.rng, g.scale
    v = g.victims
    _assign(rng, v, "eth", _scaled(TARGETS["victims_ethnicity"], s), _can_eth, notes=g.notes)
    lac_yes = round(TARGETS["victims_looked_after_yes"] * s)
    lac_no = round(640 * s)
    _assign(rng, v, "lac", {"Yes": lac_yes, "No": lac_no, "Unknown": 0},
            lambda p, _v: _has(p, "lac"), order=["Yes", "No"], notes=g.notes)
    # Children a charity reports by initials and age only are named first, so that no
    # other child of their area shares their initials at a similar age: an initials-only
    # record can then be linked to one child only.
    initials_only = {p.pid for p in v
                     if any(r.agency.mapping == "ngo-initials-csv" for r in p.records)}
    taken = defaultdict(list)      # (region, initials) -> ages of initials-only children

    def clash(p: Person):
        return lambda f, s: any(abs(age - p.age) <= 3
                                for age in taken[(p.region, initials(f, s))])

    for p in sorted(v, key=lambda p: p.pid not in initials_only):
        p.detail = _weighted(rng, DETAILS[p.eth]) if p.eth != "Unknown" else None
        p.forename, p.surname = g.names.take(name_pool(p.eth, p.detail, rng), p.female,
                                             clash(p) if g.names.strict else None)
        if p.pid in initials_only:
            taken[(p.region, initials(p.forename, p.surname))].append(p.age)
        if p.missing == "Reported missing":
            p.episodes = min(60, 1 + int(rng.expovariate(1 / 4)))
            if _has(p, "mfrom"):
                care = 0.55 if p.lac == "Yes" else 0.08
                p.mfrom = _weighted(rng, [("Home", 1 - care), ("Care", care * 0.7),
                                          ("Both", care * 0.3), ("Unknown", 0.2)])
        elif p.missing == "Not reported missing":
            p.episodes = 0


def _offender_attributes(g: Gen) -> None:
    rng, s = g.rng, g.scale
    o = g.offenders
    n_yes = round(TARGETS["offenders_identified"] * s)
    _assign(rng, o, "ident", {"Yes": n_yes, "No": round(1050 * s), "Unknown": 0},
            lambda p, _v: _has(p, "ident"), order=["Yes", "No"], notes=g.notes)
    yes = [p for p in o if p.ident == "Yes"]
    rest = [p for p in o if p.ident != "Yes"]
    _assign(rng, yes, "eth", _scaled(TARGETS["offenders_identified_ethnicity"], s), _can_eth,
            notes=g.notes)
    shares = {"White": 25, "Asian": 17, "Black": 3, "Other": 1, "Mixed": 0.8, "Chinese": 0.3,
              "Unknown": 52.9}
    _assign(rng, rest, "eth", _counts(len(rest), shares), _can_eth, notes=g.notes)
    _assign(rng, o, "sex", _counts(len(o), {"Male": 92, "Female": 2.5, "Unknown": 5.5}))
    used = set()
    for p in o:
        if p.eth != "Unknown":
            p.detail = _weighted(rng, DETAILS[p.eth] if p.eth != "Asian" else
                                 [("Pakistani", 75), ("Bangladeshi", 9), ("Indian", 6),
                                  ("Any other Asian", 10)])
        p.female = p.sex == "Female" or (p.sex == "Unknown" and p.female)
        p.forename, p.surname = g.names.take(name_pool(p.eth, p.detail, rng), p.female)
        p.age = _weighted(rng, [(rng.randint(14, 17), 7), (rng.randint(18, 24), 53),
                                (rng.randint(25, 29), 16), (rng.randint(30, 34), 9),
                                (rng.randint(35, 44), 9), (rng.randint(45, 62), 6)])
        for _ in range(50):     # as for children: initial and dob unique in an area
            p.dob = _dob_for(rng, p.age, p.primary.date)
            if (p.region, p.forename[:1], p.dob) not in used:
                break
        used.add((p.region, p.forename[:1], p.dob))
