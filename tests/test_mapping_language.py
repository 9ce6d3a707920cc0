"""Each mapping-language feature, from the spreadsheet cell to the stored record."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cse_audit import config as config_mod
from cse_audit import ingest
from cse_audit.config import ConfigError, load_config
from cse_audit.store import connect

from .conftest import RETURNS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "mappings.md"


@pytest.fixture
def stored(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    report = ingest.ingest([RETURNS / "language_features.csv"], con, fixture_config, link=False)
    assert report.files[0].status == "loaded", report.files[0].message
    rows = con.execute("SELECT * FROM victims ORDER BY row_number").fetchdf().to_dict("records")
    issues = con.execute("SELECT row_number, column_name, code, value FROM issues").fetchall()
    yield {r["case_ref"]: r for r in rows}, issues
    con.close()


def clean(v):
    """DuckDB gives NaT/NaN/None for nulls through pandas; make them None."""
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.date() if hasattr(v, "date") and not isinstance(v, dt.date | str) or isinstance(v, pd.Timestamp) \
        else v


def rec(stored, ref):
    return {k: clean(v) for k, v in stored[0][ref].items()}


def test_whole_name_forms_and_initials(stored):
    assert (rec(stored, "LS/2009/04/0012")["forename"], rec(stored, "LS/2009/04/0012")["surname"]) == \
        ("Jane", "SMITH-FAUX")                                 # "SURNAME, Forename"
    assert rec(stored, "LS/2010/11/0001")["surname"] == "Testwell"        # "Forename Surname"
    assert rec(stored, "LS/2011/01/0007")["surname"] == "MOCKSLEY"        # "Forename SURNAME"
    assert rec(stored, "LS/2009/04/0012")["initials"] == "JS"             # derived from the name
    assert rec(stored, "LS/2011/02/0008")["initials"] == "JS"             # "J.S."


def test_ages_with_units_and_bands(stored):
    assert rec(stored, "LS/2009/04/0012")["age"] == 14                    # "14 yrs"
    assert rec(stored, "LS/2010/11/0001")["age"] == 14                    # "14-15": the lower bound
    assert rec(stored, "LS/2011/01/0007")["age"] is None                  # "under 13": unknown ...
    assert (4, "Age", "age_band") in {(r, c, code) for r, c, code, _ in stored[1]}   # ... with a warning


def test_fallback_across_columns(stored):
    assert (rec(stored, "LS/2009/04/0012")["ethnicity"], rec(stored, "LS/2009/04/0012")["ethnicity_detail"]) == \
        ("Asian", "Pakistani")                                 # SDE given: it wins over ODE
    assert rec(stored, "LS/2010/11/0001")["ethnicity"] == "Black"         # SDE blank: ODE
    assert rec(stored, "LS/2011/01/0007")["ethnicity"] == "Unknown"       # both unknown


def test_derived_values(stored):
    first = rec(stored, "LS/2009/04/0012")
    assert (first["missing_status"], first["missing_episodes"], first["missing_from"], first["looked_after"]) == \
        ("Reported missing", 3, "Care", "Yes")
    second = rec(stored, "LS/2010/11/0001")
    assert (second["missing_status"], second["missing_from"], second["looked_after"]) == \
        ("Not reported missing", "Unknown", "No")
    assert rec(stored, "LS/2011/01/0007")["missing_status"] == "Unknown"
    assert rec(stored, "LS/2011/02/0008")["missing_from"] == "Both"


def test_case_date_from_reference(stored):
    assert rec(stored, "LS/2009/04/0012")["case_date"] == dt.date(2009, 4, 1)
    assert rec(stored, "NOREF")["case_date"] is None
    assert (6, "Ref", "bad_date") in {(r, c, code) for r, c, code, _ in stored[1]}


def test_dates_per_column(stored):
    assert rec(stored, "LS/2009/04/0012")["dob"] == dt.date(1995, 4, 3)   # two-digit year, pivot 15
    assert rec(stored, "LS/2010/11/0001")["dob"] == dt.date(1996, 2, 29)  # ISO text, a leap day
    assert rec(stored, "LS/2011/02/0008")["dob"] == dt.date(2014, 10, 9)  # date and time; 14 < pivot
    assert rec(stored, "LS/2011/01/0007")["dob"] is None                  # 31/02: impossible ...
    codes = {(r, c, code) for r, c, code, _ in stored[1]}
    assert (4, "Born", "impossible_date") in codes                        # ... reported, not guessed


def test_registry_value_and_column_unknown_tokens(stored):
    assert {rec(stored, ref)["area"] for ref in stored[0]} == {"Langton"}
    # "Information not yet obtained" is Unknown for this column only, with no warning;
    # "Somewhere" is not a code: Unknown and a warning that names the value.
    assert rec(stored, "LS/2011/01/0007")["missing_from"] == "Unknown"
    issues = {(r, code, value) for r, c, code, value in stored[1]}
    assert (6, "unrecognised_code", "Somewhere") in issues
    assert not any(value == "Information not yet obtained" for _, _, _, value in stored[1])
    assert rec(stored, "LS/2011/02/0008")["looked_after"] == "Unknown"   # "TBC" is a global unknown token


def test_every_loader_key_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", text))
    keys = set(config_mod.MAPPING_KEYS + config_mod.SHEET_KEYS + config_mod.ROLE_KEYS + config_mod.COLUMN_KEYS
               + config_mod.PARSERS + config_mod.DERIVERS + config_mod.DATE_STYLES + config_mod.KINDS)
    assert not keys - documented, f"undocumented mapping keys: {sorted(keys - documented)}"


@pytest.mark.parametrize("field, spec, key, allowed", [
    ("name", '{column: Child, parse: fullname}', "parse", "name, initials, age"),
    ("dob", '{column: Born, dates: yearfirst}', "dates", "dayfirst, monthfirst, iso"),
    ("dob", '{column: Born, pattern: "(\\\\d{4})"}', "pattern", "named groups"),
    ("dob", '{column: Born, pivot: 2000}', "pivot", "0-99"),
    ("area", '{registry: postcode}', "registry", "area, name, id"),
])
def test_wrong_use_of_a_key_names_file_key_line_and_allowed_forms(fixture_config_dir, field, spec, key, allowed):
    (fixture_config_dir / "mappings" / "wrong.yaml").write_text(
        f"name: wrong\nsheets:\n  victims:\n    columns:\n      {field}: {spec}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(fixture_config_dir)
    assert err.value.file.endswith("wrong.yaml") and err.value.key.endswith(key)
    assert err.value.line == 5 and allowed in err.value.message
