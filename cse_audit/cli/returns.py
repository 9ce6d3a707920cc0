"""`returns` and `returns restore`: what the store holds, and undoing a resubmission."""

from __future__ import annotations

import click

from .common import (
    DB_EXISTING_HELP,
    ConfigProblem,
    _handle_errors,
    db_read_option,
    format_option,
    require_store,
    wide_option,
)


@click.group(invoke_without_command=True)
@db_read_option
@format_option
@wide_option
@click.pass_context
@_handle_errors
def returns(ctx, db, fmt, wide):
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
        # cut to 100 characters like every other table (the sample's rows were 189 wide)
        click.echo(render_rows(rows, fmt, title="Returns", width=None if wide else 100))


@returns.command("restore")
@click.argument("return_id", type=int)
# No default of its own: `cse-audit returns --db X restore 12` restores in X (the --db given
# before `restore`), not in ./cse_audit.duckdb.
@click.option("--db", type=click.Path(dir_okay=False),
              help=DB_EXISTING_HELP[:-1] + "; default: the --db given before `restore`, else cse_audit.duckdb.")
@click.pass_context
@_handle_errors
def returns_restore(ctx, return_id, db):
    """Make a superseded return current again (its agency's current return becomes superseded).

    The linkage is then out of date: run `cse-audit link run` before the tables.

    \b
    Example:
      cse-audit returns restore 12 --db audit.duckdb
      cse-audit link run --db audit.duckdb
    """
    from .. import store
    from ..state import RestoreError, restore_return

    db = db or ctx.parent.params["db"]
    require_store(db)
    con = store.connect(db)
    try:
        replaced = restore_return(con, return_id)
    except RestoreError as exc:
        # about this store's returns, not the command line: one line, no usage banner (README)
        raise ConfigProblem(str(exc)) from None
    finally:
        con.close()
    click.echo(f"return {return_id} is current again"
               + (f"; superseded {', '.join(map(str, replaced))}" if replaced else "")
               + f"; the linkage is out of date: run `cse-audit link run --db {db}`", err=True)
