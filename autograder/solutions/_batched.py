"""A tiny batched statevector simulator in NumPy for the reference solutions of lessons 08-09.

States are arrays of shape ``(B, 2, ..., 2)``: one row per data point, then one axis per
qubit with qubit 0 LAST, so that ``state.reshape(B, 2**n)`` is in Qiskit's index order
(qubit 0 = least-significant bit). Angles are arrays of shape ``(B,)`` so every data point
can have its own rotation angle.

>>> import numpy as np
>>> psi = zero_state(1, 2)
>>> psi = apply_ry(psi, np.array([np.pi]), 0)     # X-like flip of qubit 0: |01>
>>> np.round(psi.reshape(1, 4).real, 6).tolist()
[[0.0, 1.0, 0.0, 0.0]]
>>> float(expect_z(psi, [0])[0]), float(expect_z(psi, [1])[0])
(-1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def zero_state(batch: int, n: int) -> np.ndarray:
    """|0...0> for ``batch`` data points on ``n`` qubits."""
    psi = np.zeros((batch,) + (2,) * n, dtype=complex)
    psi[(slice(None),) + (0,) * n] = 1.0
    return psi


def _axis(psi: np.ndarray, q: int) -> int:
    return psi.ndim - 1 - q


def _bcast(angle: np.ndarray, psi: np.ndarray) -> np.ndarray:
    angle = np.broadcast_to(np.asarray(angle, dtype=float), (psi.shape[0],))
    return angle.reshape((-1,) + (1,) * (psi.ndim - 2))


def apply_ry(psi: np.ndarray, angle: np.ndarray, q: int) -> np.ndarray:
    """RY(angle) on qubit ``q``; ``angle`` is a scalar or one angle per data point."""
    a = _bcast(angle, psi)
    c, s = np.cos(a / 2), np.sin(a / 2)
    p0 = np.take(psi, 0, axis=_axis(psi, q))
    p1 = np.take(psi, 1, axis=_axis(psi, q))
    return np.stack([c * p0 - s * p1, s * p0 + c * p1], axis=_axis(psi, q))


def apply_rz(psi: np.ndarray, angle: np.ndarray, q: int) -> np.ndarray:
    """RZ(angle) = diag(e^{-i angle/2}, e^{i angle/2}) on qubit ``q``."""
    a = _bcast(angle, psi)
    p0 = np.take(psi, 0, axis=_axis(psi, q)) * np.exp(-0.5j * a)
    p1 = np.take(psi, 1, axis=_axis(psi, q)) * np.exp(0.5j * a)
    return np.stack([p0, p1], axis=_axis(psi, q))


def apply_cx(psi: np.ndarray, control: int, target: int) -> np.ndarray:
    """CNOT with the given control and target qubits."""
    out = psi.copy()
    idx: list[Any] = [slice(None)] * psi.ndim
    idx[_axis(psi, control)] = 1
    sub = out[tuple(idx)]
    t_axis = _axis(psi, target) - (1 if _axis(psi, target) > _axis(psi, control) else 0)
    out[tuple(idx)] = np.flip(sub, axis=t_axis)
    return out


def apply_cz(psi: np.ndarray, a: int, b: int) -> np.ndarray:
    """CZ between qubits ``a`` and ``b``."""
    out = psi.copy()
    idx: list[Any] = [slice(None)] * psi.ndim
    idx[_axis(psi, a)] = 1
    idx[_axis(psi, b)] = 1
    out[tuple(idx)] *= -1
    return out


def expect_z(psi: np.ndarray, qubits: Sequence[int]) -> np.ndarray:
    """<Z_q1 Z_q2 ...> for every data point (shape ``(B,)``)."""
    probs = np.abs(psi) ** 2
    sign = np.ones(psi.shape[1:])
    for q in qubits:
        shape = [1] * (psi.ndim - 1)
        shape[_axis(psi, q) - 1] = 2
        sign = sign * np.array([1.0, -1.0]).reshape(shape)
    return np.sum(probs * sign, axis=tuple(range(1, psi.ndim)))


# ------------------------------------------------------------------------- circuits as programs
# A program is a list of operations. A rotation ("ry" or "rz", qubit, (w, f, b)) has the angle
# theta[w] * x[:, f] + theta[b] for every data point (w or f None: no data term; b None: no
# offset). ("cx", control, target) and ("cz", a, b) are fixed two-qubit gates.


def _angles(op: tuple, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    w, f, b = op[2]
    angle = np.zeros(len(X))
    if f is not None:
        angle = angle + (theta[w] if w is not None else 1.0) * X[:, f]
    if b is not None:
        angle = angle + theta[b]
    return angle


def run_program(
    program: list[tuple], theta: np.ndarray, X: np.ndarray, n: int, shifts: dict | None = None
) -> np.ndarray:
    """The final states of a program for every row of ``X``; ``shifts`` maps an operation's
    position to an extra angle (used by the parameter-shift rule)."""
    psi = zero_state(len(X), n)
    for k, op in enumerate(program):
        kind = op[0]
        if kind in ("ry", "rz"):
            angle = _angles(op, theta, X)
            if shifts and k in shifts:
                angle = angle + shifts[k]
            psi = (apply_ry if kind == "ry" else apply_rz)(psi, angle, op[1])
        elif kind == "cx":
            psi = apply_cx(psi, op[1], op[2])
        elif kind == "cz":
            psi = apply_cz(psi, op[1], op[2])
        else:  # pragma: no cover - programs are written by us
            raise ValueError(f"unknown operation {kind!r}")
    return psi


def program_value_and_grad(
    program: list[tuple], theta: np.ndarray, X: np.ndarray, n: int, observable: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The expectation of the Z-string on ``observable`` for every row of ``X``, its exact
    gradient with respect to ``theta`` (shape ``(B, P)``) and with respect to ``X``
    (shape ``(B, F)``), by the parameter-shift rule on every rotation and the chain rule."""
    value = expect_z(run_program(program, theta, X, n), observable)
    grad = np.zeros((len(X), len(theta)))
    grad_x = np.zeros_like(X, dtype=float)
    for k, op in enumerate(program):
        if op[0] not in ("ry", "rz"):
            continue
        plus = expect_z(run_program(program, theta, X, n, {k: np.pi / 2}), observable)
        minus = expect_z(run_program(program, theta, X, n, {k: -np.pi / 2}), observable)
        d_angle = (plus - minus) / 2  # exact: each angle enters one Pauli rotation
        w, f, b = op[2]
        if f is not None:
            if w is not None:
                grad[:, w] += d_angle * X[:, f]
            grad_x[:, f] += d_angle * (theta[w] if w is not None else 1.0)
        if b is not None:
            grad[:, b] += d_angle
    return value, grad, grad_x
