"""The `link review` workbook: borderline pairs for a person to decide, laid out to be read.

A plain DataFrame dump gave every column Excel's default width (record ids cut to 12 characters),
no frozen header, and a free-text decision column 27 columns to the right: a reviewer typed "yes"
or "same", which `link apply` refuses. Here the header row and the two record ids stay in view,
columns are as wide as their values (up to 40), and the decision column offers match / no-match.
`link apply` reads the sheet as before (first sheet, header row 1).
"""

from __future__ import annotations

from pathlib import Path

DECISIONS = ("match", "no-match")
MAX_WIDTH = 40


def write_review_workbook(pairs, path: str | Path) -> None:
    """Write `pairs` (review_pairs' frame, cells made formula-safe by the caller) to `path`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Review"
    columns = list(pairs.columns)
    ws.append(columns)
    for row in pairs.itertuples(index=False):
        ws.append([None if _blank(v) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, name in enumerate(columns, start=1):
        longest = max([len(str(name)), *(len(str(v)) for v in pairs[name] if not _blank(v))])
        ws.column_dimensions[get_column_letter(i)].width = min(longest + 2, MAX_WIDTH)
    ws.freeze_panes = "C2"  # the header and both record ids stay in view
    if len(pairs):
        ws.auto_filter.ref = ws.dimensions
    if "decision" in columns:
        letter = get_column_letter(columns.index("decision") + 1)
        rule = DataValidation(type="list", formula1=f'"{",".join(DECISIONS)}"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Decision",
                              error="match, no-match, or leave it blank (not decided)")
        rule.add(f"{letter}2:{letter}{max(len(pairs), 1) + 1}")
        ws.add_data_validation(rule)
    wb.save(path)


def _blank(value) -> bool:
    """None, NaN, NaT, pd.NA or an empty text: an empty cell."""
    import pandas as pd

    missing = value is None or pd.isna(value)
    return (isinstance(missing, bool) and missing) or (isinstance(value, str) and value == "")
