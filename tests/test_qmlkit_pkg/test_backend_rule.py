"""One meaning of ``backend`` and ``shots`` across qmlkit's models (issue 14).

The rule (qmlkit/models/_device.py, ``BACKEND_RULE``): ``None``/``"ideal"`` (or an ideal
Backend) with ``shots=None`` is the exact simulator; ``"ideal"`` with an integer ``shots``
samples that many shots on Aer's noiseless sampler (``None`` with shots too); a device
samples, 1024 shots per circuit when ``shots=None``. Every model is checked on tiny data with
one or two iterations: "ideal" without shots equals the exact result to 1e-12, "ideal" with
N shots gives multiples of 1/N that differ from the exact values, and "fake:manila" without
shots samples 1024 shots (multiples of 1/1024, some of them odd multiples, so not 512).
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from qiskit.circuit.library import zz_feature_map

from qmlkit.backends import get
from qmlkit.kernel_training import TrainableFidelityKernel
from qmlkit.kernels import FidelityKernel
from qmlkit.models import QSVC, VQC, BornMachine, QCNNClassifier, VariationalRegressor
from qmlkit.models._device import BACKEND_RULE, DEFAULT_DEVICE_SHOTS, device_for, shots_for

N = 64  # shots of the noiseless sampling checks
MODELS = [FidelityKernel, QSVC, VQC, QCNNClassifier, VariationalRegressor, BornMachine]
MODELS += [TrainableFidelityKernel]


def _blobs(n=6, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.uniform(0.0, 0.6, (n // 2, d)), rng.uniform(2.5, 3.1, (n // 2, d))])
    return X, np.array([0] * (n // 2) + [1] * (n // 2))


def _multiples(values, shots):
    """True when every value is an integer multiple of 1/shots."""
    scaled = np.asarray(values, dtype=float) * shots
    return bool(np.allclose(scaled, np.round(scaled), atol=1e-9))


def _device_shots(values):
    """Frequencies of 1024 shots: multiples of 1/1024, and not all of 1/512."""
    counts = np.round(np.asarray(values, dtype=float) * DEFAULT_DEVICE_SHOTS).astype(int)
    return _multiples(values, DEFAULT_DEVICE_SHOTS) and bool(np.any(counts % 2 == 1))


def _differs(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) > 1e-6


# --------------------------------------------------------------------------- the helpers
def test_device_for_and_shots_for_state_the_rule():
    ideal = get("ideal")
    for backend in (None, "ideal", ideal):
        assert device_for(backend, 0, None) is None  # exact
        assert device_for(backend, 0, 100).kind == "ideal"  # noiseless shots
    assert device_for(None, 3, 100).seed == 3
    assert device_for("fake:manila", 0, None).kind == "fake"
    assert shots_for(None, None) == DEFAULT_DEVICE_SHOTS == 1024
    assert shots_for(None, 7) == 7


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_states_the_rule_and_defaults_to_no_shots(model):
    doc = " ".join(inspect.getdoc(model).split())
    rule = " ".join(BACKEND_RULE.split())
    # the docstrings write the Backend link as :class:`~qmlkit.backends.Backend`
    assert rule in doc, model.__name__
    assert re.search(r"shots: ``None`` \(the default: exact on the ideal simulator, 1024", doc)
    assert inspect.signature(model).parameters["shots"].default is None


# --------------------------------------------------------------------------- kernels
def test_fidelity_kernel():
    fm = zz_feature_map(2, reps=1)
    X, _ = _blobs()
    exact = FidelityKernel(fm).evaluate(X)
    for backend in ("ideal", get("ideal")):
        kernel = FidelityKernel(fm, backend=backend)
        assert kernel.exact and kernel.circuit_count(X) == 0
        np.testing.assert_allclose(kernel.evaluate(X), exact, rtol=0, atol=1e-12)
    shot = FidelityKernel(fm, backend="ideal", shots=N, seed=0)
    assert not shot.exact
    K = shot.evaluate(X)
    assert _multiples(K, N) and _differs(K, exact)
    # backend=None with shots is "ideal" with shots (not the session's backend setting)
    np.testing.assert_array_equal(FidelityKernel(fm, shots=N, seed=0).evaluate(X), K)
    K_device = FidelityKernel(fm, backend="fake:manila", seed=0).evaluate(X)
    assert _device_shots(K_device[np.triu_indices(len(X), k=1)])


def test_qsvc_passes_the_rule_to_its_kernel():
    X, y = _blobs()
    exact = QSVC(reps=1, random_state=0).fit(X, y)
    ideal = QSVC(reps=1, random_state=0, backend="ideal").fit(X, y)
    assert ideal.kernel_.exact
    np.testing.assert_allclose(
        ideal.decision_function(X), exact.decision_function(X), rtol=0, atol=1e-12
    )
    shot = QSVC(reps=1, random_state=0, backend="ideal", shots=N).fit(X, y)
    assert shot.kernel_.shots == N
    K = shot.kernel_.evaluate(X)
    assert _multiples(K, N) and _differs(K, exact.kernel_.evaluate(X))
    device = QSVC(reps=1, random_state=0, backend="fake:manila").fit(X, y)
    assert device.kernel_.shots is None and not device.kernel_.exact
    assert _device_shots(device.kernel_.evaluate(X)[np.triu_indices(len(X), k=1)])


def test_trainable_fidelity_kernel():
    X, y = _blobs()
    kwargs = dict(reps=1, maxiter=1, random_state=0)
    exact = TrainableFidelityKernel(**kwargs).fit(X, y)
    ideal = TrainableFidelityKernel(backend="ideal", **kwargs).fit(X, y)
    np.testing.assert_allclose(ideal.theta_, exact.theta_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ideal(X), exact(X), rtol=0, atol=1e-12)
    shot = TrainableFidelityKernel(backend="ideal", shots=N, **kwargs).fit(X, y)
    K = shot(X)
    assert _multiples(K, N) and _differs(K, shot.bound_kernel()(X))
    device = TrainableFidelityKernel(backend="fake:manila", **kwargs).fit(X, y)
    assert _device_shots(device(X)[np.triu_indices(len(X), k=1)])


# --------------------------------------------------------------------------- models
def test_vqc():
    X, y = _blobs()
    kwargs = dict(reps=1, maxiter=1, random_state=0)
    exact = VQC(**kwargs).fit(X, y)
    for backend in ("ideal", get("ideal")):
        ideal = VQC(backend=backend, **kwargs).fit(X, y)
        np.testing.assert_allclose(
            ideal.predict_proba(X), exact.predict_proba(X), rtol=0, atol=1e-12
        )
    shot = VQC(backend="ideal", shots=N, optimizer="COBYLA", **kwargs).fit(X, y)
    shot.weights_ = exact.weights_
    proba = shot.predict_proba(X)
    assert _multiples(proba, N) and _differs(proba, exact.predict_proba(X))
    none = VQC(shots=N, optimizer="COBYLA", **kwargs).fit(X, y)
    none.weights_ = exact.weights_
    np.testing.assert_array_equal(none.predict_proba(X), proba)  # None with shots = "ideal"
    device = VQC(backend="fake:manila", optimizer="COBYLA", **kwargs).fit(X, y)
    assert _device_shots(device.predict_proba(X))


def test_qcnn():
    X, y = _blobs(d=4)
    kwargs = dict(maxiter=1, random_state=0)
    exact = QCNNClassifier(**kwargs).fit(X, y)
    ideal = QCNNClassifier(backend="ideal", **kwargs).fit(X, y)
    assert ideal.shot_program_ is None
    np.testing.assert_allclose(ideal.predict_proba(X), exact.predict_proba(X), rtol=0, atol=1e-12)
    shot = QCNNClassifier(backend="ideal", shots=N, optimizer="COBYLA", **kwargs).fit(X, y)
    assert shot.shot_program_.shots == N and shot.shot_program_.device.kind == "ideal"
    shot.weights_ = exact.weights_
    proba = shot.predict_proba(X)
    assert _multiples(proba, N) and _differs(proba, exact.predict_proba(X))
    device = QCNNClassifier(backend="fake:manila", optimizer="COBYLA", **kwargs).fit(X, y)
    assert device.shot_program_.shots == DEFAULT_DEVICE_SHOTS
    assert _device_shots(device.predict_proba(X))


def test_variational_regressor():
    X, y = _blobs()
    kwargs = dict(reps=1, maxiter=1, random_state=0)
    exact = VariationalRegressor(**kwargs).fit(X, y)
    ideal = VariationalRegressor(backend="ideal", **kwargs).fit(X, y)
    assert ideal.shot_program_ is None
    np.testing.assert_allclose(ideal.predict(X), exact.predict(X), rtol=0, atol=1e-12)
    shot = VariationalRegressor(backend="ideal", shots=N, optimizer="COBYLA", **kwargs)
    shot.fit(X, y)
    assert shot.shot_program_.shots == N
    shot.weights_ = exact.weights_
    p1 = (shot.expectation(X) + 1) / 2  # <Z> = 2 P(0) - 1 on qubit 0
    assert _multiples(p1, N) and _differs(p1, (exact.expectation(X) + 1) / 2)
    device = VariationalRegressor(backend="fake:manila", optimizer="COBYLA", **kwargs)
    device.fit(X, y)
    assert device.shot_program_.shots == DEFAULT_DEVICE_SHOTS
    assert _device_shots((device.expectation(X) + 1) / 2)


def test_born_machine():
    data = ["00", "11", "11", "01"]
    kwargs = dict(reps=1, maxiter=2, random_state=0)
    exact = BornMachine(**kwargs).fit(data)
    for backend in ("ideal", get("ideal")):
        ideal = BornMachine(backend=backend, **kwargs).fit(data)
        assert ideal.shots_per_circuit_ is None and ideal.backend_ is None
        np.testing.assert_allclose(ideal.loss_history_, exact.loss_history_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ideal.probabilities(), exact.probabilities(), atol=1e-12)
    shot = BornMachine(backend="ideal", shots=N, **kwargs).fit(data)
    assert shot.shots_per_circuit_ == N and shot.backend_.kind == "ideal"
    p = shot._estimated(exact.weights_[None, :])[0]
    assert _multiples(p, N) and _differs(p, exact.probabilities())
    # backend=None with shots: the samples are drawn with NumPy from the exact distribution
    numpy_drawn = BornMachine(shots=N, **kwargs).fit(data)
    assert numpy_drawn.backend_ is None and numpy_drawn.shots_per_circuit_ == N
    assert _multiples(numpy_drawn._estimated(exact.weights_[None, :]), N)
    device = BornMachine(backend="fake:manila", **kwargs).fit(data)
    assert device.shots_per_circuit_ == DEFAULT_DEVICE_SHOTS and device.backend_.kind == "fake"
    estimates = device._estimated(np.array([exact.weights_] * 8))
    assert _device_shots(estimates)
    # the sampling is seeded by random_state, on the device as on the noiseless sampler
    for model in (shot, device):
        again = BornMachine(backend=model.backend, shots=model.shots, **kwargs).fit(data)
        np.testing.assert_array_equal(again.loss_history_, model.loss_history_)
