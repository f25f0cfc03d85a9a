"""The code's layering stays one way: lessons -> autograder -> qmlkit.

The import graph is read from the source with :mod:`ast` (no imports are executed), so
these tests also see imports inside functions.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("qmlkit", "autograder")


def _modules() -> dict[str, Path]:
    mods: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "student_lessons" in rel.parts:
                continue
            mods[".".join(rel.with_suffix("").parts).removesuffix(".__init__")] = path
    return mods


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict[str, dict[str, str]]:
    """``{module: {imported module: "top" | "lazy"}}`` inside the two packages."""
    mods = _modules()
    edges: dict[str, dict[str, str]] = defaultdict(dict)
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = {
            id(node)
            for func in ast.walk(tree)
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(func)
        }
        typing_only = {
            id(node)
            for branch in ast.walk(tree)
            if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
            for node in ast.walk(branch)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(module, path, node)
                targets = [target] + [
                    f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in mods
                ]
            else:
                continue
            if id(node) in typing_only:
                continue
            for target in targets:
                if target.split(".")[0] not in PACKAGES:
                    continue
                while target not in mods and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target != module:
                    kind = "lazy" if id(node) in lazy else "top"
                    if edges[module].get(target) != "top":
                        edges[module][target] = kind
    return edges


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, str]]:
    return import_graph()


def test_the_graph_is_read(graph):
    """Does the reader see the edges we know exist (so the tests below can fail)?"""
    assert "autograder.engine" in graph["autograder"]
    assert any(dst.startswith("qmlkit") for dst in graph["autograder.classroom.wire"])


def test_qmlkit_never_imports_autograder(graph):
    """Is qmlkit usable on its own: no import of autograder, not even a lazy one?"""
    upward = sorted(
        f"{src} -> {dst}"
        for src, dsts in graph.items()
        if src.startswith("qmlkit")
        for dst in dsts
        if dst.startswith("autograder")
    )
    assert not upward, f"qmlkit must not depend on the grader: {upward}"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_at_import_time(graph):
    """Can every module be imported without a circular import (package parents aside)?"""
    top = {
        src: {dst for dst, kind in dsts.items() if kind == "top" and not src.startswith(dst + ".")}
        for src, dsts in graph.items()
    }
    assert _cycles(top) == []


def test_checks_do_not_import_each_other(graph):
    """Is every lesson's checker file self-contained (shared helpers live outside checks/lessonNN)?"""
    crossing = sorted(
        f"{src} -> {dst}"
        for src, dsts in graph.items()
        if src.startswith("autograder.checks.lesson")
        for dst in dsts
        if dst.startswith("autograder.checks.lesson")
    )
    assert not crossing, crossing
