"""The QML Course autograder: one check per exercise, for learners and for nbgrader.

>>> from autograder import check
>>> def plus_state():
...     import numpy as np
...     return np.array([1, 1]) / np.sqrt(2)
>>> result = check("00.plus_state", plus_state)
>>> result.passed, result.score, result.max_score
(True, 2.0, 2.0)

The same checks back nbgrader's grade cells through :func:`grade`, which prints the
feedback and returns the score so that nbgrader records partial credit.
"""

from __future__ import annotations

from typing import Any

from .engine import exercise, exercises, get_exercise, run_check
from .errors import AutograderError, CheckFailed, UnknownExercise
from .result import CaseResult, Result

__all__ = [
    "check",
    "grade",
    "exercises",
    "exercise",
    "get_exercise",
    "Result",
    "CaseResult",
    "CheckFailed",
    "AutograderError",
    "UnknownExercise",
]
#: the course's version, its only source: pyproject.toml and qmlkit read it from here
__version__ = "0.1.0"


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
    return result


def grade(exercise_id: str, answer: Any) -> float:
    """nbgrader grade-cell entry point: print the feedback and return the score.

    nbgrader reads a number returned by a grade cell as partial credit. Nothing is
    written to stderr (which nbgrader would count as a failure).
    """
    result = run_check(exercise_id, answer)
    print(result.feedback)
    return result.score
