"""``hint("03.bell_state")``: progressive hints, one more each time the cell runs.

Introduced in lesson 00. The hints of an exercise are collapsed until asked for: the first
run of its hint cell opens hint 1, the next run hint 2 (earlier ones stay, folded), and
after the last one the cell says how to open the worked solution (:func:`worked`). The
output carries a machine-readable record (``{"exercise": ..., "hints_opened": n}`` under
:data:`~autograder.help._render.MARKER_KEY` of the output's metadata) that is saved with the notebook, so the
classroom report can count the hints each learner opened from the submitted notebooks.

>>> from autograder.help.state import reset_kernel_state
>>> reset_kernel_state()
>>> first = hint("00.plus_state")
>>> first.marker["hints_opened"], first.marker["hints_total"] >= 2
(1, True)
>>> hint("00.plus_state").marker["hints_opened"]
2
"""

from __future__ import annotations

from . import state
from ._render import View, to_html
from .content import hints_for


def _exercise(exercise_id: str):
    from ..engine import get_exercise

    return get_exercise(exercise_id)


def hint(exercise_id: str) -> View:
    """Open the next hint of an exercise and show every hint opened so far.

    Args:
        exercise_id: the exercise ID shown in the lesson, e.g. ``"03.bell_state"``.

    Returns:
        A view Jupyter shows as HTML (the newest hint open, earlier ones folded).

    Raises:
        UnknownExercise: for an ID that does not exist (the message suggests near IDs).
    """
    try:
        ex = _exercise(exercise_id)
    except ImportError:  # the classroom sandbox's copy of the package has no checks
        text = f"{exercise_id}: hints are not shown while the notebook is graded."
        return View(text, to_html(text), None)
    ex_id = ex.id
    hints = hints_for(ex_id)
    total = len(hints)
    if state.under_nbgrader():
        text = f"{ex_id}: hints are not shown while nbgrader runs the notebook."
        return View(text, to_html(text), None)
    if not state.help_settings()["hints"]:
        text = (
            f"{ex_id}: hints are turned off for this assignment by your instructor. The "
            f'check cell above still tells you what is wrong: `check("{ex_id}", ...)`.'
        )
        return View(text, to_html(text), {"exercise": ex_id, "hints_opened": 0, "hints_off": True})
    if not total:
        text = f"{ex_id} has no hints yet."
        return View(text, to_html(text), {"exercise": ex_id, "hints_opened": 0})
    opened = min(state.hints_opened(ex_id) + 1, total)
    state.set_hints_opened(ex_id, opened)
    if opened < total:
        more = f"Run this cell again for hint {opened + 1} of {total}."
    else:
        more = (
            f'That was the last hint. `worked("{ex_id}")` opens the explained solution; try '
            "once more on your own first."
        )
    lines = [f"{ex_id} — {ex.title}: hint {opened} of {total}"]
    lines += [f"Hint {k}: {h}" for k, h in enumerate(hints[:opened], 1)]
    lines.append(more)
    parts = [f"<div class='qmlcourse-hint'><b>{ex_id} — {to_html(ex.title)[3:-4]}</b>"]
    for k, text in enumerate(hints[:opened], 1):
        parts.append(
            f"<details{' open' if k == opened else ''}>"
            f"<summary>Hint {k} of {total}</summary>{to_html(text)}</details>"
        )
    parts.append(f"{to_html(more)}</div>")
    marker = {"exercise": ex_id, "hints_opened": opened, "hints_total": total}
    return View("\n".join(lines), "".join(parts), marker)
