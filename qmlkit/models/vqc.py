"""Variational quantum classifier (VQC) with exact, batched analytic gradients.

A VQC encodes a feature vector ``x`` into a state with a feature map, applies a trainable
circuit (the ansatz) with weights ``theta`` and reads out the probability of class 1:

* ``readout="parity"``: P(class 1) = probability of measuring a bitstring of odd parity;
* ``readout="z"``: P(class 1) = probability that qubit 0 reads 1, i.e. (1 - ⟨Z_0⟩) / 2.

It minimises the mean binary cross-entropy. Gradients are exact: one forward and one backward
(adjoint) pass over a batched statevector of all training points
(:mod:`qmlkit.models._adjoint`); the feature-map states are simulated once per fit by
:func:`qmlkit.statevec.simulate`. Qubit order is Qiskit's (qubit 0 = rightmost bit).

The default circuit (no ``feature_map`` and no ``ansatz``) is a *data re-uploading* circuit
(Pérez-Salinas et al., Quantum 4, 226, 2020): ``reps`` times [RY(x_i) on qubit i; trainable RY
and RZ on every qubit; a ring of CZ gates], then a trainable RY layer. Re-uploading the data
makes the model a richer Fourier series in ``x`` than a single encoding, which is what curved
class boundaries such as two moons need. With a ``feature_map`` (e.g. ``zz_feature_map``) and no
``ansatz``, the ansatz is ``real_amplitudes(n, reps=reps)``; with an ``ansatz`` and no
``feature_map``, the feature map is ``zz_feature_map(n_features)``.

>>> from qmlkit import datasets
>>> X_train, y_train, X_test, y_test = datasets.moons(seed=0)   # features in [0, pi]
>>> clf = VQC(random_state=0).fit(X_train, y_train)
>>> bool(clf.score(X_test, y_test) >= 0.9)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..optimizers import minimize
from ._adjoint import AdjointProgram
from ._sklearn import QuantumClassifier

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter, ParameterVector

__all__ = ["VQC", "reuploading_circuit"]

_READOUTS = ("parity", "z")
_MAX_QUBITS = 12


def reuploading_circuit(
    n_qubits: int, reps: int = 3
) -> tuple[QuantumCircuit, ParameterVector, ParameterVector]:
    """The default VQC circuit: data re-uploading with trainable RY/RZ layers and CZ rings.

    Returns:
        ``(circuit, x, theta)``: the circuit and its input and weight ``ParameterVector``.

    >>> qc, x, theta = reuploading_circuit(2, reps=2)
    >>> len(x), len(theta)
    (2, 10)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    x = ParameterVector("x", n_qubits)
    theta = ParameterVector("θ", 2 * n_qubits * reps + n_qubits)
    qc = QuantumCircuit(n_qubits)
    k = 0
    for _ in range(reps):
        for i in range(n_qubits):
            qc.ry(x[i], i)
        for i in range(n_qubits):
            qc.ry(theta[k], i)
            qc.rz(theta[k + 1], i)
            k += 2
        if n_qubits == 2:
            qc.cz(0, 1)
        elif n_qubits > 2:
            for i in range(n_qubits):
                qc.cz(i, (i + 1) % n_qubits)
    for i in range(n_qubits):
        qc.ry(theta[k], i)
        k += 1
    return qc, x, theta


class VQC(QuantumClassifier):
    """Variational quantum classifier for binary labels, as a scikit-learn estimator.

    Args:
        feature_map: a parameterised circuit whose parameters (in ``circuit.parameters`` order)
            take the features; ``None`` for the default (see the module docstring).
        ansatz: the trainable circuit on the same qubits; ``None`` for the default.
        reps: repetitions of the default circuit or of the default ``real_amplitudes`` ansatz.
        readout: ``"parity"`` or ``"z"`` (see the module docstring).
        optimizer: ``"adam"`` or a :func:`scipy.optimize.minimize` method (``"L-BFGS-B"``,
            ``"BFGS"``, ``"COBYLA"``, ...).
        maxiter: iteration budget of the optimiser.
        learning_rate: Adam's step size.
        random_state: seed (an int, or a NumPy ``Generator``) of the random initial weights;
            ``None`` for fresh randomness.
        progress: show a progress bar (text, or a widget in Jupyter).
        callback: called as ``callback(iteration, loss)`` after every iteration.
        initial_point: initial weights (overrides the random start).

    All arguments are keyword-only (``VQC(reps=2, random_state=0)``), as in scikit-learn.

    Attributes:
        classes_: the two class labels, sorted; ``predict_proba``'s columns follow them.
        n_features_in_: number of features seen in ``fit``.
        circuit_: the trained circuit (feature map followed by the ansatz).
        input_params_: the circuit parameters that take the features, in feature order.
        weight_params_: the trainable parameters, in the order of ``weights_``.
        weights_: the trained weights.
        loss_history_: the cross-entropy after each iteration.
        n_iter_: the number of optimiser iterations run.

    Introduced in lesson 08.

    >>> from qiskit.circuit.library import real_amplitudes, zz_feature_map
    >>> X = np.array([[0.1, 0.2], [2.9, 3.0], [0.3, 0.1], [3.1, 2.8]]); y = [0, 1, 0, 1]
    >>> losses = []
    >>> clf = VQC(feature_map=zz_feature_map(2), ansatz=real_amplitudes(2, reps=1), maxiter=20,
    ...           random_state=1, callback=lambda it, loss: losses.append(loss)).fit(X, y)
    >>> len(clf.weights_), len(losses) == clf.n_iter_, clf.predict_proba(X).shape
    (4, True, (4, 2))
    """

    def __init__(
        self,
        *,
        feature_map: QuantumCircuit | None = None,
        ansatz: QuantumCircuit | None = None,
        reps: int = 3,
        readout: str = "parity",
        optimizer: str = "L-BFGS-B",
        maxiter: int = 100,
        learning_rate: float = 0.05,
        random_state: int | np.random.Generator | None = None,
        progress: bool = False,
        callback: Callable[[int, float], Any] | None = None,
        initial_point: Any = None,
    ) -> None:
        self.feature_map = feature_map
        self.ansatz = ansatz
        self.reps = reps
        self.readout = readout
        self.optimizer = optimizer
        self.maxiter = maxiter
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress = progress
        self.callback = callback
        self.initial_point = initial_point

    # -- circuit ----------------------------------------------------------------------------
    def _build_circuit(
        self, n_features: int
    ) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
        from qiskit import QuantumCircuit

        if not isinstance(self.reps, (int, np.integer)) or self.reps < 1:
            raise InputError(f"reps must be a positive integer, got {self.reps!r}.")
        if self.readout not in _READOUTS:
            raise InputError(f"readout must be one of {_READOUTS}, got {self.readout!r}.")
        for name in ("feature_map", "ansatz"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, QuantumCircuit):
                raise InputError(
                    f"{name} must be a qiskit QuantumCircuit or None, got {type(value).__name__}."
                )
        if self.feature_map is None and self.ansatz is None:
            if n_features > _MAX_QUBITS:
                raise InputError(
                    f"The default VQC uses one qubit per feature; {n_features} features are more "
                    f"than {_MAX_QUBITS} qubits. Reduce the features (e.g. with PCA) first."
                )
            qc, x, theta = reuploading_circuit(n_features, self.reps)
            return qc, list(x), list(theta)
        from qiskit.circuit.library import real_amplitudes, zz_feature_map

        fmap = self.feature_map if self.feature_map is not None else zz_feature_map(n_features)
        ansatz = (
            self.ansatz
            if self.ansatz is not None
            else real_amplitudes(fmap.num_qubits, reps=self.reps)
        )
        if fmap.num_parameters != n_features:
            raise InputError(
                f"The feature map has {fmap.num_parameters} parameters but X has {n_features} "
                "features; they must match (one parameter per feature)."
            )
        if ansatz.num_qubits != fmap.num_qubits:
            raise InputError(
                f"The ansatz acts on {ansatz.num_qubits} qubits but the feature map on "
                f"{fmap.num_qubits}; use circuits of the same width."
            )
        shared = set(fmap.parameters) & set(ansatz.parameters)
        if shared:
            raise InputError(
                f"feature_map and ansatz share parameters {sorted(p.name for p in shared)}."
            )
        return fmap.compose(ansatz), list(fmap.parameters), list(ansatz.parameters)

    def _readout_mask(self, n: int) -> np.ndarray:
        idx = np.arange(2**n)
        if self.readout == "z":
            return (idx & 1).astype(float)
        bits = (idx[:, None] >> np.arange(n)[None, :]) & 1
        return (bits.sum(axis=1) % 2).astype(float)

    # -- training ---------------------------------------------------------------------------
    def _probability(self, w: np.ndarray, X: np.ndarray, start: np.ndarray, cache: dict) -> tuple:
        final = self.program_.forward(X, w, start, cache)
        return final, (np.abs(final) ** 2) @ self.mask_

    def _loss_and_grad(self, w, X, y, start, cache) -> tuple[float, np.ndarray]:
        final, p1 = self._probability(w, X, start, cache)
        eps = 1e-12
        p = np.clip(p1, eps, 1 - eps)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        d_p = np.where((p1 > eps) & (p1 < 1 - eps), (p - y) / (p * (1 - p)), 0.0) / len(y)
        lam = d_p[:, None] * self.mask_[None, :] * final  # dL/d(final*)
        return float(loss), self.program_.gradient(X, w, final, lam, cache)

    def fit(self, X: Any, y: Any) -> VQC:
        """Train on features ``X`` (n_samples, n_features) and binary labels ``y``; returns self."""
        X, y_index = self._validate_fit(X, y)
        y01 = y_index.astype(float)
        circuit, inputs, weights = self._build_circuit(X.shape[1])
        if circuit.num_qubits > _MAX_QUBITS:
            raise InputError(
                f"The circuit has {circuit.num_qubits} qubits; the VQC simulates at most {_MAX_QUBITS}."
            )
        self.circuit_, self.input_params_, self.weight_params_ = circuit, inputs, weights
        self.program_ = AdjointProgram(circuit, inputs, weights)
        self.mask_ = self._readout_mask(circuit.num_qubits)
        if self.initial_point is not None:
            w0 = np.asarray(self.initial_point, dtype=float).ravel()
            if w0.shape != (len(weights),):
                raise InputError(
                    f"initial_point must have {len(weights)} values (one per weight), got {w0.size}."
                )
        else:
            w0 = np.random.default_rng(self.random_state).uniform(-np.pi, np.pi, len(weights))
        start = self.program_.initial_states(X)
        cache: dict = {}
        res = minimize(
            lambda w: self._loss_and_grad(w, X, y01, start, cache),
            w0,
            method=self.optimizer,
            maxiter=self.maxiter,
            learning_rate=self.learning_rate,
            callback=self.callback,
            progress=self.progress,
            desc="VQC",
        )
        self.weights_ = res.x
        self.loss_history_ = res.history
        self.n_iter_ = res.nit
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2), columns in the order of ``classes_``."""
        X = self._validate_predict(X)
        _, p1 = self._probability(self.weights_, X, self.program_.initial_states(X), {})
        return np.column_stack([1 - p1, p1])

    def loss_and_gradient(self, X: Any, y: Any, weights: Any = None) -> tuple[float, np.ndarray]:
        """Cross-entropy and its exact gradient at ``weights`` (default: the fitted weights).

        ``y`` holds labels from ``classes_``. Useful to inspect or test the gradient.
        """
        X = self._validate_predict(X)
        y01 = (np.asarray(y) == self.classes_[1]).astype(float)
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float)
        return self._loss_and_grad(w, X, y01, self.program_.initial_states(X), {})
