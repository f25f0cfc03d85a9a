"""Hints and concept checks of lesson 04 (measurement, observables and noise)."""

HINTS = {
    "04.expectation_from_counts": [
        "Every shot gives an eigenvalue +1 or −1 of the Pauli string: the parity of the "
        "measured bits under its Z letters.",
        "Character i of the Pauli string belongs to character i of each bitstring (both are "
        "written with qubit 0 on the right), so compare positions directly.",
        "Sum (−1)^(number of 1s under a Z) × count over the outcomes and divide by the total "
        "number of shots.",
    ],
    "04.measure_pauli": [
        "To measure X, rotate the X basis onto the Z basis first with H; for Y, apply S† and "
        "then H.",
        "The Pauli string is written like a bitstring: its last character acts on qubit 0.",
        "Work on `circuit.copy()`, add the rotations, then measure (at least) every qubit "
        "whose letter is not I.",
    ],
    "04.shots_needed": [
        "Hoeffding for the mean of N outcomes in [0, 1]: P(|estimate − p| ≥ ε) ≤ 2·exp(−2Nε²).",
        "Set that bound equal to δ and solve for N: N ≥ ln(2/δ) / (2ε²).",
        "N is a whole number of shots: round up with `math.ceil`. round() or int() can give "
        "one shot too few.",
    ],
    "04.mitigate_readout": [
        "Turn the counts into a probability vector p_noisy. Read-out errors act as "
        "p_noisy = M p_true, with the one-qubit confusion matrix "
        "M = [[1 − p(1|0), p(0|1)], [p(1|0), 1 − p(0|1)]] (columns: true 0, true 1).",
        "Independent errors with the same rates on every qubit: the n-qubit matrix is "
        "M ⊗ M ⊗ … ⊗ M (`np.kron`); solve for p_true with `np.linalg.solve`.",
        "Index the vector with `int(bitstring, 2)`, which matches `np.kron`'s order, and "
        "return a dict with every bitstring. The result is a quasi-probability: it can have "
        "small negative entries.",
    ],
}

CONCEPTS = [
    {
        "id": "04.q1",
        "question": "You estimate ⟨Z⟩ of a qubit from 10 000 shots, and its true value is 0. "
        "What is the standard error of your estimate? (Each shot gives +1 or −1.)",
        "answer": 0.01,
        "tolerance": 1e-3,
        "explanation": "At ⟨Z⟩ = 0 each shot has variance 1, so the mean of N shots has "
        "standard error 1/√N = 1/100. In general it is √((1 − ⟨Z⟩²)/N).",
    },
    {
        "id": "04.q2",
        "question": "By what factor must the number of shots grow to halve the statistical "
        "error of an estimate?",
        "answer": 4,
        "tolerance": 1e-6,
        "explanation": "The error falls like 1/√N: half the error needs four times the shots. "
        "One more decimal digit costs a hundred times more.",
    },
    {
        "id": "04.q3",
        "question": "A device measures only in the Z basis. How do you estimate ⟨X⟩?",
        "choices": {
            "a": "You cannot.",
            "b": "Apply H before measuring: it maps the eigenstates of X to those of Z.",
            "c": "Apply X before measuring.",
        },
        "answer": "b",
        "explanation": "H X H = Z, so measuring Z after H is measuring X before it. For Y, "
        "apply S† and then H. Applying X only relabels the Z outcomes.",
    },
    {
        "id": "04.q4",
        "question": "Read-out mitigation with the inverse of a calibrated confusion matrix "
        "corrects…",
        "choices": {
            "a": "every kind of noise on the device",
            "b": "only the errors made when the qubits are read out, as calibrated; errors of "
            "the gates and decoherence during the circuit remain",
            "c": "gate errors, but not read-out errors",
        },
        "answer": "b",
        "explanation": "The confusion matrix describes only how a prepared basis state is "
        "misread. Inverting it undoes that step (and amplifies shot noise a little); it "
        "knows nothing of what happened earlier in the circuit.",
    },
    {
        "id": "04.q5",
        "question": "What does a fake backend (a 'fake device') model?",
        "choices": {
            "a": "The device's qubits, connections and basis gates, and a noise model built "
            "from one past calibration, simulated on your computer.",
            "b": "The device's live noise and its queue.",
            "c": "Only its gate set, without noise.",
        },
        "answer": "a",
        "explanation": "A fake backend is a snapshot: gate and read-out error rates and T1/T2 "
        "times from one calibration, simulated locally. It does not model the drift of the "
        "real device since then, the queue, or errors its noise model leaves out, such as "
        "cross-talk.",
    },
]
