"""The qml-course command line."""

from __future__ import annotations

import json
import subprocess

import pytest

from autograder.cli import main
from autograder.lessons import find_lesson, list_lessons

from .conftest import venv_bin


def test_exercises_command(capsys):
    assert main(["exercises", "--lesson", "00"]) == 0
    out = capsys.readouterr().out
    assert "00.plus_state" in out and "00.x_on_qubit" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "start" in capsys.readouterr().out


def test_start_dry_run_prepares_workspace(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QMLCOURSE_WORKSPACE", str(tmp_path / "ws"))
    assert main(["start", "--dry-run", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "jupyter lab" in out.replace("-m jupyter", "jupyter") or "lab" in out
    assert (tmp_path / "ws" / "00_getting_started" / "00_getting_started.ipynb").exists()


def test_one_version(capsys):
    """(The installed distribution's own version is checked on the wheel, in
    tests/test_distribution.py; an editable install's metadata may lag behind.)"""
    import autograder
    import qmlkit

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"qml-course {autograder.__version__}"
    assert qmlkit.__version__ == autograder.__version__


def test_sync_into_a_given_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QMLCOURSE_WORKSPACE", str(tmp_path / "not-this-one"))
    assert main(["sync", "--workspace", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert (
        f"Your workspace: {(tmp_path / 'mine').resolve()}" in out
        and f"{len(list_lessons())} new" in out
    )
    assert (tmp_path / "mine" / "11_ibm_quantum" / "11_ibm_quantum.ipynb").exists()
    assert not (tmp_path / "not-this-one").exists()


def test_unwritable_workspace_is_a_clear_message(tmp_path, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["sync", "--workspace", str(tmp_path / "a-file" / "ws")]) == 2
    err = capsys.readouterr().err
    assert "Cannot write your workspace" in err and "--workspace DIR" in err


def test_grade_bad_file_is_a_clear_message(tmp_path, capsys):
    bad = tmp_path / "00_getting_started.ipynb"
    bad.write_text("{ not json")
    assert main(["grade", str(bad)]) == 1
    assert "not a readable notebook" in capsys.readouterr().out


#: a learner cell that tries to score full marks by replacing the grading code in its kernel
CHEAT = (
    "import autograder, autograder.engine as _e, autograder.result as _r\n"
    "from autograder.result import CaseResult, Result\n"
    "def _fake(ex_id, fn, *a, **k):\n"
    "    pts = _e.get_exercise(ex_id).points\n"
    "    return Result(ex_id, cases=[CaseResult('fake', True, pts, pts)])\n"
    "_e.run_check = autograder.check = _fake\n"
    "_e.grade_exercise = lambda ex, *a, **k: _fake(ex.id, None)\n"
    "_r.Result.score = property(lambda self: self.max_score)\n"
    "_r.Result.passed = property(lambda self: True)\n"
    "def plus_state():\n    return None\n"
    "def x_on_qubit(n, k):\n    return None\n"
)


def _cheating_notebook(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CHEAT)]
    path = tmp_path / "00_getting_started.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_grade_is_not_fooled_by_a_monkeypatching_cell(tmp_path, capsys):
    """The learner's cells run in a sandbox and the checks here: patching the checker from
    the notebook changes nothing (the answers return None, so they score 0)."""
    path = _cheating_notebook(tmp_path)
    assert main(["grade", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)[0]
    assert data["error"] is None and data["cell_errors"] == [], data
    assert data["max_score"] == 5.0 and data["score"] == 0.0, data
    assert [e["status"] for e in data["exercises"]] == ["graded", "graded"], data
    assert data["self_check"] is True and data["isolation"] in ("bwrap", "uid", "rlimits")


def test_grade_without_bubblewrap_still_checks_outside_the_notebook(tmp_path):
    """A learner's laptop without bubblewrap: resource limits only, said plainly, and the
    checks still run in the trusted process, so the monkeypatch fails there too."""
    from autograder.classroom.isolation import Isolation
    from autograder.notebook_grader import SELF_CHECK_NOTE, grade_notebook

    g = grade_notebook(_cheating_notebook(tmp_path), isolation=Isolation("rlimits"))
    assert g.error is None and g.isolation == "rlimits", g.text()
    assert g.max_score == 5.0 and g.score == 0.0, g.text()
    assert g.trust == SELF_CHECK_NOTE and "not a security boundary" in g.text()


@pytest.mark.slow
def test_grade_json_on_reference_lesson():
    lesson = find_lesson("00")
    proc = subprocess.run(
        [venv_bin("qml-course"), "grade", "--json", str(lesson.notebook)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data[0]["score"] == data[0]["max_score"] == 5.0
    assert [e["exercise_id"] for e in data[0]["exercises"]] == ["00.plus_state", "00.x_on_qubit"]


@pytest.mark.slow
def test_jupyterlab_serves_the_workspace(tmp_path):
    """`qml-course start` really starts a JupyterLab that serves lesson 00."""
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        QMLCOURSE_WORKSPACE=str(tmp_path / "ws"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
    )
    proc = subprocess.Popen(
        [
            venv_bin("qml-course"),
            "start",
            "--no-browser",
            "--port",
            str(port),
            "--",
            "--ServerApp.token=test",
            "--ServerApp.ip=127.0.0.1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/00_getting_started?token=test"
        deadline = time.monotonic() + 90
        body = None
        while time.monotonic() < deadline:
            try:
                body = json.loads(urllib.request.urlopen(url, timeout=5).read())
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "JupyterLab did not answer"
        names = [item["name"] for item in body["content"]]
        assert "00_getting_started.ipynb" in names
        lab = urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=test", timeout=10).read()
        assert b"JupyterLab" in lab
    finally:
        proc.terminate()
        proc.wait(timeout=30)
