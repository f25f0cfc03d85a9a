"""Grade one submitted notebook in a sandbox, or many in parallel.

What is graded, and for how many points, comes from the trusted assignment (the course's
``source/`` notebook); the submitted file only supplies code. Every code cell of the
submission runs in the sandbox (grade and check cells are skipped, whatever their tags),
then each exercise's checker runs here, in the trusted process, calling the learner's
functions through the sandbox.

Outcomes per submission: ``graded`` (with per-exercise scores and feedback),
``ungradable`` (no notebook, unreadable file: scored 0 with the reason), or
``infrastructure`` (our sandbox failed: reported, never scored).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Any

from ..engine import get_exercise
from ..errors import CheckTimeBudget
from ..lessons import exercise_ids_in, nbgrader_meta, repo_root
from . import isolation as iso
from .remote import InfrastructureError, RemoteTester, SandboxDied, SandboxSession
from .sandbox import is_check_cell
from .submission import find_notebook, read_code_cells, read_code_cells_with_positions

__all__ = ["find_notebook", "grade_submission", "read_code_cells", "trusted_exercises"]


def trusted_exercises(source_notebook: Path) -> list[dict[str, Any]]:
    """(exercise id, grade id, function name, points) from the trusted source notebook."""
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    points = {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
        for c in nb.cells
        if nbgrader_meta(c).get("grade")
    }
    out = []
    for ex_id in exercise_ids_in(nb):
        ex = get_exercise(ex_id)
        out.append(
            {
                "exercise_id": ex_id,
                "grade_id": ex.grade_id,
                "function": ex.function_name,
                "points": points.get(ex.grade_id, ex.points),
            }
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
    shared = root.parent / "shared"
    if shared.is_dir():
        paths.append(shared)
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
    report = frame.get("value") if isinstance(frame.get("value"), dict) else {}
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
) -> dict[str, Any]:
    """Grade one student's submission folder against the trusted source notebook."""
    limits = limits or iso.Limits()
    isolation = isolation or iso.detect()
    started = time.monotonic()
    deadline = started + limits.wall_seconds
    exercises = trusted_exercises(source_notebook)
    result: dict[str, Any] = {
        "student": student,
        "assignment": assignment,
        "status": "graded",
        "reason": None,
        "notes": [],
        "cell_errors": [],
        "skipped_cells": [],
        "exercises": [],
        "isolation": isolation.level,
    }
    scrub = _scrubber(course_root)

    def zero_all(reason: str, status: str = "not graded") -> None:
        for ex in exercises:
            result["exercises"].append(_exercise_row(ex, 0.0, False, reason, [], status))

    path, note = find_notebook(submission_dir, source_notebook.name)
    if note:
        result["notes"].append(note)
    if path is None:
        result.update(status="ungradable", reason=note)
        zero_all(note or "no notebook")
        return _finish(result, started, scrub)
    cells, note = read_code_cells_with_positions(path)
    if note:
        result["notes"].append(note)
    if cells is None:
        result.update(status="ungradable", reason=note)
        zero_all(note or "unreadable")
        return _finish(result, started, scrub)
    # check and grade cells need not run here; they keep their place so notes count right
    run = [(pos, "" if is_check_cell(src) else src) for pos, src in cells]
    result["notebook"] = str(path)

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
                result["cell_errors"] = [
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
            result["skipped_cells"].append(pos)
            result["notes"].append(
                f"notebook cell {pos} hung or crashed the kernel ({why}); it was skipped "
                "and the notebook was run again without it"
            )

    try:
        try:
            boot()
            for note in session.input_notes:
                result["notes"].append(note)
        except InfrastructureError as exc:
            result.update(status="infrastructure", reason=str(exc))
            return _finish(result, started, scrub)
        except _OutOfTime:
            reason = (
                f"the notebook's cells did not finish within the submission's time limit "
                f"({limits.wall_seconds:g} s)"
            )
            result["notes"].append(reason)
            zero_all(reason, "timeout")
            return _finish(result, started, scrub)
        except SandboxDied as exc:
            result.update(status="ungradable", reason=str(exc))
            zero_all(str(exc))
            return _finish(result, started, scrub)
        for ex in exercises:
            if time.monotonic() >= deadline:
                result["exercises"].append(
                    _exercise_row(
                        ex,
                        0.0,
                        False,
                        f"not checked: the submission's time limit ({limits.wall_seconds:g} s) "
                        "ran out before this exercise",
                        [],
                        "timeout",
                    )
                )
                continue
            if not session.alive():
                try:
                    boot()
                except InfrastructureError as exc:
                    result["exercises"].append(
                        _exercise_row(ex, 0.0, False, str(exc), [], "infrastructure")
                    )
                    continue
                except (SandboxDied, _OutOfTime) as exc:
                    reason = str(exc) or "the submission's time limit ran out"
                    result["exercises"].append(_exercise_row(ex, 0.0, False, reason, [], "crash"))
                    continue
            result["exercises"].append(_grade_one(ex, session, deadline))
    finally:
        session.close()
    return _finish(result, started, scrub)


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
        raise CheckTimeBudget(
            f"Checking this answer took the grader more than {seconds:g} s, so the check "
            f"stopped. Does {exercise_id} return something far larger than needed (a huge "
            "circuit or array)?"
        )

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _grade_one(ex: dict, session: SandboxSession, deadline: float) -> dict[str, Any]:
    from ..result import Result

    exercise = get_exercise(ex["exercise_id"])
    ex_deadline = min(deadline, time.monotonic() + exercise.time_limit)
    try:
        defined = session.has_function(ex["function"], ex_deadline)
    except (TimeoutError, SandboxDied) as exc:
        session.kill()
        return _exercise_row(ex, 0.0, False, f"the sandbox failed ({exc})", [], "crash")
    if not defined:
        return _exercise_row(
            ex,
            0.0,
            False,
            f"`{ex['function']}` is not defined after running the notebook; check that its "
            "cell runs without errors (and that the function keeps its name).",
            [],
            "missing",
        )
    tester = RemoteTester(exercise, session, deadline=ex_deadline)
    result = Result(exercise.id)
    # the grader's own work on this answer: generous for the check, but never much past
    # the submission's own time limit (--timeout)
    budget = exercise.time_limit + max(30.0, exercise.time_limit)
    budget = min(budget, max(5.0, deadline - time.monotonic() + 10.0))
    over_budget = False
    try:
        with _work_budget(budget, exercise.id):
            exercise.checker(tester)
    except CheckTimeBudget as exc:  # rang between two cases
        over_budget = True
        from ..result import CaseResult

        tester.cases.append(CaseResult("the rest of the check", False, 0.0, 0.0))
        tester.cases[-1].message = str(exc)
        tester.cases[-1].kind = "timeout"
    except Exception as exc:
        result.error = f"internal grader error ({type(exc).__name__}: {exc})"
    except BaseException as exc:  # a library panic between cases: ours, not the learner's
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        result.error = f"internal grader error ({type(exc).__name__}: {exc})"
    result.cases = tester.cases
    if any(c.kind == "timeout" and "took the grader" in (c.message or "") for c in result.cases):
        over_budget = True
    if over_budget or tester.timed_out:
        session.kill()  # the sandbox may still be busy: start afresh for the next exercise
    internal = [c for c in result.cases if c.kind == "internal"]
    if internal and not result.error:
        result.error = internal[0].message
    if result.error:
        return _exercise_row(ex, 0.0, False, result.feedback, [], "infrastructure")
    scale = ex["points"] / exercise.points if exercise.points else 0.0
    status = (
        "crash"
        if tester.sandbox_died
        else ("timeout" if tester.timed_out or over_budget else "graded")
    )
    return _exercise_row(
        ex, round(result.score * scale, 6), result.passed, result.feedback, result.mistakes, status
    )


def _exercise_row(
    ex: dict, score: float, passed: bool, feedback: str, mistakes: list[str], status: str
) -> dict[str, Any]:
    return {
        "exercise_id": ex["exercise_id"],
        "grade_id": ex["grade_id"],
        "score": float(score),
        "max_score": float(ex["points"]),
        "passed": bool(passed),
        "feedback": feedback,
        "mistakes": list(mistakes),
        "status": status,
    }


def _finish(result: dict[str, Any], started: float, scrub: Any = None) -> dict[str, Any]:
    if scrub is not None:
        result["reason"] = scrub(result.get("reason"))
        result["notes"] = [scrub(n) for n in result.get("notes", [])]
        result["cell_errors"] = [scrub(n) for n in result.get("cell_errors", [])]
        for row in result["exercises"]:
            row["feedback"] = scrub(row["feedback"])
    result["score"] = float(sum(e["score"] for e in result["exercises"]))
    result["max_score"] = float(sum(e["max_score"] for e in result["exercises"]))
    result["duration"] = round(time.monotonic() - started, 3)
    # an exercise whose check failed because of us is left unscored (never a zero); the
    # others keep their scores
    result["not_scored"] = [
        e["exercise_id"] for e in result["exercises"] if e["status"] == "infrastructure"
    ]
    return result


def _grade_job(job: dict) -> dict[str, Any]:
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
        return {
            "student": job["student"],
            "assignment": job["assignment"],
            "status": "infrastructure",
            "reason": f"{type(exc).__name__}: {exc}",
            "notes": [],
            "cell_errors": [],
            "exercises": [],
            "score": 0.0,
            "max_score": 0.0,
        }


def grade_many(jobs: list[dict], workers: int | None = None) -> list[dict[str, Any]]:
    """Grade submissions in parallel; see :func:`autograder.classroom.pool.grade_many`."""
    from . import pool

    return pool.grade_many(jobs, workers)
