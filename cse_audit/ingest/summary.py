"""Text for the load summary and the issue list of `ingest` and `validate`.

Issue values are shown only for fields that are not personal: the mapping never stores a
name or a date of birth in an issue, so nothing here can print one.
"""

from __future__ import annotations

import json
from collections import Counter

from ..tables import render_rows

__all__ = ["render_issues", "render_load_summary", "render_rows"]

SUMMARY_COLUMNS = ["agency", "file", "status", "rows_landed", "records_accepted", "rows_rejected",
                   "rows_skipped", "warnings", "nil_return"]


def render_load_summary(report, fmt: str) -> str:
    rows = [f.as_dict() for f in report.files]
    if fmt == "json":
        return json.dumps({"files": rows, "totals": _totals(rows), "issues": _issue_counts(report),
                           "linkage": {k: _plain(v) for k, v in report.linkage.items()},
                           "warnings": list(getattr(report, "warnings", []))}, indent=2, default=str)
    totals = _totals(rows)
    table = render_rows(rows + [totals], fmt, columns=SUMMARY_COLUMNS)
    if fmt == "csv":
        return table
    lines = [f"Returns: {len(rows)} file(s): {_status_counts(rows)}", "", table, ""]
    reconciled = totals["rows_landed"] == totals["records_accepted"] + totals["rows_rejected"] + totals["rows_skipped"]
    lines.append(f"Rows landed {totals['rows_landed']} = accepted {totals['records_accepted']} + rejected "
                 f"{totals['rows_rejected']} + skipped {totals['rows_skipped']}"
                 + ("" if reconciled else "  ** DOES NOT RECONCILE **"))
    lines += [f"Warning: {w}" for w in getattr(report, "warnings", [])]
    counts = _issue_counts(report)
    if counts["by_code"]:
        lines += ["", "Issues by kind: " + ", ".join(f"{c} {n}" for c, n in counts["by_code"].items())]
    if counts["unrecognised_values"]:
        lines.append("Unrecognised codes (add them to a code list if they mean something): "
                     + ", ".join(f"{v!r} x{n}" for v, n in counts["unrecognised_values"].items()))
    for kind, result in report.linkage.items():
        lines.append(_linkage_line(kind, _plain(result)))
    return "\n".join(lines) + "\n"


def _linkage_line(kind: str, r: dict) -> str:
    """One linkage result in words (the JSON output has every field)."""
    text = (f"Linkage ({kind}): {r.get('records', 0)} records -> {r.get('persons', 0)} people; "
            f"{r.get('candidate_pairs', 0)} candidate pairs, {r.get('pairs_above_threshold', 0)} above the "
            f"threshold; {r.get('conflicts', 0)} merged-field conflicts; {r.get('seconds', 0)} s")
    stats = dict(r.get("overrides") or {})
    # Pairs the model kept apart (cannot_link_below) were split automatically: nobody reviewed them.
    automatic = stats.pop("kept_apart", 0)
    if automatic:
        text += f"; automatic splits {automatic}"
    decided = {k.replace("_", " "): n for k, n in stats.items() if n}
    if decided:
        text += "; reviewed decisions: " + ", ".join(f"{k} {n}" for k, n in decided.items())
    return text


def render_issues(report, limit: int = 50) -> str:
    rows = []
    for f in report.files:
        for i in f.issues:
            rows.append({"file": f.file_name, "sheet": i.sheet, "row": i.row_number, "column": i.column_name,
                         "severity": i.severity, "code": i.code, "value": i.value, "message": i.message})
    if not rows:
        return "No issues."
    rows.sort(key=lambda r: (r["severity"] != "error", r["file"], r["sheet"] or "", r["row"] or 0))
    shown = render_rows(rows[:limit], "table")
    more = f"\n... and {len(rows) - limit} more (use --show N)" if len(rows) > limit else ""
    return f"Issues ({len(rows)}):\n\n{shown}{more}\n"


def _totals(rows: list[dict]) -> dict:
    total = {"agency": "TOTAL", "file": f"{len(rows)} files", "status": ""}
    for key in ("rows_landed", "records_accepted", "rows_rejected", "rows_skipped", "warnings"):
        total[key] = sum(r[key] for r in rows)
    total["nil_return"] = sum(1 for r in rows if r["nil_return"])
    return total


def _status_counts(rows: list[dict]) -> str:
    return ", ".join(f"{n} {s}" for s, n in Counter(r["status"] for r in rows).items())


def _issue_counts(report) -> dict:
    by_code: Counter = Counter()
    values: Counter = Counter()
    for f in report.files:
        for i in f.issues:
            by_code[i.code] += 1
            if i.code == "unrecognised_code" and i.value:
                values[i.value] += 1
    return {"by_code": dict(by_code.most_common()), "unrecognised_values": dict(values.most_common(20))}


def _plain(value):
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return value
