"""The cells of a lesson in the course's nbgrader format.

Every generated cell of an exercise is made here: the heading line of its task, its check
cell, its grade cell and the nbgrader metadata of those and of its solution cell.

>>> cells = exercise_cells("00.plus_state", "def plus_state():\\n    ### BEGIN SOLUTION\\n    return [1, 1]\\n    ### END SOLUTION", points=2)
>>> [c.metadata["nbgrader"]["grade_id"] for c in cells]
['ex_00_plus_state_solution', 'ex_00_plus_state_check', 'ex_00_plus_state']
>>> check_source("03.bell_state")
'check("03.bell_state", bell_state)'
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..lessons import grade_id_for

#: the first line of every grade cell
GRADE_CELL_COMMENT = (
    "# Grade cell for nbgrader: do not edit. It runs the same check, with hidden inputs."
)


def _nb() -> Any:
    import nbformat

    return nbformat


def md(text: str) -> Any:
    """A markdown cell (leading indentation of a triple-quoted string is removed)."""
    return _nb().v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(source: str, tags: list[str] | None = None) -> Any:
    """A plain code cell."""
    cell = _nb().v4.new_code_cell(textwrap.dedent(source).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def nbgrader_metadata(
    grade_id: str, *, solution: bool, grade: bool, locked: bool, points: float | None = None
) -> dict:
    """The nbgrader cell metadata (schema 3) of a solution, check or grade cell."""
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = float(points)
    return meta


def solution_metadata(exercise_id: str) -> dict:
    return nbgrader_metadata(
        grade_id_for(exercise_id) + "_solution", solution=True, grade=False, locked=False
    )


def check_metadata(exercise_id: str) -> dict:
    return nbgrader_metadata(
        grade_id_for(exercise_id) + "_check", solution=False, grade=False, locked=True
    )


def grade_metadata(exercise_id: str, points: float) -> dict:
    return nbgrader_metadata(
        grade_id_for(exercise_id), solution=False, grade=True, locked=True, points=points
    )


def check_source(exercise_id: str) -> str:
    """The source of an exercise's visible check cell."""
    return f'check("{exercise_id}", {exercise_id.split(".", 1)[1]})'


def grade_source(exercise_id: str) -> str:
    """The source of an exercise's nbgrader grade cell."""
    return f'{GRADE_CELL_COMMENT}\ngrade("{exercise_id}", {exercise_id.split(".", 1)[1]})'


def heading_line(
    exercise_id: str, ordinal: int, title: str, difficulty: str = "", minutes: int = 0
) -> str:
    """The first line of an exercise's task cell, with its difficulty and time when the
    registry has them.

    >>> heading_line("03.bell_state", 1, "The four Bell states", "medium", 15)
    '### Exercise 03.1 — The four Bell states (medium, about 15 min)'
    """
    extra = ", ".join(p for p in (difficulty, f"about {minutes} min" if minutes else "") if p)
    return f"### Exercise {exercise_id.split('.', 1)[0]}.{ordinal} — {title}" + (
        f" ({extra})" if extra else ""
    )


# ------------------------------------------------------------------ learner help cells
#: the tag of every help cell sync writes (hint cells, the concept-check section)
HELP_TAG = "qmlcourse-help"
CONCEPTS_HEADING = "## Check your understanding"


def hint_source(exercise_id: str) -> str:
    """The source of an exercise's hint cell (right after its check cell).

    >>> print(hint_source("03.bell_state"))
    from autograder import hint
    <BLANKLINE>
    hint("03.bell_state")
    """
    return f'from autograder import hint\n\nhint("{exercise_id}")'


def concept_source(question_id: str) -> str:
    """The source of a concept-check cell."""
    return f'from autograder import concept\n\nconcept("{question_id}")'


def concepts_intro(first_id: str, example_letter: str = "a") -> str:
    """The markdown cell that opens a lesson's concept checks."""
    return (
        f"{CONCEPTS_HEADING}\n\n"
        "A few questions on ideas of this lesson that the exercises do not test. Run a cell "
        "to see its question, then answer with the buttons below it, or in code with "
        f'`concept("{first_id}", "{example_letter}")` (a letter, or a number where the question '
        "asks for one). Every answer comes with an explanation."
    )


def hint_cell(exercise_id: str) -> Any:
    return code(hint_source(exercise_id), tags=[HELP_TAG])


def concept_cells(questions: list[dict]) -> list[Any]:
    """The concept-check section: its introduction and one cell per question."""
    if not questions:
        return []
    intro = _nb().v4.new_markdown_cell(concepts_intro(questions[0]["id"]))
    intro.metadata["tags"] = [HELP_TAG]
    return [intro] + [code(concept_source(q["id"]), tags=[HELP_TAG]) for q in questions]


def exercise_cells(exercise_id: str, solution_source: str, points: float) -> list[Any]:
    """The three code cells of an exercise: solution, instant check, nbgrader grade cell.

    ``solution_source`` defines the function with its body between ``### BEGIN SOLUTION``
    and ``### END SOLUTION``.
    """
    nbf = _nb()
    sol = nbf.v4.new_code_cell(textwrap.dedent(solution_source).strip("\n"))
    sol.metadata["nbgrader"] = solution_metadata(exercise_id)
    chk = nbf.v4.new_code_cell(check_source(exercise_id))
    chk.metadata["nbgrader"] = check_metadata(exercise_id)
    grd = nbf.v4.new_code_cell(grade_source(exercise_id))
    grd.metadata["nbgrader"] = grade_metadata(exercise_id, points)
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
