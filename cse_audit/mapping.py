"""Apply a YAML mapping to the sheets of one return: canonical records plus issues.

Every non-blank row below the header is *landed* (kept verbatim, with its sheet and Excel
row number), then ends as exactly one of: an accepted record, a rejected row (an `error`
issue says why) or a skipped row (a role the mapping says to skip). Problems with single
values are `warning` issues: the record is kept with that field Unknown.

Cell values repeat a lot (codes, dates, areas), so each column is translated once per
distinct value and the result reused for every row holding it.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from .config import Agency, ColumnSpec, Config, Mapping, SheetSpec, normalise
from .readers import Sheet
from .values import (
    age_at,
    date_from_pattern,
    initials_of,
    parse_age,
    parse_date,
    parse_initials,
    parse_int,
    parse_name,
)

PERSON_KINDS = ("victims", "offenders")
UNKNOWN = "Unknown"


class ReturnError(Exception):
    """The whole return cannot be mapped (e.g. an expected sheet is missing)."""

    def __init__(self, file_name: str, reason: str):
        self.file_name, self.reason = file_name, reason
        super().__init__(f"{file_name}: {reason}")


@dataclass
class Issue:
    sheet: str | None
    row_number: int | None
    column_name: str | None
    value: str | None
    code: str
    severity: str  # "error" (row rejected) or "warning" (row kept)
    message: str


@dataclass
class MappedReturn:
    """What one return produced: raw rows, records per kind, issues and the counts."""

    raw_headers: list[tuple[str, str, int, list[str]]] = field(default_factory=list)
    raw_rows: list[tuple[str, int, str, list[str]]] = field(default_factory=list)
    records: dict[str, list[dict]] = field(default_factory=lambda: {"cases": [], "victims": [], "offenders": []})
    issues: list[Issue] = field(default_factory=list)
    rows_landed: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    nil_return: bool = False

    @property
    def records_accepted(self) -> int:
        """Rows that became records (cases derived from person rows are not rows)."""
        return self.rows_landed - self.rows_rejected - self.rows_skipped

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")


# -- sheets and headers --------------------------------------------------------------------

def select_sheet(sheets: list[Sheet], spec: SheetSpec) -> Sheet | None:
    sel = spec.sheet
    if isinstance(sel, int):
        return sheets[sel] if 0 <= sel < len(sheets) else None
    if isinstance(sel, str):
        want = normalise(sel)
        return next((s for s in sheets if normalise(s.name) == want), None)
    return next((s for s in sheets if sel.search(s.name)), None)


def find_header(sheet: Sheet, spec: SheetSpec, search_rows: int) -> int | None:
    """Index of the header row: the first row holding every `header_contains` text, or else
    the row matching most of the mapping's column names."""
    wanted = [normalise(h) for h in spec.header_contains]
    aliases = {normalise(h) for c in spec.columns.values() for h in c.all_headers()}
    if spec.role:
        aliases |= {normalise(h) for h in spec.role.column}
    best, best_score = None, 0
    for i, row in enumerate(sheet.rows[:search_rows]):
        cells = {normalise(c) for c in row if c and c.strip()}
        if wanted:
            if all(w in cells for w in wanted):
                return i
            continue
        score = len(cells & aliases)
        if score > best_score:
            best, best_score = i, score
    return best


def _is_nil_sheet(sheet: Sheet, markers: tuple[str, ...]) -> bool:
    text = " ".join(normalise(c) for row in sheet.rows[:50] for c in row if c)
    return any(normalise(m) in text for m in markers)


class _Columns:
    """Resolve header names to column positions for one sheet."""

    def __init__(self, headers: list[str], sheet_name: str, issues: list[Issue], header_row: int):
        self.positions: dict[str, int] = {}
        self.headers = headers
        for i, h in enumerate(headers):
            key = normalise(h)
            if not key:
                continue
            if key in self.positions:
                issues.append(Issue(sheet_name, header_row, h, None, "duplicate_header", "warning",
                                    f"header {h!r} appears more than once; using the first "
                                    f"(column {_col_letter(self.positions[key])}), not column {_col_letter(i)}"))
                continue
            self.positions[key] = i

    def find(self, names: tuple[str, ...]) -> tuple[int, str] | None:
        for name in names:
            pos = self.positions.get(normalise(name))
            if pos is not None:
                return pos, self.headers[pos]
        return None

    def suggest(self, names: tuple[str, ...]) -> list[str]:
        keys = list(self.positions)
        close = []
        for n in names:
            for k in difflib.get_close_matches(normalise(n), keys, n=3, cutoff=0.6):
                h = self.headers[self.positions[k]]
                if h not in close:
                    close.append(h)
        return close


def _col_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


# -- value translation ---------------------------------------------------------------------

class _Translator:
    """Turns one column's cells into one field's values, memoised per distinct cell text."""

    def __init__(self, fname: str, spec: ColumnSpec, config: Config, agency: Agency):
        self.fname, self.spec, self.config, self.agency = fname, spec, config, agency
        fdef = config.fields[fname]
        self.ftype = fdef.type
        self.personal = fdef.personal
        codes = spec.codes or fdef.codes
        self.codes = config.codes[codes] if codes and (self.ftype == "code" or spec.codes) else None
        self.unknown = config.unknown_tokens | {normalise(t) for t in spec.unknown}
        self.memo: dict[str, tuple] = {}

    def __call__(self, text: str) -> tuple:
        """-> (value, extra fields dict or None, problem or None)."""
        hit = self.memo.get(text)
        if hit is None:
            hit = self.memo[text] = self._translate(text)
        return hit

    def _translate(self, text: str) -> tuple:
        s = text.strip()
        if normalise(s) in self.unknown:
            return (UNKNOWN if self.codes is not None else None), self._raw_extra(s or None, None), None
        spec, f = self.spec, self.fname
        if spec.derive == "missing_from_episodes":
            n, problem = parse_int(s)
            if n is None:
                return UNKNOWN, None, problem
            return ("Reported missing" if n > 0 else "Not reported missing"), None, None
        if spec.parse == "name":
            parts, problem = parse_name(s)
            if parts is None:
                return None, None, problem
            return None, {"forename": parts[0], "surname": parts[1]}, None
        if spec.parse == "initials" or f == "initials":
            return (*parse_initials(s)[:1], None, parse_initials(s)[1])
        if self.codes is not None:
            hit = self.codes.lookup(s)
            if hit is None:
                return UNKNOWN, self._raw_extra(s, None), (
                    "unrecognised_code", f"not in code list {self.codes.name!r}; counted as Unknown "
                                         "(add it to the code list if it has a meaning)")
            category, detail = hit
            return category, self._raw_extra(s, detail), None
        if self.ftype == "date":
            pivot = spec.pivot if spec.pivot is not None else self.config.settings.two_digit_year_pivot
            if spec.pattern is not None:
                value, problem = date_from_pattern(s, spec.pattern, pivot)
                return value, None, problem
            value, problem = parse_date(s, spec.dates or "dayfirst", pivot)
            return value, None, problem
        if self.ftype == "int":
            value, problem = parse_age(s) if (f == "age" or spec.parse == "age") else parse_int(s)
            return value, None, problem
        return s, None, None

    def _raw_extra(self, s: str, detail: str | None) -> dict | None:
        if self.fname != "ethnicity":
            return None
        return {"ethnicity_raw": s, "ethnicity_detail": detail}


def _known(value, extra: dict | None) -> bool:
    if value is not None:
        return value != UNKNOWN
    return bool(extra) and any(v is not None for v in extra.values())


# -- one sheet -----------------------------------------------------------------------------

@dataclass
class _Field:
    name: str
    parts: list[tuple[int | None, str | None, _Translator | None, str | None]]  # pos, header, translator, constant


def _resolve_fields(spec: SheetSpec, cols: _Columns, config: Config, agency: Agency, sheet_name: str,
                    header_row: int, issues: list[Issue]) -> list[_Field]:
    out = []
    for fname, cspec in spec.columns.items():
        parts = []
        for sub in (cspec.first_of or (cspec,)):
            if sub.value is not None:
                parts.append((None, None, None, sub.value))
                continue
            if sub.registry is not None:
                parts.append((None, None, None, getattr(agency, sub.registry)))
                continue
            found = cols.find(sub.headers)
            if found is None:
                close = cols.suggest(sub.headers)
                hint = f"; close matches: {', '.join(map(repr, close))}" if close else ""
                message = (f"expected column {' / '.join(map(repr, sub.headers))} for field {fname!r} "
                           f"was not found{hint}")
                if sub.required or cspec.required:
                    raise _SheetError(message + f"; the sheet has: {', '.join(h for h in cols.headers if h)}")
                issues.append(Issue(sheet_name, header_row, sub.headers[0], None, "missing_column", "warning",
                                    message + "; the field is Unknown for every row"))
                continue
            pos, header = found
            parts.append((pos, header, _Translator(fname, sub, config, agency), None))
        out.append(_Field(fname, parts))
    return out


class _SheetError(Exception):
    pass


def _row_is_blank(row: list[str]) -> bool:
    return all(not c or not c.strip() for c in row)


def map_sheet(sheet: Sheet, spec: SheetSpec, config: Config, agency: Agency, out: MappedReturn) -> None:
    settings = config.settings
    header_idx = find_header(sheet, spec, settings.header_search_rows)
    data_start = 0 if header_idx is None else header_idx + 1
    if header_idx is None:
        rows = [(i + 1, r) for i, r in enumerate(sheet.rows) if not _row_is_blank(r)]
        if _is_nil_sheet(sheet, settings.nil_markers) and len(rows) <= 5:
            # A note such as "No relevant data held" instead of a table: a nil return.
            out.issues.append(Issue(sheet.name, None, None, None, "nil_return", "warning",
                                    "the sheet says the agency holds no relevant data (nil return)"))
            return
        expected = spec.header_contains or tuple(h for c in spec.columns.values() for h in c.headers)[:6]
        _reject_all(sheet, spec.kind, rows, out, "no_header",
                    f"no header row found in the first {settings.header_search_rows} rows "
                    f"(looked for {', '.join(map(repr, expected))})")
        return
    header_row_number = header_idx + 1
    headers = sheet.rows[header_idx]
    out.raw_headers.append((sheet.name, spec.kind, header_row_number, list(headers)))
    rows = [(i + 1, r) for i, r in enumerate(sheet.rows[data_start:], start=data_start) if not _row_is_blank(r)]
    sheet_issues: list[Issue] = []
    cols = _Columns(headers, sheet.name, sheet_issues, header_row_number)
    try:
        fields = _resolve_fields(spec, cols, config, agency, sheet.name, header_row_number, sheet_issues)
        role = None
        if spec.role:
            found = cols.find(spec.role.column)
            if found is None:
                raise _SheetError(f"role column {' / '.join(map(repr, spec.role.column))} not found; the sheet "
                                  f"has: {', '.join(h for h in headers if h)}")
            role = found
    except _SheetError as exc:
        out.issues.extend(sheet_issues)
        _reject_all(sheet, spec.kind, rows, out, "missing_column", str(exc))
        return
    out.issues.extend(sheet_issues)
    roles = _role_lookup(spec) if spec.role else None
    limit = settings.limits.max_cell_chars
    for row_number, cells in rows:
        out.raw_rows.append((sheet.name, row_number, spec.kind, cells))
        out.rows_landed += 1
        if any(len(c) > limit for c in cells):
            _reject(out, sheet.name, row_number, None, "cell_too_long",
                    f"a cell is over {limit} characters (Excel's own limit)")
            continue
        kind = spec.kind
        if roles is not None:
            pos, header = role
            raw_role = cells[pos] if pos < len(cells) else ""
            kind = roles.get(normalise(raw_role))
            if kind == "skip":
                out.rows_skipped += 1
                continue
            if kind is None:
                _reject(out, sheet.name, row_number, header, "unrecognised_role",
                        f"role not recognised; the mapping knows: "
                        f"{', '.join(spec.role.victims + spec.role.offenders + spec.role.skip)}",
                        value=raw_role.strip())
                continue
        record = _map_row(cells, fields, kind, config, sheet.name, row_number, out)
        if record is None:
            continue
        record["sheet"], record["row_number"] = sheet.name, row_number
        out.records[kind].append(record)


def _role_lookup(spec: SheetSpec) -> dict[str, str]:
    out = {}
    for kind, values in (("victims", spec.role.victims), ("offenders", spec.role.offenders),
                         ("skip", spec.role.skip)):
        for v in values:
            out[normalise(v)] = kind
    return out


def _map_row(cells, fields: list[_Field], kind: str, config: Config, sheet: str, row_number: int,
             out: MappedReturn) -> dict | None:
    record: dict = {}
    problems: list[Issue] = []
    for fld in fields:
        if kind not in config.fields[fld.name].kinds:
            continue
        candidates = []
        for pos, header, translator, constant in fld.parts:
            if translator is None:
                candidates.append((constant, None, None, header, None))
                continue
            text = cells[pos] if pos < len(cells) else ""
            value, extra, problem = translator(text)
            candidates.append((value, extra, problem, header, text))
        chosen = next((i for i, c in enumerate(candidates) if _known(c[0], c[1])), None)
        for _v, _x, problem, header, text in candidates:
            if problem:
                personal = config.fields[fld.name].personal
                problems.append(Issue(sheet, row_number, header, None if personal else text.strip()[:200],
                                      problem[0], "warning", f"{fld.name}: {problem[1]}"))
        if chosen is None:
            # Nothing known: keep Unknown for code fields, and any extra (raw text) of the first column.
            value, extra = (candidates[0][0], candidates[0][1]) if candidates else (None, None)
        else:
            value, extra = candidates[chosen][0], candidates[chosen][1]
        if fld.name != "name":
            record[fld.name] = value
        for k, v in (extra or {}).items():
            if record.get(k) is None:
                record[k] = v
    if not any(v is not None and v != UNKNOWN for k, v in record.items() if k not in ("area",)):
        _reject(out, sheet, row_number, None, "empty_record",
                "no usable values: every mapped column is blank or unknown")
        return None
    if kind == "cases" and not record.get("case_ref"):
        _reject(out, sheet, row_number, None, "no_case_ref", "a case row with no case reference")
        return None
    out.issues.extend(problems)
    return record


def _reject(out: MappedReturn, sheet, row_number, column, code, message, value=None) -> None:
    out.rows_rejected += 1
    out.issues.append(Issue(sheet, row_number, column, value, code, "error", message))


def _reject_all(sheet: Sheet, kind: str, rows, out: MappedReturn, code: str, message: str) -> None:
    out.issues.append(Issue(sheet.name, None, None, None, code, "error", message + "; every row of the sheet "
                            "is rejected"))
    for row_number, cells in rows:
        out.raw_rows.append((sheet.name, row_number, kind, cells))
        out.rows_landed += 1
        out.rows_rejected += 1


# -- whole return --------------------------------------------------------------------------

def map_return(sheets: list[Sheet], mapping: Mapping, config: Config, agency: Agency,
               file_name: str) -> MappedReturn:
    out = MappedReturn()
    used: set[str] = set()
    for spec in mapping.sheets:
        sheet = select_sheet(sheets, spec)
        if sheet is None:
            if spec.optional:
                out.issues.append(Issue(None, None, None, None, "missing_sheet", "warning",
                                        f"no {spec.kind} sheet {spec.describe_sheet()} (optional)"))
                continue
            if len(sheets) == 1 and _is_nil_sheet(sheets[0], config.settings.nil_markers):
                continue
            names = ", ".join(repr(s.name) for s in sheets)
            raise ReturnError(file_name, f"expected {spec.kind} sheet {spec.describe_sheet()} not found "
                                         f"(mapping {mapping.name!r}); the file has: {names}")
        used.add(sheet.name)
        map_sheet(sheet, spec, config, agency, out)
    _finish_persons(out)
    if not any(spec.kind == "cases" for spec in mapping.sheets):
        out.records["cases"] = derive_cases(out)
    out.nil_return = out.rows_landed == 0
    return out


def derive_cases(out: MappedReturn) -> list[dict]:
    """Cases for layouts with no case sheet: one per distinct case reference. A person row
    with no reference is a case of its own (e.g. a charity's one-row-per-child referral)."""
    cases: dict[str, dict] = {}
    for kind in PERSON_KINDS:
        for rec in out.records[kind]:
            ref = rec.get("case_ref")
            key = ref if ref else f"(no ref) {rec['sheet']} row {rec['row_number']}"
            case = cases.get(key)
            if case is None:
                cases[key] = {"case_ref": ref or key, "case_date": rec.get("case_date"), "area": rec.get("area"),
                              "sheet": rec["sheet"], "row_number": rec["row_number"]}
            else:
                case["case_date"] = case["case_date"] or rec.get("case_date")
                case["area"] = case["area"] or rec.get("area")
    return list(cases.values())


def _finish_persons(out: MappedReturn) -> None:
    """Fill case dates and areas from the case sheet, derive initials and ages."""
    case_by_ref = {c["case_ref"]: c for c in out.records["cases"] if c.get("case_ref")}
    has_cases = bool(out.records["cases"])
    unknown_refs: Counter = Counter()
    for kind in PERSON_KINDS:
        for rec in out.records[kind]:
            case = case_by_ref.get(rec.get("case_ref"))
            if case is not None:
                rec["case_date"] = rec.get("case_date") or case.get("case_date")
                rec["area"] = rec.get("area") or case.get("area")
            elif has_cases and rec.get("case_ref"):
                unknown_refs[(rec["sheet"], rec["case_ref"])] += 1
            if not rec.get("initials"):
                rec["initials"] = initials_of(rec.get("forename"), rec.get("surname"))
            if rec.get("age") is None and rec.get("dob") and rec.get("case_date"):
                rec["age"] = age_at(rec["dob"], rec["case_date"])
    for (sheet, ref), n in sorted(unknown_refs.items()):
        out.issues.append(Issue(sheet, None, None, ref, "unknown_case_ref", "warning",
                                f"{n} record(s) name a case reference that is not in the cases sheet"))

