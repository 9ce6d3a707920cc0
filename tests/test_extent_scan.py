"""The xlsx extent scan (ingest/extent.py), made cheaper for issue 21: one search per chunk for
odd elements, longer row numbers and wider columns. It must measure what calamine will build,
and send every sheet it cannot measure cheaply to the exact walk."""

from __future__ import annotations

import pytest

from cse_audit.config import Limits
from cse_audit.ingest import extent
from cse_audit.ingest.readers import ReadError, check_extent

from .conftest import RETURNS
from .security.test_sheet_size import _cell, _xlsx

# Cells calamine reads (quick-xml allows any whitespace before an attribute) that a scan for
# '<c r="' alone does not see: each hides a cell at row 999,999, column 500.
HIDDEN = {
    "newline": '<c\nr="SF999999" t="inlineStr"><is><t>x</t></is></c>',
    "tab": '<c\tr="SF999999" t="inlineStr"><is><t>x</t></is></c>',
    "two_spaces": '<c  r="SF999999" t="inlineStr"><is><t>x</t></is></c>',
    "single_quotes": "<c r='SF999999' t=\"inlineStr\"><is><t>x</t></is></c>",
    "prefixed": '<x:c r="SF999999" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',
}


@pytest.mark.parametrize("kind", sorted(HIDDEN))
def test_a_cell_written_unusually_is_still_measured(tmp_path, kind):
    path = _xlsx(tmp_path / f"police_{kind}.xlsx", '<row r="1">' + _cell("A1") + HIDDEN[kind] + "</row>")
    sheet = extent.xlsx_extents(path)["Victims"]
    assert (sheet.rows, sheet.columns) == (999_999, 500)
    with pytest.raises(ReadError, match="cell limit"):
        check_extent(path, Limits())


def _grid(rows: int, columns: int, extra: str = "") -> str:
    from openpyxl.utils import get_column_letter

    body = "".join(f'<row r="{r}">' + "".join(_cell(f"{get_column_letter(c)}{r}") for c in range(1, columns + 1))
                   + "</row>" for r in range(1, rows + 1))
    return body + extra


@pytest.mark.parametrize(("rows", "columns", "extra", "expected"), [
    (30, 3, "", (30, 3)),
    (5, 30, "", (5, 30)),                                                   # two-letter columns
    (5, 3, '<row r="6">' + _cell("AB6") + "</row>", (6, 28)),               # wider late on
    (5, 3, '<row r="6">' + _cell("C6") + _cell("D60") + "</row>", (60, 4)),  # a cell below its row
])
def test_fast_scan_measures_what_calamine_builds(tmp_path, rows, columns, extra, expected):
    import python_calamine as cal

    path = _xlsx(tmp_path / "police_grid.xlsx", _grid(rows, columns, extra))
    sheet = extent.xlsx_extents(path)["Victims"]
    assert (sheet.rows, sheet.columns) == expected
    grid = cal.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Victims").to_python(skip_empty_area=False)
    assert (len(grid), max(map(len, grid))) == expected


def test_fast_scan_agrees_with_the_exact_one_on_the_fixtures():
    for path in RETURNS.glob("*.xlsx"):
        if path.name.startswith("bad_"):
            continue
        fast = extent.xlsx_extents(path)
        exact = extent.xlsx_extents(path, max_rows=10, max_cells=10)  # over the limits: measured exactly
        assert {k: (v.rows, v.columns) for k, v in fast.items()} == \
            {k: (v.rows, v.columns) for k, v in exact.items()}, path.name


def _letters(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


@pytest.mark.parametrize("columns", [0, 1, 2, 25, 26, 27, 30, 51, 52, 701, 702, 703, 16_383, 16_384])
def test_the_wider_pattern_matches_exactly_the_columns_past_the_widest_so_far(columns):
    """The scan looks only for columns past the widest seen (session 13: no findall of a chunk's
    cells each time a wider one turns up); a pattern that missed one would let a wide sheet by."""
    import re

    wider = re.compile(rb"(?:%s)\Z" % extent._wider_than(columns))
    for column in [*range(1, 1400), *range(16_000, 18_279)]:
        letters = _letters(column).encode() if column <= 18_278 else None
        assert (wider.match(letters) is not None) == (column > columns), (columns, letters)
    for four in (b"AAAA", b"ZZZZ"):  # past Excel's XFD, within the scan's four letters
        assert wider.match(four) is not None


@pytest.mark.parametrize("chunk", [64, 200, 1 << 20])
def test_widest_column_found_in_any_chunk_and_in_any_order(tmp_path, monkeypatch, chunk):
    """Columns out of order, the widest late in the sheet and in a chunk of its own: measured as
    the exact scan measures them."""
    monkeypatch.setattr(extent, "_CHUNK", chunk)
    order = [3, 1, 28, 2, 27, 30, 29, 5]
    body = "".join(f'<row r="{r}">' + "".join(_cell(f"{_letters(c)}{r}") for c in order[:r]) + "</row>"
                   for r in range(1, len(order) + 1))
    body += '<row r="9">' + _cell("A9") + _cell("BC9") + _cell("AZ9") + "</row>"
    path = _xlsx(tmp_path / "police_order.xlsx", body)
    fast = extent.xlsx_extents(path)["Victims"]
    exact = extent.xlsx_extents(path, max_rows=1, max_cells=1)["Victims"]
    assert (fast.rows, fast.columns) == (exact.rows, exact.columns) == (9, 55)


def _ods(path, rows_xml: str):
    import zipfile

    content = ('<?xml version="1.0"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               f'<t:table t:name="Victims">{rows_xml}</t:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return path


_ODS_CELL = '<t:table-cell office:value-type="string"><text:p>a</text:p></t:table-cell>'


def test_ods_bound_passes_plain_sheets_and_sends_the_rest_to_the_walk(tmp_path):
    """The cheap ods bound (no repeats: rows <= row elements, columns <= cell elements of a row)
    lets ordinary sheets through and leaves anything else to ods_extents, which refuses it."""
    from cse_audit.ingest.extent import ods_within

    plain = _ods(tmp_path / "ngo_plain.ods", ("<t:table-row>" + _ODS_CELL * 9 + "</t:table-row>") * 50)
    assert ods_within(plain, 2_000_000, 500, 40_000_000)
    check_extent(plain, Limits())
    assert ods_within(RETURNS / "ngo_return.ods", 2_000_000, 500, 40_000_000)  # no repeats, 2 x 10
    assert not ods_within(RETURNS / "ngo_return.ods", 2_000_000, 500, 19)  # over a (tiny) cell limit
    # 600 columns without a repeat attribute: not within, and the walk refuses it
    wide = _ods(tmp_path / "ngo_wide.ods", "<t:table-row>" + _ODS_CELL * 600 + "</t:table-row>")
    assert not ods_within(wide, 2_000_000, 500, 40_000_000)
    with pytest.raises(ReadError, match="column limit"):
        check_extent(wide, Limits())
    # any repeat attribute, whatever its prefix: the walk counts it
    far = _ods(tmp_path / "ngo_far.ods", "<t:table-row>" + _ODS_CELL + "</t:table-row>"
               '<t:table-row t:number-rows-repeated="2999998"><t:table-cell/></t:table-row>'
               "<t:table-row>" + _ODS_CELL + "</t:table-row>")
    assert not ods_within(far, 2_000_000, 500, 40_000_000)
    with pytest.raises(ReadError, match="row limit"):
        check_extent(far, Limits())
