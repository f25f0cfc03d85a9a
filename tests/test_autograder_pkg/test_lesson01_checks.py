"""Lesson 01 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Pauli, Statevector

from autograder import check


def _hint(result):
    return " | ".join(result.mistakes)


# ------------------------------------------------------------------------------ normalize


def test_normalize_alternatives():
    def by_hand(amplitudes):
        total = sum(abs(a) ** 2 for a in amplitudes)
        if total == 0:
            raise ValueError("zero vector")
        return [a / total**0.5 for a in amplitudes]

    def as_statevector(amplitudes):
        v = np.array(amplitudes, dtype=complex)
        if not v.any():
            raise ValueError("all amplitudes are zero")
        return Statevector(v / np.sqrt(np.vdot(v, v).real))

    for fn in (by_hand, as_statevector):
        r = check("01.normalize", fn)
        assert r.passed, r.feedback


def test_normalize_mistakes():
    def no_sqrt(amplitudes):
        v = np.asarray(amplitudes, dtype=complex)
        return v / np.sum(np.abs(v) ** 2)

    r = check("01.normalize", no_sqrt)
    assert r.score == 0 and "squared norm" in _hint(r)

    def real_only(amplitudes):
        v = np.asarray(amplitudes)
        out = np.zeros(len(v))
        out[:] = v.real / np.linalg.norm(v)
        return out

    r = check("01.normalize", real_only)
    assert not r.passed and "imaginary parts dropped" in _hint(r)

    def no_error(amplitudes):
        v = np.asarray(amplitudes, dtype=complex)
        return v / np.linalg.norm(v) if np.linalg.norm(v) else v

    r = check("01.normalize", no_error)
    assert r.score == 2 and "raise ValueError" in _hint(r)

    def phase_changed(amplitudes):
        v = np.asarray(amplitudes, dtype=complex)
        if not v.any():
            raise ValueError
        return 1j * v / np.linalg.norm(v)

    r = check("01.normalize", phase_changed)
    assert r.score == 1 and "phase changed" in _hint(r)


# --------------------------------------------------------------- measurement_probabilities


def test_measurement_probabilities_alternatives():
    def with_list(state):
        return [abs(a) ** 2 for a in state]

    def with_statevector(state):
        return Statevector(state).probabilities()

    for fn in (with_list, with_statevector):
        r = check("01.measurement_probabilities", fn)
        assert r.passed, r.feedback


def test_measurement_probabilities_mistakes():
    r = check("01.measurement_probabilities", lambda s: np.abs(s))
    assert r.score == 0 and "instead of |amplitude|**2" in _hint(r)
    r = check("01.measurement_probabilities", lambda s: np.asarray(s) ** 2)
    assert r.score == 0 and "np.abs(a)**2" in _hint(r)
    r = check("01.measurement_probabilities", lambda s: Statevector(s).probabilities_dict())
    assert r.score == 0 and "not a dict" in _hint(r)

    def reversed_order(state):
        n = int(np.log2(len(state)))
        return Statevector(state).reverse_qargs().probabilities() if n > 1 else np.abs(state) ** 2

    r = check("01.measurement_probabilities", reversed_order)
    assert r.score == 2 and "qubit order reversed" in _hint(r)


# ---------------------------------------------------------------------------- bloch_angles


def test_bloch_angles_alternatives():
    def via_bloch_vector(state):
        sv = Statevector(state)
        x, y, z = (sv.expectation_value(Pauli(p)).real for p in "XYZ")
        return np.arccos(np.clip(z, -1, 1)), np.arctan2(y, x) % (2 * np.pi)

    def via_phase_removal(state):
        a, b = state
        if abs(a) > 1e-12:
            b = b * np.exp(-1j * np.angle(a))
        theta = 2 * np.arccos(min(abs(a), 1.0))
        phi = np.angle(b)
        if phi < 0:
            phi += 2 * np.pi
        return [theta, phi]  # a list is accepted too

    for fn in (via_bloch_vector, via_phase_removal):
        r = check("01.bloch_angles", fn)
        assert r.passed, r.feedback


def test_bloch_angles_mistakes():
    def phi_signed(state):
        a, b = state
        return 2 * np.arccos(abs(a)), np.angle(b) - np.angle(a)

    r = check("01.bloch_angles", phi_signed)
    assert not r.passed and "add 2*pi to negative values" in _hint(r)

    def half_theta(state):
        a, b = state
        return np.arccos(abs(a)), (np.angle(b) - np.angle(a)) % (2 * np.pi)

    r = check("01.bloch_angles", half_theta)
    assert r.score <= 1 and "half the angle" in _hint(r)

    def keeps_global_phase(state):
        a, b = state
        return 2 * np.arccos(abs(a)), np.angle(b) % (2 * np.pi)

    r = check("01.bloch_angles", keeps_global_phase)
    assert r.score == 3 and "global phase was not removed" in _hint(r)

    def in_degrees(state):
        a, b = state
        return np.degrees(2 * np.arccos(abs(a))), np.degrees(np.angle(b / a) % (2 * np.pi))

    r = check("01.bloch_angles", in_degrees)
    assert not r.passed and "degrees instead of radians" in _hint(r)

    def real_part(state):
        a, b = state
        return 2 * np.arccos(np.clip(a.real, -1, 1)), (np.angle(b) - np.angle(a)) % (2 * np.pi)

    r = check("01.bloch_angles", real_part)
    assert not r.passed and "use its magnitude" in _hint(r)

    r = check("01.bloch_angles", lambda s: 1.0)
    assert r.score == 0 and "tuple (theta, phi)" in r.feedback


# ---------------------------------------------------------------------------- prepare_state


def test_prepare_state_alternatives():
    def with_u(theta, phi):
        qc = QuantumCircuit(1)
        qc.u(theta, phi, 0, 0)
        return qc

    def with_rz_and_rx(theta, phi):
        qc = QuantumCircuit(1)
        qc.rx(theta, 0)  # RX = RZ(-pi/2) RY RZ(pi/2) up to phase: fix the extra -i
        qc.rz(phi + np.pi / 2, 0)  # a different global phase
        return qc

    for fn in (with_u, with_rz_and_rx):
        r = check("01.prepare_state", fn)
        assert r.passed, r.feedback


def test_prepare_state_mistakes():
    def half(theta, phi):
        qc = QuantumCircuit(1)
        qc.ry(theta / 2, 0)
        qc.p(phi, 0)
        return qc

    r = check("01.prepare_state", half)
    assert r.score == 0 and "half the angle" in _hint(r)

    def phase_first(theta, phi):
        qc = QuantumCircuit(1)
        qc.p(phi, 0)
        qc.ry(theta, 0)
        return qc

    r = check("01.prepare_state", phase_first)
    assert not r.passed and "phase gate must come after RY" in _hint(r)

    def minus_phi(theta, phi):
        qc = QuantumCircuit(1)
        qc.ry(theta, 0)
        qc.p(-phi, 0)
        return qc

    r = check("01.prepare_state", minus_phi)
    assert not r.passed and "wrong sign of the relative phase" in _hint(r)

    def measured(theta, phi):
        qc = QuantumCircuit(1)
        qc.ry(theta, 0)
        qc.p(phi, 0)
        qc.measure_all()
        return qc

    r = check("01.prepare_state", measured)
    assert r.score == 0 and "measurement left in the circuit" in _hint(r)


# -------------------------------------------------------------------------- minus_i_circuit


def test_minus_i_circuit_alternatives():
    def with_rx():
        qc = QuantumCircuit(1)
        qc.rx(np.pi / 2, 0)
        return qc

    def with_h_s_z():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.s(0)
        qc.z(0)  # S then Z = S-dagger up to nothing: phase -i on |1>
        return qc

    for fn in (with_rx, with_h_s_z):
        r = check("01.minus_i_circuit", fn)
        assert r.passed, r.feedback


def test_minus_i_circuit_mistakes():
    def plus_i():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.s(0)
        return qc

    r = check("01.minus_i_circuit", plus_i)
    assert r.score == 1 and "opposite sign of i" in _hint(r)

    def minus():
        qc = QuantumCircuit(1)
        qc.h(0)
        qc.z(0)
        return qc

    r = check("01.minus_i_circuit", minus)
    assert r.score == 1 and "must be -i, not -1" in _hint(r)

    r = check("01.minus_i_circuit", lambda: QuantumCircuit(1))
    assert r.score == 0 and "the state is still |0>: no gate moved it" in _hint(r)

    r = check("01.minus_i_circuit", lambda: np.array([1, -1j]) / np.sqrt(2))
    assert r.score == 0 and "Expected a QuantumCircuit" in r.feedback
