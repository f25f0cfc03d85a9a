"""Concept checks of lesson 09 (quantum neural networks and hybrid models)."""

CONCEPTS = [
    {
        "id": "09.q1",
        "question": "How many trainable weights does the course QNN have on n = 3 qubits "
        "with L = 2 layers?",
        "answer": 6,
        "tolerance": 1e-6,
        "explanation": "One RY weight per qubit per layer: L × n = 6. The encoding angles "
        "RY(x_i) are inputs, not weights.",
    },
    {
        "id": "09.q2",
        "question": "In a hybrid model, how does the gradient reach the classical layer "
        "before the QNN?",
        "choices": {
            "a": "By the chain rule: ∂loss/∂(classical weight) = ∂loss/∂output · "
            "∂output/∂angle · ∂angle/∂weight, where ∂output/∂angle also comes from "
            "parameter shifts.",
            "b": "It does not: only the QNN's weights are trained.",
            "c": "Only through finite differences.",
        },
        "answer": "a",
        "explanation": "Each input angle enters one RY gate, just like a weight, so its "
        "derivative is exact by the parameter-shift rule; backpropagation does the rest.",
    },
    {
        "id": "09.q3",
        "question": "The QNN's output ⟨Z⟩ on its last qubit is 0.6. What is the probability "
        "of measuring 0 on that qubit?",
        "answer": 0.8,
        "tolerance": 1e-3,
        "explanation": "⟨Z⟩ = P(0) − P(1) and P(0) + P(1) = 1, so P(0) = (1 + ⟨Z⟩)/2 = 0.8.",
    },
    {
        "id": "09.q4",
        "question": "On a real device the QNN's output is estimated from shots. What about "
        "its parameter-shift gradients?",
        "choices": {
            "a": "They are exact.",
            "b": "They are unbiased but noisy, with an error that shrinks like 1/√shots.",
            "c": "They are biased by the shift of π/2.",
        },
        "answer": "b",
        "explanation": "The rule is exact for exact expectation values, so averaging shots "
        "gives an unbiased estimate; its spread falls like 1/√shots, as for any mean.",
    },
]
