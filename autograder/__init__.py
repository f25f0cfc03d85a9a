"""The QML Course autograder: one check per exercise, for learners and for nbgrader.

>>> from autograder import check
>>> def plus_state():
...     import numpy as np
...     return np.array([1, 1]) / np.sqrt(2)
>>> result = check("00.plus_state", plus_state)
>>> result.passed, result.score, result.max_score
(True, 2.0, 2.0)

The same checks back nbgrader's grade cells through :func:`grade`, which returns the
score so that nbgrader records partial credit; it prints the full feedback only under
``nbgrader autograde`` and one line otherwise.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from qmlkit import _friendly as _qmlkit_friendly

from .engine import exercise, exercises, get_exercise, run_check
from .errors import AutograderError, CheckFailed, UnknownExercise
from .help import concept, hint, worked
from .help.state import record_check as _record_check
from .result import CaseResult, Result, format_points

# Show AutograderError as short as qmlkit's own errors once a lesson calls
# qmlkit.enable_friendly_errors() (autograder -> qmlkit, never the other way round).
_qmlkit_friendly.register(AutograderError)

__all__ = [
    "check",
    "grade",
    "hint",
    "concept",
    "worked",
    "exercises",
    "exercise",
    "get_exercise",
    "Result",
    "CaseResult",
    "CheckFailed",
    "AutograderError",
    "UnknownExercise",
]
#: the course's version (one for autograder and qmlkit); its source is qmlkit/_version.py
from qmlkit._version import __version__ as __version__  # noqa: E402


def check(exercise_id: str, answer: Any) -> Result:
    """Check a learner's answer and return a :class:`Result`.

    Args:
        exercise_id: the exercise ID shown in the lesson, e.g. ``"03.bell_state"``.
        answer: the learner's function itself (not its return value).

    Returns:
        A :class:`Result` with ``passed``, ``score``, ``max_score`` and ``feedback``; it
        renders as HTML in Jupyter.

    Raises:
        UnknownExercise: for an ID that does not exist (the message suggests near IDs).
    """
    result = run_check(exercise_id, answer)
    try:  # for worked() and `qml-course progress`; never costs the learner their result
        _record_check(result)
    except Exception:  # noqa: BLE001
        pass
    return result


def nbgrader_execution() -> str | None:
    """How nbgrader is running this notebook: ``"autograde"``, ``"validate"`` or ``None``.

    nbgrader sets the ``NBGRADER_EXECUTION`` environment variable for the kernels it starts
    (``nbgrader autograde`` and the Validate button / ``nbgrader validate``); it is not set
    when a learner runs a notebook in Jupyter, in Binder, or with ``qml-course grade``.
    """
    mode = os.environ.get("NBGRADER_EXECUTION", "").strip().lower()
    return mode or None


def grade_line(result: Result) -> str:
    """The one line a grade cell shows to a learner working at their own pace."""
    total = f"{format_points(result.max_score)} points"
    if result.not_started:
        return (
            f"{result.exercise_id}: not started, 0/{total}: replace "
            "`raise NotImplementedError()` with your code"
        )
    if result.error:
        return f"{result.exercise_id}: could not be checked (grader problem, not your fault)"
    status = "passed" if result.passed else "not yet"
    return (
        f"{result.exercise_id}: {status}, {format_points(result.score)}/{total} when this cell ran "
        "(the check cell above shows the details)"
    )


def grade(exercise_id: str, answer: Any) -> float:
    """nbgrader grade-cell entry point: check the answer and return the score.

    nbgrader reads a number returned by a grade cell as partial credit, so the score is
    always returned as a plain float. What is printed depends on who runs the cell:

    * ``nbgrader autograde``: the check's full feedback, for the instructor and the
      feedback report;
    * nbgrader's Validate: one line; when no case passes it goes to stderr, so that
      Validate reports the cell as failed with that line (an exercise not started reads
      "not started", not "Partial credit");
    * anyone else (a learner at their own pace): one line, the score and a pointer to the
      check cell, which already shows the feedback; nothing is repeated here to go stale.

    Outside Validate nothing is written to stderr (which nbgrader would count as a failure).
    """
    result = run_check(exercise_id, answer)
    mode = nbgrader_execution()
    if mode == "autograde":
        print(result.feedback)
    elif mode is not None and result.score == 0:
        print(grade_line(result), file=sys.stderr)
    else:
        print(grade_line(result))
    return float(result.score)
