"""Lesson 10 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit.quantum_info import DensityMatrix, SparsePauliOp
from scipy.linalg import expm
from scipy.special import logsumexp, softmax

from autograder import check

# ------------------------------------------------------------------ boltzmann_distribution


def test_boltzmann_alternatives():
    def with_softmax(energies, beta):
        return softmax(-beta * np.asarray(energies))

    def with_logsumexp(energies, beta):
        logw = [-beta * e for e in energies]
        log_z = logsumexp(logw)
        return [float(np.exp(x - log_z)) for x in logw]  # a list, not an array

    for fn in (with_softmax, with_logsumexp):
        assert check("10.boltzmann_distribution", fn).passed


def test_boltzmann_mistakes():
    def naive(energies, beta):
        w = np.exp(-beta * np.asarray(energies, dtype=float))
        return w / w.sum()

    def plus_sign(energies, beta):
        return softmax(beta * np.asarray(energies))

    def unnormalised(energies, beta):
        e = np.asarray(energies, dtype=float)
        return np.exp(-beta * (e - e.min()))

    r = check("10.boltzmann_distribution", naive)
    assert not r.passed and r.score == 2.5 and "overflow" in r.feedback
    r = check("10.boltzmann_distribution", plus_sign)
    assert not r.passed and "missing minus sign" in r.feedback
    r = check("10.boltzmann_distribution", unnormalised)
    assert not r.passed and "not normalised" in r.feedback


# ------------------------------------------------------------------------- gibbs_state


def test_gibbs_alternatives():
    def with_expm(hamiltonian, beta):
        rho = expm(-beta * hamiltonian.to_matrix())
        return rho / np.trace(rho)

    def as_density_matrix(hamiltonian, beta):
        vals, vecs = np.linalg.eigh(hamiltonian.to_matrix())
        w = softmax(-beta * vals)
        return DensityMatrix(vecs @ np.diag(w) @ vecs.conj().T)

    for fn in (with_expm, as_density_matrix):
        assert check("10.gibbs_state", fn).passed


def test_gibbs_mistakes():
    def plus_sign(hamiltonian, beta):
        rho = expm(beta * hamiltonian.to_matrix())
        return rho / np.trace(rho)

    def elementwise(hamiltonian, beta):
        rho = np.exp(-beta * hamiltonian.to_matrix())
        return rho / np.trace(rho)

    def unnormalised(hamiltonian, beta):
        return expm(-beta * hamiltonian.to_matrix())

    def reversed_order(hamiltonian, beta):
        rho = expm(-beta * hamiltonian.to_matrix())
        n = hamiltonian.num_qubits
        perm = [int(format(i, f"0{n}b")[::-1], 2) for i in range(2**n)]
        return (rho / np.trace(rho))[np.ix_(perm, perm)]

    for fn, hint in (
        (plus_sign, "e^(+beta H)"),
        (elementwise, "elementwise exponential"),
        (unnormalised, "not normalised"),
        (reversed_order, "qubit order reversed"),
    ):
        r = check("10.gibbs_state", fn)
        assert not r.passed and hint in r.feedback, (fn.__name__, r.feedback)


# --------------------------------------------------------------------------- train_qbm


def _ops(n):
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    terms = [("Z", [i]) for i in range(n)] + [("ZZ", list(p)) for p in pairs]
    return [SparsePauliOp.from_sparse_list([(s, q, 1.0)], n).to_matrix() for s, q in terms]


def bound_gradient_qbm(target):
    """Amin et al.'s bound gradient on b and w with a fixed small transverse field."""
    target = np.asarray(target, dtype=float)
    n = int(np.log2(target.size))
    ops = _ops(n)
    field = sum(SparsePauliOp.from_sparse_list([("X", [i], 0.05)], n).to_matrix() for i in range(n))
    data = np.array([np.real(np.diag(o)) @ target for o in ops])
    theta = np.zeros(len(ops))
    for _ in range(300):
        vals, vecs = np.linalg.eigh(sum(t * o for t, o in zip(theta, ops)) + field)
        rho = (vecs * softmax(-vals)) @ vecs.conj().T
        model = np.array([np.real(np.trace(rho @ o)) for o in ops])
        theta -= 0.5 * (data - model)
    return np.real(np.diag(rho))


def classical_bm(target):
    """Gamma = 0 is allowed: an exact classical BM fitted by moment matching."""
    target = np.asarray(target, dtype=float)
    n = int(np.log2(target.size))
    diag = np.array([np.real(np.diag(o)) for o in _ops(n)])
    theta = np.zeros(len(diag))
    for _ in range(400):
        p = softmax(-theta @ diag)
        theta -= 0.7 * (diag @ target - diag @ p)
    return list(softmax(-theta @ diag))


def test_train_qbm_alternatives():
    for fn in (bound_gradient_qbm, classical_bm):
        r = check("10.train_qbm", fn)
        assert r.passed, r.feedback


def test_train_qbm_mistakes():
    def copies_target(target):
        return np.asarray(target)

    def reversed_order(target):
        p = np.asarray(classical_bm(target))
        n = int(np.log2(p.size))
        return p[[int(format(i, f"0{n}b")[::-1], 2) for i in range(p.size)]]

    def no_training(target):
        return np.full(len(target), 1 / len(target))

    def unnormalised(target):
        return 3 * np.asarray(classical_bm(target))

    r = check("10.train_qbm", copies_target)
    assert r.score == 4 and "not the target itself" in r.feedback
    r = check("10.train_qbm", reversed_order)
    assert not r.passed and "qubit order reversed" in r.feedback
    r = check("10.train_qbm", no_training)
    assert not r.passed and "stayed (nearly) uniform" in r.feedback
    r = check("10.train_qbm", unnormalised)
    assert r.score == 0 and "not normalised" in r.feedback


def test_odd_outputs_fail_cleanly():
    for ex_id, fn in (
        ("10.boltzmann_distribution", lambda e, b: {"p": 1}),
        ("10.boltzmann_distribution", lambda e, b: None),
        ("10.gibbs_state", lambda h, b: "rho"),
        ("10.gibbs_state", lambda h, b: np.eye(3)),
        ("10.train_qbm", lambda q: np.array(q) * (1 + 1j)),
        ("10.train_qbm", lambda q: [np.nan] * len(q)),
    ):
        r = check(ex_id, fn)
        assert r.score == 0 and r.error is None, (ex_id, r.feedback)


# ---------------------------------------------------------------------------- mmd_loss


def _kernel_by_popcount(n, bandwidth):
    sig = np.atleast_1d(bandwidth).astype(float)
    d = np.array([[bin(x ^ y).count("1") for y in range(2**n)] for x in range(2**n)])
    return sum(np.exp(-d / (2 * s * s)) for s in sig) / len(sig)


def test_mmd_loss_alternatives():
    def quadratic_form(p, q, bandwidth):
        n = len(p).bit_length() - 1
        d = np.asarray(p) - np.asarray(q)
        return float(d @ _kernel_by_popcount(n, bandwidth) @ d)

    def by_bitstrings(p, q, bandwidth):
        n = int(np.log2(len(p)))
        labels = [format(x, f"0{n}b") for x in range(len(p))]  # textbook order is fine here
        sig = [bandwidth] if np.isscalar(bandwidth) else list(bandwidth)

        def k(a, b):
            d = sum(c1 != c2 for c1, c2 in zip(a, b))
            return np.mean([np.exp(-d / (2 * s**2)) for s in sig])

        e = lambda u, v: sum(  # noqa: E731
            u[i] * v[j] * k(labels[i], labels[j]) for i in range(len(u)) for j in range(len(v))
        )
        return e(p, p) - 2 * e(p, q) + e(q, q)

    for fn in (quadratic_form, by_bitstrings):
        r = check("10.mmd_loss", fn)
        assert r.passed and r.score == 5, r.feedback


def test_mmd_loss_mistakes():
    def index_distance(p, q, bandwidth):
        sig = np.atleast_1d(bandwidth).astype(float)
        i = np.arange(len(p))
        d = (i[:, None] - i[None, :]) ** 2
        k = sum(np.exp(-d / (2 * s * s)) for s in sig) / len(sig)
        diff = np.asarray(p) - np.asarray(q)
        return float(diff @ k @ diff)

    def no_factor_two(p, q, bandwidth):
        k = _kernel_by_popcount(len(p).bit_length() - 1, bandwidth)
        p, q = np.asarray(p), np.asarray(q)
        return float(p @ k @ p - p @ k @ q + q @ k @ q)

    def square_root(p, q, bandwidth):
        d = np.asarray(p) - np.asarray(q)
        return float(np.sqrt(d @ _kernel_by_popcount(len(p).bit_length() - 1, bandwidth) @ d))

    for fn, hint in (
        (index_distance, "integer index distance"),
        (no_factor_two, "factor 2 of the cross term"),
        (square_root, "not its square"),
    ):
        r = check("10.mmd_loss", fn)
        assert not r.passed and hint in r.feedback, (fn.__name__, r.feedback)
    r = check("10.mmd_loss", lambda p, q, bandwidth: None)
    assert r.score == 0 and r.error is None and "Expected a number" in r.feedback


# ------------------------------------------------------------------ born_machine_gradient


def test_born_machine_gradient_alternatives():
    def chain_rule(circuit_probs, theta, target, bandwidth):
        theta = np.asarray(theta, dtype=float)
        p = np.asarray(circuit_probs(theta))
        dmmd_dp = 2 * _kernel_by_popcount(int(np.log2(p.size)), bandwidth) @ (p - target)
        grad = []
        for i in range(theta.size):
            shifted = theta.copy()
            shifted[i] += np.pi / 2
            p_plus = circuit_probs(shifted)
            shifted[i] -= np.pi
            p_minus = circuit_probs(shifted)
            grad.append(0.5 * (p_plus - p_minus) @ dmmd_dp)
        return grad  # a list

    def with_general_shift(circuit_probs, theta, target, bandwidth):
        # the shift rule with any s: dp = (p(θ+s) − p(θ−s)) / (2 sin s); here s = π/3
        s = np.pi / 3
        theta = np.array(theta, dtype=float)
        p = circuit_probs(theta)
        kd = _kernel_by_popcount(int(np.log2(len(p))), bandwidth) @ (p - target)
        rows = [
            (circuit_probs(theta + s * e) - circuit_probs(theta - s * e)) / (2 * np.sin(s))
            for e in np.eye(theta.size)
        ]
        return 2 * np.array(rows) @ kd

    for fn in (chain_rule, with_general_shift):
        r = check("10.born_machine_gradient", fn)
        assert r.passed and r.score == 5, r.feedback


def _shift_gradient(circuit_probs, theta, target, bandwidth, shift=np.pi / 2, factor=1.0):
    theta = np.asarray(theta, dtype=float)
    p = circuit_probs(theta)
    kd = _kernel_by_popcount(int(np.log2(len(p))), bandwidth) @ (p - target)
    return np.array(
        [
            factor * (circuit_probs(theta + shift * e) - circuit_probs(theta - shift * e)) @ kd
            for e in np.eye(theta.size)
        ]
    )


def test_born_machine_gradient_mistakes():
    def shift_pi(circuit_probs, theta, target, bandwidth):
        return _shift_gradient(circuit_probs, theta, target, bandwidth, shift=np.pi)

    def kept_the_two(circuit_probs, theta, target, bandwidth):
        return _shift_gradient(circuit_probs, theta, target, bandwidth, factor=2.0)

    def kept_the_half(circuit_probs, theta, target, bandwidth):
        return _shift_gradient(circuit_probs, theta, target, bandwidth, factor=0.5)

    def finite_difference(circuit_probs, theta, target, bandwidth):
        theta = np.asarray(theta, dtype=float)
        k = _kernel_by_popcount(int(np.log2(len(target))), bandwidth)

        def loss(t):
            d = circuit_probs(t) - target
            return d @ k @ d

        return [(loss(theta + 1e-4 * e) - loss(theta)) / 1e-4 for e in np.eye(theta.size)]

    for fn, hint in (
        (shift_pi, "shift of π instead of π/2"),
        (kept_the_two, "twice the gradient"),
        (kept_the_half, "half the gradient"),
        (finite_difference, "finite differences"),
    ):
        r = check("10.born_machine_gradient", fn)
        assert r.score == 0 and hint in r.feedback, (fn.__name__, r.feedback)


def test_born_machine_gradient_odd_outputs_fail_cleanly():
    for fn in (
        lambda f, t, q, b: None,
        lambda f, t, q, b: "grad",
        lambda f, t, q, b: [np.nan] * len(t),
        lambda f, t, q, b: f("not numbers"),
        lambda f, t, q, b: f([0.0]),
    ):
        r = check("10.born_machine_gradient", fn)
        assert r.score == 0 and r.error is None, r.feedback
