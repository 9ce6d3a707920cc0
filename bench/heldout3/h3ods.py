"""A minimal OpenDocument spreadsheet writer (no odfpy in the venv): strings, numbers and dates,
merged cells over columns. Enough for the council returns of bench/heldout3."""

from __future__ import annotations

import datetime as dt
import zipfile
from xml.sax.saxutils import escape

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
         'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
         '<office:body><office:spreadsheet>')
_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _cell(v) -> str:
    if v is None or v == "":
        return "<table:table-cell/>"
    if isinstance(v, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}">'
                f"<text:p>{v:%d/%m/%Y}</text:p></table:table-cell>")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'


def write_ods(path, sheets: dict[str, list[list]]) -> None:
    """sheets: name -> rows (lists of cell values; None is a blank cell)."""
    body = []
    for name, rows in sheets.items():
        body.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            body.append("<table:table-row>" + "".join(_cell(v) for v in row) + "</table:table-row>")
        body.append("</table:table>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", _HEAD + "".join(body) + _TAIL, compress_type=zipfile.ZIP_DEFLATED)
