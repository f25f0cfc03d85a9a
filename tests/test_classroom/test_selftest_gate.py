"""A sandbox that cannot work stops the run before any grade is written.

Reproduces the fresh-clone failure of issue 9 on purpose: the sandbox's Python cannot
start. `class autograde` must then say why (with the sandbox's own error output), exit
non-zero and leave the gradebook exactly as it was; a submission whose sandbox dies
before running its first cell is an infrastructure failure, never a zero.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.classroom import gradebook, grader, isolation
from autograder.classroom import remote as remote_mod
from autograder.classroom.course import collect, init_course
from autograder.cli import main
from autograder.lessons import find_lesson

pytestmark = pytest.mark.slow
ASSIGNMENT = "00_getting_started"
BROKEN = ["/bin/sh", "-c", "echo 'ModuleNotFoundError: No module named numpy' >&2; exit 1"]


@pytest.fixture
def course_with_a_submission(tmp_path):
    course = init_course(tmp_path / "class")
    incoming = tmp_path / "incoming" / "ada"
    incoming.mkdir(parents=True)
    (incoming / f"{ASSIGNMENT}.ipynb").write_bytes(find_lesson("00").notebook.read_bytes())
    collect(course, ASSIGNMENT, tmp_path / "incoming")
    return course


def test_autograde_refuses_to_run_with_a_broken_sandbox(
    course_with_a_submission, monkeypatch, capsys
):
    course = course_with_a_submission
    before = gradebook.dump_grades(course.db_url())
    monkeypatch.setattr(remote_mod.iso, "sandbox_command", lambda *a, **k: BROKEN)
    code = main(["class", "autograde", str(course.root), ASSIGNMENT, "--workers", "1"])
    err = capsys.readouterr()
    text = err.out + err.err
    assert code != 0
    assert "does not work on this machine" in text
    assert "No module named numpy" in text  # the sandbox's own error output
    assert "Nothing was graded and the gradebook was not touched" in text
    assert gradebook.dump_grades(course.db_url()) == before
    assert not (course.root / "autograded" / "ada").exists()


def test_a_sandbox_that_dies_before_the_first_cell_is_not_a_zero(monkeypatch):
    lesson = find_lesson("00")
    monkeypatch.setattr(remote_mod.iso, "sandbox_command", lambda *a, **k: BROKEN)
    result = grader.grade_submission(
        lesson.folder,
        lesson.notebook,
        "ada",
        lesson.name,
        isolation=isolation.Isolation("rlimits"),
        limits=isolation.Limits(wall_seconds=30),
    )
    assert result.status == "infrastructure"
    assert "did not start" in result.reason and "No module named numpy" in result.reason
    assert result.exercises == []  # nothing that could reach the gradebook as a zero


def test_a_symlinked_notebook_in_submitted_is_not_followed(tmp_path):
    """An instructor who collected with plain nbgrader may have links in submitted/."""
    lesson = find_lesson("00")
    folder = tmp_path / "submitted" / "eve" / ASSIGNMENT
    folder.mkdir(parents=True)
    os.symlink(lesson.notebook, folder / f"{ASSIGNMENT}.ipynb")
    result = grader.grade_submission(folder, lesson.notebook, "eve", lesson.name)
    assert result.status == "ungradable" and result.score == 0
    assert "symbolic link" in " ".join(result.notes)


def test_the_sandbox_gets_no_copy_of_a_linked_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the gradebook's student list")
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "data.txt").write_text("mine")
    os.symlink(secret, folder / "link.txt")
    notes = isolation.copy_input(folder, tmp_path / "copy", 10**6)
    assert (tmp_path / "copy" / "data.txt").read_text() == "mine"
    assert not (tmp_path / "copy" / "link.txt").exists()
    assert notes == [] or all("link.txt" in n for n in notes)
    assert not any(Path(tmp_path / "copy").rglob("*secret*"))
