import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qmlkit import sim
from qmlkit.errors import InputError


def test_statevector_uses_qiskit_order():
    qc = QuantumCircuit(3)
    qc.x(0)
    qc.x(1)
    state = sim.statevector(qc)
    assert np.argmax(np.abs(state)) == 3  # "011": qubits 0 and 1 set


def test_statevector_ignores_final_measurements():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.measure_all()
    np.testing.assert_allclose(sim.statevector(qc), [2**-0.5, 2**-0.5])


def test_statevector_refuses_mid_circuit_measurement():
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    qc.h(0)
    with pytest.raises(InputError, match="mid-circuit"):
        sim.statevector(qc)


def test_counts_seeded_and_keys_in_qiskit_order():
    qc = QuantumCircuit(3)
    qc.x(0)
    assert sim.counts(qc, shots=50, seed=1) == {"001": 50}
    qc2 = QuantumCircuit(1)
    qc2.h(0)
    assert sim.counts(qc2, shots=500, seed=5) == sim.counts(qc2, shots=500, seed=5)


def test_counts_bad_shots():
    with pytest.raises(InputError, match="positive integer"):
        sim.counts(QuantumCircuit(1), shots=0)


def test_counts_rejects_non_circuit():
    with pytest.raises(InputError, match="QuantumCircuit"):
        sim.counts("not a circuit")


def test_expectation_exact_and_on_fake_device():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    assert sim.expectation(qc, "ZZ") == pytest.approx(1.0)
    assert sim.expectation(qc, SparsePauliOp("XX")) == pytest.approx(1.0)
    assert sim.expectation(qc, "ZI") == pytest.approx(0.0, abs=1e-12)
    noisy = sim.expectation(qc, "ZZ", backend="fake:manila")
    # IBM Runtime's estimator mitigates readout error by default, so the estimate can
    # land slightly above the physical bound of 1
    assert 0.7 < noisy < 1.2


def test_expectation_width_mismatch():
    with pytest.raises(InputError, match="one Pauli letter per qubit"):
        sim.expectation(QuantumCircuit(2), "Z")


def test_unitary_matches_cx_in_qiskit_order():
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    u = sim.unitary(qc)
    # control qubit 0 (least-significant bit): |01> (index 1) -> |11> (index 3)
    assert abs(u[3, 1]) == pytest.approx(1.0)


def test_unitary_refuses_measurements():
    qc = QuantumCircuit(1)
    qc.measure_all()
    with pytest.raises(InputError, match="measurements"):
        sim.unitary(qc)


def test_probabilities_sum_to_one():
    qc = QuantumCircuit(2)
    qc.h([0, 1])
    assert sim.probabilities(qc).sum() == pytest.approx(1.0)
