"""Load and validate `configs/` into typed objects.

Everything is checked before any data is read: an unknown key, a missing code list, a bad
regex or a mapping naming a field that does not exist is a `ConfigError` that names the
file, the key and the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
KINDS = ("cases", "victims", "offenders", "people")
SOURCE_TYPES = ("police", "lscb", "ngo")
DATE_STYLES = ("dayfirst", "monthfirst", "iso")
PARSERS = ("name", "initials", "age")
DERIVERS = ("missing_from_episodes",)
# Every key the mapping loader accepts, by where it may appear (docs/mappings.md documents each;
# a test fails when one is missing there).
MAPPING_KEYS = ("name", "description", "sheets")
SHEET_KEYS = ("sheet", "header_contains", "columns", "role", "optional")
ROLE_KEYS = ("column", "victims", "offenders", "skip")
COLUMN_KEYS = ("column", "codes", "dates", "pattern", "pivot", "unknown", "parse", "derive", "registry", "value",
               "first_of", "required")


class ConfigError(Exception):
    """A configuration file is wrong. Names the file, the key and the line."""

    def __init__(self, file: str | Path, key: str, line: int | None, message: str):
        self.file, self.key, self.line, self.message = str(file), key, line, message
        at = f"{file}, line {line}" if line else str(file)
        super().__init__(f"{at}, key {key!r}: {message}" if key else f"{at}: {message}")


# -- YAML with line numbers ---------------------------------------------------------------

class _LineDict(dict):
    """A dict that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict


# libyaml's parser when PyYAML was built with it (about 5x faster on agencies.yaml); the marks
# that give line numbers are the same.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.MarkedYAMLError("while constructing a mapping", node.start_mark,
                                       f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(path, "", mark.line + 1 if mark else None,
                          f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, "", None, f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(path, "", None, f"cannot read: {exc.strerror}") from exc


def _line(d, key=None) -> int | None:
    if isinstance(d, _LineDict):
        return d.lines.get(key, d.line) if key is not None else d.line
    return None


def _check_keys(d, allowed, path, where: str) -> None:
    if not isinstance(d, dict):
        raise ConfigError(path, where, None, f"expected a mapping of keys, got {type(d).__name__}")
    for key in d:
        if key == "TODO":
            # Left by `cse-audit mapping draft` where it could not decide.
            raise ConfigError(path, f"{where}.{key}" if where else str(key), _line(d, key),
                              f"undecided in a drafted mapping: {d[key]}; decide it, then delete the TODO")
        if key not in allowed:
            raise ConfigError(path, f"{where}.{key}" if where else str(key), _line(d, key),
                              f"unknown key; allowed here: {', '.join(sorted(allowed))}")


def _require(d, key, path, where: str):
    if key not in d:
        raise ConfigError(path, f"{where}.{key}" if where else key, _line(d), "required key is missing")
    return d[key]


_NON_ALNUM = re.compile(r"[\W_]+")  # Unicode-aware: "Référé" keeps its letters


@lru_cache(maxsize=1 << 18)
def normalise(text) -> str:
    """Key for comparing headers and codes: case, spacing and punctuation do not matter.

    Cached: the same codes, names and tokens come back in every return of a batch."""
    s = str(text).casefold()
    if s.isalnum():
        return s  # the common case, a plain code or word: no regex needed
    return " ".join(_NON_ALNUM.sub(" ", s).split())


# -- typed configuration ------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 100
    max_uncompressed_mb: float = 500
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_cell_chars: int = 32767


@dataclass(frozen=True)
class Settings:
    ignore: tuple[str, ...] = ("_*", ".*", "~$*", "README*")
    extensions: tuple[str, ...] = ("xlsx", "xlsm", "xls", "xlsb", "ods", "csv")
    header_search_rows: int = 30
    limits: Limits = Limits()
    two_digit_year_pivot: int = 30
    nil_markers: tuple[str, ...] = ("no relevant data", "nil return", "no data held", "no cases")


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    kinds: tuple[str, ...]
    description: str
    codes: str | None = None
    personal: bool = False
    input_only: bool = False


@dataclass
class CodeList:
    name: str
    categories: tuple[str, ...]
    codes: dict[str, tuple[str, str | None]]   # normalised code -> (category, detail)
    includes: tuple[str, ...] = ()
    display: dict[str, str] = field(default_factory=dict)  # normalised -> code as written

    def lookup(self, value: str) -> tuple[str, str | None] | None:
        return self.codes.get(normalise(value))


@dataclass(frozen=True)
class ColumnSpec:
    headers: tuple[str, ...] = ()
    codes: str | None = None
    dates: str | None = None
    pattern: re.Pattern | None = None
    pivot: int | None = None
    unknown: tuple[str, ...] = ()
    parse: str | None = None
    derive: str | None = None
    registry: str | None = None
    value: str | None = None
    first_of: tuple[ColumnSpec, ...] = ()
    required: bool = False

    def all_headers(self) -> list[str]:
        out = list(self.headers)
        for sub in self.first_of:
            out += sub.all_headers()
        return out


@dataclass(frozen=True)
class RoleSpec:
    column: tuple[str, ...]
    victims: tuple[str, ...]
    offenders: tuple[str, ...]
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    kind: str
    sheet: str | int | re.Pattern
    columns: dict[str, ColumnSpec]
    header_contains: tuple[str, ...] = ()
    role: RoleSpec | None = None
    optional: bool = False

    def describe_sheet(self) -> str:
        if isinstance(self.sheet, re.Pattern):
            return f"matching /{self.sheet.pattern}/"
        if isinstance(self.sheet, int):
            return f"number {self.sheet + 1}"
        return repr(self.sheet)


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    sheets: tuple[SheetSpec, ...]
    path: str = ""


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    source_type: str
    area: str | None
    expected: bool
    mapping: str | None
    files: tuple[str, ...]
    force_area: str | None = None  # the police force area it lies in: shared ground for linkage


@dataclass
class Config:
    root: Path
    settings: Settings
    fields: dict[str, FieldDef]
    codes: dict[str, CodeList]
    unknown_tokens: frozenset[str]
    mappings: dict[str, Mapping]
    agencies: dict[str, Agency]
    template: TemplateSpec | None = None

    @cached_property
    def agency_list(self) -> list[Agency]:
        return list(self.agencies.values())


# -- loaders -----------------------------------------------------------------------------

def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    d = load_yaml(path) or {}
    _check_keys(d, {"ignore", "extensions", "header_search_rows", "limits", "two_digit_year_pivot",
                    "nil_markers"}, path, "")
    limits = d.get("limits") or {}
    _check_keys(limits, set(Limits.__dataclass_fields__), path, "limits")
    kw = {}
    for key in ("ignore", "extensions", "nil_markers"):
        if key in d:
            if not isinstance(d[key], list):
                raise ConfigError(path, key, _line(d, key), "expected a list")
            kw[key] = tuple(str(x) for x in d[key])
    for key in ("header_search_rows", "two_digit_year_pivot"):
        if key in d:
            if not isinstance(d[key], int):
                raise ConfigError(path, key, _line(d, key), "expected a whole number")
            kw[key] = d[key]
    for key, val in limits.items():
        if not isinstance(val, (int, float)) or val <= 0:
            raise ConfigError(path, f"limits.{key}", _line(limits, key), "expected a positive number")
    return Settings(limits=Limits(**limits), **kw)


@dataclass(frozen=True)
class TemplateSpec:
    """The standard template: sheet -> fields, a label per field, a drop-down list per coded field."""

    sheets: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    codes: dict[str, str]


def load_template(path: Path, fields: dict[str, FieldDef]) -> TemplateSpec:
    d = (load_yaml(path) or {}).get("template") or {}
    _check_keys(d, {"sheets", "labels", "codes"}, path, "template")
    sheets = {name: tuple(cols) for name, cols in (d.get("sheets") or {}).items()}
    for name, cols in sheets.items():
        for col in cols:
            if col not in fields:
                raise ConfigError(path, f"template.sheets.{name}", _line(d.get("sheets"), name),
                                  f"unknown field {col!r}")
    labels = dict(d.get("labels") or {})
    missing = sorted({c for cols in sheets.values() for c in cols} - set(labels))
    if missing:
        raise ConfigError(path, "template.labels", _line(d, "labels"), f"no label for {', '.join(missing)}")
    return TemplateSpec(sheets, labels, dict(d.get("codes") or {}))


def load_fields(path: Path) -> dict[str, FieldDef]:
    d = load_yaml(path) or {}
    _check_keys(d, {"fields", "template"}, path, "")
    out = {}
    for name, spec in (d.get("fields") or {}).items():
        _check_keys(spec, {"type", "kinds", "description", "codes", "personal", "input_only"}, path,
                    f"fields.{name}")
        ftype = _require(spec, "type", path, f"fields.{name}")
        if ftype not in ("text", "date", "int", "code"):
            raise ConfigError(path, f"fields.{name}.type", _line(spec, "type"),
                              "must be one of text, date, int, code")
        out[name] = FieldDef(name, ftype, tuple(spec.get("kinds", ())), spec.get("description", ""),
                             spec.get("codes"), bool(spec.get("personal")), bool(spec.get("input_only")))
    return out


def load_code_list(path: Path) -> CodeList:
    d = load_yaml(path) or {}
    _check_keys(d, {"name", "categories", "codes", "includes", "tokens"}, path, "")
    name = d.get("name", path.stem)
    if name != path.stem:
        raise ConfigError(path, "name", _line(d, "name"), f"must equal the file name {path.stem!r}")
    categories = tuple(d.get("categories") or ())
    codes, display = {}, {}
    raw = d.get("codes") or {}
    if not isinstance(raw, dict):
        raise ConfigError(path, "codes", _line(d, "codes"), "expected a mapping of code: category")
    for code, target in raw.items():
        if isinstance(target, dict):
            _check_keys(target, {"category", "detail"}, path, f"codes.{code}")
            category = _require(target, "category", path, f"codes.{code}")
            detail = target.get("detail")
        else:
            category, detail = target, None
        if categories and category not in categories:
            raise ConfigError(path, f"codes.{code}", _line(raw, code),
                              f"category {category!r} is not one of {', '.join(categories)}")
        key = normalise(code)
        codes[key] = (str(category), None if detail is None else str(detail))
        display[key] = str(code)
    return CodeList(name, categories, codes, tuple(d.get("includes") or ()), display)


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
    sources = [k for k in ("column", "registry", "value", "first_of") if k in spec]
    if len(sources) != 1:
        raise ConfigError(path, where, _line(spec), "give exactly one of column, registry, value, first_of")
    kw = {}
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
    if "derive" in spec:
        if spec["derive"] not in DERIVERS:
            raise ConfigError(path, f"{where}.derive", _line(spec, "derive"),
                              f"must be one of {', '.join(DERIVERS)}")
        kw["derive"] = spec["derive"]
    if "unknown" in spec:
        if not isinstance(spec["unknown"], list):
            raise ConfigError(path, f"{where}.unknown", _line(spec, "unknown"), "expected a list of tokens")
        kw["unknown"] = tuple(str(t) for t in spec["unknown"])
    if "registry" in spec:
        if spec["registry"] not in ("area", "name", "id"):
            raise ConfigError(path, f"{where}.registry", _line(spec, "registry"),
                              "must be one of area, name, id")
        kw["registry"] = spec["registry"]
    if "value" in spec:
        kw["value"] = str(spec["value"])
    kw["required"] = bool(spec.get("required", False))
    return ColumnSpec(**kw)


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
                              f"unknown field; fields are: {', '.join(fields)}")
        if not any(k in fields[fname].kinds for k in allowed_kinds):
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              f"field {fname!r} does not belong in a {kind} sheet")
        col = _parse_column(cspec, path, f"{where}.columns.{fname}", codes, fields, fname)
        if col.parse == "name" and fname != "name":
            raise ConfigError(path, f"{where}.columns.{fname}", _line(columns_raw, fname),
                              "parse: name splits a whole name: use it on the field `name`")
        columns[fname] = col
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
    return SheetSpec(kind, sel, columns, tuple(header_contains), role, bool(spec.get("optional", False)))


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
    return Mapping(name, d.get("description", ""), tuple(sheets), str(path))


def load_agencies(path: Path, mappings: dict) -> dict[str, Agency]:
    if not path.exists():
        return {}
    d = load_yaml(path) or {}
    _check_keys(d, {"agencies"}, path, "")
    out = {}
    for i, a in enumerate(d.get("agencies") or []):
        where = f"agencies[{i}]"
        _check_keys(a, {"id", "name", "source_type", "area", "force_area", "expected", "mapping", "files"}, path,
                    where)
        aid = str(_require(a, "id", path, where))
        if aid in out:
            raise ConfigError(path, f"{where}.id", _line(a, "id"), f"duplicate agency id {aid!r}")
        st = _require(a, "source_type", path, where)
        if st not in SOURCE_TYPES:
            raise ConfigError(path, f"{where}.source_type", _line(a, "source_type"),
                              f"must be one of {', '.join(SOURCE_TYPES)}")
        mapping = a.get("mapping")
        if mapping is not None and mapping not in mappings:
            raise ConfigError(path, f"{where}.mapping", _line(a, "mapping"),
                              f"no mapping {mapping!r} in mappings/; known: {', '.join(sorted(mappings))}")
        files = a.get("files") or []
        force_area = a.get("force_area") or (a.get("area") if st == "police" else None)
        out[aid] = Agency(aid, str(a.get("name", aid)), st, a.get("area"), bool(a.get("expected", True)),
                          mapping, tuple(files), force_area)
    return out


def load_config(root: str | Path | None = None) -> Config:
    """Load and validate the whole configuration folder."""
    root = Path(root) if root else DEFAULT_CONFIG_DIR
    if not root.is_dir():
        raise ConfigError(root, "", None, "configuration folder not found")
    settings = load_settings(root / "settings.yaml")
    fields = load_fields(root / "schema.yaml")
    codes = {p.stem: load_code_list(p) for p in sorted((root / "codes").glob("*.yaml"))}
    unknown = codes.pop("unknown", None)
    tokens = frozenset(normalise(t) for t in _unknown_tokens(root / "codes" / "unknown.yaml")) if unknown else \
        frozenset({""})
    _resolve_includes(codes, root)
    for fdef in fields.values():
        if fdef.codes and fdef.codes not in codes:
            raise ConfigError(root / "schema.yaml", f"fields.{fdef.name}.codes", None,
                              f"no code list {fdef.codes!r}")
    mappings = {p.stem: load_mapping(p, codes, fields) for p in sorted((root / "mappings").glob("*.yaml"))}
    agencies = load_agencies(root / "agencies.yaml", mappings)
    template = load_template(root / "schema.yaml", fields)
    for fname, list_name in template.codes.items():
        if list_name not in codes:
            raise ConfigError(root / "schema.yaml", f"template.codes.{fname}", None, f"no code list {list_name!r}")
    return Config(root, settings, fields, codes, tokens | {""}, mappings, agencies, template)


def _unknown_tokens(path: Path) -> list[str]:
    d = load_yaml(path) or {}
    tokens = d.get("tokens") or []
    if not isinstance(tokens, list):
        raise ConfigError(path, "tokens", _line(d, "tokens"), "expected a list")
    return [str(t) for t in tokens]


def _resolve_includes(codes: dict[str, CodeList], root: Path) -> None:
    """Fold included lists in; a list's own codes win over included ones."""
    done: set[str] = set()

    def resolve(name: str, chain: tuple[str, ...]):
        if name in done:
            return
        cl = codes[name]
        for inc in cl.includes:
            if inc not in codes:
                raise ConfigError(root / "codes" / f"{name}.yaml", "includes", None, f"no code list {inc!r}")
            if inc in chain:
                raise ConfigError(root / "codes" / f"{name}.yaml", "includes", None,
                                  f"circular include: {' -> '.join(chain + (inc,))}")
            resolve(inc, chain + (inc,))
            for k, v in codes[inc].codes.items():
                cl.codes.setdefault(k, v)
                cl.display.setdefault(k, codes[inc].display.get(k, k))
        done.add(name)

    for name in codes:
        resolve(name, (name,))
