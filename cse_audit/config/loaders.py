"""Load the configs/ folder: settings, schema, code lists, mappings, the agency registry."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ConfigError
from .mappings import load_mapping
from .models import (
    SOURCE_TYPES,
    Agency,
    CodeList,
    Config,
    FieldDef,
    Limits,
    Settings,
    TemplateSpec,
)
from .paths import DEFAULT_CONFIG_DIR
from .text import normalise
from .yamlio import _check_keys, _line, _require, load_yaml


def load_settings(path: Path) -> Settings:
    if not path.exists():
        return Settings()
    d = load_yaml(path) or {}
    # reference_period (dating ages given without a date) is used by linkage's settings; checked here too
    _check_keys(d, {"ignore", "extensions", "header_search_rows", "limits", "two_digit_year_pivot",
                    "nil_markers", "key_fields", "reference_period"}, path, "")
    limits = d.get("limits") or {}
    _check_keys(limits, set(Limits.__dataclass_fields__), path, "limits")
    kw = {}
    for key in ("ignore", "extensions", "nil_markers", "key_fields"):
        if key in d:
            if not isinstance(d[key], list):
                raise ConfigError(path, key, _line(d, key), "expected a list")
            kw[key] = tuple(str(x) for x in d[key])
    for key in ("header_search_rows", "two_digit_year_pivot"):
        if key in d:
            if not isinstance(d[key], int):
                raise ConfigError(path, key, _line(d, key), "expected a whole number")
            kw[key] = d[key]
    if d.get("reference_period") is not None:
        _check_period(d, path, "")
    for key, val in limits.items():
        if not isinstance(val, (int, float)) or val <= 0:
            raise ConfigError(path, f"limits.{key}", _line(limits, key), "expected a positive number")
    return Settings(limits=Limits(**limits), **kw)


def _check_period(d: dict, path: Path, where: str) -> None:
    """A reference period is {from: DATE, to: DATE} with from <= to (an error names the key)."""
    import datetime as dt

    key = f"{where}.reference_period" if where else "reference_period"
    p = d["reference_period"]
    if not isinstance(p, dict):
        raise ConfigError(path, key, _line(d, "reference_period"), "expected {from: YYYY-MM-DD, to: YYYY-MM-DD}")
    _check_keys(p, {"from", "to"}, path, key)
    dates = {}
    for end in ("from", "to"):
        v = p.get(end)
        if isinstance(v, dt.datetime):
            v = v.date()
        if not isinstance(v, dt.date):
            try:
                v = dt.date.fromisoformat(str(v)) if isinstance(v, str) else None
            except ValueError:
                v = None
        if v is None:
            raise ConfigError(path, f"{key}.{end}", _line(p, end) or _line(d, "reference_period"),
                              "expected a date (YYYY-MM-DD)")
        dates[end] = v
    if dates["to"] < dates["from"]:
        raise ConfigError(path, key, _line(d, "reference_period"), "ends before it starts")


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
    _check_keys(d, {"name", "categories", "codes", "includes", "tokens", "numbered_names", "no_name",
                    "placeholder_marks", "shares_column_with"}, path, "")
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
    shares = d.get("shares_column_with")
    if shares is not None and not isinstance(shares, str):
        raise ConfigError(path, "shares_column_with", _line(d, "shares_column_with"), "expected a code list's name")
    return CodeList(name, categories, codes, tuple(d.get("includes") or ()), display, shares)


_AGENCY_ID = re.compile(r"[A-Za-z0-9][^\s:'\"\x00-\x1f\x7f]*")


def load_agencies(path: Path, mappings: dict) -> dict[str, Agency]:
    if not path.exists():
        return {}
    d = load_yaml(path) or {}
    _check_keys(d, {"agencies"}, path, "")
    out = {}
    for i, a in enumerate(d.get("agencies") or []):
        where = f"agencies[{i}]"
        _check_keys(a, {"id", "name", "source_type", "area", "force_area", "expected", "mapping", "files",
                        "reference_period"}, path, where)
        aid = str(_require(a, "id", path, where))
        if not _AGENCY_ID.fullmatch(aid):
            # ids start every record id (agency:return:sheet:row) and go into csv/xlsx cells, the
            # template's included: never a formula (=, +, -, @), a quote, a space, ':' or a control
            raise ConfigError(path, f"{where}.id", _line(a, "id"),
                              "an agency id starts with a letter or digit and has no spaces, quotes or ':'")
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
        if a.get("reference_period") is not None:
            _check_period(a, path, where)
        files = a.get("files") or []
        force_areas = _force_areas(a, st, path, where)
        out[aid] = Agency(aid, str(a.get("name", aid)), st, a.get("area"), bool(a.get("expected", True)),
                          mapping, tuple(files), force_areas[0] if force_areas else None, force_areas)
    return out


def _force_areas(a: dict, source_type: str, path: Path, where: str) -> tuple[str, ...]:
    """`force_area: X` or, for a council that borders two forces, `force_area: [X, Y]` (the first is
    `Agency.force_area`); a police force's own area by default."""
    raw = a.get("force_area") or (a.get("area") if source_type == "police" else None)
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and raw and all(isinstance(x, str) and x for x in raw):
        return tuple(raw)
    raise ConfigError(path, f"{where}.force_area", _line(a, "force_area"),
                      "expected a police force area, or a list of them (a council bordering two forces)")


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
    _resolve_shared_columns(codes, root)
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
    numbered = frozenset(normalise(t) for t in _unknown_tokens(root / "codes" / "unknown.yaml", "numbered_names")) \
        if unknown else frozenset()
    no_name = frozenset(normalise(t) for t in _unknown_tokens(root / "codes" / "unknown.yaml", "no_name")) \
        - {""} if unknown else frozenset()
    marks = _placeholder_marks(root / "codes" / "unknown.yaml") if unknown else frozenset()
    return Config(root, settings, fields, codes, tokens | {""}, mappings, agencies, template, numbered, no_name,
                  placeholder_marks=marks)


def _placeholder_marks(path: Path) -> frozenset[str]:
    """codes/unknown.yaml `placeholder_marks`: the punctuation marks a cell of punctuation alone may
    be made of and mean "not known" ("-", "?", "..."). Without the key (a project's configuration
    copied before session 17), the marks of the punctuation-only `tokens` ("-", "--", "?"), which
    were the placeholders then."""
    d = load_yaml(path) or {}
    if "placeholder_marks" not in d:
        return frozenset(c for t in _unknown_tokens(path) if t.strip() and not normalise(t) for c in t
                         if not c.isspace())
    marks = _unknown_tokens(path, "placeholder_marks")
    bad = [m for m in marks if len(m) != 1 or m.isalnum() or m.isspace()]
    if bad:
        raise ConfigError(path, "placeholder_marks", _line(d, "placeholder_marks"),
                          "expected single punctuation marks (a letter, a digit or a space cannot be one)")
    return frozenset(marks)


def _unknown_tokens(path: Path, key: str = "tokens") -> list[str]:
    d = load_yaml(path) or {}
    tokens = d.get(key) or []
    if not isinstance(tokens, list):
        raise ConfigError(path, key, _line(d, key), "expected a list")
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


def _resolve_shared_columns(codes: dict[str, CodeList], root: Path) -> None:
    """A list that `shares_column_with` another takes the other's codes it lacks as no answer
    (CodeList.no_answer): where missing_status and missing_from read one column, as docs/mappings.md
    shows, "Not missing" is missing_status's answer and says missing-from does not apply; read by
    missing_from it is Unknown, not an unrecognised code (issue 16: 150 warnings at 10k records)."""
    for name, cl in codes.items():
        other = cl.shares_column_with
        if other is None:
            continue
        if other not in codes or other == name:
            raise ConfigError(root / "codes" / f"{name}.yaml", "shares_column_with", None,
                              f"no other code list {other!r}")
        cl.no_answer = frozenset(codes[other].codes).difference(cl.codes)
