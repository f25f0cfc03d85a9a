"""Quantum convolutional neural network (QCNN) classifier with exact, batched gradients.

A QCNN (Cong, Choi & Lukin, Nature Physics 15, 1273, 2019) alternates two kinds of layer on
a shrinking set of *active* qubits until one is left:

* a **convolution** applies the same two-qubit unitary (:func:`conv_block`, 3 angles) to
  every pair of neighbouring active qubits, on a ring: first the pairs that start at even
  positions, then those at odd positions. The angles are *shared* by the whole layer, so the
  layer treats every position alike (translation invariance);
* a **pooling** applies the same two-qubit unitary (:func:`pool_block`, 3 angles) to the
  pairs (active[0], active[1]), (active[2], active[3]), ...: the first qubit of a pair, the
  *source*, is discarded afterwards and the second, the *sink*, stays active. The block is
  the unitary form of "measure the source and rotate the sink conditioned on the outcome"
  (deferred measurement), as in Cong et al.

Each level halves the active qubits, so n qubits need ceil(log2 n) levels. A final trainable
RX on the last active qubit (the *output qubit*) chooses the axis it is read along (Cong et
al.'s "fully connected" layer, on one qubit), so the model has 6 ceil(log2 n) + 1 angles,
whatever the width. P(class 1) is the probability that the output qubit reads 1.

The convolution block is the one of qiskit-machine-learning's QCNN tutorial. Its pooling
block is not used: on states that are symmetric under flipping every qubit (the Ising
ground states of :func:`qmlkit.datasets.ising_phases`) the tutorial's blocks put P(class 1) of
every state on the same side of 1/2 (at each of 200 random angle settings we tried), so no
threshold separates the phases.

Inputs are either classical features (``input="features"``: feature i is loaded as RY(x_i)
on qubit i, or by a given ``feature_map``) or *quantum data* (``input="state"``: every row of
X is a statevector on n qubits, Qiskit's qubit order, qubit 0 = least-significant index bit).
Training minimises the mean binary cross-entropy with exact adjoint gradients over a batched
statevector of all training points (:mod:`qmlkit.models._adjoint`).

With shots (``"ideal"`` with an integer ``shots`` for Aer's noiseless sampler, a device such
as ``"fake:manila"``, or a :class:`qmlkit.backends.Backend`) the model runs through the backend's V2
sampler instead: the transpiled circuit measures the output qubit only, P(class 1) is the
frequency of 1 in ``shots`` measurements, and gradients come from the parameter-shift rule
applied to every gate in which a shared angle appears (two terms for the RZ/RY/RX gates, four
for the CRY gates of the pooling block; :mod:`qmlkit.models._device`). All shifted circuits of
a step go to the sampler in one call. Quantum data (``input="state"``) is refused on a device:
loading an arbitrary n-qubit state takes a circuit of about 2**n CNOTs, one per training
state, so the noisy device would mostly measure the state preparation and not the QCNN.

>>> from qmlkit import datasets
>>> X_train, y_train, X_test, y_test = datasets.ising_phases(n_qubits=4, n_samples=40, seed=1)
>>> clf = QCNNClassifier(input="state", random_state=0).fit(X_train, y_train)
>>> len(clf.weights_), clf.output_qubit_, bool(clf.score(X_test, y_test) >= 0.8)
(13, 3, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ..errors import InputError
from ..optimizers import GRADIENT_FREE, minimize
from ._adjoint import AdjointProgram
from ._device import ShotProgram, device_for, shots_for
from ._sklearn import QuantumClassifier, require_fitted

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    from ..backends import Backend

__all__ = [
    "QCNNClassifier",
    "conv_block",
    "pool_block",
    "conv_pairs",
    "pool_pairs",
    "qcnn_circuit",
]

_INPUTS = ("features", "state")
_MAX_QUBITS = 12


def conv_block(params: Any) -> QuantumCircuit:
    """The two-qubit convolution unitary with 3 angles (qiskit-machine-learning's tutorial).

    RZ(-pi/2) on qubit 1, CX(1, 0), RZ(a) on 0, RY(b) on 1, CX(0, 1), RY(c) on 1, CX(1, 0),
    RZ(pi/2) on 0. Three CNOTs and three angles reach a useful family of two-qubit gates
    (Vatan & Williams 2004).

    Introduced in lesson 12.

    >>> conv_block([0.1, 0.2, 0.3]).count_ops()["cx"]
    3
    """
    from qiskit import QuantumCircuit

    a, b, c = params
    qc = QuantumCircuit(2, name="conv")
    qc.rz(-np.pi / 2, 1)
    qc.cx(1, 0)
    qc.rz(a, 0)
    qc.ry(b, 1)
    qc.cx(0, 1)
    qc.ry(c, 1)
    qc.cx(1, 0)
    qc.rz(np.pi / 2, 0)
    return qc


def pool_block(params: Any) -> QuantumCircuit:
    """The two-qubit pooling unitary with 3 angles: qubit 0 is the source, qubit 1 the sink.

    RY(a) on the source; then RY(b) on the sink if the source is 1 (a CRY) and RY(c) on the
    sink if the source is 0 (a CRY between two X gates on the source). It is "measure the
    source, then rotate the sink by b or c depending on the outcome", with the measurement
    deferred; afterwards the source is ignored.

    Introduced in lesson 12.

    >>> dict(pool_block([0.1, 0.2, 0.3]).count_ops())
    {'cry': 2, 'x': 2, 'ry': 1}
    """
    from qiskit import QuantumCircuit

    a, b, c = params
    qc = QuantumCircuit(2, name="pool")
    qc.ry(a, 0)
    qc.cry(b, 0, 1)
    qc.x(0)
    qc.cry(c, 0, 1)
    qc.x(0)
    return qc


def conv_pairs(active: list[int]) -> list[tuple[int, int]]:
    """Neighbouring pairs of the active qubits on a ring: even starts first, then odd.

    >>> conv_pairs([0, 1, 2, 3])
    [(0, 1), (2, 3), (1, 2), (3, 0)]
    >>> conv_pairs([1, 3])
    [(1, 3)]
    """
    m = len(active)
    if m < 2:
        return []
    if m == 2:
        return [(active[0], active[1])]
    starts = list(range(0, m, 2)) + list(range(1, m, 2))
    return [(active[i], active[(i + 1) % m]) for i in starts]


def pool_pairs(active: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    """(source, sink) pairs of a pooling layer and the qubits that stay active.

    Sources are the active qubits at even positions, sinks the ones after them; with an odd
    number of active qubits the last one is not pooled and stays.

    >>> pool_pairs([0, 1, 2, 3, 4])
    ([(0, 1), (2, 3)], [1, 3, 4])
    """
    pairs = [(active[i], active[i + 1]) for i in range(0, len(active) - 1, 2)]
    kept = [sink for _, sink in pairs] + ([active[-1]] if len(active) % 2 else [])
    return pairs, kept


def qcnn_circuit(n_qubits: int) -> tuple[QuantumCircuit, ParameterVector, int]:
    """The QCNN on ``n_qubits``: conv and pool levels with shared angles, until one qubit.

    Returns:
        ``(circuit, theta, output_qubit)``: the circuit, its 6 ceil(log2 n) + 1 angles (level
        by level: 3 convolution angles, then 3 pooling angles; last, the angle of the final
        RX on the output qubit) and the qubit to read out.

    Introduced in lesson 12.

    >>> qc, theta, out = qcnn_circuit(8)
    >>> len(theta), out, qc.count_ops()["cx"], qc.count_ops()["cry"]
    (19, 7, 39, 14)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    if isinstance(n_qubits, bool) or not isinstance(n_qubits, (int, np.integer)) or n_qubits < 2:
        raise InputError(f"A QCNN needs at least 2 qubits, got n_qubits={n_qubits!r}.")
    levels = int(np.ceil(np.log2(n_qubits)))
    theta = ParameterVector("θ", 6 * levels + 1)
    qc = QuantumCircuit(int(n_qubits))
    active = list(range(n_qubits))
    level = 0
    while len(active) > 1:
        conv = conv_block(theta[6 * level : 6 * level + 3])
        pool = pool_block(theta[6 * level + 3 : 6 * level + 6])
        for pair in conv_pairs(active):
            qc.compose(conv, pair, inplace=True)
        pairs, active = pool_pairs(active)
        for pair in pairs:
            qc.compose(pool, pair, inplace=True)
        level += 1
    qc.rx(theta[-1], active[0])
    return qc, theta, active[0]


def _state_program(circuit: QuantumCircuit, weights: list) -> AdjointProgram:
    """An AdjointProgram that starts from given states: its constant prefix becomes gates."""
    from qiskit import QuantumCircuit

    program = AdjointProgram(circuit, [], weights)
    head = [
        program._compile(
            inst.operation, tuple(program.prefix.find_bit(q).index for q in inst.qubits)
        )
        for inst in program.prefix.data
    ]
    program.gates = head + program.gates
    program.prefix = QuantumCircuit(program.n)
    return program


class QCNNClassifier(QuantumClassifier):
    """Quantum convolutional neural network for binary labels, as a scikit-learn estimator.

    Args:
        input: ``"features"`` (classical rows, one qubit per feature unless a
            ``feature_map`` is given) or ``"state"`` (each row a statevector of length
            2**n: quantum data).
        feature_map: with ``input="features"``, a parameterised circuit whose parameters (in
            ``circuit.parameters`` order) take the features; ``None`` for RY(x_i) on qubit i.
        optimizer: ``"adam"`` or a :func:`scipy.optimize.minimize` method.
        maxiter: iteration budget of the optimiser.
        learning_rate: Adam's step size.
        random_state: seed (an int, or a NumPy ``Generator``) of the random initial angles;
            ``None`` for fresh randomness.
        progress: show a progress bar (text, or a widget in Jupyter).
        callback: called as ``callback(iteration, loss)`` after every iteration.
        initial_point: initial angles (overrides the random start).
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            With shots, P(class 1) is estimated from the sampler and training uses
            parameter-shift gradients (``input="features"`` only). The sampling seed is
            ``random_state`` when it is an int.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.

    All arguments are keyword-only, as in scikit-learn.

    Attributes:
        classes_: the two class labels, sorted; ``predict_proba``'s columns follow them.
        n_features_in_: number of features (or amplitudes, for states) seen in ``fit``.
        n_qubits_: the width of the QCNN.
        circuit_: the trained circuit (feature map, if any, then the QCNN).
        output_qubit_: the qubit read out.
        weights_: the trained angles (6 per level and 1 final, see :func:`qcnn_circuit`).
        loss_history_: the cross-entropy after each iteration.
        n_iter_: the number of optimiser iterations run.
        shot_program_: on a device backend, the :class:`~qmlkit.models._device.ShotProgram`
            that samples the circuit (``None`` on the exact simulator).
        isa_circuit_: on a device backend, the transpiled measured circuit.

    Raises:
        InputError: bad arguments or data; ``input="state"`` with shots;
            ``shots`` not a positive integer.
        BackendError: an unknown backend spec (for example ``"fake:nowhere"``).

    Introduced in lesson 12.

    >>> X = np.array([[0.1, 0.2, 0.1, 0.3], [3.0, 2.9, 3.1, 2.8]] * 3); y = [0, 1] * 3
    >>> clf = QCNNClassifier(maxiter=30, random_state=0).fit(X, y)
    >>> clf.n_qubits_, len(clf.weights_), clf.predict(X).tolist()
    (4, 13, [0, 1, 0, 1, 0, 1])
    """

    def __init__(
        self,
        *,
        input: str = "features",
        feature_map: QuantumCircuit | None = None,
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
        self.input = input
        self.feature_map = feature_map
        self.optimizer = optimizer
        self.maxiter = maxiter
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress = progress
        self.callback = callback
        self.initial_point = initial_point
        self.backend = backend
        self.shots = shots

    # -- validation -------------------------------------------------------------------------
    def _check_input_kind(self) -> None:
        if self.input not in _INPUTS:
            raise InputError(f"input must be one of {_INPUTS}, got {self.input!r}.")
        if self.input == "state" and self.feature_map is not None:
            raise InputError("input='state' takes statevectors; leave feature_map=None.")

    def _as_states(self, X: Any) -> np.ndarray:
        """Rows of X as normalised complex statevectors (input='state')."""
        try:
            states = np.asarray(X, dtype=complex)
        except (TypeError, ValueError):
            raise InputError(
                f"input='state' expects statevectors as rows of an array, got {type(X).__name__}."
            ) from None
        if states.ndim != 2 or states.shape[0] == 0:
            raise InputError(
                f"Expected a 2D array of statevectors (one per row), got shape {states.shape}."
            )
        dim = states.shape[1]
        n = int(round(np.log2(dim))) if dim > 0 else 0
        if dim < 4 or 2**n != dim:
            raise InputError(
                f"Each state must have 2**n amplitudes with n >= 2 qubits; rows have {dim}."
            )
        if n > _MAX_QUBITS:
            raise InputError(f"States on {n} qubits: the QCNN simulates at most {_MAX_QUBITS}.")
        if not np.all(np.isfinite(states)):
            raise InputError("The states contain NaN or infinite amplitudes.")
        norms = np.linalg.norm(states, axis=1)
        if not np.allclose(norms, 1.0, atol=1e-6):
            worst = float(norms[np.argmax(np.abs(norms - 1))])
            raise InputError(f"Every state must have norm 1; one has norm {worst:.4g}.")
        return states

    def _validate_states_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        states = self._as_states(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(states):
            raise InputError(f"y must have one label per state: {len(states)} states, y {y.shape}.")
        try:
            check_classification_targets(y)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) != 2:
            raise InputError(
                f"QCNNClassifier needs labels of exactly 2 classes, got {len(classes)}: "
                f"{classes.tolist()[:5]}."
            )
        self.classes_ = classes
        self.n_features_in_ = states.shape[1]
        return states, y_index

    # -- circuit ----------------------------------------------------------------------------
    def _build(self, n_features: int) -> tuple[QuantumCircuit, list, list, int]:
        from qiskit import QuantumCircuit

        if self.input == "state":
            n = int(round(np.log2(n_features)))
            qc, theta, out = qcnn_circuit(n)
            return qc, [], list(theta), out
        if self.feature_map is None:
            if n_features < 2:
                raise InputError(
                    "QCNNClassifier loads one feature per qubit and needs at least 2 qubits; "
                    "got 1 feature(s)."
                )
            if n_features > _MAX_QUBITS:
                raise InputError(
                    f"{n_features} features would need {n_features} qubits; the QCNN simulates "
                    f"at most {_MAX_QUBITS}. Reduce the features (e.g. with PCA) first."
                )
            from qiskit.circuit import ParameterVector

            x = ParameterVector("x", n_features)
            fmap = QuantumCircuit(n_features)
            for i in range(n_features):
                fmap.ry(x[i], i)
            inputs = list(x)
        else:
            if not isinstance(self.feature_map, QuantumCircuit):
                raise InputError(
                    "feature_map must be a qiskit QuantumCircuit or None, got "
                    f"{type(self.feature_map).__name__}."
                )
            fmap = self.feature_map
            if fmap.num_parameters != n_features:
                raise InputError(
                    f"The feature map has {fmap.num_parameters} parameters but X has "
                    f"{n_features} features; they must match (one parameter per feature)."
                )
            if fmap.num_qubits > _MAX_QUBITS:
                raise InputError(f"The QCNN simulates at most {_MAX_QUBITS} qubits.")
            inputs = list(fmap.parameters)
        qc, theta, out = qcnn_circuit(fmap.num_qubits)
        return fmap.compose(qc), inputs, list(theta), out

    # -- training ---------------------------------------------------------------------------
    def _start(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(X for the program's angles, start states)."""
        if self.input == "state":
            return np.zeros((len(X), 0)), X
        return X, self.program_.initial_states(X)

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

    # -- device (shots) ---------------------------------------------------------------------
    def _prepare_device(self, inputs: list, weights: list) -> None:
        """Resolve ``backend``: the exact simulator (None) or a ShotProgram on the device."""
        self.shot_program_ = None
        device = device_for(self.backend, self.random_state, self.shots)
        if device is None:
            return
        if self.input == "state":
            raise InputError(
                "input='state' runs on the exact simulator only (shots=None and backend=None or "
                "'ideal'): with shots "
                "every state would need its own state-preparation circuit of about 2**n CNOTs, "
                "and the noise would measure the preparation more than the QCNN. Use "
                "input='features' on a device."
            )
        shots = shots_for(device, self.shots)
        label = "".join(
            "Z" if q == self.output_qubit_ else "I" for q in reversed(range(self.n_qubits_))
        )
        self.shot_program_ = ShotProgram(self.circuit_, inputs, weights, device, shots, [label])
        self.isa_circuit_ = self.shot_program_.isa_circuits[0]

    def _device_loss_and_grad(
        self, w: np.ndarray, X: np.ndarray, y: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray]:
        """Cross-entropy from shots and its parameter-shift gradient (zeros without)."""
        assert self.shot_program_ is not None
        probs, jac = self.shot_program_.run(X, w, gradient)
        p1 = probs[0][:, 1]
        eps = 1e-12
        p = np.clip(p1, eps, 1 - eps)
        loss = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        if jac is None:
            return loss, np.zeros_like(w)
        d_p = np.where((p1 > eps) & (p1 < 1 - eps), (p - y) / (p * (1 - p)), 0.0) / len(y)
        return loss, jac[0][:, :, 1] @ d_p

    # -- public -----------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> QCNNClassifier:
        """Train on ``X`` (features, or statevectors with ``input="state"``) and binary ``y``."""
        self._check_input_kind()
        if self.input == "state":
            X, y_index = self._validate_states_fit(X, y)
        else:
            X, y_index = self._validate_fit(X, y)
        circuit, inputs, weights, out = self._build(X.shape[1])
        self.circuit_, self.output_qubit_ = circuit, out
        self.n_qubits_ = circuit.num_qubits
        if self.input == "state":
            self.program_ = _state_program(circuit, weights)
        else:
            self.program_ = AdjointProgram(circuit, inputs, weights)
        self.mask_ = ((np.arange(2**self.n_qubits_) >> out) & 1).astype(float)
        if self.initial_point is not None:
            w0 = np.asarray(self.initial_point, dtype=float).ravel()
            if w0.shape != (len(weights),):
                raise InputError(
                    f"initial_point must have {len(weights)} values (one per angle), got {w0.size}."
                )
        else:
            w0 = np.random.default_rng(self.random_state).uniform(-np.pi, np.pi, len(weights))
        self._prepare_device(inputs, weights)
        fun: Callable[[np.ndarray], tuple[float, np.ndarray]]
        if self.shot_program_ is None:
            X_angles, start = self._start(X)
            cache: dict = {}
            fun = lambda w: self._loss_and_grad(w, X_angles, y_index.astype(float), start, cache)  # noqa: E731
        else:
            gradient = str(self.optimizer).lower() not in GRADIENT_FREE
            if gradient:
                self.shot_program_.require_gradient("QCNNClassifier")
            fun = lambda w: self._device_loss_and_grad(w, X, y_index.astype(float), gradient)  # noqa: E731
        res = minimize(
            fun,
            w0,
            method=self.optimizer,
            maxiter=self.maxiter,
            learning_rate=self.learning_rate,
            callback=self.callback,
            progress=self.progress,
            desc="QCNN",
        )
        self.weights_ = res.x
        self.loss_history_ = res.history
        self.n_iter_ = res.nit
        return self

    def _validated(self, X: Any) -> np.ndarray:
        if self.input != "state":
            return self._validate_predict(X)
        require_fitted(self)
        states = self._as_states(X)
        if states.shape[1] != self.n_features_in_:
            raise InputError(
                f"X has {states.shape[1]} amplitudes per state, but QCNNClassifier was fitted "
                f"on states with {self.n_features_in_} features (amplitudes)."
            )
        return states

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, 2), columns in the order of ``classes_``.

        On a device backend they are frequencies of ``shots`` measurements.
        """
        X = self._validated(X)
        if self.shot_program_ is not None:
            return self.shot_program_.run(X, self.weights_, gradient=False)[0][0]
        X_angles, start = self._start(X)
        _, p1 = self._probability(self.weights_, X_angles, start, {})
        return np.column_stack([1 - p1, p1])

    def loss_and_gradient(self, X: Any, y: Any, weights: Any = None) -> tuple[float, np.ndarray]:
        """Cross-entropy and its gradient at ``weights`` (default: the fitted angles).

        ``y`` holds labels from ``classes_``. Exact (adjoint method) on the simulator; on a
        device backend, estimated from shots with the parameter-shift rule.
        """
        X = self._validated(X)
        y01 = (np.asarray(y) == self.classes_[1]).astype(float)
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float)
        if self.shot_program_ is not None:
            return self._device_loss_and_grad(w, X, y01, gradient=True)
        X_angles, start = self._start(X)
        return self._loss_and_grad(w, X_angles, y01, start, {})
