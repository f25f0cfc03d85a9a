"""QNNLayer (forward, exact input and weight gradients) and the hybrid QNNClassifier."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from sklearn.datasets import make_circles

from qmlkit.errors import InputError
from qmlkit.models import QNNClassifier, QNNLayer


def _qiskit_qnn(x, weights):
    """Independent reference: the course QNN built gate by gate and run by qiskit."""
    n = len(x)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
    for row in weights:
        for i in range(n):
            qc.ry(row[i], i)
        for i in range(n - 1):
            qc.cx(i, i + 1)
    z_last = SparsePauliOp.from_sparse_list([("Z", [n - 1], 1.0)], num_qubits=n)
    return Statevector(qc).expectation_value(z_last).real


@pytest.mark.parametrize("n, layers", [(1, 1), (2, 2), (3, 1), (4, 3), (3, 0)])
def test_forward_matches_qiskit_statevector(n, layers):
    rng = np.random.default_rng(n + 10 * layers)
    X = rng.uniform(-np.pi, np.pi, (6, n))
    w = rng.uniform(-np.pi, np.pi, (layers, n))
    out = QNNLayer(n, layers).forward(X, w)
    np.testing.assert_allclose(out, [_qiskit_qnn(x, w) for x in X], atol=1e-12)


@pytest.mark.parametrize("n, layers", [(2, 2), (3, 2)])
def test_backward_matches_finite_differences_of_qiskit(n, layers):
    rng = np.random.default_rng(4)
    X = rng.uniform(-np.pi, np.pi, (3, n))
    w = rng.uniform(-np.pi, np.pi, (layers, n))
    d_x, d_w = QNNLayer(n, layers).backward(X, w)
    eps = 1e-6
    for b, x in enumerate(X):
        for i in range(n):
            e = np.eye(n)[i] * eps
            fd = (_qiskit_qnn(x + e, w) - _qiskit_qnn(x - e, w)) / (2 * eps)
            assert d_x[b, i] == pytest.approx(fd, abs=1e-8)
        for l in range(layers):
            for i in range(n):
                e = np.zeros_like(w)
                e[l, i] = eps
                fd = (_qiskit_qnn(x, w + e) - _qiskit_qnn(x, w - e)) / (2 * eps)
                assert d_w[b, l, i] == pytest.approx(fd, abs=1e-8)


@pytest.mark.parametrize(
    "n, layers, batch",
    [(1, 0, 3), (1, 1, 1), (2, 0, 4), (2, 3, 5), (3, 1, 8), (4, 3, 33), (5, 2, 7), (8, 3, 16)],
)
def test_adjoint_equals_parameter_shift(n, layers, batch):
    rng = np.random.default_rng(100 * n + 10 * layers + batch)
    X = rng.uniform(-2 * np.pi, 2 * np.pi, (batch, n))
    w = rng.uniform(-2 * np.pi, 2 * np.pi, (layers, n))
    layer = QNNLayer(n, layers)
    d_x, d_w = layer.backward(X, w)  # adjoint, the default
    s_x, s_w = layer.backward(X, w, method="parameter-shift")
    assert d_x.shape == (batch, n) and d_w.shape == (batch, layers, n)
    np.testing.assert_allclose(d_x, s_x, rtol=0, atol=1e-10)
    np.testing.assert_allclose(d_w, s_w, rtol=0, atol=1e-10)
    if layers:  # RY(x_i) RY(w[0, i]) = RY(x_i + w[0, i]): equal derivatives, not zero ones
        np.testing.assert_allclose(d_w[:, 0], d_x, rtol=0, atol=1e-12)
        assert np.max(np.abs(d_x)) > 1e-3


@pytest.mark.parametrize("n, layers", [(1, 0), (1, 2), (3, 0), (4, 3), (5, 1)])
def test_adjoint_matches_finite_differences_of_qiskit(n, layers):
    rng = np.random.default_rng(7 * n + layers)
    X = rng.uniform(-np.pi, np.pi, (2, n))
    w = rng.uniform(-np.pi, np.pi, (layers, n))
    d_x, d_w = QNNLayer(n, layers).backward(X, w)
    eps = 1e-6
    for b, x in enumerate(X):
        fd_x = [
            (_qiskit_qnn(x + e, w) - _qiskit_qnn(x - e, w)) / (2 * eps) for e in np.eye(n) * eps
        ]
        np.testing.assert_allclose(d_x[b], fd_x, rtol=0, atol=1e-8)
        fd_w = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            e = np.zeros_like(w)
            e[index] = eps
            fd_w[index] = (_qiskit_qnn(x, w + e) - _qiskit_qnn(x, w - e)) / (2 * eps)
        np.testing.assert_allclose(d_w[b], fd_w, rtol=0, atol=1e-8)


def test_gradient_of_features_that_enter_every_gate():
    """Each raw feature enters all n input rotations through angles = features @ A; the chain
    rule d_features = d_angles @ A.T must match finite differences of the qiskit reference."""
    n, layers, d = 4, 3, 3
    rng = np.random.default_rng(11)
    F = rng.normal(size=(5, d))
    A = rng.normal(size=(d, n))
    w = rng.uniform(-np.pi, np.pi, (layers, n))
    d_angles, _ = QNNLayer(n, layers).backward(F @ A, w)
    d_features = d_angles @ A.T
    eps = 1e-6
    for b, f in enumerate(F):
        fd = [
            (_qiskit_qnn((f + e) @ A, w) - _qiskit_qnn((f - e) @ A, w)) / (2 * eps)
            for e in np.eye(d) * eps
        ]
        np.testing.assert_allclose(d_features[b], fd, rtol=0, atol=1e-8)


def test_large_batches_are_simulated_block_by_block(monkeypatch):
    import qmlkit.models.qnn as qnn

    n, layers = 5, 2
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, (37, n))
    w = rng.uniform(-3, 3, (layers, n))
    layer = QNNLayer(n, layers)
    whole = layer.forward(X, w), *layer.backward(X, w)
    monkeypatch.setattr(qnn, "_CHUNK_AMPLITUDES", 4 * 2**n)  # blocks of 4 rows: 10 blocks
    assert len(layer._chunks(len(X))) == 10
    blocks = layer.forward(X, w), *layer.backward(X, w)
    for a, b in zip(whole, blocks):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    np.testing.assert_allclose(whole[0], [_qiskit_qnn(x, w) for x in X], atol=1e-12)


def test_forward_and_gradients_equal_qiskit_machine_learning():
    from qiskit.circuit import ParameterVector
    from qiskit.primitives import StatevectorEstimator
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    n, layers = 3, 2
    x, w = ParameterVector("x", n), ParameterVector("w", layers * n)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
    for l in range(layers):
        for i in range(n):
            qc.ry(w[l * n + i], i)
        for i in range(n - 1):
            qc.cx(i, i + 1)
    qnn = EstimatorQNN(
        circuit=qc,
        observables=SparsePauliOp.from_sparse_list([("Z", [n - 1], 1.0)], num_qubits=n),
        input_params=list(x),
        weight_params=list(w),
        estimator=StatevectorEstimator(),
        input_gradients=True,
        default_precision=0.0,
    )
    rng = np.random.default_rng(0)
    X, weights = rng.uniform(-3, 3, (5, n)), rng.uniform(-3, 3, (layers, n))
    layer = QNNLayer(n, layers)
    np.testing.assert_allclose(
        layer.forward(X, weights), qnn.forward(X, weights.ravel())[:, 0], atol=1e-8
    )
    g_in, g_w = qnn.backward(X, weights.ravel())
    for method in ("adjoint", "parameter-shift"):
        d_x, d_w = layer.backward(X, weights, method=method)
        np.testing.assert_allclose(d_x, g_in[:, 0, :], atol=1e-8)
        np.testing.assert_allclose(d_w.reshape(5, -1), g_w[:, 0, :], atol=1e-8)


def test_single_sample_and_shape_errors():
    layer = QNNLayer(2, 1)
    assert layer.forward([0.0, 0.0], [[0.0, 0.0]]).shape == (1,)
    with pytest.raises(InputError, match=r"shape \(batch, 2\)"):
        layer.forward(np.zeros((3, 3)), np.zeros((1, 2)))
    with pytest.raises(InputError, match=r"weights must have shape \(1, 2\)"):
        layer.backward(np.zeros((3, 2)), np.zeros((2, 2)))
    with pytest.raises(InputError, match="NaN"):
        layer.forward([[np.nan, 0.0]], [[0.0, 0.0]])
    with pytest.raises(InputError, match="n_qubits"):
        QNNLayer(0, 1)
    with pytest.raises(InputError, match="method must be one of"):
        layer.backward(np.zeros((3, 2)), np.zeros((1, 2)), method="finite-difference")


def test_classifier_gradient_matches_finite_differences():
    X, y = make_circles(40, noise=0.1, factor=0.5, random_state=1)
    clf = QNNClassifier(maxiter=2, random_state=0).fit(X, y)
    xs = (X - clf.mean_) / clf.scale_
    theta = np.random.default_rng(2).normal(size=clf.theta_.size)
    _, grad = clf._loss_and_grad(theta, xs, y.astype(float))
    eps = 1e-6
    fd = [
        (
            clf._loss_and_grad(theta + eps * e, xs, y)[0]
            - clf._loss_and_grad(theta - eps * e, xs, y)[0]
        )
        / (2 * eps)
        for e in np.eye(theta.size)
    ]
    np.testing.assert_allclose(grad, fd, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1])
def test_classifier_learns_circles(seed):
    X, y = make_circles(200, noise=0.1, factor=0.5, random_state=seed)
    calls = []
    clf = QNNClassifier(random_state=seed, callback=lambda i, loss: calls.append(i)).fit(
        X[:150], y[:150]
    )
    assert clf.score(X[150:], y[150:]) >= 0.85
    assert calls == list(range(1, 201)) and len(clf.loss_history_) == clf.n_iter_ == 200
    assert clf.linear_weights_.shape == (2, 2) and clf.weights_.shape == (2, 2)


def test_classifier_with_scipy_optimizer_and_string_labels():
    X, y = make_circles(120, noise=0.05, factor=0.5, random_state=3)
    labels = np.where(y == 1, "inner", "outer")
    clf = QNNClassifier(optimizer="L-BFGS-B", maxiter=100, random_state=0).fit(X, labels)
    assert clf.score(X, labels) >= 0.85
    assert set(clf.predict(X)) <= {"inner", "outer"}


def test_classifier_errors():
    X, y = make_circles(20, random_state=0)
    with pytest.raises(InputError, match="Only binary"):
        QNNClassifier().fit(X, np.arange(20) % 3)
    with pytest.raises(ValueError, match="NaN"):
        QNNClassifier().fit(np.full((20, 2), np.nan), y)
    with pytest.raises(InputError, match="Unknown optimizer"):
        QNNClassifier(optimizer="sgd!").fit(X, y)
