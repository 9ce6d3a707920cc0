"""Session 14, issue 16 follow-ups: what a new analyst hit writing mappings from docs/ alone for a
fourth held-out world (bench/heldout4 on branch s14-world4). Names here are made up."""

from __future__ import annotations

import json
from types import SimpleNamespace

from cse_audit.ingest.summary import _linkage_line, render_load_summary

from .test_new_layouts import _map

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


def test_missing_status_and_missing_from_read_from_one_column_as_the_docs_show(fixture_config_dir, tmp_path):
    """docs/mappings.md: the two fields may read one column. "Not missing" is missing_status's answer
    and means missing-from does not apply: Unknown there, with no unrecognised_code warning (issue 16:
    every "Not missing" warned, 150 warnings at 10k records). A text neither list knows still warns."""
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      age: Age\n"
            "      missing_status: {column: Missing, codes: missing_status}\n"
            "      missing_from: {column: Missing, codes: missing_from}\n")
    values = ["Missing from care", "Not missing", "Missing from Home", "No", "Yes", "Home and care", "Sometimes"]
    rows = [["Ref", "Age", "Missing"]] + [[f"R{i}", "14", v] for i, v in enumerate(values)]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    got = [(r["missing_status"], r["missing_from"]) for r in m.records["victims"]]
    assert got == [("Reported missing", "Care"), ("Not reported missing", "Unknown"), ("Reported missing", "Home"),
                   ("Not reported missing", "Unknown"), ("Reported missing", "Unknown"),
                   ("Reported missing", "Both"), ("Unknown", "Unknown")]
    warned = sorted((i.row_number, i.column_name, i.code) for i in m.issues)
    assert warned == [(8, "Missing", "unrecognised_code"), (8, "Missing", "unrecognised_code")]


def test_a_code_list_shares_a_column_only_with_a_list_that_exists(fixture_config_dir):
    import pytest

    from cse_audit.config import ConfigError, load_config

    path = fixture_config_dir / "codes" / "missing_from.yaml"
    path.write_text(path.read_text().replace("shares_column_with: missing_status", "shares_column_with: nosuch"))
    with pytest.raises(ConfigError) as exc:
        load_config(fixture_config_dir)
    assert "missing_from.yaml" in str(exc.value) and "shares_column_with" in str(exc.value)
