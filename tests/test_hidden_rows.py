"""Rows a workbook hides (by hand, or a filter left on) load as any other row, with one
`hidden_rows` warning naming their row numbers (session 19: they loaded without a word, and an
agency may hide rows it meant to withdraw). Row numbers only: never a cell's text."""

from __future__ import annotations

import openpyxl

from cse_audit.config import Agency, Limits, load_config
from cse_audit.ingest import extent
from cse_audit.ingest.mapping import map_return
from cse_audit.ingest.readers import check_extent, read_file

from .test_extent_scan import _ODS_CELL, _ods

MAPPING = ("name: t\nsheets:\n  victims:\n    sheet: Victims\n    columns:\n      case_ref: Ref\n"
           "      name: {column: Name, parse: name}\n      age: Age\n")
ROWS = [["Ref", "Name", "Age"]] + [[f"R{i}", f"Child Number{i}", str(12 + i % 5)] for i in range(1, 16)]


def _xlsx(path, hide: list[int], filtered: bool = False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Victims"
    for row in ROWS:
        ws.append(row)
    for r in hide:
        ws.row_dimensions[r].hidden = True
    if filtered:
        ws.auto_filter.ref = f"A1:C{len(ROWS)}"
    wb.save(path)
    return path


def _map(fixture_config_dir, path, mapping: str = MAPPING):
    """Map the workbook at `path` with the mapping text given (name: t) in the fixture configuration."""
    (fixture_config_dir / "mappings" / "t.yaml").write_text(mapping, encoding="utf-8")
    config = load_config(fixture_config_dir)
    agency = Agency("a", "A", "ngo", "Testarea", True, "t", ())
    return map_return(read_file(path, config.settings.limits), config.mappings["t"], config, agency, path.name)


def test_hidden_rows_load_with_one_warning_that_names_them(fixture_config_dir, tmp_path):
    path = _xlsx(tmp_path / "police.xlsx", hide=[3, 4, 5, 9], filtered=True)
    m = _map(fixture_config_dir, path)
    assert len(m.records["victims"]) == 15          # every row loads, hidden or not
    hidden = [i for i in m.issues if i.code == "hidden_rows"]
    assert [(i.severity, i.sheet, i.row_number) for i in hidden] == [("warning", "Victims", 3)]
    assert "4 data row(s)" in hidden[0].message and "rows 3-5, 9" in hidden[0].message
    assert "Child" not in hidden[0].message and "Number" not in hidden[0].message


def test_no_warning_without_hidden_rows_or_for_hidden_blank_rows(fixture_config_dir, tmp_path):
    assert not [i for i in _map(fixture_config_dir, _xlsx(tmp_path / "a.xlsx", hide=[])).issues
                if i.code == "hidden_rows"]
    # a hidden row past the table (no data) says nothing
    assert not [i for i in _map(fixture_config_dir, _xlsx(tmp_path / "b.xlsx", hide=[40])).issues
                if i.code == "hidden_rows"]


def test_the_extent_scan_reads_hidden_rows_on_every_path(tmp_path):
    path = _xlsx(tmp_path / "p.xlsx", hide=[2, 7])
    assert extent.xlsx_extents(path)["Victims"].hidden == [2, 7]
    # the exact path (a tiny limit sends the sheet there) reads them too
    assert extent.xlsx_extents(path, max_rows=1, max_cells=1)["Victims"].hidden == [2, 7]


def test_an_ods_hidden_or_filtered_row_is_named_and_empty_hidden_rows_are_not(tmp_path):
    rows = ("<t:table-row>" + _ODS_CELL * 3 + "</t:table-row>"
            '<t:table-row t:visibility="collapsed">' + _ODS_CELL * 3 + "</t:table-row>"
            "<t:table-row>" + _ODS_CELL * 3 + "</t:table-row>"
            '<t:table-row t:visibility="filter" t:number-rows-repeated="2">' + _ODS_CELL * 3 + "</t:table-row>"
            '<t:table-row t:visibility="collapsed" t:number-rows-repeated="1000"><t:table-cell/></t:table-row>')
    path = _ods(tmp_path / "council.ods", rows)
    assert extent.ods_extents(path)["Victims"].hidden == [2, 4, 5]
    assert {k: e.hidden for k, e in check_extent(path, Limits()).items()} == {"Victims": [2, 4, 5]}   # what read_workbook gives
