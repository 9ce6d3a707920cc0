"""Session 14, issue 16 follow-ups: what a new analyst hit writing mappings from docs/ alone for a
fourth held-out world (bench/heldout4 on branch s14-world4). Names here are made up."""

from __future__ import annotations

import json
from types import SimpleNamespace

from cse_audit.ingest.summary import _linkage_line, render_load_summary

# a link result as the linkage gives it: nobody reviewed anything, the within-return guard held
# 525 pairs apart and the model's own score 3
UNREVIEWED = {"records": 1009, "persons": 521, "overrides": {
    "forced_match": 0, "forced_no_match": 0, "unknown_records": 0, "contradictions": 0, "kept_apart": 3,
    "held_apart_within_return": 525, "carried_over": 0}}


def test_the_summary_never_calls_the_within_return_guard_reviewed_decisions():
    line = _linkage_line("offenders", UNREVIEWED)
    assert "reviewed decisions" not in line and "reviewer decisions" not in line
    assert "automatic splits 528" in line and "two rows of one return 525" in line
    reviewed = {**UNREVIEWED, "overrides": {**UNREVIEWED["overrides"], "forced_no_match": 2, "forced_match": 1}}
    line = _linkage_line("offenders", reviewed)
    decided = line[line.index("reviewer decisions:"):]
    assert decided == "reviewer decisions: forced match 1, forced no match 2"


def test_the_json_summary_gives_reviewer_decisions_apart_from_automatic_separations():
    report = SimpleNamespace(files=[], warnings=[], linkage={"offenders": UNREVIEWED})
    got = json.loads(render_load_summary(report, "json"))["linkage"]["offenders"]
    assert "overrides" not in got
    assert got["automatic_separations"] == {"kept_apart": 3, "held_apart_within_return": 525}
    assert got["reviewer_decisions"] == {"forced_match": 0, "forced_no_match": 0, "unknown_records": 0,
                                         "contradictions": 0, "carried_over": 0}
    assert (got["records"], got["persons"]) == (1009, 521)
