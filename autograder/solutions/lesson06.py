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


def alignment_gradient(K, dK, y) -> np.ndarray:
    """dA/dθ_k of the kernel-target alignment for dK[k] = dK/dθ_k (quotient rule)."""
    K = np.asarray(K, dtype=float)
    dK = np.asarray(dK, dtype=float)
    y = np.asarray(y)
    T = np.where(y[:, None] == y[None, :], 1.0, -1.0)
    norm_k, norm_t = np.linalg.norm(K), np.linalg.norm(T)
    alignment = np.sum(K * T) / (norm_k * norm_t)
    numerator = np.einsum("pij,ij->p", dK, T) / (norm_k * norm_t)
    denominator = alignment * np.einsum("pij,ij->p", dK, K) / norm_k**2
    return numerator - denominator


def geometric_difference(K_classical, K_quantum, reg=1e-3) -> float:
    """g(K_C || K_Q) = sqrt(|| sqrt(K_Q) (K_C + reg I)^-1 sqrt(K_Q) ||_2) (Huang et al. 2021)."""
    Kc = np.asarray(K_classical, dtype=float)
    Kq = np.asarray(K_quantum, dtype=float)
    w, v = np.linalg.eigh(Kq)
    root = v @ np.diag(np.sqrt(np.clip(w, 0.0, None))) @ v.T
    middle = root @ np.linalg.solve(Kc + reg * np.eye(len(Kc)), root)
    return float(np.sqrt(np.linalg.eigvalsh((middle + middle.T) / 2)[-1]))
