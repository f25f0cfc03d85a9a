"""Reference solutions for lesson 09 (quantum neural networks and hybrid models).

Written with the batched NumPy simulator of :mod:`autograder.solutions._batched`; the lesson's
own solutions use Qiskit's ``Statevector`` and ``qmlkit.models.QNNClassifier``, so the tests
see two independent implementations.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from ._batched import expect_z, program_value_and_grad, run_program


def qnn_program(n: int, layers: int) -> list[tuple]:
    """The course QNN: RY(x_i) on qubit i, then per layer RY(w) on every qubit and a CX chain.
    Weight ``[l, i]`` is parameter ``l * n + i``."""
    prog: list[tuple] = [("ry", i, (None, i, None)) for i in range(n)]
    for layer in range(layers):
        prog += [("ry", i, (None, None, layer * n + i)) for i in range(n)]
        prog += [("cx", i, i + 1) for i in range(n - 1)]
    return prog


def qnn_forward(x, weights) -> float:
    """<Z> of qubit n-1 for the course QNN."""
    x = np.asarray(x, dtype=float).reshape(1, -1)
    w = np.asarray(weights, dtype=float)
    n = x.shape[1]
    psi = run_program(qnn_program(n, len(w)), w.ravel(), x, n)
    return float(expect_z(psi, [n - 1])[0])


def qnn_weight_gradient(x, weights) -> np.ndarray:
    """d<Z_{n-1}>/d weights, exact by the parameter-shift rule, shape (L, n)."""
    x = np.asarray(x, dtype=float).reshape(1, -1)
    w = np.asarray(weights, dtype=float)
    n = x.shape[1]
    _, grad, _ = program_value_and_grad(qnn_program(n, len(w)), w.ravel(), x, n, [n - 1])
    return grad[0].reshape(w.shape)


class HybridModel:
    """Linear layer (features -> n angles) -> course QNN -> logistic output, trained end to end.

    P(class 1) = sigmoid(s <Z_{n-1}> + c); every parameter (the linear layer, the QNN
    weights, s and c) gets its exact gradient from parameter shifts and the chain rule.
    """

    def __init__(self, n_qubits: int = 2, layers: int = 2, maxiter: int = 300, seed: int = 0):
        self.n_qubits = n_qubits
        self.layers = layers
        self.maxiter = maxiter
        self.seed = seed

    def _unpack(self, theta: np.ndarray, n_features: int):
        n = self.n_qubits
        k = n * n_features
        W = theta[:k].reshape(n, n_features)
        b = theta[k : k + n]
        w = theta[k + n : k + n + n * self.layers]
        return W, b, w, theta[-2], theta[-1]

    def fit(self, X, y) -> HybridModel:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        n, F = self.n_qubits, X.shape[1]
        self.program_ = qnn_program(n, self.layers)
        rng = np.random.default_rng(self.seed)
        theta0 = np.concatenate(
            [rng.normal(0, 1, n * F), np.zeros(n), rng.normal(0, 0.5, n * self.layers), [1.0, 0.0]]
        )

        def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b, w, s, c = self._unpack(theta, F)
            angles = X @ W.T + b  # the classical layer
            e, de_dw, de_da = program_value_and_grad(self.program_, w, angles, n, [n - 1])
            p = expit(s * e + c)
            pc = np.clip(p, 1e-12, 1 - 1e-12)
            loss = -np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)) + 1e-4 * s * s
            dz = (p - y) / len(y)  # dLoss/d(s e + c)
            de = dz * s
            d_angles = de[:, None] * de_da  # chain rule back into the classical layer
            grad = np.concatenate(
                [
                    (d_angles.T @ X).ravel(),
                    d_angles.sum(0),
                    de @ de_dw,
                    [dz @ e + 2e-4 * s, dz.sum()],
                ]
            )
            return float(loss), grad

        res = minimize(
            loss_and_grad, theta0, jac=True, method="L-BFGS-B", options={"maxiter": self.maxiter}
        )
        self.theta_ = res.x
        self.n_features_in_ = F
        return self

    def predict_proba(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        W, b, w, s, c = self._unpack(self.theta_, self.n_features_in_)
        e = expect_z(run_program(self.program_, w, X @ W.T + b, self.n_qubits), [self.n_qubits - 1])
        p1 = expit(s * e + c)
        return np.column_stack([1 - p1, p1])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def train_hybrid(X_train, y_train) -> HybridModel:
    """A fitted hybrid model: linear layer -> 2-qubit, 2-layer QNN -> logistic read-out."""
    return HybridModel(n_qubits=2, layers=2, maxiter=300, seed=0).fit(X_train, y_train)
