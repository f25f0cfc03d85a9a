"""VariationalRegressor: exact gradients, the Fourier degree of re-uploading, fits, errors.

scikit-learn's estimator checks are in tests/test_sklearn_compat.py."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import real_amplitudes, z_feature_map
from qiskit.quantum_info import SparsePauliOp, Statevector

from qmlkit.errors import BackendError, InputError
from qmlkit.models import VariationalRegressor
from qmlkit.models.vqr import pauli_diagonal


def _fd_gradient(reg, X, y, params, eps=1e-6):
    return np.array(
        [
            (
                reg.loss_and_gradient(X, y, params + eps * e)[0]
                - reg.loss_and_gradient(X, y, params - eps * e)[0]
            )
            / (2 * eps)
            for e in np.eye(len(params))
        ]
    )


def _data(n=30, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, (n, d))
    y = 2.0 * np.sin(X[:, 0]) + X[:, -1] ** 2 / 4 - 1.0
    return X, y


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"observable": "parity"},
        {"observable": "mean_z", "trainable_output": False},
        {"observable": SparsePauliOp(["XY", "ZZ", "IX"], [0.5, -1.0, 0.7])},
        {"feature_map": z_feature_map(2), "ansatz": real_amplitudes(2, reps=2)},
    ],
    ids=["default", "parity", "mean_z-raw", "non-diagonal", "feature-map+ansatz"],
)
def test_gradient_matches_finite_differences(kwargs):
    X, y = _data()
    reg = VariationalRegressor(reps=2, maxiter=3, random_state=1, **kwargs).fit(X, y)
    rng = np.random.default_rng(2)
    n_out = 2 if reg.trainable_output else 0
    params = rng.uniform(-2, 2, len(reg.weights_) + n_out)
    loss, grad = reg.loss_and_gradient(X, y, params)
    assert grad.shape == params.shape
    np.testing.assert_allclose(grad, _fd_gradient(reg, X, y, params), atol=1e-7)
    assert loss > 0


def test_prediction_is_the_expectation_of_the_bound_circuit_in_qiskit_order():
    X, y = _data(n=5, d=3)
    obs = SparsePauliOp(["IIZ", "XZI"], [0.8, -0.3])  # rightmost letter: qubit 0
    reg = VariationalRegressor(reps=2, observable=obs, maxiter=5, random_state=0).fit(X, y)
    values = dict(zip(reg.weight_params_, reg.weights_))
    for x, f in zip(X, reg.predict(X)):
        bound = reg.circuit_.assign_parameters({**values, **dict(zip(reg.input_params_, x))})
        e = Statevector(bound).expectation_value(obs).real
        assert f == pytest.approx(reg.output_scale_ * e + reg.output_offset_, abs=1e-10)
    np.testing.assert_allclose(
        reg.predict(X), reg.output_scale_ * reg.expectation(X) + reg.output_offset_
    )


def test_pauli_diagonal_uses_qiskit_order():
    assert pauli_diagonal("IZ").tolist() == [1, -1, 1, -1]  # Z on qubit 0: the low bit
    assert pauli_diagonal("ZI").tolist() == [1, 1, -1, -1]
    with pytest.raises(InputError, match="I and Z only"):
        pauli_diagonal("XZ")


def _spectrum(reg, n_samples=64):
    """|c_k| of the 2pi-periodic model output on one feature, k = 0..n_samples/2."""
    x = 2 * np.pi * np.arange(n_samples) / n_samples
    return np.abs(np.fft.rfft(reg.expectation(x.reshape(-1, 1)))) / n_samples


@pytest.mark.parametrize("reps", [1, 2, 3, 5])
def test_re_uploading_model_is_a_trigonometric_polynomial_of_degree_reps(reps):
    X, y = np.zeros((4, 1)), np.arange(4.0)
    for seed in range(3):
        reg = VariationalRegressor(reps=reps, maxiter=1, random_state=seed).fit(X, y)
        rng = np.random.default_rng(seed)
        reg.weights_ = rng.uniform(-np.pi, np.pi, len(reg.weights_))  # a generic model
        c = _spectrum(reg)
        assert np.all(c[reps + 1 :] < 1e-12), c  # no frequency above reps
        assert c[reps] > 1e-8  # and the top one is used (round-off is ~1e-16)


def test_fits_a_sine_that_one_upload_cannot():
    rng = np.random.default_rng(0)
    x = rng.uniform(-np.pi, np.pi, (60, 1))
    y = 2.5 * np.sin(2 * x[:, 0]) + 1.5 + 0.05 * rng.normal(size=60)
    r1 = VariationalRegressor(reps=1, maxiter=100, random_state=0).fit(x, y)
    r2 = VariationalRegressor(reps=2, maxiter=100, random_state=0).fit(x, y)
    assert r1.score(x, y) < 0.2  # frequency 2 is out of reach of one upload
    assert r2.score(x, y) > 0.99
    assert r2.loss_history_[-1] < r2.loss_history_[0]
    assert len(r2.loss_history_) == r2.n_iter_
    raw = VariationalRegressor(reps=2, trainable_output=False, maxiter=100, random_state=0)
    raw.fit(x, y)
    assert np.all(np.abs(raw.predict(x)) <= 1 + 1e-12)  # <Z> cannot leave [-1, 1]
    assert raw.score(x, y) < 0.5
    assert (raw.output_scale_, raw.output_offset_) == (1.0, 0.0)


def test_seeds_callback_and_initial_point():
    X, y = _data()
    a = VariationalRegressor(reps=2, maxiter=10, random_state=3).fit(X, y)
    b = VariationalRegressor(reps=2, maxiter=10, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    seen = []
    c = VariationalRegressor(
        reps=2, maxiter=10, optimizer="adam", callback=lambda it, loss: seen.append(it)
    ).fit(X, y)
    assert seen == list(range(1, 11)) and c.n_iter_ == 10
    w0 = np.zeros(len(a.weights_))
    d = VariationalRegressor(reps=2, maxiter=1, initial_point=w0, optimizer="adam")
    d.fit(X, y)
    assert d.weights_.shape == w0.shape


def test_custom_reuploading_circuit_with_input_and_weight_in_one_angle():
    x = ParameterVector("x", 1)
    w = ParameterVector("w", 4)
    fmap = QuantumCircuit(1)
    fmap.rx(x[0], 0)
    ansatz = QuantumCircuit(1)
    ansatz.ry(w[0], 0)
    ansatz.rx(w[1] * x[0], 0)  # a trainable input scaling
    ansatz.rz(w[2] + w[3], 0)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (20, 1))
    y = np.cos(3 * X[:, 0])
    reg = VariationalRegressor(feature_map=fmap, ansatz=ansatz, maxiter=3, random_state=0)
    reg.fit(X, y)
    params = rng.uniform(-1, 1, 6)
    _, grad = reg.loss_and_gradient(X, y, params)
    np.testing.assert_allclose(grad, _fd_gradient(reg, X, y, params), atol=1e-7)


def test_errors_are_short_input_errors():
    X, y = _data()
    with pytest.raises(InputError, match="reps"):
        VariationalRegressor(reps=0).fit(X, y)
    with pytest.raises(InputError, match="observable"):
        VariationalRegressor(observable="energy").fit(X, y)
    with pytest.raises(InputError, match="3 qubits"):
        VariationalRegressor(observable="ZZZ").fit(X, y)
    with pytest.raises(InputError, match="Hermitian"):
        VariationalRegressor(observable=SparsePauliOp(["ZZ"], [1j])).fit(X, y)
    with pytest.raises(InputError, match="PCA"):
        VariationalRegressor().fit(np.zeros((3, 13)), np.zeros(3))
    with pytest.raises(InputError, match="initial_point"):
        VariationalRegressor(initial_point=[0.0]).fit(X, y)
    with pytest.raises(InputError, match="NaN"):
        VariationalRegressor().fit(np.where(np.eye(30, 2) > 0, np.nan, X), y)
    fitted = VariationalRegressor(maxiter=2, random_state=0).fit(X, y)
    with pytest.raises(InputError, match="features"):
        fitted.predict(np.zeros((2, 3)))
    with pytest.raises(InputError, match="not fitted"):
        VariationalRegressor().predict(X)


def test_array_api_input_in_a_subprocess():
    """scikit-learn's array-API check (NumPy namespace), run as tests/test_sklearn_compat.py
    runs it for the classifiers: SCIPY_ARRAY_API=1 must be set before SciPy is imported."""
    import os
    import subprocess
    import sys

    code = (
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        "from qmlkit.models import VariationalRegressor\n"
        "check_array_api_input('VariationalRegressor', VariationalRegressor(maxiter=5, "
        "random_state=0), array_namespace='numpy', expect_only_array_outputs=False)\n"
        "print('checked')\n"
    )
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "checked" and "SkipTest" not in out.stderr


# ------------------------------------------------------------------ device backend (shots)
#
# Statistical bounds are Hoeffding's: a sum of coefficients c_t times means of S independent
# shots, each shot's value in a range of width r, is within
# r sqrt(sum c_t**2 ln(2 / delta) / (2 S)) of its expectation with probability >= 1 - delta;
# delta is 1e-6 over the number of compared values (a union bound).


def _hoeffding(sum_c2, shots, n_values, width):
    return width * np.sqrt(sum_c2 * np.log(2 * n_values / 1e-6) / (2 * shots))


def _exact_sample(program, X, W, Phi):
    """Exact measured probabilities of every basis circuit, in place of the shots."""
    out = []
    for label in program.bases:
        letters = label[::-1]  # letters[q] is qubit q's
        measured = [q for q, letter in enumerate(letters) if letter != "I"]
        rows = []
        for w, phi in zip(W, Phi):
            row = []
            for x in X:
                values = dict(zip(program.inputs, x)) | dict(zip(program.weights, w))
                values |= dict(zip(program.occ_params, phi))
                qc = program.expanded.assign_parameters(values, strict=False)
                for q, letter in enumerate(letters):
                    if letter == "X":
                        qc.h(q)
                    elif letter == "Y":
                        qc.sdg(q)
                        qc.h(q)
                row.append(Statevector(qc).probabilities(measured))
            rows.append(row)
        out.append(np.array(rows))
    return out


def _tricky_circuit():
    """A weight in two gates, a scaled angle, a controlled rotation, an input re-uploaded."""
    x = ParameterVector("x", 2)
    t = ParameterVector("t", 3)
    fmap = QuantumCircuit(2)
    fmap.ry(x[0], 0)
    fmap.ry(x[1], 1)
    ansatz = QuantumCircuit(2)
    ansatz.ry(t[0], 0)
    ansatz.ry(t[0], 1)  # t0 in two gates
    ansatz.crx(t[1], 0, 1)  # four-term rule
    ansatz.rz(x[0], 1)  # input again
    ansatz.rx(2 * t[2] + 0.3, 0)  # chain rule factor 2
    ansatz.cz(0, 1)
    return fmap, ansatz


def test_backend_and_shots_are_parameters():
    params = VariationalRegressor(backend="fake:manila", shots=100).get_params()
    assert params["backend"] == "fake:manila" and params["shots"] == 100
    assert VariationalRegressor().get_params()["backend"] is None


@pytest.mark.parametrize(
    "observable",
    ["z", "parity", SparsePauliOp(["XY", "ZI", "II", "YY"], [0.5, -0.3, 0.2, 0.4])],
    ids=["z", "parity", "non-diagonal"],
)
def test_device_shift_rule_gradient_equals_the_adjoint_gradient(observable):
    """Exact probabilities in place of the shots: basis rotations, the grouping of Pauli
    terms and the shift rules (several occurrences, factor 2, four terms) alone are tested."""
    fmap, ansatz = _tricky_circuit()
    X, y = _data(5)
    kwargs = dict(feature_map=fmap, ansatz=ansatz, observable=observable, maxiter=1)
    exact = VariationalRegressor(random_state=0, **kwargs).fit(X, y)
    reg = VariationalRegressor(backend="ideal", shots=8, optimizer="COBYLA", **kwargs)
    reg.set_params(random_state=0).fit(X, y)
    program = reg.shot_program_
    assert sorted(rule for *_, rule in program.occurrences) == [2, 2, 2, 4]
    # XY, ZI and YY commute pairwise but not qubit-wise: three measured circuits
    assert len(program.bases) == (3 if isinstance(observable, SparsePauliOp) else 1)
    program.sample = lambda X_, W, Phi: _exact_sample(program, X_, W, Phi)
    params = np.random.default_rng(1).uniform(-2, 2, 5)
    loss, grad = reg.loss_and_gradient(X, y, params)
    loss_exact, grad_exact = exact.loss_and_gradient(X, y, params)
    assert loss == pytest.approx(loss_exact, abs=1e-10)
    np.testing.assert_allclose(grad, grad_exact, atol=1e-9)
    reg.weights_, reg.output_scale_, reg.output_offset_ = params[:3], params[3], params[4]
    exact.weights_, exact.output_scale_, exact.output_offset_ = params[:3], params[3], params[4]
    np.testing.assert_allclose(reg.predict(X), exact.predict(X), atol=1e-10)


def test_shot_expectations_on_the_ideal_backend_agree_with_the_exact_ones():
    X, y = _data(6)
    exact = VariationalRegressor(reps=1, maxiter=5, random_state=0).fit(X, y)
    shots = 4000
    reg = VariationalRegressor(reps=1, backend="ideal", shots=shots, optimizer="COBYLA")
    reg.set_params(maxiter=1, random_state=3).fit(X, y)
    reg.weights_ = exact.weights_
    estimate = reg.expectation(X)
    assert np.all(np.isclose((estimate + 1) / 2 * shots, np.round((estimate + 1) / 2 * shots)))
    eps = _hoeffding(1.0, shots, len(X), width=2.0)  # one shot of Z is -1 or +1
    assert np.max(np.abs(estimate - exact.expectation(X))) < eps


def test_shot_gradient_on_the_ideal_backend_agrees_with_the_exact_gradient():
    X, y = _data(2, seed=4)
    shots = 12000
    exact = VariationalRegressor(reps=1, maxiter=1, random_state=0).fit(X, y)
    reg = VariationalRegressor(reps=1, backend="ideal", shots=shots, optimizer="COBYLA")
    reg.set_params(maxiter=1, random_state=5).fit(X, y)
    w = np.random.default_rng(6).uniform(-np.pi, np.pi, len(exact.weights_))
    _, estimate = reg._device_expectation(w, X, gradient=True)  # d<Z0>/dw_j: (n_weights, 2)

    def expectation(weights):
        exact.weights_ = weights
        return exact.expectation(X)

    h = 1e-6
    expected = np.array(
        [(expectation(w + h * e) - expectation(w - h * e)) / (2 * h) for e in np.eye(len(w))]
    )
    # every weight of the default circuit is the bare angle of one RY or RZ: coefficients +-1/2
    eps = _hoeffding(0.5, shots, expected.size, width=2.0)
    assert np.max(np.abs(estimate - expected)) < eps
    assert np.max(np.abs(expected)) > 3 * eps  # the bound is tighter than the signal


def test_short_fit_on_a_fake_device_gives_a_sensible_score():
    x = np.linspace(-np.pi, np.pi, 8).reshape(-1, 1)
    y = 0.8 * np.sin(x.ravel())
    kwargs = dict(reps=1, trainable_output=False)
    exact = VariationalRegressor(maxiter=50, random_state=0, **kwargs).fit(x, y)
    assert exact.score(x, y) > 0.95
    reg = VariationalRegressor(backend="fake:manila", shots=256, optimizer="adam", **kwargs)
    reg.set_params(maxiter=2, learning_rate=0.02, initial_point=exact.weights_, random_state=2)
    reg.fit(x, y)
    assert len(reg.loss_history_) == 2 and reg.shot_program_.isa_circuits[0].num_qubits == 5
    assert reg.score(x, y) > 0.8
    again = VariationalRegressor(backend="fake:manila", shots=256, optimizer="adam", **kwargs)
    again.set_params(maxiter=2, learning_rate=0.02, initial_point=exact.weights_, random_state=2)
    np.testing.assert_array_equal(again.fit(x, y).weights_, reg.weights_)  # seeded shots


def test_device_errors_are_clear():
    X, y = _data(4)
    with pytest.raises(BackendError, match="fake_device_names"):
        VariationalRegressor(backend="fake:nowhere", maxiter=1).fit(X, y)
    with pytest.raises(InputError, match="backend must be"):
        VariationalRegressor(backend=["ideal"], maxiter=1).fit(X, y)
    with pytest.raises(InputError, match="shots"):
        VariationalRegressor(backend="ideal", shots=1.5, maxiter=1).fit(X, y)
    with pytest.raises(InputError, match="identity"):
        VariationalRegressor(backend="ideal", shots=64, observable="II", maxiter=1).fit(X, y)
    x = ParameterVector("x", 2)
    w = ParameterVector("w", 1)
    fmap = QuantumCircuit(2)
    fmap.ry(x[0], 0)
    fmap.ry(x[1], 1)
    ansatz = QuantumCircuit(2)
    ansatz.ry(w[0] * x[0], 0)  # an angle mixing a weight and an input: no shift rule here
    kwargs = dict(
        feature_map=fmap, ansatz=ansatz, backend="ideal", shots=64, maxiter=2, random_state=0
    )
    with pytest.raises(InputError, match="gradient-free optimizer such as 'COBYLA'"):
        VariationalRegressor(**kwargs).fit(X, y)
    assert VariationalRegressor(optimizer="COBYLA", **kwargs).fit(X, y).n_iter_ >= 1
