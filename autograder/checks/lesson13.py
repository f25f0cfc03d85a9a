"""Checks for lesson 13: variational regression.

Expected values are computed here from the definitions (NumPy), never by calling the
reference solution. ``13.fourier_coefficients`` builds its hidden functions from known
Fourier coefficients (and one from a small re-uploading circuit, whose coefficients are
computed by sampling it at 64 points, exact for degree < 32). ``13.train_regressor`` trains
the learner's model on a 1-D data set built from a FIXED seed and scores ``model.predict`` on
held-out points against a straight-line baseline, so a verdict never flips between runs.

As with ``08.train_vqc``, the check can only measure behaviour: a classical regressor would
pass too. That the model is a quantum circuit is the lesson's honour rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

# ------------------------------------------------------------------- 13.fourier_coefficients


def trig_function(coeffs: np.ndarray) -> Any:
    """The real function sum_k c_k e^{ikx} (k = -d..d) of ``coeffs`` (c_{-k} = conj(c_k)).

    It takes a float (returns a float) or a NumPy array (returns an array), like a model.

    >>> f = trig_function(np.array([0.5j, 1, -0.5j]))   # 1 + sin(x)
    >>> round(f(np.pi / 2), 12)
    2.0
    """
    coeffs = np.asarray(coeffs, dtype=complex)
    d = (len(coeffs) - 1) // 2
    k = np.arange(-d, d + 1)

    def f(x: Any) -> Any:
        arr = np.asarray(x, dtype=float)
        values = np.real(np.exp(1j * np.multiply.outer(arr, k)) @ coeffs)
        return float(values) if arr.ndim == 0 else values

    return f


def random_real_coefficients(rng: np.random.Generator, degree: int) -> np.ndarray:
    """Coefficients c_{-d..d} of a random real trigonometric polynomial of this degree."""
    positive = rng.normal(size=degree) + 1j * rng.normal(size=degree)
    c0 = rng.normal()
    return np.concatenate([np.conj(positive[::-1]), [c0], positive])


def reuploading_model(angles: np.ndarray) -> Any:
    """<Z> of one qubit after L layers [RY(x), RY(a_l), RZ(b_l)] and a final RY(c).

    ``angles`` has shape (L, 2) for (a_l, b_l), plus the last row's first entry as c. The
    output is a trigonometric polynomial of degree L in x. Takes a float or an array.
    """
    layers, final = angles[:-1], float(angles[-1, 0])

    def ry(t: float) -> np.ndarray:
        c, s = np.cos(t / 2), np.sin(t / 2)
        return np.array([[c, -s], [s, c]], dtype=complex)

    def rz(t: float) -> np.ndarray:
        return np.diag([np.exp(-0.5j * t), np.exp(0.5j * t)])

    def one(x: float) -> float:
        psi = np.array([1, 0], dtype=complex)
        for a, b in layers:
            psi = rz(b) @ ry(a) @ ry(x) @ psi
        psi = ry(final) @ psi
        return float(abs(psi[0]) ** 2 - abs(psi[1]) ** 2)

    def f(x: Any) -> Any:
        arr = np.asarray(x, dtype=float)
        if arr.ndim == 0:
            return one(float(arr))
        return np.array([one(v) for v in arr.ravel()]).reshape(arr.shape)

    return f


def sampled_coefficients(f: Any, degree: int, n_samples: int = 64) -> np.ndarray:
    """c_{-d..d} of f by the discrete Fourier transform on ``n_samples`` points (exact when
    the degree of f is below n_samples / 2)."""
    x = 2 * np.pi * np.arange(n_samples) / n_samples
    spectrum = np.fft.fft(np.array([f(v) for v in x])) / n_samples
    return np.array([spectrum[k % n_samples] for k in range(-degree, degree + 1)])


def _dft_on(coeffs: np.ndarray, x: np.ndarray, phases_at: np.ndarray | None = None) -> np.ndarray:
    """(1/N) sum_j f(x_j) e^{-ik y_j} for k = -d..d, with samples at ``x`` and phases at
    ``phases_at`` (default ``x``; an FFT puts them at 2 pi j / N whatever x was)."""
    f = trig_function(coeffs)
    d = (len(coeffs) - 1) // 2
    k = np.arange(-d, d + 1)
    y = x if phases_at is None else phases_at
    return np.exp(-1j * np.multiply.outer(k, y)) @ f(x) / len(x)


#: sample counts learners use with np.linspace(0, 2 pi, N) (endpoint included)
_ENDPOINT_SAMPLES = (50, 64, 100, 128, 200, 256, 500, 512, 1000, 1024)


def _fourier_mistake(value: np.ndarray, expected: np.ndarray) -> str | None:
    """Name the likely mistake behind wrong coefficients of the right length (None when no
    mistake, or more than one, gives these values)."""
    d = (len(expected) - 1) // 2

    def close(wrong: np.ndarray) -> bool:
        return bool(np.allclose(value, wrong, atol=1e-6)) and not np.allclose(
            wrong, expected, atol=1e-6
        )

    found = []
    if close(np.fft.ifftshift(expected)):
        found.append(
            "the coefficients are in NumPy's FFT order (c_0, c_1, ..., c_d, c_-d, ..., c_-1): "
            "return them from c_-d to c_d, e.g. with np.fft.fftshift"
        )
    if close(expected[::-1]):
        found.append(
            "c_k and c_-k are swapped: the coefficient of e^{ikx} is (1/N) sum_j f(x_j) "
            "e^{-ik x_j}, with a minus sign in the exponent (np.fft.ifft has a plus sign)"
        )
    if close(np.abs(expected)):
        found.append("returned the magnitudes |c_k|: return the complex coefficients themselves")
    if close(expected.real):
        found.append(
            "the imaginary parts are missing: a sine term gives imaginary coefficients, "
            "so keep the complex values"
        )
    nonzero = np.abs(expected) > 1e-6
    if np.any(nonzero):
        ratio = value[nonzero] / expected[nonzero]
        r = ratio[0]
        if (
            np.allclose(ratio, r, rtol=1e-6)
            and abs(r.imag) < 1e-6
            and r.real > 1.5
            and abs(r.real - round(r.real)) < 1e-6
        ):
            found.append(
                f"every coefficient is {round(r.real)} times too large: divide the sum "
                "(or np.fft.fft) by the number of samples N"
            )
    for n in (*range(max(d + 1, 2), 2 * d + 5), *_ENDPOINT_SAMPLES):
        grid = np.linspace(0, 2 * np.pi, n)
        if close(_dft_on(expected, grid)) or close(
            _dft_on(expected, grid, 2 * np.pi * np.arange(n) / n)
        ):
            found.append(
                "the samples include both x = 0 and x = 2 pi, which are the same point: "
                "use np.linspace(0, 2 * np.pi, N, endpoint=False)"
            )
            break
    for n in range(1, 2 * d + 1):
        if close(_dft_on(expected, 2 * np.pi * np.arange(n) / n)):
            found.append(
                f"too few samples ({n}): a polynomial of degree d needs at least 2d + 1 "
                f"equally spaced samples ({2 * d + 1} here), or the high frequencies alias "
                "onto the low ones"
            )
            break
    return found[0] if len(found) == 1 else None


def _length_hint(length: int, degree: int) -> str:
    if length == degree + 1:
        return (
            "only d + 1 values: return the negative frequencies too, c_-d ... c_d "
            "(np.fft.rfft gives k >= 0 only)"
        )
    if length == 2 * degree and degree > 0:
        return (
            "2d values: with 2d samples c_d and c_-d cannot be told apart; take 2d + 1 "
            "samples and return c_-d ... c_d"
        )
    return f"return exactly 2 * degree + 1 = {2 * degree + 1} values, c_-d ... c_d"


_EXAMPLE = np.array([-0.5j, 1.0, 1.0, 1.0, 0.5j])  # 1 + 2 cos x - sin 2x


def _fourier_cases() -> list[tuple[str, np.ndarray, int, Any, bool]]:
    rng = np.random.default_rng(1301)
    degree3 = random_real_coefficients(rng, 3)
    low = np.concatenate([np.zeros(3), random_real_coefficients(rng, 2), np.zeros(3)])
    angles = rng.uniform(-np.pi, np.pi, (5, 2))
    model = reuploading_model(angles)
    return [
        (
            "fourier_coefficients(f, 2) for f(x) = 1 + 2 cos x - sin 2x (the example)",
            _EXAMPLE,
            2,
            trig_function(_EXAMPLE),
            False,
        ),
        ("hidden: a random real polynomial of degree 3", degree3, 3, trig_function(degree3), True),
        (
            "hidden: <Z> of a one-qubit circuit with 4 uploads of RY(x), degree 4",
            sampled_coefficients(model, 4),
            4,
            model,
            True,
        ),
        (
            "hidden: a degree-2 function with degree=5 (the top coefficients are 0)",
            low,
            5,
            trig_function(low),
            True,
        ),
        (
            "hidden: a constant, fourier_coefficients(lambda x: 0.7, 0) is [0.7]",
            np.array([0.7 + 0j]),
            0,
            lambda x: 0.7 + 0 * np.asarray(x, dtype=float),
            True,
        ),
    ]


@exercise(
    "13.fourier_coefficients",
    points=5,
    time_limit=30,
    title="The Fourier coefficients of a model, by sampling",
    difficulty="medium",
    minutes=20,
    hints=[
        "Sample f at N = 2d + 1 equally spaced points x_j = 2 pi j / N in [0, 2 pi), "
        "without the end point 2 pi.",
        "c_k = (1/N) sum_j f(x_j) e^{-i k x_j} for k = -d, ..., d; np.fft.fft computes the "
        "sum for k = 0..N-1, and index N - k of it holds c_-k.",
        "Return a complex array of length 2d + 1 ordered c_-d, ..., c_0, ..., c_d.",
    ],
)
def check_fourier_coefficients(t: Tester) -> None:
    for description, expected, degree, f, hidden in _fourier_cases():
        with t.case(description, points=1, hidden=hidden):
            value = cmp.as_array(t.call(f, degree), what="coefficients").ravel()
            if value.shape != expected.shape:
                raise CheckFailed(
                    f"Expected {len(expected)} coefficients (k = -{degree}..{degree}), "
                    f"got {value.size}.",
                    hint=_length_hint(value.size, degree),
                )
            if np.allclose(value, expected, atol=1e-8):
                continue
            raise CheckFailed(
                "The Fourier coefficients are not right.",
                expected=np.round(expected, 6),
                actual=np.round(value, 6),
                hint=_fourier_mistake(value, expected),
            )


# ----------------------------------------------------------------------- 13.train_regressor

REGRESSION_SEED = 13
REGRESSION_TRAIN = 80
REGRESSION_TEST = 200
REGRESSION_NOISE = 0.2


def regression_target(x: np.ndarray) -> np.ndarray:
    """The noiseless target of 13.train_regressor: 2 + 3 sin(2x) - cos(x)."""
    return 2 + 3 * np.sin(2 * x) - np.cos(x)


def regression_split(
    seed: int = REGRESSION_SEED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checker's data: x uniform in [-pi, pi] (shape (n, 1)), y = 2 + 3 sin 2x - cos x
    plus Gaussian noise of standard deviation 0.2; 80 training and 200 test points.

    >>> X_train, y_train, X_test, y_test = regression_split()
    >>> X_train.shape, X_test.shape, bool(y_train.max() > 4 and y_train.min() < -1)
    ((80, 1), (200, 1), True)
    """
    rng = np.random.default_rng(seed)
    n = REGRESSION_TRAIN + REGRESSION_TEST
    x = rng.uniform(-np.pi, np.pi, n)
    y = regression_target(x) + REGRESSION_NOISE * rng.normal(size=n)
    X = x.reshape(-1, 1)
    cut = REGRESSION_TRAIN
    return X[:cut], y[:cut], X[cut:], y[cut:]


def _r2(y: np.ndarray, pred: np.ndarray) -> float:
    return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))


def _line_mse(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray):
    """Test MSE of the least-squares straight line y = w x + b (the baseline)."""
    A = np.column_stack([X_train[:, 0], np.ones(len(X_train))])
    coef, *_ = np.linalg.lstsq(A, y_train, rcond=None)
    pred = np.column_stack([X_test[:, 0], np.ones(len(X_test))]) @ coef
    return float(np.mean((y_test - pred) ** 2))


def _degree_one_residual(x: np.ndarray, pred: np.ndarray) -> float:
    """Share of the predictions' variance NOT explained by 1, cos x, sin x."""
    A = np.column_stack([np.ones_like(x), np.cos(x), np.sin(x)])
    coef, *_ = np.linalg.lstsq(A, pred, rcond=None)
    spread = float(np.sum((pred - pred.mean()) ** 2))
    return float(np.sum((pred - A @ coef) ** 2) / spread) if spread > 0 else 0.0


def _regressor_hint(x: np.ndarray, y: np.ndarray, pred: np.ndarray) -> str | None:
    """Name the likely reason for a poor test score."""
    if np.ptp(pred) < 1e-6 * max(1.0, float(np.ptp(y))):
        return (
            "predict gives the same value for every point: the model has not learned "
            "(train it, or check that fit was called on the training data)"
        )
    if np.corrcoef(pred, y)[0, 1] < -0.3:
        return (
            "the predictions fall where the targets rise: a sign is flipped somewhere "
            "(in the targets you trained on, or in how the output is read)"
        )
    if np.all(np.abs(pred) <= 1 + 1e-9):
        return (
            "every prediction lies in [-1, 1], the range of an expectation value, but the "
            "targets reach beyond it: scale and shift the output, f = a <M> + b (or fit on "
            "rescaled targets and undo the scaling in predict)"
        )
    if _degree_one_residual(x, pred) < 1e-3:
        return (
            "the predictions contain frequency 1 only (a + b cos x + c sin x): one upload of x "
            "cannot follow the target's sin 2x; upload x at least twice (reps >= 2)"
        )
    return None


@exercise(
    "13.train_regressor",
    points=6,
    time_limit=60,
    title="Train a variational regressor",
    difficulty="medium",
    minutes=20,
    hints=[
        "The task asks for a fitted regressor with predict(); the lesson's "
        "`VariationalRegressor` is the short way.",
        "The target has frequency 2 and values far outside [-1, 1]: upload x at least twice "
        "and let the model scale and shift its output.",
        "Fix `random_state` so that training is reproducible, and keep maxiter modest so that "
        "the check ends within its time limit.",
    ],
)
def check_train_regressor(t: Tester) -> None:
    X_train, y_train, X_test, y_test = regression_split()
    state: dict[str, Any] = {}
    with t.case(
        f"train_regressor(X_train, y_train) on {len(X_train)} points returns a model with predict",
        points=1,
    ):
        model = t.call(X_train.copy(), y_train.copy())
        if model is None:
            raise CheckFailed("train_regressor returned None. Did you forget `return model`?")
        if not callable(getattr(model, "predict", None)):
            raise CheckFailed(
                f"The returned {type(model).__name__} has no predict method.",
                hint="return the fitted model object (model.fit(...) returns it), not its "
                "score or its predictions",
            )
        state["model"] = model
    with t.case(
        f"model.predict on {len(X_test)} hidden test points returns one number per point",
        points=1,
        hidden=True,
    ):
        if "model" not in state:
            raise CheckFailed("Not run: there is no model to test.")
        raw = t.run(state["model"].predict, X_test.copy())
        pred = cmp.as_array(raw, what="predictions", dtype=float)
        if pred.size != len(X_test) or (pred.ndim == 2 and pred.shape[1] != 1) or pred.ndim > 2:
            raise CheckFailed(
                f"predict returned an array of shape {pred.shape} for {len(X_test)} points.",
                hint="wrong shape: one prediction per row of X",
            )
        state["pred"] = pred.ravel()
    baseline = _line_mse(X_train, y_train, X_test, y_test)
    with t.case(
        "test MSE at most 90% of the best straight line's (the baseline)", points=1, hidden=True
    ):
        if "pred" not in state:
            raise CheckFailed("Not run: there are no predictions to score.")
        mse = float(np.mean((y_test - state["pred"]) ** 2))
        if not mse <= 0.9 * baseline:
            raise CheckFailed(
                f"The test MSE is {mse:.3f}; a straight line reaches {baseline:.3f}, and the "
                f"model must do clearly better: at most {0.9 * baseline:.3f}.",
                actual=mse,
                hint=_regressor_hint(X_test[:, 0], y_test, state["pred"]),
            )
    with t.case("test R^2 >= 0.90", points=3, hidden=True):
        if "pred" not in state:
            raise CheckFailed("Not run: there are no predictions to score.")
        r2 = _r2(y_test, state["pred"])
        if r2 < 0.9:
            raise CheckFailed(
                f"The test R^2 is {r2:.3f}; at least 0.90 is needed.",
                actual=r2,
                hint=_regressor_hint(X_test[:, 0], y_test, state["pred"])
                or "train longer, or use more uploads; compare the training R^2 first",
            )
