"""Lesson 05 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import StatePreparation, zz_feature_map
from qiskit.quantum_info import Statevector

from autograder import check
from autograder.solutions import reference

# ------------------------------------------------------------------------- basis encoding


def test_basis_encoding_alternatives():
    def with_ry(bits):
        qc = QuantumCircuit(len(bits))
        for i, b in enumerate(bits[::-1]):
            if b == "1":
                qc.ry(np.pi, i)
        return qc

    def with_initialize(bits):
        n = len(bits)
        vec = np.zeros(2**n)
        vec[int(bits, 2)] = 1
        qc = QuantumCircuit(n)
        qc.initialize(vec)
        return qc

    for fn in (with_ry, with_initialize):
        assert check("05.basis_encoding", fn).passed


def test_basis_encoding_mistakes():
    def reversed_order(bits):
        qc = QuantumCircuit(len(bits))
        for i, b in enumerate(bits):
            if b == "1":
                qc.x(i)
        return qc

    def measured(bits):
        qc = reference("05.basis_encoding")(bits)
        qc.measure_all()
        return qc

    r = check("05.basis_encoding", reversed_order)
    assert not r.passed and "qubit order reversed" in r.feedback
    r = check("05.basis_encoding", measured)
    assert r.score == 0 and "measurement left" in r.feedback


# ------------------------------------------------------------------------- angle encoding


def test_angle_encoding_alternatives():
    def with_parameters_bound(x):
        params = ParameterVector("x", len(x))
        qc = QuantumCircuit(len(x))
        for i in range(len(x)):
            qc.ry(params[i], i)
        return qc.assign_parameters(list(x))

    def with_u_gates(x):
        qc = QuantumCircuit(len(x))
        for i, v in enumerate(x):
            qc.u(v, 0, 0, i)  # U(theta, 0, 0) = RY(theta)
        return qc

    for fn in (with_parameters_bound, with_u_gates):
        assert check("05.angle_encoding", fn).passed


def test_angle_encoding_mistakes():
    def half_angle(x):
        qc = QuantumCircuit(len(x))
        for i, v in enumerate(x):
            qc.ry(v / 2, i)
        return qc

    def with_rx(x):
        qc = QuantumCircuit(len(x))
        for i, v in enumerate(x):
            qc.rx(v, i)
        return qc

    def reversed_order(x):
        qc = QuantumCircuit(len(x))
        for i, v in enumerate(x):
            qc.ry(v, len(x) - 1 - i)
        return qc

    def unbound(x):
        params = ParameterVector("x", len(x))
        qc = QuantumCircuit(len(x))
        for i in range(len(x)):
            qc.ry(params[i], i)
        return qc

    r = check("05.angle_encoding", half_angle)
    assert r.score == 0 and "half the angle" in r.feedback
    r = check("05.angle_encoding", with_rx)
    assert r.score == 0 and "RX instead of RY" in r.feedback
    r = check("05.angle_encoding", reversed_order)
    assert not r.passed and "qubit order reversed" in r.feedback
    r = check("05.angle_encoding", unbound)
    assert r.score == 0 and "bind the data" in r.feedback


# --------------------------------------------------------------------- amplitude encoding


def test_amplitude_encoding_alternatives():
    def with_initialize(x):
        x = np.asarray(x, dtype=float)
        if x.size < 2 or x.size & (x.size - 1):
            raise ValueError("length must be a power of two")
        if not np.any(x):
            raise ValueError("zero vector")
        qc = QuantumCircuit(int(np.log2(x.size)))
        qc.initialize(list(x / np.linalg.norm(x)))
        return qc

    def with_gate_and_sign_flip(x):
        x = np.array(x, dtype=float)
        n = x.size.bit_length() - 1
        if x.size < 2 or 2**n != x.size or np.linalg.norm(x) == 0:
            raise ValueError("need a non-zero vector of length 2**n")
        qc = QuantumCircuit(n)
        qc.append(StatePreparation(-x / np.linalg.norm(x)), range(n))  # global phase -1
        return qc

    for fn in (with_initialize, with_gate_and_sign_flip):
        r = check("05.amplitude_encoding", fn)
        assert r.passed, r.feedback


def test_amplitude_encoding_mistakes():
    def absolute_values(x):
        x = np.abs(np.asarray(x, dtype=float))
        if x.size < 2 or x.size & (x.size - 1) or not np.any(x):
            raise ValueError("bad input")
        qc = QuantumCircuit(int(np.log2(x.size)))
        qc.prepare_state(x / np.linalg.norm(x))
        return qc

    def no_validation(x):
        x = np.asarray(x, dtype=float)
        n = max(1, int(np.ceil(np.log2(max(x.size, 2)))))
        qc = QuantumCircuit(n)
        padded = np.zeros(2**n)
        padded[: x.size] = x
        norm = np.linalg.norm(padded)
        qc.prepare_state(padded / (norm if norm else 1) if norm else np.eye(2**n)[0])
        return qc

    r = check("05.amplitude_encoding", absolute_values)
    assert not r.passed and "keep the signs" in r.feedback
    r = check("05.amplitude_encoding", no_validation)
    assert r.score == 3 and "should raise ValueError" in r.feedback


# ------------------------------------------------------------------------ ZZ feature map


def _zz(x, reps, *, h=True, pair=None, factor=2.0, linear=False, order=False):
    x = np.asarray(x, dtype=float)
    n = len(x)
    qc = QuantumCircuit(n)
    pairs = (
        [(i, i + 1) for i in range(n - 1)]
        if linear
        else [(i, j) for i in range(n) for j in range(i + 1, n)]
    )
    for _ in range(reps):
        if h:
            for q in range(n):
                qc.h(q)
        for i in range(n):
            qc.p(factor * x[i], n - 1 - i if order else i)
        for i, j in pairs:
            angle = pair(x[i], x[j]) if pair else (np.pi - x[i]) * (np.pi - x[j])
            qc.cx(i, j)
            qc.p(factor * angle, j)
            qc.cx(i, j)
    return qc


def test_zz_feature_map_alternatives():
    def with_rzz(x, reps):
        # P(2a) = e^{i a} RZ(2a); CX P(2 phi) CX on a pair = RZZ(2 phi) up to global phase
        x = np.asarray(x, dtype=float)
        n = len(x)
        qc = QuantumCircuit(n)
        for _ in range(reps):
            qc.h(range(n))
            for i in range(n):
                qc.rz(2 * x[i], i)
            for i in range(n):
                for j in range(i + 1, n):
                    qc.rzz(2 * (np.pi - x[i]) * (np.pi - x[j]), i, j)
        return qc

    def with_parameters(x, reps):
        n = len(x)
        p = ParameterVector("v", n)
        qc = QuantumCircuit(n)
        for _ in range(reps):
            qc.h(range(n))
            for i in range(n):
                qc.p(2 * p[i], i)
            for j in range(n):
                for i in range(j):
                    qc.cx(j, i)  # the ZZ phase is symmetric: either qubit may be the target
                    qc.p(2 * (np.pi - p[i]) * (np.pi - p[j]), i)
                    qc.cx(j, i)
        return qc.assign_parameters(list(x))

    for fn in (with_rzz, with_parameters):
        r = check("05.zz_feature_map", fn)
        assert r.passed, r.feedback


def test_zz_feature_map_mistakes():
    cases = [
        (lambda x, reps: _zz(x, reps, h=False), "Hadamard layer is missing"),
        (lambda x, reps: _zz(x, reps, pair=lambda a, b: a * b), "not x_i * x_j"),
        (lambda x, reps: _zz(x, reps, factor=1.0), "factor 2 missing"),
        (lambda x, reps: _zz(x, reps, linear=True), "linear instead of full"),
        (lambda x, reps: _zz(x, 1), "wrong number of repetitions"),
    ]
    for fn, hint in cases:
        r = check("05.zz_feature_map", fn)
        assert not r.passed and hint in r.feedback, (hint, r.feedback)


def test_zz_feature_map_library_is_refused():
    def library(x, reps):
        return zz_feature_map(len(x), reps=reps).assign_parameters(x)

    from qiskit.circuit import library as lib

    def library_by_attribute(x, reps):
        qc = QuantumCircuit(len(x))
        qc.compose(lib.zz_feature_map(len(x), reps=reps), inplace=True)
        return qc.assign_parameters(x)

    def library_as_gate(x, reps):
        qc = QuantumCircuit(len(x))
        fm = QuantumCircuit(len(x), name="mine").compose(
            lib.pauli_feature_map(len(x), reps=reps, paulis=["Z", "ZZ"])
        )
        gate = fm.assign_parameters(x).to_gate(label="PauliFeatureMap")
        qc.append(gate, range(len(x)))
        return qc

    for fn in (library, library_by_attribute, library_as_gate):
        r = check("05.zz_feature_map", fn)
        assert not r.passed and "forbidden library feature map" in r.feedback, r.feedback


def test_statevector_of_reference_matches_library():
    x = np.array([0.3, 2.0, 1.1])
    a = Statevector(reference("05.zz_feature_map")(x, 2))
    b = Statevector(zz_feature_map(3, reps=2).assign_parameters(x))
    assert a.equiv(b)
