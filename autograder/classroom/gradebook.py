"""Safe writes to nbgrader's gradebook (SQLite by default, PostgreSQL through its URL).

* :func:`check` opens the gradebook and runs an integrity check before a run.
* :func:`backup` keeps a copy before every run: the SQLite file itself (through SQLite's
  backup API) and, for any database, a JSON dump of every grade.
* :func:`write_results` records a run's scores in one transaction: either every score of
  the run is written, or none is. Submissions whose grading failed for infrastructure
  reasons are not touched at all, so they are never scored as zero.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import AutograderError


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """nbgrader's own session handling emits SQLAlchemy warnings on new submissions."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*not in session.*")
        yield


def ensure_assignment(db_url: str, assignment: str, generate: Callable[[], Any]) -> None:
    """Make sure the gradebook knows the assignment's notebooks and grade cells
    (``nbgrader generate_assignment`` records them); run ``generate`` if it does not."""
    from nbgrader.api import Gradebook, MissingEntry

    with _quiet(), Gradebook(db_url) as gb:
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
    from nbgrader.api import Gradebook

    try:
        with Gradebook(db_url) as gb:
            gb.assignments  # noqa: B018 - a real query
    except Exception as exc:
        raise AutograderError(
            f"Cannot open the gradebook at {db_url} ({type(exc).__name__}: {exc})."
        ) from None


def dump_grades(db_url: str) -> list[dict[str, Any]]:
    """Every grade in the gradebook as plain rows."""
    from nbgrader.api import Gradebook

    rows = []
    with _quiet(), Gradebook(db_url) as gb:
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
    db_url: str, assignment: str, notebook: str, results: list[dict[str, Any]]
) -> int:
    """Write the scores of graded and ungradable submissions in one transaction.

    Returns the number of submissions written. Raises :class:`AutograderError` (with
    nothing written) when the database refuses the update.
    """
    from nbgrader.api import Gradebook

    todo = [
        r for r in results if r.get("status") in ("graded", "ungradable") and r.get("exercises")
    ]
    with _quiet(), Gradebook(db_url) as gb:
        # creating the rows is idempotent (nbgrader commits these itself)
        for r in todo:
            gb.update_or_create_student(r["student"])
            gb.update_or_create_submission(assignment, r["student"])
        try:
            for r in todo:
                for ex in r["exercises"]:
                    grade = gb.find_grade(ex["grade_id"], notebook, assignment, r["student"])
                    grade.auto_score = float(ex["score"])
                    grade.needs_manual_grade = grade.manual_score is not None
            gb.db.commit()
        except Exception as exc:
            gb.db.rollback()
            raise AutograderError(
                f"The gradebook refused the update; nothing was written ({exc})."
            ) from None
    return len(todo)
