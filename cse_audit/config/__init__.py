"""Load and validate `configs/` into typed objects.

Everything is checked before any data is read: an unknown key, a missing code list, a bad
regex or a mapping naming a field that does not exist is a `ConfigError` that names the
file, the key and the line.

    errors.py    ConfigError
    yamlio.py    YAML with line numbers; key checks
    text.py      normalise(): the comparison key for headers and codes
    models.py    the typed configuration (Config, Mapping, SheetSpec, ColumnSpec, Agency, ...)
    mappings.py  one mapping file -> Mapping
    loaders.py   the whole folder -> Config (settings, schema, code lists, registry)
    paths.py     where the configuration comes from: --config, CSE_AUDIT_CONFIG, ./configs, packaged
    snapshot.py  a folder as data (files, content hash), written back out; `cse-audit init`
"""

from __future__ import annotations

from .errors import ConfigError
from .lazy import lazy_exports
from .paths import CONFIG_ENV, DEFAULT_CONFIG_DIR, find_config_dir
from .snapshot import config_files, content_hash, init_project, materialise
from .text import normalise

# The loaders, models and YAML reader are imported on first use (PEP 562): a command that only
# checks which configuration a store was built with (`tables` reading its precomputed result)
# must not pay for parsing machinery it never runs.
_LAZY = {
    "loaders": ("load_agencies", "load_code_list", "load_config", "load_fields", "load_settings", "load_template"),
    "mappings": ("load_mapping",),
    "models": ("COLUMN_KEYS", "DATE_STYLES", "DERIVERS", "KINDS", "MAPPING_KEYS", "PARSERS", "ROLE_KEYS",
               "SHEET_KEYS", "SOURCE_TYPES", "Agency", "CodeList", "ColumnSpec", "Config", "FieldDef", "Limits",
               "Mapping", "RoleSpec", "Settings", "SheetSpec", "TemplateSpec"),
    "yamlio": ("load_yaml",),
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}


__getattr__ = lazy_exports(__name__, _WHERE)


__all__ = [
    "CONFIG_ENV", "COLUMN_KEYS", "DATE_STYLES", "DEFAULT_CONFIG_DIR", "DERIVERS", "KINDS", "MAPPING_KEYS", "PARSERS",
    "ROLE_KEYS", "SHEET_KEYS", "SOURCE_TYPES", "Agency", "CodeList", "ColumnSpec", "Config", "ConfigError",
    "FieldDef", "Limits", "Mapping", "RoleSpec", "Settings", "SheetSpec", "TemplateSpec", "load_agencies",
    "config_files", "content_hash", "find_config_dir", "init_project", "materialise",
    "load_code_list", "load_config", "load_fields", "load_mapping", "load_settings", "load_template",
    "load_yaml", "normalise",
]
