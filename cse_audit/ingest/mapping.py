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
from dataclasses import replace

from ..config import Agency, Config, Mapping, SheetSpec, normalise
from .derived import derive_fields, read_period, title_text
from .filldown import FillDownError, fill_down, first_row_only, names_once
from .ledger import SheetLedger, check_unique_records, land
from .persons import _finish_persons, _initials, derive_cases  # noqa: F401 - _initials: tests
from .readers import Sheet
from .records import PERSON_KINDS, Issue, MappedReturn, ReturnError
from .resolve import MissingColumn, _Field, _resolve_groups
from .several import map_people
from .sheets import (
    TOTAL_HEADS,
    _Columns,
    _Grid,
    _is_nil_sheet,
    combined_headers,
    is_footer_row,
    is_totals_row,
    once_per_cell,
    select_sheets,
    settle_nil,
    states_nil,
)
from .sheets import SheetError as _SheetError
from .stacked import Bounds, sheet_tables, table_bounds
from .translate import _known, merge_extras
from .unnamed import drop_unnamed, names_someone_unnamed
from .unread import (
    cells_past_header,
    formula_cells,
    header_further_down,
    hidden_data_rows,
    hidden_read,
    nul_byte_cells,
    repeated_headers,
    unread_sheets,
)
from .values import NO_PATTERN_MATCH

# A person record needs one of these: a row with only a reference, a note or a total is not a person.
# An alias alone ("Tiny" in a street-name column, the name cells blank) is someone known by it.
IDENTIFYING = frozenset(("forename", "surname", "name", "alias", "initials", "dob", "age"))


def _filled_rows(rows: list[list[str]], start: int = 0, end: int | None = None) -> list[tuple[int, list[str]]]:
    """(Excel row number, cells) of the rows that are not blank (every cell empty or spaces), from `start`
    to before `end` (a table stacked over another ends there: stacked.py). A row whose first cell holds
    more than spaces is filled: one look at that cell instead of joining the row's cells, for nearly
    every data row (the test that cost most a sheet)."""
    part = rows if not start and end is None else rows[start:end]
    return [(i + 1, r) for i, r in enumerate(part, start=start) if r and r[0].strip() or "".join(r).strip()]


def map_sheet(sheet: Sheet, spec: SheetSpec, config: Config, agency: Agency, out: MappedReturn,
              ledger: SheetLedger, bounds: Bounds | None = None) -> None:
    """Map one sheet with one block: records into `out`, each row's outcome into `ledger` (which
    lands and counts the rows once, however many blocks read the sheet). ``bounds``: the block's
    table on the sheet (stacked.table_bounds; by default found for this block alone)."""
    settings = config.settings
    if bounds is None:
        bounds = table_bounds(sheet, [spec], settings.header_search_rows)[spec.block]
    header_idx, top = bounds.header, bounds.top
    data_start = 0 if header_idx is None else header_idx + 1
    if header_idx is None and spec.below:
        # the upper table's block lands the sheet's rows: nothing here to reject
        out.issues.append(Issue(sheet.name, None, None, None, "missing_table", "warning" if spec.optional else "error",
                                f"no {spec.kind} table under the {spec.below} table (looked for a header row with "
                                f"{', '.join(map(repr, spec.header_contains))})"
                                + (" (optional)" if spec.optional else "; nothing loaded from it")
                                # under headers the mapping does not know, the table is still
                                # there, read on as the upper table's rows: say so
                                + f"; a table there under other headers is read as {spec.below} rows "
                                  "(`mapping check` says where)", spec.block))
        return
    if header_idx is None:
        rows = _filled_rows(sheet.rows)
        if not rows and hasattr(spec.sheet, "search"):
            return   # an empty sheet of a series (next year's, not started): nothing to land or report
        if _is_nil_sheet(sheet, settings.nil_markers) and len(rows) <= 5:
            # A note such as "No relevant data held" instead of a table: a nil return.
            ledger.nil_return(out)
            return
        expected = spec.header_contains or tuple(h for c in spec.columns.values() for h in c.headers)[:6]
        _reject_all(sheet, spec, rows, out, ledger, "no_header",
                    f"no header row found in the first {settings.header_search_rows} rows "
                    f"(looked for {', '.join(map(repr, expected))})"
                    + header_further_down(sheet, spec, settings.header_search_rows))
        return
    header_row_number = header_idx + 1
    subs = sheet.rows[header_idx]
    headers = combined_headers(sheet.rows, header_idx, spec.header_rows) if spec.header_rows > 1 else subs
    rows = _filled_rows(sheet.rows, data_start, bounds.end)
    if rows and all(is_footer_row(r, settings.nil_markers) for _, r in rows) \
            and _is_nil_sheet(sheet, settings.nil_markers):
        # A header row over a single "NIL RETURN" line: a nil return too.
        ledger.nil_return(out)
        return
    if not rows and states_nil(sheet.rows[top:header_idx + 1 - spec.header_rows], settings.nil_markers):
        # "Dorset Police: no relevant data held" in a title row over an empty table: the return says
        # it is nil (session 17: a table with no rows and no such words is an empty template, not nil)
        ledger.nil = True
    out.raw_headers.append((sheet.name, spec.kind, header_row_number, list(headers)))
    sheet_issues: list[Issue] = []
    below = sheet.rows[header_idx + 1] if spec.header_rows == 1 and header_idx + 1 < len(sheet.rows) else None
    cols = _Columns(headers, sheet.name, sheet_issues, header_row_number, spec.duplicate_headers,
                    subs if spec.header_rows > 1 else None, below)
    titles = title_text(sheet.rows[top:header_idx], top)
    read_period(spec, sheet.name, titles, out)
    try:
        groups = _resolve_groups(spec, cols, config, agency, sheet.name, header_row_number, sheet_issues, titles)
        role = None
        if spec.role:
            found = cols.find(spec.role.column)
            if found is None:
                raise _SheetError(f"role column {' / '.join(map(repr, spec.role.column))} not found; the sheet "
                                  f"has: {', '.join(h for h in headers if h)}")
            role = found
    except _SheetError as exc:
        out.issues.extend(sheet_issues)
        _reject_all(sheet, spec, rows, out, ledger, "missing_column", str(exc))
        return
    out.issues.extend(sheet_issues)
    out.issues.extend(_cells_as_sent(sheet, spec, headers, rows, data_start, groups, role, header_row_number))
    repeats = repeated_headers(rows, sheet.rows[header_idx - spec.header_rows + 1:header_idx + 1])
    try:
        # after the checks of the cells as sent (filldown.py): only this block reads the filled copy
        mapped, _ = fill_down(rows, spec.fill_down, cols.find, repeats)
    except FillDownError as exc:
        _reject_all(sheet, spec, rows, out, ledger, "missing_column", f"{exc}; the sheet has: "
                    + ", ".join(h for h in headers if h))
        return
    verdicts = _map_rows(mapped, spec, groups, role, config, sheet.name, out, repeats, rows)
    ledger.settle(spec.block, spec.kind, rows, verdicts)


def _cells_as_sent(sheet: Sheet, spec: SheetSpec, headers, rows, data_start: int, groups, role,
                   header_row_number: int) -> list[Issue]:
    """The block's warnings about the cells as the return sent them (unread.py, filldown.py)."""
    return [*cells_past_header(sheet.name, headers, rows, spec.block),
            *nul_byte_cells(sheet, headers, data_start, spec.block),
            *hidden_data_rows(sheet, rows, spec.block),
            *hidden_read(sheet, groups, role, header_row_number, spec.block),
            *formula_cells(sheet, headers, data_start, spec.block),
            *first_row_only(rows, groups, spec, sheet.name), *names_once(rows, groups, spec, sheet.name)]


def _map_rows(rows, spec: SheetSpec, groups: list, role, config: Config, sheet_name: str,
              out: MappedReturn, repeats: list[int] = (), sent=None) -> list:
    """Map every data row of a sheet with one block: a verdict per row (None: it made a record).
    ``repeats``: rows that repeat the header (unread.repeated_headers), skipped as such. ``sent``:
    the rows as the return sent them, where `fill_down` filled ``rows`` (footers are told by them).

    Row-level checks (cell length, footers, roles) come first, once; then each column group
    (or the one set of fields of a block without groups) makes its records."""
    n = len(rows)
    row_numbers = [r for r, _ in rows]
    cells_list = [c for _, c in rows]
    grid = _Grid(cells_list)
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
    markers = config.settings.nil_markers
    # A row with more than two filled cells is no footer (is_footer_row's first test, here for all
    # rows at once: the usual sheet has none with two or fewer).
    # a "Total: 8" row under a grouped report is a footer whatever fill_down gave it from above
    as_sent = cells_list if sent is None or sent is rows else [c for _, c in sent]
    filled = map(operator.sub, map(len, as_sent), map(operator.methodcaller("count", ""), as_sent))
    sparse = [i for i, f in enumerate(filled) if f <= 2]
    # a totals row of any width ("Total" | "8 young people" | "6 perpetrators"), the rest sparse rows;
    # looked for where the first cell is blank or starts as a total label does (is_totals_row's own
    # first test: a third of a sheet's rows start with T, G or S, few with "tot", "gra" or "sub")
    first = [c[0] if c else "" for c in as_sent] if as_sent is not cells_list else grid(0)
    totals = (i for i, t in enumerate(first)
              if (not t or t[:3].lower() in TOTAL_HEADS) and is_totals_row(as_sent[i]))
    for i in sorted({*sparse, *totals}):
        cells = as_sent[i]
        if verdict[i] is None and (is_footer_row(cells, markers) or is_totals_row(cells)):
            verdict[i] = ("skip", Issue(sheet_name, row_numbers[i], None, None, "footer_row", "skipped",
                                        "a total, note or nil line, not a record", spec.block))
    for i in repeats:
        verdict[i] = verdict[i] or ("skip", Issue(sheet_name, row_numbers[i], None, None, "repeated_header", "skipped",
                                                  "the header row again (a page break or a block pasted in the "
                                                  "export), not a record", spec.block))
    if spec.role:
        pos, header = role
        lookup = _role_lookup(spec)
        known_roles = ", ".join(spec.role.victims + spec.role.offenders + spec.role.skip)
        column = grid(pos)
        kind_of = {text: lookup.get(normalise(text)) for text in set(column)}  # a few distinct roles
        kinds = list(map(kind_of.__getitem__, column))
        odd = {text for text, kind in kind_of.items() if kind is None or kind == "skip"}
        for i in ([i for i, text in enumerate(column) if text in odd] if odd else ()):
            text, kind = column[i], kinds[i]
            if verdict[i] is None and kind is None:
                verdict[i] = ("error", header, "unrecognised_role",
                              f"role not recognised; the mapping knows: {known_roles}", text.strip())
            elif verdict[i] is None and kind == "skip":
                verdict[i] = ("skip", None)
    else:
        kinds = [spec.kind] * n
    if len(groups) == 1:
        verdict = map_people(_map_group, grid, n, row_numbers, spec, groups[0][1], kinds, verdict, config,
                             sheet_name, out, groups[0][0])
    else:
        verdict = _map_groups(grid, n, row_numbers, spec, groups, kinds, verdict, config, sheet_name, out)
    for i in ([i for i, v in enumerate(verdict) if v is not None] if any(verdict) else ()):
        v = verdict[i]
        if v[0] == "error":
            out.issues.append(Issue(sheet_name, row_numbers[i], v[1], v[4], v[2], "error",
                                    v[3] if len(groups) == 1 and groups[0][0] is None else f"{spec.block}: {v[3]}",
                                    spec.block))
    return verdict


def _map_groups(grid: _Grid, n: int, row_numbers: list[int], spec: SheetSpec, groups: list, kinds: list,
                verdict: list, config: Config, sheet_name: str, out: MappedReturn) -> list:
    """Every column group of a block for every row: a row is a record where any group made one,
    else its (most telling) skip."""
    made = [False] * n
    first_skip: list = [None] * n
    unnamed: list = []
    for group, fields in groups:
        group_verdict = map_people(_map_group, grid, n, row_numbers, spec, fields, kinds, verdict, config,
                                   sheet_name, out, group)
        for i, v in enumerate(group_verdict):
            if v is None:
                made[i] = True
            elif _unnamed(v):
                unnamed.append((i, v[1]))
            if v is not None and (first_skip[i] is None or _unnamed(v) and not _unnamed(first_skip[i])):
                first_skip[i] = v      # "Unknown male" in group 2 says more than a blank group 1
    # an unnamed suspect with nothing to tell him by beside suspects who made records: a warning,
    # the row accepted (as beside another block's record, ledger.land); it was said nowhere
    out.issues.extend(replace(issue, severity="warning") for i, issue in unnamed if made[i])
    return [first_skip[i] if v is None and not made[i] else v for i, v in enumerate(verdict)]


def _unnamed(v) -> bool:
    return v[0] == "skip" and v[1] is not None and v[1].code == "unnamed_no_detail"


def _map_group(grid: _Grid, n: int, row_numbers: list[int], spec: SheetSpec, fields: list[_Field], kinds: list,
               pre: list, config: Config, sheet_name: str, out: MappedReturn, group: str | None) -> list:
    """One column group (or a block's only set of fields) for every row: its records go into
    `out`; the verdict per row is None (a record), a skip or an error (rows `pre` settled keep theirs).

    Long because it is the hot loop of ingest: whole-column list operations kept in one frame
    (locals, no per-row calls) are what make a million-row sheet affordable."""
    verdict = list(pre)
    values: dict[str, list] = {}
    any_known = [False] * n
    identified = [False] * n
    problems: list[tuple[int, Issue]] = []
    others: list[list[bool]] = []     # per identifying field other than a name part: known per row
    given: list[tuple[str, dict[str, list]]] = []     # (field, the extra fields it gave), in field order
    for fld in fields:
        valid = set(config.fields[fld.name].kinds)
        vals, extras, settled = _map_field(fld, grid, n, config, sheet_name, row_numbers, problems)
        if fld.name != "name":
            values[fld.name] = vals
        if extras:
            given.append((fld.name, extras))
        if fld.name != "area":
            if not spec.role:
                if spec.kind in valid:
                    any_known = list(map(operator.or_, any_known, settled))
            else:
                any_known = [a or (s and k in valid) for a, s, k in zip(any_known, settled, kinds, strict=True)]
        if fld.name in IDENTIFYING:
            identified = list(map(operator.or_, identified, settled))
            if fld.name not in ("forename", "surname"):
                others.append(settled)
    merge_extras(values, given)
    drop_unnamed(fields, grid, values, identified, others)
    derive_fields(spec, values, n)
    case_refs = values.get("case_ref")
    for i in range(n):
        if verdict[i] is not None:
            continue
        if kinds[i] == "cases":
            if not any_known[i]:
                verdict[i] = ("skip", Issue(sheet_name, row_numbers[i], None, None, "empty_record", "skipped",
                                            "no usable values: every mapped column is blank or unknown",
                                            spec.block))
            elif not (case_refs and case_refs[i]):
                verdict[i] = ("error", None, "no_case_ref", "a case row with no case reference", None)
        elif not identified[i]:
            where = f" in group {group}" if group is not None else ""
            if names_someone_unnamed(fields, grid, i):
                # "Unknown male" and nothing else: someone was there, but nothing tells him from anyone
                # (session 15: silent when the row's victim loaded, as the row counted accepted)
                verdict[i] = ("skip", Issue(sheet_name, row_numbers[i], None, None, "unnamed_no_detail", "skipped",
                                            f"{spec.block}: an unnamed person (written as unknown, no name){where} "
                                            "with no date of birth, age or initials: no record made", spec.block))
                continue
            what = "a reference, note or other values only" if any_known[i] else "every mapped column blank"
            verdict[i] = ("skip", Issue(sheet_name, row_numbers[i], None, None, "no_identifying_field", "skipped",
                                        f"{spec.block}: no name, initials, date of birth or age{where} ({what}): "
                                        "not a person record", spec.block))
    for i, issue in problems:
        if verdict[i] is None:
            issue.block = spec.block
            out.issues.append(issue)
    for kind in dict.fromkeys(kinds):
        if kind in (None, "skip"):
            continue
        idx = [i for i in range(n) if verdict[i] is None and kinds[i] == kind]
        if not idx:
            continue
        cols = {"sheet": [sheet_name] * len(idx), "row_number": _pick(row_numbers, idx, n)}
        if group is not None:
            cols["column_group"] = [group] * len(idx)
        for name, vals in values.items():
            fdef = config.fields.get(name)   # None for derived columns (ethnicity_raw, _detail)
            if (kind in fdef.kinds) if fdef else kind in PERSON_KINDS:
                cols[name] = _pick(vals, idx, n)
        out.add(kind, cols)
    return verdict


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
    # an age read where a date goes ("DOB unknown, approx 15"): it identifies the row, but a later
    # column's date (first_of) is still taken
    aged = [False] * n
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
        if len(fld.parts) == 1:
            chosen, settled, found, bad = translator.column(column)
            extras.update(found)
            if bad:
                problems.extend((i, _problem_issue(sheet_name, row_numbers[i], header, text, bad[text][2],
                                                   fld.name, personal))
                                for i, text in enumerate(column) if text in bad)
            break
        results = translator.many(set(column))
        # a `pattern` part that does not match is no source here ("LAC" in Notes is no bad DOB)
        bad = {text for text, r in results.items() if r[2] and r[2][1] != NO_PATTERN_MATCH}
        for i, text in enumerate(column):
            value, extra, problem = results[text]
            if text in bad:
                problems.append((i, _problem_issue(sheet_name, row_numbers[i], header, text, problem, fld.name,
                                                   personal)))
            if settled[i]:
                continue
            if _known(value, extra):
                if value is None and translator.ftype == "date":
                    if aged[i]:
                        continue                  # the first column's age stands
                    aged[i] = True
                else:
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
    if any(aged):
        settled = [s or a for s, a in zip(settled, aged, strict=True)]
    return chosen, extras, settled


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


def _reject_all(sheet: Sheet, spec: SheetSpec, rows, out: MappedReturn, ledger: SheetLedger, code: str,
                message: str) -> None:
    # An empty sheet has no row to reject: saying "every row is rejected" over 0 rejected rows sent
    # an analyst looking for rows that are not there.
    what = "; every row of the sheet is rejected" if rows else "; the sheet is empty (no rows): nothing loaded from it"
    out.issues.append(Issue(sheet.name, None, None, None, code, "error", message + what, spec.block))
    ledger.settle(spec.block, spec.kind, rows, [("error",)] * len(rows))


# -- whole return --------------------------------------------------------------------------

def map_return(sheets: list[Sheet], mapping: Mapping, config: Config, agency: Agency,
               file_name: str) -> MappedReturn:
    out = MappedReturn()
    ledgers: dict[str, SheetLedger] = {}
    stated_nil = states_nil([[file_name.rsplit(".", 1)[0]]], config.settings.nil_markers)
    tables = sheet_tables(sheets, mapping, config.settings.header_search_rows)
    for spec in mapping.sheets:
        chosen = select_sheets(sheets, spec)
        if not chosen:
            if spec.optional:
                out.issues.append(Issue(None, None, None, None, "missing_sheet", "warning",
                                        f"no {spec.kind} sheet {spec.describe_sheet()} (optional)", spec.block))
                continue
            if len(sheets) == 1 and _is_nil_sheet(sheets[0], config.settings.nil_markers):
                stated_nil = True
                continue
            names = ", ".join(repr(s.name) for s in sheets)
            raise ReturnError(file_name, f"expected {spec.kind} sheet {spec.describe_sheet()} not found "
                                         f"(mapping {mapping.name!r}); the file has: {names}")
        for sheet in chosen:
            ledger = ledgers.setdefault(sheet.name, SheetLedger(sheet.name))
            try:
                map_sheet(sheet, spec, config, agency, out, ledger, tables[sheet.name][spec.block])
            except MissingColumn as exc:
                raise ReturnError(file_name, str(exc)) from None
    out.issues.extend(unread_sheets(sheets, mapping.sheets, set(ledgers), out.raw_headers,
                                    config.settings.header_search_rows))
    land(out, ledgers)
    _finish_persons(out)
    if not any(spec.kind == "cases" for spec in mapping.sheets):
        derive_cases(out)
    check_unique_records(out, file_name, ledgers)
    out.issues = once_per_cell(out.issues)
    settle_nil(out, stated_nil or any(ledger.nil for ledger in ledgers.values()))
    return out
