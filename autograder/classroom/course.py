"""An nbgrader course directory for the QML Course, and the steps around grading.

The layout is nbgrader's own, so plain ``nbgrader`` commands and the formgrader keep
working on it::

    DIR/nbgrader_config.py   course id, gradebook URL, exchange, our code stub
    DIR/source/NN_topic/     every lesson as an assignment (solutions in, trusted)
    DIR/release/ submitted/ autograded/ feedback/
    DIR/raw/                 submissions exactly as they arrived (never modified)
    DIR/backups/             gradebook backups taken before every grading run
    DIR/reports/             grading results (JSON) and class reports
    DIR/exchange/            the nbgrader exchange (writable by everyone, sticky)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import AutograderError
from ..lessons import list_lessons

CONFIG_TEMPLATE = """\
# nbgrader configuration of a QML Course class, written by `qml-course class init`.
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# every grade cell calls the course autograder; learners' warnings never cost points
c.Execute.timeout = 300
"""

STUDENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")


@dataclass
class Course:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "nbgrader_config.py"

    def db_url(self) -> str:
        text = self.config_file.read_text() if self.config_file.exists() else ""
        m = re.search(r"db_url\s*=\s*['\"]([^'\"]+)['\"]", text)
        return m.group(1) if m else f"sqlite:///{self.root / 'gradebook.db'}"

    def source_notebook(self, assignment: str) -> Path:
        folder = self.root / "source" / assignment
        nb = folder / f"{assignment}.ipynb"
        if not nb.exists():
            names = ", ".join(sorted(p.name for p in (self.root / "source").iterdir()))
            raise AutograderError(
                f"No assignment {assignment!r} in {self.root}. Assignments: {names}."
            )
        return nb

    def assignments(self) -> list[str]:
        return sorted(p.name for p in (self.root / "source").iterdir() if p.is_dir())

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        exe = Path(sys.executable).parent / "nbgrader"
        cmd = [str(exe) if exe.exists() else "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True)
        if check and proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
            raise AutograderError(f"nbgrader {' '.join(args)} failed:\n" + "\n".join(tail))
        return proc


def open_course(path: str | Path) -> Course:
    root = Path(path).resolve()
    if not (root / "nbgrader_config.py").exists() or not (root / "source").is_dir():
        raise AutograderError(
            f"{root} is not a QML Course class folder (no nbgrader_config.py and source/). "
            "Create one with: qml-course class init DIR"
        )
    return Course(root)


def init_course(
    path: str | Path, course_id: str = "qml-course", db_url: str | None = None
) -> Course:
    """Create a course directory with every lesson as an assignment."""
    root = Path(path).resolve()
    if root.exists() and any(root.iterdir()) and not (root / "nbgrader_config.py").exists():
        raise AutograderError(f"{root} exists and is not empty; choose a new folder.")
    root.mkdir(parents=True, exist_ok=True)
    for sub in (
        "source",
        "release",
        "submitted",
        "autograded",
        "feedback",
        "raw",
        "backups",
        "reports",
    ):
        (root / sub).mkdir(exist_ok=True)
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)  # nbgrader's exchange must be writable by every student
    os.chmod(root, 0o711)
    for sub in ("source", "submitted", "autograded", "raw", "backups", "reports"):
        os.chmod(root / sub, 0o700)  # not readable by learners' sandboxes or other users
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    course = Course(root)
    if not course.config_file.exists():
        course.config_file.write_text(
            CONFIG_TEMPLATE.format(
                course_id=course_id, root=str(root), db_url=db_url, exchange=str(exchange)
            )
        )
    for lesson in list_lessons():
        dest = root / "source" / lesson.name
        if dest.exists():
            continue  # never overwrite an instructor's edited assignment
        shutil.copytree(
            lesson.folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        )
    # register the assignments in the gradebook, so the formgrader lists them
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url()) as gb:
        for name in course.assignments():
            gb.update_or_create_assignment(name)
    return course


def release(course: Course, assignment: str) -> Path:
    """nbgrader generate_assignment (+ release_assignment to the exchange)."""
    course.source_notebook(assignment)
    course.nbgrader("generate_assignment", assignment, "--force")
    course.nbgrader("release_assignment", assignment, "--force", check=False)
    return course.root / "release" / assignment


def _student_from_lms_name(name: str) -> str | None:
    """Student id from an LMS export file name, e.g. Canvas' ``jdoe_12345_67890_file.ipynb``
    or Moodle's ``Jane Doe_12345_assignsubmission_file_/file.ipynb``."""
    stem = Path(name).parts[0] if "/" in name else Path(name).name
    m = re.match(r"^([A-Za-z0-9.@+-]+?)(?:_late)?_\d+_", stem)
    if m:
        return m.group(1)
    m = re.match(r"^([^_]+)_\d+_assignsubmission", stem)
    if m:
        return re.sub(r"[^A-Za-z0-9]+", "", m.group(1)).lower() or None
    return None


def collect(course: Course, assignment: str, source: str | Path) -> dict[str, list[str]]:
    """Bring submissions into ``submitted/STUDENT/ASSIGNMENT/``.

    ``source`` is a folder with one sub-folder per student (nbgrader's own layout) or an
    LMS export zip whose file names start with the student id. Every file is also kept,
    exactly as it arrived, under ``raw/<timestamp>/``. Existing submissions are replaced
    only by newer collections; nothing is deleted.
    """
    course.source_notebook(assignment)
    src = Path(source)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    raw = course.root / "raw" / f"{assignment}-{stamp}"
    report: dict[str, list[str]] = {"collected": [], "skipped": []}
    expected = f"{assignment}.ipynb"
    if src.is_file() and zipfile.is_zipfile(src):
        raw.mkdir(parents=True)
        shutil.copy2(src, raw / src.name)
        with zipfile.ZipFile(src) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                student = _student_from_lms_name(info.filename)
                if not student or not STUDENT_ID_RE.match(student):
                    report["skipped"].append(f"{info.filename}: no student id in the name")
                    continue
                dest = course.root / "submitted" / student / assignment
                dest.mkdir(parents=True, exist_ok=True)
                target = dest / (
                    expected if info.filename.endswith(".ipynb") else Path(info.filename).name
                )
                if info.file_size > 50 * 1024**2:
                    report["skipped"].append(f"{info.filename}: over 50 MB")
                    continue
                target.write_bytes(zf.read(info))
                report["collected"].append(student)
    elif src.is_dir():
        shutil.copytree(src, raw, symlinks=False)
        for student_dir in sorted(p for p in src.iterdir() if p.is_dir()):
            student = student_dir.name
            if not STUDENT_ID_RE.match(student):
                report["skipped"].append(f"{student}: not a valid student id")
                continue
            inner = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
            dest = course.root / "submitted" / student / assignment
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(inner, dest, symlinks=False)
            report["collected"].append(student)
    else:
        raise AutograderError(f"{src} is neither a folder of submissions nor a zip file.")
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url()) as gb:
        for student in sorted(set(report["collected"])):
            gb.update_or_create_student(student)
    return report
