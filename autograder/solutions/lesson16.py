"""Reference solution for lesson 16 (the capstone project's honest pipeline)."""

from __future__ import annotations

import numpy as np


def run_project(seed) -> dict:
    """Breast-cancer data (150 rows), a VQC on 4 PCA angles and a logistic-regression baseline.

    The split comes first; the scaling, the PCA and the angle scaling are steps of the
    pipelines, so they are fitted on the training rows only.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    from qmlkit.models import VQC

    X_all, y_all = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(seed).choice(len(y_all), size=150, replace=False)
    X, y = X_all[rows], y_all[rows]
    train, test = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed)
    model = Pipeline(
        [
            ("standardise", StandardScaler()),
            ("pca", PCA(n_components=4)),
            ("angles", MinMaxScaler((0, np.pi))),
            ("vqc", VQC(reps=2, maxiter=30, random_state=seed)),
        ]
    ).fit(X[train], y[train])
    baseline = Pipeline(
        [("standardise", StandardScaler()), ("logistic", LogisticRegression())]
    ).fit(X[train], y[train])
    return {
        "X": X,
        "y": y,
        "train_index": train,
        "test_index": test,
        "model": model,
        "baseline": baseline,
        "test_score": model.score(X[test], y[test]),
        "baseline_score": baseline.score(X[test], y[test]),
    }
