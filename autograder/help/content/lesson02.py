"""Concept checks of lesson 02 (gates and circuits)."""

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
