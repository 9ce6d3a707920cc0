"""What every command shares: error handling, options, output formats, progress."""

from __future__ import annotations

import errno
import functools
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

FORMATS = ["table", "markdown", "csv", "json"]
DB_HELP = "The store file (created if missing)."
STDIO = "-"  # a path of "-" means stdin (inputs) or stdout (outputs)


class DataProblems(click.ClickException):
    exit_code = 1


class ConfigProblem(click.ClickException):
    """A configuration or usage problem found while working: exit 2, one line, no usage banner
    (the banner is for mistakes in the command line itself, which click reports)."""

    exit_code = 2


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
            raise ConfigProblem(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # the reader of stdout went away (`| head`): click exits quietly
            if _debug():
                raise
            raise ConfigProblem(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None
        except Exception as exc:
            if _debug():
                raise
            raise click.ClickException(f"unexpected error: {type(exc).__name__}: {exc} "
                                       "(run with --debug for details)") from None

    return wrapper


def _library_errors():
    from ..linkage import LinkageConfigError, LinkageError
    from ..outputs import ReportError
    from ..tables import TablesError

    return TablesError, LinkageConfigError, LinkageError, ReportError


def _flag(name: str) -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(f"cse_audit.{name}"))


def _debug() -> bool:
    return _flag("debug")


def _quiet() -> bool:
    return _flag("quiet")


def _set_flag(ctx, param, value):
    if value:
        ctx.meta[f"cse_audit.{param.name}"] = True  # ctx.meta is shared by the group and its commands


def add_global_flags(command: click.Command) -> None:
    """--debug and --quiet on the group and on every command under it, so they work before or
    after the subcommand (`cse-audit report --debug ...` as well as `cse-audit --debug report ...`)."""
    command.params += [
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_flag,
                     help="Show full tracebacks for errors."),
        click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, callback=_set_flag,
                     help="No messages or progress on stderr, only errors."),
    ]
    for sub in getattr(command, "commands", {}).values():
        add_global_flags(sub)


def note(message: str) -> None:
    """A message for the person at the terminal (stderr; nothing with --quiet)."""
    if not _quiet():
        click.echo(message, err=True)


@contextmanager
def status(label: str):
    """A one-line status on stderr for a step that takes a while ("Linking victims... 12.3 s");
    silent when stderr is not a terminal or with --quiet."""
    if _quiet() or not sys.stderr.isatty():
        yield
        return
    start = time.monotonic()
    click.echo(f"{label}...", err=True, nl=False)
    try:
        yield
    finally:
        click.echo(f"\r{label}: {time.monotonic() - start:.1f} s", err=True)


def check_choice(value: str | None, known, what: str) -> None:
    """Refuse an unknown name (agency id, table name) at once, suggesting the nearest known ones."""
    if value is None or value in known:
        return
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else \
        f" (see {what}s in configs/)" if len(known) > 20 else f"; known: {', '.join(known)}"
    raise click.BadParameter(f"no {what} {value!r}{hint}")


def check_output(path: str, suffixes: tuple[str, ...], option: str = "--output", stdout_ok: bool = False) -> None:
    """Check an output path before any work: its suffix, and that its folder exists and is writable."""
    if path == STDIO:
        if stdout_ok:
            return
        raise click.BadParameter(f"this output cannot go to stdout; give a file ({'/'.join(suffixes)})",
                                 param_hint=option)
    if not path.lower().endswith(suffixes):
        raise click.BadParameter(f"{path}: must end in {' or '.join(suffixes)}", param_hint=option)
    folder = Path(path).parent
    if not folder.is_dir():
        raise click.BadParameter(f"{path}: folder {str(folder)!r} does not exist", param_hint=option)
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"{path}: cannot write in folder {str(folder)!r}", param_hint=option)


def private_file(path) -> None:
    """Create (or empty) `path` readable by its owner only, before a library writes into it: for
    every file that can hold names or dates of birth (the store itself is 0600 too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: tighten it
    finally:
        os.close(fd)


def _config(config_dir):
    from ..config import load_config

    return load_config(config_dir)


def _progress(label: str):
    """A progress bar on stderr, silent when stderr is not a terminal (or with --quiet)."""
    if _quiet() or not sys.stderr.isatty():
        return None
    return functools.partial(click.progressbar, label=label, file=sys.stderr, show_pos=True,
                             item_show_func=lambda item: item[0].name if item else "")


db_option = click.option("--db", default="cse_audit.duckdb", show_default=True, type=click.Path(dir_okay=False),
                         help=DB_HELP)
config_option = click.option("--config", "config_dir", type=click.Path(file_okay=False, exists=True),
                             help="Configuration folder (default: the project's configs/).")
engine_option = click.option("--engine", type=click.Choice(["duckdb", "spark"]),
                             help="Linkage engine (default: engine.backend in linkage.yaml; spark needs "
                                  "cse-audit[spark] and Java).")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format on stdout.")
wide_option = click.option("--wide", is_flag=True,
                           help="Show every column (by default tables are cut to fit 100 characters).")


def _period(date_from, date_to):
    if not date_from and not date_to:
        return None
    return (date_from.date() if date_from else None, date_to.date() if date_to else None)


def _table_inputs(config) -> dict:
    """The registry and tables configuration that `build_tables` needs, from one config folder."""
    return {"registry": [vars(a) for a in config.agency_list], "config": config.root / "tables.yaml"}
