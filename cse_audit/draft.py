"""Draft a mapping for a new layout of return, and check a mapping against a file.

`draft_mapping` reads one return and proposes a mapping in the project's YAML format: which sheet
holds cases, victims, offenders (or people, with a role column), where each header row is, which
column is which canonical field and through which code list. Every choice carries its evidence
and a confidence as a YAML comment; what the draft cannot decide is written as a `TODO:` key,
which the mapping loader rejects (unknown key, with file and line) until a person decides.

`check_mapping` applies a mapping to one file in memory and says, per field, how many values
mapped, how many became Unknown and which values were not recognised, storing nothing.

Neither ever puts a value of a personal field (names, initials, dates of birth) in its output:
the evidence for those columns is counts and shares only.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .config import DEFAULT_CONFIG_DIR, Agency, Config, ConfigError, Mapping, load_mapping, normalise
from .values import parse_age, parse_date, parse_initials, parse_int

SAMPLE_ROWS = 5000          # rows per sheet looked at for value evidence
MAX_LISTED = 12             # unrecognised values listed per column
KIND_ORDER = ("cases", "victims", "offenders", "people")
NO_ROLE_VALUES = "no role values seen (no data rows): list the values meaning victims, offenders and skip"
CASE_FIELDS = ("case_ref", "case_date", "area")
CODE_FIELDS_DEFAULT = {"sex": "sex", "missing_status": "missing_status", "missing_from": "missing_from",
                       "looked_after": "yes_no", "identified": "yes_no"}
STRENGTH = {"synonym": 3, "abbreviation": 3, "contains": 2, "close": 1, "values": 0}

_NUMERIC = re.compile(r"^\d+(?:\.\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}([ T][\d:.]+)?|\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2}|\d{4})"
                        r"(\s+[\d:]+)?|\d{1,2}(st|nd|rd|th)?[\s\-/]+[a-z]{3,9}\.?[\s\-/,]+(\d{2}|\d{4}))$", re.I)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]")
_LETTERS = r"[^\W\d_]"
_COMMA_NAME = re.compile(rf"^{_LETTERS}[\w'\-. ]*,\s*{_LETTERS}", re.U)
_WORDS_NAME = re.compile(rf"^{_LETTERS}[\w'\-.]*(\s+{_LETTERS}[\w'\-.]*)+$", re.U)
_ONE_WORD = re.compile(rf"^{_LETTERS}[\w'\-]*$", re.U)
_INITIALS = re.compile(r"^([A-Za-z]\.?\s?){1,4}$")
_AGE_UNITS = re.compile(r"[a-z]|\d\s*(-|to)\s*\d|<", re.I)


# -- the synonym table -------------------------------------------------------------------------

@dataclass
class Synonyms:
    """configs/draft_synonyms.yaml, normalised once."""

    exact: dict[str, str]                      # normalised header -> field
    compact: dict[str, str]                    # header without spaces -> field
    contains: list[tuple[tuple[str, ...], str]]  # phrase words -> field, longest first
    fuzzy_cutoff: float
    fuzzy_min_length: int
    code_hints: dict[str, list[tuple[str, ...]]]
    self_defined: list[tuple[str, ...]]
    officer_defined: list[tuple[str, ...]]
    code_candidates: dict[str, list[str]]
    unknown_like: list[tuple[str, ...]]
    role_headers: set[str]
    role_values: dict[str, str]                # normalised role value -> victims | offenders | skip
    kind_sheet: dict[str, list[tuple[str, ...]]]
    kind_header: dict[str, list[tuple[str, ...]]]


def load_synonyms(config: Config | None = None, path: Path | None = None) -> Synonyms:
    path = path or _synonyms_path(config)
    from .config import load_yaml

    d = load_yaml(path) or {}
    words = lambda items: [tuple(normalise(i).split()) for i in items or []]  # noqa: E731
    exact, compact, contains = {}, {}, []
    for fname, spec in (d.get("fields") or {}).items():
        if config is not None and fname not in config.fields:
            raise ConfigError(path, f"fields.{fname}", None, "unknown field; see configs/schema.yaml")
        for s in spec.get("exact") or []:
            exact.setdefault(normalise(s), fname)
            compact.setdefault(normalise(s).replace(" ", ""), fname)
        for s in spec.get("contains") or []:
            contains.append((tuple(normalise(s).split()), fname))
    contains.sort(key=lambda p: -len(" ".join(p[0])))
    role = d.get("role") or {}
    role_values = {}
    for kind in ("victims", "offenders", "skip"):
        for v in role.get(kind) or []:
            role_values[normalise(v)] = kind
    kinds = d.get("kinds") or {}
    return Synonyms(
        exact, compact, contains, float(d.get("fuzzy_cutoff", 0.85)), int(d.get("fuzzy_min_length", 5)),
        {k: words(v) for k, v in (d.get("code_hints") or {}).items()},
        words(d.get("self_defined")), words(d.get("officer_defined")),
        {k: list(v) for k, v in (d.get("code_candidates") or {}).items()},
        words(d.get("unknown_like")),
        {normalise(h) for h in role.get("headers") or []}, role_values,
        {k: words((v or {}).get("sheet")) for k, v in kinds.items()},
        {k: words((v or {}).get("header")) for k, v in kinds.items()},
    )


def _synonyms_path(config: Config | None) -> Path:
    if config is not None and (Path(config.root) / "draft_synonyms.yaml").exists():
        return Path(config.root) / "draft_synonyms.yaml"
    return DEFAULT_CONFIG_DIR / "draft_synonyms.yaml"


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


@dataclass
class HeaderMatch:
    field: str
    how: str            # synonym | abbreviation | contains | close | values
    detail: str = ""    # the phrase or synonym that matched

    @property
    def strength(self) -> int:
        return STRENGTH[self.how]

    def describe(self, header: str) -> str:
        if self.how == "contains":
            return f"header {header!r} contains '{self.detail}' ~ {self.field}"
        if self.how == "close":
            return f"header {header!r} is close to '{self.detail}' ~ {self.field} (fuzzy)"
        if self.how == "values":
            return f"header {header!r} names no field; the values say {self.field}"
        return f"header {header!r} ~ {self.field} ({self.how})"


def match_header(header: str, syn: Synonyms) -> HeaderMatch | None:
    """The field a header names, by synonym, abbreviation, contained phrase or closeness."""
    n = normalise(header)
    if not n:
        return None
    if n in syn.exact:
        return HeaderMatch(syn.exact[n], "synonym")
    c = n.replace(" ", "")
    if c in syn.compact:
        return HeaderMatch(syn.compact[c], "abbreviation")
    words = tuple(n.split())
    for phrase, fname in syn.contains:
        if _has_phrase(words, phrase):
            return HeaderMatch(fname, "contains", " ".join(phrase))
    if len(n) >= syn.fuzzy_min_length:
        close = difflib.get_close_matches(n, list(syn.exact), n=1, cutoff=syn.fuzzy_cutoff)
        if close:
            return HeaderMatch(syn.exact[close[0]], "close", close[0])
    return None


def _hinted(header: str, phrases: list[tuple[str, ...]]) -> bool:
    words = tuple(normalise(header).split())
    return any(_has_phrase(words, p) for p in phrases)


# -- value evidence ----------------------------------------------------------------------------

@dataclass
class Profile:
    """What one column's values look like (nothing here is ever printed for personal fields)."""

    n: int = 0                         # non-blank cells
    n_unknown: int = 0                 # cells that are unknown tokens
    values: Counter = field(default_factory=Counter)   # known values as written (stripped)
    dates: int = 0
    dayfirst: int = 0                  # d/m/y text with the day over 12
    monthfirst: int = 0                # m/d/y text with the second part over 12
    iso: int = 0
    ages: int = 0
    age_units: int = 0
    ints: int = 0
    comma_names: int = 0
    word_names: int = 0
    one_words: int = 0
    initials: int = 0

    @property
    def known(self) -> int:
        return self.n - self.n_unknown

    def share(self, count: int) -> float:
        return count / self.known if self.known else 0.0


def profile_column(cells: list[str], unknown: frozenset[str]) -> Profile:
    p = Profile()
    for raw in cells:
        s = raw.strip()
        if not s:
            continue
        p.n += 1
        if normalise(s) in unknown:
            p.n_unknown += 1
            continue
        p.values[s] += 1
    for s, k in p.values.items():
        if _DATE_TEXT.match(s) and parse_date(s, "dayfirst")[0] is not None:
            p.dates += k
            m = _DMY.match(s)
            if m is None:
                p.iso += k if s[:4].isdigit() else 0
            elif int(m[1]) > 12:
                p.dayfirst += k
            elif int(m[2]) > 12:
                p.monthfirst += k
        elif _NUMERIC.match(s) and 10000 <= float(s) <= 73050:
            p.dates += k          # an Excel serial (1927-2099): counted as a date only if most are dates
        if parse_age(s)[0] is not None:
            p.ages += k
            if _AGE_UNITS.search(s):
                p.age_units += k
        if parse_int(s)[0] is not None:
            p.ints += k
        if _COMMA_NAME.match(s):
            p.comma_names += k
        elif _WORDS_NAME.match(s):
            p.word_names += k
        if _ONE_WORD.match(s):
            p.one_words += k
        if _INITIALS.match(s) and parse_initials(s)[0] is not None and (s.isupper() or "." in s):
            p.initials += k
    return p


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


# -- the draft ---------------------------------------------------------------------------------

@dataclass
class ColumnChoice:
    """One field of one sheet: its column(s), the YAML spec, the evidence and the confidence."""

    field: str
    headers: list[str]
    spec: object                     # str | dict, as it will be written
    evidence: list[str]
    confidence: str                  # high | medium | low
    todo: str | None = None
    unrecognised: list[str] = field(default_factory=list)   # codes no list knows (non-personal only)

    def comment(self) -> str:
        parts = list(self.evidence)
        if self.unrecognised:
            parts.append("not in any code list: " + ", ".join(repr(v) for v in self.unrecognised[:MAX_LISTED])
                         + (" ..." if len(self.unrecognised) > MAX_LISTED else ""))
        if not self.todo:
            parts.append(f"confidence {self.confidence}")
        return "; ".join(parts)


@dataclass
class SheetDraft:
    sheet: str
    index: int
    kind: str
    kind_evidence: str
    header_row: int                  # Excel row number (1-based)
    header_evidence: str
    data_rows: int
    selector: str | int
    header_contains: list[str]
    columns: list[ColumnChoice]
    unmapped: list[tuple[str, str]]  # header, why not
    role: dict | None = None         # column, victims, offenders, skip
    role_todo: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def todos(self) -> list[str]:
        out = [f"{self.kind}.{c.field}: {c.todo}" for c in self.columns if c.todo]
        if self.role_todo:
            out.append(f"{self.kind}.role: values not sorted: {', '.join(map(repr, self.role_todo))}")
        elif self.role is not None and not any(self.role[k] for k in ("victims", "offenders", "skip")):
            out.append(f"{self.kind}.role: {NO_ROLE_VALUES}")
        return out

    def fields(self) -> dict[str, list[str]]:
        """field -> the headers it reads (or ["registry:area"]); TODO fields are left out."""
        out = {}
        for c in self.columns:
            if c.todo:
                continue
            out[c.field] = list(c.headers) or [_source_of(c.spec)]
        return out


@dataclass
class DraftResult:
    name: str
    file_name: str
    sheets: list[SheetDraft]
    skipped: list[tuple[str, str]]   # sheet name, why
    problem: str | None = None       # the file could not be drafted at all

    @property
    def todos(self) -> list[str]:
        out = [t for s in self.sheets for t in s.todos]
        if self.problem or not self.sheets:
            out.append(f"sheets: {self.problem or 'no sheet holds a table of cases or people'}")
        return out

    def sheet(self, kind: str) -> SheetDraft | None:
        return next((s for s in self.sheets if s.kind == kind), None)

    def to_yaml(self) -> str:
        return _to_yaml(self)

    def as_dict(self) -> dict:
        return {
            "name": self.name, "file": self.file_name, "todos": self.todos,
            "sheets": [{
                "kind": s.kind, "sheet": s.sheet, "header_row": s.header_row, "data_rows": s.data_rows,
                "kind_evidence": s.kind_evidence, "role": s.role, "role_todo": s.role_todo,
                "columns": [{"field": c.field, "headers": c.headers, "confidence": c.confidence,
                             "todo": c.todo, "evidence": c.evidence, "unrecognised": c.unrecognised}
                            for c in s.columns],
                "unmapped": [{"header": h, "why": w} for h, w in s.unmapped],
                "notes": s.notes,
            } for s in self.sheets],
            "skipped": [{"sheet": n, "why": w} for n, w in self.skipped],
            "problem": self.problem,
        }


def _source_of(spec) -> str:
    if isinstance(spec, dict):
        if "registry" in spec:
            return f"registry:{spec['registry']}"
        if "value" in spec:
            return f"value:{spec['value']}"
    return ""


def draft_mapping(path: str | Path, config: Config, name: str | None = None,
                  synonyms: Synonyms | None = None) -> DraftResult:
    """Read one return and propose a mapping for its layout (see the module docstring)."""
    from .readers import ReadError, read_file

    path = Path(path)
    name = name or slug(path.stem)
    syn = synonyms or load_synonyms(config)
    try:
        sheets = read_file(path, config.settings.limits)
    except ReadError as exc:
        return DraftResult(name, path.name, [], [], problem=f"cannot read the file: {exc.reason}")
    drafts, skipped = [], []
    names = Counter(normalise(s.name) for s in sheets)
    for index, sheet in enumerate(sheets):
        result = _draft_sheet(sheet, index, len(sheets), names, config, syn)
        if isinstance(result, str):
            skipped.append((sheet.name, result))
        else:
            drafts.append(result)
    # A mapping holds one sheet per kind: keep the fullest, note the others.
    chosen: dict[str, SheetDraft] = {}
    for d in drafts:
        other = chosen.get(d.kind)
        if other is None or len(d.columns) > len(other.columns):
            if other is not None:
                skipped.append((other.sheet, f"also looks like {other.kind}, but sheet {d.sheet!r} has more "
                                             "matching columns (a mapping holds one sheet per kind)"))
            chosen[d.kind] = d
        else:
            skipped.append((d.sheet, f"also looks like {d.kind}, but sheet {other.sheet!r} has more matching "
                                     "columns (a mapping holds one sheet per kind)"))
    if "people" in chosen and ("victims" in chosen or "offenders" in chosen):
        chosen["people"].notes.append("other sheets hold victims or offenders too: check that no person "
                                      "is counted twice")
    ordered = [chosen[k] for k in KIND_ORDER if k in chosen]
    problem = None
    if not ordered:
        problem = "no sheet holds a table of cases or people (" + "; ".join(
            f"{n!r}: {w}" for n, w in skipped) + ")" if skipped else "the file has no sheets"
    return DraftResult(name, path.name, ordered, skipped, problem)


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60].strip("-") or "draft"


# -- one sheet ---------------------------------------------------------------------------------

def _blank(row: list[str]) -> bool:
    return all(not c or not c.strip() for c in row)


def _headerish(cell: str) -> bool:
    s = cell.strip()
    if len(re.findall(_LETTERS, s)) < 2 or len(s) > 80:
        return False
    if _DATE_TEXT.match(s):
        return False
    # Codes and references ("TS/001", "IC1", "W1") are data, not headers.
    return not (any(ch.isdigit() for ch in s) and " " not in s and len(s) <= 10)


def find_header_row(rows: list[list[str]], syn: Synonyms, search_rows: int = 30) -> tuple[int, int] | None:
    """(row index, number of headers that name a field) of the most header-like row in the first
    `search_rows`: the row with most cells that look like header words, weighted by how many name a
    field, followed by data rows (or by nothing, for a return with a header and no data)."""
    best, best_score, best_hits = None, 0, 0
    nonblank = [i for i, r in enumerate(rows) if not _blank(r)]
    for i, row in enumerate(rows[:search_rows]):
        cells = [c.strip() for c in row if c and c.strip()]
        if len(cells) < 2:
            continue
        hits = sum(1 for c in cells if match_header(c, syn) is not None or normalise(c) in syn.role_headers)
        headerish = sum(1 for c in cells if _headerish(c))
        if len(set(map(normalise, cells))) < len(cells) * 0.6:
            continue          # a row of repeated values is data
        score = 3 * hits + headerish - (len(cells) - headerish)
        followed = any(j > i for j in nonblank)
        if not followed and hits < 2:
            continue
        if score > best_score:
            best, best_score, best_hits = i, score, hits
    if best is None or best_hits == 0 and best_score < 4:
        return None
    return best, best_hits


def _draft_sheet(sheet, index: int, n_sheets: int, names: Counter, config: Config,
                 syn: Synonyms) -> SheetDraft | str:
    found = find_header_row(sheet.rows, syn, config.settings.header_search_rows)
    if found is None:
        text = " ".join(normalise(c) for r in sheet.rows[:50] for c in r if c)
        if any(normalise(m) in text for m in config.settings.nil_markers):
            return "no table: the sheet says no relevant data is held (a nil return)"
        if not any(not _blank(r) for r in sheet.rows):
            return "the sheet is empty"
        return f"no header row found in the first {config.settings.header_search_rows} rows"
    hdr, hits = found
    headers = [c.strip() for c in sheet.rows[hdr]]
    data = [r for r in sheet.rows[hdr + 1:] if not _blank(r)]
    sample = data[:SAMPLE_ROWS]
    above = [r for r in sheet.rows[:hdr] if not _blank(r)]
    header_evidence = (f"header on row {hdr + 1}" + (f" (below {len(above)} title/note row(s))" if above else "")
                       + f", {hits} of {sum(1 for h in headers if h)} headers name a field")
    profiles = {j: profile_column([r[j] if j < len(r) else "" for r in sample], config.unknown_tokens)
                for j, h in enumerate(headers) if h}
    matches = {j: match_header(h, syn) for j, h in enumerate(headers) if h}

    # A role column makes a flat `people` sheet.
    role_col = None
    for j, h in enumerate(headers):
        if not h or (matches.get(j) and matches[j].strength >= 2):
            continue
        p = profiles[j]
        in_vocab = sum(k for v, k in p.values.items() if normalise(v) in syn.role_values)
        if (normalise(h) in syn.role_headers and (p.known == 0 or p.share(in_vocab) >= 0.5)) or \
                (p.known >= 3 and p.share(in_vocab) >= 0.8 and len(p.values) >= 2):
            role_col = j
            break
    kind, kind_evidence = _decide_kind(sheet.name, headers, matches, role_col, config, syn)
    allowed = ("victims", "offenders") if kind == "people" else (kind,)

    def fits(fname: str) -> bool:
        return any(k in config.fields[fname].kinds for k in allowed)

    # Header matches, then value-only matches for the columns no header names.
    by_field: dict[str, list[int]] = {}
    unmapped: list[tuple[str, str]] = []
    for j, h in enumerate(headers):
        if not h or j == role_col:
            continue
        m = matches[j]
        if m is None:
            m = _match_by_values(profiles[j], config, syn)
            matches[j] = m
        if m is None:
            unmapped.append((h, "no field matches this header" + _value_hint(profiles[j])))
            continue
        if not fits(m.field):
            unmapped.append((h, f"{m.describe(h)}, but {m.field} does not belong in a {kind} sheet"))
            continue
        by_field.setdefault(m.field, []).append(j)
    for j, h in enumerate(headers):
        if not h and any((r[j] if j < len(r) else "").strip() for r in sample):
            unmapped.append((f"column {_col_letter(j)}", "values under a blank header (not mapped)"))

    columns = _choose_columns(by_field, headers, matches, profiles, kind, fits, config, syn, unmapped)
    selector = _selector(sheet.name, index, n_sheets, names)
    role = role_todo = None
    if role_col is not None:
        role, role_todo = _role_block(headers[role_col], profiles[role_col], syn)
    contains = _header_contains(columns, role, headers)
    draft = SheetDraft(sheet.name, index, kind, kind_evidence, hdr + 1, header_evidence, len(data), selector,
                       contains, columns, unmapped, role, role_todo or [])
    if not data:
        draft.notes.append("no data rows: choices rest on the headers alone")
    n_fields = sum(1 for c in columns if c.headers)
    if n_fields < 2 and role is None:
        return (f"{header_evidence}, but only {n_fields} column(s) could be mapped: not a table of cases or "
                "people")
    return draft


def _col_letter(i: int) -> str:
    out, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _value_hint(p: Profile) -> str:
    if p.known < 3:
        return ""
    if p.share(p.dates) >= 0.9:
        return f" ({_pct(p.share(p.dates))} of values are dates)"
    return ""


def _match_by_values(p: Profile, config: Config, syn: Synonyms) -> HeaderMatch | None:
    """Only codes are recognised by values alone: a column of IC codes is ethnicity whatever its
    header; dates and names could be several fields, so they need a header."""
    if p.known < 5 or len(p.values) < 2:
        return None
    for fname in ("ethnicity", "sex"):
        best, share = _best_list(fname, p, config, syn, "")
        if best and share >= (0.9 if fname == "ethnicity" else 0.95):
            if fname == "ethnicity" and best in ("ethnicity_text", "ethnicity_template"):
                continue        # free text (names, notes) can look like ethnicity words: need a header
            return HeaderMatch(fname, "values")
    return None


def _decide_kind(sheet_name: str, headers: list[str], matches: dict, role_col, config: Config,
                 syn: Synonyms) -> tuple[str, str]:
    if role_col is not None:
        return "people", f"one row per person with a role column {headers[role_col]!r}"
    fields = {m.field for m in matches.values() if m}
    person = fields - set(CASE_FIELDS)
    words = tuple(normalise(sheet_name).split())
    for kind in ("offenders", "victims", "cases"):
        hit = next((p for p in syn.kind_sheet.get(kind, []) if _has_phrase(words, p)), None)
        if hit and (kind != "cases" or not person):
            return kind, f"sheet name {sheet_name!r}"
    if not person and "case_ref" in fields:
        return "cases", "a case reference and no person columns"
    votes = {}
    for kind in ("offenders", "victims"):
        hits = [h for h in headers if h and _hinted(h, syn.kind_header.get(kind, []))]
        votes[kind] = hits
    if len(votes["offenders"]) > len(votes["victims"]):
        return "offenders", f"headers name offenders ({votes['offenders'][0]!r})"
    if votes["victims"]:
        return "victims", f"headers name victims ({votes['victims'][0]!r})"
    return "victims", "one row per person with no role column or offender headers (taken as the children)"


def _selector(name: str, index: int, n_sheets: int, names: Counter) -> str | int:
    if name == "csv" or re.fullmatch(r"sheet\s*\d*", name, re.I) or names[normalise(name)] > 1 \
            or not normalise(name):
        return index
    return name


def _role_block(header: str, p: Profile, syn: Synonyms) -> tuple[dict, list[str]]:
    out = {"column": header, "victims": [], "offenders": [], "skip": []}
    todo = []
    for value, _k in p.values.most_common():
        kind = syn.role_values.get(normalise(value))
        (out[kind] if kind else todo).append(value)
    return out, todo


def _header_contains(columns: list[ColumnChoice], role: dict | None, headers: list[str]) -> list[str]:
    """One or two headers that find the header row: the references first, then the role column."""
    counts = Counter(normalise(h) for h in headers if h)
    out = []
    for fname in ("record_ref", "case_ref"):
        c = next((c for c in columns if c.field == fname and c.headers and not c.todo), None)
        if c and counts[normalise(c.headers[0])] == 1:
            out.append(c.headers[0])
    if role:
        out.append(role["column"])
    if not out:
        out += [c.headers[0] for c in columns if c.headers and not c.todo][:2]
    return out[:2]


# -- choosing the column for each field ----------------------------------------------------------

def _choose_columns(by_field: dict[str, list[int]], headers: list[str], matches: dict, profiles: dict,
                    kind: str, fits, config: Config, syn: Synonyms,
                    unmapped: list[tuple[str, str]]) -> list[ColumnChoice]:
    chosen: dict[str, ColumnChoice] = {}
    for fname, cols in by_field.items():
        distinct = {normalise(headers[j]) for j in cols}
        if len(cols) > 1 and len(distinct) == 1:
            # The same header twice: the loader can only use the first.
            first = cols[0]
            c = _column_choice(fname, first, headers, matches, profiles, config, syn)
            c.evidence.append(f"header appears {len(cols)} times: the loader uses the first "
                              f"(column {_col_letter(first)}); check which holds the {fname}")
            c.confidence = "low"
            chosen[fname] = c
        elif len(cols) > 1 and fname == "ethnicity" and _self_and_officer(cols, headers, syn):
            chosen[fname] = _first_of_ethnicity(cols, headers, matches, profiles, config, syn)
        elif len(cols) > 1:
            # Never guess between two columns that could both be the field.
            names = ", ".join(repr(headers[j]) for j in cols)
            each = [_column_choice(fname, j, headers, matches, profiles, config, syn) for j in cols]
            spec = {"TODO": f"choose one column: {' or '.join(repr(headers[j]) for j in cols)}; write it as "
                            f"column: ... in place of this TODO"}
            if isinstance(each[0].spec, dict):
                spec.update({k: v for k, v in each[0].spec.items() if k not in ("column", "unknown")})
            evidence = [f"{len(cols)} candidate columns: {names}"] + [", ".join(c.evidence) for c in each]
            chosen[fname] = ColumnChoice(fname, [], spec, evidence, "low",
                                         todo=f"{len(cols)} candidate columns: {names}")
        else:
            chosen[fname] = _column_choice(fname, cols[0], headers, matches, profiles, config, syn)

    _missing_rules(chosen, by_field, headers, profiles, fits, config, syn)
    for fname, c in list(chosen.items()):
        if c.confidence == "drop":
            del chosen[fname]
            unmapped.append((c.headers[0], "; ".join(c.evidence)))
    if "area" not in chosen and fits("area"):
        chosen["area"] = ColumnChoice("area", [], {"registry": "area"},
                                      ["no area column: the agency's area from the registry"], "high")
    order = [f for f in config.fields if f != "area"] + ["area"]
    return sorted(chosen.values(), key=lambda c: order.index(c.field))


def _self_and_officer(cols: list[int], headers: list[str], syn: Synonyms) -> bool:
    if len(cols) != 2:
        return False
    kinds = [("self" if _hinted(headers[j], syn.self_defined) else
              "officer" if _hinted(headers[j], syn.officer_defined) else None) for j in cols]
    return sorted(k or "" for k in kinds) == ["officer", "self"]


def _first_of_ethnicity(cols, headers, matches, profiles, config, syn) -> ColumnChoice:
    cols = sorted(cols, key=lambda j: 0 if _hinted(headers[j], syn.self_defined) else 1)
    subs = [_column_choice("ethnicity", j, headers, matches, profiles, config, syn) for j in cols]
    spec = {"first_of": [s.spec if isinstance(s.spec, dict) else {"column": s.spec} for s in subs]}
    evidence = [f"self-defined {headers[cols[0]]!r} first, officer-defined {headers[cols[1]]!r} where it "
                "is unknown"] + [e for s in subs for e in s.evidence]
    conf = min((s.confidence for s in subs), key=["low", "medium", "high"].index)
    return ColumnChoice("ethnicity", [headers[j] for j in cols], spec, evidence, conf,
                        unrecognised=[v for s in subs for v in s.unrecognised])


def _column_choice(fname: str, j: int, headers: list[str], matches: dict, profiles: dict, config: Config,
                   syn: Synonyms) -> ColumnChoice:
    header, p, m = headers[j], profiles[j], matches[j]
    fdef = config.fields[fname]
    spec: dict = {"column": header}
    unrecognised: list[str] = []
    evidence = [m.describe(header)]
    fit = None                       # share of known values that fit the field
    if fname == "name":
        spec["parse"] = "name"
        fit = p.share(p.comma_names + p.word_names)
        if p.known:
            style = "'SURNAME, Forename'" if p.comma_names >= p.word_names else "'Forename Surname'"
            evidence.append(f"{_pct(fit)} of values are whole names, mostly {style}")
    elif fname == "initials":
        spec["parse"] = "initials"
        fit = p.share(p.initials)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are initials")
    elif fname in ("forename", "surname"):
        fit = p.share(p.one_words + p.word_names)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are words")
    elif fdef.type == "date":
        fit = p.share(p.dates)
        spec["dates"] = "monthfirst" if p.monthfirst > p.dayfirst else "dayfirst"
        if p.known:
            how = ("month first" if p.monthfirst > p.dayfirst else "day first" if p.dayfirst
                   else "ISO or date cells" if p.iso == p.dates else "day first assumed (UK)")
            evidence.append(f"{_pct(fit)} of values are dates ({how})")
    elif fname == "age":
        fit = p.share(p.ages)
        if p.age_units:
            spec["parse"] = "age"
        if p.known:
            evidence.append(f"{_pct(fit)} of values are ages" + (" (some with units or bands)" if p.age_units
                                                                  else ""))
    elif fdef.type == "int":
        fit = p.share(p.ints)
        if p.known:
            evidence.append(f"{_pct(fit)} of values are whole numbers")
    elif fdef.type == "code" or fname in CODE_FIELDS_DEFAULT:
        best, fit = _best_list(fname, p, config, syn, header)
        spec["codes"] = best
        code_list = config.codes[best]
        extra_unknown = []
        for v in p.values:
            if code_list.lookup(v) is None:
                (extra_unknown if _unknown_like(v, syn) else unrecognised).append(v)
        if extra_unknown:
            spec["unknown"] = sorted(extra_unknown)
            fit = p.share(sum(k for v, k in p.values.items() if code_list.lookup(v) is not None
                              or v in extra_unknown))
        evidence.append(_list_evidence(fname, best, p, config, syn, header))
    else:   # text: references, area
        if p.known:
            evidence.append(f"{len(p.values)} distinct values in {p.known} rows")
        fit = None
    if p.known == 0 and not (fdef.type == "code" or fname in CODE_FIELDS_DEFAULT):
        evidence.append("no values to check")
    confidence = _confidence(m.strength, fit, p.known)
    if fit is not None and (p.known >= 5 and fit < 0.3 and m.strength < 3
                            or fname == "name" and p.known >= 3 and fit < 0.5):
        confidence = "drop"
        evidence.append(f"only {_pct(fit)} of values fit {fname}: not mapped")
    if fdef.personal or fname not in CODE_FIELDS_DEFAULT and fname != "ethnicity":
        unrecognised = []
    spec_out: object = spec if len(spec) > 1 else header
    return ColumnChoice(fname, [header], spec_out, evidence, confidence, unrecognised=sorted(unrecognised))


def _confidence(strength: int, fit: float | None, known: int) -> str:
    if known == 0:
        return "medium" if strength >= 3 else "low"
    if fit is None:
        return "high" if strength >= 3 else "medium"
    if strength >= 2 and fit >= 0.9:
        return "high"
    if (strength >= 2 and fit >= 0.5) or (strength >= 0 and fit >= 0.9):
        return "medium"
    return "low"


def _best_list(fname: str, p: Profile, config: Config, syn: Synonyms, header: str) -> tuple[str, float]:
    """The code list that recognises the most distinct values; ties go to the list the header names,
    then to the smallest (most specific) list."""
    candidates = [c for c in syn.code_candidates.get(fname, []) if c in config.codes]
    default = config.fields[fname].codes or CODE_FIELDS_DEFAULT.get(fname)
    if not candidates:
        candidates = [default] if default else []
    hinted = {name for name, phrases in syn.code_hints.items() if header and _hinted(header, phrases)}
    if not candidates:
        return "", 0.0

    def score(name: str) -> tuple:
        cl = config.codes[name]
        known = sum(1 for v in p.values if cl.lookup(v) is not None)
        return known, name in hinted, -len(cl.codes)

    best = max(candidates, key=score)
    if not p.values:
        best = next((h for h in candidates if h in hinted), default if default in candidates else best)
    cl = config.codes[best]
    return best, p.share(sum(k for v, k in p.values.items() if cl.lookup(v) is not None))


def _list_evidence(fname: str, best: str, p: Profile, config: Config, syn: Synonyms, header: str) -> str:
    if not p.values:
        return f"codes {best}: the usual list for {fname} (no values to check)"
    distinct = len(p.values)
    scores = {c: sum(1 for v in p.values if config.codes[c].lookup(v) is not None)
              for c in syn.code_candidates.get(fname, [best]) if c in config.codes}
    text = f"{scores.get(best, 0)} of {distinct} distinct values are {best} codes"
    ties = [c for c, s in scores.items() if c != best and s == scores.get(best)]
    if ties and len(scores) > 1:
        hint = "the header names it" if _hinted(header, syn.code_hints.get(best, [])) else "it is the most specific"
        text += f" (as many fit {', '.join(ties)}; {best}: {hint})"
        if best in ("ethnicity_16plus1", "ethnicity_18plus1") and \
                {"ethnicity_16plus1", "ethnicity_18plus1"} <= set(ties) | {best}:
            text += "; 16+1 and 18+1 agree on every category, only the B1/B2 detail differs"
    return text


def _missing_rules(chosen: dict, by_field: dict, headers: list[str], profiles: dict, fits,
                   config: Config, syn: Synonyms) -> None:
    """One column often says both whether and where from a child went missing ("Missing from
    home/care": Yes / No / Home / Care); a count of episodes says whether when nothing else does."""
    status_list, from_list = config.codes["missing_status"], config.codes["missing_from"]
    st, fr = chosen.get("missing_status"), chosen.get("missing_from")

    def usable(c):
        return c is not None and not c.todo and len(c.headers) == 1

    # A "Missing" column holding counts is the number of episodes.
    if usable(st) and "missing_episodes" not in chosen:
        p = profiles[headers.index(st.headers[0])]
        if p.known >= 3 and p.share(p.ints) >= 0.9:
            chosen["missing_episodes"] = ColumnChoice(
                "missing_episodes", st.headers, st.headers[0],
                [f"header {st.headers[0]!r} ~ missing_status, but {_pct(p.share(p.ints))} of values are "
                 "counts: the number of missing episodes"], "medium")
            del chosen["missing_status"]
            st = None
    episodes = chosen.get("missing_episodes")
    # One column, two fields.
    if usable(fr) and st is None and fits("missing_status"):
        header = fr.headers[0]
        p = profiles[headers.index(header)]
        whether_only = [v for v in p.values if status_list.lookup(v) and not from_list.lookup(v)]
        if not p.values and usable(episodes):
            # Two possible sources and no values to choose by: ask.
            ep = episodes.headers[0]
            chosen["missing_status"] = ColumnChoice(
                "missing_status", [], {"TODO": f"no values to tell whether {header!r} says if the child went missing "
                                               f"(then column: {header!r}, codes: missing_status) or only where "
                                               f"from (then column: {ep!r}, derive: missing_from_episodes)"},
                [f"two possible sources: {header!r} or the count {ep!r}"], "low",
                todo=f"two possible sources: {header!r} or the count {ep!r}")
        # Home / Care / Both alone cannot say "not reported missing": a count of episodes says more.
        elif whether_only or (not usable(episodes) and any(status_list.lookup(v) for v in p.values)):
            st = chosen["missing_status"] = _second_field("missing_status", header, p, status_list, syn)
    elif usable(st) and fr is None and fits("missing_from"):
        header = st.headers[0]
        p = profiles[headers.index(header)]
        if any(from_list.lookup(v) and normalise(v) not in ("yes", "no", "y", "n") for v in p.values):
            fr = chosen["missing_from"] = _second_field("missing_from", header, p, from_list, syn)
    if usable(fr) and usable(st) and fr.headers == st.headers:
        # Values that say only whether ("Yes", "No") say nothing about where from.
        p = profiles[headers.index(fr.headers[0])]
        whether_only = sorted(v for v in p.values if status_list.lookup(v) and not from_list.lookup(v))
        if whether_only:
            fr.spec = _with_unknown(fr.spec, fr.headers[0], whether_only)
            fr.evidence.append(f"{len(whether_only)} value(s) that say only whether are listed as unknown here")
            if fr.confidence == "low":
                fr.confidence = "medium"
        fr.unrecognised = [v for v in fr.unrecognised if not status_list.lookup(v)]
        st.unrecognised = [v for v in st.unrecognised if not from_list.lookup(v)]
    if "missing_status" not in chosen and fits("missing_status") and usable(episodes):
        chosen["missing_status"] = ColumnChoice(
            "missing_status", list(episodes.headers),
            {"column": episodes.headers[0], "derive": "missing_from_episodes"},
            [f"derived from the count {episodes.headers[0]!r} (0 = not reported missing, 1 or more = "
             "reported missing)"], episodes.confidence)


def _second_field(fname: str, header: str, p: Profile, code_list, syn: Synonyms) -> ColumnChoice:
    known = [v for v in p.values if code_list.lookup(v)]
    spec = {"column": header, "codes": code_list.name}
    unknown = sorted(v for v in p.values if not code_list.lookup(v) and _unknown_like(v, syn))
    if unknown:
        spec["unknown"] = unknown
    unrecognised = sorted(v for v in p.values if not code_list.lookup(v) and v not in unknown)
    what = "where from" if fname == "missing_from" else "whether"
    evidence = [f"column {header!r} also says {what} the child went missing: {len(known)} of {len(p.values)} "
                f"distinct values are {code_list.name} codes"]
    return ColumnChoice(fname, [header], spec, evidence, "medium", unrecognised=unrecognised)


def _unknown_like(value: str, syn: Synonyms) -> bool:
    words = tuple(normalise(value).split())
    return any(_has_phrase(words, p) for p in syn.unknown_like)


def _with_unknown(spec, header: str, tokens: list[str]) -> dict:
    spec = dict(spec) if isinstance(spec, dict) else {"column": header}
    spec["unknown"] = sorted(set(spec.get("unknown", [])) | set(tokens))
    return spec


# -- YAML output -------------------------------------------------------------------------------

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


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split()) if text else ""


def _to_yaml(d: DraftResult) -> str:
    lines = [
        f"# Draft mapping for {d.file_name!r}, written by `cse-audit mapping draft`.",
        "# Each choice says its evidence and a confidence. Check every line against the return;",
        "# decide each TODO (cse-audit refuses to load a mapping that still has one), then run",
        f"#   cse-audit mapping check FILE --mapping {d.name}",
        f"name: {_q(d.name)}",
        f"description: {_q(f'Drafted from {d.file_name}; checked by: (your name)')}",
    ]
    for name, why in d.skipped:
        lines.append(f"# sheet {name!r} not used: {' '.join(why.split())}")
    if not d.sheets:
        lines += ["sheets:", f"  TODO: {_q(d.problem or 'no table found')}"]
        return "\n".join(lines) + "\n"
    lines.append("sheets:")
    for s in d.sheets:
        lines.append(f"  {s.kind}:{_comment(f'{s.kind}: {s.kind_evidence}')}")
        lines.append(f"    sheet: {_q(s.selector)}{_comment(f'sheet {s.sheet!r}' if s.selector != s.sheet else '')}")
        lines.append(f"    # {s.header_evidence}; {s.data_rows} data row(s)")
        if s.header_contains:
            lines.append(f"    header_contains: {_flow(s.header_contains)}")
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


# -- checking a mapping against a file ---------------------------------------------------------

VALUE_PROBLEMS = ("unrecognised_code", "bad_date", "impossible_date", "bad_age", "age_band", "bad_number",
                  "bad_initials", "bad_name")


def _resolve_mapping(mapping, config: Config) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    text = str(mapping)
    if text in config.mappings:
        return config.mappings[text]
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") and path.exists():
        return load_mapping(path, config.codes, config.fields)
    raise ConfigError(text, "", None, f"no mapping {text!r} in {Path(config.root) / 'mappings'} and no such "
                                      f"file; known: {', '.join(sorted(config.mappings))}")


def check_mapping(path: str | Path, mapping, config: Config, agency: Agency | None = None) -> dict:
    """Apply `mapping` (a Mapping, a name in configs/mappings, or a path to a .yaml file) to one
    file in memory and count, per kind and field, the values mapped, the values that became
    Unknown and the values not recognised (listed for non-personal fields only)."""
    from .mapping import ReturnError, map_return
    from .readers import ReadError, read_file

    path = Path(path)
    m = _resolve_mapping(mapping, config)
    agency = agency or Agency("(check)", "(no agency given)", "ngo", None, False, m.name, ())
    out: dict = {"file": path.name, "mapping": m.name, "agency": agency.id, "error": None}
    try:
        sheets = read_file(path, config.settings.limits)
        mapped = map_return(sheets, m, config, agency, path.name)
    except (ReadError, ReturnError) as exc:
        out["error"] = exc.reason
        return out
    out.update({
        "rows_landed": mapped.rows_landed, "records_accepted": mapped.records_accepted,
        "rows_rejected": mapped.rows_rejected, "rows_skipped": mapped.rows_skipped,
        "nil_return": mapped.nil_return, "warnings": mapped.warnings,
        "records": {k: mapped.count(k) if hasattr(mapped, "count") else len(v)
                    for k, v in mapped.records.items()},
    })
    problems: dict[tuple[str, str], Counter] = {}
    bad: Counter = Counter()
    sheet_issues, rejections = [], Counter()
    for issue in mapped.issues:
        if issue.severity == "error" and issue.row_number is not None:
            rejections[issue.code] += 1
        if issue.row_number is None or issue.code in ("missing_column", "duplicate_header", "nil_return"):
            sheet_issues.append({"sheet": issue.sheet, "code": issue.code, "severity": issue.severity,
                                 "message": issue.message})
        if issue.code in VALUE_PROBLEMS and ":" in issue.message:
            fname = issue.message.split(":", 1)[0]
            bad[(issue.sheet, fname)] += 1
            if issue.code == "unrecognised_code" and fname in config.fields and not config.fields[fname].personal:
                problems.setdefault((issue.sheet, fname), Counter())[issue.value or ""] += 1
    not_found = {(i.sheet, normalise(i.column_name or "")) for i in mapped.issues if i.code == "missing_column"}
    fields: dict[str, dict] = {}
    records = mapped.records
    for spec in m.sheets:
        kinds = ("victims", "offenders") if spec.kind == "people" else (spec.kind,)
        for kind in kinds:
            recs = records[kind]
            sheet_names = {r["sheet"] for r in recs}
            per = fields.setdefault(kind, {})
            for fname, cspec in spec.columns.items():
                if kind not in config.fields[fname].kinds:
                    continue
                if fname == "name":
                    known = sum(1 for r in recs if r.get("forename") or r.get("surname"))
                else:
                    known = sum(1 for r in recs if r.get(fname) is not None and r.get(fname) != "Unknown")
                unrec, n_bad = Counter(), 0
                for sn in sheet_names:
                    unrec.update(problems.get((sn, fname), Counter()))
                    n_bad += bad.get((sn, fname), 0)
                headers = cspec.all_headers()
                found = not headers or not any((sn, normalise(h)) in not_found for sn in sheet_names
                                               for h in headers[:1])
                source = ", ".join(headers) or (f"registry {cspec.registry}" if cspec.registry
                                                else f"value {cspec.value!r}")
                per[fname] = {"column": source, "column_found": found, "records": len(recs), "mapped": known,
                              "unknown": len(recs) - known, "problems": n_bad,
                              "unrecognised": {} if config.fields[fname].personal
                              else dict(unrec.most_common(MAX_LISTED * 2))}
    out["fields"] = fields
    out["sheet_issues"] = sheet_issues
    out["rejections"] = dict(rejections)
    return out


# -- helpers for the CLI -------------------------------------------------------------------------

def draft_command(path: str | Path, config: Config, output: str | Path | None = None, name: str | None = None,
                  force: bool = False) -> tuple[str, dict]:
    """`cse-audit mapping draft FILE [--output FILE.yaml]`: (text for stdout, dict for --format json).
    Without --output the text is the draft itself; with it, the draft is written there and the text
    is a summary. An existing file is never overwritten unless `force`."""
    if output is not None:
        output = Path(output)
        name = output.stem
        if output.exists() and not force:
            raise ConfigError(output, "", None, "the file exists; choose another --output (a draft never "
                                                "overwrites a mapping)")
    d = draft_mapping(path, config, name=name)
    text = d.to_yaml()
    data = d.as_dict()
    data["output"] = str(output) if output else None
    if output is None:
        return text, data
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    lines = [f"Draft mapping {d.name!r} for {d.file_name} written to {output}."]
    for s in d.sheets:
        n = sum(1 for c in s.columns if c.headers and not c.todo)
        lines.append(f"  {s.kind}: sheet {s.sheet!r}, header on row {s.header_row}, {s.data_rows} data row(s), "
                     f"{n} column(s) mapped, {len(s.unmapped)} not mapped")
    for sheet_name, why in d.skipped:
        lines.append(f"  sheet {sheet_name!r} not used: {why}")
    if d.todos:
        lines.append(f"{len(d.todos)} TODO(s) to decide before cse-audit will load the mapping:")
        lines += [f"  - {t}" for t in d.todos]
        lines.append(f"Edit {output}, then run: cse-audit mapping check {Path(path).name} --mapping {d.name}")
    else:
        lines.append(f"No TODOs. Check it: cse-audit mapping check {Path(path).name} --mapping {d.name}")
    return "\n".join(lines) + "\n", data


def check_command(path: str | Path, mapping, config: Config, agency_id: str | None = None) -> tuple[str, dict]:
    """`cse-audit mapping check FILE --mapping NAME`: (text for stdout, dict for --format json)."""
    agency = None
    if agency_id:
        agency = config.agencies.get(agency_id)
        if agency is None:
            raise ConfigError(Path(config.root) / "agencies.yaml", "", None, f"no agency {agency_id!r}")
    r = check_mapping(path, mapping, config, agency)
    if r["error"]:
        return f"{r['file']}: {r['error']}\n", r
    lines = [f"{r['file']} with mapping {r['mapping']!r}: {r['rows_landed']} row(s) landed, "
             f"{r['records_accepted']} accepted, {r['rows_rejected']} rejected, {r['rows_skipped']} skipped"
             + (" (nil return)" if r["nil_return"] else "")]
    recs = r["records"]
    lines.append(f"  records: {recs.get('cases', 0)} cases, {recs.get('victims', 0)} victims, "
                 f"{recs.get('offenders', 0)} offenders")
    for code, n in sorted(r["rejections"].items()):
        lines.append(f"  rejected rows: {n} x {code}")
    for i in r["sheet_issues"]:
        where = f"sheet {i['sheet']!r}" if i["sheet"] is not None else "file"
        lines.append(f"  {i['severity']}: {where}: {i['message']}")
    if agency is None and any(s["column"].startswith("registry") for per in r["fields"].values()
                              for s in per.values()):
        lines.append("  (no --agency given: values from the registry are blank here)")
    for kind, per in r["fields"].items():
        lines.append(f"{kind}:")
        width = max((len(f) for f in per), default=0)
        for fname, s in per.items():
            text = (f"  {fname:<{width}}  {s['mapped']:>6} mapped  {s['unknown']:>6} unknown"
                    f"  <- {s['column']}" + ("" if s["column_found"] else " (column not found)"))
            if s["unrecognised"]:
                shown = ", ".join(f"{v!r} x{n}" for v, n in list(s["unrecognised"].items())[:MAX_LISTED])
                text += f"\n  {'':<{width}}  not recognised: {shown}"
            elif s["problems"]:
                text += f"  ({s['problems']} value(s) not understood)"
            lines.append(text)
    return "\n".join(lines) + "\n", r


# -- comparing a draft with a hand-written mapping (tests, and to measure the drafter) --------------

def compare(draft: DraftResult, mapping: Mapping, sheets) -> dict:
    """Per kind and field of `mapping`: does the draft read the same column(s) of this file?
    -> {"right": [...], "wrong": [...], "todo": [...], "missing": [...], "extra": [...], "absent": [...]},
    each a list of "kind.field" (absent: the mapping's column is not in this file)."""
    from .mapping import find_header, select_sheet

    out = {k: [] for k in ("right", "wrong", "todo", "missing", "extra", "absent")}
    for spec in mapping.sheets:
        sheet = select_sheet(sheets, spec)
        if sheet is None:
            continue
        hdr = find_header(sheet, spec, 30)
        present = {normalise(h) for h in (sheet.rows[hdr] if hdr is not None else []) if h}
        d = next((s for s in draft.sheets if s.sheet == sheet.name), None)
        dfields = d.fields() if d and d.kind == spec.kind else {}
        todos = {c.field for c in d.columns if c.todo} if d and d.kind == spec.kind else set()
        for fname, cspec in spec.columns.items():
            key = f"{spec.kind}.{fname}"
            want = _resolved(cspec, present)
            if want is None:
                out["absent"].append(key)
                continue
            got = dfields.get(fname)
            if fname in todos:
                out["todo"].append(key)
            elif got is None:
                out["missing"].append(key)
            elif {normalise(g) if ":" not in g else g for g in got} == want:
                out["right"].append(key)
            else:
                out["wrong"].append(key)
        out["extra"] += [f"{spec.kind}.{f}" for f in dfields if f not in spec.columns]
    return out


def _resolved(cspec, present: set[str]) -> set[str] | None:
    subs = cspec.first_of or (cspec,)
    got = set()
    for sub in subs:
        if sub.registry:
            got.add(f"registry:{sub.registry}")
        elif sub.value is not None:
            got.add(f"value:{sub.value}")
        else:
            hit = next((normalise(h) for h in sub.headers if normalise(h) in present), None)
            if hit:
                got.add(hit)
    return got or None
