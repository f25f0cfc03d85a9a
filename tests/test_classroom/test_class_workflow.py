"""A whole class of 12 students, from `class init` to exported grades, on SQLite and on a
real PostgreSQL server (started by the test from Debian's postgresql package)."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import gradebook
from autograder.cli import main

from ..conftest import venv_bin

pytestmark = pytest.mark.slow
ASSIGNMENT = "00_getting_started"

ANSWERS = {
    "plus": {
        "right": "return np.array([1, 1]) / np.sqrt(2)",
        "phase": "return -1j * np.array([1, 1]) / np.sqrt(2)",
        "unnormalised": "return np.array([1, 1])",
        "stub": None,
    },
    "x": {
        "right": "qc = QuantumCircuit(n)\n    qc.x(k)\n    return qc",
        "reversed": "qc = QuantumCircuit(n)\n    qc.x(n - 1 - k)\n    return qc",
        "stub": None,
    },
}
# student -> (plus answer, x answer, expected total)
CLASS = {
    "ada": ("right", "right", 5),
    "bo": ("phase", "right", 5),
    "cy": ("unnormalised", "right", 3),
    "di": ("right", "reversed", 2),
    "ed": ("stub", "stub", 0),
    "fay": ("right", "stub", 2),
    "gus": ("unnormalised", "reversed", 0),
    "hal": ("stub", "right", 3),
    "ivy": ("phase", "reversed", 2),
    "jo": ("right", "right", 5),
    "kai": ("right", "right", 5),
    "lu": ("unnormalised", "stub", 0),
}


def fill(released: Path, plus: str, x: str) -> str:
    nb = nbformat.read(str(released), as_version=4)
    stub = "# YOUR CODE HERE\n    raise NotImplementedError()"
    for cell in nb.cells:
        if cell.source.startswith("def plus_state") and ANSWERS["plus"][plus]:
            cell.source = cell.source.replace(stub, ANSWERS["plus"][plus])
        if cell.source.startswith("def x_on_qubit") and ANSWERS["x"][x]:
            cell.source = cell.source.replace(stub, ANSWERS["x"][x])
    return nbformat.writes(nb)


def run_class(tmp_path: Path, db_url: str | None) -> Path:
    root = tmp_path / "class"
    args = ["class", "init", str(root)] + (["--db-url", db_url] if db_url else [])
    assert main(args) == 0
    assert (root / "exchange").stat().st_mode & 0o1777 == 0o1777
    assert main(["class", "release", str(root), ASSIGNMENT]) == 0
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "BEGIN SOLUTION" not in released.read_text()
    # an LMS export (Canvas-style names: login_userid_submissionid_filename)
    export = tmp_path / "lms.zip"
    with zipfile.ZipFile(export, "w") as zf:
        for i, (student, (plus, x, _)) in enumerate(CLASS.items()):
            zf.writestr(
                f"{student}_{1000 + i}_{5000 + i}_{ASSIGNMENT}.ipynb", fill(released, plus, x)
            )
    assert main(["class", "collect", str(root), ASSIGNMENT, str(export)]) == 0
    assert main(["class", "autograde", str(root), ASSIGNMENT, "--workers", "2"]) == 0
    assert main(["class", "feedback", str(root), ASSIGNMENT]) == 0
    assert main(["class", "export", str(root), "--to", str(tmp_path / "grades.csv")]) == 0
    assert main(["class", "report", str(root), ASSIGNMENT]) == 0
    return root


def check_class(tmp_path: Path, root: Path) -> None:
    with open(tmp_path / "grades.csv") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh) if r["assignment"] == ASSIGNMENT}
    assert set(rows) == set(CLASS)
    for student, (_p, _x, total) in CLASS.items():
        assert float(rows[student]["score"]) == total, student
        assert rows[student]["status"] == "graded"
        parts = float(rows[student]["ex_00_plus_state"]) + float(rows[student]["ex_00_x_on_qubit"])
        assert parts == total
    for student in CLASS:
        page = root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page.exists() and "00.plus_state" in page.read_text()
    report = (root / "reports" / f"{ASSIGNMENT}-report.md").read_text()
    assert "| 00.plus_state | 58% |" in report  # 7 of 12 fully right
    assert "| 00.x_on_qubit | 50% |" in report  # 6 of 12
    assert "state not normalised" in report and "qubit order reversed" in report
    assert (root / "reports" / f"{ASSIGNMENT}-scores.png").stat().st_size > 1000
    # plain nbgrader commands still work on the same course and agree with us
    proc = subprocess.run(
        [venv_bin("nbgrader"), "export", "--to", str(tmp_path / "nb.csv")],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "nb.csv") as fh:
        nb_rows = {
            r["student_id"]: float(r["score"])
            for r in csv.DictReader(fh)
            if r["assignment"] == ASSIGNMENT and r["timestamp"] is not None
        }
    assert {s: nb_rows[s] for s in CLASS} == {s: float(t) for s, (_p, _x, t) in CLASS.items()}


def test_class_on_sqlite(tmp_path):
    root = run_class(tmp_path, None)
    check_class(tmp_path, root)
    # the raw LMS export is kept as it arrived
    assert list((root / "raw").rglob("lms.zip"))
    check_formgrader(root)


def check_formgrader(root: Path) -> None:
    """nbgrader's formgrader, served from the class folder, sees the autograded class."""
    import json
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            venv_bin("jupyter"),
            "server",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.token=t",
            "--ServerApp.ip=127.0.0.1",
            "--allow-root",
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/formgrader/api"
        data = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and data is None:
            try:
                data = json.loads(
                    urllib.request.urlopen(f"{base}/assignments?token=t", timeout=5).read()
                )
            except OSError:
                time.sleep(0.5)
        assert data is not None, "the formgrader did not answer"
        ours = {a["name"]: a for a in data}[ASSIGNMENT]
        assert ours["num_submissions"] == len(CLASS)
        expected_mean = sum(t for _p, _x, t in CLASS.values()) / len(CLASS)
        assert abs(ours["average_score"] - expected_mean) < 1e-9
        subs = json.loads(
            urllib.request.urlopen(f"{base}/submissions/{ASSIGNMENT}?token=t", timeout=10).read()
        )
        assert all(s["autograded"] for s in subs) and len(subs) == len(CLASS)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ------------------------------------------------------------------ PostgreSQL
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def postgres_url(tmp_path):
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail(
            "PostgreSQL is not installed: the gradebook test needs Debian's postgresql "
            "package (`make test` installs it as root; or apt-get install postgresql)."
        )
    # pytest's own temporary folders are private to root; the server user must enter this one
    base = Path(tempfile.mkdtemp(prefix="qmlcourse-pg-"))
    os.chmod(base, 0o755)
    data = base / "pgdata"
    sock = base / "pgsock"
    data.mkdir()
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust"],
        check=True,
        capture_output=True,
    )
    port = "54329"
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(sock / "pg.log"),
            "-o",
            f"-k {sock} -p {port} -c listen_addresses=''",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [str(bindir / "createdb"), "-h", str(sock), "-p", port, "-U", user, "gradebook"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://{user}@/gradebook?host={sock}&port={port}"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_class_on_postgresql(tmp_path, postgres_url):
    root = run_class(tmp_path, postgres_url)
    assert not (root / "gradebook.db").exists()
    check_class(tmp_path, root)
    rows = gradebook.dump_grades(postgres_url)
    assert len({r["student"] for r in rows}) == len(CLASS)
    assert list((root / "backups").glob("grades-*.json"))  # backups work without a file
