"""Names a learner's function refers to, read from the submitted source in the trusted
process.

The sandbox can report the names a function's compiled code uses, but the sandbox is the
learner's: a submission can make it report anything. Checks that forbid a library
function (05.zz_feature_map must not call Qiskit's feature map) therefore also look at
the source cells here, where the learner has no say. Module-level imports are resolved to
their qualified names, so an alias (``from qiskit.circuit.library import zz_feature_map as
zzf``) is still recognised; later definitions shadow earlier imports, as in Python.

>>> cells = ["import qiskit.circuit.library as lib",
...          "def f(x):\\n    return lib.zz_feature_map(2).assign_parameters(x)"]
>>> sorted(n for n in function_names(cells, "f") if "feature" in n)
['qiskit.circuit.library.zz_feature_map', 'zz_feature_map']
"""

from __future__ import annotations

import ast

_LOCAL = "<local>"


def _parse(source: str) -> ast.Module | None:
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # IPython missing or odd syntax: parse as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _bind_imports(node: ast.AST, bindings: dict[str, str]) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                bindings[alias.asname] = alias.name
            else:
                top = alias.name.split(".", 1)[0]
                bindings[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module:
        for alias in node.names:
            bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def function_names(cells: list[str], function: str, limit: int = 2000) -> set[str]:
    """Names the last top-level definition of ``function`` in ``cells`` refers to.

    Returns bare names, attribute names, ``import:NAME`` for names imported inside the
    function, and the qualified name of every global that a module-level import bound.
    """
    bindings: dict[str, str] = {}
    target: ast.AST | None = None
    final: dict[str, str] = {}
    for source in cells:
        tree = _parse(source)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _bind_imports(node, bindings)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bindings[node.name] = _LOCAL
                if node.name == function and not isinstance(node, ast.ClassDef):
                    target = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    for name in ast.walk(t):
                        if isinstance(name, ast.Name):
                            bindings[name.id] = _LOCAL
        final = dict(bindings)
    if target is None:
        return set()
    names: set[str] = set()
    for sub in ast.walk(target):
        if len(names) > limit:
            break
        if isinstance(sub, ast.Name):
            names.add(sub.id)
            bound = final.get(sub.id)
            if bound and bound != _LOCAL and sub.id != function:
                names.add(bound)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
            base = sub.value
            if isinstance(base, ast.Name):
                bound = final.get(base.id)
                if bound and bound != _LOCAL:
                    names.add(f"{bound}.{sub.attr}")
        elif isinstance(sub, ast.ImportFrom):
            for alias in sub.names:
                names.add(f"import:{alias.name}")
                if sub.module:
                    names.add(f"{sub.module}.{alias.name}")
        elif isinstance(sub, ast.Import):
            for alias in sub.names:
                names.add(f"import:{alias.name}")
    return names
