"""Lesson 02 checks: alternative correct answers pass, typical mistakes fail with hints."""

from functools import reduce

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import HGate, ZGate
from qiskit.quantum_info import Operator, Statevector

from autograder import check


def _hint(result):
    return " | ".join(result.mistakes)


# -------------------------------------------------------------------------- x_from_h_and_z


def test_x_from_h_and_z_alternatives():
    def with_global_phase():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.z(0)
        qc.z(0)
        qc.z(0)  # Z^3 = Z
        qc.h(0)
        qc.global_phase = 0.4
        return qc

    def appended_gates():
        qc = QuantumCircuit(1)
        for gate in (HGate(), ZGate(), HGate()):
            qc.append(gate, [0])
        return qc

    for fn in (with_global_phase, appended_gates):
        r = check("02.x_from_h_and_z", fn)
        assert r.passed, r.feedback


def test_x_from_h_and_z_mistakes():
    def uses_x():
        qc = QuantumCircuit(1)
        qc.x(0)
        return qc

    r = check("02.x_from_h_and_z", uses_x)
    assert r.score == 0 and "forbidden gate used: x" in _hint(r)

    def h_then_z():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.z(0)
        return qc

    r = check("02.x_from_h_and_z", h_then_z)
    assert r.score == 1 and "H Z H" in _hint(r)

    def measured():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.z(0)
        qc.h(0)
        qc.measure_all()
        return qc

    r = check("02.x_from_h_and_z", measured)
    assert r.score == 0 and "measurement left" in _hint(r)

    r = check("02.x_from_h_and_z", lambda: QuantumCircuit(1))
    assert r.score == 0 and "circuit is empty" in r.feedback


# ------------------------------------------------------------------- apply_single_qubit_gate


def _kron_operator(gate, qubit, n, reverse=False):
    mats = [np.asarray(gate) if q == qubit else np.eye(2) for q in range(n)]
    # Qiskit order: qubit n-1 is the leftmost factor
    return reduce(np.kron, mats if reverse else mats[::-1])


def test_apply_single_qubit_gate_alternatives():
    def with_kron(state, gate, qubit):
        n = int(np.log2(len(state)))
        return _kron_operator(gate, qubit, n) @ np.asarray(state)

    def with_statevector(state, gate, qubit):
        return Statevector(list(state)).evolve(Operator(gate), qargs=[qubit])

    def with_index_loop(state, gate, qubit):
        out = np.zeros(len(state), dtype=complex)
        for k, amp in enumerate(state):
            bit = (k >> qubit) & 1
            for new in (0, 1):
                out[(k & ~(1 << qubit)) | (new << qubit)] += gate[new][bit] * amp
        return out

    for fn in (with_kron, with_statevector, with_index_loop):
        r = check("02.apply_single_qubit_gate", fn)
        assert r.passed, r.feedback


def test_apply_single_qubit_gate_mistakes():
    def kron_reversed(state, gate, qubit):
        n = int(np.log2(len(state)))
        return _kron_operator(gate, qubit, n, reverse=True) @ np.asarray(state)

    r = check("02.apply_single_qubit_gate", kron_reversed)
    assert not r.passed and "qubit order reversed" in _hint(r) and "np.kron" in _hint(r)

    def transposed(state, gate, qubit):
        n = int(np.log2(len(state)))
        return _kron_operator(np.asarray(gate).T, qubit, n) @ np.asarray(state)

    r = check("02.apply_single_qubit_gate", transposed)
    assert not r.passed and "transposed gate" in _hint(r)

    def returns_matrix(state, gate, qubit):
        n = int(np.log2(len(state)))
        return _kron_operator(gate, qubit, n)

    r = check("02.apply_single_qubit_gate", returns_matrix)
    assert r.score == 0 and "return U @ state" in _hint(r)


# ------------------------------------------------------------------ ry_angle_for_probability


def test_ry_angle_for_probability_alternatives():
    def with_arccos(p1):
        if p1 < 0 or p1 > 1:
            raise ValueError("p1 must be a probability")
        return 2 * np.arccos(np.sqrt(1 - p1))

    def with_cos_double_angle(p1):
        if not 0 <= p1 <= 1:
            raise ValueError(f"{p1} is not in [0, 1]")
        return np.arccos(1 - 2 * p1)  # cos(theta) = 1 - 2 sin^2(theta/2)

    for fn in (with_arccos, with_cos_double_angle):
        r = check("02.ry_angle_for_probability", fn)
        assert r.passed, r.feedback


def _checked(fn):
    def wrapped(p1):
        if not 0 <= p1 <= 1:
            raise ValueError("bad p1")
        return fn(p1)

    return wrapped


def test_ry_angle_for_probability_mistakes():
    r = check("02.ry_angle_for_probability", _checked(lambda p: np.arcsin(np.sqrt(p))))
    assert r.score == 1 and "half the angle" in _hint(r)
    r = check(
        "02.ry_angle_for_probability", _checked(lambda p: np.degrees(2 * np.arcsin(np.sqrt(p))))
    )
    assert r.score == 1 and "degrees instead of radians" in _hint(r)
    r = check("02.ry_angle_for_probability", _checked(lambda p: 2 * np.arccos(np.sqrt(p))))
    assert r.score == 2 and "P(0) = p1" in _hint(r)  # p = 0.5 is symmetric
    r = check("02.ry_angle_for_probability", lambda p: 2 * np.arcsin(np.sqrt(p)))
    assert r.score == 2 and "raise ValueError" in _hint(r) + r.feedback


# ----------------------------------------------------------------------------- is_unitary


def test_is_unitary_alternatives():
    def with_allclose(matrix, atol=1e-9):
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            return False
        return np.allclose(m @ m.conj().T, np.eye(len(m)), atol=atol, rtol=0)

    def with_norm(matrix, atol=1e-9):
        m = np.array(matrix, dtype=complex)
        if len(m.shape) != 2 or m.shape[0] != m.shape[1]:
            return False
        return bool(np.abs(m.conj().T @ m - np.eye(m.shape[0])).max() <= atol)

    for fn in (with_allclose, with_norm):
        r = check("02.is_unitary", fn)
        assert r.passed, r.feedback


def test_is_unitary_mistakes():
    def plain_transpose(matrix, atol=1e-9):
        m = np.asarray(matrix)
        if m.shape[0] != m.shape[1]:
            return False
        return bool(np.allclose(m.T @ m, np.eye(len(m)), atol=atol, rtol=0))

    r = check("02.is_unitary", plain_transpose)
    assert r.score == 2 and "conjugate transpose" in _hint(r)

    def no_shape_check(matrix, atol=1e-9):
        m = np.asarray(matrix)
        return bool(np.allclose(m.conj().T @ m, np.eye(len(m)), atol=atol, rtol=0))

    r = check("02.is_unitary", no_shape_check)
    assert r.score == 2 and "non-square" in _hint(r)

    def ignores_atol(matrix, atol=1e-9):
        m = np.asarray(matrix)
        if m.shape[0] != m.shape[1]:
            return False
        return bool(np.allclose(m.conj().T @ m, np.eye(len(m))))

    r = check("02.is_unitary", ignores_atol)
    assert r.score == 2 and "atol argument" in _hint(r)

    r = check("02.is_unitary", lambda m, atol=1e-9: int(abs(abs(np.linalg.det(m)) - 1) < atol))
    assert r.score == 0 and "return a bool" in _hint(r)


# ------------------------------------------------------------------------- swap_from_cnots


def test_swap_from_cnots_alternatives():
    def other_direction():
        qc = QuantumCircuit(2)
        qc.cx(1, 0)
        qc.cx(0, 1)
        qc.cx(1, 0)
        return qc

    def five_cnots():
        qc = QuantumCircuit(2)
        qc.cx(0, 1)
        qc.cx(0, 1)  # these two cancel
        qc.cx(0, 1)
        qc.cx(1, 0)
        qc.cx(0, 1)
        return qc

    for fn in (other_direction, five_cnots):
        r = check("02.swap_from_cnots", fn)
        assert r.passed, r.feedback


def test_swap_from_cnots_mistakes():
    def same_direction():
        qc = QuantumCircuit(2)
        for _ in range(3):
            qc.cx(0, 1)
        return qc

    r = check("02.swap_from_cnots", same_direction)
    assert r.score == 1 and "alternate" in _hint(r)

    def uses_swap():
        qc = QuantumCircuit(2)
        qc.swap(0, 1)
        return qc

    r = check("02.swap_from_cnots", uses_swap)
    assert r.score == 0 and "forbidden gate used: swap" in _hint(r)

    def two_cnots():
        qc = QuantumCircuit(2)
        qc.cx(0, 1)
        qc.cx(1, 0)
        return qc

    r = check("02.swap_from_cnots", two_cnots)
    assert r.score == 1 and "three" in _hint(r)

    r = check("02.swap_from_cnots", lambda: QuantumCircuit(2))
    assert r.score == 0 and "circuit is empty" in r.feedback
