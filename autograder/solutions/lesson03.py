"""Reference solutions for lesson 03 (entanglement)."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, Pauli, Statevector, partial_trace


def bell_state(name: str) -> QuantumCircuit:
    """Circuit preparing one of the four Bell states from |00>."""
    flips = {"phi+": (0, 0), "phi-": (0, 1), "psi+": (1, 0), "psi-": (1, 1)}
    if name not in flips:
        raise ValueError(f"unknown Bell state {name!r}; use one of {sorted(flips)}")
    bit_flip, phase_flip = flips[name]
    qc = QuantumCircuit(2)
    if bit_flip:
        qc.x(1)
    if phase_flip:
        qc.x(0)
    qc.h(0)
    qc.cx(0, 1)
    return qc


def ghz_circuit(n: int) -> QuantumCircuit:
    """H on qubit 0, then a CNOT fan-out from qubit 0 to every other qubit."""
    qc = QuantumCircuit(n)
    qc.h(0)
    for target in range(1, n):
        qc.cx(0, target)
    return qc


def is_entangled(state, atol: float = 1e-8) -> bool:
    """A 2-qubit pure state is a product iff its second Schmidt coefficient vanishes."""
    matrix = np.asarray(state, dtype=complex).reshape(2, 2)
    singular_values = np.linalg.svd(matrix, compute_uv=False)
    return bool(singular_values[1] > atol)


def reduced_density_matrix(state, keep) -> np.ndarray:
    """Partial trace over every qubit not in ``keep`` (with qiskit.quantum_info)."""
    psi = Statevector(np.asarray(state, dtype=complex))
    traced = [q for q in range(psi.num_qubits) if q not in set(keep)]
    return np.asarray(partial_trace(psi, traced).data)


def chsh_value(a0: float, a1: float, b0: float, b1: float) -> float:
    """CHSH combination for |Phi+> with observables cos(t) Z + sin(t) X."""
    phi = Statevector([1, 0, 0, 1] / np.sqrt(2))
    Z, X = Operator(Pauli("Z")), Operator(Pauli("X"))

    def obs(t: float) -> Operator:
        return np.cos(t) * Z + np.sin(t) * X

    def E(a: float, b: float) -> float:
        return float(np.real(phi.expectation_value(obs(b).tensor(obs(a)))))

    return E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1)
