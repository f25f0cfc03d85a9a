"""Concept checks of lesson 12 (quantum convolutional neural networks)."""

CONCEPTS = [
    {
        "id": "12.q1",
        "question": "A QCNN on 16 qubits has levels of one convolution (3 shared angles) and "
        "one pooling (3 shared angles), each level halving the active qubits, and one final "
        "rotation (1 angle). How many trainable angles does it have?",
        "answer": 25,
        "tolerance": 0,
        "explanation": "16 → 8 → 4 → 2 → 1 takes log2(16) = 4 levels of 6 angles, plus 1: "
        "25. Shared angles make the count grow with log n, not with n.",
    },
    {
        "id": "12.q2",
        "question": "Why does a pooling layer not need a mid-circuit measurement?",
        "choices": {
            "a": "Measuring the source and rotating the sink depending on the outcome gives "
            "the sink the same state as a controlled rotation followed by ignoring the source "
            "(the principle of deferred measurement).",
            "b": "Because the source qubit is always in state |0> after the convolution.",
            "c": "It does: without the measurement the pooling layer is the identity.",
        },
        "answer": "a",
        "explanation": "A measurement whose outcome only controls later gates can be moved to "
        "the end and replaced by quantum controls. A qubit that is never used again need not "
        "be measured at all: tracing it out gives the same statistics for the others.",
    },
    {
        "id": "12.q3",
        "question": "What do Pesah et al. (2021) prove about the gradients of QCNNs?",
        "choices": {
            "a": "Their variance vanishes at most polynomially in the number of qubits, so "
            "QCNNs do not have barren plateaus (for random two-qubit blocks).",
            "b": "Their variance vanishes exponentially, as for deep hardware-efficient circuits.",
            "c": "Their gradients are exactly zero at random initial angles.",
        },
        "answer": "a",
        "explanation": "The read-out observable acts on one qubit and the circuit has "
        "logarithmic depth, so its backward light cone stays small; the authors show the "
        "gradient variance decays no faster than a polynomial in n.",
    },
    {
        "id": "12.q4",
        "question": "In this lesson a logistic regression on two correlators classifies the "
        "Ising phases at least as well as the QCNN. What does that show?",
        "choices": {
            "a": "This task does not need a quantum model once the right correlators are "
            "measured; the QCNN's interest is that it acts on the state itself and finds a "
            "useful measurement by training.",
            "b": "That the QCNN is broken.",
            "c": "That classical models always beat quantum ones.",
        },
        "answer": "a",
        "explanation": "The baseline was given the physics (the order parameter and the "
        "magnetisation). A QCNN can be run on an unknown state from an experiment, with one "
        "measured qubit; whether it beats classical methods on some quantum data is open.",
    },
]
