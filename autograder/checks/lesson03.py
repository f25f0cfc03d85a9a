"""Checks for lesson 03: entanglement.

Expected values are computed here from first principles (NumPy, qiskit.quantum_info),
never by calling the reference solution. Hidden inputs come from a fixed seeded generator.
Qubit order is Qiskit's: qubit 0 is the least-significant bit of a statevector index.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

_S = 1 / np.sqrt(2)
BELL = {
    "phi+": np.array([_S, 0, 0, _S], dtype=complex),
    "phi-": np.array([_S, 0, 0, -_S], dtype=complex),
    "psi+": np.array([0, _S, _S, 0], dtype=complex),
    "psi-": np.array([0, _S, -_S, 0], dtype=complex),
}
_BELL_TEX = {"phi+": "|Φ+⟩", "phi-": "|Φ-⟩", "psi+": "|Ψ+⟩", "psi-": "|Ψ-⟩"}


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng(20260303 + salt)


def _random_state(rng: np.random.Generator, n: int) -> np.ndarray:
    vec = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return vec / np.linalg.norm(vec)


# ------------------------------------------------------------------------------ bell_state


@exercise(
    "03.bell_state",
    points=5,
    title="The four Bell states",
    difficulty="medium",
    minutes=15,
    hints=[
        "Every Bell state is H on one qubit followed by a CNOT, started from a suitable "
        "basis state.",
        "|Φ+⟩ comes from |00⟩. Flipping the target's input bit makes the two qubits disagree "
        "(a Ψ state); flipping the control's input bit gives the minus sign, since "
        "H|1⟩ = |−⟩.",
        "With H on qubit 0 and CNOT(0, 1): an X on qubit 1 first gives |Ψ+⟩, an X on qubit 0 "
        "first gives |Φ−⟩, and both give |Ψ−⟩. The task says what to do with an unknown name.",
    ],
)
def check_bell_state(t: Tester) -> None:
    for name, expected in BELL.items():
        with t.case(f"bell_state({name!r}) prepares {_BELL_TEX[name]}", points=1):
            qc = cmp.assert_circuit(t.call(name), num_qubits=2)
            actual = cmp.circuit_state(qc)
            if cmp.states_equal(actual, expected):
                continue
            other = [k for k, v in BELL.items() if cmp.states_equal(actual, v)]
            hint = cmp.diagnose_state(actual, expected)
            if other:
                hint = f"this is {_BELL_TEX[other[0]]}, not {_BELL_TEX[name]}: " + (
                    "an X on one qubit before the CNOT swaps Φ and Ψ"
                    if other[0][:3] != name[:3]
                    else "a Z (or starting from |1⟩ on the control) flips the sign"
                )
            raise CheckFailed(
                f"The circuit for {name!r} does not prepare {_BELL_TEX[name]} "
                "(compared up to a global phase).",
                expected=expected,
                actual=actual,
                hint=hint,
            )
    with t.case("bell_state raises ValueError for an unknown name", points=1):
        t.expect_raises(ValueError, "chi+")
        t.expect_raises(ValueError, "bell")


# ------------------------------------------------------------------------------ ghz_circuit


def _ghz(n: int) -> np.ndarray:
    vec = np.zeros(2**n, dtype=complex)
    vec[0] = vec[-1] = _S
    return vec


def _ghz_hint(actual: np.ndarray, n: int) -> str | None:
    """Recognise a CNOT chain that missed some qubits: |0..0> + |x> with x != 1..1."""
    big = np.flatnonzero(np.abs(actual) > 1e-6)
    if len(big) == 2 and big[0] == 0 and np.allclose(np.abs(actual[big]), _S, atol=1e-6):
        missing = [q for q in range(n) if not (int(big[1]) >> q) & 1]
        if missing:
            return (
                f"qubit(s) {missing} never got flipped in the |1…1⟩ branch: the CNOT loop "
                "probably stops one qubit early (off-by-one in range)"
            )
    return cmp.diagnose_state(actual, _ghz(n))


@exercise(
    "03.ghz_circuit",
    points=5,
    title="GHZ states on n qubits",
    difficulty="easy",
    minutes=10,
    hints=[
        "(|0…0⟩ + |1…1⟩)/√2 is a Bell state grown one qubit at a time.",
        "Put qubit 0 into superposition with H, then copy its value onto every other qubit "
        "with CNOTs.",
        "Loop over `range(1, n)`; a chain CX(k − 1, k) works as well as a fan-out from qubit 0.",
    ],
)
def check_ghz_circuit(t: Tester) -> None:
    for n, hidden in ((3, False), (2, False), (1, True), (5, True), (12, True)):
        with t.case(f"ghz_circuit({n})", points=1, hidden=hidden):
            qc = cmp.assert_circuit(t.call(n), num_qubits=n)
            actual = cmp.circuit_state(qc)
            if not cmp.states_equal(actual, _ghz(n)):
                raise CheckFailed(
                    f"ghz_circuit({n}) does not prepare (|0…0⟩ + |1…1⟩)/√2.",
                    expected=None if n > 4 else _ghz(n),
                    actual=actual if n <= 4 else None,
                    hint=_ghz_hint(actual, n),
                )


# ------------------------------------------------------------------------------ is_entangled


def _fmt(state: np.ndarray) -> str:
    from ..result import format_value

    return "amplitudes " + format_value(np.asarray(state))


def _as_bool(value: object, call: str) -> bool:
    return cmp.as_bool(value, f"value of {call}")


def _entangled_cases() -> list[tuple[str, list[np.ndarray], bool, bool]]:
    """(description, state, entangled?, hidden) for the is_entangled check."""
    plus = np.array([1, 1]) / np.sqrt(2)
    zero, one = np.array([1, 0]), np.array([0, 1])
    cases = [
        ("the four Bell states", [v for v in BELL.values()], True, False),
        (
            "|00⟩, |+⟩⊗|+⟩ and |1⟩⊗|+⟩",
            [np.kron(zero, zero), np.kron(plus, plus), np.kron(one, plus)],
            False,
            False,
        ),
    ]
    rng = _rng(3)
    products = [np.kron(_random_state(rng, 1), _random_state(rng, 1)) for _ in range(4)]
    # a product state whose amplitudes are irrational: exact == comparisons fail on it
    a = np.array([np.cos(0.3), np.exp(0.7j) * np.sin(0.3)])
    b = np.array([np.cos(1.1), np.exp(-2.1j) * np.sin(1.1)])
    products.append(np.exp(0.4j) * np.kron(a, b))
    cases.append(("random product states with complex amplitudes", products, False, True))
    entangled = [_random_state(rng, 2) for _ in range(3)]
    # weakly entangled: 0.99|00> + 0.141|11> has Schmidt coefficients 0.99 and 0.141
    weak = np.array([0.99, 0, 0, np.sqrt(1 - 0.99**2)], dtype=complex)
    entangled += [weak, np.array([0.6, 0.0, 0.0, 0.8j])]
    cases.append(("random and weakly entangled states", entangled, True, True))
    return cases


@exercise(
    "03.is_entangled",
    points=4,
    title="Product or entangled?",
    difficulty="medium",
    minutes=20,
    hints=[
        "Write the amplitudes of a|00⟩ + b|01⟩ + c|10⟩ + d|11⟩ as the 2×2 matrix "
        "[[a, b], [c, d]]. The state is a product exactly when this matrix has rank 1.",
        "Rank 1: the determinant ad − bc is 0, or equivalently the second singular value "
        "(the second Schmidt coefficient) is 0.",
        "Compare with the tolerance `atol`, never with == 0: rounding leaves tiny values.",
    ],
)
def check_is_entangled(t: Tester) -> None:
    cases = _entangled_cases()
    # a wrong verdict on the shown states (Bell states, exact products) means the test itself
    # is wrong, so the hidden cases' tolerance hints would point the wrong way
    basics_wrong = False
    for k, (desc, states, entangled, hidden) in enumerate(cases):
        points = 0.5 if k == len(cases) - 1 else 1
        with t.case(f"is_entangled on {desc}", points=points, hidden=hidden):
            for state in states:
                got = _as_bool(t.call(state.copy()), "is_entangled(state)")
                if got == entangled:
                    continue
                basics_wrong = basics_wrong or not hidden
                if entangled:
                    hint = None
                    if state[1] == 0 and state[2] == 0:
                        hint = (
                            "a state with only |00⟩ and |11⟩ (or only |01⟩ and |10⟩) is entangled "
                            "unless one amplitude is zero"
                        )
                    raise CheckFailed(
                        "An entangled state was called a product state"
                        + ("." if hidden else f": {_fmt(state)}."),
                        expected=True,
                        actual=got,
                        hint=hint,
                    )
                nonzero = np.count_nonzero(np.abs(state) > 1e-12)
                hint = (
                    None
                    if basics_wrong
                    else "a product state was called entangled: compare with a tolerance "
                    "(atol), because a*d == b*c is almost never exactly true in floating point"
                )
                if nonzero == 4 and np.allclose(np.abs(state), 0.5) and not hidden:
                    hint = (
                        "superposition is not entanglement: |+⟩⊗|+⟩ has four non-zero amplitudes "
                        "but it is the product H|0⟩⊗H|0⟩"
                    )
                raise CheckFailed(
                    "A product state was called entangled"
                    + ("." if hidden else f": {_fmt(state)}."),
                    expected=False,
                    actual=got,
                    hint=hint,
                )

    with t.case("the atol argument: entanglement of size 1e-6 and 1e-5", points=0.5, hidden=True):
        # |+>|+> tilted so that |a00 a11 - a01 a10| is about eps (so is the smaller Schmidt
        # coefficient, the larger one being about 1; 1 - purity is about 2 eps**2). Each
        # verdict is a factor 10 or more away from atol for all of these quantities, so they
        # agree; an answer that ignores atol says "entangled" at atol=1e-3, and one with
        # np.isclose's default rtol=1e-5 (2.5e-6 here) says "product" at atol=1e-13.
        for eps, kwargs, entangled in (
            (1e-6, {"atol": 1e-13}, True),
            (1e-5, {"atol": 1e-3}, False),
        ):
            state = np.array([0.5 + eps, 0.5, 0.5, 0.5 + eps], dtype=complex)
            state /= np.linalg.norm(state)
            got = _as_bool(t.call(state.copy(), **kwargs), "is_entangled(state)")
            if got == entangled:
                continue
            shown = f" with atol={kwargs['atol']:g}"
            if basics_wrong:
                hint = None
            elif entangled:
                hint = (
                    "anything above atol counts as entangled: compare with the atol you are "
                    "given, as an absolute tolerance only (np.isclose and np.allclose add "
                    "rtol=1e-5 by default)"
                )
            else:
                hint = "use the atol argument you are given: quantities below it count as zero"
            raise CheckFailed(
                f"A state whose |a00*a11 - a01*a10| is about {eps:g} got {got}{shown}.",
                expected=entangled,
                actual=got,
                hint=hint,
            )


# ------------------------------------------------------------------------------ reduced density matrix


def _partial_trace(state: np.ndarray, keep: list[int]) -> np.ndarray:
    """Reduced density matrix by index gymnastics (Qiskit order, keep[0] = lowest bit)."""
    n = int(np.log2(state.size))
    # reshape: axis 0 is qubit n-1, the last axis is qubit 0
    psi: np.ndarray = state.reshape([2] * n)
    axes_keep = [n - 1 - q for q in sorted(keep, reverse=True)]  # highest kept qubit first
    axes_trace = [a for a in range(n) if a not in axes_keep]
    psi = np.transpose(psi, axes_keep + axes_trace).reshape(2 ** len(keep), -1)
    return psi @ psi.conj().T


def _rdm_cases() -> list[tuple[str, np.ndarray, list[int], bool]]:
    plus = np.array([1, 1]) / np.sqrt(2)
    zero = np.array([1, 0])
    rng = _rng(7)
    return [
        ("|Φ+⟩, keep=[0]", BELL["phi+"], [0], False),
        ("|0⟩⊗|+⟩ (qubit 0 in |+⟩), keep=[0] and keep=[1]", np.kron(zero, plus), [0], False),
        ("random 3-qubit state, keep=[0, 2]", _random_state(rng, 3), [0, 2], True),
        ("random 4-qubit state, keep=[1, 2] and keep=[3]", _random_state(rng, 4), [1, 2], True),
        ("random 6-qubit state, keep=[0, 3, 5]", _random_state(rng, 6), [0, 3, 5], True),
    ]


def _rdm_hint(actual: np.ndarray, state: np.ndarray, keep: list[int]) -> str | None:
    n = int(np.log2(state.size))
    expected = _partial_trace(state, keep)
    mirrored = sorted(n - 1 - q for q in keep)
    traced_out = [q for q in range(n) if q not in keep]
    complement = _partial_trace(state, traced_out)
    if complement.shape == actual.shape and np.allclose(actual, complement, atol=1e-6):
        if mirrored == traced_out:  # e.g. 2 qubits, keep=[0]: the two mistakes look the same
            return (
                f"this is the matrix of qubit(s) {traced_out}, not {keep}: either the kept and "
                "traced-out qubits are swapped, or the qubit order is reversed (in Qiskit qubit "
                "0 is the LAST axis of state.reshape([2]*n))"
            )
        return "you kept the traced-out qubits and traced out the kept ones"
    if actual.shape != expected.shape:
        return (
            f"wrong size: keeping {len(keep)} qubit(s) gives a {expected.shape[0]}×"
            f"{expected.shape[0]} matrix"
        )
    if np.allclose(actual, _partial_trace(state, mirrored), atol=1e-6) or np.allclose(
        actual, cmp.reverse_qubit_order(expected), atol=1e-6
    ):
        return (
            "qubit order reversed: in Qiskit qubit 0 is the least-significant bit, i.e. the "
            "LAST axis of state.reshape([2]*n)"
        )
    if np.allclose(actual, expected.T, atol=1e-6):
        return "complex conjugate/transposed: ρ = |ψ⟩⟨ψ| puts the conjugate on the bra (ψ ψ†)"
    trace = complex(np.trace(actual))
    if (
        abs(trace - 1) > 1e-6
        and abs(trace) > 1e-9
        and np.allclose(actual / trace, expected, atol=1e-6)
    ):
        return f"not normalised: the trace is {trace.real:.4g}, a density matrix has trace 1"
    return None


@exercise(
    "03.reduced_density_matrix",
    points=5,
    title="Reduced density matrices",
    difficulty="hard",
    minutes=30,
    hints=[
        "Form ρ = |ψ⟩⟨ψ| and trace out every qubit that is not in `keep`; the result is "
        "2^k × 2^k for k kept qubits.",
        "`qiskit.quantum_info.partial_trace(Statevector(state), traced)` does it. It takes "
        "the qubits to trace out, not the ones to keep.",
        "With NumPy: reshape ψ into one axis per qubit (qubit q is axis n − 1 − q) and "
        "contract the traced axes of ψ with those of conj(ψ) (`np.einsum`). Keep the kept "
        "qubits in Qiskit's order, the lowest on the right.",
    ],
)
def check_reduced_density_matrix(t: Tester) -> None:
    for desc, state, keep, hidden in _rdm_cases():
        with t.case(f"reduced_density_matrix: {desc}", points=1, hidden=hidden):
            keeps = [keep]
            if "keep=[1]" in desc:
                keeps.append([1])
            if "keep=[3]" in desc:
                keeps.append([3])
            for k in keeps:
                got = t.call(state.copy(), list(k))
                got = getattr(got, "data", got)  # accept a qiskit DensityMatrix too
                actual = cmp.as_array(got, what="reduced density matrix")
                expected = _partial_trace(state, k)
                if actual.shape == expected.shape and np.allclose(actual, expected, atol=1e-6):
                    continue
                raise CheckFailed(
                    f"The reduced density matrix for keep={k} is not right.",
                    expected=expected if expected.shape[0] <= 4 else None,
                    actual=actual if actual.size <= 64 else None,
                    hint=_rdm_hint(actual, state, k),
                )


# ------------------------------------------------------------------------------ chsh_value


def _correlator(a: float, b: float) -> float:
    """<Phi+| A(a) ⊗ B(b) |Phi+> by explicit matrices (qubit 0 = Alice, the right factor)."""
    Z = np.diag([1.0, -1.0])
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    A = np.cos(a) * Z + np.sin(a) * X
    B = np.cos(b) * Z + np.sin(b) * X
    phi = BELL["phi+"]
    return float(np.real(phi.conj() @ np.kron(B, A) @ phi))


def _chsh(a0: float, a1: float, b0: float, b1: float) -> float:
    E = _correlator
    return E(a0, b0) + E(a0, b1) + E(a1, b0) - E(a1, b1)


_SHOT_COUNTS = (100, 200, 500, 1000, 1024, 2000, 2048, 4000, 4096, 5000, 8000, 8192, 10000, 20000)


def _looks_sampled(values: list[float]) -> bool:
    """True when an answer varies between identical calls, or is a sum of four shot
    frequencies (an integer over a usual shot count) rather than an exact cosine sum."""
    if max(values) - min(values) > 1e-12:
        return True
    exact = Fraction(values[0]).limit_denominator(max(_SHOT_COUNTS))
    if abs(float(exact) - values[0]) > 1e-9:
        return False
    # a small denominator (2, 1.94 = 97/50) is as likely an exact formula as a shot count
    return exact.denominator >= 100 and any(s % exact.denominator == 0 for s in _SHOT_COUNTS)


def _chsh_hint(
    actual: float, angles: tuple[float, float, float, float], sampled: bool = False
) -> str | None:
    a0, a1, b0, b1 = angles
    E = _correlator
    cands = [
        (
            _chsh(*np.radians(angles)),
            "degrees instead of radians: the angles arrive in radians; do not convert them with np.radians",
        ),
        (
            _chsh(*np.degrees(angles)),
            "degrees instead of radians: np.cos takes the radian angles directly; do not convert them to degrees",
        ),
        (
            sum(
                np.cos((x - y) / 2) * s
                for x, y, s in ((a0, b0, 1), (a0, b1, 1), (a1, b0, 1), (a1, b1, -1))
            ),
            "half angle: for the observable cos(θ)Z + sin(θ)X the correlator is cos(a − b), not cos((a − b)/2)",
        ),
        (
            sum(
                np.cos(x + y) * s
                for x, y, s in ((a0, b0, 1), (a0, b1, 1), (a1, b0, 1), (a1, b1, -1))
            ),
            "wrong sign inside: E(a, b) = cos(a − b), not cos(a + b)",
        ),
        (
            E(a0, b0) + E(a0, b1) + E(a1, b0) + E(a1, b1),
            "wrong sign: the minus sign belongs to E(a1, b1)",
        ),
        (
            E(a0, b0) - E(a0, b1) + E(a1, b0) + E(a1, b1),
            "the minus sign belongs to E(a1, b1), not E(a0, b1)",
        ),
        (
            E(a0, b0) + E(a0, b1) - E(a1, b0) + E(a1, b1),
            "the minus sign belongs to E(a1, b1), not E(a1, b0)",
        ),
        (
            -E(a0, b0) + E(a0, b1) + E(a1, b0) + E(a1, b1),
            "the minus sign belongs to E(a1, b1), not E(a0, b0)",
        ),
    ]
    # for some angles two mistakes give the same number: name one only when it alone fits
    hints = {hint for value, hint in cands if np.isclose(actual, value, atol=1e-6)}
    if hints:
        return hints.pop() if len(hints) == 1 else None
    if sampled and abs(actual - _chsh(*angles)) < 0.15:
        return (
            "close but not exact: compute the expectation values exactly (formula or "
            "Statevector), not from sampled shots"
        )
    return None


@exercise(
    "03.chsh_value",
    points=4,
    title="The CHSH value of |Φ+⟩",
    difficulty="medium",
    minutes=20,
    hints=[
        "The observable at angle t is cos(t)Z + sin(t)X, for Alice and for Bob. The "
        "correlation is E(a, b) = ⟨Φ+| A(a) ⊗ B(b) |Φ+⟩.",
        "For |Φ+⟩, ⟨ZZ⟩ = ⟨XX⟩ = 1 and ⟨ZX⟩ = ⟨XZ⟩ = 0, so E(a, b) is a simple function of a − b.",
        "S = E(a0, b0) + E(a0, b1) + E(a1, b0) − E(a1, b1): mind the minus sign of the last term.",
    ],
)
def check_chsh_value(t: Tester) -> None:
    rng = _rng(11)
    cases = [
        (
            "Tsirelson angles (0, π/2, π/4, −π/4) give 2√2",
            [(0.0, np.pi / 2, np.pi / 4, -np.pi / 4)],
            False,
        ),
        (
            "all angles 0 give 2; (0, π/2, 0, π/2) gives 0",
            [(0.0, 0.0, 0.0, 0.0), (0.0, np.pi / 2, 0.0, np.pi / 2)],
            False,
        ),
        ("random angles in [0, 2π)", [tuple(rng.uniform(0, 2 * np.pi, 4)) for _ in range(3)], True),
        ("random angles of either sign", [tuple(rng.uniform(-4, 4, 4)) for _ in range(3)], True),
    ]
    for desc, angle_sets, hidden in cases:
        with t.case(f"chsh_value: {desc}", points=1, hidden=hidden):
            for angles in angle_sets:
                angles = tuple(float(a) for a in angles)
                actual = cmp.as_number(t.call(*angles), "CHSH value")
                expected = _chsh(*angles)
                if np.isclose(actual, expected, atol=1e-6):
                    continue
                shown = ", ".join(f"{a:.4f}" for a in angles)
                sampled = False
                if abs(actual - expected) < 0.15:
                    again = cmp.as_number(t.call(*angles), "CHSH value")
                    sampled = _looks_sampled([actual, again])
                raise CheckFailed(
                    f"chsh_value({shown}) is not right.",
                    expected=expected,
                    actual=actual,
                    hint=_chsh_hint(actual, angles, sampled),
                )
