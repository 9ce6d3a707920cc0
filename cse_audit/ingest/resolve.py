"""Which column each field of a mapping block reads in one sheet (and each column group's), with
the issues of columns not found: the block's fields resolved against the sheet's headers once,
before any row is mapped (mapping.map_sheet)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..config import Agency, Config, SheetSpec
from .derived import title_part
from .records import Issue
from .sheets import SheetError as _SheetError
from .sheets import _Columns
from .translate import _Translator


@dataclass
class _Field:
    name: str
    parts: list[tuple[int | tuple | None, str | None, _Translator | None, str | None]]  # pos, header, translator, constant



class MissingColumn(Exception):
    """A mapped column that must be found is not there: the return fails, so no table changes."""



def _resolve_fields(spec: SheetSpec, cols: _Columns, config: Config, agency: Agency, sheet_name: str,
                    header_row: int, issues: list[Issue], group: str | None = None,
                    title_rows: list | None = None) -> list[_Field]:
    """Each field's columns in this sheet; with `group`, the field's headers of that column group
    (shared fields keep their own header). A key field none of whose columns is found fails the
    return (MissingColumn), as does any missing column under --strict, unless marked optional.
    Derived fields (`derive: {all_of: ...}`) come after the others (derived.derive_fields); a
    `title` constant is read from the rows above the header."""
    out = []
    for fname, cspec in spec.columns.items():
        if cspec.expr is not None:
            continue          # derived after the other fields (derived.derive_fields)
        shared = group is None or (fname in spec.groups.shared and "{n}" not in "".join(cspec.all_headers()))

        def named(headers: tuple[str, ...], shared=shared) -> tuple[str, ...]:
            return headers if shared else tuple(spec.groups.header(h, group) for h in headers)

        parts, missing = [], []
        for sub in (cspec.first_of or (cspec,)):
            if sub.value is not None:
                parts.append((None, None, None, sub.value))
                continue
            if sub.title is not None:
                parts.extend(title_part(fname, sub, config, agency, sheet_name, title_rows or [], issues))
                continue
            if sub.registry is not None:
                parts.append((None, None, None, getattr(agency, sub.registry)))
                continue
            if sub.letter is not None:
                parts.append((*cols.at(sub.letter), _Translator(fname, sub, config, agency), None))
                continue
            wanted = [named(p) for p in sub.parts] if sub.parts else [named(sub.headers)]
            found = [cols.find(headers) for headers in wanted]
            absent = next((headers for headers, hit in zip(wanted, found, strict=True) if hit is None), None)
            if absent is not None:
                close = cols.suggest(absent)
                hint = (f"; close matches: {', '.join(map(repr, close))}" if close else "") + cols.under_header(absent)
                message = (f"{spec.block}: expected column {' / '.join(map(repr, absent))} for field {fname!r} "
                           f"was not found{hint}")
                if sub.required or cspec.required:
                    raise _SheetError(message + f"; the sheet has: {', '.join(h for h in cols.headers if h)}")
                if sub.optional or cspec.optional:
                    issues.append(Issue(sheet_name, header_row, absent[0], None, "missing_column", "warning",
                                        message + " (optional); the field is Unknown for every row", spec.block))
                    continue
                if config.settings.strict_columns:
                    raise MissingColumn(f"sheet {sheet_name!r}: {message} (--strict)")
                missing.append((absent[0], message))
                continue
            if sub.parts:
                # A date split over day / month / year columns, read as one day-first date.
                pos = tuple(p for p, _ in found)
                header = " + ".join(h for _, h in found)
                parts.append((pos, header, _Translator(fname, replace(sub, dates="dayfirst"), config, agency), None))
                continue
            pos, header = found[0]
            parts.append((pos, header, _Translator(fname, sub, config, agency), None))
        if missing and not parts and fname in config.settings.key_fields:
            # A key field with none of its columns: every record would lose it (a typo in the mapping).
            raise MissingColumn(f"sheet {sheet_name!r}: {missing[0][1]} ({fname} is a key field: "
                                "the return is not loaded)")
        for header, message in missing:
            issues.append(Issue(sheet_name, header_row, header, None, "missing_column", "warning",
                                message + "; the field is Unknown for every row", spec.block))
        out.append(_Field(fname, parts))
    return out



def _resolve_groups(spec: SheetSpec, cols: _Columns, config: Config, agency: Agency, sheet_name: str,
                    header_row: int, issues: list[Issue], titles: list | None = None
                    ) -> list[tuple[str | None, list[_Field]]]:
    """(group, fields) for each column group of the block found in the sheet; [(None, fields)]
    for a block without groups. A group with none of its own columns is absent (one warning)."""
    if spec.groups is None:
        return [(None, _resolve_fields(spec, cols, config, agency, sheet_name, header_row, issues, None, titles))]
    out = []
    for n in spec.groups.n:
        found: list[Issue] = []
        fields = _resolve_fields(spec, cols, config, agency, sheet_name, header_row, found, n, titles)
        own = [f for f in fields if f.name not in spec.groups.shared and any(p[0] is not None for p in f.parts)]
        label = spec.groups.header("", n).strip()
        if not own:
            issues.append(Issue(sheet_name, header_row, None, None, "missing_group", "warning",
                                f"{spec.block}: no columns of group {label!r} in this sheet", spec.block))
            continue
        issues.extend(found)
        out.append((n, fields))
    if not out:
        raise _SheetError(f"{spec.block}: none of the column groups {', '.join(spec.groups.n)} "
                          f"({spec.groups.pattern!r}) is in the sheet")
    return out
