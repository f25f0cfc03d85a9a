"""Reference solutions for lesson 13 (variational regression).

``fourier_coefficients`` sums the discrete Fourier transform by hand (no FFT). ``train_regressor``
is a one-qubit data re-uploading model simulated with the small batched NumPy simulator in
:mod:`autograder.solutions._batched`, with a trainable output scale and offset, trained with
L-BFGS-B on exact parameter-shift gradients. The lesson's own solutions use ``np.fft`` and
``qmlkit.models.VariationalRegressor``, so the tests see two independent implementations.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from ._batched import expect_z, program_value_and_grad, run_program


def fourier_coefficients(f, degree) -> np.ndarray:
    """c_-d..c_d of a real 2pi-periodic trigonometric polynomial f of degree <= d, from
    f sampled at 2d + 1 equally spaced points."""
    n = 2 * degree + 1
    xs = [2 * np.pi * j / n for j in range(n)]
    values = [float(f(x)) for x in xs]
    return np.array(
        [
            sum(v * np.exp(-1j * k * x) for v, x in zip(values, xs)) / n
            for k in range(-degree, degree + 1)
        ]
    )


class ReuploadingRegressor:
    """One qubit; ``layers`` times [RY(x), trainable RY, trainable RZ], then a trainable RY;
    output a <Z> + b with trainable a and b."""

    def __init__(self, layers: int = 3, maxiter: int = 200, seed: int = 0) -> None:
        self.layers = layers
        self.maxiter = maxiter
        self.seed = seed

    def _program(self) -> tuple[list[tuple], int]:
        prog: list[tuple] = []
        k = 0
        for _ in range(self.layers):
            prog.append(("ry", 0, (None, 0, None)))  # RY(x): the upload
            prog.append(("ry", 0, (None, None, k)))
            prog.append(("rz", 0, (None, None, k + 1)))
            k += 2
        prog.append(("ry", 0, (None, None, k)))
        return prog, k + 1

    def fit(self, X, y) -> ReuploadingRegressor:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.program_, n_params = self._program()
        rng = np.random.default_rng(self.seed)
        start = np.concatenate([rng.uniform(-np.pi, np.pi, n_params), [np.std(y), np.mean(y)]])

        def loss_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
            theta, a, b = params[:-2], params[-2], params[-1]
            e, de, _ = program_value_and_grad(self.program_, theta, X, 1, [0])
            r = a * e + b - y
            d = 2 * r / len(y)
            grad = np.concatenate([(a * d) @ de, [d @ e, d.sum()]])
            return float(np.mean(r**2)), grad

        res = minimize(
            loss_and_grad, start, jac=True, method="L-BFGS-B", options={"maxiter": self.maxiter}
        )
        self.params_ = res.x
        return self

    def predict(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        theta, a, b = self.params_[:-2], self.params_[-2], self.params_[-1]
        return a * expect_z(run_program(self.program_, theta, X, 1), [0]) + b


def train_regressor(X_train, y_train) -> ReuploadingRegressor:
    """A fitted one-qubit data re-uploading regressor with three uploads."""
    return ReuploadingRegressor(layers=3, maxiter=200, seed=0).fit(X_train, y_train)
