"""Offenders' linkage, session 15 (issue 16): the within-return guard per case, the associates as
the victims' persons, and a record without a full name compared with the records of other agencies
whose cases share someone with its own.

The within-return guard for offenders is per case.

A return lists its offenders per case (a council's perpetrators per referral, a force's suspects
per crime), so one man abusing two children is on two of its cases, once as "Paul" and once as
"Paul Zivczyk". Held apart as two rows of one return, such a man stayed two people however well
each row matched a third record. Two rows of one case are two men; rows without a case reference
keep the return-wide guard, and victims keep it too (two same-initials rows of a charity's list
are two children)."""

from __future__ import annotations

import dataclasses

import pytest

from cse_audit import linkage
from cse_audit.linkage import model

from .test_linkage import AGENCIES, _person, build_store

# (key, case_ref, forename, surname): one council return (L1)
OFFENDERS = [
    ("paul_k1", "K-1", "Paul", None),            # a first name only, on one referral
    ("paul_z_k2", "K-2", "Paul", "Zivczyk"),     # the full name, on another referral
    ("paul_k2", "K-2", "Paul", None),            # a second Paul on that same referral
    ("paul_nocase", None, "Paul", None),         # rows with no case reference
    ("paul_z_nocase", None, "Paul", "Zivczyk"),
]
# two victims of that return on two referrals: initials and an age, and a full name
VICTIMS = [("jb_k1", "K-1", None, None, "JB", 14), ("jb_k2", "K-2", "Jodie", "Bloggs", "JB", 14)]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    con, _ids, _ = build_store(tmp_path_factory.mktemp("guard") / "store.duckdb")
    rid, st, _ = AGENCIES["L1"]
    ids = {}
    for n, (key, case, fn, sn) in enumerate(OFFENDERS, start=1):
        ids[key] = f"L1:{rid}:Perpetrators:{n}"
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "case_ref, forename, surname, sex, area) VALUES (?, ?, 'L1', ?, 'Perpetrators', ?, ?, ?, ?, "
                    "'Male', 'Leeds')", [ids[key], rid, st, n, case, fn, sn])
    for n, (key, case, fn, sn, ini, age) in enumerate(VICTIMS, start=500):
        ids[key] = f"L1:{rid}:Children:{n}"
        con.execute("INSERT INTO victims (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "case_ref, forename, surname, initials, age, case_date, sex, area) VALUES "
                    "(?, ?, 'L1', ?, 'Children', ?, ?, ?, ?, ?, ?, DATE '2010-05-01', 'Female', 'Leeds')",
                    [ids[key], rid, st, n, case, fn, sn, ini, age])
    cfg = dataclasses.replace(linkage.load_linkage_config(), overrides_file=None)
    yield con, ids, cfg
    con.close()


def _guards(con, kind, cfg, ids) -> dict:
    run = model._run(con, kind, cfg, 1e-6)
    uid = {r: i for i, r in enumerate(run.record_ids)}
    e = run.edges
    out = {}
    for a, b, g in zip(e["uid_l"].tolist(), e["uid_r"].tolist(), e["guard"].astype(bool).tolist(), strict=True):
        out[frozenset((a, b))] = g
    return {frozenset((x, y)): out.get(frozenset((uid[ids[x]], uid[ids[y]])))
            for x in ids for y in ids if x < y and ids[x] in uid and ids[y] in uid}


def test_one_man_on_two_referrals_of_one_return_is_not_held_apart(guarded):
    con, ids, cfg = guarded
    g = _guards(con, "offenders", cfg, ids)
    # scored, and not held apart: two cases of one return
    assert g[frozenset(("paul_k1", "paul_z_k2"))] is False
    assert g[frozenset(("paul_k1", "paul_k2"))] is False


def test_two_rows_of_one_case_or_without_a_case_stay_held_apart(guarded):
    con, ids, cfg = guarded
    g = _guards(con, "offenders", cfg, ids)
    assert g[frozenset(("paul_k2", "paul_z_k2"))] is True  # one referral names two men
    assert g[frozenset(("paul_nocase", "paul_z_nocase"))] is True  # no case: the return's guard
    assert g[frozenset(("paul_k1", "paul_z_nocase"))] is True  # one side without a case


def test_victims_keep_the_return_wide_guard(guarded):
    con, ids, cfg = guarded
    g = _guards(con, "victims", cfg, ids)
    assert g[frozenset(("jb_k1", "jb_k2"))] is True  # two cases of one return: still held apart


def test_explain_reads_the_same_guard(guarded):
    con, ids, cfg = guarded
    other_case = linkage.explain(con, "offenders", ids["paul_k1"], ids["paul_z_k2"], config=cfg)
    same_case = linkage.explain(con, "offenders", ids["paul_k2"], ids["paul_z_k2"], config=cfg)
    assert not other_case.held_apart_within_return
    assert same_case.held_apart_within_return and same_case.match_probability == 0.0


# -- an offender's associates are the victims' persons once they are linked ----------------------

def test_two_agencies_naming_one_girl_two_ways_share_her_once_she_is_linked(tmp_path):
    """The police list Darren beside "Rebecca Smithson", a council beside "Becky Smithson": by names
    the two men's cases share no one; once the victims are linked the girl is one person, and the
    two records of Darren share her."""
    from cse_audit.linkage.features import _features

    from .test_linkage import _row

    extra = [_row("rs_p", "P1", "Rebecca", "Smithson", None, "2004-02-11", None, "2019-02-01", "Leeds", "RS"),
             _row("rs_l", "L1", "Becky", "Smithson", None, "2004-02-11", None, "2019-05-01", "Leeds", "RS")]
    con, ids, _ = build_store(tmp_path / "store.duckdb", extra=extra)
    off = {}
    for key, agency, case in (("rs_p", "P1", "C-1"), ("rs_l", "L1", "K-1")):
        con.execute("UPDATE victims SET case_ref = ? WHERE record_id = ?", [case, ids[key]])
        rid, st, _ = AGENCIES[agency]
        off[key] = f"{agency}:{rid}:Offenders:1"
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "case_ref, forename, surname, sex, area) VALUES (?, ?, ?, ?, 'Offenders', 1, ?, 'Darren', "
                    "'Hulme', 'Male', 'Leeds')", [off[key], rid, agency, st, case])
    cfg = dataclasses.replace(linkage.load_linkage_config(), overrides_file=None)

    def shared() -> bool:
        table, record_ids = _features(con, "offenders", cfg)
        assoc = dict(zip(record_ids, table.column("assoc").to_pylist(), strict=True))
        return bool(set(assoc[off["rs_p"]]) & set(assoc[off["rs_l"]]))

    assert not shared()  # victims not linked yet: by names, which differ
    linkage.link_people(con, "victims", config=cfg)
    assert _person(con, ids["rs_p"]) == _person(con, ids["rs_l"])
    assert shared()
    ex = linkage.explain(con, "offenders", off["rs_p"], off["rs_l"], config=cfg)
    assert next(c for c in ex.comparisons if c["comparison"] == "associates")["level"] == "shared"
    # a return loaded after the victims' link makes their links stale: names again, never stale persons
    con.execute("UPDATE store_meta SET value = 'stale' WHERE key = 'victims_links_basis'")
    assert not shared()
    con.close()


def _offender(con, record_id):
    return con.execute("SELECT person_id FROM offender_links WHERE record_id = ?", [record_id]).fetchone()[0]


def _filler_cases(con, ids):
    """Every filler child on a case of her own with a man of his own, as a real return's are: what
    two records' cases share by chance (the associates' u) comes from these."""
    for n, (key, rid_) in enumerate(sorted(ids.items()), start=100):
        if not key.startswith("f"):
            continue
        agency, ret = rid_.split(":")[:2]
        con.execute("UPDATE victims SET case_ref = ? WHERE record_id = ?", [f"F-{key}", rid_])
        area = con.execute("SELECT area FROM victims WHERE record_id = ?", [rid_]).fetchone()[0]
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "case_ref, forename, surname, sex, area) VALUES (?, ?, ?, ?, 'Offenders', ?, ?, 'Mark', ?, "
                    "'Male', ?)", [f"{agency}:{ret}:Offenders:{n}", int(ret), agency, AGENCIES[agency][1], n,
                                   f"F-{key}", f"Number{n:03d}".translate(str.maketrans("0123456789", "abcdefghij")),
                                   area])


def test_an_unknown_male_meets_the_man_another_agency_names_beside_the_same_girl(tmp_path):
    """A council lists "Unknown male" on Becky Smithson's referral; the police name Darren Hulme on
    Rebecca Smithson's crime. No name rule pairs a nameless record with anyone; the rule on cases
    that share someone does, and with one girl in common and nothing against, he is Darren."""
    from .test_linkage import _row

    extra = [_row("rs_p", "P1", "Rebecca", "Smithson", None, "2004-02-11", None, "2019-02-01", "Leeds", "RS"),
             _row("rs_l", "L1", "Becky", "Smithson", None, "2004-02-11", None, "2019-05-01", "Leeds", "RS"),
             # a second girl on the police's crime: the two cases share one child of two, not a list
             _row("tm_p", "P1", "Tia", "Marsh", None, "2005-07-07", None, "2019-02-01", "Leeds", "TM")]
    con, ids, _ = build_store(tmp_path / "store.duckdb", extra=extra)
    _filler_cases(con, ids)
    con.execute("UPDATE victims SET case_ref = 'C-1' WHERE record_id = ?", [ids["tm_p"]])
    off = {}
    for key, agency, case, fn, sn in (("rs_p", "P1", "C-1", "Darren", "Hulme"), ("rs_l", "L1", "K-1", None, None)):
        con.execute("UPDATE victims SET case_ref = ? WHERE record_id = ?", [case, ids[key]])
        rid, st, _ = AGENCIES[agency]
        off[key] = f"{agency}:{rid}:Offenders:1"
        con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                    "case_ref, forename, surname, sex, area) VALUES (?, ?, ?, ?, 'Offenders', 1, ?, ?, ?, 'Male', "
                    "'Leeds')", [off[key], rid, agency, st, case, fn, sn])
    # the prior as the associates' tests state it: from these few records' scores it would be the
    # share of matches among ~120 men of whom two are one
    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                              overrides_file=None)
    linkage.link_people(con, "victims", config=cfg)
    result = linkage.link_people(con, "offenders", config=cfg)
    assert any("assoc" in rule for rule in result.candidate_pairs_by_rule)
    ex = linkage.explain(con, "offenders", off["rs_p"], off["rs_l"], config=cfg)
    assert ex.candidate_pair  # found by the rule on shared cases, also as explain reads it
    assert next(c for c in ex.comparisons if c["comparison"] == "associates")["level"] == "shared"
    assert _offender(con, off["rs_p"]) == _offender(con, off["rs_l"])
    con.close()
