"""Concept checks of lesson 04 (measurement, observables and noise)."""

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
