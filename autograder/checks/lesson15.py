"""Checks for lesson 15: what quantum machine learning can and cannot do.

Expected values are computed here from the definitions (NumPy), never by calling the
reference solution. Hidden inputs come from fixed seeds. Qubit order is Qiskit's: in a
Pauli label such as ``"XIZ"`` qubit 0 is the RIGHTMOST letter, while a snapshot's
``bases[q]`` and ``outcomes[q]`` belong to qubit ``q`` (list index = qubit number).

* ``15.shadow_estimate`` is a deterministic function of the snapshots, so it is compared
  with the estimator's formula to 1e-9 on given snapshot lists. Two further cases draw
  snapshots of hidden states here and ask that the estimate lies within the two-sided
  Hoeffding tolerance for delta = 1e-7 of the state's exact expectation: every
  single-snapshot estimate lies in [-3^w, 3^w], so a correct answer fails such a case with
  probability below 1e-7 (the seeds are fixed, so a verdict never flips between runs).
* ``15.shadow_sample_bound`` is the smallest N with 2 M exp(-N eps^2 / (2 * 9^w)) <= delta.
* ``15.fourier_surrogate`` (fit on ``(X, f)``, evaluate at ``X_new``) is judged by agreement with hidden re-uploading models, whose
  outputs are simulated here (a small NumPy statevector simulator): such a model with L
  re-uploads of RY(x_i) is a trigonometric polynomial of degree L in every x_i, so a
  least-squares fit of the full degree-``degree`` basis (degree >= L) reproduces it to
  rounding error on new inputs. Diagnoses compare the answer with fits of the usual wrong
  bases (no mixed frequencies, cosines only, ...), which are computed here too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

# ----------------------------------------------------------------------- 15.shadow_estimate

_BASIS_CHANGE = {
    # U with U P U^dagger = Z: measuring Z after U measures P
    "X": np.array([[1, 1], [1, -1]]) / np.sqrt(2),
    "Y": np.array([[1, -1j], [1, 1j]]) / np.sqrt(2),
    "Z": np.eye(2),
}
_PAULI = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]]),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1.0, -1.0]),
}


def _shadow_formula(
    bases: np.ndarray,
    outcomes: np.ndarray,
    pauli: str,
    factor: float = 3.0,
    reverse: bool = False,
) -> float:
    """(1/N) sum_i prod_{q: P_q != I} factor * [b_iq == P_q] * s_iq, P_q = pauli[-1 - q]."""
    n = bases.shape[1]
    letters = pauli if reverse else pauli[::-1]  # letters[q] is the Pauli on qubit q
    terms = np.ones(len(bases))
    for q in range(n):
        p = letters[q]
        if p == "I":
            continue
        terms = terms * factor * (bases[:, q] == p) * outcomes[:, q]
    return float(np.mean(terms))


def _matching(bases: np.ndarray, pauli: str) -> np.ndarray:
    letters = pauli[::-1]
    ok = np.ones(len(bases), dtype=bool)
    for q, p in enumerate(letters):
        if p != "I":
            ok &= bases[:, q] == p
    return ok


def _shadow_mistake(
    value: float, bases: np.ndarray, outcomes: np.ndarray, pauli: str
) -> str | None:
    """Name the likely mistake behind a wrong shadow estimate."""
    expected = _shadow_formula(bases, outcomes, pauli)
    n_snap, n = bases.shape
    w = sum(p != "I" for p in pauli)
    match = _matching(bases, pauli)
    m = int(match.sum())
    plain_sum = expected * n_snap
    candidates: list[tuple[float, str]] = [
        (
            _shadow_formula(bases, outcomes, pauli, factor=1.0),
            "forgot the factor 3 per non-identity qubit: each matching qubit contributes "
            "3 * outcome, so the estimate is 3^w times the plain average",
        ),
        (
            _shadow_formula(bases, outcomes, pauli, reverse=True),
            "qubit order reversed: in a Pauli label qubit 0 is the RIGHTMOST letter, so "
            "qubit q has the letter pauli[-1 - q] (or pauli[::-1][q])",
        ),
        (
            plain_sum,
            "summed over the snapshots without dividing by N: the estimate is the mean over "
            "all N snapshots",
        ),
        (
            _shadow_formula(bases, outcomes, pauli, factor=3.0) * 3.0 ** (n - w),
            "used the factor 3 for every qubit (3^n): only the qubits where the Pauli is not "
            "I get a factor 3",
        ),
    ]
    if "I" in pauli:
        candidates.append(
            (
                0.0,
                "an I letter puts no condition on its qubit: skip the qubits where the Pauli "
                "is I (they contribute a factor 1), whatever basis they were measured in",
            )
        )
    if m > 0:
        candidates.append(
            (
                plain_sum / m,
                "divided by the number of matching snapshots, not by N: the snapshots whose "
                "bases do not match count as 0 and stay in the mean",
            )
        )
        candidates.append(
            (
                plain_sum / m / 3.0**w,
                "averaged only the snapshots whose bases match the Pauli (without the 3^w "
                "factor): a fair estimator too, but not the classical-shadow estimate, which "
                "averages 3^w * outcome over all N snapshots (non-matching ones count as 0)",
            )
        )
    for wrong, hint in candidates:
        if np.isclose(value, wrong, rtol=1e-9, atol=1e-9) and not np.isclose(
            wrong, expected, rtol=1e-9, atol=1e-9
        ):
            return hint
    return None


def _random_snapshots(
    rng: np.random.Generator, n: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    bases = rng.choice(np.array(["X", "Y", "Z"]), size=(count, n))
    outcomes = rng.choice(np.array([1, -1]), size=(count, n))
    return bases, outcomes


def _state_snapshots(
    rng: np.random.Generator, state: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random-Pauli-basis snapshots of a pure state (Qiskit order), drawn exactly."""
    n = int(np.log2(len(state)))
    letters = np.array(["X", "Y", "Z"])
    bases = rng.choice(letters, size=(count, n))
    outcomes = np.empty((count, n), dtype=int)
    tensor = state.reshape([2] * n)  # axis k is qubit n - 1 - k
    for combo in itertools.product("XYZ", repeat=n):
        rows = np.flatnonzero(np.all(bases == np.array(combo), axis=1))
        if rows.size == 0:
            continue
        psi = tensor
        for q, b in enumerate(combo):
            psi = np.moveaxis(
                np.tensordot(_BASIS_CHANGE[b], psi, axes=([1], [n - 1 - q])), 0, n - 1 - q
            )
        probs = np.abs(psi.reshape(-1)) ** 2
        draws = rng.choice(2**n, size=rows.size, p=probs / probs.sum())
        for q in range(n):
            outcomes[rows, q] = 1 - 2 * ((draws >> q) & 1)
    return bases, outcomes


def _pauli_expectation(state: np.ndarray, pauli: str) -> float:
    op = np.array([[1.0]])
    for p in pauli:  # leftmost letter = highest qubit = leftmost Kronecker factor
        op = np.kron(op, _PAULI[p])
    return float(np.real(np.vdot(state, op @ state)))


def _hoeffding_tolerance(weight: int, count: int, delta: float) -> float:
    """eps with 2 exp(-count eps^2 / (2 * 9^w)) = delta."""
    return math.sqrt(2 * 9.0**weight * math.log(2 / delta) / count)


def _as_snapshots(bases: np.ndarray, outcomes: np.ndarray, style: str) -> list:
    if style == "tuples":
        return [
            (tuple(str(b) for b in bs), tuple(int(s) for s in ss))
            for bs, ss in zip(bases, outcomes)
        ]
    if style == "lists":
        return [[[str(b) for b in bs], [int(s) for s in ss]] for bs, ss in zip(bases, outcomes)]
    return [(list(map(str, bs)), np.array(ss, dtype=int)) for bs, ss in zip(bases, outcomes)]


#: the example of the lesson: 2 qubits, six snapshots
EXAMPLE_SNAPSHOTS = [
    (("X", "Z"), (1, 1)),
    (("X", "Z"), (-1, 1)),
    (("Z", "Z"), (1, -1)),
    (("X", "Y"), (1, 1)),
    (("Y", "Z"), (1, 1)),
    (("X", "Z"), (1, 1)),
]


def _hidden_state(seed: int, angles: Sequence[tuple[float, float]]) -> np.ndarray:
    """A product state with Bloch angles ``angles[q] = (theta, phi)`` for qubit q, plus a
    small random entangled part: its low-weight Pauli expectations are large and differ
    from those of the reversed label, so a missing factor 3 or a reversed label fails."""
    rng = np.random.default_rng(seed)
    state = np.array([1.0 + 0j])
    for theta, phi in angles:  # qubit q ends up as the q-th factor from the right
        one = np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)])
        state = np.kron(one, state)
    noise = rng.normal(size=len(state)) + 1j * rng.normal(size=len(state))
    state = state + 0.1 * noise / np.linalg.norm(noise)
    return state / np.linalg.norm(state)


#: (description, seed, Bloch angles of qubits 0, 1, 2, Pauli) of the hidden-state cases
_STATE_CASES = [
    (
        "hidden 3-qubit state, 20000 snapshots, pauli 'IXZ'",
        152,
        [(0.3, 0.0), (1.4, 0.1), (2.7, 0.0)],
        "IXZ",
    ),
    (
        "hidden 3-qubit state, 20000 snapshots, pauli 'IIY'",
        153,
        [(1.3, 1.5), (0.9, 0.0), (1.6, -1.5)],
        "IIY",
    ),
]


@exercise(
    "15.shadow_estimate",
    points=6,
    time_limit=30,  # 40000 snapshots in all: a plain Python loop needs well under a second
    title="A classical-shadow estimate of a Pauli expectation",
    difficulty="medium",
    minutes=20,
    hints=[
        "Go snapshot by snapshot. A snapshot contributes 0 unless, on every qubit where the "
        "Pauli is not I, the measured basis is that Pauli's letter.",
        "A matching snapshot contributes the product over those qubits of 3 * outcome; the "
        "estimate is the sum of contributions divided by N, the number of ALL snapshots.",
        "bases[q] and outcomes[q] belong to qubit q, but the Pauli label is in Qiskit order: "
        "qubit q has the letter pauli[-1 - q].",
    ],
)
def check_shadow_estimate(t: Tester) -> None:
    rng = np.random.default_rng(151501)
    exact_cases: list[tuple[str, np.ndarray, np.ndarray, str, str, bool]] = []
    ex_b = np.array([list(b) for b, _ in EXAMPLE_SNAPSHOTS])
    ex_s = np.array([list(s) for _, s in EXAMPLE_SNAPSHOTS])
    exact_cases.append(
        (
            "the lesson's six snapshots (tuples), pauli 'ZX'",
            ex_b,
            ex_s,
            "ZX",
            "tuples",
            False,
        )
    )
    b3, s3 = _random_snapshots(rng, 3, 400)
    exact_cases.append(
        ("hidden: 400 snapshots of 3 qubits, pauli 'XIZ'", b3, s3, "XIZ", "tuples", True)
    )
    b4, s4 = _random_snapshots(rng, 4, 1500)
    exact_cases.append(
        (
            "hidden: 1500 snapshots of 4 qubits as lists and NumPy arrays, pauli 'YZIX'",
            b4,
            s4,
            "YZIX",
            "arrays",
            True,
        )
    )
    exact_cases.append(
        (
            "hidden: the identity 'III' (its expectation is 1), snapshots as lists",
            b3,
            s3,
            "III",
            "lists",
            True,
        )
    )
    for description, bases, outcomes, pauli, style, hidden in exact_cases:
        with t.case(description, points=1, hidden=hidden):
            value = cmp.as_number(t.call(_as_snapshots(bases, outcomes, style), pauli), "estimate")
            expected = _shadow_formula(bases, outcomes, pauli)
            if not np.isclose(value, expected, rtol=1e-9, atol=1e-9):
                raise CheckFailed(
                    f"The classical-shadow estimate of <{pauli}> is not right.",
                    expected=expected,
                    actual=value,
                    hint=_shadow_mistake(value, bases, outcomes, pauli),
                )
    for description, seed, angles, pauli in _STATE_CASES:
        state = _hidden_state(seed, angles)
        state_rng = np.random.default_rng(seed + 1000)
        bases, outcomes = _state_snapshots(state_rng, state, 20000)
        truth = _pauli_expectation(state, pauli)
        weight = sum(p != "I" for p in pauli)
        tol = _hoeffding_tolerance(weight, len(bases), 1e-7)
        with t.case(
            f"{description}: within {tol:.3f} of the exact expectation (Hoeffding, delta = 1e-7)",
            points=1,
            hidden=True,
        ):
            value = cmp.as_number(
                t.call(_as_snapshots(bases, outcomes, "tuples"), pauli), "estimate"
            )
            if abs(value - truth) > tol:
                raise CheckFailed(
                    f"The estimate of <{pauli}> is {value:.4f}, but the state's exact value is "
                    f"{truth:.4f}; a correct estimate from 20000 snapshots is within {tol:.3f} "
                    "except with probability 1e-7.",
                    actual=value,
                    hint=_shadow_mistake(value, bases, outcomes, pauli),
                )


# -------------------------------------------------------------------- 15.shadow_sample_bound


def _bound_raw(weight: int, epsilon: float, delta: float, m: int) -> float:
    return 2 * 9.0**weight * math.log(2 * m / delta) / epsilon**2


def _bound_mistake(actual: int, weight: int, epsilon: float, delta: float, m: int) -> str | None:
    expected = math.ceil(_bound_raw(weight, epsilon, delta, m))
    log = math.log(2 * m / delta)
    cands = [
        (
            math.floor(_bound_raw(weight, epsilon, delta, m)),
            "rounded down: the smallest N is math.ceil(...)",
        ),
        (
            math.ceil(2 * 9.0**weight * math.log(2 / delta) / epsilon**2),
            "no union bound over the observables: each of the M estimates may fail with "
            "probability delta / M, so the log is ln(2M / delta)",
        ),
        (
            math.ceil(2 * 9.0**weight * math.log(m / delta) / epsilon**2),
            "one-sided bound: the two-sided Hoeffding bound has a factor 2, ln(2M / delta)",
        ),
        (
            math.ceil(2 * 3.0**weight * log / epsilon**2),
            "3^w instead of 9^w: the snapshot estimates range over [-3^w, 3^w], and Hoeffding's "
            "bound has the SQUARE of that range",
        ),
        (
            math.ceil(2 * log / epsilon**2),
            "the shadow factor is missing: single snapshots are not +-1 but +-3^w (or 0)",
        ),
        (
            math.ceil(log / (2 * epsilon**2)),
            "this is the bound for outcomes in [0, 1] (lesson 04); a snapshot estimate ranges "
            "over [-3^w, 3^w]",
        ),
        (
            math.ceil(4 * 9.0**weight * log / epsilon**2),
            "missing factor 2 in Hoeffding's exponent: 2 exp(-2 N eps^2 / (range)^2) with "
            "range 2 * 3^w gives 2 * 9^w * ln(2M / delta) / eps^2",
        ),
        (
            math.ceil(2 * 9.0**weight * math.log10(2 * m / delta) / epsilon**2),
            "log base 10: Hoeffding's bound uses the natural log (math.log)",
        ),
        (
            math.ceil(2 * 9.0**weight * log / epsilon),
            "eps instead of eps^2: the exponent has N eps^2",
        ),
    ]
    for value, hint in cands:
        if actual == value and value != expected:
            return hint
    return None


def _as_count(value: Any, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CheckFailed(f"{call} returned {value!r}; expected a whole number of snapshots.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if not np.isfinite(value) or float(value) != int(value):
        raise CheckFailed(
            f"{call} returned {value!r}, which is not a whole number of snapshots.",
            hint="round up with math.ceil",
        )
    return int(value)


@exercise(
    "15.shadow_sample_bound",
    points=4,
    title="How many snapshots? (Hoeffding for shadows)",
    difficulty="easy",
    minutes=10,
    hints=[
        "A single snapshot's estimate of a weight-w Pauli is 0 or +-3^w, so it lies in "
        "[-3^w, 3^w]: Hoeffding's bound for such a mean is 2 exp(-2 N eps^2 / (2 * 3^w)^2).",
        "For M observables, ask each to fail with probability delta / M at most (a union "
        "bound), then solve 2 M exp(-N eps^2 / (2 * 9^w)) <= delta for N.",
        "N = 2 * 9^w * ln(2M / delta) / eps^2, rounded UP with math.ceil.",
    ],
)
def check_shadow_sample_bound(t: Tester) -> None:
    rng = np.random.default_rng(151502)

    def clear(args: list[tuple[int, float, float, int]]) -> list[tuple[int, float, float, int]]:
        return [a for a in args if abs(_bound_raw(*a) - round(_bound_raw(*a))) > 1e-3]

    hidden_random = clear(
        [
            (
                int(rng.integers(1, 5)),
                float(rng.uniform(0.02, 0.3)),
                float(10 ** rng.uniform(-6, -1)),
                int(rng.integers(2, 500)),
            )
            for _ in range(6)
        ]
    )[:4]
    cases = [
        (
            "shadow_sample_bound(1, 0.1, 0.01), one observable (the example)",
            [(1, 0.1, 0.01, 1)],
            False,
            False,
        ),
        (
            "hidden: one observable of weight 2, eps = 0.05, delta = 1e-3",
            [(2, 0.05, 1e-3, 1)],
            True,
            False,
        ),
        (
            "hidden: 100 observables of weight 3 (num_observables=100)",
            [(3, 0.1, 0.01, 100)],
            True,
            True,
        ),
        ("hidden: random weight, eps, delta and number of observables", hidden_random, True, True),
    ]
    for desc, args, hidden, many in cases:
        with t.case(desc, points=1, hidden=hidden):
            for w, eps, delta, m in args:
                call = f"shadow_sample_bound({w}, {eps:g}, {delta:g}" + (
                    f", num_observables={m})" if many else ")"
                )
                raw = t.call(w, eps, delta, num_observables=m) if many else t.call(w, eps, delta)
                actual = _as_count(raw, call)
                expected = math.ceil(_bound_raw(w, eps, delta, m))
                if actual == expected:
                    continue
                raise CheckFailed(
                    f"{call} is not the smallest N with 2M·exp(−Nε²/(2·9^w)) ≤ δ.",
                    expected=expected,
                    actual=actual,
                    hint=_bound_mistake(actual, w, eps, delta, m),
                )


# --------------------------------------------------------------------- 15.fourier_surrogate


def _ry(a: np.ndarray) -> np.ndarray:
    """RY(a) for a batch of angles: shape (B, 2, 2)."""
    c, s = np.cos(a / 2), np.sin(a / 2)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def _rz(a: np.ndarray) -> np.ndarray:
    z = np.zeros_like(a)
    e = np.exp(-0.5j * a)
    return np.stack([np.stack([e, z], -1), np.stack([z, e.conj()], -1)], -2)


def _apply1(states: np.ndarray, gates: np.ndarray, q: int, n: int) -> np.ndarray:
    """Apply one 2x2 gate per batch row (gates (B, 2, 2) or (2, 2)) to qubit q."""
    b = states.shape[0]
    t = states.reshape(b, 2 ** (n - 1 - q), 2, 2**q)
    if gates.ndim == 2:
        t = np.einsum("ij,bajc->baic", gates, t)
    else:
        t = np.einsum("bij,bajc->baic", gates, t)
    return t.reshape(b, 2**n)


def reuploading_model(X: np.ndarray, weights: np.ndarray, layers: int) -> np.ndarray:
    """The lesson's re-uploading model on d = X.shape[1] qubits: ``layers`` times
    [RY(x_i) on qubit i; RY(w) and RZ(w') on every qubit; CZ ring (CZ(0,1) for d = 2)],
    then RY(w) on every qubit; output <Z...Z> (the parity read-out), in [-1, 1].

    ``weights`` has 2 * d * layers + d entries, in qmlkit's ``reuploading_circuit`` order.
    """
    X = np.asarray(X, dtype=float)
    b, d = X.shape
    states = np.zeros((b, 2**d), dtype=complex)
    states[:, 0] = 1
    idx = np.arange(2**d)
    k = 0
    for _ in range(layers):
        for q in range(d):
            states = _apply1(states, _ry(X[:, q]), q, d)
        for q in range(d):
            states = _apply1(states, _ry(np.array(weights[k])), q, d)
            states = _apply1(states, _rz(np.array(weights[k + 1])), q, d)
            k += 2
        pairs = [(0, 1)] if d == 2 else ([(q, (q + 1) % d) for q in range(d)] if d > 2 else [])
        for a, c in pairs:
            sign = 1 - 2 * (((idx >> a) & 1) & ((idx >> c) & 1))
            states = states * sign
    for q in range(d):
        states = _apply1(states, _ry(np.array(weights[k])), q, d)
        k += 1
    parity = np.array([1 - 2 * (bin(i).count("1") % 2) for i in idx])
    return (np.abs(states) ** 2) @ parity


def _frequencies(d: int, degree: int, kind: str) -> list[tuple[int, ...]]:
    """One frequency vector of each +- pair (the first nonzero entry positive), 0 first."""
    if kind == "nonnegative":
        return list(itertools.product(range(degree + 1), repeat=d))
    if kind == "separable":
        out: list[tuple[int, ...]] = [(0,) * d]
        for i in range(d):
            for k in range(1, degree + 1):
                out.append(tuple(k if j == i else 0 for j in range(d)))
        return out
    out = []
    for w in itertools.product(range(-degree, degree + 1), repeat=d):
        nz = [v for v in w if v != 0]
        if not nz or nz[0] > 0:
            out.append(w)
    return out


def _design(
    X: np.ndarray, freqs: Sequence[tuple[int, ...]], sines: bool = True, const: bool = True
) -> np.ndarray:
    cols = []
    for w in freqs:
        phase = X @ np.array(w, dtype=float)
        if not any(w):
            if const:
                cols.append(np.ones(len(X)))
            continue
        cols.append(np.cos(phase))
        if sines:
            cols.append(np.sin(phase))
    return np.column_stack(cols)


def _fit_predict(
    X: np.ndarray, f: np.ndarray, X_new: np.ndarray, degree: int, **kw: Any
) -> np.ndarray:
    kind = kw.pop("kind", "full")
    freqs = _frequencies(X.shape[1], degree, kind)
    coef, *_ = np.linalg.lstsq(_design(X, freqs, **kw), f, rcond=None)
    return _design(X_new, freqs, **kw) @ coef


def _surrogate_mistake(
    pred: np.ndarray,
    X: np.ndarray,
    f: np.ndarray,
    X_new: np.ndarray,
    truth: np.ndarray,
    degree: int,
) -> str | None:
    cands: list[tuple[dict[str, Any], str]] = [
        (
            {"kind": "separable"},
            "no mixed frequencies: the model's output contains terms such as cos(x_1 - 2 x_2); "
            "use every frequency vector (k_1, ..., k_d) with each k_i in -degree..degree",
        ),
        (
            {"kind": "nonnegative"},
            "only frequency vectors with non-negative entries: cos(x_1 - x_2) is not a "
            "combination of cos(x_1 + x_2), cos(x_1), ...; allow negative k_i too "
            "(one of each pair w, -w is enough)",
        ),
        ({"sines": False}, "cosines only: a Fourier series needs a sine for every cosine"),
        ({"const": False}, "no constant term: include the frequency (0, ..., 0), a column of ones"),
    ]
    if degree > 1:
        cands.append(
            (
                {"degree": degree - 1},
                "one frequency short: the degree counts from 0 to degree INCLUSIVE "
                "(range(degree + 1), or -degree..degree)",
            )
        )
    for kw, hint in cands:
        deg = kw.pop("degree", degree)
        wrong = _fit_predict(X, f, X_new, deg, **kw)
        if np.max(np.abs(wrong - truth)) > 1e-4 and np.max(np.abs(pred - wrong)) < 1e-6:
            return hint
    return None


def _surrogate_problem(seed: int, d: int, layers: int, n_train: int, n_test: int = 200):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-np.pi, np.pi, 2 * d * layers + d)
    X = rng.uniform(0, np.pi, (n_train, d))
    X_new = rng.uniform(0, np.pi, (n_test, d))
    return (
        X,
        reuploading_model(X, weights, layers),
        X_new,
        reuploading_model(X_new, weights, layers),
    )


@exercise(
    "15.fourier_surrogate",
    points=6,
    title="A classical Fourier surrogate of a re-uploading model",
    difficulty="medium",
    minutes=25,
    hints=[
        "A model that uploads x_i L times through RY(x_i) is a trigonometric polynomial: a "
        "sum of a_w cos(w . x) + b_w sin(w . x) over integer frequency vectors w with every "
        "|w_i| <= L.",
        "Build a design matrix with one column per basis function (a column of ones for "
        "w = 0, then cos(X @ w) and sin(X @ w) for one w of each pair w, -w) and solve the "
        "least-squares problem with np.linalg.lstsq.",
        "Build the same columns for the rows of X_new and multiply them by the fitted "
        "coefficients: one value per row of X_new.",
    ],
)
def check_fourier_surrogate(t: Tester) -> None:
    cases = [
        (
            "fourier_surrogate(X, f, X_new, 2) for a 1-feature model with 2 layers, 20 points",
            1501,
            1,
            2,
            2,
            20,
            False,
        ),
        ("hidden: 2 features, 2 layers, degree 2, 80 training points", 1502, 2, 2, 2, 80, True),
        (
            "hidden: 2 features, 1 layer, degree 3 (higher than needed), 120 points",
            1503,
            2,
            1,
            3,
            120,
            True,
        ),
        ("hidden: 2 features, 3 layers, degree 3, 150 points", 1504, 2, 3, 3, 150, True),
        ("hidden: 3 features, 1 layer, degree 1, 60 points", 1505, 3, 1, 1, 60, True),
    ]
    points = {1502: 2}
    for desc, seed, d, layers, degree, n_train, hidden in cases:
        X, f, X_new, truth = _surrogate_problem(seed, d, layers, n_train)
        with t.case(
            desc + ": agrees with the model on 200 new inputs to 1e-6",
            points=points.get(seed, 1),
            hidden=hidden,
        ):
            raw = t.call(X.copy(), f.copy(), X_new.copy(), degree)
            pred = cmp.as_array(raw, what="surrogate's values", dtype=float)
            if pred.size != len(X_new):
                hint = "wrong shape: one value per row of X_new"
                if pred.size == len(X) and len(X) != len(X_new):
                    hint = (
                        "these are values at the training inputs X: evaluate the fitted "
                        "series at the rows of X_new"
                    )
                raise CheckFailed(
                    f"fourier_surrogate returned {pred.size} values for {len(X_new)} rows "
                    "of X_new.",
                    hint=hint,
                )
            pred = pred.reshape(-1)
            err = float(np.max(np.abs(pred - truth)))
            if err > 1e-6:
                raise CheckFailed(
                    f"The surrogate differs from the quantum model by up to {err:.2e} on new "
                    "inputs; a least-squares fit of the full basis agrees to rounding error.",
                    actual=err,
                    hint=_surrogate_mistake(pred, X, f, X_new, truth, degree),
                )
