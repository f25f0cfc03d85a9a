"""Lesson 16 (capstone): the sanity checks of 16.run_project, and the lesson's manually
graded nbgrader cells through sync, the student version and a real nbgrader course."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from autograder import check
from autograder.lessons import (
    exercise_ids_in,
    find_lesson,
    grade_cells,
    nbgrader_meta,
    student_version,
)


def _audit():
    path = Path(__file__).with_name("audit") / "lesson16.py"
    spec = importlib.util.spec_from_file_location("_audit16", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = _audit()
MANUAL = {"manual_16_experiment": ("code", 5.0), "manual_16_report": ("markdown", 10.0)}


def test_run_project_alternatives_get_full_marks():
    for fn in (A._capstone_plain, A._capstone_search_and_svm):
        r = check("16.run_project", fn)
        assert r.passed and r.score == 5, r.feedback


def test_run_project_mistakes_fail_with_their_hint():
    cases = [
        (A._capstone_scaled_first, "scale inside the model", 4),
        (A._capstone_fit_on_all, "the model was fitted on the test rows too", 4),
        (A._capstone_overlap, "the test rows must never be used for training", 4),
        (A._capstone_score_on_train, "test_score is the accuracy on the training rows", 4),
        (A._capstone_baseline_other_split, "score the baseline on the same test rows", 4),
        (A._capstone_fixed_seed, "use the seed argument", 4),
        (A._capstone_unseeded_split, "fix every seed from the seed argument", 4),
    ]
    for fn, text, score in cases:
        r = check("16.run_project", fn)
        assert r.score == score and text in r.feedback, (fn.__name__, r.feedback)


def _unseeded_model(seed):
    # a VQC without random_state: every fit starts from other random weights
    from sklearn.datasets import load_breast_cancer
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    from qmlkit.models import VQC

    X_all, y_all = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(seed).choice(len(y_all), size=60, replace=False)
    X, y = X_all[rows], y_all[rows]
    train, test = train_test_split(np.arange(60), test_size=0.3, stratify=y, random_state=seed)
    model = make_pipeline(
        StandardScaler(), PCA(2), MinMaxScaler((0, np.pi)), VQC(reps=1, maxiter=5)
    )
    model.fit(X[train], y[train])
    baseline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X[train], y[train])
    return {
        "X": X,
        "y": y,
        "train_index": train,
        "test_index": test,
        "model": model,
        "baseline": baseline,
        "test_score": model.score(X[test], y[test]),
        "baseline_score": baseline.score(X[test], y[test]),
    }


def test_an_unseeded_model_is_caught_by_the_refit():
    # (whether two runs also print different test scores depends on the random weights)
    r = check("16.run_project", _unseeded_model)
    assert not r.passed and "fix its random_state" in r.feedback, r.feedback


def test_a_wrong_return_type_is_explained_and_the_rest_not_run():
    r = check("16.run_project", A._capstone_tuple)
    assert r.score == 0 and "must return a dict" in r.feedback
    assert "did not return a usable project" in r.feedback


def _lesson16():
    return nbformat.read(str(find_lesson("16").notebook), as_version=4)


def _manual_cells(nb):
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in nb.cells
        if nbgrader_meta(c).get("grade_id", "").startswith("manual_")
    }


def test_manual_cells_are_nbgrader_manual_answer_cells():
    nb = _lesson16()
    manual = _manual_cells(nb)
    assert set(manual) == set(MANUAL)
    for gid, (kind, points) in MANUAL.items():
        meta = nbgrader_meta(manual[gid])
        assert manual[gid].cell_type == kind
        assert meta["grade"] and meta["solution"] and not meta.get("task")
        assert float(meta["points"]) == points
    # nbgrader sees them as grade cells; our grader only scores the registered exercise
    assert set(MANUAL) <= set(grade_cells(nb))
    assert exercise_ids_in(nb) == ["16.run_project"]


def test_sync_keeps_the_manual_cells_as_they_are():
    from autograder.authoring.sync import sync_notebook

    nb = _lesson16()
    synced = sync_notebook(nb, "16")
    before, after = _manual_cells(nb), _manual_cells(synced)
    for gid in MANUAL:
        assert after[gid].source == before[gid].source
        assert nbgrader_meta(after[gid]) == nbgrader_meta(before[gid])


def test_student_version_clears_the_manual_answers_and_keeps_their_points():
    nb = student_version(_lesson16())
    manual = _manual_cells(nb)
    code = manual["manual_16_experiment"].source
    assert "raise NotImplementedError()" in code and "qsvc_search" not in code
    assert code.startswith("# Your experiment")
    assert manual["manual_16_report"].source.strip() == "YOUR ANSWER HERE"
    assert float(nbgrader_meta(manual["manual_16_report"])["points"]) == 10.0


def _answered(released: Path) -> Any:
    """The released capstone with both manual cells answered (and run_project left a stub)."""
    nb = nbformat.read(str(released), as_version=4)
    manual = _manual_cells(nb)
    manual["manual_16_experiment"].source = "# Your experiment\nprint('my comparison')"
    manual["manual_16_report"].source = "My report: the baseline wins."
    return nb


def _nbgrader_course(tmp_path: Path):
    from autograder.classroom import tools_env

    from ..conftest import venv_bin
    from ..test_nbgrader_roundtrip import CONFIG

    lesson = find_lesson("16")
    root = tmp_path / "course"
    src = root / "source" / lesson.name
    src.mkdir(parents=True)
    shutil.copy(lesson.notebook, src / lesson.notebook.name)
    (root / "nbgrader_config.py").write_text(CONFIG.format(root=root))

    def nbgrader(*args):
        proc = subprocess.run(
            [venv_bin("nbgrader"), *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=900,
            env=tools_env(),
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr

    return lesson, root, nbgrader


@pytest.mark.slow
def test_nbgrader_autograde_leaves_the_manual_cells_to_the_instructor(tmp_path):
    """A real nbgrader course: the released capstone with both manual cells answered and
    run_project left a stub. nbgrader scores the automatic exercise (0 here) and leaves the
    two answered manual cells unscored, waiting for the instructor; their points count in
    the maximum only. (An answer cell left exactly as released gets 0 from nbgrader itself:
    there is nothing to grade.)"""
    lesson, root, nbgrader = _nbgrader_course(tmp_path)
    nbgrader("generate_assignment", lesson.name, "--force")
    released = root / "release" / lesson.name / lesson.notebook.name
    target = root / "submitted" / "carol" / lesson.name
    target.mkdir(parents=True)
    nbformat.write(_answered(released), str(target / lesson.notebook.name))
    nbgrader("db", "student", "add", "carol")
    nbgrader("autograde", lesson.name)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(lesson.name, lesson.name, "carol")
        grades = {g.name: g for g in notebook.grades}
        for gid, (_kind, points) in MANUAL.items():
            assert grades[gid].auto_score is None and grades[gid].manual_score is None
            assert grades[gid].needs_manual_grade
            assert grades[gid].max_score == points
        auto = grades["ex_16_run_project"]
        assert auto.auto_score == 0 and not auto.needs_manual_grade
        submission = gb.find_submission(lesson.name, "carol")
        assert submission.needs_manual_grade
        assert submission.max_score == 5 + 5 + 10


@pytest.mark.slow
def test_class_autograde_leaves_the_manual_cells_blank_for_the_instructor(tmp_path):
    """`qml-course class` on the capstone: the automatic exercise is scored, the two manual
    cells keep no score (blank in the export, not 0) and stay marked for manual grading,
    and the autograded notebook keeps them as nbgrader answer cells for the formgrader."""
    import csv
    import zipfile

    from autograder.classroom import gradebook
    from autograder.cli import main

    assignment = "16_capstone"
    root = tmp_path / "class"
    assert main(["class", "init", str(root)]) == 0
    assert main(["class", "release", str(root), assignment]) == 0
    released = root / "release" / assignment / f"{assignment}.ipynb"
    export = tmp_path / "lms.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr(f"dee_1000_5000_{assignment}.ipynb", nbformat.writes(_answered(released)))
    assert main(["class", "collect", str(root), assignment, str(export)]) == 0
    assert main(["class", "autograde", str(root), assignment, "--workers", "1"]) == 0
    assert main(["class", "export", str(root), "--to", str(tmp_path / "grades.csv")]) == 0

    with open(tmp_path / "grades.csv") as fh:
        row = next(r for r in csv.DictReader(fh) if r["assignment"] == assignment)
    assert row["status"] == "graded"
    assert float(row["ex_16_run_project"]) == 0 and float(row["score"]) == 0
    assert row["manual_16_experiment"] == "" and row["manual_16_report"] == ""
    assert float(row["max_score"]) == 20
    grades = {
        g["grade_id"]: g
        for g in gradebook.dump_grades(f"sqlite:///{root / 'gradebook.db'}")
        if g["assignment"] == assignment
    }
    for gid in MANUAL:
        assert grades[gid]["auto_score"] is None and grades[gid]["manual_score"] is None
    autograded = next((root / "autograded" / "dee" / assignment).glob("*.ipynb"))
    cells = _manual_cells(nbformat.read(str(autograded), as_version=4))
    assert set(cells) == set(MANUAL)
    assert cells["manual_16_report"].source == "My report: the baseline wins."
