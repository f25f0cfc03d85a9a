"""Lesson 00 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from autograder import check


def test_plus_state_alternatives():
    def as_list_with_phase():
        return [-1 / np.sqrt(2), -1 / np.sqrt(2)]

    def via_statevector():
        qc = QuantumCircuit(1)
        qc.h(0)
        return Statevector(qc)

    for fn in (as_list_with_phase, via_statevector):
        assert check("00.plus_state", fn).passed


def test_plus_state_mistakes():
    r = check("00.plus_state", lambda: np.array([1, 1]))
    assert r.score == 0 and "not normalised" in r.feedback
    r = check("00.plus_state", lambda: np.array([1, -1]) / np.sqrt(2))
    assert r.score == 1 and "wrong sign" in r.feedback


def test_x_on_qubit_alternatives():
    def with_ry(n, k):
        qc = QuantumCircuit(n)
        qc.ry(np.pi, k)  # RY(pi)|0> = |1>
        return qc

    def with_h_z_h(n, k):
        qc = QuantumCircuit(n)
        qc.h(k)
        qc.z(k)
        qc.h(k)
        return qc

    for fn in (with_ry, with_h_z_h):
        assert check("00.x_on_qubit", fn).passed


def test_x_on_qubit_mistakes():
    def reversed_order(n, k):
        qc = QuantumCircuit(n)
        qc.x(n - 1 - k)
        return qc

    def measured(n, k):
        qc = QuantumCircuit(n)
        qc.x(k)
        qc.measure_all()
        return qc

    r = check("00.x_on_qubit", reversed_order)
    assert not r.passed and "qubit order reversed" in r.feedback
    r = check("00.x_on_qubit", measured)
    assert r.score == 0 and "measurement left in the circuit" in r.feedback
