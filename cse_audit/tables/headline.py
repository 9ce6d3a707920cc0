"""The headline tables other than offender groups: sources, and victims' and offenders' breakdowns.

One function per table (or per family of tables), each turning the grouped counts of a
`_Context` into a table dict. Offender groups, which need a graph, are in groups.py.
"""

from __future__ import annotations

from collections import defaultdict

from ..config.text import normalise
from .counting import _band, _category, _n, _rows
from .definitions import (
    ETHNICITY,
    MISSING,
    MISSING_FROM,
    OVERLAP,
    SOURCE_COLUMNS,
    SOURCE_TYPES,
    UNKNOWN,
    _entry,
)
from .period import period_json
from .relations import _Context, _Kind, _sub, _table


def _sources(ctx: _Context) -> dict:
    registry = ctx.registry
    responded: dict[str, set] = defaultdict(set)
    nil_only: dict[str, bool] = {}
    empty: set[str] = set()
    for agency, stype, nil, blank in ctx.returns:
        if blank:
            # an empty template (no rows, no word that it is nil) is no response (session 17)
            empty.add(agency)
            continue
        responded[stype].add(agency)
        nil_only[agency] = nil_only.get(agency, True) and bool(nil)
    empty -= set(nil_only)
    cases = ctx.cases[0]
    v, o = ctx.victims, ctx.offenders
    rows = []
    for stype, label in [*SOURCE_TYPES.items(), (None, "Total")]:
        def keep(s, stype=stype):
            return stype is None or s == stype
        asked = None
        if registry is not None:
            asked = sum(1 for e in registry if _entry(e, "expected", True) and keep(_entry(e, "source_type")))
        agencies = set().union(*(a for s, a in responded.items() if keep(s)))
        rows.append({
            "category": label,
            "agencies_asked": asked,
            "agencies_responded": len(agencies),
            "nil_returns": sum(1 for a in agencies if nil_only[a]),
            "cases": sum(n for s, n in cases.items() if keep(s)),
            "victim_records": sum(n for s, n in v.records_by_type.items() if keep(s)),
            "victims": v.n_persons if stype is None else v.persons_by_type[stype],
            "offender_records": sum(n for s, n in o.records_by_type.items() if keep(s)),
            "offenders": o.n_persons if stype is None else o.persons_by_type[stype],
        })
    note = ctx.note(
        "Agencies asked: registry entries with expected: true"
        + (" (no registry found: [x])." if registry is None else "."),
        "Agencies responded: agencies with a current return, nil returns included; nil returns: agencies "
        "whose current returns are all nil returns. Agency counts do not depend on the period.",
        f"Not counted as responded: {len(empty)} {'agency' if len(empty) == 1 else 'agencies'} whose only "
        "return is an empty template (headers, no rows and no word that it is a nil return; cse-audit "
        "completeness lists them)." if empty else "",
        "Victims and offenders are unique people (after linkage) with at least one record from that source "
        "type. The Total row counts each unique person once, so it can be less than the sum of the rows above.",
        v.linkage_note(), o.linkage_note(),
        kinds=("cases", "victims", "offenders"),
    )
    return {"title": "Returns, case records and people by source type", "note": note,
            "period": period_json(ctx.period), "columns": SOURCE_COLUMNS, "rows": rows}


def _counter(groups: list[tuple[dict, int]], field: str, categories: list[str]) -> tuple[dict[str, int], int]:
    """People per category of `field`, and how many had a value outside the list, from
    (fields, number of people) groups (`_Kind.attr_counts`)."""
    counts: dict[str, int] = defaultdict(int)
    unexpected = 0
    for attrs, n in groups:
        cat, odd = _category(attrs.get(field), categories)
        counts[cat] += n
        unexpected += n if odd else 0
    return counts, unexpected


def _unexpected_note(n: int, field: str) -> str:
    return f"{_n(n)} value(s) of {field} outside the code list are counted as Unknown." if n else ""


def _person_note(kind: _Kind) -> str:
    who = kind.kind
    base = (f"Base: unique {who} (after linkage) with at least one record in the period; each person's "
            "attributes are merged across all their records by the linkage rules.")
    linkage = kind.linkage_note()  # mostly "": joined anyway, it left two spaces in every note
    return f"{base} {linkage}" if linkage else base


def _categorical(ctx: _Context, kind: str, field: str, categories: list[str], title: str) -> dict:
    k: _Kind = getattr(ctx, kind)
    counts, odd = _counter(k.attr_counts([field]), field, categories)
    rows, total = _rows(counts, categories)
    note = ctx.note(_person_note(k), "Unknown is a category; '% of known' excludes Unknown.",
                    _unexpected_note(odd, field), kinds=(kind,))
    return _table(ctx, title, kind, rows, total, note)


def _banded(ctx: _Context, kind: str, field: str, bands: list[dict]) -> tuple[dict, int]:
    k: _Kind = getattr(ctx, kind)
    counts: dict[str, int] = defaultdict(int)
    outside = 0
    for attrs, n in k.attr_counts([field]):
        label = _band(attrs.get(field), bands)
        if label is None and attrs.get(field) is not None:
            outside += n
        counts[label or UNKNOWN] += n
    return counts, outside


def _age(ctx: _Context, kind: str, bands_key: str, title: str) -> dict:
    bands = ctx.config[bands_key]
    counts, outside = _banded(ctx, kind, "age", bands)
    rows, total = _rows(counts, [b["label"] for b in bands] + [UNKNOWN])
    k = getattr(ctx, kind)
    note = ctx.note(
        _person_note(k), "Age at the case date (merged per person). Unknown is a category; "
        "'% of known' excludes Unknown.",
        f"{_n(outside)} age(s) outside the bands are counted as Unknown." if outside else "",
        kinds=(kind,))
    return _table(ctx, title, kind, rows, total, note)


def _victims_missing(ctx: _Context) -> dict:
    v = ctx.victims
    groups = v.attr_counts(["missing_status", "missing_from", "missing_episodes"])
    counts, odd = _counter(groups, "missing_status", MISSING)
    rows, total = _rows(counts, MISSING)
    missing = [(a, n) for a, n in groups if _category(a.get("missing_status"), MISSING)[0] == MISSING[0]]
    from_counts, odd_from = _counter(missing, "missing_from", MISSING_FROM)
    from_rows, from_total = _rows(from_counts, MISSING_FROM)
    bands = ctx.config["episode_bands"]
    ep_counts: dict[str, int] = defaultdict(int)
    for attrs, n in missing:
        ep_counts[_band(attrs.get("missing_episodes"), bands) or UNKNOWN] += n
    ep_rows, ep_total = _rows(ep_counts, [b["label"] for b in bands] + [UNKNOWN])
    note = ctx.note(
        _person_note(v),
        "A child counts as reported missing if any of their records says so. Unknown is a category; "
        "'% of known' excludes Unknown. Sub-tables: where reported-missing children went missing from, "
        "and their number of missing episodes.",
        _unexpected_note(odd, "missing_status"), _unexpected_note(odd_from, "missing_from"),
        kinds=("victims",))
    return _table(
        ctx, "Victims: reported missing", "victims", rows, total, note,
        missing_from=_sub("Reported missing: missing from", from_rows, from_total, MISSING[0]),
        episodes=_sub("Reported missing: number of missing episodes", ep_rows, ep_total, MISSING[0]),
    )


def _ethnicity(ctx: _Context, kind: str, title: str, groups: list[tuple[dict, int]] | None = None,
               extra_note: str = "") -> dict:
    # groups: (fields, number of people) of the people to count (None: all of the kind).
    k: _Kind = getattr(ctx, kind)
    population = kind if groups is None else f"reliable_{kind}"
    groups = k.attr_counts(["ethnicity", "ethnicity_detail"]) if groups is None else groups
    counts, odd = _counter(groups, "ethnicity", ETHNICITY)
    rows, total = _rows(counts, ETHNICITY)
    detail: dict[str, int] = defaultdict(int)
    for attrs, n in groups:
        if _category(attrs.get("ethnicity"), ETHNICITY)[0] == "Asian":
            detail[_asian_detail(attrs.get("ethnicity_detail"))] += n
    listed = list(ctx.config["asian_detail"])
    others = sorted(d for d in detail if d not in listed and d != "Detail not known")
    detail_rows, detail_total = _rows(detail, listed + others + ["Detail not known"], unknown="Detail not known")
    note = ctx.note(
        _person_note(k), extra_note,
        "Ethnicity is rolled up to the assessment's categories; Unknown is a category; '% of known' "
        "excludes Unknown. Sub-table: the detailed group of those recorded as Asian, as returned; "
        "'Detail not known' counts those with no detailed group (returned as 'Asian', 'British Asian' "
        "or police code IC4).",
        _unexpected_note(odd, "ethnicity"), kinds=(kind,))
    return _table(ctx, title, population, rows, total, note,
                  asian_detail=_sub("Asian: detailed group", detail_rows, detail_total, "Asian"))


def _asian_detail(value) -> str:
    """The sub-table row of a person recorded Asian: the detailed group, or "Detail not known" when
    there is none or it says no more than the category ("Asian", "British Asian", "Asian unknown":
    a code list that gives such a detail, or a store loaded before session 17, when "Asian" and IC4's
    "Asian - Indian subcontinent" were counted as known groups beside Pakistani)."""
    text = " ".join(str(value).split()) if value is not None else ""
    words = set(normalise(text).split())
    if not text or words <= _NO_DETAIL or text in _NO_DETAIL_TEXTS:
        return "Detail not known"
    return text


# Words that, alone or together, name no detailed Asian group
_NO_DETAIL = frozenset({"asian", "british", "unknown", "not", "known"})
# IC4's gloss, kept as a detail by the code lists before session 17
_NO_DETAIL_TEXTS = frozenset({"Asian - Indian subcontinent"})


def _offenders_reliable(ctx: _Context) -> dict:
    rule = ctx.config["reliable_offenders"]
    field, equals = rule["field"], str(rule["equals"]).strip().lower()

    def reliable(attrs: dict) -> bool:
        value = attrs.get(field)
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        return value is not None and str(value).strip().lower() == equals

    groups = [(a, n) for a, n in ctx.offenders.attr_counts([field, "ethnicity", "ethnicity_detail"])
              if reliable(a)]
    return _ethnicity(ctx, "offenders", "Offenders: ethnicity, most reliable data group", groups,
                      f"Most reliable data group: offenders whose merged field {field!r} is {rule['equals']!r} "
                      "(configs/tables.yaml: reliable_offenders).")


def _victims_overlap(ctx: _Context) -> dict:
    v = ctx.victims
    counts: dict[str, int] = defaultdict(int)
    combos: dict[str, int] = defaultdict(int)
    labels = list(SOURCE_TYPES)
    combo_order = []
    for size in (1, 2, 3):
        for combo in _combinations(labels, size):
            combo_order.append(_combo_label(combo))
    for n, flags, people in v.overlap_counts():
        counts[OVERLAP[min(n, 3) - 1]] += people
        types = tuple(t for t, flag in zip(labels, flags, strict=True) if flag)
        combos[_combo_label(types) if types else "Other source type"] += people
    rows, total = _rows(counts, OVERLAP, unknown=None)
    if combos.get("Other source type"):
        combo_order.append("Other source type")
    combo_rows, combo_total = _rows(combos, combo_order, unknown=None)
    note = ctx.note(
        _person_note(v),
        "Agencies: distinct submitting agencies among the child's records in the period. Sub-table: which "
        "combination of source types reported the child.", kinds=("victims",))
    return _table(ctx, "Victims: reported by one or more agencies", "victims", rows, total, note,
                  source_types=_sub("Victims by combination of source types", combo_rows, combo_total, None))


def _combinations(items: list[str], size: int) -> list[tuple[str, ...]]:
    from itertools import combinations

    return list(combinations(items, size))


def _combo_label(types: tuple[str, ...]) -> str:
    names = [SOURCE_TYPES[t] for t in types]
    if len(names) == len(SOURCE_TYPES):
        return "All three source types"
    if len(names) == 1:
        return f"{names[0]} only"
    return " and ".join(names)

