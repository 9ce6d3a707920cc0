"""A minimal OpenDocument spreadsheet writer (strings and blank cells only): enough for a
charity's .ods return, without a dependency the project does not have."""

from __future__ import annotations

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


def write_ods(path, sheets: dict[str, list[list[str]]]) -> None:
    """sheets: name -> rows of cell text ('' is a blank cell; a row of blanks is a blank row)."""
    parts = [_HEAD]
    for name, rows in sheets.items():
        parts.append(f'<table:table table:name="{escape(name, {chr(34): "&quot;"})}">')
        for row in rows:
            parts.append("<table:table-row>")
            for cell in row:
                if cell == "" or cell is None:
                    parts.append("<table:table-cell/>")
                else:
                    parts.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(cell))}'
                                 "</text:p></table:table-cell>")
            parts.append("</table:table-row>")
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", "".join(parts), compress_type=zipfile.ZIP_DEFLATED)
