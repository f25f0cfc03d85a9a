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
        "question": "A feature map is trained to maximise kernel-target alignment on the "
        "training set. Why must it still be judged on a held-out test set?",
        "choices": {
            "a": "It need not: high alignment guarantees high test accuracy.",
            "b": "The alignment was maximised on the training labels, so it can overfit them "
            "like any trained model: only data the training never saw measures generalisation.",
            "c": "Because the alignment cannot exceed 0.5.",
        },
        "answer": "b",
        "explanation": "Training the kernel is learning. A flexible map can raise the training "
        "alignment by memorising the training points (the Gram matrix then tends to the "
        "block matrix of the labels on them only), which says nothing about new points.",
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
        "question": "The geometric difference g(K_C ‖ K_Q) between a tuned classical kernel and "
        "a quantum kernel is about 1.2 on your data. What does that tell you?",
        "choices": {
            "a": "The quantum kernel has a large advantage for these data.",
            "b": "With this much data, the classical kernel can learn any labelling about as "
            "well as the quantum kernel: no room for a quantum advantage with it.",
            "c": "The two kernels will give the same predictions.",
        },
        "answer": "b",
        "explanation": "Huang et al. (2021) show that for every labelling the model complexity "
        "that bounds the classical kernel's prediction error is at most g² times the quantum "
        "kernel's (s_C ≤ g² s_Q), so its error bound is at most about g times larger. A g close to 1 "
        "leaves no room for an advantage; a large g (of the order of √n) is necessary, though not "
        "sufficient: the labels must also be of the kind the quantum kernel fits.",
    },
]
