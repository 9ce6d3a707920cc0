"""Drafting and checking returns in layouts never seen before (session 10): a combined name column
whose header states the order, initials under a name header, headers written with abbreviations,
a case sheet holding both the child and the perpetrator, and name parts the wrong way round.

Every file here is built in the test, with headers and values invented for it (several variants
each), so no rule can lean on one sample's spelling.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from cse_audit import authoring as drafting
from cse_audit.config import ConfigError, load_mapping
from cse_audit.ingest.values import parse_name

from .test_draft import load_draft, records_of, specs, write_csv

FORENAMES = ["Amy", "Chloe", "Jade", "Lauren", "Hannah", "Jane"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Khan"]


def agency():
    from cse_audit.config import Agency

    return Agency("test", "Test agency", "ngo", "Testarea", True, "x", ())


# -- 1. a name column whose header states the order ------------------------------------------------

@pytest.mark.parametrize("header, order", [
    ("Victim (SURNAME, Forename)", "surname_first"),
    ("Name (Surname, Forename)", "surname_first"),
    ("Child - last name, first name", "surname_first"),
    ("Young person: family name then given name", "surname_first"),
    ("Name (surname first)", "surname_first"),
    ("Name (Forename Surname)", "forename_first"),
    ("Child name - first name first", "forename_first"),
])
def test_a_name_column_drafts_with_the_order_its_header_states(header, order, tmp_path, fixture_config):
    if order == "surname_first":
        names = [f"{s} {f}" for f, s in zip(FORENAMES, SURNAMES, strict=True)]
    else:
        names = [f"{f} {s}" for f, s in zip(FORENAMES, SURNAMES, strict=True)]
    rows = [[f"C{i}", n, "14"] for i, n in enumerate(names)]
    path = write_csv(tmp_path, ["Case No", header, "Age"], rows)
    d = drafting.draft_mapping(path, fixture_config)
    assert specs(d, "victims")["name"] == {"column": header, "parse": "name", "order": order}
    assert not d.todos
    mapping = load_draft(d, tmp_path / "m", fixture_config)
    recs = records_of(path, mapping, fixture_config, agency())["victims"]
    assert [(r["forename"], r["surname"]) for r in recs] == list(zip(FORENAMES, SURNAMES, strict=True))
    assert not any(n in d.to_yaml() for n in FORENAMES + SURNAMES)


@pytest.mark.parametrize("header", ["Offender name - surname first", "Suspect (SURNAME, Forename)"])
def test_an_offenders_name_column_with_an_order(header, tmp_path, fixture_config):
    rows = [[f"C{i}", f"{s.upper()}, {f}", "30"] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Crime No", header, "Age"], rows), fixture_config)
    assert d.sheets[0].kind == "offenders"
    assert specs(d, "offenders")["name"] == {"column": header, "parse": "name", "order": "surname_first"}


def test_forename_first_header_over_comma_values_is_a_todo(tmp_path, fixture_config):
    rows = [[f"C{i}", f"{s}, {f}"] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Case No", "Name (Forename Surname)"], rows), fixture_config)
    assert any("victims.name" in t and "forename first" in t for t in d.todos)
    with pytest.raises(ConfigError, match="TODO"):
        load_draft(d, tmp_path / "m", fixture_config)


@pytest.mark.parametrize("text, order, expected", [
    ("Smith Jane", "surname_first", ("Jane", "Smith")),
    ("SMITH, Jane Ann", "surname_first", ("Jane", "SMITH")),
    ("Van Dyke, Jane", "surname_first", ("Jane", "Van Dyke")),
    ("Jane SMITH", "surname_first", ("Jane", "SMITH")),          # upper case is the surname either way
    ("Jane, Smith", "forename_first", ("Jane", "Smith")),
    ("Jane Ann Smith", "forename_first", ("Jane", "Smith")),
    ("Smith Jane", None, ("Smith", "Jane")),                      # no order: as before
])
def test_parse_name_with_an_order(text, order, expected):
    assert parse_name(text, "reject", order) == (expected, None)


def test_order_is_checked_by_the_loader(tmp_path, fixture_config):
    def load(column: str):
        path = tmp_path / "m.yaml"
        path.write_text(textwrap.dedent(f"""\
            name: m
            sheets:
              victims:
                columns:
                  case_ref: "Case No"
                  {column}
            """), encoding="utf-8")
        return load_mapping(path, fixture_config.codes, fixture_config.fields)

    assert load('name: {column: "N", parse: name, order: surname_first}').sheets[0].columns["name"].order \
        == "surname_first"
    with pytest.raises(ConfigError, match="order"):
        load('name: {column: "N", parse: name, order: backwards}')
    with pytest.raises(ConfigError, match="order"):
        load('surname: {column: "N", order: surname_first}')


# -- 2. initials under a name header ---------------------------------------------------------------

@pytest.mark.parametrize("header", ["Child", "Victim name", "Name of young person", "Offender"])
@pytest.mark.parametrize("values", [
    ["J S", "A B", "K L", "M N", "P R"],
    ["J.S.", "A.B.", "K.L.", "M.N."],
    ["JS", "AB", "KLM", "MN", "PR"],
    ["J.S", "A. B.", "KL", "M N"],
])
def test_initials_under_a_name_header_are_drafted_as_initials(header, values, tmp_path, fixture_config):
    rows = [[f"C{i}", v, "14"] for i, v in enumerate(values)]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Case No", header, "Age"], rows), fixture_config)
    got = specs(d, d.sheets[0].kind)
    assert got["initials"] == {"column": header, "parse": "initials"}
    assert "name" not in got
    assert not d.todos


def test_a_name_column_part_initials_is_a_todo_naming_the_column(tmp_path, fixture_config):
    values = ["J S", "Amy Brown", "K.L.", "Kay Jones", "Jane Smith", "AB"]
    rows = [[f"C{i}", v, "14"] for i, v in enumerate(values)]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Case No", "Child's name", "Age"], rows), fixture_config)
    todo = next(t for t in d.todos if t.startswith("victims.name"))
    assert '"Child\'s name"' in todo and "initials" in todo
    assert not any(v in d.to_yaml() for v in ("Amy", "Brown", "Kay", "Jones", "Jane", "Smith"))


# -- 3. headers written with abbreviations -------------------------------------------------------

@pytest.mark.parametrize("header, field", [
    ("Occ. No", "case_ref"), ("OCC REF", "case_ref"), ("Occ.No.", "case_ref"), ("Occurrence number", "case_ref"),
    ("Incident #", "case_ref"), ("Inc. No.", "case_ref"), ("Crime Ref.", "case_ref"), ("Invest. No", "case_ref"),
    ("Victim No.", "record_ref"), ("Referral received", "case_date"), ("Date recd", "case_date"),
    ("Referral Recd.", "case_date"), ("Date of receipt", "case_date"), ("Eth. origin", "ethnicity"),
    ("No.", None), ("ID", None),        # one such word alone says too little
])
def test_headers_with_abbreviations(header, field, fixture_config):
    m = drafting.match_header(header, drafting.load_synonyms(fixture_config))
    assert (m.field if m else None) == field


def test_a_draft_reads_abbreviated_references_and_dates(tmp_path, fixture_config):
    rows = [["OC/1", "02/03/2010", "Ann Placeholder", "14"], ["OC/2", "13/04/2010", "Bea Dummyfield", "15"]]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Occ. No", "Referral received", "Child's name", "Age"], rows),
                               fixture_config)
    got = specs(d, "victims")
    assert got["case_ref"] == "Occ. No"
    assert got["case_date"] == {"column": "Referral received", "dates": "dayfirst"}


# -- 4. the child and the perpetrator on one row --------------------------------------------------

BOTH = [
    (["Crime Ref", "Victim name", "Victim DOB", "Suspect name", "Suspect DOB"], "Victim name", "Suspect name"),
    (["Case No", "Child's name", "Child age", "Perpetrator name", "Perpetrator age"], "Child's name",
     "Perpetrator name"),
    (["Ref", "Young person name", "Alleged abuser name", "Abuser DOB"], "Young person name", "Alleged abuser name"),
]


@pytest.mark.parametrize("header, victim, offender", BOTH)
def test_a_case_row_with_child_and_perpetrator_drafts_both_blocks(header, victim, offender, tmp_path,
                                                                    fixture_config):
    kids = ["Amy Smith", "Chloe Jones", "Jade Taylor"]
    adults = ["Kyle Brown", "Dean Wilson", "Gary Khan"]
    rows = []
    for i, (k, a) in enumerate(zip(kids, adults, strict=True)):
        cells = {"name": [k, a], "dob": [f"0{i + 1}/02/1996", f"0{i + 1}/03/1980"], "age": ["14", "33"]}
        row = [f"R{i}"]
        for h in header[1:]:
            who = 1 if any(w in h.lower() for w in ("suspect", "perpetrator", "abuser")) else 0
            kind = "name" if "name" in h.lower() else "dob" if "dob" in h.lower() else "age"
            row.append(cells[kind][who])
        rows.append(row)
    path = write_csv(tmp_path, header, rows)
    d = drafting.draft_mapping(path, fixture_config)
    v, o = d.sheet("victims"), d.sheet("offenders")
    assert v is not None and o is not None and v.sheet == o.sheet
    assert specs(d, "victims")["name"]["column"] == victim
    assert specs(d, "offenders")["name"]["column"] == offender
    assert specs(d, "victims")["case_ref"] == specs(d, "offenders")["case_ref"] == header[0]
    mapping = load_draft(d, tmp_path / "m", fixture_config)
    recs = records_of(path, mapping, fixture_config, agency())
    assert [r["surname"] for r in recs["victims"]] == ["Smith", "Jones", "Taylor"]
    assert [r["surname"] for r in recs["offenders"]] == ["Brown", "Wilson", "Khan"]


@pytest.mark.parametrize("header, rows, victims, offenders", [
    # the child's columns plain, the perpetrator's named: the plain ones repeat the named ones' fields
    (["Crime No", "Forename", "Surname", "Age", "Offender forename", "Offender surname", "Offender age"],
     [["C1", "Amy", "Smith", "14", "Kyle", "Brown", "30"], ["C2", "Jade", "Jones", "15", "Dean", "Wilson", "41"]],
     {"forename": "Forename", "surname": "Surname", "age": "Age"},
     {"forename": "Offender forename", "surname": "Offender surname", "age": "Offender age"}),
    # no field repeated, but the plain columns are the child's alone (missing episodes)
    (["Referral No", "Initials", "Age", "Missing episodes", "Abuser name"],
     [["R1", "A.S.", "14", "2", "Kyle Brown"], ["R2", "J.J.", "15", "0", "Dean Wilson"], ["R3", "K.L.", "13", "1", "X Y"]],
     {"initials": "Initials", "age": "Age", "missing_episodes": "Missing episodes"}, {"name": "Abuser name"}),
    # the other way round: the victim's columns named, the plain ones the suspect's
    (["Occurrence No", "Name", "DOB", "Victim name", "Victim DOB"],
     [["O1", "Kyle Brown", "01/02/1980", "Amy Smith", "03/04/1996"],
      ["O2", "Dean Wilson", "05/06/1975", "Jade Jones", "07/08/1997"]],
     {"name": "Victim name", "dob": "Victim DOB"}, {"name": "Name", "dob": "DOB"}),
])
def test_plain_person_columns_beside_named_ones_are_the_other_persons(header, rows, victims, offenders, tmp_path,
                                                                      fixture_config):
    d = drafting.draft_mapping(write_csv(tmp_path, header, rows), fixture_config)
    for kind, want in (("victims", victims), ("offenders", offenders)):
        got = specs(d, kind)
        for fname, column in want.items():
            spec = got[fname]
            assert (spec["column"] if isinstance(spec, dict) else spec) == column, (kind, fname)
    assert "check" in next(s for s in d.sheets if "taken as" in s.kind_evidence).kind_evidence


def test_a_suspected_perpetrator_column_drafts_the_offenders_names(tmp_path, fixture_config):
    """A charity's "Suspected perpetrator" column of whole names beside a child known by initials
    (session 16's newcomer): drafted as no field, so the men stayed in the raw rows only."""
    header = ["Referral No", "Young person initials", "Age at referral", "Went missing? (Y/N)", "Suspected perpetrator"]
    rows = [["R1", "A.S.", "14", "Y", "Kyle Brown"], ["R2", "J.J.", "15", "N", "Dean Wilson"],
            ["R3", "K.L.", "13", "Y", "Gary Khan"]]
    d = drafting.draft_mapping(write_csv(tmp_path, header, rows), fixture_config)
    assert specs(d, "offenders")["name"]["column"] == "Suspected perpetrator"
    assert specs(d, "victims")["initials"]["column"] == "Young person initials"
    assert specs(d, "victims")["case_ref"] == specs(d, "offenders")["case_ref"] == "Referral No"


def test_compare_reads_each_block_of_a_shared_sheet(tmp_path, fixture_config):
    from cse_audit.ingest.readers import read_file

    header, victim, offender = BOTH[0]
    rows = [["R1", "Amy Smith", "01/02/1996", "Kyle Brown", "01/02/1980"],
            ["R2", "Jade Jones", "03/04/1997", "Dean Wilson", "05/06/1975"]]
    path = write_csv(tmp_path, header, rows)
    hand = load_mapping(write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Crime Ref", name: {column: "Victim name", parse: name}, dob: "Victim DOB"}
          offenders:
            columns: {case_ref: "Crime Ref", name: {column: "Suspect name", parse: name}, dob: "Suspect DOB"}
        """), fixture_config.codes, fixture_config.fields)
    got = drafting.compare(drafting.draft_mapping(path, fixture_config), hand,
                           read_file(path, fixture_config.settings.limits))
    assert sorted(got["right"]) == ["offenders.case_ref", "offenders.dob", "offenders.name", "victims.case_ref",
                                    "victims.dob", "victims.name"]
    assert got["missing"] == got["wrong"] == []


def test_plain_person_columns_alone_are_not_split(tmp_path, fixture_config):
    # the perpetrator's only named column is not a name, initials, DOB or age: one block, as before
    rows = [["C1", "Amy Smith", "14", "IC1"], ["C2", "Jade Jones", "15", "IC3"]]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Case No", "Name", "Age", "Perpetrator ethnicity"], rows),
                               fixture_config)
    assert len(d.sheets) == 1


def test_a_persons_column_saying_neither_is_left_out_with_the_reason(tmp_path, fixture_config):
    rows = [["R1", "Amy Smith", "Kyle Brown", "14"], ["R2", "Chloe Jones", "Dean Wilson", "15"]]
    d = drafting.draft_mapping(write_csv(tmp_path, ["Crime No", "Victim name", "Suspect name", "Age"], rows),
                               fixture_config)
    for kind in ("victims", "offenders"):
        assert "age" not in specs(d, kind)
        assert any(h == "Age" and "whose" in why for h, why in d.sheet(kind).unmapped)


@pytest.mark.parametrize("sheet_name, kinds", [("Offenders", ["offenders"]), ("Alleged perpetrators", ["offenders"]),
                                               ("Return 2010", ["victims", "offenders"])])
def test_a_sheet_named_for_one_kind_is_not_split(sheet_name, kinds, tmp_path, fixture_config):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_name
    for row in [["Crime No", "Victim name", "Suspect name", "Suspect age"], ["R1", "Amy Smith", "Kyle Brown", "33"],
                ["R2", "Chloe Jones", "Dean Wilson", "35"], ["R3", "Jade Taylor", "Gary Khan", "41"]]:
        ws.append(row)
    wb.save(tmp_path / "return.xlsx")
    d = drafting.draft_mapping(tmp_path / "return.xlsx", fixture_config)
    assert [s.kind for s in d.sheets] == kinds


# -- 5. mapping check: name parts the wrong way round, and problems per block ----------------------

def write_mapping(tmp_path, text: str, name="m"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_check_warns_once_per_column_when_forename_and_surname_are_swapped(tmp_path, fixture_config):
    # a return whose "Forename" column holds surnames and "Surname" forenames
    rows = [[f"C{i}", s, f, "14"] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    path = write_csv(tmp_path, ["Case No", "Forename", "Surname", "Age"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Case No", forename: Forename, surname: Surname, age: Age}
        """)
    r = drafting.check_mapping(path, m, fixture_config)
    found = {(f["field"], f["column"]): (f["wrong"], f["found"]) for f in r["name_order"]}
    assert found == {("forename", "Forename"): (6, 6), ("surname", "Surname"): (6, 6)}
    text, data = drafting.check_command(path, m, fixture_config)
    assert text.count("Warning: victims.forename") == 1
    assert text.count("Warning: victims.surname") == 1
    assert not any(n in text or n in json.dumps(data) for n in FORENAMES + SURNAMES)
    shown, data = drafting.check_command(path, m, fixture_config, show_values=True)
    assert "'Smith' x1" in shown and "'Amy' x1" in shown
    # the right way round: no warning
    right = write_csv(tmp_path, ["Case No", "Forename", "Surname", "Age"],
                      [[f"C{i}", f, s, "14"] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))],
                      name="right.csv")
    assert drafting.check_mapping(right, m, fixture_config)["name_order"] == []


def test_swapped_columns_of_rare_surnames_are_judged_as_a_pair(tmp_path, fixture_config):
    # the surnames are invented (in no list), so the forename column alone says nothing; the surname
    # column full of known forenames says both are swapped
    rare = ["Kravnik", "Zolotny", "Ferradew", "Quillam", "Brisketh", "Ondrasek"]
    rows = [[f"C{i}", s, f] for i, (f, s) in enumerate(zip(FORENAMES, rare, strict=True))]
    path = write_csv(tmp_path, ["Case No", "Forename", "Surname"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Case No", forename: Forename, surname: Surname}
        """)
    r = drafting.check_mapping(path, m, fixture_config)
    assert sorted((f["field"], f["column"], "pair" in f) for f in r["name_order"]) == [
        ("forename", "Forename", True), ("surname", "Surname", True)]
    # the same rare surnames the right way round: nothing
    right = write_csv(tmp_path, ["Case No", "Forename", "Surname"],
                      [[f"C{i}", f, s] for i, (f, s) in enumerate(zip(FORENAMES, rare, strict=True))], name="r.csv")
    assert drafting.check_mapping(right, m, fixture_config)["name_order"] == []


def test_check_warns_when_a_whole_name_reads_the_wrong_way_round(tmp_path, fixture_config):
    rows = [[f"C{i}", f"{s} {f}"] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    path = write_csv(tmp_path, ["Case No", "Child"], rows)
    plain = write_mapping(tmp_path, """\
        name: plain
        sheets:
          victims:
            columns: {case_ref: "Case No", name: {column: Child, parse: name}}
        """, "plain")
    r = drafting.check_mapping(path, plain, fixture_config)
    assert [(f["field"], f["column"], f["wrong"], f["found"]) for f in r["name_order"]] == [("name", "Child", 12, 12)]
    text, _ = drafting.check_command(path, plain, fixture_config)
    assert text.count("Warning: victims.name") == 1 and "order:" in text
    ordered = write_mapping(tmp_path, """\
        name: ordered
        sheets:
          victims:
            columns: {case_ref: "Case No", name: {column: Child, parse: name, order: surname_first}}
        """, "ordered")
    assert drafting.check_mapping(path, ordered, fixture_config)["name_order"] == []


def test_too_few_known_names_is_no_warning(tmp_path, fixture_config):
    rows = [["C1", "Smith", "Amy"], ["C2", "Qwertyx", "Zxcvbn"], ["C3", "Plokij", "Mnbvcx"]]
    path = write_csv(tmp_path, ["Case No", "Forename", "Surname"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Case No", forename: Forename, surname: Surname}
        """)
    assert drafting.check_mapping(path, m, fixture_config)["name_order"] == []


def test_check_counts_each_blocks_problems_against_its_own_field(tmp_path, fixture_config):
    # victims and offenders of one row: the children's names are single words (bad_name in a victims
    # block), the suspects' are whole names. The offenders' name has no problem.
    rows = [["R1", "Amy", "14", "Kyle Brown"], ["R2", "Chloe", "15", "Dean Wilson"],
            ["R3", "Jade Taylor", "13", "Gary Khan"]]
    path = write_csv(tmp_path, ["Crime No", "Victim", "Age", "Suspect"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Crime No", name: {column: Victim, parse: name}, age: Age}
          offenders:
            columns: {case_ref: "Crime No", name: {column: Suspect, parse: name}}
        """)
    r = drafting.check_mapping(path, m, fixture_config)
    assert r["fields"]["victims"]["name"]["problems"] == 2
    assert r["fields"]["offenders"]["name"]["problems"] == 0


def test_check_splits_a_people_blocks_problems_by_kind(tmp_path, fixture_config):
    rows = [["R1", "Victim", "Amy", "14"], ["R2", "Victim", "Chloe", "15"], ["R3", "Suspect", "Kyle Brown", "30"],
            ["R4", "Suspect", "Dean Wilson", "31"]]
    path = write_csv(tmp_path, ["Crime No", "Role", "Name", "Age"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          people:
            role: {column: Role, victims: [Victim], offenders: [Suspect]}
            columns: {case_ref: "Crime No", name: {column: Name, parse: name}, age: Age}
        """)
    r = drafting.check_mapping(path, m, fixture_config)
    assert r["fields"]["victims"]["name"]["problems"] == 2
    assert r["fields"]["offenders"]["name"]["problems"] == 0


def test_show_values_lists_unrecognised_values_that_are_not_code_like(fixture_config):
    from .conftest import RETURNS

    hidden = drafting.check_mapping(RETURNS / "ngo_bom.csv", "fixture-flat", fixture_config)
    assert hidden["fields"]["victims"]["ethnicity"]["unrecognised"] == {}
    shown = drafting.check_mapping(RETURNS / "ngo_bom.csv", "fixture-flat", fixture_config, show_values=True)
    assert sum(shown["fields"]["victims"]["ethnicity"]["unrecognised"].values()) == 1


def test_mapping_check_cli_has_show_values(tmp_path, fixture_config_dir):
    from click.testing import CliRunner

    from cse_audit.cli import cli

    rows = [[f"C{i}", s, f] for i, (f, s) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    path = write_csv(tmp_path, ["Case No", "Forename", "Surname"], rows)
    m = write_mapping(tmp_path, """\
        name: m
        sheets:
          victims:
            columns: {case_ref: "Case No", forename: Forename, surname: Surname}
        """)
    base = ["mapping", "check", str(path), "--mapping", str(m), "--config", str(fixture_config_dir)]
    res = CliRunner().invoke(cli, base)
    assert res.exit_code == 0, res.output
    assert "victims.forename <- Forename" in res.output and "Smith" not in res.output
    res = CliRunner().invoke(cli, base + ["--show-values"])
    assert res.exit_code == 0 and "'Smith'" in res.output
