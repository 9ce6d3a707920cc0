"""What one EM session learnt about each group of levels, and how many matches that stands for.

A comparison's levels come in groups that apply to different pairs (birth: two dates of birth;
a dob against an age; two ages with no date; ...). EM sessions see different mixes of them: the
names' session sees named pairs, mostly one child each, where two undated ages nearly always
overlap; the initials' session sees initials-only records, mostly namesakes, where EM cannot
tell a match from a non-match by an age. Splink keeps, for a level a session did not observe,
the m an earlier session left; taking the last session's m level by level then mixes two
sessions' scales within one group. On issue 16's held-out returns that made two undated ages
that overlap weigh -1.47 bits and two far apart +2.19 (session 9): the names' session saw a few
overlapping pairs only, the initials' session had left large m on the other two levels.

So a group is decided as a whole: by the last session that saw at least MIN_SESSION_MATCHES
expected matches in it, with the m that session's own posterior gives its levels (a level it
saw no match in gets 0, not an earlier session's m), and weighed as those expected matches
against the stated m (model._m_from_data). The counts come from the session's agreement
patterns (empatterns.py keeps them); the posterior is the session's own final E step."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

# A session decides a group of levels only when it saw at least this many expected matches
# there: fewer says nothing a later or earlier session does not say better
MIN_SESSION_MATCHES = 1.0


def group_of(label: str) -> tuple[str, str]:
    """(group, level) of a level's label ("dob/exact" -> ("dob", "exact"); "same" -> ("all", "same"))."""
    group, _, level = label.rpartition("/")
    return (group or "all"), level


def _level_weights(comparison) -> dict[int, float]:
    """log2 Bayes factor per comparison vector value, from the session's m and fixed u."""
    out = {}
    for cl in comparison._comparison_levels_excluding_null:
        m, u = cl._m_probability, cl._u_probability
        ok = isinstance(m, (int, float)) and isinstance(u, (int, float)) and m > 0 and u > 0
        out[int(cl.comparison_vector_value)] = math.log2(m / u) if ok else -math.inf
    return out


def session_evidence(session) -> dict[tuple[str, str], tuple[dict[str, float], float]]:
    """Per (comparison, group) the session saw: each level's share of the group's expected
    matches, and those matches. Empty when the session kept no pattern counts."""
    counts = getattr(session, "_cse_counts", None)
    if counts is None or not len(counts):
        return {}
    settings = session.core_model_settings
    lam = float(settings.probability_two_random_records_match)
    lam = min(max(lam, 1e-12), 1 - 1e-12)
    n = counts["agreement_pattern_count"].to_numpy(dtype=float)
    bits = np.full(len(counts), math.log2(lam / (1 - lam)))
    gammas = []
    for comp in settings.comparisons:
        g = counts[comp._gamma_column_name].to_numpy().astype(int)
        gammas.append((comp, g))
        w = _level_weights(comp)
        bits += np.array([w.get(int(v), 0.0) if v != -1 else 0.0 for v in g])  # null level: no evidence
    post = 1.0 / (1.0 + np.exp2(-np.clip(bits, -60, 60)))
    expected = n * post
    out: dict[tuple[str, str], tuple[dict[str, float], float]] = {}
    for comp, g in gammas:
        by_group: dict[str, dict[str, float]] = defaultdict(dict)
        for cl in comp._comparison_levels_excluding_null:
            group, level = group_of(cl.label_for_charts)
            by_group[group][level] = float(expected[g == int(cl.comparison_vector_value)].sum())
        for group, levels in by_group.items():
            total = sum(levels.values())
            if total >= MIN_SESSION_MATCHES:
                out[(comp.output_column_name, group)] = ({k: v / total for k, v in levels.items()}, total)
    return out
