"""`returns` and `returns restore`: what the store holds, and undoing a resubmission."""

from __future__ import annotations

import click

from .common import _handle_errors, db_option, format_option


@click.group(invoke_without_command=True)
@db_option
@format_option
@click.pass_context
@_handle_errors
def returns(ctx, db, fmt):
    """List the returns the store holds: agency, file, rows, loaded at, current or superseded.

    \b
    Example:
      cse-audit returns --db audit.duckdb
      cse-audit returns restore 12 --db audit.duckdb
    """
    if ctx.invoked_subcommand:
        return
    import json

    from .. import store
    from ..state import list_returns
    from ..tables import render_rows

    con = store.connect(db, read_only=True)
    try:
        rows = list_returns(con)
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, default=str))
    else:
        click.echo(render_rows(rows, fmt, title="Returns"))


@returns.command("restore")
@click.argument("return_id", type=int)
@db_option
@_handle_errors
def returns_restore(return_id, db):
    """Make a superseded return current again (its agency's current return becomes superseded).

    The linkage is then out of date: run `cse-audit link run` before the tables.

    \b
    Example:
      cse-audit returns restore 12 --db audit.duckdb
      cse-audit link run --db audit.duckdb
    """
    from .. import store
    from ..state import RestoreError, restore_return

    con = store.connect(db)
    try:
        replaced = restore_return(con, return_id)
    except RestoreError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        con.close()
    click.echo(f"return {return_id} is current again"
               + (f"; superseded {', '.join(map(str, replaced))}" if replaced else "")
               + f"; the linkage is out of date: run `cse-audit link run --db {db}`", err=True)
