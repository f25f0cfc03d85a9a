"""qmlkit.statevec: batched simulation equals Qiskit's Statevector row by row."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import (
    efficient_su2,
    pauli_feature_map,
    real_amplitudes,
    z_feature_map,
    zz_feature_map,
)
from qiskit.quantum_info import Statevector

from qmlkit.errors import InputError
from qmlkit.statevec import compile_circuit, simulate


def reference_states(qc, values):
    return np.array([Statevector(qc.assign_parameters(row)).data for row in values])


def hand_built() -> QuantumCircuit:
    """Every gate family the compiler handles, with ParameterExpressions and a sub-gate."""
    x = ParameterVector("x", 3)
    qc = QuantumCircuit(3)
    qc.rx(x[0], 0)
    qc.ry(2 * x[1] + 0.3, 1)
    qc.cx(0, 1)
    qc.rz(x[0] * x[2], 2)
    qc.h(2)
    qc.cx(2, 0)
    qc.u(x[0], x[1], x[2], 1)
    qc.crx(x[1], 0, 2)
    qc.rxx(x[2] - x[0], 1, 2)
    qc.swap(0, 2)
    qc.y(1)
    qc.cz(0, 1)
    qc.s(2)
    qc.t(0)
    qc.sx(1)
    qc.cp(x[0], 1, 2)
    qc.rzz(x[1], 0, 2)
    qc.ccx(0, 1, 2)
    qc.r(x[0], x[1], 0)
    qc.cy(1, 0)
    qc.ry(x[1].sin() + x[0] ** 2, 2)
    qc.global_phase = x[0]
    sub = zz_feature_map(2, reps=1).assign_parameters([2 * x[0], x[2]]).to_gate()
    qc.append(sub, [0, 2])
    qc.ryy(x[1], 0, 1)
    qc.cswap(0, 1, 2)
    qc.cu(x[0], 0.1, 0.2, 0.3, 0, 1)
    qc.barrier()
    qc.unitary(np.array([[0, 1j], [1j, 0]]), [2])
    return qc


CIRCUITS = {
    "zz_linear": lambda: zz_feature_map(4, reps=2),
    "zz_full": lambda: zz_feature_map(4, reps=2, entanglement="full"),
    "pauli_z_xx_yy": lambda: pauli_feature_map(3, reps=2, paulis=["Z", "XX", "YY"]),
    "z": lambda: z_feature_map(3, reps=2),
    "hand_built": hand_built,
    "real_amplitudes": lambda: real_amplitudes(4, reps=2),
    "efficient_su2": lambda: efficient_su2(3, reps=1),
}


@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_simulate_matches_qiskit_statevector(name):
    qc = CIRCUITS[name]()
    values = np.random.default_rng(3).uniform(-2, 2, (6, qc.num_parameters))
    np.testing.assert_allclose(simulate(qc, values), reference_states(qc, values), atol=1e-12)


def test_parameters_bound_in_circuit_parameters_order():
    a, b = Parameter("b_second"), Parameter("a_first")  # sorted by name: a_first, b_second
    qc = QuantumCircuit(2)
    qc.ry(a, 0)
    qc.ry(b, 1)
    assert [p.name for p in qc.parameters] == ["a_first", "b_second"]
    states = simulate(qc, [[np.pi, 0.0]])  # a_first = pi flips qubit 1
    np.testing.assert_allclose(np.abs(states[0]) ** 2, [0, 0, 1, 0], atol=1e-12)


def test_one_row_none_and_final_measurements():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    np.testing.assert_allclose(simulate(qc), [bell], atol=1e-12)
    theta = Parameter("t")
    rot = QuantumCircuit(1)
    rot.rx(theta, 0)
    assert simulate(rot, [0.5]).shape == (1, 2)


def test_program_reused_and_tail_trimming_keeps_overlaps():
    qc = pauli_feature_map(3, reps=1, paulis=["Z", "XX"])
    qc.h(range(3))  # constant tail
    values = np.random.default_rng(0).uniform(0, np.pi, (5, 3))
    prog = compile_circuit(qc)
    full, trimmed = prog.run(values), prog.run(values, trim_constant_tail=True)
    np.testing.assert_allclose(full, reference_states(qc, values), atol=1e-12)
    np.testing.assert_allclose(full.conj() @ full.T, trimmed.conj() @ trimmed.T, atol=1e-12)


def test_bad_input_is_reported():
    qc = zz_feature_map(3)
    with pytest.raises(InputError, match="3 parameters but each row of values has 2"):
        simulate(qc, np.zeros((4, 2)))
    with pytest.raises(InputError, match="NaN"):
        simulate(qc, [[0.0, np.nan, 1.0]])
    with pytest.raises(InputError, match="QuantumCircuit"):
        simulate("not a circuit", None)
    mid = QuantumCircuit(1, 1)
    mid.measure(0, 0)
    mid.h(0)
    with pytest.raises(InputError, match="measure"):
        simulate(mid)


def test_higher_order_phases_and_random_circuits():
    from qiskit.circuit.random import random_circuit

    cubic = pauli_feature_map(3, reps=2, paulis=["Z", "ZZZ"])  # degree-3 phase: generic path
    values = np.random.default_rng(1).uniform(0, np.pi, (4, 3))
    np.testing.assert_allclose(simulate(cubic, values), reference_states(cubic, values), atol=1e-12)
    for seed in range(5):
        qc = random_circuit(4, 6, max_operands=3, seed=seed)
        np.testing.assert_allclose(simulate(qc)[0], Statevector(qc).data, atol=1e-12)
    ladder = QuantumCircuit(3)  # constant diagonal and permutation gates only
    ladder.h([0, 1, 2])
    ladder.ccz(0, 1, 2)
    ladder.cz(0, 2)
    ladder.swap(0, 1)
    ladder.t(1)
    np.testing.assert_allclose(simulate(ladder)[0], Statevector(ladder).data, atol=1e-12)


def test_batch_last_layout():
    qc = zz_feature_map(3, reps=1)
    values = np.random.default_rng(2).uniform(0, np.pi, (5, 3))
    prog = compile_circuit(qc)
    np.testing.assert_array_equal(prog.run(values, batch_last=True).T, prog.run(values))
    assert prog.num_parameters == 3 and prog.num_qubits == 3
