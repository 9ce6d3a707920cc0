"""The publication report: one .xlsx workbook or one self-contained .html file.

Both lay out the same blocks as `render` (one output path). The workbook (workbook.py) follows
the GSS guidance for releasing statistics in spreadsheets: cover, contents and notes sheets, one
table per sheet, charts, print setup. The HTML file has inline CSS and an inline SVG bar chart
for each key table: no network, no scripts. The completeness heatmap of both is in heatmap.py.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ..tables import HEADERS, Block, cell_text, table_blocks
from .heatmap import heatmap_fields, heatmap_rows, heatmap_svg

__all__ = ["KEY_TABLES", "MARKERS", "ReportError", "heatmap_fields", "heatmap_rows", "heatmap_svg", "html_report",
           "report_meta", "write_report"]

DEFAULT_TITLE = "Child sexual exploitation: headline tables"
# Tables drawn as a bar chart in the HTML report: every one-column distribution (not `sources`).
KEY_TABLES = [
    "victims_missing", "victims_sex", "victims_age", "victims_ethnicity", "victims_looked_after",
    "victims_overlap", "offenders_sex", "offenders_age", "offenders_ethnicity",
    "offenders_ethnicity_reliable", "offender_groups",
]
MARKERS = [
    ("[c]", "confidential: suppressed to protect a small count (or to stop one being worked out)"),
    ("[x]", "not available"),
    ("[z]", "not applicable"),
    ("0", "a true zero"),
]


class ReportError(ValueError):
    """The report cannot be written as asked (e.g. an unknown file type)."""


def report_meta(tables: dict, meta: dict | None = None, published: bool | None = None) -> dict:
    """The report's title, source, date, period, notes and disclosure state (defaults filled in)."""
    if published is None:
        published = any(t.get("published") for t in tables.values())
    return _meta(tables, meta, published)


def _meta(tables: dict, meta: dict | None, published: bool) -> dict:
    meta = dict(meta or {})
    meta.setdefault("title", DEFAULT_TITLE)
    meta.setdefault("source", "Case returns from police forces, LSCBs / children's services and "
                              "voluntary-sector organisations (cse-audit store)")
    meta.setdefault("date", dt.date.today().isoformat())
    if "period" not in meta:
        first = next(iter(tables.values()), {})
        period = first.get("period", "all")
        meta["period"] = period if isinstance(period, str) else \
            f"{period.get('from') or 'start'} to {period.get('to') or 'end'}"
    notes = meta.get("notes") or []
    meta["notes"] = [notes] if isinstance(notes, str) else list(notes)
    meta["published"] = published
    return meta


def write_report(tables: dict, path: str | Path, publish: bool = False, meta: dict | None = None,
                 completeness: dict | None = None) -> Path:
    """Write the tables to `path` (.xlsx or .html); with publish=True apply disclosure control first.

    With `completeness` (from completeness.build_completeness) the report also shows a heatmap of
    agency x field completeness: data quality per agency, no counts of people."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".html", ".htm"):
        raise ReportError(f"{path}: the report must be .xlsx or .html")
    if publish:
        from ..tables import load_config
        from ..tables import publish as publish_tables

        tables = publish_tables(tables, config=load_config())
    published = publish or any(t.get("published") for t in tables.values())
    info = _meta(tables, meta, published)
    if suffix == ".xlsx":
        from .workbook import write_workbook

        write_workbook(tables, path, info, MARKERS, KEY_TABLES, completeness)
    else:
        path.write_text(html_report(tables, info, completeness), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- html

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em auto;max-width:60em;color:#0b0c0c;line-height:1.4}
h1{font-size:1.8em}h2{margin-top:2em;border-bottom:2px solid #1d70b8;padding-bottom:.2em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border-bottom:1px solid #b1b4b6;padding:.25em .7em}
th{text-align:left;background:#f3f2f1}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;border-top:2px solid #0b0c0c}.note{font-size:.9em;color:#505a5f}
.warn{background:#fff4e5;border-left:5px solid #f47738;padding:.5em 1em}dl{display:grid;
grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}svg text{font-size:15px}
svg text.v{font-size:13px}figure{margin:1em 0;overflow-x:auto}
"""


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


NUM = ' class="n"'


def _html_table(block: Block) -> str:
    head = "".join(f'<th{NUM if i else ""} scope="col">{_esc(HEADERS.get(k, k))}</th>'
                   for i, k in enumerate(block.keys))
    body = []
    for i, row in enumerate(block.rows):
        cls = ' class="total"' if block.has_total and i == len(block.rows) - 1 else ""
        cells = "".join(
            f'<th scope="row">{_esc(cell_text(k, v))}</th>' if j == 0 else
            f'<td class="n">{_esc(cell_text(k, v))}</td>'
            for j, (k, v) in enumerate(zip(block.keys, row, strict=True)))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def bar_chart_svg(title: str, rows: list[dict]) -> str:
    """A horizontal bar chart of row counts; suppressed counts get no bar and a [c] label.
    Labels at 15 px: sizes follow the longest category (about 8 px a character)."""
    bar_h, gap, bar_w = 24, 8, 360
    label_w = max(120, 8 * max((len(str(r.get("category", ""))) for r in rows), default=10) + 16)
    counts = [r.get("count") for r in rows]
    top = max([c for c in counts if isinstance(c, int)] + [1])
    height = len(rows) * (bar_h + gap) + gap
    width = label_w + bar_w + 80
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{_esc(title)}</title>']
    for i, row in enumerate(rows):
        y = gap + i * (bar_h + gap)
        count = row.get("count")
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 7}" text-anchor="end">'
                     f'{_esc(row.get("category", ""))}</text>')
        bar = round(bar_w * count / top, 1) if isinstance(count, int) else 0
        if bar:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{bar}" height="{bar_h}" fill="#1d70b8"/>')
        parts.append(f'<text x="{label_w + bar + 6}" y="{y + bar_h - 7}">{_esc(cell_text("count", count))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_report(tables: dict, meta: dict, completeness: dict | None = None) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_esc(meta['title'])}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_esc(meta['title'])}</h1><dl>"]
    for label in ("source", "date", "period"):
        out.append(f"<dt>{label.capitalize()}</dt><dd>{_esc(meta[label])}</dd>")
    out.append("</dl>")
    if not meta["published"]:
        out.append('<p class="warn">Disclosure control has not been applied: these tables contain small '
                   "counts and are not for publication.</p>")
    for note in meta["notes"]:
        out.append(f"<p>{_esc(note)}</p>")
    out.append("<h2>Marker key</h2><dl>")
    out += [f"<dt>{_esc(m)}</dt><dd>{_esc(text)}</dd>" for m, text in MARKERS]
    out.append("</dl><h2>Contents</h2><ul>")
    out += [f'<li><a href="#{_esc(tid)}">{_esc(t.get("title", tid))}</a></li>' for tid, t in tables.items()]
    if completeness:
        out.append('<li><a href="#completeness">Completeness by agency</a></li>')
    out.append("</ul>")
    for table_id, table in tables.items():
        out.append(f'<section id="{_esc(table_id)}"><h2>{_esc(table.get("title", table_id))}</h2>')
        if table_id in KEY_TABLES and "columns" not in table:
            out.append(f'<figure>{bar_chart_svg(table.get("title", table_id), table["rows"])}</figure>')
        for block in table_blocks(table_id, table):
            if block.section != "main":
                out.append(f"<h3>{_esc(block.title)}</h3>")
            out.append(_html_table(block))
        out.append(f'<p class="note">{_esc(table.get("note", ""))}</p></section>')
    if completeness:
        out.append('<section id="completeness"><h2>Completeness by agency</h2>'
                   f"<figure>{heatmap_svg(completeness)}</figure>"
                   '<p class="note">Share of each agency\'s records with the field known (dates of birth or '
                   "ages, sex, ethnicity, missing status, area), printed in each cell: darker blue, more "
                   "complete. Agencies that sent no records are left out.</p>"
                   "</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

