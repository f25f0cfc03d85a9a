"""Checks for lesson 02: gates as matrices, circuit identities, unitarity, qubit order.

Every expected value is computed here with NumPy and qiskit.quantum_info, never by
calling the reference solution. Hidden inputs come from a fixed seed.
"""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import Operator, Statevector, random_statevector, random_unitary

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed, LearnerError

X = np.array([[0, 1], [1, 0]], dtype=complex)
H = np.array([[1, 1], [1, -1]], dtype=complex) / np.sqrt(2)
SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=complex)


def _cx(control: int, target: int) -> np.ndarray:
    """The 4x4 CNOT with the given control and target (Qiskit order)."""
    m = np.zeros((4, 4), dtype=complex)
    for k in range(4):
        out = k ^ (1 << target) if (k >> control) & 1 else k
        m[out, k] = 1
    return m


# --------------------------------------------------------------------- 02.x_from_h_and_z


@exercise(
    "02.x_from_h_and_z",
    points=2,
    title="X from H and Z",
    difficulty="easy",
    minutes=5,
    hints=[
        "H swaps the Z basis and the X basis: |0⟩ ↔ |+⟩ and |1⟩ ↔ |−⟩.",
        "Multiply the 2×2 matrices H·Z·H on paper. What do you get?",
    ],
)
def check_x_from_h_and_z(t: Tester) -> None:
    with t.case("a 1-qubit circuit of h and z gates only", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=1, what="circuit")
        cmp.assert_only_gates(qc, {"h", "z"})
        if not cmp.gate_counts(qc):
            raise CheckFailed("The circuit is empty.", hint="add the gates: the circuit has none")
    with t.case("its operator equals X (up to a global phase)", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=1, what="circuit")
        cmp.assert_only_gates(qc, {"h", "z"})
        u = cmp.to_operator(qc)
        if cmp.operators_equal(u, X):
            return
        hint = None
        if cmp.operators_equal(u, H @ np.diag([1, -1])) or cmp.operators_equal(
            u, np.diag([1, -1]) @ H
        ):
            hint = "H and Z alone do not make X: sandwich Z between two H gates (H Z H)"
        elif cmp.operators_equal(u, np.diag([1, -1])):
            hint = "this is Z: H Z H turns the phase flip Z into the bit flip X"
        elif cmp.operators_equal(u, np.eye(2)):
            hint = (
                "this is the identity: H H = I and Z Z = I cancel; use H Z H"
                if cmp.gate_counts(qc)
                else "add the gates: the circuit has none"
            )
        raise CheckFailed(
            "The circuit's operator is not X (compared up to a global phase).",
            expected=X,
            actual=u,
            hint=hint,
        )


# -------------------------------------------------------------- 02.apply_single_qubit_gate


def _apply(state: np.ndarray, gate: np.ndarray, qubit: int) -> np.ndarray:
    """The expected result, computed by qiskit.quantum_info."""
    return np.asarray(Statevector(state).evolve(Operator(gate), qargs=[qubit]).data)


@exercise(
    "02.apply_single_qubit_gate",
    points=4,
    title="Apply a gate to one qubit",
    difficulty="hard",
    minutes=30,
    hints=[
        "A gate on qubit q mixes amplitudes in pairs: indices i and i + 2^q, where bit q of i "
        "is 0.",
        "One way: the full 2^n × 2^n matrix I ⊗ … ⊗ G ⊗ … ⊗ I (`np.kron`), with G in the "
        "place of qubit q counted from the right, Qiskit's order.",
        "A faster way: reshape the state into n axes of size 2 (`psi.reshape([2] * n)`). In "
        "C order axis 0 is the highest qubit, so qubit q is axis n − 1 − q: apply G along "
        "that axis with `np.tensordot`, move the axis back and flatten.",
    ],
)
def check_apply_single_qubit_gate(t: Tester) -> None:
    rng = np.random.default_rng(202)

    def one(state: np.ndarray, gate: np.ndarray, qubit: int) -> None:
        n = int(np.log2(state.size))
        value = t.call(state.copy(), gate.copy(), qubit)
        if isinstance(value, np.ndarray) and value.shape == (state.size, state.size):
            raise CheckFailed(
                f"Expected the new state vector, got a {value.shape[0]}x{value.shape[1]} matrix.",
                hint="multiply the full operator by the state: return U @ state, not U",
            )
        if isinstance(value, np.ndarray) and n > 1 and value.shape == (2,) * n:
            raise CheckFailed(
                f"Expected the new state vector of {state.size} amplitudes, got an array of "
                f"shape {value.shape}.",
                hint="reshape the result back into a vector: psi.reshape(-1) (the axes of "
                "state.reshape([2] * n) already hold the amplitudes in index order)",
            )
        actual = cmp.to_state(value)
        expected = _apply(state, gate, qubit)
        if actual.shape != expected.shape:
            raise CheckFailed(
                f"Expected a vector of {expected.size} amplitudes ({n} qubits), got {actual.size}.",
                hint="wrong length: the result has as many amplitudes as the input state",
            )
        if cmp.states_equal(actual, expected):
            return
        hint = None
        if n > 1 and cmp.states_equal(actual, _apply(state, gate, n - 1 - qubit)):
            hint = (
                f"qubit order reversed: the gate acted on qubit {n - 1 - qubit}. In Qiskit qubit 0 "
                "is the least-significant index bit, so np.kron(A, B) puts A on the HIGHER qubit: "
                "build I x ... x gate x ... x I from qubit n-1 (left) down to qubit 0 (right)"
            )
        elif cmp.states_equal(actual, _apply(state, gate.T, qubit)):
            hint = "transposed gate: apply the matrix itself (gate @ amplitudes), not gate.T"
        elif cmp.states_equal(actual, _apply(state, gate.conj().T, qubit)):
            hint = "this applies the adjoint (gate.conj().T) instead of the gate"
        elif cmp.states_equal(actual, state):
            hint = "the state came back unchanged"
        else:
            hint = cmp.diagnose_state(actual, expected)
        raise CheckFailed(
            f"The state is not gate applied to qubit {qubit} (compared up to a global phase).",
            expected=expected,
            actual=actual,
            hint=hint,
        )

    zero2 = np.array([1, 0, 0, 0], dtype=complex)
    with t.case("apply_single_qubit_gate(|00>, X, 0) == |01> (index 1)", points=1):
        one(zero2, X, 0)
    with t.case("apply_single_qubit_gate(|00>, H, 1) == (|00> + |10>)/sqrt2", points=1):
        one(zero2, H, 1)
    with t.case("random 3-qubit states and gates, on every qubit", points=1, hidden=True):
        for q in range(3):
            seed = int(rng.integers(1 << 30))
            one(
                np.asarray(random_statevector(8, seed=seed).data),
                np.asarray(random_unitary(2, seed=seed + 1).data),
                q,
            )
    with t.case("1 qubit, and 8 qubits with the gate on qubit 5", points=1, hidden=True):
        seed = int(rng.integers(1 << 30))
        one(np.array([0.6, 0.8j]), np.asarray(random_unitary(2, seed=seed).data), 0)
        one(
            np.asarray(random_statevector(256, seed=seed + 1).data),
            np.asarray(random_unitary(2, seed=seed + 2).data),
            5,
        )


# ------------------------------------------------------------- 02.ry_angle_for_probability


@exercise(
    "02.ry_angle_for_probability",
    points=3,
    title="The RY angle for a probability",
    difficulty="easy",
    minutes=10,
    hints=[
        "RY(θ)|0⟩ = cos(θ/2)|0⟩ + sin(θ/2)|1⟩, so the probability of 1 is sin²(θ/2).",
        "Solve sin²(θ/2) = p1 for θ in [0, π]: a square root, then an arcsin.",
        "A p1 outside [0, 1] is not a probability: raise a `ValueError`.",
    ],
)
def check_ry_angle_for_probability(t: Tester) -> None:
    def one(p1: float) -> None:
        theta = float(cmp.as_number(t.call(p1), what="angle theta"))
        expected = 2 * np.arcsin(np.sqrt(p1))
        if np.isclose(theta, expected, atol=1e-6):
            return
        hint = None
        if np.isclose(theta, np.degrees(expected), atol=1e-4):
            hint = "degrees instead of radians: RY takes radians (drop np.degrees / the *180/pi)"
        elif np.isclose(theta, expected / 2, atol=1e-6):
            hint = "half the angle: P(1) = sin^2(theta/2), so theta = 2*arcsin(sqrt(p1))"
        elif np.isclose(theta, 2 * expected, atol=1e-6):
            hint = "double the angle: theta = 2*arcsin(sqrt(p1)), not 4*arcsin(...)"
        elif np.isclose(theta, 2 * np.arcsin(p1), atol=1e-6):
            hint = "missing square root: the amplitude is sqrt(p1), so theta = 2*arcsin(sqrt(p1))"
        elif np.isclose(theta, np.pi - expected, atol=1e-6):
            hint = (
                "this angle gives P(0) = p1: |1> gets sin(theta/2), so theta = 2*arcsin(sqrt(p1))"
            )
        elif not -1e-9 <= theta <= np.pi + 1e-9:
            hint = "theta must be in [0, pi]"
        raise CheckFailed(
            f"RY(theta)|0> with this theta gives P(1) = {np.sin(theta / 2) ** 2:.4f}, not {p1}.",
            expected=expected,
            actual=theta,
            hint=hint,
        )

    with t.case("ry_angle_for_probability(0.5) == pi/2", points=1):
        one(0.5)
    with t.case("p1 in {0, 0.1, 0.25, 0.8, 0.97, 1}", points=1, hidden=True):
        for p in (0.0, 0.1, 0.25, 0.8, 0.97, 1.0):
            one(p)
    with t.case("ry_angle_for_probability(-0.1) and (1.5) raise ValueError", points=1):
        t.expect_raises(ValueError, -0.1)
        t.expect_raises(ValueError, 1.5)


# ---------------------------------------------------------------------------- 02.is_unitary


@exercise(
    "02.is_unitary",
    points=3,
    title="Is this matrix unitary?",
    difficulty="easy",
    minutes=10,
    hints=[
        "U is unitary when U†U = I, where U† is the conjugate transpose (`.conj().T`).",
        "Compare with a tolerance, e.g. every entry of |U†U − I| at most `atol`; a matrix "
        "that is not square is never unitary: return False, do not crash.",
    ],
)
def check_is_unitary(t: Tester) -> None:
    # a tolerance hint only fits an answer whose test is right at face value: once a verdict
    # was wrong (a determinant test, U.T instead of U.conj().T), later ones are not about atol
    failed = [False]

    def one(
        matrix: np.ndarray,
        expected: bool,
        hint: str | None,
        tolerance: bool = False,
        **kwargs: float,
    ) -> None:
        shown = None if tolerance and failed[0] else hint
        try:
            value = t.call(matrix.copy(), **kwargs)
        except LearnerError as err:
            if err.kind != "exception" or matrix.shape[0] == matrix.shape[1]:
                raise
            failed[0] = True
            raise CheckFailed(
                f"For a {matrix.shape[0]}x{matrix.shape[1]} matrix your function {err.message}",
                hint=shown,
            ) from None
        value = cmp.as_bool(value, "answer", hint="return a bool, e.g. bool(np.allclose(...))")
        if value == expected:
            return
        extra = f" with atol={kwargs['atol']:g}" if kwargs else ""
        failed[0] = True
        raise CheckFailed(
            f"is_unitary returned {bool(value)}{extra} for this {matrix.shape[0]}x{matrix.shape[1]} "
            "matrix.",
            expected=expected,
            actual=bool(value),
            hint=shown,
        )

    s = np.diag([1, 1j])
    with t.case("is_unitary(H) is True, is_unitary([[1, 1], [0, 1]]) is False", points=1):
        one(H, True, None)
        one(
            np.array([[1, 1], [0, 1]], dtype=complex),
            False,
            "|det| = 1 is not enough: a unitary satisfies U^dagger U = I",
        )
    with t.case("complex unitaries, scaled and perturbed matrices, atol", points=0.5, hidden=True):
        conj_hint = "use the conjugate transpose U.conj().T, not U.T, for complex matrices"
        one(s, True, conj_hint)
        one(np.asarray(random_unitary(4, seed=2021).data), True, conj_hint)
        one(np.asarray(random_unitary(8, seed=2022).data), True, conj_hint)
        one(2 * H, False, "columns must have length 1 too: compare U^dagger U with the identity")
        u = np.asarray(random_unitary(2, seed=2023).data)
        bumped = u + 1e-3 * np.array([[1, 0], [0, -1j]])
        dev = float(np.max(np.abs(bumped.conj().T @ bumped - np.eye(2))))
        one(bumped, False, "compare within the tolerance atol, not a looser one", tolerance=True)
        one(bumped, True, "use the atol argument in your comparison", True, atol=20 * dev)
    with t.case(
        "the tolerance is absolute: deviations a little above or below atol",
        points=0.5,
        hidden=True,
    ):
        # U^dagger U - I is diag(d, 0) for U = a unitary times diag(sqrt(1 + d), 1); every
        # deviation is 10x away from atol, so max-entry and norm-based tests agree, while a
        # relative tolerance (np.allclose's default rtol=1e-5) lets d = 1e-7 or 3e-6 through
        rel_hint = (
            "the tolerance is absolute: pass rtol=0 to np.allclose/np.isclose (their default "
            "rtol=1e-5 adds a relative tolerance on the diagonal)"
        )
        w = np.asarray(random_unitary(2, seed=2024).data)
        for d, kwargs, expected in (
            (1e-7, {}, False),
            (3e-6, {"atol": 1e-7}, False),
            (1e-7, {"atol": 1e-6}, True),
            (1e-11, {}, True),
        ):
            m = w @ np.diag([np.sqrt(1 + d), 1.0])
            one(m, expected, rel_hint if not expected else "use the atol argument", True, **kwargs)
        ignore_hint = "use the atol argument you are given, not a fixed tolerance"
        m = w @ np.diag([np.sqrt(1 + 1e-10), 1.0])
        one(m, False, ignore_hint, True, atol=1e-12)
    with t.case("non-square matrices give False, not an error", points=1, hidden=True):
        hint = "check the shape first and return False for a non-square matrix"
        one(np.ones((2, 3), dtype=complex), False, hint)
        one(np.eye(4, 2, dtype=complex), False, hint)


# ------------------------------------------------------------------------ 02.swap_from_cnots


@exercise(
    "02.swap_from_cnots",
    points=2,
    title="SWAP from three CNOTs",
    difficulty="easy",
    minutes=10,
    hints=[
        "Think of bits: a ^= b, b ^= a, a ^= b swaps a and b.",
        "A CNOT XORs its control into its target. Which direction does each of the three "
        "have to point?",
    ],
)
def check_swap_from_cnots(t: Tester) -> None:
    with t.case("a 2-qubit circuit of cx gates only", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=2, what="circuit")
        cmp.assert_only_gates(qc, {"cx"})
        if not cmp.gate_counts(qc):
            raise CheckFailed("The circuit is empty.", hint="add the gates: the circuit has none")
    with t.case("its operator equals SWAP", points=1):
        qc = cmp.assert_circuit(t.call(), num_qubits=2, what="circuit")
        cmp.assert_only_gates(qc, {"cx"})
        u = cmp.to_operator(qc)
        if cmp.operators_equal(u, SWAP):
            return
        hint = None
        if cmp.operators_equal(u, _cx(0, 1)) or cmp.operators_equal(u, _cx(1, 0)):
            hint = (
                "this is a single CNOT: two equal CNOTs cancel. The three CNOTs must alternate "
                "direction: cx(0, 1), cx(1, 0), cx(0, 1)"
            )
        elif cmp.operators_equal(u, np.eye(4)):
            hint = (
                "this is the identity: equal CNOTs cancel in pairs; alternate the direction"
                if cmp.gate_counts(qc)
                else "add the gates: the circuit has none"
            )
        elif cmp.operators_equal(u, _cx(0, 1) @ _cx(1, 0)) or cmp.operators_equal(
            u, _cx(1, 0) @ _cx(0, 1)
        ):
            hint = "two CNOTs are not enough: SWAP needs three, alternating direction"
        raise CheckFailed("The circuit's operator is not SWAP.", expected=SWAP, actual=u, hint=hint)
