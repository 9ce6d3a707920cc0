"""Names a package exports but imports only when first used (PEP 562), so that `cse-audit tables`
on a precomputed store does not pay for YAML parsers or modules it never calls (config and state use it)."""

from __future__ import annotations

import importlib


def lazy_exports(package: str, where: dict[str, str]):
    """A module ``__getattr__`` for ``package``: name -> the submodule that defines it."""
    def __getattr__(name: str):
        try:
            module = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        vars(importlib.import_module(package))[name] = value  # found once, then a plain attribute
        return value

    return __getattr__
