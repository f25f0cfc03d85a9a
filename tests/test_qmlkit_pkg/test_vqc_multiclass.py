"""VQC beyond two classes, on more qubits, and on a noisy device with shots (issue 14, lesson 08).

Expected values come from Qiskit's Statevector and from finite differences, never from the
model under test."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import real_amplitudes, zz_feature_map
from qiskit.quantum_info import Statevector
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from qmlkit.errors import InputError
from qmlkit.models import VQC


def _three_blobs(n=36, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.6, 0.6], [1.6, 2.5], [2.6, 0.8]])
    y = np.arange(n) % 3
    return centres[y] + rng.normal(0, 0.25, (n, 2)), y


def _fd_gradient(clf, X, y, w, eps=1e-6):
    return np.array(
        [
            (clf.loss(X, y, w + eps * e) - clf.loss(X, y, w - eps * e)) / (2 * eps)
            for e in np.eye(len(w))
        ]
    )


def _class_of(index, n_qubits, readout, k):
    return (index if readout == "z" else bin(index).count("1")) % k


@pytest.mark.parametrize("readout", ["parity", "z"])
def test_class_probabilities_are_sums_of_measured_probabilities(readout):
    X, y = _three_blobs()
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = VQC(reps=2, readout=readout, maxiter=3, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    proba = clf.predict_proba(X[:6])
    assert proba.shape == (6, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    names = list(clf.input_params_) + list(clf.weight_params_)
    for xi, row in zip(X[:6], proba):
        bound = clf.circuit_.assign_parameters(dict(zip(names, list(xi) + list(clf.weights_))))
        probs = Statevector(bound).probabilities()  # index = bitstring, qubit 0 = bit 0
        expected = np.zeros(3)
        for index, p in enumerate(probs):
            expected[_class_of(index, 2, readout, 3)] += p
        np.testing.assert_allclose(row, expected, atol=1e-10)
    assert list(clf.predict(X[:6])) == list(clf.classes_[np.argmax(proba, axis=1)])


@pytest.mark.parametrize(
    "kwargs, k",
    [
        ({}, 3),
        ({"readout": "z"}, 3),
        ({"readout": "z"}, 4),
        ({"feature_map": zz_feature_map(2), "ansatz": real_amplitudes(2, reps=2)}, 3),
    ],
)
def test_multiclass_gradient_matches_finite_differences(kwargs, k):
    rng = np.random.default_rng(k)
    X = rng.uniform(0, np.pi, (24, 2))
    y = np.arange(24) % k
    clf = VQC(maxiter=1, random_state=0, **kwargs).fit(X, y)
    w = rng.normal(size=len(clf.weights_))
    loss, grad = clf.loss_and_gradient(X, y, w)
    assert loss == pytest.approx(clf.loss(X, y, w), abs=1e-12)
    np.testing.assert_allclose(grad, _fd_gradient(clf, X, y, w), atol=1e-7)


def test_binary_loss_is_the_binary_cross_entropy():
    rng = np.random.default_rng(3)
    X, y = rng.uniform(0, np.pi, (20, 2)), np.arange(20) % 2
    clf = VQC(maxiter=2, random_state=0).fit(X, y)
    p1 = clf.predict_proba(X)[:, 1]
    bce = -np.mean(y * np.log(p1) + (1 - y) * np.log(1 - p1))
    assert clf.loss(X, y) == pytest.approx(bce, rel=1e-10)
    assert clf.loss_and_gradient(X, y)[0] == pytest.approx(bce, rel=1e-10)


def test_learns_wine_with_a_train_only_pipeline():
    X, y = load_wine(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    prep = make_pipeline(StandardScaler(), PCA(4), MinMaxScaler((0, np.pi))).fit(X_train)
    clf = VQC(reps=2, readout="z", maxiter=100, random_state=0)
    clf.fit(prep.transform(X_train), y_train)
    assert clf.score(prep.transform(X_test), y_test) >= 0.85
    assert clf.loss_history_[-1] < clf.loss_history_[0]


def test_too_many_classes_for_the_readout():
    X = np.random.default_rng(0).uniform(0, 3, (20, 2))
    with pytest.raises(InputError, match="4 classes are more than the 'parity' read-out"):
        VQC(maxiter=1).fit(X, np.arange(20) % 4)
    with pytest.raises(InputError, match="5 classes are more than the 'z' read-out"):
        VQC(readout="z", maxiter=1).fit(X, np.arange(20) % 5)


def test_unknown_labels_in_loss():
    X, y = _three_blobs()
    clf = VQC(maxiter=1, random_state=0).fit(X, y)
    with pytest.raises(InputError, match="not classes of the model"):
        clf.loss(X[:3], [0, 1, 7])


def test_qubit_limit_is_14():
    X = np.random.default_rng(0).uniform(0, 3, (4, 15))
    with pytest.raises(InputError, match="15 features are more than 14 qubits"):
        VQC().fit(X, [0, 1, 0, 1])
    fmap = QuantumCircuit(15)
    x = Parameter("x")
    fmap.ry(x, 0)
    ansatz = QuantumCircuit(15)
    ansatz.ry(Parameter("t"), 1)
    with pytest.raises(InputError, match="The circuit has 15 qubits; the VQC simulates at most 14"):
        VQC(feature_map=fmap, ansatz=ansatz).fit(X[:, :1], [0, 1, 0, 1])


def test_fourteen_qubits_train():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, np.pi, (6, 14)), np.array([0, 1, 2] * 2)
    clf = VQC(reps=1, readout="z", maxiter=2, random_state=0).fit(X, y)
    assert clf.circuit_.num_qubits == 14 and clf.predict_proba(X).shape == (6, 3)


# ------------------------------------------------------------------ device backend (shots)


def test_parameter_shift_gradient_on_a_device_equals_the_adjoint_gradient():
    X, y = _three_blobs(12)
    exact = VQC(reps=1, maxiter=1, random_state=0).fit(X, y)
    clf = VQC(reps=1, maxiter=1, random_state=0, backend="fake:manila", shots=64).fit(X, y)
    # exact probabilities in place of the shots: the shift-rule arithmetic alone is tested
    clf._sample_probs = lambda X, W: np.stack([exact._proba(X, w) for w in W])
    w = np.random.default_rng(5).normal(size=len(clf.weights_))
    loss, grad = clf.loss_and_gradient(X, y, w)
    loss_exact, grad_exact = exact.loss_and_gradient(X, y, w)
    assert loss == pytest.approx(loss_exact, abs=1e-12)
    np.testing.assert_allclose(grad, grad_exact, atol=1e-10)


def test_device_training_uses_shots_and_is_reproducible():
    X, y = _three_blobs(9)
    X, y = X[y < 2], y[y < 2]
    kwargs = dict(reps=1, optimizer="adam", learning_rate=0.2, maxiter=3, random_state=4)
    a = VQC(backend="fake:manila", shots=128, **kwargs).fit(X, y)
    b = VQC(backend="fake:manila", shots=128, **kwargs).fit(X, y)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    proba = a.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isclose(proba * 128, np.round(proba * 128)))  # frequencies of 128 shots
    exact = VQC(reps=1, maxiter=1, random_state=4).fit(X, y)
    exact_proba = exact._proba(X, a.weights_)
    assert np.max(np.abs(proba - exact_proba)) < 0.35  # noise and shot noise, not a new model
    assert len(a.loss_history_) == 3 and a.isa_circuit_.num_qubits == 5


def test_device_gradient_needs_shiftable_weights():
    X, y = _three_blobs(8)
    X, y = X[y < 2], y[y < 2]
    t = Parameter("t")
    x = ParameterVector("x", 2)
    fmap = QuantumCircuit(2)
    fmap.ry(x[0], 0)
    fmap.ry(x[1], 1)
    ansatz = QuantumCircuit(2)
    ansatz.ry(t, 0)
    ansatz.ry(t, 1)  # one weight in two gates: the two-term shift rule does not hold
    with pytest.raises(InputError, match="gradient-free optimizer such as 'COBYLA'"):
        VQC(feature_map=fmap, ansatz=ansatz, backend="fake:manila", maxiter=1).fit(X, y)
    clf = VQC(feature_map=fmap, ansatz=ansatz, backend="fake:manila", optimizer="COBYLA", maxiter=3)
    assert clf.fit(X, y).n_iter_ >= 1
