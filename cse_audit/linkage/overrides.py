"""Reviewed decisions (overrides): read them, merge a reviewed sheet into the overrides file,
and carry them over to resubmitted returns.

A decision says two records are (``match``) or are not (``no-match``) one person; clustering
obeys them. Separate from settings because overrides are data a reviewer writes, read on
every run, not configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import LinkageConfigError
from .settings import KINDS, LinkageConfig, _check_keys, _config

MATCH, NO_MATCH = "match", "no-match"


@dataclass(frozen=True)
class Override:
    """A reviewed decision: these two records are (``match``) or are not (``no-match``) one person."""

    record_id_a: str
    record_id_b: str
    decision: str
    note: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return tuple(sorted((self.record_id_a, self.record_id_b)))  # type: ignore[return-value]


def _decision(value: Any) -> str | None:
    """match or no-match (any case; "no match" and "no_match" spell no-match); anything else, such as
    yes / no, is not a decision: a reviewer's intent is never guessed."""
    text = str(value or "").strip().lower().replace("_", "-").replace(" ", "-")
    if text == MATCH:
        return MATCH
    if text == NO_MATCH:
        return NO_MATCH
    return None


def load_overrides(path: str | os.PathLike, kind: str = "victims") -> list[Override]:
    """Read decisions from an overrides YAML, or a reviewed review sheet (xlsx/csv) with
    columns record_id_l, record_id_r (or record_id_a/_b) and decision (match / no-match; blank
    rows are skipped)."""
    path = Path(path)
    if path.suffix.lower() in {".yaml", ".yml"}:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _check_keys(data, set(KINDS), "", path)
        out = []
        for i, item in enumerate(data.get(kind) or []):
            where = f"{kind}[{i}]"
            item = _check_keys(item, {"a", "b", "decision", "note"}, where, path)
            dec = _decision(item.get("decision"))
            if not item.get("a") or not item.get("b") or dec is None:
                raise LinkageConfigError(f"{path}: '{where}' needs a, b and decision (match / no-match)")
            out.append(Override(str(item["a"]), str(item["b"]), dec, str(item.get("note") or "")))
        return out
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    cols = {c.strip().lower(): c for c in frame.columns}
    a = cols.get("record_id_l") or cols.get("record_id_a")
    b = cols.get("record_id_r") or cols.get("record_id_b")
    d = cols.get("decision")
    if not (a and b and d):
        raise LinkageConfigError(f"{path}: needs columns record_id_l, record_id_r and decision")
    out = []
    for i, row in frame.iterrows():
        if "kind" in cols and row[cols["kind"]] and row[cols["kind"]] != kind:
            continue
        raw = row[d]
        if not str(raw).strip():
            continue
        dec = _decision(raw)
        if dec is None:
            raise LinkageConfigError(f"{path}: row {i + 2}: decision {raw!r} is not match / no-match")
        out.append(Override(unneutralise(str(row[a])), unneutralise(str(row[b])), dec,
                            str(row.get(cols.get("note", ""), "") or "")))
    return out


def unneutralise(record_id: str) -> str:
    """A record id as exported: exports put a quote before text starting with =, +, -, @ (formula
    neutralisation, tables.safe_cell); the decision must still name the record exactly."""
    if record_id.startswith("'") and record_id[1:].lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")):
        return record_id[1:]
    return record_id


def apply_overrides(reviewed: str | os.PathLike, kind: str = "victims",
                    overrides_path: str | os.PathLike | None = None, config=None) -> dict[str, int]:
    """Merge the decisions of a reviewed file into the overrides file (default: the config's
    ``overrides_file``) so every later run obeys them. A later decision on the same pair
    replaces an earlier one. Returns counts: added, changed, unchanged, total."""
    cfg = _config(config)
    target = Path(overrides_path) if overrides_path else cfg.overrides_file
    if target is None:
        raise LinkageConfigError(f"{cfg.source}: no 'overrides_file' configured and none given")
    data: dict[str, list] = {}
    if target.exists():
        data = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
        _check_keys(data, set(KINDS), "", target)
    current = {o.pair: o for o in (load_overrides(target, kind) if target.exists() else [])}
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for o in load_overrides(reviewed, kind):
        old = current.get(o.pair)
        counts["unchanged" if old and old.decision == o.decision else "changed" if old else "added"] += 1
        current[o.pair] = Override(*o.pair, o.decision, o.note)
    data[kind] = [{"a": o.record_id_a, "b": o.record_id_b, "decision": o.decision,
                   **({"note": o.note} if o.note else {})} for _, o in sorted(current.items())]
    header = ("# Reviewed record-pair decisions for linkage: match = same person, no-match = not.\n"
              "# Written by `cse-audit link apply`; applied on every run.\n")
    target.write_text(header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True), encoding="utf-8")
    counts["total"] = len(current)
    return counts


def _resolve_overrides(overrides, cfg: LinkageConfig, kind: str, con=None) -> list[Override]:
    """None: the store's own decisions (``con``), after those of an overrides file the linkage
    settings name (so a store's own decision on a pair wins)."""
    if overrides is None:
        from .decisions import stored_decisions

        f = cfg.overrides_file
        if f is not None and not f.exists():
            # Named but not there (moved, or outside a configuration recorded in a store): say so
            # rather than link as if no decision had been taken.
            raise LinkageConfigError(f"{cfg.source}: overrides_file {f} does not exist (create it, keep it "
                                     "inside the configuration folder, or set overrides_file: null)")
        shared = load_overrides(f, kind) if f is not None else []
        own = stored_decisions(con, kind)
        mine = {o.pair for o in own}
        return [o for o in shared if o.pair not in mine] + own
    if overrides is False:
        return []
    if isinstance(overrides, (str, os.PathLike)):
        return load_overrides(overrides, kind)
    out = []
    for o in overrides:
        if isinstance(o, Override):
            out.append(o)
        else:
            a, b, dec = o
            d = _decision(dec)
            if d is None:
                raise LinkageConfigError(f"override {o!r}: decision must be match / no-match")
            out.append(Override(str(a), str(b), d))
    return out


# What identifies the child in a row, not where the row sits: a record of a resubmitted return is
# "the same record" as one of the return it replaced when all of these are equal.
_CARRY_FIELDS = ("record_ref", "case_ref", "forename", "surname", "initials", "dob", "age", "case_date", "sex")


def _carry_over(con, kind: str, overrides: list[Override], known: set[str]) -> tuple[list[Override], int]:
    """Move decisions that name a record of a since-superseded return to the same record in the
    agency's current return, so a resubmission does not undo what a reviewer decided.

    The new record must be the only current record of that agency, in another return, whose
    identifying fields (_CARRY_FIELDS) all equal the old one's. A record the resubmission changed
    (say, a corrected name) or holds twice is not moved: its decision stays unapplied and counts in
    `unknown_records`. Returns the overrides and the number of records moved."""
    stale = sorted({rid for o in overrides for rid in (o.record_id_a, o.record_id_b) if rid not in known})
    if not stale:
        return overrides, 0
    cols = {r[0] for r in con.execute(f"DESCRIBE {kind}").fetchall()}
    same = " AND ".join(f"o.{f} IS NOT DISTINCT FROM c.{f}" for f in _CARRY_FIELDS if f in cols)
    con.register("_lk_stale", pd.DataFrame({"record_id": pd.Series(stale, dtype=object)}))
    try:
        rows = con.execute(
            f"SELECT o.record_id, list(c.record_id) FROM {kind} o"
            f" JOIN current_{kind} c ON c.agency_id = o.agency_id AND c.return_id <> o.return_id AND {same}"
            f" WHERE o.record_id IN (SELECT record_id FROM _lk_stale) GROUP BY o.record_id").fetchall()
    finally:
        con.unregister("_lk_stale")
    moved = {old: new[0] for old, new in rows if len(new) == 1}
    out = [replace(o, record_id_a=moved.get(o.record_id_a, o.record_id_a),
                   record_id_b=moved.get(o.record_id_b, o.record_id_b)) for o in overrides]
    return out, len(moved)
