"""build_tables: every headline table from the store, as one JSON-ready structure (contract: docs/tables.md).

Only records of current returns count. People are counted once, through the linkage results
(`victim_links` -> `victim_persons`, `offender_links` -> `offender_persons`); a record with no link
yet counts as a person of its own, and the note says how many did. Unknown is always a category.
The entry point of the package: it picks the table builders, sets up the shared context and,
when publishing, applies disclosure control with this configuration's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .counting import _NOTE_THRESHOLD
from .definitions import SEX, TABLE_NAMES, YES_NO, TablesError, load_config
from .disclosure import publish as publish_tables
from .groups import _offender_groups
from .headline import (
    _age,
    _categorical,
    _ethnicity,
    _offenders_reliable,
    _sources,
    _victims_missing,
    _victims_overlap,
)
from .period import parse_period
from .relations import _Context

_BUILDERS: dict[str, Callable[[_Context], dict]] = {
    "sources": _sources,
    "victims_missing": _victims_missing,
    "victims_sex": lambda c: _categorical(c, "victims", "sex", SEX, "Victims: sex"),
    "victims_age": lambda c: _age(c, "victims", "victim_age_bands", "Victims: age"),
    "victims_ethnicity": lambda c: _ethnicity(c, "victims", "Victims: ethnicity"),
    "victims_looked_after": lambda c: _categorical(c, "victims", "looked_after", YES_NO,
                                                   "Victims: looked after (in local-authority care)"),
    "victims_overlap": _victims_overlap,
    "offenders_sex": lambda c: _categorical(c, "offenders", "sex", SEX, "Offenders: sex"),
    "offenders_age": lambda c: _age(c, "offenders", "offender_age_bands", "Offenders: age"),
    "offenders_ethnicity": lambda c: _ethnicity(c, "offenders", "Offenders: ethnicity"),
    "offenders_ethnicity_reliable": _offenders_reliable,
    "offender_groups": _offender_groups,
}
assert list(_BUILDERS) == TABLE_NAMES


def build_tables(con, names: Iterable[str] | None = None, period: Any = None, registry: Any = None,
                 config: dict | str | Path | None = None, publish: bool = False) -> dict:
    """The headline tables as a JSON-ready dict, in TABLE_NAMES order (contract: docs/tables.md).

    `period` is (from, to) (dates or ISO strings, either end None for open) or None for all;
    `registry` is a list of agency entries, a callable returning one, or None for configs/agencies.yaml.
    `publish`: apply disclosure control (`disclosure.publish`) with this configuration's rules, small
    counts in the notes included (which `disclosure.publish` alone cannot see: notes are text).
    """
    wanted = list(TABLE_NAMES) if not names else list(dict.fromkeys(names))
    bad = [n for n in wanted if n not in _BUILDERS]
    if bad:
        raise TablesError(f"unknown table(s): {', '.join(bad)} (tables: {', '.join(TABLE_NAMES)})")
    cfg = load_config(config)
    token = _NOTE_THRESHOLD.set(int(cfg["disclosure"].get("threshold", 5)) if publish else 0)
    ctx = _Context(con, parse_period(period), registry, cfg)
    try:
        tables = {name: _BUILDERS[name](ctx) for name in TABLE_NAMES if name in wanted}
    finally:
        ctx.close()
        _NOTE_THRESHOLD.reset(token)
    if publish:
        tables = publish_tables(tables, config=cfg)
    return tables
