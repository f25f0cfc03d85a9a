"""Concept checks of lesson 11 (running on IBM Quantum)."""

CONCEPTS = [
    {
        "id": "11.q1",
        "question": "What does zero-noise extrapolation assume?",
        "choices": {
            "a": "That the noise can be amplified in a controlled way (e.g. by gate folding) "
            "and the expectation value changes smoothly with the noise scale, so the curve "
            "can be extrapolated to scale 0.",
            "b": "That more shots remove the noise.",
            "c": "That the device is noiseless at scale 1.",
        },
        "answer": "a",
        "explanation": "ZNE measures at scales 1, 3, 5, … and extrapolates. It reduces the "
        "bias from noise, at the price of a larger statistical error: the extrapolated value "
        "needs an error bar.",
    },
    {
        "id": "11.q2",
        "question": "What does dynamical decoupling protect?",
        "choices": {
            "a": "Idle qubits: pulse sequences (e.g. X–X) in their idle windows refocus slow "
            "errors such as dephasing from a static frequency offset.",
            "b": "Measurements.",
            "c": "Qubits while gates act on them.",
        },
        "answer": "a",
        "explanation": "Like a spin echo, a pair of X pulses reverses the phase a qubit "
        "accumulates from a constant detuning, so it cancels; it does not help against fast "
        "noise or gate errors.",
    },
    {
        "id": "11.q3",
        "question": "What does a fake backend run on your computer NOT model?",
        "choices": {
            "a": "The device's coupling map.",
            "b": "The device's basis gates.",
            "c": "The queue, the drift of the device since its calibration snapshot, and "
            "errors outside its noise model such as cross-talk.",
        },
        "answer": "c",
        "explanation": "A fake backend copies the device's layout, gate set and one "
        "calibration's error rates into a local noise model. Real runs differ: the device "
        "drifts, and its errors are not all in that model.",
    },
    {
        "id": "11.q4",
        "question": "Richardson extrapolation through the values 0.8 at scale 1 and 0.6 at "
        "scale 3: what is the value at scale 0?",
        "answer": 0.9,
        "tolerance": 1e-3,
        "explanation": "Two points give a straight line with slope (0.6 − 0.8)/(3 − 1) = "
        "−0.1 per unit of scale, so at 0 it is 0.8 + 0.1 = 0.9.",
    },
    {
        "id": "11.q5",
        "question": "Why must circuits sent to IBM's primitives be ISA circuits?",
        "choices": {
            "a": "The primitives do not transpile for you: a circuit must already use the "
            "target's basis gates and connections.",
            "b": "Only for speed: the service would transpile them anyway.",
        },
        "answer": "a",
        "explanation": "Since 2024 IBM Quantum's primitives reject circuits that are not "
        "written for the target (its instruction set architecture). Transpiling yourself "
        "also lets you see and control what will run.",
    },
]
