"""Outputs people receive: the publication report (xlsx / HTML) and the standard return template.

    report.py    the headline tables as a workbook or a self-contained HTML page
    workbook.py  the workbook, laid out by the GSS spreadsheet guidance (cover, contents, notes, charts)
    heatmap.py   completeness by agency and field, for both (a colour-blind-safe blue scale)
    template.py  the standard data-capture workbook agencies fill in (and its mapping)
    feedback.py  the workbook sent back to one agency about its own return
    review_sheet.py  the `link review` workbook a reviewer fills in
"""

# Loaded when first asked for (PEP 562): ingest reads `template.read_marker` in its worker
# processes, and importing this package eagerly brought in the report, the feedback workbook, the
# tables and DuckDB with them (0.11 s of each worker's start-up CPU; see BENCHMARKS.md, session 13).
_FROM = {"write_feedback": "feedback", "KEY_TABLES": "report", "ReportError": "report", "write_report": "report",
         "MAPPING_NAME": "template", "dropdown_values": "template", "read_marker": "template",
         "template_mapping_yaml": "template", "write_template": "template"}

__all__ = ["KEY_TABLES", "MAPPING_NAME", "ReportError", "dropdown_values", "read_marker",
           "template_mapping_yaml", "write_feedback", "write_report", "write_template"]


def __getattr__(name: str):
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # found once
    return value
