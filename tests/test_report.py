"""The .xlsx and .html reports."""

from __future__ import annotations

import importlib.util
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cse_audit.outputs.report import KEY_TABLES, ReportError, write_report
from cse_audit.tables import build_tables, render


def crafted_store_module():
    """tests/test_tables.py, whose make_store builds the crafted store (tests is not a package)."""
    spec = importlib.util.spec_from_file_location("crafted_store", Path(__file__).with_name("test_tables.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    crafted = crafted_store_module()
    con = crafted.make_store(tmp_path_factory.mktemp("db") / "r.duckdb")
    t = build_tables(con, registry=crafted.REGISTRY)
    con.close()
    # a hostile category text, as an agency could send in free text
    t["victims_ethnicity"]["asian_detail"]["rows"][-2]["category"] = "=cmd|' /C calc'!A0"
    return t


def sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_xlsx_numbers_equal_json(tables, tmp_path):
    path = write_report(tables, tmp_path / "r.xlsx", meta={"source": "crafted store", "notes": ["test run"]})
    data = json.loads(render(tables, "json"))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Cover", *tables]
    cover = [c for row in sheet_rows(wb["Cover"]) for c in row if c is not None]
    for expected in ("Source", "crafted store", "Date", "Period", "all", "test run", "Marker key", "[c]", "[z]"):
        assert expected in cover
    for table_id, table in data.items():
        grid = sheet_rows(wb[table_id])
        assert grid[0][0] == table["title"]
        if "columns" in table:
            for row in table["rows"]:
                got = next(r for r in grid if r[0] == row["category"])
                assert got[1:1 + len(table["columns"])] == [row[c] for c in table["columns"]]
            continue
        for row in table["rows"]:  # main-table rows come first on the sheet
            got = next(r for r in grid if r[0] == row["category"])
            assert got[1] == row["count"] and isinstance(got[1], int)
            assert got[2] == (row["percent"] if row["percent"] is not None else "[z]")
        totals = [r for r in grid if r[0] == "Total"]
        assert totals[0][1] == table["total"]
    detail = sheet_rows(wb["victims_ethnicity"])
    assert any(r[0] == "'=cmd|' /C calc'!A0" for r in detail)  # neutralised, stored as text
    assert not any(isinstance(c, str) and c.startswith("=") for r in detail for c in r)


def test_xlsx_published_markers_are_text(tables, tmp_path):
    path = write_report(tables, tmp_path / "p.xlsx", publish=True)
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets[1:] for r in ws.iter_rows() for c in r if c.value is not None]
    assert any(c.value == "[c]" and c.data_type == "s" for c in cells)
    # counts of agencies (sources columns B-D) are never suppressed; every other count is not 1..5
    counts = [c.value for c in cells if type(c.value) is int
              and not (c.parent.title == "sources" and c.column <= 4)]
    assert counts and not [v for v in counts if 1 <= v <= 5]
    cover = [c for row in sheet_rows(wb["Cover"]) for c in row if c]
    assert "applied (published tables)" in cover


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section = None
        self.svgs: dict[str, int] = {}
        self.tags: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag == "section":
            self.section = attrs["id"]
            self.svgs[self.section] = 0
        elif tag == "svg" and self.section:
            self.svgs[self.section] += 1
        for key in ("src", "href"):
            if key in attrs:
                self.links.append(attrs[key])

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None


def test_html_one_svg_per_key_table(tables, tmp_path):
    path = write_report(tables, tmp_path / "r.html", publish=True)
    text = path.read_text(encoding="utf-8")
    parser = _Sections()
    parser.feed(text)
    assert set(parser.svgs) == set(tables)
    for table_id in tables:
        assert parser.svgs[table_id] == (1 if table_id in KEY_TABLES else 0), table_id
    # self-contained: no scripts, no external resources, only in-page links
    assert "script" not in parser.tags and "link" not in parser.tags
    assert all(link.startswith("#") for link in parser.links)
    assert "<style>" in text
    assert "=cmd|&#x27; /C calc&#x27;!A0" in text  # escaped, not markup


def test_html_unpublished_warns(tables, tmp_path):
    text = write_report(tables, tmp_path / "u.html").read_text(encoding="utf-8")
    assert "not for publication" in text


def test_bad_suffix(tables, tmp_path):
    with pytest.raises(ReportError, match=r"r\.pdf: the report must be \.xlsx or \.html"):
        write_report(tables, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
