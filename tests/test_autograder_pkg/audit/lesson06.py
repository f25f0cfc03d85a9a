"""Promise audit and hint precision of lesson 06's later exercises (issue 14): kernel-target
alignment's gradient and the geometric difference of two kernels."""

from __future__ import annotations

import numpy as np
import scipy.linalg

# --------------------------------------------------------------- 06.alignment_gradient


def _target(y):
    y = np.asarray(y)
    return np.where(y[:, None] == y[None, :], 1.0, -1.0)


def _gradient_with(K, dK, T):
    K, dK = np.asarray(K, float), np.asarray(dK, float)
    a = np.sum(K * T) / (np.linalg.norm(K) * np.linalg.norm(T))
    first = np.einsum("pij,ij->p", dK, T) / (np.linalg.norm(K) * np.linalg.norm(T))
    return first - a * np.einsum("pij,ij->p", dK, K) / np.linalg.norm(K) ** 2


def _alignment_loops(K, dK, y):
    """Plain Python loops over the parameters and entries."""
    n = len(y)
    T = [[1.0 if y[i] == y[j] else -1.0 for j in range(n)] for i in range(n)]
    kt = sum(K[i][j] * T[i][j] for i in range(n) for j in range(n))
    kk = sum(K[i][j] ** 2 for i in range(n) for j in range(n))
    norm_t = float(n)  # every entry of T is +-1
    out = []
    for D in dK:
        dt = sum(D[i][j] * T[i][j] for i in range(n) for j in range(n))
        dk = sum(D[i][j] * K[i][j] for i in range(n) for j in range(n))
        # A = kt / (sqrt(kk) n): d/dθ = dt/(sqrt(kk) n) - kt dk / (kk^1.5 n)
        out.append(dt / (kk**0.5 * norm_t) - kt * dk / (kk**1.5 * norm_t))
    return out  # a list is fine


def _alignment_flattened(K, dK, y):
    """Flattened matrices, labels mapped to signs against the first label."""
    s = np.where(np.asarray(y) == np.asarray(y)[0], 1.0, -1.0)
    t = np.outer(s, s).ravel()
    k = np.asarray(K, float).ravel()
    D = np.asarray(dK, float).reshape(len(dK), -1)
    a = k @ t / (np.linalg.norm(k) * np.linalg.norm(t))
    return D @ t / (np.linalg.norm(k) * np.linalg.norm(t)) - a * (D @ k) / (k @ k)


def _audit_alignment_positive_labels(K, dK, y):
    # signs from y > 0: right for 0/1 and -1/+1, wrong for labels such as 1/2
    s = np.where(np.asarray(y) > 0, 1.0, -1.0)
    return _gradient_with(K, dK, np.outer(s, s))


def _audit_alignment_sum(K, dK, y):
    return float(np.sum(_gradient_with(K, dK, _target(y))))


def _audit_alignment_numerator_only(K, dK, y):
    K, dK, T = np.asarray(K, float), np.asarray(dK, float), _target(y)
    return np.einsum("pij,ij->p", dK, T) / (np.linalg.norm(K) * np.linalg.norm(T))


def _audit_alignment_outer_labels(K, dK, y):
    y = np.asarray(y, float)
    return _gradient_with(K, dK, np.outer(y, y))


def _alignment_loss_gradient(K, dK, y):
    return -_gradient_with(K, dK, _target(y))


def _alignment_without_t_norm(K, dK, y):
    return _gradient_with(K, dK, _target(y)) * len(y)


def _alignment_two_y_minus_one(K, dK, y):
    y = 2 * np.asarray(y, float) - 1
    return _gradient_with(K, dK, np.outer(y, y))


# ------------------------------------------------------------- 06.geometric_difference


def _gd_sqrtm(K_classical, K_quantum, reg=1e-3):
    """scipy's matrix functions and the 2-norm."""
    root = scipy.linalg.sqrtm(K_quantum)
    inverse = np.linalg.inv(K_classical + reg * np.eye(len(K_classical)))
    return np.sqrt(np.linalg.norm(root @ inverse @ root, 2))


def _gd_similar_matrix(K_classical, K_quantum, reg=1e-3):
    """√K_Q A √K_Q has the eigenvalues of A K_Q: no square root needed."""
    A = np.linalg.solve(np.asarray(K_classical) + reg * np.eye(len(K_classical)), K_quantum)
    return float(np.sqrt(np.max(np.linalg.eigvals(A).real)))


def _root(K):
    w, v = np.linalg.eigh(K)
    return v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T


def _gd_with(Kc, Kq, reg, root=_root, norm=2):
    r = root(np.asarray(Kq, float))
    m = r @ np.linalg.inv(np.asarray(Kc, float) + reg * np.eye(len(Kc))) @ r
    return float(np.sqrt(np.linalg.norm(m, norm)))


def _audit_gd_ignores_reg(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_classical, K_quantum, 0.0)


def _audit_gd_entrywise_sqrt(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_classical, K_quantum, reg, root=np.sqrt)


def _audit_gd_inf_norm(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_classical, K_quantum, reg, norm=np.inf)


def _audit_gd_default_reg_zero(K_classical, K_quantum, reg=0.0):
    return _gd_with(K_classical, K_quantum, reg)


def _gd_no_outer_root(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_classical, K_quantum, reg) ** 2


def _gd_frobenius(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_classical, K_quantum, reg, norm="fro")


def _gd_swapped(K_classical, K_quantum, reg=1e-3):
    return _gd_with(K_quantum, K_classical, reg)


PROMISES = [
    (
        "06.alignment_gradient",
        "labels are any two values (T compares them), not only 0/1 or -1/+1",
        _audit_alignment_positive_labels,
        "labels 1/2",
    ),
    (
        "06.alignment_gradient",
        "one derivative per parameter: shape (p,)",
        _audit_alignment_sum,
        " parameters,",
    ),
    (
        "06.alignment_gradient",
        "the quotient rule: ||K||_F depends on theta too",
        _audit_alignment_numerator_only,
        "alignment_gradient(",
    ),
    (
        "06.alignment_gradient",
        "T[i, j] = +1 for equal labels, -1 otherwise (with 0/1 labels too)",
        _audit_alignment_outer_labels,
        "alignment_gradient(",
    ),
    (
        "06.geometric_difference",
        "the inverse is of K_C + reg I (reg is used)",
        _audit_gd_ignores_reg,
        "geometric_difference(",
    ),
    (
        "06.geometric_difference",
        "the square root of K_Q is the matrix square root",
        _audit_gd_entrywise_sqrt,
        "fidelity kernel",
    ),
    (
        "06.geometric_difference",
        "the norm is the spectral norm",
        _audit_gd_inf_norm,
        "geometric_difference(",
    ),
    (
        "06.geometric_difference",
        "reg defaults to 1e-3",
        _audit_gd_default_reg_zero,
        "default reg",
    ),
]

CORRECT_STYLES = {
    "06.alignment_gradient": [_alignment_loops, _alignment_flattened],
    "06.geometric_difference": [_gd_sqrtm, _gd_similar_matrix],
}

_TARGET = "the target matrix is wrong for these labels"
_REG_ZERO = "this is the value for reg = 0"

PROMISE_HINTS = {
    "_audit_alignment_positive_labels": (),  # a target of all ones fits no diagnosis
    "_audit_alignment_sum": ("return one derivative per parameter",),
    "_audit_alignment_numerator_only": ("‖K‖_F depends on θ too",),
    "_audit_alignment_outer_labels": (_TARGET,),
    "_audit_gd_ignores_reg": ("reg is not used", _REG_ZERO),
    "_audit_gd_entrywise_sqrt": ("takes the square root of every entry",),
    "_audit_gd_inf_norm": ("the largest row sum",),
    "_audit_gd_default_reg_zero": (_REG_ZERO,),
}

MORE_MISTAKES = [
    ("06.alignment_gradient", _alignment_loss_gradient, ("the sign is flipped",)),
    ("06.alignment_gradient", _alignment_without_t_norm, ("missing the factor 1/‖T‖_F",)),
    ("06.alignment_gradient", _alignment_two_y_minus_one, (_TARGET,)),
    ("06.geometric_difference", _gd_no_outer_root, ("missing the outer square root",)),
    ("06.geometric_difference", _gd_frobenius, ("that is the Frobenius norm",)),
    ("06.geometric_difference", _gd_swapped, ("the kernels are swapped",)),
]
