"""How much more often two different people share a full name than their forename's and
surname's frequencies say.

The forename and surname comparisons weigh an exact agreement by each name's own frequency
(term frequencies), as if the two were chosen independently. They are not: forenames go with
surnames within communities and families (Mohammed with Khan and Hussain, not with Kowalski), so
a full name is shared by different people more often than the product of its two frequencies:
1.6-2.8 times as often in the truth of the project's hard profile and of the held-out returns,
and the false links between namesakes there were up to as many times more than their scores
expected (BENCHMARKS.md, session 13).

How much more is read from the data, on pairs of records that cannot be one person: both with a
date of birth, the births GAP_YEARS or more apart, and not two dates of birth of one day and month
(a mistyped year). An age at a case date is no such date: an age given once and repeated on later
occurrences, or estimated, puts one person's births years apart (the sixth held-out world's police
returns, each man's age the same from 2008 to 2011: with realistic names, every man read as
namesakes, the full names 143 times too common and the offenders' range 132-790 for 148;
BENCHMARKS.md, session 20). Among those pairs, the share with the same full name over
the product of the shares with the same forename and with the same surname is the ratio (below
one: left at one; too few such pairs with one full name, MIN_PAIRS, or too few full names they come
from, MIN_NAMES: nothing said).

It is used where chances are counted: the count's range (certainty.py) weighs a pair of one full
name log2 of the ratio less. The persons themselves are found with the scores as trained:
linking with the lower weights as well was measured and not kept (it took false links between
namesakes away, and as many true ones: the count moved away from the truth on held-out returns)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

GAP_YEARS = 3  # births this many years apart are two people, whatever their names
MIN_PAIRS = 30  # fewer distinct-people pairs sharing a full name than this: too few to say
# fewer full names with births GAP_YEARS apart than this: the ratio would be one name's (12 records
# of one name, births years apart, among 2,000 of varied names: 8.6 bits off every full name)
MIN_NAMES = 10
DAYS_PER_YEAR = 365.25

log = logging.getLogger(__name__)


def full_name_bits(features, codes: NameCodes | None = None) -> float:
    """Bits (<= 0) by which a pair whose forename and surname both agree exactly is more likely
    two people than its scores say, from the records' own names and births (see above).
    ``codes``: the records' name codes (name_codes), when the caller has them already."""
    def col(name):
        return features.column(name).to_numpy(zero_copy_only=False)

    c = name_codes(features) if codes is None else codes
    lo = pd.to_numeric(pd.Series(col("bd_lo")), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(pd.Series(col("bd_hi")), errors="coerce").to_numpy(dtype=float)
    dob = pd.to_datetime(pd.Series(col("dob")), errors="coerce")
    # a date of birth's day and month (else -1): two dates of one day and month years apart are as
    # likely one person's date with a mistyped year as two people. A date rewritten whole (FEBRL's
    # duplicates: 137 of its 257 same-name pairs born 3+ years apart are one person) cannot be told
    # from two people, and reads as names going together: FEBRL3's ratio is 2.94
    md = np.where(dob.notna(), dob.dt.month.fillna(0).to_numpy() * 100 + dob.dt.day.fillna(0).to_numpy(), -1)
    # a date of birth only (see above): an age's birth interval may be years off one person's own
    dated = (dob.notna().to_numpy() & ~np.isnan(lo) & ~np.isnan(hi) & (hi - lo <= 366)
             & ~col("names_missing").astype(bool) & (c.full >= 0))
    if dated.sum() < 2:
        return 0.0
    year = np.floor((lo + hi)[dated] / 2 / DAYS_PER_YEAR).astype(np.int64)
    md = md[dated].astype(np.int64)
    keys = (np.zeros(int(dated.sum()), np.int64), c.full[dated], c.fore[dated], c.sur[dated])
    total, both, fore, sur = (_distinct_pairs(key, year, md) for key in keys)
    names = _names_years_apart(c.full[dated], year)
    if both < MIN_PAIRS or fore <= 0 or sur <= 0 or names < MIN_NAMES:
        # counts only, never a name (`-v`: why the range takes the scores as they are)
        log.info("full names: %d pairs of records of one full name born years apart, from %d names: too few to "
                 "read how often different people share a full name (needs %d pairs from %d names)",
                 both, names, MIN_PAIRS, MIN_NAMES)
        return 0.0
    ratio = both * total / (fore * sur)
    return -math.log2(ratio) if ratio > 1.0 else 0.0


def _names_years_apart(full: np.ndarray, year: np.ndarray) -> int:
    """Full names with births GAP_YEARS or more apart (a mistyped year's pairs counted too: a
    guard on how many names the ratio stands on, not the ratio)."""
    span = pd.DataFrame({"full": full, "year": year}).groupby("full", sort=False)["year"].agg(["min", "max"])
    return int(((span["max"] - span["min"]) >= GAP_YEARS).sum())


def _distinct_pairs(key: np.ndarray, year: np.ndarray, md: np.ndarray) -> float:
    """Pairs of records with the same ``key`` that are two people: births GAP_YEARS or more
    apart, and not two dates of birth of the same day and month (a mistyped year)."""
    known = md >= 0
    # key and day-and-month in one code (md < 1232)
    return _far_pairs(key, year) - _far_pairs(key[known] * 1232 + md[known], year[known])


def _far_pairs(key: np.ndarray, year: np.ndarray) -> float:
    """Pairs of records with the same ``key`` (int64 codes >= 0) whose birth years are
    GAP_YEARS or more apart: per key, all pairs less the pairs within GAP_YEARS - 1 years of
    each other, from the count per key and year (one int64 code each, sorted: a neighbouring
    year is found by binary search), not pair by pair."""
    if not len(key):
        return 0.0
    low = int(year.min())
    # a key's years sit in a band of their own, with GAP_YEARS of margin either side, so that a
    # year +- d never reaches the next key's band
    width = int(year.max()) - low + 2 * GAP_YEARS + 1
    if int(key.max()) >= (1 << 62) // width:  # made dense first, so that the codes fit in int64
        key = np.unique(key, return_inverse=True)[1].astype(np.int64)
    code, n = np.unique(key * width + (year - low + GAP_YEARS), return_counts=True)
    n = n.astype(float)
    band = code // width  # sorted: each key's counts are one run
    per_key = np.add.reduceat(n, np.flatnonzero(np.r_[True, band[1:] != band[:-1]]))
    near = 0.0
    for d in range(-(GAP_YEARS - 1), GAP_YEARS):
        at = np.searchsorted(code, code + d)
        hit = at < len(code)
        hit[hit] = code[at[hit]] == code[hit] + d
        near += float((n[hit] * n[at[hit]]).sum())
    return (float((per_key ** 2).sum()) - near) / 2.0


@dataclass
class NameCodes:
    """Per record (unique_id order): int64 codes of the forename, the surname and the two
    together (-1 where the record lacks the name; the full name needs both)."""

    fore: np.ndarray
    sur: np.ndarray
    full: np.ndarray


def name_codes(features) -> NameCodes:
    """The records' name codes, from the comparisons' own cleaned names."""
    fore = pd.factorize(pd.Series(features.column("fn").to_numpy(zero_copy_only=False)))[0].astype(np.int64)
    sur = pd.factorize(pd.Series(features.column("sn").to_numpy(zero_copy_only=False)))[0].astype(np.int64)
    full = np.where((fore >= 0) & (sur >= 0), fore * (int(sur.max(initial=0)) + 1) + sur, -1)
    return NameCodes(fore, sur, full)


def calibrated(edges: pd.DataFrame, codes, bits: float) -> pd.DataFrame:
    """``edges`` with the pairs of one full name weighing ``bits`` more (w and p), for what
    counts chances (the range: certainty.py); the others as they are."""
    if codes is None or not bits or not len(edges):
        return edges
    a, b = codes[edges["uid_l"].to_numpy()], codes[edges["uid_r"].to_numpy()]
    w = edges["w"].to_numpy() + bits * ((a == b) & (a >= 0))
    p = np.where(edges["p"].to_numpy() > 0, 1.0 / (1.0 + np.exp2(-w)), 0.0)  # (a guarded pair stays 0)
    return edges.assign(w=w, p=p)
