"""How many of the records no linker can resolve are someone already counted.

A record with initials, a sex, an area and an age (a charity's "J.S., F, 14 yrs") fits every
named child of that area and sex with those initials whose birth date the age allows. In a
small data set that is one child at most and the pair scores high; at 100k records it is
often three or five, each scoring low, so the record stays a person of its own although it is
most likely one of them (issue 16: ~75 % of such records at scale 10, none linked). Pairwise
scores cannot say more: the evidence for any one candidate is about as strong as the number of
children it has to be picked from. What the data do say is how many candidates such records
have, against how many they would have by chance.

For each partial record r (initials, an area; kinds 4-7 in groups.py) with named persons P:

    N_r      named persons that fit r: same area (force area), initials, a sex that does not
             differ, a birth date or interval that overlaps r's
    lambda_r the fits r would have by chance: the named persons of its area and sex whose birth
             fits (any initials), times the share of r's initials among the named persons of
             its area and sex whose birth does NOT fit r (so r's own partner, if it has one, is
             not in the share), shrunk towards the share over all areas

A record that is a named child's duplicate has its partner among the fits (with probability
``fit_rate``: same area, sex, initials and a birth that fits) on top of the chance fits, so

    E[sum_r (N_r - lambda_r)] = duplicates x fit_rate

which is estimated over all partial records (linked or not: choosing the unlinked ones would
choose by N), with a standard deviation from N's Poisson variance. The duplicates not already
linked to a named person are the records the count holds as persons of their own although
they are not. ``fit_rate`` is not known: between MIN_FIT_RATE's product (measured from the
data where it can be) and 1, which widens the range, never moves it off the data."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Initials-share shrinkage: an area's share of a pair of initials counts as this many named
# persons at the share over all areas (a small area's share is mostly the national one).
SHARE_PSEUDO = 20.0


@dataclass
class Unresolved:
    records: int  # partial records the estimate covers (initials and an area)
    linked: int  # of them, already in a person with a named record
    ambiguous: np.ndarray  # of the others, the records that fit at least one named person
    excess: float  # sum of (fits - chance fits): duplicates x fit rate
    sd: float  # its standard deviation
    fit_low: float  # the fit rate's low end (high end: 1)
    part: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # the records covered
    fits: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per record covered: its fits
    chance: np.ndarray = field(default_factory=lambda: np.zeros(0))  # and its fits by chance
    # per record covered: True where it fits by its forename (a forename, no surname), not its initials
    by_forename: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def duplicates(self, spread: float = 2.0) -> tuple[float, float]:
        """Partial records that are a named person's duplicate, low and high: the fit rate 1 and
        its low end, and ``spread`` standard deviations each way."""
        lo = max(self.excess - spread * self.sd, 0.0)
        hi = max(self.excess + spread * self.sd, 0.0) / max(self.fit_low, 1e-6)
        return min(lo, self.records), min(hi, self.records)

    def unlinked_duplicates(self, spread: float = 2.0) -> tuple[float, float]:
        """Of them, the ones the count holds as persons of their own."""
        lo, hi = self.duplicates(spread)
        free = self.records - self.linked
        return min(max(lo - self.linked, 0.0), free), min(max(hi - self.linked, 0.0), free)


def fit_frame(features) -> pd.DataFrame:
    """What a fit is judged on, per record (unique_id order): initials, sex, force area and the
    birth interval in days (a dob is an interval of one day); ``alt``, the further force areas of
    a record in several (an agency spanning two forces), None for the rest."""
    cols = {"fi": "fi", "si": "si", "sex": "sex", "region": "region", "bd_lo": "lo", "bd_hi": "hi",
            "fn_nick": "fn"}  # the forename as its nickname group ("dave" fits "david"): open_persons
    f = pd.DataFrame({new: features.column(old).to_numpy(zero_copy_only=False) for old, new in cols.items()
                      if old in features.column_names})
    for c in ("lo", "hi"):
        f[c] = pd.to_numeric(f[c], errors="coerce").astype(float)
    if "regions" in features.column_names:
        import pyarrow.compute as pc

        regions = features.column("regions")
        multi = np.flatnonzero(pc.fill_null(pc.list_value_length(regions), 0).to_numpy(zero_copy_only=False) > 1)
        if len(multi):
            alt = np.full(len(f), None, dtype=object)
            alt[multi] = [tuple(r[1:]) for r in regions.take(multi).to_pylist()]
            f["alt"] = alt
    return f


def _each_region(f: pd.DataFrame, idx: np.ndarray, cols: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``cols`` of the records ``idx``, a row per force area they are in (``alt``: a named
    record of a council spanning two forces is a person of both), and each row's position in ``idx``."""
    base = f.iloc[idx][cols].reset_index(drop=True)
    pos = np.arange(len(idx))
    if "alt" not in f.columns or not len(idx):
        return base, pos
    alt = f["alt"].to_numpy()[idx]
    more = [(i, r) for i in np.flatnonzero(pd.notna(alt)) for r in alt[i]]
    if not more:
        return base, pos
    at = np.fromiter((i for i, _ in more), dtype=np.int64, count=len(more))
    extra = base.iloc[at].assign(region=[r for _, r in more])
    return pd.concat([base, extra], ignore_index=True), np.r_[pos, at]


def _places(f: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """Per record of ``idx``: where it fits, its force area, or for a record in several (a
    charity working in two forces) the set of them as one key ("a\x1fb")."""
    place = f["region"].to_numpy()[idx].copy()
    if "alt" in f.columns:
        alt = f["alt"].to_numpy()[idx]
        for i in np.flatnonzero(pd.notna(alt)):
            place[i] = "\x1f".join((place[i], *alt[i]))
    return place


def _in_places(p: pd.DataFrame, places: np.ndarray, keys: list[str]) -> pd.DataFrame:
    """Rows of ``p`` (one per person, force area and ``keys``) under ``place``: their force area,
    and once more under each set of force areas holding it, one row per person and ``keys``
    there (a person of both areas of a set fits once)."""
    out = [p.rename(columns={"region": "place"})]
    for key in {x for x in places if isinstance(x, str) and "\x1f" in x}:
        q = p[p["region"].isin(key.split("\x1f"))]
        out.append(q.groupby(["root", *keys], sort=False, dropna=False)
                    .agg(sex=("sex", "first"), lo=("lo", "min"), hi=("hi", "max")).reset_index().assign(place=key))
    return pd.concat(out, ignore_index=True)


def _named_persons(f: pd.DataFrame, named: np.ndarray, roots: np.ndarray, places: np.ndarray) -> pd.DataFrame:
    """One row per named person and (place, initials): sex (a known one), birth hull."""
    p, pos = _each_region(f, named, ["region", "fi", "si", "sex", "lo", "hi"])
    p = p.assign(root=roots[named][pos]).dropna(subset=["region", "fi", "si"])
    p = (p.groupby(["root", "region", "fi", "si"], sort=False, dropna=False)
          .agg(sex=("sex", "first"), lo=("lo", "min"), hi=("hi", "max")).reset_index())
    return _in_places(p, places, ["fi", "si"])


def _overlaps(persons: pd.DataFrame, rec: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Per record: persons with the same ``keys`` (null keys match only null) whose birth
    overlaps the record's (an unknown birth on either side fits anything). Sorted counts, not a
    join: at a million records an area holds tens of thousands of persons."""
    both = pd.concat([persons[keys], rec[keys]], ignore_index=True)
    gid = both.groupby(keys, sort=False, dropna=False).ngroup().to_numpy().astype(float)
    gp, gr = gid[:len(persons)], gid[len(persons):]
    plo, phi = persons["lo"].to_numpy(dtype=float), persons["hi"].to_numpy(dtype=float)
    known = ~np.isnan(plo) & ~np.isnan(phi)
    span = 1e6  # days: wider than any birth interval's values, so group x span + day sorts by group
    key_lo = np.sort(gp[known] * span + plo[known])
    key_hi = np.sort(gp[known] * span + phi[known])
    rl, rh = rec["lo"].to_numpy(dtype=float), rec["hi"].to_numpy(dtype=float)
    dated = ~np.isnan(rl) & ~np.isnan(rh)
    # within the group: persons with lo <= r.hi, less those with hi < r.lo (never both)
    top = np.where(dated, gr * span + np.nan_to_num(rh), (gr + 0.5) * span)
    bottom = np.where(dated, gr * span + np.nan_to_num(rl), (gr - 0.5) * span)
    fits = np.searchsorted(key_lo, top, side="right") - np.searchsorted(key_hi, bottom, side="left")
    undated = np.bincount(gp[~known].astype(int), minlength=int(gid.max()) + 1 if len(gid) else 0)
    return fits + undated[gr.astype(int)]


def _count_fitting(persons: pd.DataFrame, rec: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """``_overlaps`` with a sex that does not differ: a record's own sex or an unknown one; a
    record of unknown sex fits persons of any."""
    out = np.zeros(len(rec))
    if not len(rec) or not len(persons):
        return out
    sexed = rec["sex"].notna().to_numpy()
    nosex = persons[persons["sex"].isna()]
    if sexed.any():
        r = rec[sexed]
        out[sexed] = _overlaps(persons, r, keys + ["sex"]) + _overlaps(nosex, r, keys)
    if (~sexed).any():
        out[~sexed] = _overlaps(persons, rec[~sexed], keys)
    return out


def estimable(fit: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Partial records with initials and a force area: the estimate covers these."""
    return (kinds >= 4) & fit["fi"].notna().to_numpy() & fit["si"].notna().to_numpy() & fit["region"].notna().to_numpy()


def covered(fit: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Per record: a partial record the estimate covers that is not in a person with a named
    record (its chance of being one is the estimate's, not its pairs')."""
    return estimable(fit, kinds) & ~np.isin(roots, np.unique(roots[kinds < 4]))


def _forename_only(fit: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Partial records with a forename and nothing of a surname (no surname initial either)."""
    if "fn" not in fit.columns:
        return np.zeros(len(fit), bool)
    return (kinds >= 4) & fit["fn"].notna().to_numpy() & fit["si"].isna().to_numpy()


def _by_forename(fit: pd.DataFrame, kinds: np.ndarray) -> pd.DataFrame | None:
    """The fit frame read by forename: a forename-only record fits the named persons of its
    area, sex and birth with its forename (nickname group), as an initials-only record fits those
    with its initials. Its "initials" are the forename and a constant; records with no forename,
    and initials-only partial records, have none, so only forename-only partial records are
    covered in it. None when no record is forename-only."""
    alone = _forename_only(fit, kinds)
    if not alone.any():
        return None
    keyed = alone | ((kinds < 4) & fit["fn"].notna().to_numpy())
    return fit.assign(fi=fit["fn"].where(keyed), si=np.where(keyed, "~", None))


def estimate(f: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray, fit_low: float,
             forenames: bool = False, named: np.ndarray | None = None, memo: dict | None = None) -> Unresolved:
    """``f``: per record (in unique_id order) fi, si, sex, region, lo, hi (birth interval, days;
    NaN when unknown), optionally fn (forename); ``kinds``: groups.record_kinds; ``roots``: each
    record's person. With ``forenames``, forename-only records too, fitting by their forename
    (_by_forename), for the joins (join_chances); the range leaves them to open_persons (a
    forename and a decade fit a namesake about as often as the man himself). ``named``: the named
    records fits are counted among (default: every named record). ``memo``: a dict kept with
    ``f`` and ``kinds`` (the run's) where the estimate over every named record is kept by
    ``roots``: the joins by fits and the count's range ask for it on the same persons (0.1 s a
    kind at 100k), and nothing in it but fit_low (stored, not used) depends on which asks."""
    if memo is None or named is not None:
        est = _estimate(f, kinds, roots, fit_low, named)
    else:
        key = hashlib.sha256(np.ascontiguousarray(roots, dtype=np.int64).tobytes()).hexdigest()
        if key not in memo:
            memo.clear()  # (only the last persons' is asked again)
            memo[key] = _estimate(f, kinds, roots, fit_low)
        est = dataclasses.replace(memo[key], fit_low=fit_low)
    g = _by_forename(f, kinds) if forenames else None
    if g is None:
        return est
    more = _estimate(g, kinds, roots, fit_low, named)
    return Unresolved(records=est.records + more.records, linked=est.linked + more.linked,
                      ambiguous=np.r_[est.ambiguous, more.ambiguous], excess=est.excess + more.excess,
                      sd=math.sqrt(est.sd ** 2 + more.sd ** 2), fit_low=fit_low, part=np.r_[est.part, more.part],
                      fits=np.r_[est.fits, more.fits], chance=np.r_[est.chance, more.chance],
                      by_forename=np.r_[np.zeros(len(est.part), bool), np.ones(len(more.part), bool)])


def _estimate(f: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray, fit_low: float,
              named: np.ndarray | None = None) -> Unresolved:
    """estimate() over the records with initials (fi, si) in ``f``."""
    named = kinds < 4 if named is None else named
    part = np.flatnonzero(estimable(f, kinds))
    if not len(part):
        return Unresolved(0, 0, np.zeros(0, dtype=int), 0.0, 0.0, fit_low)

    places = _places(f, part)  # a record in several force areas fits the persons of each
    persons = _named_persons(f, np.flatnonzero(named), roots, places)
    rec = f.iloc[part][["fi", "si", "sex", "lo", "hi"]].reset_index(drop=True).assign(place=places)
    undated = rec.assign(lo=np.nan, hi=np.nan)
    fit_any = _count_fitting(persons, rec, ["place"])  # sex and birth fit, any initials
    area_any = _count_fitting(persons, undated, ["place"])  # sex fits, any birth
    fits = _count_fitting(persons, rec, ["place", "fi", "si"])
    area_ini = _count_fitting(persons, undated, ["place", "fi", "si"])
    # the share of r's initials among the persons of its area and sex whose birth does not fit
    national = persons.groupby(["fi", "si"]).size() / max(len(persons), 1)
    nat = national.reindex(pd.MultiIndex.from_frame(rec[["fi", "si"]])).fillna(0.0).to_numpy()
    share = (area_ini - fits + SHARE_PSEUDO * nat) / (area_any - fit_any + SHARE_PSEUDO)
    chance = fit_any * share
    linked = np.isin(roots[part], np.unique(roots[named]))
    return Unresolved(records=len(part), linked=int(linked.sum()), ambiguous=part[(fits > 0) & ~linked],
                      excess=float((fits - chance).sum()), sd=math.sqrt(float(fits.sum())),
                      fit_low=fit_low, part=part, fits=fits, chance=chance, by_forename=np.zeros(len(part), bool))


def fitted_pairs(f: pd.DataFrame, kinds: np.ndarray) -> np.ndarray:
    """Per group of pairs (groups.pair_groups' codes): at least how many pairs of a partial record
    and a named record of each kind are one person, from the fits alone (each named record its
    own person: the excess fits are then the duplicates' fitting pairs; a fit rate of 1, so a
    lower bound). What the pairs' scores cannot say when each partial record fits several."""
    out = np.zeros(64)
    ident = np.arange(len(kinds))
    for k in range(4):
        est = estimate(f, kinds, ident, 1.0, named=kinds == k)
        if not len(est.part) or not (kinds == k).any():
            continue
        excess = np.bincount(kinds[est.part], weights=est.fits - est.chance, minlength=8)
        for j in range(4, 8):
            out[k * 8 + j] = max(float(excess[j]), 0.0)
    return out


def join_chances(est: Unresolved, fit: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray,
                 edges: pd.DataFrame, bits: np.ndarray, ranked: bool = False) -> pd.DataFrame:
    """For partial records that are persons of their own: the chance that each is a given named
    person's record, from the fits. A record is a duplicate whose partner fits with probability
    q = (its kind's excess fits per record); with n fits where lambda are expected by chance,
    P(it is one of them) = q n / lambda / (q n / lambda + 1 - q) (a Poisson count with one more
    fit for a duplicate), shared among the fitting persons by their pairs' Bayes factors (2**bits).
    One row per record with a fitting person among its scored pairs: uid (the record), other
    (the most likely person's best record), p (that chance), dup (the chance it is any of them).
    With ``ranked``, one row per record and fitting person (and its ``person``), likeliest first."""
    empty = pd.DataFrame({"uid": [], "other": [], "p": [], "dup": []} | ({"person": []} if ranked else {}))
    if not len(est.part) or not len(edges):
        return empty
    alone = np.bincount(roots, minlength=len(roots))[roots] == 1
    by_fn = est.by_forename if len(est.by_forename) == len(est.part) else np.zeros(len(est.part), bool)
    # q per kind, forename-only records apart: each as often a duplicate as its own sort says
    sort = kinds[est.part] + 8 * by_fn
    n_by_kind = np.bincount(sort, minlength=16)
    q = np.bincount(sort, weights=est.fits - est.chance, minlength=16) / np.maximum(n_by_kind, 1)
    q = np.clip(q, 0.0, 0.99)[sort]
    ratio = est.fits / np.maximum(est.chance, 1e-3)
    dup = np.where(est.fits > 0, q * ratio / (q * ratio + 1 - q), 0.0)
    # a forename with nothing to date a birth never joins anyone: two men called Dave in one area
    # are two men unless an age or a date of birth says otherwise (open_persons counts it)
    dup[by_fn & (kinds[est.part] % 4 == 3)] = 0.0
    chance_of = dict(zip(est.part[alone[est.part]].tolist(), dup[alone[est.part]].tolist(), strict=True))
    a, b = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy()
    # both ends of each pair, kept where the first is such a record and the other named: filtered
    # before the frame is built (at 1M the pairs are millions; the same rows in the same order)
    lone = np.zeros(len(roots), bool)
    lone[list(chance_of)] = True
    left, right = lone[a] & (kinds[b] < 4), lone[b] & (kinds[a] < 4)
    ends = pd.DataFrame({"uid": np.r_[a[left], b[right]], "other": np.r_[b[left], a[right]],
                         "bits": np.r_[bits[left], bits[right]]})
    if not len(ends):
        return empty
    x, y = ends["uid"].to_numpy(), ends["other"].to_numpy()
    col = {c: fit[c].to_numpy() for c in ("lo", "hi")}
    # initials (the forename, for a forename-only record), area and sex as integer codes,
    # compared as the values compare (see _eq_codes)
    area = _region_shared(fit, x, y)
    same = area.copy()
    for c in ("fi", "si"):
        codes = _eq_codes(fit[c].to_numpy())
        same &= (codes[x] == codes[y]) & (codes[x] >= 0)
    if by_fn.any():
        keyed = np.zeros(len(roots), bool)
        keyed[est.part[by_fn]] = True
        fn = _eq_codes(fit["fn"].to_numpy())
        by_name = (fn[x] == fn[y]) & (fn[x] >= 0) & area
        same = np.where(keyed[x], by_name, same)
    sex = pd.factorize(fit["sex"].to_numpy())[0]  # a missing sex (None or NaN): -1
    sex = (sex[x] < 0) | (sex[y] < 0) | (sex[x] == sex[y])
    lo_x, hi_x, lo_y, hi_y = col["lo"][x], col["hi"][x], col["lo"][y], col["hi"][y]
    birth = np.isnan(lo_x) | np.isnan(lo_y) | ((lo_y <= hi_x) & (lo_x <= hi_y))
    ends = ends[same & sex & birth].assign(person=lambda d: roots[d["other"].to_numpy()])
    if not len(ends):
        return empty
    # a person's best record stands for it; persons share the record's chance by Bayes factor
    ends = ends.sort_values(["uid", "person", "bits"], ascending=[True, True, False]).drop_duplicates(["uid", "person"])
    ends["k"] = np.exp2(ends["bits"] - ends.groupby("uid")["bits"].transform("max"))
    ends["dup"] = ends["uid"].map(chance_of)
    ends["p"] = ends["dup"] * ends["k"] / ends.groupby("uid")["k"].transform("sum")
    ends = ends.sort_values(["uid", "p"], ascending=[True, False])
    if ranked:
        return ends[["uid", "other", "person", "p", "dup"]].reset_index(drop=True)
    return ends.drop_duplicates("uid")[["uid", "other", "p", "dup"]].reset_index(drop=True)


def _region_shared(fit: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per pair (x[i], y[i]): a force area in common (either may be in several: ``alt``)."""
    first = _eq_codes(fit["region"].to_numpy())
    shared = (first[x] == first[y]) & (first[x] >= 0)
    if "alt" not in fit.columns:
        return shared
    alt = fit["alt"].to_numpy()
    width = max((len(a) for a in alt if a is not None), default=0)
    codes = np.full((len(fit), width + 1), -1, dtype=np.int64)
    codes[:, 0] = first
    names = {v: c for v, c in zip(fit["region"].to_numpy(), first, strict=True) if c >= 0}
    for i in np.flatnonzero(pd.notna(alt)):
        for j, r in enumerate(alt[i], start=1):
            codes[i, j] = names.setdefault(r, len(names) + len(fit))  # an area no record has first
    for i in range(width + 1):
        for j in range(width + 1):
            if i or j:
                shared |= (codes[x, i] == codes[y, j]) & (codes[x, i] >= 0)
    return shared


def _eq_codes(values: np.ndarray) -> np.ndarray:
    """Integer codes that are equal where the values are equal under ``==``: one code a value;
    NaN (pandas' missing string, equal to nothing) -1, never equal (the caller checks >= 0);
    None (equal to None under ``==``, as in an all-null object column) a code of its own.
    Comparing codes costs no objects: 1M records' pairs of a partial and a named record are
    millions (BENCHMARKS.md, session 7)."""
    codes, uniques = pd.factorize(values)  # None and NaN: -1
    none = np.fromiter((v is None for v in values), bool, len(values))
    codes[none] = len(uniques)
    return codes


MIN_PAIRS = 30  # fewer confident pairs than this say too little about a share: FALLBACK_SHARE
FALLBACK_SHARE = 0.8  # assumed, once, for the shares the data cannot say (it only widens the range)


def _share_low(hits: np.ndarray) -> float | None:
    """A share's low end (two standard errors), or None on too few pairs to say."""
    n = len(hits)
    if n < MIN_PAIRS:
        return None
    s = float(hits.mean())
    return max(s - 2.0 * math.sqrt(max(s * (1 - s), 1.0 / n) / n), 0.05)


def _shared_region(fit: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Per named record of a person with two or more named records of a known area: whether
    another of them has the same force area (a partial record fits a person through any of its
    records)."""
    named = np.flatnonzero((kinds < 4) & fit["region"].notna().to_numpy())
    d = pd.DataFrame({"root": roots[named], "region": fit["region"].to_numpy()[named]})
    d = d[d.groupby("root")["root"].transform("size") > 1]
    return (d.groupby(["root", "region"])["root"].transform("size") > 1).to_numpy()


def fit_rate_low(fit: pd.DataFrame, kinds: np.ndarray, edges: pd.DataFrame, roots: np.ndarray) -> float:
    """How often a duplicate's partner is a fit (same force area, initials, a sex that does not
    differ, a birth that fits), low end, from the named records: area, the share of records of
    persons with several whose area another of them shares; initials and sex, their agreement
    in pairs the linkage is sure of (p >= 0.99, in one person), where names decide and sex is
    weak evidence; birth, on sure pairs of a date of birth and an age. A partial record's
    partner may be more often local than a named record's (a charity works where the child
    lives): the fit rate's high end is 1."""
    shares = [_share_low(_shared_region(fit, kinds, roots))]
    if len(edges):
        a, b = edges["uid_l"].to_numpy(), edges["uid_r"].to_numpy()
        sure = (edges["p"].to_numpy() >= 0.99) & (kinds[a] < 4) & (kinds[b] < 4) & (roots[a] == roots[b])
        sure &= ~edges["guard"].astype(bool).to_numpy()
        a, b = a[sure], b[sure]
        for col in ("sex", "fi", "si"):
            x, y = fit[col].to_numpy()[a], fit[col].to_numpy()[b]
            known = pd.notna(x) & pd.notna(y)
            shares.append(_share_low(x[known] == y[known]))
        dob_age = (((kinds[a] % 4 == 0) & np.isin(kinds[b] % 4, (1, 2)))
                   | ((kinds[b] % 4 == 0) & np.isin(kinds[a] % 4, (1, 2))))
        lo, hi = fit["lo"].to_numpy(), fit["hi"].to_numpy()
        a, b = a[dob_age], b[dob_age]
        shares.append(_share_low((lo[a] <= hi[b]) & (lo[b] <= hi[a])))
    # the shares the data can say, and FALLBACK_SHARE once for all those it cannot (five
    # unknown shares at FALLBACK_SHARE each would make a small store's high end triple)
    known = [x for x in shares if x is not None]
    return float(np.prod(known)) * (FALLBACK_SHARE if len(known) < 5 else 1.0)


def open_persons(fit: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray) -> int:
    """How many persons open_records' records make."""
    return int(len(np.unique(roots[open_records(fit, kinds, roots)])))


def open_records(fit: pd.DataFrame, kinds: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """The records of persons made only of partial records the estimate does not cover: a forename and no
    surname ("Dave", 30s), no name at all ("Unknown male" with an age, a sex and an area), or no
    area. Each is either someone already counted or someone new, so each may take one off the
    count. Their fits cannot say which, as initials' fits do (estimate): a forename and an age
    given as "30s" fit a namesake by chance about as often as the man himself (issue 16's
    held-out returns: 18 such records had 18 fits where chance gave 14.5, yet most were a named
    man's), and a record with no name fits every man of its age in the area. Only persons with a
    named person that could be theirs count: the same area, a sex that does not differ, a birth
    that fits, and the forename (nickname group) where the record has one; an unknown area fits
    anyone."""
    part = (kinds >= 4) & ~estimable(fit, kinds)
    if not part.any():
        return np.zeros(0, dtype=int)
    named = kinds < 4
    reached = np.zeros(len(roots), bool)
    reached[roots[named | estimable(fit, kinds)]] = True
    idx = np.flatnonzero(part & ~reached[roots])  # in a person with no named or covered record
    if not len(idx):
        return idx
    cols = [c for c in ("region", "fn", "sex", "lo", "hi") if c in fit.columns]
    places = _places(fit, idx)
    rec = fit.iloc[idx][cols].reset_index(drop=True).assign(place=places)
    fits = rec["region"].isna().to_numpy().copy()
    persons, pos = _each_region(fit, np.flatnonzero(named), cols)
    persons = persons.assign(root=np.flatnonzero(named)[pos]).dropna(subset=["region"])
    persons = _in_places(persons, places, [c for c in ("fn",) if c in cols])
    fn = rec["fn"].notna().to_numpy() if "fn" in rec.columns else np.zeros(len(rec), bool)
    for has_fn, keys in ((True, ["place", "fn"]), (False, ["place"])):
        sel = ~fits & (fn == has_fn)
        if sel.any() and len(persons):
            fits[sel] = _count_fitting(persons, rec[sel].reset_index(drop=True), keys) > 0
    return idx[fits]
