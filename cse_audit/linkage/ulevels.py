"""What a comparison's level SQL reads, and whether it reads its two records alike (usample.py).

u is counted over record pairs ordered by id (the smaller id is the pair's left record). Counting
it once per pair of distinct values instead of once per pair of records is exact only when a
comparison gives the same level whichever record is on the left; ``symmetric`` proves that from
the SQL itself: the expression with every ``x_l`` and ``x_r`` swapped must be the same expression
up to the order of the operands of operators and functions that do not care about it (=, <>, AND,
OR, +, *, greatest, least, abs(a - b), list_has_any, and the string distances and similarities below, which DuckDB computes
the same in both directions: tests/test_usample.py checks that on adversarial strings). Anything
it cannot prove, it calls not symmetric, and the caller counts record pairs as before.

Parsing is sqlglot's (which Splink ships); the SQL is the model's own (comparisons.py), never text
from a user or a file."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp, parse_one
from sqlglot.errors import SqlglotError

# two-argument functions whose value does not depend on the order of their arguments
_SYMMETRIC_TWO = (exp.Levenshtein, exp.JarowinklerSimilarity)
_SYMMETRIC_TWO_NAMES = {"damerau_levenshtein", "jaro_winkler_similarity", "jaro_similarity", "levenshtein"}
_COMMUTATIVE_CHAINS = (exp.And, exp.Or, exp.Add, exp.Mul)
# (ArrayOverlaps: list_has_any, "the lists share an element", the surname's part level)
_COMMUTATIVE_PAIRS = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ, exp.ArrayOverlaps)


class Unplannable(ValueError):
    """Level SQL this module cannot analyse (the caller counts record pairs)."""


def parse(sql: str) -> exp.Expression:
    try:
        return parse_one(sql, dialect="duckdb")
    except SqlglotError as exc:
        raise Unplannable(str(exc)) from None


def sides(node: exp.Expression, columns: set[str]) -> set[tuple[str, str]]:
    """(column, side) for every column the expression reads: ``fn_l`` -> ("fn", "l"). Raises
    Unplannable for a column that is not a record column with an _l / _r suffix."""
    out = set()
    for col in node.find_all(exp.Column):
        name = col.name
        if col.table or name[-2:] not in ("_l", "_r") or name[:-2] not in columns:
            raise Unplannable(f"column {col.sql()!r}")
        out.add((name[:-2], name[-1]))
    return out


def conjuncts(node: exp.Expression) -> list[exp.Expression]:
    node = _unparen(node)
    if isinstance(node, exp.And):
        return conjuncts(node.this) + conjuncts(node.expression)
    return [node]


@dataclass(frozen=True)
class Cross:
    """A conjunct reading one column of the left record and another of the right one (the
    names' "swapped" level: forename against the other record's surname)."""
    sql: str
    left: str  # the left record's column it reads
    right: str  # the right record's column


def cross_conjunct(condition: exp.Expression, columns: set[str]) -> Cross | None:
    """A conjunct of the level's condition that reads exactly two columns, a different one on
    each side: the level is only true where it is, and it can be evaluated on pairs of distinct
    values of those two columns. None when there is none."""
    for part in conjuncts(condition):
        read = sides(part, columns)
        if len(read) == 2:
            (a, sa), (b, sb) = sorted(read, key=lambda x: x[1])
            if sa == "l" and sb == "r" and a != b:
                return Cross(part.sql(dialect="duckdb"), a, b)
    return None


@dataclass(frozen=True)
class NullGuards:
    """What a null level's condition (a disjunction) says of its pairs without comparing values:
    ``absent`` columns c with both ``c_l IS NULL`` and ``c_r IS NULL`` among its terms (a record
    without c puts every pair it is in at the null level), ``apart`` columns c with ``c_l <> c_r``
    among them (two records whose c differ are at the null level)."""
    absent: frozenset[str]
    apart: frozenset[str]


def null_guards(condition: exp.Expression, columns: set[str]) -> NullGuards:
    """The terms of the null level's condition that ``NullGuards`` describes (others are ignored:
    they only mean fewer pairs are known to be at the null level beforehand)."""
    nulls: set[tuple[str, str]] = set()
    apart: set[str] = set()
    for term in _flatten(condition, exp.Or):
        if isinstance(term, exp.Is) and isinstance(term.expression, exp.Null) and not term.args.get("negate"):
            col = _unparen(term.this)
            if isinstance(col, exp.Column) and not col.table and col.name[-2:] in ("_l", "_r") \
                    and col.name[:-2] in columns:
                nulls.add((col.name[:-2], col.name[-1]))
        elif isinstance(term, exp.NEQ):
            a, b = _unparen(term.this), _unparen(term.expression)
            if isinstance(a, exp.Column) and isinstance(b, exp.Column) and not a.table and not b.table \
                    and {a.name, b.name} == {a.name[:-2] + "_l", a.name[:-2] + "_r"} and a.name[:-2] in columns:
                apart.add(a.name[:-2])
    absent = frozenset(c for c, side in nulls if side == "l" and (c, "r") in nulls)
    return NullGuards(absent, frozenset(apart))


def symmetric(node: exp.Expression) -> bool:
    """True when the expression is provably the same with its records swapped (module doc)."""
    return _canon(node, False) == _canon(node, True)


def _unparen(node):
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _flatten(node, kind) -> list:
    node = _unparen(node)
    if isinstance(node, kind):
        return _flatten(node.this, kind) + _flatten(node.expression, kind)
    return [node]


def _canon(node, swap: bool) -> str:
    node = _unparen(node)
    if isinstance(node, exp.Column):
        name = node.name
        if swap:
            name = name[:-2] + {"_l": "_r", "_r": "_l"}.get(name[-2:], name[-2:])
        return f"col({node.table}.{name})"
    if isinstance(node, _COMMUTATIVE_CHAINS):
        return f"{node.key}({','.join(sorted(_canon(x, swap) for x in _flatten(node, type(node))))})"
    if isinstance(node, _COMMUTATIVE_PAIRS):
        return f"{node.key}({','.join(sorted([_canon(node.this, swap), _canon(node.expression, swap)]))})"
    if isinstance(node, (exp.Greatest, exp.Least)):
        args = [node.this, *node.expressions]
        flags = {k: v for k, v in node.args.items() if k not in ("this", "expressions")}
        return f"{node.key}({','.join(sorted(_canon(a, swap) for a in args))};{flags!r})"
    if isinstance(node, exp.Abs) and isinstance(_unparen(node.this), exp.Sub):
        # |a - b| = |b - a|: the length guard of comparisons._damerau_levenshtein_within
        diff = _unparen(node.this)
        return f"absdiff({','.join(sorted([_canon(diff.this, swap), _canon(diff.expression, swap)]))})"
    pair = _two_args(node)
    if pair is not None:
        return f"{_name(node)}({','.join(sorted(_canon(a, swap) for a in pair))})"
    if isinstance(node, exp.ArraySize) and not node.args.get("expression"):
        inner = _unparen(node.this)
        # the size of an intersection (list_intersect returns each shared element once)
        if isinstance(inner, exp.Anonymous) and inner.name.lower() == "list_intersect" \
                and len(inner.expressions) == 2:
            return f"intersection_size({','.join(sorted(_canon(a, swap) for a in inner.expressions))})"
    parts = []
    for key, value in node.args.items():
        if isinstance(value, exp.Expression):
            parts.append(f"{key}={_canon(value, swap)}")
        elif isinstance(value, list):
            parts.append(f"{key}=[{','.join(_canon(v, swap) if isinstance(v, exp.Expression) else repr(v) for v in value)}]")
        else:
            parts.append(f"{key}={value!r}")
    return f"{node.key}({';'.join(parts)})"


def _name(node) -> str:
    return node.name.lower() if isinstance(node, exp.Anonymous) else node.key


def _two_args(node):
    """The two arguments of a symmetric two-argument function call, else None."""
    if isinstance(node, _SYMMETRIC_TWO):
        if any(v is not None for k, v in node.args.items() if k not in ("this", "expression")):
            return None  # e.g. levenshtein with costs: insertions and deletions may differ
        return [node.this, node.expression]
    if isinstance(node, exp.Anonymous) and node.name.lower() in _SYMMETRIC_TWO_NAMES and len(node.expressions) == 2:
        return list(node.expressions)
    return None
