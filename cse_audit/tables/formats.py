"""One output path for the tables: table | markdown | csv | json (and the blocks report.py lays out).

Kept free of heavy imports (no pandas): the CLI imports it on every run. Missing values print as
GSS markers: a percentage with no base is "[z]" (not applicable), another missing number "[x]".
Separate because it only formats tables already built (and flat rows: load summary, completeness,
linkage figures); it reads neither the store nor the configuration. Named formats.py, not
render.py, so that `cse_audit.tables.render` is only ever the function.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass

from ..config.text import clean_text

FORMATS = ("table", "markdown", "csv", "json")
ROW_FORMATS = (*FORMATS, "jsonl")  # flat rows (issues, load summary) also go out one JSON object a line

HEADERS = {
    "category": "Category",
    "count": "Count",
    "percent": "%",
    "percent_known": "% of known",
    "agencies_asked": "Agencies asked",
    "agencies_responded": "Agencies responded",
    "nil_returns": "Nil returns",
    "cases": "Case records",
    "victim_records": "Victim records",
    "victims": "Victims",
    "offender_records": "Offender records",
    "offenders": "Offenders",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RenderError(ValueError):
    """Unknown output format."""


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula (=, +, -, @, tab, CR, also after
    leading spaces): prefix a quote; and escape control characters (clean_text), which openpyxl
    refuses and a terminal obeys.

    Used for every csv and xlsx cell the tool writes; numbers and other values pass unchanged.
    link apply takes the quote off record ids again (overrides.unneutralise).
    """
    if isinstance(value, str):
        value = clean_text(value, keep_cr=True)
        if value.lstrip(" ").startswith(_FORMULA_START):
            return "'" + value
    return value


@dataclass
class Block:
    """One table or sub-table laid out as a grid: keys/headers, raw rows (last may be the total)."""

    table_id: str
    section: str  # "main" or the sub-table key
    title: str
    keys: list[str]
    rows: list[list]
    note: str | None  # the table note, on its main block only
    has_total: bool


def _is_subtable(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("rows"), list)


def _block(table_id: str, section: str, part: dict, note: str | None) -> Block:
    rows = part["rows"]
    if "columns" in part:
        keys = ["category", *part["columns"]]
    else:
        keys = ["category", "count", "percent"]
        if any(r.get("percent_known") is not None for r in rows):
            keys.append("percent_known")
    grid = [[r.get(k) for k in keys] for r in rows]
    has_total = "total" in part and "columns" not in part
    if has_total:
        total = part["total"]
        share = 100.0 if isinstance(total, int) and total > 0 else (total if total == "[c]" else None)
        grid.append(["Total", total, share] + [None] * (len(keys) - 3))
    return Block(table_id, section, part.get("title", table_id), keys, grid, note, has_total)


def table_blocks(table_id: str, table: dict) -> list[Block]:
    """A table's main block then its sub-tables."""
    out = [_block(table_id, "main", table, table.get("note"))]
    for key, sub in table.items():
        if key != "rows" and _is_subtable(sub):
            out.append(_block(table_id, key, sub, None))
    return out


def blocks(tables: dict) -> list[Block]:
    """Every table then its sub-tables, in the order of the dict (TABLE_NAMES order)."""
    return [b for table_id, table in tables.items() for b in table_blocks(table_id, table)]


def cell_text(key: str, value) -> str:
    if value is None:
        return "[z]" if key.startswith("percent") else "[x]"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _text_grid(block: Block) -> list[list[str]]:
    return [[cell_text(k, v) for k, v in zip(block.keys, row, strict=True)] for row in block.rows]


def _fit_widths(headers: list[str], grid: list[list[str]], width: int | None) -> tuple[list | None, list | None]:
    """Wrap widths (headers, first column) so a table fits `width` characters, or (None, None)
    when it fits already. Headers wrap between words, to their column's widest value; then the
    first column (category labels) wraps too if the table is still too wide."""
    if width is None:
        return None, None
    cells = [max([len(h)] + [len(row[j]) for row in grid]) for j, h in enumerate(headers)]
    if sum(cells) + 2 * (len(cells) - 1) <= width:
        return None, None
    heads = [cells[0]] + [max([4, *map(len, headers[j].split())] + [len(row[j]) for row in grid])
                          for j in range(1, len(headers))]
    rest = sum(heads[1:]) + 2 * (len(heads) - 1)
    longest_word = max([len(w) for row in grid for w in row[0].split()] + [len(headers[0])])
    first = max(longest_word, min(cells[0], width - rest))
    return [first] + heads[1:], [first] + [None] * (len(headers) - 1)


@contextmanager
def _tight(active: bool):
    """tabulate pads every column to its header + 2; a table cut to a width needs columns only as
    wide as their text (its MIN_PADDING is module state, read at each call)."""
    import tabulate as tabulate_module

    padding = tabulate_module.MIN_PADDING
    tabulate_module.MIN_PADDING = 0 if active else padding
    try:
        yield
    finally:
        tabulate_module.MIN_PADDING = padding


def _render_table(tables: dict, width: int | None = None) -> str:
    from tabulate import tabulate

    parts = []
    with _tight(width is not None):
        for table_id, table in tables.items():
            for block in table_blocks(table_id, table):
                headers, grid = [HEADERS.get(k, k) for k in block.keys], _text_grid(block)
                head_widths, col_widths = _fit_widths(headers, grid, width)
                grid = tabulate(grid, headers=headers, tablefmt="simple", disable_numparse=True,
                                colalign=["left"] + ["right"] * (len(block.keys) - 1),
                                maxheadercolwidths=head_widths, maxcolwidths=col_widths)
                parts.append(f"{block.title}\n{grid}")
            if table.get("note"):
                parts.append(textwrap.fill(f"Note: {table['note']}", width=100))
    return "\n\n".join(parts) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _render_markdown(tables: dict) -> str:
    out = []
    for table_id, table in tables.items():
        for block in table_blocks(table_id, table):
            out += [f"{'##' if block.section == 'main' else '###'} {_md_cell(block.title)}", ""]
            out.append("| " + " | ".join(HEADERS.get(k, k) for k in block.keys) + " |")
            out.append("|" + "|".join([":---"] + ["---:"] * (len(block.keys) - 1)) + "|")
            for i, row in enumerate(_text_grid(block)):
                cells = [_md_cell(c) for c in row]
                if block.has_total and i == len(block.rows) - 1:
                    cells = [f"**{c}**" for c in cells]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        if table.get("note"):
            out += [f"*Note:* {_md_cell(table['note'])}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _render_csv(tables: dict) -> str:
    blks = blocks(tables)
    columns: list[str] = []
    for block in blks:
        for key in block.keys[1:]:
            if key not in columns:
                columns.append(key)
    order = [k for k in HEADERS if k in columns and k != "category"] + [k for k in columns if k not in HEADERS]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["table", "section", "category", *order])
    for block in blks:
        for row in block.rows:
            values = dict(zip(block.keys, row, strict=True))
            cells = [block.table_id, block.section, values["category"]]
            cells += [cell_text(k, values[k]) if k in values else "" for k in order]
            writer.writerow([safe_cell(c) for c in cells])
    return buf.getvalue()


def _render_json(tables: dict) -> str:
    return json.dumps(tables, indent=2, ensure_ascii=False) + "\n"


def render(tables: dict, fmt: str = "table", width: int | None = None) -> str:
    """The tables as text in one of FORMATS. JSON is the documented contract (docs/tables.md).
    With `width`, the "table" format wraps long headers to fit that many characters."""
    renderers = {"table": _render_table, "markdown": _render_markdown, "csv": _render_csv,
                 "json": _render_json}
    if fmt not in renderers:
        raise RenderError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return _render_table(tables, width) if fmt == "table" else renderers[fmt](tables)


# --------------------------------------------------------------------------- flat rows

def render_rows(rows: list[dict], fmt: str, title: str = "", columns: list[str] | None = None,
                width: int | None = None) -> str:
    """A list of flat dicts (load summary, completeness, linkage figures) in any of ROW_FORMATS:
    the same formats, and the same formula-safe csv, as the tables. With `width`, the "table"
    format is cut to fit that many characters (long cells shortened, columns that do not fit
    left out and named below the table)."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, default=str, ensure_ascii=False) for r in rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([safe_cell(r.get(c)) for c in columns])
        return buf.getvalue().rstrip("\n")
    from tabulate import tabulate

    # text for a terminal: no control character from a cell reaches it
    grid = [[clean_text(v) if isinstance(v, str) else v for v in (_flat_text(r.get(c)) for c in columns)]
            for r in rows]
    left_out: list[str] = []
    headers, head_widths = columns, None
    if width is not None and fmt == "table":
        columns, grid, left_out, head_widths = _fit_columns(columns, grid, width)
        headers = [c.replace("_", " ") for c in columns]  # wraps between words
    with _tight(width is not None and fmt == "table"):
        table = tabulate(grid, headers=headers, tablefmt="github" if fmt == "markdown" else "simple",
                         disable_numparse=False, maxheadercolwidths=head_widths)
    if left_out:
        table += "\n" + textwrap.fill(f"({len(left_out)} more column(s): {', '.join(left_out)}; --wide shows "
                                      "them all, --format csv or json has them)", width=width)
    return f"{title}\n\n{table}\n" if title else table


def _flat_text(value):
    """A cell as one short text: dicts and lists (linkage figures) as `k=v` pairs, not Python reprs."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_flat_text(v)}" for k, v in value.items()) or ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_flat_text(v)) for v in value)
    return value


MAX_CELL = 36  # characters of one cell in a narrow table (a file name, a message)


def _fit_columns(columns: list[str], grid: list[list], width: int) -> tuple[list, list, list, list]:
    """Shorten long cells, wrap headers between words, then keep the columns, from the left, that
    fit in `width`: (columns kept, their grid, columns left out, header wrap widths)."""
    def short(v):
        return v if not isinstance(v, str) or len(v) <= MAX_CELL else v[:MAX_CELL - 1] + "…"

    def text(v):
        return "" if v is None else f"{v:g}" if isinstance(v, float) else str(v)

    grid = [[short(v) for v in row] for row in grid]
    sizes = [max([len(w) for w in c.split("_")] + [len(text(row[j])) for row in grid])
             for j, c in enumerate(columns)]
    keep, used = 0, 0
    for size in sizes:
        if keep and used + 2 + size > width:
            break
        used += size + (2 if keep else 0)
        keep += 1
    return columns[:keep], [row[:keep] for row in grid], columns[keep:], sizes[:keep]
