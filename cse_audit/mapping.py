"""Apply a YAML mapping to the sheets of one return: canonical records plus issues.

Every non-blank row below the header is *landed* (kept verbatim, with its sheet and Excel
row number), then ends as exactly one of: an accepted record, a rejected row (an `error`
issue says why) or a skipped row (a role the mapping says to skip). Problems with single
values are `warning` issues: the record is kept with that field Unknown.

Cell values repeat a lot (codes, dates, areas), so each column is translated once per
distinct value and the result reused for every row holding it. Work per row is kept to
whole-column list operations: a return can have hundreds of thousands of rows.
"""

from __future__ import annotations

import difflib
import operator
from collections import Counter
from dataclasses import dataclass, field
from itertools import zip_longest

from .config import Agency, ColumnSpec, Config, Mapping, SheetSpec, normalise
from .readers import Sheet
from .values import (
    age_at,
    date_from_pattern,
    first_letter,
    parse_age,
    parse_date,
    parse_initials,
    parse_int,
    parse_name,
    quick_date,
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
    # Records are kept column-wise (kind -> field -> values, all lists of one length): the
    # mapping works a column at a time and the store bulk-inserts them as they are.
    columns: dict[str, dict[str, list]] = field(default_factory=lambda: {"cases": {}, "victims": {}, "offenders": {}})
    issues: list[Issue] = field(default_factory=list)
    rows_landed: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    nil_return: bool = False
    counts: dict[str, int] | None = None  # records per kind, kept once the rows are dropped

    def count(self, kind: str) -> int:
        if self.counts is not None:
            return self.counts[kind]
        return len(self.columns[kind].get("row_number", ()))

    def drop_rows(self) -> None:
        """Forget raw rows and records (once they are stored or in Arrow), keeping counts and issues."""
        self.counts = {kind: self.count(kind) for kind in self.columns}
        self.raw_rows = []
        self.columns = {kind: {} for kind in self.columns}

    @property
    def records(self) -> dict[str, list[dict]]:
        """The records as one dict per record (convenient for small returns and tests)."""
        out = {}
        for kind, cols in self.columns.items():
            names = list(cols)
            out[kind] = [dict(zip(names, values, strict=True)) for values in zip(*cols.values(), strict=True)] \
                if names else []
        return out

    def add(self, kind: str, cols: dict[str, list]) -> None:
        """Append records given column-wise; fields missing on either side are padded with None."""
        target = self.columns[kind]
        n_old = self.count(kind)
        n_new = len(cols["row_number"])
        for name in cols.keys() - target.keys():
            target[name] = [None] * n_old
        for name, values in target.items():
            values.extend(cols.get(name, [None] * n_new))

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
    """Turns one column's cells into one field's values, translating each distinct cell text once."""

    def __init__(self, fname: str, spec: ColumnSpec, config: Config, agency: Agency):
        self.fname, self.spec, self.config, self.agency = fname, spec, config, agency
        fdef = config.fields[fname]
        self.ftype = fdef.type
        self.personal = fdef.personal
        codes = spec.codes or fdef.codes
        self.codes = config.codes[codes] if codes and (self.ftype == "code" or spec.codes) else None
        self.unknown = config.unknown_tokens | {normalise(t) for t in spec.unknown}
        # Letters and digits in no unknown token: a value holding one cannot normalise to an
        # unknown token (normalise keeps letters and digits), so it needs no normalise call.
        self.not_unknown = frozenset("abcdefghijklmnopqrstuvwxyz0123456789").difference(*self.unknown)
        self.fast = self._fast_path()

    def many(self, texts) -> dict[str, tuple]:
        """{text: translation} for distinct texts, as _translate gives it for each: a tuple
        (value, extra fields dict or None, problem or None).

        Names, dates and free text (references) are mostly distinct values, so they take a
        shortcut for their common case; anything else goes through _translate."""
        fast, out = self.fast, {}
        if fast is None:
            for text in texts:
                out[text] = self._translate(text)
            return out
        unknown, not_unknown, translate = self.unknown, self.not_unknown, self._translate
        for text in texts:
            s = text.strip()
            key = s.casefold()
            # Could normalise(s) be an unknown token? (For such text, key is what normalise gives.)
            maybe = key in unknown if key.isalnum() else not_unknown.isdisjoint(key) and normalise(s) in unknown
            out[text] = translate(text) if maybe else fast(s)
        return out

    def _fast_path(self):
        """What _translate does to a stripped, known (not unknown-token) text, for the field
        kinds with many distinct values; None for the others (codes, counts: few values)."""
        spec = self.spec
        if spec.derive == "missing_from_episodes" or spec.parse == "initials" or self.fname == "initials":
            return None
        if spec.parse == "name":
            def name(s: str) -> tuple:
                parts, problem = parse_name(s)
                if parts is None:
                    return None, None, problem
                return None, {"forename": parts[0], "surname": parts[1]}, None
            return name
        if self.codes is not None or spec.pattern is not None or self.ftype == "int":
            return None
        if self.ftype == "date":
            style = spec.dates or "dayfirst"
            pivot = spec.pivot if spec.pivot is not None else self.config.settings.two_digit_year_pivot

            def date(s: str) -> tuple:
                value = quick_date(s, style)
                if value is not None:
                    return value, None, None
                value, problem = parse_date(s, style, pivot)
                return value, None, problem
            return date
        return lambda s: (s, None, None)

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
    return not "".join(row).strip()


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
    _map_rows(rows, spec, fields, role, config, sheet.name, out)


class _Grid:
    """The data rows of a sheet column by column (short rows padded with ''), transposed once."""

    def __init__(self, cells_list: list[list[str]]):
        self.n = len(cells_list)
        self.columns = list(zip_longest(*cells_list, fillvalue=""))

    def __call__(self, pos: int) -> tuple[str, ...]:
        return self.columns[pos] if pos < len(self.columns) else ("",) * self.n


def _map_rows(rows, spec: SheetSpec, fields: list[_Field], role, config: Config, sheet_name: str,
              out: MappedReturn) -> None:
    """Map every data row of a sheet, one column at a time."""
    n = len(rows)
    row_numbers = [r for r, _ in rows]
    cells_list = [c for _, c in rows]
    grid = _Grid(cells_list)
    out.raw_rows.extend((sheet_name, rn, spec.kind, cells) for rn, cells in rows)
    out.rows_landed += n
    # Per row: None (accepted so far), or the reason it is rejected / skipped.
    verdict: list[tuple | None] = [None] * n
    limit = config.settings.limits.max_cell_chars
    for column in grid.columns:
        # One look at a column's longest cell spares a look at each of its cells.
        if max(map(len, column)) > limit:
            for i, text in enumerate(column):
                if len(text) > limit:
                    verdict[i] = ("error", None, "cell_too_long",
                                  f"a cell is over {limit} characters (Excel's own limit)", None)
    if spec.role:
        pos, header = role
        lookup = _role_lookup(spec)
        known_roles = ", ".join(spec.role.victims + spec.role.offenders + spec.role.skip)
        kinds = []
        for i, text in enumerate(grid(pos)):
            kind = lookup.get(normalise(text))
            kinds.append(kind)
            if verdict[i] is None and kind is None:
                verdict[i] = ("error", header, "unrecognised_role",
                              f"role not recognised; the mapping knows: {known_roles}", text.strip())
            elif verdict[i] is None and kind == "skip":
                verdict[i] = ("skip",)
    else:
        kinds = [spec.kind] * n
    values: dict[str, list] = {}
    any_known = [False] * n
    problems: list[tuple[int, Issue]] = []
    for fld in fields:
        valid = set(config.fields[fld.name].kinds)
        vals, extras, settled = _map_field(fld, grid, n, config, sheet_name, row_numbers, problems)
        if fld.name != "name":
            values[fld.name] = vals
        for k, v in extras.items():
            base = values.get(k)
            values[k] = v if base is None else [b if b is not None else x for b, x in zip(base, v, strict=True)]
        if fld.name != "area":
            if not spec.role:
                if spec.kind in valid:
                    any_known = list(map(operator.or_, any_known, settled))
            else:
                any_known = [a or (s and k in valid) for a, s, k in zip(any_known, settled, kinds, strict=True)]
    case_refs = values.get("case_ref")
    for i in range(n):
        if verdict[i] is not None:
            continue
        if not any_known[i]:
            verdict[i] = ("error", None, "empty_record", "no usable values: every mapped column is blank or unknown",
                          None)
        elif kinds[i] == "cases" and not (case_refs and case_refs[i]):
            verdict[i] = ("error", None, "no_case_ref", "a case row with no case reference", None)
    for i, v in enumerate(verdict):
        if v is None:
            continue
        if v[0] == "skip":
            out.rows_skipped += 1
        else:
            out.rows_rejected += 1
            out.issues.append(Issue(sheet_name, row_numbers[i], v[1], v[4], v[2], "error", v[3]))
    out.issues.extend(issue for i, issue in problems if verdict[i] is None)
    for kind in dict.fromkeys(kinds):
        if kind in (None, "skip"):
            continue
        idx = [i for i in range(n) if verdict[i] is None and kinds[i] == kind]
        if not idx:
            continue
        cols = {"sheet": [sheet_name] * len(idx), "row_number": _pick(row_numbers, idx, n)}
        for name, vals in values.items():
            fdef = config.fields.get(name)   # None for derived columns (ethnicity_raw, _detail)
            if (kind in fdef.kinds) if fdef else kind in PERSON_KINDS:
                cols[name] = _pick(vals, idx, n)
        out.add(kind, cols)


def _pick(values: list, idx: list[int], n: int) -> list:
    # Usually every row is accepted, and the column goes as it is (MappedReturn.add copies it).
    return values if len(idx) == n else list(map(values.__getitem__, idx))


def _map_field(fld: _Field, grid: _Grid, n: int, config: Config, sheet_name: str, row_numbers: list[int],
               problems: list) -> tuple[list, dict[str, list], list[bool]]:
    """One field for every row: values, extra fields (e.g. ethnicity_raw), and per row whether it is known."""
    personal = config.fields[fld.name].personal
    chosen: list = [None] * n
    extras: dict[str, list] = {}
    settled = [False] * n        # a known value was found in an earlier part (first_of)
    first = True
    for pos, header, translator, constant in fld.parts:
        if translator is None:
            for i in range(n):
                if not settled[i]:
                    chosen[i] = constant
                    settled[i] = constant is not None
            first = False
            continue
        column = grid(pos)
        results = translator.many(set(column))
        bad = {text for text, r in results.items() if r[2]}
        if len(fld.parts) == 1:
            chosen, settled = _single_part(column, results, extras)
            if bad:
                problems.extend((i, _problem_issue(sheet_name, row_numbers[i], header, text, results[text][2],
                                                   fld.name, personal))
                                for i, text in enumerate(column) if text in bad)
            break
        for i, text in enumerate(column):
            value, extra, problem = results[text]
            if text in bad:
                problems.append((i, _problem_issue(sheet_name, row_numbers[i], header, text, problem, fld.name,
                                                   personal)))
            if settled[i]:
                continue
            if _known(value, extra):
                chosen[i], settled[i] = value, True
            elif first:
                # Nothing known yet: keep Unknown (code fields) and the raw text of the first column.
                chosen[i] = value
            else:
                continue
            if extra:
                for k, v in extra.items():
                    if k not in extras:
                        extras[k] = [None] * n
                    extras[k][i] = v
        first = False
    return chosen, extras, settled


def _single_part(column, results: dict[str, tuple], extras: dict[str, list]) -> tuple[list, list[bool]]:
    """The common case, one column for the field: values and known flags by lookups per distinct text."""
    def spread(by_text: dict) -> list:
        return list(map(by_text.__getitem__, column))

    chosen = spread({t: r[0] for t, r in results.items()})
    unknown = {t for t, r in results.items() if not _known(r[0], r[1])}
    # Often every value is known (a reference, a name): then no per-row look is needed.
    settled = [t not in unknown for t in column] if unknown else [True] * len(column)
    keys = {k for r in results.values() if r[1] for k in r[1]}
    for k in keys:
        extras[k] = spread({t: (r[1] or {}).get(k) for t, r in results.items()})
    return chosen, settled


def _problem_issue(sheet_name, row_number, header, text, problem, fname, personal) -> Issue:
    # Values of personal fields (names, dates of birth) never go into an issue.
    return Issue(sheet_name, row_number, header, None if personal else text.strip()[:200], problem[0], "warning",
                 f"{fname}: {problem[1]}")


def _role_lookup(spec: SheetSpec) -> dict[str, str]:
    out = {}
    for kind, values in (("victims", spec.role.victims), ("offenders", spec.role.offenders),
                         ("skip", spec.role.skip)):
        for v in values:
            out[normalise(v)] = kind
    return out


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
        derive_cases(out)
    out.nil_return = out.rows_landed == 0
    return out


def derive_cases(out: MappedReturn) -> None:
    """Cases for layouts with no case sheet: one per distinct case reference. A person row
    with no reference is a case of its own (e.g. a charity's one-row-per-child referral)."""
    cases: dict[str, dict] = {}
    for kind in PERSON_KINDS:
        cols = out.columns[kind]
        if not cols:
            continue
        n = out.count(kind)
        get = {f: cols.get(f, [None] * n) for f in ("case_ref", "case_date", "area", "sheet", "row_number")}
        for ref, date, area, sheet, row in zip(*get.values(), strict=True):
            key = ref if ref else f"(no ref) {sheet} row {row}"
            case = cases.get(key)
            if case is None:
                cases[key] = {"case_ref": ref or key, "case_date": date, "area": area, "sheet": sheet,
                              "row_number": row}
            else:
                case["case_date"] = case["case_date"] or date
                case["area"] = case["area"] or area
    if cases:
        out.add("cases", {f: [c[f] for c in cases.values()]
                          for f in ("case_ref", "case_date", "area", "sheet", "row_number")})


def _initials(given: list, forenames: list, surnames: list) -> list:
    """Initials as given, else values.initials_of(forename, surname), with each distinct name
    part looked at once."""
    first = {p: first_letter(p) for p in {*forenames, *surnames}}
    return [ini or (first[f] + first[s]).upper() or None
            for ini, f, s in zip(given, forenames, surnames, strict=True)]


def _finish_persons(out: MappedReturn) -> None:
    """Fill case dates and areas from the case sheet, derive initials and ages."""
    cases = out.columns["cases"]
    case_by_ref = {}
    if cases:
        for ref, date, area in zip(cases["case_ref"], cases.get("case_date", [None] * out.count("cases")),
                                   cases.get("area", [None] * out.count("cases")), strict=True):
            if ref:
                case_by_ref.setdefault(ref, (date, area))
    has_cases = bool(case_by_ref)
    if not has_cases:
        # No case sheet: a case's date and area are those any of its records gives (an offenders
        # sheet often has no date column, while the victims sheet of the same case does).
        for kind in PERSON_KINDS:
            cols = out.columns[kind]
            n = out.count(kind)
            for ref, date, area in zip(cols.get("case_ref", [None] * n), cols.get("case_date", [None] * n),
                                       cols.get("area", [None] * n), strict=True):
                if ref:
                    old = case_by_ref.get(ref, (None, None))
                    case_by_ref[ref] = (old[0] or date, old[1] or area)
    unknown_refs: Counter = Counter()
    for kind in PERSON_KINDS:
        cols = out.columns[kind]
        n = out.count(kind)
        if not n:
            continue
        for f in ("case_ref", "case_date", "area", "forename", "surname", "initials", "dob", "age"):
            cols.setdefault(f, [None] * n)
        refs, dates, areas = cols["case_ref"], cols["case_date"], cols["area"]
        for i in range(n):
            case = case_by_ref.get(refs[i])
            if case is not None:
                dates[i] = dates[i] or case[0]
                areas[i] = areas[i] or case[1]
            elif has_cases and refs[i]:
                unknown_refs[(cols["sheet"][i], refs[i])] += 1
        cols["initials"] = _initials(cols["initials"], cols["forename"], cols["surname"])
        cols["age"] = [age if age is not None or not (dob and on) else age_at(dob, on)
                       for age, dob, on in zip(cols["age"], cols["dob"], dates, strict=True)]
    for (sheet, ref), n in sorted(unknown_refs.items()):
        out.issues.append(Issue(sheet, None, None, ref, "unknown_case_ref", "warning",
                                f"{n} record(s) name a case reference that is not in the cases sheet"))
