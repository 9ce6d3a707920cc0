"""`mapping draft` and `mapping check`: write and test the mapping for a new layout."""

from __future__ import annotations

import click

from .common import DataProblems, _config, _handle_errors, config_option

# Each prints one document, or its data as JSON: the tables' formats (table, markdown, csv) were
# offered here and each printed the same text as the default.
draft_format_option = click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
                                   show_default=True, help="yaml: the draft itself; json: its choices as data.")
check_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                                   show_default=True, help="text: the report; json: the same as data.")


@click.group()
def mapping():
    """Draft a mapping for a new layout, and check a mapping against a file."""


@mapping.command("draft")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--output", "-o", type=click.Path(),
              help="Write the draft here (one file: e.g. configs/mappings/NAME.yaml; a folder or several "
                   "files: a folder, one NAME.yaml per layout); default: print it.")
@click.option("--name", help="The mapping's name, for one file (default: from --output or the file name).")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@config_option
@draft_format_option
@_handle_errors
def mapping_draft(paths, output, name, force, config_dir, fmt):
    """Draft the YAML mapping for returns in a layout never seen before.

    Give one file, or a folder (or several files): then the returns are grouped by layout (same
    sheets and headers) and one mapping is drafted per layout from the rows of all its files; a nil
    return joins its layout's group, and each file is listed against the mapping it will use.
    Every choice is commented with its evidence and a confidence; what could not be decided is
    marked TODO, and the loader refuses the mapping until a person decides. No names or dates
    of birth are printed.

    \b
    Example:
      cse-audit mapping draft new_return.xlsx
      cse-audit mapping draft new_return.xlsx --output configs/mappings/police-new.yaml
      cse-audit mapping draft new_returns/ --output drafts/
    """
    from pathlib import Path

    from ..authoring import draft_command, folder_command

    if len(paths) == 1 and Path(paths[0]).is_file():
        text, data = draft_command(paths[0], _config(config_dir), output=output, name=name, force=force)
    else:
        if name:
            raise click.UsageError("--name is for one file; a folder's drafts are named by layout")
        text, data = folder_command(list(paths), _config(config_dir), output=output, force=force)
    _echo_result(text, data, fmt)


@mapping.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", "mapping_name", required=True, help="A mapping name in configs/mappings, or a .yaml path.")
@click.option("--agency", help="Agency id (for values taken from the registry).")
@click.option("--show-values", is_flag=True, help="Show values that may be personal: unrecognised values that are "
                                                  "not code-like, and the names behind a warning that name parts are "
                                                  "the wrong way round (otherwise counted only).")
@config_option
@check_format_option
@_handle_errors
def mapping_check(file, mapping_name, agency, show_values, config_dir, fmt):
    """Apply a mapping to one file: per field, how many values mapped, became Unknown, or were
    not recognised; and whether forenames and surnames look the wrong way round (a warning per
    column, with counts). Stores nothing and prints no personal data unless --show-values.

    \b
    Example:
      cse-audit mapping check new_return.xlsx --mapping police-new
      cse-audit mapping check new_return.xlsx --mapping police-new --show-values
    """
    from ..authoring import check_command

    text, data = check_command(file, mapping_name, _config(config_dir), agency_id=agency, show_values=show_values)
    _echo_result(text, data, fmt)
    if data.get("error"):
        raise DataProblems(data["error"])


def _echo_result(text: str, data: dict, fmt: str) -> None:
    if fmt == "json":
        import json

        click.echo(json.dumps(data, indent=2, default=str))
    else:
        click.echo(text, nl=not text.endswith("\n"))
