"""m come from the data (EM), the stated m counting as a few matched pairs only: whether one
person's records lie in two force areas, how often their ages disagree, whether agencies agree on
their ethnicity are properties of the returns, not of the project's own generator (issue 16:
"m for area from the data"; session 7: every comparison)."""

from __future__ import annotations

from cse_audit.linkage import load_linkage_config
from cse_audit.linkage.model import STATED_M_PAIRS, _m_from_data


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


def test_with_many_matches_the_data_decide_the_area_and_a_level_never_seen_is_not_m_from_data():
    cfg = load_linkage_config(None)
    n, prior = 40_000, 0.25 / 39_999  # about 5,000 expected matches
    trained = _m_from_data(_model(EM_NOBODY_MOVES, EM_FORENAME, prior), cfg,
                       {"probability_two_random_records_match": prior}, n)
    got = _conditional(trained, "area")
    stated = cfg.comparisons["area"].m["all"]
    matches = prior * n * (n - 1) / 2
    assert abs(got["different"] - STATED_M_PAIRS * stated["different"] / (matches + STATED_M_PAIRS)) < 1e-9
    assert got["different"] < 0.001  # the old half-and-half blend kept 0.075
    assert abs(got["same"] / got["same_force_area"] - 0.7 / 0.3) < 0.01
    # names too: EM's 0 for a different forename, with thousands of matches behind it, is rare
    # (the stated m as 20 pairs), not the half-and-half blend's half of the stated m
    forename = _conditional(trained, "forename")
    stated_different = cfg.comparisons["forename"].m["names"]["different"]
    assert 0 < forename["different"] < 0.01 * stated_different
    assert abs(forename["exact"] / forename["close"] - 9.0) < 0.01


def test_with_few_matches_the_stated_area_m_still_counts():
    cfg = load_linkage_config(None)
    n, prior = 60, 0.25 / 59  # about 7 expected matches: fewer than the stated m's weight
    trained = _m_from_data(_model(EM_NOBODY_MOVES, EM_FORENAME, prior), cfg,
                       {"probability_two_random_records_match": prior}, n)
    area = _conditional(trained, "area")
    assert 0.5 * cfg.comparisons["area"].m["all"]["different"] < area["different"] < cfg.comparisons["area"].m["all"]["different"]


def test_where_records_do_move_the_area_m_follows_them():
    cfg = load_linkage_config(None)
    n, prior = 40_000, 0.25 / 39_999
    moves = {"same": 0.5, "same_force_area": 0.25, "different": 0.25}
    got = _conditional(_m_from_data(_model(moves, EM_FORENAME, prior), cfg,
                                {"probability_two_random_records_match": prior}, n), "area")
    assert abs(got["different"] - 0.25) < 0.002  # not pulled to the stated 0.15


def _grouped_model(em_birth: dict, u_birth: dict, prior: float) -> dict:
    """A birth comparison with two groups of levels: EM's m and the random pairs' u per level."""
    return {"probability_two_random_records_match": prior, "comparisons": [
        {"output_column_name": "birth", "comparison_levels": [{"is_null_level": True}, *(
            {"label_for_charts": label, "m_probability": em_birth[label], "u_probability": u_birth[label]}
            for label in em_birth)]}]}


def test_a_small_group_of_levels_keeps_more_of_the_stated_m_than_a_large_one():
    # EM says ages never disagree, in both groups; the dob group holds 99% of the pairs, the
    # undated ages' group 1%: the same data weigh 99 times less there
    cfg = load_linkage_config(None)
    n, prior = 10_000, 0.25 / 9_999  # about 1,250 expected matches
    em = {"dob/exact": 0.9, "dob/transposed": 0.05, "dob/one_part": 0.05, "dob/near": 0.0, "dob/different": 0.0,
          "undated_ages/overlap": 1.0, "undated_ages/within_1": 0.0, "undated_ages/different": 0.0}
    u = {"dob/exact": 0.0099, "dob/transposed": 0.0099, "dob/one_part": 0.0099, "dob/near": 0.0099,
         "dob/different": 0.9504,
         "undated_ages/overlap": 0.004, "undated_ages/within_1": 0.003, "undated_ages/different": 0.003}
    got = _m_from_data(_grouped_model(em, u, prior), cfg, {"probability_two_random_records_match": prior}, n)
    levels = {lv["label_for_charts"]: lv["m_probability"] for lv in got["comparisons"][0]["comparison_levels"]
              if not lv.get("is_null_level")}
    matches = prior * n * (n - 1) / 2
    stated = cfg.comparisons["birth"].m
    for group, level, share in (("dob", "different", 0.99), ("undated_ages", "different", 0.01)):
        in_group = {k: v for k, v in levels.items() if k.startswith(group + "/")}
        conditional = in_group[f"{group}/{level}"] / sum(in_group.values())
        expected = STATED_M_PAIRS * stated[group][level] / (matches * share + STATED_M_PAIRS)
        assert abs(conditional - expected) < 1e-6 * max(expected, 1e-6)
        assert abs(sum(in_group.values()) - share) < 1e-9  # each group's share of m is its share of u
    dob_different = levels["dob/different"] / 0.99
    undated_different = levels["undated_ages/different"] / 0.01
    assert undated_different > 10 * dob_different  # though its stated m is a third of the dob group's
