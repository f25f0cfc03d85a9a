"""The check engine: the exercise registry and the runner that calls learner code safely.

An exercise is registered with :func:`exercise` on a *checker*, a function that receives a
:class:`Tester` and runs cases::

    @exercise("03.bell_state", points=4)
    def _(t: Tester) -> None:
        for name in ("phi+", "phi-", "psi+", "psi-"):
            with t.case(f"bell_state({name!r})", points=1):
                qc = t.call(name)
                ...  # compare, raising CheckFailed on a wrong answer

:meth:`Tester.call` runs the learner's function through a :class:`Runner` under the check's
time budget: :class:`ThreadRunner` (a worker thread, for ``check()`` in a notebook) or the
classroom's sandbox runner. An exception, ``sys.exit()``, a timeout (infinite loop) or
output on stderr never escapes: each becomes a failed case with a clear message. After a
timeout the remaining cases are not run, since the learner's code may still be busy.

:func:`grade_exercise` is the one grading core: it runs a checker with a runner and builds
the :class:`~autograder.result.Result` (grader errors, points that do not add up).
"""

from __future__ import annotations

import contextlib
import ctypes
import difflib
import importlib
import io
import pkgutil
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from . import messages
from .errors import CheckFailed, CheckTimeBudget, LearnerError, UnknownExercise
from .result import CaseResult, Result

_REGISTRY: dict[str, Exercise] = {}
#: the allowed values of ``@exercise(difficulty=...)`` ("" while an exercise has none)
DIFFICULTIES = ("", "easy", "medium", "hard")
_loaded = False


@dataclass
class Exercise:
    """A registered exercise."""

    id: str
    points: float
    checker: Callable[[Tester], None]
    time_limit: float = 10.0
    title: str = ""
    #: "easy", "medium" or "hard": how hard the exercise is within the course
    difficulty: str = ""
    #: about how many minutes a learner who has read the lesson needs
    minutes: int = 0
    #: two or three progressive hints, from a nudge to the method (never the finished code)
    hints: tuple[str, ...] = ()

    @property
    def lesson(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def function_name(self) -> str:
        """The name of the learner's function, by contract the part after the dot."""
        return self.id.split(".", 1)[1]

    @property
    def grade_id(self) -> str:
        """The nbgrader ``grade_id`` of the exercise's grade cell."""
        from .lessons import grade_id_for

        return grade_id_for(self.id)


def exercise(
    exercise_id: str,
    points: float = 1.0,
    time_limit: float = 10.0,
    title: str = "",
    difficulty: str = "",
    minutes: int = 0,
    hints: Sequence[str] = (),
) -> Callable[[Callable[[Tester], None]], Callable[[Tester], None]]:
    """Register a checker function for ``exercise_id``.

    The registry is the one source of an exercise's metadata: ``qml-course author sync``
    writes the title and points into the lesson (heading, grade cell) and the docs; the
    signature is the reference solution's (``autograder/solutions/lessonNN.py``).

    Args:
        exercise_id: ``"NN.function_name"``, the lesson number and the learner's function.
        points: the exercise's maximum score; the points of its cases must add up to it.
        time_limit: seconds the learner's code may run in total during one check.
        title: a short human title, the exercise's heading in the lesson and the docs.
        difficulty: ``"easy"``, ``"medium"`` or ``"hard"``; shown in the heading.
        minutes: the expected time in minutes; shown in the heading.
        hints: the exercise's hint ladder, shown one at a time by ``hint("NN.name")``.
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(
            f"exercise {exercise_id!r}: difficulty must be one of {DIFFICULTIES}, "
            f"not {difficulty!r}"
        )

    def register(checker: Callable[[Tester], None]) -> Callable[[Tester], None]:
        if exercise_id in _REGISTRY and _REGISTRY[exercise_id].checker is not checker:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        _REGISTRY[exercise_id] = Exercise(
            exercise_id,
            float(points),
            checker,
            time_limit,
            title,
            difficulty,
            int(minutes),
            tuple(str(h) for h in hints),
        )
        return checker

    return register


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    from . import checks as pkg
    from .compare import guard_diagnoses

    # every module, shared helpers (``_common``) included: a crashing hint helper must
    # never turn a wrong answer into a grader error, wherever it is defined
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        guard_diagnoses(vars(module))
    _loaded = True


def exercises(lesson: str | None = None) -> list[str]:
    """The registered exercise IDs, sorted; only one lesson's with ``lesson="03"``.

    >>> "00.plus_state" in exercises()
    True
    """
    _load_all()
    ids = sorted(_REGISTRY)
    if lesson is not None:
        ids = [i for i in ids if i.split(".", 1)[0] == str(lesson).zfill(2)]
    return ids


def get_exercise(exercise_id: str) -> Exercise:
    """The :class:`Exercise` for an ID; :class:`UnknownExercise` suggests near IDs."""
    _load_all()
    if not isinstance(exercise_id, str):
        raise UnknownExercise(
            f"An exercise ID is a string such as '03.bell_state', not {type(exercise_id).__name__}."
        )
    key = exercise_id.strip()
    if key in _REGISTRY:
        return _REGISTRY[key]
    near = difflib.get_close_matches(key, list(_REGISTRY), n=3, cutoff=0.5)
    if not near:
        tail = key.split(".", 1)[-1]
        near = [i for i in _REGISTRY if i.endswith("." + tail) or tail in i][:3]
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    raise UnknownExercise(
        f"There is no exercise {exercise_id!r}.{hint} "
        "autograder.exercises() lists every exercise ID."
    )


class _Timeout(BaseException):
    """Injected into a learner thread that ran past its time limit."""


class _StopCheck(Exception):
    """Raised inside a case after a timeout or crash, so the remaining cases are skipped."""


def _format_learner_exception(exc: BaseException) -> str:
    """One short line plus the learner's own frames (not the autograder's)."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "/autograder/" not in f.filename.replace("\\", "/") and "threading" not in f.filename
    ]
    where = ""
    if frames:
        last = frames[-1]
        line = f": {last.line.strip()}" if last.line else ""
        where = f"\n(in {last.name}, line {last.lineno}{line})"
    if isinstance(exc, NotImplementedError) and not str(exc):
        return messages.NOT_DONE
    return messages.raised(type(exc).__name__, str(exc), where)


# ------------------------------------------------------------------ runners
class Runner(Protocol):
    """Where the learner's code runs while a checker checks it.

    :class:`ThreadRunner` runs it here, in a worker thread (``check()`` in a notebook);
    the classroom's ``SandboxRunner`` runs it in a sandbox process, while the checker runs
    in the trusted grader. A runner raises :class:`~autograder.errors.LearnerError` for
    anything the learner's code did (``kind="timeout"`` for a call past ``deadline``,
    ``kind="crash"`` when the process running it died).
    """

    #: whether warnings raised while checking came from the learner's code (True when it
    #: runs in this process) and belong in the feedback
    reports_warnings: bool

    def answer(self, ex: Exercise) -> Any:
        """What the checker's ``t.call(...)`` calls: the learner's function (or a stand-in)."""
        ...

    def run(
        self, fn: Callable[..., Any], args: tuple, kwargs: dict, *, deadline: float, limit: float
    ) -> Any:
        """Call ``fn(*args, **kwargs)`` before ``deadline`` (``limit``: the check's seconds)."""
        ...


class ThreadRunner:
    """Runs the learner's code in this process, in a worker thread under the time budget.

    An exception, ``sys.exit()``, a timeout (infinite loop) or output on stderr never
    escapes: each becomes a :class:`~autograder.errors.LearnerError`.
    """

    reports_warnings = True

    def __init__(self, answer: Any = None) -> None:
        self._answer = answer

    def answer(self, ex: Exercise) -> Any:
        return self._answer

    def run(
        self, fn: Callable[..., Any], args: tuple, kwargs: dict, *, deadline: float, limit: float
    ) -> Any:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LearnerError(messages.out_of_time(limit), kind="timeout")
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except _Timeout:
                box["timeout"] = True
            except SystemExit as exc:
                box["exit"] = exc
            except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
                box["error"] = exc

        worker = threading.Thread(target=target, name="learner-code", daemon=True)
        worker.start()
        worker.join(remaining)
        if worker.is_alive():
            _raise_in_thread(worker)
            worker.join(1.0)
            raise LearnerError(messages.timed_out(limit), kind="timeout")
        if "exit" in box:
            raise LearnerError(messages.exited(repr(box["exit"].code)), kind="exit")
        if "error" in box:
            err = LearnerError(_format_learner_exception(box["error"]))
            err.original = box["error"]
            raise err
        if box.get("timeout"):
            raise LearnerError(messages.STOPPED_IN_TIME, kind="timeout")
        return box.get("value")


class Tester:
    """What a checker uses to call the learner's answer and record cases."""

    __test__ = False  # not a pytest test class

    def __init__(
        self, ex: Exercise, answer: Any, *, deadline: float, runner: Runner | None = None
    ) -> None:
        self.exercise = ex
        self.answer = answer
        self.deadline = deadline
        self.runner: Runner = runner if runner is not None else ThreadRunner(answer)
        self.cases: list[CaseResult] = []
        self.timed_out = False
        #: why later calls are not made (an earlier call crashed the learner's process)
        self.stopped: str | None = None

    # -- calling the learner -------------------------------------------------
    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Call the learner's function with these arguments under the time budget.

        Raises:
            LearnerError: when the function raises, exits or times out.
        """
        fn = self.answer
        if not callable(fn):
            raise CheckFailed(
                messages.not_callable(
                    self.exercise.function_name, type(fn).__name__, self.exercise.id
                )
            )
        return self.run(fn, *args, **kwargs)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run any learner-supplied callable (e.g. a model's ``predict``) under the budget."""
        if self.stopped:
            raise _StopCheck(self.stopped)
        if self.timed_out:
            raise _StopCheck()
        try:
            return self.runner.run(
                fn, args, kwargs, deadline=self.deadline, limit=self.exercise.time_limit
            )
        except LearnerError as err:
            if err.kind == "timeout":
                self.timed_out = True
            elif err.kind == "crash":
                self.stopped = messages.EARLIER_CRASH
            raise

    def expect_raises(
        self, exc_type: type[BaseException] | tuple[type[BaseException], ...], *args: Any
    ) -> None:
        """Require the learner's function to raise ``exc_type`` for these arguments."""
        types = exc_type if isinstance(exc_type, tuple) else (exc_type,)
        names = " or ".join(t.__name__ for t in types)
        call = f"{self.exercise.function_name}({', '.join(repr(a) for a in args)})"
        try:
            value = self.call(*args)
        except LearnerError as err:
            original = getattr(err, "original", None)
            if err.kind == "exception" and isinstance(original, types):
                return
            if err.kind != "exception":
                raise
            raise CheckFailed(f"{call} should raise {names}, but it {err.message}") from None
        raise CheckFailed(
            f"{call} should raise {names}, but it returned {value!r}.",
            hint=f"check the input and `raise {types[0].__name__}(...)` with a helpful message",
        )

    # -- recording cases ---------------------------------------------------------
    @contextlib.contextmanager
    def case(self, description: str, points: float = 1.0, hidden: bool = False) -> Iterator[None]:
        """Run one case: a wrong answer or learner error fails only this case."""
        result = CaseResult(description, False, float(points), float(points), hidden=hidden)
        try:
            yield  # after a timeout, call()/run() raise _StopCheck inside the body
            result.passed = True
        except _StopCheck as stop:
            reason = stop.args[0] if stop.args else messages.EARLIER_TIMEOUT
            result.message = f"not run: {reason}"
            result.kind = "timeout"
        except CheckFailed as fail:
            result.message = fail.message
            result.expected = None if hidden else fail.expected
            result.actual = fail.actual
            result.hint = fail.hint
            result.figure = fail.figure
        except LearnerError as err:
            result.message = f"Your function {err.message}"
            result.kind = err.kind
        except MemoryError as exc:  # the answer is too large to compare
            result.kind = "unusable"
            result.message = messages.unusable(exc)
        except CheckTimeBudget as exc:
            # the grader's own work on this answer ran past its budget (see errors.py)
            result.message = str(exc)
            result.kind = "timeout"
            self.timed_out = True
        except Exception as exc:  # a bug in our checker: report, never blame the learner
            result.kind = "internal"
            result.message = messages.internal_error(exc)
        except BaseException as exc:
            # a library that panics (pyo3's PanicException is a BaseException) on a value
            # the learner returned: the answer could not be checked, and the grader goes on
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            result.kind = "unusable"
            result.message = messages.unusable(exc)
        if not result.passed:
            result.points = 0.0
        self.cases.append(result)


def _raise_in_thread(thread: threading.Thread) -> None:
    """Ask a thread to stop by raising _Timeout in it (works for pure-Python loops)."""
    ident = thread.ident
    if ident is None:
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_Timeout))


# ------------------------------------------------------------------ the grading core
def grade_exercise(
    ex: Exercise,
    runner: Runner,
    *,
    deadline: float | None = None,
    guard: Callable[[], contextlib.AbstractContextManager[Any]] | None = None,
) -> Result:
    """Run ``ex``'s checker with the learner's code in ``runner``; never raises for
    anything the learner did, nor for a bug in the checker (that sets ``Result.error``).

    Args:
        ex: the exercise.
        runner: where the learner's code runs (:class:`ThreadRunner`, or the classroom's
            sandbox runner).
        deadline: ``time.monotonic()`` value by which the learner's calls must end
            (default: the exercise's time limit from now).
        guard: a context manager around the checker, e.g. an alarm that bounds the
            grader's own work; it raises :class:`~autograder.errors.CheckTimeBudget`.

    >>> def answer():
    ...     return [2 ** -0.5, 2 ** -0.5]
    >>> grade_exercise(get_exercise("00.plus_state"), ThreadRunner(answer)).score
    2.0
    """
    if deadline is None:
        deadline = time.monotonic() + ex.time_limit
    tester = Tester(ex, runner.answer(ex), deadline=deadline, runner=runner)
    result = Result(ex.id)
    captured = io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # learner output on stderr would cost the points in nbgrader: send it to our buffer
            with contextlib.redirect_stderr(captured), contextlib.redirect_stdout(captured):
                with guard() if guard is not None else contextlib.nullcontext():
                    ex.checker(tester)
        except CheckTimeBudget as exc:  # the grader's budget ran out between two cases
            tester.timed_out = True
            left = ex.points - sum(c.max_points for c in tester.cases)
            rest = CaseResult("the rest of the check", False, 0.0, max(0.0, left))
            rest.message, rest.kind = str(exc), "timeout"
            tester.cases.append(rest)
        except Exception as exc:  # a bug in the checker outside any case
            result.error = messages.internal_error(exc)
        except BaseException as exc:  # a library panic between cases: ours, not the learner's
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            result.error = messages.internal_error(exc)
    result.cases = tester.cases
    if runner.reports_warnings:
        result.warnings = sorted({f"{w.category.__name__}: {w.message}" for w in caught})[:5]
    if tester.stopped:
        result.interrupted = "crash"
    elif tester.timed_out:
        result.interrupted = "timeout"
    if not result.error:
        internal = [c for c in result.cases if c.kind == "internal"]
        if internal:
            result.error = internal[0].message
        elif not result.cases:
            result.error = "the checker ran no case"
        elif abs(result.max_score - ex.points) > 1e-9:
            result.error = (
                f"internal grader error: cases add up to {result.max_score} points, "
                f"the exercise is worth {ex.points}"
            )
    return result


def run_check(exercise_id: str, answer: Any) -> Result:
    """Check ``answer`` for ``exercise_id`` and return a :class:`Result` (never raises for
    anything the learner did)."""
    return grade_exercise(get_exercise(exercise_id), ThreadRunner(answer))
