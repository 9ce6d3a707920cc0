"""Issue 18: new layouts. Census ethnicity labels, the new mapping keys (per-column unknown tokens
that replace the global list, age decades as intervals, derived fields, values read from a title
row), registry patterns, folder drafts grouped by layout, relation columns, and the link commands.
"""

from __future__ import annotations

import pytest

from cse_audit import authoring as drafting

from .test_draft import specs, without_mappings, write_csv


@pytest.mark.parametrize("value, category, detail", [
    ("White: Irish", "White", "White Irish"),
    ("White - Irish", "White", "White Irish"),
    ("Asian/Asian British: Pakistani", "Asian", "Pakistani"),
    ("Asian or Asian British: Chinese", "Chinese", "Chinese"),
    ("Mixed/multiple ethnic groups: White and Black Caribbean", "Mixed", "White and Black Caribbean"),
    ("Mixed: White & Asian", "Mixed", "White and Asian"),
    ("Black/African/Caribbean/Black British: African", "Black", "African"),
    ("White: English/Welsh/Scottish/Northern Irish/British", "White", "White British"),
    ("Other ethnic group: Arab", "Other", "Arab"),
    ("Irish", "White", "White Irish"),
    ("White UK", "White", "White British"),
    ("British Indian", "Asian", "Indian"),
])
def test_census_labels_and_free_text_are_known_to_every_text_list(fixture_config, value, category, detail):
    for name in ("ethnicity_census_labels", "ethnicity_18plus1", "ethnicity_16plus1", "ethnicity_any",
                 "ethnicity_text"):
        hit = fixture_config.codes[name].lookup(value)
        if name == "ethnicity_census_labels" and value in ("Irish", "White UK", "British Indian"):
            assert hit is None          # free text is not a census label
            continue
        assert hit == (category, detail), (name, value)


def test_draft_proposes_the_list_by_coverage_and_counts_the_unmatched(tmp_path, fixture_config):
    values = (["White: Irish"] * 4 + ["Asian/Asian British: Pakistani"] * 3
              + ["Mixed/multiple ethnic groups: White and Black Caribbean"] * 2 + ["Martian"] * 3 + ["Venusian"])
    rows = [[f"R{i}", "F", v] for i, v in enumerate(values)]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref", "Sex", "Ethnicity"], rows),
                               without_mappings(fixture_config))
    eth = next(c for c in d.sheet("victims").columns if c.field == "ethnicity")
    assert specs(d, "victims")["ethnicity"] == {"column": "Ethnicity", "codes": "ethnicity_census_labels"}
    assert eth.unrecognised == ["Martian", "Venusian"]          # most rows first
    assert eth.unrecognised_counts == {"Martian": 3, "Venusian": 1}
    assert "'Martian' x3" in d.to_yaml()
