"""Writing a draft as YAML in the project's mapping format, every choice commented.

Separate because the text is written by hand (not by a YAML dumper) so that each line can carry its
evidence as a comment; the result is parsed once to prove it is valid YAML.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import yaml

from .model import NO_ROLE_VALUES

if TYPE_CHECKING:        # for the annotation only: draft imports this module
    from .draft import DraftResult


def _q(value) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted strings."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    s = str(value)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) and s.lower() not in (
            "yes", "no", "true", "false", "on", "off", "null", "y", "n", "todo"):
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(spec) -> str:
    if isinstance(spec, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in spec.items()) + "}"
    if isinstance(spec, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in spec) + "]"
    return _q(spec)


def _shell(file_name: str) -> str:
    """A file name as a shell word (names of returns have spaces and apostrophes): in double quotes
    where that is safe, the readable form for "Children's Services return.csv"."""
    import shlex

    if not file_name:
        return "FILE"
    quoted = shlex.quote(file_name)
    if quoted != file_name and not any(ch in file_name for ch in '"$`\\!'):
        return f'"{file_name}"'
    return quoted


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split()) if text else ""


def _to_yaml(d: DraftResult) -> str:
    lines = [
        f"# Draft mapping for {d.file_name!r}, written by `cse-audit mapping draft`.",
        "# Each choice says its evidence and a confidence. Check every line against the return;",
        "# decide each TODO (cse-audit refuses to load a mapping that still has one), then run",
        f"#   cse-audit mapping check {_shell(d.file_name)} --mapping {d.name}",
        f"name: {_q(d.name)}",
        f"description: {_q(f'Drafted from {d.file_name}; checked by: (your name)')}",
    ]
    if len(d.files) > 1:
        lines.append(f"# Evidence from the {len(d.files)} files of this layout: " + ", ".join(map(repr, d.files)))
    for name, why in d.skipped:
        lines.append(f"# sheet {name!r} not used: {' '.join(why.split())}")
    if not d.sheets:
        lines += ["sheets:", f"  TODO: {_q(d.problem or 'no table found')}"]
        return "\n".join(lines) + "\n"
    lines.append("sheets:")
    for s in d.sheets:
        lines.append(f"  {s.kind}:{_comment(f'{s.kind}: {s.kind_evidence}')}")
        # a series names its sheets (it said only the sheet its fields were drafted from)
        which = f"sheets {', '.join(map(repr, s.series))}" if s.series else f"sheet {s.sheet!r}"
        lines.append(f"    sheet: {_flow(s.selector)}{_comment(which if s.selector != s.sheet else '')}")
        if s.groups:
            lines.append(f"    groups: {_flow(s.groups)}")
        if s.header_rows > 1:
            lines.append(f"    header_rows: {s.header_rows}")
        if s.below:
            lines.append(f"    below: {s.below}{_comment(f'a second table under the {s.below} table on the same sheet')}")
        if s.optional:
            lines.append(f"    optional: true{_comment(s.optional)}")
        if s.fill_down:
            lines.append(f"    fill_down: {_flow(s.fill_down)}" + _comment(
                "most rows repeating a name leave these blank: given on a person's first row only "
                "(docs/mappings.md, \"Details on the first row only\")"))
        lines.append(f"    # {s.header_evidence}; {s.data_rows} data row(s)")
        if s.header_contains:
            lines.append(f"    header_contains: {_flow(s.header_contains)}")
        if s.period:
            lines.append(f"    period: title{_comment(s.period + '; kept with the return (return_periods)')}")
        for note in s.notes:
            lines.append(f"    # note: {note}")
        if s.role is not None:
            lines.append("    role:")
            lines.append(f"      column: {_q(s.role['column'])}")
            for k in ("victims", "offenders", "skip"):
                lines.append(f"      {k}: {_flow(s.role[k])}")
            if s.role_todo:
                lines.append(f"      TODO: {_flow(s.role_todo)}"
                             + _comment("role values not sorted: move each into victims, offenders or skip "
                                        "(unsorted values are rejected rows), then delete this line"))
            elif not any(s.role[k] for k in ("victims", "offenders", "skip")):
                lines.append(f"      TODO: {_q(NO_ROLE_VALUES)}")
        lines.append("    columns:")
        for c in s.columns:
            lines.append(f"      {c.field}: {_flow(c.spec)}{_comment(c.comment())}")
        if s.unmapped:
            lines.append("    # not mapped (kept in raw_rows):")
            for h, why in s.unmapped:
                lines.append(f"    #   {h!r}: {' '.join(why.split())}")
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)      # a draft is always valid YAML; fail here, not in the analyst's editor
    return text
