"""A group of levels is decided as a whole by the last EM session that saw matches in it, weighed
as the matches it saw (linkage/emevidence.py). Level by level, two sessions' scales mixed within
one group: on issue 16's held-out returns two undated ages that overlap weighed -1.47 bits and two
far apart +2.19 (session 9)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from cse_audit.linkage import empatterns, load_linkage_config
from cse_audit.linkage.emevidence import session_evidence
from cse_audit.linkage.model import STATED_M_PAIRS, _em_sessions, _m_from_data

from .test_linkage_cost import _em_inputs
from .test_linkage_prior import guard_store  # noqa: F401 - the fixture: a store with enough pairs for EM


def _level(label, value, m, u):
    return SimpleNamespace(label_for_charts=label, comparison_vector_value=value, _m_probability=m, _u_probability=u)


def _session(counts: pd.DataFrame, lam: float, comparisons) -> SimpleNamespace:
    return SimpleNamespace(_cse_counts=counts, core_model_settings=SimpleNamespace(
        probability_two_random_records_match=lam, comparisons=comparisons))


BIRTH = SimpleNamespace(output_column_name="birth", _gamma_column_name="gamma_birth", _comparison_levels_excluding_null=[
    _level("undated_ages/overlap", 5, 0.3, 0.04), _level("undated_ages/within_1", 4, 0.3, 0.004),
    _level("undated_ages/different", 3, 0.3, 0.003),
    _level("dob/exact", 2, 0.9, 0.0005), _level("dob/different", 1, 0.1, 0.6)])
# a level the session never observed: Splink's marker, not a number
BIRTH_UNSEEN = SimpleNamespace(output_column_name="birth", _gamma_column_name="gamma_birth",
                               _comparison_levels_excluding_null=[
    _level("undated_ages/overlap", 5, 0.02, 0.04), _level("undated_ages/within_1", 4, "level not observed", 0.004),
    _level("undated_ages/different", 3, "level not observed", 0.003),
    _level("dob/exact", 2, 0.9, 0.0005), _level("dob/different", 1, 0.08, 0.6)])


def _posterior(bits: float, lam: float) -> float:
    odds = lam / (1 - lam) * 2.0 ** bits
    return odds / (1 + odds)


def test_a_session_gives_each_group_its_own_posterior_share_and_its_expected_matches():
    lam = 0.2
    counts = pd.DataFrame({"gamma_birth": [5, 3, 2, 1, -1], "agreement_pattern_count": [10, 40, 100, 300, 50]})
    got = session_evidence(_session(counts, lam, [BIRTH]))
    post = {g: _posterior(math.log2(m / u), lam) for g, m, u in ((5, 0.3, 0.04), (3, 0.3, 0.003),
                                                                (2, 0.9, 0.0005), (1, 0.1, 0.6))}
    undated, n_undated = got[("birth", "undated_ages")]
    want_overlap, want_different = 10 * post[5], 40 * post[3]
    assert n_undated == pytest.approx(want_overlap + want_different)
    assert undated["overlap"] == pytest.approx(want_overlap / n_undated)
    assert undated["within_1"] == 0.0  # no pair there: none of the group's matches, not an earlier m
    dob, n_dob = got[("birth", "dob")]
    assert n_dob == pytest.approx(100 * post[2] + 300 * post[1])
    assert sum(dob.values()) == pytest.approx(1.0)


def test_a_group_a_session_saw_too_few_matches_in_is_left_to_another_session():
    counts = pd.DataFrame({"gamma_birth": [3, 2], "agreement_pattern_count": [1, 500]})
    got = session_evidence(_session(counts, 0.01, [BIRTH]))  # one pair of far-apart ages: < 1 expected match
    assert ("birth", "undated_ages") not in got and ("birth", "dob") in got


def test_the_group_a_later_session_decides_is_not_mixed_with_an_earlier_ones_levels():
    """The held-out returns' case: the names' session saw a few named pairs of undated ages, all
    overlapping; the initials' session, before it, saw many (mostly namesakes) and left large m on
    every level. The group follows the names' session, weighed as the few matches it saw."""
    cfg = load_linkage_config(None)
    early = session_evidence(_session(pd.DataFrame({"gamma_birth": [5, 4, 3], "agreement_pattern_count": [800, 90, 80]}),
                                      0.5, [BIRTH]))
    late = session_evidence(_session(pd.DataFrame({"gamma_birth": [5, 2, 1], "agreement_pattern_count": [6, 900, 100]}),
                                     0.5, [BIRTH_UNSEEN]))
    evidence = {**early, **late}  # as _em_sessions keeps them: the last session that saw matches
    learnt, n = evidence[("birth", "undated_ages")]
    assert learnt == {"overlap": 1.0, "within_1": 0.0, "different": 0.0} and 1 <= n <= 6
    u = {"undated_ages/overlap": 0.04, "undated_ages/within_1": 0.004, "undated_ages/different": 0.003,
         "dob/exact": 0.0005, "dob/transposed": 0.0001, "dob/one_part": 0.01, "dob/different": 0.6}
    model = {"probability_two_random_records_match": 1e-3, "comparisons": [{"output_column_name": "birth",
             "comparison_levels": [{"is_null_level": True}, *({"label_for_charts": k, "m_probability": 0.1,
                                                                "u_probability": v} for k, v in u.items())]}]}
    got = {lv["label_for_charts"]: lv["m_probability"] / lv["u_probability"]
           for lv in _m_from_data(model, cfg, model, 2_000, evidence)["comparisons"][0]["comparison_levels"]
           if not lv.get("is_null_level")}
    # evidence falls as the ages move apart (the level-by-level mix gave the reverse)
    assert got["undated_ages/overlap"] > got["undated_ages/within_1"] > got["undated_ages/different"]
    stated = cfg.comparisons["birth"].m["undated_ages"]
    share = (u["undated_ages/overlap"] + u["undated_ages/within_1"] + u["undated_ages/different"]) / sum(u.values())
    want = STATED_M_PAIRS * stated["different"] / (n + STATED_M_PAIRS) * share
    assert got["undated_ages/different"] * u["undated_ages/different"] == pytest.approx(want, rel=1e-6)


def test_real_sessions_evidence_agrees_with_splinks_own_m(guard_store):  # noqa: F811
    """On real EM sessions: within each group the last session decided, the shares are Splink's
    own m for that session, renormalised over the group (one E step later: close, not equal)."""
    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    evidence: dict = {}
    with empatterns.em_on_pattern_counts():  # as model._train_m runs the sessions
        trained = _em_sessions(records, model, cfg, evidence)
    assert evidence
    checked = 0
    for (comp, group), (shares, n) in evidence.items():
        assert n >= 1 and sum(shares.values()) == pytest.approx(1.0)
        levels = [lv for c in trained["comparisons"] if c["output_column_name"] == comp
                  for lv in c["comparison_levels"] if lv.get("label_for_charts", "").startswith(f"{group}/")
                  or (group == "all" and "/" not in lv.get("label_for_charts", "/") and not lv.get("is_null_level"))]
        seen = {lv["label_for_charts"].rpartition("/")[2]: lv["m_probability"] for lv in levels
                if shares.get(lv["label_for_charts"].rpartition("/")[2], 0) > 0.01}
        if len(seen) >= 2:  # ratios of two observed levels: Splink's and ours
            (a, ma), (b, mb) = list(seen.items())[:2]
            assert shares[a] / shares[b] == pytest.approx(ma / mb, rel=0.05), (comp, group)
            checked += 1
    assert checked >= 1


def test_a_names_session_leaves_out_sex_and_ethnicity(guard_store):  # noqa: F811
    """Among records blocked on one name, different people share the sex the forename goes with:
    the configured names' session neither estimates nor uses sex and ethnicity (the same pairs)."""
    from splink import Linker
    from splink.blocking_rule_library import CustomRule

    from cse_audit.linkage.model import _leaving_out

    con, _ids = guard_store
    cfg, records, model = _em_inputs(con)
    names = next(r for r in cfg.em_blocking_rules if isinstance(r, str) and "l.fn = r.fn" in r)
    assert dict(cfg.em_leave_out)[names] == ("sex", "ethnicity")  # the shipped configuration
    linker = Linker(records, model, log_level=None, validate_settings=False)
    sessions = {}
    with empatterns.em_on_pattern_counts():
        for tag, rule in (("plain", CustomRule(names)), ("left", _leaving_out(linker, CustomRule(names), ("sex", "ethnicity")))):
            linker = Linker(records, model, log_level=None, validate_settings=False)
            sessions[tag] = linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_u_probabilities=True, estimate_without_term_frequencies=True)
    used = {tag: {c.output_column_name for c in s.core_model_settings.comparisons} for tag, s in sessions.items()}
    assert {"sex", "ethnicity"} <= used["plain"]
    assert used["left"] == used["plain"] - {"sex", "ethnicity"}
    pairs = {tag: int(s._cse_counts["agreement_pattern_count"].sum()) for tag, s in sessions.items()}
    assert pairs["left"] == pairs["plain"] > 0


@pytest.mark.parametrize(("rule", "message"), [
    ({"rule": "l.fn = r.fn", "leave_out": ["sexx"]}, "names sexx: not a comparison"),
    ({"rule": "l.fn = r.fn", "leave": ["sex"]}, "must be a blocking rule or have keys 'rule'"),
    ({"leave_out": ["sex"]}, "no rule"),
    ({"rule": "l.fn = r.fn", "leave_out": "sex"}, "must list comparison names"),
    ({"rule": "l.fn = r.fn; DROP TABLE x", "leave_out": ["sex"]}, "holds ';'"),
])
def test_a_bad_em_rule_is_a_config_error_naming_file_and_key(tmp_path, rule, message):
    import shutil

    import yaml

    from cse_audit.linkage.settings import DEFAULT_CONFIG, LinkageConfigError

    folder = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG.parent, folder)
    raw = yaml.safe_load((folder / "linkage.yaml").read_text())
    raw["em"]["blocking_rules"] = [["dob"], rule]
    (folder / "linkage.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(LinkageConfigError) as err:
        load_linkage_config(folder / "linkage.yaml")
    assert "linkage.yaml" in str(err.value) and "em.blocking_rules[1]" in str(err.value) and message in str(err.value)
