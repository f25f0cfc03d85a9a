"""Hints and concept checks of lesson 02 (gates and circuits)."""

HINTS = {
    "02.x_from_h_and_z": [
        "H swaps the Z basis and the X basis: |0⟩ ↔ |+⟩ and |1⟩ ↔ |−⟩.",
        "Multiply the 2×2 matrices H·Z·H on paper. What do you get?",
    ],
    "02.apply_single_qubit_gate": [
        "A gate on qubit q mixes amplitudes in pairs: indices i and i + 2^q, where bit q of i "
        "is 0.",
        "One way: the full 2^n × 2^n matrix I ⊗ … ⊗ G ⊗ … ⊗ I (`np.kron`), with G in the "
        "place of qubit q counted from the right, Qiskit's order.",
        "A faster way: reshape the state into n axes of size 2 (`psi.reshape([2] * n)`). In "
        "C order axis 0 is the highest qubit, so qubit q is axis n − 1 − q: apply G along "
        "that axis with `np.tensordot`, move the axis back and flatten.",
    ],
    "02.ry_angle_for_probability": [
        "RY(θ)|0⟩ = cos(θ/2)|0⟩ + sin(θ/2)|1⟩, so the probability of 1 is sin²(θ/2).",
        "Solve sin²(θ/2) = p1 for θ in [0, π]: a square root, then an arcsin.",
        "A p1 outside [0, 1] is not a probability: raise a `ValueError`.",
    ],
    "02.is_unitary": [
        "U is unitary when U†U = I, where U† is the conjugate transpose (`.conj().T`).",
        "Compare with a tolerance, e.g. every entry of |U†U − I| at most `atol`; a matrix "
        "that is not square is never unitary: return False, do not crash.",
    ],
    "02.swap_from_cnots": [
        "Think of bits: a ^= b, b ^= a, a ^= b swaps a and b.",
        "A CNOT XORs its control into its target. Which direction does each of the three "
        "have to point?",
    ],
}

CONCEPTS = [
    {
        "id": "02.q1",
        "question": "Why must every quantum gate be a unitary matrix?",
        "choices": {
            "a": "So that a classical computer can simulate it.",
            "b": "It must keep every state normalised (probabilities summing to 1), and the "
            "linear maps that preserve the norm of every vector are exactly the unitary ones.",
            "c": "Because every gate is Hermitian.",
        },
        "answer": "b",
        "explanation": "Unitarity is norm preservation: ⟨ψ|U†U|ψ⟩ = ⟨ψ|ψ⟩ for all ψ means "
        "U†U = I. Some gates are also Hermitian (X, H), but not all: S is unitary, not "
        "Hermitian. Unitary also means reversible: U† undoes U.",
    },
    {
        "id": "02.q2",
        "question": "Z then H applied to |0⟩ gives |+⟩. What does H then Z give?",
        "choices": {"a": "|+⟩", "b": "|−⟩", "c": "|1⟩"},
        "answer": "b",
        "explanation": "H|0⟩ = |+⟩, and Z|+⟩ = |−⟩. Gates do not commute in general; a "
        "circuit read left to right is the matrix product read right to left.",
    },
    {
        "id": "02.q3",
        "question": "Qiskit shows a 2-qubit basis state as the bitstring '01'. Which qubit is "
        "in |1⟩?",
        "choices": {"a": "qubit 0", "b": "qubit 1"},
        "answer": "a",
        "explanation": "Qubit 0 is the rightmost character. The state's index is "
        "Σ_q bit_q · 2^q, so '01' is index 1.",
    },
    {
        "id": "02.q4",
        "question": "RX(θ) rotates the Bloch vector about the x axis by θ. By how many degrees "
        "must |0⟩ be rotated to reach |1⟩?",
        "answer": 180,
        "tolerance": 0.5,
        "explanation": "|0⟩ and |1⟩ are the two poles. RX(π)|0⟩ = −i|1⟩, which is |1⟩ up to "
        "a global phase.",
    },
]
