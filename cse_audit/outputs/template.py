"""The standard data-capture workbook, and the mapping that ingests it.

Both come from `configs/schema.yaml` (sheets, columns, labels, drop-down lists), so the
template, its mapping and the schema documentation cannot drift apart. A filled template
carries a marker and the agency id on its Instructions sheet, so ingest recognises it and
needs no mapping work and no file-name pattern.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config

MARKER = "cse-audit standard template"
MAPPING_NAME = "standard-template"
INSTRUCTIONS = "Instructions"
LISTS = "Lists"
MAX_ROWS = 5000  # rows with validation and formats; more can be added by copying a row
INSTRUCTION_WIDTHS = (16, 80, 60)  # Instructions: label / sheet, text, allowed values


def _wrapped(ws, row: int, col: int, width: int, also: tuple[int, int] | None = None) -> None:
    """Wrap a cell's text and make its row tall enough for it: spreadsheets do not grow rows
    of a file written by openpyxl, so wrapped text would otherwise overlap the next row."""
    from openpyxl.styles import Alignment

    lines = 1
    for c, w in ((col, width), *([also] if also else [])):
        cell = ws.cell(row, c)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        lines = max(lines, -(-len(str(cell.value or "")) // int(w * 0.95)))
    ws.row_dimensions[row].height = 15 * lines + 2


def template_mapping(config: Config) -> dict:
    """The mapping for the template, as the YAML structure written to configs/mappings/."""
    t = config.template
    sheets = {}
    for sheet, fields in t.sheets.items():
        columns = {}
        for f in fields:
            label = t.labels[f]
            ftype = config.fields[f].type
            if f in t.codes:
                columns[f] = {"column": label, "codes": t.codes[f]}
            elif ftype == "date":
                columns[f] = {"column": label, "dates": "dayfirst"}
            else:
                columns[f] = label
        key_field = "case_ref" if sheet == "Cases" else "record_ref"
        sheets[sheet.lower()] = {"sheet": sheet, "header_contains": [t.labels[key_field]],
                                 **({"optional": True} if sheet == "Offenders" else {}), "columns": columns}
    return {"name": MAPPING_NAME,
            "description": "The standard cse-audit data-capture template (generated from configs/schema.yaml)",
            "sheets": sheets}


def template_mapping_yaml(config: Config) -> str:
    import yaml

    header = ("# Generated from configs/schema.yaml by `cse-audit template --write-mapping`; do not edit by hand.\n")
    return header + yaml.safe_dump(template_mapping(config), sort_keys=False, allow_unicode=True, width=110)


def dropdown_values(config: Config, field: str) -> list[str]:
    """The allowed values of a coded column: the list's own codes, then Unknown."""
    cl = config.codes[config.template.codes[field]]
    values = [cl.display[k] for k in cl.codes if cl.codes[k][0] != "Unknown"]
    if config.template.codes[field] in ("sex", "missing_status", "missing_from", "yes_no"):
        # Short lists read better as their categories than as every synonym.
        values = [c for c in cl.categories if c != "Unknown"]
    return values + ["Unknown"]


def write_template(config: Config, path: str | Path, agency_id: str | None = None) -> None:
    """Write the standard return workbook: one sheet per kind with drop-downs, plus instructions.

    Long because it lays out one workbook top to bottom; split, its steps would pass the
    workbook and styles around without making any of them clearer."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    if agency_id and agency_id not in config.agencies:
        raise ValueError(f"no agency {agency_id!r} in the registry")
    from ..tables.formats import safe_cell

    t = config.template
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS
    agency = config.agencies.get(agency_id) if agency_id else None
    info.append([MARKER])
    info.append(["Agency id", safe_cell(agency_id or "")])  # never a formula (ids are checked too)
    info.append(["Agency", safe_cell(agency.name) if agency else "(fill in your organisation's name)"])
    info.append([])
    info.append(["How to fill in this return"])
    info.cell(info.max_row, 1).font = Font(bold=True, size=12)
    steps = (
        "One row per case on Cases, one per child on Victims, one per person suspected on Offenders. "
        "Use the same Case reference on every sheet.",
        "Unknown is a valid answer: choose Unknown (or leave a cell blank) when the information is not held. "
        "Do not guess.",
        "Coded columns have drop-down lists; dates are day/month/year.",
        "No cases? Write Nil return in the first cell under the headings on Cases and send the workbook "
        "back: a workbook with headings and no rows is taken as not filled in, and we will ask again.",
        "Send the completed workbook back as requested in the covering letter, by secure email only.",
    )
    for n, line in enumerate(steps, start=1):
        info.append([f"Step {n}", line])
        _wrapped(info, info.max_row, 2, INSTRUCTION_WIDTHS[1])
    info.append([])
    info.append(["The columns"])
    info.cell(info.max_row, 1).font = Font(bold=True, size=12)
    info.append(["Sheet", "Column: meaning", "Allowed values"])
    header = info.max_row
    for cell in info[header]:
        cell.font = Font(bold=True)
    for sheet, fields in t.sheets.items():
        for f in fields:
            allowed = ", ".join(dropdown_values(config, f)) if f in t.codes else \
                {"date": "a date (dd/mm/yyyy)", "int": "a whole number"}.get(config.fields[f].type, "text")
            info.append([sheet, f"{t.labels[f]}: {config.fields[f].description}", allowed])
            _wrapped(info, info.max_row, 2, INSTRUCTION_WIDTHS[1], also=(3, INSTRUCTION_WIDTHS[2]))
    info["A1"].font = Font(bold=True, size=14)
    for col, width in zip("ABC", INSTRUCTION_WIDTHS, strict=True):
        info.column_dimensions[col].width = width
    for row in info.iter_rows(min_row=2):
        row[0].alignment = Alignment(vertical="top")
    # Readable in print too: landscape, the page width, the column headings on every page.
    info.page_setup.orientation = "landscape"
    info.page_setup.paperSize = info.PAPERSIZE_A4
    info.page_setup.fitToWidth, info.page_setup.fitToHeight = 1, 0
    info.sheet_properties.pageSetUpPr.fitToPage = True
    info.print_title_rows = f"{header}:{header}"

    lists = wb.create_sheet(LISTS)
    ranges = {}
    for i, f in enumerate(sorted(t.codes)):
        letter = get_column_letter(i + 1)
        values = dropdown_values(config, f)
        lists.cell(row=1, column=i + 1, value=f)
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=i + 1, value=v)
        ranges[f] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet, fields in t.sheets.items():
        ws = wb.create_sheet(sheet)
        ws.append([t.labels[f] for f in fields])
        for c, f in enumerate(fields, start=1):
            cell = ws.cell(row=1, column=c)
            cell.font, cell.fill = Font(bold=True), header_fill
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = max(14, len(t.labels[f]) + 4)
            cells = f"{letter}2:{letter}{MAX_ROWS + 1}"
            ftype = config.fields[f].type
            if f in t.codes:
                dv = DataValidation(type="list", formula1=ranges[f], allow_blank=True, showErrorMessage=True,
                                    errorTitle="Not an allowed value",
                                    error=f"Choose a value from the list for {t.labels[f]} (Unknown is allowed).")
            elif ftype == "date":
                dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                                    formula2="DATE(2100,12,31)", allow_blank=True, showErrorMessage=True,
                                    error="Enter a date, day/month/year.")
                for row in range(2, MAX_ROWS + 2):
                    ws.cell(row=row, column=c).number_format = "DD/MM/YYYY"
            elif ftype == "int":
                dv = DataValidation(type="whole", operator="between", formula1="0", formula2="200",
                                    allow_blank=True, showErrorMessage=True, error="Enter a whole number.")
            else:
                continue
            dv.add(cells)
            ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    wb.save(path)


def read_marker(sheets) -> str | None:
    """The agency id of a filled template, or None when the workbook is not one."""
    first = next((s for s in sheets if s.name == INSTRUCTIONS), None)
    if first is None or not first.rows or not first.rows[0] or first.rows[0][0].strip() != MARKER:
        return None
    row = first.rows[1] if len(first.rows) > 1 else []
    return (row[1].strip() if len(row) > 1 else "") or None
