"""Concept checks of lesson 03 (entanglement)."""

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
