"""`ingest` and `validate`: load returns, or check them without storing anything."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from .common import (
    STDIO,
    DataProblems,
    _config,
    _handle_errors,
    _progress,
    _store_config,
    _strict_columns,
    _table_inputs,
    check_choice,
    config_option,
    db_option,
    engine_option,
    format_option,
    note,
    status,
    wide_option,
)

ISSUES_SHOWN = 20  # issues listed after ingest's load summary
paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))


@click.command()
@paths_argument
@db_option
@config_option
@click.option("--agency", help="Agency id for every file given (instead of matching file names).")
@click.option("--append", is_flag=True, help="Add to the agency's current return instead of superseding it.")
@click.option("--strict", is_flag=True, help="Store nothing, exit 1, when any file fails, any row is rejected or "
                                          "any mapped column is missing.")
@click.option("--no-link", is_flag=True, help="Skip linkage (people tables are not refreshed).")
@click.option("--tables", "show_tables", is_flag=True, help="Also print the headline tables after the summary.")
@click.option("--no-tables", is_flag=True, hidden=True, help="The default now; kept so old scripts still run.")
@click.option("--jobs", "-j", type=click.IntRange(1), help="Processes reading files, this one included (default: the cores other work leaves free; "
              "1: this one only).")
@click.option("--show-values", is_flag=True, help="Show unrecognised values even when they may be personal.")
@engine_option
@format_option
@wide_option
@_handle_errors
def ingest(paths, db, config_dir, agency, append, strict, no_link, show_tables, no_tables, jobs, show_values,
           engine, fmt, wide):
    """Load returns (files or folders; - reads one from stdin), link people, print the load summary.

    Every row of every file ends as a record or as a reported issue; a file that cannot be
    read or identified is named with the reason, and the other files still load. The summary
    ends with the first issues (`cse-audit validate` lists them all); --tables adds the
    headline tables (or run `cse-audit tables`).

    \b
    Example:
      cse-audit ingest sample_returns --db audit.duckdb
      cse-audit ingest new_returns/lancashire_2011.xlsx --db audit.duckdb --tables
      cat return.csv | cse-audit ingest - --agency police-lancashire
    """
    from .. import ingest as ingest_mod
    from .. import store
    from ..ingest.summary import render_issues, render_load_summary

    width = None if wide else 100
    new_store = not Path(db).exists()
    with _inputs(paths, agency) as files:
        con = store.connect(db)
        try:
            config = _store_config(config_dir, con, writes=True)
            try:
                check_choice(agency, config.agencies, "agency")
            except click.BadParameter:
                if new_store:
                    con.close()
                    _remove_store(db)
                raise
            if strict:
                config = _strict_columns(config)
            report = ingest_mod.ingest(files, con, config, agency_id=agency, append=append, link=not no_link,
                                       progress=_progress("Loading returns"), jobs=jobs, engine=engine,
                                       strict=strict, status=status)
            click.echo(render_load_summary(report, fmt, width, show_values))
            rest = f"all of them: cse-audit validate {' '.join(paths)} --format csv"
            issues = render_issues(report, ISSUES_SHOWN, width=width, rest=rest, show_values=show_values)
            if fmt in ("table", "markdown"):
                click.echo(issues)
            else:
                note(issues)  # csv / json on stdout stay parseable
            _echo_failures(report)
            if show_tables and fmt != "json" and report.stored:
                from ..state import StaleLinkage, require_current_linkage
                from ..tables import build_tables, render

                try:
                    require_current_linkage(con, db)
                except StaleLinkage as exc:  # e.g. --no-link: never count records as people
                    note(f"tables not printed: {exc}")
                else:
                    click.echo(render(build_tables(con, **_table_inputs(config)), fmt, width), nl=False)
        finally:
            con.close()
    if not report.stored:
        if new_store:
            _remove_store(db)
        raise DataProblems(f"nothing stored (--strict): {len(report.failed)} file(s) failed, "
                           f"{report.rows_rejected} row(s) would be rejected")
    if report.failed:
        raise DataProblems(f"{len(report.failed)} file(s) could not be loaded (see above)")


@click.command()
@paths_argument
@config_option
@click.option("--agency", help="Agency id for every file given.")
@click.option("--show", "show", type=click.IntRange(0), help="List only the first N issues (table format).")
@click.option("--strict", is_flag=True, help="A missing mapped column fails its return (not only key fields).")
@click.option("--show-values", is_flag=True, help="Show cells' values in issues even when they may be personal.")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "csv", "json", "jsonl"]), default="table",
              show_default=True, help="Format of the issue rows on stdout.")
@click.option("--summary", is_flag=True, help="Print the load summary (one row per file) as the data instead.")
@wide_option
@_handle_errors
def validate(paths, config_dir, agency, show, strict, show_values, fmt, summary, wide):
    """Dry run: what would be accepted and rejected, and why. Stores nothing.

    stdout carries the issues, one row each (file, sheet, row, column, severity, kind,
    message), in the format asked for; the load summary goes to stderr (or, with --summary,
    to stdout instead of the issues). A path of - reads
    one return from stdin. Exits 1 when any file cannot be loaded or any row would be
    rejected.

    \b
    Example:
      cse-audit validate returns/
      cse-audit validate returns/ --format csv > issues.csv
      cat return.csv | cse-audit validate - --agency police-lancashire --format jsonl
    """
    from .. import ingest as ingest_mod
    from ..ingest.summary import render_issues, render_load_summary

    config = _config(config_dir)
    check_choice(agency, config.agencies, "agency")
    if strict:
        config = _strict_columns(config)
    width = None if wide else 100
    with _inputs(paths, agency) as files:
        report = ingest_mod.validate(files, config, agency_id=agency, progress=_progress("Checking returns"))
    if summary:
        click.echo(render_load_summary(report, "json" if fmt == "jsonl" else fmt, width, show_values))
    else:
        note(render_load_summary(report, "table", width, show_values))
        click.echo(render_issues(report, show, fmt, width, show_values=show_values))
    _echo_failures(report)
    if report.has_errors:
        raise DataProblems(f"{len(report.failed)} file(s) failed, {report.rows_rejected} row(s) rejected")


def _echo_failures(report):
    from ..config.text import clean_text  # file, sheet and header names come from the file

    for f in report.failed:
        click.echo(clean_text(f"error: {f.file_name}: {f.message}"), err=True)
    for f in report.files:
        if f.status == "skipped":
            note(clean_text(f"note: {f.file_name}: {f.message}"))


@contextmanager
def _inputs(paths: tuple[str, ...], agency: str | None):
    """The paths, with `-` replaced by a private temporary copy of stdin (named stdin.csv,
    .xlsx, .xls or .ods after its first bytes, since there is no file name to go by)."""
    if STDIO not in paths:
        yield list(paths)
        return
    import sys
    import tempfile

    if paths.count(STDIO) > 1:
        raise click.BadParameter("stdin (-) can be given once", param_hint="PATHS")
    data = sys.stdin.buffer.read()
    if not data:
        raise click.BadParameter("nothing on stdin (-)", param_hint="PATHS")
    suffix = _suffix_of(data)
    if not agency and suffix != ".xlsx":
        raise click.BadParameter("give --agency for a return read from stdin (there is no file name "
                                 "to recognise it by)", param_hint="--agency")
    with tempfile.TemporaryDirectory(prefix="cse-audit-") as tmp:  # created mode 700
        copy = Path(tmp) / f"stdin{suffix}"
        copy.write_bytes(data)
        yield [str(copy) if p == STDIO else p for p in paths]


def _suffix_of(data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ".xls"
    if data.startswith(b"PK\x03\x04"):
        return ".ods" if b"application/vnd.oasis.opendocument" in data[:200] else ".xlsx"
    return ".csv"


def _remove_store(db: str) -> None:
    """A store this run created and left empty (strict failure) goes again."""
    for path in (Path(db), Path(f"{db}.wal")):
        path.unlink(missing_ok=True)
