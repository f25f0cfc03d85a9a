"""Lesson 09 checks: alternative correct answers pass, typical mistakes fail with hints."""

from collections import Counter

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, Pauli, SparsePauliOp, Statevector

from autograder import check
from autograder.checks.lesson09 import circles_split
from autograder.solutions import reference


def build_qnn(x, weights, *, chain="forward", entangle_first=False):
    """The course QNN, or a typical wrong variant of it, written independently here."""
    x = np.asarray(x, float)
    weights = np.asarray(weights, float)
    n = len(x)
    qc = QuantumCircuit(n)
    for i, xi in enumerate(x):
        qc.ry(xi, i)
    pairs = [(i, i + 1) for i in range(n - 1)]
    if chain == "reversed":
        pairs.reverse()
    for row in weights:
        if entangle_first:
            for c, t in pairs:
                qc.cx(c, t)
        for i, w in enumerate(row):
            qc.ry(w, i)
        if not entangle_first:
            for c, t in pairs:
                qc.cx(c, t)
    return qc


def z_on(qc, qubit):
    label = ["I"] * qc.num_qubits
    label[qc.num_qubits - 1 - qubit] = "Z"  # rightmost character = qubit 0
    return float(Statevector(qc).expectation_value(SparsePauliOp("".join(label))).real)


# --------------------------------------------------------------------------- 09.qnn_forward


def test_qnn_forward_alternatives():
    def with_pauli_and_sampler_free_probabilities(x, weights):
        qc = build_qnn(x, weights)
        probs = Statevector(qc).probabilities([qc.num_qubits - 1])  # marginal of qubit n-1
        return probs[0] - probs[1]

    def with_ry_as_u_gates_and_operator(x, weights):
        # RY(t) = U(t, 0, 0); the expectation as <psi|Z_{n-1}|psi> with a dense operator
        x = list(x)
        n = len(x)
        qc = QuantumCircuit(n)
        for i in range(n):
            qc.u(x[i], 0, 0, i)
        for row in weights:
            for i in range(n):
                qc.u(row[i], 0, 0, i)
            for i in range(n - 1):
                qc.cx(i, i + 1)
        psi = Statevector(qc).data
        z = Operator(Pauli("Z" + "I" * (n - 1))).data
        return np.real(np.vdot(psi, z @ psi))

    for fn in (with_pauli_and_sampler_free_probabilities, with_ry_as_u_gates_and_operator):
        r = check("09.qnn_forward", fn)
        assert r.passed, r.feedback


def test_qnn_forward_mistakes():
    cases = [
        (lambda x, w: z_on(build_qnn(x, w), 0), "measured qubit 0 instead of qubit n-1"),
        (lambda x, w: z_on(build_qnn(x, w, chain="reversed"), len(x) - 1), "reversed CX chain"),
        (
            lambda x, w: z_on(build_qnn(x, w, entangle_first=True), len(x) - 1),
            "entangling before the rotations",
        ),
        (
            lambda x, w: (1 - z_on(build_qnn(x, w), len(x) - 1)) / 2,
            "probability of measuring 1, not the expectation",
        ),
    ]
    for fn, hint in cases:
        r = check("09.qnn_forward", fn)
        assert not r.passed and hint in r.feedback, r.feedback


def test_qnn_forward_odd_output_is_a_clear_failure():
    r = check("09.qnn_forward", lambda x, w: Statevector(build_qnn(x, w)))
    assert r.score == 0 and r.error is None and "Expected a number" in r.feedback


# -------------------------------------------------------------------- 09.qnn_weight_gradient


def test_qnn_weight_gradient_alternatives():
    def shift_with_qiskit(x, weights):
        w = np.array(weights, float)
        grad = np.zeros_like(w)
        n = len(x)
        for l in range(w.shape[0]):
            for i in range(w.shape[1]):
                e = np.zeros_like(w)
                e[l, i] = np.pi / 2
                plus = z_on(build_qnn(x, w + e), n - 1)
                minus = z_on(build_qnn(x, w - e), n - 1)
                grad[l, i] = 0.5 * (plus - minus)
        return grad

    def general_shift_rule_as_lists(x, weights):
        # the general two-term rule with shift s: (f(w+s) - f(w-s)) / (2 sin s), exact for RY
        s = 0.8
        w = np.array(weights, float)
        out = []
        for l in range(w.shape[0]):
            row = []
            for i in range(w.shape[1]):
                d = np.zeros_like(w)
                d[l, i] = s
                f = [z_on(build_qnn(x, w + sign * d), len(x) - 1) for sign in (1, -1)]
                row.append((f[0] - f[1]) / (2 * np.sin(s)))
            out.append(row)
        return out

    for fn in (shift_with_qiskit, general_shift_rule_as_lists):
        r = check("09.qnn_weight_gradient", fn)
        assert r.passed, r.feedback


def _ref_grad(x, w):
    return reference("09.qnn_weight_gradient")(x, w)


def test_qnn_weight_gradient_mistakes():
    f = reference("09.qnn_forward")

    def forward_difference(x, weights):
        w = np.array(weights, float)
        grad = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            d = np.zeros_like(w)
            d[idx] = 1e-6
            grad[idx] = (f(x, w + d) - f(x, w)) / 1e-6
        return grad

    r = check("09.qnn_weight_gradient", forward_difference)
    assert r.score == 0 and "finite-difference" in r.feedback

    r = check("09.qnn_weight_gradient", lambda x, w: _ref_grad(x, w).T)
    assert not r.passed and "transposed" in r.feedback
    r = check("09.qnn_weight_gradient", lambda x, w: -_ref_grad(x, w))
    assert r.score == 0 and "wrong sign" in r.feedback
    r = check("09.qnn_weight_gradient", lambda x, w: 2 * _ref_grad(x, w))
    assert r.score == 0 and "divides by 2" in r.feedback


# -------------------------------------------------------------------------- 09.train_hybrid


def test_circles_split_is_fixed_and_raw():
    a, b = circles_split(), circles_split()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X_train, y_train, X_test, y_test = a
    assert Counter(y_test.tolist()) == {0: 50, 1: 50}
    assert X_train.min() < 0  # raw make_circles features, centred on the origin


@pytest.mark.slow
def test_train_hybrid_reference_and_alternative():
    from autograder.solutions.lesson09 import HybridModel

    r = check("09.train_hybrid", reference("09.train_hybrid"))
    assert r.passed, r.feedback

    def three_qubits(X, y):  # a wider QNN, other seed
        return HybridModel(n_qubits=3, layers=1, maxiter=300, seed=4).fit(X, y)

    r = check("09.train_hybrid", three_qubits)
    assert r.passed, r.feedback


def test_train_hybrid_mistakes():
    from sklearn.linear_model import LogisticRegression

    # a linear model cannot separate two concentric circles
    r = check("09.train_hybrid", lambda X, y: LogisticRegression().fit(X, y))
    assert r.score <= 3 and "test accuracy" in r.feedback

    def crashes(X, y):
        raise ValueError("shapes do not match")

    r = check("09.train_hybrid", crashes)
    assert r.score == 0 and "shapes do not match" in r.feedback
