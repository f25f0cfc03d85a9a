"""Concept checks of lesson 05 (encoding classical data)."""

CONCEPTS = [
    {
        "id": "05.q1",
        "question": "How many qubits does amplitude encoding need for a vector of 1024 features?",
        "answer": 10,
        "tolerance": 1e-6,
        "explanation": "n qubits have 2^n amplitudes, and 2^10 = 1024. Angle encoding would "
        "need 1024 qubits.",
    },
    {
        "id": "05.q2",
        "question": "Angle encoding maps x to RY(x)|0⟩. How do the states of x and x + 2π compare?",
        "choices": {
            "a": "They are the same vector.",
            "b": "They differ by the global phase −1, so they are the same physical state.",
            "c": "They are orthogonal.",
        },
        "answer": "b",
        "explanation": "RY(θ + 2π) = −RY(θ): cos and sin of (x + 2π)/2 both change sign. The "
        "encoding is periodic, so features are scaled into a range shorter than one period "
        "before encoding; otherwise different data become the same state.",
    },
    {
        "id": "05.q3",
        "question": "What does amplitude encoding of N = 2^n numbers cost, in general?",
        "choices": {
            "a": "One gate per qubit.",
            "b": "A state-preparation circuit whose gate count grows like N = 2^n: the "
            "compression into few qubits is paid for in circuit depth.",
            "c": "A constant number of gates.",
        },
        "answer": "b",
        "explanation": "Preparing an arbitrary n-qubit state needs on the order of 2^n CNOTs. "
        "Exponentially many numbers in n qubits is not free: loading them takes "
        "exponentially many gates, unless the data have special structure.",
    },
    {
        "id": "05.q4",
        "question": "Basis encoding of the bitstring '110' prepares which state, in Qiskit's "
        "notation?",
        "choices": {
            "a": "|110⟩: X on qubits 1 and 2",
            "b": "|011⟩: X on qubits 0 and 1",
        },
        "answer": "a",
        "explanation": "The bitstring is written as Qiskit writes states, qubit 0 on the "
        "right: the 1s are on qubits 2 and 1.",
    },
]
