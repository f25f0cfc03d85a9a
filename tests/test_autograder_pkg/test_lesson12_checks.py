"""Lesson 12 checks: alternative correct answers pass, typical mistakes fail with hints."""

import importlib.util
from pathlib import Path

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from autograder import check
from autograder.checks.lesson12 import _layer, ising_split


def _audit():
    path = Path(__file__).with_name("audit") / "lesson12.py"
    spec = importlib.util.spec_from_file_location("_audit_lesson12_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = _audit()

# ---------------------------------------------------------------------- 12.pooling_layer


def test_expected_layer_matches_qiskit_gates():
    """The checker's NumPy layer is the lesson's gate sequence (independent of the answers)."""
    a, b, c = 0.4, -0.8, 1.7
    qc = QuantumCircuit(3)
    for source, sink in [(2, 0), (1, 2)]:
        qc.ry(a, source)
        qc.cry(b, source, sink)
        qc.x(source)
        qc.cry(c, source, sink)
        qc.x(source)
    assert np.allclose(Operator(qc).data, _layer(3, [(2, 0), (1, 2)], [a, b, c]))


def test_pooling_alternatives():
    def with_ctrl_state(n_qubits, pairs, params):
        a, b, c = params
        qc = QuantumCircuit(n_qubits)
        for source, sink in pairs:
            qc.ry(a, source)
            qc.cry(c, source, sink, ctrl_state=0)  # the branches commute: either order
            qc.cry(b, source, sink)
        return qc

    for fn in (A._pool_compose_block, A._pool_unitary_gate, with_ctrl_state):
        r = check("12.pooling_layer", fn)
        assert r.passed and r.score == 4, r.feedback


def test_pooling_mistakes():
    r = check("12.pooling_layer", A._pool_swapped)
    assert r.score == 0 and "source and sink swapped" in r.feedback
    r = check("12.pooling_layer", A._pool_reversed_register)
    assert r.score == 0 and "qubit order reversed" in r.feedback
    r = check("12.pooling_layer", A._pool_swapped_conditions)
    assert r.score == 0 and "conditional angles are swapped" in r.feedback
    r = check("12.pooling_layer", A._pool_source_left_flipped)
    assert r.score == 0 and "source is left flipped" in r.feedback
    r = check("12.pooling_layer", A._pool_return_in_loop)
    assert r.score == 1 and "has no pooling block" in r.feedback
    r = check("12.pooling_layer", A._pool_measures_source)
    assert r.score == 0 and "measurement" in r.feedback
    r = check("12.pooling_layer", A._pool_width_from_pairs)
    assert r.score == 3 and "QuantumCircuit(n_qubits)" in r.feedback


# ------------------------------------------------------------------------- 12.train_qcnn


def test_ising_split_is_fixed_and_leaves_a_margin():
    X_train, y_train, X_test, y_test = ising_split()
    again = ising_split()
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_train, y_train, X_test, y_test)))
    assert np.allclose(np.linalg.norm(X_test, axis=1), 1)
    # ordered states (h <= 0.9) overlap the cat state by more than 1/2, disordered ones less
    cat = np.zeros(256)
    cat[[0, 255]] = 2**-0.5
    overlaps = np.abs(X_test @ cat) ** 2
    assert np.all((overlaps > 0.5) == (y_test == 0))


def test_train_qcnn_alternatives():
    for fn in (A._qcnn_adam, A._qcnn_correlators):
        r = check("12.train_qcnn", fn)
        assert r.passed and r.score == 6, r.feedback


def test_train_qcnn_mistakes():
    r = check("12.train_qcnn", A._qcnn_inverted)
    assert r.score == 2 and "labels 0 and 1 are swapped" in r.feedback
    r = check("12.train_qcnn", A._qcnn_constant)
    assert r.score == 2 and "same label for every point" in r.feedback
    r = check("12.train_qcnn", A._qcnn_amplitudes_as_features)
    assert r.score == 0 and "256 qubits" in r.feedback


def test_train_qcnn_accepts_the_course_model_with_its_defaults_whatever_its_seed():
    """The course's own QCNNClassifier(input="state") with default settings is an honest
    answer; with random_state=3 it settles at 0.875 test accuracy, which must still pass."""
    from qmlkit.models import QCNNClassifier

    def train_qcnn(states_train, y_train):
        return QCNNClassifier(input="state", random_state=3).fit(states_train, y_train)

    r = check("12.train_qcnn", train_qcnn)
    assert r.passed and r.score == 6, r.feedback
