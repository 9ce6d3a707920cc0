"""The publication report: one .xlsx workbook or one self-contained .html file.

Both lay out the same blocks as `render` (one output path). The workbook has a cover sheet (title,
source, date, period, notes, marker key, contents) and one sheet per table, numbers stored as
numbers and markers as text. The HTML file has inline CSS and an inline SVG bar chart for each key
table: no network, no scripts.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from ..tables import HEADERS, Block, cell_text, safe_cell, table_blocks

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
        _write_xlsx(tables, path, info, completeness)
    else:
        path.write_text(html_report(tables, info, completeness), encoding="utf-8")
    return path


def heatmap_fields(completeness: dict) -> list[str]:
    first = next(iter(completeness.get("agencies", [])), {})
    return [k for k in first if k.startswith(("victims_", "offenders_"))]


def heatmap_rows(completeness: dict) -> list[dict]:
    """Agencies that sent records, in registry order."""
    return [r for r in completeness.get("agencies", []) if r.get("victim_records") or r.get("offender_records")]


def _share_colour(share: float | None) -> str:
    """Red (0) through amber (0.5) to green (1); grey when there is nothing to score."""
    if share is None:
        return "#dddddd"
    share = max(0.0, min(1.0, float(share)))
    if share < 0.5:
        r, g, b = 212, int(53 + (150 - 53) * share * 2), 56
    else:
        t = (share - 0.5) * 2
        r, g, b = int(212 - (212 - 0) * t), int(150 - (150 - 112) * t), int(56 + (60 - 56) * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(completeness: dict) -> str:
    """Agency x field completeness as an SVG grid: one coloured cell per share of records known."""
    fields, rows = heatmap_fields(completeness), heatmap_rows(completeness)
    # Sizes from the longest texts (about 7 px a character at 12 px), so no label is clipped.
    longest_field = max((len(f) for f in fields), default=10)
    cell = 22
    label_w = 7 * max((len(r["name"]) for r in rows), default=10) + 12
    head_h = int(6.2 * longest_field) + 12                      # field names rotated by 60 degrees
    width = max(label_w + cell * len(fields) + int(3.6 * longest_field) + 10, label_w + 4 * 90 + 20)  # legend
    height = head_h + cell * len(rows) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'aria-label="Completeness by agency and field">']
    for j, f in enumerate(fields):
        x = label_w + j * cell + cell / 2
        parts.append(f'<text transform="translate({x:.0f},{head_h - 6}) rotate(-60)">{_esc(f.replace("_", " "))}</text>')
    for i, r in enumerate(rows):
        y = head_h + i * cell
        parts.append(f'<text x="{label_w - 6}" y="{y + cell * 0.7:.0f}" text-anchor="end">{_esc(r["name"])}</text>')
        for j, f in enumerate(fields):
            share = r.get(f)
            tip = f"{r['name']}: {f.replace('_', ' ')} " + ("n/a" if share is None else f"{share:.0%} known")
            parts.append(f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{_share_colour(share)}"><title>{_esc(tip)}</title></rect>')
    y = head_h + len(rows) * cell + 20
    for k, (label, share) in enumerate((("0%", 0.0), ("50%", 0.5), ("100%", 1.0), ("no records", None))):
        x = label_w + k * 90
        parts.append(f'<rect x="{x}" y="{y - 12}" width="14" height="14" fill="{_share_colour(share)}"/>'
                     f'<text x="{x + 18}" y="{y}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _xlsx_heatmap(wb, completeness: dict) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields, rows = heatmap_fields(completeness), heatmap_rows(completeness)
    ws = wb.create_sheet("Completeness")
    ws.append(["Completeness by agency: share of records with each field known"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(["Agency", "Source type"] + [f.replace("_", " ") for f in fields] + ["Score", "Flag"])
    for r in rows:
        ws.append([safe_cell(r["name"]), r["source_type"]] + [r.get(f) for f in fields] + [r.get("score"), r.get("flag")])
    if rows:
        last = get_column_letter(2 + len(fields) + 1)
        ws.conditional_formatting.add(f"C3:{last}{len(rows) + 2}", ColorScaleRule(
            start_type="num", start_value=0, start_color="D43538", mid_type="num", mid_value=0.5,
            mid_color="F47738", end_type="num", end_value=1, end_color="00703C"))
        for row in ws.iter_rows(min_row=3, min_col=3, max_col=2 + len(fields) + 1):
            for c in row:
                c.number_format = "0%"
    ws.column_dimensions["A"].width = 45
    ws.freeze_panes = "C3"


# --------------------------------------------------------------------------- xlsx

def _xlsx_value(key: str, value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    return safe_cell(cell_text(key, value))


def _write_xlsx(tables: dict, path: Path, meta: dict, completeness: dict | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append([safe_cell(meta["title"])])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append([])
    for label, value in [("Source", meta["source"]), ("Date", meta["date"]), ("Period", meta["period"]),
                         ("Disclosure control", "applied (published tables)" if meta["published"]
                          else "not applied: NOT FOR PUBLICATION, contains small counts")]:
        cover.append([label, safe_cell(str(value))])
        cover.cell(cover.max_row, 1).font = bold
    for note in meta["notes"]:
        cover.append(["Note", safe_cell(str(note))])
        cover.cell(cover.max_row, 1).font = bold
    cover.append([])
    cover.append(["Marker key"])
    cover.cell(cover.max_row, 1).font = bold
    for marker, meaning in MARKERS:
        cover.append([marker, meaning])
    cover.append([])
    cover.append(["Contents"])
    cover.cell(cover.max_row, 1).font = bold
    for table_id, table in tables.items():
        cover.append([table_id, safe_cell(table.get("title", table_id))])
        cover.cell(cover.max_row, 1).hyperlink = f"#'{table_id[:31]}'!A1"
    cover.column_dimensions["A"].width = 30
    cover.column_dimensions["B"].width = 100

    for table_id, table in tables.items():
        ws = wb.create_sheet(table_id[:31])
        ws.append([safe_cell(table.get("title", table_id))])
        ws["A1"].font = Font(bold=True, size=12)
        for block in table_blocks(table_id, table):
            ws.append([])
            if block.section != "main":
                ws.append([safe_cell(block.title)])
                ws.cell(ws.max_row, 1).font = bold
            ws.append([HEADERS.get(k, k) for k in block.keys])
            for c in range(1, len(block.keys) + 1):
                ws.cell(ws.max_row, c).font = bold
            for i, row in enumerate(block.rows):
                ws.append([_xlsx_value(k, v) for k, v in zip(block.keys, row, strict=True)])
                for c, k in enumerate(block.keys, start=1):
                    if k.startswith("percent"):
                        ws.cell(ws.max_row, c).number_format = "0.0"
                    if block.has_total and i == len(block.rows) - 1:
                        ws.cell(ws.max_row, c).font = bold
        ws.append([])
        ws.append(["Note"])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([safe_cell(table.get("note", ""))])
        ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 45
        for col in "BCDEFGHI":
            ws.column_dimensions[col].width = 14
    if completeness:
        _xlsx_heatmap(wb, completeness)
    wb.save(path)


# --------------------------------------------------------------------------- html

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em auto;max-width:60em;color:#0b0c0c;line-height:1.4}
h1{font-size:1.8em}h2{margin-top:2em;border-bottom:2px solid #1d70b8;padding-bottom:.2em}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border-bottom:1px solid #b1b4b6;padding:.25em .7em}
th{text-align:left;background:#f3f2f1}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;border-top:2px solid #0b0c0c}.note{font-size:.9em;color:#505a5f}
.warn{background:#fff4e5;border-left:5px solid #f47738;padding:.5em 1em}dl{display:grid;
grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}svg text{font-size:12px}
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
    """A horizontal bar chart of row counts; suppressed counts get no bar and a [c] label."""
    bar_h, gap, label_w, bar_w = 18, 6, 230, 320
    counts = [r.get("count") for r in rows]
    top = max([c for c in counts if isinstance(c, int)] + [1])
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 70}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 70} {height}"><title>{_esc(title)}</title>']
    for i, row in enumerate(rows):
        y = gap + i * (bar_h + gap)
        count = row.get("count")
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end">'
                     f'{_esc(row.get("category", ""))}</text>')
        width = round(bar_w * count / top, 1) if isinstance(count, int) else 0
        if width:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{width}" height="{bar_h}" fill="#1d70b8"/>')
        parts.append(f'<text x="{label_w + width + 5}" y="{y + bar_h - 5}">{_esc(cell_text("count", count))}</text>')
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
                   "ages, sex, ethnicity, missing status, area); agencies that sent no records are left out.</p>"
                   "</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

