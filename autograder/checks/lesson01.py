"""Checks for lesson 01: qubits, superposition, the Born rule and the Bloch sphere.

Every expected value is computed here from first principles (NumPy, qiskit.quantum_info),
never by calling the reference solution. Hidden inputs come from a fixed seed, so a
verdict never changes from one run to the next.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit.quantum_info import random_statevector

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

TWO_PI = 2 * np.pi


def _state(theta: float, phi: float) -> np.ndarray:
    """cos(theta/2)|0> + e^{i phi} sin(theta/2)|1>."""
    return np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)])


def _specific_hint(actual: np.ndarray, candidates: list[tuple[Any, str]]) -> str | None:
    """The hint of the candidate state that ``actual`` equals up to global phase, when only
    one candidate explains it (for some inputs two mistakes give the same state)."""
    hints = {
        hint
        for state, hint in candidates
        if cmp.states_equal(actual, np.asarray(state, dtype=complex))
    }
    return hints.pop() if len(hints) == 1 else None


def _assert_state_with(
    actual: Any, expected: np.ndarray, candidates: list[tuple[Any, str]]
) -> None:
    """:func:`compare.assert_state`, with the hint replaced by a more specific one when
    ``actual`` matches one of the known wrong answers in ``candidates``."""
    try:
        cmp.assert_state(actual, expected, figure=True)
    except CheckFailed as fail:
        a = cmp.to_state(actual)
        if a.shape == expected.shape:
            fail.hint = _specific_hint(a, candidates) or fail.hint
        raise


# ------------------------------------------------------------------------ 01.normalize


def _normalize_hint(actual: np.ndarray, v: np.ndarray) -> str | None:
    norm = np.linalg.norm(v)
    guesses = [
        (v, "not normalised: the vector came back unchanged; divide it by its norm"),
        (v / norm**2, "divided by the squared norm: take the square root (np.linalg.norm does it)"),
        (
            v / np.sum(np.abs(v)),
            "divided by the sum of |amplitudes|; the norm is sqrt(sum |a_k|^2)",
        ),
        (
            v / np.sqrt(np.sum(np.abs(v))),
            "the norm is sqrt(sum |a_k|^2): square the magnitudes before summing",
        ),
        (v.real / norm, "imaginary parts dropped: keep the array complex (dtype=complex)"),
        (v / np.max(np.abs(v)), "divided by the largest amplitude instead of the norm"),
    ]
    if np.iscomplexobj(v) and np.any(v.imag != 0):
        guesses.append(
            (
                v / np.sqrt(np.sum(v**2)),
                "used a_k**2 instead of |a_k|**2: the norm needs the magnitudes (np.abs(a)**2)",
            )
        )
    # for some vectors two mistakes give the same answer: name one only when it alone fits
    hints = {
        hint
        for guess, hint in guesses
        if guess.shape == actual.shape and np.allclose(actual, guess, atol=1e-6)
    }
    if abs(np.linalg.norm(actual) - 1) < 1e-6 and cmp.states_equal(actual, v / norm):
        hints.add(
            "the phase changed: 'same direction' means dividing by the (positive, real) norm "
            "only, without multiplying by a phase"
        )
    if hints:
        return hints.pop() if len(hints) == 1 else None
    return cmp.diagnose_state(actual, v / norm)


@exercise(
    "01.normalize",
    points=3,
    title="Normalise a vector of amplitudes",
    difficulty="easy",
    minutes=10,
    hints=[
        "Divide every amplitude by the length of the vector, sqrt(Σ |a_k|²). The absolute "
        "values matter: amplitudes can be complex.",
        "`np.linalg.norm(v)` is that length, for complex vectors too; convert the input with "
        "`np.asarray(amplitudes, dtype=complex)` first.",
        "The zero vector has no direction: raise a `ValueError` that says so instead of "
        "dividing by 0.",
    ],
)
def check_normalize(t: Tester) -> None:
    rng = np.random.default_rng(101)

    def one(v: np.ndarray, as_list: bool = False) -> None:
        arr = cmp.as_array(t.call(v.tolist() if as_list else v.copy()), what="normalised vector")
        if arr.ndim != 1 or arr.size != v.size:
            raise CheckFailed(
                f"Expected a vector of {v.size} amplitudes, got shape {arr.shape}.",
                hint="wrong shape",
            )
        expected = v / np.linalg.norm(v)
        if np.allclose(arr, expected, atol=1e-6):
            return
        raise CheckFailed(
            "The vector is not the input divided by its norm.",
            expected=expected,
            actual=arr,
            hint=_normalize_hint(arr, v),
        )

    with t.case("normalize([3, 4j]) == [0.6, 0.8j]", points=1):
        one(np.array([3, 4j]))
    with t.case(
        "normalize of random complex vectors of length 2, 4 and 8", points=0.5, hidden=True
    ):
        for n in (2, 4, 8):
            one(rng.normal(size=n) + 1j * rng.normal(size=n))
        one(np.array([1.0, 1.0, 1.0, 1.0]))
    with t.case(
        "normalize of vectors with some zero amplitudes, of integers, and of plain lists",
        points=0.5,
        hidden=True,
    ):
        # zero entries are fine as long as one amplitude is not zero; lists must work too
        one(np.array([0, 0, 1j, 0]))
        one(np.array([0, 2, 0, 0, 0, 0, 0, -2]))
        one(np.array([0.0, 3.0, 0.0, 4j]), as_list=True)
        one(np.array([2, 0, 1]), as_list=True)
    with t.case("normalize([0, 0]) raises ValueError", points=1):
        t.expect_raises(ValueError, np.zeros(2, dtype=complex))


# ------------------------------------------------------------ 01.measurement_probabilities


def _probabilities_hint(arr: np.ndarray, state: np.ndarray) -> str | None:
    expected = np.abs(state) ** 2
    if np.allclose(arr, np.abs(state), atol=1e-6):
        return "returned |amplitude| instead of |amplitude|**2: the Born rule squares the magnitude"
    if np.allclose(arr, state**2, atol=1e-6):
        return "squared the complex amplitude itself: use np.abs(a)**2, since a**2 is not |a|^2 for complex a"
    if np.allclose(arr, state.real**2, atol=1e-6):
        return "imaginary parts dropped: |a|^2 = Re(a)^2 + Im(a)^2 (use np.abs(a)**2)"
    if arr.size > 2 and np.allclose(cmp.reverse_qubit_order(arr), expected, atol=1e-6):
        return "qubit order reversed: keep the probabilities in statevector index order"
    if np.allclose(arr, expected[::-1], atol=1e-6):
        return "the list is reversed: index k must hold the probability of basis state k"
    total = float(np.sum(np.real(arr)))
    if abs(total - 1) > 1e-6:
        return f"the probabilities add up to {total:.4f}, not 1"
    return None


@exercise(
    "01.measurement_probabilities",
    points=3,
    title="The Born rule",
    difficulty="easy",
    minutes=5,
    hints=[
        "The Born rule: outcome k has probability |a_k|², the squared magnitude of its "
        "amplitude, not the amplitude squared.",
        "For complex a, |a|² = a · conj(a) = `abs(a) ** 2`. Return real numbers, one per "
        "amplitude, in index order.",
    ],
)
def check_measurement_probabilities(t: Tester) -> None:
    rng = np.random.default_rng(102)

    def one(state: np.ndarray) -> None:
        value = t.call(state.copy())
        if isinstance(value, dict):
            raise CheckFailed(
                "Expected an array of probabilities in index order, got a dict.",
                hint="return a NumPy array, e.g. np.abs(state)**2, not a dict of bitstrings",
            )
        arr = cmp.as_array(value, what="probabilities")
        expected = np.abs(state) ** 2
        if arr.shape != expected.shape:
            raise CheckFailed(
                f"Expected {expected.size} probabilities (one per basis state), got shape {arr.shape}.",
                hint="wrong shape: one probability per amplitude, in index order",
            )
        if np.allclose(arr, expected, atol=1e-6):
            return
        raise CheckFailed(
            "The probabilities do not follow the Born rule P(k) = |a_k|^2.",
            expected=expected,
            actual=arr,
            hint=_probabilities_hint(arr, state),
        )

    with t.case("measurement_probabilities([1/sqrt2, 1j/sqrt2]) == [0.5, 0.5]", points=1):
        one(np.array([1, 1j]) / np.sqrt(2))
    with t.case("measurement_probabilities([0.6, 0.8j]) == [0.36, 0.64]", points=1):
        one(np.array([0.6, 0.8j]))
    with t.case("random 2- and 3-qubit states", points=1, hidden=True):
        for n in (2, 3):
            one(np.asarray(random_statevector(2**n, seed=int(rng.integers(1 << 30))).data))


# ---------------------------------------------------------------------- 01.bloch_angles


def _as_angles(value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise CheckFailed(
            f"Expected a tuple (theta, phi), got {value!r}."
            + (" Did you forget `return`?" if value is None else "")
        )
    if isinstance(value, (tuple, list)):
        items = list(value)
    elif isinstance(value, np.ndarray):
        items = list(value.ravel())
    else:
        raise CheckFailed(
            f"Expected a tuple (theta, phi), got {type(value).__name__}.", hint="return theta, phi"
        )
    if len(items) != 2:
        raise CheckFailed(
            f"Expected a tuple of two angles (theta, phi), got {len(items)} value(s).",
            hint="return theta, phi",
        )
    theta = float(cmp.as_number(items[0], what="theta"))
    phi = float(cmp.as_number(items[1], what="phi"))
    return theta, phi


def _check_bloch(t: Tester, state: np.ndarray, theta: float, phi: float | None) -> None:
    got_theta, got_phi = _as_angles(t.call(state.copy()))
    actual = (got_theta, got_phi)
    expected = (theta, phi if phi is not None else "any")
    if not -1e-9 <= got_theta <= np.pi + 1e-9:
        hint = None
        if np.isclose(got_theta, np.degrees(theta), atol=1e-4):
            hint = "degrees instead of radians: theta must be in radians (np.arccos gives radians)"
        raise CheckFailed(
            f"theta = {got_theta:.4f} is outside [0, pi].",
            expected=expected,
            actual=actual,
            hint=hint,
        )
    if not np.isclose(got_theta, theta, atol=1e-6):
        hint = None
        if np.isclose(got_theta, theta / 2, atol=1e-6):
            hint = "half the angle: |alpha| = cos(theta/2), so theta = 2*arccos(|alpha|)"
        elif np.isclose(got_theta, 2 * np.arccos(np.clip(state[0].real, -1, 1)), atol=1e-6):
            hint = (
                "the global phase makes alpha complex: use its magnitude, "
                "theta = 2*arccos(abs(alpha)), not its real part"
            )
        elif np.isclose(got_theta, np.pi - theta, atol=1e-6):
            hint = "|0> and |1> swapped: theta = 0 is |0> (north pole), theta = 2*arccos(|alpha|)"
        raise CheckFailed("theta is not right.", expected=expected, actual=actual, hint=hint)
    if phi is None:  # at a pole any phi is fine
        return
    diff = (got_phi - phi + np.pi) % TWO_PI - np.pi
    in_range = -1e-9 <= got_phi < TWO_PI + 1e-9
    if abs(diff) < 1e-6 and not in_range:
        raise CheckFailed(
            f"phi = {got_phi:.4f} is the right angle but outside [0, 2pi).",
            expected=expected,
            actual=actual,
            hint="phi must be in [0, 2pi): add 2*pi to negative values (or use % (2*np.pi))",
        )
    if abs(diff) < 1e-6:
        return
    hint = None
    if abs((got_phi + phi + np.pi) % TWO_PI - np.pi) < 1e-6:
        hint = "wrong sign of phi (sign of i): phi is the phase of beta relative to alpha"
    elif np.isclose(got_phi, np.degrees(phi), atol=1e-4):
        hint = "degrees instead of radians: phi must be in radians"
    elif abs(state[0]) > 1e-9 and abs(state[1]) > 1e-9:
        raw = np.angle(state[1]) % TWO_PI
        if abs((got_phi - raw + np.pi) % TWO_PI - np.pi) < 1e-6:
            hint = (
                "the global phase was not removed: phi is the phase of beta relative to alpha, "
                "np.angle(beta) - np.angle(alpha)"
            )
    raise CheckFailed("phi is not right.", expected=expected, actual=actual, hint=hint)


@exercise(
    "01.bloch_angles",
    points=4,
    title="Bloch-sphere angles of a state",
    difficulty="medium",
    minutes=20,
    hints=[
        "Write the state as e^{iγ}(cos(θ/2)|0⟩ + e^{iφ} sin(θ/2)|1⟩). θ depends only on the "
        "magnitudes |α| and |β|.",
        "θ = 2·arctan2(|β|, |α|) works everywhere; φ is the phase of β relative to α, the "
        "angle of β·conj(α) (`np.angle`).",
        "Bring φ into [0, 2π) with `% (2 * np.pi)`. At the poles (α or β zero) φ is "
        "undefined: return 0 there.",
    ],
)
def check_bloch_angles(t: Tester) -> None:
    rng = np.random.default_rng(103)
    with t.case("bloch_angles(|+>) == (pi/2, 0)", points=1):
        _check_bloch(t, np.array([1, 1]) / np.sqrt(2), np.pi / 2, 0.0)
    with t.case("bloch_angles((|0> - i|1>)/sqrt2) == (pi/2, 3pi/2)", points=1):
        _check_bloch(t, np.array([1, -1j]) / np.sqrt(2), np.pi / 2, 3 * np.pi / 2)
    with t.case(
        "the poles |0> and |1>, with global phases (any phi accepted)", points=1, hidden=True
    ):
        _check_bloch(t, np.array([1, 0], dtype=complex), 0.0, None)
        _check_bloch(t, np.array([0, np.exp(0.7j)]), np.pi, None)
        _check_bloch(t, np.array([-1j, 0]), 0.0, None)
    with t.case("random states with random global phases", points=1, hidden=True):
        for _ in range(6):
            theta = float(rng.uniform(0.2, np.pi - 0.2))
            phi = float(rng.uniform(0, TWO_PI))
            gamma = float(rng.uniform(0, TWO_PI))
            _check_bloch(t, np.exp(1j * gamma) * _state(theta, phi), theta, phi)


# ---------------------------------------------------------------------- 01.prepare_state


def _prepare_candidates(theta: float, phi: float) -> list[tuple[np.ndarray, str]]:
    return [
        (
            _state(theta / 2, phi),
            "half the angle: RY(theta) already puts cos(theta/2) on |0>, so use qc.ry(theta, 0)",
        ),
        (_state(2 * theta, phi), "double the angle: use qc.ry(theta, 0), not theta*2"),
        (
            _state(np.radians(theta), phi),
            "radians converted as if they were degrees: theta is already in radians",
        ),
        (
            _state(theta, -phi),
            "wrong sign of the relative phase: use qc.p(phi, 0) (or rz(phi)), not -phi",
        ),
        (
            _state(theta, phi - np.pi / 2),
            "RX instead of RY: RX(theta)|0> has a factor -i on |1>; use qc.ry(theta, 0)",
        ),
        (
            _state(theta, 0.0),
            "the relative phase is missing: the phase gate must come after RY (on |0> a phase does nothing)",
        ),
    ]


@exercise(
    "01.prepare_state",
    points=4,
    title="Prepare any qubit state",
    difficulty="medium",
    minutes=15,
    hints=[
        "Two rotations are enough: one sets the magnitudes (θ), the other the relative phase (φ).",
        "RY(θ)|0⟩ = cos(θ/2)|0⟩ + sin(θ/2)|1⟩ already has the right magnitudes. Which gate "
        "then multiplies |1⟩ by e^{iφ} and leaves |0⟩ alone?",
        "The phase gate P(φ) = diag(1, e^{iφ}) does exactly that. RZ(φ) differs from it only "
        "by a global phase.",
    ],
)
def check_prepare_state(t: Tester) -> None:
    rng = np.random.default_rng(104)

    def one(theta: float, phi: float) -> None:
        qc = cmp.assert_circuit(t.call(theta, phi), num_qubits=1, what="circuit")
        actual = cmp.circuit_state(qc)
        _assert_state_with(actual, _state(theta, phi), _prepare_candidates(theta, phi))

    with t.case("prepare_state(pi/2, 0) prepares |+>", points=1):
        one(np.pi / 2, 0.0)
    with t.case("prepare_state(pi/3, pi/2)", points=1):
        one(np.pi / 3, np.pi / 2)
    with t.case("random angles theta in [0, pi], phi in [0, 2pi)", points=1, hidden=True):
        for _ in range(4):
            one(float(rng.uniform(0.1, np.pi - 0.1)), float(rng.uniform(0.1, TWO_PI - 0.1)))
    with t.case(
        "the poles: prepare_state(0, 1.0) and prepare_state(pi, 2.0)", points=1, hidden=True
    ):
        one(0.0, 1.0)
        one(np.pi, 2.0)


# -------------------------------------------------------------------- 01.minus_i_circuit

#: an empty circuit, or phase gates alone (they do nothing to |0>), leave the state at |0>
_STILL_ZERO = (
    "the state is still |0>: no gate moved it (a phase gate such as S or Sdg does nothing "
    "to |0>; start with H)"
)


@exercise(
    "01.minus_i_circuit",
    points=2,
    title="Prepare (|0⟩ − i|1⟩)/√2",
    difficulty="easy",
    minutes=10,
    hints=[
        "(|0⟩ − i|1⟩)/√2 has the magnitudes of |+⟩: start from H|0⟩.",
        "Then put the phase −i = e^{−iπ/2} on |1⟩. S puts +i there; which gate undoes S?",
    ],
)
def check_minus_i_circuit(t: Tester) -> None:
    s = 1 / np.sqrt(2)
    expected = np.array([s, -1j * s])
    with t.case("minus_i_circuit() gives 0 and 1 with probability 1/2 each", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=1, what="circuit")
        probs = np.abs(cmp.circuit_state(qc)) ** 2
        if not np.allclose(probs, [0.5, 0.5], atol=1e-6):
            raise CheckFailed(
                "The state's measurement probabilities are not 1/2 and 1/2.",
                expected=[0.5, 0.5],
                actual=probs,
                hint=_STILL_ZERO if probs[0] > 1 - 1e-6 else None,
            )
    with t.case("minus_i_circuit() prepares (|0> - i|1>)/sqrt2, relative phase -i", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=1, what="circuit")
        candidates = [
            (
                [s, 1j * s],
                "this is (|0> + i|1>)/sqrt2, the opposite sign of i: use sdg (S-dagger) after H, "
                "or rx(pi/2)",
            ),
            ([s, -s], "this is |-> = (|0> - |1>)/sqrt2: the phase of |1> must be -i, not -1"),
            ([s, s], "this is |+>: a relative phase of -i (angle -pi/2) is still missing"),
            ([1, 0], _STILL_ZERO),
        ]
        _assert_state_with(cmp.circuit_state(qc), expected, candidates)
