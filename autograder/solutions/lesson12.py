"""Reference solutions for lesson 12 (quantum convolutional neural networks).

``pooling_layer`` builds each block from a controlled rotation with ``ctrl_state=0`` for the
"source is 0" branch, where the lesson uses X gates around a plain CRY. ``train_qcnn`` uses
``qmlkit.models.QCNNClassifier`` with BFGS; the lesson trains it with L-BFGS-B.
"""

from __future__ import annotations

from qiskit import QuantumCircuit


def pooling_layer(n_qubits, pairs, params) -> QuantumCircuit:
    """The pooling block, with angles ``params = (a, b, c)``, on every (source, sink) pair."""
    a, b, c = (float(v) for v in params)
    qc = QuantumCircuit(n_qubits)
    for source, sink in pairs:
        qc.ry(a, source)
        qc.cry(b, source, sink)  # the source reads 1
        qc.cry(c, source, sink, ctrl_state=0)  # the source reads 0
    return qc


def train_qcnn(states_train, y_train):
    """A QCNN trained on statevectors (quantum data), with predict()."""
    from qmlkit.models import QCNNClassifier

    model = QCNNClassifier(input="state", optimizer="BFGS", maxiter=80, random_state=3)
    return model.fit(states_train, y_train)
