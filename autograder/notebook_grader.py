"""Grade a learner's notebook outside nbgrader (``qml-course grade``).

A thin front end over the classroom grader for one file
(:func:`autograder.classroom.grader.grade_file`): the learner's code cells run in a
sandbox process, and every exercise's checker runs here, in this (trusted) process,
calling the learner's functions through the sandbox's data-only wire. A notebook cell
cannot reach the checks, so replacing the checker from the notebook changes nothing.

Which exercises exist and what they are worth comes from the autograder's registry for
the notebook's lesson; grade cells and check cells in the file are not run.

How far the sandbox isolates the learner's code depends on the machine
(:func:`autograder.classroom.isolation.detect`). With bubblewrap (or as root) it is the
classroom's sandbox. Without either, as on most laptops, the cells run as the learner's
own user with resource limits only: the checks still run outside the notebook, but that
is not a security boundary, and the result says so (:data:`SELF_CHECK_NOTE`). Either way
the score is a self-check; instructors record grades with ``qml-course class autograde``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import exercises, get_exercise
from .errors import AutograderError
from .lessons import lesson_number_of, read_notebook
from .records import ExerciseOutcome, Status

#: the note of a result whose cells ran without a sandbox (or did not run at all)
SELF_CHECK_NOTE = (
    "self-check only: no sandbox is available here (it needs Linux with bubblewrap), so the "
    "notebook's cells ran as your own user with resource limits only. The checks ran in a "
    "separate process that notebook code cannot patch, but this is not a security boundary: "
    "a notebook can still fool it (for example by editing files the checker reads). "
    "Instructors grade with `qml-course class autograde`, which runs the cells sandboxed."
)

#: the note of a result whose cells ran in the sandbox (``{level}``: bwrap or uid)
SANDBOXED_NOTE = (
    "self-check: the notebook's cells ran in a sandbox ({level}) and the checks ran outside "
    "it, as in `qml-course class autograde`, so code in the notebook cannot change the "
    "checks. Only your instructor's `qml-course class autograde` records a grade."
)


def trust_note(isolation: str | None) -> str:
    """What a ``qml-course grade`` result can be trusted for, given the isolation level.

    >>> "cannot change the checks" in trust_note("bwrap")
    True
    >>> trust_note("rlimits") == trust_note(None) == SELF_CHECK_NOTE
    True
    """
    if isolation in ("bwrap", "uid"):
        return SANDBOXED_NOTE.format(level=isolation)
    return SELF_CHECK_NOTE


@dataclass
class NotebookGrade:
    """Per-exercise outcomes of one notebook.

    Attributes:
        path: the notebook.
        lesson: its lesson number (None when it could not be told).
        results: an :class:`~autograder.records.ExerciseOutcome` per exercise of the lesson.
        error: why the notebook could not be graded (as a whole), if it could not.
        cell_errors: errors the notebook's own cells raised.
        notes: what the grader noticed (skipped cells, a converted file).
        isolation: the sandbox's isolation level (None: nothing ran).
    """

    path: str
    lesson: str | None
    results: list[ExerciseOutcome] = field(default_factory=list)
    error: str | None = None
    cell_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    isolation: str | None = None

    @property
    def score(self) -> float:
        return float(sum(r.score for r in self.results))

    @property
    def max_score(self) -> float:
        return float(sum(r.max_score for r in self.results))

    @property
    def trust(self) -> str:
        return trust_note(self.isolation)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "lesson": self.lesson,
            "self_check": True,
            "trust": self.trust,
            "isolation": self.isolation,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "cell_errors": self.cell_errors,
            "notes": self.notes,
            "exercises": [r.to_dict() for r in self.results],
        }

    def text(self) -> str:
        head = f"{self.path}: {self.score:g}/{self.max_score:g} points"
        lines = [head, f"  note: {self.trust}"]
        if self.error:
            lines.append(f"  could not grade: {self.error}")
        for r in self.results:
            mark = "✓" if r.passed else "✗"
            unscored = "" if r.status.scored else " (not scored: a grader problem)"
            lines.append(f"  {mark} {r.exercise_id}: {r.score:g}/{r.max_score:g}{unscored}")
            if not r.passed:
                body = r.feedback.splitlines()
                if body and body[0].startswith(f"{r.exercise_id}:"):
                    body = body[1:]  # the check's headline repeats the line above
                else:
                    body = ["  " + ln for ln in body]
                lines.extend("    " + ln for ln in body)
        for note in self.notes[:5]:
            lines.append(f"  note: {note}")
        for err in self.cell_errors[:5]:
            lines.append(f"  note: a cell raised {err}")
        return "\n".join(lines)


def grade_notebook(
    path: str | Path, cell_timeout: float = 120.0, isolation: Any = None
) -> NotebookGrade:
    """Run a learner's notebook in a sandbox and check every exercise of its lesson.

    Args:
        path: the notebook.
        cell_timeout: seconds each code cell may run.
        isolation: an :class:`~autograder.classroom.isolation.Isolation` (default: the
            strongest this machine offers).
    """
    path = Path(path)
    if os.name != "posix":
        return NotebookGrade(
            str(path),
            None,
            error="`qml-course grade` runs your notebook's cells in a separate, limited "
            "process, which needs Linux or macOS (on Windows, use WSL). The check cell under "
            "each exercise in the notebook gives the same feedback.",
        )
    from .classroom import isolation as iso
    from .classroom.grader import grade_file

    try:
        nb = read_notebook(path)
    except AutograderError as exc:
        return NotebookGrade(str(path), None, error=str(exc))
    lesson = lesson_number_of(path, nb)
    ids = exercises(lesson) if lesson else []
    if not ids:
        return NotebookGrade(
            str(path),
            lesson,
            error="cannot tell which lesson this notebook belongs to (name it like "
            "'03_entanglement.ipynb' or keep the lesson's metadata)",
        )
    isolation = isolation or iso.detect()
    limits = iso.Limits(
        cell_seconds=cell_timeout, wall_seconds=max(iso.Limits.wall_seconds, 3 * cell_timeout)
    )
    result = grade_file(
        path,
        [get_exercise(i) for i in ids],
        assignment=path.stem,
        limits=limits,
        isolation=isolation,
    )
    grade = NotebookGrade(
        str(path),
        lesson,
        results=result.exercises,
        cell_errors=result.cell_errors,
        notes=result.notes,
        isolation=result.isolation,
    )
    if result.status is Status.INFRASTRUCTURE:
        grade.error = f"the grading sandbox did not work on this machine ({result.reason})"
        grade.isolation = None  # nothing ran
    elif result.status is Status.UNGRADABLE:
        grade.error = result.reason
    return grade
