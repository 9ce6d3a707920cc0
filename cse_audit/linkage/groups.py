"""The prior per kind of pair, learnt from the data: some kinds of record are more often
someone's duplicate than others.

A record's kind is what it carries: a full name or not (initials only), and a date of birth, an
age at a case date, an age dated only by the return's reference period, or nothing to date a
birth. A pair's group is its two records' kinds. In the 2011 returns a charity's record with
initials and an undated age was usually a child a police force or council also reported, so a
pair of such a record and a named one is a match more often than two random records are; in
other returns it may be less often. Nothing here assumes either: each group's share of matches
is estimated from the scores themselves (expected matches among its pairs against what the
overall prior expects), shrunk towards the overall prior by GROUP_PSEUDO_MATCHES, and
re-estimated with the overall prior until both settle (an EM step over the prior's groups).
Fellegi-Sunter's prior is the probability that two random records are one person; this makes it
the probability for two random records of these two kinds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Each group's matches are counted as if it had this many more, at the overall prior's rate:
# a group with few pairs stays near the overall prior, a large one follows its own data.
GROUP_PSEUDO_MATCHES = 10.0
# How far (bits) a group's prior may move from the overall prior, either way (within
# model.PRIOR_SLACK, with room for the overall prior's own rise).
GROUP_MAX_SHIFT = 4.0

BIRTH_KINDS = ("dob", "dated age", "undated age", "no birth")


def record_kinds(features) -> np.ndarray:
    """Per record: 0-3 = full name with dob / dated age / undated age / nothing; 4-7 the same
    with initials (or one name) only. An age interval over a year wide is an undated one."""
    def col(name):
        return features.column(name).to_numpy(zero_copy_only=False)

    partial = col("names_missing").astype(bool)
    dob = pd.notna(pd.Series(col("dob"))).to_numpy()
    lo = pd.to_numeric(pd.Series(col("bd_lo")), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(pd.Series(col("bd_hi")), errors="coerce").to_numpy(dtype=float)
    has = ~np.isnan(lo) & ~np.isnan(hi)
    birth = np.where(dob, 0, np.where(has & (hi - lo <= 366), 1, np.where(has, 2, 3)))
    return (partial.astype(int) * 4 + birth).astype(np.int8)


def kind_label(k: int) -> str:
    return ("no full name, " if k >= 4 else "full name, ") + BIRTH_KINDS[k % 4]


def pair_groups(kinds: np.ndarray, uid_l: np.ndarray, uid_r: np.ndarray) -> np.ndarray:
    """Group code of each pair: the two records' kinds, unordered (8 x 8 codes)."""
    a, b = kinds[uid_l].astype(np.int8), kinds[uid_r].astype(np.int8)
    return np.minimum(a, b) * np.int8(8) + np.maximum(a, b)  # 0-63: one byte a pair (20M pairs at 1M records)


def pairs_per_group(kinds: np.ndarray) -> np.ndarray:
    """How many record pairs each group has (all pairs, not only candidates)."""
    n = np.bincount(kinds.astype(int), minlength=8).astype(float)
    out = np.zeros(64)
    for a in range(8):
        for b in range(a, 8):
            out[a * 8 + b] = n[a] * (n[a] - 1) / 2 if a == b else n[a] * n[b]
    return out


def group_shifts(p: np.ndarray, groups: np.ndarray, pairs: np.ndarray, prior: float,
                 floor: np.ndarray | None = None) -> np.ndarray:
    """Bits to add to each group's match weights, from the pairs' match probabilities (scored
    under the shifts so far): log2 of (expected matches + pseudo) / (pairs x prior + pseudo), in odds,
    capped at GROUP_MAX_SHIFT either way. ``floor``: per group, matches known from elsewhere (the
    partial records' fits, unresolved.fitted_pairs): the scores of records that fit several
    people are low whoever they are, a lower prior makes them lower, and the group's prior would
    fall round after round to the cap (-4 bits for charities' initials-and-age records against
    named ones in a held-out world where most of them were named children: session 9)."""
    found = np.bincount(groups, weights=p, minlength=64)
    if floor is not None:
        found = np.maximum(found, floor)
    expected = pairs * prior
    rate = (found + GROUP_PSEUDO_MATCHES) / (expected + GROUP_PSEUDO_MATCHES)
    # from a rate of matches among pairs to odds (the prior is tiny, so nearly the same)
    lam = np.clip(prior * rate, 1e-15, 0.5)
    shift = np.log2(lam / (1 - lam)) - math.log2(prior / (1 - prior))
    shift[pairs == 0] = 0.0
    return np.clip(shift, -GROUP_MAX_SHIFT, GROUP_MAX_SHIFT)
