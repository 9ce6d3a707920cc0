"""Phase 1: the children, which agencies reported each one, and the case records that tie
them to an agency (police cases first, then council and charity cases that follow them).

Separate from the other phases because it fixes who exists and where: everything later
(offenders, attributes, records) hangs off these cases. Every function draws from `g.rng`
in the order `generator.build` calls them.
"""

from __future__ import annotations

from collections import defaultdict

from .agencies import _P, POLICE
from .figures import TARGETS
from .model import Case, Gen, Person, _assign, _counts, _dob_for, _near, _rand_date, _scaled, _weighted

# Part C shapes (illustrative): chance that each kind of agency reported a child it could know
P_POLICE, P_COUNCIL, P_NGO = 0.52, 0.33, 0.25


def people(g: Gen) -> None:
    """The children, with the true sex, missing status and age (exact counts)."""
    rng, s = g.rng, g.scale
    by_region = defaultdict(lambda: {"police": None, "lscb": [], "ngo": None})
    for a in g.agencies:
        if a.status != _P:
            continue
        slot = by_region[a.region]
        if a.source_type == "lscb":
            slot["lscb"].append(a)
        else:
            slot[a.source_type] = a
    g.by_region = by_region
    weights = [(area, w) for _n, area, st, _m, w in POLICE if st == _P]
    n_v = round(TARGETS["victims"] * s)
    victims = []
    for i in range(n_v):
        region = _weighted(rng, weights)
        councils = by_region[region]["lscb"]
        la = (rng.choice(councils).area if councils and rng.random() < 0.6 else None)
        victims.append(Person(f"V{i + 1:06d}", "victim", region, la, rng.random() < 0.86))
    # true attributes with exact counts
    _assign(rng, victims, "sex", _scaled(TARGETS["victims_sex"], s))
    _assign(rng, victims, "missing", _scaled(TARGETS["victims_missing"], s))
    for p in victims:
        if p.sex != "Unknown":
            p.female = p.sex == "Female"
        age = _weighted(rng, [(10, 2), (11, 3), (12, 6), (13, 12), (14, 24), (15, 25),
                              (16, 17), (17, 9), (18, 2)])
        p.age = age
    g.victims = victims


def reporting(g: Gen) -> None:
    """Who reported whom: police, the child's council, the area's charity (at least one)."""
    rng = g.rng
    police_children = defaultdict(list)
    council_recs, ngo_recs = [], []
    for p in g.victims:
        slot = g.by_region[p.region]
        council = next((c for c in slot["lscb"] if c.area == p.la), None)
        ngo = slot["ngo"]
        flags = {
            "police": rng.random() < P_POLICE,
            "lscb": council is not None and rng.random() < P_COUNCIL,
            "ngo": ngo is not None and rng.random() < P_NGO,
        }
        if not any(flags.values()):
            flags[_weighted(rng, [("police", 0.62)] + ([("lscb", 0.23)] if council else [])
                            + ([("ngo", 0.15)] if ngo else []))] = True
        if flags["police"]:
            police_children[p.region].append(p)
        if flags["lscb"]:
            council_recs.append((p, council))
        if flags["ngo"]:
            ngo_recs.append((p, ngo))
    g.police_children = police_children
    g.council_recs, g.ngo_recs = council_recs, ngo_recs


def cases(g: Gen) -> None:
    """Police cases (each force's children cut into its share of the case records), then one
    council or charity case per child they reported."""
    rng = g.rng
    k = _police_case_counts(g)
    regions = sorted(g.police_children)
    for r in regions:
        _police_cases(g, r, k[r])
    for p, agency in g.council_recs + g.ngo_recs:
        # dated later (see date_followers), near the case it follows
        case = Case(agency, _rand_date(rng), standalone=p.primary is None)
        g.victim_rec(p, case)
        agency.cases.append(case)


def _police_case_counts(g: Gen) -> dict[str, int]:
    """How many police cases each region gets: what is left of the case records after the
    council and charity cases, shared by the number of children the police reported."""
    want = (round(TARGETS["case_records"] * g.scale)
            - len(g.council_recs) - len(g.ngo_recs))
    regions = sorted(g.police_children)
    first = {r: len(g.police_children[r]) for r in regions}
    total = sum(first.values())
    # every force with a child needs a case, and no case is empty; at a small scale the
    # council and charity cases can leave fewer (or more) than that: make the nearest count
    n_police = min(max(want, len(regions)), total)
    if n_police != want:
        g.notes.append(f"case_records: target {want + len(g.council_recs) + len(g.ngo_recs)}, "
                       f"made {n_police + len(g.council_recs) + len(g.ngo_recs)} "
                       f"({len(regions)} forces need at least one police case each, "
                       f"{total} police-reported children)")
    k = _counts(n_police, {r: first[r] / total for r in regions})
    for r in regions:   # largest-remainder can exceed a tiny region: move the excess
        while k[r] > first[r]:
            k[r] -= 1
            k[max(regions, key=lambda x: first[x] - k[x])] += 1
        k[r] = max(k[r], 1)
    # raising a region to one case can overshoot the total (a small scale, many regions
    # with one child): take the surplus back from the regions with the most cases
    while sum(k.values()) > n_police:
        k[max(regions, key=lambda x: k[x])] -= 1
    return k


def _police_cases(g: Gen, r: str, n: int) -> None:
    """Cut a region's police-reported children into n cases of its force; a few children
    appear in a second case of the same force."""
    rng = g.rng
    police = g.by_region[r]["police"]
    kids = g.police_children[r][:]
    rng.shuffle(kids)
    cuts = sorted(rng.sample(range(1, len(kids)), n - 1))
    bounds = [0] + cuts + [len(kids)]
    cases: list[Case] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        case = Case(police, _rand_date(rng))
        for p in kids[a:b]:
            g.victim_rec(p, case)
        cases.append(case)
    # a child in a second case of the same force
    if len(cases) >= 2:
        for p in kids:
            if rng.random() < 0.045:
                other = rng.choice([c for c in cases[:40] if p.primary is not c] or cases)
                if p.primary is not other and all(v.person is not p for v in other.victims):
                    g.victim_rec(p, other)
    police.cases.extend(cases)


def date_followers(g: Gen) -> None:
    """A council's or charity's case about a child someone reported first is dated near
    that first case; then each child's date of birth follows from the age at it."""
    rng = g.rng
    for a in g.agencies:
        if a.source_type != "police":
            for c in a.cases:
                if not c.standalone:
                    c.date = _near(rng, c.victims[0].person.primary.date)
    used = set()
    for p in g.victims:
        for _ in range(50):     # no two children of an area share initial and dob
            p.dob = _dob_for(rng, p.age, p.primary.date)
            key = (p.region, p.forename[:1], p.dob)
            if key not in used:
                break
        used.add(key)

