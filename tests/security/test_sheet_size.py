"""Finding 5: a 5 KB workbook whose cells span a huge grid is refused by name, before calamine
builds the grid (which aborted the process: 16 GB for A1 plus one cell at row 1,000,000, column
500), and the other files of the batch still load, with --jobs 2 or without.

The batch runs in a subprocess: were the check to fail, the abort must not take pytest with it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cse_audit.config import Limits
from cse_audit.ingest.extent import ods_extents, xlsx_extents
from cse_audit.ingest.readers import ReadError, check_extent

from ..conftest import RETURNS

_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
       '<sheet name="Victims" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>')


def _xlsx(path: Path, rows_xml: str, dimension: str = "A1") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                   f'main"><dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>')
    return path


def _cell(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


BOMBS = {
    # A1 and one cell at row 1,000,000, column 500 (SF): 5e8 cells
    "far_cell": '<row r="1">' + _cell("A1") + '</row><row r="1000000">' + _cell("SF1000000") + "</row>",
    # the cell claims a row far below its row element (the dimension says A1)
    "lying_row": '<row r="1">' + _cell("A1") + _cell("SF999999") + "</row>",
    # cells without r: positions implied, 600 columns in one row, then a row far down
    "no_refs": "<row>" + "<c><v>1</v></c>" * 600 + "</row>",
    "too_many_rows": '<row r="1">' + _cell("A1") + '</row><row r="2000001">' + _cell("A2000001") + "</row>",
}


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_xlsx_bombs_are_refused_before_reading(tmp_path, kind):
    path = _xlsx(tmp_path / f"police_{kind}.xlsx", BOMBS[kind])
    assert path.stat().st_size < 5000
    with pytest.raises(ReadError) as err:
        check_extent(path, Limits())
    assert err.value.sheet == "Victims" and err.value.file_name == path.name


def test_extent_matches_what_calamine_reads():
    import python_calamine as cal

    for path in [*RETURNS.glob("*.xlsx"), RETURNS / "ngo_return.ods"]:
        if path.name.startswith("bad_"):
            continue
        extents = ods_extents(path) if path.suffix == ".ods" else xlsx_extents(path, max_rows=10, max_cells=10)
        wb = cal.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            assert (extents[name].rows, extents[name].columns) == (len(grid), max(map(len, grid), default=0))


def test_ods_repeated_far_cell_is_refused(tmp_path):
    content = ('<?xml version="1.0"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               '<table:table table:name="Victims"><table:table-row><table:table-cell office:value-type="string">'
               '<text:p>a</text:p></table:table-cell></table:table-row>'
               '<table:table-row table:number-rows-repeated="999998"><table:table-cell/></table:table-row>'
               '<table:table-row><table:table-cell table:number-columns-repeated="499"/>'
               '<table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell>'
               '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')
    path = tmp_path / "ngo_far.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    e = ods_extents(path)["Victims"]
    assert (e.rows, e.columns) == (1_000_000, 500)
    with pytest.raises(ReadError, match="cell limit"):
        check_extent(path, Limits())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_bomb_never_stops_the_batch(tmp_path, fixture_config_dir, jobs):
    folder = tmp_path / "returns"
    folder.mkdir()
    for name in ("police_header_row5.xlsx", "ngo_bom.csv", "people_flat.xlsx", "lscb_legacy.xls"):
        shutil.copy(RETURNS / name, folder / name)
    _xlsx(folder / "people_bomb.xlsx", BOMBS["far_cell"])
    res = subprocess.run([sys.executable, "-m", "cse_audit.cli", "ingest", str(folder), "--db",
                          str(tmp_path / "s.duckdb"), "--config", str(fixture_config_dir), "--no-link",
                          "--no-tables", "--jobs", jobs], capture_output=True, text=True, timeout=600)
    assert res.returncode == 1, res.stderr  # data problems: one file refused
    assert "people_bomb.xlsx" in res.stderr and "cell limit" in res.stderr
    assert res.stdout.count("loaded") >= 4
