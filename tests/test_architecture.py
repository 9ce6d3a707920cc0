"""The shape of the package: one folder per stage, small modules, no import cycles.

These are the rules of docs/architecture.md, checked so that they stay true as the code grows.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cse_audit"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _path(module: str) -> Path:
    base = PACKAGE.parent.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _top_level_imports(module: str) -> set[str]:
    """cse_audit modules imported when `module` is imported (module level, not TYPE_CHECKING)."""
    path = _path(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("cse_audit"):
                out.add(target)
                for alias in node.names:  # `from . import store` imports a module
                    if f"{target}.{alias.name}" in _MODULES:
                        out.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("cse_audit")}
    return {m for m in out if m in _MODULES and m != module}


_MODULES = _modules()


def test_every_stage_is_a_folder():
    stages = {"config", "ingest", "linkage", "tables", "outputs", "authoring", "synth", "cli"}
    assert stages <= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    flat = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert flat == {"store"}, f"modules outside a stage folder: {sorted(flat - {'store'})}"


def test_no_module_is_too_long():
    long = {m: n for m in _MODULES if (n := len(_path(m).read_text().splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_long_functions_say_why():
    unexplained = []
    for m in _MODULES:
        for node in ast.walk(ast.parse(_path(m).read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                doc = (ast.get_docstring(node) or "").lower()
                if length > MAX_FUNCTION_LINES and "long because" not in doc:
                    unexplained.append(f"{m}.{node.name} ({length} lines)")
    assert not unexplained, f"functions over {MAX_FUNCTION_LINES} lines without 'Long because': {unexplained}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles in a module graph (a package importing its own submodules is not one)."""
    seen, on_path, cycles = set(), [], []

    def visit(m):
        if m in on_path:
            cycles.append(on_path[on_path.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        on_path.append(m)
        for dep in sorted(graph[m]):
            if not dep.startswith(m + "."):
                visit(dep)
        on_path.pop()

    for m in sorted(graph):
        visit(m)
    return cycles


def test_no_import_cycles():
    graph = {m: _top_level_imports(m) for m in _MODULES}
    cycles = _cycles(graph)
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_cycle_check_finds_a_cycle():
    """The checks themselves: a planted cycle is found, and real imports are seen."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"p": {"p.x"}, "p.x": set()}) == []
    assert "cse_audit.store" in _top_level_imports("cse_audit.linkage.link")


@pytest.mark.slow
def test_each_module_imports_alone():
    """Each module imported first, in a fresh interpreter: an import cycle or a missing import
    that only works because of import order fails here."""

    def attempt(module):
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
        return module, done.returncode, done.stderr.strip().splitlines()[-1:] if done.stderr else []

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [(m, err) for m, rc, err in pool.map(attempt, _MODULES) if rc != 0]
    assert not failures, failures


def test_entry_points_are_exposed():
    import cse_audit

    for name in ("load_config", "open_store", "ingest_returns", "validate_returns", "link", "build_tables",
                 "build_completeness", "write_report", "draft_mapping", "generate_returns"):
        assert callable(getattr(cse_audit, name)), name
    assert set(cse_audit.__all__) <= set(dir(cse_audit))
    with pytest.raises(AttributeError):
        cse_audit.no_such_entry_point  # noqa: B018
