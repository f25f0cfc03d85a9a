"""The learner's workspace is created once and never overwrites a touched notebook."""

from __future__ import annotations

import json

import nbformat

from autograder import workspace
from autograder.lessons import list_lessons


def test_first_sync_creates_student_versions(tmp_path):
    report = workspace.sync(tmp_path)
    names = {lesson.name for lesson in list_lessons()}
    assert {p.split("/")[0] for p in report.created} >= names
    nb_path = tmp_path / "00_getting_started" / "00_getting_started.ipynb"
    assert "BEGIN SOLUTION" not in nb_path.read_text()
    again = workspace.sync(tmp_path)
    assert again.created == [] and again.updated == [] and again.kept == []


def test_learner_edits_are_never_overwritten(tmp_path, monkeypatch):
    workspace.sync(tmp_path)
    nb_path = tmp_path / "00_getting_started" / "00_getting_started.ipynb"
    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    nbformat.write(nb, str(nb_path))
    mine = nb_path.read_bytes()

    # the course changes: the new version goes beside the learner's file, not over it
    original = workspace._student_files

    def changed():
        files = original()
        for rel, data in list(files.items()):
            if rel.endswith(".ipynb"):
                files[rel] = data.replace(b"Getting started", b"Getting started (v2)")
        return files

    monkeypatch.setattr(workspace, "_student_files", changed)
    report = workspace.sync(tmp_path)
    assert nb_path.read_bytes() == mine
    assert "00_getting_started/00_getting_started.ipynb" in report.kept
    beside = list(nb_path.parent.glob("00_getting_started.updated-*.ipynb"))
    assert len(beside) == 1 and b"(v2)" in beside[0].read_bytes()
    # untouched notebooks of other lessons are refreshed in place
    others = [p for p in report.updated if not p.startswith("00_")]
    assert all(b"(v2)" in (tmp_path / p).read_bytes() for p in others)
    # and a second sync adds nothing more
    again = workspace.sync(tmp_path)
    assert again.updates_beside == [] and nb_path.read_bytes() == mine


def test_corrupt_manifest_is_treated_as_unknown_not_fatal(tmp_path):
    workspace.sync(tmp_path)
    (tmp_path / workspace.MANIFEST).write_text("{not json")
    nb_path = tmp_path / "00_getting_started" / "00_getting_started.ipynb"
    before = nb_path.read_bytes()
    workspace.sync(tmp_path)
    assert nb_path.read_bytes() == before
    json.loads((tmp_path / workspace.MANIFEST).read_text())
