"""The one error every configuration problem becomes: it names the file, the key and the line."""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """A configuration file is wrong. Names the file, the key and the line."""

    def __init__(self, file: str | Path, key: str, line: int | None, message: str):
        self.file, self.key, self.line, self.message = str(file), key, line, message
        at = f"{file}, line {line}" if line else str(file)
        super().__init__(f"{at}, key {key!r}: {message}" if key else f"{at}: {message}")
