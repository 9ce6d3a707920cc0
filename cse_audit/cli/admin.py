"""`template`, `synth` and `minimise`: the standard return, synthetic returns, data minimisation."""

from __future__ import annotations

import click

from .common import (
    _config,
    _handle_errors,
    check_choice,
    check_output,
    config_option,
    db_existing_option,
    note,
    require_store,
    status,
)


@click.command()
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
    from ..outputs.template import MAPPING_NAME, template_mapping_yaml, write_template

    if not output and not write_mapping:
        raise click.UsageError("give --output FILE.xlsx (or --write-mapping)")
    if output:
        check_output(output, (".xlsx",))
    config = _config(config_dir)
    check_choice(agency, config.agencies, "agency")
    if write_mapping:
        target = config.root / "mappings" / f"{MAPPING_NAME}.yaml"
        target.write_text(template_mapping_yaml(config), encoding="utf-8")
        note(f"wrote {target}")
    if output:
        write_template(config, output, agency)
        note(f"wrote {output}")


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--seed", default=2011, show_default=True, help="Random seed: the same seed gives the same returns.")
@click.option("--scale", default=1.0, show_default=True,
              help="Multiply the number of records (e.g. 100; at least 0.05).")
@click.option("--profile", type=click.Choice(["default", "hard"]), default="default", show_default=True,
              help="default: the shipped sample's kinds of noise; hard: what real returns also do "
                   "(undated charity ages, DOB left out, typos, children in two force areas, realistic names).")
@_handle_errors
def synth(outdir, seed, scale, profile):
    """Generate synthetic agency returns (no real data), with truth files for linkage.

    At scale 1 with the default seed the returns reproduce the CEOP 2011 figures.

    \b
    Example:
      cse-audit synth my_sample --seed 7
      cse-audit synth big --scale 100
      cse-audit synth hard --profile hard --seed 3
    """
    from ..synth import ScaleError, generate

    try:
        with status(f"Generating synthetic returns in {outdir}"):
            summary = generate(outdir, seed=seed, scale=scale, profile=profile)
    except ScaleError as exc:   # a usage error (exit 2), not an unexpected one
        raise click.BadParameter(str(exc), param_hint="'--scale'") from None
    note(f"wrote {outdir}: " + ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, (int, float, str))))
    for line in summary.get("adjusted", []):   # scaled targets a small scale could not meet
        note(f"adjusted: {line}")


@click.command()
@db_existing_option
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
    from .. import store

    require_store(db)
    if not yes:
        click.confirm(f"Remove all names and dates of birth from {db}? This cannot be undone", abort=True,
                      err=True)
    counts = store.minimise(db)
    note(f"minimised {db}: {counts['victims']} victim and {counts['offenders']} offender records, "
         f"{counts['raw_rows']} raw rows removed")


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@_handle_errors
def init(directory):
    """Start a project: an editable copy of the packaged configuration in DIRECTORY/configs.

    It includes an empty project-wide decisions file (configs/link_overrides.yaml) that its
    linkage.yaml names. Commands run in DIRECTORY then find ./configs by themselves.

    \b
    Example:
      cse-audit init my-audit && cd my-audit
      cse-audit ingest returns/ --db audit.duckdb
    """
    from ..config import init_project

    written = init_project(directory)
    note(f"wrote {written}: edit agencies.yaml and mappings/ for your agencies")
