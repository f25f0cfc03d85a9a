"""The promise audit (issue 12, item 1): every promise an exercise statement makes has a
case that fails an answer breaking it.

``PROMISES`` is the table: one row per (exercise, promise), with a wrong answer that keeps
every other promise of the statement and breaks only that one. The check must fail each
wrong answer, without blaming itself, and the reference solution must pass. For every
new case, ``CORRECT_STYLES`` holds at least two correct answers written in styles other
than the reference's, and they must get full marks (a promise case must never reject a
correct answer).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.quantum_info import Operator, Statevector, partial_trace

import qmlkit
from autograder import check, get_exercise
from autograder.solutions import reference
from qmlkit import sim

# ------------------------------------------------------------------------ 01.normalize


def _normalize_rejects_any_zero(amplitudes):
    v = np.asarray(amplitudes, dtype=complex)
    if np.any(v == 0):  # "zero vector" read as "a zero in the vector"
        raise ValueError("cannot normalise a vector with zero amplitudes")
    return v / np.linalg.norm(v)


def _normalize_arrays_only(amplitudes):
    norm = np.linalg.norm(amplitudes)
    if norm == 0:
        raise ValueError("zero vector")
    return amplitudes.astype(complex) / norm  # a list has no .astype


def _normalize_by_hand(amplitudes):
    total = sum(abs(a) ** 2 for a in amplitudes)
    if total == 0:
        raise ValueError("zero vector")
    return [complex(a) / total**0.5 for a in amplitudes]


def _normalize_statevector(amplitudes):
    v = np.array(amplitudes, dtype=complex)
    if not v.any():
        raise ValueError("all amplitudes are zero")
    return Statevector(v / np.sqrt(np.vdot(v, v).real))


# ------------------------------------------------------------------------ 02.is_unitary


def _square(matrix):
    m = np.asarray(matrix, dtype=complex)
    return m if m.ndim == 2 and m.shape[0] == m.shape[1] else None


def _unitary_relative_tolerance(matrix, atol=1e-9):
    m = _square(matrix)
    if m is None:
        return False
    return bool(np.allclose(m.conj().T @ m, np.eye(len(m)), atol=atol))  # rtol=1e-5 too


def _unitary_ignores_atol(matrix, atol=1e-9):
    m = _square(matrix)
    if m is None:
        return False
    return bool(np.allclose(m.conj().T @ m, np.eye(len(m)), rtol=0, atol=1e-9))


def _unitary_frobenius(matrix, atol=1e-9):
    m = _square(matrix)
    return m is not None and bool(np.linalg.norm(m.conj().T @ m - np.eye(len(m))) <= atol)


def _unitary_rows(matrix, atol=1e-9):
    m = _square(matrix)
    if m is None:
        return False
    close = np.isclose(m @ m.conj().T, np.eye(len(m)), rtol=0, atol=atol)
    return bool(close.all())


def _unitary_operator(matrix, atol=1e-9):
    m = _square(matrix)
    return m is not None and bool(Operator(m).is_unitary(atol=atol, rtol=0))


# ------------------------------------------------------------------------ 03.is_entangled


def _entangled_relative(state, atol=1e-8):
    a = np.asarray(state, dtype=complex)
    return not bool(np.isclose(a[0] * a[3], a[1] * a[2], atol=atol))  # rtol=1e-5 too


def _entangled_ignores_atol(state, atol=1e-8):
    a = np.asarray(state, dtype=complex)
    return bool(abs(a[0] * a[3] - a[1] * a[2]) > 1e-8)


def _entangled_determinant(state, atol=1e-8):
    a = np.asarray(state)
    return bool(abs(a[0] * a[3] - a[1] * a[2]) > atol)


def _entangled_purity(state, atol=1e-8):
    rho = partial_trace(Statevector(list(state)), [1])
    return bool(1 - rho.purity().real > atol)


def _entangled_concurrence(state, atol=1e-8):
    a = np.asarray(state, dtype=complex)
    return bool(2 * abs(a[0] * a[3] - a[1] * a[2]) > atol)


# ------------------------------------------------------------------ 05.amplitude_encoding


def _amplitude_allows_length_one(x):
    x = np.asarray(x, dtype=float)
    if x.size == 1:  # "one number needs no qubit": pads it to a qubit instead of raising
        x = np.array([x[0], 0.0])
    return reference("05.amplitude_encoding")(x)


def _amplitude_initialize(x):
    values = [float(v) for v in x]
    n = len(values).bit_length() - 1
    if len(values) < 2 or 2**n != len(values):
        raise ValueError(f"need 2**n values with n >= 1, got {len(values)}")
    norm = sum(v * v for v in values) ** 0.5
    if norm == 0:
        raise ValueError("the zero vector has no direction")
    qc = QuantumCircuit(n)
    qc.initialize([v / norm for v in values], list(range(n)))
    return qc


def _amplitude_log2(x):
    x = np.ravel(x).astype(float)
    n = np.log2(x.size) if x.size else 0.5
    if n != int(n) or n < 1:
        raise ValueError("the length must be 2, 4, 8, ...")
    if not np.any(x):
        raise ValueError("zero vector")
    qc = QuantumCircuit(int(n))
    qc.prepare_state(Statevector(x / np.linalg.norm(x)), range(int(n)))
    return qc


# ---------------------------------------------------------------------- 06.is_valid_kernel


def _kernel_no_shape_check(K, atol=1e-8):
    K = np.array(K)
    symmetric = np.allclose(K, K.T, atol=atol, rtol=0)  # raises for a non-square array
    return bool(symmetric and np.all(np.linalg.eigvals(K).real >= -atol))


def _kernel_cholesky(K, atol=1e-8):
    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or np.max(np.abs(K - K.T)) > atol:
        return False
    try:
        np.linalg.cholesky(K + 2 * atol * np.eye(len(K)))
    except np.linalg.LinAlgError:
        return False
    return True


def _kernel_try_except(K, atol=1e-8):
    try:
        K = np.asarray(K, dtype=float)
        if not np.all(np.abs(K - K.T) <= atol):
            return False
        return bool(np.linalg.eigvalsh(K)[0] >= -atol)
    except (ValueError, np.linalg.LinAlgError):
        return False


# ------------------------------------------------------------- 07.parameter_shift_gradient


def _shift_in_place(f, params):
    grad = np.zeros(len(params))
    for k in range(len(params)):
        plus, minus = params.copy(), params.copy()  # an integer array stays integer
        plus[k] += np.pi / 2
        minus[k] -= np.pi / 2
        grad[k] = (f(plus) - f(minus)) / 2
    return grad


def _shift_needs_array(f, params):
    grad = np.zeros(params.size)  # a list has no .size
    for k in range(params.size):
        e = np.zeros(params.size)
        e[k] = np.pi / 2
        grad[k] = (f(params + e) - f(params - e)) / 2
    return grad


def _shift_comprehension(f, params):
    p = np.asarray(params, dtype=float)
    shifts = np.eye(p.size) * np.pi / 2
    return np.array([(f(p + s) - f(p - s)) / 2 for s in shifts])


def _shift_python_floats(f, params):
    base = [float(v) for v in params]
    grad = []
    for k in range(len(base)):
        plus, minus = list(base), list(base)
        plus[k] += np.pi / 2
        minus[k] -= np.pi / 2
        grad.append(0.5 * f(plus) - 0.5 * f(minus))
    return np.array(grad)


# ---------------------------------------------------------------- 09.qnn_weight_gradient


def _qnn_shift_in_place(x, weights):
    forward = reference("09.qnn_forward")
    grad = np.zeros(np.shape(weights))
    for idx in np.ndindex(grad.shape):
        plus, minus = np.copy(weights), np.copy(weights)  # integer weights stay integer
        plus[idx] += np.pi / 2
        minus[idx] -= np.pi / 2
        grad[idx] = (forward(x, plus) - forward(x, minus)) / 2
    return grad


def _qnn_float_copies(x, weights):
    forward = reference("09.qnn_forward")
    w = np.array(weights, dtype=float)
    grad = np.empty_like(w)
    for idx in np.ndindex(w.shape):
        shift = np.zeros_like(w)
        shift[idx] = np.pi / 2
        grad[idx] = (forward(x, w + shift) - forward(x, w - shift)) / 2
    return grad


def _qnn_nested_lists(x, weights):
    forward = reference("09.qnn_forward")
    rows = [[float(v) for v in row] for row in weights]
    grad = []
    for layer, row in enumerate(rows):
        out = []
        for i in range(len(row)):
            plus = [list(r) for r in rows]
            minus = [list(r) for r in rows]
            plus[layer][i] += np.pi / 2
            minus[layer][i] -= np.pi / 2
            out.append((forward(x, plus) - forward(x, minus)) / 2)
        grad.append(out)
    return np.array(grad)


# ---------------------------------------------------------------- 11.run_bell_experiment


def _bell_circuit():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _bell_ignores_backend(backend, shots):
    ideal = qmlkit.backends.get("ideal")  # the backend passed in is never used
    return sim.counts(_bell_circuit(), shots=shots, backend=ideal)


def _bell_sim_counts(backend, shots):
    return sim.counts(_bell_circuit(), shots=shots, backend=backend)


def _bell_classical_register(backend, shots):
    qc = QuantumCircuit(2, 2)
    qc.h(1)  # the other qubit as control: Phi+ is symmetric
    qc.cx(1, 0)
    qc.measure([0, 1], [0, 1])
    result = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]
    return dict(next(iter(result.data.values())).get_counts())


# --------------------------------------------- promises that were already checked (audit)


def _ry_no_error(p1):
    return float(2 * np.arcsin(np.sqrt(p1)))  # nan (and a warning) outside [0, 1]


def _ry_open_interval(p1):
    if not 0 < p1 < 1:  # [0, 1] read as (0, 1)
        raise ValueError("p1 must be in [0, 1]")
    return float(2 * np.arcsin(np.sqrt(p1)))


def _bell_no_error(name):
    ref = reference("03.bell_state")
    return ref(name if name in ("phi+", "phi-", "psi+", "psi-") else "phi+")


def _ghz_forgets_one_qubit(n):
    return QuantumCircuit(1) if n == 1 else reference("03.ghz_circuit")(n)


def _angle_arrays_only(x):
    qc = QuantumCircuit(x.size)  # a list has no .size
    for i in range(x.size):
        qc.ry(float(x[i]), i)
    return qc


def _angle_loop(x):
    values = [float(v) for v in x]
    qc = QuantumCircuit(len(values))
    for i, v in enumerate(values):
        qc.ry(v, i)
    return qc


def _angle_compose(x):
    qc = QuantumCircuit(len(x))
    for i, v in zip(range(len(x)), np.asarray(x, dtype=float)):
        one = QuantumCircuit(1)
        one.ry(v, 0)
        qc.compose(one, [i], inplace=True)
    return qc


def _cross_entropy_arrays_only(p1, y):
    p = np.clip(p1, 1e-12, 1 - 1e-12)  # np.clip turns lists into arrays, but y stays a list
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _boltzmann_overflows(energies, beta):
    w = np.exp(-beta * np.asarray(energies, dtype=float))
    return w / w.sum()


def _fold_rounds_even_scales(circuit, scale):
    if scale <= 0:
        raise ValueError("scale must be positive")
    return reference("11.fold_gates")(circuit, scale if scale % 2 else scale + 1)


def _qnn_forward_arrays_only(x, weights):
    ref = reference("09.qnn_forward")
    w = weights if isinstance(weights, np.ndarray) else np.zeros((1, len(x)))
    return ref(x, w)


def _expectation_needs_every_outcome(counts, pauli):
    n = len(pauli)
    keys = [format(i, f"0{n}b") for i in range(2**n)]
    shots = sum(counts[k] for k in keys)  # KeyError for an outcome that never occurred
    signs = [(-1) ** sum(int(b) for b, p in zip(k, pauli) if p == "Z") for k in keys]
    return sum(s * counts[k] for s, k in zip(signs, keys)) / shots


def _fidelity_arrays_only(a, b):
    return float(abs(a.conj() @ b) ** 2)  # a list has no .conj()


def _kernel_square_only(X, Y, feature_map):
    # Y read as "the same points again": the Gram matrix of X, cut to len(Y) columns
    return reference("06.kernel_matrix")(X, X, feature_map)[:, : len(Y)]


def _parity_ignores_spaces_wrongly(counts):
    shots = sum(counts.values())
    return sum(v for k, v in counts.items() if k.split(" ")[0].count("1") % 2) / shots


def _gibbs_entrywise_exp(hamiltonian, beta):
    m = np.exp(-beta * np.asarray(hamiltonian.to_matrix()))  # entry by entry
    return m / np.trace(m)


def _richardson_least_squares(scales, values):
    return float(np.polyval(np.polyfit(scales, values, 1), 0))


# ----------------------------------------------------------------------------- the table


#: (exercise id, promise in the statement, a wrong answer that breaks only that promise,
#: words naming the case(s) that test the promise: only those cases may fail)
# ------------------------------------------------- audit round 2: checks that already held
def _audit_bloch_ignores_global_phase(state):
    a, b = np.asarray(state, dtype=complex)
    return 2 * np.arccos(min(1.0, abs(a))), float(np.angle(b) % (2 * np.pi))


def _audit_probs_bit_reversed(state):
    p = np.abs(np.asarray(state)) ** 2
    n = int(np.log2(p.size))
    return p.reshape([2] * n).transpose().reshape(-1)


def _audit_rdm_kept_order_reversed(state, keep):
    psi = Statevector(np.asarray(state, dtype=complex))
    rho = partial_trace(psi, [q for q in range(psi.num_qubits) if q not in keep]).data
    k = len(keep)
    perm = np.arange(2**k).reshape([2] * k).transpose().reshape(-1)
    return rho[np.ix_(perm, perm)]


def _audit_rdm_traces_out_keep(state, keep):
    return partial_trace(Statevector(np.asarray(state, dtype=complex)), keep).data


def _audit_shots_one_sided(epsilon, delta):
    return math.ceil(math.log(1 / delta) / (2 * epsilon**2))


def _audit_shots_round(epsilon, delta):
    return round(math.log(2 / delta) / (2 * epsilon**2))


def _audit_rotate(qc, pauli, y_gate):
    for q, letter in enumerate(reversed(pauli)):
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            y_gate(qc, q)
            qc.h(q)
    qc.measure_all()
    return qc


def _audit_pauli_mutates_argument(circuit, pauli):
    return _audit_rotate(circuit, pauli, QuantumCircuit.sdg)


def _audit_pauli_s_not_sdg(circuit, pauli):
    return _audit_rotate(circuit.copy(), pauli, QuantumCircuit.s)


def _audit_mitigate_clips(counts, p0_given_1, p1_given_0):
    q = reference("04.mitigate_readout")(counts, p0_given_1, p1_given_0)
    q = {k: max(0.0, v) for k, v in q.items()}
    total = sum(q.values())
    return {k: v / total for k, v in q.items()}


def _audit_mitigate_swapped_probabilities(counts, p0_given_1, p1_given_0):
    return reference("04.mitigate_readout")(counts, p1_given_0, p0_given_1)


def _audit_mitigate_integer_keys(counts, p0_given_1, p1_given_0):
    q = reference("04.mitigate_readout")(counts, p0_given_1, p1_given_0)
    return {int(k, 2): v for k, v in q.items()}


def _audit_zz_linear(x, reps):
    n = len(x)
    qc = QuantumCircuit(n)
    for _ in range(reps):
        qc.h(range(n))
        for i in range(n):
            qc.p(2 * x[i], i)
        for i in range(n - 1):
            qc.cx(i, i + 1)
            qc.p(2 * (np.pi - x[i]) * (np.pi - x[i + 1]), i + 1)
            qc.cx(i, i + 1)
    return qc


def _audit_zz_one_rep(x, reps):
    return reference("05.zz_feature_map")(x, 1)


def _audit_qsvm_classical_rbf(X_train, y_train):
    from sklearn.svm import SVC

    return SVC(kernel="rbf").fit(X_train, y_train)


def _audit_basis_reversed(bits):
    qc = QuantumCircuit(len(bits))
    for q, b in enumerate(bits):
        if b == "1":
            qc.x(q)
    return qc


def _audit_x_on_qubit_reversed(n, k):
    qc = QuantumCircuit(n)
    qc.x(n - 1 - k)
    return qc


def _audit_prepare_phase_sign(theta, phi):
    qc = QuantumCircuit(1)
    qc.ry(theta, 0)
    qc.p(-phi, 0)
    return qc


def _audit_chsh_degrees(a0, a1, b0, b1):
    return reference("03.chsh_value")(*np.radians([a0, a1, b0, b1]))


def _audit_swap_same_direction():
    qc = QuantumCircuit(2)
    for _ in range(3):
        qc.cx(0, 1)
    return qc


def _audit_gate_transposed(state, gate, qubit):
    return reference("02.apply_single_qubit_gate")(state, np.asarray(gate).T, qubit)


def _audit_plus_unnormalised():
    return np.array([1.0, 1.0])


def _audit_minus_i_sign():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.s(0)
    return qc


def _audit_x_uses_x():
    qc = QuantumCircuit(1)
    qc.x(0)
    return qc


def _audit_vqe_with(ansatz, n_params):
    """A VQE that minimises the energy of ``ansatz`` from six random starts with COBYLA."""
    from scipy.optimize import minimize

    def solve(hamiltonian):
        H = hamiltonian.to_matrix()

        def energy(theta):
            psi = Statevector(ansatz(theta)).data
            return float(np.real(np.vdot(psi, H @ psi)))

        rng = np.random.default_rng(0)
        starts = rng.uniform(0, 2 * np.pi, (6, n_params))
        return min(
            minimize(energy, x0, method="COBYLA", options={"maxiter": 600}).fun for x0 in starts
        )

    return solve


def _real_ansatz(t):
    qc = QuantumCircuit(2)
    qc.ry(t[0], 0)
    qc.ry(t[1], 1)
    qc.cx(0, 1)
    qc.ry(t[2], 0)
    qc.ry(t[3], 1)
    return qc


def _product_ansatz(t):
    qc = QuantumCircuit(2)
    qc.ry(t[0], 0)
    qc.ry(t[1], 1)
    qc.rz(t[2], 0)
    qc.rz(t[3], 1)
    return qc


_audit_vqe_real_ansatz = _audit_vqe_with(_real_ansatz, 4)  # RY + CX: real amplitudes only
_audit_vqe_no_entangler = _audit_vqe_with(_product_ansatz, 4)  # product states only
_audit_vqe_real_ansatz.__name__ = "_audit_vqe_real_ansatz"
_audit_vqe_no_entangler.__name__ = "_audit_vqe_no_entangler"


def _audit_transpile_basis_only(circuit, backend):
    backend = getattr(backend, "backend", backend)
    return transpile(circuit, basis_gates=list(backend.operation_names), optimization_level=1)


def _audit_transpile_level0(circuit, backend):
    backend = getattr(backend, "backend", backend)
    return transpile(circuit, backend=backend, optimization_level=0, seed_transpiler=1)


def _audit_qbm_wrong_kl(target):
    t = np.asarray(target, float)
    return np.full_like(t, 1 / t.size)


def _audit_vqc_constant(X_train, y_train):
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="most_frequent").fit(X_train, y_train)


def _audit_vqc_inverted(X_train, y_train):
    return reference("08.train_vqc")(X_train, 1 - np.asarray(y_train))


def _audit_hybrid_linear(X_train, y_train):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression().fit(X_train, y_train)


def _audit_hybrid_proba(X_train, y_train):
    from sklearn.neural_network import MLPClassifier

    m = MLPClassifier((16,), max_iter=2000, random_state=0).fit(X_train, y_train)

    class P:
        def predict(self, X):
            return m.predict_proba(X)[:, 1]

    return P()


def _audit_zz_library_through_helper(x, reps):
    from qiskit.circuit.library import zz_feature_map as library_map

    def build(n):
        return library_map(n, reps=reps, entanglement="full")

    return build(len(x)).assign_parameters(list(x))  # the copy is named "ZZFeatureMap-43"


def _audit_ry_degrees(p1):
    return float(np.degrees(reference("02.ry_angle_for_probability")(p1)))


def _audit_fidelity_no_square(a, b):
    return float(abs(np.vdot(np.asarray(a), np.asarray(b))))


def _audit_boltzmann_no_beta(energies, beta):
    e = np.asarray(energies, float)
    w = np.exp(-(e - e.min()))
    return w / w.sum()


def _audit_parity_counts_not_probability(counts):
    return sum(v for k, v in counts.items() if k.replace(" ", "").count("1") % 2)


def _audit_expectation_ignores_identity(counts, pauli):
    total = sum(counts.values())
    return sum(v * (-1) ** k.count("1") for k, v in counts.items()) / total


def _audit_kernel_matrix_overlap_not_squared(X, Y, feature_map):
    K = reference("06.kernel_matrix")(X, Y, feature_map)
    return np.sqrt(K)


def _audit_gibbs_unnormalised(H, beta):
    from scipy.linalg import expm

    return expm(-beta * np.asarray(H))


def _audit_fold_wrong_count(circuit, scale):
    if scale < 1 or scale % 2 == 0:
        raise ValueError("odd scale >= 1")
    out = circuit.copy()
    for _ in range(scale - 1):
        out.compose(circuit.inverse(), inplace=True)
        out.compose(circuit, inplace=True)
    return out


PROMISES = [
    (
        "01.normalize",
        "zero amplitudes are fine when not every amplitude is zero",
        _normalize_rejects_any_zero,
        "some zero amplitudes",
    ),
    (
        "01.normalize",
        "works for lists as well as arrays",
        _normalize_arrays_only,
        "plain lists",
    ),
    (
        "02.is_unitary",
        "every entry equal within the ABSOLUTE tolerance atol (no relative tolerance)",
        _unitary_relative_tolerance,
        "the tolerance is absolute",
    ),
    (
        "02.is_unitary",
        "the atol argument is the tolerance used",
        _unitary_ignores_atol,
        "atol",
    ),
    (
        "03.is_entangled",
        "quantities above atol are not zero (no relative tolerance hides them)",
        _entangled_relative,
        "the atol argument",
    ),
    (
        "03.is_entangled",
        "quantities smaller than the given atol are treated as zero",
        _entangled_ignores_atol,
        "the atol argument",
    ),
    (
        "05.amplitude_encoding",
        "ValueError for a length of 1 (it would need zero qubits)",
        _amplitude_allows_length_one,
        "or of 1",
    ),
    (
        "06.is_valid_kernel",
        "False, not an error, for a non-square array",
        _kernel_no_shape_check,
        "non-square arrays",
    ),
    (
        "07.parameter_shift_gradient",
        "params may be an integer parameter vector",
        _shift_in_place,
        "(an integer array)",
    ),
    (
        "07.parameter_shift_gradient",
        "params may be a list (the statement's example passes [0.5])",
        _shift_needs_array,
        "(a list)",
    ),
    (
        "09.qnn_weight_gradient",
        "weights may be an integer array",
        _qnn_shift_in_place,
        "an integer array",
    ),
    (
        "11.run_bell_experiment",
        "runs on the qmlkit backend it is given (the fake device's noise shows)",
        _bell_ignores_backend,
        "fake:manila",
    ),
    (
        "02.ry_angle_for_probability",
        "ValueError when p1 is not in [0, 1]",
        _ry_no_error,
        "raise ValueError",
    ),
    (
        "02.ry_angle_for_probability",
        "p1 = 0 and p1 = 1 are allowed (a closed interval)",
        _ry_open_interval,
        "p1 in {0,",
    ),
    (
        "03.bell_state",
        "ValueError for any other name",
        _bell_no_error,
        "ValueError for an unknown name",
    ),
    ("03.ghz_circuit", "1 <= n: for n = 1 this is |+>", _ghz_forgets_one_qubit, "ghz_circuit(1)"),
    ("05.angle_encoding", "x may be a list", _angle_arrays_only, "(a list)"),
    (
        "08.cross_entropy",
        "p1 and y may be lists",
        _cross_entropy_arrays_only,
        "lists",
    ),
    (
        "10.boltzmann_distribution",
        "works for large |beta E| (no overflow, no nan)",
        _boltzmann_overflows,
        "energies, beta=",
    ),
    (
        "11.fold_gates",
        "ValueError for an even, zero or negative scale",
        _fold_rounds_even_scales,
        "raises ValueError for scale",
    ),
    (
        "09.qnn_forward",
        "weights may be nested lists",
        _qnn_forward_arrays_only,
        "lists as input",
    ),
    (
        "04.expectation_from_counts",
        "outcomes that never occurred may be missing from the dict",
        _expectation_needs_every_outcome,
        "expectation_from_counts:",
    ),
    ("06.state_fidelity", "states may be lists", _fidelity_arrays_only, "as lists"),
    (
        "06.kernel_matrix",
        "shape (len(X), len(Y)) with entries k(x_i, y_j) for two different sets",
        _kernel_square_only,
        ", Y: ",
    ),
    (
        "08.parity_probability",
        "count the 1s in every bit, ignoring spaces between registers",
        _parity_ignores_spaces_wrongly,
        "spaces in the keys",
    ),
    (
        "10.gibbs_state",
        "a matrix exponential, not np.exp entry by entry",
        _gibbs_entrywise_exp,
        "gibbs_state(",
    ),
    (
        "11.richardson_extrapolate",
        "the polynomial of degree len(scales) - 1, not a least-squares line",
        _richardson_least_squares,
        "richardson_extrapolate(",
    ),
    (
        "00.x_on_qubit",
        "qubit k in Qiskit's order (qubit 0 is the rightmost bit)",
        _audit_x_on_qubit_reversed,
        "x_on_qubit(",
    ),
    (
        "01.measurement_probabilities",
        "probabilities in index order (qubit 0 the least-significant bit)",
        _audit_probs_bit_reversed,
        "random 2- and 3-qubit states",
    ),
    (
        "01.bloch_angles",
        "the state may carry any global phase",
        _audit_bloch_ignores_global_phase,
        "global phase",
    ),
    (
        "01.prepare_state",
        "the relative phase is e^{+i phi}",
        _audit_prepare_phase_sign,
        "pi",
    ),
    (
        "02.apply_single_qubit_gate",
        "the gate acts as the matrix given (not its transpose)",
        _audit_gate_transposed,
        "qubit",
    ),
    (
        "02.swap_from_cnots",
        "the operator equals SWAP (alternating directions)",
        _audit_swap_same_direction,
        "operator equals SWAP",
    ),
    (
        "03.reduced_density_matrix",
        "keep[0] is the least-significant bit of the result",
        _audit_rdm_kept_order_reversed,
        "random",
    ),
    (
        "03.reduced_density_matrix",
        "keep lists the qubits kept, not traced out",
        _audit_rdm_traces_out_keep,
        "reduced_density_matrix:",
    ),
    (
        "03.chsh_value",
        "angles in radians",
        _audit_chsh_degrees,
        "chsh_value:",
    ),
    (
        "04.shots_needed",
        "Hoeffding's TWO-sided bound 2exp(-2N eps^2) <= delta",
        _audit_shots_one_sided,
        "",  # wrong on every input, so every case fails
    ),
    (
        "04.shots_needed",
        "the smallest integer N (rounded up, not to the nearest)",
        _audit_shots_round,
        "",  # wrong on every input, so every case fails
    ),
    (
        "04.measure_pauli",
        "a copy: the argument is not changed",
        _audit_pauli_mutates_argument,
        "measure_pauli:",
    ),
    (
        "04.measure_pauli",
        "Y is measured with S-dagger then H (S measures -Y)",
        _audit_pauli_s_not_sdg,
        "Y",
    ),
    (
        "04.mitigate_readout",
        "negative quasi-probabilities are not clipped",
        _audit_mitigate_clips,
        "mitigate_readout:",
    ),
    (
        "04.mitigate_readout",
        "p0_given_1 and p1_given_0 in the order given",
        _audit_mitigate_swapped_probabilities,
        "mitigate_readout:",
    ),
    (
        "04.mitigate_readout",
        "keys are bitstrings",
        _audit_mitigate_integer_keys,
        "mitigate_readout:",
    ),
    (
        "05.basis_encoding",
        "bits is a Qiskit bitstring (qubit 0 rightmost)",
        _audit_basis_reversed,
        "basis_encoding(",
    ),
    (
        "05.zz_feature_map",
        "entanglement='full': every pair i < j",
        _audit_zz_linear,
        "zz_feature_map([",
    ),
    (
        "05.zz_feature_map",
        "reps repetitions",
        _audit_zz_one_rep,
        "reps=",
    ),
    (
        "06.train_qsvm",
        "a quantum-kernel SVM reaching 0.90 on hidden ad hoc data",
        _audit_qsvm_classical_rbf,
        "test accuracy >= 0.90",
    ),
    (
        "00.plus_state",
        "the amplitudes have norm 1",
        _audit_plus_unnormalised,
        "plus_state()",
    ),
    (
        "01.minus_i_circuit",
        "the relative phase is -i, not +i",
        _audit_minus_i_sign,
        "relative phase -i",
    ),
    (
        "02.x_from_h_and_z",
        "only h and z gates",
        _audit_x_uses_x,
        "",
    ),
    (
        "07.vqe_ground_energy",
        "the ansatz must entangle (the ground states are entangled)",
        _audit_vqe_no_entangler,
        "vqe_ground_energy(",
    ),
    (
        "07.vqe_ground_energy",
        "an ansatz that can make complex amplitudes",
        _audit_vqe_real_ansatz,
        "complex ground state",
    ),
    (
        "08.train_vqc",
        "a model that learns, not a constant guess",
        _audit_vqc_constant,
        "test accuracy",
    ),
    (
        "08.train_vqc",
        "labels 0/1 as given (not swapped)",
        _audit_vqc_inverted,
        "test accuracy",
    ),
    (
        "09.train_hybrid",
        "a curved decision boundary (a circle), not a straight line",
        _audit_hybrid_linear,
        "test accuracy",
    ),
    (
        "09.train_hybrid",
        "predict returns labels 0/1, not probabilities",
        _audit_hybrid_proba,
        "",
    ),
    (
        "10.train_qbm",
        "KL(target || model) <= 0.05",
        _audit_qbm_wrong_kl,
        "KL(target||model) <= 0.05",
    ),
    (
        "11.transpile_for_backend",
        "only coupled pairs (routing, not just the basis gates)",
        _audit_transpile_basis_only,
        "transpile_for_backend(",
    ),
    (
        "11.transpile_for_backend",
        "at most 1.5 times the two-qubit gates of level 3",
        _audit_transpile_level0,
        "transpile_for_backend(",
    ),
    (
        "05.zz_feature_map",
        "without Qiskit's feature-map functions, even called through a helper",
        _audit_zz_library_through_helper,
        "",  # every case looks at the circuit, so every case fails
    ),
    (
        "02.ry_angle_for_probability",
        "the angle in radians",
        _audit_ry_degrees,
        "p",
    ),
    (
        "04.expectation_from_counts",
        "I positions do not count towards the parity",
        _audit_expectation_ignores_identity,
        "expectation_from_counts:",
    ),
    (
        "06.state_fidelity",
        "the fidelity is |<a|b>|^2 (squared)",
        _audit_fidelity_no_square,
        "state_fidelity(",
    ),
    (
        "06.kernel_matrix",
        "k(x, y) = |<phi(x)|phi(y)>|^2 (squared)",
        _audit_kernel_matrix_overlap_not_squared,
        "kernel_matrix(",
    ),
    (
        "08.parity_probability",
        "a probability (divided by the shots), not a count",
        _audit_parity_counts_not_probability,
        "",
    ),
    (
        "10.boltzmann_distribution",
        "the weights are exp(-beta E): beta is used",
        _audit_boltzmann_no_beta,
        "boltzmann_distribution(",
    ),
    (
        "10.gibbs_state",
        "the Gibbs state has trace 1",
        _audit_gibbs_unnormalised,
        "gibbs_state(",
    ),
    (
        "11.fold_gates",
        "(scale - 1)/2 folds G G^-1 per gate, not scale - 1",
        _audit_fold_wrong_count,
        "scale",
    ),
]

#: correct answers in styles other than the reference's, for every exercise with a new case
CORRECT_STYLES = {
    "01.normalize": [_normalize_by_hand, _normalize_statevector],
    "02.is_unitary": [_unitary_frobenius, _unitary_rows, _unitary_operator],
    "03.is_entangled": [_entangled_determinant, _entangled_purity, _entangled_concurrence],
    "05.amplitude_encoding": [_amplitude_initialize, _amplitude_log2],
    "06.is_valid_kernel": [_kernel_cholesky, _kernel_try_except],
    "07.parameter_shift_gradient": [_shift_comprehension, _shift_python_floats],
    "09.qnn_weight_gradient": [_qnn_float_copies, _qnn_nested_lists],
    "11.run_bell_experiment": [_bell_sim_counts, _bell_classical_register],
    "05.angle_encoding": [_angle_loop, _angle_compose],
}
#: exercises whose promise rows test cases that were already there before the audit
AUDITED_ONLY = {
    "02.ry_angle_for_probability",
    "03.bell_state",
    "03.ghz_circuit",
    "08.cross_entropy",
    "10.boltzmann_distribution",
    "11.fold_gates",
    "09.qnn_forward",
    "04.expectation_from_counts",
    "06.state_fidelity",
    "06.kernel_matrix",
    "08.parity_probability",
    "10.gibbs_state",
    "11.richardson_extrapolate",
    "00.x_on_qubit",
    "01.bloch_angles",
    "01.measurement_probabilities",
    "01.prepare_state",
    "02.apply_single_qubit_gate",
    "02.swap_from_cnots",
    "03.chsh_value",
    "03.reduced_density_matrix",
    "04.measure_pauli",
    "04.mitigate_readout",
    "04.shots_needed",
    "05.basis_encoding",
    "05.zz_feature_map",
    "06.train_qsvm",
    "00.plus_state",
    "01.minus_i_circuit",
    "02.x_from_h_and_z",
    "07.vqe_ground_energy",
    "08.train_vqc",
    "09.train_hybrid",
    "10.train_qbm",
    "11.transpile_for_backend",
}


def _lesson_audits():
    """Rows of the lessons kept in ``audit/lessonNN.py`` (see ``audit/__init__.py``)."""
    path = Path(__file__).with_name("audit") / "__init__.py"
    spec = importlib.util.spec_from_file_location("_audit_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_AUDITS = _lesson_audits()
PROMISES = PROMISES + _AUDITS.gather("PROMISES", list)
CORRECT_STYLES = {**CORRECT_STYLES, **_AUDITS.gather("CORRECT_STYLES", dict)}
AUDITED_ONLY = AUDITED_ONLY | _AUDITS.gather("AUDITED_ONLY", set)


@pytest.mark.parametrize(
    "exercise_id, promise, wrong, case",
    PROMISES,
    ids=[f"{e}: {p}" for e, p, _, _ in PROMISES],
)
def test_promise_has_a_case_that_fails_an_answer_breaking_it(exercise_id, promise, wrong, case):
    r = check(exercise_id, wrong)
    assert r.error is None, r.error
    assert not r.passed, f"{exercise_id} accepts an answer that breaks: {promise}"
    # the wrong answer keeps every other promise: only the promise's own cases fail
    failed = [c.description for c in r.cases if not c.passed]
    assert failed and all(case in d for d in failed), r.feedback
    assert "internal grader error" not in r.feedback
    ref = check(exercise_id, reference(exercise_id))
    assert ref.passed and ref.score == get_exercise(exercise_id).points, ref.feedback


@pytest.mark.parametrize("exercise_id", sorted(CORRECT_STYLES))
def test_promise_cases_accept_correct_answers_in_other_styles(exercise_id):
    assert len(CORRECT_STYLES[exercise_id]) >= 2
    for answer in CORRECT_STYLES[exercise_id]:
        r = check(exercise_id, answer)
        assert r.passed and r.score == get_exercise(exercise_id).points, (
            answer.__name__,
            r.feedback,
        )


def test_every_exercise_with_a_new_case_has_correct_styles():
    assert {e for e, _, _, _ in PROMISES} == set(CORRECT_STYLES) | AUDITED_ONLY


def test_every_registered_exercise_has_a_promise_row():
    """Is every exercise audited: a new exercise needs its promise rows here too?"""
    from autograder import exercises

    assert set(exercises()) - {e for e, _, _, _ in PROMISES} == set()
