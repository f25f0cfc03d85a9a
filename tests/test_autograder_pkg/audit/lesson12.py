"""Promise audit and hint-precision rows of lesson 12 (QCNN): 12.pooling_layer, 12.train_qcnn.

See ``audit/__init__.py`` for what each table means.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.circuit.library import UnitaryGate

from autograder.solutions import reference

# ---------------------------------------------------------------------- 12.pooling_layer


def _pool_on(qc, source, sink, a, b, c, *, flip_back=True, ry_on=None):
    qc.ry(a, source if ry_on is None else ry_on)
    qc.cry(b, source, sink)
    qc.x(source)
    qc.cry(c, source, sink)
    if flip_back:
        qc.x(source)


def _pool_swapped(n_qubits, pairs, params):
    """The sink as the control: pairs read as (sink, source)."""
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, sink, source, a, b, c)
    return qc


def _pool_reversed_register(n_qubits, pairs, params):
    """Qubit q taken as the q-th bit from the LEFT of a label: n - 1 - q."""
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, n_qubits - 1 - source, n_qubits - 1 - sink, a, b, c)
    return qc


def _pool_sorted_pairs(n_qubits, pairs, params):
    """The lower qubit taken as the source, whatever the order in the pair."""
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for pair in pairs:
        _pool_on(qc, min(pair), max(pair), a, b, c)
    return qc


def _pool_width_from_pairs(n_qubits, pairs, params):
    """A register just wide enough for the pairs, not n_qubits."""
    a, b, c = params
    qc = QuantumCircuit(max(q for pair in pairs for q in pair) + 1)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c)
    return qc


def _pool_measures_source(n_qubits, pairs, params):
    """The measure-and-condition picture taken literally: the source is measured."""
    a, b, c = params
    qc = QuantumCircuit(n_qubits, n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c)
        qc.measure(source, source)
    return qc


def _pool_compose_block(n_qubits, pairs, params):
    """Correct: one 2-qubit block circuit composed onto every (source, sink)."""
    block = QuantumCircuit(2)
    block.ry(params[0], 0)
    block.cry(params[1], 0, 1)
    block.x(0)
    block.cry(params[2], 0, 1)
    block.x(0)
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        qc.compose(block, [source, sink], inplace=True)
    return qc


def _pool_unitary_gate(n_qubits, pairs, params):
    """Correct: the block as a 4x4 matrix, |0><0| x RY(c) + |1><1| x RY(b), after RY(a)."""

    def ry(t):
        return np.array([[np.cos(t / 2), -np.sin(t / 2)], [np.sin(t / 2), np.cos(t / 2)]])

    a, b, c = (float(v) for v in params)
    p0, p1 = np.diag([1, 0]), np.diag([0, 1])
    # UnitaryGate's qubit 0 is the least-significant bit: kron(sink, source)
    matrix = (np.kron(ry(c), p0) + np.kron(ry(b), p1)) @ np.kron(np.eye(2), ry(a))
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        qc.append(UnitaryGate(matrix), [source, sink])
    return qc


def _pool_swapped_conditions(n_qubits, pairs, params):
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, c, b)
    return qc


def _pool_source_left_flipped(n_qubits, pairs, params):
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c, flip_back=False)
    return qc


def _pool_ry_on_sink(n_qubits, pairs, params):
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c, ry_on=sink)
    return qc


def _pool_return_in_loop(n_qubits, pairs, params):
    """`return qc` indented into the loop: only the first pair gets its block."""
    a, b, c = params
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c)
        return qc
    return qc


def _pool_symbolic_angles(n_qubits, pairs, params):
    a, b, c = Parameter("a"), Parameter("b"), Parameter("c")
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        _pool_on(qc, source, sink, a, b, c)
    return qc


def _pool_returns_operator(n_qubits, pairs, params):
    from qiskit.quantum_info import Operator

    return Operator(reference("12.pooling_layer")(n_qubits, pairs, params))


# ------------------------------------------------------------------------- 12.train_qcnn


def _qcnn_constant(states_train, y_train):
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="most_frequent").fit(states_train, y_train)


def _qcnn_inverted(states_train, y_train):
    return reference("12.train_qcnn")(states_train, 1 - np.asarray(y_train))


def _qcnn_adam(states_train, y_train):
    """Correct: the QCNN trained with Adam."""
    from qmlkit.models import QCNNClassifier

    model = QCNNClassifier(
        input="state", optimizer="adam", learning_rate=0.1, maxiter=150, random_state=0
    )
    return model.fit(states_train, y_train)


class _CorrelatorModel:
    """Correct (as behaviour; a classical baseline): logistic regression on <Z_0 Z_4> and
    <X_0>, computed from each state."""

    def _features(self, states):
        states = np.asarray(states)
        n = int(np.log2(states.shape[1]))
        idx = np.arange(2**n)
        z0z4 = 1 - 2 * (((idx >> 0) ^ (idx >> (n // 2))) & 1)
        zz = (np.abs(states) ** 2) @ z0z4
        x0 = np.real(np.sum(np.conj(states) * states[:, idx ^ 1], axis=1))
        return np.column_stack([zz, x0])

    def fit(self, states, y):
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=100).fit(self._features(states), y)
        return self

    def predict(self, states):
        return self.model_.predict(self._features(states))


def _qcnn_correlators(states_train, y_train):
    return _CorrelatorModel().fit(states_train, y_train)


def _qcnn_returns_score(states_train, y_train):
    return reference("12.train_qcnn")(states_train, y_train).score(states_train, y_train)


def _qcnn_amplitudes_as_features(states_train, y_train):
    """input="state" forgotten: every amplitude read as a feature (qmlkit refuses, clearly)."""
    from qmlkit.models import QCNNClassifier

    return QCNNClassifier(maxiter=50, random_state=0).fit(states_train, y_train)


# ------------------------------------------------------------------------------- tables

PROMISES = [
    (
        "12.pooling_layer",
        "the first qubit of a pair is the source (the control)",
        _pool_swapped,
        "",
    ),
    (
        "12.pooling_layer",
        "Qiskit's qubit numbering (qubit 0 is the rightmost bit)",
        _pool_reversed_register,
        "",
    ),
    (
        "12.pooling_layer",
        "a pair's sink may have a lower number than its source",
        _pool_sorted_pairs,
        "sinks below their sources",
    ),
    (
        "12.pooling_layer",
        "the circuit has n_qubits qubits, also those in no pair",
        _pool_width_from_pairs,
        "untouched",
    ),
    (
        "12.pooling_layer",
        "the unitary version: no measurement",
        _pool_measures_source,
        "",
    ),
    (
        "12.train_qcnn",
        "a model that learns, not a constant guess",
        _qcnn_constant,
        "test accuracy",
    ),
    (
        "12.train_qcnn",
        "labels 0 (h < J) and 1 (h > J) as given",
        _qcnn_inverted,
        "test accuracy",
    ),
]

CORRECT_STYLES = {
    "12.pooling_layer": [_pool_compose_block, _pool_unitary_gate],
    "12.train_qcnn": [_qcnn_adam, _qcnn_correlators],
}

PROMISE_HINTS = {
    "_pool_swapped": ("source and sink swapped",),
    "_pool_reversed_register": ("qubit order reversed",),
    "_pool_sorted_pairs": ("source and sink swapped",),
    "_pool_width_from_pairs": ("QuantumCircuit(n_qubits)",),
    "_pool_measures_source": ("measurement left in the circuit",),
    "_qcnn_constant": ("same label for every point",),
    "_qcnn_inverted": ("labels 0 and 1 are swapped",),
}

MORE_MISTAKES = [
    ("12.pooling_layer", _pool_swapped_conditions, ("conditional angles are swapped",)),
    ("12.pooling_layer", _pool_source_left_flipped, ("the source is left flipped",)),
    ("12.pooling_layer", _pool_ry_on_sink, ("RY(a) acts on the source",)),
    ("12.pooling_layer", _pool_return_in_loop, ("has no pooling block",)),
    ("12.pooling_layer", _pool_symbolic_angles, ("not Parameter objects",)),
    ("12.pooling_layer", _pool_returns_operator, ("return the circuit itself",)),
    ("12.train_qcnn", _qcnn_returns_score, ("return the fitted model",)),
    # qmlkit's own error ("256 features would need 256 qubits") is the message; no hint
    ("12.train_qcnn", _qcnn_amplitudes_as_features, ()),
]
