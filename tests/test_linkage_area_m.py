"""The area's m comes from the data (EM), the stated m counting as a few matched pairs only:
whether one person's records lie in two force areas is a property of the returns, not of the
project's own generator (issue 16: "m for area from the data")."""

from __future__ import annotations

from cse_audit.linkage import load_linkage_config
from cse_audit.linkage.model import AREA_PRIOR_PAIRS, _floored


def _model(em_area: dict, em_forename: dict, prior: float) -> dict:
    def levels(m: dict, group: str = "") -> list[dict]:
        return [{"label_for_charts": f"{group}{k}", "m_probability": v, "u_probability": 0.1} for k, v in m.items()]

    return {"probability_two_random_records_match": prior, "comparisons": [
        {"output_column_name": "area",
         "comparison_levels": [{"is_null_level": True}, *levels(em_area)]},
        {"output_column_name": "forename",
         "comparison_levels": [{"is_null_level": True}, *levels(em_forename, "names/")]},
    ]}


def _conditional(model: dict, comp: str) -> dict:
    levels = [lv for c in model["comparisons"] if c["output_column_name"] == comp
              for lv in c["comparison_levels"] if not lv.get("is_null_level")]
    total = sum(lv["m_probability"] for lv in levels)
    return {lv["label_for_charts"].rpartition("/")[2]: lv["m_probability"] / total for lv in levels}


EM_NOBODY_MOVES = {"same": 0.7, "same_force_area": 0.3, "different": 0.0}
EM_FORENAME = {"exact": 0.9, "close": 0.1, "nickname": 0.0, "swapped": 0.0, "same_initial": 0.0, "different": 0.0}


def test_with_many_matches_the_data_decide_the_area_and_a_level_never_seen_is_not_floored():
    cfg = load_linkage_config(None)
    n, prior = 40_000, 0.25 / 39_999  # about 5,000 expected matches
    trained = _floored(_model(EM_NOBODY_MOVES, EM_FORENAME, prior), cfg,
                       {"probability_two_random_records_match": prior}, n)
    got = _conditional(trained, "area")
    stated = cfg.comparisons["area"].m["all"]
    matches = prior * n * (n - 1) / 2
    assert abs(got["different"] - AREA_PRIOR_PAIRS * stated["different"] / (matches + AREA_PRIOR_PAIRS)) < 1e-9
    assert got["different"] < 0.001  # the old half-and-half blend kept 0.075
    assert abs(got["same"] / got["same_force_area"] - 0.7 / 0.3) < 0.01
    # names keep the half-and-half blend with its floor: EM's 0 for a different forename would
    # otherwise be a veto
    assert _conditional(trained, "forename")["different"] > 0.4 * cfg.comparisons["forename"].m["names"]["different"]


def test_with_few_matches_the_stated_area_m_still_counts():
    cfg = load_linkage_config(None)
    n, prior = 60, 0.25 / 59  # about 7 expected matches: fewer than the stated m's weight
    trained = _floored(_model(EM_NOBODY_MOVES, EM_FORENAME, prior), cfg,
                       {"probability_two_random_records_match": prior}, n)
    area = _conditional(trained, "area")
    assert 0.5 * cfg.comparisons["area"].m["all"]["different"] < area["different"] < cfg.comparisons["area"].m["all"]["different"]


def test_where_records_do_move_the_area_m_follows_them():
    cfg = load_linkage_config(None)
    n, prior = 40_000, 0.25 / 39_999
    moves = {"same": 0.5, "same_force_area": 0.25, "different": 0.25}
    got = _conditional(_floored(_model(moves, EM_FORENAME, prior), cfg,
                                {"probability_two_random_records_match": prior}, n), "area")
    assert abs(got["different"] - 0.25) < 0.002  # not pulled to the stated 0.15
