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

import operator
from collections import Counter
from dataclasses import dataclass
from itertools import zip_longest

from ..config import Agency, Config, Mapping, SheetSpec, normalise
from .derived import derive_fields, read_period, title_text, title_value
from .readers import Sheet
from .records import PERSON_KINDS, Issue, MappedReturn, ReturnError
from .sheets import _Columns, _is_nil_sheet, find_header, select_sheet
from .translate import _known, _Translator
from .values import age_at, first_letter


@dataclass
class _Field:
    name: str
    parts: list[tuple[int | None, str | None, _Translator | None, str | None]]  # pos, header, translator, constant


def _resolve_fields(spec: SheetSpec, cols: _Columns, config: Config, agency: Agency, sheet_name: str,
                    header_row: int, issues: list[Issue], title_rows: list | None = None) -> list[_Field]:
    out = []
    for fname, cspec in spec.columns.items():
        if cspec.expr is not None:
            continue          # derived after the other fields (derived.derive_fields)
        parts = []
        for sub in (cspec.first_of or (cspec,)):
            if sub.value is not None:
                parts.append((None, None, None, sub.value))
                continue
            if sub.title is not None:
                parts.extend(_title_part(fname, sub, config, agency, sheet_name, title_rows or [], issues))
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


def _title_part(fname: str, sub, config: Config, agency: Agency, sheet_name: str, title_rows: list,
                issues: list[Issue]) -> list[tuple]:
    """A constant read from the title rows by the spec's `title` pattern, as the field's type reads it."""
    text = title_value(sub, title_rows)
    value = problem = None
    if text is not None:
        value, _extra, problem = _Translator(fname, sub, config, agency)._translate(text)
    if text is None or problem is not None:
        issues.append(Issue(sheet_name, None, None, None, "title_not_found", "warning",
                            f"{fname}: no title row above the header matches the mapping's `title` pattern"
                            if text is None else f"{fname}: the title row's text is not a {fname} ({problem[1]})"))
        return []
    return [(None, None, None, value)]


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
    titles = title_text(sheet.rows[:header_idx])
    read_period(spec, sheet.name, titles, out)
    try:
        fields = _resolve_fields(spec, cols, config, agency, sheet.name, header_row_number, sheet_issues, titles)
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
    """Map every data row of a sheet, one column at a time.

    Long because it is the hot loop of ingest: whole-column list operations kept in one frame
    (locals, no per-row calls) are what make a million-row sheet affordable."""
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
    derive_fields(spec, values, n)
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
