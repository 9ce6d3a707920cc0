"""`tables`, `completeness` and `report`: what the store says, as data or as a publication."""

from __future__ import annotations

import textwrap

import click

from .common import (
    STDIO,
    _handle_errors,
    _load_chosen,
    _period,
    _require_current_linkage,
    _store_config,
    _store_config_choice,
    _table_inputs,
    check_choice,
    check_output,
    config_option,
    db_read_option,
    format_option,
    note,
    period_options,
    private_file,
    wide_option,
)


@click.command()
@click.argument("names", nargs=-1)
@db_read_option
@config_option
@format_option
@click.option("--publish", is_flag=True, help="Apply disclosure control (suppress counts of 1 to 5).")
@period_options
@wide_option
@_handle_errors
def tables(names, db, config_dir, fmt, publish, date_from, date_to, wide):
    """Print the headline tables (all, or the NAMEs given).

    \b
    Example:
      cse-audit tables --db audit.duckdb
      cse-audit tables victims_missing victims_ethnicity --format json
      cse-audit tables --publish --format csv > tables.csv
    """
    from .. import store

    if names:
        from ..tables import TABLE_NAMES

        for name in names:
            check_choice(name, TABLE_NAMES, "table")
    con = store.connect(db, read_only=True)
    try:
        choice = _store_config_choice(config_dir, con)
        # All tables, no period, not published: `link run` counted them already, if nothing changed
        # since (state/tables_cache.py); the same text, without parsing the configuration or counting.
        text = None
        if not names and not date_from and not date_to and not publish and choice["sha"]:
            from ..state.tables_cache import cached_tables

            text = cached_tables(con, choice["sha"], fmt, wide)
        if text is not None:
            note(choice["note"])
        else:
            from ..tables import build_tables, render

            config = _load_chosen(choice)
            _require_current_linkage(con, db)
            result = build_tables(con, names=list(names) or None, period=_period(date_from, date_to),
                                  publish=publish, **_table_inputs(config))
            text = render(result, fmt, None if wide else 100)
    finally:
        con.close()
    click.echo(text, nl=False)


# Completeness columns a narrow table shows first (the rest follow while they fit).
COMPLETENESS_FIRST = ["agency", "status", "cases", "victim_records", "offender_records", "score", "flag"]


@click.command()
@db_read_option
@config_option
@format_option
@click.option("--agency", help="Write the feedback workbook for this agency (with --output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Feedback workbook FILE.xlsx (with --agency).")
@period_options
@wide_option
@_handle_errors
def completeness(db, config_dir, fmt, agency, output, date_from, date_to, wide):
    """Completeness per agency, a summary per source type, and who has not returned yet.

    A return of headers and no rows is a nil return only when it says so ("Nil return", "No
    cases": nil_markers in settings.yaml, above or under the headers or in the file name);
    without those words it is an empty template (status "empty template: ask the agency"),
    listed with the outstanding returns and not counted as a response.

    With --agency and --output, writes the feedback workbook for that one agency: its own
    problems by sheet, row and column, and nothing about any other agency.

    \b
    Example:
      cse-audit completeness --db audit.duckdb
      cse-audit completeness --db audit.duckdb --format json > completeness.json
      cse-audit completeness --agency police-lancashire --output lancashire_feedback.xlsx
    """
    from .. import store
    from ..outputs import write_feedback
    from ..tables import build_completeness, load_completeness_config, render_rows

    if bool(agency) != bool(output):
        raise click.UsageError("--agency and --output go together")
    if output:
        check_output(output, (".xlsx",))
    con = store.connect(db, read_only=True)
    try:
        config = _store_config(config_dir, con)
        # No linkage check: completeness counts records and fields per agency, never people.
        cconfig = load_completeness_config(config.root)
        check_choice(agency, config.agencies, "agency")
        result = build_completeness(con, config.agency_list, cconfig, period=_period(date_from, date_to))
        if agency:
            row = next(r for r in result["agencies"] if r["agency"] == agency)
            private_file(output)  # it lists the agency's rows by case
            n = write_feedback(con, config.agencies[agency], row, output, cconfig)
            note(f"wrote {output}: {n} problem(s) for {agency}")
            return
    finally:
        con.close()
    if fmt == "json":
        import json

        click.echo(json.dumps(result, indent=2, default=str))
        return
    rows, width = result["agencies"], None if wide else 100
    columns = [c for c in COMPLETENESS_FIRST if rows and c in rows[0]] + [c for c in (rows[0] if rows else [])
                                                                          if c not in COMPLETENESS_FIRST]
    click.echo(render_rows(rows, fmt, title="Completeness by agency",
                           columns=list(rows[0]) if wide or fmt != "table" else columns, width=width))
    if fmt == "csv":
        return
    click.echo(render_rows(result["by_source_type"], fmt, title="By source type", width=width))
    # the rows above say "nil return" apart from "received"; here nil returns are part of received,
    # and a reader adding the columns across counted them twice
    click.echo("received includes the nil returns: asked = received + empty templates + not received")
    if result["undated_records"]:
        u = result["undated_records"]
        click.echo(f"Period {result['period']['from'] or 'start'} to {result['period']['to'] or 'end'}; records "
                   f"with no case date, left out: cases {u['cases']}, victims {u['victims']}, "
                   f"offenders {u['offenders']}")
    outstanding = result["outstanding"]
    # an empty template is chased differently (ask whether it means no cases): the line says which
    still = f"Still to return ({len(outstanding)}): " + (", ".join(
        f"{r['name']} ({r['agency']}" + ("" if r.get("status", "not received") == "not received" else f"; {r['status']}")
        + ")" for r in outstanding) or "none")
    click.echo(still if wide else textwrap.fill(still, width=100, break_on_hyphens=False))


@click.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="FILE.xlsx or FILE.html; - writes the HTML page to stdout.")
@db_read_option
@config_option
@click.option("--publish", is_flag=True, help="Apply disclosure control.")
@period_options
@_handle_errors
def report(output, db, config_dir, publish, date_from, date_to):
    """Write the tables as a publication-ready workbook or a self-contained HTML page.

    \b
    Example:
      cse-audit report --output assessment.xlsx --publish
      cse-audit report --output assessment.html
      cse-audit report -o - --publish > assessment.html
    """
    from .. import store
    from ..outputs.report import html_report, report_meta, write_report
    from ..tables import build_completeness, build_tables, load_completeness_config

    check_output(output, (".xlsx", ".html", ".htm"), stdout_ok=True)
    con = store.connect(db, read_only=True)
    try:
        config = _store_config(config_dir, con)
        _require_current_linkage(con, db)
        # Published once, with this folder's rules; the report sees the tables' published flag.
        result = build_tables(con, period=_period(date_from, date_to), publish=publish, **_table_inputs(config))
        quality = build_completeness(con, config.agency_list, load_completeness_config(config.root),
                                     period=_period(date_from, date_to))
    finally:
        con.close()
    if output == STDIO:
        click.echo(html_report(result, report_meta(result), quality), nl=False)
        return
    # Unpublished, it holds small counts: owner-only like every export, also over an older file
    # (the umask only sets the mode of files it creates).
    private_file(output)
    write_report(result, output, completeness=quality)
    note(f"wrote {output}")
