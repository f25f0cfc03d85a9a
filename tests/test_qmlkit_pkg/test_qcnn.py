"""QCNNClassifier and the Ising phase data: circuit layout, exact forward pass and gradients
(against Qiskit and finite differences), training on quantum and classical data, errors.

scikit-learn's estimator checks are in tests/test_sklearn_compat.py."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import z_feature_map
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from qmlkit import datasets
from qmlkit.errors import BackendError, InputError
from qmlkit.models import QCNNClassifier
from qmlkit.models.qcnn import conv_block, conv_pairs, pool_block, pool_pairs, qcnn_circuit


def _fd_gradient(clf, X, y, w, eps=1e-6):
    return np.array(
        [
            (
                clf.loss_and_gradient(X, y, w + eps * e)[0]
                - clf.loss_and_gradient(X, y, w - eps * e)[0]
            )
            / (2 * eps)
            for e in np.eye(len(w))
        ]
    )


# ------------------------------------------------------------------------------ the data


def test_ising_hamiltonian_matches_qiskit_pauli_sum():
    n, h = 4, 0.7
    terms = []
    for i in range(n):
        j = (i + 1) % n
        label = ["I"] * n
        label[n - 1 - i] = label[n - 1 - j] = "Z"
        terms.append(("".join(label), -1.0))
        label = ["I"] * n
        label[n - 1 - i] = "X"
        terms.append(("".join(label), -h))
    expected = SparsePauliOp.from_list(terms).to_matrix()
    assert np.allclose(datasets.ising_hamiltonian(n, h), expected)
    two = SparsePauliOp.from_list([("ZZ", -1.0), ("IX", -h), ("XI", -h)]).to_matrix()
    assert np.allclose(datasets.ising_hamiltonian(2, h), two)  # a single bond, not two


def test_ising_ground_state_is_the_lowest_eigenvector_and_positive():
    H = datasets.ising_hamiltonian(6, 1.3)
    psi = datasets.ising_ground_state(6, 1.3)
    energy = psi @ H @ psi
    assert np.isclose(energy, np.linalg.eigvalsh(H)[0])
    assert np.allclose(H @ psi, energy * psi, atol=1e-10)
    assert np.all(psi >= -1e-12) and np.isclose(np.linalg.norm(psi), 1)
    # the ordered side is close to the cat state (|0..0> + |1..1>)/sqrt 2
    cat = np.zeros(64)
    cat[[0, 63]] = 2**-0.5
    assert abs(datasets.ising_ground_state(6, 0.2) @ cat) ** 2 > 0.95


def test_ising_phases_labels_fields_and_split():
    X_train, y_train, X_test, y_test, h_train, h_test = datasets.ising_phases(
        n_qubits=5, n_samples=40, seed=3, return_fields=True
    )
    assert X_train.shape == (30, 32) and X_test.shape == (10, 32)
    assert np.array_equal(y_train, (h_train > 1).astype(int))
    assert np.array_equal(y_test, (h_test > 1).astype(int))
    for X, h in ((X_train, h_train), (X_test, h_test)):
        for state, field in zip(X, h):
            assert np.allclose(state, datasets.ising_ground_state(5, field))
    again = datasets.ising_phases(n_qubits=5, n_samples=40, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (X_train, y_train, X_test, y_test)))
    with pytest.raises(InputError, match="both phases"):
        datasets.ising_phases(n_samples=8, field_range=(1.2, 2.0), seed=0)
    with pytest.raises(InputError, match="positive"):
        datasets.ising_ground_state(4, 0.0)


# --------------------------------------------------------------------------- the circuit


def test_blocks_match_their_gate_by_gate_definition():
    a, b, c = 0.3, -1.1, 2.0
    ref = QuantumCircuit(2)
    ref.ry(a, 0)
    ref.cry(b, 0, 1)
    ref.cry(c, 0, 1, ctrl_state=0)
    assert Operator(pool_block([a, b, c])).equiv(Operator(ref))
    # the pooling block conditions the sink on the source: source |1> -> RY(b), |0> -> RY(c)
    for source, angle in ((1, b), (0, c)):
        start = Statevector.from_label(f"0{source}")
        out = start.evolve(pool_block([0.0, b, c]))
        expected = Statevector.from_label(f"0{source}").evolve(
            QuantumCircuit(2).compose(_ry_on(1, angle))
        )
        assert out.equiv(expected)
    assert conv_block([a, b, c]).count_ops()["cx"] == 3


def _ry_on(qubit, angle):
    qc = QuantumCircuit(2)
    qc.ry(angle, qubit)
    return qc


@pytest.mark.parametrize("n, levels, out", [(2, 1, 1), (3, 2, 2), (4, 2, 3), (6, 3, 5), (8, 3, 7)])
def test_qcnn_circuit_layout(n, levels, out):
    qc, theta, output = qcnn_circuit(n)
    assert len(theta) == 6 * levels + 1 and output == out and qc.num_qubits == n
    assert set(qc.parameters) == set(theta)


def test_conv_and_pool_pairs():
    assert conv_pairs([0, 1, 2, 3, 4, 5, 6, 7]) == [
        (0, 1), (2, 3), (4, 5), (6, 7), (1, 2), (3, 4), (5, 6), (7, 0)
    ]  # fmt: skip
    assert conv_pairs([0, 1, 2]) == [(0, 1), (2, 0), (1, 2)]
    assert pool_pairs([1, 3, 5, 7]) == ([(1, 3), (5, 7)], [3, 7])
    assert pool_pairs([0, 1, 2]) == ([(0, 1)], [1, 2])


def test_shared_angles_make_the_layer_translation_invariant():
    """The first convolution of the 8-qubit QCNN commutes with shifting the ring by two
    sites: with shared angles the layer is the same at every position."""
    w = np.random.default_rng(1).uniform(-np.pi, np.pi, 3)
    first_conv = QuantumCircuit(8)
    for pair in conv_pairs(list(range(8))):
        first_conv.compose(conv_block(w[:3]), pair, inplace=True)
    U = Operator(first_conv).data
    shift = np.zeros((256, 256))
    for k in range(256):
        shift[((k << 2) | (k >> 6)) & 255, k] = 1  # qubit i -> qubit i + 2 (mod 8)
    assert np.allclose(shift @ U @ shift.T, U, atol=1e-10)


# ------------------------------------------------------------------------------ the model


def test_forward_matches_qiskit_on_states_and_features():
    X_train, y_train, _, _ = datasets.ising_phases(n_qubits=4, n_samples=12, seed=0)
    clf = QCNNClassifier(input="state", maxiter=1, random_state=0).fit(X_train, y_train)
    w = np.random.default_rng(5).uniform(-3, 3, len(clf.weights_))
    clf.weights_ = w
    bound = clf.circuit_.assign_parameters(w)
    expected = [Statevector(x).evolve(bound).probabilities([clf.output_qubit_])[1] for x in X_train]
    assert np.allclose(clf.predict_proba(X_train)[:, 1], expected, atol=1e-10)

    X = np.random.default_rng(2).uniform(0, np.pi, (6, 3))
    y = [0, 1, 0, 1, 1, 0]
    fmap = z_feature_map(3, reps=1)
    clf = QCNNClassifier(feature_map=fmap, maxiter=2, random_state=0).fit(X, y)
    for row, p1 in zip(X, clf.predict_proba(X)[:, 1]):
        values = dict(zip(fmap.parameters, row))
        bound = clf.circuit_.assign_parameters(
            {**values, **dict(zip(_weights_of(clf), clf.weights_))}
        )
        assert np.isclose(Statevector(bound).probabilities([clf.output_qubit_])[1], p1)


def _weights_of(clf):
    return [p for p in clf.circuit_.parameters if p.name.startswith("θ")]


@pytest.mark.parametrize("kind", ["state", "features"])
def test_adjoint_gradient_equals_finite_differences(kind):
    rng = np.random.default_rng(7)
    if kind == "state":
        X, y, _, _ = datasets.ising_phases(n_qubits=8, n_samples=16, seed=2)
        clf = QCNNClassifier(input="state", maxiter=1, random_state=0).fit(X, y)
    else:
        X = rng.uniform(0, np.pi, (10, 5))
        y = rng.integers(0, 2, 10)
        clf = QCNNClassifier(maxiter=1, random_state=0).fit(X, y)
    w = rng.uniform(-np.pi, np.pi, len(clf.weights_))
    _, grad = clf.loss_and_gradient(X, y, w)
    assert np.allclose(grad, _fd_gradient(clf, X, y, w), atol=1e-6)


def test_complex_states_are_quantum_data_too():
    rng = np.random.default_rng(4)
    states = rng.normal(size=(8, 16)) + 1j * rng.normal(size=(8, 16))
    states /= np.linalg.norm(states, axis=1, keepdims=True)
    y = np.array([0, 1] * 4)
    clf = QCNNClassifier(input="state", maxiter=1, random_state=0).fit(states, y)
    w = rng.uniform(-np.pi, np.pi, len(clf.weights_))
    _, grad = clf.loss_and_gradient(states, y, w)
    assert np.allclose(grad, _fd_gradient(clf, states, y, w), atol=1e-6)
    bound = clf.circuit_.assign_parameters(clf.weights_)
    expected = [Statevector(s).evolve(bound).probabilities([3])[1] for s in states]
    assert np.allclose(clf.predict_proba(states)[:, 1], expected)


def test_learns_the_ising_phases_on_eight_qubits():
    X_train, y_train, X_test, y_test = datasets.ising_phases(n_qubits=8, n_samples=48, seed=12)
    losses = []
    clf = QCNNClassifier(
        input="state", maxiter=60, random_state=12, callback=lambda i, loss: losses.append(loss)
    ).fit(X_train, y_train)
    assert len(clf.weights_) == 19 and clf.n_qubits_ == 8
    assert losses == clf.loss_history_ and len(losses) == clf.n_iter_
    assert clf.loss_history_[-1] < clf.loss_history_[0]
    assert clf.score(X_test, y_test) >= 0.9


def test_seeded_and_reproducible():
    X, y, _, _ = datasets.ising_phases(n_qubits=4, n_samples=16, seed=0)
    a = QCNNClassifier(input="state", maxiter=10, random_state=3).fit(X, y)
    b = QCNNClassifier(input="state", maxiter=10, random_state=3).fit(X, y)
    assert np.array_equal(a.weights_, b.weights_)
    c = QCNNClassifier(input="state", maxiter=1, initial_point=a.weights_).fit(X, y)
    assert c.loss_history_[-1] <= a.loss_history_[-1] + 1e-12  # starts where a stopped


def test_clear_errors():
    X, y, _, _ = datasets.ising_phases(n_qubits=4, n_samples=8, seed=0)
    with pytest.raises(InputError, match="norm 1"):
        QCNNClassifier(input="state").fit(2 * X, y)
    with pytest.raises(InputError, match="2\\*\\*n amplitudes"):
        QCNNClassifier(input="state").fit(X[:, :12], y)
    with pytest.raises(InputError, match="input must be one of"):
        QCNNClassifier(input="amplitudes").fit(X, y)
    with pytest.raises(InputError, match="1 feature"):
        QCNNClassifier().fit(np.zeros((4, 1)), [0, 1, 0, 1])
    with pytest.raises(InputError, match="exactly 2 classes"):
        QCNNClassifier(input="state").fit(X, np.arange(len(X)) % 3)
    with pytest.raises(InputError, match="initial_point"):
        QCNNClassifier(input="state", initial_point=[0.0]).fit(X, y)
    with pytest.raises(InputError, match="feature map has"):
        QCNNClassifier(feature_map=z_feature_map(3)).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    fitted = QCNNClassifier(input="state", maxiter=1, random_state=0).fit(X, y)
    with pytest.raises(InputError, match="amplitudes per state"):
        fitted.predict(np.eye(8))


def test_line_images_are_lines_on_noise():
    X_train, y_train, X_test, y_test = datasets.line_images(n_samples=40, seed=2)
    assert X_train.shape == (28, 8) and X_test.shape == (12, 8)
    horizontal = {(i, i + 1) for i in (0, 1, 2, 4, 5, 6)}
    vertical = {(i, i + 4) for i in range(4)}
    for X, y in ((X_train, y_train), (X_test, y_test)):
        for image, label in zip(X, y):
            lit = tuple(np.flatnonzero(image == np.pi / 2))
            assert lit in (vertical if label else horizontal)
            assert np.all(np.delete(image, lit) < np.pi / 4)
    again = datasets.line_images(n_samples=40, seed=2)
    assert np.array_equal(again[0], X_train)
    with pytest.raises(InputError, match="noise"):
        datasets.line_images(noise=2.0)


# ------------------------------------------------------------------ device backend (shots)
#
# Statistical bounds are Hoeffding's: a mean of S independent shots, each in a range of width
# r, is within eps = r sqrt(ln(2 / delta) / (2 S)) of its expectation with probability at
# least 1 - delta; a sum of coefficients c_t times such means is within
# r sqrt(sum c_t**2 ln(2 / delta) / (2 S)). delta is 1e-6 divided by the number of compared
# values (a union bound), so a correct estimator fails a test with probability < 1e-6.

D_PLUS, D_MINUS = (np.sqrt(2) + 1) / (4 * np.sqrt(2)), (np.sqrt(2) - 1) / (4 * np.sqrt(2))


def _hoeffding(sum_c2, shots, n_values, width=1.0):
    return width * np.sqrt(sum_c2 * np.log(2 * n_values / 1e-6) / (2 * shots))


def _two_blobs(n=8, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.uniform(0.0, 0.6, (n // 2, 4)), rng.uniform(2.5, 3.1, (n // 2, 4))])
    return X, np.array([0] * (n // 2) + [1] * (n // 2))


def _exact_sample(program, output_qubit, X, W, Phi):
    """Exact output-qubit probabilities of the expanded circuit, in place of the shots."""
    rows = []
    for w, phi in zip(W, Phi):
        row = []
        for x in X:
            values = dict(zip(program.inputs, x)) | dict(zip(program.weights, w))
            values |= dict(zip(program.occ_params, phi))
            qc = program.expanded.assign_parameters(values, strict=False)
            row.append(Statevector(qc).probabilities([output_qubit]))
        rows.append(row)
    return [np.array(rows)]


def test_backend_and_shots_are_parameters():
    params = QCNNClassifier(backend="fake:manila", shots=100).get_params()
    assert params["backend"] == "fake:manila" and params["shots"] == 100
    assert QCNNClassifier().get_params()["backend"] is None


def test_device_shift_rule_gradient_equals_the_adjoint_gradient():
    """Exact probabilities in place of the shots: the shift rules alone are tested, with
    the shared angles of the convolutions (several occurrences) and the CRY gates of the
    pooling (the four-term rule)."""
    X, y = _two_blobs(6)
    exact = QCNNClassifier(maxiter=1, random_state=0).fit(X, y)
    clf = QCNNClassifier(maxiter=1, optimizer="COBYLA", random_state=0, backend="ideal", shots=8)
    clf.fit(X, y)
    program = clf.shot_program_
    assert sorted({rule for *_, rule in program.occurrences}) == [2, 4]
    assert len(program.occurrences) == 25 > len(clf.weights_) == 13
    program.sample = lambda X_, W, Phi: _exact_sample(program, clf.output_qubit_, X_, W, Phi)
    w = np.random.default_rng(3).normal(size=13)
    loss, grad = clf.loss_and_gradient(X, y, w)
    loss_exact, grad_exact = exact.loss_and_gradient(X, y, w)
    assert loss == pytest.approx(loss_exact, abs=1e-10)
    np.testing.assert_allclose(grad, grad_exact, atol=1e-9)


def test_shot_probabilities_on_the_ideal_backend_agree_with_the_exact_ones():
    X, y = _two_blobs(8)
    exact = QCNNClassifier(maxiter=5, random_state=1).fit(X, y)
    shots = 4000
    clf = QCNNClassifier(backend="ideal", shots=shots, initial_point=exact.weights_, maxiter=1)
    clf.set_params(optimizer="COBYLA", random_state=7).fit(X, y)
    clf.weights_ = exact.weights_
    proba = clf.predict_proba(X)
    assert np.all(np.isclose(proba * shots, np.round(proba * shots)))  # frequencies
    eps = _hoeffding(1.0, shots, len(X))
    assert np.max(np.abs(proba - exact.predict_proba(X))) < eps
    ops = clf.isa_circuit_.count_ops()
    assert ops["measure"] == 1  # only the output qubit is read
    # Aer 0.18 binds parameter values of controlled rotations wrongly: they are decomposed
    assert "cry" not in ops and ops["cx"] > 15


def test_shot_gradient_on_the_ideal_backend_agrees_with_the_exact_gradient():
    X, y = _two_blobs(2, seed=2)
    shots = 12000
    exact = QCNNClassifier(maxiter=1, random_state=0).fit(X, y)
    clf = QCNNClassifier(backend="ideal", shots=shots, maxiter=1, optimizer="COBYLA")
    clf.set_params(random_state=11).fit(X, y)
    w = np.random.default_rng(4).normal(size=13)
    _, jac = clf.shot_program_.run(X, w, gradient=True)
    estimate = jac[0][:, :, 1]  # d P(class 1) / d w_j for every point: (13, 2)

    def p1(weights):
        exact.weights_ = weights
        return exact.predict_proba(X)[:, 1]

    h = 1e-6
    expected = np.array([(p1(w + h * e) - p1(w - h * e)) / (2 * h) for e in np.eye(13)])
    # sum of squared shift-rule coefficients per weight: 2 (1/2)^2 per RX/RY/RZ occurrence,
    # 2 (d+^2 + d-^2) per CRY occurrence (angles enter with factor 1 in this circuit)
    sum_c2 = np.zeros(13)
    for j, c, _, rule in clf.shot_program_.occurrences:
        sum_c2[j] += c**2 * (0.5 if rule == 2 else 2 * (D_PLUS**2 + D_MINUS**2))
    eps = _hoeffding(sum_c2, shots, expected.size)[:, None]
    assert np.all(np.abs(estimate - expected) < eps)
    assert np.max(np.abs(expected)) > 3 * np.max(eps)  # the bound is tighter than the signal


def test_short_fit_on_a_fake_device_gives_a_sensible_score():
    X, y = _two_blobs(6, seed=3)
    exact = QCNNClassifier(maxiter=30, random_state=0).fit(X, y)
    kwargs = dict(backend="fake:manila", shots=256, optimizer="adam", learning_rate=0.05)
    clf = QCNNClassifier(maxiter=2, initial_point=exact.weights_, random_state=5, **kwargs)
    clf.fit(X, y)
    assert clf.isa_circuit_.num_qubits == 5 and len(clf.loss_history_) == 2
    proba = clf.predict_proba(X)
    assert np.all(np.isclose(proba * 256, np.round(proba * 256)))
    assert clf.score(X, y) >= 5 / 6
    again = QCNNClassifier(maxiter=2, initial_point=exact.weights_, random_state=5, **kwargs)
    np.testing.assert_array_equal(again.fit(X, y).weights_, clf.weights_)  # seeded shots


def test_device_errors_are_clear():
    X, y = _two_blobs(4)
    with pytest.raises(BackendError, match="fake_device_names"):
        QCNNClassifier(backend="fake:nowhere", maxiter=1).fit(X, y)
    with pytest.raises(InputError, match="backend must be"):
        QCNNClassifier(backend=3.5, maxiter=1).fit(X, y)
    with pytest.raises(InputError, match="shots"):
        QCNNClassifier(backend="ideal", shots=0, maxiter=1).fit(X, y)
    states, labels, *_ = datasets.ising_phases(n_qubits=4, n_samples=8, seed=0)
    with pytest.raises(InputError, match="exact simulator only"):
        QCNNClassifier(input="state", backend="ideal", shots=8, maxiter=1).fit(states, labels)
