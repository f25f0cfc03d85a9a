"""The statements of lesson 12 (QCNN) that no cell prints, recomputed in the lesson's setting."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import RYGate
from qiskit.quantum_info import DensityMatrix, Statevector, partial_trace, random_statevector

from qmlkit import datasets
from qmlkit.models import QCNNClassifier
from qmlkit.models.qcnn import pool_block, qcnn_circuit

SEED = 12  # the lesson's
N = 8


def _correlators(states):
    idx = np.arange(2**N)
    z0z4 = 1 - 2 * ((idx ^ (idx >> 4)) & 1)
    zz = (np.abs(states) ** 2) @ z0z4
    x0 = np.real(np.sum(states.conj() * states[:, idx ^ 1], axis=1))
    return np.column_stack([zz, x0])


@pytest.mark.parametrize("h", [0.3, 0.9, 1.1, 1.7])
def test_single_qubit_z_is_zero_in_both_phases(h):
    """'<Z_i> = 0 in both phases ... the order is visible only in correlations'."""
    psi = datasets.ising_ground_state(N, h)
    idx = np.arange(2**N)
    for q in range(N):
        z = 1 - 2 * ((idx >> q) & 1)
        assert abs((np.abs(psi) ** 2) @ z) < 1e-10


def test_ordered_state_is_close_to_the_cat_state_and_disordered_to_plus():
    """Section 1: h << J gives about (|0..0> + |1..1>)/sqrt 2, h >> J about |+...+>."""
    cat = np.zeros(2**N)
    cat[[0, -1]] = 2**-0.5
    plus = np.full(2**N, 2 ** (-N / 2))
    assert abs(datasets.ising_ground_state(N, 0.2) @ cat) ** 2 > 0.9
    assert abs(datasets.ising_ground_state(N, 5.0) @ plus) ** 2 > 0.9


def test_deferred_measurement_for_random_states_and_angles():
    """Section 3: unitary pooling then trace = measure, condition, mix (any state, angles)."""
    rng = np.random.default_rng(0)
    for k in range(5):
        angles = rng.uniform(-np.pi, np.pi, 3)
        psi = random_statevector(4, seed=k)
        unitary = partial_trace(DensityMatrix(psi).evolve(pool_block(angles)), [0]).data
        turned = Statevector(psi).evolve(QuantumCircuit(2).compose(RYGate(angles[0]), [0])).data
        measured = np.zeros((2, 2), dtype=complex)
        for outcome, angle in ((0, angles[2]), (1, angles[1])):
            branch = RYGate(angle).to_matrix() @ turned[[outcome, outcome + 2]]
            measured += np.outer(branch, branch.conj())
        assert np.allclose(unitary, measured, atol=1e-12)


@pytest.mark.parametrize("n", range(2, 13))
def test_parameter_count_is_six_per_level_plus_one(n):
    """Section 4: 6 ceil(log2 n) + 1 angles, whatever the width."""
    assert len(qcnn_circuit(n)[1]) == 6 * int(np.ceil(np.log2(n))) + 1


def test_baseline_at_least_as_good_and_mistakes_near_the_transition():
    """Section 6: the correlator baseline does at least as well as the QCNN on the lesson's
    split; section 5: the QCNN's wrong fields on the grid lie within 0.1 of h = J."""
    from sklearn.linear_model import LogisticRegression

    X_train, y_train, X_test, y_test = datasets.ising_phases(n_qubits=N, n_samples=64, seed=SEED)
    qcnn = QCNNClassifier(input="state", maxiter=100, random_state=SEED).fit(X_train, y_train)
    base = LogisticRegression().fit(_correlators(X_train), y_train)
    assert base.score(_correlators(X_test), y_test) >= qcnn.score(X_test, y_test)
    fields = np.linspace(0.2, 1.8, 33)
    ground = np.array([datasets.ising_ground_state(N, h) for h in fields])
    wrong = fields[(qcnn.predict_proba(ground)[:, 1] > 0.5) != (fields > 1)]
    assert len(wrong) <= 3 and np.all(np.abs(wrong - 1) <= 0.1)


def test_gradient_variance_falls_far_more_slowly_than_two_to_the_minus_n():
    """Section 4: from 4 to 10 qubits Var[dp1/dθ_0] falls far less than 2^-n (a factor 64);
    the lesson's cell, with its seed (the lesson's rng is first used there)."""
    rng = np.random.default_rng(SEED)
    variances = []
    for n in (4, 6, 8, 10):
        two_states = np.eye(2**n)[[0, -1]]
        model = QCNNClassifier(input="state", maxiter=1, random_state=SEED).fit(two_states, [0, 1])
        plus = np.full((1, 2**n), 2 ** (-n / 2))
        slopes = []
        for w in rng.uniform(-np.pi, np.pi, (100, len(model.weights_))):
            loss, grad = model.loss_and_gradient(plus, [1], w)
            slopes.append(-np.exp(-loss) * grad[0])
        variances.append(np.var(slopes))
    assert variances[0] / variances[-1] < 8  # 2^-n falls by 64 over the same range
    assert variances[-1] > 2.0**-10 * 4


def test_line_images_linear_model_near_chance_tuned_svm_matches_the_qcnn():
    """Section 7: logistic regression stays close to chance on the test images; the tuned
    RBF SVM and the QCNN both find the lines (the lesson's split and models)."""
    from qiskit.circuit.library import z_feature_map
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    X_train, y_train, X_test, y_test = datasets.line_images(n_samples=60, seed=SEED)
    linear = LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    grid = {"C": [0.1, 1, 10, 100], "gamma": ["scale", 0.1, 1, 10]}
    svm = GridSearchCV(SVC(), grid, cv=3).fit(X_train, y_train).score(X_test, y_test)
    qcnn = QCNNClassifier(feature_map=z_feature_map(8), maxiter=100, random_state=SEED)
    acc = qcnn.fit(X_train, y_train).score(X_test, y_test)
    assert linear <= 0.65 and acc >= 0.9 and svm == acc
