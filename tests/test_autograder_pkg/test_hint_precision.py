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
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from qiskit import ClassicalRegister

from autograder import check
from autograder.solutions import reference


def _promises():
    path = Path(__file__).with_name("test_promises.py")
    spec = importlib.util.spec_from_file_location("_promise_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PROMISES


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


def _unitary_returns_number(matrix, atol=1e-9):
    m = np.asarray(matrix, dtype=complex)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return 0
    return int(np.allclose(m.conj().T @ m, np.eye(len(m)), rtol=0, atol=atol))


def _kernel_validity_as_number(K):
    K = np.asarray(K, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        return 0.0
    return float(np.allclose(K, K.T) and np.linalg.eigvalsh((K + K.T) / 2).min() >= -1e-9)


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


def _vqe_returns_result_object(hamiltonian):
    from scipy.optimize import minimize

    H = hamiltonian.to_matrix()
    evals = np.linalg.eigvalsh(H)
    return minimize(lambda v: (v[0] - evals[0]) ** 2 + evals[0], [0.0])


def _qsvm_plus_minus_labels(X_train, y_train):
    model = reference("06.train_qsvm")(X_train, y_train)

    class PlusMinus:
        def predict(self, X):
            return 2 * np.asarray(model.predict(X)) - 1

    return PlusMinus()


MORE_MISTAKES = [
    ("02.is_unitary", _unitary_returns_number, ("return a bool",)),
    ("06.is_valid_kernel", _kernel_validity_as_number, ("return a bool",)),
    ("04.measure_pauli", _pauli_one_shared_bit, ("its own classical bit",)),
    ("07.vqe_ground_energy", _vqe_returns_result_object, ("return result.fun",)),
    ("06.train_qsvm", _qsvm_plus_minus_labels, ("labels must be 0/1",)),
]


def _rows():
    rows = []
    for exercise_id, _, wrong, _ in _promises():
        rows.append((exercise_id, wrong, PROMISE_HINTS[wrong.__name__]))
    return rows + MORE_MISTAKES


ROWS = _rows()


def _hints(result) -> list[str]:
    return sorted({c.hint for c in result.cases if not c.passed and c.hint})


def test_every_promise_mistake_has_its_expected_diagnosis():
    """Is the table complete: one expected diagnosis per promise-audit wrong answer?"""
    names = {wrong.__name__ for _, _, wrong, _ in _promises()}
    assert names == set(PROMISE_HINTS)


@pytest.mark.parametrize(
    "exercise_id, wrong, expected",
    ROWS,
    ids=[f"{e}: {w.__name__}" for e, w, _ in ROWS],
)
def test_hint_fires_for_its_mistake_and_no_other_hint_does(exercise_id, wrong, expected):
    result = check(exercise_id, wrong)
    assert not result.passed
    hints = _hints(result)
    for want in expected:
        assert any(want in h for h in hints), f"missing diagnosis {want!r}; shown: {hints}"
    stray = [h for h in hints if not any(want in h for want in expected)]
    assert not stray, f"a diagnosis fired for a mistake it does not name: {stray}"
