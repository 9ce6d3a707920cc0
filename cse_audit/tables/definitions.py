"""What the headline tables are: their names, categories, bands, and where their settings come from.

The table names and code lists, the defaults of configs/tables.yaml and the loaders of that file and
of the agency registry. Separate because every other module of the package (and the CLI, which
checks table names) reads these, and none of it touches the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import DEFAULT_CONFIG_DIR

TABLE_NAMES = [
    "sources",
    "victims_missing",
    "victims_sex",
    "victims_age",
    "victims_ethnicity",
    "victims_looked_after",
    "victims_overlap",
    "offenders_sex",
    "offenders_age",
    "offenders_ethnicity",
    "offenders_ethnicity_reliable",
    "offender_groups",
]

SOURCE_TYPES = {"police": "Police forces", "lscb": "LSCBs and children's services", "ngo": "Voluntary sector"}
SOURCE_COLUMNS = [
    "agencies_asked", "agencies_responded", "nil_returns", "cases",
    "victim_records", "victims", "offender_records", "offenders",
]
UNKNOWN = "Unknown"
ETHNICITY = ["White", "Asian", "Black", "Chinese", "Mixed", "Other", UNKNOWN]
SEX = ["Female", "Male", UNKNOWN]
MISSING = ["Reported missing", "Not reported missing", UNKNOWN]
MISSING_FROM = ["Home", "Care", "Both", UNKNOWN]
YES_NO = ["Yes", "No", UNKNOWN]
OVERLAP = ["Reported by one agency", "Reported by two agencies", "Reported by three or more agencies"]
MIXED_GROUP = "More than one ethnicity"

MARKER_KEY = (
    "Markers (GSS): [c] confidential, suppressed to protect a small count; [x] not available; "
    "[z] not applicable. A true zero is shown as 0."
)

_VICTIM_FIELDS = ["sex", "ethnicity", "ethnicity_detail", "age", "missing_status", "missing_from",
                  "missing_episodes", "looked_after"]
_OFFENDER_FIELDS = ["sex", "ethnicity", "ethnicity_detail", "age", "identified"]


def _bands(*spec: tuple[str, int, int | None]) -> list[dict]:
    return [{"label": label, "min": lo, "max": hi} for label, lo, hi in spec]


# Fallbacks when configs/tables.yaml is absent; the file is the place to change them.
DEFAULT_CONFIG: dict[str, Any] = {
    "reliable_offenders": {"field": "identified", "equals": "Yes"},
    "victim_age_bands": _bands(("Under 10", 0, 9), ("10-11", 10, 11), ("12-13", 12, 13), ("14", 14, 14),
                               ("15", 15, 15), ("16-17", 16, 17), ("18+", 18, None)),
    "offender_age_bands": _bands(("Under 18", 0, 17), ("18-24", 18, 24), ("25-34", 25, 34),
                                 ("35-44", 35, 44), ("45+", 45, None)),
    "episode_bands": _bands(("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10 or more", 10, None)),
    "group_size_bands": _bands(("2 offenders", 2, 2), ("3-4 offenders", 3, 4), ("5-8 offenders", 5, 8),
                               ("More than 8 offenders", 9, None)),
    "asian_detail": ["Pakistani", "Indian", "Bangladeshi", "Any other Asian"],
    "disclosure": {"threshold": 5, "exempt_columns": ["agencies_asked", "agencies_responded", "nil_returns"]},
}


class TablesError(ValueError):
    """A table name, period or table configuration is wrong."""



def load_config(config: dict | str | Path | None = None) -> dict:
    """The tables configuration: defaults overlaid with a dict, a YAML file, or configs/tables.yaml."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_CONFIG.items()}
    if config is None:
        path = DEFAULT_CONFIG_DIR / "tables.yaml"
        config = path if path.exists() else {}
    if isinstance(config, (str, Path)):
        import yaml

        try:
            config = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise TablesError(f"{config}: cannot read the tables configuration ({exc})") from exc
        if not isinstance(config, dict):
            raise TablesError("tables configuration: expected a mapping at the top level")
    for key, value in config.items():
        if key not in DEFAULT_CONFIG:
            raise TablesError(f"tables configuration: unknown key {key!r} (known: {', '.join(DEFAULT_CONFIG)})")
        if isinstance(merged[key], dict) and not isinstance(value, dict):
            raise TablesError(f"tables configuration: {key} must be a mapping")
        merged[key] = {**merged[key], **value} if isinstance(merged[key], dict) else value
    field = merged["reliable_offenders"].get("field") if isinstance(merged["reliable_offenders"], dict) else None
    if field not in _OFFENDER_FIELDS:
        # the field becomes a column name in SQL: only a known merged offender field
        raise TablesError(f"tables configuration: reliable_offenders.field must be one of "
                          f"{', '.join(_OFFENDER_FIELDS)}")
    for key in ("victim_age_bands", "offender_age_bands", "episode_bands", "group_size_bands"):
        for band in merged[key]:
            if not isinstance(band, dict) or "label" not in band or "min" not in band:
                raise TablesError(f"tables configuration: {key}: each band needs label and min, got {band!r}")
    return merged


def load_registry(path: str | Path | None = None) -> list[dict] | None:
    """Agency registry entries from configs/agencies.yaml (None when there is no registry file)."""
    path = Path(path) if path else DEFAULT_CONFIG_DIR / "agencies.yaml"
    if not path.exists():
        return None
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("agencies") or []) if isinstance(data, dict) else list(data)


def _entry(entry: Any, key: str, default: Any = None) -> Any:
    # Registry entries may be plain dicts or typed config objects.
    return entry.get(key, default) if isinstance(entry, dict) else getattr(entry, key, default)

