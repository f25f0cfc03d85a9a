"""Reference solutions for lesson 06 (quantum kernels and QSVM)."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import Statevector


def state_fidelity(a, b) -> float:
    """|<a|b>|^2 of two pure states."""
    a = np.asarray(a, dtype=complex).ravel()
    b = np.asarray(b, dtype=complex).ravel()
    return float(abs(np.vdot(a, b)) ** 2)


def kernel_matrix(X, Y, feature_map) -> np.ndarray:
    """K[i, j] = |<phi(X[i])|phi(Y[j])>|^2 with |phi(x)> prepared by feature_map(x)."""
    sx = np.array([Statevector(feature_map(x)).data for x in X])
    sy = np.array([Statevector(feature_map(y)).data for y in Y])
    return np.abs(sx.conj() @ sy.T) ** 2


def is_valid_kernel(K, atol: float = 1e-8) -> bool:
    """Symmetric and positive semidefinite within atol (False for non-square input)."""
    K = np.asarray(K)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        return False
    if not np.allclose(K, K.conj().T, atol=atol, rtol=0):
        return False
    return bool(np.linalg.eigvalsh((K + K.conj().T) / 2).min() >= -atol)


def _zz_states(X: np.ndarray, reps: int = 2) -> np.ndarray:
    """States of Qiskit's zz_feature_map(n, reps, entanglement="full"), by direct formula."""
    n = X.shape[1]
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    phase = 2 * X @ bits.T
    for i in range(n):
        for j in range(i + 1, n):
            phase += 2 * np.outer((np.pi - X[:, i]) * (np.pi - X[:, j]), bits[:, i] ^ bits[:, j])
    diag = np.exp(1j * phase)
    h = np.ones((1, 1))
    for _ in range(n):
        h = np.kron(h, np.array([[1, 1], [1, -1]]) / np.sqrt(2))
    states = np.zeros((len(X), 2**n), dtype=complex)
    states[:, 0] = 1
    for _ in range(reps):
        states = diag * (states @ h.T)
    return states


class _QSVM:
    """An SVM on the precomputed ZZ-feature-map fidelity kernel."""

    def __init__(self, C: float = 10.0) -> None:
        self.C = C

    def fit(self, X, y) -> _QSVM:
        from sklearn.svm import SVC

        self.X_ = np.asarray(X, dtype=float)
        self.states_ = _zz_states(self.X_)
        K = np.abs(self.states_.conj() @ self.states_.T) ** 2
        self.svc_ = SVC(kernel="precomputed", C=self.C).fit(K, np.asarray(y))
        return self

    def predict(self, X) -> np.ndarray:
        s = _zz_states(np.asarray(X, dtype=float))
        return self.svc_.predict(np.abs(s.conj() @ self.states_.T) ** 2)


def train_qsvm(X_train, y_train):
    """A QSVM with the ZZ feature map (reps=2, full) trained on the data."""
    return _QSVM().fit(X_train, y_train)
