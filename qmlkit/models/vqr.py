"""Variational quantum regressor (VQR) with exact, batched analytic gradients.

The model is the expectation value of an observable ``M`` in a parameterised state, rescaled
so that it can reach targets outside ``[-1, 1]``:

    f(x) = a <psi(x, theta)| M |psi(x, theta)> + b ,

with trainable circuit weights ``theta`` and (``trainable_output=True``, the default) a
trainable scale ``a`` and offset ``b``. It minimises the mean squared error. Gradients are
exact: one forward and one backward (adjoint) pass over a batched statevector of all training
points (:mod:`qmlkit.models._adjoint`), as in :class:`qmlkit.models.VQC`.

The default circuit (no ``feature_map`` and no ``ansatz``) is the *data re-uploading* circuit
of :func:`qmlkit.models.vqc.reuploading_circuit`: ``reps`` times [RY(x_i) on qubit i,
trainable RY and RZ on every qubit, a ring of CZ], then a trainable RY layer. With ``reps``
uploads of RY(x_i) the model is a trigonometric polynomial of degree ``reps`` in every feature
(Schuld, Sweke & Meyer, PRA 103, 032430, 2021): its frequencies are -reps, ..., reps.

Observables: ``"z"`` (Z on qubit 0), ``"parity"`` (Z on every qubit), ``"mean_z"`` (the mean of
the Z_i), a Pauli label such as ``"ZI"`` (Qiskit order: the rightmost letter is qubit 0), or a
``qiskit.quantum_info.SparsePauliOp``. Qubit order is Qiskit's (qubit 0 = rightmost bit).

With shots (``"ideal"`` with an integer ``shots`` for Aer's noiseless sampler, a device such
as ``"fake:manila"``, or a :class:`qmlkit.backends.Backend`) the expectation values are estimated from
``shots`` measurements with the backend's V2 sampler: the Pauli terms of ``M`` are grouped into
qubit-wise commuting groups (``SparsePauliOp.group_commuting(qubit_wise=True)``); each group is
one measured circuit, its X and Y qubits rotated to Z first (H, or S-dagger then H), and a
term's value in a shot is the product of the +-1 outcomes of its qubits. Diagonal observables
(``"z"``, ``"parity"``, ``"mean_z"``, Z strings) are one group: the circuit itself, measured.
Gradients of the circuit weights come from the parameter-shift rule, applied to every gate in
which a weight appears (:mod:`qmlkit.models._device`), all shifted circuits of a step in one
sampler call; the scale ``a`` and offset ``b`` are differentiated classically
(df/da = <M>, df/db = 1).

>>> x = np.linspace(-np.pi, np.pi, 40).reshape(-1, 1)
>>> y = 3 * np.sin(2 * x.ravel()) + 1
>>> reg = VariationalRegressor(reps=2, maxiter=100, random_state=0).fit(x, y)
>>> bool(reg.score(x, y) > 0.99)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from ..errors import InputError
from ..optimizers import GRADIENT_FREE, minimize
from ._adjoint import AdjointProgram
from ._device import ShotProgram, device_for, shots_for
from ._sklearn import _as_input_error, require_fitted
from .vqc import reuploading_circuit

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    from ..backends import Backend

__all__ = ["VariationalRegressor", "pauli_diagonal"]

_NAMED_OBSERVABLES = ("z", "parity", "mean_z")
_MAX_QUBITS = 12


def pauli_diagonal(label: str) -> np.ndarray:
    """The diagonal of a Pauli string made of ``I`` and ``Z`` (Qiskit order: rightmost = qubit 0).

    >>> pauli_diagonal("ZI").tolist()   # Z on qubit 1
    [1.0, 1.0, -1.0, -1.0]
    """
    n = len(label)
    idx = np.arange(2**n)
    diag = np.ones(2**n)
    for q, letter in enumerate(reversed(label.upper())):
        if letter == "Z":
            diag *= 1 - 2 * ((idx >> q) & 1)
        elif letter != "I":
            raise InputError(f"pauli_diagonal takes I and Z only, got {letter!r} in {label!r}.")
    return diag


class _Observable:
    """``M`` as a diagonal (Z strings) or as a sparse matrix: expectation and ``M psi``."""

    def __init__(self, spec: Any, n: int) -> None:
        from qiskit.quantum_info import SparsePauliOp

        self.diagonal: np.ndarray | None = None
        self.matrix: Any = None
        if isinstance(spec, str) and spec in _NAMED_OBSERVABLES:
            if spec == "z":
                self.diagonal = pauli_diagonal("I" * (n - 1) + "Z")
            elif spec == "parity":
                self.diagonal = pauli_diagonal("Z" * n)
            else:
                self.diagonal = np.mean(
                    [pauli_diagonal("I" * (n - 1 - q) + "Z" + "I" * q) for q in range(n)], axis=0
                )
            return
        try:
            op = SparsePauliOp(spec)
        except Exception:
            raise InputError(
                f"observable must be one of {_NAMED_OBSERVABLES}, a Pauli label such as 'ZI' "
                f"or a SparsePauliOp, got {spec!r}."
            ) from None
        if op.num_qubits != n:
            raise InputError(f"The observable acts on {op.num_qubits} qubits, the circuit on {n}.")
        if np.any(np.abs(op.coeffs.imag) > 1e-12):
            raise InputError("The observable must be Hermitian: use real Pauli coefficients.")
        if not np.any(op.paulis.x):
            self.diagonal = np.real(op.to_matrix(sparse=True).diagonal())
        else:
            self.matrix = op.to_matrix(sparse=True)

    def apply(self, states: np.ndarray) -> np.ndarray:
        """``M psi`` for every row of ``states``."""
        if self.diagonal is not None:
            return states * self.diagonal[None, :]
        return np.asarray((self.matrix @ states.T).T)

    def expectation(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(<psi|M|psi> per row, M psi)."""
        m_psi = self.apply(states)
        return np.real(np.sum(states.conj() * m_psi, axis=1)), m_psi


def _as_pauli_op(spec: Any, n: int) -> Any:
    """The observable as a ``SparsePauliOp`` on ``n`` qubits (validated by ``_Observable``)."""
    from qiskit.quantum_info import SparsePauliOp

    if isinstance(spec, str) and spec in _NAMED_OBSERVABLES:
        if spec == "z":
            return SparsePauliOp("I" * (n - 1) + "Z")
        if spec == "parity":
            return SparsePauliOp("Z" * n)
        labels = ["I" * (n - 1 - q) + "Z" + "I" * q for q in range(n)]
        return SparsePauliOp(labels, np.full(n, 1.0 / n))
    return SparsePauliOp(spec)


class VariationalRegressor(RegressorMixin, BaseEstimator):
    """Variational quantum regressor, as a scikit-learn estimator.

    Args:
        feature_map: a parameterised circuit whose parameters (in ``circuit.parameters``
            order) take the features; ``None`` for the default re-uploading circuit.
        ansatz: the trainable circuit on the same qubits; ``None`` for the default. It may
            use the feature map's parameters again, which re-uploads the inputs.
        reps: uploads of the default circuit, or repetitions of the default
            ``real_amplitudes`` ansatz when a ``feature_map`` is given.
        observable: ``"z"``, ``"parity"``, ``"mean_z"``, a Pauli label or a ``SparsePauliOp``.
        trainable_output: train a scale ``a`` and an offset ``b``, f = a <M> + b (initialised
            to the spread and the mean of the training targets); ``False`` for f = <M>, which
            can only reach targets in the range of ``M``'s eigenvalues.
        optimizer: ``"adam"`` or a :func:`scipy.optimize.minimize` method.
        maxiter: iteration budget of the optimiser.
        learning_rate: Adam's step size.
        random_state: seed (an int, or a NumPy ``Generator``) of the random initial weights.
        progress: show a progress bar (text, or a widget in Jupyter).
        callback: called as ``callback(iteration, loss)`` after every iteration.
        initial_point: initial circuit weights (overrides the random start).
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            With shots, <M> is estimated from the sampler and training uses
            parameter-shift gradients (see the module docstring). The sampling seed is
            ``random_state`` when it is an int.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit (per group of commuting Pauli terms).

    All arguments are keyword-only, as in scikit-learn.

    Attributes:
        n_features_in_: number of features seen in ``fit``.
        circuit_: the trained circuit.
        input_params_: the circuit parameters that take the features, in feature order.
        weight_params_: the trainable circuit parameters, in the order of ``weights_``.
        weights_: the trained circuit weights.
        output_scale_: the scale ``a`` (1.0 when ``trainable_output=False``).
        output_offset_: the offset ``b`` (0.0 when ``trainable_output=False``).
        loss_history_: the mean squared error after each iteration.
        n_iter_: the number of optimiser iterations run.
        shot_program_: on a device backend, the :class:`~qmlkit.models._device.ShotProgram`
            that samples the measured circuits (``None`` on the exact simulator).

    Raises:
        InputError: bad arguments or data; on a device, a gradient optimiser with weights in
            gates the shift rules do not cover (use ``optimizer="COBYLA"``), an observable
            that is a multiple of the identity, or ``shots`` not a positive integer.
        BackendError: an unknown backend spec (for example ``"fake:nowhere"``).

    Introduced in lesson 13.

    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = [5.0, 6.0, 7.0, 8.0]
    >>> reg = VariationalRegressor(reps=1, maxiter=50, random_state=0).fit(X, y)
    >>> reg.predict(X).shape, len(reg.loss_history_) == reg.n_iter_
    ((4,), True)
    """

    def __init__(
        self,
        *,
        feature_map: QuantumCircuit | None = None,
        ansatz: QuantumCircuit | None = None,
        reps: int = 3,
        observable: Any = "z",
        trainable_output: bool = True,
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
        self.observable = observable
        self.trainable_output = trainable_output
        self.optimizer = optimizer
        self.maxiter = maxiter
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress = progress
        self.callback = callback
        self.initial_point = initial_point
        self.backend = backend
        self.shots = shots

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # tiny budgets (maxiter=5) in scikit-learn's checks cannot reach R^2 > 0.5
        tags.regressor_tags.poor_score = True
        return tags

    # -- circuit ----------------------------------------------------------------------------
    def _build_circuit(
        self, n_features: int
    ) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
        from qiskit import QuantumCircuit

        if not isinstance(self.reps, (int, np.integer)) or self.reps < 1:
            raise InputError(f"reps must be a positive integer, got {self.reps!r}.")
        for name in ("feature_map", "ansatz"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, QuantumCircuit):
                raise InputError(
                    f"{name} must be a qiskit QuantumCircuit or None, got {type(value).__name__}."
                )
        if self.feature_map is None and self.ansatz is None:
            if n_features > _MAX_QUBITS:
                raise InputError(
                    f"The default regressor uses one qubit per feature; {n_features} features "
                    f"are more than {_MAX_QUBITS} qubits. Reduce the features (e.g. with PCA)."
                )
            qc, x, theta = reuploading_circuit(n_features, int(self.reps))
            return qc, list(x), list(theta)
        from qiskit.circuit.library import real_amplitudes, zz_feature_map

        fmap = self.feature_map if self.feature_map is not None else zz_feature_map(n_features)
        ansatz = (
            self.ansatz
            if self.ansatz is not None
            else real_amplitudes(fmap.num_qubits, reps=int(self.reps))
        )
        if fmap.num_parameters != n_features:
            raise InputError(
                f"The feature map has {fmap.num_parameters} parameters but X has {n_features} "
                "features; they must match."
            )
        if ansatz.num_qubits != fmap.num_qubits:
            raise InputError(
                f"The ansatz acts on {ansatz.num_qubits} qubits but the feature map on "
                f"{fmap.num_qubits}; use circuits of the same width."
            )
        inputs = list(fmap.parameters)
        # the ansatz may use the inputs again: that is data re-uploading
        weights = [p for p in ansatz.parameters if p not in set(inputs)]
        return fmap.compose(ansatz), inputs, weights

    # -- model ------------------------------------------------------------------------------
    def _split(self, params: np.ndarray) -> tuple[np.ndarray, float, float]:
        """(circuit weights, scale, offset) from the optimiser's parameter vector."""
        if self.trainable_output:
            return params[:-2], float(params[-2]), float(params[-1])
        return params, 1.0, 0.0

    def _outputs(
        self, params: np.ndarray, X: np.ndarray, start: np.ndarray, cache: dict
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        w, a, b = self._split(params)
        final = self.program_.forward(X, w, start, cache)
        e, m_psi = self.observable_.expectation(final)
        return a * e + b, e, final, m_psi

    def _loss_and_grad(
        self, params: np.ndarray, X: np.ndarray, y: np.ndarray, start: np.ndarray, cache: dict
    ) -> tuple[float, np.ndarray]:
        w, a, _ = self._split(params)
        f, e, final, m_psi = self._outputs(params, X, start, cache)
        r = f - y
        loss = float(np.mean(r**2))
        d_f = 2.0 * r / len(y)  # dL/df per row
        lam = (a * d_f)[:, None] * m_psi  # dL/d(final*) = dL/de * M psi
        grad_w = self.program_.gradient(X, w, final, lam, cache)
        if self.trainable_output:
            return loss, np.concatenate([grad_w, [float(d_f @ e), float(np.sum(d_f))]])
        return loss, grad_w

    # -- device (shots) ---------------------------------------------------------------------
    def _prepare_device(self) -> None:
        """Resolve ``backend``: the exact simulator (None) or a ShotProgram on the device."""
        self.shot_program_ = None
        device = device_for(self.backend, self.random_state, self.shots)
        if device is None:
            return
        shots = shots_for(device, self.shots)
        n = self.circuit_.num_qubits
        op = _as_pauli_op(self.observable, n)
        identity = ~(op.paulis.x | op.paulis.z).any(axis=1)
        self._device_constant = float(np.sum(op.coeffs[identity].real))
        rest = op[~identity]
        if len(rest) == 0:
            raise InputError("The observable is a multiple of the identity: nothing to measure.")
        bases, values = [], []
        for group in rest.group_commuting(qubit_wise=True):
            support = group.paulis.x | group.paulis.z  # (terms, n), column q = qubit q
            letters = []
            for q in range(n):
                column = [p[q] for p, used in zip(group.paulis, support[:, q]) if used]
                letters.append(str(column[0]) if column else "I")
            measured = [q for q in range(n) if letters[q] != "I"]
            outcomes = np.arange(2 ** len(measured))
            value = np.zeros(len(outcomes))
            for coeff, used in zip(group.coeffs.real, support):
                sign = np.ones(len(outcomes))
                for k, q in enumerate(measured):
                    if used[q]:
                        sign *= 1 - 2 * ((outcomes >> k) & 1)
                value += coeff * sign
            bases.append("".join(reversed(letters)))
            values.append(value)
        self._device_values = values
        self.shot_program_ = ShotProgram(
            self.circuit_, self.input_params_, self.weight_params_, device, shots, bases
        )

    def _device_expectation(
        self, w: np.ndarray, X: np.ndarray, gradient: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """<M> per row from shots and, with ``gradient``, its (n_weights, n) Jacobian."""
        assert self.shot_program_ is not None
        probs, jac = self.shot_program_.run(X, w, gradient)
        e = np.full(len(X), self._device_constant)
        for p, v in zip(probs, self._device_values):
            e += p @ v
        if jac is None:
            return e, None
        d_e = np.zeros((len(w), len(X)))
        for j, v in zip(jac, self._device_values):
            d_e += j @ v
        return e, d_e

    def _device_loss_and_grad(
        self, params: np.ndarray, X: np.ndarray, y: np.ndarray, gradient: bool
    ) -> tuple[float, np.ndarray]:
        w, a, b = self._split(params)
        e, jac = self._device_expectation(w, X, gradient)
        r = a * e + b - y
        loss = float(np.mean(r**2))
        if jac is None:
            return loss, np.zeros_like(params)
        d_f = 2.0 * r / len(y)
        grad_w = a * (jac @ d_f)
        if self.trainable_output:
            return loss, np.concatenate([grad_w, [float(d_f @ e), float(np.sum(d_f))]])
        return loss, grad_w

    def fit(self, X: Any, y: Any) -> VariationalRegressor:
        """Train on features ``X`` (n_samples, n_features) and real targets ``y``; returns self."""
        try:
            X, y = validate_data(self, X, y, dtype=float, y_numeric=True)
        except ValueError as exc:
            raise _as_input_error(exc) from None
        y = np.asarray(y, dtype=float)
        circuit, inputs, weights = self._build_circuit(X.shape[1])
        if circuit.num_qubits > _MAX_QUBITS:
            raise InputError(
                f"The circuit has {circuit.num_qubits} qubits; the regressor simulates at most "
                f"{_MAX_QUBITS}."
            )
        self.circuit_, self.input_params_, self.weight_params_ = circuit, inputs, weights
        self.program_ = AdjointProgram(circuit, inputs, weights)
        self.observable_ = _Observable(self.observable, circuit.num_qubits)
        if self.initial_point is not None:
            w0 = np.asarray(self.initial_point, dtype=float).ravel()
            if w0.shape != (len(weights),):
                raise InputError(
                    f"initial_point must have {len(weights)} values (one per weight), got {w0.size}."
                )
        else:
            w0 = np.random.default_rng(self.random_state).uniform(-np.pi, np.pi, len(weights))
        if self.trainable_output:
            spread = float(np.max(np.abs(y - y.mean()))) if len(y) else 0.0
            w0 = np.concatenate([w0, [spread if spread > 0 else 1.0, float(y.mean())]])
        self._prepare_device()
        fun: Callable[[np.ndarray], tuple[float, np.ndarray]]
        if self.shot_program_ is None:
            start = self.program_.initial_states(X)
            cache: dict = {}
            fun = lambda p: self._loss_and_grad(p, X, y, start, cache)  # noqa: E731
        else:
            gradient = str(self.optimizer).lower() not in GRADIENT_FREE
            if gradient:
                self.shot_program_.require_gradient("VariationalRegressor")
            fun = lambda p: self._device_loss_and_grad(p, X, y, gradient)  # noqa: E731
        res = minimize(
            fun,
            w0,
            method=self.optimizer,
            maxiter=self.maxiter,
            learning_rate=self.learning_rate,
            callback=self.callback,
            progress=self.progress,
            desc="VQR",
        )
        weights_, self.output_scale_, self.output_offset_ = self._split(np.asarray(res.x))
        self.weights_ = np.array(weights_)
        self.loss_history_ = res.history
        self.n_iter_ = res.nit
        return self

    def _params(self, weights: Any = None) -> np.ndarray:
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float).ravel()
        if self.trainable_output and len(w) == len(self.weights_):
            return np.concatenate([w, [self.output_scale_, self.output_offset_]])
        return np.asarray(w, dtype=float)

    def _validate_predict(self, X: Any) -> np.ndarray:
        require_fitted(self)
        try:
            return validate_data(self, X, dtype=float, reset=False)
        except ValueError as exc:
            raise _as_input_error(exc) from None

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,) (from shots on a device backend)."""
        X = self._validate_predict(X)
        if self.shot_program_ is not None:
            e, _ = self._device_expectation(self.weights_, X, gradient=False)
            return self.output_scale_ * e + self.output_offset_
        f, *_ = self._outputs(self._params(), X, self.program_.initial_states(X), {})
        return f

    def expectation(self, X: Any) -> np.ndarray:
        """The raw expectation values <M> (before scale and offset), shape (n_samples,).

        Exact, or estimated from shots on a device backend.
        """
        X = self._validate_predict(X)
        if self.shot_program_ is not None:
            return self._device_expectation(self.weights_, X, gradient=False)[0]
        _, e, *_ = self._outputs(self._params(), X, self.program_.initial_states(X), {})
        return e

    def loss_and_gradient(self, X: Any, y: Any, weights: Any = None) -> tuple[float, np.ndarray]:
        """Mean squared error and its gradient at ``weights`` (default: the fitted ones).

        Exact (adjoint method) on the simulator; on a device backend, estimated from shots
        with the parameter-shift rule for the circuit weights.

        ``weights`` holds the circuit weights, or (``trainable_output=True``) the circuit
        weights followed by the scale and the offset; the gradient has the same length.
        """
        X = self._validate_predict(X)
        y = np.asarray(y, dtype=float).ravel()
        if self.shot_program_ is not None:
            return self._device_loss_and_grad(self._params(weights), X, y, gradient=True)
        return self._loss_and_grad(self._params(weights), X, y, self.program_.initial_states(X), {})
