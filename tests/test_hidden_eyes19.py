"""Hidden rows tried as a new analyst (session 19): the warning reaches every place issues are
shown (`mapping check`, the feedback workbook), in plain words, with row numbers only."""

from __future__ import annotations

import openpyxl

from cse_audit.config import load_config
from cse_audit.ingest.readers import Sheet
from cse_audit.ingest.unread import hidden_data_rows
from cse_audit.outputs.feedback import _problems

from .test_hidden_rows import MAPPING, ROWS, _xlsx


def test_one_hidden_row_is_named_as_a_row():
    sheet = Sheet("Victims", ROWS, hidden_rows=[5])
    [issue] = hidden_data_rows(sheet, [(r, []) for r in range(2, 16)], "victims")
    assert "(row 5)" in issue.message and "1 data row(s)" in issue.message


def test_mapping_check_lists_the_hidden_rows(fixture_config_dir, tmp_path):
    from cse_audit import authoring

    (fixture_config_dir / "mappings" / "t.yaml").write_text(MAPPING, encoding="utf-8")
    config = load_config(fixture_config_dir)
    path = _xlsx(tmp_path / "police.xlsx", hide=[3, 4, 9])
    text, r = authoring.check_command(path, "t", config)
    [issue] = [i for i in r["sheet_issues"] if i["code"] == "hidden_rows"]
    assert issue["sheet"] == "Victims" and "rows 3-4, 9" in issue["message"]
    assert "warning: sheet 'Victims': 3 data row(s) hidden" in text
    assert "Child" not in text and "Number" not in text


def test_the_feedback_workbook_says_what_hidden_rows_are_and_lists_them():
    sheet = Sheet("Victims", ROWS, hidden_rows=[3, 4, 9])
    [issue] = hidden_data_rows(sheet, [(r, []) for r in range(2, 16)], "victims")
    wb = openpyxl.Workbook()
    _problems(wb.active, [{"file": "police.xlsx", "sheet": issue.sheet, "row": issue.row_number, "column": None,
                           "severity": issue.severity, "code": issue.code, "value": issue.value,
                           "problem": issue.message}])
    row = [c.value for c in wb.active[4]]
    assert row[2] == 3
    assert row[4].startswith("Rows hidden in your workbook") and row[4].endswith("(rows 3-4, 9)")
    assert "could not use" not in row[4] and "meant to be sent" in row[7]
