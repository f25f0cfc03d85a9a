"""VQC: exact gradients (vs finite differences and qiskit-machine-learning), training, errors.

scikit-learn's estimator checks for every classifier are in tests/test_sklearn_compat.py."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import real_amplitudes, z_feature_map, zz_feature_map
from qiskit.quantum_info import SparsePauliOp, Statevector
from sklearn.datasets import make_moons

from qmlkit.errors import InputError
from qmlkit.models import VQC


def _moons(n=200, seed=0):
    X, y = make_moons(n, noise=0.1, random_state=seed)
    X = np.pi * (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return X, y


def _fd_gradient(clf, X, y, w, eps=1e-6):
    return np.array(
        [
            (
                clf.loss_and_gradient(X, y, w + eps * e)[0]
                - clf.loss_and_gradient(X, y, w - eps * e)[0]
            )
            / (2 * eps)
            for e in np.eye(len(w))
        ]
    )


def _mixed_circuit():
    """Expressions of weights, a data-weight product and re-uploading after the ansatz starts."""
    x = ParameterVector("x", 2)
    a, b, c = Parameter("a"), Parameter("b"), Parameter("c")
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.rz(x[0], 0)
    qc.ry(2 * a + 0.3, 0)
    qc.crx(b, 0, 1)
    qc.rzz(x[1] * c, 0, 1)  # data and weight in one angle
    qc.rx(x[1], 1)
    qc.u(a, b, c, 1)
    qc.rxx(a - b, 0, 1)
    return qc, list(x), [a, b, c]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"readout": "z"},
        {"feature_map": zz_feature_map(2), "ansatz": real_amplitudes(2, reps=3)},
        {
            "feature_map": z_feature_map(2),
            "ansatz": real_amplitudes(2, reps=1, entanglement="full"),
        },
    ],
)
def test_gradient_matches_finite_differences(kwargs):
    X, y = _moons(40)
    clf = VQC(maxiter=2, random_state=0, **kwargs).fit(X, y)
    w = np.random.default_rng(1).normal(size=len(clf.weights_))
    _, grad = clf.loss_and_gradient(X, y, w)
    np.testing.assert_allclose(grad, _fd_gradient(clf, X, y, w), atol=1e-7)


def test_gradient_with_weight_expressions_and_mixed_angles():
    from qmlkit.models._adjoint import AdjointProgram

    qc, x, weights = _mixed_circuit()
    X, y = _moons(20)
    clf = VQC(maxiter=2, random_state=0).fit(X, y)
    # swap in the hand-made circuit (feature_map=None would rebuild the default)
    clf.program_ = AdjointProgram(qc, x, weights)
    clf.circuit_, clf.weight_params_ = qc, weights
    w = np.array([0.4, -0.7, 1.1])
    # forward probabilities against qiskit's Statevector, one point at a time
    clf.weights_ = w
    p1 = clf.predict_proba(X[:5])[:, 1]
    for xi, p in zip(X[:5], p1):
        bound = qc.assign_parameters(dict(zip(x + weights, list(xi) + list(w))))
        probs = Statevector(bound).probabilities()
        assert p == pytest.approx(probs[1] + probs[2], abs=1e-12)  # odd parity: '01', '10'
    _, grad = clf.loss_and_gradient(X, y, w)
    np.testing.assert_allclose(grad, _fd_gradient(clf, X, y, w), atol=1e-7)


def test_forward_and_gradient_equal_qiskit_machine_learning():
    """Same circuit and weights as qiskit-ml's EstimatorQNN with ZZ (exact): P1 = (1 - <ZZ>)/2."""
    from qiskit.primitives import StatevectorEstimator
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    fm, ansatz = zz_feature_map(2), real_amplitudes(2, reps=3)
    X, y = _moons(30, seed=3)
    clf = VQC(feature_map=fm, ansatz=ansatz, maxiter=1, random_state=0).fit(X, y)
    w = np.random.default_rng(7).uniform(-np.pi, np.pi, 8)
    qnn = EstimatorQNN(
        circuit=fm.compose(ansatz),
        observables=SparsePauliOp("ZZ"),
        input_params=list(fm.parameters),
        weight_params=list(ansatz.parameters),
        estimator=StatevectorEstimator(),
        default_precision=0.0,  # qiskit-ml's default (1/64) makes StatevectorEstimator add noise
    )
    zz = qnn.forward(X, w)[:, 0]
    _, jac = qnn.backward(X, w)  # (B, 1, P) parameter-shift gradients of <ZZ>
    clf.weights_ = w
    p1 = clf.predict_proba(X)[:, 1]
    np.testing.assert_allclose(p1, (1 - zz) / 2, atol=1e-8)
    # loss gradient = sum_b dL/dp_b * dp_b/dw, with dp/dw = -jac / 2
    d_loss_d_p = -(y / p1 - (1 - y) / (1 - p1)) / len(y)
    expected = d_loss_d_p @ (-jac[:, 0, :] / 2)
    np.testing.assert_allclose(clf.loss_and_gradient(X, y, w)[1], expected, atol=1e-8)


def test_z_readout_uses_qubit_zero():
    x = Parameter("x")
    fm = QuantumCircuit(2)
    fm.rx(x, 0)  # only qubit 0 depends on the feature
    ansatz = QuantumCircuit(2)
    ansatz.rz(Parameter("t"), 1)
    X, y = np.array([[0.0], [np.pi], [0.1], [3.0]]), np.array([0, 1, 0, 1])
    clf = VQC(feature_map=fm, ansatz=ansatz, readout="z", maxiter=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X[:2])[:, 1], [0.0, 1.0], atol=1e-12)
    assert clf.score(X, y) == 1.0


def test_default_vqc_learns_two_moons():
    X, y = _moons(200, seed=0)
    clf = VQC(random_state=0).fit(X[:150], y[:150])
    assert clf.score(X[150:], y[150:]) >= 0.9
    assert len(clf.loss_history_) == clf.n_iter_
    assert clf.loss_history_[-1] < clf.loss_history_[0]
    proba = clf.predict_proba(X[150:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("optimizer", ["adam", "COBYLA", "BFGS"])
def test_optimizers_by_name_and_callback(optimizer):
    X, y = _moons(60)
    calls = []
    clf = VQC(
        optimizer=optimizer,
        maxiter=15,
        random_state=2,
        callback=lambda i, loss: calls.append((i, loss)),
    )
    clf.fit(X, y)
    assert [i for i, _ in calls] == list(range(1, len(calls) + 1))
    assert [loss for _, loss in calls] == clf.loss_history_
    assert 1 <= clf.n_iter_ <= 15


def test_seed_reproducible_and_labels_kept():
    X, y = _moons(40)
    labels = np.where(y == 1, "b", "a")
    a = VQC(maxiter=5, random_state=3).fit(X, labels)
    b = VQC(maxiter=5, random_state=3).fit(X, labels)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    assert set(a.predict(X)) <= {"a", "b"}
    assert list(a.classes_) == ["a", "b"]


def test_progress_bar_off_by_default_and_text_when_on(capsys):
    X, y = _moons(30)
    VQC(maxiter=3, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    VQC(maxiter=3, random_state=0, progress=True).fit(X, y)
    out = capsys.readouterr().out
    assert "VQC" in out and "loss" in out


def test_bad_inputs_raise_clear_errors():
    X, y = _moons(20)
    with pytest.raises(ValueError, match="NaN"):
        VQC().fit(np.where(np.eye(20, 2) == 1, np.nan, X), y)
    with pytest.raises(ValueError, match="0 sample"):
        VQC().fit(np.zeros((0, 2)), [])
    with pytest.raises(InputError, match="more than the 'parity' read-out"):
        VQC().fit(X, np.arange(20) % 4)  # 2 qubits: Hamming weights 0, 1, 2
    with pytest.raises(InputError, match="one class"):
        VQC().fit(X, np.zeros(20))
    with pytest.raises(InputError, match="feature map has 3 parameters"):
        VQC(feature_map=zz_feature_map(3)).fit(X, y)
    with pytest.raises(InputError, match="same width"):
        VQC(feature_map=zz_feature_map(2), ansatz=real_amplitudes(3)).fit(X, y)
    with pytest.raises(InputError, match="readout"):
        VQC(readout="majority").fit(X, y)
    with pytest.raises(InputError, match="Unknown optimizer"):
        VQC(optimizer="not-a-method").fit(X, y)
    with pytest.raises(InputError, match="initial_point"):
        VQC(initial_point=[0.0]).fit(X, y)
    clf = VQC(maxiter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((3, 3)))
