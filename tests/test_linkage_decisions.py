"""Linkage decisions at the edges: crafted pairs just above and just below the threshold, twins
kept apart through a record that matches both, and a date of birth with one part agreeing.

Written as behaviours (these two records are one person / are two people), never as exact
probabilities or weights, so they hold for any better model. Each pair is a candidate pair
(blocking offers it), so where two records stay apart it is the model's decision. The
probabilities each pair had when the tests were written, and the mutants each test kills, are
in tests/README.md.
"""

from __future__ import annotations

import dataclasses

import pytest

from cse_audit import linkage

from .test_linkage import build_store


def _r(key, agency, forename, surname, initials, dob, age, case_date, sex, ethnicity, area, truth):
    return (key, agency, forename, surname, initials, dob, age, case_date, sex, ethnicity, area,
            "Unknown", "Unknown", None, "Unknown", truth)


# Surnames start with letters no filler surname uses, so no filler record shares their initials.
CRAFTED = [
    # Twins: same surname, dob, area and ethnicity, different forename and sex. A third record
    # has the surname and dob but no forename: it matches both twins, who must stay two people.
    _r("tw1", "P1", "Adam", "Norton", None, "2007-04-12", None, "2019-06-01", "Male", "White", "Leeds", "TW-A"),
    _r("tw2", "L1", "Bella", "Norton", None, "2007-04-12", None, "2019-07-01", "Female", "White", "Leeds", "TW-B"),
    _r("tw3", "N1", None, "Norton", None, "2007-04-12", None, "2019-06-20", "Unknown", "White", "Leeds", None),
    # Same full name and area, dates of birth agreeing in one part only: two people.
    _r("dy1", "P1", "Chloe", "Fletcher", None, "2006-02-11", None, "2019-01-15", "Female", "White", "Sheffield",
       "DY1"),
    _r("dy2", "L1", "Chloe", "Fletcher", None, "2006-09-27", None, "2019-05-15", "Female", "White", "Sheffield",
       "DY2"),   # only the year agrees
    _r("dm1", "P1", "Grace", "Young", None, "2005-03-08", None, "2019-01-15", "Female", "White", "Rotherham",
       "DM1"),
    _r("dm2", "L1", "Grace", "Young", None, "2008-03-19", None, "2019-05-15", "Female", "White", "Rotherham",
       "DM2"),   # only the month agrees, born three years apart: just below the threshold
    # Just above: weak but consistent evidence of one person.
    _r("ia1", "P1", "Niamh", "Ogilvy", None, "2005-05-05", None, "2019-03-01", "Female", "White", "Rotherham",
       "IA"),
    _r("ia2", "N1", None, None, "NO", None, 12, "2019-02-01", "Female", "White", "Rotherham",
       "IA"),    # initials only, age one year off the dob's age at the case date
    _r("ag1", "P1", "Jade", "Vance", None, "2006-02-03", None, "2019-03-01", "Female", "White", "Derby", "AG"),
    _r("ag2", "L1", "Jade", "Vance", None, None, 11, "2019-02-01", "Female", "White", "Derby",
       "AG"),    # same name, no dob, age one year off
]
TWO_PEOPLE = [("dy1", "dy2"), ("dm1", "dm2"), ("tw1", "tw2")]
ONE_PERSON = [("ia1", "ia2"), ("ag1", "ag2")]


@pytest.fixture(scope="module")
def cfg():
    # A national-scale prior, as in test_linkage: the small store would imply a very high one.
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None)


@pytest.fixture(scope="module")
def decided(tmp_path_factory, cfg):
    """The crafted records linked once; tests only read."""
    con, ids, truth = build_store(tmp_path_factory.mktemp("decisions") / "store.duckdb", CRAFTED)
    result = linkage.link_people(con, "victims", config=cfg)
    person = dict(con.execute("SELECT record_id, person_id FROM victim_links").fetchall())
    review = linkage.review_pairs(con, "victims", 0.0, 1.01, config=cfg)
    candidates = {frozenset(p) for p in zip(review["record_id_l"], review["record_id_r"], strict=True)}
    yield {k: person[rid] for k, rid in ids.items()}, ids, truth, result, candidates
    con.close()


def test_every_crafted_pair_is_a_candidate_pair(decided):
    """Otherwise "two people" below would be blocking's doing, not the model's."""
    _, ids, _, _, candidates = decided
    for a, b in TWO_PEOPLE + ONE_PERSON + [("tw1", "tw3"), ("tw2", "tw3")]:
        assert frozenset((ids[a], ids[b])) in candidates, (a, b)


def test_pairs_just_above_the_threshold_are_one_person(decided):
    p = decided[0]
    for a, b in ONE_PERSON:
        assert p[a] == p[b], (a, b)


def test_pairs_just_below_the_threshold_are_two_people(decided):
    """Grace Young born in March 2005 and in March 2008, same area: close to linking, yet two
    children (a halved threshold links them)."""
    p = decided[0]
    assert p["dm1"] != p["dm2"]


def test_a_dob_with_one_part_agreeing_does_not_link_on_its_own(decided):
    """Same name and area; the dates of birth share only the year (or only the month). One
    agreeing part is not the "one part differs" level: these are two children."""
    p = decided[0]
    assert p["dy1"] != p["dy2"]
    assert p["dm1"] != p["dm2"]


def test_twins_stay_apart_through_a_record_that_matches_both(decided):
    """tw3 (surname and dob, no forename) is a strong match for each twin; the twins' own
    comparison says they are different people, so tw3 joins one of them and the twins stay two."""
    p = decided[0]
    assert p["tw1"] != p["tw2"]
    assert p["tw3"] in (p["tw1"], p["tw2"])


def test_everything_else_comes_out_as_the_truth_says(decided):
    p, ids, truth, result, _ = decided
    known = {k: t for k, t in truth.items() if t is not None}      # tw3 may be either twin
    by_truth: dict[str, set[str]] = {}
    for k, t in known.items():
        by_truth.setdefault(t, set()).add(p[k])
    assert all(len(v) == 1 for v in by_truth.values())
    assert len({next(iter(v)) for v in by_truth.values()}) == len(by_truth)
    # persons = truth persons (tw3 adds none: it is one of the twins)
    assert result.persons == len(by_truth) and result.records == len(ids)


def _edges(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["uid_l", "uid_r", "p"]).astype({"uid_l": "int64", "uid_r": "int64",
                                                                        "p": "float64"})


def test_cluster_joins_pairs_at_or_above_the_threshold_only():
    """_cluster on its own (the pipeline drops pairs below the threshold before it, which hides
    a wrong comparison inside it): at the threshold joins, just below does not."""
    from cse_audit.linkage.clusters import _cluster

    ids = [f"r{i}" for i in range(6)]
    edges = _edges([(0, 1, 0.5), (2, 3, 0.4999), (4, 5, 0.26)])
    roots, best, stats = _cluster(6, edges, 0.5, ids, [])
    assert roots == [0, 0, 2, 3, 4, 5]
    assert best == {0: 0.5, 1: 0.5}
    assert stats == {"forced_match": 0, "forced_no_match": 0, "unknown_records": 0, "contradictions": 0}


def test_cluster_keeps_apart_pairs_apart_through_a_third_record():
    """0-2 and 1-2 are strong, 0-1 must stay apart: 2 joins the more likely of the two only."""
    from cse_audit.linkage.clusters import _cluster

    ids = ["a", "b", "c"]
    edges = _edges([(0, 2, 0.9), (1, 2, 0.95)])
    assert _cluster(3, edges, 0.5, ids, [])[0] == [0, 0, 0]
    roots, best, _ = _cluster(3, edges, 0.5, ids, [], apart=[(0, 1)])
    assert roots == [0, 1, 1] and best == {1: 0.95, 2: 0.95}
