"""The records of a graded notebook: an :class:`ExerciseOutcome` per exercise and one
:class:`SubmissionResult` per notebook, each with a :class:`Status`.

They are what the classroom grader, the gradebook, the class reports and ``qml-course
grade`` pass around, and they round-trip through JSON (``to_dict``/``from_dict``): the
format of the saved ``reports/<assignment>-results.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .result import Result


class Status(str, Enum):  # enum.StrEnum needs Python 3.11; we support 3.10
    """How grading went, for one exercise or one whole submission.

    A submission is ``graded``, ``ungradable`` (no notebook, unreadable file, a sandbox the
    learner's code killed: scored 0 with the reason) or ``infrastructure`` (our problem:
    reported, never scored). An exercise is ``graded``, ``timeout`` (the learner's code ran
    out of time), ``crash`` (it took the sandbox down), ``missing`` (its function is not
    defined), ``not graded`` (the submission was ungradable) or ``infrastructure``.

    >>> Status("graded") is Status.GRADED, Status.CRASH.scored, Status.INFRASTRUCTURE.scored
    (True, True, False)
    """

    GRADED = "graded"
    UNGRADABLE = "ungradable"
    INFRASTRUCTURE = "infrastructure"
    CRASH = "crash"
    TIMEOUT = "timeout"
    MISSING = "missing"
    NOT_GRADED = "not graded"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    @property
    def scored(self) -> bool:
        """False for a grader problem: such a result never reaches the gradebook."""
        return self is not Status.INFRASTRUCTURE


@dataclass
class ExerciseOutcome:
    """One exercise of a graded notebook: its score, status and feedback.

    >>> row = ExerciseOutcome("00.plus_state", "ex_00_plus_state", 2.0, 2.0, Status.GRADED)
    >>> ExerciseOutcome.from_dict(row.to_dict()) == row
    True
    """

    exercise_id: str
    grade_id: str
    score: float
    max_score: float
    status: Status
    feedback: str = ""
    passed: bool = False
    mistakes: list[str] = field(default_factory=list)

    @classmethod
    def from_result(
        cls, grade_id: str, max_score: float, result: Result, status: Status
    ) -> ExerciseOutcome:
        """The outcome of a check; a grader error (``result.error``) is never scored."""
        if result.error:
            return cls.unscored(result.exercise_id, grade_id, max_score, result.feedback)
        return cls(
            result.exercise_id,
            grade_id,
            round(result.score, 6),  # case points such as 5/3 add up to 5, not 4.999...
            float(max_score),
            status,
            result.feedback,
            result.passed,
            result.mistakes,
        )

    @classmethod
    def zero(
        cls, exercise_id: str, grade_id: str, max_score: float, reason: str, status: Status
    ) -> ExerciseOutcome:
        """An exercise that scores 0 without being checked, for ``reason``."""
        return cls(exercise_id, grade_id, 0.0, float(max_score), status, reason)

    @classmethod
    def unscored(
        cls, exercise_id: str, grade_id: str, max_score: float, reason: str
    ) -> ExerciseOutcome:
        """An exercise left unscored because of a grader problem."""
        return cls.zero(exercise_id, grade_id, max_score, reason, Status.INFRASTRUCTURE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise_id": self.exercise_id,
            "grade_id": self.grade_id,
            "score": float(self.score),
            "max_score": float(self.max_score),
            "passed": bool(self.passed),
            "feedback": self.feedback,
            "mistakes": list(self.mistakes),
            "status": self.status.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExerciseOutcome:
        """Read :meth:`to_dict`'s form back; raises ValueError for a malformed entry."""
        if not isinstance(data, dict):
            raise ValueError(f"an exercise result is a JSON object, not {type(data).__name__}")
        mistakes = data.get("mistakes") or []
        return cls(
            str(data.get("exercise_id")),
            str(data.get("grade_id")),
            float(data.get("score") or 0.0),
            float(data.get("max_score") or 0.0),
            Status(data.get("status", Status.GRADED.value)),
            str(data.get("feedback") or ""),
            bool(data.get("passed")),
            [str(m) for m in mistakes] if isinstance(mistakes, list) else [],
        )


@dataclass
class SubmissionResult:
    """One graded notebook: who, what, how it went, and an outcome per exercise.

    ``gradebook`` is the workflow's bookkeeping of the saved results file (``"pending"``,
    ``"written"`` or ``"not scored"``).

    >>> r = SubmissionResult("ada", "00_getting_started", exercises=[
    ...     ExerciseOutcome("00.plus_state", "ex_00_plus_state", 2.0, 2.0, Status.GRADED),
    ...     ExerciseOutcome.unscored("00.x_on_qubit", "ex_00_x_on_qubit", 3.0, "checker bug")])
    >>> r.score, r.max_score, r.not_scored
    (2.0, 5.0, ['00.x_on_qubit'])
    >>> SubmissionResult.from_dict(r.to_dict()) == r
    True
    """

    student: str
    assignment: str
    status: Status = Status.GRADED
    exercises: list[ExerciseOutcome] = field(default_factory=list)
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    #: 1-based positions of the notebook cells the grader skipped (they hung or crashed)
    skipped_cells: list[int] = field(default_factory=list)
    isolation: str | None = None
    notebook: str | None = None
    duration: float | None = None
    gradebook: str | None = None

    @property
    def score(self) -> float:
        return float(sum(e.score for e in self.exercises))

    @property
    def max_score(self) -> float:
        return float(sum(e.max_score for e in self.exercises))

    @property
    def not_scored(self) -> list[str]:
        """Exercises whose check failed because of us: left unscored, never a zero."""
        return [e.exercise_id for e in self.exercises if not e.status.scored]

    def scored_exercises(self) -> list[ExerciseOutcome]:
        """The outcomes that go into the gradebook: none for a submission the grader
        failed on as a whole (no rows), and never an exercise with a grader problem."""
        return [e for e in self.exercises if e.status.scored]

    def scrub(self, clean: Any) -> None:
        """Pass every text shown to a learner through ``clean`` (removes host paths)."""
        self.reason = clean(self.reason)
        self.notes = [clean(n) for n in self.notes]
        self.cell_errors = [clean(n) for n in self.cell_errors]
        for e in self.exercises:
            e.feedback = clean(e.feedback)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "student": self.student,
            "assignment": self.assignment,
            "status": self.status.value,
            "reason": self.reason,
            "notes": list(self.notes),
            "cell_errors": list(self.cell_errors),
            "skipped_cells": list(self.skipped_cells),
            "exercises": [e.to_dict() for e in self.exercises],
            "isolation": self.isolation,
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "duration": self.duration,
            "not_scored": self.not_scored,
        }
        if self.gradebook is not None:
            out["gradebook"] = self.gradebook
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Read :meth:`to_dict`'s form back (also results files of earlier versions, which
        lack some keys); raises ValueError for a malformed entry."""
        if not isinstance(data, dict) or not isinstance(data.get("student"), str):
            raise ValueError("not a student's result")

        def texts(key: str) -> list[str]:
            value = data.get(key) or []
            return [str(v) for v in value] if isinstance(value, list) else []

        skipped = data.get("skipped_cells") or []
        duration = data.get("duration")
        return cls(
            student=data["student"],
            assignment=str(data.get("assignment") or ""),
            status=Status(data.get("status", Status.GRADED.value)),
            exercises=[ExerciseOutcome.from_dict(e) for e in data.get("exercises") or []],
            reason=None if data.get("reason") is None else str(data["reason"]),
            notes=texts("notes"),
            cell_errors=texts("cell_errors"),
            skipped_cells=[p for p in skipped if isinstance(p, int) and not isinstance(p, bool)]
            if isinstance(skipped, list)
            else [],
            isolation=data.get("isolation") if isinstance(data.get("isolation"), str) else None,
            notebook=data.get("notebook") if isinstance(data.get("notebook"), str) else None,
            duration=float(duration) if isinstance(duration, (int, float)) else None,
            gradebook=data.get("gradebook") if isinstance(data.get("gradebook"), str) else None,
        )
