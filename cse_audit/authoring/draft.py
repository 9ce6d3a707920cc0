"""Drafting a mapping for a whole return: `draft_mapping`, the sheet drafter, and `draft_command`.

`draft_mapping` reads one file and `draft_sheets` drafts each sheet (`_draft_sheet`: header row, role
column, the sheet's kind, its columns), keeps one sheet per kind, links relation columns (`relations`)
and returns a `DraftResult`; `draft_command` is `mapping draft` for one file (a folder: `folder`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, normalise
from ..config.text import listable
from ..ingest.readers import Sheet
from .beside import keep_beside_columns, offenders_beside, split_theirs
from .columns import _choose_columns, _match_by_values, initials_not_names, one_letter
from .firstrow import with_fill_down
from .header import _blank, _col_letter, find_header_row, stacked_header
from .layouts import merge_series, restore, split_dates, two_row_header, views
from .model import ColumnChoice, SheetDraft
from .profile import Profile, _value_hint, profile_column
from .relations import link_relations, sheet_extras
from .synonyms import HeaderMatch, Synonyms, _has_phrase, _hinted, load_synonyms, match_header
from .yaml_out import _shell, _to_yaml

SAMPLE_ROWS = 5000          # rows per sheet looked at for value evidence
KIND_ORDER = ("cases", "victims", "offenders", "people")
CASE_FIELDS = ("case_ref", "case_date", "area")


@dataclass
class DraftResult:
    name: str
    file_name: str
    sheets: list[SheetDraft]
    skipped: list[tuple[str, str]]   # sheet name, why
    problem: str | None = None       # the file could not be drafted at all
    files: list[str] = field(default_factory=list)   # all files of the layout, for a folder draft

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
                             "todo": c.todo, "evidence": c.evidence, "unrecognised": c.unrecognised,
                             "unrecognised_counts": c.unrecognised_counts}
                            for c in s.columns],
                "unmapped": [{"header": h, "why": w} for h, w in s.unmapped],
                "notes": s.notes,
            } for s in self.sheets],
            "skipped": [{"sheet": n, "why": w} for n, w in self.skipped],
            "files": self.files,
            "problem": self.problem,
        }


def draft_mapping(path: str | Path, config: Config, name: str | None = None,
                  synonyms: Synonyms | None = None) -> DraftResult:
    """Read one return and propose a mapping for its layout (see the module docstring)."""
    from ..ingest.readers import ReadError, read_file

    path = Path(path)
    name = name or slug(path.stem)
    syn = synonyms or load_synonyms(config)
    try:
        sheets = read_file(path, config.settings.limits)
    except ReadError as exc:
        return DraftResult(name, path.name, [], [], problem=f"cannot read the file: {exc.reason}")
    return draft_sheets(sheets, path.name, config, name, syn)


def draft_sheets(sheets, file_name: str, config: Config, name: str, syn: Synonyms) -> DraftResult:
    """Draft a mapping from sheets already read (one file's, or a layout's merged over its files)."""
    drafts, skipped = [], []
    names = Counter(normalise(s.name) for s in sheets)
    for index, sheet in enumerate(sheets):
        grouped = _draft_views(sheet, index, len(sheets), names, config, syn)
        if grouped:
            drafts += grouped
            continue
        result = _draft_sheet(sheet, index, len(sheets), names, config, syn)
        if isinstance(result, str):
            skipped.append((sheet.name, result))
        else:
            drafts += offenders_beside(_stacked(sheet, result, index, len(sheets), names, config, syn), syn, config)
    for d in drafts:
        split_dates(d)
    with_fill_down(drafts, sheets)
    drafts = merge_series(drafts)
    # A mapping holds one sheet per kind: keep the fullest, note the others.
    chosen: dict[str, SheetDraft] = {}
    for d in drafts:
        other = chosen.get(d.kind)
        if other is None or len(d.columns) > len(other.columns):
            if other is not None:
                keep_beside_columns(chosen, other, d)
                skipped.append((other.sheet, f"also looks like {other.kind}, but sheet {d.sheet!r} has more "
                                             "matching columns (a mapping holds one sheet per kind)"))
            chosen[d.kind] = d
        else:
            keep_beside_columns(chosen, d, other)
            skipped.append((d.sheet, f"also looks like {d.kind}, but sheet {other.sheet!r} has more matching "
                                     "columns (a mapping holds one sheet per kind)"))
    if "people" in chosen and ("victims" in chosen or "offenders" in chosen):
        chosen["people"].notes.append("other sheets hold victims or offenders too: check that no person "
                                      "is counted twice")
    ordered = [chosen[k] for k in KIND_ORDER if k in chosen]
    link_relations(ordered, syn)
    problem = None
    if not ordered:
        problem = "no sheet holds a table of cases or people (" + "; ".join(
            f"{n!r}: {w}" for n, w in skipped) + ")" if skipped else "the file has no sheets"
    return DraftResult(name, file_name, ordered, skipped, problem)


def _draft_views(sheet, index: int, n_sheets: int, names: Counter, config: Config,
                 syn: Synonyms) -> list[SheetDraft]:
    """A sheet of numbered column groups or with a two-row header: one draft per kind of person in it
    (authoring/layouts.py); [] for a plain sheet."""
    found = find_header_row(sheet.rows, syn, config.settings.header_search_rows)
    if found is None:
        return []
    out = []
    for view, how in views(sheet, found[0], syn):
        result = _draft_sheet(view, index, n_sheets, Counter(), config, syn)
        if not isinstance(result, str):
            header_row = (found[0] + 1 if "groups" in how or "header_row" in how
                          else two_row_header(sheet.rows, found[0]) + 1)
            out.append(restore(result, sheet, _selector(sheet.name, index, n_sheets, names), how, header_row))
    return out


def _stacked(sheet, draft: SheetDraft, index: int, n_sheets: int, names: Counter, config: Config,
             syn: Synonyms) -> list[SheetDraft]:
    """[draft] for a sheet of one table; with tables under it (a blank row, a title such as
    "Adults of concern", its own header): the upper table drafted from its own rows and each lower
    one as a block `below` the one over it, its kind read from its title and headers (docs/mappings.md,
    "Two tables on one sheet"). A lower table of a kind already drafted is a note: a mapping has one
    block a kind, and the tables under it are read as the rows of the one above."""
    tables: list[tuple[int, int]] = []     # (top, header) of each table under the first
    h = draft.header_row - 1
    while (found := stacked_header(sheet.rows, h, syn)) is not None:
        tables.append(found)
        h = found[1]
    if not tables:
        return [draft]
    upper = _draft_sheet(Sheet(sheet.name, sheet.rows[:tables[0][0]]), index, n_sheets, names, config, syn)
    if isinstance(upper, str):
        return [draft]
    out = [upper]
    # each table ends where the next starts: a case list under the adults is not the adults' rows
    # (read as theirs, it thinned the adults' names below the share a name column needs)
    for (top, hdr), end in zip(tables, [t for t, _ in tables[1:]] + [len(sheet.rows)], strict=True):
        above = out[-1]
        where = f"a {'second' if above is upper else 'further'} table from row {top + 1} (header on row {hdr + 1})"
        lower = _lower_table(sheet, top, hdr, end, above, index, n_sheets, config, syn)
        if lower is None or any(d.kind == lower.kind for d in out):
            if len(out) == 1:
                draft.notes.append(f"{where}: read as more {draft.kind} rows; map it by hand if it holds other people")
                return [draft]
            above.notes.append(f"{where}: read as more {above.kind} rows; map it by hand (or delete it) if it "
                               "holds other records")
            break
        above.notes.append(f"{where} is drafted as the {lower.kind} block")
        _case_link(upper, lower)
        out.append(lower)
    return out


def _lower_table(sheet, top: int, hdr: int, end: int, above: SheetDraft, index: int, n_sheets: int,
                 config: Config, syn: Synonyms) -> SheetDraft | None:
    """The draft of the table whose title rows start at ``top`` and header is row ``hdr``, up to
    ``end``, as a block `below` the ``above`` block; None when it is no table of cases or people."""
    title = " ".join(c.strip() for r in sheet.rows[top:hdr] for c in r if c and c.strip())
    lower = _draft_sheet(Sheet(title or sheet.name, sheet.rows[top:end]), index, n_sheets, Counter(), config, syn)
    if isinstance(lower, str) or lower.kind == "people":
        return None
    lower.sheet, lower.selector, lower.below = sheet.name, above.selector, above.kind
    lower.header_row += top
    lower.header_evidence = f"header on row {hdr + 1}, under the {above.kind} table" + \
        (f" (title {title!r})" if title else "")
    if lower.kind_evidence.startswith("sheet name"):
        lower.kind_evidence = f"the title over the table, {title!r}"
    if not lower.header_contains:
        lower.header_contains = [c.headers[0] for c in lower.columns if c.headers][:2]
    return lower


def _case_link(upper: SheetDraft, lower: SheetDraft) -> None:
    """The lower table's own "id" whose values are all the upper table's case references ("Child
    ref" 1, 2 under the children's Ref 1, 2) is the link to the child's case, not a record's id."""
    ref = next((c for c in upper.columns if c.field == "case_ref" and len(c.headers) == 1 and not c.todo), None)
    cases = upper.ids.get(ref.headers[0], set()) if ref else set()
    for c in lower.columns:
        own = lower.ids.get(c.headers[0]) if c.field == "record_ref" and len(c.headers) == 1 and not c.todo else None
        if own and cases and own <= cases and not any(o.field == "case_ref" for o in lower.columns):
            c.field = "case_ref"
            c.evidence.append(f"its values are all the {upper.kind}' case references ({ref.headers[0]!r}): "
                              "the link to the case, not this table's own id")
    if not cases or any(c.field == "case_ref" for c in lower.columns):
        return
    # a column no header word names ("Linked YP") whose values are all the children's case
    # references is the link too: else each adult was a case of its own
    for k, (h, _why) in enumerate(lower.unmapped):
        own = lower.ids.get(h)
        if own and len(own) >= 2 and own <= cases:
            lower.columns.insert(0, ColumnChoice("case_ref", [h], h, [
                f"header {h!r} names no field, but its values are all the {upper.kind}' case references "
                f"({ref.headers[0]!r}): the link to the case"], "medium"))
            del lower.unmapped[k]
            return


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60].strip("-") or "draft"


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

    by_field, unmapped = _match_columns(headers, matches, profiles, sample, role_col, kind, fits, config, syn)
    if kind != "offenders" and fits("case_ref"):
        _lone_reference_field(by_field, headers, matches, profiles, syn, role_col, unmapped)
    theirs = split_theirs(by_field, headers, kind, syn)     # moved to an offenders block (offenders_beside)
    their_columns = _choose_columns(theirs, headers, matches, profiles, kind, fits, config, syn, unmapped)
    columns = _choose_columns(by_field, headers, matches, profiles, kind, fits, config, syn, unmapped) + \
        [c for c in their_columns if c.headers or c.todo]   # a TODO between two of theirs is kept
    for c in columns:
        if c.headers and not normalise(c.headers[0]) and isinstance(c.spec, str):
            # a header of punctuation alone ("#") is found by no name: the column's letter reads it
            c.spec = {"letter": _col_letter(headers.index(c.headers[0]))}
    selector = _selector(sheet.name, index, n_sheets, names)
    role = role_todo = None
    if role_col is not None:
        role, role_todo = _role_block(headers[role_col], profiles[role_col], syn)
    contains = _header_contains(columns, role, headers)
    draft = SheetDraft(sheet.name, index, kind, kind_evidence, hdr + 1, header_evidence, len(data), selector,
                       contains, columns, unmapped, role, role_todo or [])
    sheet_extras(draft, sheet.rows[:hdr], headers, sample, config)
    if not data:
        draft.notes.append("no data rows: choices rest on the headers alone")
    n_fields = sum(1 for c in columns if c.headers)
    if n_fields < 2 and role is None:
        return (f"{header_evidence}, but only {n_fields} column(s) could be mapped: not a table of cases or "
                "people")
    return draft


def _match_columns(headers: list[str], matches: dict, profiles: dict, sample: list, role_col, kind: str, fits,
                   config: Config, syn: Synonyms) -> tuple[dict[str, list[int]], list[tuple[str, str]]]:
    """The columns of each field (by_field) and the headers left unmapped, with the reason: header
    matches, then value-only matches for the columns no header names; name columns of initials."""
    by_field: dict[str, list[int]] = {}
    unmapped: list[tuple[str, str]] = []
    turned: dict[str, tuple] = {}      # forename / surname columns whose values are initials
    for j, h in enumerate(headers):
        if not h or j == role_col:
            continue
        m = matches[j]
        if m is None and normalise(h.replace("#", " no ")) in syn.lone_reference:
            # "No." over 1, 2, 3... are IC codes by their values, but the header says a number
            unmapped.append((h, "a number word alone: a row or reference number, no other field"))
            continue
        if m is None:
            m = _match_by_values(profiles[j], config, syn)
            matches[j] = m
        if m is None:
            unmapped.append((h, "no field matches this header" + _value_hint(profiles[j])))
            continue
        was = m
        m = matches[j] = initials_not_names(m, profiles[j])
        if m is not was and was.field in ("forename", "surname"):
            turned[was.field] = (j, was)
        if not fits(m.field):
            unmapped.append((h, f"{m.describe(h)}, but {m.field} does not belong in a {kind} sheet"))
            continue
        by_field.setdefault(m.field, []).append(j)
    for j, h in enumerate(headers):
        if not h and any((r[j] if j < len(r) else "").strip() for r in sample):
            unmapped.append((f"column {_col_letter(j)}", "values under a blank header (not mapped)"))

    _name_part_initials(turned, by_field, matches, profiles)
    return by_field, unmapped


def _name_part_initials(turned: dict, by_field: dict, matches: dict, profiles: dict) -> None:
    """A forename and a surname column both of one letter ("J" | "S") are each half of the initials:
    they stay forename and surname, from which ingest makes the initials "JS" (and linkage never
    compares a one-letter name part as a name); one column alone of initials is the initials."""
    if len(turned) < 2 or not all(one_letter(profiles[j]) and j in by_field.get("initials", ())
                                  for j, _ in turned.values()):
        return
    for fname, (j, was) in turned.items():
        by_field["initials"].remove(j)
        matches[j] = was
        by_field.setdefault(fname, []).append(j)
    if not by_field["initials"]:
        del by_field["initials"]


_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]{0,19}$")


def _lone_reference_field(by_field: dict, headers: list[str], matches: dict, profiles: dict, syn: Synonyms,
                          role_col, unmapped: list) -> None:
    """The case reference from a number word alone (lone_reference), on a sheet naming no case or
    record reference. Not on an offenders sheet (the caller): a row count there would tie offender
    1 to the case numbered 1 on the children's sheet."""
    if by_field.get("case_ref") or by_field.get("record_ref"):
        return
    j = lone_reference(headers, matches, profiles, syn, role_col)
    if j is not None:
        matches[j] = HeaderMatch("case_ref", "lone_reference")
        by_field["case_ref"] = [j]
        unmapped[:] = [u for u in unmapped if u[0] != headers[j]]


def lone_reference(headers: list[str], matches: dict, profiles: dict, syn: Synonyms, role_col) -> int | None:
    """The column headed by a number word alone ("No.", "#", "Ref", "ID": `lone_reference` in
    draft_synonyms.yaml) whose values look like references (numbers or short codes with a digit),
    when the sheet has exactly one such column: the case reference where nothing better names one.
    A case number shared by several rows is a case; a row count makes each row a case of its own,
    as a row with no reference is."""
    found = []
    for j, h in enumerate(headers):
        if not h or j == role_col or matches.get(j) is not None:
            continue
        if normalise(h.replace("#", " no ")) not in syn.lone_reference:
            continue
        p = profiles[j]
        refs = sum(k for v, k in p.values.items() if _REFERENCE.match(v) and any(c.isdigit() for c in v))
        if p.known == 0 or (p.share(refs) >= 0.9 and p.share(p.dates) < 0.5):
            found.append(j)
    return found[0] if len(found) == 1 else None


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
    todo, hidden = [], 0
    for value, k in p.values.most_common():
        kind = syn.role_values.get(normalise(value))
        if kind:
            out[kind].append(value)
        elif listable(value, k):
            todo.append(value)
        else:
            hidden += 1  # possibly a name typed into Role: counted, not copied into the draft
    if hidden:
        todo.append(f"({hidden} other value(s) seen in fewer than 3 rows: see the file)")
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


def draft_command(path: str | Path, config: Config, output: str | Path | None = None, name: str | None = None,
                  force: bool = False) -> tuple[str, dict]:
    """`cse-audit mapping draft FILE [--output FILE.yaml]`: (text for stdout, dict for --format json).
    Without --output the text is the draft itself; with it, the draft is written there and the text
    is a summary. An existing file is never overwritten unless `force`."""
    if output is not None:
        output = Path(output)
        name = output.stem
        if output.suffix.lower() not in (".yaml", ".yml"):
            # configs/mappings is read for *.yaml only, and `mapping check --mapping` takes a .yaml path
            raise ConfigError(output, "", None, "a mapping is a .yaml file; give --output NAME.yaml")
        if output.exists() and not force:
            raise ConfigError(output, "", None, "the file exists; choose another --output, or add --force to "
                                                "overwrite it")
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
    check = f"cse-audit mapping check {_shell(str(path))} --mapping {mapping_ref(output, d.name, config)}"
    if d.todos:
        lines.append(f"{len(d.todos)} TODO(s) to decide before cse-audit will load the mapping:")
        lines += [f"  - {t}" for t in d.todos]
        lines.append(f"Edit {output}, then run: {check}")
    else:
        lines.append(f"No TODOs. Check it: {check}")
    return "\n".join(lines) + "\n", data


def mapping_ref(output: Path, name: str, config: Config) -> str:
    """How `mapping check --mapping` finds a draft written to `output`: by its name when it is in
    the configuration's mappings folder, else by its path (`--mapping NAME` of a draft written to
    drafts/ was refused: no mapping NAME in configs/mappings)."""
    try:
        inside = output.resolve().parent == (Path(config.root) / "mappings").resolve()
    except OSError:
        inside = False
    return name if inside else _shell(str(output))
