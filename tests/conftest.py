"""Shared fixtures: a configuration folder for the nasty-file fixtures, and a temporary store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RETURNS = FIXTURES / "returns"


@pytest.fixture
def fixture_config_dir(tmp_path) -> Path:
    """The project's code lists, schema and settings, with the fixtures' mappings and registry."""
    return make_config_dir(tmp_path)


def make_config_dir(parent: Path) -> Path:
    """Write the fixtures' configuration folder under ``parent`` (see fixture_config_dir)."""
    root = parent / "configs"
    root.mkdir()
    for name in ("codes",):
        shutil.copytree(ROOT / "configs" / name, root / name)
    for path in (ROOT / "configs").glob("*.yaml"):
        if path.name != "agencies.yaml":
            shutil.copy(path, root / path.name)
    shutil.copytree(ROOT / "configs" / "mappings", root / "mappings")
    shutil.copytree(FIXTURES / "config" / "mappings", root / "mappings", dirs_exist_ok=True)
    shutil.copy(FIXTURES / "config" / "agencies.yaml", root / "agencies.yaml")
    return root


@pytest.fixture
def fixture_config(fixture_config_dir):
    from cse_audit.config import load_config

    return load_config(fixture_config_dir)


@pytest.fixture
def store(tmp_path):
    from cse_audit import store as store_mod

    con = store_mod.connect(tmp_path / "test.duckdb")
    yield con
    con.close()
