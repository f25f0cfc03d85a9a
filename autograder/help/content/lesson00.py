"""Concept checks of lesson 00 (getting started)."""

CONCEPTS = [
    {
        "id": "00.q1",
        "question": "A 3-qubit Qiskit circuit has a single X gate, on qubit 0. Which basis "
        "state does it prepare, in Qiskit's notation?",
        "choices": {"a": "|100⟩", "b": "|001⟩", "c": "|010⟩"},
        "answer": "b",
        "explanation": "Qiskit writes qubit 0 as the rightmost character of a bitstring "
        "(little-endian order), so X on qubit 0 gives |001⟩, the basis state with index 1. "
        "Many textbooks write qubit 0 on the left; the lessons always use Qiskit's order.",
    },
    {
        "id": "00.q2",
        "question": "A circuit that prepares |+⟩ is measured in 1000 shots. What is the "
        "expected number of shots that give 0?",
        "answer": 500,
        "tolerance": 0.5,
        "explanation": "P(0) = |1/√2|² = 1/2, so 500 is expected. One run of 1000 shots "
        "gives a number near 500 but rarely exactly 500: the count has a standard deviation "
        "of √(1000 · 1/2 · 1/2) ≈ 16.",
    },
    {
        "id": "00.q3",
        "question": "A lesson's backend setting is switched from the exact simulator to a "
        "fake device. What changes?",
        "choices": {
            "a": "The code of your circuits: you have to rewrite them for the device.",
            "b": "How they run: they are transpiled to the device's gates and connections and "
            "simulated with its noise model, so the counts get noisier.",
            "c": "Nothing: a fake device is the exact simulator under another name.",
        },
        "answer": "b",
        "explanation": "A fake device is a local simulator that carries a snapshot of a real "
        "device's gate set, connectivity and calibrated error rates. Your circuits stay as "
        "they are; the results show the noise, as on the real device, but with no queue and "
        "no account.",
    },
]
