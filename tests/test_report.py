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


def sheet_of(wb, tables) -> dict[str, str]:
    """Table id -> the name of its main sheet (readable names, planned by the workbook writer)."""
    from cse_audit.outputs.workbook import plan_sheets

    sheets, _ = plan_sheets(tables, KEY_TABLES)
    return {s.block.table_id: s.name for s in sheets if s.block.section == "main"}


def table_grid(ws) -> list[list]:
    """The sheet's table: from its header row (the Excel table's first row) down."""
    first = int(next(iter(ws.tables.values())).ref.split(":")[0][1:])
    return sheet_rows(ws)[first - 1:]


def test_xlsx_numbers_equal_json(tables, tmp_path):
    path = write_report(tables, tmp_path / "r.xlsx", meta={"source": "crafted store", "notes": ["test run"]})
    data = json.loads(render(tables, "json"))
    wb = load_workbook(path)
    names = sheet_of(wb, tables)
    assert wb.sheetnames[:3] == ["Cover", "Contents", "Notes"] and set(names.values()) <= set(wb.sheetnames)
    cover = [c for row in sheet_rows(wb["Cover"]) for c in row if c is not None]
    for expected in ("Source", "crafted store", "Date produced", "Period", "all", "test run",
                     "Symbols used in the tables"):
        assert expected in cover
    assert any(str(c).startswith("[c]") for c in cover) and any(str(c).startswith("[z]") for c in cover)
    for table_id, table in data.items():
        ws = wb[names[table_id]]
        assert ws["A1"].value.startswith(table["title"])
        grid = table_grid(ws)
        if "columns" in table:
            for row in table["rows"]:
                got = next(r for r in grid if r[0] == row["category"])
                assert got[1:1 + len(table["columns"])] == [row[c] for c in table["columns"]]
            continue
        for row in table["rows"]:
            got = next(r for r in grid if r[0] == row["category"])
            assert got[1] == row["count"] and isinstance(got[1], int)
            assert got[2] == (row["percent"] if row["percent"] is not None else "[z]")
        totals = [r for r in grid if r[0] == "Total"]
        assert totals[0][1] == table["total"]
    detail = [c for name in wb.sheetnames for r in sheet_rows(wb[name]) for c in r]
    assert "'=cmd|' /C calc'!A0" in detail  # neutralised, stored as text
    assert not any(isinstance(c, str) and c.startswith("=") for c in detail)


def test_xlsx_follows_the_gss_layout(tables, tmp_path):
    """Cover, contents and notes; one table per sheet, title in A1, readable names; no merged
    cells; landscape, fit to width, header row repeated; widths from the header text."""
    wb = load_workbook(write_report(tables, tmp_path / "r.xlsx"))
    contents = sheet_rows(wb["Contents"])
    listed = [r[0] for r in contents[3:]]
    assert listed == wb.sheetnames[3:]  # every table sheet, in order
    assert all(wb["Contents"].cell(4 + i, 1).hyperlink.location == f"'{n}'!A1" for i, n in enumerate(listed))
    notes = sheet_rows(wb["Notes"])
    assert notes[2] == ["Note number", "Note text"] and notes[3][0] == "note 1"
    for name in wb.sheetnames:
        ws = wb[name]
        assert not ws.merged_cells.ranges, name
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, name
        assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage, name
        if name in ("Cover", "Contents", "Notes"):
            continue
        assert "_" not in name and len(name) <= 31, name
        assert isinstance(ws["A1"].value, str) and ws["A1"].font.bold
        assert len(ws.tables) == 1  # one table per sheet
        header = int(next(iter(ws.tables.values())).ref.split(":")[0][1:])
        assert ws.print_title_rows == f"${header}:${header}"
        for cell in ws[header]:  # every header fits its column
            assert ws.column_dimensions[cell.column_letter].width >= len(str(cell.value)), (name, cell.value)
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row[1:]:
                if cell.value in ("[c]", "[x]", "[z]"):
                    assert cell.alignment.horizontal == "right", (name, cell.coordinate)
    charted = [name for name in wb.sheetnames if wb[name]._charts]
    assert len(charted) == len([t for t in tables if t in KEY_TABLES and "columns" not in tables[t]])


def test_xlsx_published_markers_are_text(tables, tmp_path):
    path = write_report(tables, tmp_path / "p.xlsx", publish=True)
    wb = load_workbook(path)
    sources = sheet_of(wb, tables)["sources"]
    cells = [c for ws in wb.worksheets[3:] for r in ws.iter_rows() for c in r if c.value is not None]
    marked = [c for c in cells if c.value == "[c]"]
    assert marked and all(c.data_type == "s" and c.alignment.horizontal == "right" for c in marked)
    # counts of agencies (sources columns B-D) are never suppressed; every other count is not 1..5
    counts = [c.value for c in cells if type(c.value) is int
              and not (c.parent.title == sources and c.column <= 4)]
    assert counts and not [v for v in counts if 1 <= v <= 5]
    cover = [c for row in sheet_rows(wb["Cover"]) for c in row if c]
    assert any("Disclosure control has been applied" in c for c in cover)


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


def test_html_contents_lists_every_section(tables, tmp_path):
    text = write_report(tables, tmp_path / "r.html", completeness={"agencies": []}).read_text(encoding="utf-8")
    parser = _Sections()
    parser.feed(text)
    sections = set(parser.svgs) | ({"completeness"} if 'id="completeness"' in text else set())
    assert {link[1:] for link in parser.links} == sections


def test_html_unpublished_warns(tables, tmp_path):
    text = write_report(tables, tmp_path / "u.html").read_text(encoding="utf-8")
    assert "not for publication" in text


def test_bad_suffix(tables, tmp_path):
    with pytest.raises(ReportError, match=r"r\.pdf: the report must be \.xlsx or \.html"):
        write_report(tables, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
