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
