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


def grade_id_for(exercise_id: str) -> str:
    """The nbgrader ``grade_id`` of an exercise's grade cell (its solution and check cells
    add ``_solution`` and ``_check``).

    >>> grade_id_for("03.bell_state")
    'ex_03_bell_state'
    """
    return "ex_" + exercise_id.replace(".", "_")


def repo_root() -> Path:
    """The folder that holds our packages (override with ``QMLCOURSE_ROOT``).

    In a checkout (or an unpacked source archive) that is the checkout, with ``lessons/``
    beside the packages; in an installed wheel it is ``site-packages``, which has no
    ``lessons/``: a wheel ships the learners' versions only (:data:`PACKAGED_LESSONS`).
    """
    env = os.environ.get("QMLCOURSE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[1]


#: the learners' versions of the lessons, generated when the wheel is built (``setup.py``);
#: absent in a checkout, where they are generated from ``lessons/`` on every sync
PACKAGED_LESSONS = Path(__file__).resolve().parent / "student_lessons"

GET_AUTHORED_LESSONS = (
    "The authored lessons (with solutions), which instructors' commands need, are not part "
    "of the installed qml-course package: it holds only the learners' versions. Get them "
    "from a checkout of the course repository or from its source archive "
    "(qml_course-VERSION.tar.gz, e.g. `pip download --no-deps --no-binary :all: "
    "qml-course`, then unpack it). Then install the course from that folder "
    "(`pip install -e FOLDER`) or set QMLCOURSE_ROOT=FOLDER, and run the command again."
)


def authored_lessons_available() -> bool:
    """True in a checkout (or with ``QMLCOURSE_ROOT``): ``lessons/`` with the sources."""
    return (repo_root() / "lessons").is_dir()


def lessons_dir() -> Path:
    """The authored lessons' folder, or a message saying how to get it."""
    path = repo_root() / "lessons"
    if path.is_dir():
        return path
    if os.environ.get("QMLCOURSE_ROOT"):
        raise AutograderError(
            f"No lessons folder at {path}. QMLCOURSE_ROOT must name the course's folder "
            "(the checkout or unpacked source archive that holds lessons/ and "
            "pyproject.toml); correct it, or unset it."
        )
    if PACKAGED_LESSONS.is_dir():
        raise AutograderError(GET_AUTHORED_LESSONS)
    raise AutograderError(
        f"No lessons folder at {path}. Run this from a checkout of the course, or set "
        "QMLCOURSE_ROOT to the folder that contains lessons/."
    )


@dataclass(frozen=True)
class Lesson:
    """An authored lesson."""

    number: str  # "03"
    name: str  # "03_entanglement"
    folder: Path

    @property
    def notebook(self) -> Path:
        return self.folder / f"{self.name}.ipynb"


def list_lessons(where: Path | None = None) -> list[Lesson]:
    """The authored lessons (in ``where``, by default :func:`lessons_dir`), in order.

    >>> list_lessons()[0].name
    '00_getting_started'
    """
    out = []
    for folder in sorted((where or lessons_dir()).iterdir()):
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


def notebook_bytes(nb: Any) -> bytes:
    """A notebook as the bytes we write: nbformat's own layout plus a final newline."""
    import nbformat

    return (nbformat.writes(nb) + "\n").encode()


def lesson_files(lesson: Lesson) -> dict[str, bytes]:
    """The learner's files of one lesson: its student version and its pictures.

    Keys are paths relative to the workspace (``NN_topic/NN_topic.ipynb``,
    ``NN_topic/img/...``). The same function makes the wheel's lessons at build time
    (``setup.py``) and a checkout's workspace, so both hold the same bytes.
    """
    import nbformat

    nb = student_version(nbformat.read(str(lesson.notebook), as_version=4))
    files = {f"{lesson.name}/{lesson.name}.ipynb": notebook_bytes(nb)}
    img = lesson.folder / "img"
    if img.is_dir():
        for pic in sorted(img.rglob("*")):
            rel = pic.relative_to(img)
            if pic.is_file() and not any(part.startswith(".") for part in rel.parts):
                files[f"{lesson.name}/img/{rel.as_posix()}"] = pic.read_bytes()
    return files


def student_files() -> dict[str, bytes]:
    """Relative path -> bytes of every learner's file of the course.

    From the authored lessons when they are here (a checkout), otherwise from the
    student versions the installed package ships.
    """
    if authored_lessons_available():
        files: dict[str, bytes] = {}
        for lesson in list_lessons():
            files.update(lesson_files(lesson))
        return files
    if PACKAGED_LESSONS.is_dir():
        return {
            path.relative_to(PACKAGED_LESSONS).as_posix(): path.read_bytes()
            for path in sorted(PACKAGED_LESSONS.rglob("*"))
            if path.is_file() and LESSON_DIR_RE.match(path.relative_to(PACKAGED_LESSONS).parts[0])
        }
    raise AutograderError(
        f"This qml-course has no lessons: neither a checkout's lessons/ ({repo_root()}) nor "
        f"the learners' lessons of the installed package ({PACKAGED_LESSONS}). Reinstall it "
        "(`pip install --force-reinstall qml-course`) or run it from a checkout."
    )
