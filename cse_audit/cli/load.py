"""`ingest` and `validate`: load returns, or check them without storing anything."""

from __future__ import annotations

import click

from .common import (
    DataProblems,
    _config,
    _handle_errors,
    _progress,
    _table_inputs,
    config_option,
    db_option,
    engine_option,
    format_option,
)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@db_option
@config_option
@click.option("--agency", help="Agency id for every file given (instead of matching file names).")
@click.option("--append", is_flag=True, help="Add to the agency's current return instead of superseding it.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected.")
@click.option("--no-link", is_flag=True, help="Skip linkage (people tables are not refreshed).")
@click.option("--no-tables", is_flag=True, help="Print only the load summary.")
@click.option("--jobs", "-j", type=click.IntRange(1), help="Worker processes reading files (default: one per core).")
@click.option("--show-values", is_flag=True, help="Show unrecognised values even when they may be personal.")
@engine_option
@format_option
@_handle_errors
def ingest(paths, db, config_dir, agency, append, strict, no_link, no_tables, jobs, show_values, engine, fmt):
    """Load returns (files or folders), link people, print a load summary and the tables.

    Every row of every file ends as a record or as a reported issue; a file that cannot be
    read or identified is named with the reason, and the other files still load.

    \b
    Example:
      cse-audit ingest sample_returns --db audit.duckdb
      cse-audit ingest new_returns/lancashire_2011.xlsx --db audit.duckdb --no-tables
    """
    from .. import ingest as ingest_mod
    from .. import store
    from ..ingest.summary import render_load_summary

    config = _config(config_dir)
    con = store.connect(db)
    try:
        report = ingest_mod.ingest(paths, con, config, agency_id=agency, append=append, link=not no_link,
                                   progress=_progress("Loading returns"), jobs=jobs, engine=engine)
        click.echo(render_load_summary(report, fmt, show_values))
        _echo_failures(report)
        if not no_tables and fmt != "json":
            from ..tables import build_tables, render

            click.echo(render(build_tables(con, **_table_inputs(config)), fmt), nl=False)
    finally:
        con.close()
    if report.failed:
        raise DataProblems(f"{len(report.failed)} file(s) could not be loaded (see above)")
    if strict and report.rows_rejected:
        raise DataProblems(f"{report.rows_rejected} row(s) rejected (--strict)")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@config_option
@click.option("--agency", help="Agency id for every file given.")
@click.option("--show", "show", type=int, default=50, show_default=True, help="How many issues to list.")
@click.option("--show-values", is_flag=True, help="Show cells' values in issues even when they may be personal.")
@format_option
@_handle_errors
def validate(paths, config_dir, agency, show, show_values, fmt):
    """Dry run: what would be accepted and rejected, and why. Stores nothing.

    Exits 1 when any file cannot be loaded or any row would be rejected.

    \b
    Example:
      cse-audit validate returns/
    """
    from .. import ingest as ingest_mod
    from ..ingest.summary import render_issues, render_load_summary

    config = _config(config_dir)
    report = ingest_mod.validate(paths, config, agency_id=agency, progress=_progress("Checking returns"))
    click.echo(render_load_summary(report, fmt, show_values))
    if fmt != "json":
        click.echo(render_issues(report, show, show_values, fmt))
    _echo_failures(report)
    if report.has_errors:
        raise DataProblems(f"{len(report.failed)} file(s) failed, {report.rows_rejected} row(s) rejected")


def _echo_failures(report):
    from ..config.text import clean_text  # file, sheet and header names come from the file

    for f in report.failed:
        click.echo(clean_text(f"error: {f.file_name}: {f.message}"), err=True)
    for f in report.files:
        if f.status == "skipped":
            click.echo(clean_text(f"note: {f.file_name}: {f.message}"), err=True)
