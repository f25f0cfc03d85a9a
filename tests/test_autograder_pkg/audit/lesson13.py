"""Promise audit and hint-precision rows of lesson 13 (variational regression).

Loaded by path from ``audit/__init__.py``; see there for what each table means.
"""

from __future__ import annotations

import numpy as np

# ------------------------------------------------------------------- 13.fourier_coefficients


def _samples(f, n):
    x = 2 * np.pi * np.arange(n) / n
    return np.array([f(v) for v in x], dtype=float)


def _audit_fourier_fft_order(f, degree):
    n = 2 * degree + 1
    return np.fft.fft(_samples(f, n)) / n  # c_0, c_1, ..., c_-1: never shifted


def _audit_fourier_unnormalised(f, degree):
    return np.fft.fftshift(np.fft.fft(_samples(f, 2 * degree + 1)))  # not divided by N


def _audit_fourier_rfft(f, degree):
    n = 2 * degree + 1
    return np.fft.rfft(_samples(f, n)) / n  # k >= 0 only


def _audit_fourier_real(f, degree):
    n = 2 * degree + 1
    return (np.fft.fftshift(np.fft.fft(_samples(f, n))) / n).real


def _audit_fourier_too_few(f, degree):
    n = max(2 * degree, 1)  # one sample short of 2d + 1
    x = 2 * np.pi * np.arange(n) / n
    k = np.arange(-degree, degree + 1)
    return np.exp(-1j * np.outer(k, x)) @ _samples(f, n) / n


def _audit_fourier_step_from_grid(f, degree):
    x = np.linspace(0, 2 * np.pi, 2 * degree + 1, endpoint=False)
    step = x[1] - x[0]  # IndexError when there is one sample (degree 0)
    values = np.array([f(j * step) for j in range(len(x))])
    return np.fft.fftshift(np.fft.fft(values)) / len(x)


# correct answers in other styles than the reference's hand-written sum


def _fourier_least_squares(f, degree):
    x = np.random.default_rng(0).uniform(0, 2 * np.pi, 6 * degree + 5)
    k = np.arange(-degree, degree + 1)
    basis = np.exp(1j * np.outer(x, k))
    coeffs, *_ = np.linalg.lstsq(basis, np.asarray(f(x), dtype=complex), rcond=None)
    return coeffs


def _fourier_many_samples(f, degree):
    spectrum = np.fft.fft(f(2 * np.pi * np.arange(128) / 128)) / 128
    return np.array([spectrum[k] for k in range(-degree, degree + 1)])


def _fourier_real_series(f, degree):
    # a_k, b_k of the real series, turned into c_k = (a_k - i b_k) / 2
    n = 2 * degree + 1
    x = 2 * np.pi * np.arange(n) / n
    v = np.array([float(f(t)) for t in x])
    out = [complex(v.mean())]
    for k in range(1, degree + 1):
        a = 2 * np.mean(v * np.cos(k * x))
        b = 2 * np.mean(v * np.sin(k * x))
        out.append((a - 1j * b) / 2)
    return np.array([np.conj(c) for c in out[:0:-1]] + out)


# ----------------------------------------------------------------------- 13.train_regressor


def _vqr(**kwargs):
    from qmlkit.models import VariationalRegressor

    return VariationalRegressor(**{"reps": 3, "maxiter": 100, "random_state": 1, **kwargs})


def _audit_regressor_constant(X_train, y_train):
    from sklearn.dummy import DummyRegressor

    return DummyRegressor().fit(X_train, y_train)


def _audit_regressor_unscaled(X_train, y_train):
    return _vqr(trainable_output=False).fit(X_train, y_train)


def _audit_regressor_one_upload(X_train, y_train):
    return _vqr(reps=1).fit(X_train, y_train)


def _audit_regressor_flipped(X_train, y_train):
    return _vqr().fit(X_train, -np.asarray(y_train))


def _audit_regressor_ignores_X(X_train, y_train):
    model = _vqr().fit(X_train, y_train)
    fitted = model.predict(X_train)

    class Stored:
        def predict(self, X):
            return fitted  # the training predictions, whatever X is

    return Stored()


def _audit_regressor_returns_predictions(X_train, y_train):
    return _vqr().fit(X_train, y_train).predict(X_train)


def _regressor_rescaled_targets(X_train, y_train):
    lo, hi = float(np.min(y_train)), float(np.max(y_train))
    inner = _vqr(trainable_output=False, maxiter=150, random_state=0)
    inner.fit(X_train, 2 * (np.asarray(y_train) - lo) / (hi - lo) - 1)

    class Rescaled:
        def predict(self, X):
            return (inner.predict(X) + 1) * (hi - lo) / 2 + lo

    return Rescaled()


def _regressor_custom_circuit(X_train, y_train):
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    from qmlkit.models import VariationalRegressor

    x = ParameterVector("x", 1)
    w = ParameterVector("w", 9)
    fmap = QuantumCircuit(1)
    fmap.rx(x[0], 0)
    ansatz = QuantumCircuit(1)
    for layer in range(3):  # general rotations between two more uploads of RX(x)
        ansatz.rz(w[3 * layer], 0)
        ansatz.ry(w[3 * layer + 1], 0)
        ansatz.rz(w[3 * layer + 2], 0)
        if layer < 2:
            ansatz.rx(x[0], 0)
    model = VariationalRegressor(
        feature_map=fmap, ansatz=ansatz, optimizer="L-BFGS-B", maxiter=200, random_state=2
    )
    return model.fit(X_train, y_train)


def _regressor_under_trained(X_train, y_train):
    return _vqr(maxiter=2).fit(X_train, y_train)


def _regressor_straight_line(X_train, y_train):
    from sklearn.linear_model import LinearRegression

    return LinearRegression().fit(X_train, y_train)


def _fourier_inverse_fft(f, degree):
    n = 2 * degree + 1
    return np.fft.fftshift(np.fft.ifft(_samples(f, n)))  # e^{+ikx}: c_-k in place of c_k


def _fourier_magnitudes(f, degree):
    n = 2 * degree + 1
    return np.abs(np.fft.fftshift(np.fft.fft(_samples(f, n)))) / n


def _fourier_linspace_endpoint(f, degree):
    n = 2 * degree + 1
    x = np.linspace(0, 2 * np.pi, n)  # 0 and 2 pi both
    k = np.arange(-degree, degree + 1)
    return np.exp(-1j * np.outer(k, x)) @ np.array([f(t) for t in x]) / n


def _fourier_2d_samples(f, degree):
    n = max(2 * degree, 1)
    return np.fft.fftshift(np.fft.fft(_samples(f, n))) / n


def _fourier_whole_spectrum(f, degree):
    return np.fft.fft(_samples(f, 64)) / 64


PROMISES = [
    (
        "13.fourier_coefficients",
        "ordered c_-d, ..., c_d (not NumPy's FFT order)",
        _audit_fourier_fft_order,
        "",  # every case with degree >= 1
    ),
    (
        "13.fourier_coefficients",
        "divided by the number of samples",
        _audit_fourier_unnormalised,
        "",
    ),
    ("13.fourier_coefficients", "2d + 1 values, negative frequencies too", _audit_fourier_rfft, ""),
    ("13.fourier_coefficients", "complex coefficients", _audit_fourier_real, ""),
    ("13.fourier_coefficients", "at least 2d + 1 samples", _audit_fourier_too_few, ""),
    ("13.fourier_coefficients", "degree = 0 works", _audit_fourier_step_from_grid, "a constant"),
    (
        "13.train_regressor",
        "a model that learns, not a constant",
        _audit_regressor_constant,
        "test",
    ),
    (
        "13.train_regressor",
        "targets outside [-1, 1] (output scale and offset)",
        _audit_regressor_unscaled,
        "test",
    ),
    (
        "13.train_regressor",
        "frequency 2 of the target (at least two uploads)",
        _audit_regressor_one_upload,
        "test",
    ),
    ("13.train_regressor", "targets as given (no sign flip)", _audit_regressor_flipped, "test"),
    ("13.train_regressor", "predictions for the X it is given", _audit_regressor_ignores_X, ""),
    (
        "13.train_regressor",
        "returns the model, not its predictions",
        _audit_regressor_returns_predictions,
        "",
    ),
]

CORRECT_STYLES = {
    "13.fourier_coefficients": [
        _fourier_least_squares,
        _fourier_many_samples,
        _fourier_real_series,
    ],
    "13.train_regressor": [_regressor_rescaled_targets, _regressor_custom_circuit],
}

PROMISE_HINTS = {
    "_audit_fourier_fft_order": ("NumPy's FFT order",),
    "_audit_fourier_unnormalised": ("times too large",),
    "_audit_fourier_rfft": ("only d + 1 values",),
    "_audit_fourier_real": ("imaginary parts are missing",),
    "_audit_fourier_too_few": ("too few samples",),
    "_audit_fourier_step_from_grid": (),
    "_audit_regressor_constant": ("same value for every point",),
    "_audit_regressor_unscaled": ("every prediction lies in [-1, 1]",),
    "_audit_regressor_one_upload": ("frequency 1 only",),
    "_audit_regressor_flipped": ("a sign is flipped",),
    "_audit_regressor_ignores_X": ("wrong shape",),
    "_audit_regressor_returns_predictions": ("return the fitted model object",),
}

MORE_MISTAKES = [
    ("13.fourier_coefficients", _fourier_inverse_fft, ("c_k and c_-k are swapped",)),
    ("13.fourier_coefficients", _fourier_magnitudes, ("magnitudes |c_k|",)),
    ("13.fourier_coefficients", _fourier_linspace_endpoint, ("both x = 0 and x = 2 pi",)),
    ("13.fourier_coefficients", _fourier_2d_samples, ("2d values",)),
    ("13.fourier_coefficients", _fourier_whole_spectrum, ("return exactly 2 * degree + 1",)),
    ("13.train_regressor", _regressor_under_trained, ("train longer",)),
    ("13.train_regressor", _regressor_straight_line, ("train longer",)),
]
