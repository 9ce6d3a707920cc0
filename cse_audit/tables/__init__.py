"""Headline tables, disclosure control, output formats and completeness per agency.

From the store to what is published: `build_tables` counts the headline tables (contract:
docs/tables.md), `publish` applies disclosure control, `render` / `render_rows` print tables and
flat rows as table, markdown, csv or json, and `build_completeness` scores each agency's return
(`agency_feedback`: one agency's own issues, for its feedback workbook in outputs/).

Modules: definitions (names, code lists, configuration loaders), period, counting (rows,
percentages, bands), relations (the store's SQL: one relation of people per kind), headline and
groups (the table builders), build (`build_tables`), disclosure, formats, completeness.
Every public name is re-exported here: import from `cse_audit.tables`.
"""

from .build import build_tables
from .completeness import (
    SOURCE_LABELS,
    STATUS_EMPTY,
    STATUS_NIL,
    STATUS_NOT_RECEIVED,
    STATUS_RECEIVED,
    STATUS_REPLACED,
    CompletenessConfig,
    agency_feedback,
    build_completeness,
    load_completeness_config,
)
from .counting import percent
from .definitions import (
    DEFAULT_CONFIG,
    ETHNICITY,
    MARKER_KEY,
    MISSING,
    MISSING_FROM,
    MIXED_GROUP,
    OVERLAP,
    SEX,
    SOURCE_COLUMNS,
    SOURCE_TYPES,
    TABLE_NAMES,
    UNKNOWN,
    YES_NO,
    TablesError,
    load_config,
    load_registry,
)
from .disclosure import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED, publish
from .formats import (
    FORMATS,
    HEADERS,
    ROW_FORMATS,
    Block,
    RenderError,
    blocks,
    cell_text,
    render,
    render_rows,
    safe_cell,
    table_blocks,
)
from .groups import offender_group_components
from .period import parse_period, period_json, period_text

__all__ = [
    # build, definitions, period, counting, groups: the headline tables
    "build_tables", "TABLE_NAMES", "TablesError", "load_config", "load_registry", "DEFAULT_CONFIG",
    "SOURCE_TYPES", "SOURCE_COLUMNS", "UNKNOWN", "ETHNICITY", "SEX", "MISSING", "MISSING_FROM", "YES_NO",
    "OVERLAP", "MIXED_GROUP", "MARKER_KEY", "parse_period", "period_json", "period_text", "percent",
    "offender_group_components",
    # disclosure
    "publish", "SUPPRESSED", "NOT_AVAILABLE", "NOT_APPLICABLE",
    # formats
    "render", "render_rows", "FORMATS", "ROW_FORMATS", "HEADERS", "RenderError", "safe_cell", "Block", "blocks",
    "cell_text", "table_blocks",
    # completeness
    "build_completeness", "load_completeness_config", "CompletenessConfig",
    "agency_feedback", "SOURCE_LABELS", "STATUS_NOT_RECEIVED", "STATUS_NIL", "STATUS_EMPTY", "STATUS_RECEIVED",
    "STATUS_REPLACED",
]
