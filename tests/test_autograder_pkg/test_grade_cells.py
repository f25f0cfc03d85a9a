"""Grade cells (issue 12): quiet for learners at their own pace, full feedback under
``nbgrader autograde``, and an exercise not started reads "not started" in Validate.

nbgrader tells its kernels how it runs them through ``NBGRADER_EXECUTION`` ("autograde"
or "validate"); the unit tests set it as nbgrader does, and one slow test runs the real
``nbgrader validate`` on the learners' version of lesson 00.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import check, get_exercise, grade, grade_line, nbgrader_execution
from autograder.lessons import find_lesson

NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def _stub(*args):
    raise NotImplementedError()


def _half_right(n, k):  # right on the example, wrong on the hidden cases
    return None if (n, k) != (2, 0) else _x_on(n, k)


def _x_on(n, k):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n)
    qc.x(k)
    return qc


@pytest.fixture
def self_paced(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_mode_comes_from_nbgraders_environment_variable(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert nbgrader_execution() is None
    for mode in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        assert nbgrader_execution() == mode


def test_self_paced_grade_cell_prints_one_line(self_paced, capfd):
    wrong = lambda: np.array([1, 1])  # noqa: E731
    score = grade("00.plus_state", wrong)
    out, err = capfd.readouterr()
    assert type(score) is float and score == 0.0
    assert err == ""
    assert out.strip() == grade_line(check("00.plus_state", wrong))
    assert len(out.strip().splitlines()) == 1
    assert "00.plus_state: not yet, 0/2 points" in out and "check cell above" in out
    # none of the check's per-case feedback is repeated (it would go stale)
    assert "✗" not in out and "expected" not in out and "likely mistake" not in out


def test_self_paced_partial_and_full_scores(self_paced, capfd):
    assert grade("00.x_on_qubit", _half_right) < 3.0
    out, _ = capfd.readouterr()
    assert len(out.strip().splitlines()) == 1 and "not yet" in out and "/3 points" in out
    assert grade("00.x_on_qubit", _x_on) == 3.0
    out, _ = capfd.readouterr()
    assert out.strip().startswith("00.x_on_qubit: passed, 3/3 points")


def test_self_paced_not_started_is_one_clear_line(self_paced, capfd):
    assert grade("03.chsh_value", _stub) == 0.0
    out, err = capfd.readouterr()
    assert err == ""
    points = int(get_exercise("03.chsh_value").points)
    assert out.strip() == (
        f"03.chsh_value: not started, 0/{points} points: replace "
        "`raise NotImplementedError()` with your code"
    )


def test_autograde_prints_the_full_feedback(monkeypatch, capfd):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    wrong = lambda: np.array([1, 1])  # noqa: E731
    score = grade("00.plus_state", wrong)
    out, err = capfd.readouterr()
    assert type(score) is float and score == 0.0 and err == ""
    assert out.strip() == check("00.plus_state", wrong).feedback
    assert "✗" in out and "likely mistake" in out


def test_validate_not_started_is_reported_as_not_started(monkeypatch, capfd):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert grade("00.plus_state", _stub) == 0.0
    out, err = capfd.readouterr()
    # stderr makes Validate show the line as this cell's error instead of "Partial credit"
    assert out == "" and "00.plus_state: not started" in err
    assert len(err.strip().splitlines()) == 1


def test_validate_partial_credit_stays_partial_credit(monkeypatch, capfd):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    score = grade("00.x_on_qubit", _half_right)
    out, err = capfd.readouterr()
    assert 0 < score < 3.0
    assert err == "" and "not yet" in out  # Validate's "Partial credit" is right here


@pytest.mark.slow
def test_real_nbgrader_validate_calls_a_stub_not_started(tmp_path):
    """The learners' version of lesson 00, untouched and then half done, through the real
    ``nbgrader validate``: an untouched exercise is "not started", never "Partial credit"."""
    lesson = find_lesson("00")
    root = tmp_path / "course"
    src = root / "source" / lesson.name
    src.mkdir(parents=True)
    shutil.copy(lesson.notebook, src / lesson.notebook.name)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        'c.CourseDirectory.course_id = "qmlcourse-test"\n'
        f'c.CourseDirectory.root = r"{root}"\n'
        'c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}\n'
        f'c.Exchange.root = r"{root}/exchange"\n'
    )

    def run(*args):
        proc = subprocess.run(
            [NBGRADER, *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PATH": f"{Path(NBGRADER).parent}{os.pathsep}{os.environ['PATH']}"},
        )
        return proc.stdout + proc.stderr

    run("generate_assignment", lesson.name, "--force")
    released = root / "release" / lesson.name / lesson.notebook.name
    half = nbformat.read(str(released), as_version=4)
    for cell in half.cells:
        if cell.source.startswith("def plus_state"):
            cell.source = cell.source.replace(
                "# YOUR CODE HERE\n    raise NotImplementedError()",
                "return np.array([1, 1]) / np.sqrt(2)",
            )
    half_path = tmp_path / "half.ipynb"
    nbformat.write(half, str(half_path))

    report = run("validate", str(released))
    assert "Partial credit" not in report, report
    assert "00.plus_state: not started" in report and "00.x_on_qubit: not started" in report

    report = run("validate", str(half_path))
    assert "Partial credit" not in report, report
    assert "00.plus_state" not in report  # done: passes validation
    assert "00.x_on_qubit: not started" in report

    # nbgrader autograde: the grade cells carry the check's full feedback and the score
    target = root / "submitted" / "dana" / lesson.name
    target.mkdir(parents=True)
    wrong = nbformat.read(str(half_path), as_version=4)
    for cell in wrong.cells:
        if cell.source.startswith("def plus_state"):
            cell.source = cell.source.replace("np.array([1, 1]) / np.sqrt(2)", "np.array([1, 1])")
    nbformat.write(wrong, str(target / lesson.notebook.name))
    run("db", "student", "add", "dana")
    run("autograde", lesson.name)
    graded = nbformat.read(
        str(root / "autograded" / "dana" / lesson.name / lesson.notebook.name), as_version=4
    )
    cell = next(c for c in graded.cells if c.source.endswith('grade("00.plus_state", plus_state)'))
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "00.plus_state: not yet, 0/2 points" in printed and "✗" in printed
    assert "likely mistake" in printed and "check cell above" not in printed
