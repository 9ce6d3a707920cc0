"""Linkage settings: read and validate configs/linkage.yaml into a LinkageConfig.

Everything a run is configured by (threshold, prior, u sampling, comparisons' m values,
blocking rules, merge rules, engine) is parsed and checked here, with the nickname table and
the agency registry's force areas it names; nothing here touches a store or Splink."""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..config import DEFAULT_CONFIG_DIR
from ..config.models import SOURCE_TYPES
from .errors import LinkageConfigError
from .levels import LEVELS, OPTIONAL_COMPARISONS, OPTIONAL_LEVELS
from .names import normalise_name
from .rulecheck import _check_blocking_rule, _parse_em_rule

DEFAULT_CONFIG = DEFAULT_CONFIG_DIR / "linkage.yaml"

KINDS = {"victims": "victim", "offenders": "offender"}

MERGE_RULES = {"majority", "precedence", "max", "from_dob_record"}
BACKENDS = ("duckdb", "spark")


@dataclass(frozen=True)
class ComparisonSettings:
    m: dict[str, dict[str, float]]
    tf: bool = False
    jaro_winkler: float = 0.9
    damerau_levenshtein: int = 1
    # associates only: a name its return lists with more than most_listed of the record's own kind
    # says nothing of which one; a name with a word of not_names is no one's (features.py)
    most_listed: int = 5
    not_names: frozenset[str] = frozenset()


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
    em_min_records: int  # fewer records: the stated m are used (EM needs data)
    prior_from_data: bool  # the stated prior is a starting point; the prior (and per pair group) from the data
    u_pairs_per_record: float  # u sample: this many pairs per record, at most u_max_pairs
    reference_period: tuple[Any, Any]  # dates an age with no case date (settings.yaml)
    agency_periods: dict[str, tuple[Any, Any]]  # an agency's own period (agencies.yaml)
    review_low: float
    review_high: float
    person_id_prefix: dict[str, str]
    nicknames: dict[str, tuple[str, ...]]  # normalised name -> nickname groups
    force_areas: dict[str, tuple[str, ...]]  # lower-case area -> its police force area(s), lower case
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
    # EM on a blocking rule with more pairs than this uses about this many (Splink's record
    # sampling); null = every pair. A rule like [dob] grows with the square of the records.
    em_max_pairs: float | None = None
    # (str(rule), comparisons) per EM rule whose session leaves out comparisons besides the
    # rule's own fields, e.g. sex and ethnicity where it blocks on names (see _parse_em_rule)
    em_leave_out: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # agency id -> (its area, lower case; its force areas), for agencies listing several: the
    # records of a charity working in two forces are in each, though its area's name names one
    agency_areas: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def spans_forces(self) -> bool:
        """Some area or agency lies in several police force areas (agencies.yaml)."""
        return bool(self.agency_areas) or any(len(v) > 1 for v in self.force_areas.values())

    def prior(self, n_records: int) -> float:
        if self.probability_two_random_records_match is not None:
            return self.probability_two_random_records_match
        p = (self.records_per_person - 1.0) / max(n_records - 1, 1)
        return min(max(p, 1e-12), 0.5)



def _safe_load(text: str):
    """Safe YAML loading, with libyaml's parser when PyYAML has it (agencies.yaml and
    nicknames.yaml parse in a tenth of the pure-Python time: 0.6 s per link run before)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders only

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


def _bool(value: Any, where: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise LinkageConfigError(f"{path}: '{where}' must be true or false, got {value!r}")
    return value


def _file_name(value: Any, where: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LinkageConfigError(f"{path}: '{where}' must be a file name, got {value!r}")
    return value


# DuckDB memory sizes: a number and a unit ("3GB", "512 MiB"). Anything else never reaches SQL.
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)


def _memory_limit(value: Any, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _MEMORY_SIZE.fullmatch(value.strip()):
        raise LinkageConfigError(f"{path}: 'engine.memory_limit' must be a size such as 3GB or 512MiB, "
                                 f"got {str(value)[:40]!r}")
    return value.strip()


def _threads(value: Any, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
        raise LinkageConfigError(f"{path}: 'engine.threads' must be a whole number from 1 to 1024")
    return value


def _no_nul(value: Any, where: str, path: Path) -> None:
    """No NUL character anywhere: it cannot be part of a SQL string (and never of a real value)."""
    if isinstance(value, dict):
        for k, v in value.items():
            _no_nul(k, where, path)
            _no_nul(v, f"{where}.{k}" if where else str(k), path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_nul(v, f"{where}[{i}]", path)
    elif isinstance(value, str) and "\x00" in value:
        raise LinkageConfigError(f"{path}: '{where}' holds a NUL character")


def _load_nicknames(path: Path) -> dict[str, tuple[str, ...]]:
    try:
        data = _safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise LinkageConfigError(f"{path}: cannot read nickname table ({exc})") from exc
    except yaml.YAMLError as exc:  # a !!python tag or a syntax error: a config error, not a crash
        raise LinkageConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0][:200]})") from exc
    _check_keys(data, {"groups"}, "", path)
    raw_groups = data.get("groups") or {}
    if not isinstance(raw_groups, dict):
        raise LinkageConfigError(f"{path}: 'groups' must map a name to its nicknames")
    groups: dict[str, set[str]] = defaultdict(set)
    for key, names in raw_groups.items():
        if not isinstance(names, list) or not all(isinstance(n, (str, int)) for n in [key, *names]):
            raise LinkageConfigError(f"{path}: 'groups.{key}' must be a list of names")
        key, names = str(key), [str(n) for n in names]
        canon = normalise_name(key)
        for name in [key, *names]:
            if normalise_name(name):
                groups[normalise_name(name)].add(canon)
    return {name: tuple(sorted(g)) for name, g in sorted(groups.items())}


def _registry(path: Path) -> list[dict]:
    try:
        data = _safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LinkageConfigError(f"{path}: cannot read the agency registry for areas ({exc})") from exc
    return [a for a in data.get("agencies") or [] if isinstance(a, dict)]


def _agency_forces(agency: dict) -> list[str]:
    force = agency.get("force_area")
    return [str(f).strip().lower() for f in ([force] if isinstance(force, str) else list(force or []))]


def _load_force_areas(path: Path, agencies: list[dict] | None = None) -> dict[str, tuple[str, ...]]:
    """area -> force area(s) from the agency registry (agencies.yaml), so that a council's area
    (e.g. Birmingham) and a police force's (West Midlands) can count as the same place. A
    council bordering two forces lists both (``force_area: [A, B]``). An area named as a police
    force area is that force's alone: a charity based in "Merrowdale" that also works in a
    neighbouring force does not put the Merrowdale police's records in two forces (its own
    records are in both: _load_agency_areas). ``agencies``: the registry as read (else read)."""
    agencies = _registry(path) if agencies is None else agencies
    out: dict[str, list[str]] = {}
    for agency in agencies:
        area, forces = agency.get("area"), _agency_forces(agency)
        if area and forces:
            key = str(area).strip().lower()
            for f in forces:
                if f not in out.setdefault(key, []):
                    out[key].append(f)
    for force in {f for agency in agencies for f in _agency_forces(agency)}:
        out[force] = [force]
    return {k: tuple(v) for k, v in sorted(out.items())}


def _load_agency_areas(path: Path, agencies: list[dict] | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """agency id -> (its area, its force areas) for the agencies that list several force areas."""
    out = {}
    for agency in _registry(path) if agencies is None else agencies:
        forces = tuple(dict.fromkeys(_agency_forces(agency)))
        if agency.get("id") and agency.get("area") and len(forces) > 1:
            out[str(agency["id"])] = (str(agency["area"]).strip().lower(), forces)
    return out


def _date(value: Any, where: str, path: Path):
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise LinkageConfigError(f"{path}: '{where}' must be a date (YYYY-MM-DD), got {value!r}") from None


def _period(raw: Any, where: str, path: Path) -> tuple[Any, Any]:
    d = _check_keys(raw, {"from", "to"}, where, path)
    if "from" not in d or "to" not in d:
        raise LinkageConfigError(f"{path}: '{where}' needs from and to")
    lo, hi = _date(d["from"], f"{where}.from", path), _date(d["to"], f"{where}.to", path)
    if hi < lo:
        raise LinkageConfigError(f"{path}: '{where}' ends before it starts")
    return lo, hi


DEFAULT_PERIOD = ("2008-01-01", "2011-03-31")  # the CEOP call for data: cases since 1 January 2008


def _load_periods(settings_path: Path, registry_path: Path | None, registry: list[dict] | None = None):
    """The call for data's reference period (settings.yaml ``reference_period``) and any
    agency's own (agencies.yaml ``reference_period``): what dates an age given without a date."""
    default = _period({"from": DEFAULT_PERIOD[0], "to": DEFAULT_PERIOD[1]}, "reference_period", settings_path)
    if settings_path.exists():
        try:
            raw = _safe_load(settings_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LinkageConfigError(f"{settings_path}: cannot read ({exc})") from exc
        if isinstance(raw, dict) and raw.get("reference_period") is not None:
            default = _period(raw["reference_period"], "reference_period", settings_path)
    agencies = {}
    if registry_path is not None:
        for i, a in enumerate(_registry(registry_path) if registry is None else registry):
            if a.get("reference_period") is not None:
                agencies[str(a.get("id"))] = _period(a["reference_period"], f"agencies[{i}].reference_period",
                                                     registry_path)
    return default, agencies


def _whole(value: Any, where: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise LinkageConfigError(f"{path}: '{where}' must be a whole number from 1 to 1000, got {value!r}")
    return value


def _names_list(raw, where: str, path: Path) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise LinkageConfigError(f"{path}: '{where}' must be a list of words")
    return raw


def _parse_comparisons(raw: dict, path: Path) -> dict[str, ComparisonSettings]:
    _check_keys(raw, set(LEVELS), "comparisons", path)
    out = {}
    for comp, groups in LEVELS.items():
        where = f"comparisons.{comp}"
        if comp in OPTIONAL_COMPARISONS and comp not in raw:
            continue
        extra = {"most_listed", "not_names"} if comp == "associates" else set()
        c = _check_keys(raw.get(comp), {"m", "tf", "jaro_winkler", "damerau_levenshtein", *extra}, where, path)
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
            optional = OPTIONAL_LEVELS.get((comp, group), frozenset())
            missing = [lv for lv in levels if lv not in g and lv not in optional]
            if missing:
                raise LinkageConfigError(f"{path}: '{gw}' lacks m for {', '.join(missing)}")
            m[group] = {lv: _num(g[lv], f"{gw}.{lv}", path, 1e-9, 1.0) for lv in levels if lv in g}
            total = sum(v for lv, v in m[group].items() if lv not in optional)
            if abs(total - 1.0) > 0.011:
                raise LinkageConfigError(f"{path}: m values under '{gw}' sum to {total:.3f}, not 1"
                                         + (f" (without {', '.join(sorted(optional))})" if optional else ""))
        out[comp] = ComparisonSettings(
            m=m, tf=bool(c.get("tf", False)),
            jaro_winkler=_num(c.get("jaro_winkler", 0.9), f"{where}.jaro_winkler", path, 0, 1),
            damerau_levenshtein=int(_num(c.get("damerau_levenshtein", 1),
                                         f"{where}.damerau_levenshtein", path, 0, 5)),
            most_listed=_whole(c.get("most_listed", 5), f"{where}.most_listed", path),
            not_names=frozenset(normalise_name(x) for x in _names_list(c.get("not_names"), f"{where}.not_names", path)))
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
            raw_combine, order = spec.get("combine") or {}, spec.get("order") or []
            if not isinstance(raw_combine, dict) or not all(isinstance(v, list) for v in raw_combine.values()):
                raise LinkageConfigError(f"{path}: '{where}.combine' must map each value to a list of values")
            if not isinstance(order, list):
                raise LinkageConfigError(f"{path}: '{where}.order' must be a list of values")
            # values, not SQL: merge.py passes them through store.sql_literal
            combine = {str(k): tuple(str(x) for x in v) for k, v in raw_combine.items()}
            rules[fld] = FieldRule(rule=rule, order=tuple(str(x) for x in order),
                                   combine=combine, within=within)
        out[kind] = rules
    priority = raw.get("source_priority") or []
    if not isinstance(priority, list) or any(s not in SOURCE_TYPES for s in priority):
        raise LinkageConfigError(f"{path}: 'merge.source_priority' must list source types "
                                 f"({', '.join(SOURCE_TYPES)})")
    return [str(s) for s in priority], out


_MERGEABLE = {
    "victims": ["sex", "ethnicity", "ethnicity_detail", "dob", "age", "missing_status", "missing_from",
                "missing_episodes", "looked_after"],
    "offenders": ["sex", "ethnicity", "ethnicity_detail", "dob", "age", "identified"],
}
_TOP_KEYS = {
    "threshold", "cannot_link_below", "probability_two_random_records_match", "records_per_person", "u_sampling", "em",
    "prior_from_data",
    "review", "person_id_prefix", "nicknames_file", "areas_file", "overrides_file", "unknown_names", "unknown_values",
    "engine", "comparisons", "blocking_rules", "merge",
}


def load_linkage_config(path: str | os.PathLike | None = None) -> LinkageConfig:
    """Read and validate configs/linkage.yaml (or ``path``). Unknown keys are errors."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = _safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise LinkageConfigError(f"{path}: cannot read linkage config ({exc})") from exc
    except yaml.YAMLError as exc:
        raise LinkageConfigError(f"{path}: not valid YAML ({exc})") from exc
    _check_keys(raw, _TOP_KEYS, "", path)
    _no_nul(raw, "", path)
    us = _check_keys(raw.get("u_sampling"), {"max_pairs", "seed", "pairs_per_record"}, "u_sampling", path)
    em = _check_keys(raw.get("em"), {"enabled", "blocking_rules", "min_records", "max_pairs"}, "em", path)
    areas_file = path.parent / _file_name(raw.get("areas_file"), "areas_file", path) if raw.get("areas_file") else None
    # the agency registry read once (it was four times a load: 9 ms each)
    registry = _registry(areas_file) if areas_file else None
    period, agency_periods = _load_periods(path.parent / "settings.yaml", areas_file, registry)
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
    if not isinstance(rules, list):
        raise LinkageConfigError(f"{path}: 'blocking_rules' must be a list")
    for i, rule in enumerate(rules):
        _check_blocking_rule(rule, f"blocking_rules[{i}]", path)
    em_rules = em.get("blocking_rules") or [["dob"]]
    if not isinstance(em_rules, list):
        raise LinkageConfigError(f"{path}: 'em.blocking_rules' must be a list")
    comparisons = _parse_comparisons(raw.get("comparisons") or {}, path)
    em_parsed = [_parse_em_rule(rule, f"em.blocking_rules[{i}]", path, comparisons)
                 for i, rule in enumerate(em_rules)]
    em_rules = [rule for rule, _ in em_parsed]
    nick = raw.get("nicknames_file")
    over = raw.get("overrides_file")
    source_priority, merge = _parse_merge(raw.get("merge") or {}, path)
    return LinkageConfig(
        threshold=_num(raw.get("threshold", 0.9), "threshold", path, 0.0, 1.0),
        cannot_link_below=(None if raw.get("cannot_link_below") is None
                           else _num(raw["cannot_link_below"], "cannot_link_below", path, 0.0, 1.0)),
        probability_two_random_records_match=(
            None if prior is None else _num(prior, "probability_two_random_records_match", path, 1e-12, 1)),
        records_per_person=_num(raw.get("records_per_person", 1.25), "records_per_person", path, 1.0, 1e6),
        u_max_pairs=_num(us.get("max_pairs", 2e6), "u_sampling.max_pairs", path, 1, 1e12),
        u_seed=int(_num(us.get("seed", 1), "u_sampling.seed", path, 0, 2**31)),
        em_enabled=_bool(em.get("enabled", False), "em.enabled", path),
        em_blocking_rules=list(em_rules),
        em_leave_out=tuple((str(rule), leave) for rule, leave in em_parsed if leave),
        em_min_records=int(_num(em.get("min_records", 150), "em.min_records", path, 0, 1e12)),
        prior_from_data=_bool(raw.get("prior_from_data", False), "prior_from_data", path),
        u_pairs_per_record=_num(us.get("pairs_per_record", 200), "u_sampling.pairs_per_record", path, 1, 1e9),
        reference_period=period,
        agency_periods=agency_periods,
        review_low=_num(rv.get("low", 0.3), "review.low", path, 0, 1),
        review_high=_num(rv.get("high", 0.97), "review.high", path, 0, 1),
        person_id_prefix={"victims": "V-", "offenders": "O-", **(pid or {})},
        nicknames=_load_nicknames(path.parent / nick) if nick else {},
        force_areas=_load_force_areas(areas_file, registry) if areas_file else {},
        agency_areas=_load_agency_areas(areas_file, registry) if areas_file else {},
        overrides_file=(path.parent / over) if over else None,
        unknown_names=frozenset(normalise_name(x) for x in raw.get("unknown_names") or []),
        unknown_values=tuple(str(x) for x in raw.get("unknown_values") or ["Unknown"]),
        threads=_threads(eng.get("threads"), path),
        memory_limit=_memory_limit(eng.get("memory_limit"), path),
        backend=backend,
        comparisons=comparisons,
        blocking_rules=rules,
        source_priority=source_priority,
        merge=merge,
        source=path,
        em_max_pairs=(None if em.get("max_pairs") is None
                      else _num(em["max_pairs"], "em.max_pairs", path, 1e4, 1e12)),
    )


def _check_engine(engine: str | None) -> str | None:
    if engine is not None and engine not in BACKENDS:
        raise LinkageConfigError(f"engine must be one of {', '.join(BACKENDS)}, got {engine!r}")
    return engine


def _config(config: LinkageConfig | str | os.PathLike | None, engine: str | None = None) -> LinkageConfig:
    cfg = config if isinstance(config, LinkageConfig) else load_linkage_config(config)
    engine = _check_engine(engine)
    return replace(cfg, backend=engine) if engine and engine != cfg.backend else cfg
