"""Lesson 15's promise audit and hint-precision rows (see ``audit/__init__.py``).

Wrong answers are written the way learners write them; each keeps every promise of its
statement but one (PROMISES), or makes one recognisable mistake (MORE_MISTAKES).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np

# ------------------------------------------------------------------ 15.shadow_estimate


def _shadow_terms(snapshots, pauli, factor=3, reverse=False):
    letters = pauli if reverse else pauli[::-1]
    out = []
    for bases, outcomes in snapshots:
        value = 1
        for q, p in enumerate(letters):
            if p == "I":
                continue
            value = value * factor * int(outcomes[q]) if bases[q] == p else 0
        out.append(value)
    return out


def _shadow_label_reversed(snapshots, pauli):
    return float(np.mean(_shadow_terms(snapshots, pauli, reverse=True)))


def _shadow_no_factor(snapshots, pauli):
    return float(np.mean(_shadow_terms(snapshots, pauli, factor=1)))


def _shadow_divides_by_matches(snapshots, pauli):
    terms = _shadow_terms(snapshots, pauli)
    matching = [v for v in terms if v != 0] or [0]
    return sum(terms) / len(matching)


def _shadow_tuples_only(snapshots, pauli):
    # groups equal snapshots to save work: a list (unhashable) breaks it
    total = 0.0
    counts = Counter(snapshots)
    for (bases, outcomes), k in counts.items():
        total += k * _shadow_terms([(bases, outcomes)], pauli)[0]
    return total / len(snapshots)


def _shadow_vectorised(snapshots, pauli):
    bases = np.array([list(b) for b, _ in snapshots])
    outcomes = np.array([[int(s) for s in o] for _, o in snapshots], dtype=float)
    est = np.ones(len(snapshots))
    for q, p in enumerate(reversed(pauli)):
        if p != "I":
            est *= np.where(bases[:, q] == p, 3 * outcomes[:, q], 0.0)
    return float(est.mean())


def _shadow_by_indices(snapshots, pauli):
    n = len(pauli)
    support = {n - 1 - k: p for k, p in enumerate(pauli) if p != "I"}
    total = 0
    for bases, outcomes in snapshots:
        if all(bases[q] == p for q, p in support.items()):
            total += math.prod(3 * int(outcomes[q]) for q in support)
    return total / len(snapshots)


def _shadow_sum_only(snapshots, pauli):
    return float(sum(_shadow_terms(snapshots, pauli)))


def _shadow_factor_every_qubit(snapshots, pauli):
    w = sum(p != "I" for p in pauli)
    return float(np.mean(_shadow_terms(snapshots, pauli))) * 3 ** (len(pauli) - w)


def _shadow_identity_must_match(snapshots, pauli):
    total = 0
    for bases, outcomes in snapshots:
        term = 1
        for q, p in enumerate(reversed(pauli)):
            term *= 3 * int(outcomes[q]) if bases[q] == p else 0  # "I" never matches
        total += term
    return total / len(snapshots)


def _shadow_conditional_mean(snapshots, pauli):
    terms = _shadow_terms(snapshots, pauli, factor=1)
    support = [len(pauli) - 1 - k for k, p in enumerate(pauli) if p != "I"]
    kept = [
        v
        for v, (bases, _) in zip(terms, snapshots)
        if all(bases[q] == pauli[len(pauli) - 1 - q] for q in support)
    ]
    return float(np.mean(kept)) if kept else 0.0


# -------------------------------------------------------------- 15.shadow_sample_bound


def _bound_ignores_observables(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * 9**weight * math.log(2 / delta) / epsilon**2)


def _bound_rounds_down(weight, epsilon, delta, num_observables=1):
    return int(2 * 9**weight * math.log(2 * num_observables / delta) / epsilon**2)


def _bound_needs_observables(weight, epsilon, delta, num_observables):
    return math.ceil(2 * 9**weight * math.log(2 * num_observables / delta) / epsilon**2)


def _bound_numpy(weight, epsilon, delta, num_observables=1):
    range_ = 2.0 * 3.0**weight
    return int(np.ceil(range_**2 / (2 * epsilon**2) * np.log(2 * num_observables / delta)))


def _bound_loop(weight, epsilon, delta, num_observables=1):
    n = 1
    while 2 * num_observables * math.exp(-n * epsilon**2 / (2 * 9**weight)) > delta:
        n *= 2
    lo, hi = n // 2, n  # the smallest N lies in (lo, hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if 2 * num_observables * math.exp(-mid * epsilon**2 / (2 * 9**weight)) <= delta:
            hi = mid
        else:
            lo = mid
    return hi


def _bound_three_to_w(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * 3**weight * math.log(2 * num_observables / delta) / epsilon**2)


def _bound_no_shadow_factor(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * math.log(2 * num_observables / delta) / epsilon**2)


def _bound_lesson04(weight, epsilon, delta, num_observables=1):
    return math.ceil(math.log(2 * num_observables / delta) / (2 * epsilon**2))


def _bound_one_sided(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * 9**weight * math.log(num_observables / delta) / epsilon**2)


def _bound_missing_two(weight, epsilon, delta, num_observables=1):
    return math.ceil(4 * 9**weight * math.log(2 * num_observables / delta) / epsilon**2)


def _bound_log10(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * 9**weight * math.log10(2 * num_observables / delta) / epsilon**2)


def _bound_eps_not_squared(weight, epsilon, delta, num_observables=1):
    return math.ceil(2 * 9**weight * math.log(2 * num_observables / delta) / epsilon)


# --------------------------------------------------------------- 15.fourier_surrogate


def _grid(d, degree, low):
    return [w for w in itertools.product(range(low, degree + 1), repeat=d) if any(w)]


def _trig_fit(X, f, freqs, sines=True, const=True):
    X = np.asarray(X, dtype=float)

    def columns(Z):
        Z = np.asarray(Z, dtype=float)
        cols = [np.ones(len(Z))] if const else []
        for w in freqs:
            cols.append(np.cos(Z @ np.array(w)))
            if sines:
                cols.append(np.sin(Z @ np.array(w)))
        return np.column_stack(cols)

    coef, *_ = np.linalg.lstsq(columns(X), f, rcond=None)
    return lambda Z: columns(Z) @ coef


def _surrogate_nonnegative(X, f, X_new, degree):
    return _trig_fit(X, f, _grid(np.shape(X)[1], degree, 0))(X_new)


def _surrogate_one_short(X, f, X_new, degree):
    d = np.shape(X)[1]
    half = [w for w in _grid(d, degree - 1, -(degree - 1)) if w > tuple(-v for v in w)]
    return _trig_fit(X, f, half)(X_new)


def _surrogate_values(X, f, X_new, degree):
    return np.asarray(f)  # the values at the training inputs, not at X_new


def _surrogate_separable(X, f, X_new, degree):
    d = np.shape(X)[1]
    freqs = [
        tuple(k if j == i else 0 for j in range(d)) for i in range(d) for k in range(1, degree + 1)
    ]
    return _trig_fit(X, f, freqs)(X_new)


def _surrogate_cos_only(X, f, X_new, degree):
    d = np.shape(X)[1]
    half = [w for w in _grid(d, degree, -degree) if w > tuple(-v for v in w)]
    return _trig_fit(X, f, half, sines=False)(X_new)


def _surrogate_no_constant(X, f, X_new, degree):
    d = np.shape(X)[1]
    half = [w for w in _grid(d, degree, -degree) if w > tuple(-v for v in w)]
    return _trig_fit(X, f, half, const=False)(X_new)


def _surrogate_column(X, f, X_new, degree):
    d = np.shape(X)[1]
    half = [w for w in _grid(d, degree, -degree) if w > tuple(-v for v in w)]
    values = _trig_fit(X, f, half)(X_new)
    return np.tile(values[:, None], (1, 2))  # two columns per input


def _surrogate_sklearn(X, f, X_new, degree):
    from sklearn.linear_model import LinearRegression

    d = np.shape(X)[1]
    freqs = np.array([w for w in _grid(d, degree, -degree) if w > tuple(-v for v in w)])

    def features(Z):
        phase = np.asarray(Z, dtype=float) @ freqs.T
        return np.hstack([np.cos(phase), np.sin(phase)])

    model = LinearRegression().fit(features(X), f)
    return model.predict(features(X_new))


def _surrogate_normal_equations(X, f, X_new, degree):
    X = np.asarray(X, dtype=float)
    grid = np.array(list(itertools.product(range(-degree, degree + 1), repeat=X.shape[1])))

    def basis(Z):
        return np.exp(1j * np.asarray(Z, dtype=float) @ grid.T)

    A = basis(X)
    coef = np.linalg.pinv(A) @ np.asarray(f, dtype=complex)
    return (basis(X_new) @ coef).real


PROMISES = [
    (
        "15.shadow_estimate",
        "the Pauli label is in Qiskit order: qubit 0 is its rightmost letter",
        _shadow_label_reversed,
        "pauli '",
    ),
    (
        "15.shadow_estimate",
        "a matching qubit contributes 3 * outcome (the factor 3)",
        _shadow_no_factor,
        "pauli '",
    ),
    (
        "15.shadow_estimate",
        "the mean over ALL N snapshots (non-matching ones count as 0)",
        _shadow_divides_by_matches,
        "pauli '",
    ),
    (
        "15.shadow_estimate",
        "snapshots may be lists (and outcomes NumPy arrays), not only tuples",
        _shadow_tuples_only,
        "lists",
    ),
    (
        "15.shadow_sample_bound",
        "a union bound over num_observables: ln(2M / delta)",
        _bound_ignores_observables,
        "observables",
    ),
    (
        "15.shadow_sample_bound",
        "the smallest whole N (rounded up)",
        _bound_rounds_down,
        "",
    ),
    (
        "15.shadow_sample_bound",
        "num_observables defaults to 1",
        _bound_needs_observables,
        "one observable",
    ),
    (
        "15.fourier_surrogate",
        "every frequency vector with entries in -degree..degree, mixed signs included",
        _surrogate_nonnegative,
        "features,",
    ),
    (
        "15.fourier_surrogate",
        "frequencies up to degree inclusive",
        _surrogate_one_short,
        "",
    ),
    ("15.fourier_surrogate", "returns the values at the rows of X_new", _surrogate_values, ""),
]

CORRECT_STYLES = {
    "15.shadow_estimate": [_shadow_vectorised, _shadow_by_indices],
    "15.shadow_sample_bound": [_bound_numpy, _bound_loop],
    "15.fourier_surrogate": [_surrogate_sklearn, _surrogate_normal_equations],
}

PROMISE_HINTS = {
    "_shadow_label_reversed": ("qubit order reversed",),
    "_shadow_no_factor": ("forgot the factor 3",),
    "_shadow_divides_by_matches": ("divided by the number of matching snapshots",),
    "_shadow_tuples_only": (),
    "_bound_ignores_observables": ("no union bound",),
    "_bound_rounds_down": ("rounded down",),
    "_bound_needs_observables": (),
    "_surrogate_nonnegative": ("only frequency vectors with non-negative entries",),
    "_surrogate_one_short": ("one frequency short",),
    "_surrogate_values": ("values at the training inputs X",),
}

MORE_MISTAKES = [
    ("15.shadow_estimate", _shadow_sum_only, ("without dividing by N",)),
    ("15.shadow_estimate", _shadow_factor_every_qubit, ("for every qubit (3^n)",)),
    ("15.shadow_estimate", _shadow_conditional_mean, ("averaged only the snapshots",)),
    ("15.shadow_estimate", _shadow_identity_must_match, ("an I letter puts no condition",)),
    ("15.shadow_sample_bound", _bound_three_to_w, ("3^w instead of 9^w",)),
    ("15.shadow_sample_bound", _bound_no_shadow_factor, ("the shadow factor is missing",)),
    ("15.shadow_sample_bound", _bound_lesson04, ("outcomes in [0, 1]",)),
    ("15.shadow_sample_bound", _bound_one_sided, ("one-sided bound",)),
    ("15.shadow_sample_bound", _bound_missing_two, ("missing factor 2",)),
    ("15.shadow_sample_bound", _bound_log10, ("log base 10",)),
    ("15.shadow_sample_bound", _bound_eps_not_squared, ("eps instead of eps^2",)),
    ("15.fourier_surrogate", _surrogate_separable, ("no mixed frequencies",)),
    ("15.fourier_surrogate", _surrogate_cos_only, ("cosines only",)),
    ("15.fourier_surrogate", _surrogate_no_constant, ("no constant term",)),
    ("15.fourier_surrogate", _surrogate_column, ("wrong shape",)),
]
