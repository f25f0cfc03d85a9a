"""Lesson 04 checks: alternative correct answers pass, typical mistakes fail with hints."""

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit

from autograder import check
from autograder.solutions import reference

IDS = (
    "04.expectation_from_counts",
    "04.measure_pauli",
    "04.shots_needed",
    "04.mitigate_readout",
)


# ---------------------------------------------------------------- expectation_from_counts


def test_expectation_from_counts_alternatives():
    def by_probabilities(counts, pauli):
        n = len(pauli)
        shots = sum(counts.values())
        z_qubits = [q for q in range(n) if pauli[n - 1 - q] == "Z"]  # qubit numbers
        value = 0.0
        for key, c in counts.items():
            index = int(key, 2)
            parity = sum((index >> q) & 1 for q in z_qubits) % 2
            value += (1 - 2 * parity) * c / shots
        return value

    def numpy_vectorised(counts, pauli):
        keys = list(counts)
        bits = np.array([[int(b) for b in k] for k in keys])
        z = np.array([p == "Z" for p in pauli])
        signs = (-1) ** (bits[:, z].sum(axis=1) % 2)
        n = np.array([counts[k] for k in keys], dtype=float)
        return np.float64(signs @ n / n.sum())

    for fn in (by_probabilities, numpy_vectorised):
        r = check("04.expectation_from_counts", fn)
        assert r.passed, r.feedback


def test_expectation_from_counts_mistakes():
    ref = reference("04.expectation_from_counts")

    r = check("04.expectation_from_counts", lambda counts, pauli: ref(counts, pauli[::-1]))
    assert not r.passed and "qubit order reversed" in r.feedback

    def unnormalised(counts, pauli):
        return ref(counts, pauli) * sum(counts.values())

    r = check("04.expectation_from_counts", unnormalised)
    assert r.score == 0 and "divide by the total number of shots" in r.feedback

    def identity_as_z(counts, pauli):
        return ref(counts, "Z" * len(pauli))

    r = check("04.expectation_from_counts", identity_as_z)
    assert not r.passed and "I positions were treated like Z" in r.feedback


# ---------------------------------------------------------------- measure_pauli


def test_measure_pauli_alternatives():
    def measure_all_with_rx(circuit, pauli):
        qc = circuit.copy()
        for q, letter in enumerate(reversed(pauli)):
            if letter == "X":
                qc.ry(-np.pi / 2, q)  # RY(-pi/2) maps the X eigenbasis onto Z
            elif letter == "Y":
                qc.rx(np.pi / 2, q)
        qc.measure_all()  # identity qubits measured too: allowed
        return qc

    def compose_into_new_circuit(circuit, pauli):
        n = circuit.num_qubits
        support = [q for q in range(n) if pauli[n - 1 - q] != "I"]
        qc = QuantumCircuit(n, len(support))
        qc.compose(circuit, inplace=True)
        for q in support:
            letter = pauli[n - 1 - q]
            if letter == "Y":
                qc.s(q)
                qc.z(q)  # S Z = Sdg
            if letter in "XY":
                qc.h(q)
        # bits in a different order than the qubits: the checker follows the map
        for c, q in enumerate(reversed(support)):
            qc.measure(q, c)
        return qc

    for fn in (measure_all_with_rx, compose_into_new_circuit):
        r = check("04.measure_pauli", fn)
        assert r.passed, r.feedback


def _basis_change(qc, pauli, y_gates, order=lambda p: reversed(p)):
    for q, letter in enumerate(order(pauli)):
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            for g in y_gates:
                getattr(qc, g)(q)
    qc.measure_all()
    return qc


def test_measure_pauli_mistakes():
    def s_instead_of_sdg(circuit, pauli):
        return _basis_change(circuit.copy(), pauli, ["s", "h"])

    r = check("04.measure_pauli", s_instead_of_sdg)
    assert r.score == 2 and "S instead of Sdg" in r.feedback  # only 'X' and 'XZ'/'ZX' pass

    def reversed_string(circuit, pauli):
        return _basis_change(circuit.copy(), pauli, ["sdg", "h"], order=lambda p: p)

    r = check("04.measure_pauli", reversed_string)
    assert not r.passed and "qubit order reversed" in r.feedback

    def no_basis_change(circuit, pauli):
        qc = circuit.copy()
        qc.measure_all()
        return qc

    r = check("04.measure_pauli", no_basis_change)
    assert r.score == 0 and "without basis change" in r.feedback

    def in_place(circuit, pauli):
        return _basis_change(circuit, pauli, ["sdg", "h"])

    r = check("04.measure_pauli", in_place)
    assert r.score == 0 and "modified the input circuit in place" in r.feedback

    def h_only_for_y(circuit, pauli):
        return _basis_change(circuit.copy(), pauli, ["h"])

    r = check("04.measure_pauli", h_only_for_y)
    assert not r.passed and "H alone measures X" in r.feedback


# ---------------------------------------------------------------- shots_needed


def test_shots_needed_alternatives():
    def loop(epsilon, delta):
        # search from a lower estimate upwards: the smallest N that satisfies the bound
        n = max(1, int(math.log(2 / delta) / (2 * epsilon**2)) - 2)
        while 2 * math.exp(-2 * n * epsilon**2) > delta:
            n += 1
        return n

    def numpy_ceil(epsilon, delta):
        return np.ceil(np.log(2 / delta) / (2 * epsilon**2))  # a float64 with an integer value

    for fn in (loop, numpy_ceil):
        r = check("04.shots_needed", fn)
        assert r.passed, r.feedback


def test_shots_needed_mistakes():
    r = check("04.shots_needed", lambda e, d: math.ceil(math.log(1 / d) / (2 * e**2)))
    assert r.score == 0 and "one-sided bound" in r.feedback
    r = check("04.shots_needed", lambda e, d: math.floor(math.log(2 / d) / (2 * e**2)))
    assert r.score == 0 and "rounded down" in r.feedback
    r = check("04.shots_needed", lambda e, d: math.ceil(math.log(2 / d) / (2 * e**2)) + 1)
    assert r.score == 0 and "off-by-one" in r.feedback
    r = check("04.shots_needed", lambda e, d: math.log(2 / d) / (2 * e**2))
    assert r.score == 0 and "not a whole number" in r.feedback


# ---------------------------------------------------------------- mitigate_readout


def test_mitigate_readout_alternatives():
    def per_axis_inverse(counts, p0_given_1, p1_given_0):
        n = len(next(iter(counts)))
        inv = np.linalg.inv([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]])
        shots = sum(counts.values())
        quasi = {}
        for target in range(2**n):
            t = format(target, f"0{n}b")
            value = 0.0
            for key, c in counts.items():
                weight = 1.0
                for tb, kb in zip(t, key):
                    weight *= inv[int(tb), int(kb)]
                value += weight * c / shots
            if abs(value) > 1e-12:
                quasi[t] = value  # zero entries left out: allowed
        return quasi

    def with_qiskit_operator(counts, p0_given_1, p1_given_0):
        from qiskit.quantum_info import Operator

        n = len(next(iter(counts)))
        m = Operator(np.array([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]]))
        full = m
        for _ in range(n - 1):
            full = full.tensor(m)
        vec = np.zeros(2**n)
        for key, c in counts.items():
            vec[int(key, 2)] = c
        quasi = np.linalg.pinv(full.data.real) @ (vec / vec.sum())
        return {format(i, f"0{n}b"): q for i, q in enumerate(quasi)}  # NumPy floats

    for fn in (per_axis_inverse, with_qiskit_operator):
        r = check("04.mitigate_readout", fn)
        assert r.passed, r.feedback


def test_mitigate_readout_mistakes():
    ref = reference("04.mitigate_readout")

    r = check("04.mitigate_readout", lambda c, a, b: ref(c, b, a))
    assert r.score == 0 and "rates are swapped" in r.feedback

    def clipped(counts, a, b):
        q = {k: max(v, 0.0) for k, v in ref(counts, a, b).items()}
        s = sum(q.values())
        return {k: v / s for k, v in q.items()}

    r = check("04.mitigate_readout", clipped)
    assert r.score == 1 and "clipped" in r.feedback  # only the one-qubit case has no negatives

    def unnormalised(counts, a, b):
        shots = sum(counts.values())
        return {k: v * shots for k, v in ref(counts, a, b).items()}

    r = check("04.mitigate_readout", unnormalised)
    assert r.score == 0 and "divide the counts by the number of shots" in r.feedback

    def reversed_keys(counts, a, b):
        return {k[::-1]: v for k, v in ref(counts, a, b).items()}

    r = check("04.mitigate_readout", reversed_keys)
    assert not r.passed and "qubit order reversed" in r.feedback


ODD_ANSWERS = [
    None,
    "ZZ",
    float("nan"),
    True,
    [0.5, 0.5],
    {0: 0.5, 1: 0.5},
    {"0": "half"},
    {"0": 1j},
    np.array([[1.0, 2.0]]),
    QuantumCircuit(1),
    QuantumCircuit(4, 4),
]


@pytest.mark.parametrize("ex_id", IDS)
def test_odd_answers_fail_cleanly_without_grader_errors(ex_id):
    for odd in ODD_ANSWERS:
        r = check(ex_id, lambda *args, _odd=odd, **kw: _odd)
        assert r.error is None, (ex_id, odd, r.feedback)
        assert not r.passed


def test_measure_pauli_structural_mistakes():
    def measures_nothing_useful(circuit, pauli):
        qc = circuit.copy()
        qc.add_register(__import__("qiskit").ClassicalRegister(1))
        qc.measure(0, 0)  # only qubit 0
        return qc

    r = check("04.measure_pauli", measures_nothing_useful)
    assert not r.passed and r.error is None and "are not measured" in r.feedback

    def gate_after_measure(circuit, pauli):
        qc = circuit.copy()
        qc.measure_all()
        qc.h(0)
        return qc

    r = check("04.measure_pauli", gate_after_measure)
    assert r.score == 0 and r.error is None and "basis change first" in r.feedback
