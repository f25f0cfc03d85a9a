"""Promise audit and hint precision of lesson 16 (the capstone's 16.run_project).

The wrong answers are small projects on 90 rows of the breast-cancer data with a QSVC on
three principal components (fast to fit), each breaking one rule of the statement.
"""

from __future__ import annotations

import numpy as np


def _capstone(seed, **how):
    from sklearn.datasets import load_breast_cancer
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    from qmlkit.models import QSVC

    X_all, y_all = load_breast_cancer(return_X_y=True)
    pick = np.random.default_rng(seed if how.get("seeded_rows", True) else None)
    rows = pick.choice(len(y_all), size=90, replace=False)
    X, y = X_all[rows], y_all[rows]
    if how.get("scale_first"):
        X = StandardScaler().fit_transform(X)  # statistics of every row, test rows included
    if how.get("minmax_first"):
        X = MinMaxScaler((0, np.pi)).fit_transform(X)
    split_seed = how.get("split_seed", seed)
    train, test = train_test_split(
        np.arange(len(y)), test_size=how.get("test_size", 0.3), stratify=y, random_state=split_seed
    )
    if how.get("overlap"):
        test = np.random.default_rng(seed).choice(len(y), size=27, replace=False)
    if how.get("classical_model"):
        model = make_pipeline(StandardScaler(), LogisticRegression())
    else:
        model = make_pipeline(
            StandardScaler(), PCA(3), MinMaxScaler((0, np.pi)), QSVC(reps=1, random_state=seed)
        )
    fit_rows = np.arange(len(y)) if how.get("fit_on_all") else train
    if how.get("fit_on_part"):
        fit_rows = train[: len(train) * 3 // 4]
    model.fit(X[fit_rows], y[fit_rows])
    if how.get("quantum_baseline"):
        baseline = make_pipeline(StandardScaler(), PCA(2), QSVC(reps=1, random_state=seed))
    else:
        baseline = make_pipeline(StandardScaler(), LogisticRegression())
    b_train, b_test = train, test
    if how.get("baseline_other_split"):
        b_train, b_test = train_test_split(
            np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed + 1
        )
    baseline.fit(X[b_train], y[b_train])
    score_rows = train if how.get("score_on_train") else test
    out = {
        "X": X,
        "y": y,
        "train_index": train,
        "test_index": test,
        "model": model,
        "baseline": baseline,
        "test_score": model.score(X[score_rows], y[score_rows]),
        "baseline_score": baseline.score(X[b_test], y[b_test]),
    }
    if how.get("masks"):
        out["train_index"] = np.isin(np.arange(len(y)), train)
        out["test_index"] = np.isin(np.arange(len(y)), test)
    return out


# ------------------------------------------------------------------ correct, other styles


def _capstone_plain(seed):
    return _capstone(seed)


def _capstone_search_and_svm(seed):
    # a permutation split, a grid search as the model, an SVC (decision_function) baseline
    from sklearn.datasets import load_wine
    from sklearn.decomposition import PCA
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    from sklearn.svm import SVC

    from qmlkit.models import QSVC

    X_all, y_all = load_wine(return_X_y=True)
    keep = y_all < 2  # two cultivars
    X, y = X_all[keep], y_all[keep]
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = np.sort(order[:40]), np.sort(order[40:])
    search = GridSearchCV(
        Pipeline(
            [
                ("scale", StandardScaler()),
                ("pca", PCA(2)),
                ("angles", MinMaxScaler((0, np.pi))),
                ("qsvc", QSVC(reps=1, random_state=seed)),
            ]
        ),
        {"qsvc__C": [0.5, 2.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=seed),
    ).fit(X[train], y[train])
    svm = Pipeline([("scale", StandardScaler()), ("svm", SVC(C=1.0))]).fit(X[train], y[train])
    return {
        "X": X,
        "y": y,
        "train_index": train,
        "test_index": test,
        "model": search,
        "baseline": svm,
        "test_score": float(np.mean(search.predict(X[test]) == y[test])),
        "baseline_score": float(np.mean(svm.predict(X[test]) == y[test])),
    }


# ----------------------------------------------------------------------- wrong answers


def _capstone_scaled_first(seed):
    return _capstone(seed, scale_first=True)


def _capstone_overlap(seed):
    return _capstone(seed, overlap=True)


def _capstone_tiny_test(seed):
    return _capstone(seed, test_size=0.05)


def _capstone_classical_model(seed):
    return _capstone(seed, classical_model=True)


def _capstone_score_on_train(seed):
    return _capstone(seed, score_on_train=True)


def _capstone_quantum_baseline(seed):
    return _capstone(seed, quantum_baseline=True)


def _capstone_fixed_seed(seed):
    return _capstone(0)


def _capstone_unseeded_split(seed):
    return _capstone(seed, split_seed=None)


def _capstone_fit_on_all(seed):
    return _capstone(seed, fit_on_all=True)


def _capstone_minmax_first(seed):
    return _capstone(seed, minmax_first=True)


def _capstone_masks(seed):
    return _capstone(seed, masks=True)


def _capstone_baseline_other_split(seed):
    return _capstone(seed, baseline_other_split=True)


def _capstone_fit_on_part(seed):
    # a validation part split off the training rows, and the model fitted on the rest only
    return _capstone(seed, fit_on_part=True)


def _capstone_tuple(seed):
    p = _capstone(seed)
    return p["model"], p["test_score"]


_FIRST = "run_project(seed) returns the project"
PROMISES = [
    (
        "16.run_project",
        "X is the data as loaded (no scaling on all rows)",
        _capstone_scaled_first,
        "no leakage",
    ),
    ("16.run_project", "train_index and test_index are disjoint", _capstone_overlap, _FIRST),
    (
        "16.run_project",
        "at least 15 % (and 10) of the rows for testing",
        _capstone_tiny_test,
        _FIRST,
    ),
    ("16.run_project", "the model contains a qmlkit model", _capstone_classical_model, _FIRST),
    (
        "16.run_project",
        "test_score is the accuracy on the test rows",
        _capstone_score_on_train,
        "test_score is",
    ),
    (
        "16.run_project",
        "the baseline is classical",
        _capstone_quantum_baseline,
        "classical baseline",
    ),
    (
        "16.run_project",
        "seed is used for every random choice",
        _capstone_fixed_seed,
        "another seed",
    ),
    (
        "16.run_project",
        "the same seed gives the same split",
        _capstone_unseeded_split,
        "same numbers",
    ),
]

CORRECT_STYLES = {"16.run_project": [_capstone_plain, _capstone_search_and_svm]}

PROMISE_HINTS = {
    "_capstone_scaled_first": ("scale inside the model",),
    "_capstone_overlap": ("the test rows must never be used for training",),
    "_capstone_tiny_test": ("hold out a real test part",),
    "_capstone_classical_model": ("model is your quantum model",),
    "_capstone_score_on_train": ("test_score is the accuracy on the training rows",),
    "_capstone_quantum_baseline": ("the baseline is a classical model",),
    "_capstone_fixed_seed": ("use the seed argument",),
    "_capstone_unseeded_split": ("fix every seed from the seed argument",),
}

MORE_MISTAKES = [
    ("16.run_project", _capstone_fit_on_all, ("the model was fitted on the test rows too",)),
    ("16.run_project", _capstone_minmax_first, ("scale inside the model",)),
    ("16.run_project", _capstone_masks, ("return integer row indices",)),
    (
        "16.run_project",
        _capstone_baseline_other_split,
        ("score the baseline on the same test rows",),
    ),
    (
        "16.run_project",
        _capstone_fit_on_part,
        ("refitting the model on the training rows gives another model",),
    ),
    ("16.run_project", _capstone_tuple, ()),
]
