"""Configuration errors name the file, the key and the line, before any data is read."""

from __future__ import annotations

import pytest

from cse_audit.config import ConfigError, load_config, normalise


def write_mapping(root, text, name="broken"):
    (root / "mappings" / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_project_configs_load():
    config = load_config()
    assert {"ethnicity_ic", "ethnicity_16plus1", "ethnicity_18plus1", "ethnicity_nhs", "sex"} <= set(config.codes)


@pytest.mark.parametrize("code, codes, category, detail", [
    ("IC4", "ethnicity_ic", "Asian", None),    # the police's "Asian": no detailed group (session 17)
    ("British Asian", "ethnicity_text", "Asian", None),
    ("IC5", "ethnicity_ic", "Chinese", "Chinese / Japanese / Korean / SE Asian"),
    ("A4", "ethnicity_18plus1", "Chinese", "Chinese"),          # Chinese only in 18+1
    ("A9", "ethnicity_16plus1", "Asian", "Any other Asian"),
    ("O2", "ethnicity_18plus1", "Other", "Arab"),
    ("J", "ethnicity_nhs", "Asian", "Pakistani"),
    ("Asian - Pakistani", "ethnicity_16plus1", "Asian", "Pakistani"),  # free text via includes
    ("  white   british ", "ethnicity_text", "White", "White British"),
])
def test_code_lists(code, codes, category, detail):
    assert load_config().codes[codes].lookup(code) == (category, detail)


def test_a4_is_not_a_16plus1_code():
    assert load_config().codes["ethnicity_16plus1"].lookup("A4") is None


def test_unknown_tokens():
    tokens = load_config().unknown_tokens
    for t in ["N/K", "nk", "Not recorded", " - ", "?", "TBC", ""]:
        assert normalise(t) in tokens


def test_unknown_key_names_file_key_and_line(fixture_config_dir):
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  victims:\n    sheet: 0\n    colums: {}\n")
    with pytest.raises(ConfigError) as err:
        load_config(fixture_config_dir)
    e = err.value
    assert e.file.endswith("broken.yaml") and e.key == "sheets.victims.colums" and e.line == 5
    assert "allowed here" in e.message and "columns" in e.message


def test_missing_code_list(fixture_config_dir):
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  victims:\n    columns:\n"
                                      "      sex: {column: Sex, codes: gender}\n")
    with pytest.raises(ConfigError, match="no code list 'gender'") as err:
        load_config(fixture_config_dir)
    assert err.value.line == 5


def test_bad_regex(fixture_config_dir):
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  victims:\n    sheet: {regex: '(['}\n"
                                      "    columns: {sex: Sex}\n")
    with pytest.raises(ConfigError, match="bad regex"):
        load_config(fixture_config_dir)


def test_unknown_field_and_wrong_kind(fixture_config_dir):
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  cases:\n    columns: {dob: DOB}\n")
    with pytest.raises(ConfigError, match="does not belong in a cases sheet"):
        load_config(fixture_config_dir)
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  victims:\n    columns: {shoe_size: Shoe}\n")
    with pytest.raises(ConfigError, match="unknown field"):
        load_config(fixture_config_dir)


def test_registry_names_unknown_mapping(fixture_config_dir):
    (fixture_config_dir / "agencies.yaml").write_text(
        "agencies:\n  - id: x\n    source_type: police\n    mapping: nope\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(fixture_config_dir)
    assert err.value.key == "agencies[0].mapping" and err.value.line == 4


def test_invalid_yaml_gives_line(fixture_config_dir):
    write_mapping(fixture_config_dir, "name: broken\nsheets:\n  victims: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(fixture_config_dir)
