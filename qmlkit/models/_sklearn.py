"""The one scikit-learn base of qmlkit's classifiers (QSVC, VQC, QNNClassifier, QCNNClassifier).

:class:`QuantumClassifier` gives every model the same contract: ``__init__`` only stores its
keyword-only arguments, ``fit`` validates through one path (:meth:`~QuantumClassifier._validate_fit`)
and returns ``self``, fitted attributes end in ``_``, and the same bad input raises the same
exception from every model: :class:`qmlkit.errors.InputError`, a ``ValueError``, so
scikit-learn's own checks (which expect ``ValueError``) pass too.

This module imports scikit-learn, so it is only imported when a model class is first used
(``qmlkit.models`` loads its classes lazily); ``import qmlkit`` stays fast.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import InputError

__all__ = ["QuantumClassifier", "NotFittedError", "require_fitted"]


class NotFittedError(InputError, _SklearnNotFittedError):
    """A model used before ``fit``: scikit-learn's ``NotFittedError`` and a qmlkit error.

    scikit-learn's tools recognise it as their own; in a lesson it shows as one short line
    like every :class:`~qmlkit.errors.QMLKitError`.
    """


def require_fitted(estimator: BaseEstimator, how: str = "fit(X, y)") -> None:
    """scikit-learn's ``check_is_fitted`` with a message that says what to call.

    Raises:
        NotFittedError: if ``estimator`` has no fitted attributes (names ending in ``_``).
    """
    try:
        check_is_fitted(estimator)
    except _SklearnNotFittedError:
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} is not fitted yet: call {name}(...).{how} first, then use it."
        ) from None


def _as_input_error(exc: ValueError) -> InputError:
    """The same message as an :class:`InputError` (which is a ``ValueError`` too)."""
    return exc if isinstance(exc, InputError) else InputError(str(exc))


class QuantumClassifier(ClassifierMixin, BaseEstimator):
    """Base of qmlkit's classifiers: validation, ``classes_``, ``predict`` and scikit-learn tags.

    Subclasses implement ``fit`` (starting with :meth:`_validate_fit`) and ``predict_proba``
    (starting with :meth:`_validate_predict`); :meth:`predict` picks the most probable class.
    Class attribute ``binary_only`` says whether the model handles two classes only.

    Attributes:
        classes_: the class labels seen in ``fit``, sorted (set by :meth:`_validate_fit`).
        n_features_in_: number of features seen in ``fit``.
    """

    #: True for models with one output (QNNClassifier, QCNNClassifier): exactly two classes.
    #: QSVC (scikit-learn's SVC underneath) and VQC (a multi-output read-out) set it to False.
    binary_only: ClassVar[bool] = True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = not self.binary_only
        # small circuits and tiny default budgets in scikit-learn's checks; QSVC's ZZ map is
        # not a universal kernel for standardised blobs (about 0.7 training accuracy)
        tags.classifier_tags.poor_score = True
        return tags

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Validate training data; set ``classes_`` and ``n_features_in_``.

        Returns:
            ``X`` as a finite float array (n_samples, n_features) and ``y`` as class indices
            into ``classes_`` (integers 0..k-1).

        Raises:
            InputError: 1-D, empty or non-finite ``X``, labels that are not classes, a single
                class, or (``binary_only``) more than two classes.
        """
        name = type(self).__name__
        try:
            X, y = validate_data(self, X, y, dtype=float)
            check_classification_targets(y)
        except ValueError as exc:
            raise _as_input_error(exc) from None
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise InputError(
                f"{name} needs training labels of 2 classes, but y has only one class "
                f"{classes.tolist()}. A classifier cannot learn from a single class."
            )
        if self.binary_only and len(classes) > 2:
            raise InputError(
                f"Only binary classification is supported. {name} needs y with exactly 2 classes, "
                f"but it has {len(classes)}: {classes.tolist()[:5]}. Relabel your data into two classes."
            )
        self.classes_ = classes
        return X, y_index

    def _validate_predict(self, X: Any) -> np.ndarray:
        """Validate features at prediction time (fitted, finite, same number of features).

        Raises:
            NotFittedError: before ``fit`` (a ``sklearn.exceptions.NotFittedError``).
            InputError: bad ``X`` (as in :meth:`_validate_fit`, plus a different width).
        """
        require_fitted(self)
        try:
            return validate_data(self, X, dtype=float, reset=False)
        except ValueError as exc:
            raise _as_input_error(exc) from None

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels: the most probable class of :meth:`predict_proba`."""
        proba = self.predict_proba(X)
        if proba.shape[1] == 2:  # one output: class 1 when its probability exceeds one half
            return self.classes_[(proba[:, 1] > 0.5).astype(int)]
        return self.classes_[np.argmax(proba, axis=1)]
