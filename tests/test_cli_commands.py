"""README commands not run elsewhere, through the CLI: `report` (xlsx, html), `link run`,
`link explain --format json`, `completeness --agency --output`. Exit codes and the shape of
what they write are asserted. One small linked store (four fixture returns) is shared."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from cse_audit.cli import cli
from cse_audit.tables import TABLE_NAMES

from .conftest import RETURNS, make_config_dir

FILES = ("police_header_row5.xlsx", "ngo_bom.csv", "lscb_legacy.xls", "people_flat.xlsx")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """(db, config dir), loaded and linked through `ingest`; tests only read it."""
    root = tmp_path_factory.mktemp("cli")
    config_dir = make_config_dir(root)
    db = root / "s.duckdb"
    result = run("ingest", *(RETURNS / f for f in FILES), "--db", db, "--config", config_dir, "--no-tables")
    assert result.exit_code == 0, result.output
    return db, config_dir


def _query(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_link_run_json_and_table(loaded, tmp_path):
    import shutil

    db, config_dir = loaded
    copy = tmp_path / "copy.duckdb"          # link run writes: keep the shared store as it is
    shutil.copy(db, copy)
    result = run("link", "run", "--db", copy, "--config", config_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["victims", "offenders"]
    for kind, k in (("victims", "victim"), ("offenders", "offender")):
        (records,), = _query(copy, f"SELECT count(*) FROM current_{kind}")
        (persons,), = _query(copy, f"SELECT count(DISTINCT person_id) FROM {k}_links")
        assert (data[kind]["kind"], data[kind]["records"], data[kind]["persons"]) == (kind, records, persons)
        assert data[kind]["reviewer_decisions"]["forced_match"] == 0 and "overrides" not in data[kind]
        assert set(data[kind]["automatic_separations"]) == {"kept_apart", "held_apart_within_return"}
    assert (data["victims"]["records"], data["offenders"]["records"]) == (8, 3)
    table = run("link", "run", "--db", copy, "--config", config_dir)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith("Linkage") and any(ln.lstrip().startswith("victims") for ln in lines)


def test_link_explain_json(loaded):
    db, config_dir = loaded
    (a,), (b,) = _query(db, "SELECT record_id FROM current_victims WHERE agency_id = 'ngo-fixture' "
                            "ORDER BY record_id LIMIT 2")
    result = run("link", "explain", a, b, "--db", db, "--config", config_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["record_id_a"], data["record_id_b"]) == (a, b)
    assert [c["comparison"] for c in data["comparisons"]] == ["forename", "surname", "birth", "sex", "area",
                                                              "ethnicity", "reference", "associates"]
    assert all("values" not in c for c in data["comparisons"])        # no names unless --show-values
    assert data["match_weight"] == pytest.approx(
        data["prior_match_weight"] + sum(c["match_weight"] for c in data["comparisons"]), abs=1e-3)
    assert 0.0 <= data["match_probability"] <= 1.0
    (same,), = _query(db, "SELECT count(DISTINCT person_id) = 1 FROM victim_links WHERE record_id IN (?, ?)", [a, b])
    assert data["same_person"] is same
    missing = run("link", "explain", a, "nobody:1:x:1", "--db", db, "--config", config_dir, "--format", "json")
    assert missing.exit_code != 0 and "no current victims record with record_id 'nobody:1:x:1'" in missing.output


def _tables_json(db, config_dir):
    result = run("tables", "--db", db, "--config", config_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_report_xlsx_from_the_cli(loaded, tmp_path):
    from cse_audit.outputs.workbook import sub_title

    db, config_dir = loaded
    out = tmp_path / "assessment.xlsx"
    result = run("report", "--db", db, "--config", config_dir, "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    wb = openpyxl.load_workbook(out)
    tables = _tables_json(db, config_dir)
    assert list(tables) == TABLE_NAMES
    # GSS layout: Cover, Contents, Notes, then one sheet per table and per sub-table (a dict with
    # rows inside a table), numbered in the tables' order ("2", "2a", ...), then the heat map.
    expected, titles = [], {}
    for n, (table_id, table) in enumerate(tables.items(), start=1):
        name = f"{n} {table_id.replace('_', ' ').capitalize()}"
        expected.append(name)
        titles[name] = (table["title"], table["note"])
        subs = [(k, v) for k, v in table.items() if k != "rows" and isinstance(v, dict) and "rows" in v]
        for k, (key, sub) in enumerate(subs):
            sub_name = f"{n}{'abcdefgh'[k]} {key.replace('_', ' ').capitalize()}"
            expected.append(sub_name)
            # its table's title then its own, no part said twice (workbook.sub_title; test_review16)
            titles[sub_name] = (sub_title(table["title"], sub["title"]), table["note"])
    assert wb.sheetnames == ["Cover", "Contents", "Notes", *expected, "Completeness by agency"]
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert wb["Cover"]["A1"].value == "Child sexual exploitation: headline tables"
    contents = [r for r in wb["Contents"].iter_rows(values_only=True) if r and r[0]]
    listed = contents[contents.index(("Sheet name", "Table title")) + 1:]
    assert [name for name, _ in listed] == [*expected, "Completeness by agency"]
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(values_only=True) if r and str(r[0]).startswith("note ")}
    for name in expected:
        title, note = titles[name]
        assert dict(listed)[name] == title
        a1 = wb[name]["A1"].value
        number = a1.rsplit("[note ", 1)[1].rstrip("]")
        assert a1 == f"{title} [note {number}]" and notes[f"note {number}"] == note
    sources = {r[0]: r for r in wb["1 Sources"].iter_rows(values_only=True) if r and r[0]}
    total = tables["sources"]["rows"][-1]
    assert total["category"] == "Total" and total["victims"] == 8
    cols = tables["sources"]["columns"]
    assert list(sources["Total"][1:1 + len(cols)]) == [total[c] for c in cols]


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.sections.append(dict(attrs)["id"])


def test_report_html_from_the_cli(loaded, tmp_path):
    db, config_dir = loaded
    out = tmp_path / "assessment.html"
    result = run("report", "--db", db, "--config", config_dir, "--output", out, "--publish")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parser = _Sections()
    parser.feed(text)
    assert [s for s in parser.sections if s in TABLE_NAMES] == TABLE_NAMES
    assert "not for publication" not in text                  # --publish reached the report
    bad = run("report", "--db", db, "--config", config_dir, "--output", tmp_path / "r.pdf")
    assert bad.exit_code == 2 and "Invalid value for --output" in bad.output
    assert f"{tmp_path / 'r.pdf'}: must end in .xlsx or .html or .htm" in bad.output
    assert not (tmp_path / "r.pdf").exists()


def test_completeness_feedback_for_one_agency(loaded, tmp_path):
    db, config_dir = loaded
    out = tmp_path / "feedback.xlsx"
    result = run("completeness", "--db", db, "--config", config_dir, "--agency", "ngo-fixture", "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"wrote {out}: 2 problem(s) for ngo-fixture" in result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Problems"]
    assert wb["Summary"]["A1"].value == "Feedback on your data return: Fixture Charity"
    files = [r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0] == "Files"]
    assert files == ["ngo_bom.csv"]                                 # this agency's file only
    rows = list(wb["Problems"].iter_rows(values_only=True))
    assert [r[0] for r in rows[:2]] == ["Problems we found in your return",
                                        "One row per problem. Row and column are as in your own file."]
    assert rows[2] == ("File", "Sheet", "Row", "Column", "What we found", "Value", "What happened",
                       "What to do next time")
    assert len(rows) == 3 + 2 and {r[0] for r in rows[3:]} == {"ngo_bom.csv"}   # this agency's file only
    alone = run("completeness", "--db", db, "--config", config_dir, "--agency", "ngo-fixture")
    assert alone.exit_code == 2 and "--agency and --output go together" in alone.output
    nobody = run("completeness", "--db", db, "--config", config_dir, "--agency", "nobody", "--output", out)
    assert nobody.exit_code == 2 and "no agency 'nobody'; known: " in nobody.output   # refused by click at once
    assert "ngo-fixture" in nobody.output.split("no agency 'nobody'; known: ", 1)[1]


def test_verbose_logs_the_linkage_estimates_without_values(loaded, tmp_path):
    """-v (before or after the command) logs what the linkage found - the prior, the joins, the
    persons - on stderr, counts only; stdout is unchanged; the log ends with the command."""
    import logging
    import shutil

    db, config_dir = loaded
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    names = {v for (f, s) in _query(copy, "SELECT forename, surname FROM current_victims") for v in (f, s) if v}
    quiet = run("link", "run", "--db", copy, "--config", config_dir, "--format", "json")
    for args in (("-v", "link", "run"), ("link", "run", "-v")):
        result = run(*args, "--db", copy, "--config", config_dir, "--format", "json")
        assert result.exit_code == 0, result.output
        assert "victims: prior" in result.stderr and "victims: 8 records -> " in result.stderr, result.stderr
        assert json.loads(result.stdout).keys() == json.loads(quiet.stdout).keys()
        assert not any(n in result.stderr for n in names)
    assert not logging.getLogger("cse_audit").handlers
    assert "victims: prior" not in run("link", "run", "--db", copy, "--config", config_dir).stderr
