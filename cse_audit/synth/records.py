"""Phase 4: what each record says - the person's true values spread over their records (some
say Unknown), the identity each record carries (spelling variants, nicknames, a transposed
date of birth, an age instead of a date), and each agency's case and person references.

Separate because this is where one true person becomes several imperfect records: the noise
the linkage has to see through. Draws from `g.rng` in the order `generator.build` calls it.
"""

from __future__ import annotations

import datetime as dt
import random

from .ethnicity import eth_expressible
from .model import Gen, Person, Rec, _age_at
from .names import F_VARIANTS, S_VARIANTS

AGE_LAYOUTS = {"police-flat-export", "ngo-initials-csv", "ngo-ods"}


def realise(g: Gen) -> None:
    """Every record's coded values and identity, person by person."""
    rng = g.rng
    for p in g.victims + g.offenders:
        recs = p.records
        lay = [r.agency.layout for r in recs]
        _spread(rng, p, recs, "sex", p.sex, [True] * len(recs), 0.85)
        _spread(rng, p, recs, "eth", p.eth,
                [eth_expressible(la["eth"], p.eth) for la in lay], 0.75)
        if p.kind == "victim":
            _spread(rng, p, recs, "missing", p.missing, [True] * len(recs), 0.7,
                    conflict="Not reported missing" if p.missing == "Reported missing"
                    else None)
            _spread(rng, p, recs, "lac", p.lac, [la["lac"] for la in lay], 0.7,
                    conflict="No" if p.lac == "Yes" else None)
            _spread(rng, p, recs, "mfrom", p.mfrom, [la["mfrom"] for la in lay], 0.8)
            for r in recs:
                r.episodes = (p.episodes if r.missing == p.missing else
                              0 if r.missing == "Not reported missing" else None)
                if r.missing == "Reported missing" and r.episodes is None:
                    r.episodes = p.episodes
                if r.missing != "Reported missing":
                    r.mfrom = "Unknown"
        else:
            _spread(rng, p, recs, "ident", p.ident, [la["ident"] for la in lay], 0.8,
                    conflict="No" if p.ident == "Yes" else None)
        for i, r in enumerate(recs):
            _identity(p, r, i, rng)


def _spread(rng: random.Random, p, recs, attr, value, capable, q, conflict=None) -> None:
    """Known value: said by each capable record with probability q, by one at least;
    the others say Unknown (or, rarely, a weaker value the merge rule overrides)."""
    if value == "Unknown":
        for r in recs:
            setattr(r, attr, "Unknown")
        return
    idx = [i for i, c in enumerate(capable) if c]
    if not idx:
        raise RuntimeError(f"{p.pid}: no record can say {attr}={value}")
    must = rng.choice(idx)
    for i, r in enumerate(recs):
        if i == must or (capable[i] and rng.random() < q):
            setattr(r, attr, value)
        elif conflict and capable[i] and rng.random() < 0.25:
            setattr(r, attr, conflict)
        else:
            setattr(r, attr, "Unknown")


def _identity(p: Person, r: Rec, i: int, rng: random.Random) -> None:
    f, s = p.forename, p.surname
    if i:   # later records: spelling variants and nicknames
        if len(F_VARIANTS.get(f, ())) > 1 and rng.random() < 0.35:
            f = rng.choice(F_VARIANTS[f][1:])
        if s in S_VARIANTS and rng.random() < 0.3:
            s = rng.choice(S_VARIANTS[s][1:])
    r.forename, r.surname = f, s
    # Every record says a date of birth or an age (else nothing could link it).
    on = r.case.date
    if p.kind == "victim":   # dob missing only where the layout has an age column
        r.dob = None if r.agency.mapping in AGE_LAYOUTS and rng.random() < 0.1 else p.dob
    else:   # the unidentified rarely have a date of birth; their ages are estimates
        r.dob = p.dob if (p.ident == "Yes" and rng.random() < 0.85) else None
    if i and r.dob is not None:
        r.dob = _dob_variant(p.dob, rng)
    r.age = _age_at(p.dob, on)
    if p.kind == "offender" and r.dob is None and p.ident != "Yes" and rng.random() < 0.15:
        r.age += rng.choice([-1, 1])


def _dob_variant(dob: dt.date, rng: random.Random) -> dt.date:
    x = rng.random()
    if x < 0.07 and dob.day <= 12 and dob.day != dob.month:
        return dt.date(dob.year, dob.day, dob.month)          # day and month transposed
    if x < 0.10:
        day = dob.day + (1 if dob.day < 28 else -1)
        return dob.replace(day=day)                           # one part differs
    return dob


def references(g: Gen) -> None:
    """Case and person references in each agency's own style, in date order."""
    for a in g.agencies:
        a.cases.sort(key=lambda c: c.date)
        n_person = 0
        for i, c in enumerate(a.cases):
            yy = f"{c.date:%y}"
            n = 1000 + 37 * i
            c.ref = {
                "police-ic-export": f"{a.prefix}/{yy}/{10000 + 17 * i:05d}",
                "police-flat-export": f"{a.prefix}{(i % 9) + 1:02d}/{200000 + 13 * i:06d}/{yy}",
                "lscb-workbook": f"CSE-{c.date:%Y}-{n:05d}",
                "lscb-nhs-xls": f"{300000 + 11 * i}",
                "ngo-initials-csv": f"{a.prefix}/{500 + 3 * i:04d}",
                "ngo-ods": f"YP-{1000 + 7 * i:05d}",
            }[a.mapping]
            for r in c.victims + c.offenders:
                n_person += 1
                kind = "V" if r.person.kind == "victim" else "S"
                r.ref = {"police-ic-export": f"{kind}{n_person:06d}",
                         "police-flat-export": f"N{700000 + n_person}"}.get(a.mapping, "")
