"""Checks for lesson 00: getting started (two warm-up exercises)."""

from __future__ import annotations

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise


def _norm_hint(state: np.ndarray, norm: float, expected: np.ndarray) -> str | None:
    """Name the scaling mistake only when the direction is already that of |+>."""
    if norm < 1e-12 or not cmp.states_equal(state / norm, expected):
        return None
    if cmp.states_equal(state, expected * np.sqrt(2)):
        return "state not normalised: (1, 1) has norm √2, so divide both amplitudes by np.sqrt(2)"
    return (
        f"the amplitudes point the right way but the norm is {norm:.4f}, not 1: divide the "
        "vector by its norm"
    )


@exercise(
    "00.plus_state",
    points=2,
    title="The amplitudes of |+⟩",
    difficulty="easy",
    minutes=5,
    hints=[
        "|+⟩ = (|0⟩ + |1⟩)/√2. Its amplitudes are the numbers in front of |0⟩ and |1⟩, "
        "in that order.",
        "Both amplitudes are equal, and their squared magnitudes must add up to 1.",
        "Return a NumPy array of two numbers, e.g. built with `np.array([...])`; "
        "`np.sqrt(2)` is √2.",
    ],
)
def check_plus_state(t: Tester) -> None:
    expected = np.array([1, 1]) / np.sqrt(2)
    with t.case("plus_state() returns 2 amplitudes with norm 1", points=1):
        state = cmp.to_state(t.call(), "state")
        if state.size != 2:
            raise cmp.CheckFailed(
                f"A single qubit has 2 amplitudes; your vector has {state.size}.",
                actual=state,
                hint="wrong length",
            )
        norm = float(np.linalg.norm(state))
        if abs(norm - 1) > 1e-6:
            raise cmp.CheckFailed(
                f"The amplitudes' squared magnitudes must add up to 1; the norm is {norm:.4f}.",
                expected=expected,
                actual=state,
                hint=_norm_hint(state, norm, expected),
            )
    with t.case("plus_state() is (|0> + |1>)/sqrt(2), up to a global phase", points=1):
        cmp.assert_state(t.call(), expected)


@exercise(
    "00.x_on_qubit",
    points=3,
    title="Flip one qubit",
    difficulty="easy",
    minutes=5,
    hints=[
        "`QuantumCircuit(n)` makes an empty circuit on qubits 0 to n − 1, all in |0⟩.",
        "`qc.x(k)` puts an X gate on qubit k. Qubit k is character k counted from the right "
        "of a Qiskit bitstring.",
        "Return the circuit itself, without measurements.",
    ],
)
def check_x_on_qubit(t: Tester) -> None:
    cases = [((2, 0), False), ((3, 2), False), ((4, 1), True)]
    for (n, k), hidden in cases:
        with t.case(f"x_on_qubit({n}, {k})", points=1, hidden=hidden):
            qc = cmp.assert_circuit(t.call(n, k), num_qubits=n)
            expected = np.zeros(2**n)
            expected[1 << k] = 1
            cmp.assert_state(qc, expected)
