"""Reference solutions for lesson 00 (getting started)."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit


def plus_state() -> np.ndarray:
    """Amplitudes of |+> = (|0> + |1>)/sqrt(2)."""
    return np.full(2, 1 / np.sqrt(2), dtype=complex)


def x_on_qubit(n: int, k: int) -> QuantumCircuit:
    """An n-qubit circuit with one X gate on qubit k."""
    qc = QuantumCircuit(n)
    qc.x(k)
    return qc
