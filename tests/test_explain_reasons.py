"""`link explain` says why a pair is stored as one person or as different people when its own
score alone does not (issue 16): each reason on a small store where it is what decides the pair.

Each test checks first that the pair is in the situation the reason is for (stored together or
apart, its own score on the other side of the threshold), then the reason code and the records
it names, so that a wrong reason fails."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from click.testing import CliRunner

from cse_audit import linkage, store
from cse_audit.cli import cli
from cse_audit.linkage.why import REASONS

from .test_linkage import _person, _row, build_store
from .test_linkage_prior import GUARD

EXTRA = GUARD + [
    # a named child who fits both rows of the charity return's "RT, 15": it takes one, never both
    _row("rz", "P1", "Rosie", "Thwaite", None, "2004-01-20", None, "2019-03-01", "Leeds", "RT-1"),
    # a dob and a later dob of one name, and a row with the name and an age that fits both
    _row("no_a", "P1", "Natalie", "Ormsby", None, "2004-05-05", None, "2019-01-10", "Leeds", "NO"),
    _row("no_b", "L1", "Natalie", "Ormsby", None, None, 14, "2019-02-10", "Leeds", "NO"),
    _row("no_c", "P2", "Natalie", "Ormsby", None, "2004-11-20", None, "2019-03-10", "Leeds", "NO"),
    # initials and an age with no area: no blocking rule pairs it with the named child it fits
    _row("nc", "N1", None, None, "XQ", None, 14, "2019-05-01", None, "XQ"),
    _row("nc1", "P1", "Xanthe", "Quill", None, "2004-08-01", None, "2019-02-01", "Leeds", "XQ"),
    # a second record of Lucy Brown and a third of Jessica Smith, for decisions through others
    _row("lb3", "P2", "Lucy", "Brown", None, "2005-08-01", None, "2019-05-01", "Leeds", "LB"),
    _row("js3", "L1", "Jessica", "Smith", None, "2006-11-20", None, "2019-06-11", "Leeds", "JS"),
]


@pytest.fixture(scope="module")
def cfg():
    return dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                               overrides_file=None)


@pytest.fixture(scope="module")
def linked(tmp_path_factory, cfg):
    path = tmp_path_factory.mktemp("why") / "store.duckdb"
    con, ids, _ = build_store(path, extra=EXTRA)
    linkage.link_people(con, "victims", config=cfg)
    con.execute("CHECKPOINT")
    yield path, con, ids
    con.close()


@pytest.fixture
def copy(linked, tmp_path):
    """A private copy of the linked store, to link again."""
    path, _, ids = linked
    shutil.copy(path, tmp_path / "copy.duckdb")
    con = store.connect(tmp_path / "copy.duckdb")
    yield tmp_path / "copy.duckdb", con, ids
    con.close()


def _explain(con, ids, x, y, cfg):
    e = linkage.explain(con, "victims", ids[x], ids[y], config=cfg)
    assert e.reason is None or e.reason in REASONS
    assert (e.reason is None) == (e.reason_text == "")
    return e


def test_a_pair_whose_own_score_decides_has_no_reason(linked, cfg):
    _, con, ids = linked
    e = _explain(con, ids, "kj1", "kj2", cfg)
    assert e.same_person and e.match_probability >= cfg.threshold and e.reason is None
    e = _explain(con, ids, "es1", "js1", cfg)
    assert e.same_person is False and e.match_probability < cfg.threshold and e.reason is None


def test_the_within_return_guard_on_the_pair_and_through_another_record(linked, cfg):
    _, con, ids = linked
    e = _explain(con, ids, "rt_1", "rt_2", cfg)
    assert e.same_person is False and e.held_apart_within_return
    assert e.reason == "within_return" and ids["rt_1"] in e.reason_text
    # the named child fits both rows; it took one (rt_1), so the other scores high with it and is apart
    assert _person(con, ids["rz"]) == _person(con, ids["rt_1"]) != _person(con, ids["rt_2"])
    e = _explain(con, ids, "rt_2", "rz", cfg)
    assert e.same_person is False and e.match_probability >= cfg.threshold
    assert e.reason == "within_return_via" and e.reason_records == [ids["rt_1"]]


def test_linked_through_another_record(linked, cfg):
    _, con, ids = linked
    e = _explain(con, ids, "no_a", "no_c", cfg)
    assert e.same_person and e.match_probability < cfg.threshold
    assert e.reason == "linked_through_others" and e.reason_records == [ids["no_b"]]
    assert f"{ids['no_a']} scores at or above the threshold with {ids['no_b']}" in e.reason_text


def test_a_partial_record_joins_only_its_best_matchs_person(linked, cfg):
    _, con, ids = linked
    other = "dk_2" if _person(con, ids["dk_n"]) == _person(con, ids["dk_1"]) else "dk_1"
    e = _explain(con, ids, "dk_n", other, cfg)
    assert e.same_person is False and e.match_probability >= cfg.threshold
    assert e.reason == "partial_best_only" and ids["dk_n"] in e.reason_text


def test_a_pair_no_blocking_rule_finds_was_never_compared(linked, cfg):
    _, con, ids = linked
    e = _explain(con, ids, "nc", "nc1", cfg)
    assert e.same_person is False and not e.candidate_pair and e.match_probability >= cfg.threshold
    assert e.reason == "never_compared"


def test_a_pair_below_cannot_link_below_keeps_a_high_pair_apart(copy, cfg):
    _, con, ids = copy
    strict = dataclasses.replace(cfg, cannot_link_below=0.45)  # no_a ~ no_c scores about 0.36
    linkage.link_people(con, "victims", config=strict)
    assert _person(con, ids["no_a"]) != _person(con, ids["no_c"])
    with_b, out = ("no_a", "no_c") if _person(con, ids["no_a"]) == _person(con, ids["no_b"]) else ("no_c", "no_a")
    e = _explain(con, ids, out, "no_b", strict)
    assert e.same_person is False and e.match_probability >= strict.threshold
    assert e.reason == "cannot_link_below" and e.reason_records == [ids[with_b]]
    # the cut-off the store was linked with (store_meta), whatever configuration explain is given
    e = _explain(con, ids, out, "no_b", cfg)
    assert e.reason == "cannot_link_below" and "(0.45)" in e.reason_text
    # dk_1 and dk_2 now score below the cut-off too, but the row with their name and no birth never
    # got as far as that: it joins only its best match's person (its edge to the other is dropped)
    assert _explain(con, ids, "dk_1", "dk_2", strict).match_probability < strict.cannot_link_below
    other = "dk_2" if _person(con, ids["dk_n"]) == _person(con, ids["dk_1"]) else "dk_1"
    e = _explain(con, ids, "dk_n", other, strict)
    assert e.same_person is False and e.match_probability >= strict.threshold and e.reason == "partial_best_only"


def test_a_reviewers_decisions_on_the_pair_and_through_other_records(copy, cfg, tmp_path):
    path, con, ids = copy
    sheet = tmp_path / "reviewed.csv"
    sheet.write_text(f"record_id_l,record_id_r,decision\n{ids['es1']},{ids['lb1']},match\n"
                     f"{ids['js1']},{ids['js2']},no-match\n", encoding="utf-8")
    linkage.import_decisions(con, sheet, "victims")
    linkage.link_people(con, "victims", config=cfg)
    e = _explain(con, ids, "es1", "lb1", cfg)
    assert e.same_person and e.match_probability < cfg.threshold and e.reason == "reviewer_match"
    e = _explain(con, ids, "js1", "js2", cfg)
    assert e.same_person is False and e.match_probability >= cfg.threshold and e.reason == "reviewer_no_match"
    # lb3 is Lucy Brown's second record: with es1 through the reviewer's match with lb1
    e = _explain(con, ids, "es1", "lb3", cfg)
    assert e.same_person and e.match_probability < cfg.threshold
    assert e.reason == "reviewer_match_via" and e.reason_records == [ids["lb1"]]
    # js3 fits js1 and js2; it joins one, and the no-match keeps it from the other
    apart = "js2" if _person(con, ids["js3"]) == _person(con, ids["js1"]) else "js1"
    e = _explain(con, ids, "js3", apart, cfg)
    assert e.same_person is False and e.match_probability >= cfg.threshold
    assert e.reason == "reviewer_no_match_via" and e.reason_records == [ids["js2" if apart == "js1" else "js1"]]
    # a decision recorded after the last link is not in the stored persons: said, not hidden
    late = tmp_path / "late.csv"
    late.write_text(f"record_id_l,record_id_r,decision\n{ids['kj1']},{ids['kj2']},no-match\n", encoding="utf-8")
    linkage.import_decisions(con, late, "victims")
    assert _explain(con, ids, "kj1", "kj2", cfg).reason == "decision_not_applied"
    con.close()
    # the CLI: a "why:" line, and the reason in --format json; record ids, never names
    out = CliRunner().invoke(cli, ["link", "explain", ids["es1"], ids["lb3"], "--db", str(path)])
    assert out.exit_code == 0, out.output
    line = next(ln for ln in out.output.splitlines() if ln.startswith("why: "))
    assert line.endswith("[reviewer_match_via]") and ids["lb1"] in line
    assert not any(n in out.output for n in ("Emily", "Lucy", "Brown", "2005-08-01"))
    got = CliRunner().invoke(cli, ["link", "explain", ids["js1"], ids["js2"], "--db", str(path), "--format", "json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    assert data["reason"] == "reviewer_no_match" and data["reason_text"] and data["reason_records"] == []


FITS = [
    # initials, sex and an age in Bradford; two named children with those initials and a fitting
    # birth elsewhere in West Yorkshire, one of them with a second record
    _row("xq", "N1", None, None, "XQ", None, 14, "2019-05-01", "Bradford", "XQ1"),
    _row("xq1", "P1", "Xanthe", "Quill", None, "2004-08-01", None, "2019-02-01", "Leeds", "XQ1"),
    _row("xq1b", "L1", "Xanthe", "Quill", None, "2004-08-01", None, "2019-04-01", "Leeds", "XQ1"),
    _row("xq2", "P2", "Xena", "Quarry", None, "2004-10-01", None, "2019-02-01", "Wakefield", "XQ2"),
]


def test_a_record_joined_by_its_fits_directly_and_through_its_persons_record(tmp_path):
    # a prior low enough that the partial record's own scores are below the threshold
    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=1e-5,
                              overrides_file=None)
    con, ids, _ = build_store(tmp_path / "fits.duckdb", extra=FITS)
    linkage.link_people(con, "victims", config=cfg)
    meta = json.loads(store.get_meta(con, "linkage_prior:victims"))
    joined = [j for j in meta["joined"] if ids["xq"] in j[:2]]
    assert len(joined) == 1, meta["joined"]
    to = joined[0][0] if joined[0][1] == ids["xq"] else joined[0][1]
    assert to in (ids["xq1"], ids["xq1b"])
    other = ids["xq1b"] if to == ids["xq1"] else ids["xq1"]
    e = linkage.explain(con, "victims", ids["xq"], to, config=cfg)
    assert e.same_person and e.match_probability < cfg.threshold
    assert e.reason == "joined_by_fits" and e.joined_any >= cfg.threshold
    # the CLI says it once, on the why line (not also on a "joined by its fits" line of its own)
    con.close()
    lines = CliRunner().invoke(cli, ["link", "explain", ids["xq"], to, "--db", str(tmp_path / "fits.duckdb")]
                               ).output.splitlines()
    assert any(ln.startswith("why:") and ln.endswith("[joined_by_fits]") for ln in lines), lines
    assert not any(ln.startswith("joined by its fits") for ln in lines), lines
    con = store.connect(tmp_path / "fits.duckdb")
    e = linkage.explain(con, "victims", ids["xq"], other, config=cfg)
    assert e.same_person and e.match_probability < cfg.threshold
    assert e.reason == "joined_by_fits_via" and e.reason_records == [to]
    # a store linked before joins by fits were recorded: not made up
    store.set_meta(con, "linkage_prior:victims", json.dumps({k: v for k, v in meta.items() if k != "joined"}))
    e = linkage.explain(con, "victims", ids["xq"], to, config=cfg)
    assert e.reason == "not_recorded" and e.joined_by_fits is None
    # the returns changed since the link: the stored persons are not this store's current ones
    con.execute("INSERT INTO returns VALUES (9, 'P9', 'police', 'p9.xlsx', NULL, 'y', NULL, "
                "TIMESTAMP '2020-01-02', 'current', true, 0, 0, 0, 0, 0)")
    assert linkage.explain(con, "victims", ids["xq"], to, config=cfg).reason == "links_stale"
    con.close()


def test_records_never_linked(tmp_path, cfg):
    con, ids, _ = build_store(tmp_path / "fresh.duckdb")
    assert linkage.explain(con, "victims", ids["kj1"], ids["kj2"], config=cfg).reason == "not_linked"
    con.close()


def test_a_minimised_store_says_its_scores_are_not_the_links(copy, cfg):
    """Names and dates of birth removed after the link: kj1 and kj2 (one person, on their names and
    date of birth) score low on what is left, which is not why they are one person."""
    path, con, ids = copy
    linkage.link_people(con, "offenders", config=cfg)  # minimise wants both kinds linked
    con.close()
    store.minimise(path)
    con = store.connect(path, read_only=True)
    try:
        e = _explain(con, ids, "kj1", "kj2", cfg)
        assert e.same_person and e.match_probability < cfg.threshold and e.reason == "minimised"
    finally:
        con.close()
