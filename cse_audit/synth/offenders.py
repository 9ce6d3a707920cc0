"""Phase 2: offenders and offender groups, placed on the cases phase 1 made.

Separate because groups have their own shape (sizes from GROUP_SIZES, a group's cases within a
few months, each later case linked to an earlier one by a shared offender) and that shape is
what the group figures count. Draws from `g.rng` in the order `generator.build` calls it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from .figures import TARGETS
from .model import PERIOD, Case, Gen, Person, _rand_date, _weighted

GROUP_SIZES = [(2, 14), (3, 14), (4, 12), (5, 10), (6, 9), (7, 8), (8, 7), (9, 5), (10, 4),
               (11, 3), (12, 3), (14, 3), (16, 2), (18, 2), (22, 1.5), (27, 1), (34, 0.6),
               (45, 0.3)]


def offenders_and_groups(g: Gen) -> None:
    """Groups first (largest first, each in one region), then lone offenders one to a free
    case, then council / charity cases repeating some offenders of the case they follow."""
    rng, s = g.rng, g.scale
    targets = _offender_slots(g)
    n_t = sum(len(v) for v in targets.values())
    n_off = round(TARGETS["offenders"] * s)
    sizes, ms = _group_shapes(g, n_off, n_t)
    g.group_sizes = sorted(sizes)
    free = {r: v[:] for r, v in targets.items()}
    offenders: list[Person] = []

    def new_offender(region: str) -> Person:
        o = Person(f"O{len(offenders) + 1:06d}", "offender", region, None, rng.random() < 0.04)
        offenders.append(o)
        return o

    for k, m in sorted(zip(sizes, ms, strict=True), reverse=True):
        _place_group(g, free, k, m, new_offender)
    lone_slots = [c for r in sorted(free) for c in free[r]]
    rng.shuffle(lone_slots)
    n_lone = n_off - sum(sizes)
    if n_lone > len(lone_slots):    # a small scale: fewer free cases than lone offenders
        g.notes.append(f"offenders: target {n_off}, made {n_off - n_lone + len(lone_slots)} "
                       f"(a lone offender needs a case of their own; {len(lone_slots)} were free)")
    for case in lone_slots[:n_lone]:
        g.offender_rec(new_offender(case.agency.region), case)
    _repeat_offenders(g)
    g.offenders = offenders


def _offender_slots(g: Gen) -> dict[str, list[Case]]:
    """Region -> cases that may carry their own offenders (shuffled)."""
    rng = g.rng
    targets = defaultdict(list)   # region -> cases that may carry their own offenders
    for a in g.agencies:
        for c in a.cases:
            if a.source_type == "police" or (c.standalone and a.layout["off"]):
                targets[a.region].append(c)
    for r in targets:
        rng.shuffle(targets[r])
    return targets


def _group_shapes(g: Gen, n_off: int, n_t: int) -> tuple[list[int], list[int]]:
    """Each group's number of offenders and number of cases."""
    rng = g.rng
    n_groups = round(TARGETS["offender_groups"] * g.scale)
    sizes = [_weighted(rng, GROUP_SIZES) for _ in range(n_groups)]

    def n_cases(k: int) -> int:
        return max(1, min(k, round(k / rng.uniform(2.5, 4.5))))

    ms = [n_cases(k) for k in sizes]
    if sum(sizes) > n_off:
        # a small scale: a few large groups drawn from the national shape outnumber all the
        # offenders; shrink the largest (draws nothing, so scale 1's draws are untouched)
        drawn = max(sizes)
        while sum(sizes) > n_off and max(sizes) > 2:
            i = sizes.index(max(sizes))
            sizes[i] -= 1
            ms[i] = min(ms[i], sizes[i])
        g.notes.append(f"offender groups: sizes drawn for {n_off} offenders held more; "
                       f"the largest shrunk from {drawn} to {max(sizes)}")
    # a lone offender needs a case of their own (two offenders in one case make a group):
    # grow groups (the larger more likely) until everyone fits in 95 % of the cases; at a
    # small scale with few cases, stop when the groups hold every offender (no lone ones
    # left; _place_group fits a group into fewer cases if it must). Scale 1 never gets there.
    while n_off - sum(sizes) + sum(ms) > 0.95 * n_t and sum(sizes) < n_off:
        i = rng.choices(range(n_groups), weights=sizes)[0]
        sizes[i] += 1
        ms[i] = max(ms[i], n_cases(sizes[i]))
    if sum(sizes) > n_off:      # the drawn sizes alone exceed the total (a tiny scale)
        raise RuntimeError("offender groups larger than the offender total")
    return sizes, ms


def _place_group(g: Gen, free: dict[str, list[Case]], k: int, m: int,
                 new_offender: Callable[[str], Person]) -> None:
    """k new offenders over m free cases of one region, dated within a few months."""
    rng = g.rng
    regions = [r for r in sorted(free) if len(free[r]) >= m]
    if not regions:
        # a small scale: no region has m free cases left; the group takes the most any
        # region has (its k offenders over fewer cases), or is not made at all
        most = max((len(v) for v in free.values()), default=0)
        g.notes.append(f"offender group of {k}: {m} cases wanted, "
                       + (f"{most} free in one region" if most else "no free case: not made"))
        if not most:
            return
        m = most
        regions = [r for r in sorted(free) if len(free[r]) >= m]
    region = _weighted(rng, [(r, len(free[r])) for r in regions])
    cases = [free[region].pop() for _ in range(m)]
    start = _rand_date(rng, PERIOD[0], PERIOD[1] - dt.timedelta(days=240))
    for c in cases:         # a group's cases fall within a few months
        c.date = start + dt.timedelta(days=rng.randrange(240))
    people = [new_offender(region) for _ in range(k)]
    # chunk the k offenders over the m cases: case 1 gets >= 1 new offender, each later
    # case one earlier offender (the link) plus its own new ones, so the group is connected
    cuts = sorted(rng.sample(range(1, k), m - 1)) if m > 1 else []
    bounds = [0] + cuts + [k]
    for j, case in enumerate(cases):
        chunk = people[bounds[j]:bounds[j + 1]]
        used = people[:bounds[j]]
        if j:
            chunk = [rng.choice(used)] + chunk
            extra = [o for o in used if o not in chunk and rng.random() < 0.04]
            chunk += extra
        for o in chunk:
            g.offender_rec(o, case)


def _repeat_offenders(g: Gen) -> None:
    """Council / charity records about a child the police (or another agency) reported first
    repeat some of that case's offenders."""
    rng = g.rng
    for a in g.agencies:
        if a.source_type == "police" or not a.layout["off"]:
            continue
        for c in a.cases:
            if c.standalone:
                continue
            primary = c.victims[0].person.primary
            for o_rec in primary.offenders:
                if rng.random() < 0.25:
                    g.offender_rec(o_rec.person, c)
