"""Kernels that learn: alignment training of a feature map, and the geometric difference.

:class:`TrainableFidelityKernel` is a fidelity kernel k_theta(x, y) = |<psi_theta(x)|psi_theta(y)>|^2
whose feature map has trainable parameters theta besides the data. ``fit(X, y)`` chooses theta by
maximising the kernel-target alignment A(K_theta, T) (Cristianini et al. 2002; Hubregtsen
et al. 2022) with exact gradients: every derivative state d|psi>/d theta_k is simulated
exactly (batched over the data) as the circuit with the rotation's Pauli generator inserted
after each gate that uses theta_k, so no finite differences and no shots are involved.
With shots (``"ideal"`` with an integer ``shots`` for noiseless shots, ``"fake:manila"`` or any
device) the kernel is instead estimated from shots with :class:`qmlkit.kernels.FidelityKernel`'s
compute-uncompute circuits, and ``fit`` follows SPSA estimates of the alignment gradient
(two kernel estimates per step, whatever the number of parameters). The fitted object is
a :class:`qmlkit.kernels.Kernel` (``kernel(X, Y)``), usable by :class:`qmlkit.models.QSVC`
(``QSVC(kernel=...)``), and a scikit-learn transformer:
``transform(X)`` is the kernel of X against the training points, so
``make_pipeline(TrainableFidelityKernel(), SVC(kernel="precomputed"))`` is a trained-kernel
SVM.

:func:`geometric_difference` is g(K_C || K_Q) of Huang et al. (2021), "Power of data in
quantum machine learning": how much better than the classical kernel K_C the quantum kernel
K_Q can possibly predict some labels. The projected quantum kernel of that paper is
:class:`qmlkit.kernels.ProjectedKernel`.

Introduced in lesson 06.

>>> from qmlkit.datasets import moons
>>> X, y, _, _ = moons(n_samples=40, noise=0.1, seed=0)
>>> kernel = TrainableFidelityKernel(maxiter=10, random_state=0).fit(X, y)
>>> bool(kernel.alignment_history_[-1] > kernel.alignment_history_[0])
True
>>> kernel(X[:3]).shape
(3, 3)
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from .errors import InputError
from .kernels import LARGE_CIRCUIT_COUNT, FidelityKernel, check_data, kernel_target_alignment
from .models._device import device_for, shots_for
from .models._sklearn import require_fitted
from .optimizers import GRADIENT_FREE
from .statevec import cached_program
from .statevec.expressions import _evaluate

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    from .backends import Backend

__all__ = [
    "TrainableFidelityKernel",
    "trainable_feature_map",
    "alignment_and_gradient",
    "geometric_difference",
]

#: gate name -> the Pauli generator G (one letter per gate qubit, in the gate's qubit order)
#: of a rotation exp(-i a G / 2); ``p`` is handled separately (P(a) = e^{ia/2} RZ(a)).
_GENERATORS = {
    "rx": "x",
    "ry": "y",
    "rz": "z",
    "rxx": "xx",
    "ryy": "yy",
    "rzz": "zz",
    "rzx": "zx",
}
_MAX_QUBITS = 12
#: SPSA's perturbation c: the device path estimates the alignment at theta +- c * delta.
SPSA_PERTURBATION = 0.1

log = logging.getLogger(__name__)


def trainable_feature_map(
    num_features: int, reps: int = 2
) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
    """A feature map with trainable rotations and trainable data scales (bandwidths).

    Each of the ``reps`` layers applies ``RY(theta)`` on every qubit q (one per feature),
    ``RZZ(theta)`` on neighbouring pairs (a ring for three or more qubits), then ``H`` and
    ``RZ(theta_q * x_q)``: the data are re-uploaded in every layer, each time with a trainable
    scale, the bandwidth of lesson 06 section 6 made trainable. The data gates come last, so
    every theta changes the kernel.

    Returns:
        ``(circuit, data_parameters, training_parameters)``; the data parameters are
        ``x[0..n-1]``, the training parameters ``θ[0..]`` (``reps * (2n + pairs)`` of them).

    >>> qc, xs, thetas = trainable_feature_map(2, reps=1)
    >>> qc.num_qubits, len(xs), len(thetas)
    (2, 2, 5)
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    if not isinstance(num_features, (int, np.integer)) or num_features < 1:
        raise InputError(f"num_features must be a positive integer, got {num_features!r}.")
    if not isinstance(reps, (int, np.integer)) or reps < 1:
        raise InputError(f"reps must be a positive integer, got {reps!r}.")
    n = int(num_features)
    if n == 1:
        pairs: list[tuple[int, int]] = []
    elif n == 2:
        pairs = [(0, 1)]
    else:
        pairs = [(q, (q + 1) % n) for q in range(n)]
    x = ParameterVector("x", n)
    theta = ParameterVector("θ", int(reps) * (2 * n + len(pairs)))
    qc = QuantumCircuit(n)
    k = 0
    for _ in range(int(reps)):
        for q in range(n):
            qc.ry(theta[k], q)
            k += 1
        for a, b in pairs:
            qc.rzz(theta[k], a, b)
            k += 1
        for q in range(n):
            qc.h(q)
            qc.rz(theta[k] * x[q], q)
            k += 1
    return qc, list(x), list(theta)


def _target(y: np.ndarray) -> np.ndarray:
    """T[i, j] = +1 when y_i == y_j, else -1 (y y^T for labels coded +-1)."""
    return np.where(y[:, None] == y[None, :], 1.0, -1.0)


def alignment_and_gradient(K: Any, dK: Any, y: Any) -> tuple[float, np.ndarray]:
    """Kernel-target alignment A(K, T) and its gradient from the derivatives of K.

    With T[i, j] = +1 for equal labels and -1 otherwise, A = <K, T>_F / (||K||_F ||T||_F),
    and by the quotient rule, for each parameter k with dK[k] = dK/d theta_k,

        dA/d theta_k = <dK[k], T>_F / (||K||_F ||T||_F) - A <K, dK[k]>_F / ||K||_F^2.

    Args:
        K: kernel matrix, shape (n, n).
        dK: its derivatives, shape (p, n, n).
        y: n labels of two (or more) classes.

    Returns:
        ``(A, gradient)`` with ``gradient`` of shape (p,).

    >>> K = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> a, g = alignment_and_gradient(K, np.array([[[0.0, -1.0], [-1.0, 0.0]]]), [0, 1])
    >>> round(a, 4), np.round(g, 4).tolist()
    (0.3162, [0.7589])
    """
    K = np.asarray(K, dtype=float)
    dK = np.asarray(dK, dtype=float)
    y = np.asarray(y).ravel()
    if K.ndim != 2 or K.shape[0] != K.shape[1] or len(y) != len(K):
        raise InputError(f"K must be an n x n matrix for n labels, got {K.shape} and {len(y)}.")
    if dK.ndim != 3 or dK.shape[1:] != K.shape:
        raise InputError(f"dK must have shape (p, {len(K)}, {len(K)}), got {dK.shape}.")
    T = _target(y)
    norm_k, norm_t = np.linalg.norm(K), np.linalg.norm(T)
    if norm_k == 0:
        raise InputError("The kernel matrix is all zeros, so its alignment is undefined.")
    a = float(np.sum(K * T) / (norm_k * norm_t))
    grad = np.einsum("pij,ij->p", dK, T) / (norm_k * norm_t)
    grad -= a * np.einsum("pij,ij->p", dK, K) / norm_k**2
    return a, grad


def geometric_difference(K_classical: Any, K_quantum: Any, regularization: float = 1e-3) -> float:
    """The geometric difference g(K_C || K_Q) of Huang et al. (2021).

    g = sqrt(|| sqrt(K_Q) (K_C + lambda I)^{-1} sqrt(K_Q) ||_2), with matrix square roots
    (of the eigenvalues, negative rounding errors clipped to 0), the spectral norm, and
    ``regularization`` = lambda keeping the inverse finite. Both kernels should be
    normalised the same way (unit diagonal, so trace n). g near 1 means the classical kernel
    predicts every labelling the quantum kernel can as well (with this much data); a large g,
    of the order of sqrt(n), leaves room for a labelling where the quantum kernel is better.

    >>> geometric_difference(np.eye(3), np.eye(3), regularization=0.0)
    1.0
    >>> round(geometric_difference(np.ones((2, 2)), np.eye(2), regularization=0.1), 4)
    3.1623
    """
    kc = np.asarray(K_classical, dtype=float)
    kq = np.asarray(K_quantum, dtype=float)
    if kc.ndim != 2 or kc.shape[0] != kc.shape[1] or kq.shape != kc.shape:
        raise InputError(
            f"Both kernels must be square matrices of one shape, got {kc.shape} and {kq.shape}."
        )
    lam = float(regularization)
    if not np.isfinite(lam) or lam < 0:
        raise InputError(f"regularization must be a number >= 0, got {regularization!r}.")
    w, v = np.linalg.eigh((kq + kq.T) / 2)
    sqrt_q = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    inner = np.linalg.solve((kc + kc.T) / 2 + lam * np.eye(len(kc)), sqrt_q)
    m = sqrt_q @ inner
    return float(np.sqrt(np.max(np.linalg.eigvalsh((m + m.T) / 2))))


_GRADIENTS: dict[tuple[Any, Any], Any] = {}


def _slope(angle: Any, p: Any, params: list, values: np.ndarray) -> np.ndarray:
    """d angle / d p for every row of ``values`` (the angle may depend on the data)."""
    key = (angle, p)
    if key not in _GRADIENTS:  # symbolic differentiation is slow: once per expression
        if len(_GRADIENTS) > 4096:
            _GRADIENTS.clear()
        _GRADIENTS[key] = angle.gradient(p)
    grad = _GRADIENTS[key]
    symbols = getattr(grad, "parameters", None)
    if symbols and len(symbols) == 1 and grad.is_symbol():  # e.g. d(θ x)/dθ = x: a column
        return values[:, params.index(next(iter(symbols)))]
    if symbols:
        return _evaluate(grad, params, values)
    return np.full(len(values), float(np.real(complex(grad))))


class _Occurrence:
    """One gate that uses training parameters, and how to get its derivative state.

    ``shift`` is the index of the one training parameter of a gate that no other gate uses
    and whose angle is affine in it: then d|psi>/da is the state with the angle a shifted by
    pi (times 1/2 for a Pauli rotation), from the feature map's own program. Otherwise
    (``shift`` is None) ``program`` runs the feature map with the generator inserted after
    the gate.
    """

    def __init__(self, angle: Any, kind: str, shift: int | None, program: Any) -> None:
        self.angle = angle
        self.kind = kind  # "pauli" or "phase"
        self.shift = shift
        self.program = program


class TrainableFidelityKernel(TransformerMixin, BaseEstimator):
    """A fidelity kernel whose feature map is trained to maximise kernel-target alignment.

    All arguments are keyword-only except the first two, as in qiskit-machine-learning's
    ``TrainableFidelityStatevectorKernel(feature_map, training_parameters)``.

    Args:
        feature_map: a ``QuantumCircuit`` with data parameters and training parameters;
            ``None`` builds :func:`trainable_feature_map` (``reps`` layers) when fitting.
            Training parameters may appear in ``rx, ry, rz, rxx, ryy, rzz, rzx`` and ``p``
            gates, in any expression (``2 * θ``, ``θ * x[0]``...).
        training_parameters: the circuit parameters to train (the rest bind the data, in
            ``circuit.parameters`` order); required with a ``feature_map``.
        reps: layers of the default feature map.
        initial_point: starting theta; ``None`` draws it uniformly from [-0.5, 0.5] with
            ``random_state``.
        maxiter: optimisation steps.
        optimizer: ``"adam"`` or a :func:`scipy.optimize.minimize` method name.
        learning_rate: Adam's step size.
        random_state: seed of the initial point (and, with a backend, of SPSA's directions
            and of the shot sampling).
        progress: show a progress bar while training.
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            With shots every kernel entry is estimated from measurements of the
            compute-uncompute circuit U(y)^† U(x) (the device path of
            :class:`qmlkit.kernels.FidelityKernel`: one parameterised circuit, transpiled
            once per kernel estimate, every pair of points and theta sent as parameter
            values in one sampler call), and ``fit`` follows SPSA (below).
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.

    Training with a backend. Exact parameter-shift gradients of the alignment need every
    kernel entry's derivative in every parameter: theta sits in both halves of the
    compute-uncompute circuit, so four shifted circuits per parameter and entry, about
    2 P N(N-1) circuits per step for N points and P parameters (17,400 for N = 30, P = 10).
    ``fit`` uses SPSA instead (Spall 1992): each step draws a random direction delta of
    +-1 entries, estimates the alignment A at theta + c delta and theta - c delta
    (c = :data:`SPSA_PERTURBATION`) and takes g = (A+ - A-) / (2c) delta as Adam's gradient:
    over the random directions its mean is the gradient up to O(c^2). That is two kernel
    estimates, N(N-1) circuits of ``shots`` shots per step (870 for N = 30) whatever P is;
    ``loss_history_`` holds 1 - (A+ + A-)/2, the loss estimated near theta. A gradient-free
    scipy ``optimizer`` (``"COBYLA"``...) instead takes one kernel estimate per evaluation;
    scipy's gradient methods are refused (a noisy gradient breaks their line searches).

    Attributes:
        feature_map_, data_parameters_, training_parameters_: the circuit and its parameters.
        initial_point_: the theta training started from.
        theta_: the trained parameters (the best alignment seen).
        loss_history_: 1 - alignment at every step; ``alignment_history_``: the alignment
            (with a backend, shot estimates: see above).
        X_train_: the training data (``transform`` compares new points with it).
        n_features_in_: number of features seen in ``fit``.

    >>> from qmlkit.datasets import circles
    >>> X, y, _, _ = circles(n_samples=30, seed=1)
    >>> kernel = TrainableFidelityKernel(reps=1, maxiter=5, random_state=0).fit(X, y)
    >>> kernel.theta_.shape, kernel(X).shape, kernel.transform(X[:2]).shape
    ((5,), (22, 22), (2, 22))

    With shots (here noiseless), the entries are frequencies of ``shots`` measurements:

    >>> shot = TrainableFidelityKernel(
    ...     reps=1, maxiter=2, backend="ideal", shots=256, random_state=0
    ... ).fit(X[:6], y[:6])
    >>> K = shot(X[:3])
    >>> bool(np.all(K * 256 == np.round(K * 256))), np.diag(K).tolist()
    (True, [1.0, 1.0, 1.0])
    """

    def __init__(
        self,
        feature_map: QuantumCircuit | None = None,
        training_parameters: Sequence[Parameter] | None = None,
        *,
        reps: int = 2,
        initial_point: Any = None,
        maxiter: int = 30,
        optimizer: str = "adam",
        learning_rate: float = 0.1,
        random_state: int | None = None,
        progress: bool = False,
        backend: str | Backend | None = None,
        shots: int | None = None,
    ):
        self.feature_map = feature_map
        self.training_parameters = training_parameters
        self.reps = reps
        self.initial_point = initial_point
        self.maxiter = maxiter
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.progress = progress
        self.backend = backend
        self.shots = shots

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ structure
    def _setup(self, n_features: int) -> None:
        from qiskit import QuantumCircuit

        if self.feature_map is None:
            if n_features > _MAX_QUBITS:
                raise InputError(
                    f"The default feature map uses one qubit per feature; {n_features} features "
                    f"are more than {_MAX_QUBITS}. Reduce them (for example with PCA)."
                )
            circuit, xs, thetas = trainable_feature_map(n_features, reps=self.reps)
        else:
            circuit = self.feature_map
            if not isinstance(circuit, QuantumCircuit):
                raise InputError(
                    f"feature_map must be a QuantumCircuit, got {type(circuit).__name__}."
                )
            if not self.training_parameters:
                raise InputError("Give training_parameters, the circuit parameters to train.")
            thetas = list(self.training_parameters)
            missing = [p for p in thetas if p not in circuit.parameters]
            if missing:
                raise InputError(f"{missing[0]} is not a parameter of the feature map.")
            xs = [p for p in circuit.parameters if p not in set(thetas)]
            if len(xs) != n_features:
                raise InputError(
                    f"The feature map has {len(xs)} data parameters but X has {n_features} "
                    "features; they must match."
                )
        self.feature_map_ = circuit
        self.data_parameters_ = xs
        self.training_parameters_ = thetas
        self._build_derivatives()

    def _build_derivatives(self) -> None:
        """For every training parameter, the gates that use it as derivative circuits."""
        from qiskit import QuantumCircuit

        circuit = self.feature_map_
        params = list(circuit.parameters)
        theta_set = set(self.training_parameters_)
        self._params = params
        self._program = cached_program(circuit)
        self._occurrences: list[_Occurrence] = []
        found = []
        for index, inst in enumerate(circuit.data):
            used = set()
            for value in inst.operation.params:
                used |= set(getattr(value, "parameters", ())) & theta_set
            if not used:
                continue
            name = inst.operation.name
            if name not in _GENERATORS and name != "p":
                raise InputError(
                    f"A training parameter appears in a {name!r} gate; training parameters may "
                    f"appear only in {sorted(_GENERATORS) + ['p']} gates."
                )
            found.append((index, inst, used))
        uses: dict[Any, int] = {}
        for _, _, used in found:
            for p in used:
                uses[p] = uses.get(p, 0) + 1
        position = {p: k for k, p in enumerate(self.training_parameters_)}
        for index, inst, used in found:
            name = inst.operation.name
            kind = "phase" if name == "p" else "pauli"
            angle = inst.operation.params[0]
            if len(used) == 1:
                (p,) = used
                slope_params: set[Any] = set(getattr(angle.gradient(p), "parameters", ()))
                if uses[p] == 1 and p not in slope_params:
                    self._occurrences.append(_Occurrence(angle, kind, position[p], None))
                    continue
            derivative = QuantumCircuit(*circuit.qregs, *circuit.cregs)
            for j, other in enumerate(circuit.data):
                derivative.append(other.operation, other.qubits, other.clbits)
                if j == index:
                    letters = _GENERATORS.get(name, "z")
                    for letter, qubit in zip(letters, inst.qubits):
                        getattr(derivative, letter)(qubit)
            self._occurrences.append(_Occurrence(angle, kind, None, cached_program(derivative)))

    def _values(self, X: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Rows of all circuit parameters (circuit.parameters order) for data X at theta."""
        index = {p: i for i, p in enumerate(self._params)}
        values = np.empty((len(X), len(self._params)))
        values[:, [index[p] for p in self.data_parameters_]] = X
        values[:, [index[p] for p in self.training_parameters_]] = theta
        return values

    def states(self, X: Any, theta: Any = None) -> np.ndarray:
        """The feature states |psi_theta(x)> of the rows of X, shape (n, 2**q).

        ``theta`` defaults to the trained ``theta_``.
        """
        X, theta = self._inputs(X, theta)
        return self._program.run(self._values(X, theta))

    def state_gradients(self, X: Any, theta: Any = None) -> np.ndarray:
        """Exact derivatives d|psi_theta(x)>/d theta_k, shape (p, n, 2**q).

        For a gate exp(-i a G/2) with a Pauli product G, d/da of the state is
        (-i/2) times the state of the circuit with G inserted after that gate, which is also
        (1/2) times the state with a shifted by pi; a phase gate P(a) = e^{ia/2} RZ(a) adds
        (i/2) times the state itself. The chain rule multiplies by da/d theta_k (which may
        depend on x) and sums over the gates. A parameter used by one gate only, in an
        angle affine in it, takes the shift (no extra circuit to compile); others the
        inserted generator.
        """
        X, theta = self._inputs(X, theta)
        return self._states_and_gradients(X, theta)[1]

    def _states_and_gradients(
        self, X: np.ndarray, theta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The states and their exact derivatives; the feature map's own program runs once,
        on the rows of X followed by the rows of every pi-shifted angle."""
        values = self._values(X, theta)
        n = len(X)
        out = np.zeros(
            (len(self.training_parameters_), n, 2**self.feature_map_.num_qubits), complex
        )
        index = {p: i for i, p in enumerate(self._params)}
        blocks, shifts = [values], []
        for occ in self._occurrences:
            if occ.shift is not None:  # the angle shifted by pi: d/da = (1/2) psi(a + pi)
                k = occ.shift
                slope = _slope(occ.angle, self.training_parameters_[k], self._params, values)
                moved = values.copy()
                safe = np.where(slope == 0, 1.0, slope)
                moved[:, index[self.training_parameters_[k]]] += np.where(
                    slope == 0, 0.0, np.pi / safe
                )
                blocks.append(moved)
                shifts.append((occ, k, slope))
        runs = self._program.run(np.concatenate(blocks))
        plain = runs[:n]
        for b, (occ, k, slope) in enumerate(shifts, start=1):
            shifted = runs[b * n : (b + 1) * n]
            if occ.kind == "pauli":
                out[k] += (0.5 * slope)[:, None] * shifted
            else:  # P'(a) = (i/2) (P(a) - P(a + pi))
                out[k] += (0.5j * slope)[:, None] * (plain - shifted)
        for occ in self._occurrences:
            if occ.shift is not None:
                continue
            inserted = occ.program.run(values)
            for k, p in enumerate(self.training_parameters_):
                if p not in getattr(occ.angle, "parameters", ()):
                    continue
                slope = _slope(occ.angle, p, self._params, values)
                out[k] += (-0.5j * slope)[:, None] * inserted
                if occ.kind == "phase":
                    out[k] += (0.5j * slope)[:, None] * plain
        return plain, out

    def alignment(self, X: Any, y: Any, theta: Any = None) -> tuple[float, np.ndarray]:
        """Alignment of the training kernel with the labels, and its exact gradient in theta.

        Returns:
            ``(A, dA/d theta)``; theta defaults to the trained ``theta_``.
        """
        X, theta = self._inputs(X, theta)
        y = np.asarray(y).ravel()
        if len(y) != len(X):
            raise InputError(f"X has {len(X)} rows but y has {len(y)} labels.")
        return self._alignment(X, y, theta)

    def _alignment(
        self, X: np.ndarray, y: np.ndarray, theta: np.ndarray
    ) -> tuple[float, np.ndarray]:
        psi, dpsi = self._states_and_gradients(X, theta)
        overlaps = psi.conj() @ psi.T  # G[i, j] = <psi_i|psi_j>
        K = np.abs(overlaps) ** 2
        M = np.einsum("id,pjd->pij", psi.conj(), dpsi)  # <psi_i|d psi_j>
        dG = M + np.conj(np.transpose(M, (0, 2, 1)))
        dK = 2 * np.real(np.conj(overlaps)[None] * dG)
        return alignment_and_gradient(K, dK, y)

    def _inputs(self, X: Any, theta: Any) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "feature_map_"):
            X = check_data(X)
            self._setup(X.shape[1])
        X = check_data(X, len(self.data_parameters_))
        if theta is None:
            if not hasattr(self, "theta_"):
                raise InputError("Give theta, or fit the kernel first.")
            theta = self.theta_
        theta = np.asarray(theta, dtype=float).ravel()
        if theta.shape != (len(self.training_parameters_),):
            raise InputError(
                f"theta must have {len(self.training_parameters_)} values, got {theta.size}."
            )
        return X, theta

    # ------------------------------------------------------------------ device path
    def _seed(self) -> int | None:
        rs = self.random_state
        return int(rs) if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool) else None

    def _device(self) -> Backend | None:
        """The backend that estimates the kernel from shots, or None for the exact kernel."""
        device = device_for(self.backend, self._seed(), self.shots)
        if device is not None:
            shots_for(device, self.shots)  # an InputError for a bad value
        return device

    def _shot_kernel(self, device: Backend) -> FidelityKernel:
        """FidelityKernel's device path on the whole map (data and theta as parameters).

        The backend's sampler is swapped for a one-thread Aer sampler (with the device's
        noise model on a fake device, as the VQC does): Aer's default of every core makes
        the many small parameter sets of a training step several times slower on a
        small, busy machine (measured on 2 busy cores, 28 circuits of 512 shots:
        fake:manila 0.37-0.62 s -> 0.11-0.44 s, ideal 0.06-0.62 s -> 0.02-0.06 s).
        """
        import dataclasses

        from .models._device import sampler_for

        if device.kind == "fake":
            sampler = sampler_for(device, self.feature_map_.num_qubits)
        elif device.kind == "ideal":
            from qiskit_aer.primitives import SamplerV2

            sampler = SamplerV2(
                seed=device.seed, options={"backend_options": {"max_parallel_threads": 1}}
            )
        else:
            sampler = device.sampler
        fast = dataclasses.replace(device, _sampler=sampler)
        return FidelityKernel(self.feature_map_, backend=fast, shots=shots_for(device, self.shots))

    def _estimate(
        self, kernel: FidelityKernel, X: np.ndarray, Y: np.ndarray | None, theta: np.ndarray
    ) -> np.ndarray:
        """K[i, j] estimated from shots: rows bind data and theta in circuit order.

        ``FidelityKernel._evaluate_shots`` is called directly: the rows (data and theta) are
        already checked, and ``kernel`` always samples here.
        """
        right = None if Y is None else self._values(Y, theta)
        return kernel._evaluate_shots(self._values(X, theta), right)

    def _device_loss(
        self, device: Backend, X: np.ndarray, y: np.ndarray, rng: np.random.Generator
    ) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
        """The loss 1 - A on the device, with an SPSA gradient for Adam (see the class)."""
        kernel = self._shot_kernel(device)
        gradient_free = str(self.optimizer).lower() in GRADIENT_FREE
        if not gradient_free and str(self.optimizer).lower() != "adam":
            raise InputError(
                f"With a backend the alignment gradient is a noisy SPSA estimate, which "
                f"optimizer={self.optimizer!r} cannot use. Use 'adam', or a gradient-free "
                "method such as 'COBYLA'."
            )
        p = len(self.training_parameters_)
        c = SPSA_PERTURBATION

        def alignment(theta: np.ndarray) -> float:
            return kernel_target_alignment(self._estimate(kernel, X, None, theta), y)

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            if gradient_free:
                return 1.0 - alignment(theta), np.zeros(p)
            delta = rng.choice([-1.0, 1.0], size=p)
            plus, minus = alignment(theta + c * delta), alignment(theta - c * delta)
            return 1.0 - (plus + minus) / 2, -(plus - minus) / (2 * c) * delta

        per_call = len(X) * (len(X) - 1) // 2
        # Adam: two estimates per step and per the point after the last step; scipy: about
        # one per iteration
        calls = int(self.maxiter) if gradient_free else 2 * (int(self.maxiter) + 1)
        about = "about " if gradient_free else ""
        message = (
            f"Training on {device.name} estimates the kernel {about}{calls} times: "
            f"{calls * per_call} circuits x {shots_for(device, self.shots)} shots."
        )
        log.info(message)
        if per_call > LARGE_CIRCUIT_COUNT:
            warnings.warn(
                message + " That is many: use fewer points, or backend=None (exact).",
                UserWarning,
                stacklevel=3,
            )
        return loss

    # ------------------------------------------------------------------ estimator API
    def fit(self, X: Any, y: Any) -> TrainableFidelityKernel:
        """Train theta by maximising the alignment of the kernel on (X, y); returns ``self``.

        Raises:
            InputError: bad data, fewer than two classes, or a bad feature map / theta.
        """
        from .optimizers import minimize

        if y is None:
            raise InputError(
                "TrainableFidelityKernel requires y to be passed, but the target y is None: "
                "the alignment compares the kernel with the labels."
            )
        X, y = validate_data(self, X, y, dtype=float, ensure_min_samples=2)
        check_classification_targets(y)
        if len(np.unique(y)) < 2:
            raise InputError("y has a single class; the alignment needs at least two.")
        device = self._device()
        self._setup(X.shape[1])
        p = len(self.training_parameters_)
        rng = np.random.default_rng(self.random_state)
        if self.initial_point is None:
            theta0 = rng.uniform(-0.5, 0.5, p)
        else:
            theta0 = np.asarray(self.initial_point, dtype=float).ravel()
            if theta0.shape != (p,):
                raise InputError(f"initial_point must have {p} values, got {theta0.size}.")
        self.initial_point_ = theta0

        def exact_loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            a, g = self._alignment(X, y, theta)
            return 1.0 - a, -g

        loss = exact_loss if device is None else self._device_loss(device, X, y, rng)
        with warnings.catch_warnings():  # the count per kernel estimate: said once above
            warnings.filterwarnings("ignore", "The fidelity kernel runs", UserWarning)
            res = minimize(
                loss,
                theta0,
                method=self.optimizer,
                maxiter=self.maxiter,
                learning_rate=self.learning_rate,
                progress=self.progress,
                desc="alignment",
            )
        self.theta_ = np.asarray(res.x, dtype=float)
        self.loss_history_ = list(res.history)
        self.alignment_history_ = [1.0 - v for v in res.history]
        self.X_train_ = X
        return self

    def bound_kernel(self, theta: Any = None) -> FidelityKernel:
        """The exact fidelity kernel of the feature map with theta bound (default: trained).

        Exact whatever ``backend`` is: with a backend, ``kernel(X, Y)`` is the shot
        estimate of this kernel.
        """
        if not hasattr(self, "feature_map_"):
            raise InputError("Fit the kernel first (or call states/alignment once with X).")
        theta = self.theta_ if theta is None else np.asarray(theta, dtype=float).ravel()
        if len(theta) != len(self.training_parameters_):
            raise InputError(
                f"theta must have {len(self.training_parameters_)} values, got {len(theta)}."
            )
        bound = self.feature_map_.assign_parameters(dict(zip(self.training_parameters_, theta)))
        return FidelityKernel(bound)

    def __call__(self, X: Any, Y: Any = None) -> np.ndarray:
        """The trained kernel matrix K[i, j] = k_theta(X[i], Y[j]) (the Kernel protocol).

        With a ``backend``, estimated from shots (``Y=None``: the n(n-1)/2 pairs above the
        diagonal, ones on it).
        """
        require_fitted(self)
        return self._trained_kernel(X, Y)

    def _trained_kernel(self, X: Any, Y: Any) -> np.ndarray:
        device = self._device()
        if device is None:
            return self.bound_kernel()(X, Y)
        n = len(self.data_parameters_)
        X = check_data(X, n)
        Y = None if Y is None else check_data(Y, n, "Y")
        return self._estimate(self._shot_kernel(device), X, Y, self.theta_)

    def transform(self, X: Any) -> np.ndarray:
        """The kernel of the rows of X against the training points, shape (n, n_train)."""
        require_fitted(self)
        X = validate_data(self, X, dtype=float, reset=False)
        return self._trained_kernel(X, self.X_train_)
