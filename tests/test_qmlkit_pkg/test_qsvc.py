"""qmlkit.models.QSVC: scikit-learn compliance and agreement with qiskit-machine-learning."""

import numpy as np
import pytest
from qiskit.circuit.library import pauli_feature_map, zz_feature_map
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from qmlkit.datasets import ad_hoc, moons
from qmlkit.errors import InputError
from qmlkit.kernels import FidelityKernel
from qmlkit.models import QSVC

# scikit-learn skips these two checks in this environment (pandas is not installed; the
# array-API check needs SCIPY_ARRAY_API=1), which would show up as skipped tests. They
# test input containers, not the estimator, so they are left out of the parametrisation.
_ENVIRONMENT_SKIPS = {"check_classifier_data_not_an_array", "check_array_api_input"}
# No check is expected to fail: QSVC declares `poor_score` (see QSVC.__sklearn_tags__:
# the ZZ feature map is not a universal kernel for standardised blobs), which is the
# scikit-learn tag for exactly that situation.
_checks = parametrize_with_checks([QSVC(seed=0)], expected_failed_checks=lambda est: {})


def _check_name(case) -> str:
    check = (case.values if hasattr(case, "values") else case)[1]
    return getattr(check, "func", check).__name__


_checks = pytest.mark.parametrize(
    _checks.args[0],
    [case for case in _checks.args[1] if _check_name(case) not in _ENVIRONMENT_SKIPS],
    **_checks.kwargs,
)


@_checks
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_init_only_stores_arguments_and_get_params():
    fm = zz_feature_map(2)
    model = QSVC(feature_map=fm, C=3.0, seed=4)
    params = model.get_params()
    assert params["feature_map"] is fm and params["C"] == 3.0 and params["seed"] == 4
    assert set(params) == {"feature_map", "reps", "entanglement", "C", "backend", "seed", "shots"}
    assert not [a for a in vars(model) if a.endswith("_")]
    copy = clone(model)
    assert copy.get_params()["C"] == 3.0


def test_predictions_equal_qiskit_machine_learning_qsvc():
    from qiskit_machine_learning.algorithms import QSVC as QiskitQSVC
    from qiskit_machine_learning.kernels import FidelityStatevectorKernel

    X_train, y_train, X_test, _ = moons(n_samples=80, noise=0.2, seed=3)
    fm = zz_feature_map(2, reps=2)
    ours = QSVC(feature_map=fm, C=2.0, seed=0).fit(X_train, y_train)
    theirs = QiskitQSVC(quantum_kernel=FidelityStatevectorKernel(feature_map=fm), C=2.0)
    theirs.fit(X_train, y_train)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(
        ours.decision_function(X_test), theirs.decision_function(X_test), atol=1e-8
    )


def test_predictions_equal_sklearn_svc_on_the_kernel_and_multiclass_works():
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    X = rng.uniform(0, np.pi, (45, 3))
    y = np.array(["a", "b", "c"])[np.argmax(X, axis=1)]
    fm = pauli_feature_map(3, reps=1, paulis=["Z", "ZZ"])
    model = QSVC(feature_map=fm, seed=1).fit(X[:30], y[:30])
    kernel = FidelityKernel(fm)
    svc = SVC(kernel="precomputed").fit(kernel.evaluate(X[:30]), y[:30])
    np.testing.assert_array_equal(
        model.predict(X[30:]), svc.predict(kernel.evaluate(X[30:], X[:30]))
    )
    proba = model.predict_proba(X[30:])
    assert proba.shape == (15, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X[30:]))


def test_learns_the_ad_hoc_dataset():
    X_train, y_train, X_test, y_test = ad_hoc(train_size=20, test_size=10, seed=5)
    model = QSVC(seed=5).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.9
    assert model.feature_map_.num_qubits == 2 and len(model.support_) > 0
    assert 0 < model.temperature_ < np.exp(5)


def test_probabilities_are_seeded():
    X_train, y_train, X_test, _ = moons(n_samples=60, noise=0.3, seed=1)
    a = QSVC(seed=7).fit(X_train, y_train).predict_proba(X_test)
    b = QSVC(seed=7).fit(X_train, y_train).predict_proba(X_test)
    np.testing.assert_array_equal(a, b)


def test_bad_input_raises_input_error():
    X = np.random.default_rng(0).uniform(0, 1, (6, 2))
    y = np.array([0, 1] * 3)
    with pytest.raises(InputError, match="3 parameters but X has 2 features"):
        QSVC(feature_map=zz_feature_map(3)).fit(X, y)
    with pytest.raises(InputError, match="NaN"):
        QSVC().fit(np.where(np.eye(6, 2) > 0, np.nan, X), y)
    with pytest.raises(InputError, match="0 sample"):
        QSVC().fit(np.zeros((0, 2)), [])
    with pytest.raises(InputError, match="2D array"):
        QSVC().fit(np.zeros(6), y)
    with pytest.raises(InputError, match="one class"):
        QSVC().fit(X, np.zeros(6))
    with pytest.raises(InputError, match="Reduce the features"):
        QSVC().fit(np.zeros((4, 20)), [0, 1, 0, 1])
    model = QSVC().fit(X, y)
    with pytest.raises(InputError, match="features"):
        model.predict(np.zeros((2, 3)))


def test_runs_on_a_fake_device_backend():
    X_train, y_train, X_test, y_test = ad_hoc(train_size=4, test_size=2, seed=1)
    model = QSVC(backend="fake:manila", shots=400, seed=3).fit(X_train, y_train)
    assert not model.kernel_.exact
    assert model.kernel_.circuit_count(X_train) == 28  # 8 points: 8 * 7 / 2 pairs
    assert model.predict(X_test).shape == (4,)
    assert 0.0 <= model.score(X_test, y_test) <= 1.0
