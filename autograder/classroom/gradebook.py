"""Safe writes to nbgrader's gradebook (SQLite by default, PostgreSQL through its URL).

* :func:`check` opens the gradebook and runs an integrity check before a run.
* :func:`backup` keeps a copy before every run: the SQLite file itself (through SQLite's
  backup API) and, for any database, a JSON dump of every grade.
* :func:`write_results` records a run's scores in one transaction: either every score of
  the run is written, or none is. What failed for infrastructure reasons (our sandbox or a
  checker bug) is not touched, so it is never scored as zero: a whole submission, or only
  the exercises whose status is ``infrastructure`` (the others are written): see
  :meth:`~autograder.records.SubmissionResult.scored_exercises`.
* :func:`make_private` keeps the gradebook file and the nbgrader config readable by the
  instructor only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from ..records import SubmissionResult
from . import tools_on_path


def open_gradebook(db_url: str) -> Any:
    """nbgrader's ``Gradebook`` for ``db_url`` (creating a new database runs ``alembic``,
    which must be on PATH)."""
    from nbgrader.api import Gradebook

    with tools_on_path():
        return Gradebook(db_url)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """nbgrader's own session handling emits SQLAlchemy warnings on new submissions."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*not in session.*")
        yield


def ensure_assignment(db_url: str, assignment: str, generate: Callable[[], Any]) -> None:
    """Make sure the gradebook knows the assignment's notebooks and grade cells
    (``nbgrader generate_assignment`` records them); run ``generate`` if it does not."""
    from nbgrader.api import MissingEntry

    with _quiet(), open_gradebook(db_url) as gb:
        try:
            known = bool(gb.find_assignment(assignment).notebooks)
        except MissingEntry:
            known = False
    if not known:
        generate()


def _sqlite_path(db_url: str) -> Path | None:
    return Path(db_url[len("sqlite:///") :]) if db_url.startswith("sqlite:///") else None


def check(db_url: str) -> None:
    """Raise :class:`AutograderError` when the gradebook cannot be used."""
    path = _sqlite_path(db_url)
    if path is not None and path.exists():
        try:
            with sqlite3.connect(path) as con:
                status = con.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise AutograderError(
                f"The gradebook {path} is not a readable SQLite file ({exc}). "
                "Restore it from backups/."
            ) from None
        if status != "ok":
            raise AutograderError(
                f"The gradebook {path} failed its integrity check ({status}). "
                "Restore it from backups/."
            )

    try:
        with open_gradebook(db_url) as gb:
            gb.assignments  # noqa: B018 - a real query
    except Exception as exc:
        raise AutograderError(
            f"Cannot open the gradebook at {db_url} ({type(exc).__name__}: {exc})."
        ) from None


def dump_grades(db_url: str) -> list[dict[str, Any]]:
    """Every grade in the gradebook as plain rows."""

    rows = []
    with _quiet(), open_gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        rows.append(
                            {
                                "assignment": assignment.name,
                                "student": submission.student.id,
                                "notebook": notebook.name,
                                "grade_id": grade.name,
                                "auto_score": grade.auto_score,
                                "manual_score": grade.manual_score,
                                "max_score": grade.max_score,
                            }
                        )
    return rows


def backup(db_url: str, folder: Path) -> list[Path]:
    """Back up the gradebook into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"
    written = []
    path = _sqlite_path(db_url)
    if path is not None and path.exists():
        target = folder / f"gradebook-{stamp}.db"
        with sqlite3.connect(path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        written.append(target)
    dump = folder / f"grades-{stamp}.json"
    dump.write_text(json.dumps(dump_grades(db_url), indent=1))
    written.append(dump)
    return written


def write_results(
    db_url: str, assignment: str, notebook: str, results: list[SubmissionResult]
) -> int:
    """Write the scores of graded and ungradable submissions in one transaction.

    Exercises (and whole submissions) that failed because of a grader problem are
    skipped: their grades stay as they were. Returns the number of submissions written.
    Raises :class:`AutograderError` (with no score written) when the database cannot be
    reached or refuses the update.
    """

    todo = [(r, rows) for r in results if (rows := r.scored_exercises())]
    try:
        gb_context = open_gradebook(db_url)
    except Exception as exc:
        raise AutograderError(
            f"cannot open the gradebook at {db_url}: {_first_line(exc)}"
        ) from None
    with _quiet(), gb_context as gb:
        try:
            # creating the rows is idempotent (nbgrader commits these itself)
            for r, _rows in todo:
                gb.update_or_create_student(r.student)
                gb.update_or_create_submission(assignment, r.student)
            for r, rows in todo:
                for ex in rows:
                    grade = gb.find_grade(ex.grade_id, notebook, assignment, r.student)
                    grade.auto_score = float(ex.score)
                    grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
        except Exception as exc:
            with contextlib.suppress(Exception):
                gb.db.rollback()
            raise AutograderError(
                f"the gradebook refused the update; no score was written ({_first_line(exc)})"
            ) from None
    return len(todo)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:400]


def make_private(db_url: str, *paths: Path) -> list[str]:
    """``chmod 600`` the SQLite gradebook (and its journal files) and ``paths``.

    Returns a warning per file whose mode could not be changed (e.g. owned by another
    user); missing files are skipped.
    """
    targets = list(paths)
    db = _sqlite_path(db_url)
    if db is not None:
        targets += [db] + [db.with_name(db.name + s) for s in ("-journal", "-wal", "-shm")]
    problems = []
    for target in targets:
        try:
            if target.exists() and (target.stat().st_mode & 0o777) != 0o600:
                os.chmod(target, 0o600)
        except OSError as exc:
            problems.append(
                f"could not make {target} private (chmod 600: {exc.strerror or exc}); "
                "other users may be able to read it"
            )
    return problems
