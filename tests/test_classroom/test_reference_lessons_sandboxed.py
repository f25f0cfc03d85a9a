"""Every lesson's authored notebook (with its solutions) gets full marks through the
sandboxed classroom grader, exactly as it does with the learner's own check cells.

This is what catches a value that cannot cross the sandbox boundary (a backend, a model),
a check that needs something the sandbox does not have, or a worker that hangs because
its parent had used Qiskit's Rust thread pool before forking it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.classroom import grader, isolation
from autograder.lessons import list_lessons

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded():
    # Use Qiskit's Rust thread pool here first, as a long grading run (or this test suite)
    # may have done: forked workers must not then hang in their own parallel calls.
    from qiskit.quantum_info import SparsePauliOp

    SparsePauliOp.from_list([("XYZZXYZZXYZZ", 1.0), ("ZZZZZZZZZZZZ", 0.5)] * 20).to_matrix()
    jobs = [
        {
            "submission_dir": str(lesson.folder),
            "source_notebook": str(lesson.notebook),
            "student": lesson.name,
            "assignment": lesson.name,
            "limits": isolation.Limits(wall_seconds=600),
            "isolation": isolation.detect(),
            "course_root": None,
        }
        for lesson in list_lessons()
    ]
    return {r.student: r.to_dict() for r in grader.grade_many(jobs, workers=2)}


@pytest.mark.parametrize("lesson", [lesson.name for lesson in list_lessons()])
def test_reference_notebook_gets_full_marks_in_the_sandbox(graded, lesson):
    r = graded[lesson]
    lost = {
        e["exercise_id"]: (e["score"], e["max_score"], e["status"], e["feedback"][-600:])
        for e in r["exercises"]
        if e["score"] != e["max_score"]
    }
    assert r["status"] == "graded", (r["status"], r.get("reason"), r["notes"])
    assert r["exercises"] and not lost, lost
    assert r["score"] == r["max_score"] > 0
    assert Path(r["notebook"]).name == f"{lesson}.ipynb"
