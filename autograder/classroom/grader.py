"""Grade one submitted notebook in a sandbox, or many in parallel.

What is graded, and for how many points, comes from the trusted assignment (the course's
``source/`` notebook); the submitted file only supplies code. Every code cell of the
submission runs in the sandbox (grade and check cells are skipped, whatever their tags),
then each exercise's checker runs here, in the trusted process, calling the learner's
functions through the sandbox.

The result is a :class:`~autograder.records.SubmissionResult`: ``graded`` (with an
:class:`~autograder.records.ExerciseOutcome` per exercise), ``ungradable`` (no notebook,
unreadable file: scored 0 with the reason), or ``infrastructure`` (our sandbox failed:
reported, never scored). The checks run through the one grading core,
:func:`autograder.engine.grade_exercise`, with the sandbox runner.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import messages
from ..engine import Exercise, get_exercise, grade_exercise
from ..errors import AutograderError, CheckTimeBudget
from ..lessons import exercise_ids_in, nbgrader_meta, repo_root
from ..records import ExerciseOutcome, Status, SubmissionResult
from . import isolation as iso
from .remote import InfrastructureError, SandboxDied, SandboxRunner, SandboxSession
from .sandbox import is_check_cell
from .submission import find_notebook, read_code_cells, read_code_cells_with_positions

__all__ = [
    "find_notebook",
    "grade_file",
    "grade_submission",
    "read_code_cells",
    "trusted_exercises",
]


def trusted_exercises(source_notebook: Path) -> list[Exercise]:
    """The exercises of the trusted source notebook (from its grade cells), in order.

    Their points come from the registry (``@exercise(points=...)``). A grade cell that
    gives an exercise other points is a mistake in the course, not in a submission:
    :class:`~autograder.errors.AutograderError` names it, and nothing is graded.
    """
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    points = {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
        for c in nb.cells
        if nbgrader_meta(c).get("grade")
    }
    out = []
    mismatched = []
    for ex_id in exercise_ids_in(nb):
        ex = get_exercise(ex_id)
        cell_points = points.get(ex.grade_id, ex.points)
        if abs(cell_points - ex.points) > 1e-9:
            mismatched.append(
                f"{ex.grade_id} is worth {cell_points:g} in the notebook, {ex.points:g} in the registry"
            )
        out.append(ex)
    if mismatched:
        raise AutograderError(
            f"The points of the assignment {source_notebook} disagree with the autograder's "
            f"registry ({'; '.join(mismatched)}). This is a problem in the course, not in any "
            "submission: nothing was graded. Make the grade cells' points match "
            "@exercise(points=...) in autograder/checks (and regenerate the class's "
            "assignment), then grade again."
        )
    return out


def hidden_paths(course_root: Path | None) -> list[Path]:
    """What a sandbox must never see, should it lie inside a folder the sandbox needs:
    the checks, the reference solutions, the checkout, the course folder."""
    pkg = Path(__file__).resolve().parents[1]
    root = repo_root()
    paths = [pkg / "checks", pkg / "solutions"]
    paths += [root / name for name in ("lessons", "tests", ".git")]
    if root.name not in ("site-packages", "dist-packages"):
        paths.append(root)
    if course_root is not None:
        paths.append(Path(course_root).resolve())
    return [p for p in paths if p.exists()]


#: what learner code needs to import in the sandbox; the self-test imports each one
SELFTEST_IMPORTS = (
    "numpy",
    "scipy",
    "matplotlib",
    "sklearn",
    "qiskit",
    "qiskit_aer",
    "qiskit_ibm_runtime",
    "qmlkit",
    "autograder",
)


def _must_stay_hidden(course_root: Path | None) -> list[str]:
    pkg = Path(__file__).resolve().parents[1]
    paths = [p / "__init__.py" for p in (pkg / "checks", pkg / "solutions")]
    paths += [p for p in hidden_paths(course_root)]
    paths += [Path(x) for x in ("/home", "/srv", "/run", "/etc/shadow", "/etc/ssh", "/var/lib")]
    return sorted({str(p) for p in paths})


def _leaks(visible: Any) -> list[str]:
    """Paths the sandbox reported seeing that it must not: files, and folders holding
    anything but the way down to the Python environment bound inside them."""
    if not isinstance(visible, dict):
        return []
    trees = iso.python_trees()
    leaks = []
    for path, entries in visible.items():
        if entries is None:
            leaks.append(path)
            continue
        base = Path(path)
        allowed = {t.relative_to(base).parts[0] for t in trees if base in t.parents}
        extra = [e for e in entries if e not in allowed]
        if extra:
            leaks.append(f"{path} ({', '.join(extra[:5])})")
    return leaks


def self_test(
    isolation: iso.Isolation | None = None,
    limits: iso.Limits | None = None,
    course_root: Path | None = None,
) -> dict[str, Any]:
    """Start one sandbox before grading: it must start, import what learner code needs,
    and see none of what must stay hidden.

    Returns what the sandbox reported. Raises :class:`~autograder.errors.AutograderError`
    naming the cause (with the sandbox's own error output) otherwise: then nothing may be
    graded, since every submission would fail for a reason that is ours.
    """
    from ..errors import AutograderError

    isolation = isolation or iso.detect()
    limits = limits or iso.Limits()
    session = SandboxSession(None, limits, isolation, hidden_paths(course_root))
    try:
        try:
            session.start()
            allowed = list(iso.sandbox_env(None))
            session.send(
                {
                    "op": "probe",
                    "imports": list(SELFTEST_IMPORTS),
                    "paths": _must_stay_hidden(course_root),
                    "allowed_env": allowed + ["PWD", "SHLVL", "_", "LC_CTYPE"],
                }
            )
            frame = session.receive(time.monotonic() + 180)
        except (InfrastructureError, SandboxDied, TimeoutError) as exc:
            detail = session.stderr_tail()
            raise AutograderError(
                f"The grading sandbox ({isolation.level}) does not work on this machine: "
                f"{exc or 'it did not answer'}."
                + (f"\nIts error output:\n{detail}" if detail and detail not in str(exc) else "")
                + "\nNothing was graded and the gradebook was not touched. "
                "`qml-course class selftest DIR` repeats this check."
            ) from None
    finally:
        session.close()
    value = frame.get("value")
    report: dict[str, Any] = value if isinstance(value, dict) else {}
    failed = {k: v for k, v in report.get("imports", {}).items() if not str(v).startswith("ok")}
    problems = []
    if failed or not report.get("imports"):
        problems.append(
            "it cannot import what learner code needs: "
            + "; ".join(f"{k}: {v}" for k, v in failed.items())
        )
    leaks = _leaks(report.get("visible"))
    if leaks:
        problems.append("it can see what must stay hidden: " + ", ".join(leaks))
    if report.get("unexpected_env"):
        problems.append("it inherits environment variables: " + ", ".join(report["unexpected_env"]))
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if isolation.level in ("bwrap", "uid") and root and report.get("uid") == 0:
        problems.append("learner code would run as root")
    if problems:
        raise AutograderError(
            f"The grading sandbox ({isolation.level}) failed its self-test: "
            + "; ".join(problems)
            + ". Nothing was graded and the gradebook was not touched."
        )
    return report


class _OutOfTime(Exception):
    """The submission's wall-clock budget ran out while its cells were running."""


def _scrubber(course_root: Path | None):
    """A function that removes host paths and secrets from text shown to a learner."""
    secrets: list[tuple[str, str]] = []
    pkg = Path(__file__).resolve().parents[1]
    for path, label in (
        (course_root, "<course folder>"),
        (repo_root(), "<course>"),
        (pkg, "<course>/autograder"),
        (Path.home(), "~"),
    ):
        if path is not None and len(str(path)) > 1:
            secrets.append((str(Path(path).resolve()), label))
            secrets.append((str(path), label))
    for key, value in os.environ.items():
        if len(value) >= 6 and _SECRET_NAME.search(key):
            secrets.append((value, "<hidden>"))
    secrets.sort(key=lambda pair: -len(pair[0]))

    def scrub(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        for secret, label in secrets:
            if secret in text:
                text = text.replace(secret, label)
        return text

    return scrub


_SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|PRIVATE|DB_URL|DATABASE", re.I)


def grade_submission(
    submission_dir: Path,
    source_notebook: Path,
    student: str,
    assignment: str,
    limits: iso.Limits | None = None,
    isolation: iso.Isolation | None = None,
    course_root: Path | None = None,
) -> SubmissionResult:
    """Grade one student's submission folder against the trusted source notebook."""
    exercises = trusted_exercises(source_notebook)
    path, note = find_notebook(submission_dir, source_notebook.name)
    return grade_file(
        path,
        exercises,
        student=student,
        assignment=assignment,
        limits=limits,
        isolation=isolation,
        course_root=course_root,
        notes=[note] if note else [],
    )


def grade_file(
    path: Path | None,
    exercises: list[Exercise],
    *,
    student: str = "",
    assignment: str = "",
    limits: iso.Limits | None = None,
    isolation: iso.Isolation | None = None,
    course_root: Path | None = None,
    notes: list[str] | None = None,
) -> SubmissionResult:
    """Grade one notebook file: its code cells run in a sandbox, then each exercise's
    checker runs here, calling the learner's functions through the sandbox.

    Args:
        path: the notebook (None: there is none; the result says why in ``notes``).
        exercises: what to grade, with the points from the registry.
        limits, isolation: the sandbox's (default: :class:`~.isolation.Limits` and the
            strongest isolation this machine offers).
        course_root: a class folder the sandbox must not see.
        notes: notes to start the result with (e.g. how the notebook was found).
    """
    limits = limits or iso.Limits()
    isolation = isolation or iso.detect()
    started = time.monotonic()
    deadline = started + limits.wall_seconds
    result = SubmissionResult(
        student, assignment, Status.GRADED, notes=list(notes or []), isolation=isolation.level
    )
    scrub = _scrubber(course_root)
    try:
        _grade_into(result, path, exercises, limits, isolation, course_root, deadline)
    finally:
        result.scrub(scrub)
        result.duration = round(time.monotonic() - started, 3)
    return result


def _grade_into(
    result: SubmissionResult,
    path: Path | None,
    exercises: list[Exercise],
    limits: iso.Limits,
    isolation: iso.Isolation,
    course_root: Path | None,
    deadline: float,
) -> None:
    def zero_all(reason: str, status: Status = Status.NOT_GRADED) -> None:
        for ex in exercises:
            result.exercises.append(
                ExerciseOutcome.zero(ex.id, ex.grade_id, ex.points, reason, status)
            )

    def ungradable(reason: str) -> None:
        result.status, result.reason = Status.UNGRADABLE, reason
        zero_all(reason)

    if path is None:
        return ungradable(result.notes[-1] if result.notes else "no notebook")
    cells, note = read_code_cells_with_positions(path)
    if note:
        result.notes.append(note)
    if cells is None:
        return ungradable(note or "unreadable")
    # check and grade cells need not run here; they keep their place so notes count right
    run = [(pos, "" if is_check_cell(src) else src) for pos, src in cells]
    result.notebook = str(path)

    session = SandboxSession(path.parent, limits, isolation, hidden_paths(course_root))
    session.sources = [src for _pos, src in run]
    skipped: dict[int, str] = {}

    def boot() -> None:
        """(Re)start the sandbox and run the cells, skipping any that hang or crash it."""
        while True:
            if time.monotonic() >= deadline:
                raise _OutOfTime
            session.start()
            sources = ["" if i in skipped else src for i, (_pos, src) in enumerate(run)]
            errors, stuck, why = session.exec_cells(sources, deadline, limits.cell_timeout())
            if stuck is None:
                result.cell_errors = [
                    f"cell {run[e['index']][0]}: {str(e.get('ename'))[:100]}: "
                    f"{str(e.get('evalue'))[:300]}"
                    for e in errors
                    if isinstance(e, dict)
                    and isinstance(e.get("index"), int)
                    and 0 <= e["index"] < len(run)
                ][:20]
                return
            if time.monotonic() >= deadline:
                raise _OutOfTime
            if stuck in skipped:  # cannot happen for a well-behaved sandbox: stop trying
                raise SandboxDied(f"cell {run[stuck][0]} could not be skipped")
            skipped[stuck] = why
            pos = run[stuck][0]
            result.skipped_cells.append(pos)
            result.notes.append(
                f"notebook cell {pos} hung or crashed the kernel ({why}); it was skipped "
                "and the notebook was run again without it"
            )

    try:
        try:
            boot()
            result.notes.extend(session.input_notes)
        except InfrastructureError as exc:
            result.status, result.reason = Status.INFRASTRUCTURE, str(exc)
            return
        except _OutOfTime:
            reason = (
                f"the notebook's cells did not finish within the submission's time limit "
                f"({limits.wall_seconds:g} s)"
            )
            result.notes.append(reason)
            return zero_all(reason, Status.TIMEOUT)
        except SandboxDied as exc:
            return ungradable(str(exc))
        for ex in exercises:
            result.exercises.append(_grade_one(ex, session, deadline, limits, boot))
    finally:
        session.close()


def _grade_one(
    ex: Exercise,
    session: SandboxSession,
    deadline: float,
    limits: iso.Limits,
    boot: Callable[[], None],
) -> ExerciseOutcome:
    """Check one exercise; ``boot`` restarts the sandbox (and reruns the cells) when an
    earlier exercise left it dead."""

    def zero(reason: str, status: Status) -> ExerciseOutcome:
        return ExerciseOutcome.zero(ex.id, ex.grade_id, ex.points, reason, status)

    if time.monotonic() >= deadline:
        return zero(
            f"not checked: the submission's time limit ({limits.wall_seconds:g} s) ran out "
            "before this exercise",
            Status.TIMEOUT,
        )
    if not session.alive():
        try:
            boot()
        except InfrastructureError as exc:
            return ExerciseOutcome.unscored(ex.id, ex.grade_id, ex.points, str(exc))
        except (SandboxDied, _OutOfTime) as exc:
            return zero(str(exc) or "the submission's time limit ran out", Status.CRASH)
    ex_deadline = min(deadline, time.monotonic() + ex.time_limit)
    try:
        defined = session.has_function(ex.function_name, ex_deadline)
    except (TimeoutError, SandboxDied) as exc:
        session.kill()
        return zero(f"the sandbox failed ({exc})", Status.CRASH)
    if not defined:
        return zero(messages.not_defined(ex.function_name), Status.MISSING)
    # the grader's own work on this answer: generous for the check, but never much past
    # the submission's own time limit (--timeout)
    budget = ex.time_limit + max(30.0, ex.time_limit)
    budget = min(budget, max(5.0, deadline - time.monotonic() + 10.0))
    result = grade_exercise(
        ex,
        SandboxRunner(session),
        deadline=ex_deadline,
        guard=lambda: _work_budget(budget, ex.id),
    )
    if result.interrupted:
        session.kill()  # the sandbox may still be busy: start afresh for the next exercise
    status = {"crash": Status.CRASH, "timeout": Status.TIMEOUT}.get(
        result.interrupted or "", Status.GRADED
    )
    return ExerciseOutcome.from_result(ex.grade_id, ex.points, result, status)


@contextlib.contextmanager
def _work_budget(seconds: float, exercise_id: str):
    """Bound the trusted side's own work on one answer (simulating a learner's circuit,
    say) with an alarm; raises CheckTimeBudget inside the check when it rings."""
    usable = (
        hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def ring(_signum, _frame):
        raise CheckTimeBudget(messages.check_took_too_long(seconds, exercise_id))

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def grade_job(job: dict) -> SubmissionResult:
    """Grade one job of :func:`grade_many` (the keyword arguments of
    :func:`grade_submission` as a dict); any error is an infrastructure result."""
    try:
        return grade_submission(
            Path(job["submission_dir"]),
            Path(job["source_notebook"]),
            job["student"],
            job["assignment"],
            job.get("limits"),
            job.get("isolation"),
            Path(job["course_root"]) if job.get("course_root") else None,
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # never lose the run to one submission
        from .pool import failed_submission

        return failed_submission(job, f"{type(exc).__name__}: {exc}")


def grade_many(jobs: list[dict], workers: int | None = None) -> list[SubmissionResult]:
    """Grade submissions in parallel; see :func:`autograder.classroom.pool.grade_many`."""
    from . import pool

    return pool.grade_many(jobs, workers)
