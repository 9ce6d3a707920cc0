"""The agency's own person reference (record_ref): strong evidence between two records of one
agency, none between two agencies (another agency's numbers are another system's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cse_audit import linkage

from .test_linkage import _person, _row, build_store

CONFIGS = Path(__file__).resolve().parent.parent / "configs"

REF = [
    # one child in two cases of one police return, the second placed out of the force's area:
    # both names and the date of birth mistyped, but the force's nominal number is the same
    # (written two ways)
    _row("rf_1", "P1", "Courtney", "Ashworth", None, "2003-07-14", None, "2019-02-01", "Leeds", "RF"),
    _row("rf_2", "P1", "Courtnie", "Ashwerth", None, "2003-12-04", None, "2019-08-11", "Sheffield", "RF"),
    # two more children with a nominal number of their own in two rows each; one row's sex
    # mistyped: the force's numbers are still person references (one of three shared ones odd)
    _row("rf_4", "P1", "Jade", "Pemberton", None, "2004-02-02", None, "2019-03-01", "Leeds", "RF4"),
    _row("rf_5", "P1", "Jade", "Pemberton", None, "2004-02-02", None, "2019-09-01", "Leeds", "RF4", sex="Male"),
    _row("rf_6", "P1", "Tia", "Hollins", None, "2005-06-06", None, "2019-03-02", "Leeds", "RF6"),
    _row("rf_7", "P1", "Tia", "Hollins", None, "2005-06-06", None, "2019-10-02", "Leeds", "RF6"),
    # references one keystroke apart (two digits transposed), and two short ones one apart
    _row("rf_8", "P1", "Ellie", "Brand", None, "2004-08-08", None, "2019-04-04", "Leeds", "RF8"),
    _row("rf_9", "P1", "Megan", "Foulds", None, "2003-03-03", None, "2019-05-05", "Leeds", "RF9"),
    _row("rf_10", "P1", "Amy", "Coyle", None, "2006-01-01", None, "2019-06-06", "Leeds", "RF10"),
    _row("rf_11", "P1", "Leah", "Dunne", None, "2002-12-12", None, "2019-07-07", "Leeds", "RF11"),
    # the same number in another force's return: another system, no evidence either way
    _row("rf_3", "P2", "Paige", "Underhill", None, "2006-01-30", None, "2019-05-05", "Bolton", "RF-other"),
]
REFS = {"rf_1": "N-700555", "rf_2": "n700555", "rf_3": "N700555", "rf_4": "N900001", "rf_5": "N900001",
        "rf_6": "N900002", "rf_7": "N900002", "rf_8": "AB12345", "rf_9": "AB12354", "rf_10": "A1",
        "rf_11": "A2"}


def linked_with_refs(path, extra, refs):
    """The crafted store plus ``extra`` rows, every police record with its force's nominal number
    (one per child) and ``refs`` ({key: record_ref}) on top, linked; yields (connection, ids,
    config) for a fixture (``yield from``) and closes the connection after."""
    import dataclasses

    cfg = dataclasses.replace(linkage.load_linkage_config(), probability_two_random_records_match=2e-4,
                              overrides_file=None)
    con, ids, _truth = build_store(path, extra=extra)
    con.execute("UPDATE victims SET record_ref = 'N' || (800000 + row_number) WHERE source_type = 'police'")
    for key, ref in refs.items():
        con.execute("UPDATE victims SET record_ref = ? WHERE record_id = ?", [ref, ids[key]])
    linkage.link_people(con, "victims", config=cfg)
    try:
        yield con, ids, cfg
    finally:
        con.close()


@pytest.fixture(scope="module")
def ref_linked(tmp_path_factory):
    yield from linked_with_refs(tmp_path_factory.mktemp("ref") / "store.duckdb", REF, REFS)


def _reference(ex) -> dict:
    return next(c for c in ex.comparisons if c["comparison"] == "reference")


def test_the_same_reference_in_one_agency_links_what_the_rest_would_keep_apart(ref_linked):
    """Also: a force whose shared numbers mostly join one child's rows keeps its references though
    one of them joins rows of another sex (a typo): only most shared references joining different
    people (a case number) sets an agency's references aside (tests/test_review6.py)."""
    con, ids, cfg = ref_linked
    assert _person(con, ids["rf_1"]) == _person(con, ids["rf_2"])
    ex = linkage.explain(con, "victims", ids["rf_1"], ids["rf_2"], config=cfg)
    ref = _reference(ex)
    assert ref["level"] == "exact" and ref["match_weight"] > 5  # "N-700555" = "n700555"
    assert ex.match_weight - ref["match_weight"] < 0  # without it: kept apart
    assert ex.match_probability >= cfg.threshold


def test_the_same_number_in_another_agency_is_no_evidence(ref_linked):
    con, ids, cfg = ref_linked
    assert _person(con, ids["rf_3"]) != _person(con, ids["rf_1"])
    ref = _reference(linkage.explain(con, "victims", ids["rf_1"], ids["rf_3"], config=cfg))
    assert ref["level"] == "null" and ref["match_weight"] == 0


def test_a_reference_one_keystroke_off_is_close_only_when_long_enough(ref_linked):
    con, ids, cfg = ref_linked
    assert _reference(linkage.explain(con, "victims", ids["rf_8"], ids["rf_9"], config=cfg))["level"] == "close"
    assert _reference(linkage.explain(con, "victims", ids["rf_10"], ids["rf_11"], config=cfg))["level"] == "different"


def test_a_configuration_without_the_reference_does_not_compare_it(tmp_path):
    import yaml

    from cse_audit.linkage.comparisons import _comparisons

    raw = yaml.safe_load((CONFIGS / "linkage.yaml").read_text(encoding="utf-8"))
    raw["comparisons"].pop("reference")
    raw["blocking_rules"] = [r for r in raw["blocking_rules"] if r != ["agency", "ref"]]
    path = tmp_path / "linkage.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    for name in ("nicknames.yaml", "agencies.yaml"):
        (tmp_path / name).write_text((CONFIGS / name).read_text(encoding="utf-8"), encoding="utf-8")
    cfg = linkage.load_linkage_config(path)
    assert "reference" not in cfg.comparisons
    names = [c.get_comparison("duckdb").output_column_name for c in _comparisons(cfg, "duckdb")]
    assert "reference" not in names and "ethnicity" in names
