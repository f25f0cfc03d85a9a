"""Lesson 03 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, SparsePauliOp, Statevector, partial_trace

from autograder import check
from autograder.solutions import reference

IDS = (
    "03.bell_state",
    "03.ghz_circuit",
    "03.is_entangled",
    "03.reduced_density_matrix",
    "03.chsh_value",
)


# ---------------------------------------------------------------- bell_state


def _bell_with_control_1(name):
    """Other qubit as control, Z instead of X for the sign, global phases from RY/RZ."""
    if name not in ("phi+", "phi-", "psi+", "psi-"):
        raise ValueError(name)
    qc = QuantumCircuit(2)
    qc.ry(np.pi / 2, 1)
    qc.cx(1, 0)
    if name.startswith("psi"):
        qc.x(0)
    if name.endswith("-"):
        qc.rz(np.pi, 1)  # Z up to a global phase
    return qc


def _bell_by_initialize(name):
    s = 1 / np.sqrt(2)
    table = {
        "phi+": [s, 0, 0, s],
        "phi-": [-s, 0, 0, s],
        "psi+": [0, 1j * s, 1j * s, 0],
        "psi-": [0, -s, s, 0],
    }
    qc = QuantumCircuit(2)
    qc.prepare_state(table[name], [0, 1])  # KeyError is not accepted; see the mistake test
    return qc


def test_bell_state_alternatives():
    r = check("03.bell_state", _bell_with_control_1)
    assert r.passed, r.feedback

    def by_prepare_state(name):
        if name not in ("phi+", "phi-", "psi+", "psi-"):
            raise ValueError("unknown Bell state")
        return _bell_by_initialize(name)

    r = check("03.bell_state", by_prepare_state)
    assert r.passed, r.feedback


def test_bell_state_mistakes():
    r = check("03.bell_state", _bell_by_initialize)  # KeyError, not ValueError
    assert r.score == 4 and "should raise ValueError" in r.feedback

    def swapped_families(name):
        qc = reference("03.bell_state")({"phi+": "psi+", "psi+": "phi+"}.get(name, name))
        return qc

    r = check("03.bell_state", swapped_families)
    assert r.score == 3 and "X on one qubit before the CNOT swaps Φ and Ψ" in r.feedback

    def minus_forgotten(name):
        return reference("03.bell_state")(name.replace("-", "+"))

    r = check("03.bell_state", minus_forgotten)
    assert r.score == 3 and "flips the sign" in r.feedback

    def measured(name):
        qc = reference("03.bell_state")(name)
        qc.measure_all()
        return qc

    r = check("03.bell_state", measured)
    assert r.score == 1 and "measurement left in the circuit" in r.feedback


# ---------------------------------------------------------------- ghz_circuit


def test_ghz_alternatives():
    def chain(n):
        qc = QuantumCircuit(n)
        qc.h(n - 1)  # start from the top qubit, CNOT ladder downwards
        for q in range(n - 1, 0, -1):
            qc.cx(q, q - 1)
        return qc

    def with_phase(n):
        qc = QuantumCircuit(n)
        qc.ry(-np.pi / 2, 0)  # (|0> - |1>)/sqrt2 ...
        qc.z(0)  # ... turned into (|0> + |1>)/sqrt2
        for q in range(n - 1):
            qc.cx(q, q + 1)
        qc.global_phase = 0.7
        return qc

    for fn in (chain, with_phase):
        r = check("03.ghz_circuit", fn)
        assert r.passed, r.feedback


def test_ghz_mistakes():
    def off_by_one(n):
        qc = QuantumCircuit(n)
        qc.h(0)
        for q in range(n - 2):
            qc.cx(q, q + 1)
        return qc

    r = check("03.ghz_circuit", off_by_one)
    assert r.score == 1  # only n = 1 works
    assert "off-by-one" in r.feedback

    def minus_sign(n):
        qc = QuantumCircuit(n)
        qc.x(0)
        qc.h(0)
        for q in range(1, n):
            qc.cx(0, q)
        return qc

    r = check("03.ghz_circuit", minus_sign)
    assert r.score == 0 and "wrong sign" in r.feedback

    def fixed_width(n):
        return reference("03.ghz_circuit")(3)

    r = check("03.ghz_circuit", fixed_width)
    assert r.score == 1 and "wrong number of qubits" in r.feedback


# ---------------------------------------------------------------- is_entangled


def test_is_entangled_alternatives():
    def determinant(state, atol=1e-8):
        a = np.asarray(state)
        return bool(abs(a[0] * a[3] - a[1] * a[2]) > atol)

    def purity(state, atol=1e-8):
        rho = partial_trace(Statevector(list(state)), [1])
        return bool(1 - rho.purity().real > atol)

    for fn in (determinant, purity):
        r = check("03.is_entangled", fn)
        assert r.passed, r.feedback


def test_is_entangled_mistakes():
    def exact_equality(state, atol=1e-8):
        a = np.asarray(state)
        return bool(a[0] * a[3] != a[1] * a[2])

    r = check("03.is_entangled", exact_equality)
    assert not r.passed and "compare with a tolerance" in r.feedback

    def superposition(state, atol=1e-8):
        return bool(np.count_nonzero(np.abs(np.asarray(state)) > atol) > 1)

    r = check("03.is_entangled", superposition)
    assert not r.passed and "superposition is not entanglement" in r.feedback

    def returns_number(state, atol=1e-8):
        a = np.asarray(state)
        return abs(a[0] * a[3] - a[1] * a[2])

    r = check("03.is_entangled", returns_number)
    assert r.score == 0 and "Expected True or False as the value of" in r.feedback


# ---------------------------------------------------------------- reduced_density_matrix


def test_reduced_density_matrix_alternatives():
    def einsum_version(state, keep):
        n = int(np.log2(len(state)))
        psi = np.asarray(state).reshape([2] * n)  # axis i belongs to qubit n - 1 - i
        kept_axes = [i for i in range(n) if n - 1 - i in keep]
        ket = "".join(chr(97 + i) for i in range(n))
        bra = "".join(chr(97 + i) if i not in kept_axes else chr(65 + i) for i in range(n))
        out = "".join(chr(97 + i) for i in kept_axes) + "".join(chr(65 + i) for i in kept_axes)
        d = 2 ** len(keep)
        return np.einsum(f"{ket},{bra}->{out}", psi, psi.conj()).reshape(d, d)

    def density_matrix_object(state, keep):
        rho = DensityMatrix(Statevector(state))
        n = rho.num_qubits
        return partial_trace(rho, [q for q in range(n) if q not in keep])  # a DensityMatrix

    for fn in (einsum_version, density_matrix_object):
        r = check("03.reduced_density_matrix", fn)
        assert r.passed, r.feedback


def test_reduced_density_matrix_mistakes():
    def numpy_axis_order(state, keep):
        n = int(np.log2(len(state)))
        traced = [n - 1 - q for q in range(n) if q not in keep]  # mirrored qubit numbering
        return np.asarray(partial_trace(Statevector(state), traced).data)

    r = check("03.reduced_density_matrix", numpy_axis_order)
    assert not r.passed and "qubit order reversed" in r.feedback

    def transposed(state, keep):
        return reference("03.reduced_density_matrix")(state, keep).T

    r = check("03.reduced_density_matrix", transposed)
    assert not r.passed and "conjugate" in r.feedback

    def unnormalised(state, keep):
        return 2 * reference("03.reduced_density_matrix")(state, keep)

    r = check("03.reduced_density_matrix", unnormalised)
    assert r.score == 0 and "not normalised" in r.feedback


# ---------------------------------------------------------------- chsh_value


def test_chsh_alternatives():
    def closed_form(a0, a1, b0, b1):
        return np.cos(a0 - b0) + np.cos(a0 - b1) + np.cos(a1 - b0) - np.cos(a1 - b1)

    def by_circuits(a0, a1, b0, b1):
        # rotate each party's measurement axis onto Z: RY(-t) maps cos(t)Z + sin(t)X to Z
        def E(a, b):
            qc = QuantumCircuit(2)
            qc.h(0)
            qc.cx(0, 1)
            qc.ry(-a, 0)
            qc.ry(-b, 1)
            return Statevector(qc).expectation_value(SparsePauliOp("ZZ")).real

        return E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1)

    for fn in (closed_form, by_circuits):
        r = check("03.chsh_value", fn)
        assert r.passed, r.feedback


def test_chsh_mistakes():
    def degrees(a0, a1, b0, b1):
        c = lambda x: np.cos(np.radians(x))  # noqa: E731
        return c(a0 - b0) + c(a0 - b1) + c(a1 - b0) - c(a1 - b1)

    r = check("03.chsh_value", degrees)
    assert not r.passed and "degrees instead of radians" in r.feedback

    def minus_misplaced(a0, a1, b0, b1):
        return np.cos(a0 - b0) - np.cos(a0 - b1) + np.cos(a1 - b0) + np.cos(a1 - b1)

    r = check("03.chsh_value", minus_misplaced)
    assert not r.passed and "minus sign belongs to E(a1, b1)" in r.feedback

    def sampled(a0, a1, b0, b1):
        # each correlator estimated from 4000 shots (seeded, so repeated calls agree)
        rng = np.random.default_rng(1)
        shots = 4000

        def e_hat(a, b):
            same = rng.binomial(shots, (1 + np.cos(a - b)) / 2)
            return (2 * same - shots) / shots

        return e_hat(a0, b0) + e_hat(a0, b1) + e_hat(a1, b0) - e_hat(a1, b1)

    r = check("03.chsh_value", sampled)
    assert r.score == 0 and "not from sampled shots" in r.feedback


ODD_ANSWERS = [
    None,
    "phi+",
    42,
    True,
    [1, 2, 3],
    {"00": 1},
    np.array([[1.0, 2.0]]),
    np.array([np.nan, 0, 0, 1]),
    QuantumCircuit(0),
    QuantumCircuit(2, 2),
]


def test_odd_answers_fail_cleanly_without_grader_errors():
    for ex_id in IDS:
        for odd in ODD_ANSWERS:
            r = check(ex_id, lambda *args, _odd=odd, **kw: _odd)
            assert r.error is None, (ex_id, odd, r.feedback)
            assert not r.passed
