"""Concept checks of lesson 07 (variational circuits and gradients)."""

CONCEPTS = [
    {
        "id": "07.q1",
        "question": "Why is the parameter-shift rule preferred on hardware to a finite "
        "difference (f(θ + h) − f(θ − h))/(2h) with small h?",
        "choices": {
            "a": "It needs fewer circuit runs.",
            "b": "Its shifts are large (π/2) and it is exact, so the shot noise is not "
            "divided by a small h; a finite difference amplifies the noise by about 1/h and "
            "is biased.",
            "c": "It needs no circuit runs.",
        },
        "answer": "b",
        "explanation": "Both need two evaluations per parameter. With shots, each evaluation "
        "has an error of order 1/√shots; dividing by 2h with h = 0.01 multiplies that by 50, "
        "while the parameter-shift rule divides by 2.",
    },
    {
        "id": "07.q2",
        "question": "Deep random circuits with a global cost function: how does the variance "
        "of a gradient component, Var[∂C], change with the number of qubits n?",
        "choices": {
            "a": "It shrinks exponentially in n: the gradients vanish (a barren plateau) and "
            "exponentially many shots are needed to resolve them.",
            "b": "It grows with n.",
            "c": "It does not depend on n.",
        },
        "answer": "a",
        "explanation": "McClean et al. (2018) showed that for circuits random enough to form "
        "2-designs the gradient concentrates around 0 with a variance decaying like 2^−n. "
        "Shallow circuits with local cost functions decay only polynomially (Cerezo et al. "
        "2021).",
    },
    {
        "id": "07.q3",
        "question": "How many circuit evaluations does the parameter-shift gradient of 10 "
        "parameters need (each parameter in one gate)?",
        "answer": 20,
        "tolerance": 1e-6,
        "explanation": "Two shifted evaluations per parameter, 2 × 10 = 20, each itself an "
        "estimate from many shots.",
    },
    {
        "id": "07.q4",
        "question": "The variational principle: for any normalised trial state, ⟨ψ|H|ψ⟩ is…",
        "choices": {
            "a": "at least the ground energy, equal only for a ground state",
            "b": "at most the ground energy",
            "c": "equal to the ground energy",
        },
        "answer": "a",
        "explanation": "Expand ψ in eigenstates of H: ⟨H⟩ = Σ |c_k|² E_k ≥ E_0. That is why "
        "VQE minimises: every estimate is an upper bound, and a lower energy is a better one.",
    },
    {
        "id": "07.q5",
        "question": "A controlled rotation CRY(θ) has generator |1⟩⟨1| ⊗ Y/2 with eigenvalues "
        "0, +1/2 and −1/2. Why is the two-term rule [C(θ + π/2) − C(θ − π/2)]/2 not exact "
        "for it?",
        "choices": {
            "a": "Because the gate is not unitary.",
            "b": "Because the eigenvalue differences are 1/2 and 1: C(θ) contains frequencies "
            "1/2 and 1, and two evaluations cannot pin down both; the four-term rule (shifts "
            "±π/2 and ±3π/2) can.",
            "c": "Because controlled gates cannot be simulated classically.",
        },
        "answer": "b",
        "explanation": "The two-term rule is exact for a cost of the form a + b cos θ + "
        "c sin θ, which is what a generator with two eigenvalues ±1/2 gives. With eigenvalues "
        "0, ±1/2 the cost is a trigonometric polynomial with frequencies 1/2 and 1 (five "
        "coefficients); the four-term rule of Anselmetti et al. (2021) differentiates it "
        "exactly, as does writing CRY as two RY(±θ/2) gates and CNOTs and using the rule "
        "for a shared parameter.",
    },
]
