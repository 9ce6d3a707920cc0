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
        from ..state.interrupts import Interrupted, caused_by_interrupt
        from ..store import StoreError

        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BaseException as exc:
            if _debug():
                raise
            if caused_by_interrupt(exc):
                # Ctrl-C, in whatever shape it surfaced: one line, exit 130 (the shell's code for SIGINT).
                what = exc.message if isinstance(exc, Interrupted) else "stopped; nothing half-written"
                click.echo(f"interrupted: {what}", err=True)
                raise click.exceptions.Exit(130) from None
            if isinstance(exc, (ConfigError, StoreError, *_library_errors())):
                raise click.UsageError(str(exc)) from None
            if isinstance(exc, Exception):
                raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc} "
                                           "(run with --debug for details)") from None
            raise

    return wrapper


def _library_errors():
    from ..linkage import LinkageConfigError, LinkageError
    from ..tables import TablesError

    return TablesError, LinkageConfigError, LinkageError


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug"))


def _config(config_dir):
    """Load the configuration folder found by the lookup order (--config, CSE_AUDIT_CONFIG, ./configs,
    the packaged defaults) and say on stderr, in one line, which one it was."""
    from ..config import load_config
    from ..config.paths import find_config_dir

    root, how = find_config_dir(config_dir)
    config = load_config(root)
    click.echo(f"configuration: {root} ({how})", err=True)
    return config


def _store_config(config_dir, con, writes: bool = False):
    """The configuration for a command on an existing store: the one the store was built with.

    Without --config (or CSE_AUDIT_CONFIG) that is the store's recorded copy. An explicit folder
    with other contents is refused by commands that only read (their figures would silently mix
    two configurations) and, for commands that write (``writes``), used and recorded as the new
    one, saying so. A store from before configurations were recorded uses the lookup order."""
    from ..config import config_files, content_hash, load_config, materialise
    from ..config.paths import find_config_dir, is_explicit
    from ..state import recorded_config

    rec = recorded_config(con)
    if rec is None:
        return _config(config_dir)
    root, how = find_config_dir(config_dir)
    same = root.is_dir() and content_hash(config_files(root)) == rec.sha256
    if same:
        click.echo(f"configuration: {root} ({how}; the one this store was built with)", err=True)
        return load_config(root)
    if is_explicit(how):
        if not writes:
            raise click.UsageError(
                f"{root} ({how}) is not the configuration this store was built with ({rec.source}, "
                f"recorded {rec.recorded_at}); leave out --config (and unset CSE_AUDIT_CONFIG) to use the "
                "store's own, or ingest or `link run` with the new folder to record it")
        click.echo(f"configuration: {root} ({how}); differs from the one this store was built with "
                   f"({rec.source}): it will be recorded as the store's configuration", err=True)
        return load_config(root)
    config = load_config(materialise(rec.files))
    click.echo(f"configuration: recorded in the store (built with {rec.source}, {rec.recorded_at}); {root} "
               f"({how}) differs and is not used (give it as --config to use it)", err=True)
    return config


def _strict_columns(config):
    """--strict: every mapped column must be found (a missing one fails its return)."""
    import dataclasses

    return dataclasses.replace(config, settings=dataclasses.replace(config.settings, strict_columns=True))


def _require_current_linkage(con, db) -> None:
    from ..state import StaleLinkage, require_current_linkage

    try:
        require_current_linkage(con, db)
    except StaleLinkage as exc:
        raise click.UsageError(str(exc)) from None


def _progress(label: str):
    """A progress bar on stderr, silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return None
    return functools.partial(click.progressbar, label=label, file=sys.stderr, show_pos=True,
                             item_show_func=lambda item: item[0].name if item else "")


db_option = click.option("--db", default="cse_audit.duckdb", show_default=True, type=click.Path(dir_okay=False),
                         help=DB_HELP)
config_option = click.option("--config", "config_dir", type=click.Path(file_okay=False, exists=True),
                             help="Configuration folder (default: $CSE_AUDIT_CONFIG, else ./configs, else the packaged defaults).")
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
