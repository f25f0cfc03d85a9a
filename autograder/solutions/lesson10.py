"""Reference solutions for lesson 10 (Boltzmann machines and quantum circuit Born machines)."""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from scipy.linalg import expm
from scipy.optimize import minimize


def boltzmann_distribution(energies, beta: float) -> np.ndarray:
    """p_i = exp(-beta E_i) / Z, computed with the log-sum-exp shift."""
    e = np.asarray(energies, dtype=float)
    logw = -beta * e
    logw -= logw.max()
    w = np.exp(logw)
    return w / w.sum()


def gibbs_state(hamiltonian: SparsePauliOp, beta: float) -> np.ndarray:
    """rho = exp(-beta H) / Tr exp(-beta H), via the eigendecomposition of H."""
    h = hamiltonian.to_matrix()
    vals, vecs = np.linalg.eigh(h)
    w = np.exp(-beta * (vals - vals.min()))
    rho = (vecs * w) @ vecs.conj().T
    return rho / np.trace(rho).real


def _qbm_hamiltonian(params: np.ndarray, n: int) -> np.ndarray:
    """Dense H = sum b_i Z_i + sum w_ij Z_i Z_j + sum Gamma_i X_i (Qiskit order)."""
    terms = []
    coeffs = []
    k = 0
    for i in range(n):
        terms.append(("Z", [i]))
        coeffs.append(params[k])
        k += 1
    for i in range(n):
        for j in range(i + 1, n):
            terms.append(("ZZ", [i, j]))
            coeffs.append(params[k])
            k += 1
    for i in range(n):
        terms.append(("X", [i]))
        coeffs.append(params[k])
        k += 1
    op = SparsePauliOp.from_sparse_list(
        [(p, q, c) for (p, q), c in zip(terms, coeffs)], num_qubits=n
    )
    return op.to_matrix()


def _qbm_distribution(params: np.ndarray, n: int) -> np.ndarray:
    rho = expm(-_qbm_hamiltonian(params, n))
    p = np.real(np.diag(rho))
    return p / p.sum()


def train_qbm(target) -> np.ndarray:
    """Fit a fully visible QBM by minimising KL(target || model) with L-BFGS-B."""
    q = np.asarray(target, dtype=float)
    n = int(round(np.log2(q.size)))
    n_params = n + n * (n - 1) // 2 + n
    mask = q > 0

    def kl(params: np.ndarray) -> float:
        p = _qbm_distribution(params, n)
        return float(np.sum(q[mask] * (np.log(q[mask]) - np.log(np.maximum(p[mask], 1e-300)))))

    x0 = np.zeros(n_params)
    x0[-n:] = 0.1
    res = minimize(kl, x0, method="L-BFGS-B", options={"maxiter": 500})
    return _qbm_distribution(res.x, n)


def _kernel_matrix(n: int, bandwidth) -> np.ndarray:
    """K[x, y]: the mean over the bandwidths of exp(-|b(x) - b(y)|^2 / (2 sigma^2)),
    with b(x) the bit vector of x (so |b(x) - b(y)|^2 is the Hamming distance)."""
    sigmas = np.atleast_1d(np.asarray(bandwidth, dtype=float))
    bits = np.array([[int(c) for c in format(x, f"0{n}b")] for x in range(2**n)])
    sq_dist = ((bits[:, None, :] - bits[None, :, :]) ** 2).sum(axis=-1)
    return np.mean([np.exp(-sq_dist / (2 * s**2)) for s in sigmas], axis=0)


def mmd_loss(p, q, bandwidth) -> float:
    """MMD^2 = E_pp[k] - 2 E_pq[k] + E_qq[k] with the Gaussian (mixture) kernel on bitstrings."""
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    k = _kernel_matrix(int(np.log2(p.size)), bandwidth)
    return float(p @ k @ p - 2 * p @ k @ q + q @ k @ q)


def born_machine_gradient(circuit_probs, theta, target, bandwidth) -> np.ndarray:
    """dMMD^2/dtheta_i = (p+ - p-)^T K (p - q), p+- at theta_i +- pi/2 (parameter shift)."""
    theta = np.asarray(theta, dtype=float)
    q = np.asarray(target, dtype=float)
    p = np.asarray(circuit_probs(theta), dtype=float)
    k_diff = _kernel_matrix(int(np.log2(p.size)), bandwidth) @ (p - q)
    grad = np.zeros(theta.size)
    for i in range(theta.size):
        shift = np.zeros(theta.size)
        shift[i] = np.pi / 2
        p_plus = np.asarray(circuit_probs(theta + shift), dtype=float)
        p_minus = np.asarray(circuit_probs(theta - shift), dtype=float)
        grad[i] = (p_plus - p_minus) @ k_diff
    return grad
