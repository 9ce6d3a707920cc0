"""Outputs people receive: the publication report (xlsx / HTML) and the standard return template.

    report.py    the headline tables as a workbook or a self-contained HTML page
    workbook.py  the workbook, laid out by the GSS spreadsheet guidance (cover, contents, notes, charts)
    heatmap.py   completeness by agency and field, for both (a colour-blind-safe blue scale)
    template.py  the standard data-capture workbook agencies fill in (and its mapping)
    feedback.py  the workbook sent back to one agency about its own return
"""

from .feedback import write_feedback
from .report import KEY_TABLES, ReportError, write_report
from .template import MAPPING_NAME, dropdown_values, read_marker, template_mapping_yaml, write_template

__all__ = ["KEY_TABLES", "MAPPING_NAME", "ReportError", "dropdown_values", "read_marker",
           "template_mapping_yaml", "write_feedback", "write_report", "write_template"]
