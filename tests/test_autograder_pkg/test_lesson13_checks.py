"""Lesson 13 checks: alternative correct answers pass, typical mistakes fail with hints."""

import cmath
import math

import numpy as np
import pytest

from autograder import check
from autograder.checks.lesson13 import (
    _fourier_cases,
    random_real_coefficients,
    regression_split,
    regression_target,
    reuploading_model,
    sampled_coefficients,
    trig_function,
)
from autograder.solutions import reference

# ------------------------------------------------------------------ 13.fourier_coefficients


def test_fourier_alternatives():
    def pure_python(f, degree):
        n = 2 * degree + 1
        xs = [2 * math.pi * j / n for j in range(n)]
        ys = [f(x) for x in xs]
        return [
            sum(y * cmath.exp(-1j * k * x) for x, y in zip(xs, ys)) / n
            for k in range(-degree, degree + 1)
        ]

    def vectorised_odd_grid(f, degree):
        n = 4 * degree + 3  # more samples than needed, still exact
        x = np.linspace(0, 2 * np.pi, n, endpoint=False)
        k = np.arange(-degree, degree + 1)[:, None]
        return (np.exp(-1j * k * x) * f(x)).mean(axis=1)

    for fn in (pure_python, vectorised_odd_grid):
        r = check("13.fourier_coefficients", fn)
        assert r.passed and r.score == 5, r.feedback


def _fft(f, degree, n=None, shift=True, norm=True, endpoint=False, inverse=False):
    n = 2 * degree + 1 if n is None else n
    x = np.linspace(0, 2 * np.pi, n, endpoint=endpoint)
    values = np.array([f(v) for v in x])
    out = (np.fft.ifft(values) * n if inverse else np.fft.fft(values)) / (n if norm else 1)
    return np.fft.fftshift(out) if shift else out


def test_fourier_mistakes():
    r = check("13.fourier_coefficients", lambda f, d: _fft(f, d, norm=False))
    assert r.score == 1 and "times too large: divide" in r.feedback  # degree 0 is still right
    r = check("13.fourier_coefficients", lambda f, d: _fft(f, d, shift=False))
    assert r.score == 1 and "NumPy's FFT order" in r.feedback
    r = check("13.fourier_coefficients", lambda f, d: _fft(f, d, inverse=True))
    assert r.score == 1 and "c_k and c_-k are swapped" in r.feedback
    r = check("13.fourier_coefficients", lambda f, d: _fft(f, d, endpoint=True))
    assert r.score == 1 and "include both x = 0 and x = 2 pi" in r.feedback
    r = check("13.fourier_coefficients", lambda f, d: _fft(f, d)[d:])
    assert r.score == 1 and "only d + 1 values" in r.feedback


def test_fourier_cases_are_exact_from_first_principles():
    """The hidden expected values: known coefficients, or the circuit's by dense sampling."""
    rng = np.random.default_rng(0)
    c = random_real_coefficients(rng, 3)
    f = trig_function(c)
    np.testing.assert_allclose(sampled_coefficients(f, 3), c, atol=1e-12)
    assert isinstance(f(0.3), float) and f(np.zeros(4)).shape == (4,)
    model = reuploading_model(rng.uniform(-np.pi, np.pi, (4, 2)))  # 3 uploads
    coeffs = sampled_coefficients(model, 6)
    assert np.all(np.abs(coeffs[:3]) < 1e-12) and np.all(np.abs(coeffs[-3:]) < 1e-12)
    x = rng.uniform(0, 2 * np.pi, 5)
    np.testing.assert_allclose(trig_function(coeffs)(x), model(x), atol=1e-12)
    for _, expected, degree, _, _ in _fourier_cases():
        assert expected.shape == (2 * degree + 1,)
        np.testing.assert_allclose(expected, np.conj(expected[::-1]), atol=1e-12)  # f is real


def test_fourier_reference_from_the_lesson_example():
    c = reference("13.fourier_coefficients")(lambda x: 1 + 2 * np.cos(x) - np.sin(2 * x), 2)
    np.testing.assert_allclose(c, [-0.5j, 1, 1, 1, 0.5j], atol=1e-12)


# ----------------------------------------------------------------------- 13.train_regressor


def test_regressor_data_is_fixed_and_beyond_minus_one_to_one():
    a = regression_split()
    b = regression_split()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X_train, y_train, X_test, y_test = a
    assert np.abs(X_train).max() <= np.pi and X_test.shape == (200, 1)
    assert y_train.max() > 1 and y_train.min() < -1
    noise = y_test - regression_target(X_test[:, 0])
    assert 0.15 < noise.std() < 0.25


def test_regressor_alternatives():
    from qmlkit.models import VariationalRegressor

    def adam_trained(X_train, y_train):
        model = VariationalRegressor(reps=2, optimizer="adam", learning_rate=0.1, maxiter=300)
        return model.fit(X_train, y_train)  # no seed: passes from any start

    def fourier_features(X_train, y_train):
        # a classical degree-2 Fourier model passes too: the check measures behaviour only
        from sklearn.linear_model import LinearRegression

        class Model:
            def _features(self, X):
                x = np.asarray(X)[:, 0]
                return np.column_stack([np.cos(x), np.sin(x), np.cos(2 * x), np.sin(2 * x)])

            def fit(self, X, y):
                self.lin = LinearRegression().fit(self._features(X), y)
                return self

            def predict(self, X):
                return self.lin.predict(self._features(X)).reshape(-1, 1)  # (n, 1) is fine

        return Model().fit(X_train, y_train)

    for fn in (adam_trained, fourier_features):
        r = check("13.train_regressor", fn)
        assert r.passed and r.score == 6, r.feedback


@pytest.mark.parametrize(
    "kwargs, hint",
    [
        ({"reps": 1}, "frequency 1 only"),
        ({"trainable_output": False}, "every prediction lies in [-1, 1]"),
    ],
)
def test_regressor_mistakes(kwargs, hint):
    from qmlkit.models import VariationalRegressor

    def answer(X_train, y_train):
        return VariationalRegressor(maxiter=100, random_state=4, **kwargs).fit(X_train, y_train)

    r = check("13.train_regressor", answer)
    assert not r.passed and r.score <= 3 and hint in r.feedback


def test_regressor_returning_predictions_and_none():
    r = check("13.train_regressor", lambda X, y: None)
    assert r.score == 0 and "Did you forget `return model`" in r.feedback
    r = check("13.train_regressor", lambda X, y: np.zeros(len(X)))
    assert r.score == 0 and "has no predict method" in r.feedback
