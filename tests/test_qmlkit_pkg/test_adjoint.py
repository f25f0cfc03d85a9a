"""qmlkit.models._adjoint on the shared gate kernel: every gate family, row blocks, gradients."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Statevector

from qmlkit.models import _adjoint
from qmlkit.models._adjoint import AdjointProgram


def wide_circuit(n: int = 5):
    """Inputs, weights and mixed angles on every rotation family, plus fixed gates, all placements."""
    x, w = ParameterVector("x", n), ParameterVector("w", 14)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.h(i)
        qc.rz(x[i], i)
    qc.ry(w[0], 0)
    qc.rx(w[1] * x[1], 4)  # mixed: input times weight
    qc.rz(w[2], 3)
    qc.p(w[3] + 0.2, 1)
    qc.cx(0, 4)
    qc.cz(3, 1)
    qc.rxx(w[4], 2, 4)
    qc.ryy(w[5], 4, 0)
    qc.rzz(w[6], 1, 3)
    qc.rzx(w[7], 0, 3)
    qc.cp(w[8], 4, 2)
    qc.crx(w[9], 3, 0)
    qc.cry(w[10], 1, 4)
    qc.crz(w[11], 2, 1)
    qc.swap(0, 2)
    qc.ccx(4, 0, 2)
    qc.sx(3)
    qc.ry(x[2], 2)  # input-only gate after the first weight (re-uploading)
    qc.u(w[12], w[13], x[0], 1)
    qc.y(4)
    qc.cy(1, 4)
    return qc, list(x), list(w)


def parity_loss_terms(final: np.ndarray, n: int) -> tuple[float, np.ndarray]:
    """L = mean P(odd parity); lam = dL/d(final*)."""
    odd = np.array([bin(k).count("1") % 2 for k in range(2**n)], dtype=float)
    loss = float(np.mean(np.abs(final) ** 2 @ odd))
    return loss, odd[None, :] * final / len(final)


@pytest.mark.parametrize("chunk", [2**5, 2**6, 2**18])  # one row, two rows, all rows per block
def test_forward_and_gradient_on_every_gate_family(chunk, monkeypatch):
    monkeypatch.setattr(_adjoint, "_CHUNK_AMPLITUDES", chunk)
    qc, x, w = wide_circuit()
    n = qc.num_qubits
    rng = np.random.default_rng(4)
    X = rng.uniform(-np.pi, np.pi, (7, len(x)))
    weights = rng.uniform(-np.pi, np.pi, len(w))
    prog = AdjointProgram(qc, x, w)
    start = prog.initial_states(X)
    before = start.copy()
    final = prog.forward(X, weights, start, {})
    np.testing.assert_array_equal(start, before)  # the cached prefix states are not touched
    for row, state in zip(X, final):
        bound = qc.assign_parameters(dict(zip(x + w, list(row) + list(weights))))
        expected = Statevector(bound).data
        phase = np.vdot(expected, state)  # U(t, f, l) is run as RZ RY RZ: a global phase apart
        assert abs(phase) == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(state, phase * expected, atol=1e-12)

    _, lam = parity_loss_terms(final, n)
    grad = prog.gradient(X, weights, final, lam, {})
    eps = 1e-6
    for j in range(len(w)):
        step = np.zeros(len(w))
        step[j] = eps
        up = parity_loss_terms(prog.forward(X, weights + step, start, {}), n)[0]
        down = parity_loss_terms(prog.forward(X, weights - step, start, {}), n)[0]
        assert grad[j] == pytest.approx((up - down) / (2 * eps), abs=1e-8), w[j]
