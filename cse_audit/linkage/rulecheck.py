"""Checks of configured blocking rules (linkage.yaml's blocking_rules and em.blocking_rules): a
list of column names or one SQL condition, never a statement; an EM rule may name comparisons its
session leaves out. Separate from settings.py, which reads the rest of the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import LinkageConfigError

_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_blocking_rule(rule: Any, where: str, path: Path) -> None:
    """A blocking rule is a list of column names or one SQL condition on l. and r. columns. It
    runs in Splink's private engine (no file access there), but is still checked here: one
    expression, no statement separator, no subquery."""
    if isinstance(rule, list):
        if not rule or not all(isinstance(c, str) and _COLUMN.fullmatch(c) for c in rule):
            raise LinkageConfigError(f"{path}: '{where}' must list column names (letters, digits, _)")
        return
    if not isinstance(rule, str) or not rule.strip():
        raise LinkageConfigError(f"{path}: '{where}' must be a column list or SQL text")
    import sqlglot
    from sqlglot import exp

    problem = None
    if ";" in rule:
        problem = "holds ';' (one condition only)"
    else:
        try:
            parsed = sqlglot.parse(rule, read="duckdb")
        except sqlglot.errors.SqlglotError:
            parsed = None
        if not parsed or len(parsed) != 1 or parsed[0] is None:
            problem = "is not one SQL condition"
        elif not isinstance(parsed[0], exp.Condition) or isinstance(parsed[0], exp.Query) or any(
                isinstance(node, (exp.Query, exp.Subquery, exp.Command, exp.Copy, exp.Create, exp.Insert,
                                  exp.Delete, exp.Update, exp.Drop, exp.Set, exp.Pragma))
                for node in parsed[0].walk()):
            problem = "must be a condition on l. and r. columns, not a statement or a subquery"
    if problem:
        raise LinkageConfigError(f"{path}: '{where}' {problem}")


def _parse_em_rule(rule: Any, where: str, path: Path, comparisons: dict) -> tuple[Any, tuple[str, ...]]:
    """An EM rule: a blocking rule, or {rule: <blocking rule>, leave_out: [comparison, ...]}.
    ``leave_out`` names comparisons the session neither estimates nor uses as evidence, besides
    those on the rule's own fields: among records blocked on one name, different people share
    the sex and often the ethnicity the name goes with, so those agree far more often than
    between random records (their u) and EM takes such namesakes for matches (session 9)."""
    leave: tuple[str, ...] = ()
    if isinstance(rule, dict):
        extra = set(rule) - {"rule", "leave_out"}
        if extra or "rule" not in rule:
            raise LinkageConfigError(f"{path}: '{where}' must be a blocking rule or have keys 'rule' and "
                                     f"optionally 'leave_out' (not {', '.join(sorted(map(str, extra))) or 'no rule'})")
        raw_leave = rule.get("leave_out") or []
        if not isinstance(raw_leave, list) or not all(isinstance(c, str) for c in raw_leave):
            raise LinkageConfigError(f"{path}: '{where}.leave_out' must list comparison names")
        unknown = [c for c in raw_leave if c not in comparisons]
        if unknown:
            raise LinkageConfigError(f"{path}: '{where}.leave_out' names {', '.join(unknown)}: not a comparison "
                                     f"(one of {', '.join(sorted(comparisons))})")
        leave, rule = tuple(raw_leave), rule["rule"]
    _check_blocking_rule(rule, where, path)
    return rule, leave
