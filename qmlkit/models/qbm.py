"""A fully visible quantum Boltzmann machine (Amin et al., Phys. Rev. X 8, 021050, 2018).

The model is the Gibbs state of a transverse-field Ising Hamiltonian on ``n`` qubits,

.. math::
    H = \\sum_i b_i Z_i + \\sum_{i<j} w_{ij} Z_i Z_j + \\sum_i \\Gamma_i X_i,
    \\qquad p(v) = \\frac{\\langle v|e^{-H}|v\\rangle}{\\operatorname{Tr} e^{-H}},

and it is trained by minimising :math:`KL(q\\,\\|\\,p)` to a target distribution ``q``.
With :math:`\\Gamma = 0` it is a classical fully visible (pairwise) Boltzmann machine.
Distributions are indexed in Qiskit's order: index ``k`` is the bitstring of ``k`` with qubit 0
as its least-significant (rightmost) bit, and :math:`Z_i|v\\rangle = (1 - 2 v_i)|v\\rangle`.

Gradient: exact. Because :math:`H` does not commute with its derivative
:math:`O_k = \\partial H/\\partial\\theta_k` when :math:`\\Gamma \\ne 0`, the derivative of
:math:`\\langle v|e^{-H}|v\\rangle` is the diagonal of the Fréchet derivative of the matrix
exponential. We evaluate it in the eigenbasis :math:`H = V\\Lambda V^T` with the
Daleckii-Krein formula :math:`D\\exp(-H)[-O] = -V (F \\circ V^T O V) V^T`, where
:math:`F_{ij} = (e^{-\\lambda_i} - e^{-\\lambda_j}) / (\\lambda_j - \\lambda_i)` and
:math:`F_{ii} = e^{-\\lambda_i}`. The tests check it against ``scipy.linalg.expm_frechet``
and finite differences. (Amin et al. instead train a bound on the log-likelihood; we don't.)

>>> import numpy as np
>>> target = np.array([0.4, 0.1, 0.1, 0.4])     # a correlated pair of bits
>>> qbm = QBM(n_visible=2, random_state=1, maxiter=300).fit(target)
>>> bool(qbm.loss_history_[-1] < 0.01)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from ..errors import InputError
from ..optimizers import minimize
from ._sklearn import require_fitted

if TYPE_CHECKING:
    from qiskit.quantum_info import SparsePauliOp

__all__ = ["QBM"]

_MAX_QUBITS = 10


def _z_signs(n: int) -> np.ndarray:
    """(n, 2**n) array with z[i, v] = +1 if bit i of v is 0, else -1 (Qiskit order)."""
    idx = np.arange(2**n)
    return 1.0 - 2.0 * ((idx[None, :] >> np.arange(n)[:, None]) & 1)


def _divided_differences(lam: np.ndarray) -> np.ndarray:
    """F[i, j] = (e^{-l_i} - e^{-l_j}) / (l_j - l_i), F[i, i] = e^{-l_i} (lam shifted >= 0)."""
    a = -lam[:, None]
    b = -lam[None, :]
    d = a - b
    small = np.abs(d) < 1e-8
    safe = np.where(small, 1.0, d)
    ratio = np.where(small, 1.0 + d / 2.0, np.expm1(d) / safe)
    return np.exp(b) * ratio


class QBM(DensityMixin, BaseEstimator):
    """Fully visible quantum Boltzmann machine trained with exact KL gradients.

    A scikit-learn density estimator (``get_params``, ``set_params``, ``clone`` work) with
    one documented difference: :meth:`fit` takes the *target distribution* itself, a vector
    of 2**n probabilities (or a dict of bitstring counts), not a matrix of samples, because
    the model is trained on the exact KL divergence to that distribution. Likewise
    :meth:`score` and :meth:`kl_divergence` take a target distribution.

    Args:
        n_visible: number of visible units (qubits), at most 10 (dense 2^n x 2^n matrices);
            ``None`` takes it from the target given to :meth:`fit`.
        transverse_field: train the transverse fields Γ_i (a quantum model); ``False`` fixes
            Γ = 0, which gives a classical fully visible Boltzmann machine.
        learning_rate: step size of Adam.
        maxiter: iteration budget.
        optimizer: ``"adam"`` (default) or a scipy method name such as ``"L-BFGS-B"``.
        random_state: seed (an int, or a NumPy ``Generator``) of the random initial
            parameters; ``None`` for fresh randomness.
        callback: called as ``callback(iteration, kl)`` after every iteration.
        progress: show a progress bar.

    All arguments are keyword-only (``QBM(n_visible=3, random_state=0)``), as in scikit-learn.

    Attributes:
        n_visible_: the number of visible units of the fitted model.
        theta_: all trained parameters as one vector (biases, couplings, fields).
        biases_: the biases b_i, shape (n,).
        couplings_: the couplings w_ij, shape (n, n), symmetric with a zero diagonal.
        gammas_: the transverse fields Γ_i, shape (n,) (zeros without ``transverse_field``).
        distribution_: the model distribution, shape (2**n,), Qiskit index order.
        hamiltonian_: the trained Hamiltonian as a ``SparsePauliOp``.
        kl_: the final KL divergence to the training target.
        loss_history_: the KL divergence after each iteration.
        n_iter_: the number of optimiser iterations run.

    Introduced in lesson 10.

    >>> qbm = QBM(n_visible=1, transverse_field=False, random_state=0).fit([0.8, 0.2])
    >>> np.round(qbm.distribution_, 3).tolist()
    [0.8, 0.2]
    """

    def __init__(
        self,
        *,
        n_visible: int | None = None,
        transverse_field: bool = True,
        learning_rate: float = 0.1,
        maxiter: int = 500,
        optimizer: str = "adam",
        random_state: int | np.random.Generator | None = None,
        callback: Callable[[int, float], Any] | None = None,
        progress: bool = False,
    ) -> None:
        self.n_visible = n_visible
        self.transverse_field = transverse_field
        self.learning_rate = learning_rate
        self.maxiter = maxiter
        self.optimizer = optimizer
        self.random_state = random_state
        self.callback = callback
        self.progress = progress

    # -- model ----------------------------------------------------------------------------
    @property
    def _n(self) -> int:
        """Visible units: the fitted number, else the ``n_visible`` argument."""
        fitted = getattr(self, "n_visible_", None)
        if fitted is not None:
            return int(fitted)
        if self.n_visible is None:
            raise InputError("Give n_visible, or call fit(target) to take it from the target.")
        return int(self.n_visible)

    def _pairs(self) -> list[tuple[int, int]]:
        n = self._n
        return [(i, j) for i in range(n) for j in range(i + 1, n)]

    def _operators(self) -> tuple[np.ndarray, np.ndarray]:
        """Diagonal parts (K_diag, 2**n) for b and w, and the X_i flip index maps."""
        n = self._n
        z = _z_signs(n)
        diag = [z[i] for i in range(n)] + [z[i] * z[j] for i, j in self._pairs()]
        flips = np.arange(2**n)[None, :] ^ (1 << np.arange(n))[:, None]
        return np.array(diag), flips

    def _split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n, n_pairs = self._n, len(self._pairs())
        b, w = theta[:n], theta[n : n + n_pairs]
        g = theta[n + n_pairs :] if self.transverse_field else np.zeros(n)
        return b, w, g

    def _hamiltonian_matrix(self, theta: np.ndarray) -> np.ndarray:
        diag_ops, flips = self._operators()
        n, n_pairs = self._n, len(self._pairs())
        h = np.diag(theta[: n + n_pairs] @ diag_ops)
        if self.transverse_field:
            rows = np.arange(2**n)
            for i, gamma in enumerate(theta[n + n_pairs :]):
                h[rows, flips[i]] += gamma
        return h

    def _loss_and_grad(self, theta: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        """KL(target || model) and its exact gradient (Daleckii-Krein formula)."""
        diag_ops, flips = self._operators()
        lam, vec = np.linalg.eigh(self._hamiltonian_matrix(theta))
        lam = lam - lam[0]  # shift for stability: p is invariant
        w = np.exp(-lam)
        a_diag = (vec**2) @ w  # <v|e^{-H}|v>
        p = a_diag / w.sum()
        support = target > 0
        kl = float(np.sum(target[support] * np.log(target[support] / p[support])))
        # sum_v q_v [D exp(-H)[-O]]_vv / A_vv = -sum(K * O) with K = V (F o V^T C V) V^T
        c = np.where(support, target / np.where(support, a_diag, 1.0), 0.0)
        k_mat = vec @ (_divided_differences(lam) * ((vec.T * c) @ vec)) @ vec.T
        rho = (vec * (w / w.sum())) @ vec.T
        grad_diag = np.diag(k_mat) @ diag_ops.T - np.diag(rho) @ diag_ops.T
        grads = [grad_diag]
        if self.transverse_field:
            rows = np.arange(2**self._n)
            gx = [k_mat[rows, f].sum() - rho[rows, f].sum() for f in flips]
            grads.append(np.array(gx))
        return kl, np.concatenate(grads)

    def _infer_n(self, target: Any) -> Any:
        """n_visible from a target's bitstring length or vector length (None if unclear)."""
        if isinstance(target, dict):
            lengths = {len(key) for key in target if isinstance(key, str)}
            return lengths.pop() if len(lengths) == 1 else None
        try:
            size = np.asarray(target, dtype=float).size
        except (TypeError, ValueError):
            return None
        n = int(size).bit_length() - 1
        return n if size >= 2 and 2**n == size else None

    def _validate_target(self, target: Any, n: Any = None) -> np.ndarray:
        n = self._n if n is None else n
        if not isinstance(n, (int, np.integer)) or not 1 <= n <= _MAX_QUBITS:
            raise InputError(f"n_visible must be an integer from 1 to {_MAX_QUBITS}, got {n!r}.")
        dim = 2**n
        if isinstance(target, dict):  # counts or probabilities keyed by bitstrings
            q = np.zeros(dim)
            for key, value in target.items():
                if not isinstance(key, str) or len(key) != n or set(key) - {"0", "1"}:
                    raise InputError(
                        f"Bitstring keys must have {n} characters of 0/1 (qubit 0 rightmost), got {key!r}."
                    )
                q[int(key, 2)] += float(value)
            total = q.sum()
            if total <= 0:
                raise InputError("The target counts are empty; give at least one positive count.")
            q = q / total
        else:
            try:
                q = np.asarray(target, dtype=float)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    "The target must be a vector of 2**n_visible probabilities "
                    "or a dict of bitstring counts."
                ) from exc
            if q.ndim != 1 or q.shape[0] != dim:
                raise InputError(
                    f"The target must have shape ({dim},) for n_visible={n} "
                    f"(Qiskit index order), got shape {q.shape}."
                )
        if not np.all(np.isfinite(q)):
            raise InputError("The target contains NaN or infinity.")
        if np.any(q < 0):
            raise InputError("The target has negative entries; probabilities are >= 0.")
        if abs(q.sum() - 1.0) > 1e-6:
            raise InputError(
                f"The target sums to {q.sum():.6g}, not 1. Normalise it (q / q.sum())."
            )
        return q

    def fit(self, target: Any, y: None = None) -> QBM:
        """Train the QBM to reproduce the distribution ``target``.

        Args:
            target: 2**n_visible probabilities in Qiskit index order, or a dict of
                counts/probabilities keyed by bitstrings (qubit 0 rightmost). (In
                scikit-learn's place of the sample matrix ``X``: see the class docstring.)
            y: ignored, as for every scikit-learn density estimator.

        Returns:
            self.

        Raises:
            InputError: a target that is not a probability vector of length 2**n_visible
                (or counts keyed by n_visible-bit strings), or a bad ``n_visible``.
        """
        if self.n_visible is None:
            n_target = self._infer_n(target)
            if n_target is None:
                raise InputError(
                    "Could not tell n_visible from the target: give 2**n probabilities or "
                    "counts keyed by n-bit strings, or pass QBM(n_visible=n)."
                )
        else:
            n_target = self.n_visible
        q = self._validate_target(target, n_target)
        self.n_visible_ = int(n_target)
        n, n_pairs = self.n_visible_, len(self._pairs())
        rng = np.random.default_rng(self.random_state)
        theta0 = 0.1 * rng.standard_normal(n + n_pairs)
        if self.transverse_field:
            theta0 = np.concatenate([theta0, 0.5 + 0.1 * rng.standard_normal(n)])
        res = minimize(
            lambda t: self._loss_and_grad(t, q),
            theta0,
            method=self.optimizer,
            maxiter=self.maxiter,
            learning_rate=self.learning_rate,
            callback=self.callback,
            progress=self.progress,
            desc="QBM",
        )
        self.theta_ = res.x
        self.biases_, w, self.gammas_ = (np.array(a) for a in self._split(res.x))
        self.couplings_ = np.zeros((n, n))
        for (i, j), value in zip(self._pairs(), w):
            self.couplings_[i, j] = self.couplings_[j, i] = value
        self.loss_history_ = res.history
        self.n_iter_ = res.nit
        self.kl_ = float(self._loss_and_grad(res.x, q)[0])
        self.distribution_ = self._distribution(res.x)
        self.hamiltonian_ = self._sparse_pauli_op(res.x)
        return self

    def _distribution(self, theta: np.ndarray) -> np.ndarray:
        from scipy.linalg import expm

        a = expm(-self._hamiltonian_matrix(theta))
        return np.diag(a) / np.trace(a)

    def _sparse_pauli_op(self, theta: np.ndarray) -> SparsePauliOp:
        from qiskit.quantum_info import SparsePauliOp

        b, w, g = self._split(theta)
        terms = [("Z", [i], b[i]) for i in range(self._n)]
        terms += [("ZZ", [i, j], wij) for (i, j), wij in zip(self._pairs(), w)]
        if self.transverse_field:
            terms += [("X", [i], g[i]) for i in range(self._n)]
        return SparsePauliOp.from_sparse_list(terms, num_qubits=self._n)

    def _check_fitted(self) -> None:
        require_fitted(self, how="fit(target)")

    def kl_divergence(self, target: Any) -> float:
        """KL(target || model) of the fitted model (0 for a perfect fit).

        >>> qbm = QBM(n_visible=1, random_state=0, maxiter=200).fit([0.5, 0.5])
        >>> bool(qbm.kl_divergence([0.5, 0.5]) < 1e-4)
        True
        """
        self._check_fitted()
        return self._loss_and_grad(self.theta_, self._validate_target(target))[0]

    def score(self, target: Any, y: None = None) -> float:
        """Minus the KL divergence to ``target`` (higher is better, as in scikit-learn)."""
        return -self.kl_divergence(target)

    def sample(self, shots: int = 1024, seed: int | None = None) -> dict[str, int]:
        """Draw ``shots`` bitstrings from the model, as counts in Qiskit's bit order.

        >>> qbm = QBM(n_visible=2, transverse_field=False, random_state=0).fit([0.0, 0.0, 0.0, 1.0])
        >>> qbm.sample(10, seed=1)
        {'11': 10}
        """
        self._check_fitted()
        if not isinstance(shots, (int, np.integer)) or shots < 1:
            raise InputError(f"shots must be a positive integer, got {shots!r}.")
        rng = np.random.default_rng(seed)
        p = np.clip(self.distribution_, 0, None)
        draws = rng.multinomial(shots, p / p.sum())
        n = self._n
        return {format(k, f"0{n}b"): int(c) for k, c in enumerate(draws) if c > 0}
