"""A small OpenDocument spreadsheet writer (no odfpy in the venv): several sheets, cells that span
rows or columns (a merged header), text / number / date cells. Files are created owner-only."""
from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')


def _cell(v) -> str:
    span = ""
    if isinstance(v, tuple):             # (value, rows spanned, columns spanned)
        v, rs, cs = v
        span = f' table:number-rows-spanned="{rs}" table:number-columns-spanned="{cs}"'
    if v is None or v == "":
        return f"<table:table-cell{span}/>"
    if v == "<covered>":
        return "<table:covered-table-cell/>"
    if isinstance(v, (int, float)):
        return (f'<table:table-cell{span} office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    if isinstance(v, dt.date):
        return (f'<table:table-cell{span} office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
    return f'<table:table-cell{span} office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def ods_bytes(sheets: dict[str, list[list]]) -> bytes:
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join("<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}>'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def write_ods(path: Path, sheet: str | dict, rows: list[list] | None = None) -> None:
    data = ods_bytes(sheet if isinstance(sheet, dict) else {sheet: rows})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
