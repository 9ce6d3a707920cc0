"""Record linkage: which victim (or offender) records are the same person.

Splink (Fellegi-Sunter) deduplicates all records of current returns at once, so duplicates
within one agency and across agencies are found alike. The model is stated, not trained:
m-probabilities come from ``configs/linkage.yaml`` (EM on a few thousand records is unstable),
u-probabilities are estimated by random sampling with a fixed seed, and the prior comes from
config. Pairs at or above the threshold are joined into persons (connected components),
reviewed overrides force pairs together or apart, and each person's attributes are merged by
the rules in config.

Public API (the CLI and ingest call these):
    link_people(con, kind)            -> LinkResult; writes {victim,offender}_links/_persons/_conflicts
    evaluate(con, kind, truth_csv)    -> dict of pairwise / cluster precision, recall, F1
    explain(con, kind, id_a, id_b)    -> Explanation (per-comparison match weights, probability)
    review_pairs(con, kind, low, high)-> DataFrame of borderline pairs side by side
    apply_overrides(reviewed, ...)    -> merge reviewed decisions into the overrides file
    load_linkage_config(path)         -> LinkageConfig

Engine: everything specific to Splink's backend is in ``_splink_engine``. Features are
prepared with SQL on the store connection and handed over as an Arrow table; the backend is
DuckDB (a private in-memory database) or, with ``engine.backend: spark`` in config or
``engine="spark"`` (extra ``cse-audit[spark]``), Splink's SparkAPI on a Spark local[2] session
created on first use. The model, the follow-up queries and the clustering are shared.

Truth files (``evaluate``): a csv with a ``person_id`` column and either ``record_id``, or
``file_name,sheet,row_number`` naming the row a record came from (file_name as in the
``returns`` table, compared by base name; row_number is the 1-based Excel row; sheet may be
blank for csv returns or when the file and row already identify the record). An optional
``kind`` column (victims/offenders) restricts rows to one kind.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import logging
import math
import os
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from . import store

log = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "linkage.yaml"

KINDS = {"victims": "victim", "offenders": "offender"}
MATCH, NO_MATCH = "match", "no-match"

# Comparison structure: comparison -> group -> levels (in SQL CASE order, most specific first).
# Config gives a conditional m for every level; see configs/linkage.yaml.
LEVELS: dict[str, dict[str, list[str]]] = {
    "forename": {"names": ["exact", "close", "nickname", "swapped", "same_initial", "different"],
                 "initials": ["agree", "differ"]},
    "surname": {"names": ["exact", "close", "nickname", "swapped", "same_initial", "different"],
                "initials": ["agree", "differ"]},
    "birth": {"dob": ["exact", "transposed", "one_part", "different"],
              "age_vs_dob": ["fits", "within_1", "within_3", "different"],
              "age_vs_age": ["fits", "within_1", "within_3", "different"]},
    "sex": {"all": ["same", "different"]},
    "area": {"all": ["same", "same_force_area", "different"]},
    "ethnicity": {"all": ["same", "different"]},
}
MERGE_RULES = {"majority", "precedence", "max", "from_dob_record"}
BACKENDS = ("duckdb", "spark")


class LinkageConfigError(ValueError):
    """configs/linkage.yaml (or an overrides file) is wrong; the message names file and key."""


class LinkageError(RuntimeError):
    """Linkage cannot run on this store (e.g. no records, unknown record ids)."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ComparisonSettings:
    m: dict[str, dict[str, float]]
    tf: bool = False
    jaro_winkler: float = 0.9
    damerau_levenshtein: int = 1


@dataclass(frozen=True)
class FieldRule:
    rule: str
    order: tuple[str, ...] = ()
    combine: dict[str, tuple[str, ...]] = field(default_factory=dict)
    within: str | None = None


@dataclass
class LinkageConfig:
    threshold: float
    cannot_link_below: float | None
    probability_two_random_records_match: float | None
    records_per_person: float
    u_max_pairs: float
    u_seed: int
    em_enabled: bool
    em_blocking_rules: list[Any]
    review_low: float
    review_high: float
    person_id_prefix: dict[str, str]
    nicknames: dict[str, tuple[str, ...]]  # normalised name -> nickname groups
    force_areas: dict[str, str]  # lower-case area -> lower-case police force area
    overrides_file: Path | None
    unknown_names: frozenset[str]
    unknown_values: tuple[str, ...]
    threads: int | None
    memory_limit: str | None
    backend: str  # "duckdb" or "spark" (Splink's database API)
    comparisons: dict[str, ComparisonSettings]
    blocking_rules: list[Any]
    source_priority: list[str]
    merge: dict[str, dict[str, FieldRule]]
    source: Path | None = None

    def prior(self, n_records: int) -> float:
        if self.probability_two_random_records_match is not None:
            return self.probability_two_random_records_match
        p = (self.records_per_person - 1.0) / max(n_records - 1, 1)
        return min(max(p, 1e-12), 0.5)


def _check_keys(d: Any, allowed: set[str], where: str, path: Path) -> dict:
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise LinkageConfigError(f"{path}: '{where or 'top level'}' must be a mapping")
    for key in d:
        if key not in allowed:
            name = f"{where}.{key}" if where else str(key)
            raise LinkageConfigError(
                f"{path}: unknown key '{name}' (allowed here: {', '.join(sorted(allowed))})")
    return d


def _num(value: Any, where: str, path: Path, lo: float = 0.0, hi: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise LinkageConfigError(f"{path}: '{where}' must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def normalise_name(value: str | None) -> str:
    """Lower case ascii letters only (accents folded): the form names are compared in."""
    import unicodedata

    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


def _load_nicknames(path: Path) -> dict[str, tuple[str, ...]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise LinkageConfigError(f"{path}: cannot read nickname table ({exc})") from exc
    _check_keys(data, {"groups"}, "", path)
    groups: dict[str, set[str]] = defaultdict(set)
    for key, names in (data.get("groups") or {}).items():
        if not isinstance(names, list):
            raise LinkageConfigError(f"{path}: 'groups.{key}' must be a list of names")
        canon = normalise_name(key)
        for name in [key, *names]:
            if normalise_name(name):
                groups[normalise_name(name)].add(canon)
    return {name: tuple(sorted(g)) for name, g in sorted(groups.items())}


def _load_force_areas(path: Path) -> dict[str, str]:
    """area -> force_area from the agency registry (agencies.yaml), so that a council's area
    (e.g. Birmingham) and a police force's (West Midlands) can count as the same place."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LinkageConfigError(f"{path}: cannot read the agency registry for areas ({exc})") from exc
    out = {}
    for agency in data.get("agencies") or []:
        area, force = agency.get("area"), agency.get("force_area")
        if area and force:
            out[str(area).strip().lower()] = str(force).strip().lower()
            out.setdefault(str(force).strip().lower(), str(force).strip().lower())
    return dict(sorted(out.items()))


def _parse_comparisons(raw: dict, path: Path) -> dict[str, ComparisonSettings]:
    _check_keys(raw, set(LEVELS), "comparisons", path)
    out = {}
    for comp, groups in LEVELS.items():
        where = f"comparisons.{comp}"
        c = _check_keys(raw.get(comp), {"m", "tf", "jaro_winkler", "damerau_levenshtein"}, where, path)
        if "m" not in c:
            raise LinkageConfigError(f"{path}: '{where}.m' is missing")
        m_raw = c["m"]
        if isinstance(m_raw, dict) and list(groups) == ["all"] and all(
                not isinstance(v, dict) for v in m_raw.values()):
            m_raw = {"all": m_raw}
        _check_keys(m_raw, set(groups), f"{where}.m", path)
        m: dict[str, dict[str, float]] = {}
        for group, levels in groups.items():
            gw = f"{where}.m" + ("" if group == "all" else f".{group}")
            g = _check_keys(m_raw.get(group), set(levels), gw, path)
            missing = [lv for lv in levels if lv not in g]
            if missing:
                raise LinkageConfigError(f"{path}: '{gw}' lacks m for {', '.join(missing)}")
            m[group] = {lv: _num(g[lv], f"{gw}.{lv}", path, 1e-9, 1.0) for lv in levels}
            total = sum(m[group].values())
            if abs(total - 1.0) > 0.011:
                raise LinkageConfigError(f"{path}: m values under '{gw}' sum to {total:.3f}, not 1")
        out[comp] = ComparisonSettings(
            m=m, tf=bool(c.get("tf", False)),
            jaro_winkler=_num(c.get("jaro_winkler", 0.9), f"{where}.jaro_winkler", path, 0, 1),
            damerau_levenshtein=int(_num(c.get("damerau_levenshtein", 1),
                                         f"{where}.damerau_levenshtein", path, 0, 5)))
    return out


def _parse_merge(raw: dict, path: Path) -> tuple[list[str], dict[str, dict[str, FieldRule]]]:
    _check_keys(raw, {"source_priority", *KINDS}, "merge", path)
    out: dict[str, dict[str, FieldRule]] = {}
    for kind in KINDS:
        rules = {}
        for fld, spec in (_check_keys(raw.get(kind), set(_MERGEABLE[kind]), f"merge.{kind}", path)).items():
            where = f"merge.{kind}.{fld}"
            if isinstance(spec, str):
                spec = {"rule": spec}
            spec = _check_keys(spec, {"rule", "order", "combine", "within"}, where, path)
            rule = spec.get("rule")
            if rule not in MERGE_RULES:
                raise LinkageConfigError(f"{path}: '{where}.rule' must be one of {sorted(MERGE_RULES)}")
            if rule == "precedence" and not spec.get("order"):
                raise LinkageConfigError(f"{path}: '{where}' (precedence) needs 'order'")
            within = spec.get("within")
            if within is not None and within not in rules:
                raise LinkageConfigError(f"{path}: '{where}.within' must name a field merged before it")
            combine = {str(k): tuple(str(x) for x in v) for k, v in (spec.get("combine") or {}).items()}
            rules[fld] = FieldRule(rule=rule, order=tuple(str(x) for x in spec.get("order") or ()),
                                   combine=combine, within=within)
        out[kind] = rules
    return [str(s) for s in raw.get("source_priority") or []], out


_MERGEABLE = {
    "victims": ["sex", "ethnicity", "ethnicity_detail", "dob", "age", "missing_status", "missing_from",
                "missing_episodes", "looked_after"],
    "offenders": ["sex", "ethnicity", "ethnicity_detail", "dob", "age", "identified"],
}
_TOP_KEYS = {
    "threshold", "cannot_link_below", "probability_two_random_records_match", "records_per_person", "u_sampling", "em",
    "review", "person_id_prefix", "nicknames_file", "areas_file", "overrides_file", "unknown_names", "unknown_values",
    "engine", "comparisons", "blocking_rules", "merge",
}


def load_linkage_config(path: str | os.PathLike | None = None) -> LinkageConfig:
    """Read and validate configs/linkage.yaml (or ``path``). Unknown keys are errors."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise LinkageConfigError(f"{path}: cannot read linkage config ({exc})") from exc
    except yaml.YAMLError as exc:
        raise LinkageConfigError(f"{path}: not valid YAML ({exc})") from exc
    _check_keys(raw, _TOP_KEYS, "", path)
    us = _check_keys(raw.get("u_sampling"), {"max_pairs", "seed"}, "u_sampling", path)
    em = _check_keys(raw.get("em"), {"enabled", "blocking_rules"}, "em", path)
    rv = _check_keys(raw.get("review"), {"low", "high"}, "review", path)
    eng = _check_keys(raw.get("engine"), {"backend", "threads", "memory_limit"}, "engine", path)
    backend = eng.get("backend") or "duckdb"
    if backend not in BACKENDS:
        raise LinkageConfigError(f"{path}: 'engine.backend' must be one of {', '.join(BACKENDS)}, got {backend!r}")
    pid = _check_keys(raw.get("person_id_prefix"), set(KINDS), "person_id_prefix", path)
    prior = raw.get("probability_two_random_records_match")
    rules = raw.get("blocking_rules") or []
    if not rules:
        raise LinkageConfigError(f"{path}: 'blocking_rules' is empty: every pair would be compared")
    for i, rule in enumerate(rules):
        if not isinstance(rule, (str, list)) or not rule:
            raise LinkageConfigError(f"{path}: 'blocking_rules[{i}]' must be a column list or SQL text")
    nick = raw.get("nicknames_file")
    over = raw.get("overrides_file")
    source_priority, merge = _parse_merge(raw.get("merge") or {}, path)
    return LinkageConfig(
        threshold=_num(raw.get("threshold", 0.9), "threshold", path, 0.0, 1.0),
        cannot_link_below=(None if raw.get("cannot_link_below") is None
                           else _num(raw["cannot_link_below"], "cannot_link_below", path, 0.0, 1.0)),
        probability_two_random_records_match=(
            None if prior is None else _num(prior, "probability_two_random_records_match", path, 1e-12, 1)),
        records_per_person=_num(raw.get("records_per_person", 1.2), "records_per_person", path, 1.0, 1e6),
        u_max_pairs=_num(us.get("max_pairs", 2e6), "u_sampling.max_pairs", path, 1, 1e12),
        u_seed=int(_num(us.get("seed", 1), "u_sampling.seed", path, 0, 2**31)),
        em_enabled=bool(em.get("enabled", False)),
        em_blocking_rules=list(em.get("blocking_rules") or [["dob"]]),
        review_low=_num(rv.get("low", 0.3), "review.low", path, 0, 1),
        review_high=_num(rv.get("high", 0.97), "review.high", path, 0, 1),
        person_id_prefix={"victims": "V-", "offenders": "O-", **(pid or {})},
        nicknames=_load_nicknames(path.parent / nick) if nick else {},
        force_areas=_load_force_areas(path.parent / raw["areas_file"]) if raw.get("areas_file") else {},
        overrides_file=(path.parent / over) if over else None,
        unknown_names=frozenset(normalise_name(x) for x in raw.get("unknown_names") or []),
        unknown_values=tuple(str(x) for x in raw.get("unknown_values") or ["Unknown"]),
        threads=eng.get("threads"),
        memory_limit=eng.get("memory_limit"),
        backend=backend,
        comparisons=_parse_comparisons(raw.get("comparisons") or {}, path),
        blocking_rules=rules,
        source_priority=source_priority,
        merge=merge,
        source=path,
    )


def _check_engine(engine: str | None) -> str | None:
    if engine is not None and engine not in BACKENDS:
        raise LinkageConfigError(f"engine must be one of {', '.join(BACKENDS)}, got {engine!r}")
    return engine


def _config(config: LinkageConfig | str | os.PathLike | None, engine: str | None = None) -> LinkageConfig:
    cfg = config if isinstance(config, LinkageConfig) else load_linkage_config(config)
    engine = _check_engine(engine)
    return replace(cfg, backend=engine) if engine and engine != cfg.backend else cfg


# --------------------------------------------------------------------------- overrides


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
    text = str(value or "").strip().lower().replace("_", "-").replace(" ", "-")
    if text in {"match", "m", "yes", "y", "same", "same-person", "true", "1"}:
        return MATCH
    if text in {"no-match", "nomatch", "non-match", "no", "n", "different", "not-match", "false", "0"}:
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
        out.append(Override(str(row[a]), str(row[b]), dec, str(row.get(cols.get("note", ""), "") or "")))
    return out


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


def _resolve_overrides(overrides, cfg: LinkageConfig, kind: str) -> list[Override]:
    if overrides is None:
        f = cfg.overrides_file
        return load_overrides(f, kind) if f is not None and f.exists() else []
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


# --------------------------------------------------------------------------- features


def soundex(name: str) -> str | None:
    """American Soundex of a normalised name (DuckDB has no soundex function)."""
    if not name:
        return None
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"),
             "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    out, last = name[0].upper(), codes.get(name[0], "")
    for ch in name[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            out += code
            if len(out) == 4:
                break
        if ch not in "hw":
            last = code
    return out.ljust(4, "0")


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _features(con: duckdb.DuckDBPyConnection, kind: str, cfg: LinkageConfig):
    """Read the current records of ``kind`` and derive the comparison features, as Arrow.

    unique_id is the 0-based position in record_id order, so the same records always get
    the same ids (deterministic blocking, training and clustering)."""
    view = f"current_{kind}"
    unk_names = _sql_list(sorted(cfg.unknown_names) or [""])
    unk = _sql_list(cfg.unknown_values)
    base = f"""
    WITH r AS (
      SELECT record_id, agency_id, source_type,
        regexp_replace(regexp_replace(lower(strip_accents(coalesce(forename, ''))), '[-_.,/]', ' ', 'g'),
                       '[^a-z ]', '', 'g') AS fn_text,
        regexp_replace(lower(strip_accents(coalesce(surname, ''))), '[^a-z]', '', 'g') AS sn0,
        regexp_replace(upper(coalesce(initials, '')), '[^A-Z]', '', 'g') AS ini,
        dob, age, case_date, sex, ethnicity, area
      FROM {view}
    ), r2 AS (
      SELECT *, split_part(trim(regexp_replace(fn_text, '\\s+', ' ', 'g')), ' ', 1) AS fn0 FROM r
    ), r3 AS (
      SELECT *,
        CASE WHEN length(fn0) > 1 AND fn0 NOT IN (SELECT unnest({unk_names})) THEN fn0 END AS fn,
        CASE WHEN length(sn0) > 1 AND sn0 NOT IN (SELECT unnest({unk_names})) THEN sn0 END AS sn
      FROM r2
    )
    SELECT CAST(row_number() OVER (ORDER BY record_id) - 1 AS BIGINT) AS unique_id, record_id,
      fn, sn,
      coalesce(left(fn, 1), nullif(lower(left(ini, 1)), ''),
               CASE WHEN length(fn0) = 1 AND fn0 NOT IN (SELECT unnest({unk_names})) THEN fn0 END) AS fi,
      coalesce(left(sn, 1), CASE WHEN length(ini) >= 2 THEN lower(right(ini, 1)) END) AS si,
      dob, year(dob) AS dob_y, month(dob) AS dob_m, day(dob) AS dob_d,
      month(dob) * 100 + day(dob) AS dob_md,
      year(case_date) AS case_y, month(case_date) * 100 + day(case_date) AS case_md,
      age, year(case_date) - age AS yob,
      year(case_date) + (dayofyear(case_date) - 1) / 366.0 - age AS born_by,
      CASE WHEN sex IS NULL OR sex IN (SELECT unnest({unk})) THEN NULL ELSE sex END AS sex,
      CASE WHEN ethnicity IS NULL OR ethnicity IN (SELECT unnest({unk})) THEN NULL ELSE ethnicity END
        AS ethnicity,
      CASE WHEN area IS NULL OR trim(area) = '' OR area IN (SELECT unnest({unk})) THEN NULL
           ELSE lower(trim(area)) END AS area,
      (fn IS NULL OR sn IS NULL) AS names_missing
    FROM r3
    """
    con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_base AS {base}")
    names = [n for (n,) in con.execute(
        "SELECT DISTINCT fn FROM _lk_base WHERE fn IS NOT NULL UNION "
        "SELECT DISTINCT sn FROM _lk_base WHERE sn IS NOT NULL").fetchall()]
    lookup = pd.DataFrame({
        "name": pd.Series(names, dtype=object),
        "sx": pd.Series([soundex(n) for n in names], dtype=object),
        "nick": pd.Series([(cfg.nicknames.get(n) or (n,))[0] for n in names], dtype=object),
        "grp": pd.Series([list(cfg.nicknames[n]) if n in cfg.nicknames else None for n in names],
                         dtype=object),
    })
    areas = pd.DataFrame({"area": pd.Series(list(cfg.force_areas), dtype=object),
                          "force_area": pd.Series(list(cfg.force_areas.values()), dtype=object)})
    con.register("_lk_names", lookup)
    con.register("_lk_areas", areas)
    try:
        table = con.sql("""
            SELECT b.* EXCLUDE (record_id), f.sx AS fn_sx, s.sx AS sn_sx, f.nick AS fn_nick,
                   CAST(f.grp AS VARCHAR[]) AS fn_groups, CAST(s.grp AS VARCHAR[]) AS sn_groups,
                   CAST(coalesce(a.force_area, b.area) AS VARCHAR) AS region
            FROM _lk_base b
            LEFT JOIN _lk_names f ON f.name = b.fn
            LEFT JOIN _lk_names s ON s.name = b.sn
            LEFT JOIN _lk_areas a ON a.area = b.area
            ORDER BY b.unique_id""").to_arrow_table()
        ids = con.sql("SELECT record_id, unique_id FROM _lk_base ORDER BY unique_id").to_arrow_table()
    finally:
        con.unregister("_lk_names")
        con.unregister("_lk_areas")
        con.execute("DROP TABLE IF EXISTS _lk_base")
    return table, ids.column("record_id").to_pylist()


# --------------------------------------------------------------------------- Splink model


DEFAULT_MEMORY_LIMIT = "3GB"  # Splink's engine when engine.memory_limit is null and it may spill


def _store_encrypted(con) -> bool:
    try:
        row = con.execute("SELECT encrypted FROM duckdb_databases() WHERE database_name = current_database()"
                          ).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0])


def _splink_engine(features, cfg: LinkageConfig, encrypted: bool = False):
    """The one engine-specific function: a Splink database API holding ``features``.

    DuckDB: a private in-memory database, so Splink's working tables never touch the store.
    Spark: a SparkAPI on the process's Spark local session (see ``_spark_session``)."""
    if cfg.backend == "spark":
        from splink.backends.spark import SparkAPI

        spark = _spark_session()
        # the previous run's working tables (temp views, persisted in memory)
        for t in spark.catalog.listTables():
            if t.isTemporary and (t.name == "records" or t.name.startswith("__splink")):
                spark.catalog.dropTempView(t.name)
        spark.catalog.clearCache()
        # persist, not Splink's default of parquet files in a checkpoint dir: local and small
        api = SparkAPI(spark_session=spark, break_lineage_method="persist",
                       num_partitions_on_repartition=SPARK_PARTITIONS)
        return api, api.register(features, dataset_display_name="records")
    from splink import DuckDBAPI

    engine = duckdb.connect()
    if cfg.threads:
        engine.execute(f"SET threads = {int(cfg.threads)}")
    # No limit set: a few GB, the rest of the scored pairs spilled (measured at a million victim
    # records: peak 6.7 -> 3.7 GiB, time 160 -> 169 s), unless nothing may spill (encrypted store).
    limit = cfg.memory_limit or (None if encrypted else DEFAULT_MEMORY_LIMIT)
    if limit:
        engine.execute(f"SET memory_limit = '{limit}'")
    engine.execute("SET preserve_insertion_order = true")
    engine.execute("SET enable_progress_bar = false")  # progress is the CLI's business
    # The working tables hold names and dates of birth. Past memory_limit DuckDB moves them to
    # temp_directory, by default ".tmp" in the current folder: use a private folder instead (owner
    # only, removed with the engine), and none for an encrypted store, whose data must not reach
    # disk in clear (running out of memory is then an error that says so).
    if encrypted:
        engine.execute("SET temp_directory = ''")
    else:
        import shutil
        import tempfile
        import weakref

        spill = tempfile.mkdtemp(prefix="cse-audit-linkage-")
        engine.execute(f"SET temp_directory = '{spill}'")
        weakref.finalize(engine, shutil.rmtree, spill, True)
    api = DuckDBAPI(engine)
    return api, api.register(features, dataset_display_name="records")


SPARK_PARTITIONS = 4
_SPARK = None


def _spark_session():
    """Spark in local mode (2 cores) with Splink's similarity UDF jar, created on first use and
    kept for the life of the process (starting the JVM takes seconds)."""
    global _SPARK
    if _SPARK is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise LinkageError(f"the spark engine needs pyspark: pip install 'cse-audit[spark]' ({exc})") from exc
    try:
        _SPARK = (SparkSession.builder.master("local[2]").appName("cse-audit-linkage")
                  .config("spark.jars", similarity_jar_location())  # jaro_winkler, damerau_levenshtein
                  .config("spark.sql.shuffle.partitions", str(SPARK_PARTITIONS))
                  .config("spark.default.parallelism", str(SPARK_PARTITIONS))
                  .config("spark.sql.session.timeZone", "UTC")
                  .config("spark.ui.enabled", "false")
                  .config("spark.ui.showConsoleProgress", "false")
                  .config("spark.log.level", "ERROR")
                  .getOrCreate())
    except Exception as exc:  # no Java, or a JVM that will not start
        raise LinkageError(f"cannot start Spark (is Java 17+ installed and on PATH?): {exc}") from exc
    _SPARK.sparkContext.setLogLevel("ERROR")
    # pyspark 4.x warns on every pandas conversion that pandas 3 is not fully supported; the
    # frames crossing here are plain int/float/str columns, checked equal to DuckDB's by tests.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    return _SPARK


def _comparisons(cfg: LinkageConfig, dialect: str) -> list:
    """Splink comparisons built from dialect-neutral level creators; labels are group/level."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink.internals.dialects import SplinkDialect

    jw = SplinkDialect.from_string(dialect).jaro_winkler_function_name

    def lv(creator, key):
        return creator.configure(label_for_charts=key)

    def names(col: str, ini: str, comp: str, other: str):
        c = cfg.comparisons[comp]
        both = f"{col}_l IS NOT NULL AND {col}_r IS NOT NULL"
        levels = [
            cll.CustomLevel(f"{ini}_l IS NULL OR {ini}_r IS NULL", "null").configure(is_null_level=True),
            lv(cll.ExactMatchLevel(col, term_frequency_adjustments=c.tf), "names/exact"),
            lv(cll.Or(cll.JaroWinklerLevel(col, c.jaro_winkler),
                      cll.DamerauLevenshteinLevel(col, c.damerau_levenshtein),
                      cll.CustomLevel(f"(length({col}_l) >= 3 AND substr({col}_r, 1, length({col}_l)) = {col}_l) OR "
                                      f"(length({col}_r) >= 3 AND substr({col}_l, 1, length({col}_r)) = {col}_r)")),
               "names/close"),
        ]
        # nickname table, also for surnames (Mohammed / Muhammad as a family name)
        levels.append(lv(cll.ArrayIntersectLevel(f"{col}_groups", 1), "names/nickname"))
        # forename given as surname and vice versa ("SMITH Jane"): this name is the other's other name
        levels.append(lv(cll.Or(*[cll.CustomLevel(f"{jw}({col}_{a}, {other}_{b}) >= {c.jaro_winkler}")
                                  for a, b in (("l", "r"), ("r", "l"))]), "names/swapped"))
        levels += [
            lv(cll.CustomLevel(f"{both} AND {ini}_l = {ini}_r"), "names/same_initial"),
            lv(cll.CustomLevel(both), "names/different"),
            lv(cll.CustomLevel(f"{ini}_l = {ini}_r"), "initials/agree"),
            lv(cll.ElseLevel(), "initials/differ"),
        ]
        return cl.CustomComparison(levels, output_column_name=comp,
                                   comparison_description=f"{comp}: name, or initial when one side has only initials")

    both = "dob_l IS NOT NULL AND dob_r IS NOT NULL"
    fit_l = "dob_l IS NOT NULL AND dob_r IS NULL AND age_r IS NOT NULL AND case_y_r IS NOT NULL"
    fit_r = "dob_r IS NOT NULL AND dob_l IS NULL AND age_l IS NOT NULL AND case_y_l IS NOT NULL"
    ages = "age_l IS NOT NULL AND age_r IS NOT NULL"
    # age of one side's dob at the other side's case date
    at_lr = "(case_y_r - dob_y_l - CASE WHEN case_md_r < dob_md_l THEN 1 ELSE 0 END)"
    at_rl = "(case_y_l - dob_y_r - CASE WHEN case_md_l < dob_md_r THEN 1 ELSE 0 END)"
    same_parts = ("(CASE WHEN dob_y_l = dob_y_r THEN 1 ELSE 0 END + CASE WHEN dob_m_l = dob_m_r THEN 1 ELSE 0 END"
                  " + CASE WHEN dob_d_l = dob_d_r THEN 1 ELSE 0 END)")
    birth = cl.CustomComparison([
        cll.CustomLevel(f"NOT (({both}) OR ({fit_l}) OR ({fit_r}) OR ({ages}))", "null")
        .configure(is_null_level=True),
        lv(cll.CustomLevel("dob_l = dob_r"), "dob/exact"),
        lv(cll.CustomLevel(f"{both} AND dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r"),
           "dob/transposed"),
        lv(cll.CustomLevel(f"{both} AND {same_parts} = 2"), "dob/one_part"),
        lv(cll.CustomLevel(both), "dob/different"),
        lv(cll.CustomLevel(f"(({fit_l}) AND {at_lr} = age_r) OR (({fit_r}) AND {at_rl} = age_l)"),
           "age_vs_dob/fits"),
        lv(cll.CustomLevel(f"(({fit_l}) AND abs({at_lr} - age_r) <= 1) OR (({fit_r}) AND abs({at_rl} - age_l) <= 1)"),
           "age_vs_dob/within_1"),
        lv(cll.CustomLevel(f"(({fit_l}) AND abs({at_lr} - age_r) <= 3) OR (({fit_r}) AND abs({at_rl} - age_l) <= 3)"),
           "age_vs_dob/within_3"),
        lv(cll.CustomLevel(f"({fit_l}) OR ({fit_r})"), "age_vs_dob/different"),
        # neither has a dob: an age at a case date puts the birth date in a one-year window
        # ending at (case date - age); two records fit when their windows overlap.
        lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                           "THEN abs(born_by_l - born_by_r) < 1 ELSE age_l = age_r END"), "age_vs_age/fits"),
        lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                           "THEN abs(born_by_l - born_by_r) < 2 ELSE abs(age_l - age_r) <= 1 END"),
           "age_vs_age/within_1"),
        lv(cll.CustomLevel(f"{ages} AND CASE WHEN born_by_l IS NOT NULL AND born_by_r IS NOT NULL "
                           "THEN abs(born_by_l - born_by_r) < 4 ELSE abs(age_l - age_r) <= 3 END"),
           "age_vs_age/within_3"),
        lv(cll.ElseLevel(), "age_vs_age/different"),
    ], output_column_name="birth",
        comparison_description="date of birth; else age against dob at the case date; else age against age")

    def simple(col: str):
        c = cfg.comparisons[col]
        return cl.CustomComparison([
            cll.NullLevel(col).configure(label_for_charts="null"),
            lv(cll.ExactMatchLevel(col, term_frequency_adjustments=c.tf), "same"),
            lv(cll.ElseLevel(), "different"),
        ], output_column_name=col, comparison_description=col)

    ca = cfg.comparisons["area"]
    area = cl.CustomComparison([
        cll.NullLevel("area").configure(label_for_charts="null"),
        lv(cll.ExactMatchLevel("area", term_frequency_adjustments=ca.tf), "same"),
        lv(cll.ExactMatchLevel("region"), "same_force_area"),
        lv(cll.ElseLevel(), "different"),
    ], output_column_name="area", comparison_description="area; else the police force area it lies in")
    return [names("fn", "fi", "forename", "sn"), names("sn", "si", "surname", "fn"), birth,
            simple("sex"), area, simple("ethnicity")]


def _blocking_rules(rules: list) -> list:
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [block_on(*r) if isinstance(r, list) else CustomRule(r) for r in rules]


def _level_key(label: str, comp: str) -> tuple[str, str]:
    group, _, level = label.rpartition("/")
    return (group or "all"), level


def _build_model(api, records_df, cfg: LinkageConfig, n_records: int) -> dict:
    """Estimate u by seeded random sampling, then set each level's m from its conditional m in
    config times its group's share of pairs (from the u sample). Returns a Splink model dict."""
    from splink import Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(cfg, api.sql_dialect.sql_dialect_str),
        blocking_rules_to_generate_predictions=_blocking_rules(cfg.blocking_rules),
        probability_two_random_records_match=cfg.prior(n_records),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records_df, settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=cfg.u_max_pairs, seed=cfg.u_seed, min_count_per_level=None, num_chunks=1)
    model = linker.misc.save_model_to_json()
    n_pairs = min(cfg.u_max_pairs, n_records * (n_records - 1) / 2)
    u_floor = 1.0 / max(n_pairs, 1.0)
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl in levels:
            u = lvl.get("u_probability")
            if not isinstance(u, (int, float)) or u <= 0:
                lvl["u_probability"] = u_floor  # never seen among sampled pairs: rarer than 1/n
        share: dict[str, float] = defaultdict(float)
        for lvl in levels:
            share[_level_key(lvl["label_for_charts"], name)[0]] += lvl["u_probability"]
        total = sum(share.values())
        for lvl in levels:
            group, level = _level_key(lvl["label_for_charts"], name)
            lvl["m_probability"] = cfg.comparisons[name].m[group][level] * share[group] / total
    model.pop("linker_uid", None)
    return model


@dataclass
class _Run:
    record_ids: list[str]
    edges: pd.DataFrame  # uid_l, uid_r, p: scored pairs with p >= keep_low
    candidate_pairs: int
    pairs_by_rule: dict[str, int]
    api: Any  # the Splink database API holding the scored pairs (for follow-up queries)
    predictions: str  # physical name of the table of all scored candidate pairs
    model: dict
    seconds: float


def _run(con, kind: str, cfg: LinkageConfig, keep_low: float) -> _Run:
    """Features -> model -> score every candidate pair. Nothing is written to the store."""
    from splink import Linker

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
    t0 = time.perf_counter()
    features, record_ids = _features(con, kind, cfg)
    n = len(record_ids)
    if n < 2:
        return _Run(record_ids, pd.DataFrame({"uid_l": [], "uid_r": [], "p": []}), 0, {}, None, "", {},
                    time.perf_counter() - t0)
    api, records = _splink_engine(features, cfg, _store_encrypted(con))
    try:
        model = _build_model(api, records, cfg, n)
        linker = Linker(records, model, log_level=None)
        if cfg.em_enabled:
            for rule in _blocking_rules(cfg.em_blocking_rules):
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            model = linker.misc.save_model_to_json()
        predictions = linker.inference.predict(warning_mode="never")
    except duckdb.OutOfMemoryException as exc:
        raise LinkageError(
            f"{kind}: linkage ran out of memory ({str(exc).splitlines()[0][:200]}). Raise engine.memory_limit "
            "in linkage.yaml, or use --engine spark. An encrypted store's working tables are never written "
            "to disk, so they must fit in memory.") from None
    table = predictions.physical_name
    by_key = api.query_sql(f"SELECT match_key, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1", "pandas")
    pairs_by_rule = {str(cfg.blocking_rules[int(k)]): int(c)
                     for k, c in zip(by_key["match_key"], by_key["n"], strict=True)}
    candidates = sum(pairs_by_rule.values())
    log.info("%s: %d records, %d candidate pairs (%s)", kind, n, candidates,
             "; ".join(f"{r}: {c}" for r, c in pairs_by_rule.items()))
    edges = api.query_sql(
        f"SELECT unique_id_l AS uid_l, unique_id_r AS uid_r, match_probability AS p FROM {table} "
        f"WHERE match_probability >= {float(keep_low)!r} ORDER BY uid_l, uid_r", "pandas")
    return _Run(record_ids, edges, candidates, pairs_by_rule, api, table, model, time.perf_counter() - t0)


# --------------------------------------------------------------------------- clustering


class _Components:
    """Union-find over record indices with cannot-link constraints.

    Roots are always the smallest index of a component. A constrained union is refused when
    it would put two records that must stay apart into one component."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.cannot: dict[int, set[int]] = defaultdict(set)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def forbid(self, a: int, b: int) -> None:
        self.cannot[a].add(b)
        self.cannot[b].add(a)

    def blocked(self, ra: int, rb: int) -> bool:
        find = self.find
        return (any(find(x) == rb for x in self.cannot.get(ra, ()))
                or any(find(x) == ra for x in self.cannot.get(rb, ())))

    def union(self, a: int, b: int, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.blocked(ra, rb):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if rb in self.cannot:
            self.cannot[ra] |= self.cannot.pop(rb)
        return True

    def roots(self) -> list[int]:
        return [self.find(i) for i in range(len(self.parent))]


def _cluster(n: int, edges: pd.DataFrame, threshold: float, record_ids: list[str],
             overrides: list[Override], apart: list[tuple[int, int]] = ()
             ) -> tuple[list[int], dict[int, float], dict[str, int]]:
    """Persons from scored pairs: connected components over pairs at or above the threshold,
    with forced matches joined first and "apart" pairs (forced no-matches, and pairs whose own
    score says they are different people) never put into one person, even through others.

    Edges are taken in descending probability (ties by ids), so when a record could join
    either of two people who must stay apart it joins the more likely one. Returns each
    record's root, each record's best edge probability within its person, and counts."""
    index = {rid: i for i, rid in enumerate(record_ids)}
    stats = {"forced_match": 0, "forced_no_match": 0, "unknown_records": 0, "contradictions": 0}
    comp = _Components(n)
    forced = []
    for o in overrides:
        a, b = index.get(o.record_id_a), index.get(o.record_id_b)
        if a is None or b is None:
            stats["unknown_records"] += 1
        elif o.decision == MATCH:
            forced.append((min(a, b), max(a, b)))
            stats["forced_match"] += 1
        else:
            comp.forbid(a, b)
            stats["forced_no_match"] += 1
    for a, b in apart:
        comp.forbid(a, b)
    best: dict[int, float] = {}
    for a, b in sorted(forced):
        if comp.blocked(comp.find(a), comp.find(b)):
            stats["contradictions"] += 1
        comp.union(a, b, force=True)
        best[a] = best[b] = 1.0
    strong = edges[edges["p"] >= threshold]
    if len(strong):
        order = strong.sort_values(["p", "uid_l", "uid_r"], ascending=[False, True, True], kind="mergesort")
        for a, b, p in zip(order["uid_l"].tolist(), order["uid_r"].tolist(), order["p"].tolist(), strict=True):
            if comp.union(a, b):
                best.setdefault(a, p)
                best.setdefault(b, p)
    return comp.roots(), best, stats


def _apart_pairs(run: _Run, roots: list[int], below: float) -> list[tuple[int, int]]:
    """Scored pairs below ``below`` whose records nevertheless share a component."""
    sizes: dict[int, int] = defaultdict(int)
    for r in roots:
        sizes[r] += 1
    members = [(i, r) for i, r in enumerate(roots) if sizes[r] > 1]
    if not members or run.api is None:
        return []
    comp = run.api.register(pd.DataFrame({"uid": [m[0] for m in members], "root": [m[1] for m in members]},
                                         dtype="int64"))
    low = run.api.query_sql(
        f"SELECT p.unique_id_l AS a, p.unique_id_r AS b FROM {run.predictions} p "
        f"JOIN {comp.physical_name} l ON l.uid = p.unique_id_l JOIN {comp.physical_name} r ON r.uid = p.unique_id_r "
        f"WHERE l.root = r.root AND p.match_probability < {float(below)!r} ORDER BY a, b", "pandas")
    return list(zip(low["a"].tolist(), low["b"].tolist(), strict=True))


def _person_ids(roots: list[int], record_ids: list[str], prefix: str) -> list[str]:
    # record_ids are sorted, so a component's root (its smallest index) is its smallest record_id
    return [prefix + hashlib.sha1(record_ids[r].encode("utf-8")).hexdigest()[:10] for r in roots]


# --------------------------------------------------------------------------- merging


def _merge_persons(con, kind: str, cfg: LinkageConfig) -> int:
    """Create {k}_persons and {k}_conflicts from {k}_links and the current records."""
    k = KINDS[kind]
    rules = cfg.merge[kind]
    cols = {name: typ for name, typ, *_ in con.execute(f"DESCRIBE current_{kind}").fetchall()}
    prio = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(cfg.source_priority))
    unk = _sql_list(cfg.unknown_values)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _lk_recs AS
        SELECT l.person_id, r.*, CASE r.source_type {prio} ELSE {len(cfg.source_priority)} END AS src_rank
        FROM current_{kind} r JOIN {k}_links l USING (record_id)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _lk_persons AS
        SELECT person_id, count(*) AS n_records, count(DISTINCT agency_id) AS n_agencies,
               list_sort(list_distinct(list(agency_id))) AS agencies,
               list_sort(list_distinct(list(source_type))) AS source_types
        FROM _lk_recs GROUP BY person_id""")
    con.execute("CREATE OR REPLACE TEMP TABLE _lk_conflicts (person_id VARCHAR, field VARCHAR, "
                "\"values\" VARCHAR[], chosen VARCHAR, resolved_by VARCHAR)")
    for fld, rule in rules.items():
        if fld not in cols:
            continue
        typ = cols[fld]
        if rule.rule == "max":
            con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS SELECT person_id, max({fld}) AS value "
                        f"FROM _lk_recs GROUP BY person_id")
            con.execute(f"""INSERT INTO _lk_conflicts
                SELECT person_id, '{fld}', list_sort(list_distinct(list(CAST({fld} AS VARCHAR)))),
                       CAST(max({fld}) AS VARCHAR), 'max'
                FROM _lk_recs WHERE {fld} IS NOT NULL GROUP BY person_id HAVING count(DISTINCT {fld}) > 1""")
            continue
        if rule.rule == "from_dob_record":
            con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS
                SELECT person_id, arg_min({fld}, (dob IS NULL, {fld} IS NULL, coalesce(case_date, DATE '9999-12-31'),
                       record_id)) AS value
                FROM _lk_recs GROUP BY person_id""")
            continue
        within = ""
        if rule.within:
            within = (f"JOIN _lk_f_{rule.within} w ON w.person_id = r.person_id "
                      f"AND CAST(r.{rule.within} AS VARCHAR) = CAST(w.value AS VARCHAR)")
        if rule.rule == "precedence":
            order = f"coalesce(list_position({_sql_list(rule.order)}, val), 9999)"
        else:
            order = "n DESC, pr"
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_v AS
            SELECT *, row_number() OVER w AS rn, lead(n) OVER w AS n2, lead(pr) OVER w AS pr2,
                   lead(known) OVER w AS known2
            FROM (SELECT r.person_id, CAST(r.{fld} AS VARCHAR) AS val, count(*) AS n, min(r.src_rank) AS pr,
                         CAST(r.{fld} AS VARCHAR) NOT IN (SELECT unnest({unk})) AS known
                  FROM _lk_recs r {within} WHERE r.{fld} IS NOT NULL GROUP BY ALL)
            WINDOW w AS (PARTITION BY person_id ORDER BY known DESC, {order}, val)""")
        how = ("'precedence'" if rule.rule == "precedence" else
               "CASE WHEN n > n2 THEN 'majority' WHEN pr < pr2 THEN 'source_priority' ELSE 'alphabetical' END")
        combine = ""
        for target, parts in rule.combine.items():
            combine += f"WHEN list_has_all(kv.vals, {_sql_list(parts)}) THEN '{target}' "
        chosen = f"CASE {combine} ELSE v.val END" if combine else "v.val"
        how_c = how
        if combine:
            how_c = "CASE " + " ".join(
                f"WHEN list_has_all(kv.vals, {_sql_list(parts)}) THEN 'combine'" for parts in rule.combine.values()
            ) + f" ELSE {how} END"
        con.execute(f"""CREATE OR REPLACE TEMP TABLE _lk_f_{fld} AS
            WITH kv AS (SELECT person_id, list_sort(list(val)) AS vals FROM _lk_v WHERE known GROUP BY person_id)
            SELECT v.person_id, TRY_CAST({chosen} AS {typ}) AS value,
                   CASE WHEN v.known2 THEN {how_c} END AS resolved_by, kv.vals
            FROM _lk_v v LEFT JOIN kv USING (person_id) WHERE v.rn = 1""")
        con.execute(f"""INSERT INTO _lk_conflicts
            SELECT person_id, '{fld}', vals, CAST(value AS VARCHAR), resolved_by
            FROM _lk_f_{fld} WHERE resolved_by IS NOT NULL""")
    merged = [f for f in rules if f in cols]
    select = ", ".join([f"p.{c}" for c in ("person_id", "n_records", "n_agencies", "agencies", "source_types")]
                       + [f"f_{f}.value AS {f}" for f in merged])
    joins = " ".join(f"LEFT JOIN _lk_f_{f} f_{f} ON f_{f}.person_id = p.person_id" for f in merged)
    con.execute(f"CREATE OR REPLACE TABLE {k}_persons AS SELECT {select} FROM _lk_persons p {joins} "
                f"ORDER BY p.person_id")
    con.execute(f"CREATE OR REPLACE TABLE {k}_conflicts AS SELECT * FROM _lk_conflicts ORDER BY person_id, field")
    n_conflicts = con.execute(f"SELECT count(*) FROM {k}_conflicts").fetchone()[0]
    for t in ["_lk_recs", "_lk_persons", "_lk_conflicts", "_lk_v", *[f"_lk_f_{f}" for f in rules]]:
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return int(n_conflicts)


# --------------------------------------------------------------------------- public API


@dataclass
class LinkResult:
    kind: str
    records: int
    persons: int
    candidate_pairs: int
    pairs_above_threshold: int
    conflicts: int
    seconds: float
    candidate_pairs_by_rule: dict[str, int] = field(default_factory=dict)
    overrides: dict[str, int] = field(default_factory=dict)


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


def _clusters(con, kind, cfg, overrides, keep_low):
    run = _run(con, kind, cfg, keep_low)
    ov, carried = _carry_over(con, kind, _resolve_overrides(overrides, cfg, kind), set(run.record_ids))
    if carried:
        log.info("%s: %d reviewed record(s) found again in resubmitted returns", kind, carried)
    n = len(run.record_ids)
    roots, best, stats = _cluster(n, run.edges, cfg.threshold, run.record_ids, ov)
    apart = _apart_pairs(run, roots, cfg.cannot_link_below) if cfg.cannot_link_below else []
    if apart:
        roots, best, stats = _cluster(n, run.edges, cfg.threshold, run.record_ids, ov, apart)
    stats["kept_apart"] = len(apart)
    stats["carried_over"] = carried
    if stats["unknown_records"]:
        log.warning("%s: %d override(s) name records not in current returns (resubmitted?)",
                    kind, stats["unknown_records"])
    if stats["contradictions"]:
        log.warning("%s: %d forced match(es) join records also forced apart", kind, stats["contradictions"])
    return run, roots, best, stats


def link_people(con: duckdb.DuckDBPyConnection, kind: str = "victims", config=None,
                overrides=None, engine: str | None = None) -> LinkResult:
    """Link the current records of ``kind`` into persons and write (replacing)
    ``{victim|offender}_links``, ``_persons`` and ``_conflicts``.

    ``overrides``: None = the config's overrides file if present; False = none; a path; or a
    list of Override / (record_id_a, record_id_b, "match"|"no-match").
    ``engine``: "duckdb" or "spark"; None = the config's ``engine.backend``."""
    cfg = _config(config, engine)
    t0 = time.perf_counter()
    run, roots, best, stats = _clusters(con, kind, cfg, overrides, cfg.threshold)
    pids = _person_ids(roots, run.record_ids, cfg.person_id_prefix[kind])
    links = pd.DataFrame({
        "record_id": pd.Series(run.record_ids, dtype=object),
        "person_id": pd.Series(pids, dtype=object),
        "match_probability": pd.Series([best.get(i) for i in range(len(pids))], dtype="float64"),
    })
    counts = {"records": len(run.record_ids), "candidate_pairs": run.candidate_pairs,
              "pairs_above_threshold": int((run.edges["p"] >= cfg.threshold).sum()),
              "candidate_pairs_by_rule": run.pairs_by_rule}
    # Splink's engine holds every scored pair (gigabytes at a million records): let it go before
    # the store merges the persons, so the two do not add up.
    del run
    gc.collect()
    k = KINDS[kind]
    con.register("_lk_links", links)
    own_txn = True
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:
        own_txn = False  # the caller's transaction covers us
    try:
        # record_id is the key: one person per record, which the tables rely on without re-checking.
        con.execute(f"CREATE OR REPLACE TABLE {k}_links (record_id VARCHAR PRIMARY KEY, person_id VARCHAR,"
                    " match_probability DOUBLE)")
        con.execute(f"INSERT INTO {k}_links SELECT record_id, person_id, CAST(match_probability AS DOUBLE)"
                    " FROM _lk_links ORDER BY record_id")
        conflicts = _merge_persons(con, kind, cfg)
        basis = con.execute(store.CURRENT_RETURNS_SQL).fetchone()[0]
        store.set_meta(con, store.links_basis_key(kind), basis)
        if own_txn:
            con.execute("COMMIT")
    except BaseException:
        if own_txn:
            con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_lk_links")
    result = LinkResult(kind=kind, persons=len(set(roots)), conflicts=conflicts,
                        seconds=round(time.perf_counter() - t0, 3), overrides=stats, **counts)
    log.info("%s: %d records -> %d persons (%d pairs >= %.2f, %d conflicts) in %.1fs", kind, result.records,
             result.persons, result.pairs_above_threshold, cfg.threshold, conflicts, result.seconds)
    return result


def _read_truth(con, kind: str, truth_csv: str | os.PathLike) -> tuple[pd.DataFrame, int]:
    """Truth rows joined to record_ids: (frame record_id, truth_id), unmatched row count."""
    truth = pd.read_csv(truth_csv, dtype=str, keep_default_na=False)
    truth.columns = [c.strip().lower() for c in truth.columns]
    if "person_id" not in truth.columns:
        raise LinkageError(f"{truth_csv}: truth file needs a person_id column")
    if "kind" in truth.columns:
        truth = truth[truth["kind"].isin(["", kind, KINDS[kind]])]
    truth = truth[truth["person_id"] != ""]
    if "record_id" in truth.columns:
        known = {r for (r,) in con.execute(f"SELECT record_id FROM current_{kind}").fetchall()}
        hit = truth[truth["record_id"].isin(known)]
        return (pd.DataFrame({"record_id": hit["record_id"], "truth_id": hit["person_id"]}),
                len(truth) - len(hit))
    if not {"file_name", "row_number"} <= set(truth.columns):
        raise LinkageError(f"{truth_csv}: truth file needs record_id, or file_name,sheet,row_number")
    recs = con.execute(f"""SELECT v.record_id, rt.file_name, v.sheet, v.row_number
        FROM current_{kind} v JOIN returns rt USING (return_id)""").df()
    recs["key"] = recs["file_name"].map(lambda f: os.path.basename(str(f)).lower())
    recs["row_number"] = recs["row_number"].astype("Int64")
    truth = truth.reset_index(drop=True)
    truth["_t"] = range(len(truth))
    truth["key"] = truth["file_name"].map(lambda f: os.path.basename(f).lower())
    truth["row_number"] = pd.to_numeric(truth["row_number"], errors="coerce").astype("Int64")
    if "sheet" not in truth.columns:
        truth["sheet"] = ""
    m = truth.merge(recs, on=["key", "row_number"], how="inner", suffixes=("", "_rec"))
    # the sheet decides only when file and row are ambiguous (several sheets in one workbook)
    m["sheet_ok"] = (m["sheet"].str.lower() == m["sheet_rec"].fillna("").astype(str).str.lower())
    m = m.sort_values(["_t", "sheet_ok"], ascending=[True, False])
    multi = m.groupby("_t")["record_id"].transform("size") > 1
    m = m[~multi | m["sheet_ok"]].drop_duplicates("_t")
    return (pd.DataFrame({"record_id": m["record_id"].values, "truth_id": m["person_id"].values}),
            len(truth) - len(m))


def _pairs(sizes) -> int:
    return int(sum(s * (s - 1) // 2 for s in sizes))


def evaluate(con, kind: str, truth_csv: str | os.PathLike, config=None, overrides=None,
             engine: str | None = None) -> dict[str, Any]:
    """Score linkage against a truth file. Returns a flat dict: person counts;
    pairwise_{precision,recall,f1} (record pairs put in one person); bcubed_* and
    exact_cluster_* (cluster level); blocking_recall (truth pairs that were candidate pairs).
    Runs the linkage afresh (nothing is written); records not in the truth file are left out."""
    cfg = _config(config, engine)
    run, roots, _best, _stats = _clusters(con, kind, cfg, overrides, cfg.threshold)
    truth, unmatched = _read_truth(con, kind, truth_csv)
    index = {rid: i for i, rid in enumerate(run.record_ids)}
    df = truth.drop_duplicates("record_id").copy()
    df["pred"] = [roots[index[r]] for r in df["record_id"]]
    both = df.groupby(["pred", "truth_id"]).size()
    pred_sizes = df.groupby("pred").size()
    true_sizes = df.groupby("truth_id").size()
    tp, pp, tpairs = _pairs(both), _pairs(pred_sizes), _pairs(true_sizes)

    def prf(p, r):
        return {"precision": round(p, 6), "recall": round(r, 6),
                "f1": round(2 * p * r / (p + r), 6) if p + r else 0.0}

    pairwise = prf(tp / pp if pp else 1.0, tp / tpairs if tpairs else 1.0)
    pairwise.update(true_positive_pairs=tp, predicted_pairs=pp, truth_pairs=tpairs)
    cell = both.rename("n").reset_index()
    cell["ps"] = cell["pred"].map(pred_sizes)
    cell["ts"] = cell["truth_id"].map(true_sizes)
    n = len(df)
    bcubed = prf(float((cell["n"] ** 2 / cell["ps"]).sum() / n) if n else 1.0,
                 float((cell["n"] ** 2 / cell["ts"]).sum() / n) if n else 1.0)
    exact = cell[(cell["n"] == cell["ps"]) & (cell["n"] == cell["ts"])]
    exact_c = prf(len(exact) / len(pred_sizes) if len(pred_sizes) else 1.0,
                  len(exact) / len(true_sizes) if len(true_sizes) else 1.0)
    # blocking recall: truth pairs that were candidate pairs at all
    found = 0
    if tpairs and run.api is not None:
        uid = df.assign(uid=[index[r] for r in df["record_id"]])[["uid", "truth_id"]]
        tp_pairs = uid.merge(uid, on="truth_id")
        tp_pairs = tp_pairs[tp_pairs["uid_x"] < tp_pairs["uid_y"]]
        reg = run.api.register(pd.DataFrame({"l": tp_pairs["uid_x"].astype("int64").values,
                                             "r": tp_pairs["uid_y"].astype("int64").values}))
        found = int(run.api.query_sql(
            f"SELECT count(*) AS n FROM {reg.physical_name} t JOIN {run.predictions} b "
            f"ON b.unique_id_l = t.l AND b.unique_id_r = t.r", "pandas")["n"].iloc[0])
    out: dict[str, Any] = {
        "kind": kind,
        "records": len(run.record_ids),
        "records_evaluated": n,
        "truth_rows_unmatched": unmatched,
        "persons_predicted": int(len(pred_sizes)),
        "persons_truth": int(len(true_sizes)),
        "persons_total": len(set(roots)),
    }
    for name, scores in (("pairwise", pairwise), ("bcubed", bcubed), ("exact_cluster", exact_c)):
        out.update({f"{name}_{k}": v for k, v in scores.items()})
    out.update({
        "candidate_pairs": run.candidate_pairs,
        "blocking_recall": round(found / tpairs, 6) if tpairs else 1.0,
        "threshold": cfg.threshold,
        "seconds": round(run.seconds, 3),
    })
    return out


@dataclass
class Explanation:
    record_id_a: str
    record_id_b: str
    prior_match_weight: float
    comparisons: list[dict[str, Any]]  # comparison, level, match_weight, bayes_factor (+ values)
    match_weight: float
    match_probability: float
    candidate_pair: bool  # found by a blocking rule (else never scored in a run)
    same_person: bool | None  # per the stored links, if any


def explain(con, kind: str, record_id_a: str, record_id_b: str, config=None,
            show_values: bool = False) -> Explanation:
    """Why two records are (not) one person: each comparison's level and match weight
    (log2 Bayes factor, term-frequency adjustment included) and the final probability.
    Compared values (names, dates) are included only with ``show_values``."""
    cfg = _config(config)
    features, record_ids = _features(con, kind, cfg)
    index = {rid: i for i, rid in enumerate(record_ids)}
    for rid in (record_id_a, record_id_b):
        if rid not in index:
            raise LinkageError(f"no current {kind} record with record_id {rid!r}")
    from splink import Linker

    api, records = _splink_engine(features, cfg, _store_encrypted(con))
    model = _build_model(api, records, cfg, len(record_ids))
    model["retain_matching_columns"] = True
    model["retain_intermediate_calculation_columns"] = True
    linker = Linker(records, model, log_level=None)
    rows = features.to_pylist()
    a, b = index[record_id_a], index[record_id_b]  # values come back in the order asked
    scored = linker.inference.score_pair(rows[a], rows[b], include_found_by_blocking_rules=True)
    out = scored.as_pandas_dataframe().iloc[0].to_dict()
    comps = []
    for comp in model["comparisons"]:
        name = comp["output_column_name"]
        gamma = int(out[f"gamma_{name}"])
        levels = comp["comparison_levels"]
        # gamma counts down from the first non-null level; -1 is the null level
        non_null = [lv for lv in levels if not lv.get("is_null_level")]
        label = "null" if gamma == -1 else non_null[len(non_null) - 1 - gamma]["label_for_charts"]
        mw = float(out.get(f"mw_{name}", 0.0) or 0.0) + float(out.get(f"mw_tf_adj_{name}", 0.0) or 0.0)
        entry = {"comparison": name, "level": label, "match_weight": round(mw, 4),
                 "bayes_factor": round(2 ** mw, 6)}
        if show_values:
            entry["values"] = {c[:-2]: (out[c], out[c[:-2] + "_r"]) for c in out
                               if c.endswith("_l") and c[:-2] + "_r" in out and not c.startswith(("tf_", "unique"))
                               and _belongs(c[:-2], name)}
        comps.append(entry)
    same = None
    k = KINDS[kind]
    try:
        got = dict(con.execute(f"SELECT record_id, person_id FROM {k}_links WHERE record_id IN (?, ?)",
                               [record_id_a, record_id_b]).fetchall())
        if len(got) == 2:
            same = got[record_id_a] == got[record_id_b]
    except duckdb.CatalogException:
        pass
    prior = cfg.prior(len(record_ids))
    return Explanation(record_id_a, record_id_b, round(math.log2(prior / (1 - prior)), 4), comps,
                       round(float(out["match_weight"]), 4), float(out["match_probability"]),
                       bool(out.get("found_by_blocking_rules", False)), same)


_COMP_COLUMNS = {"forename": ("fn", "fi", "fn_groups"), "surname": ("sn", "si", "sn_groups"),
                 "birth": ("dob", "age", "case_y", "case_md", "yob", "born_by", "dob_y", "dob_m", "dob_d", "dob_md"),
                 "sex": ("sex",), "area": ("area", "region"), "ethnicity": ("ethnicity",)}


def _belongs(col: str, comp: str) -> bool:
    return col in _COMP_COLUMNS.get(comp, ())


REVIEW_FIELDS = ["agency_id", "source_type", "forename", "surname", "initials", "dob", "age", "case_date",
                 "sex", "ethnicity", "area"]


def review_pairs(con, kind: str = "victims", low: float | None = None, high: float | None = None,
                 config=None, overrides=None) -> pd.DataFrame:
    """Borderline pairs (low <= match_probability < high) with both records side by side, for
    a person to decide. Pairs already decided in the overrides are left out. Add a
    ``decision`` (match / no-match) and feed the sheet to ``apply_overrides``."""
    cfg = _config(config)
    low = cfg.review_low if low is None else low
    high = cfg.review_high if high is None else high
    run = _run(con, kind, cfg, low)
    decided = {o.pair for o in _carry_over(con, kind, _resolve_overrides(overrides, cfg, kind),
                                           set(run.record_ids))[0]}
    e = run.edges[(run.edges["p"] >= low) & (run.edges["p"] < high)]
    ids = run.record_ids
    pairs = pd.DataFrame({"record_id_l": [ids[i] for i in e["uid_l"]], "record_id_r": [ids[i] for i in e["uid_r"]],
                          "match_probability": e["p"].round(6).values})
    if decided and len(pairs):
        keep = [tuple(sorted(p)) not in decided for p in zip(pairs["record_id_l"], pairs["record_id_r"], strict=True)]
        pairs = pairs[keep]
    recs = con.execute(f"SELECT record_id, {', '.join(REVIEW_FIELDS)} FROM current_{kind}").df()
    out = (pairs.merge(recs.add_suffix("_l"), on="record_id_l", how="left")
           .merge(recs.add_suffix("_r"), on="record_id_r", how="left"))
    cols = ["record_id_l", "record_id_r", "match_probability"]
    for f in REVIEW_FIELDS:
        cols += [f"{f}_l", f"{f}_r"]
    out = out[cols].sort_values(["match_probability", "record_id_l", "record_id_r"],
                                ascending=[False, True, True]).reset_index(drop=True)
    out["decision"] = ""
    return out


def write_truth_template(con, kind: str, path: str | os.PathLike) -> int:
    """Write the current person assignment as a truth-format csv (record_id,person_id)."""
    rows = con.execute(f"SELECT record_id, person_id FROM {KINDS[kind]}_links ORDER BY record_id").fetchall()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "person_id"])
        w.writerows(rows)
    return len(rows)


__all__ = [
    "Explanation", "LinkResult", "LinkageConfig", "LinkageConfigError", "LinkageError", "Override",
    "apply_overrides", "evaluate", "explain", "link_people", "load_linkage_config", "load_overrides",
    "review_pairs", "soundex",
]
