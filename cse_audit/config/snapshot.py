"""A configuration folder as data: its files' contents, a content hash, a copy written back out.

A store records the configuration it was built with (see cse_audit/state.py) so that later
commands use that one, never silently another; ``cse-audit init`` writes an editable copy of the
packaged defaults for an analyst's own project.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import ConfigError
from .paths import DEFAULT_CONFIG_DIR

# What a configuration folder is made of; anything else in it (a README, editor backups) is not
# configuration and does not change its hash.
SUFFIXES = (".yaml", ".yml")


def config_files(root: str | os.PathLike) -> dict[str, str]:
    """{relative path (with /): text} of every YAML file under ``root``, hidden ones left out."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(root, "", None, "configuration folder not found")
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and path.suffix.lower() in SUFFIXES and not any(p.startswith(".") for p in rel.parts):
            out[rel.as_posix()] = path.read_text(encoding="utf-8")
    return out


def content_hash(files: dict[str, str]) -> str:
    """sha256 over the files' names and contents: equal folders give equal hashes wherever they are."""
    h = hashlib.sha256()
    for name in sorted(files):
        for part in (name, files[name]):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
    return h.hexdigest()


def write_files(files: dict[str, str], root: str | os.PathLike) -> Path:
    """Write {relative path: text} under ``root`` (created), refusing paths that leave it."""
    root = Path(root)
    for name, text in files.items():
        target = (root / name).resolve()
        if root.resolve() not in target.parents:
            raise ConfigError(root, name, None, "a recorded configuration file lies outside its folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def materialise(files: dict[str, str]) -> Path:
    """Write a recorded configuration to a private temporary folder (removed when the process ends),
    so the ordinary loaders read it like any other folder."""
    import atexit
    import shutil
    import tempfile  # here, with shutil: a command that only hashes a folder does not pay for them

    folder = Path(tempfile.mkdtemp(prefix="cse-audit-config-"))  # mode 700
    atexit.register(shutil.rmtree, folder, True)
    return write_files(files, folder)


OVERRIDES_NAME = "link_overrides.yaml"
OVERRIDES_HEADER = (
    "# Project-wide reviewed decisions for linkage, obeyed by every store built with this folder\n"
    "# (configs/linkage.yaml names this file in overrides_file). Each store keeps its own decisions\n"
    "# too (`cse-audit link apply`); `cse-audit link export-decisions` writes them in this format.\n"
    "# victims: [{a: RECORD_ID, b: RECORD_ID, decision: match | no-match, note: why}]\n"
    "victims: []\noffenders: []\n")


def init_project(target: str | os.PathLike) -> Path:
    """Write an editable copy of the packaged configuration to TARGET/configs, with an empty
    project-wide overrides file that its linkage.yaml names. Refuses to overwrite a folder."""
    configs = Path(target) / "configs"
    if configs.exists():
        raise ConfigError(configs, "", None, "already exists; not overwritten (remove it or choose another folder)")
    files = config_files(DEFAULT_CONFIG_DIR)
    files.pop(OVERRIDES_NAME, None)
    lines = files["linkage.yaml"].splitlines(keepends=True)
    files["linkage.yaml"] = "".join(
        f"overrides_file: {OVERRIDES_NAME}     # project-wide reviewed decisions (written by cse-audit init)\n"
        if line.startswith("overrides_file:") else line for line in lines)
    files[OVERRIDES_NAME] = OVERRIDES_HEADER
    return write_files(files, configs)
