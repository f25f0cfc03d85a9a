"""Reference solutions for lesson 05 (encoding classical data)."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit


def basis_encoding(bits: str) -> QuantumCircuit:
    """The basis state |bits> (Qiskit order: the rightmost character is qubit 0)."""
    n = len(bits)
    qc = QuantumCircuit(n)
    for qubit, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(qubit)
    return qc


def angle_encoding(x) -> QuantumCircuit:
    """RY(x[i]) on qubit i."""
    x = np.asarray(x, dtype=float)
    qc = QuantumCircuit(len(x))
    for i, angle in enumerate(x):
        qc.ry(float(angle), i)
    return qc


def amplitude_encoding(x) -> QuantumCircuit:
    """Prepare x/|x| with Qiskit's exact state preparation."""
    x = np.asarray(x, dtype=float).reshape(-1)
    n = int(round(np.log2(x.size))) if x.size > 0 else -1
    if n < 1 or 2**n != x.size:
        raise ValueError(f"amplitude encoding needs 2**n numbers (n >= 1), got {x.size}")
    norm = np.linalg.norm(x)
    if norm == 0:
        raise ValueError("cannot encode the zero vector: it has no direction")
    qc = QuantumCircuit(n)
    qc.prepare_state(x / norm, range(n))
    return qc


def zz_feature_map(x, reps: int) -> QuantumCircuit:
    """The ZZ feature map of Havlicek et al. 2019, full entanglement, built from H, P, CX."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    qc = QuantumCircuit(n)
    for _ in range(reps):
        qc.h(range(n))
        for i in range(n):
            qc.p(2 * x[i], i)
        for i in range(n):
            for j in range(i + 1, n):
                qc.cx(i, j)
                qc.p(2 * (np.pi - x[i]) * (np.pi - x[j]), j)
                qc.cx(i, j)
    return qc
