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


# -------------------------------------------------------------------- alignment_gradient


def _alignment_terms(K: np.ndarray, dK: np.ndarray, T: np.ndarray) -> dict[str, np.ndarray]:
    """The exact gradient of A(K, T) and the values of the usual wrong derivations."""
    nk, nt = np.linalg.norm(K), np.linalg.norm(T)
    a = np.sum(K * T) / (nk * nt)
    first = np.einsum("pij,ij->p", dK, T) / (nk * nt)
    second = a * np.einsum("pij,ij->p", dK, K) / nk**2
    return {"exact": first - second, "first": first, "no_t_norm": (first - second) * nt}


def _alignment_hint(value: np.ndarray, K: np.ndarray, dK: np.ndarray, y: np.ndarray) -> str | None:
    T = np.where(y[:, None] == y[None, :], 1.0, -1.0)
    terms = _alignment_terms(K, dK, T)

    def near(other: np.ndarray) -> bool:
        return bool(np.allclose(value, other, rtol=1e-6, atol=1e-9))

    if near(-terms["exact"]):
        return "the sign is flipped: that is the gradient of the loss 1 − A; return dA/dθ itself"
    if near(terms["first"]):
        return (
            "‖K‖_F depends on θ too: differentiate the denominator as well (quotient rule), "
            "which subtracts A ⟨K, dK_k⟩_F / ‖K‖_F² from each component"
        )
    if near(terms["no_t_norm"]):
        return "missing the factor 1/‖T‖_F (= 1/n for n points) of the alignment"
    y = y.astype(float)
    for wrong in (np.outer(y, y), np.outer(2 * y - 1, 2 * y - 1)):
        if not np.allclose(wrong, T) and near(_alignment_terms(K, dK, wrong)["exact"]):
            return (
                "the target matrix is wrong for these labels: T[i, j] must be +1 when "
                "y_i == y_j and −1 otherwise (np.outer(y, y) is that only for labels ±1); build "
                "it by comparing the labels, np.where(y[:, None] == y[None, :], 1, -1)"
            )
    return None


def _psd(rng: np.random.Generator, n: int) -> np.ndarray:
    states = rng.normal(size=(n, 4)) + 1j * rng.normal(size=(n, 4))
    states /= np.linalg.norm(states, axis=1, keepdims=True)
    return np.abs(states.conj() @ states.T) ** 2


def _symmetric(rng: np.random.Generator, p: int, n: int) -> np.ndarray:
    d = rng.normal(scale=0.3, size=(p, n, n))
    d = d + np.transpose(d, (0, 2, 1))
    d[:, np.arange(n), np.arange(n)] = 0.0  # a fidelity kernel keeps its unit diagonal
    return d


def _trained_family(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """K(θ) of the product states ⊗_q RY(θ_q x_q)|0>: K_ij = Π_q cos²(θ_q (x_iq − x_jq)/2)."""
    diff = X[:, None, :] - X[None, :, :]
    return np.prod(np.cos(theta * diff / 2) ** 2, axis=-1)


def _trained_family_derivative(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    diff = X[:, None, :] - X[None, :, :]
    c2 = np.cos(theta * diff / 2) ** 2
    out = []
    for q in range(len(theta)):
        others = np.prod(np.delete(c2, q, axis=-1), axis=-1)
        d = -np.sin(theta[q] * diff[..., q]) * diff[..., q] / 2  # d/dθ cos²(θ δ/2)
        out.append(others * d)
    return np.array(out)


@exercise(
    "06.alignment_gradient",
    points=4,
    title="The gradient of kernel-target alignment",
    difficulty="medium",
    minutes=20,
    hints=[
        "A is a quotient, ⟨K, T⟩_F / (‖K‖_F ‖T‖_F), and both the numerator and ‖K‖_F depend "
        "on θ: use the quotient rule, with d‖K‖_F = ⟨K, dK⟩_F / ‖K‖_F.",
        "T[i, j] is +1 for equal labels and −1 otherwise, whatever the two label values are; "
        "‖T‖_F = n does not depend on θ.",
        "⟨A, B⟩_F is np.sum(A * B); for all p parameters at once, np.einsum('pij,ij->p', dK, T).",
    ],
)
def check_alignment_gradient(t: Tester) -> None:
    rng = np.random.default_rng(636)
    X4 = rng.uniform(0, np.pi, (8, 2))
    theta4 = np.array([0.8, 1.3])
    cases = [
        (
            "K = [[1, 0.5], [0.5, 1]], one parameter, labels [0, 1]",
            np.array([[1.0, 0.5], [0.5, 1.0]]),
            np.array([[[0.0, -1.0], [-1.0, 0.0]]]),
            np.array([0, 1]),
            False,
        ),
        (
            "a 6 x 6 fidelity kernel, 3 parameters, labels ±1",
            _psd(rng, 6),
            _symmetric(rng, 3, 6),
            np.array([1, -1, -1, 1, 1, -1]),
            False,
        ),
        (
            "a 7 x 7 fidelity kernel, 2 parameters, labels 0/1",
            _psd(rng, 7),
            _symmetric(rng, 2, 7),
            np.array([0, 0, 1, 1, 0, 1, 1]),
            True,
        ),
        (
            "the kernel of RY(θ_q x_q) on 2 qubits, 2 parameters, 8 points, labels 1/2",
            _trained_family(theta4, X4),
            _trained_family_derivative(theta4, X4),
            np.array([1, 2, 2, 1, 1, 2, 1, 2]),
            True,
        ),
    ]
    for text, K, dK, y, hidden in cases:
        with t.case(f"alignment_gradient({text})", points=1, hidden=hidden):
            T = np.where(y[:, None] == y[None, :], 1.0, -1.0)
            expected = _alignment_terms(K, dK, T)["exact"]
            value = t.call(K.copy(), dK.copy(), y.copy())
            if value is None:
                raise CheckFailed("Your function returned None. Did you forget `return`?")
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise CheckFailed(
                    f"Expected an array of {len(dK)} numbers, got {type(value).__name__} that is "
                    "not an array of numbers.",
                    hint="return one derivative per parameter: an array of shape (p,) for dK of shape (p, n, n)",
                ) from None
            if arr.size != len(dK):
                raise CheckFailed(
                    f"Expected one number per parameter ({len(dK)} of them), got an answer of "
                    f"shape {arr.shape}.",
                    hint="return one derivative per parameter: an array of shape (p,) for dK of shape (p, n, n)",
                )
            arr = cmp.as_array(arr.ravel(), shape=(len(dK),), what="gradient").real
            if np.allclose(arr, expected, rtol=1e-6, atol=1e-9):
                continue
            raise CheckFailed(
                "The gradient is not right.",
                expected=np.round(expected, 6),
                actual=np.round(arr, 6),
                hint=_alignment_hint(arr, K, dK, y),
            )


# ------------------------------------------------------------------ geometric_difference


def _sqrt_psd(K: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((K + K.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _gd(Kc: np.ndarray, Kq: np.ndarray, reg: float, root: Any = _sqrt_psd, norm: Any = 2) -> float:
    r = root(Kq)
    m = r @ np.linalg.inv(Kc + reg * np.eye(len(Kc))) @ r
    return float(np.sqrt(np.linalg.norm(m, norm)))


def _gd_hint(
    value: float, Kc: np.ndarray, Kq: np.ndarray, reg: float, defaulted: bool = False
) -> str | None:
    def near(other: float) -> bool:
        return bool(np.isclose(value, other, rtol=1e-6, atol=0))

    exact = _gd(Kc, Kq, reg)
    if near(exact**2):
        return "missing the outer square root: g is the square root of the spectral norm"
    if near(_gd(Kc, Kq, reg, root=lambda K: np.sqrt(np.clip(K, 0, None)))):
        return (
            "np.sqrt(K) takes the square root of every entry; √K_Q is the matrix square root "
            "(the matrix with the same eigenvectors and the square roots of the eigenvalues)"
        )
    if near(_gd(Kc, Kq, reg, norm="fro")):
        return "that is the Frobenius norm; ‖·‖_∞ here is the spectral norm, the largest singular value: np.linalg.norm(M, 2)"
    if near(_gd(Kc, Kq, reg, norm=np.inf)):
        return (
            "np.linalg.norm(M, np.inf) is the largest row sum; the ∞ in g's formula is the "
            "spectral norm (the largest eigenvalue of the PSD matrix): np.linalg.norm(M, 2)"
        )
    if near(_gd(Kq, Kc, reg)):
        return "the kernels are swapped: g(K_C ‖ K_Q) inverts the classical kernel and takes the root of the quantum one"
    if reg > 0 and near(_gd(Kc, Kq, 0.0)):
        if defaulted:
            return (
                "this is the value for reg = 0: reg must default to 1e-3 "
                "(def geometric_difference(K_classical, K_quantum, reg=1e-3)), and the inverse "
                "is of K_C + reg·I"
            )
        return "reg is not used: invert K_C + reg·I, not K_C itself"
    return None


def _rbf(X: np.ndarray, gamma: float) -> np.ndarray:
    return np.exp(-gamma * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))


@exercise(
    "06.geometric_difference",
    points=4,
    title="The geometric difference of two kernels",
    difficulty="medium",
    minutes=20,
    hints=[
        "Three matrix steps: the matrix square root of K_Q, the inverse of K_C + reg·I, "
        "then the largest eigenvalue of √K_Q (K_C + reg·I)⁻¹ √K_Q, and a final square root.",
        "The matrix square root of a PSD matrix: w, v = np.linalg.eigh(K); "
        "v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T (not np.sqrt(K), which works entry by entry).",
        "The norm is the spectral norm, np.linalg.norm(M, 2) (not np.inf, the largest row sum).",
    ],
)
def check_geometric_difference(t: Tester) -> None:
    rng = np.random.default_rng(646)
    X10 = rng.uniform(0, np.pi, (10, 2))
    X8 = rng.uniform(0, np.pi, (8, 3))
    X8[5] = X8[2]  # a repeated point: K_C is singular, only reg keeps the inverse finite
    cases: list[tuple[str, np.ndarray, np.ndarray, tuple, float, bool]] = [
        (
            "K_C = [[1, 1], [1, 1]], K_Q = I, reg=0.1",
            np.ones((2, 2)),
            np.eye(2),
            (0.1,),
            0.1,
            False,
        ),
        (
            "an RBF kernel against a fidelity kernel, 10 points, default reg",
            _rbf(X10, 0.5),
            _psd(rng, 10),
            (),
            1e-3,
            False,
        ),
        (
            "an RBF kernel (a repeated point: singular) against a fidelity kernel, 8 points, reg=0.05",
            _rbf(X8, 1.0),
            _psd(rng, 8),
            (0.05,),
            0.05,
            True,
        ),
    ]
    for (text, Kc, Kq, extra, reg, hidden), points in zip(cases, (1, 1.5, 1.5)):
        with t.case(f"geometric_difference({text})", points=points, hidden=hidden):
            expected = _gd(Kc, Kq, reg)
            try:
                value = t.call(Kc.copy(), Kq.copy(), *extra)
            except LearnerError as err:
                if err.kind != "exception" or not hidden:
                    raise
                raise CheckFailed(
                    f"For a singular K_C your function {err.message}",
                    hint="reg is not used: invert K_C + reg·I, not K_C itself",
                ) from None
            if value is None:
                raise CheckFailed("Your function returned None. Did you forget `return g`?")
            value = _real_number(
                value,
                "geometric difference",
                "the geometric difference is real: take the real part of the largest eigenvalue "
                "(scipy.linalg.sqrtm can leave tiny imaginary parts)",
            )
            if np.isclose(value, expected, rtol=1e-6, atol=0):
                continue
            raise CheckFailed(
                "The geometric difference is not right.",
                expected=round(expected, 6),
                actual=round(value, 6),
                hint=_gd_hint(value, Kc, Kq, reg, defaulted=not extra),
            )
