"""cse-audit: ingest, link and tabulate child sexual exploitation case returns.

The library behind the `cse-audit` command. A whole run in Python::

    import cse_audit

    config = cse_audit.load_config()                       # the shipped configs/, or a folder
    con = cse_audit.open_store("audit.duckdb")
    report = cse_audit.ingest_returns(["sample_returns"], con, config)   # loads and links
    tables = cse_audit.build_tables(con)                   # the headline tables as a dict
    cse_audit.write_report(tables, "assessment.xlsx")

Entry points (each is the function the CLI calls):
    load_config(root)                      configs/ folder -> typed Config
    open_store(path)                       the DuckDB store (created owner-only if missing)
    ingest_returns(paths, con, config)     load returns, then link people -> IngestReport
    validate_returns(paths, config)        dry run of ingest_returns -> IngestReport
    link(con, config_root)                 link victims and offenders again -> {kind: LinkResult}
    build_tables(con, ...)                 the headline tables as JSON-ready data
    build_completeness(con, agencies, cc)  completeness per agency
    write_report(tables, path)             publication workbook (.xlsx) or page (.html)
    draft_mapping(path, config)            first draft of a mapping for a new layout
    generate_returns(outdir, seed, scale)  synthetic returns with truth files

The stages, one subpackage each: config/, ingest/, linkage/, tables/, outputs/, authoring/,
synth/, plus store.py and the thin cli/. Names are imported on first use, so that
`cse-audit --help` does not pay for pandas, DuckDB or Splink.
"""

from __future__ import annotations

import importlib

# public name -> (module, attribute)
_ENTRY_POINTS = {
    "load_config": ("cse_audit.config", "load_config"),
    "open_store": ("cse_audit.store", "connect"),
    "ingest_returns": ("cse_audit.ingest.pipeline", "ingest"),
    "validate_returns": ("cse_audit.ingest.pipeline", "validate"),
    "link": ("cse_audit.ingest.pipeline", "link_all"),
    "build_tables": ("cse_audit.tables", "build_tables"),
    "build_completeness": ("cse_audit.tables", "build_completeness"),
    "write_report": ("cse_audit.outputs.report", "write_report"),
    "draft_mapping": ("cse_audit.authoring", "draft_mapping"),
    "generate_returns": ("cse_audit.synth", "generate"),
}

__all__ = sorted(_ENTRY_POINTS)


def __getattr__(name: str):
    try:
        module, attribute = _ENTRY_POINTS[name]
    except KeyError:
        raise AttributeError(f"module 'cse_audit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
