"""The built distribution: a wheel a learner can install anywhere, without a solution in it.

Builds the sdist and, from it, the wheel (``python -m build``, as a release would), installs
the wheel alone into a fresh virtual environment, and uses it from a folder outside the
checkout: ``--version``, a workspace with every lesson, grading a notebook. The heavy
dependencies (Qiskit, JupyterLab, ...) come from this test's environment through a ``.pth``
file; our own packages come only from the wheel, which the test checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

import autograder
from autograder.lessons import list_lessons, student_files

from .conftest import ROOT

pytestmark = pytest.mark.slow

JUNK = {
    ".venv",
    ".git",
    "build",
    "dist",
    "workspace",
    "test-artifacts",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    ".ipynb_checkpoints",
    "node_modules",
    "_build",
    "nbgrader-course",
}
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _distinctive_solution_lines() -> set[str]:
    """Lines of the reference solutions and of the lessons' solution cells that a learner
    never sees anywhere else (found here without nbgrader, so independently of the code
    that makes the student versions)."""
    visible_parts = []
    solution_lines: set[str] = set()
    for lesson in list_lessons():
        for cell in nbformat.read(str(lesson.notebook), as_version=4).cells:
            for body in SOLUTION_REGION.findall(cell.source):
                solution_lines.update(ln.strip() for ln in body.splitlines())
            visible_parts.append(SOLUTION_REGION.sub("", cell.source))
    for module in sorted((ROOT / "autograder" / "solutions").glob("lesson*.py")):
        solution_lines.update(ln.strip() for ln in module.read_text().splitlines())
    for tree in ("autograder", "qmlkit"):
        for path in (ROOT / tree).rglob("*.py"):
            if "solutions" not in path.relative_to(ROOT).parts:
                visible_parts.append(path.read_text())
    visible = "\n".join(visible_parts)
    return {ln for ln in solution_lines if len(ln) >= 25 and ln not in visible}


def _copy_source(dest: Path) -> Path:
    def ignore(folder, names):
        return {n for n in names if n in JUNK or n.endswith(".egg-info")}

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    return dest


def _fresh_venv(where: Path) -> Path:
    """A venv with nothing of ours; this environment's site-packages appended for the
    heavy dependencies (a .pth path line: its own .pth files, such as the editable
    install's finder, are not run)."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(where)])
    python = where / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "zz_course_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def test_wheel_installs_and_runs_without_a_checkout_or_a_solution(tmp_path):
    # -- build: the sdist from a copy of the tree, then the wheel from the sdist ----------
    src = _copy_source(tmp_path / "src")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)])
    [sdist] = dist.glob("qml_course-*.tar.gz")
    [wheel] = dist.glob("qml_course-*-py3-none-any.whl")
    version = autograder.__version__
    assert wheel.name == f"qml_course-{version}-py3-none-any.whl"

    # -- the sdist is the whole course: it can build the wheel and run the tests ----------
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(tmp_path / "sdist", **safe)
    for needed in (
        "LICENSE",
        "LICENSE-lessons",
        "setup.py",
        "build_support/qmlcourse_build.py",
        "autograder/solutions/__init__.py",
        "tests/test_workspace.py",
        "tests/conftest.py",
        ".ci/run",
        "docs/EXERCISES.md",
        *(f"lessons/{lesson.name}/{lesson.name}.ipynb" for lesson in list_lessons()),
    ):
        assert needed in members, needed

    # -- the wheel: learners' lessons, licences, no solutions -----------------------------
    lessons = list_lessons()
    expected = student_files()
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n).decode("utf-8", "replace") for n in names}
    assert not [n for n in names if n.startswith("autograder/solutions")]
    assert "qmlkit/py.typed" in names and "qmlkit/plots/__init__.py" in names  # PEP 561
    assert not [n for n in names if n.startswith("lessons/")]
    packaged = {
        n.removeprefix("autograder/student_lessons/"): texts[n]
        for n in names
        if n.startswith("autograder/student_lessons/")
    }
    assert sorted(packaged) == sorted(expected)
    assert len([n for n in packaged if n.endswith(".ipynb")]) == len(lessons) == 17
    for rel, text in packaged.items():
        assert text.encode() == expected[rel], f"{rel} differs from the checkout's version"
        assert not [m for m in MARKERS if m in text], rel
    distinctive = _distinctive_solution_lines()
    assert len(distinctive) > 100, "too few solution lines to make this check meaningful"
    leaks = sorted({(n, ln) for n, text in texts.items() for ln in distinctive if ln in text})
    assert not leaks, leaks[:10]
    info = f"qml_course-{version}.dist-info"
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/LICENSE-lessons"} <= set(names)
    metadata = texts[f"{info}/METADATA"]
    assert "License-Expression: Apache-2.0 AND CC-BY-4.0" in metadata
    assert f"Version: {version}\n" in metadata
    assert "Apache License" in texts[f"{info}/licenses/LICENSE"]
    assert "Attribution 4.0 International" in texts[f"{info}/licenses/LICENSE-lessons"]

    # -- installed alone into a fresh venv, used from another folder ----------------------
    python = _fresh_venv(tmp_path / "venv")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
        + ["--no-index", "--disable-pip-version-check", "--quiet", str(wheel)]
    )
    qml = str(tmp_path / "venv" / "bin" / "qml-course")
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QMLCOURSE", "JUPYTER", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), MPLBACKEND="Agg", QMLKIT_BACKEND="ideal")

    def run(*args, ok=True):
        proc = subprocess.run(
            list(args), capture_output=True, text=True, cwd=elsewhere, env=env, timeout=900
        )
        if ok:
            assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc

    where = json.loads(
        run(
            str(python),
            "-c",
            "import json, importlib.metadata as md, autograder, qmlkit, autograder.cli;"
            "print(json.dumps([autograder.__file__, qmlkit.__file__, autograder.cli.__file__,"
            " md.version('qml-course'), autograder.__version__, qmlkit.__version__]))",
        ).stdout
    )
    venv_site = str((tmp_path / "venv").resolve())
    assert all(Path(p).resolve().is_relative_to(venv_site) for p in where[:3]), where
    assert where[3:] == [version, version, version]

    assert run(qml, "--version").stdout.strip() == f"qml-course {version}"

    # the default workspace of an installed course: ~/qml-course
    out = run(qml, "sync").stdout
    workspace = home / "qml-course"
    assert f"Your workspace: {workspace}" in out and f"{len(lessons)} new" in out
    got = {
        p.relative_to(workspace).as_posix(): p.read_bytes()
        for p in workspace.rglob("*")
        if p.is_file() and p.name != ".qmlcourse-manifest.json"
    }
    assert got == expected
    assert {p.name for p in workspace.iterdir() if p.is_dir()} == {x.name for x in lessons}
    assert not list(elsewhere.iterdir()), "nothing may be written into the current folder"
    site_packages = next((tmp_path / "venv" / "lib").glob("python*/site-packages"))
    assert not (site_packages / "workspace").exists()

    # start prepares a workspace where it is told (here without starting JupyterLab)
    out = run(qml, "start", "--dry-run", "--no-browser", "--workspace", "ws").stdout
    assert "Starting JupyterLab: jupyter lab" in out
    assert (elsewhere / "ws" / "00_getting_started" / "00_getting_started.ipynb").exists()

    # instructors' commands explain where the authored lessons are, without a traceback
    proc = run(qml, "class", "init", "myclass", ok=False)
    assert proc.returncode == 2
    assert "source archive" in proc.stderr and "QMLCOURSE_ROOT" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "plus_state" in run(qml, "exercises", "--markdown").stdout

    # a learner answers lesson 00 and grades it: the cells run in a sandbox on a copy of the
    # folder, with a staged copy of the grading process's (the wheel's) packages
    nb_path = workspace / "00_getting_started" / "00_getting_started.ipynb"
    authored = {
        c.get("id"): c.source for c in nbformat.read(str(lessons[0].notebook), as_version=4).cells
    }
    nb = nbformat.read(str(nb_path), as_version=4)
    answered = 0
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = authored[cell["id"]]
            answered += 1
    assert answered == 2
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import autograder, pathlib, sys\n"
            "pathlib.Path('kernel.json').write_text(__import__('json').dumps("
            "[autograder.__file__, sys.executable]))"
        )
    )
    nbformat.write(nb, str(nb_path))
    result = json.loads(run(qml, "grade", "--json", str(nb_path)).stdout)
    assert result[0]["score"] == result[0]["max_score"] == 5.0, result
    assert result[0]["cell_errors"] == [] and result[0]["isolation"], result
    assert not (nb_path.parent / "kernel.json").exists()  # the sandbox wrote to its copy

    # -- the sdist runs the tests with its own packages ------------------------------------
    unpacked = tmp_path / "sdist" / sdist.name.removesuffix(".tar.gz")
    sdist_env = dict(env, PYTHONPATH=str(unpacked), HOME=str(home))
    probe = subprocess.run(
        [sys.executable, "-c", "import autograder; print(autograder.__file__)"],
        capture_output=True,
        text=True,
        cwd=unpacked,
        env=sdist_env,
    )
    assert Path(probe.stdout.strip()).resolve().is_relative_to(unpacked.resolve()), probe
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_workspace.py"],
        capture_output=True,
        text=True,
        cwd=unpacked,
        env=sdist_env,
        timeout=900,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout
