"""Reference solutions for lesson 02 (gates and circuits)."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit


def x_from_h_and_z() -> QuantumCircuit:
    """X written as H Z H.

    >>> x_from_h_and_z().count_ops()["h"]
    2
    """
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.z(0)
    qc.h(0)
    return qc


def apply_single_qubit_gate(state: np.ndarray, gate: np.ndarray, qubit: int) -> np.ndarray:
    """Apply a 2x2 matrix to one qubit of an n-qubit state (Qiskit order).

    The state is reshaped to a tensor with one axis per qubit; in C order the first axis
    is the highest qubit, so qubit ``q`` is axis ``n - 1 - q``.

    >>> apply_single_qubit_gate(np.array([1, 0, 0, 0]), np.array([[0, 1], [1, 0]]), 0).real
    array([0., 1., 0., 0.])
    """
    psi = np.asarray(state, dtype=complex)
    n = int(round(np.log2(psi.size)))
    axis = n - 1 - qubit
    tensor = psi.reshape([2] * n)
    out = np.tensordot(np.asarray(gate, dtype=complex), tensor, axes=([1], [axis]))
    return np.moveaxis(out, 0, axis).reshape(-1)


def ry_angle_for_probability(p1: float) -> float:
    """theta in [0, pi] with |<1|RY(theta)|0>|^2 = p1.

    >>> round(ry_angle_for_probability(0.5), 4)
    1.5708
    """
    if not 0 <= p1 <= 1:
        raise ValueError(f"p1 is a probability and must be in [0, 1], got {p1}")
    return float(2 * np.arcsin(np.sqrt(p1)))


def is_unitary(matrix: np.ndarray, atol: float = 1e-9) -> bool:
    """True iff the square matrix satisfies U^dagger U = I within atol.

    >>> is_unitary(np.array([[0, 1j], [1j, 0]])), is_unitary(np.ones((2, 3)))
    (True, False)
    """
    u = np.asarray(matrix, dtype=complex)
    if u.ndim != 2 or u.shape[0] != u.shape[1]:
        return False
    return bool(np.max(np.abs(u.conj().T @ u - np.eye(u.shape[0])), initial=0.0) <= atol)


def swap_from_cnots() -> QuantumCircuit:
    """SWAP as three alternating CNOTs.

    >>> swap_from_cnots().count_ops()["cx"]
    3
    """
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    qc.cx(1, 0)
    qc.cx(0, 1)
    return qc
