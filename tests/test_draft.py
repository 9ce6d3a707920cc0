"""Drafting a mapping for a new layout, and checking a mapping against a file.

The drafts are measured against the hand-written mappings: for every layout in the fixtures and in
sample_returns/, the draft is made *without* the hand-written mapping (the configuration it sees has
no mappings and no registry), then compared column by column, and the TODO-free drafts must load
and map the file to the same records as the hand-written mapping.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

import pytest

from cse_audit import authoring as drafting
from cse_audit.config import Agency, ConfigError, load_config, load_mapping
from cse_audit.ingest.mapping import map_return
from cse_audit.ingest.readers import read_file

from .conftest import RETURNS, ROOT

SAMPLES = ROOT / "sample_returns"

# Fixture file -> its hand-written mapping (tests/fixtures/config/agencies.yaml says the same).
FIXTURE_LAYOUTS = [
    ("police_header_row5.xlsx", "fixture-police"),
    ("people_flat.xlsx", "fixture-people"),
    ("ngo_bom.csv", "fixture-flat"),
    ("ngo_cp1252.csv", "fixture-flat"),
    ("lscb_legacy.xls", "fixture-flat"),
    ("ngo_return.ods", "fixture-flat"),
    ("lscb_odd_columns.csv", "fixture-flat"),
    ("language_features.csv", "fixture-language"),
]
# What a draft cannot know from headers and values, by design.
EXPECTED_MISSES = {
    # the case date is parsed out of the reference with a regex pattern
    ("language_features.csv", "victims.case_date"),
}
PERSONAL_VALUES = ["Amelia", "Testcase", "Brooke", "Samplesdon", "Corin", "Fixtureby", "DOEVILLE", "Examplar",
                   "MOCKRIDGE", "JESTERTON", "Neutral", "Fauxname", "Placeholdt", "Oldformat", "Opendoc",
                   "SMITH-FAUX", "Testwell", "MOCKSLEY", "1995", "1996"]


def todo_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "TODO" in line.split("#", 1)[0]]


def without_mappings(config):
    """The configuration a draft sees: code lists, schema and settings, no mappings, no registry."""
    return dataclasses.replace(config, mappings={}, agencies={})


def agency_for(config, mapping_name: str) -> Agency:
    return next((a for a in config.agencies.values() if a.mapping == mapping_name),
                Agency("test", "Test agency", "ngo", "Testarea", True, mapping_name, ()))


def records_of(path: Path, mapping, config, agency) -> dict[str, list[dict]]:
    mapped = map_return(read_file(path, config.settings.limits), mapping, config, agency, path.name)
    return mapped.records


def same_records(path: Path, drafted, hand, config, agency) -> None:
    """The same rows become the same records, with the same value in every field the hand-written
    mapping fills (a draft may fill more, e.g. missing_from out of a "Missing" column)."""
    got, want = records_of(path, drafted, config, agency), records_of(path, hand, config, agency)
    for kind in ("cases", "victims", "offenders"):
        keys = {f for r in want[kind] for f, x in r.items() if x is not None}
        g = sorted(json.dumps({f: r.get(f) for f in keys}, sort_keys=True, default=str) for r in got[kind])
        w = sorted(json.dumps({f: r.get(f) for f in keys}, sort_keys=True, default=str) for r in want[kind])
        assert g == w, f"{path.name}: {kind} differ"


def load_draft(d: drafting.DraftResult, folder: Path, config):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{d.name}.yaml"
    path.write_text(d.to_yaml(), encoding="utf-8")
    return load_mapping(path, config.codes, config.fields)


@functools.cache
def sample_layouts() -> tuple[tuple[str, str], ...]:
    """One sample return per (hand-written mapping, file type) that has records, found through the
    registry (configs/agencies.yaml). Empty while sample_returns/ or the registry is not there."""
    from cse_audit.ingest import IdentifyError, discover, identify

    if not SAMPLES.is_dir():
        return ()
    try:
        config = load_config()
    except ConfigError:
        return ()
    files, _ = discover([SAMPLES], config)
    chosen: dict[tuple[str, str], str] = {}
    for path in files:
        try:
            agency = identify(path, config)
        except IdentifyError:
            continue
        key = (agency.mapping, path.suffix.lower())
        if agency.mapping in config.mappings and key not in chosen:
            try:
                mapped = map_return(read_file(path, config.settings.limits), config.mappings[agency.mapping],
                                    config, agency, path.name)
            except Exception:   # noqa: BLE001 - let the test itself show the failure, not collection
                chosen[key] = path.name
                continue
            if mapped.records_accepted:
                chosen[key] = path.name
    return tuple((name, mapping) for (mapping, _ext), name in sorted(chosen.items()))


def _sample_params():
    layouts = sample_layouts()
    if not layouts:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no sample returns or registry yet"))]
    return [pytest.param(f, m, id=f"{m}{Path(f).suffix}") for f, m in layouts]


# -- drafts against the hand-written mappings ------------------------------------------------------

@pytest.mark.parametrize("file_name, mapping_name", FIXTURE_LAYOUTS)
def test_fixture_drafts_match_hand_written(file_name, mapping_name, fixture_config):
    path = RETURNS / file_name
    d = drafting.draft_mapping(path, without_mappings(fixture_config))
    result = drafting.compare(d, fixture_config.mappings[mapping_name], read_file(path, fixture_config.settings.limits))
    assert result["wrong"] == []
    assert {(file_name, k) for k in result["missing"] + result["todo"]} <= EXPECTED_MISSES
    assert len(result["right"]) >= 5


@pytest.mark.parametrize("file_name, mapping_name", _sample_params())
def test_sample_drafts_match_hand_written(file_name, mapping_name):
    config = load_config()
    path = SAMPLES / file_name
    d = drafting.draft_mapping(path, without_mappings(config))
    result = drafting.compare(d, config.mappings[mapping_name], read_file(path, config.settings.limits))
    assert result["wrong"] == [] and result["missing"] == [] and result["todo"] == []
    assert result["absent"] == []                    # every hand-mapped column is in the file


@pytest.mark.parametrize("file_name, mapping_name", _sample_params())
def test_sample_drafts_ingest_the_same_records(file_name, mapping_name, tmp_path):
    config = load_config()
    path = SAMPLES / file_name
    d = drafting.draft_mapping(path, without_mappings(config), name="drafted")
    assert d.todos == []
    drafted = load_draft(d, tmp_path, config)
    agency = agency_for(config, mapping_name)
    same_records(path, drafted, config.mappings[mapping_name], config, agency)


@pytest.mark.parametrize("file_name, mapping_name", [
    ("police_header_row5.xlsx", "fixture-police"), ("ngo_bom.csv", "fixture-flat"),
    ("lscb_legacy.xls", "fixture-flat"), ("ngo_return.ods", "fixture-flat"),
])
def test_todo_free_draft_loads_and_ingests_the_same_records(file_name, mapping_name, fixture_config_dir):
    config = load_config(fixture_config_dir)
    path = RETURNS / file_name
    d = drafting.draft_mapping(path, without_mappings(config), name="drafted")
    assert d.todos == [] and todo_lines(d.to_yaml()) == []
    (fixture_config_dir / "mappings" / "drafted.yaml").write_text(d.to_yaml(), encoding="utf-8")
    config = load_config(fixture_config_dir)         # the whole configuration still loads
    agency = agency_for(config, mapping_name)
    same_records(path, config.mappings["drafted"], config.mappings[mapping_name], config, agency)


def test_deciding_the_role_todo_gives_the_hand_written_records(fixture_config, tmp_path):
    path = RETURNS / "people_flat.xlsx"
    d = drafting.draft_mapping(path, without_mappings(fixture_config), name="people-draft")
    assert d.sheets[0].kind == "people"
    assert d.sheets[0].role == {"column": "Role", "victims": ["Victim"], "offenders": ["Suspect"],
                                "skip": ["Witness"]}
    # "Informant" is in one row only: it could be a name typed into Role, so the draft counts it
    # instead of copying it (issue #22); the analyst looks at the file.
    assert d.sheets[0].role_todo == ["(1 other value(s) seen in fewer than 3 rows: see the file)"]
    draft_path = tmp_path / "people-draft.yaml"
    draft_path.write_text(d.to_yaml(), encoding="utf-8")
    with pytest.raises(ConfigError, match="TODO"):
        load_mapping(draft_path, fixture_config.codes, fixture_config.fields)
    # The analyst decides: "Informant" rows are not victims or offenders (rejected, as by hand).
    text = "\n".join(line for line in d.to_yaml().splitlines() if line not in todo_lines(d.to_yaml()))
    draft_path.write_text(text, encoding="utf-8")
    decided = load_mapping(draft_path, fixture_config.codes, fixture_config.fields)
    agency = agency_for(fixture_config, "fixture-people")
    same_records(path, decided, fixture_config.mappings["fixture-people"], fixture_config, agency)


def test_blank_standard_template_drafts_to_its_mapping(tmp_path):
    from cse_audit.outputs.template import MAPPING_NAME, write_template

    config = load_config()
    path = tmp_path / "template.xlsx"
    write_template(config, path)
    d = drafting.draft_mapping(path, without_mappings(config))
    result = drafting.compare(d, config.mappings[MAPPING_NAME], read_file(path, config.settings.limits))
    assert result["wrong"] == result["missing"] == result["todo"] == [] and len(result["right"]) >= 20
    assert [s.kind for s in d.sheets] == ["cases", "victims", "offenders"]


def test_field_match_counts(fixture_config, capsys):
    """How many hand-mapped fields the drafts got right, over every layout (printed with -s)."""
    rows, right, total = [], 0, 0
    cases = [(RETURNS / f, fixture_config, m) for f, m in FIXTURE_LAYOUTS]
    if sample_layouts():
        project = load_config()
        cases += [(SAMPLES / f, project, m) for f, m in sample_layouts()]
    for path, config, mapping_name in cases:
        d = drafting.draft_mapping(path, without_mappings(config))
        r = drafting.compare(d, config.mappings[mapping_name], read_file(path, config.settings.limits))
        n = len(r["right"]) + len(r["wrong"]) + len(r["missing"]) + len(r["todo"])
        rows.append(f"{mapping_name:<20} {path.name[:48]:<48} {len(r['right']):>3}/{n:<3} extra {len(r['extra'])}")
        right, total = right + len(r["right"]), total + n
    with capsys.disabled():
        print("\n" + "\n".join(rows) + f"\ndrafts got {right} of {total} hand-mapped fields right")
    assert right >= total - len(EXPECTED_MISSES)


# -- TODOs and ambiguity ------------------------------------------------------------------------

def two_dob_file(tmp_path) -> Path:
    path = tmp_path / "two_dobs.csv"
    path.write_text("Ref,Forename,DOB,Date of Birth (verified),Sex\n"
                    "T1,Ann,01/02/1996,01/02/1996,F\nT2,Bea,03/04/1995,,F\nT3,Cal,,05/06/1997,M\n",
                    encoding="utf-8")
    return path


def test_two_date_of_birth_columns_make_a_todo(tmp_path, fixture_config):
    d = drafting.draft_mapping(two_dob_file(tmp_path), fixture_config)
    dob = next(c for c in d.sheets[0].columns if c.field == "dob")
    assert dob.todo and "'DOB'" in dob.todo and "'Date of Birth (verified)'" in dob.todo
    assert dob.headers == []                         # no guess
    assert any(t.startswith("victims.dob") for t in d.todos)
    line = next(line for line in d.to_yaml().splitlines() if line.strip().startswith("dob:"))
    assert line.strip().startswith("dob: {TODO:")
    assert "Ann" not in d.to_yaml() and "1996" not in d.to_yaml()


def test_a_draft_with_a_todo_is_refused_by_the_loader(tmp_path, fixture_config):
    d = drafting.draft_mapping(two_dob_file(tmp_path), fixture_config, name="two-dobs")
    path = tmp_path / "two-dobs.yaml"
    path.write_text(d.to_yaml(), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_mapping(path, fixture_config.codes, fixture_config.fields)
    message = str(err.value)
    # The message names the file, the line and the undecided key.
    assert "two-dobs.yaml" in message and "dob.TODO" in message and err.value.line is not None
    assert "TODO" in path.read_text(encoding="utf-8").splitlines()[err.value.line - 1]


def test_a_draft_with_a_todo_stops_the_whole_configuration(fixture_config_dir, tmp_path):
    config = load_config(fixture_config_dir)
    d = drafting.draft_mapping(two_dob_file(tmp_path), config, name="two-dobs")
    (fixture_config_dir / "mappings" / "two-dobs.yaml").write_text(d.to_yaml(), encoding="utf-8")
    with pytest.raises(ConfigError, match="TODO"):
        load_config(fixture_config_dir)


def test_no_table_is_a_todo_too(fixture_config, tmp_path):
    d = drafting.draft_mapping(RETURNS / "police_nil_note.xlsx", fixture_config)
    assert d.sheets == [] and "nil return" in d.problem
    path = tmp_path / f"{d.name}.yaml"
    path.write_text(d.to_yaml(), encoding="utf-8")
    with pytest.raises(ConfigError, match="TODO"):
        load_mapping(path, fixture_config.codes, fixture_config.fields)
    unreadable = drafting.draft_mapping(RETURNS / "bad_renamed.xlsx", fixture_config)
    assert unreadable.problem.startswith("cannot read the file")


# -- what the draft recognises ------------------------------------------------------------------

def test_header_found_below_title_rows(fixture_config):
    d = drafting.draft_mapping(RETURNS / "police_header_row5.xlsx", fixture_config)
    assert [(s.kind, s.sheet, s.header_row) for s in d.sheets] == [
        ("cases", "Cases", 5), ("victims", "Victims", 1), ("offenders", "Offenders", 1)]
    victims = d.sheet("victims")
    assert victims.fields()["ethnicity"] == ["ODE"]
    eth = next(c for c in victims.columns if c.field == "ethnicity")
    assert eth.spec == {"column": "ODE", "codes": "ethnicity_ic"} and eth.unrecognised == ["IC8"]
    status = next(c for c in victims.columns if c.field == "missing_status")
    assert status.spec == {"column": "Missing episodes", "derive": "missing_from_episodes"}
    assert ("Offence", "no field matches this header") in d.sheet("cases").unmapped


def write_csv(tmp_path, header: list[str], rows: list[list[str]], name="layout.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in [header] + rows) + "\n", encoding="utf-8")
    return path


def specs(d: drafting.DraftResult, kind: str) -> dict:
    return {c.field: c.spec for c in d.sheet(kind).columns}


@pytest.mark.parametrize("values, expected", [
    (["IC1", "IC4", "3", "IC1"], "ethnicity_ic"),
    (["A", "J", "Z", "N"], "ethnicity_nhs"),
    (["W1", "A4", "B2", "W1"], "ethnicity_18plus1"),        # A4 is only in 18+1
    (["W1", "O1", "A2", "W1"], "ethnicity_16plus1"),        # O1 is only in 16+1
    (["White British", "Pakistani", "Mixed race"], "ethnicity_text"),
    (["IC1", "White British", "IC4", "Pakistani"], "ethnicity_any"),
])
def test_code_list_chosen_by_values(values, expected, tmp_path, fixture_config):
    rows = [[f"R{i}", "F", v] for i, v in enumerate(values)]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref", "Sex", "Ethnic Group"], rows), fixture_config)
    assert specs(d, "victims")["ethnicity"] == {"column": "Ethnic Group", "codes": expected}


def test_synonyms_abbreviations_and_close_headers(tmp_path, fixture_config):
    header = ["Referral No", "Date Opened", "Forname", "Family name", "D.O.B.", "Gender", "SDE",
              "No. of missing episodes", "Looked after", "Local authority", "Keyworker"]
    rows = [["R1", "02/03/2010", "Ann", "Placeholder", "01/02/1996", "F", "W1", "2", "Y", "Testshire", "Team A"],
            ["R2", "03/03/2010", "Bea", "Dummyfield", "21/11/1995", "F", "A2", "0", "N", "Testshire", "Team B"]]
    d = drafting.draft_mapping(write_csv(tmp_path, header, rows), fixture_config)
    got = specs(d, "victims")
    assert got["case_ref"] == "Referral No"
    assert got["case_date"] == {"column": "Date Opened", "dates": "dayfirst"}
    assert got["forename"] == "Forname"                          # close to "Forename"
    assert got["surname"] == "Family name"
    assert got["dob"] == {"column": "D.O.B.", "dates": "dayfirst"}
    assert got["sex"] == {"column": "Gender", "codes": "sex"}
    assert got["ethnicity"] == {"column": "SDE", "codes": "ethnicity_16plus1"}
    assert got["missing_episodes"] == "No. of missing episodes"
    assert got["missing_status"] == {"column": "No. of missing episodes", "derive": "missing_from_episodes"}
    assert got["looked_after"] == {"column": "Looked after", "codes": "yes_no"}
    assert got["area"] == "Local authority"
    assert ("Keyworker", "no field matches this header") in d.sheet("victims").unmapped
    forename = next(c for c in d.sheet("victims").columns if c.field == "forename")
    assert forename.confidence == "medium" and "fuzzy" in forename.comment()
    dob = next(c for c in d.sheet("victims").columns if c.field == "dob")
    assert dob.comment() == "header 'D.O.B.' ~ dob (synonym); 100% of values are dates (day first); " \
                            "confidence high"


def test_header_matching(fixture_config):
    syn = drafting.load_synonyms(fixture_config)
    m = drafting.match_header("U.R.N.", syn)                     # "u r n": only "URN" without the dots
    assert (m.field, m.how) == ("case_ref", "abbreviation")
    m = drafting.match_header("No. of Missing Episodes (2010)", syn)
    assert (m.field, m.how, m.detail) == ("missing_episodes", "contains", "missing episodes")
    assert drafting.match_header("Child's First Name", syn).field == "forename"
    assert drafting.match_header("Perpetrator Ethnicity", syn).field == "ethnicity"
    m = drafting.match_header("Date of Brith", syn)
    assert (m.field, m.how) == ("dob", "close")
    assert drafting.match_header("Offence Type", syn) is None
    assert drafting.match_header("Division", syn) is None


def test_whole_names_initials_and_ages_with_units(tmp_path, fixture_config):
    victims = write_csv(tmp_path, ["Case No", "Initials", "Age", "Gender"],
                        [["C1", "J.S.", "14 yrs", "F"], ["C2", "AB", "15", "F"], ["C3", "K.L.", "13", "F"]],
                        name="children.csv")
    d = drafting.draft_mapping(victims, fixture_config)
    got = specs(d, "victims")
    assert got["initials"] == {"column": "Initials", "parse": "initials"}
    assert got["age"] == {"column": "Age", "parse": "age"}
    offenders = write_csv(tmp_path, ["Case No", "Offender", "Age"],
                          [["C1", "FAUXSON, Jon", "22"], ["C1", "Bart Examplar", "19"]], name="offenders.csv")
    d = drafting.draft_mapping(offenders, fixture_config)
    assert d.sheets[0].kind == "offenders"
    assert specs(d, "offenders")["name"] == {"column": "Offender", "parse": "name"}
    assert "FAUXSON" not in d.to_yaml() and "Examplar" not in d.to_yaml()


def test_one_column_says_whether_and_where_from(tmp_path, fixture_config):
    rows = [["R1", "Yes"], ["R2", "No"], ["R3", "Home"], ["R4", "Care"], ["R5", "Not missing"], ["R6", "Planet"]]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Referral No", "Missing from home/care"], rows + [
        ["R7", "F"]]), fixture_config)
    got = specs(d, "victims")
    assert got["missing_status"] == {"column": "Missing from home/care", "codes": "missing_status"}
    assert got["missing_from"] == {"column": "Missing from home/care", "codes": "missing_from",
                                   "unknown": ["No", "Not missing", "Yes"]}


def test_unknown_like_values_become_unknown_tokens(tmp_path, fixture_config):
    # "Purple" in three rows: a draft lists a value not code-like only then (#22)
    rows = [["R1", "Yes", "F"], ["R2", "No", "F"], ["R3", "Don't know", "M"], ["R4", "Purple", "F"],
            ["R5", "Purple", "F"], ["R6", "Purple", "M"]]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Ref", "In care?", "Sex"], rows), fixture_config)
    lac = next(c for c in d.sheet("victims").columns if c.field == "looked_after")
    assert lac.spec == {"column": "In care?", "codes": "yes_no", "unknown": ["Don't know"]}
    assert lac.unrecognised == ["Purple"]
    assert "'Purple'" in lac.comment()


def test_drafts_never_show_personal_values(fixture_config):
    for file_name, _ in FIXTURE_LAYOUTS:
        d = drafting.draft_mapping(RETURNS / file_name, fixture_config)
        text = d.to_yaml() + json.dumps(d.as_dict())
        for value in PERSONAL_VALUES:
            assert value not in text, f"{file_name}: a personal value is in the draft"


def test_synonym_config_is_consistent(fixture_config):
    syn = drafting.load_synonyms(fixture_config)           # raises on a field the schema does not know
    for fname, lists in syn.code_candidates.items():
        assert fname in fixture_config.fields
        assert set(lists) <= set(fixture_config.codes)
    assert set(syn.code_hints) <= set(fixture_config.codes)
    assert set(syn.exact.values()) <= set(fixture_config.fields)


# -- checking a mapping -------------------------------------------------------------------------

def test_check_mapping_counts_per_field(fixture_config):
    r = drafting.check_mapping(RETURNS / "police_header_row5.xlsx", "fixture-police", fixture_config)
    assert (r["rows_landed"], r["records_accepted"], r["rows_rejected"]) == (9, 8, 1)
    assert r["rejections"] == {"no_case_ref": 1}
    eth = r["fields"]["victims"]["ethnicity"]
    assert (eth["mapped"], eth["unknown"], eth["unrecognised"]) == (2, 1, {"IC8": 1})
    dob = r["fields"]["victims"]["dob"]
    assert (dob["mapped"], dob["unknown"], dob["problems"], dob["unrecognised"]) == (2, 1, 1, {})
    assert r["fields"]["offenders"]["name"]["mapped"] == 2
    text = json.dumps(r)
    assert not any(v in text for v in PERSONAL_VALUES)


def test_check_mapping_with_an_agency_and_a_mapping_file(fixture_config, tmp_path):
    agency = fixture_config.agencies["ngo-fixture"]
    r = drafting.check_mapping(RETURNS / "ngo_bom.csv", Path(fixture_config.mappings["fixture-flat"].path),
                               fixture_config, agency)
    assert r["fields"]["victims"]["area"]["mapped"] == 3
    assert r["fields"]["victims"]["initials"]["column_found"] is False
    # not code-like, so counted as a problem but not listed (#22)
    assert r["fields"]["victims"]["ethnicity"]["unrecognised"] == {}
    assert r["fields"]["victims"]["ethnicity"]["problems"] == 1
    with pytest.raises(ConfigError, match="no mapping"):
        drafting.check_mapping(RETURNS / "ngo_bom.csv", "no-such-mapping", fixture_config)
    bad = drafting.check_mapping(RETURNS / "bad_binary.csv", "fixture-flat", fixture_config)
    assert bad["error"] and "rows_landed" not in bad


def test_draft_and_check_commands(fixture_config, tmp_path):
    out = tmp_path / "mappings" / "new-layout.yaml"
    text, data = drafting.draft_command(RETURNS / "police_header_row5.xlsx", fixture_config, output=out)
    assert out.exists() and data["name"] == "new-layout" and data["todos"] == []
    # the file as given; the draft by its path, as it is not in the configuration's mappings folder
    assert "No TODOs" in text and \
        f"cse-audit mapping check {RETURNS / 'police_header_row5.xlsx'} --mapping {out}" in text
    with pytest.raises(ConfigError, match="exists"):
        drafting.draft_command(RETURNS / "police_header_row5.xlsx", fixture_config, output=out)
    yaml_text, _ = drafting.draft_command(RETURNS / "police_header_row5.xlsx", fixture_config)
    assert yaml_text.startswith("# Draft mapping")
    text, data = drafting.check_command(RETURNS / "police_header_row5.xlsx", out, fixture_config,
                                        agency_id="police-testshire")
    assert "9 row(s) landed, 8 accepted, 1 rejected" in text and "'IC8' x1" in text
    assert data["fields"]["cases"]["area"]["mapped"] == 3
    assert json.loads(json.dumps(data))["fields"]["cases"]["area"]["mapped"] == 3   # --format json
    text, _ = drafting.check_command(RETURNS / "people_flat.xlsx", "fixture-people", fixture_config)
    assert "rejected rows: 1 x unrecognised_role" in text and "values from the registry are blank" in text
