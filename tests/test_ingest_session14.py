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


def test_two_letters_in_an_initials_column_are_initials_not_not_applicable(fixture_config_dir, tmp_path):
    """Issue 16: a young person "N.A." or "NA" in an initials column read as "not applicable" (no
    initials) unless the mapping replaced the unknown tokens. Two capitals, or capitals each with a
    dot, are initials there; "N/A", "n/a", lower case "na" and "UNK" still say not known."""
    values = ["NA", "N.A.", "N. A.", "NK", "N.S.", "U.N.K.", "N/A", "n/a", "na", "UNK", "TBC", "?", "J.S."]
    for column in ("initials: Initials", "initials: {column: Initials, parse: initials}"):
        text = f"name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      {column}\n      age: Age\n"
        rows = [["Ref", "Initials", "Age"]] + [[f"R{i}", v, "15"] for i, v in enumerate(values)]
        m = _map(fixture_config_dir, tmp_path, text, rows)
        got = [r.get("initials") for r in m.records["victims"]]
        assert got == ["NA", "NA", "NA", "NK", "NS", "UNK", None, None, None, None, None, None, "JS"], column
    # the mapping's own tokens for the column still win
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n"
            "      initials: {column: Initials, unknown: [NA]}\n      age: Age\n")
    m = _map(fixture_config_dir, tmp_path, text, [["Ref", "Initials", "Age"], ["R1", "NA", "15"], ["R2", "NK", "15"]])
    assert [r.get("initials") for r in m.records["victims"]] == [None, "NK"]


def test_a_name_column_still_reads_na_as_not_known(fixture_config_dir, tmp_path):
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      forename: First\n"
            "      surname: Last\n      age: Age\n")
    m = _map(fixture_config_dir, tmp_path, text, [["Ref", "First", "Last", "Age"], ["R1", "Jane", "NA", "15"]])
    assert [(r.get("forename"), r.get("surname")) for r in m.records["victims"]] == [("Jane", None)]


def test_a_draft_proposes_no_unknown_replace_for_initials_already_read_as_initials(fixture_config, tmp_path):
    """The draft proposed `unknown: {replace: [...]}` for an initials column holding "N.A."; now the
    column reads "N.A." as initials by itself, so the proposal (a long list to maintain) is not made
    for it. Lower-case dotted "n.a." still gets it (lower case stays "not applicable" by default)."""
    import csv

    from cse_audit import authoring

    from .test_draft import without_mappings

    def initials_spec(values):
        path = tmp_path / "charity.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([["Ref", "Initials", "Age", "Gender"]]
                                     + [[f"R{i}", v, "15", "F"] for i, v in enumerate(values)])
        d = authoring.draft_mapping(path, without_mappings(fixture_config))
        return next(c.spec for s in d.sheets for c in s.columns if c.field == "initials")

    spec = initials_spec(["J.S.", "A.B.", "N.A.", "K.L.", "M.R.", "P.Q."])
    assert not (isinstance(spec, dict) and "unknown" in spec), spec
    spec = initials_spec(["j.s.", "a.b.", "n.a.", "k.l.", "m.r.", "p.q."])
    assert "n a" not in spec["unknown"]["replace"] and "unknown" in spec["unknown"]["replace"]
