"""Where the shipped configuration lives."""

from __future__ import annotations

from pathlib import Path

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "configs"
