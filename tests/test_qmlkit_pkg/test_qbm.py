"""QBM: exact gradient (vs finite differences and scipy's expm_frechet), training, errors.

The QBM is not run through all of scikit-learn's parametrize_with_checks: its ``fit`` takes one
target probability vector over 2**n_visible bitstrings, not a sample matrix X (and no y), so the
checks that feed random float matrices of many shapes do not apply. It is a scikit-learn
``BaseEstimator`` with ``DensityMixin`` (keyword-only arguments stored in __init__, inherited
get_params/set_params, clone, fit returns self, fitted attributes end in "_", check_is_fitted,
``random_state``), and the parameter checks of scikit-learn that apply are run below.
"""

import numpy as np
import pytest
from scipy.linalg import expm, expm_frechet

from qmlkit.errors import InputError
from qmlkit.models import QBM
from qmlkit.models.qbm import _z_signs


def _pairwise_target(n, seed):
    """A distribution a classical pairwise Boltzmann machine represents exactly."""
    rng = np.random.default_rng(seed)
    z = _z_signs(n)
    energy = rng.normal(scale=0.8, size=n) @ z
    for i in range(n):
        for j in range(i + 1, n):
            energy += rng.normal(scale=0.8) * z[i] * z[j]
    p = np.exp(-energy)
    return p / p.sum()


def _kl(q, p):
    s = q > 0
    return float(np.sum(q[s] * np.log(q[s] / p[s])))


def test_hamiltonian_and_distribution_follow_qiskit_order():
    qbm = QBM(n_visible=2, transverse_field=False)
    theta = np.array([1.0, 0.0, 0.0])  # H = 1.0 * Z_0 only: qubit 0 prefers |1>
    p = qbm._distribution(theta)
    # index 1 = '01' = qubit 0 set; Z_0 = -1 there, so energy -1 and higher probability
    assert p[1] > p[0] and p[3] > p[2]
    np.testing.assert_allclose(p[1] / p[0], np.exp(2.0))


def test_hamiltonian_matrix_matches_sparse_pauli_op():
    qbm = QBM(n_visible=3)
    theta = np.random.default_rng(0).normal(size=3 + 3 + 3)
    np.testing.assert_allclose(
        qbm._hamiltonian_matrix(theta), qbm._sparse_pauli_op(theta).to_matrix(), atol=1e-12
    )


@pytest.mark.parametrize("transverse_field", [True, False])
def test_gradient_matches_finite_differences(transverse_field):
    qbm = QBM(n_visible=3, transverse_field=transverse_field)
    rng = np.random.default_rng(3)
    target = rng.dirichlet(np.ones(8))
    theta = rng.normal(size=9 if transverse_field else 6)
    kl, grad = qbm._loss_and_grad(theta, target)
    assert kl == pytest.approx(_kl(target, qbm._distribution(theta)), abs=1e-12)
    eps = 1e-6
    fd = np.array(
        [
            (
                qbm._loss_and_grad(theta + eps * e, target)[0]
                - qbm._loss_and_grad(theta - eps * e, target)[0]
            )
            / (2 * eps)
            for e in np.eye(len(theta))
        ]
    )
    np.testing.assert_allclose(grad, fd, atol=1e-7)


def test_gradient_matches_scipy_expm_frechet():
    """dKL/dθ_k = -Σ_v q_v [L_exp(-H, -O_k)]_vv / A_vv - <O_k>, with scipy's Fréchet derivative."""
    qbm = QBM(n_visible=2)
    rng = np.random.default_rng(5)
    target = rng.dirichlet(np.ones(4))
    theta = rng.normal(size=2 + 1 + 2)
    _, grad = qbm._loss_and_grad(theta, target)
    h = qbm._hamiltonian_matrix(theta)
    a = expm(-h)
    expected = []
    for k in range(len(theta)):
        o = qbm._hamiltonian_matrix(np.eye(len(theta))[k])  # dH/dθ_k
        _, d_a = expm_frechet(-h, -o)
        expected.append(-np.sum(target * np.diag(d_a) / np.diag(a)) - np.trace(a @ o) / np.trace(a))
    np.testing.assert_allclose(grad, expected, atol=1e-10)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_fit_reaches_small_kl_on_representable_targets(n):
    target = _pairwise_target(n, seed=n)
    history = []
    qbm = QBM(
        n_visible=n, random_state=0, callback=lambda it, loss: history.append((it, loss))
    ).fit(target)
    assert qbm.kl_ <= 0.05
    assert _kl(target, qbm.distribution_) == pytest.approx(qbm.kl_, abs=1e-9)
    assert len(qbm.loss_history_) == qbm.n_iter_ == len(history)
    assert history[0][0] == 1
    assert qbm.loss_history_[-1] < qbm.loss_history_[0]
    np.testing.assert_allclose(qbm.distribution_.sum(), 1.0)


def test_fit_with_scipy_optimizer_and_counts_dict():
    target = {"00": 40, "11": 40, "01": 10, "10": 10}  # counts are normalised
    qbm = QBM(n_visible=2, optimizer="L-BFGS-B", maxiter=200, random_state=1).fit(target)
    assert qbm.kl_ < 1e-3
    assert qbm.distribution_[0b11] == pytest.approx(0.4, abs=0.02)
    assert qbm.hamiltonian_.num_qubits == 2
    assert set(qbm.sample(100, seed=2)) <= {"00", "01", "10", "11"}


def test_classical_machine_has_no_transverse_field():
    qbm = QBM(n_visible=2, transverse_field=False, maxiter=50, random_state=0).fit(
        _pairwise_target(2, 0)
    )
    np.testing.assert_array_equal(qbm.gammas_, 0.0)
    assert all("X" not in label for label in qbm.hamiltonian_.paulis.to_labels())


def test_random_state_makes_fit_reproducible_and_get_params():
    target = _pairwise_target(2, 4)
    a = QBM(n_visible=2, random_state=7, maxiter=30).fit(target)
    b = QBM(n_visible=2, random_state=7, maxiter=30).fit(target)
    np.testing.assert_array_equal(a.theta_, b.theta_)
    assert a.get_params()["n_visible"] == 2
    assert a.set_params(maxiter=5).maxiter == 5


@pytest.mark.parametrize(
    "target, match",
    [
        ([0.5, 0.5], "shape"),
        ([0.5, 0.6, 0.0, -0.1], "negative"),
        ([np.nan, 0.5, 0.25, 0.25], "NaN"),
        ([0.1, 0.1, 0.1, 0.1], "sums to"),
        ({"0": 1}, "Bitstring"),
        ("abc", "vector"),
    ],
)
def test_bad_targets_raise_clear_errors(target, match):
    with pytest.raises(InputError, match=match):
        QBM(n_visible=2).fit(target)


def test_bad_n_visible_and_unfitted_use():
    with pytest.raises(InputError, match="n_visible"):
        QBM(n_visible=0).fit([1.0])
    with pytest.raises(InputError, match="not fitted"):
        QBM(n_visible=2).sample(10)


def test_is_a_scikit_learn_density_estimator():
    from sklearn.base import BaseEstimator, DensityMixin, clone
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    )
    from sklearn.utils.validation import check_is_fitted

    model = QBM(n_visible=2, maxiter=5, random_state=0)
    assert isinstance(model, BaseEstimator) and isinstance(model, DensityMixin)
    assert model.__sklearn_tags__().estimator_type == "density_estimator"
    for check in (
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
    ):
        check("QBM", model)
    assert QBM.get_params is BaseEstimator.get_params  # inherited, not hand-written
    assert set(model.get_params()) == {
        "n_visible",
        "transverse_field",
        "learning_rate",
        "maxiter",
        "optimizer",
        "random_state",
        "callback",
        "progress",
    }
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(InputError, match="not fitted yet: call QBM\\(...\\).fit\\(target\\)"):
        model.kl_divergence([0.25] * 4)  # a NotFittedError and a qmlkit InputError
    copy = clone(model)
    assert copy.get_params() == model.get_params() and copy is not model
    fitted = model.fit([0.4, 0.1, 0.1, 0.4])
    assert fitted is model
    check_is_fitted(model)
    assert model.score([0.4, 0.1, 0.1, 0.4]) == pytest.approx(-model.kl_)
    with pytest.raises(ValueError, match="Invalid parameter"):
        model.set_params(seed=1)


def test_keyword_only_and_n_visible_from_the_target():
    with pytest.raises(TypeError):
        QBM(2)  # n_visible must be named
    target = {"000": 30, "111": 70}
    model = QBM(maxiter=5, random_state=0).fit(target)  # n_visible=None: from the bitstrings
    assert model.n_visible is None and model.n_visible_ == 3 and model.distribution_.shape == (8,)
    assert QBM(maxiter=5, random_state=0).fit([0.5, 0.5]).n_visible_ == 1
    with pytest.raises(InputError, match="Could not tell n_visible"):
        QBM().fit([0.2, 0.3, 0.5])
