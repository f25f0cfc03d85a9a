"""Hints and concept checks of lesson 09 (quantum neural networks and hybrid models)."""

HINTS = {
    "09.qnn_forward": [
        "Build the circuit the lesson describes: RY(x_i) on qubit i, then for each row of "
        "`weights` an RY on every qubit and a CNOT chain CX(0, 1), CX(1, 2), …; the lesson's "
        "`qnn_circuit(x, weights)` does that.",
        "The output is ⟨Z⟩ of the last qubit, n − 1. In a Pauli string the last qubit is the "
        "leftmost character: `SparsePauliOp('Z' + 'I' * (n - 1))`.",
        "`Statevector(circuit).expectation_value(op)` is a complex number: return its real "
        "part as a float.",
    ],
    "09.qnn_weight_gradient": [
        "Every weight enters exactly one RY gate, so the parameter-shift rule with shifts of "
        "±π/2 is exact for each of them.",
        "Loop over `np.ndindex(weights.shape)`: shift one weight up and down, call your "
        "`qnn_forward`, and take half the difference.",
        "Return an array of the shape of `weights`, (L, n); shift copies, not the weights "
        "themselves.",
    ],
    "09.train_hybrid": [
        "The lesson's `QNNClassifier` is a complete hybrid model (a classical layer, the QNN "
        "and a logistic output); fitting it is the short way.",
        "A small circuit (2 qubits, 2 layers) and a gradient-based optimiser such as "
        "L-BFGS-B train fast with the exact gradients.",
        "Fix `random_state`, keep maxiter modest, and look at the accuracy on held-out data "
        "before you rely on the model.",
    ],
}

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
