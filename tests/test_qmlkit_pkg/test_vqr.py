"""VariationalRegressor: exact gradients, the Fourier degree of re-uploading, fits, errors.

scikit-learn's estimator checks are in tests/test_sklearn_compat.py."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import real_amplitudes, z_feature_map
from qiskit.quantum_info import SparsePauliOp, Statevector

from qmlkit.errors import InputError
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
