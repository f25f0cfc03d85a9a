"""Concept checks of lesson 01 (qubits, the Born rule, the Bloch sphere)."""

CONCEPTS = [
    {
        "id": "01.q1",
        "question": "|ψ⟩ and e^{iα}|ψ⟩ (α any real number) give…",
        "choices": {
            "a": "different probabilities in the Z basis, the same in the X basis",
            "b": "the same probabilities for every measurement, in every basis",
            "c": "the same Z-basis probabilities, but an X-basis measurement tells them apart",
        },
        "answer": "b",
        "explanation": "Every probability has the form |⟨m|ψ⟩|², and |e^{iα}| = 1 drops out. "
        "Gates applied before the measurement are linear, U e^{iα}|ψ⟩ = e^{iα} U|ψ⟩, so the "
        "factor never becomes observable. A global phase is not physical: both vectors "
        "describe the same state.",
    },
    {
        "id": "01.q2",
        "question": "(|0⟩ + |1⟩)/√2 and (|0⟩ − |1⟩)/√2 differ only by the sign of one "
        "amplitude. Can a measurement tell them apart?",
        "choices": {
            "a": "No: they differ by a phase, and phases are unobservable.",
            "b": "Not in the Z basis, where both give 50/50; but H followed by a Z measurement "
            "tells them apart with certainty.",
            "c": "Yes, already in the Z basis.",
        },
        "answer": "b",
        "explanation": "The minus sign is a relative phase, between the two amplitudes, not a "
        "global one. H maps |+⟩ to |0⟩ and |−⟩ to |1⟩, so a measurement in the X basis "
        "separates them perfectly, while the Z basis gives 50/50 for both.",
    },
    {
        "id": "01.q3",
        "question": "A qubit is in 0.6|0⟩ + 0.8i|1⟩. What is the probability of measuring 1?",
        "answer": 0.64,
        "tolerance": 1e-3,
        "explanation": "|0.8i|² = 0.8² = 0.64. The factor i is a phase of the amplitude and "
        "does not change its magnitude.",
    },
    {
        "id": "01.q4",
        "question": "Where on the Bloch sphere is (|0⟩ + i|1⟩)/√2?",
        "choices": {
            "a": "At the north pole",
            "b": "On the equator, on the +y axis",
            "c": "On the equator, on the −x axis",
        },
        "answer": "b",
        "explanation": "Equal magnitudes give θ = π/2 (the equator); the relative phase "
        "i = e^{iπ/2} gives φ = π/2, the +y direction.",
    },
    {
        "id": "01.q5",
        "question": "Two orthogonal qubit states, such as |0⟩ and |1⟩: what is the angle, "
        "in degrees, between their Bloch vectors?",
        "answer": 180,
        "tolerance": 0.5,
        "explanation": "Orthogonal states are antipodal on the Bloch sphere. Angles on the "
        "sphere are twice the angles between state vectors: |ψ(θ)⟩ uses θ/2.",
    },
]
