"""QSVC: a support-vector classifier on a quantum fidelity kernel (scikit-learn API).

The model computes the Gram matrix K[i, j] = |<psi(x_i)|psi(x_j)>|^2 of a feature map
with :class:`qmlkit.kernels.FidelityKernel` (exact by default, shot-based on a device
backend) and trains scikit-learn's ``SVC(kernel="precomputed")`` on it (Havlíček et al.
2019). scikit-learn is imported only when this module is, so ``import qmlkit`` stays fast.

Introduced in lesson 06.

>>> from qmlkit.datasets import ad_hoc
>>> X_train, y_train, X_test, y_test = ad_hoc(train_size=20, test_size=10, seed=0)
>>> model = QSVC(seed=0).fit(X_train, y_train)
>>> model.score(X_test, y_test)
1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import InputError
from ..kernels import FidelityKernel

__all__ = ["QSVC"]


def _as_input_error(exc: ValueError) -> InputError:
    return exc if isinstance(exc, InputError) else InputError(str(exc))


class QSVC(ClassifierMixin, BaseEstimator):
    """Support-vector classifier with a precomputed quantum fidelity kernel.

    Args:
        feature_map: a parameterised ``QuantumCircuit`` with one parameter per feature;
            ``None`` builds ``zz_feature_map(n_features, reps=reps,
            entanglement=entanglement)`` when fitting.
        reps: repetitions of the default ZZ feature map.
        entanglement: entanglement of the default ZZ feature map ("linear", "full", ...).
        C: SVM regularisation strength (larger = fewer margin violations).
        backend: ``None``/``"ideal"`` for the exact kernel, or a device backend (spec or
            :class:`qmlkit.backends.Backend`) to estimate it from shots.
        seed: seed for the probability calibration of ``predict_proba`` and for shot
            sampling on simulated devices.
        shots: shots per kernel circuit on a device backend.

    Fitted attributes: ``classes_``, ``n_features_in_``, ``feature_map_``, ``kernel_``
    (the :class:`~qmlkit.kernels.FidelityKernel`), ``X_train_``, ``svc_`` (the fitted
    scikit-learn SVC), ``support_`` (indices of the support vectors), ``temperature_``
    (probability calibration, see :meth:`predict_proba`).
    """

    def __init__(
        self,
        feature_map: Any = None,
        reps: int = 2,
        entanglement: str = "linear",
        C: float = 1.0,
        backend: Any = None,
        seed: int | None = None,
        shots: int = 1024,
    ):
        self.feature_map = feature_map
        self.reps = reps
        self.entanglement = entanglement
        self.C = C
        self.backend = backend
        self.seed = seed
        self.shots = shots

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # The default ZZ feature map expects rotation angles and is not a smooth universal
        # kernel: on scikit-learn's standardised blobs it reaches ~0.7 training accuracy,
        # below the 0.83 that check_classifiers_train demands of general-purpose models.
        tags.classifier_tags.poor_score = True
        return tags

    def _make_feature_map(self, n_features: int) -> Any:
        if self.feature_map is not None:
            return self.feature_map
        from qiskit.circuit.library import zz_feature_map

        if n_features == 1:  # no pairs to entangle: the ZZ map reduces to the Z map
            from qiskit.circuit.library import z_feature_map

            return z_feature_map(1, reps=self.reps)
        if n_features > 16:
            raise InputError(
                f"The default feature map uses one qubit per feature; {n_features} features "
                f"would need a 2**{n_features}-dimensional statevector. Reduce the features "
                "(for example with PCA) or pass your own feature_map."
            )
        return zz_feature_map(n_features, reps=self.reps, entanglement=self.entanglement)

    def fit(self, X: Any, y: Any) -> QSVC:
        """Compute the training kernel, fit the SVM and calibrate probabilities.

        Returns:
            ``self``.

        Raises:
            InputError: empty, 1-D, non-finite data, a single class, or a feature map whose
                parameter count differs from the number of features.
        """
        try:
            X, y = validate_data(self, X, y, dtype=float)
        except ValueError as exc:
            raise _as_input_error(exc) from None
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InputError(
                "QSVC needs training labels of at least 2 classes, but y has only one class: "
                f"{self.classes_.tolist()}."
            )
        self.feature_map_ = self._make_feature_map(X.shape[1])
        self.kernel_ = FidelityKernel(
            self.feature_map_, backend=self.backend, shots=self.shots, seed=self.seed
        )
        gram = self.kernel_.evaluate(X)
        self.svc_ = self._new_svc().fit(gram, y_index)
        self.X_train_ = X
        self.support_ = self.svc_.support_
        self.temperature_ = self._calibrate(gram, y_index)
        return self

    def _new_svc(self) -> Any:
        from sklearn.svm import SVC

        return SVC(kernel="precomputed", C=self.C, decision_function_shape="ovr")

    def _scores(self, svc: Any, gram: np.ndarray) -> np.ndarray:
        """Per-class scores whose arg-max is SVC's prediction."""
        decision = svc.decision_function(gram)
        if decision.ndim == 1:
            return np.column_stack([-decision, decision]) / 2
        return decision

    def _calibrate(self, gram: np.ndarray, y: np.ndarray) -> float:
        """Fit the temperature a of softmax(a * scores) on cross-validated scores.

        Like Platt scaling but without an offset, so the most probable class is always
        the predicted one (temperature scaling, Guo et al. 2017).
        """
        from scipy.optimize import minimize_scalar
        from sklearn.model_selection import StratifiedKFold

        smallest = int(np.bincount(y).min())
        n_splits = min(5, smallest)
        if n_splits >= 2:
            scores = np.empty((len(y), len(self.classes_)))
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=self.seed)
            for train, test in folds.split(gram, y):
                if len(np.unique(y[train])) < len(self.classes_):
                    scores = self._scores(self.svc_, gram)
                    break
                svc = self._new_svc().fit(gram[np.ix_(train, train)], y[train])
                part = np.zeros((len(test), len(self.classes_)))
                part[:, svc.classes_] = self._scores(svc, gram[np.ix_(test, train)])
                scores[test] = part
        else:
            scores = self._scores(self.svc_, gram)

        def loss(log_a: float) -> float:
            z = np.exp(log_a) * scores
            z -= z.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return -float(log_p[np.arange(len(y)), y].mean())

        return float(np.exp(minimize_scalar(loss, bounds=(-5.0, 5.0), method="bounded").x))

    def _test_kernel(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        try:
            X = validate_data(self, X, dtype=float, reset=False)
        except ValueError as exc:
            raise _as_input_error(exc) from None
        return self.kernel_.evaluate(X, self.X_train_)

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance to the margin (two classes), else one-vs-rest scores, as ``SVC``."""
        gram = self._test_kernel(X)
        return self.svc_.decision_function(gram)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels (exactly those of ``SVC`` on the same kernel)."""
        gram = self._test_kernel(X)
        return self.classes_[self.svc_.predict(gram)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(a * scores), columns in ``classes_`` order.

        The scores are the SVM decision values; the temperature ``a`` (``temperature_``)
        is fitted on cross-validated decision values, so the probabilities are
        calibrated and their arg-max is always :meth:`predict`'s class.
        """
        gram = self._test_kernel(X)
        z = self.temperature_ * self._scores(self.svc_, gram)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))
