"""Reference solutions for lesson 07 (variational circuits and gradients)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize


def parameter_shift_gradient(f, params) -> np.ndarray:
    """Exact gradient of f by the two-term parameter-shift rule (shifts of +-pi/2)."""
    params = np.asarray(params, dtype=float)
    grad = np.empty(params.size)
    for k in range(params.size):
        shift = np.zeros(params.size)
        shift[k] = np.pi / 2
        grad[k] = 0.5 * (f(params + shift) - f(params - shift))
    return grad


_I = np.eye(2)
_CX = np.array(
    [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex
)  # control qubit 0


def _u3(theta: float, phi: float) -> np.ndarray:
    """RZ(phi) RY(theta) as a 2x2 matrix."""
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    ry = np.array([[c, -s], [s, c]], dtype=complex)
    rz = np.diag([np.exp(-0.5j * phi), np.exp(0.5j * phi)])
    return rz @ ry


def _ansatz_state(w: np.ndarray, layers: int = 3) -> np.ndarray:
    """RY-RZ on both qubits, then CX(0,1), repeated; qubit 0 is the right kron factor."""
    psi = np.zeros(4, dtype=complex)
    psi[0] = 1
    w = w.reshape(layers + 1, 2, 2)
    for layer in range(layers + 1):
        u = np.kron(_u3(*w[layer, 1]), _u3(*w[layer, 0]))
        psi = u @ psi
        if layer < layers:
            psi = _CX @ psi
    return psi


def vqe_ground_energy(hamiltonian) -> float:
    """VQE with a hardware-efficient RY-RZ-CX ansatz, BFGS from a few random starts."""
    h = np.asarray(hamiltonian.to_matrix(), dtype=complex)
    rng = np.random.default_rng(0)

    def energy(w: np.ndarray) -> float:
        psi = _ansatz_state(w)
        return float(np.real(np.vdot(psi, h @ psi)))

    best = np.inf
    for _ in range(6):
        res = minimize(
            energy, rng.uniform(-np.pi, np.pi, 16), method="BFGS", options={"gtol": 1e-9}
        )
        best = min(best, res.fun)
    return float(best)


def shared_parameter_gradient(f, theta, uses) -> np.ndarray:
    """Gradient of C(theta) = f(phi(theta)) where gate j has the angle a*theta[k] + b.

    Every gate is shifted on its own (two-term rule on its angle) and the derivatives are
    summed per parameter with the chain-rule factor a.
    """
    theta = np.asarray(theta, dtype=float).reshape(-1)
    phi = np.array([a * theta[k] + b for k, a, b in uses], dtype=float)
    grad = np.zeros(theta.size)
    for j, (k, a, _) in enumerate(uses):
        shift = np.zeros(phi.size)
        shift[j] = np.pi / 2
        grad[k] += a * 0.5 * (f(phi + shift) - f(phi - shift))
    return grad


def spsa_step(f, theta, delta, k, a=0.2, c=0.1) -> np.ndarray:
    """One SPSA update with gains a/(k+1)^0.602 and c/(k+1)^0.101 along the given delta."""
    theta = np.asarray(theta, dtype=float)
    delta = np.asarray(delta, dtype=float)
    a_k = a / (k + 1) ** 0.602
    c_k = c / (k + 1) ** 0.101
    g_hat = (f(theta + c_k * delta) - f(theta - c_k * delta)) / (2 * c_k) / delta
    return theta - a_k * g_hat
