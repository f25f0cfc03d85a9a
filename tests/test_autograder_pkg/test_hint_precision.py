"""Hints with measured precision (issue 12, item 2).

Every wrong answer of the promise audit (``test_promises.PROMISES``), plus the mistakes
below for hints the audit does not reach, is checked, and *every* "likely mistake" shown
for it is compared with the diagnosis that fits it:

* recall: each hint the mistake deserves is shown;
* precision: no other hint is shown. A wrong answer that no diagnosis fits gets none, and
  its feedback only says what differs (expected against got).

Each row below is one mistake: a hint that fired for a mistake it does not name would fail
the row of that mistake, so every hint is tested against its own mistake and against all
the other mistakes of its exercise.

``MORE_MISTAKES`` holds, lesson by lesson, a mistake for every hint the audit does not reach:
one for each place a check attaches a hint, and one for each further diagnosis text of the
hint helpers (``_normalize_hint``, ``_chsh_hint``, ``_mp_hint``...). Where two mistakes give
the same answer for some input, the checks name neither there, and the row lists what is
shown instead. The comment above ``MORE_MISTAKES`` lists the hints no row reaches, and why.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit, transpile
from qiskit.quantum_info import DensityMatrix, SparsePauliOp, Statevector

from autograder import check
from autograder.solutions import reference


def _promise_table():
    path = Path(__file__).with_name("test_promises.py")
    spec = importlib.util.spec_from_file_location("_promise_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: test_promises.py, loaded once: its PROMISES (with the lessons' audit rows) and _AUDITS
_PROMISE_TABLE = _promise_table()


def _promises():
    return _PROMISE_TABLE.PROMISES


#: the diagnosis each promise-audit wrong answer deserves (substrings; () for none)
PROMISE_HINTS: dict[str, tuple[str, ...]] = {
    "_normalize_rejects_any_zero": (),
    "_normalize_arrays_only": (),
    "_unitary_relative_tolerance": ("the tolerance is absolute",),
    "_unitary_ignores_atol": ("use the atol argument",),
    "_entangled_relative": ("compare with the atol you are given",),
    "_entangled_ignores_atol": ("use the atol argument",),
    "_amplitude_allows_length_one": ("raise ValueError",),
    "_kernel_no_shape_check": ("check the shape first",),
    "_shift_in_place": ("params was an integer array",),
    "_shift_needs_array": (),
    "_qnn_shift_in_place": (),
    "_bell_ignores_backend": ("run on the backend you are given",),
    "_ry_no_error": ("raise ValueError",),
    "_ry_open_interval": (),
    "_bell_no_error": ("raise ValueError",),
    "_ghz_forgets_one_qubit": (),
    "_angle_arrays_only": (),
    "_cross_entropy_arrays_only": (),
    "_boltzmann_overflows": ("overflow/underflow",),
    "_fold_rounds_even_scales": ("raise ValueError",),
    "_qnn_forward_arrays_only": (),
    "_expectation_needs_every_outcome": (),
    "_fidelity_arrays_only": (),
    "_kernel_square_only": ("wrong shape",),
    "_parity_ignores_spaces_wrongly": ("keys with spaces between registers",),
    "_gibbs_entrywise_exp": ("elementwise exponential",),
    "_richardson_least_squares": ("linear fit instead of the exact polynomial",),
    "_audit_x_on_qubit_reversed": ("qubit order reversed",),
    "_audit_probs_bit_reversed": ("qubit order reversed",),
    "_audit_bloch_ignores_global_phase": ("the global phase was not removed",),
    "_audit_prepare_phase_sign": ("wrong sign of the relative phase",),
    "_audit_gate_transposed": ("transposed gate",),
    "_audit_swap_same_direction": ("two equal CNOTs cancel",),
    "_audit_rdm_kept_order_reversed": ("qubit order reversed",),
    "_audit_rdm_traces_out_keep": (
        "not [0]: either the kept and traced-out qubits are swapped",
        "you kept the traced-out qubits",
    ),
    "_audit_chsh_degrees": ("degrees instead of radians",),
    "_audit_shots_one_sided": ("one-sided bound",),
    "_audit_shots_round": ("rounded down",),
    "_audit_pauli_mutates_argument": ("modified the input circuit in place",),
    "_audit_pauli_s_not_sdg": ("with S instead of Sdg",),
    "_audit_mitigate_clips": ("negative values were clipped",),
    "_audit_mitigate_swapped_probabilities": ("the two error rates are swapped",),
    "_audit_mitigate_integer_keys": ("for the keys",),
    "_audit_basis_reversed": ("qubit order reversed",),
    "_audit_zz_linear": ("linear instead of full entanglement",),
    "_audit_zz_one_rep": ("wrong number of repetitions",),
    "_audit_zz_library_through_helper": ("a forbidden library feature map used",),
    "_audit_ry_degrees": ("degrees instead of radians",),
    "_audit_expectation_ignores_identity": ("the I positions were treated like Z",),
    "_audit_fidelity_no_square": ("not squared",),
    "_audit_kernel_matrix_overlap_not_squared": ("not squared",),
    "_audit_parity_counts_not_probability": ("divide the odd-parity counts",),
    "_audit_boltzmann_no_beta": ("beta ignored",),
    "_audit_gibbs_unnormalised": ("divide by Tr e^(-beta H)",),
    "_audit_fold_wrong_count": ("(scale - 1) / 2 folds per gate",),
    "_audit_qsvm_classical_rbf": ("hardly better than guessing",),
    "_audit_plus_unnormalised": ("state not normalised",),
    "_audit_minus_i_sign": ("the opposite sign of i",),
    "_audit_x_uses_x": ("a forbidden gate used: x",),
    "_audit_vqe_no_entangler": ("needs an entangling gate",),
    "_audit_vqe_real_ansatz": ("only reaches real amplitudes",),
    "_audit_vqc_constant": ("the same label for every point",),
    "_audit_vqc_inverted": ("the labels 0 and 1 are swapped",),
    "_audit_hybrid_linear": (),
    "_audit_hybrid_proba": ("predict returns labels",),
    "_audit_qbm_wrong_kl": ("the model stayed (nearly) uniform",),
    "_audit_transpile_basis_only": ("the circuit was not routed",),
    "_audit_transpile_level0": ("too many two-qubit gates",),
}


# ------------------------------------------- mistakes for hints the promise audit does not reach
# (wrong answers written the way learners write them; their rows are in MORE_MISTAKES)


# ------------------------------------------------------------------------------ lesson 00


def _plus_two_qubits():
    return np.ones(4) / 2  # |+>|+>: a second qubit nobody asked for


def _plus_density_matrix():
    return DensityMatrix.from_label("+")


def _plus_measured_circuit():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.measure_all()
    return qc


def _plus_halves():
    return np.array([0.5, 0.5])  # divided by 2 instead of sqrt(2)


def _plus_typo_comparison():
    state = np.zeros(2)
    state[0] == 1 / np.sqrt(2)  # noqa: B015 - "==" typed for "="
    state[1] == 1 / np.sqrt(2)  # noqa: B015
    return state


def _plus_is_minus():
    return np.array([1, -1]) / np.sqrt(2)


# ------------------------------------------------------------------------------ lesson 01


def _normalize_by_squared_norm(amplitudes):
    v = np.asarray(amplitudes, dtype=complex)
    if not np.any(v):
        raise ValueError("zero vector")
    return v / np.sum(np.abs(v) ** 2)


def _normalize_returns_norm(amplitudes):
    v = np.asarray(amplitudes, dtype=complex)
    if not np.any(v):
        raise ValueError("zero vector")
    return np.linalg.norm(v)


def _probabilities_as_dict(state):
    n = int(np.log2(len(state)))
    return {format(k, f"0{n}b"): abs(a) ** 2 for k, a in enumerate(state)}


def _probabilities_one_qubit_only(state):
    return np.array([abs(state[0]) ** 2, abs(state[1]) ** 2])


def _bloch_theta_only(state):
    alpha = state[0]
    return float(2 * np.arccos(abs(alpha)))


def _bloch_vector_instead(state):
    rho = np.outer(state, np.conj(state))
    return (2 * rho[0, 1].real, 2 * rho[1, 0].imag, (rho[0, 0] - rho[1, 1]).real)


def _bloch_degrees(state):
    alpha, beta = state
    theta = 2 * np.arccos(min(abs(alpha), 1.0))
    phi = (np.angle(beta) - np.angle(alpha)) % (2 * np.pi) if abs(beta) > 1e-12 else 0.0
    return float(np.degrees(theta)), float(np.degrees(phi))


def _bloch_half_theta(state):
    alpha, beta = state
    theta = np.arccos(min(abs(alpha), 1.0))
    phi = (np.angle(beta) - np.angle(alpha)) % (2 * np.pi) if abs(beta) > 1e-12 else 0.0
    return float(theta), float(phi)


def _bloch_phi_not_wrapped(state):
    alpha, beta = state
    theta = 2 * np.arccos(min(abs(alpha), 1.0))
    phi = np.angle(beta) - np.angle(alpha) if abs(beta) > 1e-12 else 0.0
    return float(theta), float(phi)


def _minus_i_without_h():
    qc = QuantumCircuit(1)
    qc.sdg(0)  # the phase is there, but |0> has no |1> part for it to act on
    return qc


def _nonzero(amplitudes):
    v = np.asarray(amplitudes, dtype=complex)
    if not np.any(v):
        raise ValueError("zero vector")
    return v


def _normalize_forgets_division(amplitudes):
    v = _nonzero(amplitudes)
    normalised = v / np.linalg.norm(v)  # noqa: F841 - computed, then the input is returned
    return v


def _normalize_by_sum_of_magnitudes(amplitudes):
    v = _nonzero(amplitudes)
    return v / np.sum(np.abs(v))


def _normalize_root_of_sum_of_magnitudes(amplitudes):
    v = _nonzero(amplitudes)
    return v / np.sqrt(np.sum(np.abs(v)))


def _normalize_real_part(amplitudes):
    v = _nonzero(amplitudes)
    return np.real(v) / np.linalg.norm(v)


def _normalize_by_largest(amplitudes):
    v = _nonzero(amplitudes)
    return v / np.max(np.abs(v))


def _normalize_squares_not_magnitudes(amplitudes):
    v = _nonzero(amplitudes)
    return v / np.sqrt(np.sum(v**2))


def _normalize_makes_first_amplitude_real(amplitudes):
    v = _nonzero(amplitudes)
    u = v / np.linalg.norm(v)
    first = u[np.flatnonzero(u)[0]]
    return u * np.conj(first) / abs(first)  # a global phase removed as well


def _probabilities_magnitudes(state):
    return np.abs(state)


def _probabilities_complex_square(state):
    return np.asarray(state) ** 2


def _probabilities_real_part(state):
    return np.real(state) ** 2


def _probabilities_reversed_list(state):
    return (np.abs(state) ** 2)[::-1]


def _probabilities_over_sum_of_magnitudes(state):
    return np.abs(state) ** 2 / np.sum(np.abs(state))


def _angles(alpha, beta):
    theta = 2 * np.arccos(min(abs(alpha), 1.0))
    phi = (np.angle(beta) - np.angle(alpha)) % (2 * np.pi) if abs(beta) > 1e-12 else 0.0
    return float(theta), float(phi)


def _bloch_phi_sign(state):
    theta, phi = _angles(*state)
    return theta, float(-phi % (2 * np.pi))


def _bloch_theta_from_real_part(state):
    alpha, beta = state
    theta = 2 * np.arccos(np.clip(alpha.real, -1, 1))
    return float(theta), _angles(alpha, beta)[1]


def _bloch_theta_from_beta(state):
    alpha, beta = state
    return float(2 * np.arccos(min(abs(beta), 1.0))), _angles(alpha, beta)[1]


def _bloch_phi_degrees(state):
    theta, phi = _angles(*state)
    return theta, float(np.degrees(phi))


def _prepare(theta_gate, phi_first=False):
    def prepare_state(theta, phi):
        qc = QuantumCircuit(1)
        if phi_first:
            qc.p(phi, 0)
        theta_gate(qc, theta)
        if not phi_first:
            qc.p(phi, 0)
        return qc

    return prepare_state


_prepare_half = _prepare(lambda qc, theta: qc.ry(theta / 2, 0))


_prepare_double = _prepare(lambda qc, theta: qc.ry(2 * theta, 0))


_prepare_radians_again = _prepare(lambda qc, theta: qc.ry(np.radians(theta), 0))


_prepare_rx = _prepare(lambda qc, theta: qc.rx(theta, 0))


_prepare_phase_first = _prepare(lambda qc, theta: qc.ry(theta, 0), phi_first=True)


def _minus_i_with_z():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.z(0)
    return qc


def _minus_i_h_only():
    qc = QuantumCircuit(1)
    qc.h(0)
    return qc


def _prepare_double_phase(theta, phi):
    qc = QuantumCircuit(1)
    qc.ry(theta, 0)
    qc.p(2 * phi, 0)  # the factor 2 belongs to theta's half angle, not to phi
    return qc


# ------------------------------------------------------------------------------ lesson 02


def _unitary_returns_number(matrix, atol=1e-9):
    m = np.asarray(matrix, dtype=complex)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return 0
    return int(np.allclose(m.conj().T @ m, np.eye(len(m)), rtol=0, atol=atol))


def _x_from_h_and_z_empty():
    return QuantumCircuit(1)


def _x_from_h_then_z():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.z(0)
    return qc


def _full_operator(state, gate, qubit):
    n = int(np.log2(len(state)))
    U = np.array([[1.0]])
    for q in reversed(range(n)):
        U = np.kron(U, gate if q == qubit else np.eye(2))
    return U


def _apply_returns_operator(state, gate, qubit):
    return _full_operator(state, gate, qubit)  # forgot "@ state"


def _apply_tensor_not_reshaped(state, gate, qubit):
    n = int(np.log2(len(state)))
    psi = np.reshape(state, [2] * n)
    psi = np.tensordot(gate, psi, axes=([1], [n - 1 - qubit]))
    return np.moveaxis(psi, 0, n - 1 - qubit)  # still a tensor: the final reshape is missing


def _ry_angle_in_degrees(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(np.degrees(2 * np.arcsin(np.sqrt(p1))))


def _unitary_no_shape_check(matrix, atol=1e-9):
    m = np.asarray(matrix, dtype=complex)
    return bool(np.allclose(m.conj().T @ m, np.eye(len(m)), rtol=0, atol=atol))


def _swap_empty():
    return QuantumCircuit(2)


def _x_from_z_only():
    qc = QuantumCircuit(1)
    qc.z(0)
    return qc


def _x_from_h_h():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.h(0)
    return qc


def _apply_adjoint(state, gate, qubit):
    return _full_operator(state, np.conj(gate).T, qubit) @ state


def _apply_forgets_gate(state, gate, qubit):
    return np.asarray(state)


def _ry_half(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(np.arcsin(np.sqrt(p1)))


def _ry_double(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(4 * np.arcsin(np.sqrt(p1)))


def _ry_no_square_root(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(2 * np.arcsin(p1))


def _ry_for_p0(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(2 * np.arccos(np.sqrt(p1)))


def _unitary_by_determinant(matrix, atol=1e-9):
    return bool(np.isclose(abs(np.linalg.det(matrix)), 1))


def _unitary_plain_transpose(matrix, atol=1e-9):
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return False
    return bool(np.allclose(m.T @ m, np.eye(len(m)), rtol=0, atol=atol))


def _unitary_loose_fixed_tolerance(matrix, atol=1e-9):
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return False
    return bool(np.allclose(m.conj().T @ m, np.eye(len(m)), atol=1e-2))


def _swap_single_cnot():
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    qc.cx(0, 1)
    qc.cx(0, 1)
    return qc


def _swap_cnots_cancel():
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    qc.cx(0, 1)
    return qc


def _swap_two_cnots():
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    qc.cx(1, 0)
    return qc


def _unitary_columns_orthogonal_only(matrix, atol=1e-9):
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return False
    g = m.conj().T @ m
    return bool(np.allclose(g - np.diag(np.diag(g)), 0, rtol=0, atol=atol))  # norms unchecked


def _ry_negative(p1):
    if not 0 <= p1 <= 1:
        raise ValueError("p1 must be a probability")
    return float(-2 * np.arcsin(np.sqrt(p1)))  # RY(-theta) gives the same P(1), theta < 0


# ------------------------------------------------------------------------------ lesson 03


def _bell_without_x(name):
    if name not in ("phi+", "phi-", "psi+", "psi-"):
        raise ValueError(name)
    qc = QuantumCircuit(2)
    if name.endswith("-"):
        qc.x(0)
    qc.h(0)
    qc.cx(0, 1)  # the X on qubit 1 for the Psi states is missing
    return qc


def _ghz_loop_too_short(n):
    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 2):  # stops one CNOT early
        qc.cx(q, q + 1)
    return qc


def _ghz_amplitude_count_as_qubits(n):
    qc = QuantumCircuit(2**n)  # 2**n amplitudes taken for 2**n qubits
    qc.h(0)
    for q in range(2**n - 1):
        qc.cx(q, q + 1)
    return qc


def _entangled_iff_four_amplitudes(state, atol=1e-8):
    return bool(np.count_nonzero(np.abs(state) > atol) == 4)


def _entangled_iff_superposition(state, atol=1e-8):
    return bool(np.count_nonzero(np.abs(state) > atol) > 1)


def _bell_no_minus_sign(name):
    if name not in ("phi+", "phi-", "psi+", "psi-"):
        raise ValueError(name)
    qc = QuantumCircuit(2)
    if name.startswith("psi"):
        qc.x(1)
    qc.h(0)
    qc.cx(0, 1)  # the Z (or X on the control) for the minus states is missing
    return qc


def _rdm_full_matrix(state, keep):
    psi = np.asarray(state)
    return np.outer(psi, psi.conj())  # nothing traced out


def _rdm_conjugate_on_ket(state, keep):
    psi = np.asarray(state)
    n = int(np.log2(psi.size))
    axes = [n - 1 - q for q in sorted(keep, reverse=True)]
    rest = [a for a in range(n) if a not in axes]
    m = np.transpose(psi.reshape([2] * n), axes + rest).reshape(2 ** len(keep), -1)
    return m.conj() @ m.T  # psi* psi^T instead of psi psi^dagger


def _correlator(a, b):
    return np.cos(a - b)


def _chsh_half_angle(a0, a1, b0, b1):
    E = lambda a, b: np.cos((a - b) / 2)  # noqa: E731
    return float(E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1))


def _chsh_plus_inside(a0, a1, b0, b1):
    E = lambda a, b: np.cos(a + b)  # noqa: E731
    return float(E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1))


def _chsh_all_plus(a0, a1, b0, b1):
    E = _correlator
    return float(E(a0, b0) + E(a0, b1) + E(a1, b0) + E(a1, b1))


def _chsh_minus_on_a0_b1(a0, a1, b0, b1):
    E = _correlator
    return float(E(a0, b0) - E(a0, b1) + E(a1, b0) + E(a1, b1))


_SHOTS_RNG = np.random.default_rng(3)  # seeded here so the test is repeatable


def _chsh_from_shots(a0, a1, b0, b1):
    rng = _SHOTS_RNG  # a fresh sample on every call
    shots = 8192

    def E(a, b):
        same = rng.binomial(shots, (1 + np.cos(a - b)) / 2)
        return 2 * same / shots - 1

    return float(E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1))


def _entangled_exact_comparison(state, atol=1e-8):
    a, b, c, d = state
    return bool(a * d != b * c)  # exact float comparison, atol unused


# ------------------------------------------------------------------------------ lesson 04


def _pauli_one_shared_bit(circuit, pauli):
    qc = circuit.copy()
    qc.add_register(ClassicalRegister(1))
    for q, letter in enumerate(reversed(pauli)):
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            qc.sdg(q)
            qc.h(q)
        if letter != "I":
            qc.measure(q, 0)  # every qubit into the same bit
    return qc


def _efc_letters_left_to_right(counts, pauli):
    total = sum(counts.values())
    acc = 0
    for key, n in counts.items():
        sign = 1
        for bit, p in zip(key[::-1], pauli):  # bit of qubit i paired with letter i
            if p == "Z" and bit == "1":
                sign = -sign
        acc += sign * n
    return acc / total


def _basis_change(qc, pauli):
    for q, letter in enumerate(reversed(pauli)):
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            qc.sdg(q)
            qc.h(q)


def _pauli_measured_twice(circuit, pauli):
    qc = circuit.copy()
    _basis_change(qc, pauli)
    qc.add_register(ClassicalRegister(qc.num_qubits))
    qc.measure(range(qc.num_qubits), range(qc.num_qubits))
    qc.measure_all()  # a second measurement of every qubit
    return qc


def _pauli_string_index_as_qubit(circuit, pauli):
    qc = circuit.copy()
    qc.add_register(ClassicalRegister(len(pauli)))
    for i, letter in enumerate(pauli):  # letter i put on qubit i
        if letter == "X":
            qc.h(i)
        elif letter == "Y":
            qc.sdg(i)
            qc.h(i)
        if letter != "I":
            qc.measure(i, i)
    return qc


def _pauli_measure_then_rotate(circuit, pauli):
    qc = circuit.copy()
    qc.measure_all()
    _basis_change(qc, pauli)
    return qc


def _pauli_changes_input_then_copies(circuit, pauli):
    _basis_change(circuit, pauli)
    qc = circuit.copy()
    qc.measure_all()
    return qc


def _pauli_support_only_circuit(circuit, pauli):
    letters = [p for p in pauli if p != "I"]
    qc = QuantumCircuit(len(letters))
    _basis_change(qc, "".join(letters))
    qc.measure_all()
    return qc


def _pauli_no_measurement(circuit, pauli):
    qc = circuit.copy()
    _basis_change(qc, pauli)
    return qc


def _shots_not_rounded(epsilon, delta):
    return math.log(2 / delta) / (2 * epsilon**2)


def _mitigate_returns_vector(counts, p0_given_1, p1_given_0):
    n = len(next(iter(counts)))
    total = sum(counts.values())
    p = np.array([counts.get(format(k, f"0{n}b"), 0) / total for k in range(2**n)])
    m = np.array([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]])
    full = np.array([[1.0]])
    for _ in range(n):
        full = np.kron(full, m)
    return np.linalg.solve(full, p)


def _efc(sign_of, normalise=True):
    def expectation_from_counts(counts, pauli):
        total = sum(counts.values())
        acc = sum(sign_of(key, pauli) * n for key, n in counts.items())
        return acc / total if normalise else acc

    return expectation_from_counts


def _parity_sign(key, pauli):
    return (-1) ** sum(b == "1" and p == "Z" for b, p in zip(key, pauli))


_efc_not_normalised = _efc(_parity_sign, normalise=False)


_efc_sign_flipped = _efc(lambda key, pauli: -_parity_sign(key, pauli))


_efc_every_bit = _efc(lambda key, pauli: (-1) ** key.count("1"))


_efc_probability_of_plus = _efc(
    lambda key, pauli: int(all(b == "0" or p == "I" for b, p in zip(key, pauli)))
)


def _pauli_with(change):
    def measure_pauli(circuit, pauli):
        qc = circuit.copy()
        for q, letter in enumerate(reversed(pauli)):
            change(qc, q, letter)
        qc.measure_all()
        return qc

    return measure_pauli


def _y_only(qc, q, letter):
    if letter == "Y":
        qc.sdg(q)
        qc.h(q)


def _h_for_x_and_y(qc, q, letter):
    if letter in "XY":
        qc.h(q)


def _x_only(qc, q, letter):
    if letter == "X":
        qc.h(q)


_pauli_no_basis_change = _pauli_with(lambda qc, q, letter: None)


_pauli_h_for_y = _pauli_with(_h_for_x_and_y)


_pauli_forgets_y = _pauli_with(_x_only)


_pauli_forgets_x = _pauli_with(_y_only)


def _shots_log10(epsilon, delta):
    return math.ceil(math.log10(2 / delta) / (2 * epsilon**2))


def _shots_epsilon_not_squared(epsilon, delta):
    return math.ceil(math.log(2 / delta) / (2 * epsilon))


def _shots_missing_factor_2(epsilon, delta):
    return math.ceil(math.log(2 / delta) / epsilon**2)


def _shots_chebyshev(epsilon, delta):
    return math.ceil(1 / (4 * delta * epsilon**2))


def _mitigate(apply_inverse=True, reverse_keys=False):
    def mitigate_readout(counts, p0_given_1, p1_given_0):
        n = len(next(iter(counts)))
        total = sum(counts.values())
        raw = np.array([counts.get(format(k, f"0{n}b"), 0) / total for k in range(2**n)])
        m = np.array([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]])
        full = np.array([[1.0]])
        for _ in range(n):
            full = np.kron(full, m)
        p = np.linalg.solve(full, raw) if apply_inverse else full @ raw
        keys = [format(k, f"0{n}b") for k in range(2**n)]
        return {(k[::-1] if reverse_keys else k): float(v) for k, v in zip(keys, p)}

    return mitigate_readout


_mitigate_applies_matrix = _mitigate(apply_inverse=False)


_mitigate_keys_reversed = _mitigate(reverse_keys=True)


def _pauli_measures_qubit_0_only(circuit, pauli):
    qc = circuit.copy()
    _basis_change(qc, pauli)
    qc.add_register(ClassicalRegister(1))
    qc.measure(0, 0)  # as in the one-qubit example
    return qc


def _shots_strict_plus_one(epsilon, delta):
    return math.ceil(math.log(2 / delta) / (2 * epsilon**2)) + 1  # "strictly more" read as +1


# ------------------------------------------------------------------------------ lesson 05


def _basis_measured(bits):
    qc = QuantumCircuit(len(bits))
    for q, bit in enumerate(reversed(bits)):
        if bit == "1":
            qc.x(q)
    qc.measure_all()  # measured "to see the encoding"
    return qc


def _angle_unbound(x):
    from qiskit.circuit import ParameterVector

    theta = ParameterVector("x", len(x))
    qc = QuantumCircuit(len(x))
    for i in range(len(x)):
        qc.ry(theta[i], i)
    return qc  # the data never bound


def _angle_rx(x):
    qc = QuantumCircuit(len(x))
    for i, v in enumerate(x):
        qc.rx(float(v), i)
    return qc


def _amplitude_from_probabilities(x):
    x = np.asarray(x, dtype=float)
    n = int(np.log2(len(x)))
    if len(x) < 2 or 2**n != len(x) or not np.any(x):
        raise ValueError("need 2**n numbers, not all zero")
    probs = x**2 / np.sum(x**2)
    qc = QuantumCircuit(n)
    qc.prepare_state(np.sqrt(probs), range(n))  # square roots of probabilities: signs lost
    return qc


def _zz_with_library(x, reps):
    from qiskit.circuit.library import zz_feature_map

    return zz_feature_map(len(x), reps=reps).assign_parameters(x)


def _library_map(n, reps):
    from qiskit.circuit.library import zz_feature_map

    return zz_feature_map(n, reps=reps)


def _zz_with_library_in_a_helper(x, reps):
    qc = QuantumCircuit(len(x))
    qc.append(_library_map(len(x), reps), range(len(x)))  # one instruction, named ZZFeatureMap
    return qc.assign_parameters(x)


def _angle(rotation):
    def angle_encoding(x):
        qc = QuantumCircuit(len(x))
        for i, v in enumerate(x):
            rotation(qc, float(v), i, len(x))
        return qc

    return angle_encoding


_angle_half = _angle(lambda qc, v, i, n: qc.ry(v / 2, i))


_angle_double = _angle(lambda qc, v, i, n: qc.ry(2 * v, i))


_angle_reversed = _angle(lambda qc, v, i, n: qc.ry(v, n - 1 - i))


def _zz(h=True, pair=lambda a, b: (np.pi - a) * (np.pi - b), factor=2.0):
    def zz_feature_map(x, reps):
        n = len(x)
        qc = QuantumCircuit(n)
        for _ in range(reps):
            if h:
                qc.h(range(n))
            for i in range(n):
                qc.p(factor * x[i], i)
            for i in range(n):
                for j in range(i + 1, n):
                    qc.cx(i, j)
                    qc.p(factor * pair(x[i], x[j]), j)
                    qc.cx(i, j)
        return qc

    return zz_feature_map


_zz_no_hadamards = _zz(h=False)


_zz_product_angle = _zz(pair=lambda a, b: a * b)


_zz_no_factor_2 = _zz(factor=1.0)


def _basis_x_on_zeros(bits):
    qc = QuantumCircuit(len(bits))
    for q, bit in enumerate(reversed(bits)):
        if bit == "0":  # X where the bit is 0
            qc.x(q)
    return qc


def _basis_x_on_zeros_left_to_right(bits):
    qc = QuantumCircuit(len(bits))
    for q, bit in enumerate(bits):  # character q on qubit q, and X where the bit is 0
        if bit == "0":
            qc.x(q)
    return qc


_angle_rx_reversed = _angle(lambda qc, v, i, n: qc.rx(v, n - 1 - i))


# ------------------------------------------------------------------------------ lesson 06


def _kernel_validity_as_number(K):
    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        return 0.0
    return float(np.allclose(K, K.T) and np.linalg.eigvalsh((K + K.T) / 2).min() >= -1e-9)


def _qsvm_plus_minus_labels(X_train, y_train):
    model = reference("06.train_qsvm")(X_train, y_train)

    class PlusMinus:
        def predict(self, X):
            return 2 * np.asarray(model.predict(X)) - 1

    return PlusMinus()


def _fidelity_overlap(a, b):
    return np.vdot(a, b)


def _fidelity_not_squared(a, b):
    return float(abs(np.vdot(a, b)))


def _feature_states(X, feature_map):
    return [Statevector(feature_map(x)).data for x in X]


def _kernel_rows_for_y(X, Y, feature_map):
    sx, sy = _feature_states(X, feature_map), _feature_states(Y, feature_map)
    return np.array([[abs(np.vdot(a, b)) ** 2 for a in sx] for b in sy])


def _kernel_complex_overlaps(X, Y, feature_map):
    sx, sy = _feature_states(X, feature_map), _feature_states(Y, feature_map)
    return np.array([[np.vdot(a, b) for b in sy] for a in sx])


def _kernel_not_squared(X, Y, feature_map):
    sx, sy = _feature_states(X, feature_map), _feature_states(Y, feature_map)
    return np.array([[abs(np.vdot(a, b)) for b in sy] for a in sx])


def _kernel_symmetry_only(K, atol=1e-8):
    K = np.asarray(K)
    return K.ndim == 2 and K.shape[0] == K.shape[1] and bool(np.allclose(K, K.T, atol=atol))


def _kernel_eigenvalues_exactly_nonnegative(K, atol=1e-8):
    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or not np.allclose(K, K.T, atol=atol):
        return False
    return bool(np.all(np.linalg.eigvalsh(K) >= 0))


def _qsvm_returns_score(X_train, y_train):
    from sklearn.svm import SVC

    model = SVC(kernel="rbf").fit(X_train, y_train)
    return model.score(X_train, y_train)


def _qsvm_precomputed_without_test_kernel(X_train, y_train):
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.svm import SVC

    return SVC(kernel="precomputed").fit(rbf_kernel(X_train, X_train), y_train)


def _qsvm_predict_proba_columns(X_train, y_train):
    from sklearn.neighbors import KNeighborsClassifier

    model = KNeighborsClassifier().fit(X_train, y_train)

    class Model:
        def predict(self, X):
            return model.predict_proba(X)  # one column per class

    return Model()


def _fidelity_dot(a, b):
    return float(abs(np.dot(a, b)) ** 2)


def _fidelity_real_part(a, b):
    return float(np.vdot(a, b).real ** 2)


def _kernel_dot(X, Y, feature_map):
    sx, sy = _feature_states(X, feature_map), _feature_states(Y, feature_map)
    return np.array([[abs(np.dot(a, b)) ** 2 for b in sy] for a in sx])


def _kernel_squared_overlap(X, Y, feature_map):
    sx, sy = _feature_states(X, feature_map), _feature_states(Y, feature_map)
    return np.array([[np.vdot(a, b) ** 2 for b in sy] for a in sx])  # not its magnitude


def _kernel_eigenvalues_only(K, atol=1e-8):
    return bool(np.all(np.linalg.eigvalsh(np.asarray(K, dtype=float)) >= -atol))


def _qsvm_flipped_labels(X_train, y_train):
    return reference("06.train_qsvm")(X_train, 1 - np.asarray(y_train))


def _qsvm_one_repetition(X_train, y_train):
    from qiskit.circuit.library import zz_feature_map
    from sklearn.svm import SVC

    def states(X):
        fm = zz_feature_map(X.shape[1], reps=1)  # the data were made with reps=2
        return np.array([Statevector(fm.assign_parameters(x)).data for x in X])

    s_train = states(np.asarray(X_train))
    svc = SVC(kernel="precomputed", C=10).fit(np.abs(s_train.conj() @ s_train.T) ** 2, y_train)

    class QSVM:
        def predict(self, X):
            return svc.predict(np.abs(states(np.asarray(X)).conj() @ s_train.T) ** 2)

    return QSVM()


# ------------------------------------------------------------------------------ lesson 07


def _vqe_returns_result_object(hamiltonian):
    from scipy.optimize import minimize

    H = hamiltonian.to_matrix()
    evals = np.linalg.eigvalsh(H)
    return minimize(lambda v: (v[0] - evals[0]) ** 2 + evals[0], [0.0])


def _gradient_first_entry_only(f, params):
    theta = np.asarray(params, dtype=float)
    shift = np.zeros_like(theta)
    shift[0] = np.pi / 2
    return (f(theta + shift) - f(theta - shift)) / 2  # the loop over k is missing


def _gradient_finite_difference(f, params):
    theta = np.asarray(params, dtype=float)
    grad = np.zeros_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = 1e-4
        grad[k] = (f(theta + e) - f(theta - e)) / 2e-4
    return grad


def _vqe_returns_energy_and_state(hamiltonian):
    evals, evecs = np.linalg.eigh(hamiltonian.to_matrix())
    return float(evals[0]), evecs[:, 0]


def _vqe_returns_ground_state(hamiltonian):
    return np.linalg.eigh(hamiltonian.to_matrix())[1][:, 0]


def _shift_rule(shift, denominator):
    def parameter_shift_gradient(f, params):
        theta = np.asarray(params, dtype=float)
        grad = np.zeros_like(theta)
        for k in range(theta.size):
            e = np.zeros_like(theta)
            e[k] = shift
            grad[k] = (f(theta + e) - f(theta - e)) / denominator
        return grad

    return parameter_shift_gradient


_gradient_quarter_shift = _shift_rule(np.pi / 4, 2)


_gradient_no_half = _shift_rule(np.pi / 2, 1)


_gradient_over_4 = _shift_rule(np.pi / 2, 4)


_gradient_minus_first = _shift_rule(-np.pi / 2, 2)


def _gradient_reversed(f, params):
    return reference("07.parameter_shift_gradient")(f, params)[::-1]


def _vqe_highest(hamiltonian):
    return float(np.linalg.eigvalsh(hamiltonian.to_matrix())[-1])


def _vqe_drops_identity(hamiltonian):
    kept = [(p, c) for p, c in hamiltonian.to_list() if set(p) != {"I"}]
    h = SparsePauliOp.from_list(kept).to_matrix()
    return float(np.linalg.eigvalsh(h)[0])


def _vqe_first_excited(hamiltonian):
    return float(np.linalg.eigvalsh(hamiltonian.to_matrix())[1])


def _vqe_terms_minimised_separately(hamiltonian):
    total = 0.0
    for label, coeff in hamiltonian.to_list():  # each term at its own minimum
        total += float(np.linalg.eigvalsh(SparsePauliOp(label, coeff).to_matrix())[0])
    return total


def _u3(t, p, lam):
    return np.array(
        [
            [np.cos(t / 2), -np.exp(1j * lam) * np.sin(t / 2)],
            [np.exp(1j * p) * np.sin(t / 2), np.exp(1j * (p + lam)) * np.cos(t / 2)],
        ]
    )


def _vqe_stopped_early(hamiltonian):
    from scipy.optimize import minimize

    h = hamiltonian.to_matrix()
    cx = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]])

    def energy(w):
        psi = np.kron(_u3(*w[0:3]), _u3(*w[3:6]))[:, 0]
        psi = np.kron(_u3(*w[6:9]), _u3(*w[9:12])) @ (cx @ psi)
        return float(np.real(psi.conj() @ h @ psi))

    res = minimize(energy, np.full(12, 0.1), method="COBYLA", options={"maxiter": 60})
    return float(res.fun)  # 60 iterations are not enough to converge


# ------------------------------------------------------------------------------ lesson 08


def _parity_int_keys(counts):
    total = sum(counts.values())
    return sum(n for key, n in counts.items() if bin(int(key, 2)).count("1") % 2) / total


def _cross_entropy_per_point(p1, y):
    p = np.clip(np.asarray(p1, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _cross_entropy_unclipped(p1, y):
    p = np.asarray(p1, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _cross_entropy_log10(p1, y):
    p = np.clip(np.asarray(p1, dtype=float), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)))


def _cross_entropy_coarse_clip(p1, y):
    p = np.clip(np.asarray(p1, dtype=float), 0.01, 0.99)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _cross_entropy_epsilon_added(p1, y):
    p = np.asarray(p1, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p + 0.1) + (1 - y) * np.log(1 - p + 0.1)))


def _vqc_returns_score(X_train, y_train):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(X_train, y_train).score(X_train, y_train)


def _vqc_predict_proba_columns(X_train, y_train):
    from sklearn.neighbors import KNeighborsClassifier

    model = KNeighborsClassifier().fit(X_train, y_train)

    class Model:
        def predict(self, X):
            return model.predict_proba(X)

    return Model()


def _parity(select, normalise=True):
    def parity_probability(counts):
        total = sum(counts.values())
        hits = sum(n for key, n in counts.items() if select(key.replace(" ", "")))
        return hits / total if normalise else hits

    return parity_probability


_parity_even = _parity(lambda key: key.count("1") % 2 == 0)


_parity_unnormalised = _parity(lambda key: key.count("1") % 2 == 1, normalise=False)


_parity_last_bit = _parity(lambda key: key[-1] == "1")


_parity_first_bit = _parity(lambda key: key[0] == "1")


def _bce(log=np.log, sign=-1.0, reduce=np.mean, swap=False):
    def cross_entropy(p1, y):
        p = np.clip(np.asarray(p1, dtype=float), 1e-12, 1 - 1e-12)
        if swap:
            p = 1 - p
        y = np.asarray(y, dtype=float)
        return float(sign * reduce(y * log(p) + (1 - y) * log(1 - p)))

    return cross_entropy


_cross_entropy_summed = _bce(reduce=np.sum)


_cross_entropy_log2 = _bce(log=np.log2)


_cross_entropy_swapped = _bce(swap=True)


_cross_entropy_no_minus = _bce(sign=1.0)


def _parity_even_counts(counts):
    return sum(n for key, n in counts.items() if key.replace(" ", "").count("1") % 2 == 0)


def _vqc_underfit(X_train, y_train):
    from sklearn.tree import DecisionTreeClassifier

    # stands in for a one-layer circuit trained for a few steps: one straight cut
    return DecisionTreeClassifier(max_depth=1, random_state=0).fit(X_train, y_train)


# ------------------------------------------------------------------------------ lesson 09


def _qnn_measures_qubit_0(x, weights):
    from qiskit.quantum_info import SparsePauliOp

    x = np.asarray(x, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(x)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
    for row in weights:
        for i in range(n):
            qc.ry(row[i], i)
        for i in range(n - 1):
            qc.cx(i, i + 1)
    label = "I" * (n - 1) + "Z"  # the rightmost letter is qubit 0, not qubit n-1
    return float(np.real(Statevector(qc).expectation_value(SparsePauliOp(label))))


def _qnn_gradient_flat(x, weights):
    return np.ravel(reference("09.qnn_weight_gradient")(x, weights))


def _qnn_gradient_without_half(x, weights):
    forward = reference("09.qnn_forward")
    w = np.asarray(weights, dtype=float)
    grad = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[idx] += np.pi / 2
        minus[idx] -= np.pi / 2
        grad[idx] = forward(x, plus) - forward(x, minus)  # the / 2 is missing
    return grad


def _qnn(entangle_first=False, chain=None, layers=lambda w: w, measure=None, output=None):
    from qiskit.quantum_info import SparsePauliOp

    def qnn_forward(x, weights):
        x = np.asarray(x, dtype=float)
        w = layers(np.asarray(weights, dtype=float))
        n = len(x)
        pairs = chain(n) if chain else [(i, i + 1) for i in range(n - 1)]
        qc = QuantumCircuit(n)
        for i in range(n):
            qc.ry(x[i], i)
        for row in w:
            if entangle_first:
                for a, b in pairs:
                    qc.cx(a, b)
            for i in range(n):
                qc.ry(row[i], i)
            if not entangle_first:
                for a, b in pairs:
                    qc.cx(a, b)
        z = float(np.real(Statevector(qc).expectation_value(SparsePauliOp("Z" + "I" * (n - 1)))))
        return output(z) if output else z

    return qnn_forward


_qnn_chain_reversed = _qnn(chain=lambda n: [(i, i + 1) for i in reversed(range(n - 1))])


_qnn_control_target_swapped = _qnn(chain=lambda n: [(i + 1, i) for i in range(n - 1)])


_qnn_entangle_first = _qnn(entangle_first=True)


_qnn_layers_reversed = _qnn(layers=lambda w: w[::-1])


_qnn_weights_transposed = _qnn(layers=lambda w: w.T)


_qnn_probability_of_1 = _qnn(output=lambda z: (1 - z) / 2)


_qnn_probability_of_0 = _qnn(output=lambda z: (1 + z) / 2)


_qnn_minus_z = _qnn(output=lambda z: -z)


def _qnn_gradient_times(factor):
    def qnn_weight_gradient(x, weights):
        return factor * reference("09.qnn_weight_gradient")(x, weights)

    return qnn_weight_gradient


_qnn_gradient_sign = _qnn_gradient_times(-1.0)


_qnn_gradient_of_p1 = _qnn_gradient_times(-0.5)


def _qnn_gradient_transposed(x, weights):
    return reference("09.qnn_weight_gradient")(x, weights).T


def _qnn_gradient_finite_difference(x, weights):
    forward = reference("09.qnn_forward")
    w = np.asarray(weights, dtype=float)
    grad = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        plus = w.copy()
        plus[idx] += 1e-4
        grad[idx] = (forward(x, plus) - forward(x, w)) / 1e-4
    return grad


def _qnn_gradient_by_x(x, weights):
    forward = reference("09.qnn_forward")
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += np.pi / 2
        minus[i] -= np.pi / 2
        grad[i] = (forward(plus, weights) - forward(minus, weights)) / 2
    return grad


def _qnn_gradient_first_layer(x, weights):
    return reference("09.qnn_weight_gradient")(x, weights)[0]


def _qnn_gradient_summed(x, weights):
    return float(np.sum(reference("09.qnn_weight_gradient")(x, weights)))


# ------------------------------------------------------------------------------ lesson 10


def _boltzmann_as_density_matrix(energies, beta):
    e = np.asarray(energies, dtype=float)
    w = np.exp(-beta * (e - e.min()))
    return np.diag(w / w.sum())


def _boltzmann_unnormalised(energies, beta):
    e = np.asarray(energies, dtype=float)
    return np.exp(-beta * (e - e.min()))  # never divided by Z


def _gibbs_populations_only(hamiltonian, beta):
    vals = np.linalg.eigvalsh(hamiltonian.to_matrix())
    w = np.exp(-beta * (vals - vals.min()))
    return w / w.sum()  # the eigenvalue populations, not the matrix


def _qbm_log_probabilities(target):
    return np.log(reference("10.train_qbm")(target))


def _qbm_unnormalised_diagonal(target):
    from scipy.linalg import expm
    from scipy.optimize import minimize

    from autograder.solutions.lesson10 import _qbm_hamiltonian

    q = np.asarray(target, dtype=float)
    n = int(round(np.log2(q.size)))

    def diagonal(params):
        return np.real(np.diag(expm(-_qbm_hamiltonian(params, n))))

    def kl(params):
        p = diagonal(params)
        p = p / p.sum()
        return float(np.sum(q * (np.log(q) - np.log(p))))

    x0 = np.zeros(n + n * (n - 1) // 2 + n)
    res = minimize(kl, x0, method="L-BFGS-B")
    return diagonal(res.x)  # not divided by the trace


def _qbm_returns_target(target):
    return np.asarray(target, dtype=float).copy()


def _boltzmann_plus_sign(energies, beta):
    e = np.asarray(energies, dtype=float)
    w = np.exp(beta * (e - e.max()))
    return w / w.sum()


def _boltzmann_ignores_beta(energies, beta):
    e = np.asarray(energies, dtype=float)
    w = np.exp(-(e - e.min()))
    return w / w.sum()


def _gibbs(sign=-1.0, normalise=True, transform=lambda h: h):
    def gibbs_state(hamiltonian, beta):
        from scipy.linalg import expm

        rho = expm(sign * beta * transform(hamiltonian.to_matrix()))
        return rho / np.trace(rho) if normalise else rho

    return gibbs_state


_gibbs_unnormalised = _gibbs(normalise=False)


_gibbs_plus_sign = _gibbs(sign=1.0)


_gibbs_transposed = _gibbs(transform=lambda h: h.T)


def _gibbs_labels_reversed(hamiltonian, beta):
    flipped = SparsePauliOp.from_list([(p[::-1], c) for p, c in hamiltonian.to_list()])
    return _gibbs()(flipped, beta)


def _qbm_order_reversed(target):
    p = reference("10.train_qbm")(target)
    n = int(np.log2(p.size))
    return p.reshape([2] * n).transpose().reshape(-1)


def _qbm_bits_flipped(target):
    return reference("10.train_qbm")(target)[::-1]


def _qbm_diverged(target):
    logits = 2000.0 * np.asarray(target, dtype=float)  # weights blown up by a huge step
    w = np.exp(logits)  # overflows to inf
    return w / w.sum()  # inf / inf = nan


# ------------------------------------------------------------------------------ lesson 11


def _transpile_forgets_result(circuit, backend):
    from qiskit.transpiler import generate_preset_pass_manager

    pm = generate_preset_pass_manager(optimization_level=3, backend=backend)
    pm.run(circuit)
    return circuit  # the transpiled circuit is thrown away


def _transpile_for_another_device(circuit, backend):
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit.transpiler import generate_preset_pass_manager

    device = GenericBackendV2(num_qubits=7, seed=3)  # not the backend given
    return generate_preset_pass_manager(3, device, seed_transpiler=1).run(circuit)


def _transpile_rebuilt_without_layout(circuit, backend):
    from qiskit.transpiler import generate_preset_pass_manager

    isa = generate_preset_pass_manager(3, backend, seed_transpiler=7).run(circuit)
    out = QuantumCircuit(isa.num_qubits)
    out.compose(isa, inplace=True)  # the layout stays behind
    return out


def _check_scale(scale):
    if scale < 1 or scale % 2 == 0:
        raise ValueError("scale must be an odd positive integer")


def _fold_with_g(circuit, scale):
    _check_scale(scale)
    out = circuit.copy_empty_like()
    for inst in circuit.data:
        for _ in range(scale):  # G G G: the fold needs G^dagger in the middle
            out.append(inst)
    return out


def _fold_not_folded(circuit, scale):
    _check_scale(scale)
    return circuit.copy()


def _fold_too_often(circuit, scale):
    _check_scale(scale)
    out = circuit.copy_empty_like()
    for inst in circuit.data:
        out.append(inst)
        for _ in range(scale):  # scale folds, not (scale - 1) / 2
            out.append(inst.replace(operation=inst.operation.inverse()))
            out.append(inst)
    return out


def _richardson_coefficients(scales, values):
    s = np.asarray(scales, dtype=float)
    return np.polyfit(s, np.asarray(values, dtype=float), len(s) - 1)


def _bell_circuit():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


def _bell_returns_result(backend, shots):
    qc = _bell_circuit()
    qc.measure_all()
    return backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]


def _bell_counts_of_no_register(backend, shots):
    qc = _bell_circuit()  # no measurement, so no classical register
    result = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]
    counts = {}
    for register in qc.cregs:
        counts.update(getattr(result.data, register.name).get_counts())
    return counts


def _bell_unmeasured(backend, shots):
    qc = _bell_circuit()
    result = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]
    return result.data.meas.get_counts()


def _bell_probabilities(backend, shots):
    qc = _bell_circuit()
    qc.measure_all()
    counts = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0].data.meas.get_counts()
    return {k: v / shots for k, v in counts.items()}


def _bell_measured_twice(backend, shots):
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    qc.measure_all()
    result = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]
    return result.join_data().get_counts()


def _bell_measured_twice_aer_counts(backend, shots):
    from qiskit_aer import AerSimulator

    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    qc.measure_all()
    sim_ = AerSimulator(seed_simulator=1)
    return sim_.run(transpile(qc, sim_), shots=shots).result().get_counts()


def _bell_three_qubits(backend, shots):
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure_all()
    return backend.sampler.run([backend.isa(qc)], shots=shots).result()[0].data.meas.get_counts()


def _bell_default_shots(backend, shots):
    qc = _bell_circuit()
    qc.measure_all()
    return backend.sampler.run([backend.isa(qc)]).result()[0].data.meas.get_counts()


def _bell_no_cnot(backend, shots):
    qc = QuantumCircuit(2)
    qc.h([0, 1])  # H on both qubits: a product state, not a Bell state
    qc.measure_all()
    return backend.sampler.run([backend.isa(qc)], shots=shots).result()[0].data.meas.get_counts()


def _fold_each(pattern):
    def fold_gates(circuit, scale):
        _check_scale(scale)
        out = circuit.copy_empty_like()
        for inst in circuit.data:
            inverse = inst.replace(operation=inst.operation.inverse())
            for step in pattern((scale - 1) // 2):
                out.append(inst if step == "G" else inverse)
        return out

    return fold_gates


_fold_ends_with_inverse = _fold_each(lambda k: "G" + "IG" * (k - 1) + "I" if k else "G")


_fold_inverse_gates = _fold_each(lambda k: "I" + "GI" * k)


def _fold_inverse_circuit(circuit, scale):
    _check_scale(scale)
    out = circuit.inverse()  # U^dagger U U^dagger: the circuit-level fold the wrong way round
    for _ in range((scale - 1) // 2):
        out.compose(circuit, inplace=True)
        out.compose(circuit.inverse(), inplace=True)
    return out


def _richardson_value_at_scale_1(scales, values):
    return float(np.asarray(values, dtype=float)[0])


# Hints no row reaches, and why they are kept. Measured with issue 12's hint-site coverage
# script: 126 of the 134 places that attach a hint fire for a mistake below or in the promise
# audit (124 where the hint is raised, plus the two hints passed to compare.as_bool, whose
# texts the rows for _unitary_returns_number and _kernel_validity_as_number pin), and every
# diagnosis text of the checks' hint helpers is shown by some row, except those of the
# compare helpers below (diagnose_operator, and diagnose_angle behind assert_close). The 8
# places left:
#
# * lesson02 apply_single_qubit_gate, "wrong length: the result has as many amplitudes as the
#   input state": every wrong-length answer we tried (a kron with one factor too many or too
#   few, n taken as len(state)) raises inside the learner's own matrix product first, and a
#   2-D or tensor-shaped answer is caught before it; the guard stays so that a vector of
#   another length gets a plain message.
# * compare.assert_operator / diagnose_operator, compare.assert_close (scalar and array
#   hints), the "measurement left" hint of compare.to_operator, and compare.assert_counts'
#   "qubit order reversed": public helpers for check authors, tested on their own in
#   test_compare.py. No exercise calls assert_operator or assert_close; to_operator only ever
#   sees circuits that assert_circuit has already refused for measurements; and the only
#   assert_counts caller (11.run_bell_experiment) expects {00, 11}, which reversing the keys
#   leaves unchanged.
# * compare's two grader-budget hints ("a much larger circuit than needed" for more than
#   MAX_CIRCUIT_OPS operations, and for a statevector/unitary over budget): only circuits
#   far larger than any plausible mistake builds in reasonable time reach them; they are
#   tested in test_grader_budgets.py. The third budget hint (more than 160 qubits) is
#   reached by _ghz_amplitude_count_as_qubits.

MORE_MISTAKES = [
    # lesson 00
    ("00.plus_state", _plus_two_qubits, ("wrong length", "wrong number of qubits: 2 instead of 1")),
    ("00.plus_state", _plus_density_matrix, ("return a Statevector or a NumPy vector",)),
    ("00.plus_state", _plus_measured_circuit, ("measurement left in the circuit",)),
    (
        "00.plus_state",
        _plus_halves,
        ("the amplitudes point the right way but the norm is 0.7071", "norm is 0.707, it must"),
    ),
    ("00.plus_state", _plus_typo_comparison, ("the state is the zero vector",)),
    ("00.plus_state", _plus_is_minus, ("wrong sign: the amplitudes have the right sizes",)),
    # lesson 01
    ("01.normalize", _normalize_by_squared_norm, ("divided by the squared norm",)),
    ("01.normalize", _normalize_returns_norm, ("wrong shape",)),
    ("01.measurement_probabilities", _probabilities_as_dict, ("not a dict of bitstrings",)),
    (
        "01.measurement_probabilities",
        _probabilities_one_qubit_only,
        ("wrong shape: one probability per amplitude",),
    ),
    ("01.bloch_angles", _bloch_theta_only, ("return theta, phi",)),
    ("01.bloch_angles", _bloch_vector_instead, ("return theta, phi",)),
    ("01.bloch_angles", _bloch_degrees, ("degrees instead of radians",)),
    ("01.bloch_angles", _bloch_half_theta, ("half the angle",)),
    ("01.bloch_angles", _bloch_phi_not_wrapped, ("phi must be in [0, 2pi)",)),
    ("01.minus_i_circuit", _minus_i_without_h, ("the state is still |0>",)),
    ("01.normalize", _normalize_forgets_division, ("the vector came back unchanged",)),
    ("01.normalize", _normalize_by_sum_of_magnitudes, ("divided by the sum of |amplitudes|",)),
    ("01.normalize", _normalize_root_of_sum_of_magnitudes, ("square the magnitudes before",)),
    ("01.normalize", _normalize_real_part, ("imaginary parts dropped",)),
    ("01.normalize", _normalize_by_largest, ("divided by the largest amplitude",)),
    ("01.normalize", _normalize_squares_not_magnitudes, ("used a_k**2 instead of |a_k|**2",)),
    ("01.normalize", _normalize_makes_first_amplitude_real, ("the phase changed",)),
    ("01.measurement_probabilities", _probabilities_magnitudes, ("returned |amplitude|",)),
    ("01.measurement_probabilities", _probabilities_complex_square, ("squared the complex",)),
    ("01.measurement_probabilities", _probabilities_real_part, ("imaginary parts dropped",)),
    ("01.measurement_probabilities", _probabilities_reversed_list, ("the list is reversed",)),
    (
        "01.measurement_probabilities",
        _probabilities_over_sum_of_magnitudes,
        ("the probabilities add up to",),
    ),
    ("01.bloch_angles", _bloch_phi_sign, ("wrong sign of phi",)),
    ("01.bloch_angles", _bloch_theta_from_real_part, ("the global phase makes alpha complex",)),
    ("01.bloch_angles", _bloch_theta_from_beta, ("|0> and |1> swapped",)),
    ("01.bloch_angles", _bloch_phi_degrees, ("degrees instead of radians: phi",)),
    ("01.prepare_state", _prepare_half, ("half the angle: RY(theta) already",)),
    ("01.prepare_state", _prepare_double, ("double the angle: use qc.ry(theta, 0)",)),
    ("01.prepare_state", _prepare_radians_again, ("radians converted as if they were degrees",)),
    # at phi = pi/2 these two mistakes prepare the same state: only "what differs" is named
    ("01.prepare_state", _prepare_rx, ("RX instead of RY", "relative phase wrong")),
    (
        "01.prepare_state",
        _prepare_phase_first,
        ("the phase gate must come after RY", "relative phase wrong"),
    ),
    ("01.prepare_state", _prepare_double_phase, ("relative phase wrong",)),
    ("01.minus_i_circuit", _minus_i_with_z, ("the phase of |1> must be -i, not -1",)),
    ("01.minus_i_circuit", _minus_i_h_only, ("this is |+>",)),
    # lesson 02
    ("02.is_unitary", _unitary_returns_number, ("return a bool, e.g. bool(np.allclose",)),
    ("02.x_from_h_and_z", _x_from_h_and_z_empty, ("add the gates",)),
    ("02.x_from_h_and_z", _x_from_h_then_z, ("H and Z alone do not make X",)),
    ("02.apply_single_qubit_gate", _apply_returns_operator, ("return U @ state, not U",)),
    ("02.apply_single_qubit_gate", _apply_tensor_not_reshaped, ("psi.reshape(-1)",)),
    ("02.ry_angle_for_probability", _ry_angle_in_degrees, ("degrees instead of radians",)),
    ("02.is_unitary", _unitary_no_shape_check, ("check the shape first",)),
    ("02.swap_from_cnots", _swap_empty, ("add the gates",)),
    ("02.x_from_h_and_z", _x_from_z_only, ("this is Z",)),
    ("02.x_from_h_and_z", _x_from_h_h, ("this is the identity: H H = I",)),
    ("02.apply_single_qubit_gate", _apply_adjoint, ("applies the adjoint",)),
    ("02.apply_single_qubit_gate", _apply_forgets_gate, ("the state came back unchanged",)),
    ("02.ry_angle_for_probability", _ry_half, ("half the angle: P(1)",)),
    ("02.ry_angle_for_probability", _ry_double, ("double the angle: theta",)),
    ("02.ry_angle_for_probability", _ry_no_square_root, ("missing square root",)),
    ("02.ry_angle_for_probability", _ry_for_p0, ("this angle gives P(0) = p1",)),
    ("02.is_unitary", _unitary_by_determinant, ("|det| = 1 is not enough", "check the shape")),
    ("02.is_unitary", _unitary_plain_transpose, ("use the conjugate transpose",)),
    ("02.is_unitary", _unitary_loose_fixed_tolerance, ("not a looser one",)),
    ("02.swap_from_cnots", _swap_single_cnot, ("this is a single CNOT",)),
    ("02.swap_from_cnots", _swap_cnots_cancel, ("equal CNOTs cancel in pairs",)),
    ("02.swap_from_cnots", _swap_two_cnots, ("two CNOTs are not enough",)),
    ("02.is_unitary", _unitary_columns_orthogonal_only, ("columns must have length 1",)),
    ("02.ry_angle_for_probability", _ry_negative, ("theta must be in [0, pi]",)),
    # lesson 03
    ("03.bell_state", _bell_without_x, ("an X on one qubit before the CNOT swaps",)),
    ("03.ghz_circuit", _ghz_loop_too_short, ("the CNOT loop probably stops one qubit early",)),
    (
        "03.ghz_circuit",
        _ghz_amplitude_count_as_qubits,
        ("wrong number of qubits", "a much larger circuit than needed"),
    ),
    (
        "03.is_entangled",
        _entangled_iff_four_amplitudes,
        ("a state with only |00⟩ and |11⟩", "superposition is not entanglement"),
    ),
    ("03.is_entangled", _entangled_iff_superposition, ("superposition is not entanglement",)),
    ("03.bell_state", _bell_no_minus_sign, ("flips the sign",)),
    ("03.reduced_density_matrix", _rdm_full_matrix, ("wrong size: keeping",)),
    ("03.reduced_density_matrix", _rdm_conjugate_on_ket, ("complex conjugate/transposed",)),
    ("03.chsh_value", _chsh_half_angle, ("half angle",)),
    ("03.chsh_value", _chsh_plus_inside, ("not cos(a + b)",)),
    ("03.chsh_value", _chsh_all_plus, ("wrong sign: the minus sign belongs to E(a1, b1)",)),
    ("03.chsh_value", _chsh_minus_on_a0_b1, ("not E(a0, b1)",)),
    ("03.chsh_value", _chsh_from_shots, ("not from sampled shots",)),
    (
        "03.is_entangled",
        _entangled_exact_comparison,
        ("compare with a tolerance (atol)", "use the atol argument"),
    ),
    # lesson 04
    ("04.measure_pauli", _pauli_one_shared_bit, ("its own classical bit",)),
    (
        "04.expectation_from_counts",
        _efc_letters_left_to_right,
        ("qubit order reversed: the leftmost Pauli letter",),
    ),
    ("04.measure_pauli", _pauli_measured_twice, ("measure every qubit once",)),
    ("04.measure_pauli", _pauli_string_index_as_qubit, ("qubit order reversed",)),
    ("04.measure_pauli", _pauli_measure_then_rotate, ("do the basis change first",)),
    ("04.measure_pauli", _pauli_changes_input_then_copies, ("modified the input circuit",)),
    ("04.measure_pauli", _pauli_support_only_circuit, ("start from circuit.copy()",)),
    ("04.measure_pauli", _pauli_no_measurement, ("add measurements after the basis change",)),
    ("04.shots_needed", _shots_not_rounded, ("round up with math.ceil",)),
    ("04.mitigate_readout", _mitigate_returns_vector, ("return a dict from bitstrings",)),
    ("04.expectation_from_counts", _efc_not_normalised, ("divide by the total number",)),
    ("04.expectation_from_counts", _efc_sign_flipped, ("wrong sign: outcome bit 0",)),
    ("04.expectation_from_counts", _efc_every_bit, ("the I positions were treated like Z",)),
    ("04.expectation_from_counts", _efc_probability_of_plus, ("this is a probability",)),
    ("04.measure_pauli", _pauli_no_basis_change, ("measured without basis change",)),
    ("04.measure_pauli", _pauli_h_for_y, ("for Y, H alone measures X",)),
    (
        "04.measure_pauli",
        _pauli_forgets_y,
        ("measured without basis change", "the Y qubit got no working basis change"),
    ),
    (
        "04.measure_pauli",
        _pauli_forgets_x,
        ("measured without basis change", "the X qubit(s) need an H"),
    ),
    ("04.shots_needed", _shots_log10, ("log base 10",)),
    ("04.shots_needed", _shots_epsilon_not_squared, ("ε instead of ε²",)),
    ("04.shots_needed", _shots_missing_factor_2, ("missing factor 2 in the exponent",)),
    ("04.shots_needed", _shots_chebyshev, ("Chebyshev",)),
    ("04.mitigate_readout", _mitigate_applies_matrix, ("confusion matrix again",)),
    ("04.mitigate_readout", _mitigate_keys_reversed, ("qubit order reversed in the keys",)),
    (
        "04.measure_pauli",
        _pauli_measures_qubit_0_only,
        ("measure every qubit where the Pauli string is not I",),
    ),
    ("04.shots_needed", _shots_strict_plus_one, ("off-by-one",)),
    # lesson 05
    ("05.basis_encoding", _basis_measured, ("measurement left in the circuit",)),
    ("05.angle_encoding", _angle_unbound, ("bind the data",)),
    ("05.angle_encoding", _angle_rx, ("RX instead of RY",)),
    ("05.amplitude_encoding", _amplitude_from_probabilities, ("keep the signs of x",)),
    ("05.zz_feature_map", _zz_with_library, ("a forbidden library feature map used",)),
    ("05.zz_feature_map", _zz_with_library_in_a_helper, ("a forbidden library feature map used",)),
    ("05.angle_encoding", _angle_half, ("half the angle: RY(x)",)),
    ("05.angle_encoding", _angle_double, ("double the angle: apply RY(x[i])",)),
    ("05.angle_encoding", _angle_reversed, ("qubit order reversed: x[0] goes to qubit 0",)),
    ("05.zz_feature_map", _zz_no_hadamards, ("the Hadamard layer is missing",)),
    ("05.zz_feature_map", _zz_product_angle, ("wrong pair angle",)),
    ("05.zz_feature_map", _zz_no_factor_2, ("factor 2 missing",)),
    ("05.basis_encoding", _basis_x_on_zeros, ("X on the wrong bits: apply X",)),
    ("05.basis_encoding", _basis_x_on_zeros_left_to_right, ("X on the wrong bits and qubit",)),
    # on one qubit only RX shows; on more qubits, both mistakes
    (
        "05.angle_encoding",
        _angle_rx_reversed,
        ("RX instead of RY", "qubit order reversed (and a phase differs)"),
    ),
    # lesson 06
    ("06.is_valid_kernel", _kernel_validity_as_number, ("bool(symmetric and psd)",)),
    ("06.train_qsvm", _qsvm_plus_minus_labels, ("labels must be 0/1",)),
    (
        "06.state_fidelity",
        _fidelity_overlap,
        ("returned the overlap <a|b> itself", "not squared"),
    ),
    ("06.state_fidelity", _fidelity_not_squared, ("not squared",)),
    ("06.kernel_matrix", _kernel_rows_for_y, ("transposed: K[i, j] is the kernel of X[i]",)),
    ("06.kernel_matrix", _kernel_complex_overlaps, ("returned the complex overlaps",)),
    ("06.kernel_matrix", _kernel_not_squared, ("returned the amplitude overlap",)),
    ("06.is_valid_kernel", _kernel_symmetry_only, ("symmetric is not enough",)),
    (
        "06.is_valid_kernel",
        _kernel_eigenvalues_exactly_nonnegative,
        ("too strict", "use the atol argument"),
    ),
    ("06.train_qsvm", _qsvm_returns_score, ("return the trained model itself",)),
    (
        "06.train_qsvm",
        _qsvm_precomputed_without_test_kernel,
        ("predict receives raw test points",),
    ),
    ("06.train_qsvm", _qsvm_predict_proba_columns, ("wrong shape",)),
    ("06.state_fidelity", _fidelity_dot, ("the bra is not conjugated",)),
    ("06.state_fidelity", _fidelity_real_part, ("used only the real part",)),
    ("06.kernel_matrix", _kernel_dot, ("the bra is not conjugated",)),
    ("06.kernel_matrix", _kernel_squared_overlap, ("the fidelity kernel is real",)),
    ("06.is_valid_kernel", _kernel_eigenvalues_only, ("not symmetric, yet you said True",)),
    ("06.train_qsvm", _qsvm_flipped_labels, ("labels flipped",)),
    ("06.train_qsvm", _qsvm_one_repetition, ("close: check the feature map",)),
    # lesson 07
    ("07.vqe_ground_energy", _vqe_returns_result_object, ("return result.fun",)),
    ("07.parameter_shift_gradient", _gradient_first_entry_only, ("wrong shape: return",)),
    ("07.parameter_shift_gradient", _gradient_finite_difference, ("finite differences",)),
    ("07.vqe_ground_energy", _vqe_returns_energy_and_state, ("return the energy alone",)),
    ("07.vqe_ground_energy", _vqe_returns_ground_state, ("returned an eigenvector",)),
    ("07.parameter_shift_gradient", _gradient_quarter_shift, ("shift of π/4",)),
    ("07.parameter_shift_gradient", _gradient_no_half, ("the factor 1/2 is missing",)),
    ("07.parameter_shift_gradient", _gradient_over_4, ("divided by 4 instead of 2",)),
    ("07.parameter_shift_gradient", _gradient_minus_first, ("wrong sign: subtract",)),
    ("07.parameter_shift_gradient", _gradient_reversed, ("the entries are in reverse order",)),
    ("07.vqe_ground_energy", _vqe_highest, ("returned the highest eigenvalue",)),
    ("07.vqe_ground_energy", _vqe_drops_identity, ("the constant identity term (II)",)),
    ("07.vqe_ground_energy", _vqe_first_excited, ("this is eigenvalue number 1",)),
    ("07.vqe_ground_energy", _vqe_terms_minimised_separately, ("below the true ground",)),
    ("07.vqe_ground_energy", _vqe_stopped_early, ("close but not converged",)),
    # lesson 08
    ("08.parity_probability", _parity_int_keys, ("keys with spaces between registers",)),
    ("08.cross_entropy", _cross_entropy_per_point, ("return the mean over the points",)),
    ("08.cross_entropy", _cross_entropy_unclipped, ("NaN or inf at p = 0 or 1",)),
    ("08.cross_entropy", _cross_entropy_log10, ("log base 10",)),
    ("08.cross_entropy", _cross_entropy_coarse_clip, ("epsilon 0.01",)),
    ("08.cross_entropy", _cross_entropy_epsilon_added, ("adding 0.1 inside the logarithm",)),
    ("08.train_vqc", _vqc_returns_score, ("return the fitted model object",)),
    ("08.train_vqc", _vqc_predict_proba_columns, ("wrong shape: one label per row",)),
    ("08.parity_probability", _parity_even, ("the probability of EVEN parity",)),
    ("08.parity_probability", _parity_unnormalised, ("not normalised: divide the odd",)),
    ("08.parity_probability", _parity_last_bit, ("only the last bit",)),
    ("08.parity_probability", _parity_first_bit, ("only the first bit",)),
    ("08.cross_entropy", _cross_entropy_summed, ("summed instead of averaged",)),
    ("08.cross_entropy", _cross_entropy_log2, ("log base 2",)),
    ("08.cross_entropy", _cross_entropy_swapped, ("swapped p and 1 - p",)),
    ("08.cross_entropy", _cross_entropy_no_minus, ("wrong sign: the cross-entropy",)),
    ("08.parity_probability", _parity_even_counts, ("not normalised, and even instead of odd",)),
    ("08.train_vqc", _vqc_underfit, ("train longer or use a more expressive circuit",)),
    # lesson 09
    ("09.qnn_forward", _qnn_measures_qubit_0, ("measured qubit 0 instead of qubit n-1",)),
    ("09.qnn_weight_gradient", _qnn_gradient_flat, ("right values, wrong shape",)),
    ("09.qnn_weight_gradient", _qnn_gradient_without_half, ("twice the gradient",)),
    ("09.qnn_forward", _qnn_chain_reversed, ("reversed CX chain",)),
    ("09.qnn_forward", _qnn_control_target_swapped, ("control and target swapped",)),
    ("09.qnn_forward", _qnn_entangle_first, ("entangling before the rotations",)),
    ("09.qnn_forward", _qnn_layers_reversed, ("layers in the wrong order",)),
    ("09.qnn_forward", _qnn_weights_transposed, ("weights transposed",)),
    ("09.qnn_forward", _qnn_probability_of_1, ("the probability of measuring 1",)),
    ("09.qnn_forward", _qnn_probability_of_0, ("the probability of measuring 0",)),
    ("09.qnn_forward", _qnn_minus_z, ("wrong sign: <Z> = P(0) - P(1)",)),
    ("09.qnn_weight_gradient", _qnn_gradient_sign, ("wrong sign: the parameter-shift",)),
    ("09.qnn_weight_gradient", _qnn_gradient_of_p1, ("the gradient of P(1)",)),
    ("09.qnn_weight_gradient", _qnn_gradient_transposed, ("transposed",)),
    ("09.qnn_weight_gradient", _qnn_gradient_finite_difference, ("close but not exact",)),
    (
        "09.qnn_weight_gradient",
        _qnn_gradient_by_x,
        ("the gradient with respect to x", "right values, wrong shape"),
    ),
    (
        "09.qnn_weight_gradient",
        _qnn_gradient_first_layer,
        ("the same numbers as the first layer's", "right values, wrong shape"),
    ),
    ("09.qnn_weight_gradient", _qnn_gradient_summed, ("one derivative per entry of weights",)),
    # lesson 10
    ("10.boltzmann_distribution", _boltzmann_as_density_matrix, ("wrong shape",)),
    ("10.boltzmann_distribution", _boltzmann_unnormalised, ("not normalised: the weights",)),
    ("10.gibbs_state", _gibbs_populations_only, ("wrong shape",)),
    ("10.train_qbm", _qbm_log_probabilities, ("a diagonal element of a positive matrix",)),
    ("10.train_qbm", _qbm_unnormalised_diagonal, ("not normalised: divide the diagonal",)),
    ("10.train_qbm", _qbm_returns_target, ("not the target itself",)),
    ("10.boltzmann_distribution", _boltzmann_plus_sign, ("missing minus sign",)),
    ("10.boltzmann_distribution", _boltzmann_ignores_beta, ("beta ignored",)),
    ("10.gibbs_state", _gibbs_unnormalised, ("not normalised: the trace is",)),
    ("10.gibbs_state", _gibbs_plus_sign, ("wrong sign: this is e^(+beta H)/Z",)),
    ("10.gibbs_state", _gibbs_transposed, ("transposed (or complex conjugated)",)),
    ("10.gibbs_state", _gibbs_labels_reversed, ("qubit order reversed",)),
    ("10.train_qbm", _qbm_order_reversed, ("qubit order reversed",)),
    ("10.train_qbm", _qbm_bits_flipped, ("bits flipped",)),
    ("10.train_qbm", _qbm_diverged, ("the training diverged",)),
    # lesson 11
    ("11.transpile_for_backend", _transpile_forgets_result, ("a forbidden gate used:",)),
    ("11.transpile_for_backend", _transpile_for_another_device, ("wrong number of qubits",)),
    ("11.transpile_for_backend", _transpile_rebuilt_without_layout, ("keep its .layout",)),
    ("11.fold_gates", _fold_with_g, ("folded with G instead of its inverse",)),
    ("11.fold_gates", _fold_not_folded, ("the circuit was not folded",)),
    ("11.fold_gates", _fold_too_often, ("(scale - 1) / 2 folds per gate",)),
    ("11.richardson_extrapolate", _richardson_coefficients, ("value at scale 0",)),
    ("11.run_bell_experiment", _bell_returns_result, ("result.data.meas.get_counts()",)),
    ("11.run_bell_experiment", _bell_counts_of_no_register, ("missing measurement",)),
    ("11.run_bell_experiment", _bell_unmeasured, ("missing measurement",)),
    ("11.run_bell_experiment", _bell_probabilities, ("returning probabilities instead",)),
    ("11.run_bell_experiment", _bell_measured_twice, ("measured twice?",)),
    ("11.run_bell_experiment", _bell_measured_twice_aer_counts, ("measured twice?",)),
    ("11.run_bell_experiment", _bell_three_qubits, ("wrong number of qubits measured",)),
    ("11.run_bell_experiment", _bell_default_shots, ("wrong shot count",)),
    ("11.run_bell_experiment", _bell_no_cnot, ("is the circuit H on qubit 0 then CX(0, 1)?",)),
    ("11.fold_gates", _fold_ends_with_inverse, ("the circuit cancels to the identity",)),
    ("11.fold_gates", _fold_inverse_gates, ("this is the inverse (adjoint) circuit",)),
    ("11.fold_gates", _fold_inverse_circuit, ("this is the inverse (adjoint) circuit",)),
    ("11.richardson_extrapolate", _richardson_value_at_scale_1, ("extrapolated to scale 1",)),
]


# rows of the lessons kept in audit/lessonNN.py (see audit/__init__.py), as test_promises loaded them
_AUDITS = _PROMISE_TABLE._AUDITS
PROMISE_HINTS.update(_AUDITS.gather("PROMISE_HINTS", dict))
MORE_MISTAKES = MORE_MISTAKES + _AUDITS.gather("MORE_MISTAKES", list)


def _rows():
    rows = []
    for exercise_id, _, wrong, _ in _promises():
        rows.append((exercise_id, wrong, PROMISE_HINTS[wrong.__name__]))
    return rows + MORE_MISTAKES


ROWS = _rows()
#: rows are named by the module-level name of their wrong answer (factories share __name__)
_NAMES = {id(v): k for k, v in list(globals().items()) if callable(v) and k.startswith("_")}


def _hints(result) -> list[str]:
    return sorted({c.hint for c in result.cases if not c.passed and c.hint})


def test_every_promise_mistake_has_its_expected_diagnosis():
    """Is the table complete: one expected diagnosis per promise-audit wrong answer?"""
    names = {wrong.__name__ for _, _, wrong, _ in _promises()}
    assert names == set(PROMISE_HINTS)


@pytest.mark.parametrize(
    "exercise_id, wrong, expected",
    ROWS,
    ids=[f"{e}: {_NAMES.get(id(w), w.__name__)}" for e, w, _ in ROWS],
)
def test_hint_fires_for_its_mistake_and_no_other_hint_does(exercise_id, wrong, expected):
    result = check(exercise_id, wrong)
    assert not result.passed
    hints = _hints(result)
    for want in expected:
        assert any(want in h for h in hints), f"missing diagnosis {want!r}; shown: {hints}"
    stray = [h for h in hints if not any(want in h for want in expected)]
    assert not stray, f"a diagnosis fired for a mistake it does not name: {stray}"
