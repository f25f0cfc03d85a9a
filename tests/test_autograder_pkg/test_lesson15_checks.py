"""Lesson 15 checks: alternative correct answers pass, typical mistakes fail with hints."""

import itertools
import math

import numpy as np

from autograder import check
from autograder.checks.lesson15 import (
    EXAMPLE_SNAPSHOTS,
    _hoeffding_tolerance,
    _pauli_expectation,
    _state_snapshots,
    reuploading_model,
)

# --------------------------------------------------------------------- 15.shadow_estimate


def test_shadow_example_value():
    # 'ZX': qubit 0 measured in X and qubit 1 in Z in snapshots 1, 2 and 6: (9 - 9 + 9) / 6
    from autograder.solutions.lesson15 import shadow_estimate

    assert shadow_estimate(EXAMPLE_SNAPSHOTS, "ZX") == 1.5
    assert shadow_estimate(EXAMPLE_SNAPSHOTS, "XZ") == 0.0
    assert shadow_estimate(EXAMPLE_SNAPSHOTS, "II") == 1.0


def test_shadow_alternatives():
    def with_dict(snapshots, pauli):
        want = {q: p for q, p in enumerate(pauli[::-1]) if p != "I"}
        acc = 0.0
        for bases, outcomes in snapshots:
            term = 1.0
            for q, p in want.items():
                term *= 3.0 * outcomes[q] if bases[q] == p else 0.0
            acc += term
        return acc / len(snapshots)

    def with_numpy_mask(snapshots, pauli):
        b = np.array([list(x) for x, _ in snapshots])
        s = np.array([list(y) for _, y in snapshots], dtype=float)
        qubits = [len(pauli) - 1 - i for i, p in enumerate(pauli) if p != "I"]
        letters = np.array([pauli[len(pauli) - 1 - q] for q in qubits])
        if not qubits:
            return 1.0
        match = np.all(b[:, qubits] == letters, axis=1)
        return float(np.mean(match * np.prod(3 * s[:, qubits], axis=1)))

    for fn in (with_dict, with_numpy_mask):
        r = check("15.shadow_estimate", fn)
        assert r.passed and r.score == 6, r.feedback


def _terms(snapshots, pauli, factor=3, reverse=False):
    letters = pauli if reverse else pauli[::-1]
    out = []
    for bases, outcomes in snapshots:
        v = 1
        for q, p in enumerate(letters):
            if p != "I":
                v = v * factor * outcomes[q] if bases[q] == p else 0
        out.append(v)
    return out


def test_shadow_mistakes():
    r = check("15.shadow_estimate", lambda s, p: float(np.mean(_terms(s, p, factor=1))))
    assert r.score == 1 and "forgot the factor 3" in r.feedback  # only 'III' passes
    r = check("15.shadow_estimate", lambda s, p: float(np.mean(_terms(s, p, reverse=True))))
    assert r.score == 1 and "qubit order reversed" in r.feedback
    r = check("15.shadow_estimate", lambda s, p: float(np.sum(_terms(s, p))))
    assert not r.passed and "without dividing by N" in r.feedback


def test_shadow_conditional_mean_gets_the_statistical_points_only():
    def conditional(snapshots, pauli):
        terms = [t for t in _terms(snapshots, pauli, factor=1)]
        letters = pauli[::-1]
        kept = [
            t
            for t, (b, _) in zip(terms, snapshots)
            if all(b[q] == p for q, p in enumerate(letters) if p != "I")
        ]
        return float(np.mean(kept))

    r = check("15.shadow_estimate", conditional)
    # a fair estimator, so the two hidden-state cases pass; the formula cases do not
    assert r.score == 3 and "averaged only the snapshots" in r.feedback


def test_shadow_state_sampler_is_unbiased():
    """The check's own snapshots of a state reproduce its Pauli expectations."""
    rng = np.random.default_rng(5)
    state = rng.normal(size=8) + 1j * rng.normal(size=8)
    state /= np.linalg.norm(state)
    bases, outcomes = _state_snapshots(np.random.default_rng(6), state, 30000)
    tol = _hoeffding_tolerance(2, len(bases), 1e-7)
    for pauli in ("IXZ", "YIZ", "ZZI", "IYX"):
        est = np.mean(
            [
                math.prod(
                    3 * o[q] if b[q] == p else 0 for q, p in enumerate(pauli[::-1]) if p != "I"
                )
                for b, o in zip(bases, outcomes)
            ]
        )
        assert abs(est - _pauli_expectation(state, pauli)) < tol


def test_shadow_learner_error_is_a_message():
    def crashes(snapshots, pauli):
        return snapshots["bases"]

    r = check("15.shadow_estimate", crashes)
    assert r.score == 0 and "Traceback" not in r.feedback and "internal" not in r.feedback


# ----------------------------------------------------------------- 15.shadow_sample_bound


def test_bound_example_value():
    from autograder.solutions.lesson15 import shadow_sample_bound

    assert shadow_sample_bound(1, 0.1, 0.01) == math.ceil(1800 * math.log(200)) == 9537


def test_bound_alternatives():
    def solve_exponent(weight, epsilon, delta, num_observables=1):
        # 2M exp(-N eps^2 / (2 9^w)) = delta  <=>  N = -2 9^w ln(delta / 2M) / eps^2
        return int(math.ceil(-2 * 9**weight * math.log(delta / (2 * num_observables)) / epsilon**2))

    def hoeffding_range(weight, epsilon, delta, num_observables=1):
        a, b = -(3**weight), 3**weight
        return math.ceil((b - a) ** 2 * math.log(2 * num_observables / delta) / (2 * epsilon**2))

    for fn in (solve_exponent, hoeffding_range):
        r = check("15.shadow_sample_bound", fn)
        assert r.passed, r.feedback


def test_bound_mistakes():
    r = check(
        "15.shadow_sample_bound",
        lambda w, e, d, num_observables=1: math.ceil(
            2 * 3**w * math.log(2 * num_observables / d) / e**2
        ),
    )
    assert r.score == 0 and "3^w instead of 9^w" in r.feedback
    r = check(
        "15.shadow_sample_bound",
        lambda w, e, d, num_observables=1: math.ceil(
            math.log(2 * num_observables / d) / (2 * e**2)
        ),
    )
    assert r.score == 0 and "outcomes in [0, 1]" in r.feedback
    r = check(
        "15.shadow_sample_bound",
        lambda w, e, d, num_observables=1: math.ceil(2 * 9**w * math.log(2 / d) / e**2),
    )
    assert r.score == 2 and "no union bound" in r.feedback


def test_bound_returns_a_whole_number():
    r = check(
        "15.shadow_sample_bound",
        lambda w, e, d, num_observables=1: 2 * 9**w * math.log(2 * num_observables / d) / e**2,
    )
    assert r.score == 0 and "round up with math.ceil" in r.feedback


# ------------------------------------------------------------------ 15.fourier_surrogate


def test_reuploading_model_is_a_trigonometric_polynomial_of_its_degree():
    """The checker's model with L layers has frequencies up to L and no higher."""
    rng = np.random.default_rng(0)
    w = rng.uniform(-np.pi, np.pi, 2 * 2 * 2 + 2)
    t = np.arange(32) * 2 * np.pi / 32
    grid = np.array(list(itertools.product(t, t)))
    values = reuploading_model(grid, w, 2).reshape(32, 32)
    spectrum = np.abs(np.fft.fft2(values)) / 32**2
    freqs = np.fft.fftfreq(32, 1 / 32)
    big = np.abs(freqs[:, None]).clip(0) > 2
    assert spectrum[big | (np.abs(freqs)[None, :] > 2)].max() < 1e-12
    assert spectrum[2, 2] > 1e-6 or spectrum[2, -2] > 1e-6  # degree 2 in both is used


def _fit(X, f, freqs, sines=True):
    def cols(Z):
        Z = np.asarray(Z, float)
        out = [np.ones(len(Z))]
        for w in freqs:
            out.append(np.cos(Z @ np.array(w)))
            if sines:
                out.append(np.sin(Z @ np.array(w)))
        return np.column_stack(out)

    coef, *_ = np.linalg.lstsq(cols(X), f, rcond=None)
    return lambda Z: cols(Z) @ coef


def _half(d, degree):
    return [
        w
        for w in itertools.product(range(-degree, degree + 1), repeat=d)
        if any(w) and w > tuple(-v for v in w)
    ]


def test_surrogate_alternatives():
    def cos_sin(X, f, X_new, degree):
        return _fit(X, f, _half(np.shape(X)[1], degree))(X_new)

    def polynomial_in_exponentials(X, f, X_new, degree):
        # cos(k x) and sin(k x) are polynomials in e^{ix}: fit with a complex Vandermonde
        X = np.asarray(X, float)
        ks = np.array(list(itertools.product(range(-degree, degree + 1), repeat=X.shape[1])))
        V = np.exp(1j * X @ ks.T)
        c = np.linalg.solve(V.conj().T @ V, V.conj().T @ f)  # normal equations
        return np.real(np.exp(1j * np.asarray(X_new, float) @ ks.T) @ c)

    for fn in (cos_sin, polynomial_in_exponentials):
        r = check("15.fourier_surrogate", fn)
        assert r.passed and r.score == 6, r.feedback


def test_surrogate_mistakes():
    def separable(X, f, X_new, degree):
        d = np.shape(X)[1]
        return _fit(
            X,
            f,
            [tuple(k * (j == i) for j in range(d)) for i in range(d) for k in range(1, degree + 1)],
        )(X_new)

    r = check("15.fourier_surrogate", separable)
    assert r.score == 1 and "no mixed frequencies" in r.feedback  # the 1-feature case passes

    def cosines(X, f, X_new, degree):
        return _fit(X, f, _half(np.shape(X)[1], degree), sines=False)(X_new)

    r = check("15.fourier_surrogate", cosines)
    assert r.score == 0 and "cosines only" in r.feedback

    r = check("15.fourier_surrogate", lambda X, f, X_new, degree: np.asarray(f))
    assert r.score == 0 and "values at the training inputs X" in r.feedback


def test_surrogate_of_too_low_degree_is_not_blamed_on_the_basis():
    """Fitting degree 1 to a degree-2 model fails without a misleading hint."""

    def fixed_degree_one(X, f, X_new, degree):
        return _fit(X, f, _half(np.shape(X)[1], 1))(X_new)

    r = check("15.fourier_surrogate", fixed_degree_one)
    assert not r.passed
    assert "cosines only" not in r.feedback and "no mixed" not in r.feedback
