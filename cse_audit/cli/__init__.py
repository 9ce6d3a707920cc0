"""The `cse-audit` command line: parse options, call the library, turn errors into messages.

Data goes to stdout, in the format asked for and nothing else; messages and progress go to
stderr (none with --quiet), and a closed pipe (`| head`) ends the command quietly. Exit codes: 0 ok, 1 data problems
(validate; ingest with files that could not be loaded, or rejected rows under --strict),
2 usage or configuration errors. Heavy libraries are imported inside commands so that
`cse-audit --help` starts fast.

One module per group of commands; `common.py` holds what they share.
"""

from __future__ import annotations

import click

from .admin import init, minimise, synth, template
from .common import add_global_flags
from .link import link
from .load import ingest, validate
from .mapping import mapping
from .outputs import completeness, report, tables
from .returns import returns


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cse-audit")
def cli():
    """Ingest, link and tabulate child sexual exploitation case returns.

    \b
    Quick start (the first line writes the repository's sample_returns/, all synthetic):
      cse-audit synth sample_returns
      cse-audit ingest sample_returns --db audit.duckdb
      cse-audit tables --db audit.duckdb --format markdown
    """


for _command in (ingest, validate, tables, completeness, report, template, synth, minimise, mapping, link, init, returns):
    cli.add_command(_command)


# After every command is added: --debug and --quiet go on the group and on each command.
add_global_flags(cli)


def main():
    from ..state.interrupts import install

    install()
    cli(prog_name="cse-audit")

