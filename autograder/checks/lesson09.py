"""Checks for lesson 09: quantum neural networks and hybrid models.

The course QNN (docs/CURRICULUM.md, 09.qnn_forward) on n qubits with weights of shape (L, n):
RY(x[i]) on qubit i, then for each row l, RY(weights[l, i]) on every qubit i followed by
CX(0,1), CX(1,2), ..., CX(n-2, n-1); the output is <Z> of qubit n-1.

Expected values come from Qiskit (``Statevector`` and ``SparsePauliOp``); the typical wrong
circuits are built the same way so that a wrong answer can be matched to its mistake.

On ``09.train_hybrid``: the check grades ``predict`` on a hidden test set of
``make_circles(noise=0.1, factor=0.5)`` (raw features, not rescaled). That the model is a
classical layer feeding a quantum layer is the lesson's contract, not enforced here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed
from ._common import check_classifier

# ------------------------------------------------------------------------ the course QNN


def qnn_circuit(
    x: np.ndarray,
    weights: np.ndarray,
    *,
    chain: str = "forward",
    entangle_first: bool = False,
) -> Any:
    """The course QNN as a Qiskit circuit, or a typical wrong variant of it.

    Args:
        chain: "forward" (CX(0,1), ..., CX(n-2,n-1)), "reversed" (the same gates in the
            opposite order) or "swapped" (control and target exchanged).
        entangle_first: put each layer's CX chain before its rotations.
    """
    from qiskit import QuantumCircuit

    n = len(x)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(float(x[i]), i)
    pairs = [(i, i + 1) for i in range(n - 1)]
    if chain == "reversed":
        pairs = pairs[::-1]
    elif chain == "swapped":
        pairs = [(b, a) for a, b in pairs]
    for row in weights:
        if entangle_first:
            for a, b in pairs:
                qc.cx(a, b)
        for i in range(n):
            qc.ry(float(row[i]), i)
        if not entangle_first:
            for a, b in pairs:
                qc.cx(a, b)
    return qc


def z_expectation(qc: Any, qubit: int) -> float:
    """<Z> of one qubit (Qiskit order: the Pauli label's rightmost character is qubit 0)."""
    from qiskit.quantum_info import SparsePauliOp, Statevector

    n = qc.num_qubits
    label = "".join("Z" if q == qubit else "I" for q in reversed(range(n)))
    return float(np.real(Statevector(qc).expectation_value(SparsePauliOp(label))))


def qnn_expected(x: np.ndarray, weights: np.ndarray) -> float:
    return z_expectation(qnn_circuit(x, weights), len(x) - 1)


def _forward_mistake(value: float, x: np.ndarray, weights: np.ndarray) -> str | None:
    n = len(x)
    right = qnn_circuit(x, weights)
    expected = z_expectation(right, n - 1)
    p1 = (1 - expected) / 2
    candidates = [
        (
            z_expectation(right, 0),
            "measured qubit 0 instead of qubit n-1: in Qiskit's Pauli "
            "labels the RIGHTMOST character is qubit 0, so <Z_{n-1}> is 'Z' + 'I' * (n - 1)",
        ),
        (
            z_expectation(qnn_circuit(x, weights, chain="reversed"), n - 1),
            "reversed CX chain: apply CX(0,1) first, then CX(1,2), ..., CX(n-2,n-1) last",
        ),
        (
            z_expectation(qnn_circuit(x, weights, chain="swapped"), n - 1),
            "control and target swapped: CX(i, i+1) has control i and target i+1",
        ),
        (
            z_expectation(qnn_circuit(x, weights, entangle_first=True), n - 1),
            "entangling before the rotations: each layer is RY(weights[l, i]) on every qubit, "
            "THEN the CX chain",
        ),
        (
            z_expectation(qnn_circuit(x, weights[::-1]), n - 1),
            "layers in the wrong order: row l of weights is layer l, row 0 comes first",
        ),
        (
            z_expectation(qnn_circuit(x, weights.T), n - 1) if weights.shape[0] == n else np.nan,
            "weights transposed: weights[l, i] is the angle of qubit i in layer l",
        ),
        (p1, "returned the probability of measuring 1, not the expectation <Z> = P(0) - P(1)"),
        (1 - p1, "returned the probability of measuring 0, not the expectation <Z> = P(0) - P(1)"),
        (-expected, "wrong sign: <Z> = P(0) - P(1)"),
    ]
    for wrong, hint in candidates:
        if np.isclose(value, wrong, atol=1e-8) and not np.isclose(wrong, expected, atol=1e-8):
            return hint
    return None


def _qnn_inputs() -> list[tuple[str, np.ndarray, np.ndarray, bool]]:
    rng = np.random.default_rng(90901)
    return [
        (
            "qnn_forward([0.3, 1.2], [[0.5, -0.7]]) (the example)",
            np.array([0.3, 1.2]),
            np.array([[0.5, -0.7]]),
            False,
        ),
        (
            "3 qubits, 2 layers (lists as input)",
            np.array([0.1, 2.0, -0.8]),
            np.array([[0.4, 1.1, -0.3], [2.2, -1.5, 0.9]]),
            False,
        ),
        (
            "hidden: 4 qubits, 3 layers",
            rng.uniform(0, np.pi, 4),
            rng.uniform(-np.pi, np.pi, (3, 4)),
            True,
        ),
        (
            "hidden: 3 qubits, 3 layers",
            rng.uniform(0, np.pi, 3),
            rng.uniform(-np.pi, np.pi, (3, 3)),
            True,
        ),
        (
            "hidden: 1 qubit (no CX at all), 2 layers",
            rng.uniform(0, np.pi, 1),
            rng.uniform(-np.pi, np.pi, (2, 1)),
            True,
        ),
    ]


@exercise(
    "09.qnn_forward",
    points=5,
    title="The course QNN's output",
    difficulty="medium",
    minutes=20,
    hints=[
        "Build the circuit the lesson describes: RY(x_i) on qubit i, then for each row of "
        "`weights` an RY on every qubit and a CNOT chain CX(0, 1), CX(1, 2), …; the lesson's "
        "`qnn_circuit(x, weights)` does that.",
        "The output is ⟨Z⟩ of the last qubit, n − 1. In a Pauli string the last qubit is the "
        "leftmost character: `SparsePauliOp('Z' + 'I' * (n - 1))`.",
        "`Statevector(circuit).expectation_value(op)` is a complex number: return its real "
        "part as a float.",
    ],
)
def check_qnn_forward(t: Tester) -> None:
    for i, (description, x, weights, hidden) in enumerate(_qnn_inputs()):
        with t.case(description, points=1, hidden=hidden):
            args = (x.tolist(), weights.tolist()) if i == 1 else (x.copy(), weights.copy())
            value = cmp.as_number(t.call(*args), "<Z>")
            expected = qnn_expected(x, weights)
            if not np.isclose(value, expected, atol=1e-8):
                raise CheckFailed(
                    "<Z> of qubit n-1 is not right.",
                    expected=expected,
                    actual=value,
                    hint=_forward_mistake(value, x, weights),
                )


# ---------------------------------------------------------------- 09.qnn_weight_gradient


def qnn_gradient_expected(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """d<Z_{n-1}>/d weights by the parameter-shift rule, each value from Qiskit."""
    grad = np.zeros(weights.shape)
    for idx in np.ndindex(weights.shape):
        plus, minus = weights.astype(float), weights.astype(float)
        plus[idx] += np.pi / 2
        minus[idx] -= np.pi / 2
        grad[idx] = (qnn_expected(x, plus) - qnn_expected(x, minus)) / 2
    return grad


GRAD_ATOL = 1e-8


def _x_gradient(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """d<Z_{n-1}>/dx: each x[i] enters once, as RY(x[i]), so the shift rule is exact."""
    grad = np.zeros(len(x))
    for i in range(len(x)):
        plus, minus = x.astype(float), x.astype(float)
        plus[i] += np.pi / 2
        minus[i] -= np.pi / 2
        grad[i] = (qnn_expected(plus, weights) - qnn_expected(minus, weights)) / 2
    return grad


def _gradient_mistake(actual: np.ndarray, expected: np.ndarray) -> str | None:
    if actual.shape == expected.shape:
        err = float(np.max(np.abs(actual - expected)))
        if np.allclose(actual, -expected, atol=GRAD_ATOL):
            return "wrong sign: the parameter-shift rule is (f(w + pi/2) - f(w - pi/2)) / 2"
        if np.allclose(actual, 2 * expected, atol=GRAD_ATOL):
            return "twice the gradient: the parameter-shift rule divides by 2"
        if np.allclose(actual, -expected / 2, atol=GRAD_ATOL):
            return "this is the gradient of P(1) = (1 - <Z>)/2, not of <Z>"
        if expected.shape[0] == expected.shape[1] and np.allclose(
            actual, expected.T, atol=GRAD_ATOL
        ):
            return "transposed: entry [l, i] is the derivative by weights[l, i] (layer l, qubit i)"
        if err < 1e-3:
            return (
                f"close but not exact (largest error {err:.1e}): this looks like a finite-"
                "difference estimate; the parameter-shift rule gives the exact gradient"
            )
        return None
    if actual.shape == expected.shape[::-1] and np.allclose(actual, expected.T, atol=GRAD_ATOL):
        return "transposed: return shape (L, n), entry [l, i] is the derivative by weights[l, i]"
    return None


@exercise(
    "09.qnn_weight_gradient",
    points=4,
    time_limit=20,
    title="The exact weight gradient of the QNN",
    difficulty="medium",
    minutes=20,
    hints=[
        "Every weight enters exactly one RY gate, so the parameter-shift rule with shifts of "
        "±π/2 is exact for each of them.",
        "Loop over `np.ndindex(weights.shape)`: shift one weight up and down, call your "
        "`qnn_forward`, and take half the difference.",
        "Return an array of the shape of `weights`, (L, n); shift copies, not the weights "
        "themselves.",
    ],
)
def check_qnn_weight_gradient(t: Tester) -> None:
    rng = np.random.default_rng(90902)
    cases = [
        (
            "qnn_weight_gradient([0.3, 1.2], [[0.5, -0.7]]) (the example)",
            np.array([0.3, 1.2]),
            np.array([[0.5, -0.7]]),
            False,
        ),
        (
            "3 qubits, 2 layers",
            np.array([0.1, 2.0, -0.8]),
            np.array([[0.4, 1.1, -0.3], [2.2, -1.5, 0.9]]),
            False,
        ),
        (
            "hidden: 2 qubits, 2 layers (square weights, an integer array)",
            rng.uniform(0, np.pi, 2),
            # whole-number weights come as an integer array: a shifted copy must not truncate
            np.rint(rng.uniform(-np.pi, np.pi, (2, 2))).astype(int),
            True,
        ),
        (
            "hidden: 4 qubits, 3 layers",
            rng.uniform(0, np.pi, 4),
            rng.uniform(-np.pi, np.pi, (3, 4)),
            True,
        ),
    ]
    for description, x, weights, hidden in cases:
        with t.case(description, points=1, hidden=hidden):
            expected = qnn_gradient_expected(x, weights)
            raw = t.call(x.copy(), weights.copy())
            actual = cmp.as_array(raw, what="gradient", dtype=float)
            if actual.shape != expected.shape:
                hint = _gradient_mistake(actual, expected)
                if hint is None and actual.size == expected.size:
                    if np.allclose(actual.reshape(expected.shape), expected, atol=GRAD_ATOL):
                        hint = (
                            "right values, wrong shape: return them shaped like weights, "
                            "e.g. np.reshape(grad, weights.shape)"
                        )
                        if actual.shape == (len(x),):  # one layer: d/dx_i = d/dw_i as well
                            hint += (
                                " (with one layer these are also the derivatives by x: make "
                                "sure you differentiate by weights)"
                            )
                if hint is None and actual.shape == (len(x),):
                    if np.allclose(actual, _x_gradient(x, weights), atol=GRAD_ATOL):
                        hint = (
                            "this is the gradient with respect to x (the same numbers as the "
                            "first layer's, weights[0], since RY(x_i) and RY(w_0i) add up): "
                            "return one derivative per entry of weights, shape (L, n)"
                        )
                raise CheckFailed(
                    f"The gradient has shape {actual.shape}; expected {expected.shape}, the "
                    "shape of weights.",
                    hint=hint or "wrong shape: one derivative per entry of weights",
                )
            if not np.allclose(actual, expected, atol=GRAD_ATOL, rtol=0):
                raise CheckFailed(
                    f"The gradient is not exact (tolerance {GRAD_ATOL:g}).",
                    expected=expected,
                    actual=actual,
                    hint=_gradient_mistake(actual, expected),
                )


# ------------------------------------------------------------------------ 09.train_hybrid

CIRCLES_SEED = 9
CIRCLES_SAMPLES = 300
CIRCLES_TEST = 100


def circles_split(
    seed: int = CIRCLES_SEED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checker's data: make_circles(300, noise=0.1, factor=0.5) with raw features,
    split 200 training / 100 test points, stratified, all from ``seed``.

    >>> X_train, y_train, X_test, y_test = circles_split()
    >>> X_train.shape, X_test.shape, sorted(set(y_train.tolist()))
    ((200, 2), (100, 2), [0, 1])
    """
    from sklearn.datasets import make_circles
    from sklearn.model_selection import train_test_split

    X, y = make_circles(n_samples=CIRCLES_SAMPLES, noise=0.1, factor=0.5, random_state=seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=CIRCLES_TEST, stratify=y, random_state=seed
    )
    return X_train, y_train, X_test, y_test


@exercise(
    "09.train_hybrid",
    points=6,
    time_limit=120,
    title="Train a hybrid model",
    difficulty="medium",
    minutes=20,
    hints=[
        "The lesson's `QNNClassifier` is a complete hybrid model (a classical layer, the QNN "
        "and a logistic output); fitting it is the short way.",
        "A small circuit (2 qubits, 2 layers) and a gradient-based optimiser such as "
        "L-BFGS-B train fast with the exact gradients.",
        "Fix `random_state`, keep maxiter modest, and look at the accuracy on held-out data "
        "before you rely on the model.",
    ],
)
def check_train_hybrid(t: Tester) -> None:
    X_train, y_train, X_test, y_test = circles_split()
    check_classifier(t, X_train, y_train, X_test, y_test, "two-circles")
