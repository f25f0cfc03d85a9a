"""qmlkit.datasets: seeded, balanced, scaled, and the ad hoc set has its margin."""

import numpy as np
import pytest
from qiskit.circuit.library import zz_feature_map

from qmlkit import datasets
from qmlkit.datasets import _haar_unitary, _zz_states
from qmlkit.errors import InputError
from qmlkit.statevec import simulate

ALL = {
    "ad_hoc": lambda seed: datasets.ad_hoc(train_size=10, test_size=5, seed=seed),
    "moons": lambda seed: datasets.moons(n_samples=60, seed=seed),
    "circles": lambda seed: datasets.circles(n_samples=60, seed=seed),
    "parity": lambda seed: datasets.parity(n_bits=3, n_samples=60, seed=seed),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_seeded_and_well_formed(name):
    first, again, other = ALL[name](5), ALL[name](5), ALL[name](6)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
    X_train, y_train, X_test, y_test = first
    assert X_train.ndim == 2 and X_train.shape[0] == y_train.shape[0]
    assert X_test.shape[1] == X_train.shape[1] and X_test.shape[0] == y_test.shape[0]
    assert set(np.unique(y_train)) == {0, 1} and set(np.unique(y_test)) == {0, 1}
    assert y_train.dtype.kind == "i" and X_train.dtype == float
    upper = 2 * np.pi if name == "ad_hoc" else np.pi
    for X in (X_train, X_test):
        assert X.min() >= 0 and X.max() <= upper
    # stratified: both classes are about equally represented in train and test
    assert abs(y_train.mean() - 0.5) < 0.15 and abs(y_test.mean() - 0.5) < 0.2


def test_classical_sets_fill_the_angle_range_and_split_fraction():
    X_train, _, X_test, _ = datasets.moons(n_samples=200, test_size=0.25, seed=0)
    X = np.concatenate([X_train, X_test])
    np.testing.assert_allclose(X.min(axis=0), [0, 0], atol=1e-12)
    np.testing.assert_allclose(X.max(axis=0), [np.pi, np.pi], atol=1e-12)
    assert len(X_test) == 50


def test_parity_labels_are_the_parity_of_the_encoded_bits():
    X_train, y_train, _, _ = datasets.parity(n_bits=4, n_samples=40, noise=0.0, seed=1)
    bits = np.round(X_train / np.pi).astype(int)
    np.testing.assert_array_equal(bits.sum(axis=1) % 2, y_train)


def test_ad_hoc_counts_are_per_class_and_respect_the_gap():
    X_train, y_train, X_test, y_test = datasets.ad_hoc(
        train_size=12, test_size=4, n_features=2, gap=0.3, seed=3
    )
    assert X_train.shape == (24, 2) and X_test.shape == (8, 2)
    assert y_train.sum() == 12 and y_test.sum() == 4
    unitary = _haar_unitary(4, np.random.default_rng(3))  # the first draw of the seed
    values = datasets.ad_hoc_expectation(np.concatenate([X_train, X_test]), unitary)
    labels = np.concatenate([y_train, y_test])
    assert np.all(values[labels == 1] >= 0.3) and np.all(values[labels == 0] <= -0.3)


@pytest.mark.parametrize("n", [2, 3])
def test_ad_hoc_feature_map_equals_qiskit_zz_feature_map_up_to_conjugation(n):
    X = np.random.default_rng(n).uniform(0, 2 * np.pi, (6, n))
    ours = _zz_states(X)
    qiskit = simulate(zz_feature_map(n, reps=2, entanglement="full"), X)
    # conjugate states up to a global phase: |<conj(ours)|qiskit>| = 1 row by row
    np.testing.assert_allclose(np.abs(np.sum(ours * qiskit, axis=1)), 1.0, atol=1e-12)


def test_ad_hoc_is_separable_by_the_zz_kernel():
    from sklearn.svm import SVC

    X_train, y_train, X_test, y_test = datasets.ad_hoc(train_size=30, test_size=15, seed=11)
    fm = zz_feature_map(2, reps=2)
    A, B = simulate(fm, X_train), simulate(fm, X_test)
    model = SVC(kernel="precomputed").fit(np.abs(A.conj() @ A.T) ** 2, y_train)
    assert model.score(np.abs(B.conj() @ A.T) ** 2, y_test) >= 0.9


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.ad_hoc(train_size=0), "train_size"),
        (lambda: datasets.ad_hoc(gap=1.5), "gap"),
        (lambda: datasets.ad_hoc(n_features=20), "n_features"),
        (lambda: datasets.moons(test_size=1.5), "test_size"),
        (lambda: datasets.circles(factor=2.0), "factor"),
        (lambda: datasets.parity(n_bits=0), "n_bits"),
        (lambda: datasets.parity(noise=-1.0), "noise"),
    ],
)
def test_bad_arguments_raise_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()
