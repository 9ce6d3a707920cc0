"""How sure the count is: the records left ambiguous and a range for the number of people
(link._clusters calls _uncertainty once the persons are found). Separate from link.py, which
finds the persons."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from . import namedep, unresolved
from .clusters import _Components

log = logging.getLogger(__name__)


def _best_pairs(edges: pd.DataFrame, roots: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    """Each record's best scored pair (uid, other, p, same: in one person), and the roots. Ties: the
    first as a left end, then as a right end, in edge order (as a stable sort of both ends gave,
    whose frame was the peak memory at 1M records: BENCHMARKS.md, session 6)."""
    a, b, p = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy(), edges["p"].to_numpy()
    root = np.asarray(roots)
    top = np.full(len(root), -np.inf)
    np.maximum.at(top, a, p)
    np.maximum.at(top, b, p)
    il, ir = np.flatnonzero(p == top[a]), np.flatnonzero(p == top[b])  # each record's best ends
    uid, other = np.concatenate([a[il], b[ir]]), np.concatenate([b[il], a[ir]])
    first = np.unique(uid, return_index=True)[1]  # the first of a record's best ends, in that order
    best = pd.DataFrame({"uid": uid[first], "other": other[first], "p": np.concatenate([p[il], p[ir]])[first]})
    best["same"] = root[best["uid"].to_numpy()] == root[best["other"].to_numpy()]
    return best, root


def _strong_ends(edges: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Both ends (uid, other) of each pair at or above the threshold."""
    s = edges["p"].to_numpy() >= threshold
    a, b = edges["uid_l"].to_numpy()[s], edges["uid_r"].to_numpy()[s]
    return pd.DataFrame({"uid": np.concatenate([a, b]), "other": np.concatenate([b, a])})


def _uncertainty(run, roots: list[int], threshold: float, low: float, high: float,
                 forbidden: list[tuple[int, int]] = (), kind: str = "records", edges=None) -> dict:
    """How sure the count is. A record is ambiguous when its best pair is uncertain (match
    probability p in [low, high)), when it has pairs at or above the threshold to two
    different persons, or when it is a partial record (initials, an area) left a person of its
    own with a chance of at least ``low`` of being one of the named persons that fit it
    (unresolved.join_chances).

    The range is the number of people expected, two standard deviations either way: the
    persons found, less the pairs of persons that may be one (each pair's chance: the least
    match probability between their scored records, pairs from MERGE_FLOOR up; a person's chances add
    up to at most one), plus the persons that may be two (1 - p of each pair of the person's
    maximum spanning tree: _split_chances), less the partial records left persons of their
    own that are named persons' duplicates. How many those are, unresolved.py estimates from
    how many named persons fit them against how many would by chance (their pairs' scores
    cannot say: a record that fits five children scores low against each); its fit rate's
    range widens the range. link._clusters gives the persons before the joins by fits
    (link._join_fitting): a join decides who a record most likely is, not how many people there
    are, so it moves the count within the range, not the range. The count (one person per cluster)
    may still lie outside it: a partial record whose fits give it less than an even chance of being
    someone counted is a child of its own in the count, and many are someone's duplicate."""
    persons = len(set(roots))
    e = _names_calibrated(run, run.edges if edges is None else edges, kind)
    if not len(e):
        return {"ambiguous_records": 0, "persons_low": persons, "persons_high": persons}
    best, root = _best_pairs(e, roots)
    unsure = best[(best["p"] >= low) & (best["p"] < high)]
    strong = _strong_ends(e, threshold).assign(r=lambda d: root[d["other"].to_numpy()])
    torn = set(strong.groupby("uid")["r"].nunique().loc[lambda s: s > 1].index)
    held = None
    dup_lo = dup_hi = dup_sd = 0.0
    n_open = 0
    ambiguous = set(unsure["uid"]) | torn
    skip = None
    if run.fit is not None and run.kinds is not None:
        kinds = np.asarray(run.kinds)
        est = unresolved.estimate(run.fit, kinds, root, unresolved.fit_rate_low(run.fit, kinds, e, root),
                                  memo=getattr(run, "fit_estimates", None))
        dup_lo, dup_hi = est.unlinked_duplicates(spread=0.0)
        dup_sd = est.sd / est.fit_low if dup_hi > 0 else 0.0
        free = unresolved.covered(run.fit, kinds, root)
        # the estimate stands for these records' pairs into named persons: not counted twice
        has_named = np.zeros(len(root), bool)
        has_named[root[kinds < 4]] = True
        a, b = e["uid_l"].to_numpy(), e["uid_r"].to_numpy()
        skip = (free[a] & has_named[root[b]]) | (free[b] & has_named[root[a]])
        # a partial record left alone is ambiguous when its fits make it plausibly someone's
        chance = run.duplicate_chance or {}
        ambiguous = (ambiguous - set(np.flatnonzero(free).tolist())) | {
            int(r) for r in np.flatnonzero(free) if chance.get(int(r), 0.0) >= low}
        # the estimate stands for the partial records it covers that are linked to a named
        # person: persons = count - (duplicates - linked) whoever they are linked to, so their
        # links' splits are not added (a person of partial records only may still be two)
        held = unresolved.estimable(run.fit, kinds) & has_named[root]
        # a person of several unresolved partial records is one duplicate at most, not one each
        share = _per_person_share(est, free, root)
        dup_lo, dup_hi, dup_sd = dup_lo * share, dup_hi * share, dup_sd * share
        # persons of records with a forename only ("Dave", 30s) or no name: each someone already
        # counted or someone new, so the low end takes each off (issue 16; unresolved.open_records)
        opened = unresolved.open_records(run.fit, kinds, root)
        n_open, ambiguous = len(np.unique(root[opened])), ambiguous | set(opened.tolist())
        dup_hi += n_open
    tree = _split_tree(e, root, threshold, held)
    linked = e["p"].to_numpy()[tree]
    named = np.asarray(run.kinds) < 4 if run.kinds is not None else None
    merge = _merge_chances(e if skip is None else e[~skip], root, forbidden, named)
    # the persons expected: less the merges the scores expect, plus the splits, less the
    # duplicates; two standard deviations of the three (independent counts) either way, and the
    # duplicates' range from the fit rate's (a bias, not noise: not shrunk by the others)
    expected = persons - float(merge.sum()) + float((1 - linked).sum())
    sd = 2.0 * math.sqrt(float((merge * (1 - merge)).sum()) + float((linked * (1 - linked)).sum()) + dup_sd ** 2)
    low_x, high_x = _name_bias(run, edges if edges is not None else run.edges, root, tree, skip, forbidden, named,
                               persons, expected)
    log.info("%s: count's range: persons %d; pairs of persons that may be one %.0f; linked records that may be "
             "another %.0f; unresolved partial records that are named persons' %.0f-%.0f (%d persons of a forename "
             "only or no name); 2 sd %.0f",
             kind, persons, merge.sum(), (1 - linked).sum(), dup_lo, dup_hi, n_open, sd)
    return {"ambiguous_records": len(ambiguous),
            "persons_low": max(math.floor(low_x - dup_hi - sd), 1),
            "persons_high": max(math.ceil(high_x - dup_lo + sd), 1)}


def _name_bias(run, edges: pd.DataFrame, root: np.ndarray, tree: np.ndarray, skip, forbidden, named,
               persons: int, expected: float) -> tuple[float, float]:
    """The persons expected when the full names' calibration (namedep.py: a pair of one full name
    weighs ``name_bits`` less) is not the data's but none, or twice it: the lowest and the highest
    of the three. The ratio is read from pairs that cannot be one person and applied to pairs that
    may be; how far it holds there nobody measures in the data, and an error in it moves every
    namesake pair the same way, so it is a bias, not noise: not shrunk by the other counts (as
    the duplicates' fit rate). Measured against the truth, the false links among namesakes were
    1.3 to 2.4 times what the uncalibrated scores expect (BENCHMARKS.md, sessions 13 and 16).
    The same tree of each person's pairs (its pairs' chances recounted)."""
    bits = getattr(run, "name_bits", 0.0)
    codes = getattr(run, "full_name", None)
    if not bits or codes is None or not len(edges):
        return expected, expected
    out = [expected]
    for alt in (0.0, 2.0 * bits):
        e = namedep.calibrated(edges, codes, alt)
        merge = _merge_chances(e if skip is None else e[~skip], root, forbidden, named)
        out.append(persons - float(merge.sum()) + float((1 - e["p"].to_numpy()[tree]).sum()))
    return min(out), max(out)


def _names_calibrated(run, edges: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The pairs with a full name's agreement weighed as the data say different people's full
    names coincide (namedep.py); the persons were found with the scores as trained."""
    bits = getattr(run, "name_bits", 0.0)
    if bits:
        log.info("%s: different people share a full name %.1f times as often as their two names' frequencies "
                 "say: in the count's range a pair of one full name weighs %.2f bits less", kind, 2 ** -bits, -bits)
    return namedep.calibrated(edges, getattr(run, "full_name", None), bits)


def _split_chances(edges: pd.DataFrame, root: np.ndarray, threshold: float, held=None) -> np.ndarray:
    """The match probabilities of _split_tree's pairs."""
    return edges["p"].to_numpy()[_split_tree(edges, root, threshold, held)]


def _split_tree(edges: pd.DataFrame, root: np.ndarray, threshold: float, held=None) -> np.ndarray:
    """The rows of ``edges`` that hold each person together: a maximum spanning
    tree of its pairs at or above the threshold (Kruskal, best first). Each tree pair splits its
    person in two parts, and the two parts are one person with the chance of the best pair
    between them, which is that tree pair's: so 1 - p of each is the chance of one more person.
    A record's best pair is always in the tree, but the tree also holds the pairs that join
    groups of records whose best pairs lie within the group (two namesakes' records each sure
    of its own, joined by one weaker pair): counted on the records' best pairs alone, such a
    join was no chance of a split at all. Records in ``held`` (partial records the fits'
    estimate stands for) are left out: their splits are that estimate's."""
    a, b, p = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy(), edges["p"].to_numpy()
    keep = (p >= threshold) & (root[a] == root[b])
    if held is not None:
        keep &= ~held[a] & ~held[b]
    a, b, p = a[keep], b[keep], p[keep]
    order = np.lexsort((b, a, -p))  # best first; ties in record order (the same tree every run)
    comp = _Components(len(root))
    tree = []
    for i, x, y in zip(order.tolist(), a[order].tolist(), b[order].tolist(), strict=True):
        if comp.find(x) != comp.find(y):
            comp.union(x, y, force=True)
            tree.append(i)
    return np.flatnonzero(keep)[np.asarray(tree, dtype=np.int64)]


def _per_person_share(est, free: np.ndarray, root: np.ndarray) -> float:
    """Duplicates among persons over duplicates among records, for the unresolved partial
    records: a person of k such records (linked among themselves) is one duplicate, not k. From
    each record's excess fits (fits less chance fits), averaged within its person; between
    1 / the most records of one such person, and 1."""
    mask = free[est.part]
    if not mask.any():
        return 1.0
    rec = pd.DataFrame({"root": root[est.part[mask]], "x": (est.fits - est.chance)[mask]})
    floor = 1.0 / float(rec["root"].value_counts().max())  # all in persons of the most records
    total = float(rec["x"].sum())
    if total <= 0:
        return floor
    return float(min(max(rec.groupby("root")["x"].mean().sum() / total, floor), 1.0))


MERGE_FLOOR = 0.01  # pairs of persons less likely than this to be one are left out of the range


def _named_apart(edges: pd.DataFrame, root: np.ndarray, named: np.ndarray, x: np.ndarray,
                 key: np.ndarray) -> np.ndarray:
    """Keys of the pairs of persons that both hold a named record (``named``: per record) and have
    no scored pair of two named records between them: no blocking rule paired their names and
    births, so they are not one person, whatever a partial record of one scores against the
    other (held-out hi-1k victims: 134 such pairs of persons counted 57 merges where 6 were true,
    each through an initials-only record joined to one of them)."""
    a, b = edges["uid_l"].to_numpy()[x], edges["uid_r"].to_numpy()[x]
    has = np.zeros(len(root), bool)
    has[root[named]] = True
    both = has[root[a]] & has[root[b]]
    seen = np.unique(key[named[a] & named[b]])
    return np.setdiff1d(np.unique(key[both]), seen)


def _merge_chances(edges: pd.DataFrame, root: np.ndarray, forbidden=(), named: np.ndarray | None = None) -> np.ndarray:
    """Per pair of persons with a scored pair between them: the chance they are one person (the
    least likely of their scored pairs' p: two persons are one only if every pair of their
    records is a match, so no pair's chance can be exceeded; the best pair's p, used before, was
    no bound and counted twice as many merges as there were among persons of several records on
    held-out returns: BENCHMARKS.md, session 13), scaled so that no person's chances add up to
    more than one. Persons held
    apart (a reviewer's no-match, the within-return guard, a pair scored below
    cannot_link_below) are never one."""
    a, b = root[edges["uid_l"].to_numpy()], root[edges["uid_r"].to_numpy()]
    x = a != b
    # one int64 key per pair of persons, grouped by hash: the least p of each pair of persons,
    # a pair of persons in the range only when that is MERGE_FLOOR or more (two-column groupby
    # after np.unique and np.isin over the keys: 9.4 s and 930 MB at 3M cross pairs, this 1.1 s
    # and 580 MB: BENCHMARKS.md, session 13 review)
    n = np.int64(len(root))
    key = np.minimum(a, b)[x].astype(np.int64) * n + np.maximum(a, b)[x]
    least = pd.Series(edges["p"].to_numpy()[x]).groupby(key, sort=False).min()
    least = least[least.to_numpy() >= MERGE_FLOOR]
    if named is not None and len(least):
        least = least[~least.index.isin(_named_apart(edges, root, named, x, key))]
    if len(forbidden) and len(least):
        fx = root[np.asarray([f[0] for f in forbidden])].astype(np.int64)
        fy = root[np.asarray([f[1] for f in forbidden])].astype(np.int64)
        least = least[~least.index.isin(np.minimum(fx, fy) * n + np.maximum(fx, fy))]
    if not len(least):
        return np.zeros(0)
    k, p = least.index.to_numpy(), least.to_numpy()
    pa, pb = k // n, k % n
    total = np.bincount(pa, p, len(root)) + np.bincount(pb, p, len(root))   # each person's chances
    return p * np.minimum(1.0, 1.0 / np.maximum(total[pa], total[pb]))
