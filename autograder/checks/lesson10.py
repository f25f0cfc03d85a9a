"""Checks for lesson 10: Boltzmann distributions, Gibbs states and a trained QBM.

Hidden inputs come from generators with FIXED seeds, so a verdict never changes between runs.
"""

from __future__ import annotations

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
