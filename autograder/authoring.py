"""Helpers for writing lesson notebooks in the course's nbgrader format, and a validator.

Authors build a lesson once with these helpers (or by hand in JupyterLab) and commit the
``.ipynb``; :func:`validate_lesson` is what the test suite runs on every lesson.

>>> cells = exercise_cells("00.plus_state", "def plus_state():\\n    ### BEGIN SOLUTION\\n    return [1, 1]\\n    ### END SOLUTION", points=2)
>>> [c.metadata["nbgrader"]["grade_id"] for c in cells]
['ex_00_plus_state_solution', 'ex_00_plus_state_check', 'ex_00_plus_state']
"""

from __future__ import annotations

import re
from typing import Any

from .lessons import exercise_ids_in, nbgrader_meta


def _nb() -> Any:
    import nbformat

    return nbformat


def md(text: str) -> Any:
    """A markdown cell (leading indentation of a triple-quoted string is removed)."""
    import textwrap

    return _nb().v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(source: str, tags: list[str] | None = None) -> Any:
    """A plain code cell."""
    import textwrap

    cell = _nb().v4.new_code_cell(textwrap.dedent(source).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _meta(
    grade_id: str, *, solution: bool, grade: bool, locked: bool, points: float | None = None
) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def exercise_cells(exercise_id: str, solution_source: str, points: float) -> list[Any]:
    """The three code cells of an exercise: solution, instant check, nbgrader grade cell.

    ``solution_source`` defines the function with its body between ``### BEGIN SOLUTION``
    and ``### END SOLUTION``.
    """
    import textwrap

    lesson, name = exercise_id.split(".", 1)
    gid = "ex_" + exercise_id.replace(".", "_")
    nbf = _nb()
    sol = nbf.v4.new_code_cell(textwrap.dedent(solution_source).strip("\n"))
    sol.metadata["nbgrader"] = _meta(gid + "_solution", solution=True, grade=False, locked=False)
    chk = nbf.v4.new_code_cell(f'check("{exercise_id}", {name})')
    chk.metadata["nbgrader"] = _meta(gid + "_check", solution=False, grade=False, locked=True)
    grd = nbf.v4.new_code_cell(
        f"# Grade cell for nbgrader: do not edit. It runs the same check, with hidden inputs.\n"
        f'grade("{exercise_id}", {name})'
    )
    grd.metadata["nbgrader"] = _meta(
        gid, solution=False, grade=True, locked=True, points=float(points)
    )
    return [sol, chk, grd]


def new_lesson(number: str, title: str, cells: list[Any]) -> Any:
    """A notebook with the course's kernel and lesson metadata."""
    nbf = _nb()
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["qmlcourse"] = {"lesson": number, "title": title}
    nb.cells = cells
    return nb


def validate_lesson(nb: Any, lesson: str) -> list[str]:
    """Problems with a lesson notebook's format; an empty list means it is fine.

    Checks: no outputs; every registered exercise of the lesson has a solution cell with
    solution markers defining its function, a check cell and a grade cell with matching
    points; grade ids are unique; and the first code cell sets ``SEED``.
    """
    from .engine import exercises, get_exercise

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
