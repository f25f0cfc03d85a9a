"""Executing compiled steps on a batch of states (internal layout: (2**n, B), batch last).

The batch axis is last, and it has length 1 while nothing depends on the data (one state
shared by all rows, copied out only when a data-dependent step needs it). Gates go through
the shared kernel :mod:`qmlkit._gates`; the fused permutation-and-phase steps
(:class:`~qmlkit.statevec.compile._Mono`) are applied here directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._gates import apply_matrix_into

if TYPE_CHECKING:
    from .compile import _Dense, _Layer, _Mono


def _one_qubit_matrix(name: str, a: list[np.ndarray]) -> np.ndarray:
    """Batched 2x2 matrices (B, 2, 2) of a parameterised one-qubit gate."""
    a = list(np.broadcast_arrays(*a))
    if name in ("rx", "ry"):
        c, s = np.cos(a[0] / 2), np.sin(a[0] / 2)
        m = np.empty(c.shape + (2, 2), dtype=complex)
        m[..., 0, 0] = c
        m[..., 1, 1] = c
        m[..., 0, 1] = -1j * s if name == "rx" else -s
        m[..., 1, 0] = -1j * s if name == "rx" else s
        return m
    if name == "r":
        c, s = np.cos(a[0] / 2), np.sin(a[0] / 2)
        m = np.empty(c.shape + (2, 2), dtype=complex)
        m[..., 0, 0] = c
        m[..., 1, 1] = c
        m[..., 0, 1] = -1j * np.exp(-1j * a[1]) * s
        m[..., 1, 0] = -1j * np.exp(1j * a[1]) * s
        return m
    theta, phi, lam = (np.full_like(a[0], np.pi / 2), a[0], a[1]) if name == "u2" else a
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    m = np.empty(c.shape + (2, 2), dtype=complex)
    m[..., 0, 0] = c
    m[..., 0, 1] = -np.exp(1j * lam) * s
    m[..., 1, 0] = np.exp(1j * phi) * s
    m[..., 1, 1] = np.exp(1j * (phi + lam)) * c
    return m


def _zero_state(n: int) -> np.ndarray:
    state = np.zeros((2**n, 1), dtype=complex)
    state[0] = 1.0
    return state


def _layer_matrices(step: _Layer, angles: np.ndarray) -> dict:
    """qubit -> (2, 2) or (B, 2, 2) product of the layer's gates on that qubit."""
    out = {}
    for q, gates in step.gates.items():
        m = None
        for g in gates:
            if not isinstance(g, np.ndarray):
                name, angs = g
                a = [angles[:, x.col] if x.col is not None else np.full(1, x.const) for x in angs]
                g = _one_qubit_matrix(name, a)
                if g.shape[0] == 1:
                    g = g[0]
            m = g if m is None else g @ m
        out[q] = m
    return out


def _product_state(n: int, step: _Layer, angles: np.ndarray) -> np.ndarray:
    """The state the layer makes from |0...0>: a Kronecker product, no matrix products."""
    mats = _layer_matrices(step, angles)
    state = np.ones((1, 1), dtype=complex)
    for q in range(n - 1, -1, -1):  # qubit 0 is the least-significant (last) factor
        m = mats.get(q)
        v = np.array([[1.0], [0.0]], dtype=complex) if m is None else _column0(m)
        state = (state[:, None, :] * v[None, :, :]).reshape(-1, max(state.shape[1], v.shape[1]))
    return state


def _column0(m: np.ndarray) -> np.ndarray:
    """First column of a (2, 2) or (B, 2, 2) matrix as shape (2, 1) or (2, B)."""
    return m[:, 0].reshape(2, 1) if m.ndim == 2 else np.ascontiguousarray(m[:, :, 0].T)


def _quadratic_phases(step: _Mono, angles: np.ndarray) -> np.ndarray:
    """exp(i * phase), shape (2**n, B), for a phase of degree <= 2 in the bits.

    With phase(k) = c + sum_q h_q b_q + sum_(q>j) J_qj b_q b_j, the factor exp(i * phase)
    is built one qubit at a time: setting bit q multiplies the entries with that bit by
    exp(i h_q) times a Kronecker product of [1, exp(i J_qj)] over the lower bits j. Only
    n + (number of coupled pairs) exponentials per row are needed; the rest are products,
    written in place (fresh large arrays cost more than the arithmetic).
    """
    assert step.quadratic is not None  # the caller checked
    c0, lin, quad, pairs = step.quadratic
    coeffs = angles[:, step.cols]
    if step.const is not None:
        coeffs = np.column_stack([coeffs, np.ones(len(angles))])
    g = np.exp(1j * (coeffs @ c0))
    u = np.exp(1j * (lin.T @ coeffs.T))  # (n, B)
    w = np.exp(1j * (quad.T @ coeffs.T))  # (pairs, B)
    batch = len(angles)
    by_level: dict = {}
    for p, (q, j) in enumerate(pairs):
        by_level.setdefault(q, {})[j] = p
    phases = np.empty((2**step.n, batch), dtype=complex)
    factor = np.empty((2 ** max(step.n - 1, 0), batch), dtype=complex)
    phases[0] = g
    for q in range(step.n):
        half = 2**q
        couplings = by_level.get(q)
        if not couplings:
            np.multiply(phases[:half], u[q], out=phases[half : 2 * half])
            continue
        low = min(couplings)
        factor[0] = u[q]
        for j in range(low, q):  # bit j becomes the most significant bit of the factor
            m = 2 ** (j - low)
            if j in couplings:
                np.multiply(factor[:m], w[couplings[j]], out=factor[m : 2 * m])
            else:
                factor[m : 2 * m] = factor[:m]
        np.multiply(
            phases[:half].reshape(-1, 2**low, batch),
            factor[: half >> low, None, :],
            out=phases[half : 2 * half].reshape(-1, 2**low, batch),
        )
    return phases


def _apply_mono(state: np.ndarray, step: _Mono, angles: np.ndarray) -> np.ndarray:
    if step.perm is not None:
        state = state[step.perm]
    if step.quadratic is not None and step.cols:
        phases = _quadratic_phases(step, angles)
        return np.multiply(phases, state, out=phases)
    if step.pattern_matrix is not None:
        phase = step.pattern_matrix.T @ angles[:, step.cols].T
        if step.const is not None:
            phase += step.const[:, None]
        return state * np.exp(1j * phase)
    if step.const is not None:
        return state * np.exp(1j * step.const)[:, None]
    return state


def _apply_layer(state: np.ndarray, n: int, step: _Layer, angles: np.ndarray) -> np.ndarray:
    mats = _layer_matrices(step, angles)
    const = sorted(q for q, m in mats.items() if m.ndim == 2)
    # constant gates: Kronecker products of up to 4 neighbouring qubits, one product each
    i = 0
    while i < len(const):
        j = i
        while j + 1 < len(const) and const[j + 1] == const[j] + 1 and j + 1 - i < 4:
            j += 1
        block = np.ones((1, 1), dtype=complex)
        for q in range(const[j], const[i] - 1, -1):
            block = np.kron(block, mats[q])
        state = _into_new(state, n, tuple(range(const[i], const[j] + 1)), block)
        i = j + 1
    for q, m in mats.items():
        if m.ndim == 3:  # per-row matrices (B, 2, 2)
            if state.shape[1] != len(m):
                state = np.repeat(state, len(m), axis=1)
            state = _into_new(state, n, (q,), m)
    return state


def _apply_dense(state: np.ndarray, n: int, step: _Dense, angles: np.ndarray) -> np.ndarray:
    if step.form is not None:
        return _into_new(state, n, tuple(step.qubits), step.form)
    if state.shape[1] != len(angles):
        state = np.repeat(state, len(angles), axis=1)
    k = len(step.qubits)
    mats = np.empty((state.shape[1], 2**k, 2**k), dtype=complex)
    for b in range(len(mats)):
        args = [angles[b, a.col] if a.col is not None else a.const for a in step.angles]
        mats[b] = type(step.op)(*args).to_matrix()
    return _into_new(state, n, tuple(step.qubits), mats)


def _into_new(state: np.ndarray, n: int, qubits: tuple[int, ...], m: Any) -> np.ndarray:
    """The gate (a matrix, per-row matrices or a MatrixForm) applied into a fresh array."""
    state = np.ascontiguousarray(state, dtype=complex)
    return apply_matrix_into(state, np.empty_like(state), n, qubits, m, batch_last=True)
