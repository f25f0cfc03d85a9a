"""conda and Binder: the environment files follow pyproject.toml, and Binder's scripts give
the learner's workspace and view.

conda-forge and Binder are out of reach here, so this checks what can be checked: both
environment files against pyproject's dependencies; ``binder/postBuild`` run for real with
a temporary HOME (the course is already installed in this environment); and a JupyterLab
started through ``binder/start`` the way Binder starts it, asked for every path the Binder
links open.
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
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from autograder.lessons import lesson_files, list_lessons
from autograder.workspace import INSTRUCTOR_LAB_PLUGINS, MANIFEST

from .conftest import ROOT
from .test_site import build

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

BINDER = ROOT / "binder"
ENV_FILES = {"environment.yml": ROOT / "environment.yml", "binder": BINDER / "environment.yml"}
LESSONS = list_lessons()
TOKEN = "bindertest"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    """A conda-forge match spec as (normalised name, version range).

    >>> _conda_spec("qiskit-aer>=0.17,<0.19")
    ('qiskit-aer', <SpecifierSet('<0.19,>=0.17')>)
    >>> _conda_spec("python=3.11")[1].contains("3.11.9")
    True
    """
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", spec.strip())
    name, version = m.group(1), m.group(2).replace(" ", "")
    if re.fullmatch(r"=[^=<>!~,]+", version):  # conda's "=3.11" is "3.11.*"
        version = f"=={version[1:]}.*"
    return canonicalize_name(name), SpecifierSet(version)


def _environment(path: Path) -> tuple[dict, dict[str, SpecifierSet], list[str]]:
    env = yaml.safe_load(path.read_text())
    conda: dict[str, SpecifierSet] = {}
    pip: list[str] = []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip += item["pip"]
        else:
            name, spec = _conda_spec(item)
            assert name not in conda, f"{name} twice in {path}"
            conda[name] = spec
    return env, conda, pip


@pytest.mark.parametrize("which", sorted(ENV_FILES))
def test_environment_file_follows_pyproject(which):
    project = _pyproject()["project"]
    env, conda, pip = _environment(ENV_FILES[which])
    assert env["channels"] == ["conda-forge"]
    # its Python is one the course supports
    python = conda.pop("python")
    version = re.search(r"\d+(?:\.\d+)*", str(python)).group(0)
    assert SpecifierSet(project["requires-python"]).contains(version + ".0")
    assert "pip" in conda and not conda.pop("pip")
    required = {
        canonicalize_name(r.name): r.specifier
        for r in map(Requirement, project["dependencies"])
        if r.marker is None or r.marker.evaluate()
    }
    # every dependency is there, with pyproject's range (a narrower one would be allowed)
    for name, spec in required.items():
        assert name in conda, f"{name} (pyproject) is missing from {which}"
        missing = set(spec) - set(conda[name])
        assert not missing, f"{name}: {which} says {conda[name]}, pyproject {spec}"
    # and nothing else: an extra package or version is not what pip would install
    assert set(conda) == set(required), set(conda) ^ set(required)
    if which == "binder":
        # repo2docker builds the environment before copying the repository in:
        # binder/postBuild installs the course
        assert pip == []
    else:
        assert pip == ["-e ."]


def test_conda_spec_doctests():
    import doctest

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(_conda_spec, globs={"_conda_spec": _conda_spec}):
        runner.run(test)
    assert runner.tries == 2 and runner.failures == 0


def test_binder_links_readme_site_and_pyproject_name_one_repository():
    config = build.load_config()
    repo = config["repository"]["url"]
    urls = _pyproject()["project"]["urls"]
    assert urls["Source"] == repo and urls["Homepage"] == repo
    readme = (ROOT / "README.md").read_text()
    badge = re.search(
        r"\[!\[Launch on Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((\S+)\)", readme
    )
    assert badge, "no Binder badge in the README"
    first = f"{LESSONS[0].name}/{LESSONS[0].name}.ipynb"
    assert badge.group(1) == build.binder_url(config, first)
    assert "## Rendered course" in readme and "make site" in readme


def test_binder_scripts_are_executable_bash():
    for name in ("postBuild", "start"):
        script = BINDER / name
        assert os.access(script, os.X_OK), f"binder/{name} is not executable"
        assert script.read_text().startswith("#!/usr/bin/env bash\n")
        check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def _binder_env(home: Path) -> dict[str, str]:
    """Binder's situation: a HOME of its own and this environment's Python first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "QMLCOURSE", "IPYTHON")) and k != "MPLBACKEND"
    }
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        JUPYTER_RUNTIME_DIR=str(home / ".runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / ".lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / ".lab-workspaces"),
    )
    return env


def _post_build(home: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(BINDER / "postBuild")],
        env=_binder_env(home) | extra,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_post_build_writes_the_learners_workspace(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = _post_build(home)
    assert first.returncode == 0, first.stdout + first.stderr
    # the course was already installed from this checkout: nothing was reinstalled
    assert "pip" not in first.stdout + first.stderr
    assert f"{len(LESSONS)} new" in first.stdout
    workspace = home / "workspace"
    assert f"Learner's workspace: {workspace}" in first.stdout
    assert (workspace / MANIFEST).is_file()
    for lesson in LESSONS:
        for rel, data in lesson_files(lesson).items():
            assert (workspace / rel).read_bytes() == data, rel
        text = (workspace / lesson.name / f"{lesson.name}.ipynb").read_text()
        assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text

    # a second build (Binder rebuilds on every new commit) keeps the learner's edits
    edited = workspace / LESSONS[1].name / f"{LESSONS[1].name}.ipynb"
    edited.write_text(edited.read_text().replace("Qubits", "My qubits", 1))
    again = _post_build(home)
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 1 of yours kept" in again.stdout
    assert "My qubits" in edited.read_text()

    # QMLCOURSE_WORKSPACE names another folder
    other = tmp_path / "elsewhere"
    moved = _post_build(home, QMLCOURSE_WORKSPACE=str(other))
    assert moved.returncode == 0, moved.stderr
    assert (other / LESSONS[0].name / f"{LESSONS[0].name}.ipynb").is_file()


def test_start_points_commands_and_jupyter_at_the_learner_setup(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run(
        [
            "bash",
            str(BINDER / "start"),
            sys.executable,
            "-c",
            "import os; print(os.environ['QMLCOURSE_WORKSPACE']); "
            "print(os.environ['JUPYTER_CONFIG_PATH'])",
        ],
        env=_binder_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    workspace, config_path = proc.stdout.split()
    assert workspace == str(home / "workspace")
    config = Path(config_path.split(os.pathsep)[0])
    assert config == home / "workspace" / ".qmlcourse" / "jupyter"
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == set(INSTRUCTOR_LAB_PLUGINS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_binder_links_open_notebooks_of_the_learners_workspace(tmp_path):
    """postBuild, then JupyterLab through binder/start with the repository's root as the
    server's root, as on Binder (where the repository is HOME): every Binder link's path
    is a learner's notebook there, and the instructor tools are not served."""
    home = tmp_path / "home"
    home.mkdir()
    built = _post_build(home)
    assert built.returncode == 0, built.stderr
    port, log_path = _free_port(), tmp_path / "lab.log"
    cmd = [
        "bash",
        str(BINDER / "start"),
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={home}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log_path, "w") as log:
        lab = subprocess.Popen(
            cmd, env=_binder_env(home), cwd=home, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while _get_status(f"{base}/api/status?token={TOKEN}") != 200:
            if lab.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + log_path.read_text())
            time.sleep(0.5)
        config = build.load_config()
        paths = [f"{lesson.name}/{lesson.name}.ipynb" for lesson in LESSONS]
        for path in paths:
            urlpath = parse_qs(urlsplit(build.binder_url(config, path)).query)["urlpath"][0]
            assert urlpath.startswith("lab/tree/")
            status, body = _get(f"{base}/api/contents/{urlpath[9:]}?content=0&token={TOKEN}")
            assert status == 200, (urlpath, body[:300])
            assert json.loads(body)["type"] == "notebook"
            assert _get(f"{base}/{urlpath}?token={TOKEN}")[0] == 200
        # the learner's view: no formgrader
        assert _get(f"{base}/formgrader?token={TOKEN}")[0] == 404
        assert _get(f"{base}/assignments?token={TOKEN}")[0] != 404
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            lab.kill()
            lab.wait()
    text = log_path.read_text()
    assert "No nbgrader_config.py" not in text, text
    assert "nbgrader.server_extensions.formgrader | extension was successfully loaded" not in text


def _get_status(url: str) -> int:
    try:
        return _get(url)[0]
    except OSError:
        return 0
