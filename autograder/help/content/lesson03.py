"""Hints and concept checks of lesson 03 (entanglement)."""

HINTS = {
    "03.bell_state": [
        "Every Bell state is H on one qubit followed by a CNOT, started from a suitable "
        "basis state.",
        "|Φ+⟩ comes from |00⟩. Flipping the target's input bit makes the two qubits disagree "
        "(a Ψ state); flipping the control's input bit gives the minus sign, since "
        "H|1⟩ = |−⟩.",
        "With H on qubit 0 and CNOT(0, 1): an X on qubit 1 first gives |Ψ+⟩, an X on qubit 0 "
        "first gives |Φ−⟩, and both give |Ψ−⟩. The task says what to do with an unknown name.",
    ],
    "03.ghz_circuit": [
        "(|0…0⟩ + |1…1⟩)/√2 is a Bell state grown one qubit at a time.",
        "Put qubit 0 into superposition with H, then copy its value onto every other qubit "
        "with CNOTs.",
        "Loop over `range(1, n)`; a chain CX(k − 1, k) works as well as a fan-out from qubit 0.",
    ],
    "03.is_entangled": [
        "Write the amplitudes of a|00⟩ + b|01⟩ + c|10⟩ + d|11⟩ as the 2×2 matrix "
        "[[a, b], [c, d]]. The state is a product exactly when this matrix has rank 1.",
        "Rank 1: the determinant ad − bc is 0, or equivalently the second singular value "
        "(the second Schmidt coefficient) is 0.",
        "Compare with the tolerance `atol`, never with == 0: rounding leaves tiny values.",
    ],
    "03.reduced_density_matrix": [
        "Form ρ = |ψ⟩⟨ψ| and trace out every qubit that is not in `keep`; the result is "
        "2^k × 2^k for k kept qubits.",
        "`qiskit.quantum_info.partial_trace(Statevector(state), traced)` does it. It takes "
        "the qubits to trace out, not the ones to keep.",
        "With NumPy: reshape ψ into one axis per qubit (qubit q is axis n − 1 − q) and "
        "contract the traced axes of ψ with those of conj(ψ) (`np.einsum`). Keep the kept "
        "qubits in Qiskit's order, the lowest on the right.",
    ],
    "03.chsh_value": [
        "The observable at angle t is cos(t)Z + sin(t)X, for Alice and for Bob. The "
        "correlation is E(a, b) = ⟨Φ+| A(a) ⊗ B(b) |Φ+⟩.",
        "For |Φ+⟩, ⟨ZZ⟩ = ⟨XX⟩ = 1 and ⟨ZX⟩ = ⟨XZ⟩ = 0, so E(a, b) is a simple function of a − b.",
        "S = E(a0, b0) + E(a0, b1) + E(a1, b0) − E(a1, b1): mind the minus sign of the last term.",
    ],
}

CONCEPTS = [
    {
        "id": "03.q1",
        "question": "Which Bell state has ⟨X⊗X⟩ = −1 and ⟨Z⊗Z⟩ = +1?",
        "choices": {"a": "|Φ+⟩", "b": "|Φ−⟩", "c": "|Ψ+⟩", "d": "|Ψ−⟩"},
        "answer": "b",
        "explanation": "⟨ZZ⟩ = +1 means the qubits always agree in the Z basis: a Φ state. "
        "X⊗X maps |Φ−⟩ = (|00⟩ − |11⟩)/√2 to (|11⟩ − |00⟩)/√2 = −|Φ−⟩, so ⟨XX⟩ = −1 "
        "(for |Φ+⟩ it is +1). |Ψ−⟩ also has ⟨XX⟩ = −1, but ⟨ZZ⟩ = −1.",
    },
    {
        "id": "03.q2",
        "question": "Two qubits are in |Φ+⟩. What is the purity Tr(ρ_A²) of qubit A's "
        "reduced state?",
        "answer": 0.5,
        "tolerance": 1e-3,
        "explanation": "ρ_A = I/2, whose purity is 1/2, the smallest a qubit can have: "
        "|Φ+⟩ is maximally entangled. A product state leaves each qubit pure, with purity 1.",
    },
    {
        "id": "03.q3",
        "question": "Alice measures her half of |Φ+⟩ and gets 0. Can Bob, far away, see a "
        "change in his own measurement statistics before she tells him anything?",
        "choices": {
            "a": "Yes: his qubit is now |0⟩, so he always gets 0.",
            "b": "No: whatever Alice does, Bob's reduced state is I/2; the correlation shows "
            "only when they compare results.",
            "c": "Yes, half of the time.",
        },
        "answer": "b",
        "explanation": "Averaged over Alice's outcomes, which Bob does not know, his qubit is "
        "still I/2: 50/50 in every basis. This is the no-signalling principle. Entanglement "
        "gives correlations, not a channel.",
    },
    {
        "id": "03.q4",
        "question": "What is the largest value of the CHSH combination S that any classical "
        "(local hidden-variable) strategy can reach?",
        "answer": 2,
        "tolerance": 1e-3,
        "explanation": "The CHSH inequality says |S| ≤ 2 for every local strategy. |Φ+⟩ with "
        "the best angles reaches 2√2 ≈ 2.83, Tsirelson's bound, the maximum in quantum "
        "mechanics.",
    },
    {
        "id": "03.q5",
        "question": "All four amplitudes of |+⟩⊗|+⟩ = (|00⟩ + |01⟩ + |10⟩ + |11⟩)/2 are "
        "non-zero. Is it entangled?",
        "choices": {
            "a": "Yes: every basis state appears.",
            "b": "No: it is a product state; its amplitude matrix [[1, 1], [1, 1]]/2 has rank 1.",
        },
        "answer": "b",
        "explanation": "Entanglement is not about how many amplitudes are non-zero but about "
        "whether the state factorises. The matrix of amplitudes has rank 1 (ad − bc = 0), so "
        "the state is |+⟩|+⟩.",
    },
]
