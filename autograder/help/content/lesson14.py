"""Concept checks of lesson 14 (the same model in Qiskit, PennyLane, Cirq and PyTorch)."""

CONCEPTS = [
    {
        "id": "14.q1",
        "question": "A 3-qubit state has all its amplitude at index 1 of Qiskit's statevector "
        "(qubit 0 is 1, the others 0). At which index of PennyLane's qml.state() is it?",
        "answer": 4,
        "tolerance": 0.1,
        "explanation": "Qiskit's index 1 is the bitstring 001 read as q2 q1 q0. PennyLane "
        "writes wire 0 first, w0 w1 w2 = 100, which is index 4. Reversing the bits of the "
        "index converts between the two orders; v[::-1] would send index 1 to 6 instead.",
    },
    {
        "id": "14.q2",
        "question": "qiskit-machine-learning's VQC with two classes and no interpret argument "
        "maps a measured integer k to the class k % 2. What read-out is that?",
        "choices": {
            "a": "The parity of all the measured bits.",
            "b": "The value of qubit 0 alone (the last bit of k in Qiskit's order).",
            "c": "The value of the highest qubit.",
        },
        "answer": "b",
        "explanation": "k % 2 is the least-significant bit of k, which in Qiskit's order is "
        "qubit 0. The parity read-out of lesson 08 counts the 1s of every bit: "
        "bin(k).count('1') % 2. Pass it as interpret=parity with output_shape=2.",
    },
    {
        "id": "14.q3",
        "question": "Why are qiskit-machine-learning's gradients slower on a simulator than "
        "those of PennyLane's lightning.qubit with diff_method='adjoint'?",
        "choices": {
            "a": "Qiskit's simulator is written in Python.",
            "b": "The parameter-shift rule runs two circuits per weight and per data point; "
            "the adjoint method gets every derivative from one forward and one backward "
            "sweep over the stored state.",
            "c": "PennyLane uses fewer qubits.",
        },
        "answer": "b",
        "explanation": "The adjoint method needs the state vector, which only a simulator "
        "has. On hardware a state cannot be stored, and the parameter-shift rule (or "
        "finite differences) is the way to get exact gradients from measurements.",
    },
    {
        "id": "14.q4",
        "question": "A Qiskit circuit is ported to PennyLane with every rz(λ) written as "
        "qml.PhaseShift(λ). Is the ported state right?",
        "choices": {
            "a": "No: the relative phases change.",
            "b": "Yes, up to a global phase: RZ(λ) = e^(-iλ/2) PhaseShift(λ), and a global "
            "phase has no physical effect.",
            "c": "Only for λ = π.",
        },
        "answer": "b",
        "explanation": "diag(e^(-iλ/2), e^(iλ/2)) = e^(-iλ/2) diag(1, e^(iλ)): the factor "
        "multiplies the whole state. It would matter only for a controlled rotation, where it "
        "becomes a relative phase between the control's branches.",
    },
]
