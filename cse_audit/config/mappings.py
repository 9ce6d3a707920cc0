"""Load one mapping file (configs/mappings/*.yaml) into a typed Mapping, checking every key."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .errors import ConfigError
from .models import (
    COLUMN_KEYS,
    DATE_PARTS,
    DATE_STYLES,
    DERIVERS,
    EXPRESSION_OPS,
    FILL_DOWN_KEYS,
    GROUP_KEYS,
    KINDS,
    MAPPING_KEYS,
    NAME_ORDERS,
    PARSERS,
    ROLE_KEYS,
    SEVERAL,
    SHEET_KEYS,
    SINGLE_WORD,
    UNKNOWN_FORMS,
    ColumnSpec,
    FillDown,
    GroupSpec,
    Mapping,
    RoleSpec,
    SheetSpec,
)
from .yamlio import _check_keys, _line, _require, did_you_mean, load_yaml


def _parse_column(spec, path, where: str, codes: dict, fields: dict, fname: str) -> ColumnSpec:
    if isinstance(spec, str):
        return ColumnSpec(headers=(spec,))
    if isinstance(spec, list):
        if not spec or not all(isinstance(s, str) for s in spec):
            raise ConfigError(path, where, None, "a list of aliases must hold header names (text)")
        return ColumnSpec(headers=tuple(spec))
    if not isinstance(spec, dict):
        raise ConfigError(path, where, None, "expected a header name, a list of aliases, or a mapping "
                                             "with `column:` (see docs/mappings.md)")
    _check_keys(spec, set(COLUMN_KEYS), path, where)
    sources = [k for k in ("column", "registry", "value", "first_of", "letter", "parts", "title") if k in spec]
    if isinstance(spec.get("derive"), dict):
        sources.append("derive")       # an expression over other fields is its own source
    if len(sources) != 1:
        raise ConfigError(path, where, _line(spec), "give exactly one of column, registry, value, first_of, "
                                                    "letter, parts, title or derive: {all_of/any_of/not: ...}")
    kw = _layout_sources(spec, path, where, fields, fname)
    if "column" in spec:
        col = spec["column"]
        kw["headers"] = (col,) if isinstance(col, str) else tuple(col)
        if not kw["headers"] or not all(isinstance(h, str) for h in kw["headers"]):
            raise ConfigError(path, f"{where}.column", _line(spec, "column"),
                              "expected a header name or a list of header names")
    if "first_of" in spec:
        subs = spec["first_of"]
        if not isinstance(subs, list) or len(subs) < 2:
            raise ConfigError(path, f"{where}.first_of", _line(spec, "first_of"),
                              "expected a list of two or more column specs")
        kw["first_of"] = tuple(_parse_column(s, path, f"{where}.first_of[{i}]", codes, fields, fname)
                               for i, s in enumerate(subs))
    if "codes" in spec:
        if spec["codes"] not in codes:
            raise ConfigError(path, f"{where}.codes", _line(spec, "codes"),
                              f"no code list {spec['codes']!r}; known: {', '.join(sorted(codes))}")
        kw["codes"] = spec["codes"]
    if "dates" in spec:
        if spec["dates"] not in DATE_STYLES:
            raise ConfigError(path, f"{where}.dates", _line(spec, "dates"),
                              f"must be one of {', '.join(DATE_STYLES)}")
        kw["dates"] = spec["dates"]
    if "pattern" in spec:
        try:
            pattern = re.compile(str(spec["pattern"]))
        except re.error as exc:
            raise ConfigError(path, f"{where}.pattern", _line(spec, "pattern"), f"bad regex: {exc}") from exc
        if "year" not in pattern.groupindex:
            raise ConfigError(path, f"{where}.pattern", _line(spec, "pattern"),
                              "a date pattern needs named groups: (?P<year>..), optionally (?P<month>..) and "
                              "(?P<day>..)")
        if fields[fname].type != "date":
            raise ConfigError(path, f"{where}.pattern", _line(spec, "pattern"), "pattern reads a date: use it on a "
                                                                                   "date field (case_date, dob)")
        kw["pattern"] = pattern
    if "pivot" in spec:
        if not isinstance(spec["pivot"], int) or not 0 <= spec["pivot"] <= 99:
            raise ConfigError(path, f"{where}.pivot", _line(spec, "pivot"),
                              "expected a two-digit year 0-99: years below it are 20xx, the rest 19xx")
        kw["pivot"] = spec["pivot"]
    if "parse" in spec:
        if spec["parse"] not in PARSERS:
            raise ConfigError(path, f"{where}.parse", _line(spec, "parse"),
                              f"must be one of {', '.join(PARSERS)}")
        kw["parse"] = spec["parse"]
    kw.update(_parse_single_word(spec, path, where))
    kw.update(_parse_order(spec, path, where))
    kw.update(_name_choice(spec, path, where, "several", SEVERAL,
                           "that a cell of a `parse: name` column may hold several people, one record each"))
    kw.update(_parse_derive_unknown_title(spec, path, where, codes, fields, fname))
    if "registry" in spec:
        if spec["registry"] not in ("area", "name", "id"):
            raise ConfigError(path, f"{where}.registry", _line(spec, "registry"),
                              "must be one of area, name, id")
        kw["registry"] = spec["registry"]
    if "value" in spec:
        kw["value"] = str(spec["value"])
    kw["required"] = bool(spec.get("required", False))
    kw["optional"] = bool(spec.get("optional", False))  # (with required too, required wins)
    return ColumnSpec(**kw)


def column_index(letter, path, where: str, line) -> int:
    """`F` -> 5, `AB` -> 27: a column given by its spreadsheet letter."""
    text = str(letter).strip().upper()
    if not text.isalpha() or not text.isascii() or len(text) > 3:
        raise ConfigError(path, where, line, "expected a column letter such as F or AB")
    n = 0
    for ch in text:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _layout_sources(spec: dict, path, where: str, fields: dict, fname: str) -> dict:
    """The column sources added for issue 24: `letter` and `parts` (a date split over columns)."""
    kw: dict = {}
    if "letter" in spec:
        kw["letter"] = column_index(spec["letter"], path, f"{where}.letter", _line(spec, "letter"))
    if "parts" in spec:
        parts = spec["parts"]
        line = _line(spec, "parts")
        if not isinstance(parts, dict) or set(parts) != set(DATE_PARTS):
            raise ConfigError(path, f"{where}.parts", line, "expected {day: header, month: header, year: header}")
        if fields[fname].type != "date":
            raise ConfigError(path, f"{where}.parts", line, "parts join a date: use it on a date field (dob, "
                                                            "case_date)")
        out = []
        for key in DATE_PARTS:
            value = parts[key]
            headers = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
            if not headers or not all(isinstance(h, str) for h in headers):
                raise ConfigError(path, f"{where}.parts.{key}", line, "expected a header name or a list of them")
            out.append(headers)
        kw["parts"] = tuple(out)
    return kw


def _parse_groups(spec, path, where: str, fields: dict, kind: str) -> GroupSpec | None:
    """`groups: {pattern: "Victim {n}", n: [1, 2, 3], shared: [case_ref]}` (see docs/mappings.md)."""
    if "groups" not in spec:
        return None
    g = spec["groups"]
    line = _line(spec, "groups")
    if kind == "cases":
        raise ConfigError(path, f"{where}.groups", line, "groups make person records: use them in a victims, "
                                                         "offenders or people block")
    if isinstance(g, str):
        g = {"pattern": g}
    if not isinstance(g, dict):
        raise ConfigError(path, f"{where}.groups", line, 'expected {pattern: "Victim {n}", n: [1, 2, 3]}')
    _check_keys(g, set(GROUP_KEYS), path, f"{where}.groups")
    pattern = str(_require(g, "pattern", path, f"{where}.groups"))
    if "{n}" not in pattern:
        raise ConfigError(path, f"{where}.groups.pattern", line, "the pattern must hold {n}, where the group "
                                                                 "number stands, e.g. \"Victim {n}\"")
    n = g.get("n", 3)
    if isinstance(n, int) and not isinstance(n, bool):
        n = list(range(1, n + 1))
    if not isinstance(n, list) or not n or len({str(x) for x in n}) != len(n):
        raise ConfigError(path, f"{where}.groups.n", line, "expected how many groups (3) or their distinct "
                                                           "numbers or labels ([1, 2, 3])")
    shared = g.get("shared", ["case_ref", "case_date", "area"])
    if not isinstance(shared, list) or any(f not in fields for f in shared):
        raise ConfigError(path, f"{where}.groups.shared", line, "expected a list of field names")
    return GroupSpec(pattern, tuple(str(x) for x in n), tuple(shared))


def _parse_layout(kind, spec, path, where: str, fields: dict) -> dict:
    """The sheet keys added for issue 24, as SheetSpec keyword arguments."""
    kw = {"groups": _parse_groups(spec, path, where, fields, kind), "block": kind}
    rows = spec.get("header_rows", 1)
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 3:
        raise ConfigError(path, f"{where}.header_rows", _line(spec, "header_rows"),
                          "expected 1, 2 or 3: how many rows the header takes (group row(s) over the sub-headers)")
    kw["header_rows"] = rows
    dup = spec.get("duplicate_headers", "error")
    if dup not in ("error", "first"):
        raise ConfigError(path, f"{where}.duplicate_headers", _line(spec, "duplicate_headers"),
                          "must be error (the default) or first")
    kw["duplicate_headers"] = dup
    if "below" in spec:
        kw["below"] = _parse_below(spec, kind, path, where)
    if "fill_down" in spec:
        kw["fill_down"] = _parse_fill_down(spec["fill_down"], path, where, _line(spec, "fill_down"))
    return kw


def _parse_fill_down(raw, path, where: str, line) -> FillDown:
    """`fill_down: [DOB, Ethnicity]` or `{columns: [...], while_same: [Forename, Surname]}`: headers,
    each a text or a list of alternatives."""
    example = "expected a list of headers, or {columns: [DOB, Ethnicity], while_same: [Forename, Surname]}"
    if isinstance(raw, list):
        raw = {"columns": raw}
    if not isinstance(raw, dict):
        raise ConfigError(path, f"{where}.fill_down", line, example)
    _check_keys(raw, set(FILL_DOWN_KEYS), path, f"{where}.fill_down")
    parts = {}
    for key in FILL_DOWN_KEYS:
        items = raw.get(key, [])
        # an empty while_same would compare nothing and fill every blank: say so, as for columns
        if not isinstance(items, list) or (not items and (key == "columns" or key in raw)):
            raise ConfigError(path, f"{where}.fill_down.{key}", line, example)
        headers = []
        for item in items:
            names = item if isinstance(item, list) else [item]
            if not names or not all(isinstance(n, str) and n.strip() for n in names):
                raise ConfigError(path, f"{where}.fill_down.{key}", line, example)
            headers.append(tuple(names))
        parts[key] = tuple(headers)
    if set(parts["columns"]) & set(parts["while_same"]):
        raise ConfigError(path, f"{where}.fill_down", line, "a column cannot be both filled and compared")
    return FillDown(parts["columns"], parts["while_same"])


def _parse_below(spec: dict, kind: str, path, where: str) -> str:
    """`below: victims`: this block's table sits under the victims block's table on the same sheet
    (checked against the other blocks in ``_check_below``). Its header is looked for anywhere under
    that table's header, so it must say what it holds."""
    below, line = spec["below"], _line(spec, "below")
    if below not in KINDS or below == kind:
        raise ConfigError(path, f"{where}.below", line, f"expected the kind of the block whose table is above this "
                                                        f"one on the same sheet: one of "
                                                        f"{', '.join(k for k in KINDS if k != kind)}")
    if not spec.get("header_contains"):
        raise ConfigError(path, f"{where}.below", line, "a table under another needs `header_contains`: the texts "
                                                        "its own header row holds, to find it below the first")
    return below


def _check_below(sheets_raw: dict, path) -> None:
    """Each `below` names another block of the mapping that reads the same sheet, and no two blocks
    are each under the other."""
    for kind, spec in sheets_raw.items():
        below = spec.get("below") if isinstance(spec, dict) else None
        if not below:
            continue
        where, line = f"sheets.{kind}.below", _line(spec, "below")
        upper = sheets_raw.get(below)
        if not isinstance(upper, dict):
            raise ConfigError(path, where, line, f"no {below} block in this mapping: `below` names the block whose "
                                                 f"table is above this one")
        if upper.get("sheet", 0) != spec.get("sheet", 0):
            raise ConfigError(path, where, line, f"the {below} block reads another sheet: `below` is for two tables "
                                                 f"on one sheet (give both the same `sheet`)")
        seen, at = {kind}, below
        while at:
            if at in seen:
                raise ConfigError(path, where, line, "blocks cannot each be below the other")
            seen.add(at)
            nxt = sheets_raw.get(at)
            at = nxt.get("below") if isinstance(nxt, dict) else None


def _parse_sheet(kind, spec, path, codes, fields) -> SheetSpec:
    where = f"sheets.{kind}"
    _check_keys(spec, set(SHEET_KEYS), path, where)
    sel = spec.get("sheet", 0)
    if isinstance(sel, dict):
        _check_keys(sel, {"regex"}, path, f"{where}.sheet")
        try:
            sel = re.compile(_require(sel, "regex", path, f"{where}.sheet"), re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(path, f"{where}.sheet.regex", _line(spec, "sheet"), f"bad regex: {exc}") from exc
    elif not isinstance(sel, (str, int)):
        raise ConfigError(path, f"{where}.sheet", _line(spec, "sheet"),
                          "expected a sheet name, {regex: ...} or a number (0 = first)")
    header_contains = spec.get("header_contains") or []
    if isinstance(header_contains, str):
        header_contains = [header_contains]
    columns_raw = _require(spec, "columns", path, where)
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise ConfigError(path, f"{where}.columns", _line(spec, "columns"), "expected field: column pairs")
    allowed_kinds = ("victims", "offenders") if kind == "people" else (kind,)
    columns = {}
    for fname, cspec in columns_raw.items():
        if fname not in fields:
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              f"unknown field{did_you_mean(fname, fields)}; fields are: {', '.join(fields)}")
        if not any(k in fields[fname].kinds for k in allowed_kinds):
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              f"field {fname!r} does not belong in a {kind} sheet")
        col = _parse_column(cspec, path, f"{where}.columns.{fname}", codes, fields, fname)
        if col.parse == "name" and fname != "name":
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              "parse: name splits a whole name: use it on the field `name`")
        if any(sub.several for sub in col.first_of):
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              "several: people reads one column: give it with `column:` or `letter:`, not in first_of")
        columns[fname] = _single_word_default(col, kind)
    _check_derived(columns, path, where, _line(spec, "columns"))
    role = None
    if kind == "people":
        r = _require(spec, "role", path, where)
        _check_keys(r, set(ROLE_KEYS), path, f"{where}.role")
        col = _require(r, "column", path, f"{where}.role")
        role = RoleSpec(column=(col,) if isinstance(col, str) else tuple(col),
                        victims=tuple(_require(r, "victims", path, f"{where}.role")),
                        offenders=tuple(_require(r, "offenders", path, f"{where}.role")),
                        skip=tuple(r.get("skip") or ()))
    elif "role" in spec:
        raise ConfigError(path, f"{where}.role", _line(spec, "role"), "a role column belongs in a `people` sheet")
    period = _parse_period(spec["period"], path, f"{where}.period", _line(spec, "period")) if "period" in spec \
        else None
    return SheetSpec(kind, sel, columns, tuple(header_contains), role, bool(spec.get("optional", False)),
                     period=period, **_parse_layout(kind, spec, path, where, fields))


def _parse_single_word(spec: dict, path, where: str) -> dict:
    """`single_word: forename | surname | reject`, only on a `parse: name` column."""
    return _name_choice(spec, path, where, "single_word", SINGLE_WORD, "how a lone word in a `parse: name` column reads")


def _parse_order(spec: dict, path, where: str) -> dict:
    """`order: surname_first | forename_first`, only on a `parse: name` column."""
    return _name_choice(spec, path, where, "order", NAME_ORDERS,
                        "which part of a whole name in a `parse: name` column comes first")


def _name_choice(spec: dict, path, where: str, key: str, allowed, says: str) -> dict:
    """A key that only a `parse: name` column takes, with one of ``allowed`` values."""
    if key not in spec:
        return {}
    if spec[key] not in allowed or spec.get("parse") != "name":
        raise ConfigError(path, f"{where}.{key}", _line(spec, key), f"{key} says {says}: one of {', '.join(allowed)}")
    return {key: spec[key]}


def _single_word_default(col: ColumnSpec, kind: str) -> ColumnSpec:
    """A `parse: name` column with no `single_word`: in an offenders block a lone word is read as
    a forename, elsewhere it is rejected (a `bad_name` warning, the row kept without a name).

    Why: perpetrators are often known to a child, and so to the agency, by a first name only
    ("Dave", "Tariq"; issue 16's held-out returns: 279 of 517 missed offender pairs), and a
    surname alone is rare there. A child is known to the agency by full name; a lone word in a
    victims column is as likely a surname with the forename left out ("SMITH" in a "SURNAME,
    Forename" list) as a forename, and a wrong guess costs the child's link: the mapping says
    which when the return shows it. A `people` block's name column holds both kinds, so it keeps
    the cautious default too. A kept word is still reported (`single_name` warning)."""
    subs = tuple(_single_word_default(s, kind) for s in col.first_of)
    if col.parse == "name" and col.single_word is None:
        col = replace(col, single_word="forename" if kind == "offenders" else "reject")
    return replace(col, first_of=subs) if subs else col


def load_mapping(path: Path, codes: dict, fields: dict) -> Mapping:
    d = load_yaml(path)
    if not isinstance(d, dict):
        raise ConfigError(path, "", None, "a mapping file must be a YAML mapping with `name` and `sheets`")
    _check_keys(d, set(MAPPING_KEYS), path, "")
    name = _require(d, "name", path, "")
    if name != path.stem:
        raise ConfigError(path, "name", _line(d, "name"), f"must equal the file name {path.stem!r}")
    sheets_raw = _require(d, "sheets", path, "")
    if not isinstance(sheets_raw, dict) or not sheets_raw:
        raise ConfigError(path, "sheets", _line(d, "sheets"), f"expected one or more of {', '.join(KINDS)}")
    sheets = []
    for kind, spec in sheets_raw.items():
        if kind == "TODO":
            raise ConfigError(path, "sheets.TODO", _line(sheets_raw, kind),
                              f"undecided in a drafted mapping: {spec}; decide it, then delete the TODO")
        if kind not in KINDS:
            raise ConfigError(path, f"sheets.{kind}", _line(sheets_raw, kind),
                              f"unknown sheet kind; allowed: {', '.join(KINDS)}")
        sheets.append(_parse_sheet(kind, spec, path, codes, fields))
    _check_below(sheets_raw, path)
    return Mapping(name, d.get("description", ""), tuple(sheets), str(path))


# -- issue 18: unknown tokens that replace the global list, derived fields, title rows --------------

def _parse_derive_unknown_title(spec: dict, path, where: str, codes: dict, fields: dict, fname: str) -> dict:
    """The column keys `derive` (a deriver's name or an expression), `unknown` and `title`."""
    kw: dict = {}
    if "derive" in spec and isinstance(spec["derive"], dict):
        kw["expr"] = _parse_expr(spec["derive"], path, f"{where}.derive", _line(spec, "derive"), fields)
        _check_yes_no(fname, spec.get("codes"), codes, fields, path, f"{where}.derive", _line(spec, "derive"))
    elif "derive" in spec:
        if spec["derive"] not in DERIVERS:
            raise ConfigError(path, f"{where}.derive", _line(spec, "derive"),
                              f"must be one of {', '.join(DERIVERS)}, or an expression {{all_of: [...]}}")
        kw["derive"] = spec["derive"]
    if "unknown" in spec:
        kw["unknown"], kw["unknown_replace"] = _parse_unknown(spec["unknown"], path, f"{where}.unknown",
                                                              _line(spec, "unknown"))
    if "title" in spec:
        kw["title"] = _compile(spec["title"], path, f"{where}.title", _line(spec, "title"))
    return kw


def _parse_unknown(raw, path, where: str, line) -> tuple[tuple[str, ...], bool]:
    """`unknown: [...]` adds tokens to the global list; `unknown: {replace: [...]}` uses only these
    (so "N.A." in an initials column can stay initials); `{add: [...]}` is the list form spelt out."""
    if isinstance(raw, list):
        return tuple(str(t) for t in raw), False
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in UNKNOWN_FORMS:
        form, tokens = next(iter(raw.items()))
        if isinstance(tokens, list):
            return tuple(str(t) for t in tokens or ()), form == "replace"
    raise ConfigError(path, where, line, "expected a list of tokens (added to the global list), "
                                         "{add: [...]} or {replace: [...]} (instead of the global list)")


def _parse_expr(node, path, where: str, line, fields: dict) -> tuple:
    """A derived field's expression: a field name (true where the record has a known value), or
    {all_of: [...]}, {any_of: [...]}, {not: ...} over such. Data only: nothing is evaluated."""
    if isinstance(node, str):
        if node not in fields:
            raise ConfigError(path, where, line, f"unknown field {node!r}{did_you_mean(node, fields)} in the "
                                                 "expression; fields are: "
                                                 f"{', '.join(fields)}")
        return ("field", node)
    if isinstance(node, dict) and len(node) == 1 and next(iter(node)) in EXPRESSION_OPS:
        op, arg = next(iter(node.items()))
        if op == "not":
            return ("not", _parse_expr(arg, path, f"{where}.not", line, fields))
        if isinstance(arg, list) and arg:
            return (op, tuple(_parse_expr(a, path, f"{where}.{op}[{i}]", line, fields) for i, a in enumerate(arg)))
    raise ConfigError(path, where, line, "expected a field name or one of {all_of: [...]}, {any_of: [...]}, "
                                         "{not: ...}")


def expr_fields(expr: tuple) -> set[str]:
    """The fields an expression reads."""
    if expr[0] == "field":
        return {expr[1]}
    if expr[0] == "not":
        return expr_fields(expr[1])
    return set().union(*(expr_fields(e) for e in expr[1]))


def _check_yes_no(fname: str, list_name, codes: dict, fields: dict, path, where: str, line) -> None:
    name = list_name or fields[fname].codes
    cats = set(codes[name].categories) if name in codes else set()
    if not {"Yes", "No"} <= cats:
        raise ConfigError(path, where, line, f"a derived field gives Yes or No: {fname!r} needs a code list with "
                                             "those categories (e.g. codes: yes_no)")


def _check_derived(columns: dict, path, where: str, line) -> None:
    """Every field an expression reads is mapped (from the sheet) in the same block."""
    for fname, col in columns.items():
        if col.expr is None:
            continue
        plain = {f for f, c in columns.items() if c.expr is None}
        if "name" in plain:
            plain |= {"forename", "surname"}        # a whole name gives both
        missing = sorted(expr_fields(col.expr) - plain)
        if missing:
            raise ConfigError(path, f"{where}.columns.{fname}.derive", line,
                              f"reads {', '.join(missing)}, not mapped in this sheet (map them, or leave them out)")


_PERIOD_DATE = (r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
                r"|\d{4}-\d{2}-\d{2}|[A-Za-z]{3,9}\.?\s+\d{4}")
DEFAULT_PERIOD = re.compile(rf"(?P<start>{_PERIOD_DATE})\s*(?:to|-|–|until|and|through)\s*(?P<end>{_PERIOD_DATE})",
                            re.IGNORECASE)


def _compile(raw, path, where: str, line) -> re.Pattern:
    try:
        return re.compile(str(raw), re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(path, where, line, f"bad regex: {exc}") from exc


def _parse_period(raw, path, where: str, line) -> re.Pattern:
    """`period: title` finds "1 January 2008 to 31 March 2011" (or 01/01/2008 - 31/03/2011) in the
    title rows; `period: {title: REGEX}` names the two dates with groups start and end."""
    if raw == "title":
        return DEFAULT_PERIOD
    if isinstance(raw, dict) and set(raw) == {"title"}:
        pattern = _compile(raw["title"], path, f"{where}.title", line)
        if not {"start", "end"} <= set(pattern.groupindex):
            raise ConfigError(path, f"{where}.title", line, "the pattern needs named groups (?P<start>..) and "
                                                            "(?P<end>..)")
        return pattern
    raise ConfigError(path, where, line, "expected `title` or {title: REGEX with groups start and end}")
