"""Checks for lesson 10: Boltzmann distributions, Gibbs states and a trained QBM.

Hidden inputs come from generators with FIXED seeds, so a verdict never changes between runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

_QUBIT_ORDER = (
    "qubit order reversed: in Qiskit qubit 0 is the rightmost bit (least-significant index bit)"
)


# ------------------------------------------------------------------ 10.boltzmann_distribution


def _boltzmann(energies: np.ndarray, beta: float) -> np.ndarray:
    logw = -beta * energies
    logw = logw - logw.max()
    w = np.exp(logw)
    return w / w.sum()


_OVERFLOW = (
    "overflow/underflow: np.exp(-beta*E) overflows (or all weights underflow to 0) for large "
    "beta*E. Subtract the smallest energy (largest -beta*E) before np.exp: the shift cancels "
    "in the normalisation"
)


def _probability_vector(
    value, size: int, what: str = "distribution", nan_hint: str | None = _OVERFLOW
) -> np.ndarray:
    """A real, finite vector of ``size`` entries (NaN/inf get a targeted hint)."""
    if value is None:
        raise CheckFailed(f"Expected the {what} as an array, got None. Did you forget `return`?")
    if isinstance(value, (str, bytes, dict, set)):
        raise CheckFailed(f"Expected the {what} as a numeric array, got {type(value).__name__}.")
    try:
        arr = np.asarray(value, dtype=complex)
    except (TypeError, ValueError):
        raise CheckFailed(
            f"Expected the {what} as a numeric array, got {type(value).__name__}."
        ) from None
    if np.any(np.abs(arr.imag) > 1e-9):
        raise CheckFailed(f"The {what} has complex entries; probabilities are real numbers.")
    arr = arr.real
    arr = arr.reshape(-1) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.shape != (size,):
        raise CheckFailed(
            f"The {what} has shape {arr.shape}; expected ({size},), one entry per state.",
            hint="wrong shape",
        )
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(
            f"The {what} contains NaN or infinite values.",
            actual=arr,
            hint=nan_hint,
        )
    return arr


@exercise(
    "10.boltzmann_distribution",
    points=4,
    title="Boltzmann weights, stably",
    difficulty="medium",
    minutes=15,
    hints=[
        "p_i = exp(−βE_i) / Z, with Z = Σ_j exp(−βE_j).",
        "exp() overflows or underflows for large β|E|: subtract the largest exponent (the "
        "log-sum-exp shift) before exponentiating; the shift cancels in the ratio.",
        "Return an array that sums to 1, in the order of `energies`.",
    ],
)
def check_boltzmann_distribution(t: Tester) -> None:
    rng = np.random.default_rng(1010)
    shown = [([0.0, 1.0, 2.0], 1.0), ([1.0, -1.0, -1.0, 1.0], 0.5)]
    hidden = [
        ([1000.0, 1001.0, 1003.0], 1.0),  # naive exp underflows to 0/0
        ([-800.0, -799.5, -790.0, -700.0], 2.0),  # naive exp overflows to inf/inf
        (list(rng.normal(0, 3, 8)), 0.0),  # beta = 0: uniform
        (list(rng.normal(0, 2, 16)), 400.0),  # low temperature: nearly the ground state
    ]
    cases = [(e, b, False, 1.0) for e, b in shown] + [(e, b, True, 0.5) for e, b in hidden]
    for energies, beta, is_hidden, pts in cases:
        label = "energies" if is_hidden else str(energies)
        with t.case(
            f"boltzmann_distribution({label}, beta={beta:g})", points=pts, hidden=is_hidden
        ):
            e = np.asarray(energies, dtype=float)
            expected = _boltzmann(e, beta)
            arr = _probability_vector(t.call(list(energies), beta), e.size)
            if np.allclose(arr, expected, atol=1e-8, rtol=1e-6):
                continue
            hint = None
            total = float(arr.sum())
            if (
                total > 0
                and abs(total - 1) > 1e-6
                and np.allclose(arr / total, expected, atol=1e-8)
            ):
                hint = f"not normalised: the weights add up to {total:.4g}; divide by their sum Z"
            elif np.allclose(arr, _boltzmann(e, -beta), atol=1e-8) and beta != 0:
                hint = "missing minus sign: low energies must be MORE likely, p ~ exp(-beta*E)"
            elif np.allclose(arr, _boltzmann(e, 1.0), atol=1e-8) and beta != 1:
                hint = "beta ignored: the weights must be exp(-beta*E), not exp(-E)"
            raise CheckFailed(
                "The probabilities are not the Boltzmann distribution exp(-beta*E)/Z.",
                expected=expected,
                actual=arr,
                hint=hint,
            )


# ------------------------------------------------------------------------ 10.gibbs_state


def _gibbs(h: np.ndarray, beta: float) -> np.ndarray:
    vals, vecs = np.linalg.eigh(h)
    w = np.exp(-beta * (vals - vals.min()))
    rho = (vecs * w) @ vecs.conj().T
    return rho / np.trace(rho).real


def _random_hamiltonian(n: int, rng: np.random.Generator):
    from qiskit.quantum_info import SparsePauliOp

    terms = []
    for i in range(n):
        terms.append(("Z", [i], rng.normal()))
        terms.append(("X", [i], rng.normal()))
    for i in range(n - 1):
        terms.append(("ZZ", [i, i + 1], rng.normal()))
    terms.append(("Y", [n - 1], 0.3 * rng.normal()))
    return SparsePauliOp.from_sparse_list(terms, num_qubits=n)


def _density_matrix(value, dim: int) -> np.ndarray:
    from qiskit.quantum_info import DensityMatrix, Operator

    if isinstance(value, (DensityMatrix, Operator)):
        value = value.data
    arr = cmp.as_array(value, what="density matrix")
    if arr.shape != (dim, dim):
        raise CheckFailed(
            f"The density matrix has shape {arr.shape}; expected ({dim}, {dim}) for "
            f"{int(np.log2(dim))} qubit(s).",
            hint="wrong shape",
        )
    return arr


@exercise(
    "10.gibbs_state",
    points=4,
    title="The Gibbs state of a Hamiltonian",
    difficulty="medium",
    minutes=20,
    hints=[
        "ρ = exp(−βH) / Tr exp(−βH) is a matrix exponential, not the exponential of each entry.",
        "Diagonalise H (`np.linalg.eigh`), exponentiate its eigenvalues and rebuild "
        "V diag(w) V†; or use `scipy.linalg.expm`.",
        "Subtract the smallest eigenvalue before exponentiating, to avoid overflow; the "
        "shift cancels when you divide by the trace.",
    ],
)
def check_gibbs_state(t: Tester) -> None:
    from qiskit.quantum_info import SparsePauliOp

    rng = np.random.default_rng(1020)
    shown = [
        (SparsePauliOp.from_list([("Z", 1.0), ("X", 0.5)]), 1.0, "Z + 0.5 X"),
        (
            SparsePauliOp.from_list([("ZZ", -1.0), ("IX", 0.7), ("XI", 0.7), ("IZ", 0.4)]),
            2.0,
            "-ZZ + 0.7 IX + 0.7 XI + 0.4 IZ",
        ),
    ]
    hidden = [
        (_random_hamiltonian(3, rng), 1.5, "3 qubits"),
        (_random_hamiltonian(5, rng), 0.8, "5 qubits"),
    ]
    cases = [(h, b, d, False) for h, b, d in shown] + [(h, b, d, True) for h, b, d in hidden]
    for ham, beta, desc, is_hidden in cases:
        with t.case(f"gibbs_state({desc}, beta={beta:g})", points=1, hidden=is_hidden):
            h = ham.to_matrix()
            dim = h.shape[0]
            expected = _gibbs(h, beta)
            rho = _density_matrix(t.call(ham, beta), dim)
            if np.allclose(rho, expected, atol=1e-7):
                continue
            hint = None
            tr = np.trace(rho)
            if (
                abs(tr) > 1e-12
                and abs(tr - 1) > 1e-6
                and np.allclose(rho / tr, expected, atol=1e-7)
            ):
                hint = f"not normalised: the trace is {tr.real:.4g}; divide by Tr e^(-beta H)"
            elif np.allclose(rho, _gibbs(h, -beta), atol=1e-7):
                hint = "wrong sign: this is e^(+beta H)/Z; the Gibbs state is e^(-beta H)/Z"
            else:
                elementwise = np.exp(-beta * h)
                ew_tr = np.trace(elementwise)
                if np.allclose(rho, elementwise / ew_tr, atol=1e-7) or np.allclose(
                    rho, elementwise, atol=1e-7
                ):
                    hint = (
                        "elementwise exponential: np.exp acts entry by entry; the matrix "
                        "exponential is scipy.linalg.expm (or use the eigendecomposition)"
                    )
                elif np.allclose(cmp.reverse_qubit_order(rho), expected, atol=1e-7):
                    hint = _QUBIT_ORDER
                elif np.allclose(rho, expected.T, atol=1e-7):
                    hint = "transposed (or complex conjugated): check how you built the matrix"
            raise CheckFailed(
                "The matrix is not the Gibbs state e^(-beta H) / Tr e^(-beta H).",
                expected=expected if dim <= 4 else None,
                actual=rho if dim <= 4 else None,
                hint=hint,
            )


# -------------------------------------------------------------------------- 10.train_qbm


def _ising_target(n: int, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """The Boltzmann distribution of a random classical pairwise Ising model on n bits."""
    b = rng.normal(0, scale, n)
    w = rng.normal(0, scale, (n, n))
    energies = []
    for k in range(2**n):
        z = np.array([1 - 2 * ((k >> i) & 1) for i in range(n)])  # bit 1 -> Z eigenvalue -1
        e = b @ z + sum(w[i, j] * z[i] * z[j] for i in range(n) for j in range(i + 1, n))
        energies.append(e)
    return _boltzmann(np.array(energies), 1.0)


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * (np.log(p[mask]) - np.log(np.maximum(q[mask], 1e-300)))))


def _model_distribution(value, size: int) -> np.ndarray:
    arr = _probability_vector(
        value,
        size,
        "model distribution",
        nan_hint="the training diverged: lower the learning rate, or check the sign of the "
        "update (descend: theta -= lr * gradient)",
    )
    if np.any(arr < -1e-9):
        raise CheckFailed(
            "The model distribution has negative entries; probabilities are >= 0.",
            actual=arr,
            hint="p(v) = <v|e^(-H)|v> / Tr e^(-H) is a diagonal element of a positive matrix: "
            "return the probabilities themselves (not their logarithms, and not the diagonal of H)",
        )
    total = float(arr.sum())
    if abs(total - 1) > 1e-6:
        raise CheckFailed(
            f"The model distribution adds up to {total:.4g}, not 1.",
            actual=arr,
            hint="not normalised: divide the diagonal of e^(-H) by its trace",
        )
    return arr


QBM_KL_LIMIT = 0.05


@exercise(
    "10.train_qbm",
    points=5,
    time_limit=60,
    title="Train a fully visible QBM",
    difficulty="hard",
    minutes=45,
    hints=[
        "A fully visible QBM's distribution is the diagonal of ρ = exp(−H) / Tr exp(−H), "
        "with H = Σ b_i Z_i + Σ w_ij Z_i Z_j + Σ Γ_i X_i.",
        "Minimise KL(target ‖ model) with `scipy.optimize.minimize`, or use the bound "
        "gradient of Amin et al. 2018: change each Z and ZZ weight by the difference between "
        "its average under the data and under the model, with Γ fixed.",
        "Build the Pauli matrices with `SparsePauliOp.from_sparse_list(...).to_matrix()` "
        "(Qiskit order), and return the model's probabilities, an array of length 2^n.",
    ],
)
def check_train_qbm(t: Tester) -> None:
    rng = np.random.default_rng(1030)
    example = np.array([0.4, 0.1, 0.1, 0.4])  # correlated bits: 00 and 11 likely
    targets = [
        ("the 2-qubit target [0.4, 0.1, 0.1, 0.4]", example, False, 1.0),
        ("a hidden 2-qubit pairwise Ising target", _ising_target(2, rng, 0.8), True, 1.0),
        ("a hidden 3-qubit pairwise Ising target", _ising_target(3, rng, 0.8), True, 1.0),
        ("another hidden 3-qubit pairwise Ising target", _ising_target(3, rng, 0.6), True, 1.0),
    ]
    for desc, target, is_hidden, pts in targets:
        with t.case(
            f"train_qbm on {desc}: KL(target||model) <= {QBM_KL_LIMIT}",
            points=pts,
            hidden=is_hidden,
        ):
            model = _model_distribution(t.call(target.copy()), target.size)
            kl = _kl(target, model)
            if kl <= QBM_KL_LIMIT:
                continue
            hint = None
            if _kl(target, cmp.reverse_qubit_order(model)) <= QBM_KL_LIMIT:
                hint = _QUBIT_ORDER
            elif _kl(target, model[::-1]) <= QBM_KL_LIMIT:
                hint = (
                    "bits flipped: in this course Z|0> = +|0>, so b_i > 0 makes bit i = 1 "
                    "MORE likely under e^(-H); check the sign of your gradient step"
                )
            elif _kl(target, np.full(target.size, 1 / target.size)) - kl < 1e-3:
                hint = (
                    "the model stayed (nearly) uniform: did the parameters move? Check the "
                    "learning rate, the number of steps and the sign of the update"
                )
            raise CheckFailed(
                f"KL(target||model) = {kl:.4f}, more than {QBM_KL_LIMIT}.",
                expected=None if is_hidden else target.round(4),
                actual=model.round(4),
                hint=hint,
            )
    # A pairwise QBM cannot represent 3-bit parity (it needs a 3-body term): a model that
    # matches it closely was not produced by training a QBM.
    parity = np.array([0.95 if bin(k).count("1") % 2 == 0 else 0.05 for k in range(8)]) / 4
    with t.case(
        "the model is a pairwise QBM (it cannot reproduce 3-bit parity)", points=1, hidden=True
    ):
        model = _model_distribution(t.call(parity.copy()), 8)
        if _kl(parity, model) < 0.25:
            raise CheckFailed(
                "Your function matched a 3-bit parity target that no pairwise QBM can represent "
                "(the best pairwise model is the uniform distribution).",
                hint="return the trained model's distribution, not the target itself; use only "
                "Z_i, Z_i Z_j and X_i terms in H",
            )


# ---------------------------------------------------------------------------- 10.mmd_loss


def _hamming_matrix(n: int) -> np.ndarray:
    """d[x, y] = number of bits in which x and y differ (the same in any bit order)."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    return np.abs(bits[:, None, :] - bits[None, :, :]).sum(axis=2).astype(float)


def _kernel(
    d: np.ndarray, sigmas: np.ndarray, form: str = "2s2", combine: str = "mean"
) -> np.ndarray:
    """Gaussian kernel(s) of a squared distance ``d``: exp(-d / (2 sigma^2)), averaged.

    ``form`` and ``combine`` give the wrong conventions a hint names."""
    scale = {"2s2": 2 * sigmas**2, "s2": sigmas**2, "2s": 2 * sigmas, "s": sigmas}[form]
    k = np.exp(-d[None] / scale[:, None, None])
    if combine == "sum":
        return k.sum(axis=0)
    if combine == "first":
        return k[0]
    return k.mean(axis=0)


def _mmd2(p: np.ndarray, q: np.ndarray, k: np.ndarray, cross: float = 2.0) -> float:
    return float(p @ k @ p - cross * (p @ k @ q) + q @ k @ q)


def _mmd_variants(p: np.ndarray, q: np.ndarray, sigmas: np.ndarray) -> dict[str, float]:
    """MMD^2 values of the mistakes a hint names, for these inputs."""
    n = int(np.log2(p.size))
    ham = _hamming_matrix(n)
    idx = np.arange(p.size, dtype=float)
    right = _kernel(ham, sigmas)
    exact = _mmd2(p, q, right)
    out = {
        "sqrt": float(np.sqrt(max(exact, 0.0))),
        "index": _mmd2(p, q, _kernel((idx[:, None] - idx[None, :]) ** 2, sigmas)),
        "index_abs": _mmd2(p, q, _kernel(np.abs(idx[:, None] - idx[None, :]), sigmas)),
        "cross": _mmd2(p, q, right, cross=1.0),
        "unsquared": _mmd2(p, q, _kernel(np.sqrt(ham), sigmas)),
    }
    for form in ("s2", "2s", "s"):
        out[f"form_{form}"] = _mmd2(p, q, _kernel(ham, sigmas, form=form))
    if sigmas.size > 1:
        out["sum"] = _mmd2(p, q, _kernel(ham, sigmas, combine="sum"))
        out["first"] = _mmd2(p, q, _kernel(ham, sigmas, combine="first"))
    return out


_MMD_HINTS = {
    "sqrt": "returned the MMD, not its square: do not take the square root",
    "index": "integer index distance: the distance between two bitstrings is the Hamming "
    "distance (the number of differing bits, the squared distance of the bit vectors), "
    "not (i - j)^2 of their indices",
    "cross": "forgot the factor 2 of the cross term: MMD^2 = E_pp[k] - 2 E_pq[k] + E_qq[k]",
    "unsquared": "unsquared distance: the Gaussian kernel is exp(-|x - y|^2 / (2 sigma^2)) "
    "with the SQUARED distance |x - y|^2, which for bits is the Hamming distance itself",
    "form": "kernel convention: k(x, y) = exp(-d(x, y) / (2 sigma^2)), with sigma the "
    "bandwidth (divide by 2 sigma^2, not by sigma, 2 sigma or sigma^2)",
    "sum": "several bandwidths: the mixture kernel is the MEAN of the Gaussians, not their sum",
    "first": "several bandwidths: use all of them (the mean of their Gaussian kernels), not "
    "only the first",
}


def _mmd_hint(value: float, variants: dict[str, float], exact: float) -> str | None:
    """The hint of the one mistake whose value this is (none if two mistakes agree here)."""
    hits = {
        _MMD_HINTS["index" if key.startswith("index") else key.split("_")[0]]
        for key, v in variants.items()
        if abs(v - exact) > 1e-6 and abs(value - v) <= 1e-9 + 1e-7 * abs(v)
    }
    return hits.pop() if len(hits) == 1 else None


def _mmd_cases() -> list[tuple[str, np.ndarray, np.ndarray, Any, bool]]:
    rng = np.random.default_rng(1040)
    gauss = np.exp(-((np.arange(8) - 3.5) ** 2) / (2 * 1.5**2))
    cases: list[tuple[str, np.ndarray, np.ndarray, Any, bool]] = [
        ("p = '00', q = '11', bandwidth=1.0", np.eye(4)[0], np.eye(4)[3], 1.0, False),
        (
            "a 3-bit Gaussian against the uniform distribution, several bandwidths [0.5, 1.0, 2.0]",
            gauss / gauss.sum(),
            np.full(8, 1 / 8),
            [0.5, 1.0, 2.0],
            False,
        ),
        ("hidden 2-bit distributions, bandwidth=0.7", *rng.dirichlet(np.ones(4), 2), 0.7, True),
        (
            "hidden 3-bit distributions, several bandwidths (0.25, 4.0)",
            *rng.dirichlet(np.ones(8), 2),
            (0.25, 4.0),
            True,
        ),
        (
            "hidden 4-bit distributions, several bandwidths np.array([0.5, 1.5])",
            *rng.dirichlet(0.5 * np.ones(16), 2),
            np.array([0.5, 1.5]),
            True,
        ),
    ]
    p = rng.dirichlet(np.ones(8))
    cases.append(
        ("two equal 3-bit distributions (MMD^2 = 0), bandwidth=1.0", p, p.copy(), 1.0, True)
    )
    return cases


@exercise(
    "10.mmd_loss",
    points=5,
    title="The MMD loss between two distributions",
    difficulty="medium",
    minutes=20,
    hints=[
        "MMD² = Σ_x Σ_x' p(x) p(x') k(x, x') − 2 Σ_x Σ_y p(x) q(y) k(x, y) + Σ_y Σ_y' q(y) q(y') "
        "k(y, y'): with the kernel matrix K it is (p − q)ᵀ K (p − q).",
        "The distance between two bitstrings is the number of bits in which they differ "
        "(bin(x ^ y).count('1')), not the difference of their indices; "
        "k = exp(−d / (2σ²)).",
        "With several bandwidths, average their Gaussian kernels. Return MMD² as a float "
        "(no square root).",
    ],
)
def check_mmd_loss(t: Tester) -> None:
    for desc, p, q, bandwidth, hidden in _mmd_cases():
        with t.case(f"mmd_loss: {desc}", points=1.0 if not hidden else 0.75, hidden=hidden):
            sigmas = np.atleast_1d(np.asarray(bandwidth, dtype=float))
            expected = _mmd2(p, q, _kernel(_hamming_matrix(int(np.log2(p.size))), sigmas))
            given = bandwidth if not isinstance(bandwidth, list) else list(bandwidth)
            value = cmp.as_number(t.call(p.copy(), q.copy(), given), what="MMD^2")
            if abs(value - expected) <= 1e-9 + 1e-7 * abs(expected):
                continue
            raise CheckFailed(
                "The value is not MMD^2 with the Gaussian kernel of the Hamming distance.",
                expected=expected,
                actual=value,
                hint=_mmd_hint(value, _mmd_variants(p, q, sigmas), expected),
            )


# --------------------------------------------------------------- 10.born_machine_gradient

_PAULI = {
    "rx": np.array([[0, 1], [1, 0]], dtype=complex),
    "ry": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "rz": np.array([[1, 0], [0, -1]], dtype=complex),
}


def _apply_1q(state: np.ndarray, n: int, qubit: int, m: np.ndarray) -> np.ndarray:
    psi = state.reshape([2] * n)  # axis 0 is qubit n-1 (Qiskit order)
    axis = n - 1 - qubit
    psi = np.moveaxis(np.tensordot(m, psi, axes=([1], [axis])), 0, axis)
    return psi.reshape(-1)


def _apply_cx(state: np.ndarray, control: int, target: int) -> np.ndarray:
    idx = np.arange(state.size)
    flipped = np.where((idx >> control) & 1, idx ^ (1 << target), idx)
    return state[flipped]


class _BornCircuit:
    """circuit_probs(theta): the Born distribution of a small rx/ry/rz + CX circuit.

    Every parameter is the angle of exactly one rotation exp(-i theta P / 2). Records every
    parameter vector it is called with (to tell shifts of pi/2 from others)."""

    def __init__(self, n: int, gates: list[tuple]) -> None:
        self.n = n
        self.gates = gates
        self.m = sum(1 for g in gates if g[0] in _PAULI)
        self.queries: list[np.ndarray] = []

    def _state(self, theta: np.ndarray, derivative: int | None = None) -> np.ndarray:
        state = np.zeros(2**self.n, dtype=complex)
        state[0] = 1.0
        for gate in self.gates:
            if gate[0] == "cx":
                state = _apply_cx(state, gate[1], gate[2])
                continue
            name, qubit, k = gate
            a = theta[k]
            p = _PAULI[name]
            u = np.cos(a / 2) * np.eye(2) - 1j * np.sin(a / 2) * p
            state = _apply_1q(state, self.n, qubit, u)
            if k == derivative:
                state = _apply_1q(state, self.n, qubit, -0.5j * p)
        return state

    def __call__(self, theta: Any) -> np.ndarray:
        try:
            values = np.asarray(theta, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"circuit_probs expects {self.m} numbers, got {theta!r}") from None
        if values.size != self.m:
            raise ValueError(f"circuit_probs expects {self.m} parameters, got {values.size}")
        self.queries.append(values.copy())
        return np.abs(self._state(values)) ** 2

    def probs_and_derivatives(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """p and dp/dtheta (m, 2**n) from the derivative states, no shift rule."""
        psi = self._state(theta)
        dp = [2 * np.real(psi.conj() * self._state(theta, k)) for k in range(self.m)]
        return np.abs(psi) ** 2, np.array(dp)


def _layered(n: int, layers: int, names: tuple[str, ...]) -> list[tuple]:
    gates: list[tuple] = []
    k = 0
    for layer in range(layers):
        for q in range(n):
            gates.append((names[(layer + q) % len(names)], q, k))
            k += 1
        if layer < layers - 1:
            gates += [("cx", q, q + 1) for q in range(n - 1)]
    return gates


def _gradient_cases() -> list[tuple[str, _BornCircuit, np.ndarray, np.ndarray, Any, bool]]:
    rng = np.random.default_rng(1050)
    gauss = np.exp(-((np.arange(8) - 3.5) ** 2) / (2 * 1.5**2))
    return [
        (
            "2 qubits, RY(θ0) RY(θ1) then CX(0, 1); Bell-like target; bandwidth=1.0 (θ as a list)",
            _BornCircuit(2, [("ry", 0, 0), ("ry", 1, 1), ("cx", 0, 1)]),
            np.array([0.3, 1.1]),
            np.array([0.5, 0.0, 0.0, 0.5]),
            1.0,
            False,
        ),
        (
            "3 qubits, two RY layers with a CX chain; Gaussian target; several bandwidths [0.5, 1.0, 2.0] (θ as a list)",
            _BornCircuit(3, _layered(3, 2, ("ry",))),
            np.array([0.2, -0.4, 1.0, 0.7, -1.3, 0.5]),
            gauss / gauss.sum(),
            [0.5, 1.0, 2.0],
            False,
        ),
        (
            "a hidden 3-qubit RX/RY/RZ circuit, bandwidth=2.0",
            _BornCircuit(3, _layered(3, 3, ("rx", "ry", "rz"))),
            rng.uniform(-np.pi, np.pi, 9),
            rng.dirichlet(np.ones(8)),
            2.0,
            True,
        ),
        (
            "a hidden 4-qubit circuit, several bandwidths (0.25, 1.0, 4.0)",
            _BornCircuit(4, _layered(4, 2, ("ry", "rx"))),
            rng.uniform(-np.pi, np.pi, 8),
            rng.dirichlet(np.ones(16)),
            (0.25, 1.0, 4.0),
            True,
        ),
        (
            "a hidden 2-qubit circuit at θ = (π/2, 0, -π)",
            _BornCircuit(2, [("ry", 0, 0), ("rx", 1, 1), ("cx", 1, 0), ("ry", 0, 2)]),
            np.array([np.pi / 2, 0.0, -np.pi]),
            rng.dirichlet(np.ones(4)),
            0.8,
            True,
        ),
    ]


def _gradient_with(k: np.ndarray, p: np.ndarray, dp: np.ndarray, q: np.ndarray) -> np.ndarray:
    return dp @ (2 * k @ (p - q))


def _born_gradient_hint(
    g: np.ndarray,
    exact: np.ndarray,
    queries: list[np.ndarray],
    theta: np.ndarray,
    others: dict[str, np.ndarray],
) -> str | None:
    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, atol=1e-7, rtol=0)) and not np.allclose(b, exact, atol=1e-7)

    steps = [np.abs(qv - theta) for qv in queries]
    moved = [s[s > 0].min() for s in steps if np.any(s > 0)]
    if moved and min(moved) < 1e-2:
        return (
            "finite differences: the parameter-shift rule evaluates the circuit at θ_i ± π/2 "
            f"(your code used a step of {min(moved):.1e})"
        )
    if theta.size > 1 and moved and all(np.sum(s > 0) > 1 for s in steps if np.any(s > 0)):
        return (
            "every parameter was shifted at once: the rule shifts one parameter at a time, "
            "θ + (π/2) e_i changes only entry i (two calls per parameter)"
        )
    if moved and all(np.any(np.isclose(s, np.pi)) for s in steps if np.any(s > 0)):
        if np.allclose(g, 0, atol=1e-7):
            return (
                "shift of π instead of π/2: p(θ_i + π) = p(θ_i − π), so their difference "
                "is zero; shift by ±π/2"
            )
    if close(g, 2 * exact):
        return (
            "twice the gradient: ∂p/∂θ_i = (p₊ − p₋)/2 and ∂MMD²/∂p = 2K(p − q), so the "
            "1/2 and the 2 cancel: the gradient is (p₊ − p₋)ᵀ K (p − q)"
        )
    if close(g, exact / 2):
        return (
            "half the gradient: the shift rule's 1/2 and the 2 from differentiating "
            "(p − q)ᵀK(p − q) cancel; the gradient is (p₊ − p₋)ᵀ K (p − q), with no 1/2"
        )
    if close(g, -exact):
        return "wrong sign: use p₊ − p₋ (the distribution at θ_i + π/2 minus that at θ_i − π/2)"
    if close(g, others["no_target"]):
        return (
            "the target terms are missing: the gradient is (p₊ − p₋)ᵀ K (p − q), "
            "with the data distribution q, not (p₊ − p₋)ᵀ K p"
        )
    if close(g, others["index"]):
        return _MMD_HINTS["index"]
    if g.size > 1 and close(g, exact[::-1]):
        return "the entries are in reverse order: entry i is the derivative with respect to θ_i"
    return None


@exercise(
    "10.born_machine_gradient",
    points=5,
    time_limit=30,
    title="The parameter-shift gradient of the MMD loss",
    difficulty="hard",
    minutes=30,
    hints=[
        "By the chain rule ∂MMD²/∂θ_i = 2 (K(p − q))ᵀ ∂p/∂θ_i, and the parameter-shift rule "
        "gives ∂p/∂θ_i = (p₊ − p₋)/2 with p± = circuit_probs(θ ± (π/2) e_i).",
        "The 2 and the 1/2 cancel: the gradient is (p₊ − p₋)ᵀ K (p − q), three calls of "
        "circuit_probs per parameter at most (p itself only once).",
        "Shift copies of θ (as floats), one parameter at a time, and return one number per "
        "parameter.",
    ],
)
def check_born_machine_gradient(t: Tester) -> None:
    for desc, circuit, theta, target, bandwidth, hidden in _gradient_cases():
        with t.case(f"born_machine_gradient: {desc}", points=1, hidden=hidden):
            n = circuit.n
            sigmas = np.atleast_1d(np.asarray(bandwidth, dtype=float))
            p, dp = circuit.probs_and_derivatives(theta)
            exact = _gradient_with(_kernel(_hamming_matrix(n), sigmas), p, dp, target)
            given = list(theta) if not hidden else theta.copy()
            value = t.call(circuit, given, target.copy(), bandwidth)
            g = cmp.as_array(value, what="gradient")
            if g.ndim != 1 or g.size != theta.size:
                raise CheckFailed(
                    f"The gradient must have one entry per parameter: shape ({theta.size},), "
                    f"got shape {g.shape}.",
                    hint="wrong shape: return np.array([dMMD²/dθ_0, dMMD²/dθ_1, ...])",
                )
            if np.max(np.abs(g.imag)) > 1e-9:
                raise CheckFailed("The gradient of a real loss is real.", actual=g)
            g = g.real
            steps = [np.abs(qv - theta) for qv in circuit.queries]
            moved = [s[s > 0].min() for s in steps if np.any(s > 0)]
            idx = np.arange(2**n, dtype=float)
            others = {
                "no_target": _gradient_with(_kernel(_hamming_matrix(n), sigmas), p, dp, 0 * target),
                "index": _gradient_with(
                    _kernel((idx[:, None] - idx[None, :]) ** 2, sigmas), p, dp, target
                ),
            }
            if moved and min(moved) < 1e-2:
                raise CheckFailed(
                    "circuit_probs was evaluated at a tiny step: that is a finite difference, "
                    "not the parameter-shift rule.",
                    expected=exact,
                    actual=g,
                    hint=_born_gradient_hint(g, exact, circuit.queries, theta, others),
                )
            if np.allclose(g, exact, atol=1e-7, rtol=0):
                continue
            raise CheckFailed(
                "The gradient is not the exact gradient of MMD^2 (tolerance 1e-7).",
                expected=exact,
                actual=g,
                hint=_born_gradient_hint(g, exact, circuit.queries, theta, others),
            )
