"""Issue 16 follow-up: an age written where the date of birth goes ("DOB unknown, approx 15") is the
record's age, with an `age_in_dob` warning, instead of a `bad_date` that lost it. All values made up."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.ingest import translate
from cse_audit.ingest.values import age_in_date, parse_date

from .test_new_layouts import _map

SHAPES = {  # text in the DOB cell -> (age, age_max)
    "DOB unknown, approx 15": (15, None), "unknown - approx 15": (15, None), "DOB not known (15)": (15, None),
    "approx 15 yrs": (15, None), "not known - aged 14": (14, None), "15 (approx)": (15, None),
    "(15)": (15, None), "15 yrs": (15, None), "aged 15": (15, None), "approx 15": (15, None),
    "D.O.B. unknown - age 16": (16, None), "approx 13 (DOB not known)": (13, None),
    "aged 14-15": (14, 15), "approx 14-15 yrs": (14, 15), "DOB unknown (14-15)": (14, 15),
}
# texts that are no age: the problem parse_date gives today, and no age
NOT_AGES = ["32/13/2001", "soon", "15", "15.0", "14-15", "15?", "c. 85", "circa 1985", "approx 2001", "DOB unknown",
            "under 13", "unknown, under 13", "14/15", "age 15-14", "unknown - 05/2001"]
DOB_FIRST = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      dob: DOB\n      age: Age\n"
AGE_FIRST = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      age: Age\n      dob: DOB\n"
# initials: a row whose DOB cell gives nothing is still a person record, so its problem is listed
DOB_ONLY = "name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      initials: Ini\n      dob: DOB\n"


@pytest.fixture(autouse=True)
def _cold_date_cache(monkeypatch):
    monkeypatch.setattr(translate, "_DATE_CACHE", {})


def _dob_only(fixture_config_dir, tmp_path, texts):
    rows = [["Ref", "Ini", "DOB"]] + [[f"R{i}", "AB", t] for i, t in enumerate(texts)]
    return _map(fixture_config_dir, tmp_path, DOB_ONLY, rows)


def test_each_shape_gives_the_age_and_no_date_of_birth(fixture_config_dir, tmp_path):
    m = _dob_only(fixture_config_dir, tmp_path, list(SHAPES))
    got = {t: (r["age"], r.get("age_max"), r["dob"]) for t, r in zip(SHAPES, m.records["victims"], strict=True)}
    assert got == {t: (*want, None) for t, want in SHAPES.items()}
    assert m.rows_landed == len(SHAPES) == m.records_accepted
    assert [(i.code, i.severity) for i in m.issues] == [("age_in_dob", "warning")] * len(SHAPES)


def test_the_warning_names_row_and_column_and_never_the_value(fixture_config_dir, tmp_path):
    texts = ["01/02/2003", "not known - aged 14", "2003-02-01", "DOB not known (12)"]
    m = _dob_only(fixture_config_dir, tmp_path, texts)
    assert [(i.code, i.sheet, i.row_number, i.column_name, i.value) for i in m.issues] == [
        ("age_in_dob", "csv", 3, "DOB", None), ("age_in_dob", "csv", 5, "DOB", None)]
    for issue in m.issues:
        assert issue.message.startswith("dob: ") and "age" in issue.message
        assert not any(part in issue.message for part in ("aged 14", "(12)", "not known -", "14", "12"))
    assert [(r["dob"] is not None, r["age"]) for r in m.records["victims"]] == [(True, None), (False, 14),
                                                                                 (True, None), (False, 12)]


@pytest.mark.parametrize("text", NOT_AGES)
def test_a_text_that_is_no_age_stays_the_problem_it_was(fixture_config_dir, tmp_path, text):
    assert age_in_date(text) is None
    m = _dob_only(fixture_config_dir, tmp_path, [text, "aged 15"])
    before = parse_date(text)
    assert before[0] is None and before[1] is not None     # no date today either
    assert [(r.get("age"), r["dob"]) for r in m.records["victims"]] == [(None, None), (15, None)]
    assert [(i.row_number, i.code) for i in m.issues] == [(2, before[1][0]), (3, "age_in_dob")]


def test_a_number_in_a_dob_cell_is_still_a_serial_or_refused(fixture_config_dir, tmp_path):
    m = _dob_only(fixture_config_dir, tmp_path, ["40179", "15", "14-15"])
    recs = m.records["victims"]
    assert str(recs[0]["dob"]) == "2010-01-01" and recs[0].get("age") is None
    assert [(i.row_number, i.code) for i in m.issues] == [(3, "bad_date"), (4, "bad_date")]


def test_only_a_date_of_birth_reads_an_age(fixture_config_dir, tmp_path):
    """A case date "approx 15" is no age of anyone: still bad_date. The date cache keeps the two
    readings apart (the case date's column is read first, then the DOB's with the same text)."""
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n      case_date: When\n"
            "      dob: DOB\n      sex: Sex\n")
    rows = [["Ref", "When", "DOB", "Sex"], ["R1", "approx 15", "approx 15", "F"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(i.column_name, i.code) for i in m.issues] == [("When", "bad_date"), ("DOB", "age_in_dob")]
    assert m.records["victims"][0]["age"] == 15


AGE_ROWS = [  # (Age cell, DOB cell) -> (age, age_max, dob known)
    (("16", "approx 14-15 yrs"), (16, None, False)),     # the age column's exact age: no band from the DOB
    (("", "DOB unknown, approx 15"), (15, None, False)),
    (("12-13", "aged 15"), (12, 13, False)),
    (("", "aged 14-15"), (14, 15, False)),
    (("unknown", "not known - aged 14"), (14, None, False)),
    (("17", "01/02/2003"), (17, None, True)),
    (("", ""), (None, None, False)),
    (("13", "soon"), (13, None, False)),
]


@pytest.mark.parametrize("mapping", [DOB_FIRST, AGE_FIRST], ids=["dob-first", "age-first"])
def test_the_age_column_wins_over_an_age_in_the_dob_cell_in_either_order(fixture_config_dir, tmp_path, mapping):
    rows = [["Ref", "Age", "DOB"]] + [[f"R{i}", a, d] for i, ((a, d), _) in enumerate(AGE_ROWS)]
    m = _map(fixture_config_dir, tmp_path, mapping, rows)
    recs = {r["case_ref"]: r for r in m.records["victims"]}
    got = [(recs[f"R{i}"]["age"], recs[f"R{i}"].get("age_max"), recs[f"R{i}"]["dob"] is not None)
           if f"R{i}" in recs else None for i in range(len(AGE_ROWS))]
    assert got == [want if want[0] is not None or want[2] else None for _, want in AGE_ROWS]
    codes = sorted((i.row_number, i.code) for i in m.issues)
    assert codes == [(2, "age_in_dob"), (3, "age_in_dob"), (4, "age_in_dob"), (5, "age_in_dob"),
                     (6, "age_in_dob"), (8, "no_identifying_field"), (9, "bad_date")]


@pytest.mark.parametrize("order", ["name-first", "parts-first"])
def test_a_name_column_beside_name_part_columns_gives_the_same_in_either_order(fixture_config_dir, tmp_path,
                                                                               order):
    """The same rule for a whole name's forename and surname: the field's own column wins where it
    is known and the whole name fills the rest, whichever the mapping lists first (the part column
    used to replace the whole name's part entirely when it came second)."""
    name, part = "      name: {column: Name, parse: name}\n", "      forename: First\n"
    cols = name + part if order == "name-first" else part + name
    text = f"name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n{cols}      age: Age\n"
    rows = [["Ref", "Name", "First", "Age"], ["R1", "Jane Smith", "Janet", "15"], ["R2", "Ann Jones", "", "14"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    assert [(r["forename"], r["surname"]) for r in m.records["victims"]] == [("Janet", "Smith"), ("Ann", "Jones")]


def test_an_xlsx_return_end_to_end_through_ingest(fixture_config_dir, tmp_path):
    """fixture-flat (ngo_*): DOB and Age columns; the DOB ages land as ages, the rows reconcile,
    the printed issues name the file, sheet, row and column, and no cell text is printed."""
    import duckdb
    import openpyxl

    from cse_audit import store as store_mod

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append(["Case", "Forename", "Surname", "DOB", "Age", "Sex"])
    rows = [["C1", "Poppy", "Quellbrook", "DOB unknown, approx 15", None, "F"],
            ["C2", "Ria", "Vantwistle", "not known - aged 14", 16, "F"],
            ["C3", "Suki", "Marrowfield", "aged 14-15", None, "F"],
            ["C4", "Tamsin", "Oakhurrow", "soon", None, "F"],
            ["C5", "Uma", "Pellingcote", "01/02/2003", None, "F"],
            ["C6", None, None, None, None, None],
            ["Total", None, None, None, None, None]]
    for row in rows:
        ws.append(row)
    path = tmp_path / "ngo_dob_ages.xlsx"
    wb.save(path)
    db = tmp_path / "s.duckdb"
    result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(db), "--config", str(fixture_config_dir),
                                      "--no-link", "--no-tables"])
    assert result.exit_code == 0, result.output
    assert "Rows landed 7 = accepted 5 + rejected 0 + skipped 2" in result.output
    for secret in ("approx 15", "aged 14", "14-15", "soon", "2003", "Poppy", "Quellbrook"):
        assert secret not in result.output
    for row in (2, 3, 4):
        assert f"ngo_dob_ages.xlsx: sheet Referrals, row {row}, column DOB: warning age_in_dob" \
               in " ".join(result.output.split())
    con = store_mod.connect(db, read_only=True)
    try:
        got = con.execute("SELECT row_number, age, age_max, dob IS NOT NULL FROM victims ORDER BY row_number").fetchall()
        issues = con.execute("SELECT row_number, column_name, value, code, severity FROM issues "
                             "WHERE code IN ('age_in_dob', 'bad_date') ORDER BY row_number").fetchall()
        counts = con.execute("SELECT rows_landed, records_accepted, rows_rejected, rows_skipped FROM returns").fetchall()
    except duckdb.Error:
        con.close()
        raise
    con.close()
    assert got[:4] == [(2, 15, None, False), (3, 16, None, False), (4, 14, 15, False), (5, None, None, False)]
    assert got[4][0] == 6 and got[4][3] and len(got) == 5
    assert issues == [(2, "DOB", None, "age_in_dob", "warning"), (3, "DOB", None, "age_in_dob", "warning"),
                      (4, "DOB", None, "age_in_dob", "warning"), (5, "DOB", None, "bad_date", "warning")]
    (landed, accepted, rejected, skipped), = counts
    assert landed == accepted + rejected + skipped == 7


def test_the_agency_feedback_says_in_plain_words_what_was_found(fixture_config):
    from cse_audit.outputs.feedback import OTHER, PLAIN, _outcome

    found, todo = PLAIN.get("age_in_dob", OTHER)
    assert (found, todo) != OTHER and "age" in found and "date of birth" in todo
    # the row loaded, and the age with it: not "this item counted as not known"
    assert _outcome({"severity": "warning", "code": "age_in_dob"}) == "Loaded"


def test_mapping_check_counts_ages_in_the_dob_column_as_its_problems(fixture_config_dir, tmp_path):
    import csv

    from cse_audit import authoring
    from cse_audit.config import load_config

    (fixture_config_dir / "mappings" / "t.yaml").write_text(DOB_ONLY, encoding="utf-8")
    config = load_config(fixture_config_dir)
    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["Ref", "Ini", "DOB"], ["R1", "AB", "approx 15 yrs"], ["R2", "CD", "01/02/2003"],
                                  ["R3", "EF", "DOB unknown (14)"]])
    dob = authoring.check_mapping(path, "t", config)["fields"]["victims"]["dob"]
    assert (dob["records"], dob["mapped"], dob["problems"]) == (3, 1, 2)


def test_an_age_in_a_first_of_dob_column_leaves_a_later_columns_date_to_be_taken(fixture_config_dir, tmp_path):
    """dob: first_of [DOB, Est DOB]: an age in the first column identifies the row and is its age,
    but the date in the second column is still the date of birth (an age is no date)."""
    text = ("name: t\nsheets:\n  victims:\n    columns:\n      case_ref: Ref\n"
            "      dob: {first_of: [{column: DOB}, {column: Est DOB}]}\n")
    rows = [["Ref", "DOB", "Est DOB"], ["R1", "approx 15", "01/02/2003"], ["R2", "DOB unknown (14)", ""],
            ["R3", "aged 13", "aged 12"], ["R4", "", "aged 11"], ["R5", "04/05/2006", "aged 10"]]
    m = _map(fixture_config_dir, tmp_path, text, rows)
    got = [(r["case_ref"], str(r["dob"]) if r["dob"] else None, r["age"]) for r in m.records["victims"]]
    assert got == [("R1", "2003-02-01", 15), ("R2", None, 14), ("R3", None, 13), ("R4", None, 11),
                   ("R5", "2006-05-04", None)]
    assert sorted((i.row_number, i.column_name, i.code) for i in m.issues) == [
        (2, "DOB", "age_in_dob"), (3, "DOB", "age_in_dob"), (4, "DOB", "age_in_dob"), (4, "Est DOB", "age_in_dob"),
        (5, "Est DOB", "age_in_dob"), (6, "Est DOB", "age_in_dob")]
