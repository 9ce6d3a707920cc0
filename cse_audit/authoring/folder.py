"""Drafting for a folder of returns (issue 18): files grouped by layout, one mapping per layout.

A layout is the sheets with a header row and each one's headers (case, spacing and punctuation
ignored). The files of one layout are drafted together: their data rows are pooled under one header,
so every choice rests on the evidence of all of them, and a nil return (headers, no rows) joins its
layout's group and gets the role values, code lists and column choices its siblings show. A file
with no table at all (a "no relevant data held" note) loads with any mapping; it is listed apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, normalise
from ..ingest.derived import find_period
from .draft import DraftResult, draft_sheets, mapping_ref, slug
from .header import _blank, find_header_row
from .synonyms import Synonyms, load_synonyms
from .yaml_out import _shell


@dataclass
class LayoutFile:
    path: Path
    data_rows: int = 0
    signature: tuple = ()
    sheets: list = field(default_factory=list, repr=False)
    headers: dict = field(default_factory=dict, repr=False)     # sheet index -> header row index


@dataclass
class LayoutGroup:
    name: str
    files: list[LayoutFile]
    draft: DraftResult | None = None

    @property
    def nil_files(self) -> list[LayoutFile]:
        return [f for f in self.files if f.data_rows == 0]


@dataclass
class FolderDraft:
    groups: list[LayoutGroup]
    no_table: list[tuple[str, str]]       # file, why (nil notes, empty files)
    unreadable: list[tuple[str, str]]     # file, why

    def file_mappings(self) -> dict[str, str | None]:
        """Each file -> the mapping it will use (None: a file with no table, any mapping loads it)."""
        out = {f.path.name: g.name for g in self.groups for f in g.files}
        only = self.groups[0].name if len(self.groups) == 1 else None
        out.update({name: only for name, _ in self.no_table})
        return out


def draft_folder(paths: list[str | Path], config: Config, synonyms: Synonyms | None = None) -> FolderDraft:
    """Group the returns in `paths` (files and folders) by layout and draft one mapping per layout."""
    from ..ingest.discover import discover
    from ..ingest.readers import ReadError, read_file

    syn = synonyms or load_synonyms(config)
    found, problems = discover(paths, config)
    unreadable = [(p.file_name, p.message) for p in problems]
    no_table, by_sig = [], {}
    for path in found:
        try:
            sheets = read_file(path, config.settings.limits)
        except ReadError as exc:
            unreadable.append((path.name, f"cannot read the file: {exc.reason}"))
            continue
        lf = _layout_of(path, sheets, syn, config)
        if not lf.signature:
            no_table.append((path.name, _no_table_reason(sheets, config)))
            continue
        by_sig.setdefault(lf.signature, []).append(lf)
    groups, used = [], set()
    for i, files in enumerate(by_sig.values(), start=1):
        name = _group_name([f.path for f in files], i, used)
        group = LayoutGroup(name, files)
        merged, file_name = _merged_sheets(files)
        group.draft = draft_sheets(merged, file_name, config, name, syn)
        group.draft.files = [f.path.name for f in files]
        groups.append(group)
    return FolderDraft(groups, no_table, unreadable)


def _layout_of(path: Path, sheets, syn: Synonyms, config: Config) -> LayoutFile:
    lf = LayoutFile(path, sheets=sheets)
    keys = []
    for index, sheet in enumerate(sheets):
        found = find_header_row(sheet.rows, syn, config.settings.header_search_rows)
        if found is None:
            continue
        hdr = found[0]
        lf.headers[index] = hdr
        headers = [normalise(c) for c in sheet.rows[hdr]]
        while headers and not headers[-1]:
            headers.pop()
        name = normalise(sheet.name)
        generic = sheet.name == "csv" or re.fullmatch(r"sheet\s*\d*", name) or not name
        keys.append((f"#{index}" if generic else name, tuple(headers)))
        lf.data_rows += sum(1 for r in sheet.rows[hdr + 1:] if not _blank(r))
    lf.signature = tuple(keys)
    return lf


def _no_table_reason(sheets, config: Config) -> str:
    text = " ".join(normalise(c) for s in sheets for r in s.rows[:50] for c in r if c)
    if any(normalise(m) in text for m in config.settings.nil_markers):
        return "a nil return with no table (a note that no relevant data is held): any mapping loads it"
    return "no header row found in any sheet: not a table of cases or people"


def _merged_sheets(files: list[LayoutFile]) -> tuple[list, str]:
    """One file's sheets with the data rows of every file of the layout under each header. The title
    rows come from a file that states a reporting period there, if any does."""
    from ..ingest.readers import Sheet

    base = max(files, key=lambda f: f.data_rows)
    out = []
    for index, sheet in enumerate(base.sheets):
        hdr = base.headers.get(index)
        if hdr is None:
            out.append(sheet)
            continue
        titles = sheet.rows[:hdr]
        for f in files:
            h = f.headers.get(index)
            if h is not None and index < len(f.sheets) and any(
                    find_period(" ".join(c for c in r if c)) for r in f.sheets[index].rows[:h]):
                titles = f.sheets[index].rows[:h]
                break
        rows = list(titles) + [sheet.rows[hdr]]
        for f in files:
            h = f.headers.get(index)
            if h is not None and index < len(f.sheets):
                rows += [r for r in f.sheets[index].rows[h + 1:] if not _blank(r)]
        out.append(Sheet(sheet.name, rows))
    return out, base.path.name


def _group_name(paths: list[Path], i: int, used: set) -> str:
    """The words every file name of the layout shares ("childrens services cse return"), with the file
    type when that is one word or already taken ("cse-xlsx"), else layout-N."""
    words = [normalise(p.stem.replace("'", "").replace("\u2019", "")).split() for p in paths]
    common = [w for w in words[0] if all(w in ws for ws in words[1:])] if len(paths) > 1 else words[0]
    ext = paths[0].suffix.lower().lstrip(".")
    name = slug(" ".join(common)) if common else "layout"
    if len(common) < 2 or name in used:
        name = slug(" ".join(common + [ext])) if common else f"layout-{ext}"
    if name in used:
        name = f"{name}-{i}"
    used.add(name)
    return name


def folder_command(paths: list[str | Path], config: Config, output: str | Path | None = None,
                   force: bool = False) -> tuple[str, dict]:
    """`cse-audit mapping draft FOLDER|FILE... [--output DIR]`: one draft per layout. Without --output
    the drafts go to stdout as one YAML stream (the summary as comments); with it, each is written to
    DIR/NAME.yaml (never over an existing file unless `force`) and the text is the summary."""
    fd = draft_folder(paths, config)
    out_dir = Path(output) if output is not None else None
    if out_dir is not None:
        clash = [g.name for g in fd.groups if (out_dir / f"{g.name}.yaml").exists()]
        if clash and not force:
            raise ConfigError(out_dir / f"{clash[0]}.yaml", "", None, "the file exists; choose another --output "
                                                                      "folder, or add --force to overwrite it")
    summary = _summary(fd, out_dir, config)
    data = {"layouts": [{"mapping": g.name, "files": [f.path.name for f in g.files],
                         "nil_returns": [f.path.name for f in g.nil_files],
                         "output": str(out_dir / f"{g.name}.yaml") if out_dir else None,
                         "draft": g.draft.as_dict()} for g in fd.groups],
            "files": fd.file_mappings(),
            "no_table": [{"file": n, "why": w} for n, w in fd.no_table],
            "unreadable": [{"file": n, "why": w} for n, w in fd.unreadable]}
    if out_dir is None:
        text = "".join(f"# {line}\n" if line else "#\n" for line in summary)
        return text + "".join(f"---\n{g.draft.to_yaml()}" for g in fd.groups), data
    out_dir.mkdir(parents=True, exist_ok=True)
    for g in fd.groups:
        (out_dir / f"{g.name}.yaml").write_text(g.draft.to_yaml(), encoding="utf-8")
    return "\n".join(summary) + "\n", data


def _summary(fd: FolderDraft, out_dir: Path | None, config: Config) -> list[str]:
    from ..ingest.discover import pattern_key

    n_files = sum(len(g.files) for g in fd.groups) + len(fd.no_table)
    lines = [f"{n_files} return(s) in {len(fd.groups)} layout(s):"]
    for g in fd.groups:
        where = f" -> {out_dir / (g.name + '.yaml')}" if out_dir else ""
        lines.append(f"  mapping {g.name!r}{where}: {len(g.files)} file(s), "
                     f"{sum(f.data_rows for f in g.files)} data row(s), {len(g.draft.todos)} TODO(s)")
        for t in g.draft.todos:
            lines.append(f"    TODO {t}")
    lines.append("Each file and the mapping it will use:")
    why_no_table = dict(fd.no_table)
    for name, mapping in fd.file_mappings().items():
        nil = any(f.path.name == name and f.data_rows == 0 for g in fd.groups for f in g.files)
        lines.append(f"  {name}: {mapping or 'any mapping'}" + (" (nil return: headers, no rows)" if nil else "")
                     + (f" ({why_no_table[name]})" if name in why_no_table else ""))
    for name, why in fd.unreadable:
        lines.append(f"  {name}: not drafted: {why}")
    lines.append("Register each agency in configs/agencies.yaml with its mapping, for example:")
    for name, mapping in fd.file_mappings().items():
        pattern = "*" + " ".join(pattern_key(Path(name).stem).split()) + "*"
        lines.append(f"  - {{id: TODO, name: TODO, source_type: TODO, mapping: {mapping or 'TODO'}, "
                     f"files: [\"{pattern}\"]}}")
    if fd.groups:
        first = fd.groups[0]
        ref = first.name if out_dir is None else mapping_ref(out_dir / f"{first.name}.yaml", first.name, config)
        lines.append(f"Then check: cse-audit mapping check {_shell(str(first.files[0].path))} --mapping {ref}")
    return lines
