"""Write a workbook spec as csv, xlsx (openpyxl), legacy xls (xlwt) or ods (written by hand: no extra
dependency). A spec is a list of sheets: {"name", "rows": [[cell, ...]], "merges": [(r0, c0, r1, c1)]}
with 0-based inclusive merge corners; a cell is str, int, float, datetime.date or None."""

from __future__ import annotations

import csv
import datetime as dt
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape


def _private(path: Path) -> None:
    os.chmod(path, 0o600)  # synthetic, but returns hold names: owner-only like the store's files


def write_csv(path: Path, sheet: dict, encoding: str = "utf-8") -> None:
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        for row in sheet["rows"]:
            w.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    _private(path)


def write_xlsx(path: Path, sheets: list[dict]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sh in sheets:
        ws = wb.create_sheet(sh["name"])
        for row in sh["rows"]:
            ws.append(list(row))
        for r0, c0, r1, c1 in sh.get("merges", []):
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    _private(path)


def write_xls(path: Path, sheets: list[dict]) -> None:
    import xlwt

    wb = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for sh in sheets:
        ws = wb.add_sheet(sh["name"])
        merged = {}
        for r0, c0, r1, c1 in sh.get("merges", []):
            merged[(r0, c0)] = (r1, c1)
        for r, row in enumerate(sh["rows"]):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if (r, c) in merged:
                    r1, c1 = merged[(r, c)]
                    ws.write_merge(r, r1, c, c1, v)
                elif isinstance(v, dt.date):
                    ws.write(r, c, v, date_style)
                else:
                    ws.write(r, c, v)
    wb.save(str(path))
    _private(path)


def _ods_cell(v, span: int = 1) -> str:
    extra = f' table:number-columns-spanned="{span}"' if span > 1 else ""
    if v is None or v == "":
        return f"<table:table-cell{extra}/>"
    if isinstance(v, dt.date):
        return (f'<table:table-cell{extra} office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (f'<table:table-cell{extra} office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    return f'<table:table-cell{extra} office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: list[dict]) -> None:
    body = []
    for sh in sheets:
        spans = {(r0, c0): c1 - c0 + 1 for r0, c0, r1, c1 in sh.get("merges", [])}
        body.append(f'<table:table table:name="{escape(sh["name"])}">')
        for r, row in enumerate(sh["rows"]):
            cells, c = [], 0
            while c < len(row):
                span = spans.get((r, c), 1)
                cells.append(_ods_cell(row[c], span))
                cells += ["<table:covered-table-cell/>"] * (span - 1)
                c += span
            body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        body.append("</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               "<office:body><office:spreadsheet>" + "".join(body)
               + "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    _private(path)


def write(path: Path, fmt: str, sheets: list[dict], encoding: str = "utf-8") -> None:
    if fmt == "csv":
        write_csv(path, sheets[0], encoding)
    elif fmt == "xlsx":
        write_xlsx(path, sheets)
    elif fmt == "xls":
        write_xls(path, sheets)
    else:
        write_ods(path, sheets)
