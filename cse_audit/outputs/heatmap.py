"""Completeness by agency and field, as a heatmap: an SVG grid for the HTML report and a sheet
of the workbook. One sequential blue scale (light = little known, dark = all known), safe for
colour-blind readers and in greyscale print, with the share printed in every cell so no one has
to read a colour."""

from __future__ import annotations

from ..tables import safe_cell

# ColorBrewer "Blues" (sequential, colour-blind safe), light to dark.
BLUES = ["f7fbff", "deebf7", "c6dbef", "9ecae1", "6baed6", "4292c6", "2171b5", "08519c", "08306b"]
NO_RECORDS = "e0e0e0"
DARK_FROM = 0.72  # shares from here are dark enough for white text (contrast 4.5:1 or more)


def heatmap_fields(completeness: dict) -> list[str]:
    first = next(iter(completeness.get("agencies", [])), {})
    return [k for k in first if k.startswith(("victims_", "offenders_"))]


def heatmap_rows(completeness: dict) -> list[dict]:
    """Agencies that sent records, in registry order."""
    return [r for r in completeness.get("agencies", []) if r.get("victim_records") or r.get("offender_records")]


def share_colour(share: float | None) -> str:
    """The scale's colour (hex, no #) for a share 0..1, interpolated; grey when nothing to score."""
    if share is None:
        return NO_RECORDS
    x = max(0.0, min(1.0, float(share))) * (len(BLUES) - 1)
    i = min(int(x), len(BLUES) - 2)
    t = x - i
    a, b = BLUES[i], BLUES[i + 1]
    return "".join(f"{round(int(a[k:k + 2], 16) * (1 - t) + int(b[k:k + 2], 16) * t):02x}" for k in (0, 2, 4))


def text_colour(share: float | None) -> str:
    return "ffffff" if share is not None and share >= DARK_FROM else "0b0c0c"


def field_label(field: str) -> str:
    return field.replace("_", " ")


def _esc(value) -> str:
    import html

    return html.escape(str(value), quote=True)


def heatmap_svg(completeness: dict) -> str:
    """Agency x field completeness as an SVG grid: one cell per share known, its value printed in it."""
    fields, rows = heatmap_fields(completeness), heatmap_rows(completeness)
    # Sizes from the longest texts (about 8 px a character at 14 px), so no label is clipped.
    longest_field = max((len(field_label(f)) for f in fields), default=10)
    cell_w, cell_h = 46, 26
    label_w = 8 * max((len(r["name"]) for r in rows), default=10) + 14
    head_h = int(7.2 * longest_field) + 14                      # field names rotated by 60 degrees
    width = label_w + cell_w * len(fields) + int(4.2 * longest_field) + 10
    height = head_h + cell_h * len(rows) + 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'aria-label="Completeness by agency and field">']
    for j, f in enumerate(fields):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text transform="translate({x:.0f},{head_h - 6}) rotate(-60)">{_esc(field_label(f))}</text>')
    for i, r in enumerate(rows):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 6}" y="{y + cell_h * 0.68:.0f}" text-anchor="end">{_esc(r["name"])}</text>')
        for j, f in enumerate(fields):
            share = r.get(f)
            value = "n/a" if share is None else f"{share:.0%}"
            x = label_w + j * cell_w
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="#{share_colour(share)}"><title>{_esc(r["name"])}: {_esc(field_label(f))} '
                         f'{value} known</title></rect>'
                         f'<text class="v" x="{x + (cell_w - 2) / 2:.0f}" y="{y + cell_h * 0.66:.0f}" '
                         f'text-anchor="middle" fill="#{text_colour(share)}">{value}</text>')
    y = head_h + len(rows) * cell_h + 24
    parts.append(f'<text x="{label_w - 6}" y="{y + 4}" text-anchor="end">Share known:</text>')
    for k, (label, share) in enumerate((("0%", 0.0), ("25%", 0.25), ("50%", 0.5), ("75%", 0.75),
                                        ("100%", 1.0), ("no records", None))):
        x = label_w + k * 80
        parts.append(f'<rect x="{x}" y="{y - 12}" width="18" height="18" fill="#{share_colour(share)}" '
                     f'stroke="#b1b4b6"/><text x="{x + 24}" y="{y + 2}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def xlsx_heatmap(ws, completeness: dict) -> None:
    """The same grid on a worksheet: shares as percentages, each cell filled from the same scale
    (fills, not conditional formats, so the text colour can follow the fill)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fields, rows = heatmap_fields(completeness), heatmap_rows(completeness)
    ws.append(["Completeness by agency: share of records with each field known"])
    ws["A1"].font = Font(bold=True, size=15)
    ws.append(["This worksheet contains one table. Darker blue: more of the agency's records have the field; "
               "the share is printed in each cell. Agencies that sent no records are left out."])
    ws.append(["Score: the average share over all fields, weighted by the number of victim and offender "
               "records; flag: green, amber or red by the thresholds in configs/completeness.yaml."])
    headers = ["Agency", "Source type"] + [field_label(f).capitalize() for f in fields] + ["Score", "Flag"]
    ws.append(headers)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="left" if cell.column <= 2
                                   else "right")
    for r in rows:
        ws.append([safe_cell(r["name"]), r["source_type"]] + [r.get(f) for f in fields]
                  + [r.get("score"), r.get("flag")])
        for j, f in enumerate([*fields, "score"]):
            cell = ws.cell(ws.max_row, 3 + j)
            share = r.get(f)
            cell.number_format = "0%"
            cell.alignment = Alignment(horizontal="right")
            if share is None:
                cell.value = "[x]"
            cell.fill = PatternFill("solid", fgColor=share_colour(share))
            cell.font = Font(color=text_colour(share))
    if rows:
        from openpyxl.worksheet.table import Table, TableStyleInfo

        table = Table(displayName="Completeness", ref=f"A4:{get_column_letter(len(headers))}{ws.max_row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(table)
    ws.column_dimensions["A"].width = max(20, max((len(r["name"]) for r in rows), default=10) + 3)
    ws.column_dimensions["B"].width = 12
    for c in range(3, len(headers) + 1):
        # Headers wrap over two or three lines: wide enough for their longest word.
        ws.column_dimensions[get_column_letter(c)].width = max(9, max(map(len, headers[c - 1].split())) + 3)
    ws.row_dimensions[4].height = 64  # four lines of a wrapped header
    ws.freeze_panes = "C5"
