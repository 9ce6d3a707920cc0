"""The generated world: people, cases and records, the generation state that holds them, and
the seeded random helpers every phase draws from.

Separate so the generation phases (cases, offenders, attributes, records), the writers and the
truth files share one small vocabulary without importing each other.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from .agencies import Agency, build_agencies
from .names import NameAllocator

PERIOD = (dt.date(2008, 1, 1), dt.date(2011, 3, 31))


@dataclass(slots=True, eq=False)
class Person:
    pid: str
    kind: str                     # victim | offender
    region: str
    la: str | None
    female: bool                  # what the name suggests; sex below is what agencies recorded
    forename: str = ""
    surname: str = ""
    dob: dt.date | None = None
    age: int = 0                  # age at the first case
    sex: str = "Unknown"
    eth: str = "Unknown"
    detail: str | None = None
    missing: str = "Unknown"
    mfrom: str = "Unknown"
    episodes: int | None = None
    lac: str = "Unknown"
    ident: str = "Unknown"
    records: list = field(default_factory=list)
    primary: object = None        # the Case this person first appears in


@dataclass(slots=True, eq=False)
class Case:
    agency: Agency
    date: dt.date
    ref: str = ""
    victims: list = field(default_factory=list)     # Rec
    offenders: list = field(default_factory=list)   # Rec
    standalone: bool = False      # a council/charity case about a child the police did not report


@dataclass(slots=True, eq=False)
class Rec:
    person: Person
    case: Case | None
    forename: str | None = None
    surname: str | None = None
    dob: dt.date | None = None
    age: int | None = None
    sex: str = "Unknown"
    eth: str = "Unknown"
    detail: str | None = None     # this record's ethnicity detail when it records another category
    missing: str = "Unknown"
    mfrom: str = "Unknown"
    episodes: int | None = None
    lac: str = "Unknown"
    ident: str = "Unknown"
    raw: dict | None = None       # deliberate bad raw values, by field
    ref: str = ""
    file: str = ""
    sheet: str = ""
    row: int = 0

    @property
    def agency(self) -> Agency:
        return self.case.agency


def _weighted(rng: random.Random, items: list[tuple[str, float]]):
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _rand_date(rng: random.Random, lo: dt.date = PERIOD[0], hi: dt.date = PERIOD[1]) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def _near(rng: random.Random, d: dt.date, spread: int = 90) -> dt.date:
    d2 = d + dt.timedelta(days=rng.randint(-spread // 3, spread))
    return min(max(d2, PERIOD[0]), PERIOD[1])


def _age_at(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _dob_for(rng: random.Random, age: int, on: dt.date) -> dt.date:
    dob = dt.date(on.year - age - 1, on.month, min(on.day, 28)) + dt.timedelta(
        days=rng.randint(1, 364))
    return dob if _age_at(dob, on) == age else dob - dt.timedelta(days=2)


def _counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of total by shares (exact sum)."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[: total - sum(out.values())]:
        out[k] += 1
    return out


def _scaled(spec: dict[str, int], scale: float) -> dict[str, int]:
    total = round(sum(spec.values()) * scale)
    return _counts(total, {k: float(v) for k, v in spec.items()})


def _assign(rng: random.Random, persons: list[Person], attr: str, counts: dict[str, int],
            capable=lambda p, v: True, order: list[str] | None = None,
            notes: list[str] | None = None) -> None:
    """Give exactly counts[v] persons value v, only to persons able to carry it.

    At a small scale the scaled targets can ask for more persons than can carry a value (few
    records, so few layouts with that column or code). Then as many as can carry it get it,
    the rest stay Unknown, and the shortfall is noted in `notes`: the persons still add up,
    only the distribution moves. Without `notes` a shortfall is an error (scale 1 never has
    one). Capping draws nothing from rng, so the draws after it are the same either way.
    """
    pool = persons[:]
    rng.shuffle(pool)
    for value in order or sorted(counts, key=lambda v: counts[v]):
        if value == "Unknown":
            continue
        need, rest = counts[value], []
        for p in pool:
            if need and capable(p, value):
                setattr(p, attr, value)
                need -= 1
            else:
                rest.append(p)
        if need:
            if notes is None:
                raise RuntimeError(f"cannot give {counts[value]} persons {attr}={value}")
            notes.append(f"{persons[0].kind if persons else 'person'} {attr}={value}: "
                         f"target {counts[value]}, only {counts[value] - need} can carry it")
        pool = rest
    for p in pool:
        setattr(p, attr, "Unknown")


class Gen:
    """Generation state: one `random.Random(seed)` and everything the phases build with it.

    The phases (cases.py, offenders.py, attributes.py, records.py) run in a fixed order on
    one Gen; each draws from the same rng, so the order of the draws is the output.
    """

    def __init__(self, seed: int, scale: float, names: dict | None = None):
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        names = names or {}
        # exact, unambiguous linkage is promised at scale 1 only (and not by a profile with
        # realistic name frequencies, where two children may share a name)
        self.names = NameAllocator(self.rng, strict=scale <= 2 and not names.get("frequency"),
                                   frequency=bool(names.get("frequency")), barrel=names.get("barrel", 0.0))
        self.agencies = build_agencies()
        self.victims: list[Person] = []
        self.offenders: list[Person] = []
        self.group_sizes: list[int] = []
        self.errors: list[dict] = []
        # scaled targets a small scale could not meet exactly, one line each (see
        # generator.generate: the summary and expected.json say so)
        self.notes: list[str] = []
        # set by cases.people / cases.reporting
        self.by_region: defaultdict = defaultdict(dict)
        self.police_children: defaultdict = defaultdict(list)
        self.council_recs: list[tuple[Person, Agency]] = []
        self.ngo_recs: list[tuple[Person, Agency]] = []

    def victim_rec(self, p: Person, case: Case) -> Rec:
        r = Rec(p, case)
        case.victims.append(r)
        p.records.append(r)
        if p.primary is None:
            p.primary = case
        return r

    def offender_rec(self, o: Person, case: Case) -> Rec:
        r = Rec(o, case)
        case.offenders.append(r)
        o.records.append(r)
        if o.primary is None:
            o.primary = case
        return r
