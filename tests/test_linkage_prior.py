"""The prior from the data (overall and per kind of pair), the within-return guard's exception
for an equal date of birth, and how a record without a full name joins a person.

Behaviours, not numbers: a group of pairs with more matches than the overall prior expects is
raised, a small group stays near it, the estimate does not depend on where it starts, and a
partial record joins all of its best match's person but never bridges two people."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cse_audit import linkage
from cse_audit.linkage import groups
from cse_audit.linkage.link import _best_only_for_partial

from .test_linkage import _person, _row, build_store


def _features(rows):
    return pa.table({"names_missing": [r[0] for r in rows],
                     "dob": pa.array([r[1] for r in rows], pa.date32()),
                     "bd_lo": pa.array([r[2] for r in rows], pa.int32()),
                     "bd_hi": pa.array([r[3] for r in rows], pa.int32())})


def test_record_kinds_say_what_a_record_carries():
    import datetime as dt

    d = dt.date(2000, 1, 1)
    kinds = groups.record_kinds(_features([
        (False, d, 10957, 10957),     # named, dob
        (False, None, 10000, 10365),  # named, age at a case date (one year)
        (True, None, 9000, 10300),    # initials, age dated only by the reference period
        (True, None, None, None),     # initials, nothing to date a birth
    ]))
    assert [groups.kind_label(int(k)) for k in kinds] == [
        "full name, dob", "full name, dated age", "no full name, undated age", "no full name, no birth"]


def test_a_group_with_more_matches_than_the_prior_expects_is_raised_and_a_small_one_barely_moves():
    kinds = np.array([0] * 1000 + [6] * 100, dtype=np.int8)  # named dob; initials undated age
    pairs = groups.pairs_per_group(kinds)
    assert pairs[0 * 8 + 0] == 1000 * 999 / 2 and pairs[0 * 8 + 6] == 1000 * 100
    prior = 1e-4
    # 90 of the 100 initials records score as someone's duplicate (p 0.9 each): 81 expected
    # matches where the overall prior expects 100,000 x 1e-4 = 10
    grp = np.array([6] * 90 + [0] * 50)
    p = np.array([0.9] * 90 + [1.0] * 50)
    shifts = groups.group_shifts(p, grp, pairs, prior)
    assert shifts[6] > 1.5  # (81 + 10) / (10 + 10): about 2.2 bits
    assert abs(shifts[0]) < 0.5 * shifts[6]  # 50 found where 50 expected: near 0
    # a group with almost no pairs stays at the overall prior whatever it scores
    tiny = groups.group_shifts(np.array([1.0]), np.array([63]), pairs + np.eye(64)[63], prior)
    assert abs(tiny[63]) < 0.2
    # capped either way
    many = groups.group_shifts(np.full(10**6, 1.0), np.full(10**6, 6), pairs, prior)
    assert many[6] == groups.GROUP_MAX_SHIFT


def test_a_partial_record_joins_its_best_matchs_person_but_never_bridges_two():
    partial = np.array([True, True, False, False, False])
    # 0 and 1: a surname and dob only (partial), 2 the same child fully named
    edges = pd.DataFrame({"uid_l": [0, 0, 1], "uid_r": [1, 2, 2], "p": [1.0, 0.99, 0.99]})
    kept = _best_only_for_partial(edges, partial, 0.5)
    assert len(kept) == 3  # all three are one person
    # 0 fits both 3 and 4, two named people who are not paired with each other: only its best
    edges = pd.DataFrame({"uid_l": [0, 0], "uid_r": [3, 4], "p": [0.9, 0.8]})
    kept = _best_only_for_partial(edges, partial, 0.5)
    assert list(zip(kept["uid_l"], kept["uid_r"], strict=True)) == [(0, 3)]


GUARD = [
    # two rows of one return: a surname and a date of birth (no forename), and the same child named
    _row("sg_1", "P1", "Sophie", "Garside", None, "2004-07-07", None, "2019-01-10", "Leeds", "SG"),
    _row("sg_2", "P1", None, "Garside", None, "2004-07-07", None, "2019-02-10", "Leeds", "SG"),
    # two rows of one charity return, initials and an age only: two children
    _row("rt_1", "N1", None, None, "RT", None, 15, "2019-03-03", "Leeds", "RT-1"),
    _row("rt_2", "N1", None, None, "RT", None, 15, "2019-03-20", "Leeds", "RT-2"),
    # two children with one name, born years apart, and a row with that name and nothing to date
    # a birth: it may be either, so it joins one and never makes the two one person
    _row("dk_1", "P1", "Daria", "Quennell", None, "2003-05-05", None, "2019-01-10", "Leeds", "DK-1"),
    _row("dk_2", "P2", "Daria", "Quennell", None, "2008-11-11", None, "2019-02-10", "Leeds", "DK-2"),
    _row("dk_n", "L1", "Daria", "Quennell", None, None, None, None, "Leeds", None),
    # twins in one charity return: initials and the same date of birth are not one child
    _row("al_1", "N1", None, None, "AL", "2005-01-01", None, "2019-04-01", "Leeds", "AL-1"),
    _row("al_2", "N1", None, None, "AL", "2005-01-01", None, "2019-04-02", "Leeds", "AL-2"),
]


@pytest.fixture(scope="module")
def guard_store(tmp_path_factory):
    con, ids, _truth = build_store(tmp_path_factory.mktemp("guard") / "store.duckdb", extra=GUARD)
    yield con, ids
    con.close()


def test_within_one_return_an_equal_full_dob_is_strong_evidence_initials_and_age_are_not(guard_store):
    con, ids = guard_store
    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                              overrides_file=None)
    result = linkage.link_people(con, "victims", config=cfg)
    assert _person(con, ids["sg_1"]) == _person(con, ids["sg_2"])
    assert _person(con, ids["rt_1"]) != _person(con, ids["rt_2"])
    assert result.overrides["held_apart_within_return"] >= 1
    assert _person(con, ids["al_1"]) != _person(con, ids["al_2"])
    # the stated prior is used as stated, and explain says so
    ex = linkage.explain(con, "victims", ids["sg_1"], ids["sg_2"], config=cfg)
    assert ex.prior_match_weight == pytest.approx(np.log2(2e-4 / (1 - 2e-4)), abs=1e-3)
    assert not ex.prior_from_data and not ex.held_apart_within_return
    # explain says when the within-return guard holds a pair apart, whatever the weights
    ex = linkage.explain(con, "victims", ids["rt_1"], ids["rt_2"], config=cfg)
    assert ex.held_apart_within_return and ex.match_probability == 0.0
    # a name with nothing to date a birth never bridges two people who share the name
    assert _person(con, ids["dk_1"]) != _person(con, ids["dk_2"])
    assert _person(con, ids["dk_n"]) in {_person(con, ids["dk_1"]), _person(con, ids["dk_2"])}


def test_the_prior_from_the_data_does_not_depend_on_where_it_starts(guard_store):
    con, ids = guard_store
    base = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=None,
                               prior_from_data=True, overrides_file=None)
    found = []
    for start in (1.1, 1.25, 2.0):
        linkage.link_people(con, "victims", config=dataclasses.replace(base, records_per_person=start))
        found.append(sorted(con.execute("SELECT record_id, person_id FROM victim_links").fetchall()))
    assert found[0] == found[1] == found[2]
    # the stated prior is only a starting point: the one used is the data's, and explain says so
    ex = linkage.explain(con, "victims", ids["sg_1"], ids["sg_2"], config=base)
    stated = base.prior(con.execute("SELECT count(*) FROM current_victims").fetchone()[0])
    assert ex.prior_match_weight != pytest.approx(np.log2(stated / (1 - stated)), abs=0.01)
    assert ex.prior_group == "full name, dob ~ no full name, dob"


def test_a_record_that_fits_several_people_equally_widens_the_range_by_at_most_one():
    from cse_audit.linkage.link import _merge_chances

    roots = np.arange(6)  # six persons of one record each
    # record 0 (initials and an age) fits persons 1-3 equally, none of them likely
    edges = pd.DataFrame({"uid_l": [0, 0, 0], "uid_r": [1, 2, 3], "p": [0.3, 0.3, 0.3]})
    assert _merge_chances(edges, roots).sum() == pytest.approx(0.9)
    # fitting five: probably one of them, but it is one record, so at most one person fewer
    edges = pd.DataFrame({"uid_l": [0] * 5, "uid_r": [1, 2, 3, 4, 5], "p": [0.3] * 5})
    assert _merge_chances(edges, roots).sum() == pytest.approx(1.0)
    # pairs within one person, and pairs far below any doubt, say nothing
    roots = np.array([0, 0, 2, 3, 4, 5])
    edges = pd.DataFrame({"uid_l": [0, 0], "uid_r": [1, 2], "p": [0.9, 0.001]})
    assert _merge_chances(edges, roots).sum() == 0


def test_u_from_one_pass_equals_splinks_when_every_pair_is_sampled(guard_store):
    """The one-pass u estimator (DuckDB) against Splink's own, on a store small enough that both
    take every pair: the same u for every level of every comparison."""
    from splink import Linker, SettingsCreator

    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.engine import _splink_engine
    from cse_audit.linkage.features import _features
    from cse_audit.linkage.model import _blocking_rules
    from cse_audit.linkage.usample import estimate_u_one_pass

    con, _ids = guard_store
    cfg = linkage.load_linkage_config()
    features, ids = _features(con, "victims", cfg)
    api, records = _splink_engine(features, cfg, False)
    every = len(ids) * (len(ids) - 1) / 2

    def linker():
        return Linker(records, SettingsCreator(
            link_type="dedupe_only", comparisons=_comparisons(cfg, "duckdb"),
            blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules),
            probability_two_random_records_match=1e-3), log_level=None)

    splink = linker()
    splink.training.estimate_u_using_random_sampling(max_pairs=10 * every, seed=1, min_count_per_level=None,
                                                     num_chunks=1)
    theirs = splink.misc.save_model_to_json()
    ours = estimate_u_one_pass(api, records, linker().misc.save_model_to_json(), 10 * every, 1)
    checked = 0
    for comp in theirs["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for lv, u in zip(levels, ours[comp["output_column_name"]], strict=True):
            expected = lv.get("u_probability")
            if not isinstance(expected, float):  # Splink leaves a level no pair fell in untrained
                assert u == 0.0, (comp["output_column_name"], lv["label_for_charts"], u)
                continue
            assert u == pytest.approx(expected, rel=1e-9), (comp["output_column_name"], lv["label_for_charts"])
            checked += 1
    assert checked >= 20


def _roots(n, partial, pairs):
    from cse_audit.linkage.clusters import _cluster

    kept = _best_only_for_partial(pd.DataFrame(pairs, columns=["uid_l", "uid_r", "p"]), np.array(partial), 0.5)
    return _cluster(n, kept, 0.5, [str(i) for i in range(n)], [])[0]


def test_partial_records_never_bridge_even_through_each_other():
    # 0 and 1 partial; 2 and 3 two full records of different people. 0's best full match is 2,
    # 1's is 3; 0 and 1 match each other best of all: still two people, not one
    roots = _roots(4, [True, True, False, False], [(0, 1, 0.99), (0, 2, 0.9), (0, 3, 0.8), (1, 3, 0.95), (1, 2, 0.9)])
    assert roots[2] != roots[3] and roots[0] == roots[2] and roots[1] == roots[3]
    # a partial record whose only match is another partial record joins that record's person
    assert len(set(_roots(3, [True, True, False], [(0, 1, 0.9), (1, 2, 0.99)]))) == 1
    # partial records that match nobody full are one person among themselves
    assert len(set(_roots(2, [True, True], [(0, 1, 0.9)]))) == 1


def test_persons_held_apart_are_never_counted_as_maybe_one():
    from cse_audit.linkage.link import _merge_chances

    roots = np.arange(3)
    edges = pd.DataFrame({"uid_l": [0, 0], "uid_r": [1, 2], "p": [0.4, 0.3]})
    assert _merge_chances(edges, roots).sum() == pytest.approx(0.7)
    # a reviewer said 0 and 1 are two people: only 0 ~ 2 may be one
    assert _merge_chances(edges, roots, [(1, 0)]).sum() == pytest.approx(0.3)
