"""qmlkit.models.BornMachine: kernel and MMD from first principles, exact gradients, sampling."""

import inspect
import itertools
import math

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Statevector
from sklearn.base import clone

from qmlkit.errors import InputError
from qmlkit.models import BornMachine
from qmlkit.models._sklearn import NotFittedError
from qmlkit.models.born import gaussian_kernel_matrix, mmd_squared


def _bits(k: int, n: int) -> np.ndarray:
    return np.array([(k >> i) & 1 for i in range(n)], dtype=float)


def _gaussian(x: np.ndarray, y: np.ndarray, sigmas) -> float:
    d2 = float(np.sum((x - y) ** 2))
    return float(np.mean([math.exp(-d2 / (2 * s * s)) for s in np.atleast_1d(sigmas)]))


def _mmd_by_expectations(p, q, sigmas) -> float:
    """E_{x,x'~p} k - 2 E_{x~p,y~q} k + E_{y,y'~q} k, summed over bit vectors."""
    n = int(np.log2(len(p)))
    pts = [_bits(k, n) for k in range(len(p))]
    e = 0.0
    for a, b in itertools.product(range(len(p)), repeat=2):
        k = _gaussian(pts[a], pts[b], sigmas)
        e += (p[a] * p[b] - 2 * p[a] * q[b] + q[a] * q[b]) * k
    return e


def test_kernel_matrix_is_the_gaussian_of_the_hamming_distance():
    for n, sigmas in ((1, 1.0), (3, [0.5, 2.0]), (4, (0.25, 1.0, 4.0))):
        k = gaussian_kernel_matrix(n, sigmas)
        for a, b in itertools.product(range(2**n), repeat=2):
            assert k[a, b] == pytest.approx(_gaussian(_bits(a, n), _bits(b, n), sigmas), abs=1e-14)
        assert np.all(np.linalg.eigvalsh(k) > 0)  # positive definite: MMD is a metric


@pytest.mark.parametrize("n", [1, 2, 3])
def test_mmd_squared_matches_the_three_expectations(n):
    rng = np.random.default_rng(n)
    p, q = rng.dirichlet(np.ones(2**n)), rng.dirichlet(np.ones(2**n))
    for sigmas in (0.7, [0.5, 1.0, 2.0]):
        assert mmd_squared(p, q, sigmas) == pytest.approx(
            _mmd_by_expectations(p, q, sigmas), abs=1e-13
        )
    assert mmd_squared(p, p) == 0.0


def test_mmd_bad_inputs():
    with pytest.raises(InputError, match="same length"):
        mmd_squared([1, 0], [1, 0, 0, 0])
    with pytest.raises(InputError, match="bandwidth"):
        mmd_squared([1, 0], [0, 1], bandwidth=0.0)
    with pytest.raises(InputError, match="bandwidth"):
        gaussian_kernel_matrix(2, bandwidth=[])


def _gaussian_samples(n=3, size=400, seed=0):
    x = np.arange(2**n)
    q = np.exp(-((x - (2**n - 1) / 2) ** 2) / (2 * 1.5**2))
    return np.random.default_rng(seed).choice(2**n, size=size, p=q / q.sum())


def test_the_default_circuit_distribution_is_the_born_rule_of_qiskit():
    bm = BornMachine(n_qubits=3, reps=2, maxiter=3, random_state=1).fit(_gaussian_samples())
    w = np.random.default_rng(2).normal(size=bm.weights_.size)
    bound = bm.circuit_.assign_parameters(dict(zip(bm.circuit_.parameters, w)))
    expected = Statevector(bound).probabilities()  # Qiskit order
    loss, _ = bm.loss_and_gradient(w)
    d = expected - bm.data_distribution_
    assert loss == pytest.approx(
        _mmd_by_expectations(expected, bm.data_distribution_, bm.bandwidth)
    )
    assert loss == pytest.approx(d @ bm.kernel_matrix_ @ d, abs=1e-12)


def test_exact_gradient_matches_finite_differences_and_parameter_shift():
    X = _gaussian_samples()
    bm = BornMachine(n_qubits=3, reps=2, maxiter=2, random_state=0).fit(X)
    rng = np.random.default_rng(5)
    for _ in range(3):
        w = rng.uniform(-np.pi, np.pi, bm.weights_.size)
        _, g = bm.loss_and_gradient(w)
        h = 1e-5
        fd = np.array(
            [
                (bm.loss_and_gradient(w + h * e)[0] - bm.loss_and_gradient(w - h * e)[0]) / (2 * h)
                for e in np.eye(w.size)
            ]
        )
        assert np.allclose(g, fd, atol=1e-8)
        # the parameter-shift form of the lesson: (p+ - p-)^T K (p - q)
        p = bm._exact(w)
        kd = bm.kernel_matrix_ @ (p - bm.data_distribution_)
        shift = [
            (bm._exact(w + np.pi / 2 * e) - bm._exact(w - np.pi / 2 * e)) @ kd
            for e in np.eye(w.size)
        ]
        assert np.allclose(g, shift, atol=1e-12)


def test_gradient_with_a_custom_ansatz_with_rx_and_rz():
    theta = ParameterVector("t", 5)
    qc = QuantumCircuit(2)
    qc.rx(theta[0], 0)
    qc.ry(theta[1], 1)
    qc.cx(0, 1)
    qc.rz(theta[2], 1)
    qc.rx(theta[3], 1)
    qc.ry(theta[4], 0)
    bm = BornMachine(ansatz=qc, maxiter=2, random_state=0).fit(["01", "10", "10"])
    w = np.array([0.3, -1.0, 0.8, 2.0, -0.4])
    _, g = bm.loss_and_gradient(w)
    fd = [
        (bm.loss_and_gradient(w + 1e-5 * e)[0] - bm.loss_and_gradient(w - 1e-5 * e)[0]) / 2e-5
        for e in np.eye(5)
    ]
    assert np.allclose(g, fd, atol=1e-8)


def test_fit_learns_a_discretised_gaussian():
    X = _gaussian_samples(size=2000)
    bm = BornMachine(n_qubits=3, reps=3, maxiter=200, random_state=0).fit(X)
    assert bm.mmd_ < 1e-6
    assert np.abs(bm.probabilities() - bm.data_distribution_).sum() < 0.01
    assert len(bm.loss_history_) == bm.n_iter_ == 200
    assert bm.loss_history_[-1] < bm.loss_history_[0] / 100


def test_sample_frequencies_follow_the_model():
    """Each of the 8 frequencies is within Hoeffding's bound: a correct sampler fails with
    probability below 8 * 2 exp(-2 n t^2) < 1e-6."""
    X = ["000"] * 6 + ["001"] * 3 + ["100"]  # asymmetric: reversed bits would differ by 0.2
    bm = BornMachine(reps=2, maxiter=200, random_state=0).fit(X)
    p = bm.probabilities()
    n = 20000
    t = math.sqrt(math.log(16 / 1e-6) / (2 * n))
    samples = bm.sample(n, seed=3)
    assert samples.shape == (n,) and set(len(s) for s in samples) == {3}
    freq = np.bincount([int(s, 2) for s in samples], minlength=8) / n
    assert np.all(np.abs(freq - p) < t)
    reversed_p = p[[int(format(k, "03b")[::-1], 2) for k in range(8)]]
    assert np.abs(reversed_p - p).max() > 2 * t  # the test would see bit-reversed sampling
    assert bm.sample(5, seed=1).tolist() == bm.sample(5, seed=1).tolist()


def test_shot_gradient_is_close_to_the_exact_one():
    """L1 deviation of a multinomial (Weissman et al. 2003): P(|p^-p|_1 >= e) <= 2^k exp(-N e^2/2).
    With |K| <= 1 entrywise, each gradient entry is off by at most 6 e; e is set so that all
    13 estimated distributions stay within it except with probability < 1e-6."""
    X = _gaussian_samples()
    bm = BornMachine(n_qubits=3, reps=1, maxiter=1, shots=10**6, random_state=0).fit(X)
    w = np.array([0.4, -1.2, 2.0, 0.3, 1.1, -0.7])
    _, exact = bm.loss_and_gradient(w)
    shots = 10**6
    eps = math.sqrt(2 * (8 * math.log(2) + math.log(13 / 1e-6)) / shots)
    _, estimate = bm._loss_and_grad_shots(w)
    assert np.all(np.abs(estimate - exact) < 6 * eps)
    assert np.abs(exact).max() > 12 * eps  # a factor-2 error in the estimate would fail


def test_training_with_shots_lowers_the_mmd():
    X = _gaussian_samples()
    bm = BornMachine(n_qubits=3, reps=2, maxiter=60, shots=4000, random_state=0).fit(X)
    start = BornMachine(n_qubits=3, reps=2, maxiter=1, random_state=0).fit(X)
    assert bm.mmd_ < start.loss_history_[0] / 10


def test_training_through_a_backend_sampler():
    bm = BornMachine(maxiter=3, shots=500, backend="ideal", reps=1, random_state=0).fit(["11"] * 4)
    assert len(bm.loss_history_) == 3 and bm.probabilities().shape == (4,)


def test_score_is_the_smoothed_mean_log_likelihood():
    bm = BornMachine(reps=1, maxiter=50, smoothing=0.01, random_state=0).fit(["00", "11", "11"])
    p = 0.99 * bm.probabilities() + 0.01 / 4
    X = ["00", "11", "01"]
    assert bm.score(X) == pytest.approx(np.mean(np.log(p[[0, 3, 1]])))
    assert np.allclose(bm.score_samples(X), np.log(p[[0, 3, 1]]))
    assert bm.score(np.array([[0, 1]])) == pytest.approx(np.log(p[1]))  # a row of bits: "01"
    assert np.isfinite(bm.score(["01"]))  # an unseen bitstring: finite thanks to smoothing


def test_inputs_in_every_form_give_the_same_data_distribution():
    forms = [
        ["011", "100", "011"],
        np.array([[0, 1, 1], [1, 0, 0], [0, 1, 1]]),  # rows read as bitstrings
        {"011": 2, "100": 1},
    ]
    for X in forms:
        bm = BornMachine(maxiter=1, random_state=0).fit(X)
        assert bm.n_qubits_ == 3
        assert np.allclose(bm.data_distribution_[[3, 4]], [2 / 3, 1 / 3])
    bm = BornMachine(n_qubits=3, maxiter=1, random_state=0).fit([3, 4, 3])
    assert np.allclose(bm.data_distribution_[[3, 4]], [2 / 3, 1 / 3])


def test_bad_inputs_raise_input_errors():
    bad = [
        ({}, [3, 1], "n_qubits"),
        ({}, ["01", "011"], "same length"),
        ({}, ["0a"], "0/1"),
        ({}, [], "at least one sample"),
        ({}, "0110", "single string"),
        ({}, [[0, 2]], "only 0 and 1"),
        ({"n_qubits": 2}, [4], "below 2\\*\\*n_qubits"),
        ({"n_qubits": 2}, ["011"], "n_qubits=2"),
        ({"shots": 0}, ["01"], "shots"),
        ({"bandwidth": -1}, ["01"], "bandwidth"),
        ({"ansatz": QuantumCircuit(3)}, ["01"], "2 qubits"),
        ({"n_qubits": 11}, [0], "from 1 to 10"),
    ]
    for kwargs, X, match in bad:
        with pytest.raises(InputError, match=match):
            BornMachine(maxiter=1, **kwargs).fit(X)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        BornMachine().sample(3)


def test_scikit_learn_conventions():
    params = list(inspect.signature(BornMachine.__init__).parameters.values())[1:]
    assert params and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    bm = BornMachine(reps=1, maxiter=20, random_state=3)
    assert "random_state" in bm.get_params() and not hasattr(bm, "weights_")
    a = bm.fit(["01", "10"])
    b = clone(bm).fit(["01", "10"])
    assert a is bm and np.array_equal(a.weights_, b.weights_)  # same seed, same model
    assert "Attributes:" in (BornMachine.__doc__ or "")
    losses = []
    BornMachine(maxiter=4, random_state=0, callback=lambda it, loss: losses.append((it, loss))).fit(
        ["1"]
    )
    assert [it for it, _ in losses] == [1, 2, 3, 4]
