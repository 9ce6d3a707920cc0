"""The report as an .xlsx workbook laid out by the GSS guidance for releasing statistics in
spreadsheets: a Cover sheet, a Contents sheet, a Notes sheet, then one table per sheet.

Each table sheet has its title in A1 (with its [note N]), a few lines of text in column A only,
then the table as an Excel table (header row, no merged cells, no blank rows), numbers stored as
numbers, the GSS markers ([c], [x], [z]) as text aligned right like the numbers beside them, and,
for the main distributions, a bar chart under the table. Every sheet prints landscape on A4, fit
to the page width, with the header row repeated on each page. Column widths come from the header
and cell text, so no header is cut.

Built with openpyxl rather than ONS's gptables: gptables 2.0.2 runs with pandas 3, but it sets no
print setup, draws no charts and takes one DataFrame per sheet (our sub-tables and text markers
in number columns would need reshaping), and it writes through XlsxWriter, a second spreadsheet
writer (plus xlrd) beside the openpyxl the project already uses for the template, feedback and
review workbooks. What it would give (cover, contents, notes, one table per sheet) is below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..tables import HEADERS, Block, safe_cell, table_blocks

MARKER_TEXT = ("[c]", "[x]", "[z]")
TITLE_SIZE, HEADING_SIZE = 15, 12
NUMBER_FORMATS = {"percent": "0.0", "percent_known": "0.0"}
COUNT_FORMAT = "#,##0"


@dataclass
class Sheet:
    """One table sheet: its readable name, the block it shows, its title and note number."""

    name: str
    block: Block
    title: str
    note: int | None
    chart: bool


def _words(table_id: str) -> str:
    text = table_id.replace("_", " ")
    return text[:1].upper() + text[1:]


def _sheet_name(number: str, words: str) -> str:
    """`2a Missing from`: short, unique by its number, at most Excel's 31 characters, cut at a word."""
    name = re.sub(r"[\[\]:*?/\\']", "", f"{number} {words}")
    while len(name) > 31:
        name = name.rsplit(" ", 1)[0]
    return name


def plan_sheets(tables: dict, chart_tables: list[str]) -> tuple[list[Sheet], list[str]]:
    """The table sheets in order, and the notes (numbered from 1, each distinct text once)."""
    notes: list[str] = []
    sheets: list[Sheet] = []
    for n, (table_id, table) in enumerate(tables.items(), start=1):
        note = table.get("note")
        number = None
        if note:
            if note not in notes:
                notes.append(note)
            number = notes.index(note) + 1
        for k, block in enumerate(table_blocks(table_id, table)):
            main = block.section == "main"
            label = f"{n}" if main else f"{n}{chr(ord('a') + k - 1)}"
            title = block.title if main else sub_title(table.get("title", table_id), block.title)
            sheets.append(Sheet(_sheet_name(label, _words(table_id if main else block.section)), block, title,
                                number, main and table_id in chart_tables and "count" in block.keys))
    return sheets, notes


def sub_title(parent: str, sub: str) -> str:
    """A sub-table's sheet title: its table's title, then its own, saying no part twice. The HTML
    page nests the two as headings; a sheet (and the Contents) shows one line, where joining them
    read "Victims: reported missing: Reported missing: missing from" and "Offender groups: Offender
    groups by members' ethnicity"."""
    parts = [p.strip().casefold() for p in parent.split(":")]
    head, _, rest = sub.partition(": ")
    if rest and head.strip().casefold() == parts[-1]:
        return f"{parent}: {rest}"  # the sub-table's first part repeats the table's last
    folded = sub.casefold()
    if folded == parts[0] or folded.startswith(parts[0] + " "):
        return sub  # it names its population itself ("Victims by combination of source types")
    return f"{parent}: {sub}"


def write_workbook(tables: dict, path: Path, meta: dict, markers: list[tuple[str, str]],
                   chart_tables: list[str], completeness: dict | None = None) -> None:
    from openpyxl import Workbook

    sheets, notes = plan_sheets(tables, chart_tables)
    wb = Workbook()
    _cover(wb.active, meta, markers)
    contents = wb.create_sheet("Contents")
    notes_ws = wb.create_sheet("Notes")
    _notes(notes_ws, notes)
    listing = []
    for i, sheet in enumerate(sheets, start=1):
        ws = wb.create_sheet(sheet.name)
        _table_sheet(ws, sheet, meta, f"Table{i}")
        listing.append((sheet.name, sheet.title))
    if completeness:
        from .heatmap import xlsx_heatmap

        ws = wb.create_sheet("Completeness by agency")
        xlsx_heatmap(ws, completeness)
        print_setup(ws, header_row=4)
        listing.append((ws.title, "Completeness by agency: share of records with each field known"))
    _contents(contents, listing)
    wb.save(path)


# --------------------------------------------------------------------------- sheets

def _font(**kw):
    from openpyxl.styles import Font

    return Font(**kw)


def text_rows(ws, lines: list[tuple[str, str]], wrap_at: int | None = None) -> None:
    """Lines of text in column A (kind: title / heading / text / warning), as the guidance asks.
    Unwrapped, they run across the empty cells to their right; with `wrap_at` (column A's width)
    they wrap, and each row is made tall enough for its lines (spreadsheets do not grow rows an
    openpyxl file did not size)."""
    from openpyxl.styles import Alignment

    for kind, text in lines:
        ws.append([safe_cell(text)])
        cell = ws.cell(ws.max_row, 1)
        if kind == "title":
            cell.font = _font(bold=True, size=TITLE_SIZE)
        elif kind == "heading":
            cell.font = _font(bold=True, size=HEADING_SIZE)
        elif kind == "warning":
            cell.font = _font(bold=True, color="B00020")
        if wrap_at:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            lines_needed = -(-len(text) // int(wrap_at * 1.05))  # about a character per unit of width
            size = TITLE_SIZE if kind == "title" else HEADING_SIZE if kind == "heading" else 11
            ws.row_dimensions[ws.max_row].height = lines_needed * size * 1.4 + (6 if kind == "heading" else 2)


def _cover(ws, meta: dict, markers) -> None:
    ws.title = "Cover"
    disclosure = ("Disclosure control has been applied: small counts are suppressed, shown as [c]."
                  if meta["published"] else
                  "Disclosure control has NOT been applied: these tables contain small counts and are "
                  "NOT FOR PUBLICATION.")
    lines = [("title", meta["title"]),
             ("heading", "About these tables"),
             ("text", "Counts of children and offenders in cases of child sexual exploitation reported by police "
                      "forces, LSCBs and children's services, and voluntary-sector organisations. Records of the "
                      "same person from different agencies are linked, so each person is counted once."),
             ("text", "The Contents sheet lists the tables, one per sheet; the Notes sheet has the notes that "
                      "table titles refer to as [note N]."),
             ("heading", "Source"), ("text", meta["source"]),
             ("heading", "Period"), ("text", str(meta["period"])),
             ("heading", "Date produced"), ("text", str(meta["date"])),
             ("heading", "Disclosure control"), ("warning" if not meta["published"] else "text", disclosure)]
    lines += [("text", str(note)) for note in meta["notes"]]
    lines.append(("heading", "Symbols used in the tables"))
    lines += [("text", f"{marker}  {meaning}") for marker, meaning in markers]
    text_rows(ws, lines, wrap_at=110)
    ws.column_dimensions["A"].width = 110
    print_setup(ws)


def _contents(ws, listing: list[tuple[str, str]]) -> None:
    from openpyxl.worksheet.hyperlink import Hyperlink

    text_rows(ws, [("title", "Contents"),
                    ("text", "This worksheet contains one table. Select a sheet name to go to that table.")])
    ws.append(["Sheet name", "Table title"])
    header = ws.max_row
    for name, title in listing:
        ws.append([name, safe_cell(title)])
        link = ws.cell(ws.max_row, 1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")  # a link inside the workbook
        link.font = _font(color="1D70B8", underline="single")
    as_table(ws, header, ws.max_row, 2, "Contents")
    ws.column_dimensions["A"].width = max(14, max((len(n) for n, _ in listing), default=10) + 4)
    ws.column_dimensions["B"].width = min(100, max(len(t) for _, t in listing) + 4) if listing else 40
    print_setup(ws, header_row=header)


def _notes(ws, notes: list[str]) -> None:
    from openpyxl.styles import Alignment

    text_rows(ws, [("title", "Notes"),
                    ("text", "This worksheet contains one table. Table titles refer to these notes as [note N].")])
    ws.append(["Note number", "Note text"])
    header = ws.max_row
    for i, note in enumerate(notes, start=1):
        ws.append([f"note {i}", safe_cell(note)])
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(ws.max_row, 1).alignment = Alignment(vertical="top")
        ws.row_dimensions[ws.max_row].height = 15 * max(1, -(-len(note) // 110)) + 2  # room for its lines
    if notes:
        as_table(ws, header, ws.max_row, 2, "Notes")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    print_setup(ws, header_row=header)


def _cell_value(key: str, value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return "[z]" if key.startswith("percent") else "[x]"
    return safe_cell(str(value))


def _table_sheet(ws, sheet: Sheet, meta: dict, table_name: str) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    block = sheet.block
    title = sheet.title + (f" [note {sheet.note}]" if sheet.note else "")
    lines = [("title", title),
             ("text", f"This worksheet contains one table. Period: {meta['period']}."),
             ("text", "Source, and the symbols [c], [x] and [z]: see the Cover sheet.")]
    if not meta["published"]:
        lines.append(("warning", "Not for publication: disclosure control has not been applied."))
    text_rows(ws, lines)
    headers = _unique_headers([HEADERS.get(k, k) for k in block.keys])
    ws.append(headers)
    header = ws.max_row
    for cell in ws[header]:
        cell.font = _font(bold=True)
        cell.alignment = Alignment(horizontal="left" if cell.column == 1 else "right", wrap_text=True,
                                   vertical="bottom")
    for i, row in enumerate(block.rows):
        ws.append([_cell_value(k, v) for k, v in zip(block.keys, row, strict=True)])
        total = (block.has_total and i == len(block.rows) - 1) or str(row[0]).strip().lower() == "total"
        for c, key in enumerate(block.keys, start=1):
            cell = ws.cell(ws.max_row, c)
            if c > 1:
                cell.number_format = NUMBER_FORMATS.get(key, COUNT_FORMAT)
                cell.alignment = Alignment(horizontal="right")
            if total:
                cell.font = _font(bold=True)
    last = ws.max_row
    as_table(ws, header, last, len(block.keys), table_name)
    _widths(ws, headers, block)
    bottom = last
    if sheet.chart:
        bottom = _chart(ws, sheet, header, last)
    ws.freeze_panes = ws.cell(header + 1, 2)
    print_setup(ws, header_row=header, area=f"A1:{get_column_letter(max(len(block.keys), 8))}{bottom}")


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _widths(ws, headers: list[str], block: Block) -> None:
    """Each column as wide as its header or its widest value (the first column wraps past 50)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for c, (key, head) in enumerate(zip(block.keys, headers, strict=True), start=1):
        values = [_shown(key, row[c - 1]) for row in block.rows]
        widest = max([len(head)] + [len(v) for v in values])
        width = min(50, widest + 3) if c == 1 else max(10, widest + 3)
        ws.column_dimensions[get_column_letter(c)].width = width
    if ws.column_dimensions["A"].width >= 50:
        for row in ws.iter_rows(min_row=ws.min_row, min_col=1, max_col=1):
            if row[0].row > 3:
                row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _shown(key: str, value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(_cell_value(key, value))


def as_table(ws, first_row: int, last_row: int, columns: int, name: str) -> None:
    """An Excel table over the header and data (screen readers and filters find it)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    if last_row <= first_row:
        return
    table = Table(displayName=name, ref=f"A{first_row}:{get_column_letter(columns)}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    ws.add_table(table)


def _chart(ws, sheet: Sheet, header: int, last: int) -> int:
    """A horizontal bar chart of the counts (total row left out) under the table; returns its last row."""
    from openpyxl.chart import BarChart, Reference

    block = sheet.block
    data_last = last - 1 if block.has_total else last
    col = block.keys.index("count") + 1
    chart = BarChart()
    chart.type = "bar"
    chart.style = 2
    chart.title = None
    chart.legend = None
    chart.y_axis.title = "Count"
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # categories top to bottom, as in the table
    chart.y_axis.crosses = "max"  # ... which would put the count axis on top: back to the bottom
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=data_last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=data_last))
    chart.series[0].graphicalProperties.solidFill = "1D70B8"
    rows = data_last - header
    chart.height = max(5.0, 1.0 + 0.7 * rows)  # cm
    chart.width = 18.0
    anchor = last + 2
    ws.cell(anchor, 1, f"Chart: {sheet.title}, count").font = _font(bold=True)
    ws.add_chart(chart, f"A{anchor + 1}")
    return anchor + 1 + int(chart.height / 0.53) + 1


def print_setup(ws, header_row: int | None = None, area: str | None = None) -> None:
    """Landscape A4, fit to the page width (as many pages down as needed), header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    if area:
        ws.print_area = area
