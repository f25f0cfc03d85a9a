"""Concept checks of lesson 16 (the capstone project)."""

CONCEPTS = [
    {
        "id": "16.q1",
        "question": "You standardise all 200 rows of a data set, then split them into training "
        "and test rows and fit a model on the training rows. What is wrong?",
        "choices": {
            "a": "Nothing: standardising does not look at the labels.",
            "b": "The scaler's means and standard deviations were computed with the test rows, "
            "so the test rows influenced the model: a (mild) leak that makes the test score "
            "optimistic; fit the scaler on the training rows only, e.g. inside a Pipeline.",
            "c": "Standardising is never allowed before a quantum model.",
        },
        "answer": "b",
        "explanation": "Every step that learns numbers from data (scalers, PCA, feature "
        "selection, the model) must learn them from the training rows alone; otherwise the "
        "test score no longer estimates the error on new data. With label-dependent steps such "
        "as feature selection the leak can be dramatic (section 1 shows chance level, 0.5, turn into almost 0.8).",
    },
    {
        "id": "16.q2",
        "question": "You try 12 hyperparameter settings by 5-fold cross-validation on the "
        "training rows and keep the best. Why is its cross-validation score not a fair "
        "estimate of its accuracy on new data?",
        "choices": {
            "a": "Because the maximum of 12 noisy estimates is biased upwards: the winner was "
            "partly chosen for its luck on these folds. The untouched test rows give the fair "
            "estimate.",
            "b": "Because cross-validation uses too little data.",
            "c": "It is a fair estimate; the test set is only needed for the baseline.",
        },
        "answer": "a",
        "explanation": "Selection on noisy scores favours settings whose noise happened to be "
        "positive (the winner's curse). That is why the test set is used once, at the end, for "
        "the chosen model only.",
    },
    {
        "id": "16.q3",
        "question": "A model scores an accuracy of 0.90 on 60 test rows. What is the standard "
        "error of that accuracy, sqrt(a(1 − a)/n)? (a number, to 2 decimals)",
        "answer": 0.039,
        "tolerance": 0.005,
        "explanation": "sqrt(0.9 × 0.1 / 60) = 0.039. Two models whose test accuracies differ by "
        "0.02 on 60 rows are not told apart by that test set; say so in the report.",
    },
    {
        "id": "16.q4",
        "question": "Your quantum model reaches 0.93 on the test rows and a logistic regression "
        "0.95. What does an honest report conclude?",
        "choices": {
            "a": "The quantum model is better because it is quantum.",
            "b": "On this data set the classical baseline is at least as good; the difference "
            "is within the test set's uncertainty. Any claim of an advantage needs a data set "
            "and a comparison where the quantum model wins beyond that uncertainty.",
            "c": "The comparison is unfair because the baseline is classical.",
        },
        "answer": "b",
        "explanation": "A baseline is there to be beaten, and most small tabular data sets are "
        "easy for classical models. Reporting a tie or a loss honestly is a good result of a "
        "project.",
    },
]
