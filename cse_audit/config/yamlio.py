"""YAML loading that keeps each key's line number, and the key checks built on it.

Safe loading only (a SafeLoader subclass): configuration is data, never code.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ConfigError


class _LineDict(dict):
    """A dict that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict


# libyaml's parser when PyYAML was built with it (about 5x faster on agencies.yaml); the marks
# that give line numbers are the same.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.MarkedYAMLError("while constructing a mapping", node.start_mark,
                                       f"duplicate key {key!r}", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ConfigError(path, "", mark.line + 1 if mark else None,
                          f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(path, "", None, f"not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(path, "", None, f"cannot read: {exc.strerror}") from exc


def _line(d, key=None) -> int | None:
    if isinstance(d, _LineDict):
        return d.lines.get(key, d.line) if key is not None else d.line
    return None


def _check_keys(d, allowed, path, where: str) -> None:
    if not isinstance(d, dict):
        raise ConfigError(path, where, None, f"expected a mapping of keys, got {type(d).__name__}")
    for key in d:
        if key == "TODO":
            # Left by `cse-audit mapping draft` where it could not decide.
            raise ConfigError(path, f"{where}.{key}" if where else str(key), _line(d, key),
                              f"undecided in a drafted mapping: {d[key]}; decide it, then delete the TODO")
        if key not in allowed:
            raise ConfigError(path, f"{where}.{key}" if where else str(key), _line(d, key),
                              f"unknown key{did_you_mean(key, allowed)}; allowed here: {', '.join(sorted(allowed))}")


def did_you_mean(word, known) -> str:
    """' (did you mean 'age'?)' for a mistyped key or field name with one close known name, else ''
    (a list of 18 fields is long to search for the one meant)."""
    import difflib

    close = difflib.get_close_matches(str(word), [str(k) for k in known], n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _require(d, key, path, where: str):
    if key not in d:
        raise ConfigError(path, f"{where}.{key}" if where else key, _line(d), "required key is missing")
    return d[key]
