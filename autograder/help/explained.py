"""``worked("03.bell_state")``: the explained solution, once the learner has earned it.

It opens after the exercise's ``check()`` passed (in this kernel, or as recorded in the
learner's workspace) or after its last hint, and shows the lesson's solution code, the
reasoning behind it, the common mistakes, and a second way (the course's independent
reference solution). The explanations live in ``autograder/solutions/worked.py``, beside
the reference solutions, so they ship where the solutions ship: in a checkout and in the
source archive, never in the wheel (``pip install qml-course`` stays free of solutions,
which classes rely on) and never in a student version's cells. An instructor turns them
off for an assignment with ``worked_solutions = false`` in ``qmlcourse-help.toml``
(:mod:`autograder.help.state`).
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
from typing import Any

from . import state
from ._render import View, to_html
from .content import hints_for

NOT_IN_PACKAGE = (
    "Worked solutions are not part of the installed qml-course package: it never holds "
    "solutions, so that classes can use it. They are in the course's source: a checkout of "
    "the course repository or its source archive (`pip download --no-deps --no-binary :all: "
    "qml-course`); install the course from that folder (`pip install -e FOLDER`) to open them."
)


def _explanations() -> dict[str, dict[str, Any]] | None:
    try:
        module = importlib.import_module("autograder.solutions.worked")
    except ImportError:
        return None
    return dict(module.WORKED)


def lesson_solution_code(exercise_id: str) -> str | None:
    """The lesson's own solution of an exercise (its solution cell without the markers),
    from the authored lesson; None where the authored lessons are not available."""
    from ..lessons import authored_lessons_available, find_lesson, grade_id_for, read_notebook

    if not authored_lessons_available():
        return None
    try:
        nb = read_notebook(find_lesson(exercise_id.split(".", 1)[0]).notebook)
    except Exception:  # noqa: BLE001 - a missing lesson only hides this part
        return None
    gid = grade_id_for(exercise_id) + "_solution"
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
            lines = [
                ln for ln in cell.source.splitlines() if "### " not in ln or "SOLUTION" not in ln
            ]
            return "\n".join(lines)
    return None


def reference_code(exercise_id: str) -> str | None:
    """The reference solution's source, with the module's own helpers it uses."""
    lesson, name = exercise_id.split(".", 1)
    try:
        module = importlib.import_module(f"autograder.solutions.lesson{lesson}")
    except ImportError:
        return None
    wanted, order, seen = [name], [], set()
    while wanted:
        current = wanted.pop()
        if current in seen:
            continue
        seen.add(current)
        obj = getattr(module, current, None)
        if obj is None or getattr(obj, "__module__", None) != module.__name__:
            continue
        source = inspect.getsource(obj)
        order.append(source)
        for other in re.findall(r"\b(_?[A-Za-z]\w*)\b", source):
            if other not in seen and other != current:
                candidate = getattr(module, other, None)
                if inspect.isfunction(candidate) or inspect.isclass(candidate):
                    wanted.append(other)
    return "\n\n".join(reversed(order)) if order else None


def _code_html(code: str) -> str:
    return f"<pre><code>{html.escape(code)}</code></pre>"


def worked(exercise_id: str) -> View:
    """The worked solution of an exercise, or what to do first to open it.

    Args:
        exercise_id: e.g. ``"03.bell_state"``.

    Raises:
        UnknownExercise: for an ID that does not exist (the message suggests near IDs).
    """
    from ..engine import get_exercise

    try:
        ex = get_exercise(exercise_id)
    except ImportError:  # the classroom sandbox's copy of the package has no checks
        note = f"{exercise_id}: worked solutions are not shown while the notebook is graded."
        return View(note, to_html(note), None)
    ex_id = ex.id

    def say(text: str) -> View:
        return View(text, to_html(text), {"exercise": ex_id, "worked": False})

    if not state.help_settings()["worked_solutions"]:
        return say(
            f"{ex_id}: worked solutions are turned off for this assignment by your instructor."
        )
    total = len(hints_for(ex_id))
    opened = state.hints_opened(ex_id)
    if not (state.check_passed(ex_id) or (total and opened >= total)):
        left = total - opened
        return say(
            f"{ex_id}: the worked solution opens after your check passes, or after the last "
            f'hint ({left} of {total} still closed: run `hint("{ex_id}")`). Your own attempt '
            "first is what makes the solution worth reading."
        )
    explained = _explanations()
    if explained is None:
        return say(f"{ex_id}: {NOT_IN_PACKAGE}")
    entry: dict[str, Any] = explained.get(ex_id, {})
    code = lesson_solution_code(ex_id)
    second = reference_code(ex_id)
    text = [f"Worked solution of {ex_id} — {ex.title}"]
    parts = [
        f"<div class='qmlcourse-worked'><h4>Worked solution: {ex_id} — {html.escape(ex.title)}</h4>"
    ]
    if entry.get("reasoning"):
        text += ["", "The idea:", entry["reasoning"]]
        parts += ["<b>The idea</b>", to_html(entry["reasoning"])]
    if code:
        text += ["", "The lesson's solution:", code]
        parts += ["<b>The lesson's solution</b>", _code_html(code)]
    if entry.get("mistakes"):
        text += ["", "Common mistakes:"] + [f"- {m}" for m in entry["mistakes"]]
        items = "".join(f"<li>{to_html(m)[3:-4]}</li>" for m in entry["mistakes"])
        parts += ["<b>Common mistakes</b>", f"<ul>{items}</ul>"]
    if second:
        text += ["", "A second way (the course's reference solution):", second]
        parts += ["<b>A second way</b> (the course's reference solution)", _code_html(second)]
    parts.append("</div>")
    return View("\n".join(text), "".join(parts), {"exercise": ex_id, "worked": True})
