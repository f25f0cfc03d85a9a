"""A grading run an instructor can trust: one run at a time, nothing lost when the disk or
the database fails, damaged files kept, private files, per-exercise degradation, an
autograded copy that shows what ran, and workers that die with the grader.

No sandbox runs here: the grading itself is replaced by canned results, the
``SubmissionResult`` records grader.py produces (built from their saved JSON form).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import gradebook, pool, workflow
from autograder.classroom.course import Course, init_course, open_course
from autograder.classroom.lock import course_lock
from autograder.cli import main
from autograder.errors import AutograderError
from autograder.records import SubmissionResult

ASSIGNMENT = "00_getting_started"
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()
PLUS = {"exercise_id": "00.plus_state", "grade_id": "ex_00_plus_state", "points": 2.0}
X = {"exercise_id": "00.x_on_qubit", "grade_id": "ex_00_x_on_qubit", "points": 3.0}
# student -> (plus_state score, x_on_qubit score) the fake grader gives
SCORES = {
    "s1": (2.0, 3.0),
    "s2": (0.0, 3.0),
    "s3": (2.0, 0.0),
    "s4": (2.0, 3.0),
    "s5": (0.0, 0.0),
    "s6": (2.0, 3.0),
}


# ------------------------------------------------------------------ canned results
def row(ex: dict, score: float, status: str = "graded") -> dict:
    """An exercise row as saved in the results file (ExerciseOutcome.to_dict)."""
    return {
        "exercise_id": ex["exercise_id"],
        "grade_id": ex["grade_id"],
        "score": float(score),
        "max_score": float(ex["points"]),
        "passed": score == ex["points"],
        "feedback": f"{ex['exercise_id']}: {score:g}/{ex['points']:g} (canned feedback)",
        "mistakes": [],
        "status": status,
    }


def canned(
    student: str, rows: list[dict], status: str = "graded", notebook: str | None = None
) -> SubmissionResult:
    """A submission's result as the grader returns it."""
    return SubmissionResult.from_dict(
        {
            "student": student,
            "assignment": ASSIGNMENT,
            "status": status,
            "reason": "a checker failed" if status == "infrastructure" else None,
            "notes": [],
            "cell_errors": [],
            "skipped_cells": [],
            "exercises": rows,
            "isolation": "rlimits",
            "notebook": notebook,
            "score": float(sum(r["score"] for r in rows)),
            "max_score": float(sum(r["max_score"] for r in rows)),
            "duration": 0.01,
            "not_scored": [r["exercise_id"] for r in rows if r["status"] == "infrastructure"],
        }
    )


def fake_grade_many(jobs: list[dict], workers: int | None = None) -> list[SubmissionResult]:
    """Stands in for pool.grade_many: canned scores from SCORES, after an optional pause
    (QMLTEST_GRADE_SECONDS) so that concurrent runs overlap."""
    time.sleep(float(os.environ.get("QMLTEST_GRADE_SECONDS", "0")))
    out = []
    for job in jobs:
        plus, x = SCORES[job["student"]]
        nb = Path(job["submission_dir"]) / f"{ASSIGNMENT}.ipynb"
        out.append(canned(job["student"], [row(PLUS, plus), row(X, x)], notebook=str(nb)))
    return out


def grades(course: Course) -> dict[tuple[str, str], float | None]:
    return {
        (r["student"], r["grade_id"]): r["auto_score"]
        for r in gradebook.dump_grades(course.db_url())
        if r["assignment"] == ASSIGNMENT
    }


def saved(course: Course) -> dict[str, dict]:
    return {
        r["student"]: r for r in json.loads(workflow.results_path(course, ASSIGNMENT).read_text())
    }


# ------------------------------------------------------------------ a class
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One class, made once: init_course plus nbgrader's generate_assignment (slow)."""
    root = tmp_path_factory.mktemp("template") / "class"
    course = init_course(root)
    course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
    return root


@pytest.fixture
def course(template, tmp_path) -> Course:
    """A fresh copy of the template class (its config rewritten to the new folder), with
    submissions from s1..s6 made from the released notebook."""
    root = tmp_path / "class"
    shutil.copytree(template, root, symlinks=True)
    config = root / "nbgrader_config.py"
    config.write_text(config.read_text().replace(str(template), str(root)))
    course = open_course(root)
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student in SCORES:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(released, folder / f"{ASSIGNMENT}.ipynb")
    return course


@pytest.fixture
def fake_grader(monkeypatch):
    monkeypatch.setattr(pool, "grade_many", fake_grade_many)


def _python(script: str, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


HOLD_LOCK = """
    import sys, time
    from autograder.classroom.lock import course_lock
    with course_lock(sys.argv[1], "autograde"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
"""


def _holding(root: Path, seconds: float) -> subprocess.Popen:
    proc = _python(HOLD_LOCK, str(root), str(seconds))
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


# ------------------------------------------------------------------ the lock
def test_second_autograde_waits_for_the_first_then_proceeds(course, fake_grader, capsys):
    holder = _holding(course.root, 2.5)
    started = time.monotonic()
    results, _warning = workflow.autograde(course, ASSIGNMENT, ["s1"])
    waited = time.monotonic() - started
    holder.wait(timeout=30)
    err = capsys.readouterr().err
    assert (
        f"Waiting for another run on this class to finish (autograde, pid {holder.pid}, started"
        in err
    )
    assert err.count("Waiting for another run") == 1
    assert waited > 1.0  # it did wait for the holder
    assert [r.student for r in results] == ["s1"]
    assert grades(course)[("s1", "ex_00_plus_state")] == 2.0
    lock_file = course.root / ".qmlcourse.lock"
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600


def test_release_and_collect_wait_for_a_grading_run(course, tmp_path, capsys):
    from autograder.cli import main

    incoming = tmp_path / "incoming" / "s7"
    incoming.mkdir(parents=True)
    shutil.copy(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", incoming / "x.ipynb")
    for argv in (
        ["class", "release", str(course.root), ASSIGNMENT],
        ["class", "collect", str(course.root), ASSIGNMENT, str(incoming.parent)],
    ):
        holder = _holding(course.root, 1.5)
        started = time.monotonic()
        assert main(argv) == 0
        waited = time.monotonic() - started
        holder.wait(timeout=30)
        err = capsys.readouterr().err
        assert f"(autograde, pid {holder.pid}, started" in err, argv
        assert waited > 0.5, argv


def test_lock_without_waiting_refuses_and_names_the_holder(course):
    holder = _holding(course.root, 30)
    try:
        with pytest.raises(AutograderError) as caught:
            with course_lock(course.root, "collect", wait=False):
                pass
        message = str(caught.value)
        assert f"(autograde, pid {holder.pid}, started " in message
        assert "Wait for it to finish" in message
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # a holder that died (even by SIGKILL) leaves no stale lock behind
    with course_lock(course.root, "collect", wait=False):
        info = json.loads((course.root / ".qmlcourse.lock").read_text())
        assert info["pid"] == os.getpid() and info["command"] == "collect"


CONCURRENT_RUN = """
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("run_safety", sys.argv[1])
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    from autograder.classroom import pool
    pool.grade_many = helpers.fake_grade_many
    from autograder.cli import main
    sys.exit(main(["class", "autograde", *sys.argv[2:]]))
"""


def test_two_concurrent_autograde_runs_on_sqlite_both_complete(course):
    runs = [
        _python(
            CONCURRENT_RUN,
            str(HERE),
            str(course.root),
            ASSIGNMENT,
            *[a for s in group for a in ("--student", s)],
            QMLTEST_GRADE_SECONDS="1.5",
        )
        for group in (["s1", "s2", "s3"], ["s4", "s5", "s6"])
    ]
    outputs = [p.communicate(timeout=240) for p in runs]
    for proc, (out, err) in zip(runs, outputs):
        assert proc.returncode == 0, out + err
        assert "IntegrityError" not in out + err and "Traceback" not in err
    assert sum("Waiting for another run" in err for _out, err in outputs) == 1
    # every student of both runs is in the gradebook and in the results file
    book = grades(course)
    for student, (plus, x) in SCORES.items():
        assert book[(student, "ex_00_plus_state")] == plus
        assert book[(student, "ex_00_x_on_qubit")] == x
    stored = saved(course)
    assert sorted(stored) == sorted(SCORES)
    assert all(r["gradebook"] == "written" for r in stored.values())


# ------------------------------------------------------------------ failures on the way
def test_gradebook_failure_keeps_results_pending_and_resume_writes_them(
    course, fake_grader, monkeypatch, capsys
):
    real_write = gradebook.write_results
    gone = "postgresql://qml@127.0.0.1:1/gradebook"  # the server went away mid-run
    with monkeypatch.context() as m:
        m.setattr(gradebook, "write_results", lambda _url, *a: real_write(gone, *a))
        code = main(
            [
                "class",
                "autograde",
                str(course.root),
                ASSIGNMENT,
                "--student",
                "s1",
                "--student",
                "s2",
            ]
        )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    path = workflow.results_path(course, ASSIGNMENT)
    assert "Could not write the grades to the gradebook (cannot open the gradebook" in err
    assert f"Nothing was lost: the results of 2 submissions are saved in {path}" in err
    assert f"qml-course class autograde {course.root} {ASSIGNMENT} --resume" in err
    stored = saved(course)
    assert {s: r["gradebook"] for s, r in stored.items()} == {"s1": "pending", "s2": "pending"}
    assert stored["s2"]["score"] == 3.0
    assert not any(s in ("s1", "s2") for s, _g in grades(course))
    assert not (course.root / "autograded" / "s1").exists()

    def must_not_grade(*_a, **_k):
        raise AssertionError("--resume must not grade")

    monkeypatch.setattr(pool, "grade_many", must_not_grade)
    assert main(["class", "autograde", str(course.root), ASSIGNMENT, "--resume"]) == 0
    out = capsys.readouterr().out
    assert "Wrote the saved results of 2 submissions" in out
    book = grades(course)
    assert book[("s1", "ex_00_plus_state")] == 2.0 and book[("s1", "ex_00_x_on_qubit")] == 3.0
    assert book[("s2", "ex_00_plus_state")] == 0.0 and book[("s2", "ex_00_x_on_qubit")] == 3.0
    assert {r["gradebook"] for r in saved(course).values()} == {"written"}
    assert (course.root / "autograded" / "s1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert main(["class", "autograde", str(course.root), ASSIGNMENT, "--resume"]) == 0
    assert "Nothing to resume" in capsys.readouterr().out


def test_full_disk_when_saving_results_writes_nothing_to_the_gradebook(
    course, fake_grader, monkeypatch, capsys
):
    assert main(["class", "autograde", str(course.root), ASSIGNMENT, "--student", "s1"]) == 0
    before_file = workflow.results_path(course, ASSIGNMENT).read_bytes()
    before_book = grades(course)
    scores_before = dict(SCORES)
    monkeypatch.setitem(SCORES, "s1", (0.0, 0.0))
    monkeypatch.setitem(SCORES, "s2", (2.0, 0.0))
    real_fsync = os.fsync

    def full(fd):
        if ".tmp" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(workflow.os, "fsync", full)
    capsys.readouterr()
    code = main(["class", "autograde", str(course.root), ASSIGNMENT])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "Could not save the results of 6 graded submissions" in err
    assert "the disk is full" in err and "Nothing was written to the gradebook" in err
    assert f"qml-course class autograde {course.root} {ASSIGNMENT}` again" in err
    assert grades(course) == before_book
    assert grades(course)[("s1", "ex_00_plus_state")] == scores_before["s1"][0]
    assert workflow.results_path(course, ASSIGNMENT).read_bytes() == before_file
    assert not list((course.root / "reports").glob(".*tmp"))


def test_points_that_disagree_with_the_registry_grade_nobody(course, fake_grader, capsys):
    """The registry is the one source of points: an assignment whose grade cell says
    otherwise is the course's mistake. autograde says so and grades nobody; no zero (and
    no rescaled score) reaches the gradebook."""
    assert main(["class", "autograde", str(course.root), ASSIGNMENT, "--student", "s1"]) == 0
    before_book = grades(course)
    before_file = workflow.results_path(course, ASSIGNMENT).read_bytes()
    source = course.source_notebook(ASSIGNMENT)
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id") == PLUS["grade_id"]:
            meta["points"] = 4
    nbformat.write(nb, str(source))
    capsys.readouterr()
    assert main(["class", "autograde", str(course.root), ASSIGNMENT]) == 2
    err = capsys.readouterr().err
    assert "ex_00_plus_state is worth 4 in the notebook, 2 in the registry" in err, err
    assert "nothing was graded" in err and "Traceback" not in err
    assert grades(course) == before_book
    assert workflow.results_path(course, ASSIGNMENT).read_bytes() == before_file


@pytest.mark.parametrize(
    "damage",
    [b'[{"student": "s9", "status": "gra', b'{"s9": {}}', b"[1, 2]", b"\xff\xfe[]"],
    ids=["truncated", "not-a-list", "not-results", "not-utf8"],
)
def test_damaged_results_file_is_kept_aside_not_overwritten(course, fake_grader, capsys, damage):
    path = workflow.results_path(course, ASSIGNMENT)
    path.write_bytes(damage)
    original = path.read_bytes()
    # reading it for feedback says what is wrong and touches nothing
    with pytest.raises(AutograderError, match="is damaged"):
        workflow.feedback(course, ASSIGNMENT)
    assert path.read_bytes() == original
    workflow.autograde(course, ASSIGNMENT, ["s1"])
    err = capsys.readouterr().err
    kept = list(path.parent.glob(f"{ASSIGNMENT}-results.damaged-*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == original
    assert f"WARNING: {path} was damaged" in err and str(kept[0]) in err
    assert list(saved(course)) == ["s1"]
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600


def test_files_are_private_after_a_run(course, fake_grader):
    db = course.root / "gradebook.db"
    os.chmod(db, 0o644)
    os.chmod(course.config_file, 0o644)
    os.chmod(course.root / "feedback", 0o755)
    umask = os.umask(0o022)
    try:
        workflow.autograde(course, ASSIGNMENT, ["s1", "s2"])
        workflow.feedback(course, ASSIGNMENT)
        workflow.class_report(course, ASSIGNMENT)
        assert os.umask(0o022) == 0o022  # restored afterwards
    finally:
        os.umask(umask)

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    assert mode(db) == 0o600 and mode(course.config_file) == 0o600
    reports = list((course.root / "reports").iterdir())
    assert {p.name for p in reports} >= {
        f"{ASSIGNMENT}-results.json",
        f"{ASSIGNMENT}-report.md",
        f"{ASSIGNMENT}-scores.png",
    }
    assert {p.name: mode(p) for p in reports} == {p.name: 0o600 for p in reports}
    assert mode(course.root / "feedback") == 0o700
    for student in ("s1", "s2"):
        for top in ("feedback", "autograded"):
            assert mode(course.root / top / student) == 0o700
            assert mode(course.root / top / student / ASSIGNMENT) == 0o700
        # the page is 0644 inside 0700 folders: release_feedback copies its mode into the
        # exchange, where the student must read it; here nobody else can reach it
        assert mode(course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html") == 0o644
        assert (
            mode(course.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb") == 0o600
        )
    assert all(mode(p) == 0o600 for p in (course.root / "backups").iterdir())


# ------------------------------------------------------------------ the command line
def test_a_grader_problem_in_a_class_step_is_explained_and_its_traceback_saved(
    course, monkeypatch, capsys
):
    def broken(*_a, **_k):
        raise KeyError("boom")

    monkeypatch.setattr(workflow, "feedback", broken)
    assert main(["class", "feedback", str(course.root), ASSIGNMENT]) == 3
    err = capsys.readouterr().err
    assert "qml-course class feedback failed because of a grader problem: KeyError: 'boom'" in err
    assert "Traceback" not in err
    crash = list((course.root / "reports").glob("crash-*.txt"))
    assert len(crash) == 1 and str(crash[0]) in err
    assert "Traceback" in crash[0].read_text() and "KeyError: 'boom'" in crash[0].read_text()
    assert stat.S_IMODE(crash[0].stat().st_mode) == 0o600

    # without the class's reports/ folder the traceback goes to a temporary file
    shutil.move(course.root / "reports", course.root / "reports-away")
    try:
        assert main(["class", "feedback", str(course.root), ASSIGNMENT]) == 3
    finally:
        shutil.move(course.root / "reports-away", course.root / "reports")
    err = capsys.readouterr().err
    saved_at = Path(err.split("are saved in ")[1].split(";")[0])
    try:
        assert saved_at.parent == Path(tempfile.gettempdir()) and "KeyError" in saved_at.read_text()
    finally:
        saved_at.unlink()

    def disk_full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", "/class/feedback/s1/x.html")

    monkeypatch.setattr(workflow, "feedback", disk_full)
    assert main(["class", "feedback", str(course.root), ASSIGNMENT]) == 2
    err = capsys.readouterr().err
    assert "the disk is full (while writing /class/feedback/s1/x.html)" in err
    assert "Traceback" not in err and "grader problem" not in err


# ------------------------------------------------------------------ per-exercise degradation
@pytest.mark.parametrize("shape", ["graded", "infrastructure"])
def test_an_exercise_the_grader_failed_keeps_its_grade(course, monkeypatch, capsys, shape):
    """The lead's grader keeps status "graded" with an infrastructure row; the older one
    made the whole submission "infrastructure" but kept the rows: both write the others."""
    monkeypatch.setattr(pool, "grade_many", fake_grade_many)
    assert (
        main(
            [
                "class",
                "autograde",
                str(course.root),
                ASSIGNMENT,
                "--student",
                "s1",
                "--student",
                "s2",
            ]
        )
        == 0
    )
    assert grades(course)[("s1", "ex_00_x_on_qubit")] == 3.0

    def second_run(jobs, workers=None):
        nb = str(course.root / "submitted" / "s1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        return [
            canned("s1", [row(PLUS, 0.0), row(X, 0.0, "infrastructure")], shape, notebook=nb),
            canned("s2", [], "infrastructure"),  # the whole submission failed because of us
        ]

    monkeypatch.setattr(pool, "grade_many", second_run)
    capsys.readouterr()
    code = main(
        ["class", "autograde", str(course.root), ASSIGNMENT, "--student", "s1", "--student", "s2"]
    )
    out = capsys.readouterr().out
    assert code == 1
    book = grades(course)
    assert book[("s1", "ex_00_plus_state")] == 0.0  # written
    assert book[("s1", "ex_00_x_on_qubit")] == 3.0  # left as it was, not zero
    assert book[("s2", "ex_00_plus_state")] == 0.0 and book[("s2", "ex_00_x_on_qubit")] == 3.0
    assert "1 exercise(s) in 1 submission(s) were not scored because of a grader problem" in out
    assert "s1: 00.x_on_qubit" in out
    assert "1 submission(s) could not be graded because of a grader problem" in out
    assert "not scored (grader problem): 00.x_on_qubit" in out
    stored = saved(course)
    assert stored["s1"]["gradebook"] == "written" and stored["s2"]["gradebook"] == "not scored"
    copy = nbformat.read(
        str(course.root / "autograded" / "s1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4
    )
    x_cell = next(
        c for c in copy.cells if (c.metadata.get("nbgrader") or {}).get("grade_id") == X["grade_id"]
    )
    assert (
        "[not scored: the check failed because of a problem in the grader"
        in x_cell.outputs[0]["text"]
    )


# ------------------------------------------------------------------ the autograded copy
def _learner_notebook(course: Course) -> tuple[dict, list[str]]:
    """A submission that adds cells, nulls metadata, edits/duplicates/forges grade cells."""
    released = json.loads(
        (course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    )
    cells = []
    for cell in released["cells"]:
        src = "".join(cell["source"])
        meta = cell["metadata"].get("nbgrader") or {}
        if src.startswith("def plus_state"):
            cell = dict(cell, metadata={"nbgrader": None})
            cell["source"] = src.replace(
                "# YOUR CODE HERE\n    raise NotImplementedError()",
                "return np.array([1, 1]) / np.sqrt(2)",
            )
            cells.append(cell)
            cells.append(
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": "def helper():\n    return 42",
                    "outputs": [],
                    "execution_count": None,
                }
            )
            continue
        if src.startswith("def x_on_qubit"):
            cell = dict(cell, metadata={"nbgrader": dict(meta, grade_id="renamed_by_me")})
        if meta.get("grade_id") == X["grade_id"]:
            continue  # the learner deleted x_on_qubit's grade cell
        if meta.get("grade_id") == PLUS["grade_id"]:
            # edited, and duplicated with more points
            cell = dict(cell, source='grade("00.plus_state", lambda: [0.7071, 0.7071])')
            cells.append(cell)
            cells.append(dict(cell, metadata={"nbgrader": dict(meta, points=100)}, id="dup1"))
            continue
        cells.append(cell)
    # a cell that read secrets (and was skipped by the grader), a forged grade cell with code
    cells.insert(
        3,
        {
            "cell_type": "code",
            "metadata": {"nbgrader": None},
            "source": "print(open('/etc/shadow').read())",
            "outputs": [],
            "execution_count": None,
        },
    )
    cells.append(
        {
            "cell_type": "code",
            "metadata": {
                "nbgrader": {
                    "grade": True,
                    "grade_id": "ex_00_plus_state",
                    "points": 99,
                    "locked": True,
                }
            },
            "source": "FORGED = True",
            "outputs": [],
            "execution_count": None,
        }
    )
    nb = dict(released, cells=cells)
    kept = [
        "".join(c["source"])
        for c in cells
        if not (
            "grade(" in "".join(c["source"]) and (c["metadata"].get("nbgrader") or {}).get("grade")
        )
    ]
    return nb, kept


def test_autograded_copy_shows_every_learner_cell_and_only_trusted_grade_cells(course):
    nb, kept = _learner_notebook(course)
    path = course.root / "submitted" / "s1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(nb))
    secret_pos = 4  # 1-based position of the inserted cell among all cells
    result = canned("s1", [row(PLUS, 2.0), row(X, 0.0)], notebook=str(path))
    result.skipped_cells = [secret_pos]
    result.notes = [
        f"notebook cell {secret_pos} hung or crashed the kernel (killed); it was skipped"
    ]
    target = workflow.write_autograded(course, ASSIGNMENT, result)
    out = nbformat.read(str(target), as_version=4)
    nbformat.validate(out)
    released = nbformat.read(
        str(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4
    )
    trusted_grade = {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in released.cells
        if (c.metadata.get("nbgrader") or {}).get("grade")
    }

    grade_cells = [c for c in out.cells if (c.metadata.get("nbgrader") or {}).get("grade")]
    assert [c.metadata.nbgrader.grade_id for c in grade_cells] == [PLUS["grade_id"], X["grade_id"]]
    for c in grade_cells:
        trusted = trusted_grade[c.metadata.nbgrader.grade_id]
        assert c.source == trusted.source and c.metadata == trusted.metadata
    assert grade_cells[0].metadata.nbgrader.points == 2.0
    assert "00.plus_state: 2/2 (canned feedback)" in grade_cells[0].outputs[0]["text"]
    assert grade_cells[0].outputs[1]["data"]["text/plain"] == "2.0"
    assert grade_cells[1].outputs[1]["data"]["text/plain"] == "0.0"
    # every learner cell that is not a copy of a grade cell, in order, as submitted
    graders = {id(c) for c in grade_cells}
    assert [c.source for c in out.cells if id(c) not in graders] == kept
    assert not any("lambda: [0.7071" in c.source for c in out.cells)
    # each grade cell right after the learner's definition of its function
    sources = [c.source for c in out.cells]
    plus_at = next(i for i, s in enumerate(sources) if s.startswith("def plus_state"))
    x_at = next(i for i, s in enumerate(sources) if s.startswith("def x_on_qubit"))
    assert out.cells[plus_at + 1] is grade_cells[0] and out.cells[x_at + 1] is grade_cells[1]
    # solution cells carry the trusted metadata, whatever the learner's said (null, renamed)
    assert out.cells[plus_at].metadata.nbgrader.grade_id == "ex_00_plus_state_solution"
    assert out.cells[x_at].metadata.nbgrader.grade_id == "ex_00_x_on_qubit_solution"
    assert "return np.array([1, 1]) / np.sqrt(2)" in out.cells[plus_at].source
    # the forged grade cell is ordinary code now, and says so
    forged = next(c for c in out.cells if c.source == "FORGED = True")
    assert (
        "nbgrader" not in forged.metadata and "shown as ordinary code" in forged.outputs[0]["text"]
    )
    # no learner metadata survives; cells that did not run say why; the others are empty
    others = [c for c in out.cells if id(c) not in graders and c.cell_type == "code"]
    assert all("nbgrader" not in c.metadata or c.metadata.nbgrader.get("solution") for c in others)
    secret = next(c for c in out.cells if "/etc/shadow" in c.source)
    assert secret.outputs[0]["text"].startswith(
        f"[not run by the grader: notebook cell {secret_pos} hung or crashed the kernel"
    )
    for c in others:
        if c.source.startswith("check("):
            assert "[not run by the grader: a cell that only calls check()" in c.outputs[0]["text"]
        elif c is not secret and c is not forged:
            assert c.outputs == [], c.source
    assert len({c.id for c in out.cells}) == len(out.cells)


def test_autograded_copy_of_a_v3_or_unreadable_notebook(course):
    path = course.root / "submitted" / "s1" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "input": "import numpy as np",
                        "language": "python",
                        "outputs": [],
                        "metadata": {"nbgrader": None},
                    },
                    {
                        "cell_type": "code",
                        "input": "def plus_state():\n    return np.ones(2) / 2**0.5",
                        "language": "python",
                        "outputs": [],
                        "metadata": {},
                    },
                ]
            }
        ],
    }
    path.write_text(json.dumps(v3))
    result = canned("s1", [row(PLUS, 2.0), row(X, 0.0)], notebook=str(path))
    out = nbformat.read(str(workflow.write_autograded(course, ASSIGNMENT, result)), as_version=4)
    assert [c.source.split("\n")[0] for c in out.cells] == [
        "import numpy as np",
        "def plus_state():",
        "# Grade cell for nbgrader: do not edit. It runs the same check, with hidden inputs.",
        "# Grade cell for nbgrader: do not edit. It runs the same check, with hidden inputs.",
    ]
    assert out.cells[1].metadata.nbgrader.grade_id == "ex_00_plus_state_solution"
    assert [c.metadata.nbgrader.grade_id for c in out.cells[2:]] == [
        PLUS["grade_id"],
        X["grade_id"],
    ]

    path.write_text('{"cells": [{"cell_type": "code", "source": "def plus_st')  # truncated
    result.reason = "the notebook is not valid JSON"
    out = nbformat.read(str(workflow.write_autograded(course, ASSIGNMENT, result)), as_version=4)
    assert "could not be read as a notebook" in out.cells[0].source
    assert (
        len(out.cells)
        == len(
            nbformat.read(
                str(course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4
            ).cells
        )
        + 1
    )


# ------------------------------------------------------------------ the worker pool
def sleeping_job(job: dict) -> dict:
    """A grading job that starts a 'sandbox' in its own session and hangs."""
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    pool.register_child(child.pid)
    Path(job["dir"], f"worker-{os.getpid()}").write_text(str(child.pid))
    time.sleep(300)
    return {}


def flaky_job(job: dict) -> SubmissionResult:
    if job["student"] == "raises":
        raise RuntimeError("checker bug")
    if job["student"] == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    return SubmissionResult(job["student"], job["assignment"], notes=[f"pid {os.getpid()}"])


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return fields[0] not in ("Z", "X")  # a zombie has exited


POOL_RUN = """
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("run_safety_jobs", sys.argv[1])
    jobs_mod = importlib.util.module_from_spec(spec)
    sys.modules["run_safety_jobs"] = jobs_mod
    spec.loader.exec_module(jobs_mod)
    from autograder.classroom import pool
    jobs = [{"student": f"s{i}", "assignment": "a", "dir": sys.argv[2]} for i in range(2)]
    pool.grade_many(jobs, 2, job_fn=jobs_mod.sleeping_job)
"""


def test_pool_workers_and_their_sandboxes_die_with_the_grader(tmp_path):
    parent = _python(POOL_RUN, str(HERE), str(tmp_path))
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
        assert parent.poll() is None, parent.communicate()
        time.sleep(0.1)
    marks = list(tmp_path.glob("worker-*"))
    assert len(marks) == 2
    workers = [int(p.name.split("-")[1]) for p in marks]
    sandboxes = [int(p.read_text()) for p in marks]
    assert all(_alive(pid) for pid in workers + sandboxes)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers + sandboxes) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers + sandboxes if _alive(pid)]
    for pid in left:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == [], "still running after the grader was killed"


TWO_DEATHS = """
    import os, signal, subprocess, sys, threading, time
    from autograder.classroom import pool
    sandbox = subprocess.Popen(["sleep", "300"], start_new_session=True)
    pool.register_child(sandbox.pid)
    print(sandbox.pid, flush=True)
    killpg = os.killpg
    def slow_killpg(pid, sig):  # widen the window a racing second caller would hit
        time.sleep(0.5)
        killpg(pid, sig)
    os.killpg = slow_killpg
    threading.Thread(target=pool._die).start()  # the parent watchdog
    time.sleep(0.1)
    pool._die()  # the SIGTERM handler, a moment later: it must not end the process first
    time.sleep(30)
"""


def test_a_second_death_trigger_does_not_exit_before_the_sandboxes_are_killed():
    """The parent-death signal and the parent watchdog fire together when the grader is
    killed. The second caller used to find the registry emptied by the first and exit at
    once, ending the worker before the first caller had killed the sandbox (seen as a
    rare CI failure of the test above)."""
    proc = _python(TWO_DEATHS)
    sandbox = int(proc.stdout.readline())
    try:
        assert proc.wait(timeout=20) == 1
        deadline = time.monotonic() + 5
        while _alive(sandbox) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(sandbox), "the sandbox outlived its worker"
    finally:
        if _alive(sandbox):
            os.kill(sandbox, signal.SIGKILL)
        proc.kill()


def test_pool_keeps_order_and_survives_failing_and_dying_jobs():
    jobs = [{"student": s, "assignment": "a"} for s in ("a1", "raises", "a2", "dies", "a3")]
    results = pool.grade_many(jobs, 2, job_fn=flaky_job)
    assert [r.student for r in results] == ["a1", "raises", "a2", "dies", "a3"]
    assert [r.status for r in results] == [
        "graded",
        "infrastructure",
        "graded",
        "infrastructure",
        "graded",
    ]
    assert results[1].reason == "RuntimeError: checker bug" and results[1].exercises == []
    assert "worker process died" in results[3].reason
    assert all(r.notes != [f"pid {os.getpid()}"] for r in results if r.status == "graded")


def test_feedback_of_exchange_submissions_can_be_released_with_nbgrader(
    course, fake_grader, capsys
):
    """Submissions that came through nbgrader's exchange carry timestamp.txt and
    submission_secret.txt; nbgrader release_feedback needs them beside the page."""
    from autograder.cli import main

    exchange_student = course.root / "submitted" / "s1" / ASSIGNMENT
    (exchange_student / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    (exchange_student / "submission_secret.txt").write_text("0123456789abcdef")
    workflow.autograde(course, ASSIGNMENT, ["s1", "s2"])
    assert main(["class", "feedback", str(course.root), ASSIGNMENT]) == 0
    out = capsys.readouterr().out
    assert "1 came through the nbgrader exchange" in out
    assert "1 came from a folder or an LMS export" in out
    proc = course.nbgrader("release_feedback", ASSIGNMENT, "--student", "s1", check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    released = list((course.root / "exchange").rglob("feedback/*.html"))
    assert len(released) == 1, proc.stderr[-2000:]
    assert stat.S_IMODE(released[0].stat().st_mode) & 0o004  # the student can read it
    assert "s1" in released[0].read_text()
