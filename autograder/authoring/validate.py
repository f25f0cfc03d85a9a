"""The format check every lesson notebook must pass (``tests/test_lessons.py`` runs it)."""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

from ..lessons import exercise_ids_in, nbgrader_meta


class _NoDefault:
    def __repr__(self) -> str:
        return "<no default>"


#: the "default" of a parameter that has none
_NO_DEFAULT = _NoDefault()


#: how a parameter of each kind is written in a signature
_STARS = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}


def notebook_parameters(source: str, name: str) -> list[tuple[str, Any]] | None:
    """(name, default) of the parameters of ``def name(...)`` in a cell's source.

    Defaults are literal values (``_NO_DEFAULT`` when there is none, ``...`` when the
    default is not a literal); None when the source has no such ``def``.

    >>> notebook_parameters("def f(a, b=1e-8, *, c=None):\\n    pass", "f")
    [('a', <no default>), ('b', 1e-08), ('c', None)]
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            args = node.args
            positional = args.posonlyargs + args.args
            defaults = [_NO_DEFAULT] * (len(positional) - len(args.defaults)) + [
                _literal(d) for d in args.defaults
            ]
            params = list(zip([a.arg for a in positional], defaults))
            if args.vararg:
                params.append(("*" + args.vararg.arg, _NO_DEFAULT))
            for a, d in zip(args.kwonlyargs, args.kw_defaults):
                params.append((a.arg, _NO_DEFAULT if d is None else _literal(d)))
            if args.kwarg:
                params.append(("**" + args.kwarg.arg, _NO_DEFAULT))
            return params
    return None


def reference_parameters(func: Any) -> list[tuple[str, Any]]:
    """(name, default) of a reference solution's parameters, as :func:`notebook_parameters`."""
    out = []
    for p in inspect.signature(func).parameters.values():
        name = _STARS.get(p.kind.name, "") + p.name
        out.append((name, _NO_DEFAULT if p.default is p.empty else p.default))
    return out


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ...


def _show(params: list[tuple[str, Any]]) -> str:
    return ", ".join(n if d is _NO_DEFAULT else f"{n}={d!r}" for n, d in params)


def signature_problem(ex_id: str, solution_source: str) -> str | None:
    """Why the notebook's ``def`` of ``ex_id`` differs from the reference solution's
    (parameter names, order and defaults), or None when they agree or there is no
    reference (an installed wheel ships none)."""
    try:
        from ..solutions import reference

        ref = reference(ex_id)
    except (ImportError, AttributeError):
        return None
    name = ex_id.split(".", 1)[1]
    mine = notebook_parameters(solution_source, name)
    if mine is None:
        return None  # reported as a missing def
    theirs = reference_parameters(ref)
    if mine != theirs:
        return (
            f"{ex_id}: the notebook defines {name}({_show(mine)}) but the reference solution "
            f"is {name}({_show(theirs)}); make the parameter names and defaults agree"
        )
    return None


_SIGNATURE_LINE = re.compile(r"\*\*Signature:\*\*\s*`(\w+)\((.*?)\)(?: ->[^`]*)?`")


def _top_level_split(text: str) -> list[str]:
    """``text`` split at the commas outside brackets (annotations such as ``dict[str, int]``)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [p for p in [*parts, current] if p.strip()]


def stated_signature_problem(ex_id: str, task_source: str) -> str | None:
    """Why the ``* **Signature:**`` line of an exercise's task disagrees with the reference
    solution's parameter names (annotations and defaults there are prose), or None.

    >>> stated_signature_problem("03.bell_state", "* **Signature:** `bell_state(name: str) -> X`")
    >>> stated_signature_problem("03.bell_state", "* **Signature:** `bell_state(n)`")
    "03.bell_state: the task states bell_state(n) but the reference solution's parameters are (name); correct the task's **Signature:** line"
    """
    name = ex_id.split(".", 1)[1]
    match = _SIGNATURE_LINE.search(task_source)
    if match is None or match.group(1) != name:
        return (
            f"{ex_id}: the task (the markdown cell before the solution) must state the "
            f"signature in a line `* **Signature:** `{name}(...) -> ...``"
        )
    try:
        from ..solutions import reference

        theirs = [n for n, _ in reference_parameters(reference(ex_id))]
    except (ImportError, AttributeError):
        return None
    mine = [p.split(":")[0].split("=")[0].strip() for p in _top_level_split(match.group(2))]
    if mine != theirs:
        return (
            f"{ex_id}: the task states {name}({', '.join(mine)}) but the reference solution's "
            f"parameters are ({', '.join(theirs)}); correct the task's **Signature:** line"
        )
    return None


def validate_lesson(nb: Any, lesson: str) -> list[str]:
    """Problems with a lesson notebook's format; an empty list means it is fine.

    Checks: no outputs; every registered exercise of the lesson has a task (markdown) whose
    ``**Signature:**`` line names the reference solution's parameters, then a solution cell
    with solution markers defining its function with the reference solution's parameters
    (names, order, defaults), a check cell and a grade cell with matching points; grade ids
    are unique; and the first code cell sets ``SEED``.
    """
    from ..engine import exercises, get_exercise

    problems: list[str] = []
    ids_seen: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {i} has outputs or an execution count; clear them")
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            ids_seen[gid] = ids_seen.get(gid, 0) + 1
    problems += [f"grade_id {g!r} is used {n} times" for g, n in ids_seen.items() if n > 1]
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if not code_cells or not re.search(r"^SEED\s*=", code_cells[0].source, re.M):
        problems.append("the first code cell must set SEED = <int>")
    by_gid = {nbgrader_meta(c).get("grade_id"): c for c in nb.cells if nbgrader_meta(c)}
    graded = set(exercise_ids_in(nb))
    for ex_id in exercises(lesson):
        ex = get_exercise(ex_id)
        gid = ex.grade_id
        sol = by_gid.get(gid + "_solution")
        if sol is None or not nbgrader_meta(sol).get("solution"):
            problems.append(f"{ex_id}: no solution cell {gid}_solution")
        elif "### BEGIN SOLUTION" not in sol.source or not re.search(
            rf"def {ex.function_name}\(", sol.source
        ):
            problems.append(
                f"{ex_id}: the solution cell must define {ex.function_name}() with solution markers"
            )
        else:
            problem = signature_problem(ex_id, sol.source)
            if problem:
                problems.append(problem)
            at = next(i for i, c in enumerate(nb.cells) if c is sol)
            task = nb.cells[at - 1] if at > 0 else None
            if task is None or task.cell_type != "markdown":
                problems.append(f"{ex_id}: the solution cell needs its task (markdown) before it")
            else:
                problem = stated_signature_problem(ex_id, task.source)
                if problem:
                    problems.append(problem)
        if gid + "_check" not in by_gid:
            problems.append(f"{ex_id}: no check cell {gid}_check")
        grade_cell = by_gid.get(gid)
        if grade_cell is None or ex_id not in graded:
            problems.append(f"{ex_id}: no grade cell {gid}")
        elif float(nbgrader_meta(grade_cell).get("points", -1)) != ex.points:
            problems.append(
                f"{ex_id}: grade cell has {nbgrader_meta(grade_cell).get('points')} points, "
                f"the exercise is worth {ex.points:g}"
            )
    for ex_id in graded - set(exercises(lesson)):
        problems.append(f"{ex_id}: graded in the notebook but not registered in the autograder")
    return problems
