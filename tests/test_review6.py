"""Review 6 (issue 16: the area's m from the data, an agency's own person reference), tried on
returns the project has not seen: a council whose record_ref is a case number, references that
lost their leading zeros, a re-link after the prior changed, the EM sessions that train the area."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cse_audit import linkage, store

from .test_linkage import _person, _row, build_store
from .test_linkage_reference import _reference, linked_with_refs

EXTRA = [
    # a charity that maps its CASE number into record_ref: two sisters referred in one case, by
    # initials and age only (one return: the within-return guard must hold them apart)
    _row("sis_1", "N1", None, None, "RW", None, 14, "2019-04-01", "Leeds", "SIS-1"),
    _row("sis_2", "N1", None, None, "RW", None, 13, "2019-04-01", "Leeds", "SIS-2"),
    # one child, one force's nominal number: one export kept its leading zeros (a text cell),
    # the other lost them (a number cell); names and date of birth mistyped, placed elsewhere
    _row("lz_1", "P1", "Courtney", "Ashworth", None, "2003-07-14", None, "2019-02-01", "Leeds", "LZ"),
    _row("lz_2", "P1", "Courtnie", "Ashwerth", None, "2003-12-04", None, "2019-08-11", "Sheffield", "LZ"),
]
REFS = {"sis_1": "CASE 17", "sis_2": "case-17", "lz_1": "000700555", "lz_2": "700555"}


def _cfg(**kw):
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None, **kw)


@pytest.fixture(scope="module")
def refs_linked(tmp_path_factory):
    yield from linked_with_refs(tmp_path_factory.mktemp("r6") / "store.duckdb", EXTRA, REFS)


def test_a_case_number_in_record_ref_does_not_merge_two_children_of_one_return(refs_linked):
    # Siblings share a case number. Before the reference comparison the pair scored p = 0.32
    # (kept apart); the shared "reference" lifts the within-return guard AND adds +8.7 bits.
    con, ids, cfg = refs_linked
    assert _person(con, ids["sis_1"]) != _person(con, ids["sis_2"])
    # two ages at one case date under one reference: the charity's references are not person
    # references, so they are not compared at all (and do not lift the guard)
    ex = linkage.explain(con, "victims", ids["sis_1"], ids["sis_2"], config=cfg)
    assert _reference(ex)["level"] == "null" and ex.held_apart_within_return


def test_a_reference_that_lost_its_leading_zeros_is_the_same_reference(refs_linked):
    con, ids, cfg = refs_linked
    ex = linkage.explain(con, "victims", ids["lz_1"], ids["lz_2"], config=cfg)
    assert _reference(ex)["level"] == "exact"
    assert _person(con, ids["lz_1"]) == _person(con, ids["lz_2"])


def _cached_area_m(con) -> list:
    return json.loads(store.get_meta(con, "linkage_u:victims"))["u"]["area"]["m"]


def test_a_changed_prior_does_not_reuse_the_area_m_trained_under_the_old_one(tmp_path):
    # the area's m now depends on the prior (its expected matches weigh against STATED_M_PAIRS),
    # so the u/m cache in store_meta must not hand the old m to a run under another prior
    path = tmp_path / "a.duckdb"
    con, _ids, _truth = build_store(path)
    linkage.link_people(con, "victims", config=_cfg(em_min_records=50))
    before = _cached_area_m(con)
    changed = dataclasses.replace(_cfg(em_min_records=50), probability_two_random_records_match=5e-3)
    linkage.link_people(con, "victims", config=changed)
    relinked = _cached_area_m(con)
    con.close()
    fresh_con, _ids, _truth = build_store(tmp_path / "b.duckdb")
    linkage.link_people(fresh_con, "victims", config=changed)
    fresh = _cached_area_m(fresh_con)
    fresh_con.close()
    assert fresh != before  # the prior does move the area's m ...
    assert relinked == pytest.approx(fresh)  # ... so the re-link must train it again


def test_no_em_session_trains_the_area_on_pairs_held_to_one_force_area():
    # Splink trains a comparison in every EM session whose blocking rule does not use one of its
    # input columns. The ages' session blocks on `region`, which the area comparison does not read
    # (it reads area and regions): the area is trained there on pairs that all share a force
    # area, never sees "different", and as the last session its same / same_force_area split is
    # the one kept (hard-s1-a victims: 0.65 / 0.35 from it against 0.23 / 0.49 from [dob] and
    # [sn, fn], giving conditional m 0.51 / 0.28 / 0.21 for same / same_force_area / different).
    from splink.internals.parse_sql import get_columns_used_from_sql

    from cse_audit.linkage.comparisons import _comparisons
    from cse_audit.linkage.model import _blocking_rules

    cfg = linkage.load_linkage_config()
    area = next(c.get_comparison("duckdb") for c in _comparisons(cfg, "duckdb")
                if c.get_comparison("duckdb").output_column_name == "area")
    reads = {c.input_name for c in area._input_columns_used_by_case_statement}
    for rule in _blocking_rules(cfg.em_blocking_rules):
        cols = set(get_columns_used_from_sql(rule.get_blocking_rule("duckdb").blocking_rule_sql, "duckdb"))
        trains_area = not cols & reads
        assert not (trains_area and cols & {"region", "regions", "area"}), (cols, reads)


def test_a_skipped_em_session_is_logged_by_its_rule_as_configured(tmp_path, caplog):
    # a session with no pair (here a rule no two records meet) is skipped, and the log says which
    # rule it was in the configuration's own words, not as a Splink object's repr
    con, _ids, _truth = build_store(tmp_path / "s.duckdb")
    rule = "l.fn = r.fn AND l.sn = r.sn AND l.dob <> r.dob AND l.dob = r.dob"
    cfg = _cfg(em_min_records=50, em_blocking_rules=[rule, ["dob"]])
    with caplog.at_level("INFO", logger="cse_audit"):
        linkage.link_people(con, "victims", config=cfg)
    con.close()
    skipped = [r.getMessage() for r in caplog.records if "EM on" in r.getMessage()]
    assert skipped and all(m.startswith(f"EM on {rule} skipped") for m in skipped)
