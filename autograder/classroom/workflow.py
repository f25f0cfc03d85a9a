"""Autograde, feedback, export and the class report: one function per instructor command.

A grading run is safe to interrupt and to repeat:

* Only one command at a time works on a class (:mod:`.lock`); a second one waits.
* The results are saved to ``reports/<assignment>-results.json`` (atomically, marked
  ``"gradebook": "pending"``) *before* the gradebook is written, then marked
  ``"written"``. If the database goes away, nothing is lost and
  ``autograde --resume`` writes the pending results later without grading again.
* A damaged results file is kept aside (``...-results.damaged-<time>.json``), never
  overwritten.
* The gradebook, the nbgrader config, reports, feedback and autograded copies are
  readable by the instructor only.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import html
import json
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from ..records import ExerciseOutcome, Status, SubmissionResult
from . import gradebook, pool
from . import isolation as iso
from .autograded import build_autograded
from .course import Course
from .lock import course_lock

PENDING = "pending"  # saved in the results file, not yet in the gradebook
WRITTEN = "written"  # in the gradebook
NOT_SCORED = "not scored"  # nothing to write (the whole submission failed because of us)


def _database_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the database failed", whatever the driver."""
    import sqlite3

    found: list[type[BaseException]] = [AutograderError, OSError, sqlite3.Error]
    for module, name in (
        ("sqlalchemy.exc", "SQLAlchemyError"),
        ("psycopg", "Error"),
        ("psycopg2", "Error"),
        ("nbgrader.api", "InvalidEntry"),
        ("nbgrader.api", "MissingEntry"),
    ):
        try:
            found.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[int]:
    old = os.umask(mask)
    try:
        yield old
    finally:
        os.umask(old)


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):
        if path.exists() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)


def _private_dirs(top: Path, *parts: str) -> Path:
    """``top/parts...`` created if needed, every level 0700; returns the last one."""
    folder = top
    top.mkdir(parents=True, exist_ok=True)
    _chmod(top, 0o700)
    for part in parts:
        folder = folder / part
        folder.mkdir(exist_ok=True)
        _chmod(folder, 0o700)
    return folder


def secure_course_files(course: Course) -> None:
    """The gradebook (SQLite) and nbgrader_config.py: readable by the instructor only."""
    try:
        db_url = course.db_url()
    except OSError as exc:
        _warn(f"cannot read {course.config_file} ({exc.strerror or exc})")
        return
    for problem in gradebook.make_private(db_url, course.config_file):
        _warn(problem)


def _disk_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder is not writable"
    return "the disk or the folder is not usable"


# ------------------------------------------------------------------ results file
def results_path(course: Course, assignment: str) -> Path:
    return course.root / "reports" / f"{assignment}-results.json"


class _Damaged(Exception):
    pass


def _parse_results(path: Path) -> list[SubmissionResult]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # includes UnicodeDecodeError
        raise _Damaged(f"not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise _Damaged(f"expected a list of results, found {type(data).__name__}")
    out = []
    for i, r in enumerate(data):
        try:
            out.append(SubmissionResult.from_dict(r))
        except (ValueError, TypeError) as exc:
            raise _Damaged(f"entry {i + 1} is not a student's result ({exc})") from None
    return out


def load_results(course: Course, assignment: str) -> list[SubmissionResult]:
    path = results_path(course, assignment)
    if not path.exists():
        raise AutograderError(
            f"{assignment} has not been autograded yet: run `qml-course class autograde`."
        )
    try:
        return _parse_results(path)
    except OSError as exc:
        raise AutograderError(f"Cannot read {path} ({exc.strerror or exc}).") from None
    except _Damaged as exc:
        raise AutograderError(
            f"The results file {path} is damaged ({exc}). Run `qml-course class autograde "
            f"{course.root} {assignment}` again: it keeps the damaged file as a backup and "
            "writes a new one."
        ) from None


def _damaged_copy_name(path: Path, assignment: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{assignment}-results.damaged-{stamp}.json")
    n = 1
    while target.exists():
        target = path.with_name(f"{assignment}-results.damaged-{stamp}-{n}.json")
        n += 1
    return target


def _earlier_results(course: Course, assignment: str) -> list[SubmissionResult]:
    """The saved results of earlier runs. A damaged file is moved aside, never lost."""
    path = results_path(course, assignment)
    if not path.exists():
        return []
    try:
        return _parse_results(path)
    except OSError as exc:
        raise AutograderError(
            f"Cannot read the earlier results {path} ({exc.strerror or exc}); nothing was "
            "graded. Fix the file's permissions and run the command again."
        ) from None
    except _Damaged as exc:
        backup = _damaged_copy_name(path, assignment)
        try:
            os.replace(path, backup)
        except OSError as err:
            raise AutograderError(
                f"The results file {path} is damaged ({exc}) and could not be moved aside "
                f"to {backup} ({err.strerror or err}); nothing was graded. Move it away "
                "yourself (keep it: it holds earlier results) and run the command again."
            ) from None
        _chmod(backup, 0o600)
        _warn(
            f"{path} was damaged ({exc}). It was kept as {backup} and a new results file "
            "is started. Grades already in the gradebook are unchanged; students who are "
            "not graded in this run have their earlier results only in that copy."
        )
        return []


def _save_results(course: Course, assignment: str, by_student: dict[str, SubmissionResult]) -> Path:
    """Write the results file atomically (temporary file, fsync, rename); mode 0600."""
    path = results_path(course, assignment)
    _private_dirs(path.parent)
    data = json.dumps([by_student[k].to_dict() for k in sorted(by_student)], indent=1).encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return path


def pending_students(course: Course, assignment: str) -> list[str]:
    """Students whose saved results are not in the gradebook yet (for ``--resume``)."""
    path = results_path(course, assignment)
    try:
        stored = _parse_results(path) if path.exists() else []
    except (OSError, _Damaged):
        return []
    return sorted(r.student for r in stored if r.gradebook == PENDING)


def not_scored_exercises(results: list[SubmissionResult]) -> list[tuple[str, str]]:
    """(student, exercise) pairs not scored because of a grader problem; a whole
    submission that failed so counts as (student, "all exercises")."""
    out = []
    for r in results:
        if r.status is Status.INFRASTRUCTURE and not r.exercises:
            out.append((r.student, "all exercises"))
        out += [(r.student, ex_id) for ex_id in r.not_scored]
    return out


# ------------------------------------------------------------------ autograde
def autograde(
    course: Course,
    assignment: str,
    students: list[str] | None = None,
    workers: int | None = None,
    limits: iso.Limits | None = None,
    resume: bool = False,
) -> tuple[list[SubmissionResult], str | None]:
    """Grade every (or the named) submission of an assignment in sandboxes.

    With ``resume``, grade nothing: write the saved results that are still pending to the
    gradebook (after the database was unreachable). Returns the results and the isolation
    warning (None when bubblewrap is used, and when resuming).
    """
    source = course.source_notebook(assignment)
    with course_lock(course.root, "autograde"), _umask(0o077) as user_umask:
        secure_course_files(course)
        try:
            if resume:
                return _resume(course, assignment, source, students), None
            return _autograde(course, assignment, source, students, workers, limits, user_umask)
        finally:
            secure_course_files(course)


def _prepare_gradebook(course: Course, assignment: str) -> None:
    """Check the gradebook, back it up, and make sure it knows the assignment."""
    db_url = course.db_url()
    gradebook.check(db_url)
    try:
        gradebook.backup(db_url, course.root / "backups")
    except OSError as exc:
        raise AutograderError(
            f"Could not back up the gradebook into {course.root / 'backups'} "
            f"({exc.strerror or exc}): {_disk_problem(exc)}. Nothing was graded or written; "
            "free some space and run the command again."
        ) from None
    except _database_errors() as exc:
        raise AutograderError(
            f"Could not read the gradebook at {db_url} to back it up ({_reason(exc)}). "
            "Nothing was graded or written; run the command again when the database is back."
        ) from None
    try:
        gradebook.ensure_assignment(
            db_url,
            assignment,
            lambda: course.nbgrader("generate_assignment", assignment, "--force"),
        )
    except _database_errors() as exc:
        if isinstance(exc, AutograderError):
            raise
        raise AutograderError(
            f"Could not register {assignment} in the gradebook at {db_url} ({_reason(exc)}). "
            "Nothing was graded or written; run the command again when the database is back."
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, AutograderError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:400]


def _autograde(
    course: Course,
    assignment: str,
    source: Path,
    students: list[str] | None,
    workers: int | None,
    limits: iso.Limits | None,
    user_umask: int,
) -> tuple[list[SubmissionResult], str | None]:
    from .grader import trusted_exercises

    trusted_exercises(source)  # points that disagree with the registry: grade nobody
    earlier = _earlier_results(course, assignment)
    _prepare_gradebook(course, assignment)
    isolation = iso.detect()
    submitted = course.root / "submitted"
    names = (
        sorted(p.name for p in submitted.iterdir() if (p / assignment).exists())
        if submitted.is_dir()
        else []
    )
    if students:
        missing = sorted(set(students) - set(names))
        if missing:
            raise AutograderError(f"No submission of {assignment} from: {', '.join(missing)}.")
        names = [n for n in names if n in students]
    jobs = [
        {
            "submission_dir": str(submitted / name / assignment),
            "source_notebook": str(source),
            "student": name,
            "assignment": assignment,
            "limits": limits,
            "isolation": isolation,
            "course_root": str(course.root),
        }
        for name in names
    ]
    with _umask(user_umask):  # the sandboxes get the instructor's usual file modes
        if jobs:
            from .grader import self_test
            from .remote import sweep_stale

            sweep_stale()
            # one sandbox first: if it cannot start or sees too much, grade nobody
            self_test(isolation, limits, course.root)
        results = pool.grade_many(jobs, workers)
    for r in results:
        r.gradebook = PENDING
    merged = {r.student: r for r in earlier}
    merged.update({r.student: r for r in results})
    path = results_path(course, assignment)
    try:
        _save_results(course, assignment, merged)
    except OSError as exc:
        raise AutograderError(
            f"Could not save the results of {len(results)} graded submissions to {path} "
            f"({exc.strerror or exc}): {_disk_problem(exc)}. Nothing was written to the "
            "gradebook, so every grade is as it was before this run. Free some disk space "
            f"(or fix the permissions of {path.parent}) and run `qml-course class autograde "
            f"{course.root} {assignment}` again."
        ) from None
    _write_gradebook(course, assignment, source.stem, results, merged)
    return results, isolation.warning


def _resume(
    course: Course, assignment: str, source: Path, students: list[str] | None
) -> list[SubmissionResult]:
    stored = _earlier_results(course, assignment)
    pending = [
        r for r in stored if r.gradebook == PENDING and (not students or r.student in students)
    ]
    if not pending:
        return []
    _prepare_gradebook(course, assignment)
    _write_gradebook(course, assignment, source.stem, pending, {r.student: r for r in stored})
    return pending


def _write_gradebook(
    course: Course,
    assignment: str,
    notebook: str,
    todo: list[SubmissionResult],
    merged: dict[str, SubmissionResult],
) -> None:
    """Write ``todo`` (already saved as pending) to the gradebook, then mark it written."""
    path = results_path(course, assignment)
    try:
        gradebook.write_results(course.db_url(), assignment, notebook, todo)
    except _database_errors() as exc:
        raise AutograderError(
            f"Could not write the grades to the gradebook ({_reason(exc)}). Nothing was "
            f"lost: the results of {len(todo)} submissions are saved in {path}. When the "
            f"database is back, run `qml-course class autograde {course.root} {assignment} "
            "--resume` to write them without grading again."
        ) from None
    for r in todo:
        r.gradebook = WRITTEN if r.scored_exercises() else NOT_SCORED
    try:
        _save_results(course, assignment, merged)
    except OSError as exc:
        raise AutograderError(
            f"The grades of {len(todo)} submissions were written to the gradebook, but "
            f"{path} could not be updated to say so ({exc.strerror or exc}): "
            f"{_disk_problem(exc)}. The results in it are still marked pending; free some "
            f"space and run `qml-course class autograde {course.root} {assignment} --resume`, "
            "which writes the same grades again (harmless) and records them as written."
        ) from None
    failed: list[str] = []
    for r in todo:
        if r.gradebook != WRITTEN:
            continue
        try:
            write_autograded(course, assignment, r)
        except Exception as exc:  # the grades are safe; only the formgrader's copy is missing
            failed.append(f"{r.student} ({_reason(exc)})")
    if failed:
        _warn(
            f"The grades are in the gradebook, but the formgrader's copy (autograded/) of "
            f"{len(failed)} submission(s) could not be written: {'; '.join(failed[:5])}. "
            "Run autograde again for them (--student NAME) once this is fixed."
        )


# ------------------------------------------------------------------ autograded copy
def write_autograded(course: Course, assignment: str, result: SubmissionResult) -> Path:
    """Write nbgrader's ``autograded/STUDENT/ASSIGNMENT/`` copy of a graded submission
    (see :func:`.autograded.build_autograded`), readable by the instructor only."""
    import nbformat

    nb = build_autograded(course, assignment, result)
    folder = _private_dirs(course.root / "autograded", result.student, assignment)
    target = folder / f"{assignment}.ipynb"
    tmp = folder / f".{target.name}.tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nbformat.write(nb, str(tmp))
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


# ------------------------------------------------------------------ feedback, export, report
#: what ``nbgrader release_feedback`` needs beside each page: the submission's own files,
#: which ``nbgrader collect`` brings from the exchange
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


def feedback(course: Course, assignment: str) -> list[Path]:
    """Write an HTML feedback page per student into nbgrader's feedback/ folder.

    For a submission that came through nbgrader's exchange (its ``timestamp.txt`` and
    ``submission_secret.txt`` are in ``submitted/``), those files are put beside the page,
    so ``nbgrader release_feedback`` can return it; see :func:`releasable`. The folders
    stay private (0700); the page itself is 0644 because ``release_feedback`` copies its
    mode into the exchange, where the student must be able to read it.
    """
    with course_lock(course.root, "feedback"), _umask(0o077):
        secure_course_files(course)
        written = []
        for r in load_results(course, assignment):
            folder = _private_dirs(course.root / "feedback", r.student, assignment)
            page = folder / f"{assignment}.html"
            page.write_text(_feedback_html(r))
            _chmod(page, 0o644)
            submitted = course.root / "submitted" / r.student / assignment
            for name in EXCHANGE_FILES:
                src = submitted / name
                if src.is_file() and not src.is_symlink() and src.stat().st_size < 4096:
                    (folder / name).write_text(src.read_text(errors="replace"))
                    _chmod(folder / name, 0o600)
            written.append(page)
        secure_course_files(course)
        return written


def releasable(page: Path) -> bool:
    """True when ``nbgrader release_feedback`` can return this feedback page."""
    return all((page.parent / name).is_file() for name in EXCHANGE_FILES)


def _feedback_html(r: SubmissionResult) -> str:
    rows = []
    for ex in r.exercises:
        if not ex.status.scored:
            rows.append(
                f"<h3 style='color:#9a6700'>{html.escape(ex.exercise_id)}: not scored "
                f"yet</h3><p>This exercise could not be checked because of a problem in the "
                "grader, not in your work. It will be checked again.</p>"
            )
            continue
        color = "#1a7f37" if ex.passed else "#cf222e"
        rows.append(
            f"<h3 style='color:{color}'>{html.escape(ex.exercise_id)}: "
            f"{ex.score:g}/{ex.max_score:g}</h3><pre>{html.escape(ex.feedback)}</pre>"
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in r.notes)
    status = (
        ""
        if r.status is Status.GRADED
        else f"<p><b>{html.escape(r.status.value)}:</b> {html.escape(str(r.reason))}</p>"
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>Feedback</title>"
        f"<h1>{html.escape(r.assignment)}: {r.score:g}/{r.max_score:g}</h1>"
        f"<p>Student: {html.escape(r.student)}</p>{status}"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "".join(rows)
    )


def _statuses(course: Course, assignment: str) -> dict[str, str]:
    path = results_path(course, assignment)
    try:
        stored = _parse_results(path) if path.exists() else []
    except (OSError, _Damaged) as exc:
        _warn(f"cannot read {path} ({exc}); the export shows no status for {assignment}")
        return {}
    return {r.student: r.status.value for r in stored}


def export_csv(course: Course, out: Path, assignment: str | None = None) -> Path:
    """Grades from the gradebook as CSV, one row per submission, one column per exercise."""
    with course_lock(course.root, "export"), _umask(0o077):
        return _export_csv(course, out, assignment)


def _export_csv(course: Course, out: Path, assignment: str | None) -> Path:
    rows = [
        r for r in gradebook.dump_grades(course.db_url()) if assignment in (None, r["assignment"])
    ]
    by_sub: dict[tuple[str, str], dict[str, Any]] = {}
    grade_ids: dict[str, list[str]] = {}
    for row in rows:
        key = (row["assignment"], row["student"])
        entry = by_sub.setdefault(key, {"score": 0.0, "max_score": 0.0})
        score = row["manual_score"] if row["manual_score"] is not None else row["auto_score"]
        entry[row["grade_id"]] = "" if score is None else score
        entry["score"] += score or 0.0
        entry["max_score"] += row["max_score"] or 0.0
        ids = grade_ids.setdefault(row["assignment"], [])
        if row["grade_id"] not in ids:
            ids.append(row["grade_id"])
    statuses = {}
    for name in {k[0] for k in by_sub}:
        for student, status in _statuses(course, name).items():
            statuses[(name, student)] = status
    all_ids = [g for ids in grade_ids.values() for g in ids]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "student", "score", "max_score", "status", *all_ids])
        for name, student in sorted(by_sub):
            e = by_sub[(name, student)]
            writer.writerow(
                [
                    name,
                    student,
                    round(e["score"], 4),
                    e["max_score"],
                    statuses.get((name, student), "not autograded"),
                    *[e.get(g, "") for g in all_ids],
                ]
            )
    return out


def class_report(course: Course, assignment: str) -> str:
    """Pass rates, common mistakes, a score histogram and the ungradable submissions, as
    Markdown (also saved as ``reports/<assignment>-report.md``; the text names the
    histogram's PNG file beside it)."""
    with _umask(0o077):
        return _class_report(course, assignment)


def _class_report(course: Course, assignment: str) -> str:
    from ..help.report import class_hint_counts

    results = load_results(course, assignment)
    lines = [f"# Class report: {assignment}", "", f"{len(results)} submissions.", ""]
    graded = [r for r in results if r.status is Status.GRADED]
    per_ex: dict[str, list[ExerciseOutcome]] = {}
    for r in graded:
        for ex in r.scored_exercises():  # not scored: not a learner's result
            per_ex.setdefault(ex.exercise_id, []).append(ex)
    # hints opened, as recorded in the submitted notebooks' hint cells (autograder.help)
    hints = class_hint_counts(course.root, assignment, [r.student for r in graded])
    lines += [
        "| exercise | pass rate | mean score | hints opened (mean) "
        "| most common recognised mistakes |",
        "|---|---|---|---|---|",
    ]
    for ex_id in sorted(per_ex):
        rows = per_ex[ex_id]
        rate = sum(e.passed for e in rows) / len(rows)
        mean = sum(e.score for e in rows) / len(rows)
        common = Counter(m for e in rows for m in e.mistakes).most_common(3)
        text = "; ".join(f"{m} ({n})" for m, n in common) or "-"
        opened = hints.get(ex_id, [0])
        lines.append(
            f"| {ex_id} | {rate:.0%} | {mean:.2f}/{rows[0].max_score:g} "
            f"| {sum(opened) / len(opened):.1f} | {text} |"
        )
    bad = [r for r in results if r.status is not Status.GRADED]
    lines += ["", "## Submissions that could not be graded", ""]
    lines += [f"- {r.student}: {r.status.value} ({r.reason})" for r in bad] or ["none"]
    unscored = [(s, e) for s, e in not_scored_exercises(results) if e != "all exercises"]
    if unscored:
        lines += ["", "## Exercises not scored because of a grader problem", ""]
        lines += [f"- {s}: {e}" for s, e in unscored]
    reports = _private_dirs(course.root / "reports")
    png = reports / f"{assignment}-scores.png"
    _score_histogram(
        [r.score for r in graded],
        results[0].max_score if results else 0,
        png,
        assignment,
    )
    _chmod(png, 0o600)
    lines += ["", f"Score distribution: {png}"]
    text = "\n".join(lines)
    md = reports / f"{assignment}-report.md"
    md.write_text(text + "\n")
    _chmod(md, 0o600)
    return text


def _score_histogram(scores: list[float], max_score: float, path: Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    bins = max(5, min(20, int(max_score) + 1 if max_score else 10))
    ax.hist(scores, bins=bins, range=(0, max_score or 1), color="#4c72b0", edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.set_title(f"{title}: score distribution (n={len(scores)})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
