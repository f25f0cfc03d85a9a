"""Every lesson: its format, its student version, and a headless run of the whole notebook.

Running the authored lesson (with solutions) must give full marks; running its student
version (stubs) must give zero. Both go through ``qml-course grade``'s engine.
"""

from __future__ import annotations

import difflib
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
    assert all("not started" in r.feedback for r in grade.results)


def _lesson03():
    lesson = next(lesson for lesson in LESSONS if lesson.number == "03")
    return nbformat.read(str(lesson.notebook), as_version=4)


def test_a_new_exercise_gets_its_cells_from_the_registry(monkeypatch):
    """The CONTRIBUTING recipe: task + solution cell in the lesson, @exercise, then sync."""
    from autograder import engine
    from autograder.authoring import sync_notebook
    from autograder.lessons import nbgrader_meta

    exercises()  # load the registry before adding to it
    monkeypatch.setitem(
        engine._REGISTRY,
        "03.purity",
        engine.Exercise("03.purity", 3.0, lambda t: None, 10.0, "The purity of a state"),
    )
    nb = _lesson03()
    at = next(i for i, c in enumerate(nb.cells) if c.get("id") == "ex-03-chsh-value-task")
    nb.cells[at:at] = [
        nbformat.v4.new_markdown_cell(
            "Write `purity(rho)` that returns Tr(rho^2).\n\n* **Signature:** `purity(rho) -> float`"
        ),
        nbformat.v4.new_code_cell(
            "def purity(rho):\n    ### BEGIN SOLUTION\n    return 1.0\n    ### END SOLUTION"
        ),
    ]
    synced = sync_notebook(nb, "03")
    cells = {c.id: c for c in synced.cells}
    assert cells["ex-03-purity-task"].source.startswith(
        "### Exercise 03.5 — The purity of a state\n\nWrite `purity(rho)`"
    )
    assert nbgrader_meta(cells["ex-03-purity-solution"])["grade_id"] == "ex_03_purity_solution"
    assert cells["ex-03-purity-check"].source == 'check("03.purity", purity)'
    grade_cell = cells["ex-03-purity-grade"]
    assert grade_cell.source.endswith('grade("03.purity", purity)')
    assert nbgrader_meta(grade_cell)["points"] == 3.0 and nbgrader_meta(grade_cell)["grade"]
    ids = [c.id for c in synced.cells]
    assert ids.index("ex-03-purity-grade") + 1 == ids.index("ex-03-chsh-value-task")
    # the exercise after it is renumbered, and nothing else about it changes
    chsh = "\n### Exercise 03.6 — The CHSH value of |Φ+⟩ (medium, about 20 min)\n"
    assert chsh in cells["ex-03-chsh-value-task"].source
    assert validate_lesson(synced, "03") == []


def test_sync_says_what_is_missing(monkeypatch):
    from autograder import engine
    from autograder.authoring import sync_notebook
    from autograder.errors import AutograderError

    exercises()
    monkeypatch.setitem(
        engine._REGISTRY, "03.purity", engine.Exercise("03.purity", 3.0, lambda t: None)
    )
    with pytest.raises(AutograderError, match=r"no solution cell for 03\.purity \(purity\(\)\)"):
        sync_notebook(_lesson03(), "03")


def test_validate_lesson_compares_the_signature_with_the_reference():
    nb = _lesson03()
    sol = next(c for c in nb.cells if c.get("id") == "ex-03-is-entangled-solution")
    sol.source = sol.source.replace("def is_entangled(state, atol=1e-8):", "def is_entangled(psi):")
    problems = validate_lesson(nb, "03")
    assert problems == [
        "03.is_entangled: the notebook defines is_entangled(psi) but the reference solution "
        "is is_entangled(state, atol=1e-08); make the parameter names and defaults agree"
    ]
    task = next(c for c in nb.cells if c.get("id") == "ex-03-is-entangled-task")
    task.source = task.source.replace("`is_entangled(state, atol", "`is_entangled(psi, atol")
    sol.source = sol.source.replace("def is_entangled(psi):", "def is_entangled(state, atol=1e-8):")
    assert validate_lesson(nb, "03") == [
        "03.is_entangled: the task states is_entangled(psi, atol) but the reference solution's "
        "parameters are (state, atol); correct the task's **Signature:** line"
    ]


def test_cell_ids_are_stable_under_edits():
    from autograder.authoring import normalized_bytes
    from autograder.authoring.normalize import normalized

    nb = _lesson03()
    before = [c.id for c in normalized(nb).cells]
    prose = next(c for c in nb.cells if c.get("id") == "the-tensor-product")
    prose.source = prose.source.replace("the pair is in", "the pair is then in", 1)
    old_lines = normalized_bytes(_lesson03()).decode().splitlines()
    new_lines = normalized_bytes(nb).decode().splitlines()
    diff = [
        line
        for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert len(diff) == 2 and "the pair is then in" in diff[1], diff  # one line changed
    # a new cell renames only the cells after it in its own section
    at = before.index("cnot-and-the-bell-states-2")
    nb.cells.insert(at, nbformat.v4.new_code_cell("print('new')"))
    after = [c.id for c in normalized(nb).cells]
    changed = {b for b, a in zip(before[:at], after[:at]) if a != b}
    assert not changed
    assert after[at : at + 4] == [
        "cnot-and-the-bell-states-2",
        "cnot-and-the-bell-states-3",
        "cnot-and-the-bell-states-4",
        "cnot-and-the-bell-states-5",
    ]
    assert after[at + 4 :] == before[at + 3 :]
