"""Concept checks of lesson 06 (quantum kernels and the QSVM)."""

CONCEPTS = [
    {
        "id": "06.q1",
        "question": "The fidelity kernel k(x, x′) = |⟨φ(x)|φ(x′)⟩|² of two data points is 1. "
        "What does that mean?",
        "choices": {
            "a": "The two points are equal.",
            "b": "Their encoded states are the same up to a global phase, which can happen "
            "for different x and x′ (e.g. angles a period apart).",
            "c": "Their states are orthogonal.",
        },
        "answer": "b",
        "explanation": "k = 1 says the states coincide, not the data: the model cannot tell "
        "x from x′. Orthogonal states give k = 0.",
    },
    {
        "id": "06.q2",
        "question": "What is k(x, x) for the fidelity kernel of any pure-state encoding?",
        "answer": 1,
        "tolerance": 1e-6,
        "explanation": "|⟨φ(x)|φ(x)⟩|² = 1 because the state is normalised, so the Gram "
        "matrix has ones on its diagonal.",
    },
    {
        "id": "06.q3",
        "question": "Exponential concentration: for an expressive feature map on many qubits, "
        "the off-diagonal kernel values…",
        "choices": {
            "a": "spread evenly over [0, 1]",
            "b": "concentrate around a tiny value (about 2^−n), so the Gram matrix approaches "
            "the identity and resolving the values takes exponentially many shots",
            "c": "all approach 1",
        },
        "answer": "b",
        "explanation": "Random-looking states in 2^n dimensions are nearly orthogonal. The "
        "kernel values then carry almost no information, and shot noise of order 1/√shots "
        "swamps them.",
    },
    {
        "id": "06.q4",
        "question": "An SVM is trained on a Gram matrix close to the identity. What happens?",
        "choices": {
            "a": "It generalises well, because training is easy.",
            "b": "It fits (memorises) the training points but cannot generalise: every new "
            "point looks unlike all of them.",
            "c": "Training fails with an error.",
        },
        "answer": "b",
        "explanation": "With k(x, x′) ≈ 0 for all distinct points, the decision function on a "
        "new point is close to the bias alone. This is why the kernel's bandwidth matters.",
    },
    {
        "id": "06.q5",
        "question": "What does kernel-target alignment measure?",
        "choices": {
            "a": "How fast the kernel is to compute.",
            "b": "How similar the kernel matrix is to the ideal one built from the labels, "
            "yyᵀ (a normalised Frobenius inner product).",
            "c": "The test accuracy of the SVM.",
        },
        "answer": "b",
        "explanation": "A = ⟨K, yyᵀ⟩_F / (‖K‖_F ‖yyᵀ‖_F). It is large when same-label points "
        "have large kernel values and different-label points small ones; it can be computed "
        "without training an SVM.",
    },
]
