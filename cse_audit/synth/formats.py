"""File formats: xlsx, xls, csv and ods writers with no timestamps inside.

Separate because it is the only place that knows file formats, and the only place that has to
keep them deterministic: zip entries and document properties carry fixed times, so the same
seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

EPOCH = (1980, 1, 1, 0, 0, 0)             # fixed zip entry time: no timestamps in the files
FIXED_PROPS_TIME = "2011-03-31T00:00:00Z"


def _freeze_zip(path: Path) -> None:
    """Rewrite a zip (xlsx/ods) with fixed entry times and fixed document-property dates."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>"
                              + FIXED_PROPS_TIME.encode(), data)
            new = zipfile.ZipInfo(info.filename, EPOCH)
            new.compress_type = info.compress_type
            new.external_attr = 0o644 << 16
            z.writestr(new, data)


def _xlsx(path: Path, sheets: list[tuple[str, list[list]]], title: str, merges=None) -> None:
    """Workbook from rows; write-only (fast) unless title cells must be merged."""
    import openpyxl

    if merges:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
            for rng_ in merges.get(name, []):
                ws.merge_cells(rng_)
            for row in ws.iter_rows(max_row=3):
                for c in row:
                    if isinstance(c.value, str) and c.row < 3:
                        c.font = openpyxl.styles.Font(bold=True, size=12 if c.row == 1 else 11)
            for i in range(1, ws.max_column + 1):
                ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = 18
    else:
        wb = openpyxl.Workbook(write_only=True)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
    wb.properties.creator = "cse-audit synth"
    wb.properties.title = title
    wb.properties.created = dt.datetime(2011, 3, 31)
    wb.save(path)
    _freeze_zip(path)


def _xls(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    bold = xlwt.easyxf("font: bold on")
    for name, rows in sheets:
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date):
                    ws.write(i, j, v, date_style)
                else:
                    ws.write(i, j, v, bold if i == 0 else xlwt.Style.default_style)
    wb.save(str(path))


def _csv(path: Path, rows: list[list], encoding: str) -> None:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _ods(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    """A minimal OpenDocument spreadsheet: mimetype (stored, first), manifest, content."""
    def cell(v) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, dt.date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                    f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
        if isinstance(v, int):
            return (f'<table:table-cell office:value-type="float" office:value="{v}">'
                    f"<text:p>{v}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODS_NS}>'
             "<office:body><office:spreadsheet>"]
    for name, rows in sheets:
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            parts.append("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", EPOCH),
                   "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr(zipfile.ZipInfo("META-INF/manifest.xml", EPOCH), manifest, zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("content.xml", EPOCH), "".join(parts), zipfile.ZIP_DEFLATED)
