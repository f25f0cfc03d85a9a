"""Checks for lesson 06: quantum kernels and QSVM."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed, LearnerError

# ----------------------------------------------------------------------------- helpers


def _random_state(n: int, rng: np.random.Generator) -> np.ndarray:
    v = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return v / np.linalg.norm(v)


def _real_number(value: Any, what: str, complex_hint: str) -> float:
    if isinstance(value, (complex, np.complexfloating)) or (
        isinstance(value, np.ndarray) and np.iscomplexobj(value) and value.size == 1
    ):
        z = complex(np.asarray(value).reshape(()))
        if abs(z.imag) > 1e-9:
            raise CheckFailed(
                f"Expected a real number as the {what}, got the complex number {z:.4g}.",
                hint=complex_hint,
            )
        value = z.real
    return float(cmp.as_number(value, what=what))


# ----------------------------------------------------------------------- state fidelity


@exercise(
    "06.state_fidelity",
    points=3,
    title="Fidelity of two pure states",
    difficulty="easy",
    minutes=5,
    hints=[
        "For pure states the fidelity is |⟨a|b⟩|²; the inner product conjugates the first vector.",
        "`np.vdot(a, b)` conjugates its first argument for you. Take abs() squared and return "
        "a float.",
    ],
)
def check_state_fidelity(t: Tester) -> None:
    rng = np.random.default_rng(606)
    s = 1 / np.sqrt(2)
    v = _random_state(2, rng)
    cases = [
        ("|0>, |+>", np.array([1, 0]), np.array([s, s]), False),
        ("(|00> + |11>)/sqrt2, |00>", np.array([s, 0, 0, s]), np.array([1, 0, 0, 0]), False),
        ("|+i>, |-i> (orthogonal)", np.array([s, 1j * s]), np.array([s, -1j * s]), True),
        ("a state and itself times a global phase", v, np.exp(0.7j) * v, True),
        ("two random 3-qubit states", _random_state(3, rng), _random_state(3, rng), True),
        (
            "two random 2-qubit states as lists",
            _random_state(2, rng).tolist(),
            _random_state(2, rng).tolist(),
            True,
        ),
    ]
    for text, a, b, hidden in cases:
        with t.case(f"state_fidelity({text})", points=0.5, hidden=hidden):
            aa, bb = np.asarray(a, dtype=complex), np.asarray(b, dtype=complex)
            arg_a = a.copy() if isinstance(a, np.ndarray) else list(a)
            arg_b = b.copy() if isinstance(b, np.ndarray) else list(b)
            overlap = np.vdot(aa, bb)
            value = _real_number(
                t.call(arg_a, arg_b),
                "fidelity",
                "returned the overlap <a|b> itself: the fidelity is its squared magnitude, abs(np.vdot(a, b))**2",
            )
            expected = abs(overlap) ** 2
            if abs(value - expected) <= 1e-8:
                continue
            hint = None
            if abs(value - abs(overlap)) <= 1e-8:
                hint = "not squared: the fidelity is |<a|b>|**2, you returned |<a|b>|"
            elif abs(value - abs(np.dot(aa, bb)) ** 2) <= 1e-8:
                hint = "the bra is not conjugated: use np.vdot(a, b) (it conjugates a), not np.dot"
            elif abs(value - overlap.real) <= 1e-8 or abs(value - overlap.real**2) <= 1e-8:
                hint = "used only the real part of <a|b>: take the absolute value squared of the complex overlap"
            raise CheckFailed(
                "The fidelity is not right.", expected=expected, actual=value, hint=hint
            )


# ------------------------------------------------------------------------ kernel matrix


def _angle_map(x: Any) -> Any:
    """RY then RZ per feature: complex states, so conjugation mistakes show."""
    from qiskit import QuantumCircuit

    x = np.asarray(x, dtype=float)
    qc = QuantumCircuit(len(x))
    for i, v in enumerate(x):
        qc.ry(v, i)
        qc.rz(2 * v, i)
    if len(x) > 1:
        qc.cx(0, 1)
    return qc


def _zz_map(x: Any) -> Any:
    from qiskit.circuit.library import zz_feature_map

    x = np.asarray(x, dtype=float)
    return zz_feature_map(len(x), reps=2, entanglement="full").assign_parameters(x)


def _states(X: np.ndarray, feature_map: Any) -> np.ndarray:
    from qiskit.quantum_info import Statevector

    return np.array([Statevector(feature_map(x)).data for x in X])


@exercise(
    "06.kernel_matrix",
    points=4,
    time_limit=30,
    title="The fidelity-kernel Gram matrix",
    difficulty="medium",
    minutes=15,
    hints=[
        "K[i, j] = |⟨φ(x_i)|φ(y_j)⟩|². Compute the state of every data point once, then all "
        "the overlaps.",
        "`Statevector(feature_map(x)).data` is the state of one point; stack the states of X "
        "and of Y into two arrays.",
        "All overlaps at once are one matrix product of the conjugated X states with the "
        "transposed Y states; the result has shape (len(X), len(Y)).",
    ],
)
def check_kernel_matrix(t: Tester) -> None:
    rng = np.random.default_rng(616)
    x3 = rng.uniform(0, np.pi, (3, 2))
    cases = [
        (
            "X: 3 points, Y: 2 points, 2 features, RY-RZ-CX map",
            x3,
            rng.uniform(0, np.pi, (2, 2)),
            _angle_map,
            False,
        ),
        ("X = Y: 3 points, ZZ feature map (reps=2)", x3, x3.copy(), _zz_map, False),
        (
            "X: 4 points, Y: 5 points, 3 features, ZZ feature map",
            rng.uniform(0, 2 * np.pi, (4, 3)),
            rng.uniform(0, 2 * np.pi, (5, 3)),
            _zz_map,
            True,
        ),
        (
            "X: 1 point, Y: 6 points, 2 features",
            rng.uniform(0, np.pi, (1, 2)),
            rng.uniform(0, np.pi, (6, 2)),
            _angle_map,
            True,
        ),
    ]
    for text, X, Y, fmap, hidden in cases:
        with t.case(f"kernel_matrix({text})", points=1, hidden=hidden):
            sx, sy = _states(X, fmap), _states(Y, fmap)
            overlaps = sx.conj() @ sy.T
            expected = np.abs(overlaps) ** 2
            value = t.call(X.copy(), Y.copy(), fmap)
            if value is None:
                raise CheckFailed("Your function returned None. Did you forget `return K`?")
            try:
                arr = np.asarray(value)
            except Exception:
                raise CheckFailed(f"Expected a NumPy array, got {type(value).__name__}.") from None
            if arr.shape == expected.T.shape and arr.shape != expected.shape:
                raise CheckFailed(
                    f"The matrix has shape {arr.shape}; expected (len(X), len(Y)) = {expected.shape}.",
                    hint="transposed: K[i, j] is the kernel of X[i] and Y[j], rows for X, columns for Y",
                )
            arr = cmp.as_array(value, shape=expected.shape, what="kernel matrix")
            hint: str | None
            if np.max(np.abs(arr.imag)) > 1e-9:
                if np.allclose(arr, overlaps, atol=1e-7) or np.allclose(
                    arr, overlaps.conj(), atol=1e-7
                ):
                    hint = "returned the complex overlaps <phi(x)|phi(y)>: the kernel is their squared magnitude"
                else:
                    hint = "the fidelity kernel is real: |<phi(x)|phi(y)>|**2"
                raise CheckFailed("The kernel matrix has complex entries.", hint=hint)
            arr = arr.real
            if np.allclose(arr, expected, atol=1e-7):
                continue
            hint = None
            if np.allclose(arr, np.abs(overlaps), atol=1e-7):
                hint = "returned the amplitude overlap |<phi(x)|phi(y)>|, not squared: the kernel is |<phi(x)|phi(y)>|**2"
            elif arr.shape[0] == arr.shape[1] and np.allclose(arr.T, expected, atol=1e-7):
                hint = "transposed: K[i, j] is the kernel of X[i] and Y[j]"
            elif np.allclose(arr, np.abs(sx @ sy.T) ** 2, atol=1e-7):
                hint = "the bra is not conjugated: use np.vdot(a, b) (it conjugates a), not np.dot"
            raise CheckFailed(
                "The kernel matrix is not right.", expected=expected, actual=arr, hint=hint
            )


# ----------------------------------------------------------------------- is_valid_kernel


@exercise(
    "06.is_valid_kernel",
    points=3,
    title="Is it a valid kernel matrix?",
    difficulty="medium",
    minutes=15,
    hints=[
        "A valid kernel matrix is symmetric (Hermitian) and positive semidefinite.",
        "Check symmetry with `np.allclose(K, K.conj().T, atol=atol)`, then the smallest "
        "eigenvalue from `np.linalg.eigvalsh` must be at least −atol.",
        "A matrix that is not square (or not 2-D) is not a kernel matrix: return False, do "
        "not raise.",
    ],
)
def check_is_valid_kernel(t: Tester) -> None:
    rng = np.random.default_rng(626)
    states = np.array([_random_state(2, rng) for _ in range(5)])
    gram = np.abs(states.conj() @ states.T) ** 2
    nonsym = np.array([[1.0, 0.3], [0.1, 1.0]])  # eigvalsh (lower triangle) would say PSD
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    tiny_negative = q @ np.diag([1.0, 0.5, 0.0, -1e-10]) @ q.T
    tiny_negative = (tiny_negative + tiny_negative.T) / 2
    mid_negative = q @ np.diag([1.0, 0.5, 0.2, -1e-4]) @ q.T
    mid_negative = (mid_negative + mid_negative.T) / 2
    cases: list[tuple[str, Any, tuple, bool, bool, str | None]] = [
        ("the 3x3 identity", np.eye(3), (), True, False, None),
        (
            "[[1, 2], [2, 1]] (symmetric, eigenvalue -1)",
            np.array([[1.0, 2.0], [2.0, 1.0]]),
            (),
            False,
            False,
            "symmetric is not enough: a kernel matrix must also be positive semidefinite (all eigenvalues >= -atol)",
        ),
        ("a fidelity Gram matrix of 5 states", gram, (), True, True, None),
        (
            "[[1, 0.3], [0.1, 1]] (not symmetric) and non-square arrays",
            [nonsym, np.eye(2, 3), np.ones((3, 2)), np.ones(4)],
            (),
            False,
            True,
            "not symmetric, yet you said True: np.linalg.eigvalsh only reads one triangle, so check K == K.T (within atol) first",
        ),
        (
            "PSD up to an eigenvalue of -1e-10 (rounding)",
            tiny_negative,
            (),
            True,
            True,
            "too strict: rounding leaves eigenvalues like -1e-10; accept eigenvalues >= -atol",
        ),
        (
            "an eigenvalue of -1e-4 with atol=1e-3",
            mid_negative,
            (1e-3,),
            True,
            True,
            "use the atol argument: eigenvalues >= -atol count as zero",
        ),
    ]
    for text, Ks, extra, expected, hidden, hint in cases:
        with t.case(f"is_valid_kernel({text})", points=0.5, hidden=hidden):
            for K in Ks if isinstance(Ks, list) else [Ks]:
                square = K.ndim == 2 and K.shape[0] == K.shape[1]
                square_hint = (
                    "check the shape first and return False for an array that is not a "
                    "square matrix"
                )
                try:
                    value = t.call(K.copy(), *extra)
                except LearnerError as err:
                    if err.kind != "exception" or square:
                        raise
                    raise CheckFailed(
                        f"For an array of shape {K.shape} your function {err.message}",
                        hint=square_hint,
                    ) from None
                value = cmp.as_bool(
                    value, "answer", hint="return a bool, e.g. bool(symmetric and psd)"
                )
                if bool(value) != expected:
                    raise CheckFailed(
                        f"The answer for this {'matrix' if square else f'array of shape {K.shape}'} "
                        f"is {expected}, you returned {bool(value)}.",
                        expected=expected,
                        actual=bool(value),
                        hint=hint if square else square_hint,
                    )


# -------------------------------------------------------------------------- train_qsvm

# (seed, train points per class, test points per class): fixed, so the verdict cannot flip
_QSVM_DATA = [(2019, 20, 25), (606, 20, 25)]


def _accuracy(t: Tester, model: Any, X: np.ndarray, y: np.ndarray) -> float:
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise CheckFailed(
            f"The returned object ({type(model).__name__}) has no predict method.",
            hint="return the trained model itself (e.g. the fitted SVC), not its score or predictions",
        )
    try:
        pred = t.run(predict, X.copy())
    except LearnerError as err:
        if err.kind != "exception":
            raise
        raise CheckFailed(
            f"model.predict(X_test) {err.message}",
            hint="predict receives raw test points of shape (n, 2); with SVC(kernel='precomputed') "
            "compute the test-train kernel inside predict, or use SVC(kernel=your_kernel_function)",
        ) from None
    pred = np.asarray(pred)
    if pred.shape != y.shape:
        raise CheckFailed(
            f"model.predict returned shape {pred.shape}, expected {y.shape} (one label per test point).",
            hint="wrong shape",
        )
    try:
        labels = pred.astype(float)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"model.predict returned non-numeric labels such as {pred[0]!r}."
        ) from None
    if not set(np.unique(labels)) <= {0.0, 1.0}:
        raise CheckFailed(
            f"model.predict returned labels {sorted(set(np.unique(labels).tolist()))[:5]}, expected 0 and 1.",
            hint="labels must be 0/1 as in y_train (not -1/+1 or probabilities)",
        )
    return float(np.mean(labels == y))


@exercise(
    "06.train_qsvm",
    points=5,
    time_limit=60,
    title="Train a QSVM on the ad hoc dataset",
    difficulty="medium",
    minutes=15,
    hints=[
        "An SVM needs only kernel values: scikit-learn's `SVC` takes a callable kernel or "
        "`kernel='precomputed'`.",
        "The lesson's `FidelityKernel` of the ZZ feature map (reps=2) is such a callable: "
        "pass it as `SVC(kernel=...)`.",
        "Fit on the training data and return the fitted model; its predict() must work on "
        "new points.",
    ],
)
def check_train_qsvm(t: Tester) -> None:
    from qmlkit.datasets import ad_hoc

    for k, (seed, n_train, n_test) in enumerate(_QSVM_DATA):
        X_train, y_train, X_test, y_test = ad_hoc(
            train_size=n_train, test_size=n_test, n_features=2, gap=0.3, seed=seed
        )
        what = f"hidden ad hoc data set {k + 1} ({2 * n_train} training, {2 * n_test} test points)"
        with t.case(f"train_qsvm on {what}: test accuracy >= 0.90", points=2.5, hidden=True):
            model = t.call(X_train.copy(), y_train.copy())
            if model is None:
                raise CheckFailed("train_qsvm returned None. Did you forget `return model`?")
            acc = _accuracy(t, model, X_test, y_test)
            if acc >= 0.90:
                continue
            if acc <= 0.10:
                hint = "labels flipped: predict 1 where y_train has 1"
            elif acc < 0.70:
                hint = (
                    "hardly better than guessing: the ad hoc labels come from the ZZ feature map with "
                    "2 repetitions; use its fidelity kernel (and check that predict uses the training points)"
                )
            else:
                hint = "close: check the feature map (ZZ, reps=2, all pairs) and try a larger C"
            raise CheckFailed(
                f"Test accuracy {acc:.2f} is below 0.90.",
                expected=">= 0.90",
                actual=round(acc, 3),
                hint=hint,
            )
