"""Variational quantum classifier (VQC) with exact, batched analytic gradients.

A VQC encodes a feature vector ``x`` into a state with a feature map, applies a trainable
circuit (the ansatz) with weights ``theta`` and measures every qubit. A *read-out* rule assigns
each measured bitstring ``b`` (an integer, qubit 0 = least-significant bit) to a class, and
P(class c) is the total probability of the bitstrings assigned to c. With K classes:

* ``readout="parity"``: class = (number of 1s in ``b``) mod K. For two classes this is the
  parity: P(class 1) = probability of a bitstring of odd parity;
* ``readout="z"``: class = ``b`` mod K. For two classes this is qubit 0:
  P(class 1) = (1 - ⟨Z_0⟩) / 2. It is qiskit-machine-learning's default ``interpret``.

Two classes give the binary model of lesson 08; three or more (lesson 08, section 8) give a
*multi-output read-out*: the K class probabilities are sums of disjoint sets of measured
probabilities, so they are non-negative and add up to one (no softmax needed). It minimises the
mean cross-entropy -mean log P(class y). Gradients are exact: one forward and one backward
(adjoint) pass over a batched statevector of all training points
(:mod:`qmlkit.models._adjoint`); the feature-map states are simulated once per fit by
:func:`qmlkit.statevec.simulate`. Qubit order is Qiskit's (qubit 0 = rightmost bit).

With a device ``backend`` (for example ``"fake:manila"``), or ``"ideal"`` with an integer
``shots``, the model runs through the backend's V2 sampler instead: class probabilities are estimated from ``shots`` measurements of the
transpiled circuit, and gradients come from the parameter-shift rule (two shifted circuits per
weight, each weight must occur once as the angle of a rotation such as ``ry``), or are not
needed with a gradient-free optimiser such as ``"COBYLA"``.

Memory: the exact simulator holds about four arrays of ``n_samples x 2**n_qubits`` complex
numbers (16 bytes each) while training: 200 points on 14 qubits, the largest circuit it
accepts, peak at about 0.2 GB of arrays (197 MB measured with ``tracemalloc``; 52 MB each).

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
from ..optimizers import GRADIENT_FREE, minimize
from ._adjoint import AdjointProgram, _Rotation
from ._device import _bindable, device_for, probabilities_from_bits, sampler_for, shots_for
from ._sklearn import QuantumClassifier

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter, ParameterVector

    from ..backends import Backend

__all__ = ["VQC", "reuploading_circuit"]

_READOUTS = ("parity", "z")
#: the largest circuit the exact simulator accepts (200 points on 14 qubits: about 0.2 GB)
_MAX_QUBITS = 14
#: gates whose generator has two eigenvalues one apart: the two-term parameter-shift rule holds
_SHIFT = np.pi / 2


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
    """Variational quantum classifier for two or more classes, as a scikit-learn estimator.

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
        random_state: seed (an int, or a NumPy ``Generator``) of the random initial weights
            and, on a device backend, of the shot sampling; ``None`` for fresh randomness.
        progress: show a progress bar (text, or a widget in Jupyter).
        callback: called as ``callback(iteration, loss)`` after every iteration.
        initial_point: initial weights (overrides the random start).
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.

    All arguments are keyword-only (``VQC(reps=2, random_state=0)``), as in scikit-learn.

    Attributes:
        classes_: the class labels, sorted; ``predict_proba``'s columns follow them.
        n_features_in_: number of features seen in ``fit``.
        circuit_: the trained circuit (feature map followed by the ansatz).
        input_params_: the circuit parameters that take the features, in feature order.
        weight_params_: the trainable parameters, in the order of ``weights_``.
        weights_: the trained weights.
        loss_history_: the cross-entropy after each iteration.
        n_iter_: the number of optimiser iterations run.

    Raises:
        InputError: bad arguments or data; more than 14 qubits (the exact simulator's bound);
            more classes than the read-out can tell apart (``"parity"``: n_qubits + 1,
            ``"z"``: 2**n_qubits).

    Introduced in lesson 08.

    >>> from qiskit.circuit.library import real_amplitudes, zz_feature_map
    >>> X = np.array([[0.1, 0.2], [2.9, 3.0], [0.3, 0.1], [3.1, 2.8]]); y = [0, 1, 0, 1]
    >>> losses = []
    >>> clf = VQC(feature_map=zz_feature_map(2), ansatz=real_amplitudes(2, reps=1), maxiter=20,
    ...           random_state=1, callback=lambda it, loss: losses.append(loss)).fit(X, y)
    >>> len(clf.weights_), len(losses) == clf.n_iter_, clf.predict_proba(X).shape
    (4, True, (4, 2))

    Three classes: ``predict_proba`` has one column per class.

    >>> X3 = np.array([[0.2, 0.2], [1.6, 1.5], [3.0, 2.9], [0.3, 0.1], [1.5, 1.7], [2.9, 3.1]])
    >>> clf = VQC(reps=2, random_state=0).fit(X3, ["a", "b", "c"] * 2)
    >>> clf.classes_.tolist(), clf.predict_proba(X3).shape
    (['a', 'b', 'c'], (6, 3))
    """

    #: several classes: a multi-output read-out (see the module docstring)
    binary_only = False

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
        backend: str | Backend | None = None,
        shots: int | None = None,
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
        self.backend = backend
        self.shots = shots

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

    def _readout_mask(self, n: int, n_classes: int = 2) -> np.ndarray:
        """Binary: the 0/1 vector of class-1 bitstrings. K classes: the (2**n, K) 0/1 matrix."""
        idx = np.arange(2**n)
        if self.readout == "z":
            labels = idx % n_classes
        else:
            bits = (idx[:, None] >> np.arange(n)[None, :]) & 1
            labels = bits.sum(axis=1) % n_classes
        if n_classes == 2:
            return labels.astype(float)
        return (labels[:, None] == np.arange(n_classes)[None, :]).astype(float)

    def _class_matrix(self) -> np.ndarray:
        """(2**n, K): which bitstrings count towards which class (binary included)."""
        if self.mask_.ndim == 1:
            return np.column_stack([1.0 - self.mask_, self.mask_])
        return self.mask_

    def _check_readout_fits(self, n: int, n_classes: int) -> None:
        most = n + 1 if self.readout == "parity" else 2**n
        if n_classes > most:
            other = "" if self.readout == "z" else ' (readout="z" tells 2**n_qubits apart)'
            raise InputError(
                f"{n_classes} classes are more than the {self.readout!r} read-out of {n} qubits "
                f"can tell apart ({most}){other}; use more qubits or the other read-out."
            )

    # -- training (exact) -------------------------------------------------------------------
    def _probability(self, w: np.ndarray, X: np.ndarray, start: np.ndarray, cache: dict) -> tuple:
        final = self.program_.forward(X, w, start, cache)
        return final, (np.abs(final) ** 2) @ self.mask_

    def _loss_and_grad(self, w, X, y, start, cache) -> tuple[float, np.ndarray]:
        """Exact loss and adjoint gradient; ``y`` holds class indices."""
        final, prob = self._probability(w, X, start, cache)
        eps = 1e-12
        if self.mask_.ndim == 1:  # binary: P(class 1) against labels 0/1
            y = np.asarray(y, dtype=float)
            p = np.clip(prob, eps, 1 - eps)
            loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
            d_p = np.where((prob > eps) & (prob < 1 - eps), (p - y) / (p * (1 - p)), 0.0) / len(y)
            lam = d_p[:, None] * self.mask_[None, :] * final  # dL/d(final*)
            return float(loss), self.program_.gradient(X, w, final, lam, cache)
        loss, d_prob = _cross_entropy(prob, y)
        lam = (d_prob @ self.mask_.T) * final
        return loss, self.program_.gradient(X, w, final, lam, cache)

    # -- device (shots) ---------------------------------------------------------------------
    def _device(self) -> Backend | None:
        """The device backend, or None for the exact simulator."""
        return device_for(self.backend, self.random_state, self.shots)

    def _prepare_device(self, device: Backend) -> None:
        shots_for(None, self.shots)
        measured = self.circuit_.copy()
        measured.measure_all()
        self.isa_circuit_ = _bindable(device.isa(measured))
        position = {p: k for k, p in enumerate(self.isa_circuit_.parameters)}
        self._in_cols = [position.get(p) for p in self.input_params_]
        self._w_cols = [position.get(p) for p in self.weight_params_]

    def _sample_probs(self, X: np.ndarray, W: np.ndarray) -> np.ndarray:
        """Class probabilities from shots: (len(W), len(X), K) for weight sets ``W``."""
        device = self._device()
        assert device is not None
        values = np.zeros((len(W), len(X), self.isa_circuit_.num_parameters))
        for j, col in enumerate(self._in_cols):
            if col is not None:
                values[:, :, col] = X[None, :, j]
        for j, col in enumerate(self._w_cols):
            if col is not None:
                values[:, :, col] = W[:, j, None]
        sampler = sampler_for(device, self.circuit_.num_qubits)
        shots = shots_for(device, self.shots)
        result = sampler.run([(self.isa_circuit_, values)], shots=shots).result()
        bits = result[0].data.meas.array  # (len(W), len(X), shots, n_bytes), big-endian
        probs = probabilities_from_bits(bits, self.circuit_.num_qubits, shots)
        return probs @ self._class_matrix()

    def _shift_rule_ok(self) -> bool:
        """True when every weight is the bare angle of one gate with a two-eigenvalue generator."""
        seen: dict[Any, int] = {}
        for gate in self.program_.gates:
            if not isinstance(gate, _Rotation) or gate.kind == "input":
                continue
            if gate.kind == "mixed" or not gate.expr.is_symbol():
                return False
            eig = np.unique(np.round(np.linalg.eigvalsh(gate.generator), 9))
            if len(eig) != 2 or not np.isclose(eig[1] - eig[0], 1.0):
                return False
            seen[gate.expr] = seen.get(gate.expr, 0) + 1
        return all(count == 1 for count in seen.values())

    def _device_loss_and_grad(
        self, w: np.ndarray, X: np.ndarray, y: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray]:
        if not gradient:
            loss, _ = _cross_entropy(self._sample_probs(X, w[None, :])[0], y)
            return loss, np.zeros_like(w)
        shifts = _SHIFT * np.eye(len(w))
        W = np.concatenate([w[None, :], w + shifts, w - shifts])
        probs = self._sample_probs(X, W)
        loss, d_prob = _cross_entropy(probs[0], y)
        plus, minus = probs[1 : 1 + len(w)], probs[1 + len(w) :]
        grad = 0.5 * np.einsum("jbk,bk->j", plus - minus, d_prob)
        return loss, grad

    # -- public -----------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> VQC:
        """Train on features ``X`` (n_samples, n_features) and labels ``y``; returns self."""
        X, y_index = self._validate_fit(X, y)
        circuit, inputs, weights = self._build_circuit(X.shape[1])
        if circuit.num_qubits > _MAX_QUBITS:
            raise InputError(
                f"The circuit has {circuit.num_qubits} qubits; the VQC simulates at most {_MAX_QUBITS}."
            )
        self._check_readout_fits(circuit.num_qubits, len(self.classes_))
        self.circuit_, self.input_params_, self.weight_params_ = circuit, inputs, weights
        self.program_ = AdjointProgram(circuit, inputs, weights)
        self.mask_ = self._readout_mask(circuit.num_qubits, len(self.classes_))
        if self.initial_point is not None:
            w0 = np.asarray(self.initial_point, dtype=float).ravel()
            if w0.shape != (len(weights),):
                raise InputError(
                    f"initial_point must have {len(weights)} values (one per weight), got {w0.size}."
                )
        else:
            w0 = np.random.default_rng(self.random_state).uniform(-np.pi, np.pi, len(weights))
        device = self._device()
        fun: Callable[[np.ndarray], tuple[float, np.ndarray]]
        if device is None:
            start = self.program_.initial_states(X)
            cache: dict = {}
            fun = lambda w: self._loss_and_grad(w, X, y_index, start, cache)  # noqa: E731
        else:
            self._prepare_device(device)
            gradient = str(self.optimizer).lower() not in GRADIENT_FREE
            if gradient and not self._shift_rule_ok():
                raise InputError(
                    "On a device backend the VQC computes gradients with the parameter-shift "
                    "rule, which needs every weight to be the angle of one rotation gate "
                    "(rx, ry, rz, rzz, ...). Use a gradient-free optimizer such as 'COBYLA', "
                    "or such an ansatz."
                )
            fun = lambda w: self._device_loss_and_grad(w, X, y_index, gradient)  # noqa: E731
        res = minimize(
            fun,
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

    def _proba(self, X: np.ndarray, w: np.ndarray) -> np.ndarray:
        if self._device() is not None:
            return self._sample_probs(X, w[None, :])[0]
        _, prob = self._probability(w, X, self.program_.initial_states(X), {})
        return np.column_stack([1 - prob, prob]) if prob.ndim == 1 else prob

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``.

        On a device backend they are estimated from ``shots`` measurements.
        """
        X = self._validate_predict(X)
        return self._proba(X, self.weights_)

    def _label_index(self, y: Any) -> np.ndarray:
        """Labels from ``classes_`` as class indices."""
        y = np.asarray(y).ravel()
        known = np.isin(y, self.classes_)
        if not np.all(known):
            unknown = sorted(set(y[~known].tolist()))[:5]
            raise InputError(f"y holds labels that are not classes of the model: {unknown}.")
        return np.searchsorted(self.classes_, y)

    def loss(self, X: Any, y: Any, weights: Any = None) -> float:
        """The cross-entropy at ``weights`` (default: the fitted weights), without a gradient.

        Exact, or estimated from shots on a device backend (one circuit per point). Lesson 08
        uses it to draw the loss along a line in weight space.
        """
        X = self._validate_predict(X)
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float)
        return _cross_entropy(self._proba(X, w), self._label_index(y))[0]

    def loss_and_gradient(self, X: Any, y: Any, weights: Any = None) -> tuple[float, np.ndarray]:
        """Cross-entropy and its gradient at ``weights`` (default: the fitted weights).

        ``y`` holds labels from ``classes_``. Exact (adjoint method) on the simulator; on a
        device backend, estimated from shots with the parameter-shift rule.
        """
        X = self._validate_predict(X)
        y_index = self._label_index(y)
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float)
        if self._device() is not None:
            return self._device_loss_and_grad(w, X, y_index, gradient=True)
        return self._loss_and_grad(w, X, y_index, self.program_.initial_states(X), {})


def _cross_entropy(prob: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean -log prob[b, y_b] (clipped at 1e-12) and its derivative with respect to ``prob``."""
    eps = 1e-12
    rows = np.arange(len(y))
    p_y = prob[rows, y]
    p = np.maximum(p_y, eps)
    d_prob = np.zeros_like(prob)
    d_prob[rows, y] = np.where(p_y > eps, -1.0 / (p * len(y)), 0.0)
    return float(-np.mean(np.log(p))), d_prob
