"""The learner's workspace is created once and never overwrites a touched notebook."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder import workspace
from autograder.errors import AutograderError
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


def _edit(nb_path, note="my notes"):
    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(note))
    nbformat.write(nb, str(nb_path))
    return nb_path.read_bytes()


def _course_with(monkeypatch, tag: bytes):
    """The course as it would be after an author changed the title of every lesson."""
    original = workspace._student_files

    def changed():
        return {
            rel: data.replace(b"Getting started", b"Getting started " + tag)
            if rel.endswith(".ipynb")
            else data
            for rel, data in original().items()
        }

    monkeypatch.setattr(workspace, "_student_files", changed)


def test_edited_notebook_gets_no_copy_while_the_course_is_unchanged(tmp_path):
    workspace.sync(tmp_path)
    nb_path = tmp_path / "00_getting_started" / "00_getting_started.ipynb"
    mine = _edit(nb_path)
    for _ in range(2):  # e.g. two more `make start`s
        report = workspace.sync(tmp_path)
        assert report.updates_beside == [] and report.updated == [] and report.created == []
        assert report.kept == ["00_getting_started/00_getting_started.ipynb"]
        assert nb_path.read_bytes() == mine
    assert sorted(p.name for p in nb_path.parent.iterdir()) == ["00_getting_started.ipynb"]
    assert "kept as they are" in report.summary() and "beside" not in report.summary()


def test_edited_notebook_gets_one_copy_per_real_course_change(tmp_path, monkeypatch):
    workspace.sync(tmp_path)
    folder = tmp_path / "00_getting_started"
    nb_path = folder / "00_getting_started.ipynb"
    mine = _edit(nb_path)

    _course_with(monkeypatch, b"(v2)")
    report = workspace.sync(tmp_path)
    assert nb_path.read_bytes() == mine
    [v2] = folder.glob("00_getting_started.updated-*.ipynb")
    assert b"(v2)" in v2.read_bytes()
    assert report.updates_beside == [f"00_getting_started/{v2.name}"]

    # the learner reads the copy, merges what they want and deletes it: it does not come back
    v2.unlink()
    again = workspace.sync(tmp_path)
    assert again.updates_beside == [] and not list(folder.glob("*.updated-*"))
    assert nb_path.read_bytes() == mine

    # the course changes again: one new copy, and a file the learner wrote under the name
    # the copy would take is never overwritten
    _course_with(monkeypatch, b"(v3)")
    v3 = workspace._student_files()["00_getting_started/00_getting_started.ipynb"]
    v3_hash = workspace._digest(v3)[:8]
    squatter = folder / f"00_getting_started.updated-{v3_hash}.ipynb"
    squatter.write_text("the learner's own file")
    report = workspace.sync(tmp_path)
    assert squatter.read_text() == "the learner's own file"
    assert nb_path.read_bytes() == mine and report.updates_beside == []


def test_untouched_notebook_follows_the_course_and_an_edit_without_record_is_kept(
    tmp_path, monkeypatch
):
    workspace.sync(tmp_path)
    nb_path = tmp_path / "00_getting_started" / "00_getting_started.ipynb"
    _course_with(monkeypatch, b"(v2)")
    report = workspace.sync(tmp_path)
    assert "00_getting_started/00_getting_started.ipynb" in report.updated
    assert b"(v2)" in nb_path.read_bytes()
    assert not list(nb_path.parent.glob("*.updated-*"))

    # a notebook the manifest does not know (an old workspace): kept, the course's beside
    manifest = json.loads((tmp_path / workspace.MANIFEST).read_text())
    del manifest["00_getting_started/00_getting_started.ipynb"]
    (tmp_path / workspace.MANIFEST).write_text(json.dumps(manifest))
    mine = _edit(nb_path)
    report = workspace.sync(tmp_path)
    assert nb_path.read_bytes() == mine and len(report.updates_beside) == 1
    assert workspace.sync(tmp_path).updates_beside == []


def test_where_the_workspace_is(tmp_path, monkeypatch):
    monkeypatch.delenv("QMLCOURSE_WORKSPACE", raising=False)
    monkeypatch.delenv("QMLCOURSE_ROOT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    from autograder.lessons import repo_root

    assert workspace.workspace_dir() == repo_root() / "workspace"  # a checkout
    assert workspace.workspace_dir(tmp_path / "mine") == (tmp_path / "mine").resolve()
    monkeypatch.setenv("QMLCOURSE_WORKSPACE", str(tmp_path / "env"))
    assert workspace.workspace_dir() == (tmp_path / "env").resolve()
    assert workspace.workspace_dir(tmp_path / "mine") == (tmp_path / "mine").resolve()
    monkeypatch.delenv("QMLCOURSE_WORKSPACE")
    # installed with pip: no lessons/ beside the packages, so the learner's home folder
    monkeypatch.setattr(workspace, "authored_lessons_available", lambda: False)
    assert workspace.workspace_dir() == tmp_path / "home" / "qml-course"


def test_installed_package_syncs_its_own_student_lessons(tmp_path, monkeypatch):
    """Without a checkout (QMLCOURSE_ROOT names a folder without lessons/), the workspace
    comes from the packaged student versions, byte for byte what a checkout makes, and the
    instructors' lessons are refused with a message saying where to get them."""
    from autograder import lessons

    from_checkout = lessons.student_files()
    packaged = tmp_path / "student_lessons"
    for rel, data in from_checkout.items():
        (packaged / rel).parent.mkdir(parents=True, exist_ok=True)
        (packaged / rel).write_bytes(data)
    monkeypatch.setattr(lessons, "PACKAGED_LESSONS", packaged)
    monkeypatch.setenv("QMLCOURSE_ROOT", str(tmp_path / "site-packages"))
    (tmp_path / "site-packages").mkdir()
    assert lessons.student_files() == from_checkout
    with pytest.raises(AutograderError, match="QMLCOURSE_ROOT"):
        lessons.list_lessons()
    monkeypatch.setattr(lessons, "repo_root", lambda: tmp_path / "site-packages")
    monkeypatch.delenv("QMLCOURSE_ROOT")
    with pytest.raises(AutograderError, match="source archive") as info:
        lessons.list_lessons()
    assert "pip install -e FOLDER" in str(info.value)
    report = workspace.sync(tmp_path / "ws")
    assert len(report.created) == len(from_checkout)

    # and a package without any lessons says so, leaving no empty workspace behind
    monkeypatch.setattr(lessons, "PACKAGED_LESSONS", tmp_path / "nothing")
    with pytest.raises(AutograderError, match="no lessons"):
        workspace.sync(tmp_path / "ws2")
    assert not (tmp_path / "ws2").exists()
