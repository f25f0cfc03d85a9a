"""Reference solutions for lesson 08 (the variational quantum classifier).

``train_vqc`` is a data re-uploading classifier (Pérez-Salinas et al. 2020) simulated with
the small batched NumPy simulator in :mod:`autograder.solutions._batched`, trained with
L-BFGS-B on exact parameter-shift gradients. The lesson's own solution uses
``qmlkit.models.VQC`` instead, so the tests see two independent implementations.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.optimize import minimize

from ._batched import expect_z, program_value_and_grad, run_program


def parity_probability(counts: Mapping[str, int]) -> float:
    """The fraction of shots with an odd number of 1s (spaces between registers ignored)."""
    total = 0
    odd = 0
    for key, n in counts.items():
        total += n
        odd += n * (key.replace(" ", "").count("1") % 2)
    return odd / total


def cross_entropy(p1, y) -> float:
    """Mean binary cross-entropy (natural log), with p clipped away from 0 and 1."""
    p = np.clip(np.asarray(p1, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p))))


class ReuploadingClassifier:
    """Two qubits; each of ``layers`` layers re-uploads the data as RY(a x_i + b) then a
    trainable RZ on qubit i, followed by a CZ; a final trainable RY on each qubit; parity
    read-out, P(class 1) = (1 - <Z0 Z1>) / 2."""

    def __init__(self, layers: int = 3, maxiter: int = 200, seed: int = 0) -> None:
        self.layers = layers
        self.maxiter = maxiter
        self.seed = seed

    def _program(self, n_features: int) -> tuple[list[tuple], int]:
        prog: list[tuple] = []
        k = 0
        for _ in range(self.layers):
            for q in range(2):
                prog.append(("ry", q, (k, q % n_features, k + 1)))
                prog.append(("rz", q, (None, None, k + 2)))
                k += 3
            prog.append(("cz", 0, 1))
        for q in range(2):
            prog.append(("ry", q, (None, None, k)))
            k += 1
        return prog, k

    def fit(self, X, y) -> ReuploadingClassifier:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.program_, n_params = self._program(X.shape[1])
        theta0 = np.random.default_rng(self.seed).normal(0, 1, n_params)

        def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            e, de, _ = program_value_and_grad(self.program_, theta, X, 2, [0, 1])
            p = np.clip((1 - e) / 2, 1e-12, 1 - 1e-12)
            loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
            dloss_dp = (p - y) / (p * (1 - p)) / len(y)
            return float(loss), (-0.5 * dloss_dp) @ de

        res = minimize(
            loss_and_grad, theta0, jac=True, method="L-BFGS-B", options={"maxiter": self.maxiter}
        )
        self.theta_ = res.x
        self.loss_ = float(res.fun)
        return self

    def predict_proba(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        e = expect_z(run_program(self.program_, self.theta_, X, 2), [0, 1])
        p1 = (1 - e) / 2
        return np.column_stack([1 - p1, p1])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def train_vqc(X_train, y_train) -> ReuploadingClassifier:
    """A fitted two-qubit data re-uploading classifier."""
    return ReuploadingClassifier(layers=3, maxiter=200, seed=0).fit(X_train, y_train)


def class_probabilities(counts: Mapping[str, int], n_classes: int) -> np.ndarray:
    """P(class c) for c < n_classes, where a bitstring's class is its integer value (qubit 0
    the rightmost bit) modulo n_classes."""
    probs = np.zeros(n_classes)
    for key, n in counts.items():
        probs[int("".join(key.split()), 2) % n_classes] += n
    return probs / probs.sum()


def train_only_pipeline(X_train, X_test, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardise, project on the first principal components, scale to [0, pi]: every
    statistic from X_train alone (by SVD, without scikit-learn)."""
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    _, _, vt = np.linalg.svd((X_train - mean) / std, full_matrices=False)
    basis = vt[:n_components].T

    def project(X: np.ndarray) -> np.ndarray:
        return ((X - mean) / std) @ basis

    train = project(X_train)
    low, high = train.min(axis=0), train.max(axis=0)
    return np.pi * (train - low) / (high - low), np.pi * (project(X_test) - low) / (high - low)
