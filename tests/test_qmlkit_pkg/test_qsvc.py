"""qmlkit.models.QSVC: agreement with qiskit-machine-learning, calibration, errors.

scikit-learn's estimator checks for every classifier are in tests/test_sklearn_compat.py."""

import numpy as np
import pytest
from qiskit.circuit.library import pauli_feature_map, zz_feature_map
from sklearn.base import clone

from qmlkit.datasets import ad_hoc, moons
from qmlkit.errors import InputError
from qmlkit.kernels import FidelityKernel
from qmlkit.models import QSVC


def test_init_only_stores_arguments_and_get_params():
    fm = zz_feature_map(2)
    model = QSVC(feature_map=fm, C=3.0, random_state=4)
    params = model.get_params()
    assert params["feature_map"] is fm and params["C"] == 3.0 and params["random_state"] == 4
    assert set(params) == {
        "feature_map",
        "reps",
        "entanglement",
        "C",
        "backend",
        "random_state",
        "shots",
        "kernel",
    }
    assert not [a for a in vars(model) if a.endswith("_")]
    copy = clone(model)
    assert copy.get_params()["C"] == 3.0


def test_predictions_equal_qiskit_machine_learning_qsvc():
    from qiskit_machine_learning.algorithms import QSVC as QiskitQSVC
    from qiskit_machine_learning.kernels import FidelityStatevectorKernel

    X_train, y_train, X_test, _ = moons(n_samples=80, noise=0.2, seed=3)
    fm = zz_feature_map(2, reps=2)
    ours = QSVC(feature_map=fm, C=2.0, random_state=0).fit(X_train, y_train)
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
    model = QSVC(feature_map=fm, random_state=1).fit(X[:30], y[:30])
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
    model = QSVC(random_state=5).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.9
    assert model.feature_map_.num_qubits == 2 and len(model.support_) > 0
    assert 0 < model.temperature_ < np.exp(5)


def test_probabilities_are_seeded():
    X_train, y_train, X_test, _ = moons(n_samples=60, noise=0.3, seed=1)
    a = QSVC(random_state=7).fit(X_train, y_train).predict_proba(X_test)
    b = QSVC(random_state=7).fit(X_train, y_train).predict_proba(X_test)
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
    model = QSVC(backend="fake:manila", shots=400, random_state=3).fit(X_train, y_train)
    assert not model.kernel_.exact
    assert model.kernel_.circuit_count(X_train) == 28  # 8 points: 8 * 7 / 2 pairs
    assert model.predict(X_test).shape == (4,)
    assert 0.0 <= model.score(X_test, y_test) <= 1.0


def test_any_kernel_of_the_protocol_can_be_used():
    from qmlkit.kernels import ProjectedKernel, kernel_matrix

    X_train, y_train, X_test, y_test = moons(n_samples=60, noise=0.1, seed=2)
    fm = zz_feature_map(2, reps=1)
    # the default kernel, given explicitly: the same model
    by_kernel = QSVC(kernel=FidelityKernel(zz_feature_map(2, reps=2)), random_state=0)
    default = QSVC(random_state=0)
    np.testing.assert_allclose(
        by_kernel.fit(X_train, y_train).predict_proba(X_test),
        default.fit(X_train, y_train).predict_proba(X_test),
        atol=1e-12,
    )
    assert by_kernel.feature_map_ is None
    from sklearn.svm import SVC

    pk = ProjectedKernel(fm, gamma=0.5)
    projected = QSVC(kernel=pk, random_state=0).fit(X_train, y_train)
    assert projected.kernel_ is pk
    svc = SVC(kernel="precomputed").fit(pk(X_train), y_train)  # the same SVM, by hand
    np.testing.assert_array_equal(projected.predict(X_test), svc.predict(pk(X_test, X_train)))
    # a plain function of the protocol (Gram matrix of X with Y) works too
    rbf = lambda X, Y=None: kernel_matrix(  # noqa: E731
        X, Y, lambda x, y: float(np.exp(-np.sum((x - y) ** 2)))
    )
    assert QSVC(kernel=rbf, random_state=0).fit(X_train, y_train).score(X_test, y_test) > 0.7
    with pytest.raises(InputError, match="callable"):
        QSVC(kernel="rbf").fit(X_train, y_train)
    with pytest.raises(InputError, match="Gram matrix"):
        QSVC(kernel=lambda X, Y=None: np.ones((2, 2))).fit(X_train, y_train)


def test_keyword_only_arguments():
    with pytest.raises(TypeError):
        QSVC(zz_feature_map(2))  # the feature map must be named
    with pytest.raises(TypeError):
        QSVC(seed=0)  # random_state, as in scikit-learn
