"""What every command shares: error handling, options, output formats, progress."""

from __future__ import annotations

import functools
import sys

import click

FORMATS = ["table", "markdown", "csv", "json"]
DB_HELP = "The store file (created if missing)."


class DataProblems(click.ClickException):
    exit_code = 1


def _handle_errors(fn):
    """Library exceptions become one-line messages (exit 2); --debug shows the traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..config import ConfigError
        from ..store import StoreError

        try:
            return fn(*args, **kwargs)
        except (ConfigError, StoreError, *_library_errors()) as exc:
            if _debug():
                raise
            raise click.UsageError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if _debug():
                raise
            raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc} "
                                       "(run with --debug for details)") from None

    return wrapper


def _library_errors():
    from ..linkage import LinkageConfigError, LinkageError
    from ..tables import TablesError

    return TablesError, LinkageConfigError, LinkageError


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug"))


def _config(config_dir):
    from ..config import load_config

    return load_config(config_dir)


def _progress(label: str):
    """A progress bar on stderr, silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    return functools.partial(click.progressbar, label=label, file=sys.stderr, show_pos=True,
                             item_show_func=lambda item: item[0].name if item else "")


db_option = click.option("--db", default="cse_audit.duckdb", show_default=True, type=click.Path(dir_okay=False),
                         help=DB_HELP)
# Commands that only read the store never create it: they stop when it is not there.
db_read_option = click.option("--db", default="cse_audit.duckdb", show_default=True,
                              type=click.Path(dir_okay=False),
                              help="The store file, as `cse-audit ingest` made it (read only; never created here).")
config_option = click.option("--config", "config_dir", type=click.Path(file_okay=False, exists=True),
                             help="Configuration folder (default: the project's configs/).")
engine_option = click.option("--engine", type=click.Choice(["duckdb", "spark"]),
                             help="Linkage engine (default: engine.backend in linkage.yaml; spark needs "
                                  "cse-audit[spark] and Java).")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format on stdout.")


def _period(date_from, date_to):
    if not date_from and not date_to:
        return None
    return (date_from.date() if date_from else None, date_to.date() if date_to else None)


def _table_inputs(config) -> dict:
    """The registry and tables configuration that `build_tables` needs, from one config folder."""
    return {"registry": [vars(a) for a in config.agency_list], "config": config.root / "tables.yaml"}
