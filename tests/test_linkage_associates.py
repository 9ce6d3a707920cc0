"""The people named on a record's case (issue 16, named pairs): a child reported by the police and
by a council is often listed with the same offender by both, two different children seldom are.
For a victim, the offenders on its case in the same return; for an offender, the victims."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from cse_audit import linkage
from cse_audit.linkage.comparisons import _comparisons
from cse_audit.linkage.features import _features

from .test_linkage import AGENCIES, _person, _row, build_store

CONFIGS = Path(__file__).resolve().parent.parent / "configs"

ASSOC = [
    # one girl: the police give her date of birth in Leeds, a council in Greater Manchester (another
    # force area) no date and no age; both list the same man on her case. Same name, no date to
    # compare, another force area: alone not enough to say one child
    _row("sh_p", "P1", "Kayleigh", "Winstanley", None, "2004-06-01", None, "2019-02-01", "Leeds", "KW"),
    _row("sh_l", "P2", "Kayleigh", "Winstanley", None, None, None, None, "Bolton", "KW"),
    # the same shape, but each agency lists a different man: nothing in common
    _row("df_p", "P1", "Shannon", "Ormerod", None, "2005-03-03", None, "2019-03-01", "Leeds", "SO"),
    _row("df_l", "P2", "Shannon", "Ormerod", None, None, None, None, "Bolton", "SO"),
    # two girls on one case of one police return (one offender, two victims): the shared offender
    # is the return's own listing, no evidence that they are one child
    _row("co_1", "P1", "Jodie", "Marsden", None, "2006-01-10", None, "2019-04-01", "Leeds", "JM"),
    _row("co_2", "P1", "Jodie", "Marsden", None, "2006-10-01", None, "2019-04-01", "Leeds", "JM2"),
]
# (agency key, case_ref, [(forename, surname)]): the offenders on each case
CASES = {"sh_p": ("P1", "C-1", [("Darren", "Hulme"), ("Unknown", "male")]),
         "sh_l": ("P2", "K-9", [("darren", "HULME"), ("A", "Hulme")]),
         "df_p": ("P1", "C-2", [("Wayne", "Ashurst")]),
         "df_l": ("P2", "K-7", [("Lee", "Cropper")]),
         "co_1": ("P1", "C-3", [("Gary", "Pilling")]),
         "co_2": ("P1", "C-3", [])}


def _with_cases(path):
    con, ids, _truth = build_store(path, extra=ASSOC)
    n = 0
    for key, (agency, case, offenders) in CASES.items():
        con.execute("UPDATE victims SET case_ref = ? WHERE record_id = ?", [case, ids[key]])
        rid, st, _ = AGENCIES[agency]
        for fn, sn in offenders:
            n += 1
            con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                        "case_ref, forename, surname, sex) VALUES (?, ?, ?, ?, 'Offenders', ?, ?, ?, ?, 'Male')",
                        [f"{agency}:{rid}:Offenders:{n}", rid, agency, st, n, case, fn, sn])
    # the other children's cases each list a man of their own, as a real return's do: what two
    # children's cases have in common by chance (u) comes from these
    for key, rid_ in ids.items():
        if key.startswith("f"):
            n += 1
            agency, ret = rid_.split(":")[:2]
            con.execute("UPDATE victims SET case_ref = ? WHERE record_id = ?", [f"F-{key}", rid_])
            con.execute("INSERT INTO offenders (record_id, return_id, agency_id, source_type, sheet, row_number, "
                        "case_ref, forename, surname, sex) VALUES (?, ?, ?, ?, 'Offenders', ?, ?, ?, ?, 'Male')",
                        [f"{agency}:{ret}:Offenders:{n}", int(ret), agency, AGENCIES[agency][1], n, f"F-{key}",
                         "Mark", f"Number{n:03d}".translate(str.maketrans("0123456789", "abcdefghij"))])
    return con, ids


@pytest.fixture(scope="module")
def assoc_linked(tmp_path_factory):
    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                              overrides_file=None)
    con, ids = _with_cases(tmp_path_factory.mktemp("assoc") / "store.duckdb")
    linkage.link_people(con, "victims", config=cfg)
    yield con, ids, cfg
    con.close()


def _associates(ex) -> dict:
    return next(c for c in ex.comparisons if c["comparison"] == "associates")


def test_an_offender_named_by_two_agencies_links_the_child_they_both_report(assoc_linked):
    con, ids, cfg = assoc_linked
    ex = linkage.explain(con, "victims", ids["sh_p"], ids["sh_l"], config=cfg)
    shared = _associates(ex)
    assert shared["level"] == "shared" and shared["match_weight"] > 5  # "darren HULME" = "Darren Hulme"
    assert ex.match_probability >= cfg.threshold
    assert ex.match_weight - shared["match_weight"] < 0  # without the offender: kept apart
    assert _person(con, ids["sh_p"]) == _person(con, ids["sh_l"])


def test_no_one_in_common_is_not_evidence_for_and_keeps_them_apart(assoc_linked):
    con, ids, cfg = assoc_linked
    ex = linkage.explain(con, "victims", ids["df_p"], ids["df_l"], config=cfg)
    diff = _associates(ex)
    assert diff["level"] == "different" and diff["match_weight"] < 0
    assert ex.match_probability < cfg.threshold
    assert _person(con, ids["df_p"]) != _person(con, ids["df_l"])


def test_one_returns_case_is_no_evidence_and_a_record_without_a_case_is_null(assoc_linked):
    con, ids, cfg = assoc_linked
    # same return: null even where both list the same man
    same_return = _associates(linkage.explain(con, "victims", ids["co_1"], ids["sh_p"], config=cfg))
    assert same_return["level"] == "null" and same_return["match_weight"] == 0
    # co_2's case lists one man through co_1's row: one return, so still null against co_1
    assert _associates(linkage.explain(con, "victims", ids["co_1"], ids["co_2"], config=cfg))["level"] == "null"
    # a filler record has no case: null against anyone
    filler = next(r for r in ids.values() if r not in {ids[k] for k in CASES})
    assert _associates(linkage.explain(con, "victims", ids["sh_l"], filler, config=cfg))["level"] == "null"


def test_features_list_full_names_only_cleaned_and_both_ways(assoc_linked):
    con, ids, cfg = assoc_linked
    table, record_ids = _features(con, "victims", cfg)
    assoc = dict(zip(record_ids, table.column("assoc").to_pylist(), strict=True))
    # "Unknown male" and "A Hulme" are no one's full name; "darren HULME" is "Darren Hulme"
    assert assoc[ids["sh_p"]] == assoc[ids["sh_l"]] and len(assoc[ids["sh_p"]]) == 1
    assert not set(assoc[ids["df_p"]]) & set(assoc[ids["df_l"]])
    assert assoc[ids["co_1"]] == assoc[ids["co_2"]]  # one case, one list
    assert sum(v is not None for v in assoc.values()) == len(ids) - 10  # the crafted ten have no case
    # the other way: an offender's associates are the victims on its case (offenders 1-2 on the
    # police case, 3-4 on the council's, 5 and 6 on cases of other girls)
    off, off_ids = _features(con, "offenders", cfg)
    by_id = dict(zip(off_ids, off.column("assoc").to_pylist(), strict=True))
    darren_p, darren_l = by_id["P1:1:Offenders:1"], by_id["P2:4:Offenders:3"]
    assert darren_p == darren_l and len(darren_p) == 1  # Kayleigh Winstanley, in both
    assert by_id["P1:1:Offenders:2"] == darren_p  # another man on her case lists her too
    assert by_id["P1:1:Offenders:5"] != darren_p
    assert len(by_id["P1:1:Offenders:7"]) == 1  # Gary Pilling's case: two girls of one name, one name


def test_a_configuration_without_associates_does_not_compare_them(tmp_path, assoc_linked):
    con, ids, _ = assoc_linked
    raw = yaml.safe_load((CONFIGS / "linkage.yaml").read_text(encoding="utf-8"))
    raw["comparisons"].pop("associates")
    path = tmp_path / "linkage.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    for name in ("nicknames.yaml", "agencies.yaml"):
        (tmp_path / name).write_text((CONFIGS / name).read_text(encoding="utf-8"), encoding="utf-8")
    cfg = dataclasses.replace(linkage.load_linkage_config(path), probability_two_random_records_match=2e-4)
    assert "associates" not in cfg.comparisons
    names = [c.get_comparison("duckdb").output_column_name for c in _comparisons(cfg, "duckdb")]
    assert "associates" not in names and "reference" in names
    table, _ = _features(con, "victims", cfg)
    assert table.column("assoc").null_count == table.num_rows
    ex = linkage.explain(con, "victims", ids["sh_p"], ids["sh_l"], config=cfg)
    assert ex.match_probability < 0.5 and not any(c["comparison"] == "associates" for c in ex.comparisons)


def associates_u_counts(con, cfg) -> tuple[dict, dict]:
    """The associates' level counts over every pair of the store's victim records, on distinct
    values (usample.level_counts) and pair by pair (its oracle)."""
    import duckdb

    from cse_audit.linkage import usample

    table, _ = _features(con, "victims", cfg)
    comps = [c.get_comparison("duckdb").as_dict() for c in _comparisons(cfg, "duckdb")]
    comps = [c for c in comps if c["output_column_name"] == "associates"]
    scratch = duckdb.connect()
    scratch.register("t", table)
    scratch.execute("CREATE TABLE f AS SELECT * FROM t")
    n = table.num_rows
    return usample.level_counts(scratch, "f", comps, n, 7), usample.pair_level_counts(scratch, "f", comps, n, 7)


def test_u_counted_on_distinct_values_matches_every_pair(assoc_linked):
    """The null level (no one listed, or one agency) leaves pairs out of u's count by its guards
    (usample): an equality of agencies must not be read as 'pairs only within one agency'."""
    con, _ids, cfg = assoc_linked
    fast, slow = associates_u_counts(con, cfg)
    # one pair shares someone (Kayleigh, police and council); thousands of pairs of two agencies do not
    assert fast == slow and fast[0][0] == 1 and fast[0][1] > 1000
