"""Promise audit and hint precision of lesson 07's later exercises (issue 14):
07.shared_parameter_gradient and 07.spsa_step."""

from __future__ import annotations

import numpy as np

# ------------------------------------------------------------- 07.shared_parameter_gradient


def _shared_rule(f, theta, uses, *, which="all", scale=True, offset=True, factor=0.5, sign=1):
    theta = np.asarray(theta, dtype=float)
    phi = np.array([a * theta[k] + (b if offset else 0.0) for k, a, b in uses])
    grad = np.zeros(theta.size)
    seen = set()
    for j, (k, a, _) in enumerate(uses):
        e = np.zeros(len(phi))
        e[j] = np.pi / 2
        term = sign * (a if scale else 1.0) * factor * (f(phi + e) - f(phi - e))
        if which == "first" and k in seen:
            continue
        if which == "last":
            grad[k] = term
        else:
            grad[k] += term
        seen.add(k)
    return grad


def _shared_theta_array_only(f, theta, uses):
    # theta.size: a list has none
    grad = np.zeros(theta.size)
    phi = np.array([a * theta[k] + b for k, a, b in uses])
    for j, (k, a, _) in enumerate(uses):
        e = np.zeros(phi.size)
        e[j] = np.pi / 2
        grad[k] += a * (f(phi + e) - f(phi - e)) / 2
    return grad


def _shared_length_from_uses(f, theta, uses):
    # one entry per parameter that some gate uses: a parameter in no gate is dropped
    n = max(k for k, _, _ in uses) + 1
    return _shared_rule(f, theta, uses)[:n]


def _shared_loop_per_parameter(f, theta, uses):
    theta = [float(v) for v in theta]
    phi = [a * theta[k] + b for k, a, b in uses]
    grad = []
    for k in range(len(theta)):
        total = 0.0
        for j, (kj, a, _) in enumerate(uses):
            if kj == k:
                plus, minus = list(phi), list(phi)
                plus[j] += np.pi / 2
                minus[j] -= np.pi / 2
                total += a * (f(plus) - f(minus)) / 2
        grad.append(total)
    return np.array(grad)


def _shared_jacobian(f, theta, uses):
    theta = np.asarray(theta, dtype=float)
    phi = np.array([a * theta[k] + b for k, a, b in uses])
    rows = np.pi / 2 * np.eye(phi.size)
    d = np.array([(f(phi + r) - f(phi - r)) / 2 for r in rows])
    jac = np.zeros((phi.size, theta.size))
    for j, (k, a, _) in enumerate(uses):
        jac[j, k] += a
    return d @ jac


def _shared_first_only(f, theta, uses):
    return _shared_rule(f, theta, uses, which="first")


def _shared_last_only(f, theta, uses):
    return _shared_rule(f, theta, uses, which="last")


def _shared_no_chain_factor(f, theta, uses):
    return _shared_rule(f, theta, uses, scale=False)


def _shared_no_offset(f, theta, uses):
    return _shared_rule(f, theta, uses, offset=False)


def _shared_no_half(f, theta, uses):
    return _shared_rule(f, theta, uses, factor=1.0)


def _shared_wrong_sign(f, theta, uses):
    return _shared_rule(f, theta, uses, sign=-1)


def _shared_shift_theta(f, theta, uses):
    theta = np.asarray(theta, dtype=float)

    def cost(t):
        return f([a * t[k] + b for k, a, b in uses])

    return np.array(
        [
            (cost(theta + np.pi / 2 * e) - cost(theta - np.pi / 2 * e)) / 2
            for e in np.eye(theta.size)
        ]
    )


def _shared_finite_difference(f, theta, uses):
    theta = np.asarray(theta, dtype=float)

    def cost(t):
        return f([a * t[k] + b for k, a, b in uses])

    return np.array(
        [(cost(theta + 1e-6 * e) - cost(theta - 1e-6 * e)) / 2e-6 for e in np.eye(theta.size)]
    )


def _shared_gate_derivatives(f, theta, uses):
    # returns dC/dphi_j per gate, not per parameter
    theta = np.asarray(theta, dtype=float)
    phi = np.array([a * theta[k] + b for k, a, b in uses])
    return np.array([(f(phi + e) - f(phi - e)) / 2 for e in np.pi / 2 * np.eye(phi.size)])


# ------------------------------------------------------------------------------ 07.spsa_step


def _spsa(f, theta, delta, k, a=0.2, c=0.1, *, sign=-1, den=2, ka=1, swap=False, ret="theta"):
    theta = np.array(theta, dtype=float)
    delta = np.array(delta, dtype=float)
    ea, ec = (0.101, 0.602) if swap else (0.602, 0.101)
    a_k = a / (k + ka) ** ea if ka is not None else a
    c_k = c / (k + ka) ** ec if ka is not None else c
    ghat = (f(theta + c_k * delta) - f(theta - c_k * delta)) / (den * c_k) * delta
    return ghat if ret == "ghat" else theta + sign * a_k * ghat


def _spsa_scalar_times_delta(f, theta, delta, k, a=0.2, c=0.1):
    # c_k * delta with a list delta: a float times a list is a TypeError
    theta = np.array(theta, dtype=float)
    a_k, c_k = a / (k + 1) ** 0.602, c / (k + 1) ** 0.101
    step = c_k * delta
    return theta - a_k * (f(theta + step) - f(theta - step)) / (2 * c_k) * np.asarray(delta)


def _spsa_in_place(f, theta, delta, k, a=0.2, c=0.1):
    theta = np.asarray(theta, dtype=float)  # no copy for a float array
    delta = np.asarray(delta, dtype=float)
    a_k, c_k = a / (k + 1) ** 0.602, c / (k + 1) ** 0.101
    ghat = (f(theta + c_k * delta) - f(theta - c_k * delta)) / (2 * c_k) * delta
    theta -= a_k * ghat
    return theta


def _spsa_three_calls(f, theta, delta, k, a=0.2, c=0.1):
    theta = np.array(theta, dtype=float)
    f(theta)  # the current loss, for a log: one evaluation more than SPSA needs
    return _spsa(f, theta, delta, k, a, c)


def _spsa_python(f, theta, delta, k, a=0.2, c=0.1):
    a_k = a / (k + 1) ** 0.602
    c_k = c / (k + 1) ** 0.101
    plus = [t + c_k * d for t, d in zip(theta, delta)]
    minus = [t - c_k * d for t, d in zip(theta, delta)]
    diff = f(plus) - f(minus)
    return np.array([t - a_k * diff / (2 * c_k * d) for t, d in zip(theta, delta)])


def _spsa_gain_functions(f, theta, delta, k, a=0.2, c=0.1):
    def gain_a(i):
        return a / (i + 1) ** 0.602

    def gain_c(i):
        return c / (i + 1) ** 0.101

    theta = np.array(theta, dtype=float)
    step = gain_c(k) * np.asarray(delta, dtype=float)
    return theta - gain_a(k) * (f(theta + step) - f(theta - step)) / (2 * step)


def _spsa_ascent(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, sign=+1)


def _spsa_over_c(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, den=1)


def _spsa_constant_gains(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, ka=None)


def _spsa_k_from_one(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, ka=0)


def _spsa_swapped_exponents(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, swap=True)


def _spsa_returns_ghat(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c, ret="ghat")


def _spsa_own_delta(f, theta, delta, k, a=0.2, c=0.1):
    own = np.random.default_rng(0).choice([-1.0, 1.0], size=len(theta))
    return _spsa(f, theta, own, k, a, c)


def _spsa_one_at_a_time(f, theta, delta, k, a=0.2, c=0.1):
    theta = np.array(theta, dtype=float)
    c_k = c / (k + 1) ** 0.101
    g = np.array(
        [(f(theta + c_k * e) - f(theta - c_k * e)) / (2 * c_k) for e in np.eye(theta.size)]
    )
    return theta - a / (k + 1) ** 0.602 * g


def _spsa_drops_last(f, theta, delta, k, a=0.2, c=0.1):
    return _spsa(f, theta, delta, k, a, c)[:-1]


PROMISES = [
    (
        "07.shared_parameter_gradient",
        "theta may be a list (the statement's example passes [0.2])",
        _shared_theta_array_only,
        "(theta a list)",
    ),
    (
        "07.shared_parameter_gradient",
        "one entry per parameter, 0 for a parameter that no gate uses",
        _shared_length_from_uses,
        "(a parameter no gate uses)",
    ),
    (
        "07.spsa_step",
        "theta and delta may be lists",
        _spsa_scalar_times_delta,
        "(theta and delta lists)",
    ),
    ("07.spsa_step", "theta is not changed in place", _spsa_in_place, "(theta unchanged"),
    ("07.spsa_step", "f is called exactly twice", _spsa_three_calls, "f called twice)"),
]

CORRECT_STYLES = {
    "07.shared_parameter_gradient": [_shared_loop_per_parameter, _shared_jacobian],
    "07.spsa_step": [_spsa_python, _spsa_gain_functions],
}

PROMISE_HINTS = {
    "_shared_theta_array_only": (),
    "_shared_length_from_uses": ("wrong shape: one entry per parameter",),
    "_spsa_scalar_times_delta": (),
    "_spsa_in_place": ("work on a copy",),
    "_spsa_three_calls": ("evaluate f only at the two perturbed points",),
}

MORE_MISTAKES = [
    ("07.shared_parameter_gradient", _shared_first_only, ("forgot the other occurrences",)),
    ("07.shared_parameter_gradient", _shared_last_only, ("forgot the other occurrences",)),
    ("07.shared_parameter_gradient", _shared_no_chain_factor, ("the chain-rule factor",)),
    ("07.shared_parameter_gradient", _shared_no_offset, ("the offset b is part",)),
    ("07.shared_parameter_gradient", _shared_shift_theta, ("you shifted θ_k",)),
    ("07.shared_parameter_gradient", _shared_no_half, ("the factor 1/2 is missing",)),
    ("07.shared_parameter_gradient", _shared_wrong_sign, ("wrong sign: subtract",)),
    ("07.shared_parameter_gradient", _shared_finite_difference, ("finite differences",)),
    ("07.shared_parameter_gradient", _shared_gate_derivatives, ("wrong shape: one entry",)),
    ("07.spsa_step", _spsa_ascent, ("wrong sign: SPSA descends",)),
    ("07.spsa_step", _spsa_over_c, ("divide the difference by 2·c_k",)),
    ("07.spsa_step", _spsa_constant_gains, ("the gains decay with k",)),
    ("07.spsa_step", _spsa_k_from_one, ("k counts from 0",)),
    ("07.spsa_step", _spsa_swapped_exponents, ("the exponents are swapped",)),
    ("07.spsa_step", _spsa_returns_ghat, ("you returned the gradient estimate",)),
    ("07.spsa_step", _spsa_own_delta, ("perturb along the delta you are given",)),
    ("07.spsa_step", _spsa_one_at_a_time, ("one parameter moved at a time",)),
    ("07.spsa_step", _spsa_drops_last, ("wrong shape: return",)),
]
