"""qmlkit.kernel_training: exact alignment gradients, the trained kernel, geometric difference."""

import numpy as np
import pytest
import scipy.linalg
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.quantum_info import DensityMatrix, Statevector, partial_trace
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from qmlkit.datasets import circles
from qmlkit.errors import InputError
from qmlkit.kernel_training import (
    TrainableFidelityKernel,
    alignment_and_gradient,
    geometric_difference,
    trainable_feature_map,
)
from qmlkit.kernels import ProjectedKernel, kernel_target_alignment
from qmlkit.models import QSVC


def _odd_map():
    """Every supported gate kind, parameters used twice (the inserted generator) and once
    (the shifted angle: d in a phase gate, e in rzx), data-dependent slopes."""
    x = ParameterVector("x", 2)
    a, b, c, d, e = (Parameter(name) for name in "abcde")
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    qc.rx(a * x[0], 0)
    qc.ry(2 * b, 1)
    qc.rzz(a + x[1], 0, 1)
    qc.p(c * x[1], 1)
    qc.rxx(b, 0, 1)
    qc.ryy(c, 0, 1)
    qc.rzx(a, 0, 1)
    qc.rz(x[0], 0)
    qc.ry(x[1], 1)
    qc.p(d * x[0] + 0.3, 0)
    qc.rzx(-2 * e, 1, 0)
    qc.ry(x[0], 0)
    qc.cx(0, 1)
    return qc, [a, b, c, d, e]


def _reference_states(circuit, thetas, X, theta):
    data = [p for p in circuit.parameters if p not in set(thetas)]
    out = []
    for x in X:
        binding = dict(zip(data, x)) | dict(zip(thetas, theta))
        out.append(Statevector(circuit.assign_parameters(binding)).data)
    return np.array(out)


def test_states_match_qiskit_statevectors():
    qc, thetas = _odd_map()
    kernel = TrainableFidelityKernel(qc, thetas)
    X = np.random.default_rng(0).uniform(0, np.pi, (4, 2))
    theta = np.array([0.3, -0.7, 1.1, 0.6, -0.4])
    np.testing.assert_allclose(
        kernel.states(X, theta), _reference_states(qc, thetas, X, theta), atol=1e-12
    )


def test_state_gradients_match_finite_differences():
    qc, thetas = _odd_map()
    kernel = TrainableFidelityKernel(qc, thetas)
    X = np.random.default_rng(1).uniform(0, np.pi, (3, 2))
    theta = np.array([0.3, -0.7, 1.1, 0.6, -0.4])
    grads = kernel.state_gradients(X, theta)
    for k in range(5):
        e = np.zeros(5)
        e[k] = 1e-6
        fd = (kernel.states(X, theta + e) - kernel.states(X, theta - e)) / 2e-6
        np.testing.assert_allclose(grads[k], fd, atol=1e-8)


@pytest.mark.parametrize("default_map", [True, False])
def test_alignment_gradient_matches_finite_differences(default_map):
    X, y, _, _ = circles(n_samples=20, noise=0.1, seed=3)
    if default_map:
        kernel = TrainableFidelityKernel(reps=2)
        theta = np.random.default_rng(2).uniform(-1, 1, 10)
    else:
        qc, thetas = _odd_map()
        kernel = TrainableFidelityKernel(qc, thetas)
        theta = np.array([0.3, -0.7, 1.1, 0.6, -0.4])
    a, g = kernel.alignment(X, y, theta)
    K = kernel.bound_kernel(theta)(X)
    assert a == pytest.approx(kernel_target_alignment(K, y), abs=1e-12)
    fd = []
    for k in range(len(theta)):
        e = np.zeros(len(theta))
        e[k] = 1e-6
        fd.append(
            (kernel.alignment(X, y, theta + e)[0] - kernel.alignment(X, y, theta - e)[0]) / 2e-6
        )
    np.testing.assert_allclose(g, fd, atol=1e-8)


def test_alignment_and_gradient_is_the_quotient_rule():
    rng = np.random.default_rng(4)
    A = rng.normal(size=(5, 5))
    B = rng.normal(size=(2, 5, 5))

    def K(t):
        M = A + t[0] * B[0] + t[1] ** 2 * B[1]
        return M @ M.T

    y = np.array([0, 1, 1, 0, 1])
    t = np.array([0.2, 0.5])
    dK = np.array([(K(t + e) - K(t - e)) / 2e-6 for e in np.eye(2) * 1e-6])
    a, g = alignment_and_gradient(K(t), dK, y)
    fd = [
        (kernel_target_alignment(K(t + e), y) - kernel_target_alignment(K(t - e), y)) / 2e-6
        for e in np.eye(2) * 1e-6
    ]
    assert a == pytest.approx(kernel_target_alignment(K(t), y))
    np.testing.assert_allclose(g, fd, atol=1e-6)


@pytest.fixture(scope="module")
def trained():
    X, y, Xt, yt = circles(n_samples=60, noise=0.1, seed=6)
    kernel = TrainableFidelityKernel(maxiter=25, random_state=0).fit(X, y)
    return kernel, X, y, Xt, yt


def test_training_raises_alignment_and_records_history(trained):
    kernel, X, y, _, _ = trained
    assert len(kernel.alignment_history_) == 25
    assert np.allclose(kernel.loss_history_, 1 - np.array(kernel.alignment_history_))
    final = kernel_target_alignment(kernel(X), y)
    # theta_ is the best point seen (Adam also evaluates the point after its last step)
    assert final >= max(kernel.alignment_history_) - 1e-12
    assert final == pytest.approx(kernel.alignment(X, y)[0], abs=1e-12)
    assert final > 10 * kernel.alignment_history_[0]


def test_same_seed_same_kernel(trained):
    kernel, X, y, _, _ = trained
    again = TrainableFidelityKernel(maxiter=25, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.theta_, kernel.theta_)
    other = TrainableFidelityKernel(maxiter=25, random_state=1).fit(X, y)
    assert not np.allclose(other.initial_point_, kernel.initial_point_)


def test_trained_kernel_is_a_valid_kernel(trained):
    kernel, X, _, Xt, _ = trained
    K = kernel(X)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(K), 1, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    assert kernel(Xt, X).shape == (len(Xt), len(X))
    np.testing.assert_allclose(kernel.transform(Xt), kernel(Xt, X))


def test_usable_by_qsvc_and_by_a_precomputed_svc(trained):
    kernel, X, y, Xt, yt = trained
    qsvc = QSVC(kernel=kernel).fit(X, y)
    svc = SVC(kernel="precomputed").fit(kernel(X), y)
    np.testing.assert_array_equal(qsvc.predict(Xt), svc.predict(kernel(Xt, X)))
    pipe = make_pipeline(
        TrainableFidelityKernel(maxiter=25, random_state=0), SVC(kernel="precomputed")
    )
    pipe.fit(X, y)
    np.testing.assert_array_equal(pipe.predict(Xt), svc.predict(kernel(Xt, X)))
    assert svc.score(kernel(Xt, X), yt) >= 0.9


def test_projected_kernel_of_the_trained_map_matches_qiskit(trained):
    kernel, X, _, _, _ = trained
    fm = kernel.feature_map_.assign_parameters(
        dict(zip(kernel.training_parameters_, kernel.theta_))
    )
    gamma = 0.7
    K = ProjectedKernel(fm, gamma=gamma)(X[:5])
    rhos = []
    for x in X[:5]:
        psi = Statevector(fm.assign_parameters(x))
        rhos.append([partial_trace(DensityMatrix(psi), [1 - q]).data for q in range(2)])
    expected = np.array(
        [
            [np.exp(-gamma * sum(np.linalg.norm(a[q] - b[q]) ** 2 for q in range(2))) for b in rhos]
            for a in rhos
        ]
    )
    np.testing.assert_allclose(K, expected, atol=1e-12)


def test_geometric_difference_against_the_formula():
    rng = np.random.default_rng(7)
    X = rng.uniform(0, np.pi, (12, 2))
    Kc = np.exp(-0.5 * ((X[:, None] - X[None]) ** 2).sum(-1))
    states = rng.normal(size=(12, 8)) + 1j * rng.normal(size=(12, 8))
    states /= np.linalg.norm(states, axis=1, keepdims=True)
    Kq = np.abs(states.conj() @ states.T) ** 2
    lam = 0.01
    root = scipy.linalg.sqrtm(Kq).real
    M = root @ np.linalg.inv(Kc + lam * np.eye(12)) @ root
    expected = np.sqrt(np.linalg.norm(M, 2))
    assert geometric_difference(Kc, Kq, regularization=lam) == pytest.approx(expected, rel=1e-8)
    assert geometric_difference(Kq, Kq, regularization=0.0) == pytest.approx(1.0, abs=1e-6)


def test_trainable_feature_map_sizes():
    qc, xs, thetas = trainable_feature_map(3, reps=2)
    assert (qc.num_qubits, len(xs), len(thetas)) == (3, 3, 2 * (6 + 3))


def test_errors_are_clear():
    qc, thetas = _odd_map()
    qc.crx(thetas[0], 0, 1)
    with pytest.raises(InputError, match="training parameters may appear only"):
        TrainableFidelityKernel(qc, thetas).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(InputError, match="single class"):
        TrainableFidelityKernel().fit(np.zeros((4, 2)), [1, 1, 1, 1])
    with pytest.raises(InputError, match="initial_point must have 10 values"):
        TrainableFidelityKernel(initial_point=[0.0]).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(InputError, match="fit"):
        TrainableFidelityKernel()(np.zeros((2, 2)))
    with pytest.raises(InputError, match="square matrices of one shape"):
        geometric_difference(np.eye(2), np.eye(3))


# ---------------------------------------------------------------------- with a backend (shots)
def _hoeffding(entries: int, shots: int, failure: float = 1e-6) -> float:
    """t with P(some |p_hat - p| > t) <= failure over ``entries`` frequencies of ``shots``
    shots each (Hoeffding, 2 exp(-2 shots t^2) per entry, union bound)."""
    return float(np.sqrt(np.log(2 * entries / failure) / (2 * shots)))


def test_ideal_shots_estimate_the_exact_kernel():
    X, y, Xt, _ = circles(n_samples=16, noise=0.1, seed=2)
    X, y, Xt = X[:8], y[:8], Xt[:4]
    shots = 4096
    kernel = TrainableFidelityKernel(
        reps=1, maxiter=1, backend="ideal", shots=shots, random_state=0
    ).fit(X, y)
    exact = kernel.bound_kernel()  # exact whatever the backend
    K, K_exact = kernel(X), exact(X)
    T, T_exact = kernel.transform(Xt), exact(Xt, X)
    np.testing.assert_array_equal(np.diag(K), 1.0)
    np.testing.assert_array_equal(K, K.T)
    upper = np.triu_indices(len(X), k=1)
    sampled = np.concatenate([K[upper], T.ravel()])
    expected = np.concatenate([K_exact[upper], T_exact.ravel()])
    # frequencies of `shots` shots, and not the exact values
    np.testing.assert_allclose(sampled * shots, np.round(sampled * shots), atol=1e-9)
    assert np.abs(sampled - expected).max() > 0
    assert np.abs(sampled - expected).max() < _hoeffding(len(sampled), shots)
    # the same seed gives the same estimate
    np.testing.assert_array_equal(kernel(X), K)


def test_spsa_costs_two_kernel_estimates_per_step(monkeypatch):
    from qmlkit.kernels import FidelityKernel

    calls = []
    original = FidelityKernel._evaluate_shots

    def counting(self, X, Y):
        calls.append(len(X))
        return original(self, X, Y)

    monkeypatch.setattr(FidelityKernel, "_evaluate_shots", counting)
    X, y, _, _ = circles(n_samples=10, noise=0.1, seed=2)
    kernel = TrainableFidelityKernel(
        reps=1, maxiter=3, backend="ideal", shots=64, random_state=0
    ).fit(X, y)
    # Adam evaluates 3 steps and the point after the last: 4 SPSA estimates, 2 kernels each
    assert calls == [len(X)] * 8
    assert len(kernel.loss_history_) == 3
    calls.clear()
    TrainableFidelityKernel(
        reps=1, maxiter=3, backend="ideal", shots=64, optimizer="COBYLA", random_state=0
    ).fit(X, y)
    assert calls and all(n == len(X) for n in calls)  # one kernel estimate per evaluation


def test_a_short_fit_on_a_fake_device_raises_the_alignment():
    X, y, _, _ = circles(n_samples=12, noise=0.1, seed=2)
    kernel = TrainableFidelityKernel(
        reps=1, maxiter=5, backend="fake:manila", shots=512, random_state=0
    ).fit(X, y)
    before = kernel.alignment(X, y, kernel.initial_point_)[0]  # exact alignments
    after = kernel.alignment(X, y)[0]
    # seeds 0-7 all gave after > 2.4 before and after - before > 0.023 (before 0.004-0.022)
    assert after > 2 * before and after - before > 0.015
    assert kernel.alignment_history_[-1] > kernel.alignment_history_[0]
    K = kernel(X)
    assert K.shape == (len(X), len(X)) and np.all((K >= 0) & (K <= 1))
    qsvc = QSVC(kernel=kernel).fit(X, y)  # the device kernel serves QSVC too
    assert qsvc.predict(X[:3]).shape == (3,)


def test_backend_arguments_are_checked_and_are_parameters():
    from qmlkit.errors import BackendError

    X, y = np.zeros((4, 2)), [0, 1, 0, 1]
    for shots in (0, 2.5, True, "100"):
        with pytest.raises(InputError, match="shots must be a positive integer"):
            TrainableFidelityKernel(backend="ideal", shots=shots).fit(X, y)
    with pytest.raises(BackendError, match="no fake IBM device"):
        TrainableFidelityKernel(backend="fake:nowhere").fit(X, y)
    with pytest.raises(InputError, match="backend must be None, a spec string"):
        TrainableFidelityKernel(backend=42).fit(X, y)
    with pytest.raises(InputError, match="SPSA estimate.*'COBYLA'"):
        TrainableFidelityKernel(backend="ideal", shots=64, optimizer="L-BFGS-B").fit(X, y)
    params = TrainableFidelityKernel(backend="fake:manila", shots=100).get_params()
    assert params["backend"] == "fake:manila" and params["shots"] == 100


def test_a_large_device_fit_warns_once_with_its_whole_budget():
    import warnings

    X = np.random.default_rng(5).uniform(0, np.pi, (33, 2))  # 528 pairs per kernel estimate
    y = np.arange(33) % 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TrainableFidelityKernel(reps=1, maxiter=1, backend="ideal", shots=16, random_state=0).fit(
            X, y
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert messages == [
        "Training on ideal estimates the kernel 4 times: 2112 circuits x 16 shots. "
        "That is many: use fewer points, or backend=None (exact)."
    ]
