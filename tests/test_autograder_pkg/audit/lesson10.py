"""Promise audit and hint precision of lesson 10's Born-machine exercises (10.mmd_loss,
10.born_machine_gradient). See ``audit/__init__.py`` for the tables."""

from __future__ import annotations

import itertools
import math

import numpy as np

# ----------------------------------------------------------------------------- helpers


def _bandwidths(bandwidth):
    return list(np.atleast_1d(np.asarray(bandwidth, dtype=float)))


def _hamming(n):
    return np.array([[bin(x ^ y).count("1") for y in range(2**n)] for x in range(2**n)])


def _k(n, bandwidth, dist=None, scale=lambda s: 2 * s * s, combine=np.mean):
    d = _hamming(n) if dist is None else dist
    return combine([np.exp(-d / scale(s)) for s in _bandwidths(bandwidth)], axis=0)


def _mmd_with(p, q, k, cross=2.0):
    p, q = np.asarray(p, float), np.asarray(q, float)
    return float(p @ k @ p - cross * p @ k @ q + q @ k @ q)


def _n(p):
    return int(round(math.log2(len(p))))


# ---------------------------------------------------------------- 10.mmd_loss, correct


def _mmd_loops(p, q, bandwidth):
    """Three expectations as explicit double sums over bit tuples."""
    n = _n(p)
    sig = bandwidth if isinstance(bandwidth, (list, tuple, np.ndarray)) else [bandwidth]
    pts = [tuple(int(b) for b in format(x, f"0{n}b")) for x in range(2**n)]

    def k(a, b):
        d2 = sum((u - v) ** 2 for u, v in zip(a, b))
        return sum(math.exp(-d2 / (2 * s**2)) for s in sig) / len(sig)

    total = 0.0
    for i, j in itertools.product(range(2**n), repeat=2):
        kij = k(pts[i], pts[j])
        total += p[i] * p[j] * kij - 2 * p[i] * q[j] * kij + q[i] * q[j] * kij
    return total


def _mmd_cdist(p, q, bandwidth):
    """(p - q)^T K (p - q) with scipy's squared Euclidean distance of the bit vectors."""
    from scipy.spatial.distance import cdist

    n = _n(p)
    bits = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(float)  # Qiskit order
    d2 = cdist(bits, bits, "sqeuclidean")
    sig = np.ravel(bandwidth)
    k = np.exp(-d2[..., None] / (2 * sig**2)).mean(axis=-1)
    diff = np.subtract(p, q)
    return np.array([diff @ k @ diff])  # a one-element array


# ----------------------------------------------------------------- 10.mmd_loss, wrong


def _mmd_index_distance(p, q, bandwidth):
    idx = np.arange(len(p))
    return _mmd_with(p, q, _k(_n(p), bandwidth, dist=(idx[:, None] - idx[None, :]) ** 2))


def _mmd_no_cross_factor(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), bandwidth), cross=1.0)


def _mmd_sqrt(p, q, bandwidth):
    return math.sqrt(max(_mmd_with(p, q, _k(_n(p), bandwidth)), 0.0))


def _mmd_first_bandwidth(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), _bandwidths(bandwidth)[0]))


def _mmd_sum_of_kernels(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), bandwidth, combine=np.sum))


def _mmd_sigma_squared(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), bandwidth, scale=lambda s: s * s))


def _mmd_unsquared_distance(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), bandwidth, dist=np.sqrt(_hamming(_n(p)))))


def _mmd_scalar_bandwidth_only(p, q, bandwidth):
    return _mmd_with(p, q, _k(_n(p), float(bandwidth)))  # a list raises TypeError


def _mmd_negative(p, q, bandwidth):
    return -_mmd_with(p, q, _k(_n(p), bandwidth))


# ----------------------------------------------------- 10.born_machine_gradient, correct


def _grad_four_expectations(circuit_probs, theta, target, bandwidth):
    """The four expectations of the statement, each a bilinear form, in plain lists."""
    theta = [float(t) for t in theta]
    p = circuit_probs(theta)
    k = _k(_n(p), bandwidth)
    out = []
    for i in range(len(theta)):
        up = theta.copy()
        down = theta.copy()
        up[i] += math.pi / 2
        down[i] -= math.pi / 2
        pp, pm = circuit_probs(up), circuit_probs(down)
        out.append(pp @ k @ p - pm @ k @ p - pp @ k @ target + pm @ k @ target)
    return out


def _grad_half_times_two(circuit_probs, theta, target, bandwidth):
    """dp/dθ by the shift rule with its 1/2, then the chain rule with its 2, vectorised."""
    theta = np.array(theta, dtype=float)
    p = circuit_probs(theta)
    shifts = np.pi / 2 * np.eye(theta.size)
    dp = np.array([(circuit_probs(theta + s) - circuit_probs(theta - s)) / 2 for s in shifts])
    return dp @ (2 * _k(_n(p), bandwidth) @ (p - target))


# ------------------------------------------------------- 10.born_machine_gradient, wrong


def _grad_shift(circuit_probs, theta, target, bandwidth, shift=math.pi / 2, factor=1.0, k=None):
    theta = np.array(theta, dtype=float)
    p = circuit_probs(theta)
    kk = _k(_n(p), bandwidth) if k is None else k(_n(p))
    g = []
    for i in range(theta.size):
        e = np.zeros(theta.size)
        e[i] = shift
        g.append(factor * (circuit_probs(theta + e) - circuit_probs(theta - e)) @ kk @ (p - target))
    return np.array(g)


def _grad_shift_pi(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth, shift=math.pi)


def _grad_missing_half(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth, factor=2.0)


def _grad_missing_two(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth, factor=0.5)


def _grad_wrong_sign(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth, factor=-1.0)


def _grad_no_target(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, 0 * np.asarray(target), bandwidth)


def _grad_index_distance(circuit_probs, theta, target, bandwidth):
    def k(n):
        idx = np.arange(2**n)
        return _k(n, bandwidth, dist=(idx[:, None] - idx[None, :]) ** 2)

    return _grad_shift(circuit_probs, theta, target, bandwidth, k=k)


def _grad_finite_difference(circuit_probs, theta, target, bandwidth):
    theta = np.array(theta, dtype=float)
    k = _k(_n(circuit_probs(theta)), bandwidth)

    def loss(t):
        d = circuit_probs(t) - target
        return d @ k @ d

    h = 1e-6
    return np.array(
        [(loss(theta + h * e) - loss(theta - h * e)) / (2 * h) for e in np.eye(theta.size)]
    )


def _grad_needs_array(circuit_probs, theta, target, bandwidth):
    g = np.zeros(theta.size)  # a list has no .size
    return g + _grad_shift(circuit_probs, theta, target, bandwidth)


def _grad_all_shifted_at_once(circuit_probs, theta, target, bandwidth):
    theta = np.array(theta, dtype=float)
    p = circuit_probs(theta)
    kd = _k(_n(p), bandwidth) @ (p - target)
    g = (circuit_probs(theta + np.pi / 2) - circuit_probs(theta - np.pi / 2)) @ kd
    return np.full(theta.size, g)


def _grad_reversed(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth)[::-1]


def _grad_as_column(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, bandwidth)[:, None]


def _grad_first_bandwidth(circuit_probs, theta, target, bandwidth):
    return _grad_shift(circuit_probs, theta, target, _bandwidths(bandwidth)[0])


# ------------------------------------------------------------------------------ tables

PROMISES = [
    (
        "10.mmd_loss",
        "the distance between bitstrings is the Hamming distance",
        _mmd_index_distance,
        "mmd_loss:",
    ),
    ("10.mmd_loss", "MMD^2 has the cross term -2 E_pq[k]", _mmd_no_cross_factor, "mmd_loss:"),
    ("10.mmd_loss", "it returns MMD^2, not MMD", _mmd_sqrt, "mmd_loss:"),
    (
        "10.mmd_loss",
        "several bandwidths: the mean of their kernels",
        _mmd_first_bandwidth,
        "several bandwidths",
    ),
    (
        "10.mmd_loss",
        "bandwidth may be a list, a tuple or an array",
        _mmd_scalar_bandwidth_only,
        "several bandwidths",
    ),
    (
        "10.mmd_loss",
        "k = exp(-d / (2 sigma^2)) with sigma the bandwidth",
        _mmd_sigma_squared,
        "mmd_loss:",
    ),
    (
        "10.born_machine_gradient",
        "the parameter-shift rule (shifts of pi/2), not finite differences",
        _grad_finite_difference,
        "born_machine_gradient:",
    ),
    (
        "10.born_machine_gradient",
        "the gradient (p+ - p-)^T K (p - q), no extra factor 2",
        _grad_missing_half,
        "born_machine_gradient:",
    ),
    (
        "10.born_machine_gradient",
        "theta may be a list",
        _grad_needs_array,
        "θ as a list",
    ),
    (
        "10.born_machine_gradient",
        "several bandwidths: the mean of their kernels",
        _grad_first_bandwidth,
        "several bandwidths",
    ),
]

CORRECT_STYLES = {
    "10.mmd_loss": [_mmd_loops, _mmd_cdist],
    "10.born_machine_gradient": [_grad_four_expectations, _grad_half_times_two],
}

PROMISE_HINTS = {
    "_mmd_index_distance": ("integer index distance",),
    "_mmd_no_cross_factor": ("forgot the factor 2 of the cross term",),
    "_mmd_sqrt": ("returned the MMD, not its square",),
    "_mmd_first_bandwidth": ("not only the first",),
    "_mmd_scalar_bandwidth_only": (),
    "_mmd_sigma_squared": ("kernel convention",),
    "_grad_finite_difference": ("finite differences",),
    "_grad_missing_half": ("twice the gradient",),
    "_grad_needs_array": (),
    "_grad_first_bandwidth": (),
}

MORE_MISTAKES = [
    ("10.mmd_loss", _mmd_sum_of_kernels, ("the MEAN of the Gaussians",)),
    ("10.mmd_loss", _mmd_unsquared_distance, ("unsquared distance",)),
    ("10.mmd_loss", _mmd_negative, ()),
    ("10.born_machine_gradient", _grad_shift_pi, ("shift of π instead of π/2",)),
    ("10.born_machine_gradient", _grad_missing_two, ("half the gradient",)),
    ("10.born_machine_gradient", _grad_wrong_sign, ("wrong sign",)),
    ("10.born_machine_gradient", _grad_no_target, ("the target terms are missing",)),
    ("10.born_machine_gradient", _grad_index_distance, ("integer index distance",)),
    ("10.born_machine_gradient", _grad_reversed, ("reverse order",)),
    (
        "10.born_machine_gradient",
        _grad_all_shifted_at_once,
        ("every parameter was shifted at once",),
    ),
    ("10.born_machine_gradient", _grad_as_column, ("wrong shape",)),
]
