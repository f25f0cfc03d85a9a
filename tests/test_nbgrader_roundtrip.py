"""A real nbgrader course on lesson 00: generate_assignment, then autograde three students.

The reference solution gets full marks, the untouched stub zero, and a half-done
submission the partial credit that our grade cells report.
"""

from __future__ import annotations

import csv
import shutil
import subprocess

import nbformat
import pytest

from autograder.classroom import tools_env
from autograder.lessons import find_lesson

from .conftest import venv_bin

pytestmark = pytest.mark.slow

CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "qmlcourse-test"
c.CourseDirectory.root = r"{root}"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.Exchange.root = r"{root}/exchange"
"""


def nbgrader(root, *args):
    # nbgrader runs `alembic` from PATH: the venv's bin folder, even when not activated
    proc = subprocess.run(
        [venv_bin("nbgrader"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env=tools_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_generate_and_autograde(tmp_path):
    lesson = find_lesson("00")
    root = tmp_path / "course"
    src = root / "source" / lesson.name
    src.mkdir(parents=True)
    shutil.copy(lesson.notebook, src / lesson.notebook.name)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=root))
    nbgrader(root, "generate_assignment", lesson.name, "--force")
    released = root / "release" / lesson.name / lesson.notebook.name
    text = released.read_text()
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text

    half = nbformat.read(str(released), as_version=4)
    for cell in half.cells:
        if cell.source.startswith("def plus_state"):
            cell.source = cell.source.replace(
                "# YOUR CODE HERE\n    raise NotImplementedError()",
                "return np.array([1, 1]) / np.sqrt(2)",
            )
    submissions = {
        "alice": nbformat.read(str(lesson.notebook), as_version=4),
        "bob": nbformat.read(str(released), as_version=4),
        "carol": half,
    }
    for student, nb in submissions.items():
        target = root / "submitted" / student / lesson.name
        target.mkdir(parents=True)
        nbformat.write(nb, str(target / lesson.notebook.name))
        nbgrader(root, "db", "student", "add", student)
    nbgrader(root, "autograde", lesson.name)
    nbgrader(root, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv") as fh:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    assert scores == {"alice": 5.0, "bob": 0.0, "carol": 2.0}
