"""Concept checks of lesson 13 (variational regression)."""

CONCEPTS = [
    {
        "id": "13.q1",
        "question": "A one-qubit model uploads x three times, as RY(x), between trainable "
        "layers, and outputs <Z>. Which frequencies can its Fourier series in x contain?",
        "choices": {
            "a": "0, ±1, ±2 and ±3: each upload adds at most one to the largest frequency.",
            "b": "0 to ±8, because three uploads make 2^3 combinations.",
            "c": "Only ±3, the number of uploads.",
        },
        "answer": "a",
        "explanation": "The eigenvalues of Y/2 are ±1/2, so one upload contributes phase "
        "differences -1, 0 or 1; three uploads add up to at most 3 (Schuld, Sweke and Meyer "
        "2021). The trainable layers choose the coefficients, never new frequencies.",
    },
    {
        "id": "13.q2",
        "question": "The encoding RY(2x) (the input scaled by 2) is uploaded twice. What is "
        "the largest frequency of the model's Fourier series in x?",
        "answer": 4,
        "tolerance": 1e-6,
        "explanation": "Scaling the input scales every frequency: RY(2x) alone gives "
        "frequencies 0 and ±2, so two uploads reach ±4 (with gaps: only even frequencies). "
        "Trainable input scalings are a way to widen the spectrum without more uploads.",
    },
    {
        "id": "13.q3",
        "question": "A model outputs f = <Z>, but the targets lie between 25 and 346. Which "
        "change lets it fit them without changing the circuit?",
        "choices": {
            "a": "f = a<Z> + b with a trainable scale a and offset b (or rescale the targets "
            "into [-1, 1] and undo it in predict).",
            "b": "More qubits.",
            "c": "More re-uploading layers.",
        },
        "answer": "a",
        "explanation": "An expectation value of Z lies in [-1, 1] whatever the circuit; only "
        "a classical affine map on the output (or on the targets) changes the range.",
    },
    {
        "id": "13.q4",
        "question": "A regressor has a test R^2 of 0. What does that mean?",
        "choices": {
            "a": "Its squared error is as large as that of always predicting the mean target: "
            "it explains none of the variance.",
            "b": "Its predictions are all zero.",
            "c": "It is perfect.",
        },
        "answer": "a",
        "explanation": "R^2 = 1 - SSE / SST compares the model with the constant mean. R^2 = 1 "
        "is perfect, 0 is no better than the mean, and a negative R^2 is worse than the mean.",
    },
    {
        "id": "13.q5",
        "question": "Why are the scaler and the PCA fitted on the training set only?",
        "choices": {
            "a": "Fitted on all the data they would carry information about the test set into "
            "the model, and the test score would be optimistic.",
            "b": "Because PCA is too slow on the full data set.",
            "c": "It makes no difference.",
        },
        "answer": "a",
        "explanation": "Every step that learns from data (means, variances, principal "
        "directions) is part of the model; a scikit-learn Pipeline fits them on the training "
        "data and only applies them to the test data.",
    },
]
