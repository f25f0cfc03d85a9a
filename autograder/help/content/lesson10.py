"""Concept checks of lesson 10 (quantum Boltzmann machines and quantum circuit Born machines)."""

CONCEPTS = [
    {
        "id": "10.q1",
        "question": "As β → ∞ (the temperature goes to 0), the Boltzmann distribution…",
        "choices": {
            "a": "becomes uniform",
            "b": "concentrates on the lowest-energy state(s)",
            "c": "concentrates on the highest-energy state",
        },
        "answer": "b",
        "explanation": "p_i ∝ exp(−β(E_i − E_min)); every state above the minimum is "
        "suppressed exponentially in β. At β = 0 the distribution is uniform.",
    },
    {
        "id": "10.q2",
        "question": "Two states have energies 0 and 1, at β = ln 3. What is the probability "
        "of the lower one?",
        "answer": 0.75,
        "tolerance": 1e-3,
        "explanation": "The weights are 1 and exp(−ln 3) = 1/3, so p = 1 / (1 + 1/3) = 3/4.",
    },
    {
        "id": "10.q3",
        "question": "Why does the bound-based training of Amin et al. (2018) keep the "
        "transverse field Γ fixed?",
        "choices": {
            "a": "Because X terms do not change the diagonal probabilities.",
            "b": "The bound that makes the gradients of the Z and ZZ weights simple would "
            "drive Γ to zero, so Γ is a fixed hyperparameter instead.",
            "c": "Because Γ must stay negative.",
        },
        "answer": "b",
        "explanation": "X terms do change the probabilities (they make ρ non-diagonal "
        "before its diagonal is read). The exact log-likelihood gradient is hard to compute; "
        "the bound's is easy for diagonal terms but useless for Γ.",
    },
    {
        "id": "10.q4",
        "question": "Where is the quantum computer in this lesson's QBM?",
        "choices": {
            "a": "Nowhere: every distribution is computed by diagonalising a 2^n × 2^n "
            "matrix on a classical computer. Preparing Gibbs states on hardware is a hard "
            "problem of its own.",
            "b": "The Gibbs state is sampled on a fake device.",
            "c": "The training loop runs on the quantum computer.",
        },
        "answer": "a",
        "explanation": "The lesson's QBM is an exact classical simulation, fine for a few "
        "qubits. A quantum device would be needed to sample Gibbs states too large to "
        "diagonalise, and preparing them is itself costly.",
    },
    {
        "id": "10.q5",
        "question": "Why is a quantum circuit Born machine trained with the MMD loss rather "
        "than with the KL divergence (the log-likelihood) used for the Boltzmann machines?",
        "choices": {
            "a": "The MMD is always smaller than the KL divergence.",
            "b": "MMD² only needs expectations over samples, which a device gives, and stays "
            "finite when the model gives probability 0 to a data point; the log-likelihood "
            "needs the probabilities p(x) themselves, which shots estimate badly where they "
            "are small.",
            "c": "The KL divergence has no gradient for circuits.",
        },
        "answer": "b",
        "explanation": "A circuit gives samples, not probabilities. MMD² = E k(x, x') − 2 E "
        "k(x, y) + E k(y, y') is estimated directly from samples, and its gradient by the "
        "parameter-shift rule is again a difference of such expectations. log p(x) would "
        "need p(x) to high relative precision, and is −∞ for a bitstring the model never "
        "produces.",
    },
]
