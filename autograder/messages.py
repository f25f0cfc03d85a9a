"""What a learner reads when their code could not be checked normally: one place for the
texts the check engine (in-notebook checks) and the classroom sandbox both write.

Each message says what happened and what to do. The engine prefixes case messages with
"Your function ", so most texts here start with a verb.

>>> timed_out(10)
'did not finish within 10 s. Is there an infinite loop, or a much slower method than needed?'
>>> NOT_DONE.startswith(NOT_STARTED_MARK)
True
"""

from __future__ import annotations

#: what a hidden case shows in place of its expected value
HIDDEN_INPUT = "(hidden input)"

#: the one line shown for an exercise whose stub was not replaced yet
NOT_STARTED = "not started: replace `raise NotImplementedError()` with your code"

#: the start of :data:`NOT_DONE`; a result whose cases all carry it was not started
NOT_STARTED_MARK = "raised NotImplementedError: the exercise is not done yet"

#: the learner's function raised the stub's bare ``NotImplementedError()``
NOT_DONE = f"{NOT_STARTED_MARK}. Replace the `raise NotImplementedError()` line with your code."

#: a case skipped because an earlier call of the same check timed out
EARLIER_TIMEOUT = "an earlier call ran out of time."

#: a case skipped because an earlier call crashed the sandbox's Python process
EARLIER_CRASH = "an earlier call crashed the Python process."

#: a thread that was stopped from outside (its time ran out while it was running)
STOPPED_IN_TIME = "did not finish in time."

#: the likely mistake for a state whose qubits are numbered the other way round
QUBIT_ORDER_REVERSED = (
    "qubit order reversed: in Qiskit qubit 0 is the rightmost bit (least-significant index bit)"
)


def timed_out(seconds: float | None) -> str:
    """A learner call that ran past the check's time limit (``None``: limit not known)."""
    within = "in the time allowed" if seconds is None else f"within {seconds:g} s"
    return (
        f"did not finish {within}. Is there an infinite loop, or a much slower method than needed?"
    )


def out_of_time(seconds: float) -> str:
    """A learner call that could not start: the check's time was already used up."""
    return f"ran out of time: the check allows {seconds:g} s in total."


def exited(code: object) -> str:
    """The learner's function called ``sys.exit()`` or ``exit()``."""
    return (
        f"called sys.exit({code}) (or exit()); a function should return its answer instead "
        "of stopping Python."
    )


def raised(etype: str, message: str, where: str = "") -> str:
    """The learner's function raised an exception (``where``: its own frame, if known)."""
    if etype == "NotImplementedError" and not message:
        return NOT_DONE
    return f"raised {etype}: {message}{where}"


def out_of_memory(where: str = "") -> str:
    """The learner's function ran out of the memory the sandbox allows."""
    return f"raised MemoryError: it used more memory than the grader allows{where}"


def crashed(reason: str) -> str:
    """The learner's function took the sandbox's Python process down with it."""
    return f"crashed: {reason}."


def unusable(exc: BaseException) -> str:
    """The checker failed on the value the learner returned (too large, a library panic)."""
    return (
        "Your answer could not be checked: working with the value your function returned "
        f"made the checker fail ({type(exc).__name__}). Return the kind of value the "
        "exercise asks for (its type and size are in the exercise statement)."
    )


def not_callable(function_name: str, got: str, exercise_id: str) -> str:
    """``check()`` was given something that is not the learner's function."""
    return (
        f"Expected your function `{function_name}` itself (a callable), but got a {got}. "
        f"Pass the function without calling it: check({exercise_id!r}, {function_name})."
    )


def not_defined(function_name: str) -> str:
    """After running the notebook, the exercise's function does not exist."""
    return (
        f"`{function_name}` is not defined after running the notebook; check that its cell "
        "runs without errors (and that the function keeps its name)."
    )


def internal_error(exc: BaseException) -> str:
    """A bug in the grader (a checker): never the learner's fault."""
    return f"internal grader error ({type(exc).__name__}: {exc})"


def check_took_too_long(seconds: float, exercise_id: str) -> str:
    """The trusted side's own work on one answer ran past its budget."""
    return (
        f"Checking this answer took the grader more than {seconds:g} s, so the check "
        f"stopped. Does {exercise_id} return something far larger than needed (a huge "
        "circuit or array)?"
    )
