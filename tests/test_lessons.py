"""Every lesson: its format, its student version, and a headless run of the whole notebook.

Running the authored lesson (with solutions) must give full marks; running its student
version (stubs) must give zero. Both go through ``qml-course grade``'s engine.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder import exercises
from autograder.authoring import validate_lesson
from autograder.lessons import list_lessons, student_version
from autograder.notebook_grader import grade_notebook

LESSONS = list_lessons()
IDS = [lesson.name for lesson in LESSONS]


def test_lessons_exist_in_order():
    numbers = [int(lesson.number) for lesson in LESSONS]
    assert numbers == sorted(numbers) and numbers[0] == 0


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_format(lesson):
    nb = nbformat.read(str(lesson.notebook), as_version=4)
    nbformat.validate(nb)
    assert validate_lesson(nb, lesson.number) == []
    assert nb.metadata["qmlcourse"]["lesson"] == lesson.number
    assert lesson.notebook.stat().st_size < 400_000, "keep lesson sources small"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_student_version_has_no_solutions(lesson):
    authored = nbformat.read(str(lesson.notebook), as_version=4)
    nb = student_version(authored)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    for ex_id in exercises(lesson.number):
        name = ex_id.split(".", 1)[1]
        sol = [c for c in nb.cells if re.search(rf"def {name}\(", c.source)]
        assert sol and "raise NotImplementedError()" in sol[0].source
    # the solution bodies are gone
    for cell in authored.cells:
        if "### BEGIN SOLUTION" in cell.source:
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION")[0]
            for line in body.strip().splitlines():
                if len(line.strip()) > 25:
                    assert line not in text


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_runs_headless_with_full_marks(lesson):
    grade = grade_notebook(lesson.notebook, cell_timeout=300)
    assert grade.error is None, grade.error
    assert grade.cell_errors == [], grade.cell_errors
    assert grade.results, "the lesson has no exercises"
    assert grade.score == grade.max_score, grade.text()


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_student_stub_scores_zero(lesson, tmp_path):
    nb = student_version(nbformat.read(str(lesson.notebook), as_version=4))
    target = tmp_path / lesson.notebook.name
    nbformat.write(nb, str(target))
    for img in (lesson.folder / "img").glob("*") if (lesson.folder / "img").is_dir() else []:
        (tmp_path / "img").mkdir(exist_ok=True)
        (tmp_path / "img" / img.name).write_bytes(img.read_bytes())
    grade = grade_notebook(target, cell_timeout=300)
    assert grade.error is None, grade.error
    assert grade.score == 0, grade.text()
    assert all("not started" in r["feedback"] for r in grade.results)
