"""Reference solutions for lesson 15 (what quantum machine learning can and cannot do).

Written independently of the lesson's solution cells: the shadow estimate loops over the
snapshots one at a time, and the surrogate uses complex exponentials exp(i w . x) over the
whole frequency grid, with the real part of the fit as its output (the lesson uses cosines
and sines).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np


def shadow_estimate(snapshots: Sequence, pauli: str) -> float:
    """Classical-shadow estimate of <pauli> from random single-qubit Pauli snapshots.

    ``snapshots`` holds pairs ``(bases, outcomes)``: ``bases[q]`` in {"X", "Y", "Z"} is the
    basis measured on qubit q and ``outcomes[q]`` in {+1, -1} the eigenvalue seen. The Pauli
    label is in Qiskit order (qubit 0 is its rightmost letter).
    """
    per_qubit = pauli[::-1]
    support = [(q, p) for q, p in enumerate(per_qubit) if p != "I"]
    total = 0.0
    count = 0
    for bases, outcomes in snapshots:
        count += 1
        contribution = 1.0
        for q, p in support:
            if bases[q] != p:
                contribution = 0.0
                break
            contribution *= 3 * int(outcomes[q])
        total += contribution
    return total / count


def shadow_sample_bound(weight: int, epsilon: float, delta: float, num_observables: int = 1) -> int:
    """Smallest N with 2 M exp(-N eps^2 / (2 * 9^weight)) <= delta (Hoeffding + union bound)."""
    spread = 2 * 3**weight  # each snapshot estimate lies in [-3^w, 3^w]
    return math.ceil(spread**2 * math.log(2 * num_observables / delta) / (2 * epsilon**2))


def fourier_surrogate(X, f, X_new, degree: int) -> np.ndarray:
    """Least-squares trigonometric polynomial of degree ``degree`` in every feature, fitted
    to the values ``f`` at the rows of ``X``; returns its values at the rows of ``X_new``."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    f = np.asarray(f, dtype=float).ravel()
    grid = np.array(list(itertools.product(range(-degree, degree + 1), repeat=X.shape[1])))

    def features(Z):
        Z = np.atleast_2d(np.asarray(Z, dtype=float))
        return np.exp(1j * Z @ grid.T)

    coef, *_ = np.linalg.lstsq(features(X), f.astype(complex), rcond=None)

    return np.real(features(X_new) @ coef)
