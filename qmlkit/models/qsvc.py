"""QSVC: a support-vector classifier on a quantum fidelity kernel (scikit-learn API).

The model computes the Gram matrix K[i, j] = |<psi(x_i)|psi(x_j)>|^2 of a feature map
with :class:`qmlkit.kernels.FidelityKernel` (exact by default, shot-based on a device
backend) and trains scikit-learn's ``SVC(kernel="precomputed")`` on it (Havlíček et al.
2019). scikit-learn is imported only when this module is, so ``import qmlkit`` stays fast.

Introduced in lesson 06.

>>> from qmlkit.datasets import ad_hoc
>>> X_train, y_train, X_test, y_test = ad_hoc(train_size=20, test_size=10, seed=0)
>>> model = QSVC(random_state=0).fit(X_train, y_train)
>>> model.score(X_test, y_test)
1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..kernels import FidelityKernel, Kernel
from ._sklearn import QuantumClassifier

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from ..backends import Backend

__all__ = ["QSVC"]


class QSVC(QuantumClassifier):
    """Support-vector classifier with a precomputed quantum kernel (fidelity by default).

    All arguments are keyword-only (``QSVC(reps=2, random_state=0)``), as in scikit-learn.

    Args:
        feature_map: a parameterised ``QuantumCircuit`` with one parameter per feature;
            ``None`` builds ``zz_feature_map(n_features, reps=reps,
            entanglement=entanglement)`` when fitting.
        reps: repetitions of the default ZZ feature map.
        entanglement: entanglement of the default ZZ feature map ("linear", "full", ...).
        C: SVM regularisation strength (larger = fewer margin violations).
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            Both are passed to the :class:`~qmlkit.kernels.FidelityKernel`.
        random_state: seed (an int) for the probability calibration of ``predict_proba``
            and for shot sampling on simulated devices.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.
        kernel: any :class:`qmlkit.kernels.Kernel` (a callable ``kernel(X, Y=None)`` that
            returns the Gram matrix, such as a :class:`~qmlkit.kernels.ProjectedKernel`) to
            use instead of the fidelity kernel of ``feature_map``; then ``feature_map``,
            ``reps``, ``entanglement``, ``backend`` and ``shots`` are not used.

    Attributes:
        classes_: the class labels seen in ``fit``, sorted.
        n_features_in_: number of features seen in ``fit``.
        feature_map_: the feature map of the fidelity kernel (``None`` with ``kernel``).
        kernel_: the kernel used: a :class:`~qmlkit.kernels.FidelityKernel`, or ``kernel``.
        X_train_: the training data (the kernel compares new points with it).
        svc_: the fitted scikit-learn ``SVC(kernel="precomputed")``.
        support_: indices of the support vectors in ``X_train_``.
        temperature_: the probability calibration, see :meth:`predict_proba`.
    """

    # The default ZZ feature map expects rotation angles and is not a smooth universal
    # kernel: on scikit-learn's standardised blobs it reaches ~0.7 training accuracy, below
    # the 0.83 that check_classifiers_train demands (the base class declares poor_score).
    binary_only = False

    def __init__(
        self,
        *,
        feature_map: QuantumCircuit | None = None,
        reps: int = 2,
        entanglement: str = "linear",
        C: float = 1.0,
        backend: str | Backend | None = None,
        random_state: int | None = None,
        shots: int | None = None,
        kernel: Kernel | None = None,
    ):
        self.feature_map = feature_map
        self.reps = reps
        self.entanglement = entanglement
        self.C = C
        self.backend = backend
        self.random_state = random_state
        self.shots = shots
        self.kernel = kernel

    def _make_feature_map(self, n_features: int) -> QuantumCircuit:
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
            InputError: empty, 1-D, non-finite data, a single class, a feature map whose
                parameter count differs from the number of features, or a ``kernel`` that
                is not callable or returns no (n_samples, n_samples) matrix of numbers.
        """
        X, y_index = self._validate_fit(X, y)
        self.kernel_: Kernel
        if self.kernel is None:
            self.feature_map_ = self._make_feature_map(X.shape[1])
            self.kernel_ = FidelityKernel(
                self.feature_map_, backend=self.backend, shots=self.shots, seed=self.random_state
            )
        else:
            if not callable(self.kernel):
                raise InputError(
                    "kernel must be a callable kernel(X, Y=None) that returns the Gram matrix "
                    f"(for example qmlkit.kernels.ProjectedKernel(...)), got {type(self.kernel).__name__}."
                )
            self.feature_map_ = None
            self.kernel_ = self.kernel
        gram = self._gram(X)
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
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
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

    def _gram(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """The kernel matrix of X with Y (default X) through the Kernel protocol, checked."""
        gram = np.asarray(self.kernel_(X, Y), dtype=float)
        shape = (len(X), len(X if Y is None else Y))
        if gram.shape != shape or not np.all(np.isfinite(gram)):
            raise InputError(
                f"The kernel returned a matrix of shape {gram.shape} for {shape[0]} x {shape[1]} "
                "points; it must return a finite (n_x, n_y) Gram matrix."
            )
        return gram

    def _test_kernel(self, X: Any) -> np.ndarray:
        X = self._validate_predict(X)
        return self._gram(X, self.X_train_)

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
