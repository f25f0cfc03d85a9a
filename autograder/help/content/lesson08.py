"""Concept checks of lesson 08 (the variational quantum classifier)."""

CONCEPTS = [
    {
        "id": "08.q1",
        "question": "A VQC reaches 100% accuracy on its training data and 60% on test data. "
        "What is going on?",
        "choices": {
            "a": "It over-fits. Only the accuracy on data never used for training or model "
            "choice tells how it generalises.",
            "b": "Nothing: the training accuracy is what counts.",
            "c": "It under-fits.",
        },
        "answer": "a",
        "explanation": "A model that fits its training set but not new data has learned the "
        "sample, not the pattern. Report held-out accuracy, over several seeds.",
    },
    {
        "id": "08.q2",
        "question": "What is the binary cross-entropy (natural log) of the prediction "
        "p = 0.5 for a sample with label y = 1?",
        "answer": 0.6931,
        "tolerance": 1e-3,
        "explanation": "−ln(0.5) = ln 2 ≈ 0.693: the loss of a model that always answers "
        "50/50. A trained classifier should do better than that on average.",
    },
    {
        "id": "08.q3",
        "question": "Why does data re-uploading (encoding x again in every layer) help?",
        "choices": {
            "a": "A model that encodes x once with RY(x) can only output a degree-1 Fourier "
            "series in x (frequencies 0 and 1); encoding it L times allows frequencies up "
            "to L.",
            "b": "It reduces the number of parameters.",
            "c": "It removes noise.",
        },
        "answer": "a",
        "explanation": "The output of such a model is a Fourier series whose frequencies are "
        "the differences of the encoding generator's eigenvalues (Schuld, Sweke and Meyer "
        "2021). RY(x) = exp(−ixY/2) gives differences −1, 0, 1; L repetitions give −L … L, "
        "so the model can draw more complex decision boundaries.",
    },
    {
        "id": "08.q4",
        "question": "What makes a comparison of a VQC with a classical model honest?",
        "choices": {
            "a": "The same data split, a tuned classical baseline (e.g. an RBF SVM with a "
            "grid search), and mean ± spread over several seeds.",
            "b": "Comparing with an untuned logistic regression on the training data.",
            "c": "Reporting the best of ten VQC runs.",
        },
        "answer": "a",
        "explanation": "Untuned baselines, training accuracy and best-of-many runs all "
        "flatter the new model. The lesson's section on honest evaluation does it properly.",
    },
    {
        "id": "08.q5",
        "question": "The same VQC loss, evaluated along a line in weight space, is drawn once "
        "exactly and once on a noisy device with shots. What does the noise do to the curve?",
        "choices": {
            "a": "It pulls every class probability towards 1/K, so the curve is flatter and "
            "its minimum is higher; shot noise adds a small jitter on top.",
            "b": "It moves the minimum to a random place in weight space.",
            "c": "Nothing on average: noise only adds jitter that cancels out.",
        },
        "answer": "a",
        "explanation": "Depolarising-like noise mixes the state with the maximally mixed one, "
        "which gives every class probability 1/K: the model becomes less confident everywhere, "
        "gradients shrink and the loss cannot go as low. Shot noise is a random error of about "
        "1/sqrt(shots) on each probability.",
    },
]
