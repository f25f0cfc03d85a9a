"""Reference solutions for lesson 04 (measurement, observables and noise)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit


def expectation_from_counts(counts: Mapping[str, int], pauli: str) -> float:
    """Estimate <P> for a Pauli string of I and Z from measured counts."""
    mask = [i for i, p in enumerate(pauli) if p == "Z"]  # string positions, as in the keys
    total = 0
    signed = 0
    for key, n in counts.items():
        parity = sum(key[i] == "1" for i in mask) % 2
        signed += (-1) ** parity * n
        total += n
    return signed / total


def measure_pauli(circuit: QuantumCircuit, pauli: str) -> QuantumCircuit:
    """Copy, rotate each non-identity qubit into the Z basis, measure qubit q into bit q.

    The product of (-1)**bit over the non-identity qubits' bits is the eigenvalue of P.
    """
    qc = circuit.copy()
    n = len(pauli)
    creg = ClassicalRegister(n, "p")
    qc.add_register(creg)
    for q in range(n):
        letter = pauli[n - 1 - q]
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            qc.sdg(q)
            qc.h(q)
    for q in range(n):
        if pauli[n - 1 - q] != "I":
            qc.measure(q, creg[q])
    return qc


def shots_needed(epsilon: float, delta: float) -> int:
    """Smallest N with 2 exp(-2 N eps^2) <= delta (two-sided Hoeffding bound)."""
    return math.ceil(math.log(2 / delta) / (2 * epsilon**2))


def mitigate_readout(counts: Mapping[str, int], p0_given_1: float, p1_given_0: float) -> dict:
    """Invert the tensor product of identical single-qubit confusion matrices."""
    n = len(next(iter(counts)))
    shots = sum(counts.values())
    measured = np.zeros(2**n)
    for key, value in counts.items():
        measured[int(key, 2)] += value / shots
    single = np.array([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]])
    full = np.ones((1, 1))
    for _ in range(n):
        full = np.kron(full, single)
    quasi = np.linalg.solve(full, measured)
    return {format(i, f"0{n}b"): float(v) for i, v in enumerate(quasi)}
