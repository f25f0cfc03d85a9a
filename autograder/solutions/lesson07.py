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
