"""Exceptions used inside the autograder.

* :class:`CheckFailed` is raised by comparison helpers when an answer is wrong; the check
  engine turns it into a failed case with its message. It is never shown as a traceback.
* :class:`LearnerError` wraps an exception raised by the learner's own code.
* :class:`AutograderError` is for misuse of the autograder itself (unknown exercise ID).
"""

from __future__ import annotations

from typing import Any


class AutograderError(Exception):
    """Misuse of the autograder, e.g. an unknown exercise ID. The message says what to do."""


class UnknownExercise(AutograderError, KeyError):
    """An exercise ID that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CheckFailed(Exception):
    """A learner's answer is wrong. Carries everything the feedback shows.

    Args:
        message: what is wrong, in one or two sentences.
        expected: the expected value, shown beside ``actual``.
        actual: what the learner's code produced.
        hint: the likely mistake, when one is recognised.
        figure: optional PNG bytes (for example a Bloch sphere of expected vs actual).
    """

    def __init__(
        self,
        message: str,
        *,
        expected: Any = None,
        actual: Any = None,
        hint: str | None = None,
        figure: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.hint = hint
        self.figure = figure


class LearnerError(Exception):
    """The learner's function raised, timed out, or exited."""

    def __init__(self, message: str, kind: str = "exception") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # "exception", "timeout", "exit"
        self.original: BaseException | None = None


class CheckBudget(CheckFailed):
    """An answer too large to check within the grader's budget (for example a circuit
    whose simulation would take gates × 2^qubits beyond the limit). Fails that case."""


class CheckTimeBudget(BaseException):
    """Checking one exercise took the grader more time than its budget; raised in the
    trusted grading process by an alarm. Fails the running case and skips the rest.

    A ``BaseException``, so that no ``except Exception`` on the way (a guarded hint, a
    decoder) can swallow it and let the check run on without its alarm."""
