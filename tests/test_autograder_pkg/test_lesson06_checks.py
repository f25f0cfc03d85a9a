"""Lesson 06 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit.circuit.library import zz_feature_map
from qiskit.quantum_info import Statevector
from qiskit.quantum_info import state_fidelity as qiskit_state_fidelity
from sklearn.svm import SVC

from autograder import check
from autograder.solutions import reference

# ------------------------------------------------------------------------- state fidelity


def test_state_fidelity_alternatives():
    def with_qiskit(a, b):
        return qiskit_state_fidelity(Statevector(a), Statevector(b))

    def by_hand(a, b):
        overlap = sum(np.conj(x) * y for x, y in zip(a, b))
        return (overlap * np.conj(overlap)).real

    for fn in (with_qiskit, by_hand):
        assert check("06.state_fidelity", fn).passed


def test_state_fidelity_mistakes():
    r = check("06.state_fidelity", lambda a, b: abs(np.vdot(a, b)))
    assert not r.passed and "not squared" in r.feedback
    r = check("06.state_fidelity", lambda a, b: abs(np.dot(a, b)) ** 2)
    assert not r.passed and "not conjugated" in r.feedback
    r = check("06.state_fidelity", lambda a, b: np.vdot(a, b))
    assert not r.passed and "squared magnitude" in r.feedback


# -------------------------------------------------------------------------- kernel matrix


def test_kernel_matrix_alternatives():
    def pairwise_loops(X, Y, feature_map):
        K = np.zeros((len(X), len(Y)))
        for i, x in enumerate(X):
            for j, y in enumerate(Y):
                K[i, j] = abs(Statevector(feature_map(x)).inner(Statevector(feature_map(y)))) ** 2
        return K

    def compute_uncompute(X, Y, feature_map):
        # |<0|U(x)^dagger U(y)|0>|^2 is the probability of all zeros after U(y) then U(x)^dagger
        rows = []
        for x in X:
            row = []
            for y in Y:
                qc = feature_map(y).compose(feature_map(x).inverse())
                row.append(Statevector(qc).probabilities()[0])
            rows.append(row)
        return rows  # a list of lists is fine

    for fn in (pairwise_loops, compute_uncompute):
        r = check("06.kernel_matrix", fn)
        assert r.passed, r.feedback


def _overlaps(X, Y, feature_map):
    sx = np.array([Statevector(feature_map(x)).data for x in X])
    sy = np.array([Statevector(feature_map(y)).data for y in Y])
    return sx.conj() @ sy.T


def test_kernel_matrix_mistakes():
    r = check("06.kernel_matrix", lambda X, Y, fm: np.abs(_overlaps(X, Y, fm)))
    assert r.score == 0 and "not squared" in r.feedback
    r = check("06.kernel_matrix", lambda X, Y, fm: (np.abs(_overlaps(X, Y, fm)) ** 2).T)
    assert r.score <= 1 and "transposed" in r.feedback
    r = check("06.kernel_matrix", lambda X, Y, fm: _overlaps(X, Y, fm))
    assert r.score == 0 and "complex overlaps" in r.feedback


# ------------------------------------------------------------------------ is_valid_kernel


def test_is_valid_kernel_alternatives():
    def with_cholesky(K, atol=1e-8):
        K = np.asarray(K, dtype=float)
        if K.ndim != 2 or K.shape[0] != K.shape[1] or np.max(np.abs(K - K.T)) > atol:
            return False
        try:
            np.linalg.cholesky(K + 2 * atol * np.eye(len(K)))
        except np.linalg.LinAlgError:
            return False
        return True

    def with_eigvals(K, atol=1e-8):
        K = np.array(K)
        if K.shape != (len(K), len(K)):  # the statement: False, not an error, if not square
            return False
        symmetric = np.allclose(K, K.T, atol=atol, rtol=0)
        return bool(symmetric and np.all(np.linalg.eigvals(K).real >= -atol))

    for fn in (with_cholesky, with_eigvals):
        r = check("06.is_valid_kernel", fn)
        assert r.passed, r.feedback


def test_is_valid_kernel_mistakes():
    r = check("06.is_valid_kernel", lambda K, atol=1e-8: bool(np.allclose(K, np.transpose(K))))
    assert not r.passed and "symmetric is not enough" in r.feedback
    r = check("06.is_valid_kernel", lambda K, atol=1e-8: bool(np.linalg.eigvalsh(K).min() >= -atol))
    assert not r.passed and "not symmetric, yet you said True" in r.feedback

    def too_strict(K, atol=1e-8):
        K = np.asarray(K)
        return bool(np.allclose(K, K.T) and np.linalg.eigvalsh(K).min() >= 0)

    r = check("06.is_valid_kernel", too_strict)
    assert not r.passed and "too strict" in r.feedback


# ----------------------------------------------------------------------------- train_qsvm


def _zz_states(X):
    fm = zz_feature_map(2, reps=2, entanglement="full")
    return np.array([Statevector(fm.assign_parameters(x)).data for x in X])


def test_train_qsvm_alternatives():
    def callable_kernel(X_train, y_train):
        def kernel(A, B):
            return np.abs(_zz_states(A).conj() @ _zz_states(B).T) ** 2

        return SVC(kernel=kernel).fit(X_train, y_train)

    class Precomputed:
        def __init__(self, X, y):
            self.X = np.array(X)
            self.s = _zz_states(self.X)
            self.svc = SVC(kernel="precomputed", C=3.0).fit(
                np.abs(self.s.conj() @ self.s.T) ** 2, y
            )

        def predict(self, X):
            return self.svc.predict(np.abs(_zz_states(X).conj() @ self.s.T) ** 2).tolist()

    for fn in (callable_kernel, Precomputed):
        r = check("06.train_qsvm", fn)
        assert r.passed, r.feedback


def test_train_qsvm_mistakes():
    r = check("06.train_qsvm", lambda X, y: SVC(kernel="rbf").fit(X, y))
    assert r.score == 0 and "hardly better than guessing" in r.feedback

    def precomputed_returned_raw(X, y):
        s = _zz_states(X)
        return SVC(kernel="precomputed").fit(np.abs(s.conj() @ s.T) ** 2, y)

    r = check("06.train_qsvm", precomputed_returned_raw)
    assert r.score == 0 and "compute the test-train kernel inside predict" in r.feedback

    class Flipped:
        def __init__(self, X, y):
            self.model = reference("06.train_qsvm")(X, y)

        def predict(self, X):
            return 1 - self.model.predict(X)

    r = check("06.train_qsvm", Flipped)
    assert r.score == 0 and "labels flipped" in r.feedback
    r = check("06.train_qsvm", lambda X, y: reference("06.train_qsvm")(X, y).predict(X))
    assert r.score == 0 and "has no predict method" in r.feedback


# -------------------------------------------------------------------- alignment_gradient


def _align_with(K, dK, T):
    K, dK = np.asarray(K, float), np.asarray(dK, float)
    a = np.sum(K * T) / (np.linalg.norm(K) * np.linalg.norm(T))
    first = np.einsum("pij,ij->p", dK, T) / (np.linalg.norm(K) * np.linalg.norm(T))
    return first - a * np.einsum("pij,ij->p", dK, K) / np.linalg.norm(K) ** 2


def test_alignment_gradient_alternatives():
    def per_parameter(K, dK, y):
        y = np.asarray(y)
        T = (y[:, None] == y[None, :]) * 2.0 - 1.0
        grads = []
        for D in dK:
            num, den = np.sum(K * T), np.linalg.norm(K) * np.linalg.norm(T)
            d_den = np.linalg.norm(T) * np.sum(K * D) / np.linalg.norm(K)
            grads.append((np.sum(D * T) * den - num * d_den) / den**2)
        return np.array(grads)

    def with_qmlkit(K, dK, y):
        from qmlkit.kernel_training import alignment_and_gradient

        return alignment_and_gradient(K, dK, y)[1].tolist()

    for fn in (per_parameter, with_qmlkit):
        r = check("06.alignment_gradient", fn)
        assert r.passed and r.score == 4, r.feedback


def test_alignment_gradient_matches_finite_differences_of_a_real_kernel():
    """The checker's expected values are the true derivatives of the alignment."""
    from qmlkit.kernel_training import TrainableFidelityKernel
    from qmlkit.kernels import kernel_target_alignment

    X = np.random.default_rng(0).uniform(0, np.pi, (6, 2))
    y = np.array([0, 1, 1, 0, 1, 0])
    kernel = TrainableFidelityKernel(reps=1)
    theta = np.array([0.3, -0.2, 0.5, 0.9, 1.1])
    kernel.states(X, theta)  # builds the feature map

    def K(t):
        return kernel.bound_kernel(t)(X)

    dK = np.array([(K(theta + e) - K(theta - e)) / 2e-6 for e in np.eye(5) * 1e-6])
    fd = [
        (kernel_target_alignment(K(theta + e), y) - kernel_target_alignment(K(theta - e), y)) / 2e-6
        for e in np.eye(5) * 1e-6
    ]
    np.testing.assert_allclose(reference("06.alignment_gradient")(K(theta), dK, y), fd, atol=1e-6)


def test_alignment_gradient_mistakes():
    def numerator_only(K, dK, y):
        y = np.asarray(y)
        T = np.where(y[:, None] == y[None, :], 1.0, -1.0)
        return np.einsum("pij,ij->p", dK, T) / (np.linalg.norm(K) * np.linalg.norm(T))

    r = check("06.alignment_gradient", numerator_only)
    assert r.score == 0 and "depends on θ too" in r.feedback
    r = check("06.alignment_gradient", lambda K, dK, y: _align_with(K, dK, np.outer(y, y)))
    assert not r.passed and "the target matrix is wrong" in r.feedback
    assert r.score == 1  # the ±1 labels case passes: there np.outer(y, y) is right
    r = check(
        "06.alignment_gradient",
        lambda K, dK, y: -_align_with(K, dK, np.where(np.equal.outer(y, y), 1.0, -1.0)),
    )
    assert r.score == 0 and "the sign is flipped" in r.feedback


# ------------------------------------------------------------------ geometric_difference


def test_geometric_difference_alternatives():
    import scipy.linalg

    def with_scipy(K_classical, K_quantum, reg=1e-3):
        root = scipy.linalg.sqrtm(K_quantum)
        middle = root @ np.linalg.inv(K_classical + reg * np.eye(len(K_classical))) @ root
        return np.sqrt(np.linalg.norm(middle, ord=2))

    def with_singular_values(K_classical, K_quantum, reg=1e-3):
        u, s, _ = np.linalg.svd(K_quantum)  # K_Q is PSD: its SVD is its eigen-decomposition
        root = u * np.sqrt(s) @ u.T
        middle = root @ np.linalg.pinv(K_classical + reg * np.eye(len(K_classical))) @ root
        return float(np.linalg.svd(middle, compute_uv=False)[0] ** 0.5)

    def with_qmlkit(K_classical, K_quantum, reg=1e-3):
        from qmlkit.kernel_training import geometric_difference

        return geometric_difference(K_classical, K_quantum, regularization=reg)

    for fn in (with_scipy, with_singular_values, with_qmlkit):
        r = check("06.geometric_difference", fn)
        assert r.passed and r.score == 4, (fn.__name__, r.feedback)


def _root(K):
    w, v = np.linalg.eigh(K)
    return v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T


def test_geometric_difference_mistakes():
    def entrywise(K_classical, K_quantum, reg=1e-3):
        r = np.sqrt(K_quantum)
        return np.sqrt(np.linalg.norm(r @ np.linalg.inv(K_classical + reg * np.eye(len(r))) @ r, 2))

    r = check("06.geometric_difference", entrywise)
    assert r.score == 1 and "square root of every entry" in r.feedback

    def row_sum_norm(K_classical, K_quantum, reg=1e-3):
        r = _root(K_quantum)
        m = r @ np.linalg.inv(K_classical + reg * np.eye(len(r))) @ r
        return np.sqrt(np.linalg.norm(m, np.inf))

    r = check("06.geometric_difference", row_sum_norm)
    assert not r.passed and "largest row sum" in r.feedback

    def no_reg(K_classical, K_quantum, reg=1e-3):
        r = _root(K_quantum)
        return np.sqrt(np.linalg.norm(r @ np.linalg.inv(K_classical) @ r, 2))

    r = check("06.geometric_difference", no_reg)
    assert r.score == 0 and "reg is not used" in r.feedback
