"""Completeness per submitting agency, and who still owes a return.

One row per registry agency: what arrived, how many records, the share of victim and offender
records with each key field known, rejected rows and unrecognised codes, and an overall score
with a red / amber / green flag. Field groups and thresholds are data in
`configs/completeness.yaml`. Also each agency's own issues (`agency_feedback`), which
`cse_audit.outputs.write_feedback` lays out as the workbook sent back to the agency.
Separate from the headline tables: it counts records per agency (data quality), not people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import ConfigError, load_yaml
from ..store import sql_identifier

STATUS_NOT_RECEIVED = "not received"
STATUS_NIL = "nil return"
STATUS_RECEIVED = "received"
STATUS_REPLACED = "received (replaced earlier return)"
# Headers and no rows, and nothing saying it is a nil return (session 17: was "nil return")
STATUS_EMPTY = "empty template: ask the agency"


@dataclass(frozen=True)
class CompletenessConfig:
    victims: dict[str, tuple[str, ...]]
    offenders: dict[str, tuple[str, ...]]
    green: float = 0.75
    amber: float = 0.5


def load_completeness_config(root: Path) -> CompletenessConfig:
    path = Path(root) / "completeness.yaml"
    d = load_yaml(path) if path.exists() else {}
    allowed = {"victims", "offenders", "thresholds"}
    for key in d:
        if key not in allowed:
            raise ConfigError(path, key, d.lines.get(key), f"unknown key; allowed: {', '.join(sorted(allowed))}")
    groups = {kind: _groups(d, kind, path) for kind in ("victims", "offenders")}
    th = d.get("thresholds") or {}
    if not isinstance(th, dict):
        raise ConfigError(path, "thresholds", d.lines.get("thresholds"), "must map green and amber to numbers")
    limits = {}
    for key, default in (("green", 0.75), ("amber", 0.5)):
        value = th.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(path, f"thresholds.{key}", _line(th, key), "must be a number from 0 to 1")
        limits[key] = float(value)
    return CompletenessConfig(groups["victims"], groups["offenders"], limits["green"], limits["amber"])


# A group's name labels a column of the report; its columns must be fields of the records.
_GROUP_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}")


def _line(d, key):
    return getattr(d, "lines", {}).get(key)


def _groups(d, kind: str, path: Path) -> dict[str, tuple[str, ...]]:
    from ..store import OFFENDER_FIELDS, VICTIM_FIELDS

    raw = d.get(kind) or {}
    if not isinstance(raw, dict):
        raise ConfigError(path, kind, _line(d, kind), "must map group names to lists of fields")
    fields = VICTIM_FIELDS if kind == "victims" else OFFENDER_FIELDS
    out = {}
    for name, cols in raw.items():
        key = f"{kind}.{name}"
        if not isinstance(name, str) or not _GROUP_NAME.fullmatch(name):
            raise ConfigError(path, key, _line(raw, name),
                              "a group name is letters, digits, spaces, '_', '.' or '-' (at most 64)")
        if not isinstance(cols, list) or not cols or any(c not in fields for c in cols):
            raise ConfigError(path, key, _line(raw, name), f"must list fields of {kind}: {', '.join(fields)}")
        out[name] = tuple(cols)
    return out


def _known(col: str) -> str:
    col = sql_identifier(col)
    return f"({col} IS NOT NULL AND CAST({col} AS VARCHAR) <> 'Unknown')"


def _in_period(period) -> tuple[str, list]:
    """SQL condition (and parameters) for records whose case date lies in the period."""
    if not period:
        return "TRUE", []
    start, end = period
    return "case_date IS NOT NULL AND case_date >= coalesce(?, case_date) AND case_date <= coalesce(?, case_date)", \
        [start, end]


def _shares(con, table: str, groups: dict[str, tuple[str, ...]], period=None) -> dict[str, dict]:
    """Per agency: record count and share known per field group, in one query."""
    # Columns are checked field names (quoted anyway); group names never reach SQL (g0, g1, ...).
    exprs = ", ".join(f"avg(CASE WHEN {' OR '.join(_known(c) for c in cols)} THEN 1.0 ELSE 0.0 END) AS g{i}"
                      for i, cols in enumerate(groups.values()))
    where, params = _in_period(period)
    rows = con.execute(f"SELECT agency_id, count(*) AS n{', ' + exprs if exprs else ''} "
                       f"FROM {table} WHERE {where} GROUP BY agency_id", params).fetchall()
    names = list(groups)
    return {r[0]: {"records": r[1], **{n: r[2 + i] for i, n in enumerate(names)}} for r in rows}


def build_completeness(con, agencies: list, cconfig: CompletenessConfig, period=None) -> dict:
    """The completeness report as data: {"agencies": [...], "by_source_type": [...], "outstanding": [...],
    "period": ..., "undated_records": {...}}.

    With a period (start, end: dates, either may be None) only records of cases dated in it count;
    records with no case date are left out and counted in `undated_records`, never dropped silently.
    Statuses (received, nil, not received) are about returns and do not depend on the period."""
    returns = {}
    for aid, fname, loaded, nil, rejected, empty in con.execute(
            "SELECT agency_id, file_name, loaded_at, nil_return, rows_rejected, rows_landed = 0 AND NOT nil_return "
            "FROM current_returns ORDER BY return_id").fetchall():
        r = returns.setdefault(aid, {"files": [], "loaded_at": None, "nil": True, "rejected": 0, "empty": True})
        r["files"].append(fname)
        r["loaded_at"] = max(filter(None, [r["loaded_at"], loaded]))
        # an empty template says nothing: the agency is nil when its other returns all are
        r["nil"] = r["nil"] and (nil or empty)
        r["empty"] = r["empty"] and empty
        r["rejected"] += rejected
    replaced = {r[0] for r in con.execute("SELECT DISTINCT agency_id FROM returns WHERE status = 'superseded'").fetchall()}
    where, params = _in_period(period)
    counts = dict(con.execute(f"SELECT agency_id, count(*) FROM current_cases WHERE {where} GROUP BY agency_id",
                              params).fetchall())
    victims = _shares(con, "current_victims", cconfig.victims, period)
    offenders = _shares(con, "current_offenders", cconfig.offenders, period)
    undated = {table: con.execute(f"SELECT count(*) FROM current_{table} WHERE case_date IS NULL").fetchone()[0]
               for table in ("cases", "victims", "offenders")} if period else None
    unrecognised = dict(con.execute(
        "SELECT r.agency_id, count(*) FROM issues i JOIN current_returns r USING (return_id) "
        "WHERE i.code = 'unrecognised_code' GROUP BY r.agency_id").fetchall())
    rows = []
    for a in agencies:
        ret = returns.get(a.id)
        status = STATUS_NOT_RECEIVED if ret is None else STATUS_EMPTY if ret["empty"] else \
            STATUS_NIL if ret["nil"] else STATUS_REPLACED if a.id in replaced else STATUS_RECEIVED
        v, o = victims.get(a.id, {"records": 0}), offenders.get(a.id, {"records": 0})
        row = {"agency": a.id, "name": a.name, "source_type": a.source_type, "expected": a.expected,
               "status": status, "loaded_at": str(ret["loaded_at"]) if ret else None,
               "files": ", ".join(ret["files"]) if ret else "", "cases": counts.get(a.id, 0),
               "victim_records": v["records"], "offender_records": o["records"]}
        for name in cconfig.victims:
            row[f"victims_{name}"] = _round(v.get(name))
        for name in cconfig.offenders:
            row[f"offenders_{name}"] = _round(o.get(name))
        row["rows_rejected"] = ret["rejected"] if ret else 0
        row["unrecognised_codes"] = unrecognised.get(a.id, 0)
        row["score"] = _score(v, o, cconfig)
        row["flag"] = _flag(row["score"], cconfig)
        rows.append(row)
    return {"agencies": rows, "by_source_type": _by_source_type(rows),
            "outstanding": [{"agency": r["agency"], "name": r["name"], "source_type": r["source_type"],
                             "status": r["status"]}
                            for r in rows if r["status"] in (STATUS_NOT_RECEIVED, STATUS_EMPTY) and r["expected"]],
            "period": "all" if not period else {"from": _iso(period[0]), "to": _iso(period[1])},
            "undated_records": undated}


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _round(x):
    return None if x is None else round(float(x), 3)


def _score(v: dict, o: dict, cconfig: CompletenessConfig) -> float | None:
    """Mean share known over every field group, weighted by each kind's record count."""
    total, weight = 0.0, 0
    for shares, groups in ((v, cconfig.victims), (o, cconfig.offenders)):
        n = shares.get("records", 0)
        if n and groups:
            total += n * sum(shares[g] for g in groups) / len(groups)
            weight += n
    return round(total / weight, 3) if weight else None


def _flag(score: float | None, cconfig: CompletenessConfig) -> str:
    if score is None:
        return ""
    return "green" if score >= cconfig.green else "amber" if score >= cconfig.amber else "red"


SOURCE_LABELS = {"police": "Police forces", "lscb": "LSCBs and children's services", "ngo": "Voluntary sector"}


def _by_source_type(rows: list[dict]) -> list[dict]:
    out = []
    for st, label in SOURCE_LABELS.items():
        group = [r for r in rows if r["source_type"] == st]
        scored = [r["score"] for r in group if r["score"] is not None]
        out.append({
            "source_type": label, "asked": sum(1 for r in group if r["expected"]),
            "received": sum(1 for r in group if r["status"] not in (STATUS_NOT_RECEIVED, STATUS_EMPTY)),
            "nil_returns": sum(1 for r in group if r["status"] == STATUS_NIL),
            "empty_templates": sum(1 for r in group if r["status"] == STATUS_EMPTY),
            "not_received": sum(1 for r in group if r["status"] == STATUS_NOT_RECEIVED and r["expected"]),
            "victim_records": sum(r["victim_records"] for r in group),
            "offender_records": sum(r["offender_records"] for r in group),
            "mean_score": round(sum(scored) / len(scored), 3) if scored else None,
            "red": sum(1 for r in group if r["flag"] == "red"),
            "amber": sum(1 for r in group if r["flag"] == "amber"),
            "green": sum(1 for r in group if r["flag"] == "green"),
        })
    return out


def agency_feedback(con, agency_id: str) -> dict:
    """One agency's own problems (by sheet, row and column) for its feedback workbook.

    Only issues of this agency's current returns are read, so nothing about any other agency
    can reach the sheet. Values of personal fields were never stored in issues.
    """
    rows = con.execute(
        "SELECT i.file_name, i.sheet, i.row_number, i.column_name, i.severity, i.code, i.value, i.message "
        "FROM issues i JOIN current_returns r USING (return_id) WHERE r.agency_id = ? "
        "ORDER BY i.file_name, i.sheet NULLS FIRST, i.row_number NULLS FIRST", [agency_id]).fetchall()
    cols = ["file", "sheet", "row", "column", "severity", "code", "value", "problem"]
    return {"issues": [dict(zip(cols, r, strict=True)) for r in rows]}
