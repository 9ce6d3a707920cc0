"""Checking a mapping against one file (`check_mapping`, `cse-audit mapping check`), and comparing
a draft with a hand-written mapping (`compare`, for the tests and to measure the drafter).

`check_mapping` applies a mapping to one file in memory and says, per field, how many values mapped,
how many became Unknown and which values were not recognised, storing nothing. Separate because it
uses the ingest mapping, not the drafter: it works for any mapping, drafted or hand-written.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..config import Agency, Config, ConfigError, Mapping, load_mapping, normalise
from ..config.text import shown_value
from .draft import DraftResult
from .model import MAX_LISTED
from .namecheck import message as name_order_message
from .namecheck import swapped_parts
from .row_warnings import summed_row_warnings
from .several_check import several_unsaid

VALUE_PROBLEMS = ("unrecognised_code", "bad_date", "impossible_date", "bad_age", "age_band", "bad_number",
                  "bad_initials", "bad_name", "age_in_dob", "stray_punctuation")
# Issues about a sheet or a column rather than one row's value, listed under the sheet (the hidden
# ones: session 19, `mapping check` said nothing of rows or columns the workbook hides)
SHEET_CODES = ("missing_column", "duplicate_header", "nil_return", "hidden_rows", "hidden_column", "hidden_sheet",
               "first_row_only", "names_once")


def _second_tables(sheets, m: Mapping, mapped, config: Config) -> list[dict]:
    """A second table under a block's table on a sheet no block reads `below` it (the adults of
    concern under the children): its rows are read as the upper block's. Row numbers only."""
    from .header import stacked_header
    from .synonyms import load_synonyms

    # the kinds whose table has one found under it on the sheet; a block `below` whose header is
    # not found (a missing_table) leaves the table under read as the upper's rows, so that is
    # still said (before, the `below` alone silenced it)
    found = {(name, kind) for name, kind, _row, _h in mapped.raw_headers}
    lowered = {(s.below, s.kind) for s in m.sheets if s.below}
    by_name = {s.name: s for s in sheets}
    syn, out = None, []
    for sheet_name, kind, header_row, _headers in mapped.raw_headers:
        if sheet_name not in by_name or any(up == kind and (sheet_name, low) in found for up, low in lowered):
            continue
        syn = syn or load_synonyms(config)
        found = stacked_header(by_name[sheet_name].rows, header_row - 1, syn)
        if found is not None:
            out.append({"sheet": sheet_name, "code": "second_table", "severity": "warning",
                        "message": f"a second table from row {found[0] + 1} (its header on row {found[1] + 1}) is "
                                   f"read as more {kind} rows: if it holds other people, map it as its own block "
                                   f"with `below: {kind}` (docs/mappings.md, \"Two tables on one sheet\")"})
    return out


def _resolve_mapping(mapping, config: Config) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    text = str(mapping)
    if text in config.mappings:
        return config.mappings[text]
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") and path.exists():
        return load_mapping(path, config.codes, config.fields)
    # A file that is there but not .yaml was called "no such file": say what is wrong with it.
    what = "not a .yaml file" if path.is_file() else "no such .yaml file"
    raise ConfigError(text, "", None, f"no mapping {text!r} in {Path(config.root) / 'mappings'}, and {what}; "
                                      f"known: {', '.join(sorted(config.mappings))}")


def check_mapping(path: str | Path, mapping, config: Config, agency: Agency | None = None,
                  show_values: bool = False) -> dict:
    """Apply `mapping` (a Mapping, a name in configs/mappings, or a path to a .yaml file) to one
    file in memory and count, per kind and field, the values mapped, the values that became
    Unknown and the values not recognised (listed for non-personal fields only), and find name
    parts the wrong way round (`name_order`: counts; the values only with `show_values`).

    Long because it is one report built field by field from one mapped return; the per-field
    pieces (source, coverage, code lists) share the mapped columns, so splitting would only pass
    them around."""
    from ..ingest.mapping import ReturnError, map_return
    from ..ingest.readers import ReadError, read_file

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
        "several_rows": mapped.several_rows, "several_records": mapped.several_records,
        "records": {k: mapped.count(k) if hasattr(mapped, "count") else len(v)
                    for k, v in mapped.records.items()},
    })
    out["sheets"] = _sheets_read(mapped)
    # Keyed by (sheet, block, field), with the row: two blocks reading one sheet (victims and
    # offenders of one offence row) each own their problems, and a `people` block's are split by the
    # kind of the row's record.
    problems: dict[tuple, list] = {}      # (row, value): the values that may be shown
    everyone: dict[tuple, list] = {}      # (row, value): every unrecognised value, for covered_by only
    bad: dict[tuple, list] = {}           # rows
    label_cache: dict[str, bool] = {}
    sheet_issues, rejections, skips = [], Counter(), Counter()
    for issue in mapped.issues:
        if issue.severity == "error" and issue.row_number is not None:
            rejections[issue.code] += 1
        if issue.severity == "skipped":
            skips[issue.code] += 1
        if issue.row_number is None or issue.code in SHEET_CODES:
            sheet_issues.append({"sheet": issue.sheet, "code": issue.code, "severity": issue.severity,
                                 "message": issue.message})
        if issue.code in VALUE_PROBLEMS and ":" in issue.message:
            fname = issue.message.split(":", 1)[0]
            key = (issue.sheet, issue.block, fname)
            bad.setdefault(key, []).append(issue.row_number)
            if issue.code == "unrecognised_code" and fname in config.fields and not config.fields[fname].personal \
                    and issue.value is not None:
                everyone.setdefault(key, []).append((issue.row_number, issue.value))
                # only code-like values, or labels some code list knows ("White: Irish"): a name typed
                # into Gender is counted, never printed (unless --show-values, as for load and validate)
                if show_values or shown_value(issue.value) is not None or \
                        _a_list_knows(issue.value, config, label_cache):
                    problems.setdefault(key, []).append((issue.row_number, issue.value))
    not_found = {(i.sheet, normalise(i.column_name or "")) for i in mapped.issues if i.code == "missing_column"}
    fields: dict[str, dict] = {}
    records = mapped.records
    name_order: list[dict] = []
    for spec in m.sheets:
        kinds = ("victims", "offenders") if spec.kind == "people" else (spec.kind,)
        read = {sheet for sheet, k, *_ in mapped.raw_headers if k == spec.kind}
        for kind in kinds:
            recs = records[kind]
            sheet_names = {r["sheet"] for r in recs}
            # a people block's problems are split by the kind of the row's record
            rows = {(r["sheet"], r.get("row_number")) for r in recs} if spec.kind == "people" else None
            per = fields.setdefault(kind, {})
            for fname, cspec in spec.columns.items():
                if kind not in config.fields[fname].kinds:
                    continue
                if fname == "name":
                    known = sum(1 for r in recs if r.get("forename") or r.get("surname"))
                else:
                    known = sum(1 for r in recs if r.get(fname) is not None and r.get(fname) != "Unknown")
                unrec, every, n_bad = Counter(), Counter(), 0
                for sn in sheet_names:
                    key = (sn, spec.block, fname)
                    unrec.update(v for r, v in problems.get(key, []) if rows is None or (sn, r) in rows)
                    every.update(v for r, v in everyone.get(key, []) if rows is None or (sn, r) in rows)
                    n_bad += sum(1 for r in bad.get(key, []) if rows is None or (sn, r) in rows)
                headers = cspec.all_headers()
                found = not headers or not any((sn, normalise(h)) in not_found for sn in sheet_names
                                               for h in headers[:1])
                if spec.groups and fname not in spec.groups.shared:
                    headers = [spec.groups.header(h, "{n}") for h in headers]   # "Victim {n} Surname"
                source = ", ".join(headers) or (f"registry {cspec.registry}" if cspec.registry
                                                else "derived (an expression)" if cspec.expr is not None
                                                else f"title row /{cspec.title.pattern}/" if cspec.title
                                                else f"value {cspec.value!r}")
                per[fname] = {"column": source, "column_found": found, "records": len(recs), "mapped": known,
                              "unknown": len(recs) - known, "problems": n_bad,
                              "personal": config.fields[fname].personal,
                              "unrecognised": {} if config.fields[fname].personal
                              else dict(unrec.most_common(MAX_LISTED * 2)),
                              "covered_by": [] if config.fields[fname].personal else _covered_by(every, cspec, fname,
                                                                                               config)}
            parts = {f: per[f]["column"] for f in ("forename", "surname", "name") if f in spec.columns and f in per}
            if parts:
                name_order += swapped_parts([r for r in recs if r["sheet"] in read], kind, parts, show_values)
    out["fields"] = fields
    out["name_order"] = name_order
    out["sheet_issues"] = sheet_issues + _second_tables(sheets, m, mapped, config) + several_unsaid(m, mapped) \
        + summed_row_warnings(mapped)
    out["rejections"] = dict(rejections)
    # A row whose role the mapping's `skip:` lists (a witness) carries no issue: count those rows too,
    # so the reasons add up to the rows skipped (session 18: "2 skipped" over "1 x unnamed_no_detail")
    by_role = mapped.rows_skipped - sum(skips.values())
    if by_role > 0:
        skips["skip_role"] = by_role
    out["skips"] = dict(skips)
    return out


def _sheets_read(mapped) -> list[dict]:
    """Each sheet the mapping read (every sheet a `{regex: ...}` matched), with its blocks and header row."""
    out: dict[str, dict] = {}
    for sheet, kind, header_row, _headers in mapped.raw_headers:
        entry = out.setdefault(sheet, {"sheet": sheet, "blocks": [], "header_row": header_row, "rows": 0})
        entry["blocks"].append(kind)
    for sheet, *_ in mapped.raw_rows:
        if sheet in out:
            out[sheet]["rows"] += 1
    return list(out.values())


def _a_list_knows(value: str, config: Config, known: dict[str, bool]) -> bool:
    """Whether some code list of the configuration knows `value`: a published label ("White: Irish",
    a census category), which says nothing about a person and may be shown. Cached in `known`."""
    if value not in known:
        known[value] = any(cl.lookup(value) is not None for cl in config.codes.values())
    return known[value]


def _covered_by(unrec: Counter, cspec, fname: str, config: Config) -> list[str]:
    """Other code lists (of the same categories) that know every value this mapping's list did not:
    switching to one of them leaves none Unknown."""
    if not unrec:
        return []
    used = {c.codes or config.fields[fname].codes for c in (cspec.first_of or (cspec,))}
    cats = {tuple(config.codes[n].categories) for n in used if n in config.codes}
    return sorted(n for n, cl in config.codes.items() if n not in used and tuple(cl.categories) in cats
                  and all(cl.lookup(v) is not None for v in unrec))


def check_command(path: str | Path, mapping, config: Config, agency_id: str | None = None,
                  show_values: bool = False) -> tuple[str, dict]:
    """`cse-audit mapping check FILE --mapping NAME`: (text for stdout, dict for --format json).
    `show_values` (--show-values) lists the values behind a name-order warning and unrecognised values
    that are not code-like; otherwise they are counted only."""
    agency = None
    if agency_id:
        agency = config.agencies.get(agency_id)
        if agency is None:
            raise ConfigError(Path(config.root) / "agencies.yaml", "", None, f"no agency {agency_id!r}")
    r = check_mapping(path, mapping, config, agency, show_values=show_values)
    from ..ingest.discover import file_warning, registry_warnings

    r["warnings"] = registry_warnings(config) + ([] if agency_id else
                                                [w for w in [file_warning(Path(path).name, config)] if w])
    warn = "".join(f"Warning: {w}\n" for w in r["warnings"])
    if r["error"]:
        return f"{r['file']}: {r['error']}\n" + warn, r
    lines = [f"{r['file']} with mapping {r['mapping']!r}: {r['rows_landed']} row(s) landed, "
             f"{r['records_accepted']} accepted, {r['rows_rejected']} rejected, {r['rows_skipped']} skipped"
             + (" (nil return)" if r["nil_return"] else "")]
    for s in r["sheets"]:
        lines.append(f"  sheet {s['sheet']!r}: {', '.join(s['blocks'])}, header on row {s['header_row']}, "
                     f"{s['rows']} row(s)")
    recs = r["records"]
    lines.append(f"  records: {recs.get('cases', 0)} cases, {recs.get('victims', 0)} victims, "
                 f"{recs.get('offenders', 0)} offenders"
                 + (f" ({r['several_records']} of them from {r['several_rows']} rows of several people in one "
                    "cell)" if r.get("several_rows") else ""))
    for code, n in sorted(r["rejections"].items()):
        lines.append(f"  rejected rows: {n} x {code}")
    for code, n in sorted(r["skips"].items()):
        lines.append(f"  skipped rows: {n} x {code}")
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
                hidden = s["problems"] - sum(s["unrecognised"].values())
                if hidden > 0:
                    text += f" (and {hidden} value(s) not shown: not code-like; --show-values shows them)"
                if s.get("covered_by"):
                    text += f"\n  {'':<{width}}  every one is known to codes: {', '.join(s['covered_by'])}"
            elif s["problems"]:
                # the analyst was not told how to see them (bench/heldout7: 26 ethnicity texts)
                text += f"  ({s['problems']} value(s) not understood" + (
                    ")" if s.get("personal") else "; not code-like, so not shown: --show-values shows them)")
            lines.append(text)
    lines += [f"Warning: {name_order_message(f)}" for f in r["name_order"]]
    return "\n".join(lines) + "\n" + warn, r


def compare(draft: DraftResult, mapping: Mapping, sheets) -> dict:
    """Per kind and field of `mapping`: does the draft read the same column(s) of this file?
    -> {"right": [...], "wrong": [...], "todo": [...], "missing": [...], "extra": [...], "absent": [...]},
    each a list of "kind.field" (absent: the mapping's column is not in this file)."""
    from ..ingest.sheets import find_header, select_sheet

    out = {k: [] for k in ("right", "wrong", "todo", "missing", "extra", "absent")}
    for spec in mapping.sheets:
        sheet = select_sheet(sheets, spec)
        if sheet is None:
            continue
        hdr = find_header(sheet, spec, 30)
        present = {normalise(h) for h in (sheet.rows[hdr] if hdr is not None else []) if h}
        # a sheet may hold two blocks (victims and offenders of one row): the draft's block of this kind
        d = next((s for s in draft.sheets if s.sheet == sheet.name and s.kind == spec.kind), None) or \
            next((s for s in draft.sheets if s.sheet == sheet.name), None)
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
