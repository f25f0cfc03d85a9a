"""Reference solutions for lesson 01 (qubits, the Born rule, the Bloch sphere)."""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit


def normalize(amplitudes: np.ndarray) -> np.ndarray:
    """The complex vector scaled to unit norm.

    >>> normalize([3, 4j]).round(3).tolist()
    [(0.6+0j), 0.8j]
    """
    v = np.asarray(amplitudes, dtype=complex)
    norm = np.linalg.norm(v)
    if norm == 0:
        raise ValueError(
            "the zero vector cannot be normalised: at least one amplitude must be non-zero"
        )
    return v / norm


def measurement_probabilities(state: np.ndarray) -> np.ndarray:
    """Born-rule probabilities |a_k|^2 in index order.

    >>> measurement_probabilities(np.array([0.6, 0.8j])).round(2).tolist()
    [0.36, 0.64]
    """
    a = np.asarray(state, dtype=complex)
    return (a.conj() * a).real


def bloch_angles(state: np.ndarray) -> tuple[float, float]:
    """(theta, phi) of a normalised 1-qubit state, theta in [0, pi], phi in [0, 2pi).

    >>> [round(x, 4) for x in bloch_angles(np.array([1, -1j]) / np.sqrt(2))]
    [1.5708, 4.7124]
    """
    alpha, beta = np.asarray(state, dtype=complex)
    theta = 2 * np.arctan2(abs(beta), abs(alpha))
    phi = 0.0 if min(abs(alpha), abs(beta)) < 1e-12 else float(np.angle(beta * np.conj(alpha)))
    return float(theta), phi % (2 * np.pi)


def prepare_state(theta: float, phi: float) -> QuantumCircuit:
    """A 1-qubit circuit preparing cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>.

    >>> prepare_state(np.pi / 2, 0).count_ops()["ry"]
    1
    """
    qc = QuantumCircuit(1)
    qc.ry(theta, 0)
    qc.p(phi, 0)
    return qc


def minus_i_circuit() -> QuantumCircuit:
    """A 1-qubit circuit preparing (|0> - i|1>)/sqrt2.

    >>> sorted(minus_i_circuit().count_ops())
    ['h', 'sdg']
    """
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.sdg(0)
    return qc
