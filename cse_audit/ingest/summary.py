"""Text for the load summary and the issue list of `ingest` and `validate`.

Issue values are shown only for fields that are not personal: the mapping never stores a
name or a date of birth in an issue. Even then, a value in a coded column (Gender, Role...) may
be a name typed in the wrong column: without --show-values only values that look like codes are
shown (config.text.shown_value); the others are counted, and the issue says column, row and kind.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter

from ..config.text import shown_value
from ..tables import render_rows

__all__ = ["ISSUE_COLUMNS", "decisions", "issue_rows", "linkage_json", "render_issues", "render_load_summary",
           "render_rows"]

SUMMARY_COLUMNS = ["agency", "file", "status", "rows_landed", "records_accepted", "rows_rejected",
                   "rows_skipped", "warnings", "nil_return"]


def render_load_summary(report, fmt: str, width: int | None = None, show_values: bool = False) -> str:
    rows = [f.as_dict() for f in report.files]
    if fmt == "json":
        return json.dumps({"files": rows, "totals": _totals(rows), "issues": _issue_counts(report, show_values),
                           "linkage": {k: linkage_json(_plain(v)) for k, v in report.linkage.items()},
                           "warnings": list(getattr(report, "warnings", []))}, indent=2, default=str)
    totals = _totals(rows)
    table = render_rows(rows + [totals], fmt, columns=SUMMARY_COLUMNS, width=width)
    if fmt == "csv":
        return table
    lines = [f"Returns: {len(rows)} file(s): {_status_counts(rows)}", "", table, ""]
    reconciled = totals["rows_landed"] == totals["records_accepted"] + totals["rows_rejected"] + totals["rows_skipped"]
    lines.append(f"Rows landed {totals['rows_landed']} = accepted {totals['records_accepted']} + rejected "
                 f"{totals['rows_rejected']} + skipped {totals['rows_skipped']}"
                 + ("" if reconciled else "  ** DOES NOT RECONCILE **"))
    if totals["several_rows"]:
        lines.append(f"Several people in one cell (`several: people`): {totals['several_records']} records from "
                     f"the cells of {totals['several_rows']} accepted rows (a record each; each row counted once "
                     "above)")
    for f in report.files:
        if f.status == "loaded" and f.superseded:
            lines.append(f"{f.file_name}: {f.message} (undo: cse-audit returns restore ID)")
    lines += [f"Warning: {w}" for w in getattr(report, "warnings", [])]
    counts = _issue_counts(report, show_values)
    if counts["by_code"]:
        lines += ["", "Issues by kind: " + ", ".join(f"{c} {n}" for c, n in counts["by_code"].items())]
    if counts["unrecognised_values"]:
        lines.append("Unrecognised codes (add them to a code list if they mean something): "
                     + ", ".join(f"{v!r} x{n}" for v, n in counts["unrecognised_values"].items()))
    hidden_marks = counts["stray_punctuation_not_shown"]
    if counts["stray_punctuation_values"] or hidden_marks:
        # the marks and the count kept without one add up to the stray_punctuation warnings
        shown = [f"{v!r} x{n}" for v, n in counts["stray_punctuation_values"].items()]
        shown += [f"{hidden_marks} in personal columns (no mark kept)"] if hidden_marks else []
        lines.append("Punctuation alone, read as Unknown (a placeholder for not known? add it to the column's "
                     "`unknown:`): " + ", ".join(shown))
    if counts.get("unrecognised_values_not_shown"):
        lines.append(f"Unrecognised values not shown: {counts['unrecognised_values_not_shown']} (not code-like, "
                     "so possibly personal; --show-values lists them)")
    for kind, result in report.linkage.items():
        lines.append(_linkage_line(kind, _plain(result)))
    if width is not None:
        lines = [textwrap.fill(line, width=width, subsequent_indent="  ") if len(line) > width and "  " not in line
                 else line for line in lines]
    return "\n".join(lines) + "\n"


# Pairs the linkage kept apart by itself, nobody having looked at them: the model's own split
# (`kept_apart`: a pair scored below cannot_link_below) and the guard that holds two rows of one
# return apart unless the evidence is strong (`held_apart_within_return`). Everything else in a link
# result's `overrides` is about reviewers' decisions (forced matches and no-matches, decisions carried
# over to a resubmission, decisions naming records no longer there, contradictions).
AUTOMATIC = ("kept_apart", "held_apart_within_return")
_AUTOMATIC_WORDS = {"kept_apart": "scored as different people", "held_apart_within_return": "two rows of one return"}


def decisions(overrides: dict | None) -> tuple[dict, dict]:
    """A link result's `overrides` counts split into (reviewers' decisions, automatic separations):
    the two are different things, and a summary that lists them together calls the linkage's own
    guard "reviewed" (issue 16: 525 "reviewed decisions" on a store nobody had reviewed)."""
    stats = dict(overrides or {})
    automatic = {k: stats.pop(k) for k in AUTOMATIC if k in stats}
    return stats, automatic


def linkage_json(r: dict) -> dict:
    """A link result for JSON: `overrides` given as `reviewer_decisions` and `automatic_separations`
    (decisions()), so that a reader of the JSON cannot take one for the other."""
    out = {k: v for k, v in r.items() if k != "overrides"}
    out["reviewer_decisions"], out["automatic_separations"] = decisions(r.get("overrides"))
    return out


def _linkage_line(kind: str, r: dict) -> str:
    """One linkage result in words (the JSON output has every field)."""
    text = (f"Linkage ({kind}): {r.get('records', 0)} records -> {r.get('persons', 0)} people; "
            f"{r.get('candidate_pairs', 0)} candidate pairs, {r.get('pairs_above_threshold', 0)} above the "
            f"threshold; {r.get('conflicts', 0)} merged-field conflicts; {r.get('seconds', 0)} s")
    reviewer, automatic = decisions(r.get("overrides"))
    shown = [f"{_AUTOMATIC_WORDS[k]} {n}" for k, n in automatic.items() if n]
    if shown:
        text += f"; automatic splits {sum(automatic.values())} ({', '.join(shown)}; no reviewer's)"
    decided = {k.replace("_", " "): n for k, n in reviewer.items() if n}
    if decided:
        text += "; reviewer decisions: " + ", ".join(f"{k} {n}" for k, n in decided.items())
    return text


ISSUE_COLUMNS = ["file", "sheet", "row", "column", "severity", "kind", "message"]


def issue_rows(report, show_values: bool = False) -> list[dict]:
    """Every issue of a load as flat rows (the data `validate` prints): a file that could not be
    loaded is one row with kind `file_failed`; errors first, then by file, sheet and row. With
    ``show_values`` each row also has the cell's `value` (otherwise never: it may be personal)."""
    rows = [{"file": f.file_name, "sheet": f.sheet, "row": None, "column": None, "severity": "error",
             "kind": "file_failed", "message": f.message} for f in report.failed]
    for f in report.files:
        for i in f.issues:
            row = {"file": f.file_name, "sheet": i.sheet, "row": i.row_number, "column": i.column_name,
                   "severity": i.severity, "kind": i.code, "message": i.message}
            if show_values:
                row["value"] = shown_value(i.value, True)
            rows.append(row)
    rows.sort(key=lambda r: (r["severity"] != "error", r["file"], r["sheet"] or "", r["row"] or 0))
    return rows


def render_issues(report, limit: int | None = 50, fmt: str = "table", width: int | None = None,
                  rest: str = "use --show N", show_values: bool = False) -> str:
    """The issue rows in a format; with a limit, the first `limit` and a line saying where the rest are."""
    rows = issue_rows(report, show_values)
    columns = ISSUE_COLUMNS + (["value"] if show_values else [])
    if fmt != "table":
        return render_rows(rows, fmt, columns=columns)
    if not rows:
        return "No issues."
    if width is None:
        shown = render_rows(rows[:limit], "table", columns=columns)
    else:  # one issue a line, as compilers and linters print them, wrapped to the width
        shown = "\n".join(textwrap.fill(_issue_line(r), width=width, subsequent_indent="    ")
                          for r in rows[:limit])
    more = f"\n... and {len(rows) - limit} more ({rest})" if limit is not None and len(rows) > limit else ""
    return f"Issues ({len(rows)}):\n\n{shown}{more}\n"


def _issue_line(r: dict) -> str:
    where = ", ".join(part for part in (r["sheet"] and f"sheet {r['sheet']}", r["row"] and f"row {r['row']}",
                                        r["column"] and f"column {r['column']}") if part)
    return f"{r['file']}: {where + ': ' if where else ''}{r['severity']} {r['kind']}: {r['message']}"


def _totals(rows: list[dict]) -> dict:
    total = {"agency": "TOTAL", "file": f"{len(rows)} files", "status": ""}
    for key in ("rows_landed", "records_accepted", "rows_rejected", "rows_skipped", "warnings", "several_rows",
                "several_records"):
        total[key] = sum(r.get(key, 0) for r in rows)
    total["nil_return"] = sum(1 for r in rows if r["nil_return"])
    return total


def _status_counts(rows: list[dict]) -> str:
    return ", ".join(f"{n} {s}" for s, n in Counter(r["status"] for r in rows).items())


def _issue_counts(report, show_values: bool = False) -> dict:
    by_code: Counter = Counter()
    values: Counter = Counter()
    stray: Counter = Counter()     # punctuation alone in a coded column (personal fields keep no value)
    hidden = stray_hidden = 0
    for f in report.files:
        for i in f.issues:
            by_code[i.code] += 1
            if i.code == "stray_punctuation":
                if i.value and shown_value(i.value, show_values) is not None:
                    stray[i.value] += 1
                else:
                    stray_hidden += 1
            if i.code == "unrecognised_code" and i.value:
                if shown_value(i.value, show_values) is None:
                    hidden += 1
                else:
                    values[i.value] += 1
    return {"by_code": dict(by_code.most_common()), "unrecognised_values": dict(values.most_common(20)),
            "unrecognised_values_not_shown": hidden, "stray_punctuation_values": dict(stray.most_common(20)),
            "stray_punctuation_not_shown": stray_hidden}


def _plain(value):
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return value
