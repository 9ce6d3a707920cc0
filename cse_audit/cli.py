"""The `cse-audit` command line: parse options, call the library, turn errors into messages.

Data goes to stdout; messages and progress go to stderr. Exit codes: 0 ok, 1 data problems
(validate; ingest with files that could not be loaded, or rejected rows under --strict),
2 usage or configuration errors. Heavy libraries are imported inside commands so that
`cse-audit --help` starts fast.
"""

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
        from .config import ConfigError
        from .store import StoreError

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
    from .linkage import LinkageConfigError, LinkageError
    from .tables import TablesError

    return TablesError, LinkageConfigError, LinkageError


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("debug"))


def _config(config_dir):
    from .config import load_config

    return load_config(config_dir)


def _progress(label: str):
    """A progress bar on stderr, silent when stderr is not a terminal."""
    if not sys.stderr.isatty():
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.version_option(package_name="cse-audit")
def cli(debug):
    """Ingest, link and tabulate child sexual exploitation case returns.

    \b
    Quick start:
      cse-audit ingest sample_returns --db audit.duckdb
      cse-audit tables --db audit.duckdb --format markdown
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@db_option
@config_option
@click.option("--agency", help="Agency id for every file given (instead of matching file names).")
@click.option("--append", is_flag=True, help="Add to the agency's current return instead of superseding it.")
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected.")
@click.option("--no-link", is_flag=True, help="Skip linkage (people tables are not refreshed).")
@click.option("--no-tables", is_flag=True, help="Print only the load summary.")
@click.option("--jobs", "-j", type=click.IntRange(1), help="Worker processes reading files (default: one per core).")
@engine_option
@format_option
@_handle_errors
def ingest(paths, db, config_dir, agency, append, strict, no_link, no_tables, jobs, engine, fmt):
    """Load returns (files or folders), link people, print a load summary and the tables.

    Every row of every file ends as a record or as a reported issue; a file that cannot be
    read or identified is named with the reason, and the other files still load.

    \b
    Example:
      cse-audit ingest sample_returns --db audit.duckdb
      cse-audit ingest new_returns/lancashire_2011.xlsx --db audit.duckdb --no-tables
    """
    from . import ingest as ingest_mod
    from . import store
    from .summary import render_load_summary

    config = _config(config_dir)
    con = store.connect(db)
    try:
        report = ingest_mod.ingest(paths, con, config, agency_id=agency, append=append, link=not no_link,
                                   progress=_progress("Loading returns"), jobs=jobs, engine=engine)
        click.echo(render_load_summary(report, fmt))
        _echo_failures(report)
        if not no_tables and fmt != "json":
            from .render import render
            from .tables import build_tables

            click.echo(render(build_tables(con, **_table_inputs(config)), fmt), nl=False)
    finally:
        con.close()
    if report.failed:
        raise DataProblems(f"{len(report.failed)} file(s) could not be loaded (see above)")
    if strict and report.rows_rejected:
        raise DataProblems(f"{report.rows_rejected} row(s) rejected (--strict)")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False))
@config_option
@click.option("--agency", help="Agency id for every file given.")
@click.option("--show", "show", type=int, default=50, show_default=True, help="How many issues to list.")
@format_option
@_handle_errors
def validate(paths, config_dir, agency, show, fmt):
    """Dry run: what would be accepted and rejected, and why. Stores nothing.

    Exits 1 when any file cannot be loaded or any row would be rejected.

    \b
    Example:
      cse-audit validate returns/
    """
    from . import ingest as ingest_mod
    from .summary import render_issues, render_load_summary

    config = _config(config_dir)
    report = ingest_mod.validate(paths, config, agency_id=agency, progress=_progress("Checking returns"))
    click.echo(render_load_summary(report, fmt))
    if fmt != "json":
        click.echo(render_issues(report, show))
    _echo_failures(report)
    if report.has_errors:
        raise DataProblems(f"{len(report.failed)} file(s) failed, {report.rows_rejected} row(s) rejected")


def _echo_failures(report):
    for f in report.failed:
        click.echo(f"error: {f.file_name}: {f.message}", err=True)
    for f in report.files:
        if f.status == "skipped":
            click.echo(f"note: {f.file_name}: {f.message}", err=True)


@cli.command()
@click.argument("names", nargs=-1)
@db_option
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
    from . import store
    from .render import render
    from .tables import TABLE_NAMES, build_tables

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


def _period(date_from, date_to):
    if not date_from and not date_to:
        return None
    return (date_from.date() if date_from else None, date_to.date() if date_to else None)


def _table_inputs(config) -> dict:
    """The registry and tables configuration that `build_tables` needs, from one config folder."""
    return {"registry": [vars(a) for a in config.agency_list], "config": config.root / "tables.yaml"}


@cli.command()
@db_option
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
    from . import store
    from .completeness import build_completeness, load_completeness_config, write_feedback
    from .render import render_rows

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


@cli.command()
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="FILE.xlsx or FILE.html")
@db_option
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
    from . import store
    from .completeness import build_completeness, load_completeness_config
    from .report import write_report
    from .tables import build_tables

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


@cli.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="The workbook to write (FILE.xlsx).")
@click.option("--agency", help="Fill in this agency's id, so its return is recognised on ingest.")
@click.option("--write-mapping", is_flag=True,
              help="Regenerate configs/mappings/standard-template.yaml from configs/schema.yaml.")
@config_option
@_handle_errors
def template(output, agency, write_mapping, config_dir):
    """Write the standard data-capture workbook agencies can fill in.

    It has an Instructions sheet, Cases / Victims / Offenders sheets with drop-down lists from
    the code lists, and ingests with no mapping work.

    \b
    Example:
      cse-audit template --output cse_return_template.xlsx
      cse-audit template --output lancashire.xlsx --agency police-lancashire
    """
    from .template import MAPPING_NAME, template_mapping_yaml, write_template

    config = _config(config_dir)
    if write_mapping:
        target = config.root / "mappings" / f"{MAPPING_NAME}.yaml"
        target.write_text(template_mapping_yaml(config), encoding="utf-8")
        click.echo(f"wrote {target}", err=True)
    if output:
        if not output.lower().endswith(".xlsx"):
            raise click.UsageError("--output must end in .xlsx")
        if agency and agency not in config.agencies:
            raise click.UsageError(f"no agency {agency!r} in the registry")
        write_template(config, output, agency)
        click.echo(f"wrote {output}", err=True)
    if not output and not write_mapping:
        raise click.UsageError("give --output FILE.xlsx (or --write-mapping)")


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--seed", default=2011, show_default=True, help="Random seed: the same seed gives the same returns.")
@click.option("--scale", default=1.0, show_default=True, help="Multiply the number of records (e.g. 100).")
@_handle_errors
def synth(outdir, seed, scale):
    """Generate synthetic agency returns (no real data), with truth files for linkage.

    At scale 1 with the default seed the returns reproduce the CEOP 2011 figures.

    \b
    Example:
      cse-audit synth my_sample --seed 7
      cse-audit synth big --scale 100
    """
    from .synth import generate

    summary = generate(outdir, seed=seed, scale=scale)
    click.echo(f"wrote {outdir}: " + ", ".join(f"{k} {v}" for k, v in summary.items()
                                                if isinstance(v, (int, float, str))), err=True)


@cli.command()
@db_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_handle_errors
def minimise(db, yes):
    """Remove names, initials, dates of birth and raw rows from the store, after linkage.

    Person ids, ages and every table stay as they were; the store then takes no more returns
    (new records could not be linked without the names). The file is rewritten so that the
    removed values do not linger in it.

    \b
    Example:
      cse-audit minimise --db audit.duckdb --yes
    """
    from pathlib import Path

    from . import store

    if not Path(db).exists():
        raise click.UsageError(f"{db}: no store here")
    if not yes:
        click.confirm(f"Remove all names and dates of birth from {db}? This cannot be undone", abort=True,
                      err=True)
    counts = store.minimise(db)
    click.echo(f"minimised {db}: {counts['victims']} victim and {counts['offenders']} offender records, "
               f"{counts['raw_rows']} raw rows removed", err=True)


@cli.group()
def mapping():
    """Draft a mapping for a new layout, and check a mapping against a file."""


@mapping.command("draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the draft here (e.g. configs/mappings/NAME.yaml); default: print it.")
@click.option("--name", help="The mapping's name (default: from --output or the file name).")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@config_option
@format_option
@_handle_errors
def mapping_draft(file, output, name, force, config_dir, fmt):
    """Draft the YAML mapping for a return in a layout never seen before.

    Every choice is commented with its evidence and a confidence; what could not be decided is
    marked TODO, and the loader refuses the mapping until a person decides. No names or dates
    of birth are printed.

    \b
    Example:
      cse-audit mapping draft new_return.xlsx
      cse-audit mapping draft new_return.xlsx --output configs/mappings/police-new.yaml
    """
    from .draft import draft_command

    text, data = draft_command(file, _config(config_dir), output=output, name=name, force=force)
    _echo_result(text, data, fmt)


@mapping.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping_name", required=True, help="A mapping name in configs/mappings, or a .yaml path.")
@click.option("--agency", help="Agency id (for values taken from the registry).")
@config_option
@format_option
@_handle_errors
def mapping_check(file, mapping_name, agency, config_dir, fmt):
    """Apply a mapping to one file: per field, how many values mapped, became Unknown, or were
    not recognised. Stores nothing and prints no personal data.

    \b
    Example:
      cse-audit mapping check new_return.xlsx --mapping police-new
    """
    from .draft import check_command

    text, data = check_command(file, mapping_name, _config(config_dir), agency_id=agency)
    _echo_result(text, data, fmt)
    if data.get("error"):
        raise DataProblems(data["error"])


def _echo_result(text: str, data: dict, fmt: str) -> None:
    if fmt == "json":
        import json

        click.echo(json.dumps(data, indent=2, default=str))
    else:
        click.echo(text, nl=not text.endswith("\n"))


kind_option = click.option("--kind", type=click.Choice(["victims", "offenders"]), default="victims",
                           show_default=True, help="Which people to link.")


def _linkage_settings(config_dir):
    return _config(config_dir).root / "linkage.yaml"


@cli.group()
def link():
    """Linkage: evaluate against a truth file, explain a pair, review borderline pairs."""


@link.command("run")
@db_option
@config_option
@engine_option
@format_option
@_handle_errors
def link_run(db, config_dir, engine, fmt):
    """(Re)link victims and offenders across all current returns (ingest does this itself).

    \b
    Example:
      cse-audit link run --db audit.duckdb
      cse-audit link run --db audit.duckdb --engine spark
    """
    import json

    from . import store
    from .ingest import link_all
    from .render import render_rows
    from .summary import _plain

    con = store.connect(db)
    try:
        result = {kind: _plain(r) for kind, r in link_all(con, _config(config_dir).root, engine).items()}
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        click.echo(render_rows([{"kind": k, **v} for k, v in result.items()], fmt, title="Linkage"))


@link.command("evaluate")
@click.option("--truth", required=True, type=click.Path(exists=True, dir_okay=False),
              help="CSV of record -> person (file_name,sheet,row_number,person_id or record_id,person_id).")
@kind_option
@db_option
@config_option
@format_option
@_handle_errors
def link_evaluate(truth, kind, db, config_dir, fmt):
    """Precision, recall and F1 of the linkage against a truth file.

    \b
    Example:
      cse-audit link evaluate --truth sample_returns/_truth/victims.csv --db audit.duckdb
    """
    from . import store
    from .linkage import evaluate
    from .render import render_rows

    con = store.connect(db, read_only=True)
    try:
        result = evaluate(con, kind, truth, config=_linkage_settings(config_dir))
    finally:
        con.close()
    click.echo(render_rows([{"measure": k, "value": v} for k, v in result.items()], fmt, title=f"Linkage: {kind}"))


@link.command("explain")
@click.argument("record_a")
@click.argument("record_b")
@kind_option
@db_option
@config_option
@click.option("--show-values", is_flag=True, help="Also show the compared values (names, dates of birth).")
@format_option
@_handle_errors
def link_explain(record_a, record_b, kind, db, config_dir, show_values, fmt):
    """Why two records are (or are not) one person: each comparison's level and weight.

    Record ids are as stored (see `cse-audit link review`). Names and dates of birth are shown
    only with --show-values.

    \b
    Example:
      cse-audit link explain "police-lancashire:3:Victims:12" "lscb-blackpool:9:CSE Referrals:7"
    """
    from . import store
    from .linkage import explain
    from .render import render_rows

    con = store.connect(db, read_only=True)
    try:
        e = explain(con, kind, record_a, record_b, config=_linkage_settings(config_dir), show_values=show_values)
    finally:
        con.close()
    if fmt == "json":
        import dataclasses
        import json

        click.echo(json.dumps(dataclasses.asdict(e), indent=2, default=str))
        return
    click.echo(render_rows(e.comparisons, fmt, title=f"{record_a}  vs  {record_b}"))
    click.echo(f"prior weight {e.prior_match_weight:+.2f}; total weight {e.match_weight:+.2f}; "
               f"match probability {e.match_probability:.4f}; "
               f"{'a candidate pair' if e.candidate_pair else 'never compared (no blocking rule pairs them)'}; "
               f"stored as {'one person' if e.same_person else 'different people' if e.same_person is False else '?'}")


@link.command("review")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="FILE.xlsx or FILE.csv")
@kind_option
@click.option("--low", type=float, help="Lowest match probability to review (default from linkage.yaml).")
@click.option("--high", type=float, help="Highest match probability to review (default from linkage.yaml).")
@db_option
@config_option
@_handle_errors
def link_review(output, kind, low, high, db, config_dir):
    """Export borderline pairs side by side, with a decision column to fill in (match / no-match).

    The file holds names and dates of birth: keep it as safe as the store.

    \b
    Example:
      cse-audit link review --output review.xlsx
      cse-audit link apply review.xlsx
    """
    from . import store
    from .linkage import review_pairs
    from .render import safe_cell

    con = store.connect(db, read_only=True)
    try:
        pairs = review_pairs(con, kind, low=low, high=high, config=_linkage_settings(config_dir))
    finally:
        con.close()
    pairs = pairs.map(safe_cell) if len(pairs) else pairs
    if output.lower().endswith(".csv"):
        pairs.to_csv(output, index=False)
    else:
        pairs.to_excel(output, index=False, sheet_name="Review")
    click.echo(f"wrote {output}: {len(pairs)} pair(s) to review", err=True)


@link.command("apply")
@click.argument("reviewed", type=click.Path(exists=True, dir_okay=False))
@kind_option
@db_option
@config_option
@_handle_errors
def link_apply(reviewed, kind, db, config_dir):
    """Record the decisions of a reviewed file so every later run obeys them, then relink.

    \b
    Example:
      cse-audit link apply review.xlsx
    """
    from . import store
    from .ingest import link_all
    from .linkage import apply_overrides

    root = _config(config_dir).root
    counts = apply_overrides(reviewed, kind, config=root / "linkage.yaml")
    con = store.connect(db)
    try:
        result = link_all(con, root)[kind]
    finally:
        con.close()
    click.echo(f"{counts['added']} decision(s) added, {counts['changed']} changed; {kind}: "
               f"{result.persons} people from {result.records} records", err=True)


def main():
    cli(prog_name="cse-audit")


if __name__ == "__main__":
    main()
