"""unresolved.py: how many partial records (initials, an area, an age) no linker can resolve are
named persons' duplicates, estimated from their fits against chance fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cse_audit.linkage import unresolved

LETTERS = list("abcdefghijklmnopqrstuvwxyz")


def _population(rng, n_named: int, n_dups: int, n_new: int, regions: int = 40, moved: float = 0.0):
    """Named persons (one record each, kind 0: full name and dob) and partial records (kind 6:
    initials, an undated age ~4 years wide): ``n_dups`` copy a named person's initials, sex and
    area (a share ``moved`` of them in another area), ``n_new`` are children of their own drawn
    from the same population. Initials are skewed, as names are."""
    weights = 1.0 / np.arange(1, 27) ** 1.1
    weights /= weights.sum()

    def people(n):
        return pd.DataFrame({
            "fi": rng.choice(LETTERS, n, p=weights), "si": rng.choice(LETTERS, n, p=weights[::-1]),
            "sex": rng.choice(["Female", "Male", None], n, p=[0.75, 0.2, 0.05]),
            "region": rng.choice([f"force {i}" for i in range(regions)], n),
            "dob": rng.integers(8000, 11000, n).astype(float)})

    named = people(n_named)
    named["lo"] = named["hi"] = named["dob"]
    partner = rng.choice(n_named, n_dups, replace=False)
    src = named.iloc[partner].copy()
    if moved:
        away = rng.random(n_dups) < moved
        src.loc[away, "region"] = [f"force {(int(r.split()[-1]) + 1) % regions}" for r in src.loc[away, "region"]]
    new = people(n_new)
    part = pd.concat([src, new], ignore_index=True)
    start = part["dob"] - rng.integers(0, 1500, len(part))  # the interval holds the dob
    part["lo"], part["hi"] = start, start + 1550
    fit = pd.concat([named, part], ignore_index=True)[["fi", "si", "sex", "region", "lo", "hi"]]
    kinds = np.r_[np.zeros(n_named, int), np.full(len(part), 6)]
    roots = np.arange(len(fit))  # nothing linked: every partial record a person of its own
    return fit, kinds, roots, np.r_[partner, np.full(n_new, -1)]


def test_overlap_counts_match_a_plain_count():
    rng = np.random.default_rng(3)
    fit, kinds, roots, _ = _population(rng, 600, 50, 50, regions=3)
    places = unresolved._places(fit, np.flatnonzero(kinds == 6))
    persons = unresolved._named_persons(fit, np.flatnonzero(kinds == 0), roots, places)
    persons.loc[persons.index[:40], ["lo", "hi"]] = np.nan  # some named persons with no birth
    rec = fit[kinds == 6].reset_index(drop=True).rename(columns={"region": "place"})
    rec.loc[:9, "sex"] = None
    got = unresolved._count_fitting(persons, rec, ["place", "fi"])
    for i, r in rec.iterrows():
        p = persons[(persons["place"] == r["place"]) & (persons["fi"] == r["fi"])]
        sex = p["sex"].isna() | pd.isna(r["sex"]) | (p["sex"] == r["sex"])
        birth = p["lo"].isna() | ((p["lo"] <= r["hi"]) & (p["hi"] >= r["lo"]))
        assert got[i] == (sex & birth).sum(), i


@pytest.mark.parametrize("seed", [1, 2])
def test_duplicates_that_fit_five_children_are_counted(seed):
    """Dense areas: each partial record fits several named children by chance (no pair could
    link it), yet how many are someone's duplicate is estimated within its stated range."""
    rng = np.random.default_rng(seed)
    fit, kinds, roots, _ = _population(rng, 20000, 1500, 500)
    est = unresolved.estimate(fit, kinds, roots, fit_low=0.8)
    lo, hi = est.unlinked_duplicates()
    assert lo <= 1500 <= hi, (lo, hi)
    assert abs(est.excess - 1500) < 0.1 * 1500, est.excess  # nothing moved: fit rate 1
    assert len(est.ambiguous) > 0.8 * 2000  # most fit at least one named child


def _in_two_forces(fit, kinds, regions: int = 40):
    """Every partial record also in the force area before its own (a charity working in two
    forces; _population's moved duplicates are in the area after their partner's)."""
    alt = np.full(len(fit), None, dtype=object)
    for i in np.flatnonzero(kinds == 6):
        alt[i] = (f"force {(int(fit['region'].iat[i].split()[-1]) - 1) % regions}",)
    return fit.assign(alt=alt)


def test_records_of_an_agency_in_two_forces_fit_the_children_of_both():
    """Half the duplicates' partners are in the agency's second force area: counted there too
    (on the first area alone the estimate found about half of them, and its range missed)."""
    rng = np.random.default_rng(4)
    fit, kinds, roots, _ = _population(rng, 20000, 1500, 500, moved=0.5)
    first = unresolved.estimate(fit, kinds, roots, fit_low=0.8)
    assert first.excess < 0.6 * 1500, first.excess  # what the first area alone sees
    est = unresolved.estimate(_in_two_forces(fit, kinds), kinds, roots, fit_low=0.8)
    lo, hi = est.unlinked_duplicates()
    assert lo <= 1500 <= hi, (lo, hi)
    assert abs(est.excess - 1500) < 0.1 * 1500, est.excess


def test_a_person_in_both_forces_fits_once():
    """A named child with records in both force areas of a two-force record is one fit, not two."""
    fit = pd.DataFrame({"fi": ["a", "a", "a"], "si": ["b", "b", "b"], "sex": ["Female"] * 3,
                        "region": ["force 0", "force 1", "force 0"], "lo": [9000.0, 9000.0, 8500.0],
                        "hi": [9000.0, 9000.0, 10000.0], "alt": [None, None, ("force 1",)]})
    kinds, roots = np.array([0, 0, 6]), np.array([0, 0, 2])  # records 0 and 1: one person
    est = unresolved.estimate(fit, kinds, roots, fit_low=1.0)
    assert est.fits.tolist() == [1.0]
    assert unresolved._region_shared(fit, np.array([2, 2, 0]), np.array([0, 1, 1])).tolist() == [True, True, False]


def test_children_of_their_own_are_not_counted_as_duplicates():
    rng = np.random.default_rng(5)
    fit, kinds, roots, _ = _population(rng, 20000, 0, 2000)
    lo, hi = unresolved.estimate(fit, kinds, roots, fit_low=0.8).unlinked_duplicates()
    assert lo == 0 and hi < 0.15 * 2000, (lo, hi)


def test_partners_in_another_area_widen_the_range_not_move_it():
    """A fifth of the duplicates' partners are in another force area: the fits find 80 % of
    them, and the fit rate's low end (as measured from the named records) brings the rest."""
    rng = np.random.default_rng(7)
    fit, kinds, roots, _ = _population(rng, 20000, 1500, 500, moved=0.2)
    est = unresolved.estimate(fit, kinds, roots, fit_low=0.75)
    lo, hi = est.unlinked_duplicates()
    assert lo <= 1500 <= hi, (lo, hi)
    assert est.duplicates()[0] < 0.9 * 1500  # the fits alone would undercount


def test_linked_partial_records_are_not_counted_again():
    rng = np.random.default_rng(9)
    fit, kinds, roots, partner = _population(rng, 5000, 400, 100)
    part = np.flatnonzero(kinds == 6)[:300]
    roots[part] = partner[:300]  # the first 300 duplicates linked to their named partners
    est = unresolved.estimate(fit, kinds, roots, fit_low=0.8)
    assert est.linked == 300
    lo, hi = est.unlinked_duplicates()
    assert lo <= 100 <= hi, (lo, hi)  # 100 duplicates left unlinked
    assert not (unresolved.covered(fit, kinds, roots)[part]).any()


def test_fit_rate_from_the_named_records():
    """Named persons with two records: the share whose areas agree is the fit rate's area part."""
    fit = pd.DataFrame({"fi": ["a"] * 200, "si": ["b"] * 200, "sex": ["Female"] * 200,
                        "region": [f"r{i // 2}" if i % 10 else "elsewhere" for i in range(200)],
                        "lo": [9000.0] * 200, "hi": [9000.0] * 200})
    kinds = np.zeros(200, int)
    roots = np.repeat(np.arange(0, 200, 2), 2)
    edges = pd.DataFrame({"uid_l": np.arange(0, 200, 2), "uid_r": np.arange(1, 200, 2),
                          "p": 0.999, "guard": False})
    rate = unresolved.fit_rate_low(fit, kinds, edges, roots)
    # 20 of 100 persons have one record "elsewhere": 80 % of records share an area (less 2 se),
    # no sure pair of a dob and an age: birth at the fallback share; sex and initials
    # agree in all 100 sure pairs (less 2 se: 0.98 each)
    assert 0.8 * 0.9 * 0.85 * 0.8 < rate < 0.8 * unresolved.FALLBACK_SHARE + 1e-9, rate


def _fit_edges(fit, kinds):
    """Every pair of a partial record and a named record with its area and initials (what the
    blocking rule for partial records gives), all with one Bayes factor."""
    part = fit[kinds == 6].reset_index().rename(columns={"index": "uid"})
    named = fit[kinds == 0].reset_index().rename(columns={"index": "other"})
    pairs = part.merge(named, on=["region", "fi", "si"])
    a, b = pairs["uid"].to_numpy(), pairs["other"].to_numpy()
    return pd.DataFrame({"uid_l": np.minimum(a, b), "uid_r": np.maximum(a, b), "p": 0.1, "guard": False})


@pytest.mark.parametrize("n_dups", [1500, 0])
def test_a_record_joins_the_one_person_it_most_likely_is(n_dups):
    """A partial record that fits one named child where chance would give it few: most likely
    that child's, when such records are mostly duplicates; never when none are."""
    rng = np.random.default_rng(11)
    fit, kinds, roots, partner = _population(rng, 20000, n_dups, 2000 - n_dups, regions=80)
    est = unresolved.estimate(fit, kinds, roots, fit_low=0.8)
    edges = _fit_edges(fit, kinds)
    got = unresolved.join_chances(est, fit, kinds, roots, edges, np.zeros(len(edges)))
    sure = got[got["p"] >= 0.5]
    if not n_dups:
        assert len(sure) == 0, sure
        return
    first = len(kinds) - 2000
    right = partner[sure["uid"].to_numpy() - first] == sure["other"].to_numpy()
    assert len(sure) > 300 and right.mean() >= 0.75, (len(sure), right.mean())
    assert abs(right.mean() - sure["p"].mean()) < 0.1  # the chances are about right


def test_degenerate_returns_give_no_estimate_and_no_error():
    """No named person at all, no areas, no sexes or births: nothing to estimate, nothing joined."""
    fit = pd.DataFrame({"fi": ["a", "b", "a", None], "si": ["c", "d", "c", "x"], "sex": [None] * 4,
                        "region": ["r", "r", None, "r"], "lo": [np.nan] * 4, "hi": [np.nan] * 4})
    kinds = np.full(4, 7)  # initials, nothing to date a birth
    roots = np.arange(4)
    est = unresolved.estimate(fit, kinds, roots, 0.8)
    assert est.records == 2 and est.excess == 0 and est.unlinked_duplicates() == (0.0, 0.0)
    edges = pd.DataFrame({"uid_l": [0], "uid_r": [1], "p": [0.2], "guard": [False]})
    assert unresolved.join_chances(est, fit, kinds, roots, edges, np.zeros(1)).empty
    assert 0 < unresolved.fit_rate_low(fit, kinds, edges, roots) <= 1
    named = fit.assign(region=None)
    est = unresolved.estimate(named, np.array([0, 0, 6, 6]), roots, 0.8)  # no area: not covered
    assert est.records == 0


def _hand_made():
    """Named records 0-4 (persons: 0, 1+2, 3, 4) and partial records 5-8, all in area r with
    initials a b: 5 fits persons 0 and 1+2, 6 fits person 3 only by initials (its birth does not
    fit), 7 is already in person 4 (linked), 8 fits person 0."""
    fit = pd.DataFrame({"fi": ["a"] * 9, "si": ["b"] * 9, "sex": ["Female"] * 9, "region": ["r"] * 9,
                        "lo": [9000.0, 9100, 9150, 20000, 9000, 8500, 8500, 8500, 8500],
                        "hi": [9000.0, 9100, 9150, 20000, 9000, 10000, 10000, 10000, 10000]})
    kinds = np.array([0, 0, 0, 0, 0, 6, 6, 6, 6])
    roots = np.array([0, 1, 1, 3, 4, 5, 6, 4, 8])
    est = unresolved.Unresolved(records=4, linked=1, ambiguous=np.array([5, 6, 8]), excess=3.6, sd=1.0,
                                fit_low=1.0, part=np.array([5, 6, 7, 8]), fits=np.array([2.0, 0, 1, 1]),
                                chance=np.array([0.1, 0.1, 0.1, 0.1]))
    pairs = [(0, 5, 0.0), (1, 5, 1.0), (2, 5, 3.0), (3, 6, 5.0), (4, 7, 1.0), (0, 8, 0.0)]
    edges = pd.DataFrame({"uid_l": [a for a, _, _ in pairs], "uid_r": [b for _, b, _ in pairs],
                          "p": 0.1, "guard": False})
    return fit, kinds, roots, est, edges, np.array([w for _, _, w in pairs])


def test_join_chances_share_by_bayes_factor_and_person():
    fit, kinds, roots, est, edges, bits = _hand_made()
    got = unresolved.join_chances(est, fit, kinds, roots, edges, bits).set_index("uid")
    # 5: person 1+2 through its best record (2, 3 bits) against person 0 (0 bits): 8 / 9 of it
    assert got.loc[5, "other"] == 2
    assert got.loc[5, "p"] == pytest.approx(got.loc[5, "dup"] * 8 / 9)
    assert 6 not in got.index  # its only candidate's birth does not fit
    assert 7 not in got.index  # already in a person with a named record
    assert got.loc[8, "other"] == 0 and got.loc[8, "p"] == pytest.approx(got.loc[8, "dup"])
    # q = the kind's excess fits per record (3.6 / 4 = 0.9); 8 has 1 fit where chance gives 0.1
    q, ratio = 0.9, 1 / 0.1
    assert got.loc[8, "dup"] == pytest.approx(q * ratio / (q * ratio + 1 - q))


@pytest.mark.parametrize("seed", [1, 2])
def test_fitted_pairs_are_a_lower_bound_on_the_groups_true_pairs(seed):
    """The pairs of a partial record and a named record that are one person, per group of pairs,
    from the fits alone: near the truth (1,500 duplicates, each of one named record), never the
    partial records that are children of their own, and only in the groups that hold them."""
    from cse_audit.linkage import groups

    rng = np.random.default_rng(seed)
    fit, kinds, _roots, _ = _population(rng, 20000, 1500, 500)
    got = unresolved.fitted_pairs(fit, kinds)
    g = 0 * 8 + 6  # full name with a dob ~ initials with an undated age
    assert 0.9 * 1500 < got[g] < 1.1 * 1500, got[g]
    assert np.count_nonzero(got) == 1
    fit_new, kinds_new, _, _ = _population(rng, 20000, 0, 2000)
    assert unresolved.fitted_pairs(fit_new, kinds_new)[g] < 0.05 * 2000
    # and the group's prior follows them where the scores cannot: every partial record fits
    # several children and scores low against each
    pairs = groups.pairs_per_group(kinds)
    prior = 1600 / (len(kinds) * (len(kinds) - 1) / 2)
    low = np.full(1500, 0.01)
    locked = groups.group_shifts(low, np.full(1500, g), pairs, prior)[g]
    floored = groups.group_shifts(low, np.full(1500, g), pairs, prior, got)[g]
    assert locked < -1.0 and floored > locked + 1.0


def test_records_with_no_name_or_a_forename_only_may_each_be_someone_counted():
    """Issue 16: "Dave", 30s and "Unknown male", 30s are either a named man already counted or a
    man of their own; their fits cannot say which, so each person of them that some named
    person could be (area, sex, birth, and the forename where there is one) may take one off."""
    fit = pd.DataFrame({
        "fi": ["d", "d", "t", "d", None, "d", None, None, "d", "x"],
        "si": ["s", "s", "h", None, None, None, None, None, None, "y"],
        "fn": ["dave", "dave", "tariq", "dave", None, "dave", None, None, "dave", None],
        "sex": ["Male"] * 10,
        "region": ["r", "q", "r", "r", "r", "r", "r", None, "r", "r"],
        "lo": [9000.0, 9000, 9000, 8000, 8000, 15000, 30000, np.nan, 8000, 8000],
        "hi": [9000.0, 9000, 9000, 12000, 12000, 16000, 31000, np.nan, 12000, 12000]})
    # 0-2 named; 3 "Dave" fits 0; 4 no name fits 0 and 2; 5 "Dave" born too late for any Dave;
    # 6 no name born after everyone; 7 no area: fits anyone; 8 "Dave" linked to 3 (one person);
    # 9 initials: the estimate's, not these
    kinds = np.array([0, 0, 0, 5, 5, 5, 5, 7, 5, 5])
    roots = np.array([0, 1, 2, 3, 4, 5, 6, 7, 3, 9])
    assert unresolved.open_persons(fit, kinds, roots) == 3  # persons 3 (3 and 8), 4, 7
    roots[4] = 2                                            # 4 linked to a named man: his record
    assert unresolved.open_persons(fit, kinds, roots) == 2
    fit.loc[0, "fn"] = "tariq"                              # no Dave in r: "Dave" fits nobody there
    assert unresolved.open_persons(fit, kinds, roots) == 1
    # a frame without forenames (older stores' fit frames): every partial record with initials
    # is the estimate's, and one with none is open
    assert unresolved.open_persons(fit.drop(columns="fn"), kinds, roots) == 2  # persons 3 and 7


def _forename_population(rng, no_birth: bool = False):
    """_population's records read as forename-only ones: named persons with a forename from a
    skewed pool of 300, partial records with a forename and no surname (the duplicates copy their
    partner's)."""
    fit, kinds, roots, partner = _population(rng, 20000, 1500, 500, regions=80)
    pool = np.array([f"name{i}" for i in range(300)])
    w = 1.0 / np.arange(1, 301) ** 1.1
    fit["fn"] = rng.choice(pool, len(fit), p=w / w.sum())
    part = np.flatnonzero(kinds == 6)
    dups = part[partner[part - part[0]] >= 0]
    fit.loc[dups, "fn"] = fit["fn"].to_numpy()[partner[dups - part[0]]]
    fit.loc[part, "si"] = None
    fit.loc[part, "fi"] = fit.loc[part, "fn"].str[0]
    if no_birth:
        fit.loc[part, ["lo", "hi"]] = np.nan
        kinds[part] = 7
    return fit, kinds, roots, partner


@pytest.mark.parametrize("no_birth", [False, True])
def test_a_forename_only_record_joins_by_its_forename_only_with_a_birth(no_birth):
    """A forename, an area, a sex and an age that one named person fits, where chance gives few:
    that person's record (the joins, as for initials). A forename with no age never joins, and
    without `forenames` the estimate (the range's) does not cover such records at all."""
    rng = np.random.default_rng(13)
    fit, kinds, roots, partner = _forename_population(rng, no_birth)
    assert unresolved.estimate(fit, kinds, roots, 0.8).records == 0
    est = unresolved.estimate(fit, kinds, roots, 1.0, forenames=True)
    assert est.records == 2000 and est.by_forename.all()
    part = fit[kinds >= 4].reset_index().rename(columns={"index": "uid"})
    named = fit[kinds == 0].reset_index().rename(columns={"index": "other"})
    pairs = part.merge(named, on=["region", "fn"])
    a, b = pairs["uid"].to_numpy(), pairs["other"].to_numpy()
    edges = pd.DataFrame({"uid_l": np.minimum(a, b), "uid_r": np.maximum(a, b), "p": 0.1, "guard": False})
    got = unresolved.join_chances(est, fit, kinds, roots, edges, np.zeros(len(edges)))
    sure = got[got["p"] >= 0.5]
    if no_birth:
        assert len(sure) == 0
        return
    first = len(kinds) - 2000
    right = partner[sure["uid"].to_numpy() - first] == sure["other"].to_numpy()
    assert len(sure) > 300 and right.mean() >= 0.75, (len(sure), right.mean())
