"""The feedback workbook sent back to one agency about its own return.

Written for the agency, not the analyst: how complete its records were (as percentages), what
the score and the rating mean, each problem by sheet, row and column in plain words with what to
do, and what to send next time. It holds only the agency's own rows (`agency_feedback` reads
nothing else); values of personal fields were never stored in issues, so none can appear.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..config.text import shown_value
from ..tables import STATUS_EMPTY, CompletenessConfig, agency_feedback, safe_cell
from .workbook import as_table, print_setup, text_rows

# Issue kind -> (what we found, in plain words; what to do next time).
PLAIN = {
    "unrecognised_code": ("A value that is not one of the answers we use",
                          "Choose an answer from the drop-down list in the template (or Unknown)."),
    "impossible_date": ("A date that does not exist (for example 31 February)",
                        "Check the date; write dates as day/month/year."),
    "bad_date": ("A date we could not read", "Write dates as day/month/year, for example 14/03/2010."),
    "bad_age": ("An age we could not read", "Give the age in whole years, for example 14."),
    "age_band": ("An age range rather than an age", "Give the age in whole years where you know it."),
    "age_in_dob": ("An age written where the date of birth goes (we kept it as the age)",
                   "Give the date of birth where you know it, and the age in the age column."),
    "bad_initials": ("Initials we could not read", "Give 1 to 4 letters, for example J.S."),
    "bad_name": ("A name we could not split into first name and surname",
                 "Give both the first name and the surname."),
    "bad_number": ("A number we could not read", "Give a whole number."),
    "stray_punctuation": ("A cell holding only a punctuation mark (for example a stray £ or *)",
                          "Leave the cell blank, or write Unknown, when you do not hold the information."),
    "single_name": ("A first name only (or a surname only)", "Give the full name where you know it."),
    "two_people": ("Two people in one name (for example Mr and Mrs ...)", "Give each person a row of their own."),
    "several_names": ("Several people's names in one cell (for example two names separated by ; or 'and')",
                      "Give each person a row of their own (or a column each); we loaded the first named "
                      "person only."),
    "repeated_header": ("The column headings again part-way down the sheet (we skipped that row)",
                        "Give the headings once, at the top of the table."),
    "formula_error": ("A formula whose result is an error (for example #REF!)",
                      "Correct the formula, or type the value in the cell."),
    "formula_no_value": ("A formula saved without its result (the file was never opened in Excel)",
                         "Open the file in Excel or LibreOffice and save it before sending, or type the values."),
    "several_unnamed": ("Several unnamed people in one row (for example 3 unknown males)",
                        "Give each person a row of their own, with whatever you know (sex, age)."),
    "unnamed_no_detail": ("An unnamed person (for example Unknown male) with nothing else we could use",
                          "Give whatever you know of them (sex, age or an age band)."),
    "no_case_ref": ("A case with no case reference", "Give every case a reference and use the same reference "
                                                     "on the Victims and Offenders sheets."),
    "unknown_case_ref": ("A case reference that is not on the cases sheet",
                         "Use the same case reference on every sheet."),
    "empty_record": ("A row with nothing we could use", "Fill the row in, or delete it."),
    # session 21: skipped rows were "A value we could not use", "Loaded"
    "no_identifying_field": ("A row with no name, initials, date of birth or age (we skipped it: it names no one)",
                             "Give each person's name or initials and date of birth or age; delete rows that "
                             "are not people."),
    "footer_row": ("A total or note row in the table (we skipped it)",
                   "Put totals and notes above the headings, or leave them out."),
    "missing_column": ("A column we ask for was not in your return",
                       "Include the column (the template has them all); leave cells blank when you do not "
                       "hold the information."),
    "missing_sheet": ("A sheet we ask for was not in your return", "Include the sheet (the template has them all)."),
    "missing_table": ("A table we expected under another on the same sheet was not there",
                      "Include the table, or say under the first one that there was nobody to list."),
    "duplicate_header": ("Two columns with the same heading", "Give each column its own heading."),
    "nil_return": ("Your return says you had no cases (a nil return)",
                   "Nothing to do if you had no cases in the period."),
    "empty_return": ("Your return had headings but no rows, and did not say that you had no cases",
                     "If you had no cases, write 'Nil return' under the headings; otherwise send your cases."),
    # session 19: hidden rows, columns and sheets were "A value we could not use"
    "hidden_rows": ("Rows hidden in your workbook (by hand, or by a filter left on): we loaded them as any other",
                    "Tell us whether the hidden rows were meant to be sent (withdrawn cases?); next time delete "
                    "rows you do not mean to send, and show every row you do."),
    "hidden_column": ("A column hidden in your workbook: we read it as any other",
                      "Tell us whether the hidden column was meant to be sent; next time delete a column you do "
                      "not mean to send rather than hide it."),
    "hidden_sheet": ("A sheet hidden in your workbook: we read it as any other",
                     "Tell us whether the hidden sheet was meant to be sent; next time delete a sheet you do not "
                     "mean to send rather than hide it."),
    # session 20: a person's details on their first row only (the analyst's side: `fill_down`)
    "first_row_only": ("Rows that repeat a person's name leave their date of birth blank (it is on their first "
                       "row only)", "Give the date of birth on every row of a person, so that we can tell the "
                                    "rows are one person."),
    # session 21: a grouped report, the person named once over their rows
    "names_once": ("Rows under a person's row give no name, initials, date of birth or age (the person is "
                   "named once over their rows)", "Give the person's name or initials on every row, so that we "
                                                  "can tell whose each row is."),
}
OTHER = ("A value we could not use", "Check this cell against the template's instructions.")
# Statuses in the agency's words where the analyst's would puzzle it
AGENCY_STATUS = {STATUS_EMPTY: "received with headings but no rows, and no word that you had no cases: please "
                               "tell us which (a nil return, or your cases)"}
# Warnings about one cell: the row was loaded and only that item counted as not known.
CELL_WARNINGS = {"unrecognised_code", "impossible_date", "bad_date", "bad_age", "age_band", "bad_initials",
                 "bad_name", "bad_number", "several_unnamed", "stray_punctuation", "formula_error",
                 "formula_no_value"}
# The row numbers a hidden_rows message lists (its first row alone is in the Row column)
_ROWS_LISTED = re.compile(r"\((rows? [0-9][0-9, .-]*)\)")
COLUMNS = ["File", "Sheet", "Row", "Column", "What we found", "Value", "What happened", "What to do next time"]
WIDTHS = [28, 16, 7, 20, 40, 14, 28, 60]


def _outcome(issue: dict) -> str:
    if issue["severity"] == "error":
        return "Row not loaded"
    if issue["severity"] == "skipped":
        return "Row not loaded (skipped)"
    if issue["code"] in CELL_WARNINGS:
        return "Row loaded; this item counted as not known"
    if issue["code"] == "names_once":      # a note on rows each skipped (and listed) as naming no one
        return "Those rows not loaded (skipped)"
    return "Loaded"


def _shares(row: dict) -> list[tuple[str, float | None, int]]:
    """(label, share known, records) for each field group of the completeness row."""
    out = []
    for key, value in row.items():
        for kind, noun in (("victims_", "victim_records"), ("offenders_", "offender_records")):
            if key.startswith(kind):
                label = f"{kind[:-1].capitalize()}: {key[len(kind):].replace('_', ' ')}"
                out.append((label, value, row.get(noun, 0)))
    return out


def write_feedback(con, agency, completeness_row: dict | None, path: str | Path,
                   cconfig: CompletenessConfig | None = None, show_values: bool = False) -> int:
    """Write the agency's feedback workbook (Summary and Problems sheets); returns the number of
    problems listed. A cell's value is listed only when it looks like a code (or with
    ``show_values``): a name typed into a coded column is located by sheet, row and column instead."""
    from openpyxl import Workbook

    issues = agency_feedback(con, agency.id)["issues"]
    cconfig = cconfig or CompletenessConfig({}, {})
    wb = Workbook()
    _summary(wb.active, agency, completeness_row or {}, issues, cconfig)
    _problems(wb.create_sheet("Problems"), issues, show_values)
    wb.save(path)
    return len(issues)


def _summary(ws, agency, row: dict, issues: list[dict], cconfig: CompletenessConfig) -> None:
    from openpyxl.styles import Alignment, Font

    ws.title = "Summary"
    green, amber = f"{cconfig.green:.0%}", f"{cconfig.amber:.0%}"
    text_rows(ws, [  # short lines: they run across columns B and C, on screen and in print
        ("title", f"Feedback on your data return: {agency.name}"),
        ("text", "Thank you for your return. This workbook shows how complete your records were and which"),
        ("text", "rows or cells we could not use, so that your next return can be fuller."),
        ("text", "It is about your own return only."),
    ])
    ws.append([])
    ws.append(["Your return", "", ""])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    for label, value in (("Status", AGENCY_STATUS.get(row.get("status"), row.get("status"))), ("Files", row.get("files")),
                         ("Received", row.get("loaded_at")), ("Cases", row.get("cases")),
                         ("Victim records", row.get("victim_records")),
                         ("Offender records", row.get("offender_records")),
                         ("Rows we could not load", row.get("rows_rejected")),
                         ("Answers not in our lists", row.get("unrecognised_codes"))):
        ws.append([label, safe_cell(value if value not in (None, "") else "none")])
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="left")
    ws.append([])
    ws.append(["How complete your records were", "", ""])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    ws.append(["Information", "Records with it", "What this means"])
    header = ws.max_row
    for label, share, records in _shares(row):
        meaning = (f"Given in {share:.0%} of your {records} records; blank or Unknown counts as not given."
                   if share is not None else "You sent no records of this kind.")
        ws.append([label, share if share is not None else "[x]", meaning])
    score = row.get("score")
    ws.append(["Overall score", score if score is not None else "[x]",
               "The average of the shares above, weighted by your numbers of victim and offender records. "
               "It measures how much of the information we ask for was filled in."])
    ws.append(["Rating", (row.get("flag") or "none").capitalize(),
               f"Green: a score of {green} or more. Amber: {amber} up to {green}. Red: below {amber}. "
               "A lower rating usually means information was not recorded, not that it was wrong."])
    for r in range(header + 1, ws.max_row + 1):
        ws.cell(r, 2).number_format = "0%"
        ws.cell(r, 2).alignment = Alignment(horizontal="right", vertical="top")
        ws.cell(r, 1).alignment = Alignment(vertical="top")
        ws.cell(r, 3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * max(1, -(-len(str(ws.cell(r, 3).value)) // 72))
    as_table(ws, header, ws.max_row, 3, "Completeness")
    ws.append([])
    ws.append(["What to send next time"])
    ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
    for n, line in enumerate(_next_time(row, issues, cconfig), start=1):
        # the number beside its text (in column A it stood a 16-character blank column away)
        ws.append(["", f"{n}.", line])
        ws.cell(ws.max_row, 2).alignment = Alignment(horizontal="right", vertical="top")
        ws.cell(ws.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[ws.max_row].height = 15 * max(1, -(-len(line) // 72))
    for col, width in zip("ABC", (30, 16, 75), strict=True):
        ws.column_dimensions[col].width = width
    print_setup(ws)
    ws.page_setup.orientation = "portrait"


def _next_time(row: dict, issues: list[dict], cconfig: CompletenessConfig) -> list[str]:
    lines = ["Use the standard template (ask us for a copy): its drop-down lists give the answers we can "
             "count, and it needs no extra work from us."]
    low = [label.lower() for label, share, _ in _shares(row) if share is not None and share < cconfig.green]
    if low:
        lines.append("Fill in " + ", ".join(low) + " wherever your records hold them; choose Unknown only when "
                     "the information is not recorded.")
    if row.get("rows_rejected"):
        lines.append(f"{row['rows_rejected']} row(s) could not be loaded: the Problems sheet names the sheet, row "
                     "and column of each, and what to change.")
    if any(i["code"] == "unrecognised_code" for i in issues):
        lines.append("Some answers were not in our lists: use the values in the template's drop-down lists.")
    if any(i["code"] == "empty_return" for i in issues):
        lines.append("If you had no cases in the period, write Nil return under the headings (or in the file name), "
                     "so that we count your reply as a nil return.")
    if issues:
        lines.append("Every problem we found is on the Problems sheet, with what to do next time.")
    return lines


def _problems(ws, issues: list[dict], show_values: bool = False) -> None:
    from openpyxl.styles import Alignment, Font

    text_rows(ws, [("title", "Problems we found in your return"),
                   ("text", "One row per problem. Row and column are as in your own file.")])
    ws.append(COLUMNS)
    header = ws.max_row
    for cell in ws[header]:
        cell.font = Font(bold=True)
    for issue in issues:
        found, todo = PLAIN.get(issue["code"], OTHER)
        listed = _ROWS_LISTED.search(issue["problem"] or "") if issue["code"] == "hidden_rows" else None
        if listed:
            found += f" ({listed.group(1)})"
        ws.append([safe_cell(issue["file"]), safe_cell(issue["sheet"]), issue["row"], safe_cell(issue["column"]),
                   found, safe_cell(shown_value(issue["value"], show_values)), _outcome(issue), todo])
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Rows as tall as their longest wrapped cell (spreadsheets do not grow them for us).
        lines = max(-(-len(str(v or "")) // max(1, w - 2)) for v, w in zip(
            (c.value for c in ws[ws.max_row]), WIDTHS, strict=True))
        ws.row_dimensions[ws.max_row].height = 15 * max(1, lines)
    if issues:
        as_table(ws, header, ws.max_row, len(COLUMNS), "Problems")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = ws.cell(header + 1, 1)
    print_setup(ws, header_row=header)
