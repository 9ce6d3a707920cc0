"""`link run | evaluate | explain | review | apply`: linkage, its quality and reviewed decisions."""

from __future__ import annotations

import click

from .common import (
    STDIO,
    _handle_errors,
    _store_config,
    check_output,
    config_option,
    db_existing_option,
    db_read_option,
    engine_option,
    format_option,
    note,
    private_file,
    require_store,
    status,
    wide_option,
)

kind_option = click.option("--kind", type=click.Choice(["victims", "offenders"]), default="victims",
                           show_default=True, help="Which people to link.")


def _linkage_settings(config_dir, con, writes: bool = False):
    """linkage.yaml of the configuration the store was built with (see _store_config)."""
    return _store_config(config_dir, con, writes).root / "linkage.yaml"


@click.group()
def link():
    """Linkage: link again, evaluate against a truth file, explain a pair, review borderline pairs,
    export which record is which person."""


@link.command("run")
@db_existing_option
@config_option
@engine_option
@format_option
@wide_option
@_handle_errors
def link_run(db, config_dir, engine, fmt, wide):
    """(Re)link victims and offenders across all current returns (ingest does this itself).

    \b
    Example:
      cse-audit link run --db audit.duckdb
      cse-audit link run --db audit.duckdb --engine spark
    """
    import json

    from .. import store
    from ..ingest import link_all
    from ..ingest.summary import _plain, linkage_json
    from ..tables import render_rows

    require_store(db)
    con = store.connect(db)
    try:
        root = _store_config(config_dir, con, writes=True).root
        result = {kind: linkage_json(_plain(r)) for kind, r in link_all(con, root, engine, status).items()}
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, default=str))
    else:
        click.echo(render_rows([{"kind": k, **v} for k, v in result.items()], fmt, title="Linkage",
                               width=None if wide else 100))


@link.command("evaluate")
@click.option("--truth", required=True, type=click.Path(exists=True, dir_okay=False),
              help="CSV of record -> person: file_name,sheet,row_number,person_id (aliases file,sheet,row,person; "
                   "the form `link export` writes) or record_id,person_id.")
@kind_option
@db_read_option
@config_option
@format_option
@_handle_errors
def link_evaluate(truth, kind, db, config_dir, fmt):
    """Precision, recall and F1 of the linkage against a truth file (pairwise, B-cubed, exact
    clusters) and blocking recall. With --format json, one object keyed by measure.

    \b
    Example:
      cse-audit link evaluate --truth sample_returns/_truth/victims.csv --db audit.duckdb
      cse-audit link evaluate --truth reviewed.csv --format json     # columns file,sheet,row,person
    """
    from .. import store
    from ..linkage import evaluate
    from ..linkage.errors import TruthMismatchError
    from ..tables import render_rows
    from .common import DataProblems

    con = store.connect(db, read_only=True)
    try:
        with status(f"Evaluating {kind} linkage"):
            result = evaluate(con, kind, truth, config=_linkage_settings(config_dir, con))
    except TruthMismatchError as exc:
        raise DataProblems(str(exc)) from None  # the data do not fit: exit 1
    finally:
        con.close()
    if fmt == "json":
        import json

        click.echo(json.dumps(result, indent=2, default=str))
        return
    click.echo(render_rows([{"measure": k, "value": v} for k, v in result.items()], fmt, title=f"Linkage: {kind}"))


@link.command("export")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="The csv to write.")
@kind_option
@db_read_option
@_handle_errors
def link_export(output, kind, db):
    """Write which person each record belongs to: file, sheet, row, person (one row per current
    record). No names or dates of birth; `link evaluate --truth` reads the same form.

    \b
    Example:
      cse-audit link export --kind victims --output victim_persons.csv
    """
    from .. import store
    from ..linkage import export_persons

    check_output(output, (".csv",))
    con = store.connect(db, read_only=True)
    try:
        private_file(output)  # which records are one child, across agencies: owner-only, as the store
        n = export_persons(con, kind, output)
    finally:
        con.close()
    click.echo(f"wrote {output}: {n} {kind} record(s) with their person", err=True)


@link.command("explain")
@click.argument("record_a")
@click.argument("record_b")
@kind_option
@db_read_option
@config_option
@click.option("--show-values", is_flag=True, help="Also show the compared values (names, dates of birth).")
@format_option
@_handle_errors
def link_explain(record_a, record_b, kind, db, config_dir, show_values, fmt):
    """Why two records are (or are not) one person: each comparison's level and weight, and,
    when the stored outcome is not simply the pair's own score against the threshold, why
    (a reviewer's decision, the within-return guard, cannot_link_below, a join by fits, a link
    through other records...; "why:" line, `reason` in --format json).

    Record ids are as stored (see `cse-audit link review`). Names and dates of birth are shown
    only with --show-values.

    \b
    Example:
      cse-audit link explain "police-lancashire:3:Victims:12" "lscb-blackpool:9:CSE Referrals:7"
    """
    from .. import store
    from ..linkage import explain
    from ..tables import render_rows

    con = store.connect(db, read_only=True)
    try:
        e = explain(con, kind, record_a, record_b, config=_linkage_settings(config_dir, con), show_values=show_values)
    finally:
        con.close()
    if fmt == "json":
        import dataclasses
        import json

        click.echo(json.dumps(dataclasses.asdict(e), indent=2, default=str))
        return
    click.echo(render_rows(e.comparisons, fmt, title=f"{record_a}  vs  {record_b}"))
    source = (f"from the data; for {e.prior_group}: {e.prior_group_shift:+.2f} of it" if e.prior_from_data
              else f"stated in linkage.yaml; {e.prior_group}")
    click.echo(f"prior weight {e.prior_match_weight:+.2f} ({source}); total weight {e.match_weight:+.2f}; "
               f"match probability {e.match_probability:.4f}"
               f"{' (held apart: two rows of one ' + ('case of a return' if kind == 'offenders' else 'return') + ' without full names, a shared reference or one dob)' if e.held_apart_within_return else ''}; "
               f"{'a candidate pair' if e.candidate_pair else 'never compared (no blocking rule pairs them)'}; "
               f"stored as {'one person' if e.same_person else 'different people' if e.same_person is False else '?'}")
    if e.joined_by_fits is not None and e.reason != "joined_by_fits":  # else the why line says it
        # a store linked before session 10 kept only the chance that it is this one (joined_any None)
        anyone = f"chance {e.joined_any:.2f} that it is one of them, " if e.joined_any is not None else "chance "
        click.echo(f"joined by its fits: the record without a full name fits more named people than chance alone "
                   f"would give it; {anyone}{e.joined_by_fits:.2f} that it is this one, the likeliest it can be "
                   f"(see docs/tables.md)")
    if e.reason:  # the stored outcome is not simply the pair's own score against the threshold
        click.echo(f"why: {e.reason_text} [{e.reason}]")


@link.command("review")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="FILE.xlsx or FILE.csv (created readable by you only); - writes csv to stdout.")
@kind_option
@click.option("--low", type=float, help="Lowest match probability to review (default from linkage.yaml).")
@click.option("--high", type=float, help="Highest match probability to review (default from linkage.yaml).")
@db_read_option
@config_option
@_handle_errors
def link_review(output, kind, low, high, db, config_dir):
    """Export borderline pairs side by side, with a decision column to fill in (match / no-match).

    The file holds names and dates of birth: keep it as safe as the store (it is created
    readable by its owner only).

    \b
    Example:
      cse-audit link review --output review.xlsx
      cse-audit link apply review.xlsx
    """
    from .. import store
    from ..linkage import review_pairs
    from ..tables import safe_cell

    check_output(output, (".xlsx", ".csv"), stdout_ok=True)
    con = store.connect(db, read_only=True)
    try:
        with status(f"Finding {kind} pairs to review"):
            pairs = review_pairs(con, kind, low=low, high=high, config=_linkage_settings(config_dir, con))
    finally:
        con.close()
    pairs = pairs.map(safe_cell) if len(pairs) else pairs
    if output == STDIO:
        click.echo(pairs.to_csv(index=False), nl=False)
        return
    private_file(output)
    if output.lower().endswith(".csv"):
        pairs.to_csv(output, index=False)
    else:
        from ..outputs.review_sheet import write_review_workbook

        write_review_workbook(pairs, output)
    note(f"wrote {output}: {len(pairs)} pair(s) to review")


@link.command("apply")
@click.argument("reviewed", type=click.Path(exists=True, dir_okay=False))
@kind_option
@db_existing_option
@config_option
@_handle_errors
def link_apply(reviewed, kind, db, config_dir):
    """Record the decisions of a reviewed file in this store, then link again.

    The decision column holds match or no-match (blank: not decided); anything else is an error
    naming the row, and nothing is recorded. Decisions live in the store (table link_decisions):
    no other store and no file in the configuration changes.

    \b
    Example:
      cse-audit link apply review.xlsx --db audit.duckdb
    """
    from .. import store
    from ..ingest import link_all
    from ..linkage import import_decisions

    require_store(db)
    con = store.connect(db)
    try:
        root = _store_config(config_dir, con, writes=True).root
        counts = import_decisions(con, reviewed, kind)
        result = link_all(con, root, status=status)[kind]
    finally:
        con.close()
    note(f"{counts['added']} decision(s) added, {counts['changed']} changed; {kind}: "
         f"{result.persons} people from {result.records} records")


@link.command("export-decisions")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="FILE.yaml to write.")
@db_read_option
@_handle_errors
def link_export_decisions(output, db):
    """Write this store's reviewed decisions (both kinds) to an overrides YAML file.

    Name the file in configs/linkage.yaml (overrides_file) to have every store built with that
    configuration obey the decisions too. The file names records: keep it as safe as the store.

    \b
    Example:
      cse-audit link export-decisions --db audit.duckdb --output link_overrides.yaml
    """
    from .. import store
    from ..linkage import export_decisions

    check_output(output, (".yaml", ".yml"))
    con = store.connect(db, read_only=True)
    try:
        counts = export_decisions(con, output)
    finally:
        con.close()
    note(f"wrote {output}: " + ", ".join(f"{n} {k} decision(s)" for k, n in counts.items()))
