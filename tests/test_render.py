"""One output path: table | markdown | csv | json, and formula neutralisation."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from cse_audit.tables import RenderError, render, safe_cell

TABLES = {
    "victims_sex": {
        "title": "Victims: sex", "note": "Period: all.", "period": "all", "population": "victims",
        "rows": [
            {"category": "Female", "count": 1264, "percent": 60.7, "percent_known": 87.4},
            {"category": "Male", "count": 182, "percent": 8.7, "percent_known": 12.6},
            {"category": "Unknown", "count": 637, "percent": 30.6, "percent_known": None},
        ],
        "total": 2083,
    },
    "victims_overlap": {
        "title": "Overlap", "note": "n", "period": "all", "population": "victims",
        "rows": [{"category": "=HYPERLINK(\"http://x\")", "count": "[c]", "percent": "[c]", "percent_known": None}],
        "total": 2083,
        "source_types": {"title": "By type", "rows": [{"category": "Police forces only", "count": 7,
                                                         "percent": 0.3, "percent_known": None}],
                         "total": 2083, "total_of": None},
    },
    "sources": {
        "title": "Sources", "note": "n", "period": "all", "columns": ["agencies_asked", "victims"],
        "rows": [{"category": "Police forces", "agencies_asked": None, "victims": 10},
                 {"category": "Total", "agencies_asked": None, "victims": 10}],
    },
}


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+44 1234", "'+44 1234"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Smith", "Smith"), ("", ""), ("[c]", "[c]"),
    (5, 5), (-5, -5), (2.5, 2.5), (None, None),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_json_round_trip_and_stable():
    text = render(TABLES, "json")
    assert json.loads(text) == TABLES
    assert render(TABLES, "json") == text
    assert list(json.loads(text)) == list(TABLES)


def test_csv_neutralises_formulas_and_marks_missing():
    text = render(TABLES, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["table", "section", "category", "count", "percent", "percent_known",
                             "agencies_asked", "victims"]
    by = {(r["table"], r["section"], r["category"]): r for r in rows}
    assert by[("victims_sex", "main", "Female")]["count"] == "1264"
    assert by[("victims_sex", "main", "Unknown")]["percent_known"] == "[z]"
    assert by[("victims_sex", "main", "Total")]["count"] == "2083"
    assert ("victims_overlap", "main", "'=HYPERLINK(\"http://x\")") in by
    assert by[("victims_overlap", "source_types", "Police forces only")]["count"] == "7"
    assert by[("sources", "main", "Police forces")]["agencies_asked"] == "[x]"
    for line in text.splitlines():
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_table_and_markdown():
    table = render(TABLES, "table")
    assert "Victims: sex" in table and "1264" in table and "% of known" in table and "Note: Period: all." in table
    assert "By type" in table
    md = render(TABLES, "markdown")
    assert "## Victims: sex" in md and "### By type" in md
    assert "| Female | 1264 | 60.7 | 87.4 |" in md
    assert "| **Total** | **2083** | **100.0** | **[z]** |" in md
    assert "*Note:* Period: all." in md
    assert render(TABLES, "markdown") == md


def test_unknown_format():
    with pytest.raises(RenderError, match="unknown format"):
        render(TABLES, "xml")


def test_render_imports_no_pandas():
    code = "import sys, cse_audit.tables.formats; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
