"""Claims of lesson 16 (the capstone): the worked example's code cells are run here, in
order (without the check, grade, hint and concept cells), and the statements of the prose and
of the sample report are asserted on the values they produce."""

from __future__ import annotations

import contextlib
import io

import matplotlib
import nbformat
import numpy as np
import pytest

from autograder.lessons import find_lesson

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ns():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nbformat.read(str(find_lesson("16").notebook), as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.id.endswith(("-check", "-grade", "-hint")) or cell.id.startswith("concept-"):
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cell.source, cell.id, "exec"), namespace)
        plt.close("all")
    return namespace


def test_a_leak_turns_pure_noise_into_an_apparent_classifier(ns):
    # prose: the leaky protocol finds a strong classifier; concept 16.q1: "almost 0.8"
    assert 0.75 <= ns["leaky"] < 0.8
    assert abs(ns["honest"] - 0.5) < 0.1


def test_the_data_and_the_split(ns):
    assert len(ns["y"]) == 150 and len(ns["test_index"]) == 45 and len(ns["train_index"]) == 105
    assert not set(ns["train_index"]) & set(ns["test_index"])
    ranges = ns["X"].max(axis=0)
    assert ranges.max() / ranges.min() > 1e3  # "differ by orders of magnitude"


def test_tuning_and_baselines_as_the_report_says(ns):
    # the chosen VQC is behind every classical baseline in cross-validation
    assert ns["CHOSEN_REPS"] == 3
    vqc = ns["cv_scores"]["VQC (chosen setting)"]
    assert all(
        score > vqc for name, score in ns["cv_scores"].items() if name.startswith(("log", "RBF"))
    )
    # the QSVC of the experiment cell is behind the VQC
    assert ns["qsvc_search"].best_score_ < ns["search"].best_score_


def test_test_scores_and_the_device_run_as_the_report_says(ns):
    project = ns["project"]
    # "the VQC and the logistic regression reach the same accuracy" on the test rows
    assert project["test_score"] == project["baseline_score"]
    # "the mean distance from 1/2 halved", and "no prediction crossed 1/2"
    p_exact, p_device = ns["p_exact"], ns["p_device"]
    ratio = np.mean(np.abs(p_device - 0.5)) / np.mean(np.abs(p_exact - 0.5))
    assert 0.4 < ratio < 0.6
    assert np.sum((p_device > 0.5) != (p_exact > 0.5)) == 0
    assert ns["device_score"] == project["test_score"]


def test_fake_manila_is_a_five_qubit_device():
    from qmlkit.backends import resolve

    assert resolve("fake:manila").num_qubits == 5


def test_the_breast_cancer_data_as_described():
    # "569 tumours described by 30 measurements, labelled malignant (0) or benign (1)"
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    assert data.data.shape == (569, 30)
    assert list(data.target_names) == ["malignant", "benign"]
