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
        from ..state.interrupts import Interrupted, caused_by_interrupt
        from ..store import StoreError

        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BaseException as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # the reader of stdout went away (`| head`): click exits quietly
            if _debug():
                raise
            if caused_by_interrupt(exc):
                # Ctrl-C, in whatever shape it surfaced: one line, exit 130 (the shell's code for SIGINT).
                what = exc.message if isinstance(exc, Interrupted) else "stopped; nothing half-written"
                click.echo(f"interrupted: {what}", err=True)
                raise click.exceptions.Exit(130) from None
            if isinstance(exc, (ConfigError, StoreError, *_library_errors())):
                raise ConfigProblem(_clean(str(exc))) from None
            if isinstance(exc, OSError):
                raise ConfigProblem(_clean(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))) from None
            if isinstance(exc, Exception):
                raise click.ClickException(_clean(f"unexpected error: {type(exc).__name__}: {exc} "
                                                  "(run with --debug for details)")) from None
            raise

    return wrapper


def _clean(message: str) -> str:
    from ..config.text import clean_text  # names from files and configs reach messages

    return clean_text(message)


# The library's own errors, by the module defining each. An exception can be one only once its module
# is loaded, so only loaded modules are asked: importing the linkage here imported pandas, which
# `ingest --no-link` refuses (load.ingest), and the error's message became an import traceback.
_LIBRARY_ERRORS = (("tables.definitions", ("TablesError",)), ("linkage.errors", ("LinkageConfigError", "LinkageError")),
                   ("outputs.report", ("ReportError",)))


def _library_errors() -> tuple:
    base = __name__.split(".")[0]
    loaded = [(sys.modules.get(f"{base}.{module}"), names) for module, names in _LIBRARY_ERRORS]
    return tuple(getattr(module, name) for module, names in loaded if module is not None for name in names)


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


def _set_verbose(ctx, param, value):
    """The library's progress log (counts and estimates, never a record's values) on stderr,
    for this command only (the handler and level are put back when it ends)."""
    if value and not ctx.meta.get("cse_audit.verbose"):
        import logging

        class _Stderr(logging.StreamHandler):
            @property
            def stream(self):  # whatever stderr is when a line is written
                return sys.stderr

            @stream.setter
            def stream(self, _value):
                pass

        ctx.meta["cse_audit.verbose"] = True
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        log = logging.getLogger("cse_audit")
        level = log.level
        log.addHandler(handler)
        log.setLevel(logging.INFO)

        def restore():
            log.removeHandler(handler)
            log.setLevel(level)

        ctx.find_root().call_on_close(restore)


def add_global_flags(command: click.Command) -> None:
    """--debug, --quiet and --verbose on the group and on every command under it, so they work
    before or after the subcommand (`cse-audit report --debug ...` as well as `cse-audit --debug
    report ...`)."""
    command.params += [
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_flag,
                     help="Show full tracebacks for errors."),
        click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, callback=_set_flag,
                     help="No messages or progress on stderr, only errors."),
        click.Option(["--verbose", "-v"], is_flag=True, expose_value=False, callback=_set_verbose,
                     help="Log what the work found on stderr (counts and estimates, e.g. the linkage's "
                          "prior and the count's range; never a record's values)."),
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
    try:
        click.echo(f"{label}...", err=True, nl=False)
        yield
    except BaseException:
        click.echo(" stopped", err=True)  # end the line: the error or interrupt message gets its own
        raise
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
    """Load the configuration folder found by the lookup order (--config, CSE_AUDIT_CONFIG, ./configs,
    the packaged defaults) and say on stderr, in one line, which one it was."""
    from ..config import load_config
    from ..config.paths import find_config_dir

    root, how = find_config_dir(config_dir)
    config = load_config(root)
    note(f"configuration: {root} ({how})")
    return config


def _store_config(config_dir, con, writes: bool = False):
    """The configuration for a command on an existing store: the one the store was built with.

    Without --config (or CSE_AUDIT_CONFIG) that is the store's recorded copy. An explicit folder
    with other contents is refused by commands that only read (their figures would silently mix
    two configurations) and, for commands that write (``writes``), used and recorded as the new
    one, saying so. A store from before configurations were recorded uses the lookup order."""
    return _load_chosen(_store_config_choice(config_dir, con, writes))


def _store_config_choice(config_dir, con, writes: bool = False) -> dict:
    """Which configuration `_store_config` takes, and its note on stderr, without loading it (a
    command that finds its result precomputed never parses the files): {"root": folder to load, or
    None for the store's recorded copy; "sha": its content hash when it is the recorded one, else
    None; "recorded"; "note"}. Refuses as _store_config does."""
    from ..config import config_files, content_hash
    from ..config.paths import find_config_dir, is_explicit
    from ..state import recorded_config

    rec = recorded_config(con)
    root, how = find_config_dir(config_dir)
    if rec is None:
        return {"root": root, "sha": None, "recorded": None, "config_dir": config_dir}
    same = root.is_dir() and content_hash(config_files(root)) == rec.sha256
    if same:
        return {"root": root, "sha": rec.sha256, "recorded": rec,
                "note": f"configuration: {root} ({how}; the one this store was built with)"}
    if is_explicit(how):
        if not writes:
            raise ConfigProblem(
                f"{root} ({how}) is not the configuration this store was built with ({rec.source}, "
                f"recorded {rec.recorded_at}); leave out --config (and unset CSE_AUDIT_CONFIG) to use the "
                "store's own, or ingest or `link run` with the new folder to record it")
        return {"root": root, "sha": None, "recorded": rec,
                "note": f"configuration: {root} ({how}); differs from the one this store was built with "
                        f"({rec.source}): it will be recorded as the store's configuration"}
    return {"root": None, "sha": rec.sha256, "recorded": rec,
            "note": f"configuration: recorded in the store (built with {rec.source}, {rec.recorded_at}); {root} "
                    f"({how}) differs and is not used (give it as --config to use it)"}


def _load_chosen(choice: dict):
    """Load the configuration `_store_config_choice` chose and print its note (after loading, as
    before: a folder that fails to load is reported instead)."""
    from ..config import load_config, materialise

    if choice["recorded"] is None:
        return _config(choice["config_dir"])  # the lookup order, as for a new store
    if choice["root"] is None:
        config = load_config(materialise(choice["recorded"].files))
        note(choice["note"])
        return config
    note(choice["note"])
    return load_config(choice["root"])


def _strict_columns(config):
    """--strict: every mapped column must be found (a missing one fails its return)."""
    import dataclasses

    return dataclasses.replace(config, settings=dataclasses.replace(config.settings, strict_columns=True))


def _require_current_linkage(con, db) -> None:
    from ..state import StaleLinkage, require_current_linkage

    try:
        require_current_linkage(con, db)
    except StaleLinkage as exc:
        raise ConfigProblem(_clean(str(exc))) from None


def _progress(label: str):
    """A progress bar on stderr, silent when stderr is not a terminal (or with --quiet)."""
    if _quiet() or not sys.stderr.isatty():
        return None
    return functools.partial(click.progressbar, label=label, file=sys.stderr, show_pos=True,
                             item_show_func=lambda item: item[0].name if item else "")


db_option = click.option("--db", default="cse_audit.duckdb", show_default=True, type=click.Path(dir_okay=False),
                         help=DB_HELP)
# Commands that only read the store never create it: they stop when it is not there.
db_read_option = click.option("--db", default="cse_audit.duckdb", show_default=True,
                              type=click.Path(dir_okay=False),
                              help="The store file, as `cse-audit ingest` made it (read only; never created here).")
# Commands that change a store but cannot start one (link run, link apply, returns restore,
# minimise): a mistyped --db, or the wrong folder, would otherwise make an empty store and report
# on it ("0 records -> 0 people", exit 0). Only `ingest` creates a store.
DB_EXISTING_HELP = "The store file, as `cse-audit ingest` made it (never created here)."
db_existing_option = click.option("--db", default="cse_audit.duckdb", show_default=True,
                                  type=click.Path(dir_okay=False), help=DB_EXISTING_HELP)


def require_store(db) -> None:
    """Stop, before any work, when the store a command would change is not there (the message
    read-only commands give, from store.connect)."""
    if not Path(db).exists():
        raise ConfigProblem(f"{db}: no store here yet (run `cse-audit ingest` first)")
config_option = click.option("--config", "config_dir", type=click.Path(file_okay=False, exists=True),
                             help="Configuration folder (default: $CSE_AUDIT_CONFIG, else ./configs, else the packaged defaults).")
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
    from ..state.tables_cache import table_inputs

    return table_inputs(config)


def period_options(fn):
    """--from / --to: only cases dated in the period (tables, completeness, report)."""
    fn = click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only cases dated on or before.")(fn)
    return click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
                        help="Only cases dated on or after.")(fn)
