"""Completeness per agency: shares to the record, statuses, outstanding returns, feedback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from cse_audit import ingest
from cse_audit.outputs import write_feedback
from cse_audit.store import connect
from cse_audit.tables import build_completeness, load_completeness_config

from .conftest import RETURNS


@pytest.fixture
def loaded(fixture_config, tmp_path):
    con = connect(tmp_path / "s.duckdb")
    files = [RETURNS / n for n in ("police_header_row5.xlsx", "ngo_bom.csv", "lscb_odd_columns.csv")]
    ingest.ingest(files, con, fixture_config, link=False)
    ingest.ingest([RETURNS / "people_flat.xlsx"], con, fixture_config, link=False)
    yield con, fixture_config
    con.close()


def report(con, config):
    return build_completeness(con, config.agency_list, load_completeness_config(config.root))


def test_every_registry_agency_once_with_status(loaded):
    con, config = loaded
    rows = {r["agency"]: r for r in report(con, config)["agencies"]}
    assert len(rows) == len(config.agencies) == 6
    assert rows["police-testshire"]["status"] == "received"
    assert rows["ngo-silent"]["status"] == "not received"
    assert sorted(r["agency"] for r in report(con, config)["outstanding"]) == ["lscb-language", "ngo-silent"]


def test_nil_return_is_a_response_with_zero_records(loaded):
    con, config = loaded
    ingest.ingest([RETURNS / "ngo_nil.csv"], con, config, link=False)
    row = next(r for r in report(con, config)["agencies"] if r["agency"] == "ngo-fixture")
    assert row["status"] == "nil return" and row["victim_records"] == 0 and row["score"] is None
    ngo = next(r for r in report(con, config)["by_source_type"] if r["source_type"] == "Voluntary sector")
    assert ngo["received"] == 1 and ngo["nil_returns"] == 1 and ngo["not_received"] == 1


def test_shares_to_the_record(loaded):
    con, config = loaded
    rows = {r["agency"]: r for r in report(con, config)["agencies"]}
    ngo = rows["ngo-fixture"]   # 3 victims: ages 14, 15, none; sex F, F(Girl), blank; ethnicity W, A, Martian
    assert ngo["victim_records"] == 3
    assert ngo["victims_date_of_birth_or_age"] == pytest.approx(2 / 3, abs=1e-3)
    assert ngo["victims_sex"] == pytest.approx(2 / 3, abs=1e-3)
    assert ngo["victims_ethnicity"] == pytest.approx(2 / 3, abs=1e-3)
    assert ngo["victims_missing_status"] == pytest.approx(2 / 3, abs=1e-3)
    assert ngo["victims_area"] == 1.0
    assert ngo["unrecognised_codes"] == 1
    police = rows["police-testshire"]  # V1 dob impossible, V2 dob known, V3 dob known
    assert police["victims_date_of_birth_or_age"] == pytest.approx(2 / 3, abs=1e-3)
    assert police["victims_missing_status"] == pytest.approx(2 / 3, abs=1e-3)
    assert police["offender_records"] == 2 and police["offenders_date_of_birth_or_age"] == 1.0
    assert police["offenders_ethnicity"] == 0.5
    assert police["rows_rejected"] == 1 and police["cases"] == 3
    # score = record-weighted mean of the shares: victims (2/3 + 1 + 2/3 + 2/3 + 1) / 5 = 0.8 over 3
    # records, offenders (1 + 1 + 0.5 + 1) / 4 = 0.875 over 2: (3 * 0.8 + 2 * 0.875) / 5 = 0.83
    assert police["score"] == pytest.approx(0.83, abs=1e-3) and police["flag"] == "green"   # >= 0.75
    # victims only: (4 * 2/3 + 1) / 5 = 0.733, amber (0.5 <= score < 0.75)
    assert ngo["score"] == pytest.approx(0.733, abs=1e-3) and ngo["flag"] == "amber"


def test_feedback_has_no_other_agency_values(loaded, tmp_path):
    con, config = loaded
    out = tmp_path / "feedback.xlsx"
    row = next(r for r in report(con, config)["agencies"] if r["agency"] == "ngo-fixture")
    n = write_feedback(con, config.agencies["ngo-fixture"], row, out)
    assert n == 2                      # ngo_bom.csv: one missing column, one unrecognised code
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Problems"]
    problems = list(wb["Problems"].iter_rows(values_only=True))
    assert problems[0][0] == "Problems we found in your return"
    assert problems[1][0] == "One row per problem. Row and column are as in your own file."
    assert problems[2] == ("File", "Sheet", "Row", "Column", "What we found", "Value", "What happened",
                           "What to do next time")
    assert sorted(r[:5] for r in problems[3:]) == [
        ("ngo_bom.csv", "csv", 1, "Initials", "A column we ask for was not in your return"),
        ("ngo_bom.csv", "csv", 4, "Ethnicity", "A value that is not one of the answers we use")]
    cells = {str(c.value) for ws in wb for r in ws.iter_rows() for c in r if c.value is not None}
    # the cell is located (file, sheet, row, column); its value only with show_values (#22)
    assert "Martian" not in cells and "ngo_bom.csv" in cells
    write_feedback(con, config.agencies["ngo-fixture"], row, tmp_path / "with_values.xlsx", show_values=True)
    with_values = openpyxl.load_workbook(tmp_path / "with_values.xlsx")
    shown = {str(c.value) for ws in with_values for r in ws.iter_rows() for c in r if c.value is not None}
    assert "Martian" in shown

    def from_returns(book) -> set[str]:
        """The cells that came from returns, not the workbook's own wording: the Problems rows'
        file, sheet, column and value, and the Summary's file names."""
        rows = list(book["Problems"].iter_rows(values_only=True))
        head = rows.index(("File", "Sheet", "Row", "Column", "What we found", "Value", "What happened",
                           "What to do next time"))
        got = {str(r[i]) for r in rows[head + 1:] for i in (0, 1, 3, 5) if r[i] is not None}
        files = [r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0] == "Files"]
        return got | {str(f) for f in files if f is not None}

    returned, returned_shown = from_returns(wb), from_returns(with_values)
    assert returned == {"ngo_bom.csv", "csv", "Initials", "Ethnicity"}
    assert returned_shown == returned | {"Martian"}
    # Every value any other agency sent (raw cells) is absent from what the workbook took from returns.
    others = con.execute("SELECT unnest(cells) FROM raw_rows JOIN returns USING (return_id) "
                         "WHERE agency_id <> 'ngo-fixture'").fetchall()
    assert not {v for (v,) in others if v and len(v) > 2} & (returned | returned_shown)
    assert not any("police_header_row5" in c or "IC8" in c for c in cells | shown)


def test_feedback_is_written_for_the_agency(loaded, tmp_path):
    """Percentages as %, score and rating explained, what to send next time, readable widths,
    and none of the analyst's wording (code lists, severities, issue codes)."""
    con, config = loaded
    out = tmp_path / "feedback.xlsx"
    row = next(r for r in report(con, config)["agencies"] if r["agency"] == "ngo-fixture")
    write_feedback(con, config.agencies["ngo-fixture"], row, out, load_completeness_config(config.root))
    wb = openpyxl.load_workbook(out)
    summary, problems = wb["Summary"], wb["Problems"]
    grid = {r[0].value: r for r in summary.iter_rows() if r[0].value}
    sex = grid["Victims: sex"]
    assert sex[1].value == row["victims_sex"] and sex[1].number_format == "0%"
    assert "Given in" in sex[2].value and "records" in sex[2].value
    assert grid["Overall score"][1].number_format == "0%" and "average" in grid["Overall score"][2].value
    assert "Green: a score of 75% or more" in grid["Rating"][2].value
    assert "What to send next time" in grid
    text = " ".join(str(c.value) for ws in wb for r in ws.iter_rows() for c in r if c.value is not None)
    for analyst in ("code list", "unrecognised_code", "severity", "warning", "error"):
        assert analyst not in text.lower(), analyst
    assert "not one of the answers we use" in text and "drop-down list" in text
    assert [summary.column_dimensions[c].width for c in "ABC"] == [30, 16, 75]
    header = next(r for r in problems.iter_rows() if r[0].value == "File")
    assert all(problems.column_dimensions[c.column_letter].width >= len(c.value) for c in header)
    for ws in (summary, problems):
        assert ws.print_options.gridLines is False and ws.page_setup.fitToWidth == 1


def test_report_has_a_completeness_heatmap(loaded, tmp_path):
    import re

    from cse_audit.outputs.report import heatmap_fields, write_report
    from cse_audit.tables import build_tables

    con, config = loaded
    comp = report(con, config)
    tables = build_tables(con, registry=[vars(a) for a in config.agency_list])
    html_path = write_report(tables, tmp_path / "r.html", completeness=comp)
    html = html_path.read_text()
    section = html[html.index('id="completeness"'):]
    svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)
    with_records = [r for r in comp["agencies"] if r["victim_records"] or r["offender_records"]]
    fields = heatmap_fields(comp)
    cells = re.findall(r'<rect [^>]*height="24"', svg)
    assert len(cells) == len(with_records) * len(fields) == 4 * 9
    # every cell prints its share (no value only in a tooltip)
    printed = re.findall(r'<text class="v"[^>]*>(\d+%|n/a)</text>', svg)
    assert len(printed) == len(cells)
    assert "Testshire Police" in svg and "Silent Charity" not in svg
    xlsx = write_report(tables, tmp_path / "r.xlsx", completeness=comp)
    ws = openpyxl.load_workbook(xlsx)["Completeness by agency"]
    assert [c.value for c in ws[4]][:3] == ["Agency", "Source type", "Victims date of birth or age"]
    assert ws.max_row == 4 + len(with_records)
    shares = [c for row in ws.iter_rows(min_row=5, min_col=3, max_col=2 + len(fields)) for c in row]
    assert all(c.number_format == "0%" and c.fill.fgColor.rgb not in (None, "00000000") for c in shares)
    # the scale runs light to dark: a higher share never gets a lighter fill
    from cse_audit.outputs.heatmap import share_colour

    def lightness(hex_rgb):
        return sum(int(hex_rgb[k:k + 2], 16) for k in (0, 2, 4))

    assert [lightness(share_colour(x / 10)) for x in range(11)] == sorted(
        (lightness(share_colour(x / 10)) for x in range(11)), reverse=True)


def test_completeness_json_contract(loaded, fixture_config_dir, tmp_path):
    import json

    from click.testing import CliRunner

    from cse_audit.cli import cli

    con, config = loaded
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    con.close()
    result = CliRunner().invoke(cli, ["completeness", "--db", db, "--config", str(fixture_config_dir),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"agencies", "by_source_type", "outstanding", "period", "undated_records"}
    assert data["period"] == "all" and data["undated_records"] is None
    row = data["agencies"][0]
    for key in ("agency", "name", "source_type", "expected", "status", "loaded_at", "files", "cases",
                "victim_records", "offender_records", "victims_date_of_birth_or_age", "victims_sex",
                "victims_ethnicity", "victims_missing_status", "victims_area", "offenders_date_of_birth_or_age",
                "rows_rejected", "unrecognised_codes", "score", "flag"):
        assert key in row
    docs = (Path(__file__).resolve().parent.parent / "docs" / "completeness.md").read_text()
    for key in row:
        assert f'"{key}"' in docs, f"completeness key {key!r} is not documented"
    assert [r["source_type"] for r in data["by_source_type"]] == \
        ["Police forces", "LSCBs and children's services", "Voluntary sector"]


def test_completeness_period(loaded):
    import datetime as dt

    con, config = loaded
    ingest.ingest([RETURNS / "language_features.csv"], con, config, link=False)   # one row with no case date
    cconfig = load_completeness_config(config.root)
    # Testshire's cases: TS/001 2009-04-03, TS/002 2010-01-05, TS/003 2009-07-06 (victims V1, V2, V3).
    result = build_completeness(con, config.agency_list, cconfig, period=(dt.date(2009, 1, 1), dt.date(2009, 12, 31)))
    police = next(r for r in result["agencies"] if r["agency"] == "police-testshire")
    assert police["cases"] == 2 and police["victim_records"] == 2 and police["status"] == "received"
    assert result["period"] == {"from": "2009-01-01", "to": "2009-12-31"}
    # The fixture charity's cases have dates in 2010; the flat police file's cases in 2010 too.
    ngo = next(r for r in result["agencies"] if r["agency"] == "ngo-fixture")
    assert ngo["victim_records"] == 0
    assert result["undated_records"]["victims"] == 1
    language = next(r for r in result["agencies"] if r["agency"] == "lscb-language")
    assert language["victim_records"] == 1            # LS/2009/04/0012 only; the undated row is left out
