"""Truth files: which record is which person (`_truth/victims.csv`, `offenders.csv`, the
person-level files), the deliberate bad values, and `_truth/expected.json`.

Separate because the truth is what tests and linkage evaluation score against; names live only
here and in the returns, never in expected.json.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

from .agencies import _X
from .figures import check_targets
from .formats import _csv
from .model import Gen, Rec


def _err(file, sheet, row, column, value, expected) -> dict:
    return {"file_name": file, "sheet": sheet, "row_number": row, "column": column,
            "value": value, "expected": expected}


def _deliberate_errors(g: Gen) -> dict:
    """Bad values the analyst should see as issues; none changes the figures."""
    errors: dict = {}
    rng = random.Random(g.seed + 2)

    def pick(layout: str, kind: str, cond) -> Rec | None:
        pool = [r for a in g.agencies if a.mapping == layout for c in a.cases
                for r in (c.victims if kind == "victim" else c.offenders) if cond(r)]
        return rng.choice(pool) if pool else None

    r = pick("lscb-workbook", "victim", lambda r: r.dob is not None and len(r.person.records) == 1)
    if r:
        r.raw, r.dob = {"dob": f"31/02/{r.dob.year}"}, None
        errors["impossible_dob"] = r
    r = pick("police-ic-export", "victim", lambda r: r.eth == "Unknown")
    if r:
        r.raw = {"ethnicity": "IC8"}
        errors["unknown_ic_code"] = r
    r = pick("ngo-initials-csv", "victim", lambda r: r.eth == "Unknown")
    if r:
        r.raw = {"ethnicity": "Martian"}
        errors["unrecognised_ethnicity_text"] = r
    return errors


def _write_truth(out: Path, g: Gen) -> None:
    for name, people in (("victims", g.victims), ("offenders", g.offenders)):
        rows = sorted((r.file, r.sheet, r.row, p.pid) for p in people for r in p.records)
        _csv(out / "_truth" / f"{name}.csv", [["file_name", "sheet", "row_number", "person_id"]]
             + [list(x) for x in rows], "utf-8")
    # person-level truth (names live only here and in the returns, never in expected.json)
    head = ["person_id", "forename", "surname", "dob", "age_at_first_case", "sex", "ethnicity",
            "ethnicity_detail", "region", "n_records", "source_types"]
    for name, people in (("victim_persons", g.victims), ("offender_persons", g.offenders)):
        rows = [head + (["missing_status", "missing_from", "missing_episodes", "looked_after"]
                        if name.startswith("victim") else ["identified"])]
        for p in people:
            base = [p.pid, p.forename, p.surname, p.dob.isoformat(), p.age, p.sex, p.eth,
                    p.detail or "", p.region, len(p.records),
                    ";".join(sorted({r.agency.source_type for r in p.records}))]
            rows.append(base + ([p.missing, p.mfrom, "" if p.episodes is None else p.episodes,
                                 p.lac] if p.kind == "victim" else [p.ident]))
        _csv(out / "_truth" / f"{name}.csv", rows, "utf-8")


def _expected(g: Gen, fig: dict, errors: dict, seed, scale) -> dict:
    returns = []
    for a in g.agencies:
        if a.status == _X:
            continue
        v = sum(len(c.victims) for c in a.cases)
        o = sum(len(c.offenders) for c in a.cases)
        returns.append({"agency_id": a.id, "source_type": a.source_type, "file_name": a.file_name,
                        "mapping": a.mapping, "nil_return": not a.cases,
                        "case_records": len(a.cases), "victim_records": v, "offender_records": o,
                        "rows_skipped": a.skipped_rows})
    resp = Counter(x["source_type"] for x in returns)
    asked = Counter(a.source_type for a in g.agencies)
    per_source = {}
    for kind, people in (("victims", g.victims), ("offenders", g.offenders)):
        by = defaultdict(lambda: [0, 0])
        combos = Counter()
        for p in people:
            types = sorted({r.agency.source_type for r in p.records})
            combos["+".join(types)] += 1
            for t in types:
                by[t][0] += 1
                by[t][1] += sum(1 for r in p.records if r.agency.source_type == t)
        per_source[kind] = {
            "by_source_type": {t: {"persons": n, "records": m} for t, (n, m) in sorted(by.items())},
            "persons_by_source_combination": dict(sorted(combos.items())),
            "persons_with_records": dict(sorted(Counter(len(p.records) for p in people).items())),
        }
    err_list = []
    for key, e in errors.items():
        if isinstance(e, Rec):
            col = {"impossible_dob": "D.O.B.", "unknown_ic_code": "Officer Defined Ethnicity",
                   "unrecognised_ethnicity_text": "Ethnicity"}[key]
            val = next(iter(e.raw.values()))
            err_list.append({"kind": key, **_err(e.file, e.sheet, e.row, col, val,
                                                 "warning: row kept, field Unknown")})
        else:
            err_list.append({"kind": key, **e})
    return {
        "about": "Figures the synthetic sample must give after ingest, linkage and the merge "
                 "rules. Parts A/B of the CEOP 2011 figures are exact at scale 1; everything "
                 "else (ages, episodes, volumes, nil returns, overlap) is illustrative.",
        "seed": seed, "scale": scale,
        "merge_rules": {
            "missing_status": "any Reported missing > Not reported missing > Unknown",
            "looked_after": "Yes > No > Unknown", "identified": "Yes > No > Unknown",
            "other coded fields": "a known value beats Unknown; records never conflict",
        },
        "definitions": {
            "case_record": "a distinct non-empty case_ref within one return (over cases, "
                           "victims and offenders rows)",
            "row with impossible date or unknown code": "kept, that field Unknown, warning issue",
            "case row with no case reference": "rejected (error issue); not a case record",
        },
        "matches_ceop_targets": not check_targets(fig),
        "agencies": {
            "asked": dict(sorted(asked.items())),
            "responded": dict(sorted(resp.items())),
            "nil_returns": sorted(x["agency_id"] for x in returns if x["nil_return"]),
            "not_returned": sorted(a.id for a in g.agencies if a.status == _X),
        },
        **fig,
        "records_per_person": per_source,
        "deliberate_errors": err_list,
        "rows_skipped": {"total": sum(a.skipped_rows for a in g.agencies),
                         "why": "Witness rows in police-flat-export files (role skip list)"},
        "returns": returns,
    }
