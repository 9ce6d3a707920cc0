"""Where the configuration comes from.

The package's own defaults: cse_audit/default_configs/ in an installed wheel (setup.py copies the
top-level configs/ there), else the checkout's configs/ (an editable install or a source tree).

A command finds its configuration folder in this order: --config, then the CSE_AUDIT_CONFIG
environment variable, then ./configs when the current folder has one, then the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_PACKAGED = _PACKAGE / "default_configs"
DEFAULT_CONFIG_DIR = _PACKAGED if _PACKAGED.is_dir() else _PACKAGE.parent / "configs"

CONFIG_ENV = "CSE_AUDIT_CONFIG"


def find_config_dir(explicit: str | os.PathLike | None = None) -> tuple[Path, str]:
    """(folder, how it was chosen): --config, CSE_AUDIT_CONFIG, ./configs, or the packaged defaults.

    ./configs counts only when it looks like a configuration folder (it has a schema.yaml), so an
    unrelated folder of that name in the current directory is not taken by mistake."""
    if explicit:
        return Path(explicit), "--config"
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env), CONFIG_ENV
    local = Path("configs")
    if (local / "schema.yaml").is_file():
        return local, "./configs"
    return DEFAULT_CONFIG_DIR, "packaged defaults"


def is_explicit(how: str) -> bool:
    """Chosen by the user for this run (--config or the environment), not found by default."""
    return how in ("--config", CONFIG_ENV)
