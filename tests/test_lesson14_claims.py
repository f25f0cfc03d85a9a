"""The statements of lesson 14's prose, recomputed from the lesson's own settings.

(The agreement of the frameworks, "the same predictions and the same trained weights", is
asserted on the lesson's printed output in tests/test_lesson14_frameworks.py.)
"""

from __future__ import annotations

import itertools

import cirq
import numpy as np
import pennylane as qml
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import PhaseGate, RZGate
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

N_QUBITS, REPS = 2, 2  # the lesson's model


def _bit_reversed(v: np.ndarray) -> np.ndarray:
    n = v.size.bit_length() - 1
    return v.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)


def test_the_model_has_ten_angles():
    """'two layers of trainable RY and RZ rotations on each qubit and a CZ, then a last
    layer of RY rotations, ten angles in all'."""
    assert 2 * N_QUBITS * REPS + N_QUBITS == 10


def test_the_default_interpret_of_qiskit_ml_vqc_is_qubit_0_not_the_parity():
    from qiskit_machine_learning.algorithms import VQC

    x = ParameterVector("x", 2)
    w = ParameterVector("w", 2)
    fmap, ansatz = QuantumCircuit(2), QuantumCircuit(2)
    fmap.ry(x[0], 0)
    fmap.ry(x[1], 1)
    ansatz.ry(w[0], 0)
    ansatz.ry(w[1], 1)
    interpret = VQC(feature_map=fmap, ansatz=ansatz).interpret
    assert [interpret(k) for k in range(8)] == [k % 2 for k in range(8)]
    assert [interpret(k) for k in range(4)] != [bin(k).count("1") % 2 for k in range(4)]


def test_vqc_loss_is_the_cross_entropy_in_base_2():
    """'The loss of VQC would use log2 where ours uses ln, a constant factor'."""
    from qiskit_machine_learning.utils.loss_functions import CrossEntropyLoss

    p1 = np.array([0.9, 0.2, 0.6])
    y = np.array([1, 0, 1])
    predict = np.column_stack([1 - p1, p1])
    target = np.eye(2)[y]
    ours = -np.mean(y * np.log(p1) + (1 - y) * np.log(1 - p1))
    theirs = np.mean(CrossEntropyLoss().evaluate(predict, target))
    assert theirs == pytest.approx(ours / np.log(2))


def test_the_cirq_gradient_needs_21_unitaries():
    """'21 small unitaries per gradient': the ansatz at theta and at theta +- pi/2 e_j."""
    assert 1 + 2 * (2 * N_QUBITS * REPS + N_QUBITS) == 21


def test_three_qubit_example_indices():
    """X on qubit 0 and RY(pi/3) on qubit 1: Qiskit's amplitudes at indices 1 and 3,
    PennyLane's and Cirq's at 4 and 6, with cos(pi/6) and sin(pi/6)."""
    qc = QuantumCircuit(3)
    qc.x(0)
    qc.ry(np.pi / 3, 1)
    qiskit = Statevector(qc).data

    @qml.qnode(qml.device("default.qubit", wires=3))
    def pennylane():
        qml.PauliX(wires=0)
        qml.RY(np.pi / 3, wires=1)
        return qml.state()

    q = cirq.LineQubit.range(3)
    circuit = cirq.Circuit(cirq.X(q[0]), cirq.ry(np.pi / 3)(q[1]))
    cirq_state = cirq.final_state_vector(circuit, qubit_order=q, dtype=np.complex128)
    assert np.flatnonzero(np.abs(qiskit) > 1e-12).tolist() == [1, 3]
    for other in (pennylane(), cirq_state):
        assert np.flatnonzero(np.abs(other) > 1e-12).tolist() == [4, 6]
        assert np.allclose(other[[4, 6]], [np.cos(np.pi / 6), np.sin(np.pi / 6)])
        assert np.allclose(_bit_reversed(other), qiskit)


def test_reversing_the_vector_flips_every_bit():
    """'v[::-1] sends index k to 2^n - 1 - k, which flips every bit (it is the state with
    an X on every qubit)'."""
    rng = np.random.default_rng(14)
    v = rng.normal(size=8) + 1j * rng.normal(size=8)
    v /= np.linalg.norm(v)
    qc = QuantumCircuit(3)
    qc.initialize(v)
    qc.x([0, 1, 2])
    assert np.allclose(Statevector(qc).data, v[::-1])
    assert not np.allclose(v[::-1], _bit_reversed(v))


def test_partial_transposes_are_wrong_only_from_three_qubits():
    """'For two qubits the second mistake cannot happen'."""
    for n in (2, 3):
        v = np.arange(2**n)
        wrong = [
            axes
            for axes in itertools.permutations(range(n))
            if axes != tuple(range(n))
            and not np.array_equal(v.reshape([2] * n).transpose(axes).ravel(), _bit_reversed(v))
        ]
        assert bool(wrong) == (n == 3)


def test_rz_and_phase_shift_differ_by_a_global_phase_only():
    lam = 0.7
    rz = qml.matrix(qml.RZ(lam, wires=0))
    phase = qml.matrix(qml.PhaseShift(lam, wires=0))
    assert np.allclose(rz, np.exp(-0.5j * lam) * phase)
    assert np.allclose(rz, RZGate(lam).to_matrix())  # qiskit's rz is PennyLane's RZ
    assert np.allclose(phase, PhaseGate(lam).to_matrix())  # and p is PhaseShift


def test_labels_of_counts_and_pauli_strings():
    """'"011" in Qiskit is "110" in Cirq' and 'SparsePauliOp("ZI") acts on qubit 1'."""
    qc = QuantumCircuit(3)
    qc.x([0, 1])
    assert Statevector(qc).probabilities_dict() == {"011": 1.0}
    q = cirq.LineQubit.range(3)
    state = cirq.final_state_vector(cirq.Circuit(cirq.X(q[0]), cirq.X(q[1])), qubit_order=q)
    assert format(int(np.argmax(np.abs(state))), "03b") == "110"
    z_on_1 = QuantumCircuit(2)
    z_on_1.z(1)
    assert np.allclose(SparsePauliOp("ZI").to_matrix(), Operator(z_on_1).data)


def test_the_torch_extra_and_the_versions_the_tfq_section_names():
    """'pip install "qml-course[torch]"' is an extra of the course; TFQ 0.7.6's pins
    (cirq-core==1.5.0, TensorFlow 2.18 with NumPy < 2.1) would downgrade 'Cirq (the course
    uses 1.7) and NumPy'."""
    from importlib.metadata import version

    from packaging.version import Version

    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
        import tomli as tomllib

    from .conftest import ROOT

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(req.startswith("torch") for req in extras["torch"])
    assert version("cirq-core").startswith("1.7")
    assert Version(version("cirq-core")) > Version("1.5.0")
    assert Version(version("numpy")) >= Version("2.1")
