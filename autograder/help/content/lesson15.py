"""Concept checks of lesson 15 (what quantum machine learning can and cannot do)."""

CONCEPTS = [
    {
        "id": "15.q1",
        "question": "A paper claims an exponential speed-up for a quantum classifier on a "
        "data set of N = 2^n real numbers per sample, loaded by amplitude encoding. What is "
        "the first thing to check?",
        "choices": {
            "a": "How the data are loaded: preparing an arbitrary amplitude-encoded state "
            "takes about 2^n gates, which alone cancels a polylog(N) running time.",
            "b": "Whether the classifier uses enough qubits.",
            "c": "Nothing: amplitude encoding stores 2^n numbers in n qubits, so the speed-up "
            "is automatic.",
        },
        "answer": "a",
        "explanation": "Storing is not loading. The lesson counted 2^n - n - 1 CNOTs for "
        "Qiskit's state preparation. A speed-up needs the state from a cheap source (a "
        "structured vector, a quantum RAM, or quantum data).",
    },
    {
        "id": "15.q2",
        "question": "Classical shadows estimate a Pauli string of weight w from N random "
        "Pauli-basis snapshots. By what factor must N grow, for the same Hoeffding "
        "guarantee, when w goes from 2 to 3?",
        "answer": 9,
        "tolerance": 1e-9,
        "explanation": "The bound N = 2 · 9^w · ln(2M/δ) / ε² grows by 9 per extra "
        "non-identity qubit (a snapshot estimate ranges over ±3^w, and Hoeffding squares the "
        "range). With a median of means it is 3 per qubit: local observables are cheap.",
    },
    {
        "id": "15.q3",
        "question": "Why can a classical model reproduce a trained data re-uploading "
        "classifier with L layers of RY(x_i) encodings?",
        "choices": {
            "a": "Its output is a trigonometric polynomial with integer frequencies at most L "
            "in each feature; only the coefficients depend on the trained weights, so least "
            "squares on cos and sin features recovers them.",
            "b": "Because the circuit has no entangling gates.",
            "c": "Because the model was trained with exact gradients.",
        },
        "answer": "a",
        "explanation": "The frequencies are fixed by the encoding (Schuld, Sweke and Meyer "
        "2021). The surrogate (Schreiber et al. 2023) agrees with the quantum model to "
        "rounding error when its basis holds all of them; for very many frequencies one "
        "samples some of them (random Fourier features).",
    },
    {
        "id": "15.q4",
        "question": "Where has a quantum advantage in learning been proven and demonstrated "
        "experimentally?",
        "choices": {
            "a": "Learning properties of quantum states from quantum data with a quantum "
            "memory: exponentially fewer experiments than any single-copy strategy.",
            "b": "Classifying images faster than a GPU.",
            "c": "Training any variational classifier on classical data with fewer samples.",
        },
        "answer": "a",
        "explanation": "Huang, Kueng and Preskill (2021) proved such separations, and Huang "
        "et al. (Science, 2022) showed them on a superconducting processor. The advantage is "
        "in the number of experiments on quantum data, not in processing classical data.",
    },
    {
        "id": "15.q5",
        "question": "An expectation value is estimated from shots with error 0.01. About how "
        "many times more shots does an error of 0.001 need?",
        "answer": 100,
        "tolerance": 1e-9,
        "explanation": "The standard deviation falls like 1/√N, so N grows like 1/ε²: ten "
        "times more accuracy costs a hundred times more shots.",
    },
]
