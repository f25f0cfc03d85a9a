"""Grader pieces on their own: isolation levels, infrastructure failures, notebook salvage."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from autograder.classroom import grader, isolation
from autograder.classroom import remote as remote_mod
from autograder.classroom.sandbox import is_check_cell
from autograder.errors import AutograderError
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


def test_bwrap_command_line_reveals_no_host_path():
    cmd = isolation.sandbox_command(isolation.Isolation("bwrap"), uid=61234, args_fd=7)
    assert cmd[:4] == ["bwrap", "--args", "7", "--"]
    assert "--no-new-privs" in cmd and "--reuid=61234" in cmd
    assert cmd[-3:] == [sys.executable, "-m", "autograder.classroom.sandbox"]
    # nothing but setpriv's flags and the interpreter: no mount, no course path
    assert not [a for a in cmd if a.startswith("/") and a != sys.executable]


def test_bwrap_options_are_an_allow_list(tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "pg-secret-value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
    args = isolation.bwrap_args(
        isolation.Limits(),
        tmp_path / "lib",
        tmp_path / "input",
        tmp_path / "etc",
        [Path("/usr/share/doc"), tmp_path / "course"],
        uid=61234,
    )
    binds = [(args[i + 1], args[i + 2]) for i, a in enumerate(args) if a == "--ro-bind"]
    assert ("/", "/") not in binds and "--bind" not in args
    assert ("/usr", "/usr") in binds
    assert (str(tmp_path / "lib"), isolation.SANDBOX_LIB) in binds
    for tree in isolation.python_trees():
        assert (str(tree), str(tree)) in binds or str(tree).startswith("/usr/")
    # a secret folder inside a bound system folder is masked; one outside is not mentioned
    assert args[args.index("/usr/share/doc") - 1] == "--tmpfs"
    assert str(tmp_path / "course") not in args
    assert "--clearenv" in args and "--unshare-net" in args and "--unshare-pid" in args
    assert "pg-secret-value" not in args and "aws-secret-value" not in args
    env = dict((args[i + 1], args[i + 2]) for i, a in enumerate(args) if a == "--setenv")
    assert env["PYTHONPATH"] == isolation.SANDBOX_LIB and env["QMLKIT_BACKEND"] == "ideal"
    # /tmp and /dev/shm are size-capped tmpfs; /var/tmp points into /tmp
    sizes = {args[i + 3]: int(args[i + 1]) for i, a in enumerate(args) if a == "--size"}
    assert sizes["/tmp"] == isolation.Limits().tmp_bytes
    assert sizes["/dev/shm"] == isolation.Limits().shm_bytes
    assert args[args.index("/var/tmp") - 1] == "../tmp"


def test_staged_packages_hold_no_checks_or_solutions(tmp_path):
    lib = isolation.stage_packages(tmp_path / "lib")
    assert (lib / "autograder" / "__init__.py").is_file()
    assert (lib / "qmlkit" / "__init__.py").is_file()
    assert not (lib / "autograder" / "checks").exists()
    assert not (lib / "autograder" / "solutions").exists()
    assert not list(lib.rglob("__pycache__"))
    assert all(p.stat().st_mode & 0o004 for p in lib.rglob("*"))  # readable by the sandbox


def test_self_test_passes_here():
    report = grader.self_test()
    assert all(str(v).startswith("ok") for v in report["imports"].values()), report
    if os.geteuid() == 0:
        assert report["uid"] != 0


def test_self_test_names_the_cause_when_the_sandbox_cannot_start(monkeypatch):
    monkeypatch.setattr(
        remote_mod.iso,
        "sandbox_command",
        lambda *a, **k: ["/bin/sh", "-c", "echo 'cannot find libfoo.so' >&2; exit 3"],
    )
    with pytest.raises(AutograderError) as info:
        grader.self_test(isolation=isolation.Isolation("rlimits"))
    text = str(info.value)
    assert "does not work on this machine" in text and "cannot find libfoo.so" in text
    assert "Nothing was graded" in text


def test_self_test_refuses_a_sandbox_that_sees_too_much(monkeypatch):
    monkeypatch.setattr(grader, "_must_stay_hidden", lambda course_root: ["/usr/bin/env"])
    with pytest.raises(AutograderError, match="can see what must stay hidden: /usr/bin/env"):
        grader.self_test()


def test_infrastructure_failure_is_reported_not_scored(monkeypatch, tmp_path):
    lesson = find_lesson("00")
    monkeypatch.setattr(remote_mod.iso, "sandbox_command", lambda *a, **k: ["/nonexistent/python3"])
    result = grader.grade_submission(
        lesson.folder, lesson.notebook, "x", lesson.name, isolation=isolation.Isolation("rlimits")
    )
    assert result.status == "infrastructure" and "could not start the sandbox" in result.reason
    assert result.exercises == []  # nothing that could be written to the gradebook as a zero


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
        [
            # the sandbox is the learner's: make it report no names at all
            "import __main__ as _sbx  # the running sandbox module\n"
            "_sbx.Sandbox.code_names = lambda self, name: []\n"
            "from qiskit.circuit.library import zz_feature_map as zzf\n"
            "def zz_feature_map(x, reps):\n"
            "    return zzf(len(x), reps=reps, entanglement='full').assign_parameters(x)"
        ],
    ],
    ids=["aliased-global", "import-inside", "module-attribute", "sandbox-lies"],
)
def test_sandboxed_check_still_sees_a_forbidden_library_call(tmp_path, cells):
    """05.zz_feature_map forbids Qiskit's feature map; the sandbox reports the names used."""
    import nbformat

    lesson = find_lesson("05")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in ["import numpy as np", *cells]]
    nbformat.write(nb, str(tmp_path / lesson.notebook.name))
    result = grader.grade_submission(tmp_path, lesson.notebook, "s", lesson.name)
    row = {e.exercise_id: e for e in result.exercises}["05.zz_feature_map"]
    assert "forbidden library feature map used: zz_feature_map" in row.feedback, row.feedback
    # the "by hand" point is lost; since 92a4f29 the library circuit's name also fails the
    # state cases, so the exact score is the checker's business, not this test's
    assert row.score < row.max_score and row.status == "graded"


def test_grade_cell_points_that_disagree_with_the_registry_are_a_grader_error(tmp_path):
    """Points come from the registry only: a source notebook whose grade cell says other
    points stops the grading with a message for the instructor, and a job that meets it
    is an infrastructure result (never scored), not a learner's zero."""
    import nbformat

    from autograder.engine import get_exercise

    lesson = find_lesson("00")
    nb = nbformat.read(str(lesson.notebook), as_version=4)
    assert [e.points for e in grader.trusted_exercises(lesson.notebook)] == [
        get_exercise("00.plus_state").points,
        get_exercise("00.x_on_qubit").points,
    ]
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id") == "ex_00_x_on_qubit":
            meta["points"] = 7
    source = tmp_path / lesson.notebook.name
    nbformat.write(nb, str(source))
    with pytest.raises(AutograderError) as info:
        grader.trusted_exercises(source)
    text = str(info.value)
    assert "ex_00_x_on_qubit is worth 7 in the notebook, 3 in the registry" in text
    assert "nothing was graded" in text
    job = {
        "submission_dir": str(lesson.folder),
        "source_notebook": str(source),
        "student": "ada",
        "assignment": lesson.name,
    }
    result = grader.grade_job(job)
    assert result.status == "infrastructure" and result.exercises == [], result
    assert "7 in the notebook" in result.reason
