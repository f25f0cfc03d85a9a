"""Find the authored lessons, read their exercises, and make student versions.

An authored lesson is ``lessons/NN_topic/NN_topic.ipynb`` in nbgrader format. Each
exercise ``NN.name`` in it has:

* a solution cell (nbgrader ``solution: true``) defining ``name`` with its body between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
* a visible check cell ``check("NN.name", name)`` for instant feedback;
* a grade cell (nbgrader ``grade: true``, ``grade_id: ex_NN_name``) calling
  ``grade("NN.name", name)``, worth the exercise's points.

Student versions are made with nbgrader's own preprocessors (solutions replaced by a
stub, hidden tests and outputs removed), so they match what ``nbgrader generate_assignment``
releases.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AutograderError

LESSON_DIR_RE = re.compile(r"^(\d\d)_[a-z0-9_]+$")
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def repo_root() -> Path:
    """The checkout that holds ``lessons/`` (override with ``QMLCOURSE_ROOT``)."""
    env = os.environ.get("QMLCOURSE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[1]


def lessons_dir() -> Path:
    path = repo_root() / "lessons"
    if not path.is_dir():
        raise AutograderError(
            f"No lessons folder at {path}. Run this from a checkout of the course, or set "
            "QMLCOURSE_ROOT to the folder that contains lessons/."
        )
    return path


@dataclass(frozen=True)
class Lesson:
    """An authored lesson."""

    number: str  # "03"
    name: str  # "03_entanglement"
    folder: Path

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.name}.ipynb"


def list_lessons() -> list[Lesson]:
    """The authored lessons, in order.

    >>> list_lessons()[0].name
    '00_getting_started'
    """
    out = []
    for folder in sorted(lessons_dir().iterdir()):
        m = LESSON_DIR_RE.match(folder.name)
        if m and (folder / f"{folder.name}.ipynb").exists():
            out.append(Lesson(m.group(1), folder.name, folder))
    return out


def find_lesson(key: str) -> Lesson:
    """A lesson by number ("3", "03") or folder name."""
    key = str(key).strip()
    for lesson in list_lessons():
        if key in (lesson.name, lesson.number) or (
            key.isdigit() and int(key) == int(lesson.number)
        ):
            return lesson
    names = ", ".join(lesson.name for lesson in list_lessons())
    raise AutograderError(f"There is no lesson {key!r}. Lessons: {names}.")


def lesson_number_of(path: str | Path, nb: Any = None) -> str | None:
    """The lesson number of a notebook, from its metadata or its file name."""
    if nb is not None:
        meta = nb.get("metadata", {}).get("qmlcourse", {})
        if isinstance(meta, dict) and re.fullmatch(r"\d\d", str(meta.get("lesson", ""))):
            return str(meta["lesson"])
    m = re.match(r"^(\d\d)_", Path(path).name)
    return m.group(1) if m else None


def read_notebook(path: str | Path) -> Any:
    """Read a notebook with nbformat, with a clear error for broken files."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise AutograderError(f"No notebook at {path}.") from None
    except Exception as exc:
        raise AutograderError(
            f"{path} is not a readable notebook ({type(exc).__name__}: {exc}). "
            "If you edited it by hand, restore it from the course, or from a checkpoint."
        ) from None


def nbgrader_meta(cell: Any) -> dict:
    """A cell's nbgrader metadata; {} when it is missing or not a dict (e.g. ``null``)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def grade_cells(nb: Any) -> dict[str, Any]:
    """grade_id -> grade cell."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("grade_id")
    }


def exercise_ids_in(nb: Any) -> list[str]:
    """Exercise IDs whose grade cells are in the notebook, in notebook order."""
    ids = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not nbgrader_meta(cell).get("grade"):
            continue
        m = re.search(r"""grade\(\s*["'](\d\d\.[a-z0-9_]+)["']""", cell.source)
        if m:
            ids.append(m.group(1))
    return ids


def student_version(nb: Any) -> Any:
    """A copy of an authored notebook with solutions, hidden tests and outputs removed."""
    import copy

    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
    from traitlets.config import Config

    cfg = Config()
    cfg.ClearSolutions.code_stub = {"python": CODE_STUB}
    cfg.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    nb = copy.deepcopy(nb)
    resources: dict[str, Any] = {}
    for pre in (ClearSolutions(config=cfg), ClearHiddenTests(config=cfg), ClearOutput(config=cfg)):
        nb, resources = pre.preprocess(nb, resources)
    return nb
