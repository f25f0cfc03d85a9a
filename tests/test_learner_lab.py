"""Learner and instructor views kept apart.

The learner's JupyterLab (``qml-course start``) has no nbgrader instructor tools and logs no
nbgrader configuration warnings; an instructor's own ``jupyter lab`` in a class folder keeps
the formgrader.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.workspace import INSTRUCTOR_LAB_PLUGINS, INSTRUCTOR_SERVER_EXTENSIONS

from .conftest import venv_bin

TOKEN = "learnerlab"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "QMLCOURSE"))}
    env.update(
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"),
    )
    return env


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log.read_text()}")
            time.sleep(0.5)


def _page_config(base: str) -> dict:
    status, html = _get(f"{base}/lab?token={TOKEN}")
    assert status == 200
    m = re.search(
        rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert m, "no page config in /lab"
    return json.loads(m.group(1))


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        proc.wait()


def test_start_prepares_a_learner_configuration(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert main(["start", "--dry-run", "--no-browser", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert f"--ServerApp.root_dir={ws.resolve()}" in out
    config = ws / ".qmlcourse" / "jupyter"
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == set(INSTRUCTOR_LAB_PLUGINS)
    server = json.loads((config / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == dict.fromkeys(
        INSTRUCTOR_SERVER_EXTENSIONS, False
    )
    assert "c.ClearSolutions.code_stub" in (config / "nbgrader_config.py").read_text()


@pytest.mark.slow
def test_learner_lab_has_no_instructor_tools_and_instructor_lab_keeps_them(tmp_path):
    env = _env(tmp_path)
    learner_port, teacher_port = _free_port(), _free_port()
    learner_log, teacher_log = tmp_path / "learner.log", tmp_path / "teacher.log"
    # started from a folder holding someone else's nbgrader config: the learner's server
    # must not read it (it runs in the workspace)
    stranger = tmp_path / "elsewhere"
    stranger.mkdir()
    (stranger / "nbgrader_config.py").write_text("raise RuntimeError('read by the learner')\n")
    learner = subprocess.Popen(
        [
            venv_bin("qml-course"),
            "start",
            "--workspace",
            str(tmp_path / "ws"),
            "--no-browser",
            "--port",
            str(learner_port),
            "--",
            f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.ip=127.0.0.1",
        ],
        env=env,
        cwd=stranger,
        stdout=learner_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    # the instructor's own JupyterLab in a class folder (an nbgrader_config.py in it)
    course = tmp_path / "class"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    teacher_cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        teacher_cmd.append("--allow-root")
    teacher = subprocess.Popen(
        teacher_cmd
        + [
            f"--port={teacher_port}",
            f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={course}",
        ],
        env=env,
        cwd=course,
        stdout=teacher_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    learner_base = f"http://127.0.0.1:{learner_port}"
    teacher_base = f"http://127.0.0.1:{teacher_port}"
    try:
        _wait(learner, learner_base, learner_log)
        _wait(teacher, teacher_base, teacher_log)

        # learner: the instructor plugins are disabled in the page config, nbgrader's
        # learner plugins (assignment list, validate) are still there
        page = _page_config(learner_base)
        disabled = page["disabledExtensions"]
        disabled = (
            set(disabled) if isinstance(disabled, list) else {k for k, v in disabled.items() if v}
        )
        assert set(INSTRUCTOR_LAB_PLUGINS) <= disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
        assert "@jupyter/nbgrader" in {e["name"] for e in page["federated_extensions"]}
        status, body = _get(f"{learner_base}/lab/api/extensions?token={TOKEN}")
        assert status == 200
        listed = {e["name"]: e for e in json.loads(body)}
        assert all(e["status"] == "ok" for e in listed.values()), listed
        # and the instructor server extensions are not loaded at all
        assert _get(f"{learner_base}/formgrader?token={TOKEN}")[0] == 404
        assert _get(f"{learner_base}/formgrader/api/assignments?token={TOKEN}")[0] == 404
        assert _get(f"{learner_base}/formgraders?token={TOKEN}")[0] == 404
        assert _get(f"{learner_base}/assignments?token={TOKEN}")[0] != 404

        # instructor: formgrader and its plugins are there
        assert not set(INSTRUCTOR_LAB_PLUGINS) & set(
            _page_config(teacher_base)["disabledExtensions"]
        )
        assert _get(f"{teacher_base}/formgrader?token={TOKEN}")[0] == 200
    finally:
        _stop(learner)
        _stop(teacher)
    log = learner_log.read_text()
    assert "Serving notebooks from local directory: " + str((tmp_path / "ws").resolve()) in log
    assert "No nbgrader_config.py" not in log, log
    assert "read by the learner" not in log
    assert "nbgrader.server_extensions.formgrader | extension was successfully loaded" not in log
    assert "nbgrader.server_extensions.course_list | extension was successfully loaded" not in log
    assert "nbgrader.server_extensions.assignment_list | extension was successfully loaded" in log
    assert "nbgrader.server_extensions.formgrader | extension was successfully loaded" in (
        teacher_log.read_text()
    )
