"""Claims of lesson 08's sections 6-8 (noisy device, several classes, wine), recomputed with
the lesson's seed and settings. Each test names the sentence it backs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC

from autograder.checks.lesson08 import wine_split
from qmlkit import datasets
from qmlkit.models import VQC

SEED = 8


def test_shot_noise_standard_error():
    """'about 0.03 at p1 = 1/2 with S = 256'"""
    assert np.sqrt(0.5 * 0.5 / 256) == pytest.approx(0.03, abs=0.002)


@pytest.fixture(scope="module")
def noisy_section():
    X_train, y_train, X_test, y_test = datasets.moons(n_samples=300, noise=0.1, seed=SEED)
    X_small, y_small = X_train[:12], y_train[:12]
    settings = dict(reps=1, optimizer="adam", learning_rate=0.15, maxiter=8, random_state=SEED)
    exact_run = VQC(**settings).fit(X_small, y_small)
    device_run = VQC(**settings, backend="fake:manila", shots=256).fit(X_small, y_small)
    exactly = VQC(**{**settings, "maxiter": 1}).fit(X_small, y_small)
    exactly.weights_ = device_run.weights_
    direction = np.random.default_rng(SEED).normal(size=len(exact_run.weights_))
    direction /= np.linalg.norm(direction)
    steps = np.linspace(-2, 2, 9)
    w = exact_run.weights_
    return {
        "data": (X_small, y_small, X_test, y_test),
        "runs": (exact_run, device_run, exactly),
        "exact_slice": np.array(
            [exact_run.loss(X_small, y_small, w + t * direction) for t in steps]
        ),
        "device_slice": np.array(
            [device_run.loss(X_small, y_small, w + t * direction) for t in steps]
        ),
    }


def test_noisy_section_sizes(noisy_section):
    """'12 training points, one re-uploading layer (P = 6 weights), 8 Adam steps', 'IBM's
    5-qubit Manila device', '156 per step here'"""
    _, device_run, _ = noisy_section["runs"]
    assert len(device_run.weights_) == 6 and device_run.n_iter_ == 8
    assert (1 + 2 * 6) * 12 == 156  # '156 per step here'
    assert device_run.isa_circuit_.num_qubits == 5


def test_noise_raises_and_flattens_the_slice(noisy_section):
    """'the device's slice lies above the exact one near the minimum and spans a smaller range'"""
    exact, device = noisy_section["exact_slice"], noisy_section["device_slice"]
    assert device.min() > exact.min()
    assert np.ptp(device) < np.ptp(exact)


def test_device_run_is_less_confident_but_the_weights_still_work(noisy_section):
    """'the model run on the device is less confident than the same weights run exactly',
    'The weights trained on the device work as well as the exactly trained ones when both
    are run exactly'"""
    X_small, y_small, X_test, y_test = noisy_section["data"]
    exact_run, device_run, exactly = noisy_section["runs"]

    def confidence(model):
        return np.mean(np.abs(model.predict_proba(X_test)[:, 1] - 0.5))

    assert confidence(device_run) < confidence(exactly)
    assert exactly.score(X_test, y_test) >= exact_run.score(X_test, y_test) - 0.05


def test_device_training_curve_is_bumpier(noisy_section):
    """'the training curve on the device is bumpier'"""
    exact_run, device_run, _ = noisy_section["runs"]
    wiggle = [np.sum(np.abs(np.diff(m.loss_history_, n=2))) for m in (exact_run, device_run)]
    assert wiggle[1] > wiggle[0]


def test_z_readout_is_qiskit_machine_learnings_default():
    """'readout="z" uses c(b) = b mod K (... this is also qiskit-machine-learning's default)'"""
    from qiskit.circuit.library import real_amplitudes, zz_feature_map
    from qiskit_machine_learning.algorithms import VQC as QiskitVQC

    model = QiskitVQC(feature_map=zz_feature_map(2), ansatz=real_amplitudes(2, reps=1))
    interpret = model._get_interpret(3)
    assert [interpret(b) for b in range(4)] == [0, 1, 2, 0]


def test_wine_facts_and_exercise_example():
    """'178 wines from three cultivars, each described by 13 chemical measurements', 'Proline
    is measured in the hundreds, hue around 1', the shapes (124, 2) and (54, 2), and 'one
    misclassified wine moves the accuracy by almost 2 points'"""
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    assert X.shape == (178, 13) and len(np.unique(y)) == 3
    Xw_train, Xw_test, _, _ = wine_split(SEED)
    assert 100 < Xw_train[:, 12].min() and Xw_train[:, 12].max() < 2000  # proline
    assert 0.4 < Xw_train[:, 10].min() and Xw_train[:, 10].max() < 2  # hue
    pipe = make_pipeline(StandardScaler(), PCA(2), MinMaxScaler((0, np.pi))).fit(Xw_train)
    Z_train, Z_test = pipe.transform(Xw_train), pipe.transform(Xw_test)
    assert Z_train.shape == (124, 2) and Z_test.shape == (54, 2)
    np.testing.assert_allclose(Z_train.min(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z_train.max(axis=0), np.pi, atol=1e-12)
    assert 1.8 < 100 / 54 < 2


def test_wine_vqc_is_as_good_as_the_classical_models_not_better():
    """'The VQC classifies the three cultivars about as well as the classical models on the
    same four components, and the classical models on all 13 features do as well or better'"""
    Xw_train, Xw_test, yw_train, yw_test = wine_split(SEED)
    pipe = make_pipeline(StandardScaler(), PCA(4), MinMaxScaler((0, np.pi))).fit(Xw_train)
    Z_train, Z_test = pipe.transform(Xw_train), pipe.transform(Xw_test)
    vqc = VQC(reps=2, readout="parity", maxiter=100, random_state=SEED).fit(Z_train, yw_train)
    acc = vqc.score(Z_test, yw_test)
    four = [m.fit(Z_train, yw_train).score(Z_test, yw_test) for m in (LogisticRegression(), SVC())]
    thirteen = [
        make_pipeline(StandardScaler(), m).fit(Xw_train, yw_train).score(Xw_test, yw_test)
        for m in (LogisticRegression(), SVC())
    ]
    assert abs(acc - max(four)) <= 2 / 54 + 1e-9
    assert max(thirteen) >= acc
