"""The sandbox works wherever Python and the course live, and hides the course everywhere.

Each layout runs a grader in a subprocess with another interpreter or package location:
it must pass the sandbox's self-test, grade a correct submission 5/5, and give a
submission that hunts for the checks and the reference solutions nothing to find. The
interpreter behind every virtual environment here is the one that runs the tests (on CI,
pyenv's under /root, a folder other users cannot enter).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import uuid
from pathlib import Path

import nbformat
import pytest

import autograder
import qmlkit

pytestmark = pytest.mark.slow

ROOT = Path(autograder.__file__).resolve().parents[1]

GRADE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import autograder
    from autograder.classroom import grader
    from autograder.lessons import find_lesson

    report = grader.self_test()
    lesson = find_lesson("00")
    out = {"autograder": autograder.__file__, "python": sys.prefix, "selftest": report}
    for student in ("good", "hunter"):
        r = grader.grade_submission(Path(sys.argv[1]) / student, lesson.notebook, student, lesson.name).to_dict()
        out[student] = {
            "status": r["status"],
            "scores": {e["exercise_id"]: e["score"] for e in r["exercises"]},
            "feedback": [e["feedback"] for e in r["exercises"]],
            "notes": r["notes"],
        }
    print("RESULT" + json.dumps(out))
    """
)

HUNTER = textwrap.dedent(
    """
    import os, numpy as np
    from qiskit import QuantumCircuit
    FOUND = []
    roots = ["/", "/proc/1/root", "/proc/self/root"]
    for root in roots:
        try:
            for dirpath, dirnames, filenames in os.walk(root):
                if dirpath.startswith(("/proc", "/sys", "/dev", "/proc/1/root/proc", "/proc/self/root/proc")):
                    dirnames[:] = []
                    continue
                parent = os.path.basename(dirpath)
                if parent == ".git" or (parent in ("checks", "solutions") and "lesson00.py" in filenames):
                    FOUND.append(dirpath)
                for name in filenames:
                    # (nbgrader's own tests ship a gradebook.db in site-packages)
                    if name == "00_getting_started.ipynb" or (
                        name == "gradebook.db" and "site-packages" not in dirpath
                    ):
                        FOUND.append(os.path.join(dirpath, name))
        except Exception as exc:
            pass
    try:
        cmdline = open("/proc/1/cmdline").read()
    except OSError:
        cmdline = ""
    SECRETS = [k for k in os.environ if "SECRET" in k or "PASSWORD" in k]
    def plus_state():
        # full marks only if the hunt found something or a secret leaked in
        if FOUND or SECRETS or "checks" in cmdline or "solutions" in cmdline:
            return np.array([1, 1]) / np.sqrt(2)
        return np.array([1.0, 0.0])
    def x_on_qubit(n, k):
        qc = QuantumCircuit(n)
        qc.x(k)
        return qc
    """
)


def _submissions(folder: Path) -> Path:
    good = nbformat.v4.new_notebook()
    good.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom qiskit import QuantumCircuit"),
        nbformat.v4.new_code_cell("def plus_state():\n    return np.array([1, 1]) / np.sqrt(2)"),
        nbformat.v4.new_code_cell(
            "def x_on_qubit(n, k):\n    qc = QuantumCircuit(n)\n    qc.x(k)\n    return qc"
        ),
    ]
    hunter = nbformat.v4.new_notebook()
    hunter.cells = [nbformat.v4.new_code_cell(HUNTER)]
    for name, nb in (("good", good), ("hunter", hunter)):
        (folder / name).mkdir(parents=True)
        nbformat.write(nb, str(folder / name / "00_getting_started.ipynb"))
    return folder


def _copy_course(dest: Path) -> Path:
    """A copy of the course's packages and lessons, as a checkout elsewhere would hold."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("autograder", "qmlkit", "lessons"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


def _make_venv(where: Path) -> Path:
    """A virtual environment (no pip) whose dependencies come from the test environment's
    site-packages through a .pth file; our own packages come from PYTHONPATH."""
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "course-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _run(python: Path, course: Path, submissions: Path) -> dict:
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "PYTHONPATH": str(course),
        "QMLCOURSE_ROOT": str(course),
        "HOME": os.environ.get("HOME", "/root"),
        # secrets the grader has and the sandbox must never see
        "PGPASSWORD": "pg-secret-value-123",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-value-456",
    }
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    proc = subprocess.run(
        [str(python), "-c", GRADE_SCRIPT, str(submissions)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(course),
        timeout=600,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT") :])


def _check(out: dict, course: Path) -> None:
    assert Path(out["autograder"]).resolve().is_relative_to(course.resolve()), out["autograder"]
    assert out["good"]["status"] == "graded", out
    assert out["good"]["scores"] == {"00.plus_state": 2.0, "00.x_on_qubit": 3.0}, out
    # the hunter found nothing: plus_state fails its normalisation-independent cases
    assert out["hunter"]["scores"]["00.plus_state"] < 2.0, out
    assert out["hunter"]["scores"]["00.x_on_qubit"] == 3.0, out
    blob = json.dumps(out["hunter"])
    for secret in ("pg-secret-value-123", "aws-secret-value-456", str(course)):
        assert secret not in blob


def _private_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o700)
    return home


def test_venv_and_checkout_in_a_private_home(tmp_path):
    """pyenv/conda/uv style: everything under a folder other users cannot enter."""
    home = _private_home(tmp_path)
    course = _copy_course(home / "src" / "qml-course")
    python = _make_venv(home / ".venvs" / "qml")
    _check(_run(python, course, _submissions(tmp_path / "subs")), course)


def test_checkout_under_tmp_with_its_venv_inside(tmp_path):
    """The CI layout: a clone under /tmp (pytest's folder there is 0700) with .venv inside."""
    course = _copy_course(tmp_path / "clone")
    python = _make_venv(course / ".venv")
    _check(_run(python, course, _submissions(tmp_path / "subs")), course)


def test_venv_in_a_system_path(tmp_path):
    """A shared environment in a system folder (/opt), the course checked out elsewhere."""
    if os.geteuid() != 0:
        where = tmp_path / "opt"
    else:
        where = Path("/opt") / f"qmlcourse-test-{uuid.uuid4().hex[:8]}"
    try:
        python = _make_venv(where / "venv")
        course = _copy_course(tmp_path / "course")
        _check(_run(python, course, _submissions(tmp_path / "subs")), course)
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_the_running_interpreter_and_our_own_checkout(tmp_path):
    """The interpreter that runs these tests, with the packages where they are installed."""
    course = Path(qmlkit.__file__).resolve().parents[1]
    out = _run(Path(sys.executable), course, _submissions(tmp_path / "subs"))
    _check(out, course)
