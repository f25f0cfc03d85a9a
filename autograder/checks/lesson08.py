"""Checks for lesson 08: the variational quantum classifier.

Expected values are computed here from the definitions (NumPy), never by calling the
reference solution. ``08.train_vqc`` trains the learner's model on a two-moons training set
built from a FIXED seed and scores ``model.predict`` on held-out points, so a verdict never
flips between runs of the same code.

On ``08.train_vqc``: the lesson asks for a variational circuit classifier with ``predict``;
the check can only measure behaviour (docs/CURRICULUM.md says so), so it grades the test
accuracy and the shape and values of the predictions. That the model is quantum is the
lesson's honour rule, not something this check enforces (a classical model would also pass).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed, LearnerError
from ._common import check_classifier

# --------------------------------------------------------------------- 08.parity_probability


def _clean_key(key: str) -> str:
    return key.replace(" ", "")


def _odd_probability(counts: Mapping[str, int]) -> float:
    total = sum(counts.values())
    odd = sum(v for k, v in counts.items() if _clean_key(k).count("1") % 2 == 1)
    return odd / total


def _parity_mistake(value: float, counts: Mapping[str, int]) -> str | None:
    """Name the likely mistake behind a wrong parity probability."""
    total = sum(counts.values())
    expected = _odd_probability(counts)
    keys = {_clean_key(k): v for k, v in counts.items()}
    rightmost = sum(v for k, v in keys.items() if k[-1] == "1") / total
    leftmost = sum(v for k, v in keys.items() if k[0] == "1") / total
    checks = [
        (
            1 - expected,
            "returned the probability of EVEN parity: class 1 is odd parity "
            "(an odd number of 1s in the bitstring)",
        ),
        (
            expected * total,
            "not normalised: divide the odd-parity counts by the total number of shots",
        ),
        ((1 - expected) * total, "not normalised, and even instead of odd parity"),
        (rightmost, "counted the 1 in only the last bit (qubit 0): the parity uses every bit"),
        (leftmost, "counted the 1 in only the first bit: the parity uses every bit"),
    ]
    for wrong, hint in checks:
        if np.isclose(value, wrong, atol=1e-9) and not np.isclose(wrong, expected, atol=1e-9):
            return hint
    return None


def _random_counts(rng: np.random.Generator, n_bits: int, shots: int, spaces: tuple = ()) -> dict:
    probs = rng.dirichlet(np.ones(2**n_bits))
    draws = rng.multinomial(shots, probs)
    counts = {}
    for idx, c in enumerate(draws):
        if c == 0:
            continue
        key = format(idx, f"0{n_bits}b")
        for pos in sorted(spaces, reverse=True):
            key = key[:pos] + " " + key[pos:]
        counts[key] = int(c)
    return counts


_PARITY_CASES: list[tuple[str, dict, bool]] = [
    (
        "{'00': 40, '01': 10, '10': 30, '11': 20} (the example)",
        {"00": 40, "01": 10, "10": 30, "11": 20},
        False,
    ),
    (
        "3-bit counts of 1000 shots",
        {"000": 310, "011": 190, "101": 120, "110": 80, "001": 150, "111": 150},
        False,
    ),
]


@exercise(
    "08.parity_probability",
    points=4,
    title="Probability of odd parity",
    difficulty="easy",
    minutes=10,
    hints=[
        "Odd parity means an odd number of 1s in the measured bitstring.",
        "Keys can have spaces between classical registers: remove them before counting 1s.",
        "Add up the counts of the odd-parity outcomes and divide by the total number of shots.",
    ],
)
def check_parity_probability(t: Tester) -> None:
    rng = np.random.default_rng(80801)
    cases = list(_PARITY_CASES)
    cases.append(
        ("hidden 4-bit counts with an odd number of shots", _random_counts(rng, 4, 777), True)
    )
    cases.append(
        (
            "hidden 2-register counts with spaces in the keys, e.g. '01 1'",
            _random_counts(rng, 3, 2048, spaces=(2,)),
            True,
        )
    )
    for description, counts, hidden in cases:
        with t.case(description, points=1, hidden=hidden):
            spaced = any(" " in k for k in counts)
            try:
                value = t.call(dict(counts))
            except LearnerError as err:
                if spaced and err.kind == "exception":
                    raise CheckFailed(
                        f"Your function {err.message}",
                        hint="keys with spaces between registers ('01 1'): remove the spaces "
                        "first, key.replace(' ', '')",
                    ) from None
                raise
            value = cmp.as_number(value, "probability")
            expected = _odd_probability(counts)
            if np.isclose(value, expected, atol=1e-9):
                continue
            hint = _parity_mistake(value, counts)
            if hint is None and spaced:
                hint = "keys with spaces between registers ('01 1'): remove the spaces first"
            raise CheckFailed(
                "The probability of odd parity is not right.",
                expected=expected,
                actual=value,
                hint=hint,
            )


# ------------------------------------------------------------------------ 08.cross_entropy


def _bce(p: np.ndarray, y: np.ndarray, log: Any = np.log, eps: float = 1e-12) -> float:
    p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * log(p) + (1 - y) * log(1 - p)))


def _bce_mistake(value: float, p: np.ndarray, y: np.ndarray) -> str | None:
    expected = _bce(p, y)
    n = len(p)
    checks = [
        (expected * n, "summed instead of averaged: divide by the number of points (np.mean)"),
        (_bce(p, y, np.log2), "log base 2 instead of the natural log: use np.log"),
        (_bce(p, y, np.log10), "log base 10 instead of the natural log: use np.log"),
        (
            _bce(1 - p, y),
            "swapped p and 1 - p: p1 is the probability of class 1, so a label 1 costs -log(p1)",
        ),
        (-expected, "wrong sign: the cross-entropy is -mean(y log p + (1 - y) log(1 - p)) >= 0"),
    ]
    for eps in _LARGE_EPSILONS:
        clipped, added = _bce(p, y, eps=eps), _bce_added(p, y, eps)
        if np.isclose(clipped, added, rtol=1e-4, atol=1e-6):
            # e.g. p = 0 for a label 1: clipping to eps and adding eps give the same loss
            checks.append(
                (
                    clipped,
                    f"epsilon {eps:g} is too large: clipping p to [{eps:g}, 1 - {eps:g}] or "
                    f"adding {eps:g} inside the logarithm changes the loss; clip with 1e-12",
                )
            )
            continue
        checks.append((clipped, f"clipping with epsilon {eps:g} is too coarse: clip with 1e-12"))
        checks.append(
            (
                added,
                f"adding {eps:g} inside the logarithm changes the loss: clip p to "
                "[1e-12, 1 - 1e-12] instead",
            )
        )
    for wrong, hint in checks:
        if np.isclose(value, wrong, rtol=1e-4, atol=1e-6) and not np.isclose(wrong, expected):
            return hint
    return None


#: epsilons learners use that are large enough to change the loss visibly
_LARGE_EPSILONS = (0.2, 0.1, 0.05, 0.01, 1e-3, 1e-4)


def _bce_added(p: np.ndarray, y: np.ndarray, eps: float) -> float:
    p = np.asarray(p, dtype=float)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))


_NAN_HINT = (
    "NaN or inf at p = 0 or 1: log(0) is -inf and 0 * log(0) is NaN; clip first, "
    "p = np.clip(p1, 1e-12, 1 - 1e-12)"
)


def _finite_loss(t: Tester, p1: Any, y: Any, expected: float | None = None) -> float:
    value = t.call(p1, y)
    if value is None or isinstance(value, (str, bytes, bool, dict)):
        return cmp.as_number(value, "loss")  # raises with a clear message
    try:
        arr = np.asarray(value)
    except Exception:
        return cmp.as_number(value, "loss")
    if arr.dtype.kind not in "biufc":
        return cmp.as_number(value, "loss")
    if arr.size != 1:
        raise CheckFailed(
            f"Expected one number (the mean loss), got {arr.size} numbers.",
            hint="return the mean over the points, not the loss of every point",
        )
    number = complex(arr.reshape(()))
    if abs(number.imag) > 1e-12:
        return cmp.as_number(value, "loss")
    if not np.isfinite(number.real):
        raise CheckFailed(
            f"The loss is {number.real}; it must be a finite number.",
            expected=expected,
            actual=number.real,
            hint=_NAN_HINT,
        )
    return float(number.real)


@exercise(
    "08.cross_entropy",
    points=5,
    title="Binary cross-entropy that never returns nan",
    difficulty="medium",
    minutes=15,
    hints=[
        "The mean over samples of −[y log p + (1 − y) log(1 − p)], with the natural log.",
        "log(0) is −inf: clip p into [ε, 1 − ε] (e.g. ε = 1e-12) before the logs, so that a "
        "confident wrong prediction gives a large finite loss, never nan.",
        "Work with NumPy arrays (`np.asarray(..., dtype=float)`) and return a Python float.",
    ],
)
def check_cross_entropy(t: Tester) -> None:
    rng = np.random.default_rng(80802)
    p_hidden = rng.uniform(0.02, 0.98, 50)
    y_hidden = rng.integers(0, 2, 50)
    cases: list[tuple[str, Any, Any, bool]] = [
        (
            "cross_entropy([0.9, 0.2, 0.6], [1, 0, 1]) (the example, lists)",
            [0.9, 0.2, 0.6],
            [1, 0, 1],
            False,
        ),
        ("hidden: 50 random predictions as NumPy arrays", p_hidden, y_hidden, True),
        ("hidden: one label only, cross_entropy([0.3], [0])", np.array([0.3]), np.array([0]), True),
    ]
    for description, p1, y, hidden in cases:
        with t.case(description, points=1, hidden=hidden):
            args = (list(p1), list(y)) if isinstance(p1, list) else (p1.copy(), y.copy())
            expected = _bce(np.asarray(p1), np.asarray(y))
            value = _finite_loss(t, args[0], args[1], expected=expected)
            if not np.isclose(value, expected, rtol=1e-6, atol=1e-9):
                raise CheckFailed(
                    "The mean binary cross-entropy is not right.",
                    expected=expected,
                    actual=value,
                    hint=_bce_mistake(value, np.asarray(p1, float), np.asarray(y, float)),
                )
    with t.case(
        "safe at p = 0 and 1 when they are right: cross_entropy([1.0, 0.0, 0.7], [1, 0, 1])",
        points=1,
    ):
        expected = -np.log(0.7) / 3
        value = _finite_loss(t, np.array([1.0, 0.0, 0.7]), np.array([1, 0, 1]), expected)
        if not np.isclose(value, expected, atol=1e-5):
            raise CheckFailed(
                "Confident right answers (p = 1 for label 1, p = 0 for label 0) cost (almost) "
                "nothing, so the loss should be -log(0.7)/3.",
                expected=expected,
                actual=value,
                hint=_bce_mistake(value, np.array([1.0, 0.0, 0.7]), np.array([1.0, 0.0, 1.0])),
            )
    with t.case(
        "safe at p = 0 and 1 when they are wrong: cross_entropy([0.0, 1.0], [1, 0])",
        points=1,
        hidden=True,
    ):
        value = _finite_loss(t, np.array([0.0, 1.0]), np.array([1, 0]))
        if value < np.log(100):
            raise CheckFailed(
                "A confidently wrong prediction (p = 0 for a label 1) must cost a lot: the "
                "loss should be large (about 27.6 with clipping at 1e-12) but finite.",
                actual=value,
                hint=_bce_mistake(value, np.array([0.0, 1.0]), np.array([1.0, 0.0])),
            )


# ----------------------------------------------------------------------------- 08.train_vqc

MOONS_SEED = 8
MOONS_SAMPLES = 300
MOONS_TEST = 100


def moons_split(seed: int = MOONS_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The checker's two-moons data: make_moons(300, noise=0.1) scaled to [0, pi] per
    feature, split 200 training / 100 test points, stratified, all from ``seed``.

    >>> X_train, y_train, X_test, y_test = moons_split()
    >>> X_train.shape, X_test.shape, float(X_train.min()) >= 0, float(X_train.max()) <= np.pi
    ((200, 2), (100, 2), True, True)
    """
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler

    X, y = make_moons(n_samples=MOONS_SAMPLES, noise=0.1, random_state=seed)
    X = MinMaxScaler(feature_range=(0, np.pi)).fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=MOONS_TEST, stratify=y, random_state=seed
    )
    return X_train, y_train, X_test, y_test


@exercise(
    "08.train_vqc",
    points=6,
    time_limit=120,
    title="Train a variational classifier",
    difficulty="medium",
    minutes=20,
    hints=[
        "The task asks for a fitted variational classifier with predict(); the lesson's "
        "`VQC` class is the short way.",
        "Two moons are not linearly separable: use several layers (reps) or data "
        "re-uploading, and the parity read-out, as in the lesson.",
        "Fix `random_state` so that training is reproducible, and keep maxiter modest so "
        "that the check ends within its time limit.",
    ],
)
def check_train_vqc(t: Tester) -> None:
    X_train, y_train, X_test, y_test = moons_split()
    check_classifier(t, X_train, y_train, X_test, y_test, "two-moons")


# ------------------------------------------------------------------- 08.class_probabilities


def _class_probs(counts: Mapping[str, int], k: int, key_value: Any = None) -> np.ndarray:
    """P(class c) with class = (integer value of the bitstring) mod k, qubit 0 rightmost."""
    key_value = key_value or (lambda key: int(key, 2))
    out = np.zeros(k)
    for key, n in counts.items():
        out[key_value(_clean_key(key)) % k] += n
    return out / sum(counts.values())


def _class_probs_mistake(value: np.ndarray, counts: Mapping[str, int], k: int) -> str | None:
    expected = _class_probs(counts, k)
    total = sum(counts.values())
    checks = [
        (
            _class_probs(counts, k, lambda key: int(key[::-1], 2)),
            "bit order reversed: qubit 0 is the RIGHTMOST character of a key, so the class "
            "is int(key, 2) % n_classes, not int(key[::-1], 2) % n_classes",
        ),
        (
            _class_probs(counts, k, lambda key: key.count("1")),
            "used the number of 1s (the Hamming weight) mod n_classes: this read-out uses "
            "the integer value of the bitstring, int(key, 2) % n_classes",
        ),
        (expected * total, "not normalised: divide the counts of each class by the total shots"),
    ]
    for wrong, hint in checks:
        if wrong.shape == value.shape and np.allclose(value, wrong, atol=1e-9):
            if not np.allclose(wrong, expected, atol=1e-9):
                return hint
    return None


_CLASS_CASES: list[tuple[str, dict, int, bool]] = [
    (
        "class_probabilities({'00': 50, '01': 20, '10': 20, '11': 10}, 3) (the example)",
        {"00": 50, "01": 20, "10": 20, "11": 10},
        3,
        False,
    ),
    (
        "3-bit counts, 4 classes (a class without counts still gets its 0)",
        {"000": 12, "100": 30, "010": 25, "110": 33},
        4,
        False,
    ),
]


@exercise(
    "08.class_probabilities",
    points=5,
    title="A multi-output read-out for several classes",
    difficulty="easy",
    minutes=15,
    hints=[
        "Turn every key into an integer with int(key, 2): the rightmost character is qubit 0, "
        "as Qiskit prints them. Its class is that integer modulo n_classes.",
        "Add the counts of each class into an array of length n_classes (classes without any "
        "count keep 0), then divide by the total number of shots.",
        "Keys can have spaces between classical registers: remove them first.",
    ],
)
def check_class_probabilities(t: Tester) -> None:
    rng = np.random.default_rng(80804)
    cases = list(_CLASS_CASES)
    cases.append(("hidden 4-bit counts, 3 classes", _random_counts(rng, 4, 999), 3, True))
    cases.append(
        (
            "hidden 3-bit counts of two registers ('01 1'), 5 classes",
            _random_counts(rng, 3, 500, spaces=(2,)),
            5,
            True,
        )
    )
    for description, counts, k, hidden in cases:
        with t.case(description, points=1.25, hidden=hidden):
            spaced = any(" " in key for key in counts)
            try:
                raw = t.call(dict(counts), k)
            except LearnerError as err:
                if spaced and err.kind == "exception":
                    raise CheckFailed(
                        f"Your function {err.message}",
                        hint="keys with spaces between registers ('01 1'): remove the spaces "
                        "first, key.replace(' ', '')",
                    ) from None
                raise
            if isinstance(raw, Mapping):
                raise CheckFailed(
                    "Expected an array of n_classes probabilities, got a dict.",
                    hint="return one number per class, in class order: "
                    "np.array([P(class 0), ..., P(class n_classes - 1)])",
                )
            value = cmp.as_array(raw, what="class probabilities", dtype=float).ravel()
            expected = _class_probs(counts, k)
            if value.shape != expected.shape:
                raise CheckFailed(
                    f"Expected {k} probabilities (one per class), got {value.size}.",
                    expected=expected,
                    actual=value,
                    hint="one entry per class, also for classes that no key falls into",
                )
            if np.allclose(value, expected, atol=1e-9):
                continue
            hint = _class_probs_mistake(value, counts, k)
            if hint is None and spaced:
                hint = "keys with spaces between registers ('01 1'): remove the spaces first"
            raise CheckFailed(
                "The class probabilities are not right.",
                expected=expected,
                actual=value,
                hint=hint,
            )


# ------------------------------------------------------------------ 08.train_only_pipeline


def _standardise_pca(fit: np.ndarray, n_components: int, standardise: bool = True):
    """(centre, scale, components): standardisation and PCA learnt from ``fit`` alone."""
    centre = fit.mean(axis=0)
    scale = fit.std(axis=0) if standardise else np.ones(fit.shape[1])
    z = (fit - centre) / scale
    values, vectors = np.linalg.eigh(np.cov(z, rowvar=False))
    order = np.argsort(values)[::-1][:n_components]
    return centre, scale, vectors[:, order]


def _angle_pipeline(
    X_train: np.ndarray,
    X_test: np.ndarray,
    n_components: int,
    fit_on: str = "train",
    standardise: bool = True,
    top: float = np.pi,
    minmax: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Standardise, PCA, min-max to [0, top], learnt from the training split (``fit_on``:
    "train", "all" for train and test together, "each" for every split on its own)."""

    def learn(fit: np.ndarray):
        centre, scale, comps = _standardise_pca(fit, n_components, standardise)
        proj = ((fit - centre) / scale) @ comps
        return centre, scale, comps, proj.min(axis=0), proj.max(axis=0)

    def apply(X: np.ndarray, params) -> np.ndarray:
        centre, scale, comps, lo, hi = params
        proj = ((X - centre) / scale) @ comps
        return top * (proj - lo) / (hi - lo) if minmax else proj

    if fit_on == "each":
        return apply(X_train, learn(X_train)), apply(X_test, learn(X_test))
    params = learn(np.vstack([X_train, X_test]) if fit_on == "all" else X_train)
    return apply(X_train, params), apply(X_test, params)


def _same_up_to_flips(actual: tuple, expected: tuple, top: float = np.pi) -> bool:
    """Equal, where each component may be mirrored (x -> top - x) in both splits at once:
    the sign of a principal component is arbitrary, and min-max turns -z into top - z."""
    a_train, a_test = actual
    e_train, e_test = expected
    if a_train.shape != e_train.shape or a_test.shape != e_test.shape:
        return False
    for j in range(e_train.shape[1]):
        same = np.allclose(a_train[:, j], e_train[:, j], atol=1e-6) and np.allclose(
            a_test[:, j], e_test[:, j], atol=1e-6
        )
        mirrored = np.allclose(a_train[:, j], top - e_train[:, j], atol=1e-6) and np.allclose(
            a_test[:, j], top - e_test[:, j], atol=1e-6
        )
        if not (same or mirrored):
            return False
    return True


def _pipeline_mistake(actual: tuple, X_train: np.ndarray, X_test: np.ndarray, k: int) -> str | None:
    expected = _angle_pipeline(X_train, X_test, k)
    mistakes: list[tuple[dict[str, Any], str]] = [
        (
            {"fit_on": "all"},
            "fitted on the training and the test points together: information from the test "
            "split leaks into the model. Fit every step on X_train only, then transform X_test",
        ),
        (
            {"fit_on": "each"},
            "fitted the test split on its own (fit_transform on X_test): the test points must "
            "go through the steps learnt on X_train, with transform only",
        ),
        (
            {"standardise": False},
            "no standardisation before the PCA: features with large units (such as proline, "
            "in the hundreds) then decide the components alone; use StandardScaler first",
        ),
        ({"top": 1.0}, "scaled to [0, 1]: the angles must span [0, pi] on the training split"),
        (
            {"minmax": False},
            "the last step is missing: scale each component to [0, pi] with "
            "MinMaxScaler(feature_range=(0, np.pi)), fitted on the training split",
        ),
    ]
    for kwargs, hint in mistakes:
        wrong = _angle_pipeline(X_train, X_test, k, **kwargs)
        top = kwargs.get("top", np.pi)
        if kwargs.get("minmax") is False:
            if _same_up_to_signs(actual, wrong):
                return hint
            continue
        if kwargs.get("fit_on") == "each":  # two fits: each split has its own signs
            same = all(
                _same_up_to_flips((a, a), (w, w)) for a, w in zip(actual, wrong, strict=True)
            )
        else:
            same = _same_up_to_flips(actual, wrong, top)
        if same and not _same_up_to_flips(wrong, expected):
            return hint
    return None


def _same_up_to_signs(actual: tuple, expected: tuple) -> bool:
    """Equal up to the sign of each component (no min-max step, so signs show)."""
    for a, e in zip(actual, expected):
        if a.shape != e.shape:
            return False
    for j in range(expected[0].shape[1]):
        if not any(
            np.allclose(actual[0][:, j], s * expected[0][:, j], atol=1e-6)
            and np.allclose(actual[1][:, j], s * expected[1][:, j], atol=1e-6)
            for s in (1.0, -1.0)
        ):
            return False
    return True


def wine_split(seed: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The lesson's wine data: 70 % training, 30 % test, stratified, from ``seed``.

    >>> X_train, X_test, y_train, y_test = wine_split()
    >>> X_train.shape, X_test.shape
    ((124, 13), (54, 13))
    """
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    return X_train, X_test, y_train, y_test


def _shifted_split(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hidden data whose test split comes from a shifted, rescaled distribution, so that
    anything learnt from the test points changes the result visibly."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(6, 6)) * np.array([1.0, 3.0, 0.5, 10.0, 2.0, 100.0])
    X_train = rng.normal(size=(40, 6)) * np.array([3.0, 2.0, 1.5, 1.0, 0.7, 0.4]) @ mixing
    X_test = (rng.normal(size=(17, 6)) + 1.5) * np.array([3.0, 2.0, 1.5, 1.0, 0.7, 0.4]) @ mixing
    return X_train, X_test


def _train_only_case(t: Tester, X_train: np.ndarray, X_test: np.ndarray, k: int) -> None:
    raw = t.call(X_train.copy(), X_test.copy(), k)
    if not isinstance(raw, (tuple, list)) or len(raw) != 2:
        raise CheckFailed(
            f"Expected a pair (Z_train, Z_test), got {type(raw).__name__}.",
            hint="return both transformed splits: return Z_train, Z_test",
        )
    shapes = ((len(X_train), k), (len(X_test), k))
    actual = tuple(
        cmp.as_array(part, what=name, dtype=float) for part, name in zip(raw, ("Z_train", "Z_test"))
    )
    if tuple(a.shape for a in actual) == shapes[::-1]:
        raise CheckFailed(
            f"Expected shapes {shapes[0]} and {shapes[1]}, got "
            f"{actual[0].shape} and {actual[1].shape}.",
            hint="Z_train and Z_test swapped: return the training split first, "
            "return Z_train, Z_test",
        )
    if tuple(a.shape for a in actual) != shapes:
        raise CheckFailed(
            f"Expected shapes {shapes[0]} and {shapes[1]}, got "
            f"{actual[0].shape} and {actual[1].shape}.",
            hint=f"keep n_components = {k} principal components, one row per point",
        )
    expected = _angle_pipeline(X_train, X_test, k)
    if _same_up_to_flips(actual, expected):
        return
    raise CheckFailed(
        "The transformed data differ from standardise -> PCA -> scale to [0, pi], each step "
        "fitted on X_train only (first rows of Z_test shown).",
        expected=expected[1][:3],
        actual=actual[1][:3],
        hint=_pipeline_mistake(actual, X_train, X_test, k),
    )


@exercise(
    "08.train_only_pipeline",
    points=5,
    title="Preprocessing that learns from the training split only",
    difficulty="medium",
    minutes=20,
    hints=[
        "The three steps are scikit-learn transformers: a scaler to zero mean and unit "
        "variance, PCA, and a scaler whose feature_range is (0, pi). make_pipeline chains "
        "them, so one fit learns all three.",
        "Call fit (or fit_transform) on X_train only; X_test goes through transform, never fit.",
        "Return both arrays, Z_train and Z_test, each with n_components columns.",
    ],
)
def check_train_only_pipeline(t: Tester) -> None:
    X_train, X_test, _, _ = wine_split()
    with t.case("train_only_pipeline(X_train, X_test, 2) on the lesson's wine split", points=2):
        _train_only_case(t, X_train, X_test, 2)
    X_train, X_test = _shifted_split(80805)
    with t.case(
        "hidden: 6 features, 4 components, a test split from a shifted distribution",
        points=2,
        hidden=True,
    ):
        _train_only_case(t, X_train, X_test, 4)
    X_train, X_test = _shifted_split(80806)
    with t.case(
        "hidden: 6 features, 3 components, 25 training points, another shifted test split",
        hidden=True,
    ):
        _train_only_case(t, X_train[:25], X_test, 3)
