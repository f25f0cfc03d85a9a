"""The concept checks of every lesson (one module per lesson, ``lessonNN.py``) and the
lookup of an exercise's hints.

Each module holds ``CONCEPTS``: three to five questions on ideas the exercises do not test,
each a dict with ``id`` (``"NN.qK"``), ``question``, ``explanation`` and either ``choices``
(letter -> text) with the right ``answer`` letter, or a number ``answer`` with
``tolerance``.

An exercise's hints are registry metadata, ``@exercise(..., hints=[...])`` in
``autograder/checks/lessonNN.py``: two or three, from a nudge to the method, never the
solution (a hint may name a function or a formula, not the finished code).

``qml-course author sync`` writes a ``hint("NN.name")`` cell after every exercise's check
cell and a "Check your understanding" section with one ``concept("NN.qK")`` cell per
question at the end of each lesson; ``tests/test_autograder_pkg/test_help.py`` checks that
every registered exercise has its hints and every lesson its questions.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from ...errors import UnknownExercise


@cache
def _lesson_module(lesson: str) -> Any:
    try:
        return importlib.import_module(f"{__name__}.lesson{lesson}")
    except ModuleNotFoundError:
        return None


def hints_for(exercise_id: str) -> list[str]:
    """The hints of an exercise, in order ([] when it has none).

    >>> len(hints_for("03.bell_state")) >= 2
    True
    """
    from ...engine import get_exercise

    try:  # the registry (``@exercise(..., hints=...)``) is the one source of hints
        return list(get_exercise(exercise_id).hints)
    except UnknownExercise:
        return []


def concepts_of(lesson: str) -> list[dict[str, Any]]:
    """The concept questions of a lesson (``"03"``), in order.

    >>> [q["id"] for q in concepts_of("03")][:2]
    ['03.q1', '03.q2']
    """
    module = _lesson_module(str(lesson).zfill(2))
    return [dict(q) for q in getattr(module, "CONCEPTS", [])]


def get_concept(question_id: str) -> dict[str, Any]:
    """One concept question by ID, e.g. ``"03.q1"``; a clear error for an unknown ID."""
    key = str(question_id).strip()
    m = re.fullmatch(r"(\d\d)\.q\d+", key)
    if m:
        for q in concepts_of(m.group(1)):
            if q["id"] == key:
                return q
    lesson = m.group(1) if m else None
    known = [q["id"] for q in concepts_of(lesson)] if lesson else []
    more = f" Lesson {lesson} has {', '.join(known)}." if known else ""
    raise UnknownExercise(
        f"There is no concept question {question_id!r}: IDs look like '03.q1' (lesson 03, "
        f"question 1).{more}"
    )
