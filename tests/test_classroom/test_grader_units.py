"""Grader pieces on their own: isolation levels, infrastructure failures, notebook salvage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.classroom import grader, isolation
from autograder.classroom import remote as remote_mod
from autograder.classroom.sandbox import is_check_cell
from autograder.lessons import find_lesson


def test_detect_degrades_with_a_clear_warning(monkeypatch):
    tools = {"setpriv": "/usr/bin/setpriv", "unshare": "/usr/bin/unshare"}
    monkeypatch.setattr(isolation.shutil, "which", tools.get)
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 0)
    level = isolation.detect()
    assert level.level == "uid" and "Install bubblewrap" in level.warning
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 1000)
    level = isolation.detect()
    assert level.level == "rlimits" and "resource limits only" in level.warning


def test_sandbox_command_hides_the_secrets(tmp_path):
    secret = tmp_path / "course"
    secret.mkdir()
    cmd = isolation.sandbox_command(
        isolation.Isolation("bwrap"), tmp_path / "w", [secret], uid=61234
    )
    assert cmd[0] == "bwrap" and "--unshare-net" in cmd
    assert cmd[cmd.index(str(secret)) - 1] == "--tmpfs"
    assert cmd[-3:] == [cmd[-3], "-m", "autograder.classroom.sandbox"]


def test_infrastructure_failure_is_reported_not_scored(monkeypatch, tmp_path):
    lesson = find_lesson("00")
    monkeypatch.setattr(remote_mod.iso, "sandbox_command", lambda *a, **k: ["/nonexistent/python3"])
    result = grader.grade_submission(
        lesson.folder, lesson.notebook, "x", lesson.name, isolation=isolation.Isolation("rlimits")
    )
    assert (
        result["status"] == "infrastructure" and "could not start the sandbox" in result["reason"]
    )
    assert result["exercises"] == []  # nothing that could be written to the gradebook as a zero


def test_salvage_and_notebook_lookup(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    assert grader.find_notebook(folder, "a.ipynb") == (
        None,
        "no notebook in the submission (expected a.ipynb)",
    )
    (folder / "b.ipynb").write_text(json.dumps({"cells": []}))
    path, note = grader.find_notebook(folder, "a.ipynb")
    assert path == folder / "b.ipynb" and "renamed" in note
    cells, note = grader.read_code_cells(Path(path))
    assert cells == [] and note is None
    (folder / "b.ipynb").write_text("garbage")
    cells, note = grader.read_code_cells(folder / "b.ipynb")
    assert cells is None and "not valid JSON" in note


@pytest.mark.parametrize(
    "source, expected",
    [
        ("check('01.normalize', normalize)", True),
        ("grade('01.normalize', normalize)\n", True),
        ("# comment\ncheck('x', f)", True),
        ("check('x', f)\nx = 1", False),
        ("def f(): pass", False),
        ("check(", False),
    ],
)
def test_check_cells_are_recognised(source, expected):
    assert is_check_cell(source) is expected


@pytest.mark.parametrize(
    "cells",
    [
        [
            "from qiskit.circuit.library import zz_feature_map as zzf\n"
            "def zz_feature_map(x, reps):\n"
            "    return zzf(len(x), reps=reps, entanglement='full').assign_parameters(x)"
        ],
        [
            "def zz_feature_map(x, reps):\n"
            "    from qiskit.circuit.library import zz_feature_map\n"
            "    return zz_feature_map(len(x), reps=reps, entanglement='full').assign_parameters(x)"
        ],
        [
            "import qiskit.circuit.library as lib\n"
            "def zz_feature_map(x, reps):\n"
            "    return lib.zz_feature_map(len(x), reps=reps, entanglement='full').assign_parameters(x)"
        ],
    ],
    ids=["aliased-global", "import-inside", "module-attribute"],
)
def test_sandboxed_check_still_sees_a_forbidden_library_call(tmp_path, cells):
    """05.zz_feature_map forbids Qiskit's feature map; the sandbox reports the names used."""
    import nbformat

    lesson = find_lesson("05")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in ["import numpy as np", *cells]]
    nbformat.write(nb, str(tmp_path / lesson.notebook.name))
    result = grader.grade_submission(tmp_path, lesson.notebook, "s", lesson.name)
    row = {e["exercise_id"]: e for e in result["exercises"]}["05.zz_feature_map"]
    assert "forbidden library feature map used: zz_feature_map" in row["feedback"], row["feedback"]
    assert row["score"] == 5.0  # the state is right; the "by hand" point is lost
