"""`tables`, `completeness` and `report`: what the store says, as data or as a publication."""

from __future__ import annotations

import click

from .common import (
    _config,
    _handle_errors,
    _period,
    _table_inputs,
    config_option,
    db_read_option,
    format_option,
)


@click.command()
@click.argument("names", nargs=-1)
@db_read_option
@config_option
@format_option
@click.option("--publish", is_flag=True, help="Apply disclosure control (suppress counts of 1 to 5).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or before.")
@_handle_errors
def tables(names, db, config_dir, fmt, publish, date_from, date_to):
    """Print the headline tables (all, or the NAMEs given).

    \b
    Example:
      cse-audit tables --db audit.duckdb
      cse-audit tables victims_missing victims_ethnicity --format json
      cse-audit tables --publish --format csv > tables.csv
    """
    from .. import store
    from ..tables import TABLE_NAMES, build_tables, render

    unknown = [n for n in names if n not in TABLE_NAMES]
    if unknown:
        raise click.UsageError(f"unknown table(s): {', '.join(unknown)}; known: {', '.join(TABLE_NAMES)}")
    config = _config(config_dir)
    con = store.connect(db, read_only=True)
    try:
        result = build_tables(con, names=list(names) or None, period=_period(date_from, date_to),
                              publish=publish, **_table_inputs(config))
    finally:
        con.close()
    click.echo(render(result, fmt), nl=False)


@click.command()
@db_read_option
@config_option
@format_option
@click.option("--agency", help="Write the feedback workbook for this agency (with --output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Feedback workbook FILE.xlsx (with --agency).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or before.")
@_handle_errors
def completeness(db, config_dir, fmt, agency, output, date_from, date_to):
    """Completeness per agency, a summary per source type, and who has not returned yet.

    With --agency and --output, writes the feedback workbook for that one agency: its own
    problems by sheet, row and column, and nothing about any other agency.

    \b
    Example:
      cse-audit completeness --db audit.duckdb
      cse-audit completeness --db audit.duckdb --format json > completeness.json
      cse-audit completeness --agency police-lancashire --output lancashire_feedback.xlsx
    """
    from .. import store
    from ..tables import build_completeness, load_completeness_config, render_rows, write_feedback

    config = _config(config_dir)
    cconfig = load_completeness_config(config.root)
    if bool(agency) != bool(output):
        raise click.UsageError("--agency and --output go together")
    if agency and agency not in config.agencies:
        raise click.UsageError(f"no agency {agency!r} in the registry")
    con = store.connect(db, read_only=True)
    try:
        result = build_completeness(con, config.agency_list, cconfig, period=_period(date_from, date_to))
        if agency:
            row = next(r for r in result["agencies"] if r["agency"] == agency)
            n = write_feedback(con, config.agencies[agency], row, output)
            click.echo(f"wrote {output}: {n} problem(s) for {agency}", err=True)
            return
    finally:
        con.close()
    if fmt == "json":
        import json

        click.echo(json.dumps(result, indent=2, default=str))
        return
    click.echo(render_rows(result["agencies"], fmt, title="Completeness by agency"))
    if fmt == "csv":
        return
    click.echo(render_rows(result["by_source_type"], fmt, title="By source type"))
    if result["undated_records"]:
        u = result["undated_records"]
        click.echo(f"Period {result['period']['from'] or 'start'} to {result['period']['to'] or 'end'}; records "
                   f"with no case date, left out: cases {u['cases']}, victims {u['victims']}, "
                   f"offenders {u['offenders']}")
    outstanding = result["outstanding"]
    click.echo(f"Still to return ({len(outstanding)}): " + (", ".join(f"{r['name']} ({r['agency']})"
                                                                    for r in outstanding) or "none"))


@click.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="FILE.xlsx or FILE.html")
@db_read_option
@config_option
@click.option("--publish", is_flag=True, help="Apply disclosure control.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or before.")
@_handle_errors
def report(output, db, config_dir, publish, date_from, date_to):
    """Write the tables as a publication-ready workbook or a self-contained HTML page.

    \b
    Example:
      cse-audit report --output assessment.xlsx --publish
      cse-audit report --output assessment.html
    """
    from .. import store
    from ..outputs.report import write_report
    from ..tables import build_completeness, build_tables, load_completeness_config

    if not output.lower().endswith((".xlsx", ".html", ".htm")):
        raise click.UsageError("--output must end in .xlsx or .html")
    config = _config(config_dir)
    con = store.connect(db, read_only=True)
    try:
        # Published once, with this folder's rules; the report sees the tables' published flag.
        result = build_tables(con, period=_period(date_from, date_to), publish=publish, **_table_inputs(config))
        quality = build_completeness(con, config.agency_list, load_completeness_config(config.root),
                                     period=_period(date_from, date_to))
    finally:
        con.close()
    write_report(result, output, completeness=quality)
    click.echo(f"wrote {output}", err=True)
