"""Session 16 review: what a new analyst met running the installed tool from an empty folder."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from cse_audit.cli import cli

from .conftest import RETURNS
from .test_cli_behaviour import linked_store  # noqa: F401  (a fixture: a small linked store)


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def _store_with_a_superseded_return(tmp_path, config_dir, name="ngo_bom.csv"):
    """A store (not linked: fast) holding ngo_bom.csv twice (as `name`), the first superseded."""
    db = tmp_path / "audit.duckdb"
    src = tmp_path / "in" / name
    src.parent.mkdir()
    shutil.copy(RETURNS / "ngo_bom.csv", src)
    assert run("ingest", src, "--db", db, "--config", config_dir, "--no-link").exit_code == 0
    src.write_bytes(b"".join(src.read_bytes().splitlines(keepends=True)[:3]))
    assert run("ingest", src, "--db", db, "--config", config_dir, "--no-link").exit_code == 0
    return db


def test_commands_that_change_a_store_never_create_one(tmp_path, monkeypatch):
    """`link run` in the wrong folder made an empty store and reported "0 records -> 0 people",
    exit 0; `link apply`, `returns restore` likewise. Only ingest starts a store."""
    monkeypatch.chdir(tmp_path)
    review = tmp_path / "review.csv"
    review.write_text("record_id_l,record_id_r,decision\n")
    for args in (["link", "run"], ["link", "apply", review], ["returns", "restore", "1"], ["minimise", "--yes"],
                 ["link", "export-decisions", "-o", tmp_path / "d.yaml"], ["returns"]):
        result = run(*args, "--db", tmp_path / "none.duckdb")
        assert result.exit_code == 2, (args, result.output)
        assert "no store here yet (run `cse-audit ingest` first)" in result.output, args
        assert "Usage:" not in result.output, args
        assert not (tmp_path / "none.duckdb").exists(), args
    assert not list(tmp_path.glob("*.duckdb"))


def test_store_help_says_which_commands_create_it():
    """The help said "(created if missing)" for link run, link apply, returns, minimise and
    export-decisions, none of which should."""
    for args in (["link", "run"], ["link", "apply"], ["returns"], ["returns", "restore"], ["minimise"],
                 ["link", "export-decisions"]):
        text = " ".join(run(*args, "--help").output.split())
        assert "created if missing" not in text and "never created here" in text, args
    assert "created if missing" in run("ingest", "--help").output


def test_restore_uses_the_db_given_before_it(tmp_path, monkeypatch, fixture_config_dir):
    """`cse-audit returns --db X restore 1` restored in ./cse_audit.duckdb (made empty on the
    spot), said "no return 1 in this store", with a usage banner; X was left as it was."""
    db = _store_with_a_superseded_return(tmp_path, fixture_config_dir)
    monkeypatch.chdir(tmp_path)
    restored = run("returns", "--db", db, "restore", "1")
    assert restored.exit_code == 0, restored.output
    assert f"run `cse-audit link run --db {db}`" in restored.output
    assert not (tmp_path / "cse_audit.duckdb").exists()
    again = run("returns", "--db", db, "restore", "1")
    assert again.exit_code == 2 and "return 1 is current already" in again.output
    assert "Usage:" not in again.output  # a fact about the store, not a mistake in the command line


def test_sub_table_sheet_titles_say_no_part_twice():
    """The workbook's Contents and sheet titles read "Victims: reported missing: Reported
    missing: missing from" and "Offender groups: Offender groups by members' ethnicity"."""
    from cse_audit.outputs.workbook import plan_sheets

    def table(title, **subs):
        rows = [{"category": "A", "count": 1}]
        return {"title": title, "rows": rows, "total": 1,
                **{k: {"title": t, "rows": rows, "total": 1, "total_of": None} for k, t in subs.items()}}

    tables = {"victims_missing": table("Victims: reported missing", missing_from="Reported missing: missing from"),
              "victims_overlap": table("Victims: reported by one or more agencies",
                                       source_types="Victims by combination of source types"),
              "victims_ethnicity": table("Victims: ethnicity", asian_detail="Asian: detailed group"),
              "offender_groups": table("Offender groups", ethnicity="Offender groups by members' ethnicity")}
    sheets, _notes = plan_sheets(tables, [])
    assert [s.title for s in sheets] == [
        "Victims: reported missing", "Victims: reported missing: missing from",
        "Victims: reported by one or more agencies", "Victims by combination of source types",
        "Victims: ethnicity", "Victims: ethnicity: Asian: detailed group",
        "Offender groups", "Offender groups by members' ethnicity"]


def test_note_gives_the_range_when_no_record_is_ambiguous():
    """The sample's offenders: 0 ambiguous records but a range of 2,377-2,381 in the JSON; the
    notes (terminal, workbook, HTML) said nothing of it, so 2,379 read as exact."""
    from cse_audit.tables.counting import _NOTE_THRESHOLD
    from cse_audit.tables.relations import _Kind

    kind = _Kind.__new__(_Kind)
    kind.kind, kind.joined_by_fits = "offenders", 0
    kind.__dict__["uncertainty"] = {"ambiguous_records": 0, "persons_low": 2377, "persons_high": 2381}
    note = kind.uncertainty_note(total=2379)
    assert "No offender record is ambiguous" in note and "between 2,377 and 2,381" in note
    kind.__dict__["uncertainty"] = {"ambiguous_records": 0, "persons_low": 3, "persons_high": 5}
    token = _NOTE_THRESHOLD.set(5)
    try:
        assert "between [c] and [c]" in kind.uncertainty_note(total=4)  # published: the range gives a small total back
    finally:
        _NOTE_THRESHOLD.reset(token)
    kind.__dict__["uncertainty"] = {"ambiguous_records": 0, "persons_low": 2379, "persons_high": 2379}
    assert kind.uncertainty_note(total=2379) == ""  # a sure count needs no sentence


def test_mapping_commands_offer_only_the_formats_they_print(tmp_path):
    """`mapping draft` and `mapping check` offered --format table|markdown|csv|json, and the first
    three all printed the same YAML or text."""
    src = RETURNS / "ngo_bom.csv"
    assert run("mapping", "draft", src, "--format", "csv").exit_code == 2
    assert run("mapping", "check", src, "--mapping", "x", "--format", "markdown").exit_code == 2
    yaml_text = run("mapping", "draft", src, "--format", "yaml").stdout
    assert yaml_text == run("mapping", "draft", src).stdout and "sheets:" in yaml_text
    import json

    assert json.loads(run("mapping", "draft", src, "--format", "json").stdout)["name"]
    for command in ("draft", "check"):
        help_text = run("mapping", command, "--help").output
        assert "markdown" not in help_text and "json" in help_text


def test_an_empty_sheet_is_called_empty(tmp_path, fixture_config_dir):
    """A return whose cases sheet was left empty: the issue said "no header row found ...; every
    row of the sheet is rejected" beside 0 rejected rows."""
    import json

    from openpyxl import load_workbook

    path = tmp_path / "police_header_row5.xlsx"
    shutil.copy(RETURNS / "police_header_row5.xlsx", path)
    wb = load_workbook(path)
    first = wb.worksheets[0]
    first.delete_rows(1, first.max_row)
    wb.save(path)
    result = run("validate", path, "--config", fixture_config_dir, "--format", "json")
    issues = [i for i in json.loads(result.stdout) if i["kind"] == "no_header"]
    assert len(issues) == 1 and issues[0]["sheet"] == first.title
    assert "the sheet is empty" in issues[0]["message"] and "every row" not in issues[0]["message"]


def test_a_file_that_cannot_be_read_still_names_its_agency(tmp_path, fixture_config_dir):
    """A truncated .xls (and a truncated .xlsx, an empty csv) was listed with a blank agency,
    though its name matched the registry; calamine's own words were all the reason."""
    import json

    folder = tmp_path / "returns"
    folder.mkdir()
    legacy = (RETURNS / "lscb_legacy.xls").read_bytes()
    (folder / "lscb_truncated.xls").write_bytes(legacy[:len(legacy) // 2])
    (folder / "police_truncated.xlsx").write_bytes((RETURNS / "police_header_row5.xlsx").read_bytes()[:3000])
    (folder / "ngo_empty_file.csv").write_bytes(b"")
    (folder / "nobody_knows.csv").write_bytes(b"")
    result = run("validate", folder, "--config", fixture_config_dir, "--summary", "--format", "json")
    assert result.exit_code == 1
    files = {f["file"]: f for f in json.loads(result.stdout)["files"]}
    assert {name: f["agency"] for name, f in files.items()} == {
        "lscb_truncated.xls": "lscb-fixture", "police_truncated.xlsx": "police-testshire",
        "ngo_empty_file.csv": "ngo-fixture", "nobody_knows.csv": None}
    assert all(f["status"] == "failed" for f in files.values())
    assert "damaged or truncated file?" in files["lscb_truncated.xls"]["message"]


def test_a_mistyped_mapping_name_gets_a_did_you_mean(fixture_config_dir):
    """`agee:` in a mapping was refused with the list of all 18 fields to search by eye."""
    flat = fixture_config_dir / "mappings" / "fixture-flat.yaml"
    text = flat.read_text()
    flat.write_text(text.replace("      age: {column: Age", "      agee: {column: Age"))
    result = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir)
    assert result.exit_code == 2 and "Usage:" not in result.output
    assert "fixture-flat.yaml, line 17, key 'sheets.victims.columns.agee': unknown field (did you mean 'age'?)" \
        in result.output
    flat.write_text(text.replace("{column: Age, parse: age}", "{colum: Age, parse: age}"))
    result = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir)
    assert result.exit_code == 2 and "unknown key (did you mean 'column'?)" in result.output


def test_new_layout_doc_quotes_the_todo_error_as_printed(fixture_config_dir):
    """docs/new-layout.md quoted the TODO refusal as "unknown key; ..."; the tool says "undecided
    in a drafted mapping: ...; decide it, then delete the TODO"."""
    import re

    from .conftest import ROOT

    doc = (ROOT / "docs" / "new-layout.md").read_text()
    quoted = re.search(r"`(configs/mappings/northshire-export\.yaml, line \d+, key '[^']+\.TODO': [^`]+)`", doc)
    assert quoted, "the doc's example of the refusal"
    flat = fixture_config_dir / "mappings" / "fixture-flat.yaml"
    flat.write_text(flat.read_text().replace("dob: {column: DOB,", 'dob: {TODO: "choose one column: DOB or DoB", column: DOB,'))
    result = run("validate", RETURNS / "ngo_bom.csv", "--config", fixture_config_dir)
    assert result.exit_code == 2
    said = result.output.split("key 'sheets.victims.columns.dob.TODO': ", 1)[1]
    doc_words = quoted.group(1).split(".TODO': ", 1)[1]
    head, _, tail = doc_words.partition("choose one column: ...")
    assert said.startswith(head + "choose one column") and tail.strip() in said


def test_explain_says_where_record_ids_come_from(linked_store):  # noqa: F811
    """`link explain` with its --help example's ids (or an offender's id under --kind victims)
    said only "no current victims record with record_id ..."; the ids appear nowhere a newcomer
    has looked yet."""
    db, root = linked_store
    result = run("link", "explain", "police-lancashire:3:Victims:12", "lscb-blackpool:9:CSE Referrals:7",
                 "--db", db, "--config", root)
    assert result.exit_code == 2 and "Usage:" not in result.output
    assert "no current victims record with record_id 'police-lancashire:3:Victims:12'" in result.output
    assert "`cse-audit link export --kind victims`" in result.output and "--kind offenders" in result.output


def test_quick_start_works_without_the_repository():
    """`cse-audit --help` and the README's quick start ingest sample_returns/, which a wheel does
    not carry; `cse-audit synth sample_returns` writes the same files (test_synth checks that)."""
    from .conftest import ROOT

    help_text = run("--help").output
    lines = [line.strip() for line in help_text.splitlines()]
    assert lines.index("cse-audit synth sample_returns") < lines.index(
        "cse-audit ingest sample_returns --db audit.duckdb")
    assert "`cse-audit synth sample_returns`" in (ROOT / "README.md").read_text()


def test_table_notes_read_as_sentences(linked_store):  # noqa: F811
    """Every person table's note had two spaces after "by the linkage rules." (an empty linkage
    sentence joined in), and the reliable group's said "offenders whose merged identified is 'Yes'"."""
    import json

    db, root = linked_store
    tables = json.loads(run("tables", "--db", db, "--config", root, "--format", "json").stdout)
    notes = {tid: t["note"] for tid, t in tables.items()}
    assert "by the linkage rules." in notes["victims_sex"]
    assert all("  " not in note for note in notes.values()), [t for t, n in notes.items() if "  " in n]
    assert "offenders whose merged field 'identified' is 'Yes'" in notes["offenders_ethnicity_reliable"]


def _hinted_check(output: str) -> list[str]:
    """The `cse-audit mapping check ...` command a draft's summary tells the analyst to run."""
    import shlex

    line = next(line for line in output.splitlines() if "cse-audit mapping check" in line)
    return shlex.split(line.split("cse-audit ", 1)[1])


def test_the_check_a_draft_suggests_runs(tmp_path, fixture_config_dir, monkeypatch):
    """A draft written to drafts/NAME.yaml said "Check it: cse-audit mapping check FILE --mapping
    NAME", which fails (no mapping NAME in configs/mappings); --output x.txt wrote a mapping no
    command reads; an existing file's refusal said drafts never overwrite, though --force does."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "new return.csv"
    shutil.copy(RETURNS / "ngo_bom.csv", src)
    written = run("mapping", "draft", src, "-o", tmp_path / "drafts" / "charity.yaml", "--config", fixture_config_dir)
    assert written.exit_code == 0, written.output
    hinted = run(*_hinted_check(written.output), "--config", fixture_config_dir)
    assert hinted.exit_code == 0 and "mapped" in hinted.output, hinted.output
    inside = run("mapping", "draft", src, "-o", fixture_config_dir / "mappings" / "charity.yaml",
                 "--config", fixture_config_dir)
    assert _hinted_check(inside.output)[-1] == "charity"  # in the configuration: by name, as before
    folder = tmp_path / "returns"
    folder.mkdir()
    shutil.copy(src, folder / "ngo one.csv")
    shutil.copy(src, folder / "ngo two.csv")
    drafted = run("mapping", "draft", folder, "-o", tmp_path / "more", "--config", fixture_config_dir)
    assert drafted.exit_code == 0, drafted.output
    assert run(*_hinted_check(drafted.output), "--config", fixture_config_dir).exit_code == 0
    again = run("mapping", "draft", src, "-o", tmp_path / "drafts" / "charity.yaml", "--config", fixture_config_dir)
    assert again.exit_code == 2 and "--force" in again.output
    assert run("mapping", "draft", src, "-o", tmp_path / "drafts" / "charity.yaml", "--force",
               "--config", fixture_config_dir).exit_code == 0
    txt = run("mapping", "draft", src, "-o", tmp_path / "x.txt", "--config", fixture_config_dir)
    assert txt.exit_code == 2 and ".yaml" in txt.output and not (tmp_path / "x.txt").exists()


def test_check_says_why_a_mapping_path_is_not_read(tmp_path, fixture_config_dir):
    """`mapping check --mapping x.txt` with x.txt right there said "... and no such file"."""
    (tmp_path / "x.txt").write_text("name: x\n")
    there = run("mapping", "check", RETURNS / "ngo_bom.csv", "--mapping", tmp_path / "x.txt",
                "--config", fixture_config_dir)
    assert there.exit_code == 2 and "not a .yaml file" in there.output and "no such" not in there.output
    missing = run("mapping", "check", RETURNS / "ngo_bom.csv", "--mapping", "nothing-here",
                  "--config", fixture_config_dir)
    assert missing.exit_code == 2 and "no such .yaml file" in missing.output and "fixture-flat" in missing.output


def test_exports_are_owner_only_also_over_an_older_file(linked_store, tmp_path):  # noqa: F811
    """A new file is 0600 (umask 077 once a store is open), but a file already there kept its
    mode: re-running `link export-decisions` (reviewers' notes), `link export` (which records are
    one child) or `report` over a 0644 file left it readable by all."""
    import os
    import stat

    db, root = linked_store
    runs = {"d.yaml": ["link", "export-decisions", "--db", db],
            "persons.csv": ["link", "export", "--db", db],
            "r.xlsx": ["report", "--db", db, "--config", root],
            "r.html": ["report", "--db", db, "--config", root]}
    for name, args in runs.items():
        path = tmp_path / name
        path.write_text("old")
        os.chmod(path, 0o644)
        result = run(*args, "-o", path)
        assert result.exit_code == 0, (name, result.output)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert path.read_bytes() != b"old"
    bad = run("link", "export", "--db", db, "-o", tmp_path / "persons.txt")
    assert bad.exit_code == 2 and "must end in .csv" in bad.output


def test_readme_lists_each_command_once():
    """The README's command table listed `link review` twice (once saying decisions become
    overrides obeyed by every later run, which stopped being true: they live in the store) and
    `mapping draft` twice."""
    import re
    from collections import Counter

    from .conftest import ROOT

    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `cse-audit ")]
    named = Counter(re.match(r"\| `cse-audit ((?:link |mapping )?[\w-]+)", row).group(1) for row in rows)
    assert [c for c, n in named.items() if n > 1] == []
    assert {"link review", "mapping draft", "link export", "returns", "init"} <= set(named)


def test_returns_fits_100_columns_unless_wide(tmp_path, fixture_config_dir):
    """README: tables in the `table` format fit 100 columns, --wide shows everything. `returns`
    printed the sample's list 189 characters wide and had no --wide."""
    name = "ngo_Fixture Charity - CEOP CSE data return 1 January 2008 to 31 March 2011 (revised).csv"
    db = _store_with_a_superseded_return(tmp_path, fixture_config_dir, name)
    cut = run("returns", "--db", db).stdout
    assert max(map(len, cut.splitlines())) <= 100 and "--wide" in cut
    wide = run("returns", "--db", db, "--wide").stdout
    assert max(map(len, wide.splitlines())) > 100 and "superseded" in wide and "records_accepted" in wide


def test_review_workbook_is_laid_out_for_a_reviewer(linked_store, tmp_path):  # noqa: F811
    """`link review -o review.xlsx` was a bare DataFrame dump: default widths cut the record ids
    to 12 characters, nothing frozen, and the decision column free text 27 columns to the right
    (a reviewer's "yes" is refused by `link apply`). The sheet still goes back through link apply."""
    import csv
    import io

    import pandas as pd
    from openpyxl import load_workbook

    from cse_audit.linkage.review import REVIEW_FIELDS
    from cse_audit.outputs.review_sheet import write_review_workbook

    db, root = linked_store
    store_copy = tmp_path / "s.duckdb"
    shutil.copy(db, store_copy)  # link apply writes: not into the shared store
    cli_out = tmp_path / "cli.xlsx"
    assert run("link", "review", "-o", cli_out, "--db", store_copy, "--config", root).exit_code == 0
    assert load_workbook(cli_out)["Review"].freeze_panes == "C2"  # the command writes this layout
    assert run("link", "export", "-o", tmp_path / "ids.csv", "--db", store_copy).exit_code == 0
    ids = [r["record_id"] for r in csv.DictReader(io.StringIO((tmp_path / "ids.csv").read_text()))][:2]
    pairs = pd.DataFrame({"record_id_l": [ids[0]], "record_id_r": [ids[1]], "match_probability": [0.61],
                          **{f"{f}_{side}": [None] for f in REVIEW_FIELDS for side in "lr"}, "decision": [""]})
    out = tmp_path / "review.xlsx"
    write_review_workbook(pairs, out)
    ws = load_workbook(out)["Review"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["record_id_l", "record_id_r"] and header[-1] == "decision"
    assert ws.freeze_panes == "C2" and ws.column_dimensions["A"].width >= len(ids[0])
    from openpyxl.utils import get_column_letter

    decision = get_column_letter(len(header))  # past Z once the aliases are among the fields
    rules = ws.data_validations.dataValidation
    assert any(r.formula1 == '"match,no-match"' and f"{decision}2" in str(r.sqref) for r in rules)
    ws[f"{decision}2"] = "match"
    ws.parent.save(out)
    applied = run("link", "apply", out, "--db", store_copy, "--config", root)
    assert applied.exit_code == 0 and "1 decision(s) added" in applied.output, applied.output


def test_feedback_next_time_numbers_sit_beside_their_text(fixture_config, tmp_path):
    """'What to send next time' put each number in column A, right-aligned, with the 16-character
    column B empty between it and its text in C: in print the numbers floated mid-page."""
    import openpyxl

    from cse_audit import ingest
    from cse_audit.outputs import write_feedback
    from cse_audit.store import connect
    from cse_audit.tables import build_completeness, load_completeness_config

    con = connect(tmp_path / "s.duckdb")
    ingest.ingest([RETURNS / "ngo_bom.csv", RETURNS / "lscb_odd_columns.csv"], con, fixture_config, link=False)
    rows = build_completeness(con, fixture_config.agency_list, load_completeness_config(fixture_config.root))
    row = next(r for r in rows["agencies"] if r["agency"] == "ngo-fixture")
    out = tmp_path / "feedback.xlsx"
    write_feedback(con, fixture_config.agencies["ngo-fixture"], row, out, load_completeness_config(fixture_config.root))
    con.close()
    ws = openpyxl.load_workbook(out)["Summary"]
    start = next(r[0].row for r in ws.iter_rows() if r[0].value == "What to send next time")
    items = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=start + 1) if r[2].value]
    assert items and [b for _, b, _ in items] == [f"{n}." for n in range(1, len(items) + 1)]
    assert all(a in (None, "") for a, _, _ in items)
