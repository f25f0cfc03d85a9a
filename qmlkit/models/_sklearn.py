"""Shared scikit-learn plumbing for qmlkit's binary classifiers (VQC, QNNClassifier).

This module imports scikit-learn, so it is only imported when a model class is first used
(``qmlkit.models`` loads its classes lazily); ``import qmlkit`` stays fast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import InputError


class ClassifierMixinLite(ClassifierMixin, BaseEstimator):
    """Base of qmlkit's binary classifiers: scikit-learn's get_params/score/tags + predict."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # binary classifiers (parity / one output)
        tags.classifier_tags.poor_score = True  # small circuits, tiny default budgets in checks
        return tags

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels (the class with the larger probability)."""
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, 1] > 0.5).astype(int)]


def validate_binary_fit(estimator: Any, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate training data; set ``classes_`` and ``n_features_in_``; return X and y in {0, 1}."""
    name = type(estimator).__name__
    X, y = validate_data(estimator, X, y, dtype=float)
    check_classification_targets(y)
    classes, y01 = np.unique(y, return_inverse=True)
    if len(classes) > 2:
        raise InputError(
            f"Only binary classification is supported. {name} needs y with exactly 2 classes, "
            f"but it has {len(classes)}: {classes.tolist()[:5]}. Relabel your data into two classes."
        )
    if len(classes) < 2:
        raise InputError(
            f"{name} needs training labels of 2 classes, but y has only one class "
            f"{classes.tolist()}. A classifier cannot learn from a single class."
        )
    estimator.classes_ = classes
    return X, y01.astype(float)


def validate_predict(estimator: Any, X: Any) -> np.ndarray:
    """Validate features at prediction time (fitted, finite, same number of features)."""
    check_is_fitted(estimator)
    return validate_data(estimator, X, dtype=float, reset=False)
