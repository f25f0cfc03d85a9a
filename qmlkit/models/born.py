"""A quantum circuit Born machine (QCBM) trained with the MMD loss.

A parameterised circuit :math:`U(\\theta)` on ``n`` qubits defines a distribution over
bitstrings through the Born rule, :math:`p_\\theta(x) = |\\langle x|U(\\theta)|0\\rangle|^2`
(Liu & Wang, Phys. Rev. A 98, 062324, 2018; Benedetti et al., npj Quantum Inf. 5, 45, 2019).
It is trained to reproduce the empirical distribution :math:`q` of the training samples by
minimising the squared *maximum mean discrepancy*

.. math::
    \\mathrm{MMD}^2(p, q) = \\sum_{x,x'} p_x p_{x'} k(x,x') - 2\\sum_{x,y} p_x q_y k(x,y)
    + \\sum_{y,y'} q_y q_{y'} k(y,y') = (p-q)^T K (p-q),

with the Gaussian mixture kernel on bitstrings
:math:`k(x,y) = \\frac{1}{m}\\sum_{s=1}^{m} \\exp(-d(x,y) / (2\\sigma_s^2))`, where
:math:`d(x,y)` is the Hamming distance (the squared Euclidean distance between the bit
vectors) and :math:`\\sigma_s` are the ``bandwidth`` values.

Gradients. Exactly simulated (``shots=None``), the gradient
:math:`\\partial\\mathrm{MMD}^2/\\partial\\theta = 2 (K(p-q))^T \\partial p/\\partial\\theta` is
the derivative of the expectation of the diagonal observable :math:`G = \\mathrm{diag}(2K(p-q))`,
computed by the adjoint method (:mod:`qmlkit.models._adjoint`) in one backward pass. With
``shots``, every distribution is estimated from samples and the gradient uses the
parameter-shift rule for each parameter :math:`\\theta_i`
(:math:`p_\\pm` the distributions at :math:`\\theta_i \\pm \\pi/2`),

.. math::
    \\frac{\\partial \\mathrm{MMD}^2}{\\partial\\theta_i} = (p_+ - p_-)^T K (p - q),

valid for circuits whose parameters each appear once, in a gate :math:`e^{-i\\theta P/2}`
with a Pauli :math:`P` (as in the default ansatz). Bitstrings and probability vectors use
Qiskit's order everywhere: index ``k`` is the bitstring of ``k``, qubit 0 its rightmost bit.

>>> import numpy as np
>>> X = ["000", "111", "000", "111", "011"]          # samples, as bitstrings
>>> bm = BornMachine(reps=2, maxiter=150, random_state=0).fit(X)
>>> bool(bm.mmd_ < 1e-3), bm.probabilities().shape
(True, (8,))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from ..errors import InputError
from ..optimizers import minimize
from ._device import _bindable, check_shots, device_for, is_ideal, sampler_for, shots_for
from ._sklearn import require_fitted

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from ..backends import Backend

__all__ = ["BornMachine", "gaussian_kernel_matrix", "mmd_squared"]

_MAX_QUBITS = 10


def _bandwidths(bandwidth: Any) -> np.ndarray:
    """The bandwidths as a 1-D array of positive floats."""
    try:
        s = np.atleast_1d(np.asarray(bandwidth, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise InputError(
            f"bandwidth must be a positive number or a list of them, got {bandwidth!r}."
        ) from None
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise InputError(
            f"bandwidth must be a positive number or a list of them, got {bandwidth!r}."
        )
    return s


def gaussian_kernel_matrix(n_qubits: int, bandwidth: float | Sequence[float] = 1.0) -> np.ndarray:
    """The Gaussian (mixture) kernel between all ``n_qubits``-bit strings.

    ``K[x, y] = mean_s exp(-d(x, y) / (2 sigma_s**2))`` with ``d`` the Hamming distance
    between the bitstrings of ``x`` and ``y`` (the squared Euclidean distance of their bit
    vectors). The Hamming distance does not depend on the bit order, so the matrix is the
    same in Qiskit's order and in any other.

    Args:
        n_qubits: the number of bits.
        bandwidth: one bandwidth ``sigma`` or several (their kernels are averaged).

    Returns:
        A ``(2**n_qubits, 2**n_qubits)`` symmetric, positive definite matrix with ones on
        its diagonal.

    Introduced in lesson 10.

    >>> gaussian_kernel_matrix(1, bandwidth=1.0).round(4).tolist()
    [[1.0, 0.6065], [0.6065, 1.0]]
    """
    if not isinstance(n_qubits, (int, np.integer)) or not 1 <= n_qubits <= _MAX_QUBITS:
        raise InputError(f"n_qubits must be an integer from 1 to {_MAX_QUBITS}, got {n_qubits!r}.")
    s = _bandwidths(bandwidth)
    idx = np.arange(2**n_qubits)
    xor = idx[:, None] ^ idx[None, :]
    hamming = np.zeros(xor.shape)
    for i in range(int(n_qubits)):
        hamming += (xor >> i) & 1
    return np.mean(np.exp(-hamming[None] / (2.0 * s[:, None, None] ** 2)), axis=0)


def mmd_squared(p: Any, q: Any, bandwidth: float | Sequence[float] = 1.0) -> float:
    """The squared maximum mean discrepancy between two distributions over bitstrings.

    ``MMD^2 = (p - q)^T K (p - q)`` with ``K`` from :func:`gaussian_kernel_matrix`.

    Args:
        p, q: probability vectors of the same length ``2**n`` (Qiskit index order).
        bandwidth: one bandwidth or several (a Gaussian mixture kernel).

    Returns:
        MMD^2, a float >= 0; zero exactly when ``p == q`` (the kernel is characteristic).

    Introduced in lesson 10.

    >>> round(mmd_squared([1, 0, 0, 0], [0, 0, 0, 1], bandwidth=1.0), 4)  # 2 - 2 exp(-1)
    1.2642
    """
    p = np.asarray(p, dtype=float).ravel()
    q = np.asarray(q, dtype=float).ravel()
    n = p.size.bit_length() - 1
    if p.shape != q.shape or p.size < 2 or 2**n != p.size:
        raise InputError(
            f"p and q must be probability vectors of the same length 2**n, got {p.size} and {q.size}."
        )
    d = p - q
    return float(max(d @ gaussian_kernel_matrix(n, bandwidth) @ d, 0.0))


def _default_ansatz(n: int, reps: int) -> QuantumCircuit:
    """``reps`` times [RY on every qubit; CX(i, i+1) chain], then a final RY layer."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    theta = ParameterVector("θ", n * (reps + 1))
    qc = QuantumCircuit(n)
    for r in range(reps + 1):
        for i in range(n):
            qc.ry(theta[r * n + i], i)
        if r < reps:
            for i in range(n - 1):
                qc.cx(i, i + 1)
    return qc


class BornMachine(DensityMixin, BaseEstimator):
    """Quantum circuit Born machine: a generative model trained on samples with the MMD loss.

    A scikit-learn density estimator (``get_params``, ``set_params``, ``clone`` work):
    :meth:`fit` takes *samples* (bitstrings, integers or rows of bits), :meth:`score` is
    their mean log-likelihood under the model, :meth:`sample` draws new samples.

    Args:
        n_qubits: number of qubits (bits per sample), at most 10; ``None`` takes it from the
            samples (bitstrings or bit rows; integer samples need it).
        ansatz: the parameterised circuit on ``n_qubits`` qubits, each parameter used once in
            an rx/ry/rz-type gate; ``None`` for ``reps`` layers of RY rotations and a CX
            chain, then a final RY layer.
        reps: layers of the default ansatz.
        bandwidth: the Gaussian kernel bandwidth(s) sigma of the MMD loss (see
            :func:`gaussian_kernel_matrix`).
        learning_rate: step size of Adam.
        maxiter: iteration budget.
        optimizer: ``"adam"`` (default) or a scipy method name such as ``"L-BFGS-B"``
            (exact simulation only: with shots the loss is noisy).
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            (With ``backend=None`` and an integer ``shots`` the BornMachine draws the
            samples with NumPy from the exact distribution: noiseless sampling, as on Aer's
            ideal sampler.) With shots every distribution is estimated from samples and
            gradients use the parameter-shift rule.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.
        smoothing: weight ``eps`` of the uniform distribution mixed into the model for
            :meth:`score_samples` (``(1 - eps) p + eps / 2**n``), so an unseen bitstring
            has a finite log-likelihood.
        random_state: seed (an int, or a NumPy ``Generator``) of the initial weights and of
            shot sampling; ``None`` for fresh randomness.
        callback: called as ``callback(iteration, loss)`` after every iteration.
        progress: show a progress bar.

    All arguments are keyword-only (``BornMachine(reps=2, random_state=0)``).

    Attributes:
        n_qubits_: the number of qubits of the fitted model.
        circuit_: the parameterised circuit (without measurements).
        weights_: the trained parameters, in the order of ``circuit_.parameters``.
        data_distribution_: the empirical distribution of the training samples, (2**n,).
        distribution_: the model distribution at ``weights_`` (exact), (2**n,).
        kernel_matrix_: the kernel matrix of the MMD loss, (2**n, 2**n).
        shots_per_circuit_: the shots per distribution estimate (``None`` when exact).
        mmd_: the exact MMD^2 between the model and the training distribution.
        loss_history_: the MMD^2 after each iteration (estimated from shots when sampled).
        n_iter_: the number of optimiser iterations run.

    Introduced in lesson 10.

    >>> bm = BornMachine(n_qubits=2, reps=1, maxiter=100, random_state=0).fit([0, 3, 3, 0])
    >>> np.round(bm.probabilities(), 2).tolist()
    [0.5, 0.0, 0.0, 0.5]
    """

    def __init__(
        self,
        *,
        n_qubits: int | None = None,
        ansatz: QuantumCircuit | None = None,
        reps: int = 2,
        bandwidth: float | Sequence[float] = (0.5, 1.0, 2.0),
        learning_rate: float = 0.1,
        maxiter: int = 200,
        optimizer: str = "adam",
        shots: int | None = None,
        backend: str | Backend | None = None,
        smoothing: float = 1e-3,
        random_state: int | np.random.Generator | None = None,
        callback: Callable[[int, float], Any] | None = None,
        progress: bool = False,
    ) -> None:
        self.n_qubits = n_qubits
        self.ansatz = ansatz
        self.reps = reps
        self.bandwidth = bandwidth
        self.learning_rate = learning_rate
        self.maxiter = maxiter
        self.optimizer = optimizer
        self.shots = shots
        self.backend = backend
        self.smoothing = smoothing
        self.random_state = random_state
        self.callback = callback
        self.progress = progress

    # -- data ---------------------------------------------------------------------------------
    def _indices(self, X: Any, n: int | None) -> tuple[np.ndarray, int]:
        """Samples as integer indices (Qiskit order) and the number of qubits."""
        if isinstance(X, dict):
            keys = list(X)
            counts = [X[k] for k in keys]
            try:
                reps_ = np.asarray(counts, dtype=float)
            except (TypeError, ValueError):
                raise InputError("Counts must be numbers, keyed by bitstrings.") from None
            if np.any(reps_ < 0) or np.any(reps_ != np.round(reps_)):
                raise InputError("Counts must be non-negative integers, keyed by bitstrings.")
            X = [k for k, c in zip(keys, reps_.astype(int)) for _ in range(c)]
        if isinstance(X, str):
            raise InputError("Give a list of samples (e.g. ['011', '100']), not a single string.")
        values = list(X) if not isinstance(X, np.ndarray) else X
        if len(values) == 0:
            raise InputError("No samples: fit needs at least one sample.")
        if all(isinstance(v, (str, np.str_)) for v in values):
            lengths = {len(v) for v in values}
            if len(lengths) != 1 or any(set(v) - {"0", "1"} for v in values):
                raise InputError(
                    "Bitstring samples must all have the same length and only 0/1 characters "
                    "(qubit 0 is the rightmost)."
                )
            width = lengths.pop()
            if n is not None and width != n:
                raise InputError(f"The samples have {width} bits but n_qubits={n}.")
            return np.array([int(v, 2) for v in values]), width
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise InputError(
                "Samples must be bitstrings, integers (Qiskit index order) or rows of 0/1 bits."
            ) from None
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(arr < 0):
            raise InputError("Samples must be non-negative whole numbers (bits or indices).")
        if arr.ndim == 2:  # rows of bits, in bitstring order: the last column is qubit 0
            if np.any(arr > 1):
                raise InputError("Rows of bits must hold only 0 and 1.")
            width = arr.shape[1]
            if n is not None and width != n:
                raise InputError(f"The samples have {width} bits but n_qubits={n}.")
            weights = 2 ** np.arange(width - 1, -1, -1)
            return (arr.astype(int) @ weights).astype(int), width
        if arr.ndim != 1:
            raise InputError(
                f"Samples must be a 1-D list or a 2-D array of bits, got shape {arr.shape}."
            )
        if n is None:
            raise InputError(
                "Integer samples do not say how many qubits there are: pass BornMachine(n_qubits=n)."
            )
        if np.any(arr >= 2**n):
            raise InputError(f"Integer samples must be below 2**n_qubits = {2**n}.")
        return arr.astype(int), n

    def _check_n(self, n: Any) -> int:
        if not isinstance(n, (int, np.integer)) or not 1 <= n <= _MAX_QUBITS:
            raise InputError(f"n_qubits must be an integer from 1 to {_MAX_QUBITS}, got {n!r}.")
        return int(n)

    # -- circuit --------------------------------------------------------------------------------
    def _build_circuit(self, n: int) -> QuantumCircuit:
        if self.ansatz is None:
            if not isinstance(self.reps, (int, np.integer)) or self.reps < 0:
                raise InputError(f"reps must be a non-negative integer, got {self.reps!r}.")
            return _default_ansatz(n, int(self.reps))
        qc = self.ansatz
        if getattr(qc, "num_qubits", None) != n:
            raise InputError(
                f"The ansatz must act on {n} qubits (one per bit), got "
                f"{getattr(qc, 'num_qubits', qc)!r}."
            )
        if qc.num_clbits or any(i.operation.name == "measure" for i in qc.data):
            raise InputError("Give the ansatz without measurements: the model measures it.")
        if not qc.parameters:
            raise InputError("The ansatz has no parameters to train.")
        return qc

    def _states(self, w: np.ndarray) -> np.ndarray:
        start = self.program_.initial_states(np.zeros((1, 0)))
        return self.program_.forward(np.zeros((1, 0)), w, start, {})

    def _exact(self, w: np.ndarray) -> np.ndarray:
        return np.abs(self._states(w)[0]) ** 2

    # -- loss -----------------------------------------------------------------------------------
    def _loss_and_grad_exact(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        X0 = np.zeros((1, 0))
        final = self._states(w)
        p = np.abs(final[0]) ** 2
        kd = self.kernel_matrix_ @ (p - self.data_distribution_)
        loss = float((p - self.data_distribution_) @ kd)
        lam = (2.0 * kd)[None, :] * final  # dL/d(final*) for L(|final|^2)
        return loss, self.program_.gradient(X0, w, final, lam, {})

    def _estimated(self, points: np.ndarray) -> np.ndarray:
        """Distributions at the parameter points (rows), each estimated from ``shots``."""
        shots = int(self.shots_per_circuit_ or 0)
        if self.backend_ is None:
            drawn = []
            for w in points:
                p = np.clip(self._exact(w), 0, None)
                drawn.append(self.rng_.multinomial(shots, p / p.sum()) / shots)
            return np.array(drawn)
        isa = self.isa_circuit_
        sampler = sampler_for(self.backend_, self.n_qubits_)
        result = sampler.run([(isa, points)], shots=shots).result()
        bits = result[0].data.meas
        dim = 2**self.n_qubits_
        out = np.zeros((len(points), dim))
        for k in range(len(points)):
            for key, c in bits[k].get_counts().items():
                out[k, int(key, 2)] += c
        return out / shots

    def _loss_and_grad_shots(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        m = w.size
        shifts = np.eye(m) * (np.pi / 2)
        points = np.vstack([w[None, :], w + shifts, w - shifts])
        dists = self._estimated(points)
        p, plus, minus = dists[0], dists[1 : m + 1], dists[m + 1 :]
        kd = self.kernel_matrix_ @ (p - self.data_distribution_)
        loss = float((p - self.data_distribution_) @ kd)
        return loss, (plus - minus) @ kd

    # -- scikit-learn API -----------------------------------------------------------------------
    def fit(self, X: Any, y: None = None) -> BornMachine:
        """Train the circuit so that its distribution matches the samples ``X``.

        Args:
            X: the training samples: bitstrings (``["0110", ...]``, qubit 0 rightmost),
                integers in Qiskit index order (with ``n_qubits``), a 2-D array of bits whose
                rows read like bitstrings (the last column is qubit 0), or a dict of counts
                keyed by bitstrings.
            y: ignored, as for every scikit-learn density estimator.

        Returns:
            self.

        Raises:
            InputError: samples of a wrong form, a bad ``n_qubits``, ``reps``, ``ansatz``,
                ``bandwidth`` or ``shots``.
        """
        from ._adjoint import AdjointProgram

        n_arg = None if self.n_qubits is None else self._check_n(self.n_qubits)
        idx, n = self._indices(X, n_arg)
        n = self._check_n(n)
        if self.shots is not None:
            check_shots(self.shots)
        sampled = not (self.shots is None and is_ideal(self.backend))
        self.kernel_matrix_ = gaussian_kernel_matrix(n, self.bandwidth)
        self.n_qubits_ = n
        self.data_distribution_ = np.bincount(idx, minlength=2**n) / idx.size
        circuit = self._build_circuit(n)
        self.circuit_ = circuit
        weights = list(circuit.parameters)
        self.program_ = AdjointProgram(circuit, [], weights)
        self.rng_ = np.random.default_rng(self.random_state)
        w0 = self.rng_.uniform(-np.pi, np.pi, len(weights)) * 0.5
        fun = self._loss_and_grad_exact
        self.backend_ = None
        self.shots_per_circuit_ = shots_for(None, self.shots) if sampled else None
        if sampled:
            fun = self._loss_and_grad_shots
            if self.backend is not None:
                # seeded by random_state, as in every model (see _device.device_for)
                self.backend_ = device_for(self.backend, self.random_state, self.shots)
                assert self.backend_ is not None  # sampled: not exact
                measured = circuit.copy()
                measured.measure_all()
                self.isa_circuit_ = _bindable(self.backend_.isa(measured))
        res = minimize(
            fun,
            w0,
            method=self.optimizer,
            maxiter=self.maxiter,
            learning_rate=self.learning_rate,
            callback=self.callback,
            progress=self.progress,
            desc="BornMachine",
        )
        self.weights_ = res.x
        self.loss_history_ = res.history
        self.n_iter_ = res.nit
        self.distribution_ = self._exact(res.x)
        d = self.distribution_ - self.data_distribution_
        self.mmd_ = float(max(d @ self.kernel_matrix_ @ d, 0.0))
        return self

    def probabilities(self) -> np.ndarray:
        """The model distribution p(x) = |<x|U(weights)|0>|^2, shape (2**n,), Qiskit order."""
        require_fitted(self, how="fit(X)")
        return self.distribution_.copy()

    def loss_and_gradient(self, weights: Any = None) -> tuple[float, np.ndarray]:
        """The exact MMD^2 to the training distribution and its exact gradient at ``weights``
        (default: the trained weights). Useful to inspect or test the gradient."""
        require_fitted(self, how="fit(X)")
        w = self.weights_ if weights is None else np.asarray(weights, dtype=float).ravel()
        if w.shape != self.weights_.shape:
            raise InputError(f"weights must have {self.weights_.size} values, got {w.size}.")
        return self._loss_and_grad_exact(w)

    def score_samples(self, X: Any) -> np.ndarray:
        """log((1 - eps) p(x) + eps / 2**n) of every sample (``eps`` = ``smoothing``)."""
        require_fitted(self, how="fit(X)")
        idx, _ = self._indices(X, self.n_qubits_)
        eps = float(self.smoothing)
        if not 0 <= eps <= 1:
            raise InputError(f"smoothing must be in [0, 1], got {self.smoothing!r}.")
        p = (1 - eps) * self.distribution_ + eps / 2**self.n_qubits_
        with np.errstate(divide="ignore"):
            return np.log(p[idx])

    def score(self, X: Any, y: None = None) -> float:
        """The mean smoothed log-likelihood of the samples ``X`` (higher is better)."""
        return float(np.mean(self.score_samples(X)))

    def mmd(self, X: Any) -> float:
        """The exact MMD^2 between the model and the empirical distribution of ``X``."""
        require_fitted(self, how="fit(X)")
        idx, n = self._indices(X, self.n_qubits_)
        q = np.bincount(idx, minlength=2**n) / idx.size
        d = self.distribution_ - q
        return float(max(d @ self.kernel_matrix_ @ d, 0.0))

    def sample(
        self, n_samples: int = 1, seed: int | np.random.Generator | None = None
    ) -> np.ndarray:
        """Draw ``n_samples`` bitstrings from the model (qubit 0 rightmost).

        Returns:
            An array of ``n_samples`` strings, which :meth:`fit` and :meth:`score` accept.

        >>> bm = BornMachine(n_qubits=2, reps=1, maxiter=100, random_state=0).fit([3, 3])
        >>> bm.sample(3, seed=1).tolist()
        ['11', '11', '11']
        """
        require_fitted(self, how="fit(X)")
        if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise InputError(f"n_samples must be a positive integer, got {n_samples!r}.")
        rng = np.random.default_rng(seed)
        p = np.clip(self.distribution_, 0, None)
        idx = rng.choice(p.size, size=int(n_samples), p=p / p.sum())
        n = self.n_qubits_
        return np.array([format(int(k), f"0{n}b") for k in idx])
