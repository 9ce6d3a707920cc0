"""What the security tests share: payloads, editing a copy of the configuration, listing files."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..conftest import RETURNS

# Each tries to write leak.csv into the current folder (the tests run in their tmp_path).
PAYLOADS = [
    "x'; COPY (SELECT forename, surname, dob FROM victims) TO 'leak.csv' (HEADER); --",
    'x"; COPY (SELECT 1) TO \'leak.csv\'; --',
    "x') TO 'leak.csv'; --",
    "children's services",
    "'||(SELECT string_agg(forename, ',') FROM victims)||'",
]

# Small returns that link (victims and offenders) with the fixture configuration.
LINK_FILES = [RETURNS / n for n in ("police_header_row5.xlsx", "ngo_bom.csv", "people_flat.xlsx")]


def edit_yaml(path: Path, change) -> None:
    """Load a YAML config, let ``change`` edit the dict in place, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def files_under(root: Path) -> set[Path]:
    return {Path(d) / f for d, _, fs in os.walk(root) for f in fs}
