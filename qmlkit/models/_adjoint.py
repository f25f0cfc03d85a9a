"""Exact batched simulation of a parameterised circuit with adjoint gradients (for the VQC).

A circuit has *input* parameters (one value per data row) and *weight* parameters (shared by all
rows). :class:`AdjointProgram` splits it into

* a prefix of gates that depend on the inputs only (the feature map): simulated once per data
  set with :func:`qmlkit.statevec.simulate` and cached;
* the remaining gates, kept as a list of constant matrices and rotations ``exp(-i a G)`` whose
  angle ``a`` may depend on inputs and/or weights.

The gradient of a loss ``L(|psi_b|^2)`` with respect to every weight is computed by the adjoint
method (Jones & Gacon 2020): one forward pass, then one backward pass that carries the state
``phi`` and the adjoint ``lam = dL/dphi*`` back through the gates; a rotation with angle ``a_b``
contributes ``dL/da_b = 2 Im <lam_b| G |phi_b>``. This is exact (no shifts, no sampling), and
batched over the data rows. Qubit order is Qiskit's (qubit 0 = least-significant index bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import InputError

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_P1 = np.diag([0.0, 1.0]).astype(complex)  # |1><1|


def _controlled(g: np.ndarray) -> np.ndarray:
    """Generator of a gate controlled by the first qarg (LSB of the 2-qubit matrix index)."""
    return np.kron(g, _P1)


# gate name -> generator G with gate(a) = exp(-i a G) exactly (no global phase left out)
_GENERATORS = {
    "rx": _X / 2,
    "ry": _Y / 2,
    "rz": _Z / 2,
    "p": -_P1,
    "u1": -_P1,
    "rxx": np.kron(_X, _X) / 2,
    "ryy": np.kron(_Y, _Y) / 2,
    "rzz": np.kron(_Z, _Z) / 2,
    "rzx": np.kron(_X, _Z) / 2,  # Z on the first qarg (LSB of the matrix index), X on the second
    "cp": -np.kron(_P1, _P1),
    "cu1": -np.kron(_P1, _P1),
    "crx": _controlled(_X / 2),
    "cry": _controlled(_Y / 2),
    "crz": _controlled(_Z / 2),
}


@dataclass
class _Gate:
    qubits: tuple[int, ...]
    matrix: np.ndarray | None = None  # constant gates
    generator: np.ndarray | None = None  # rotations exp(-i a G)
    eig: tuple[np.ndarray, np.ndarray] | None = None
    expr: Any = None
    kind: str = "const"  # const | input | weight | mixed


def _apply(state: np.ndarray, n: int, qubits: tuple[int, ...], m: np.ndarray) -> np.ndarray:
    """Apply a k-qubit matrix (k, k) or per-row matrices (B, k, k) to states (B, 2**n)."""
    batch = state.shape[0]
    if len(qubits) == 1:  # the common case: slice the qubit's axis, no transposes
        q = qubits[0]
        t = state.reshape(batch, 2 ** (n - 1 - q), 2, 2**q)
        t0, t1 = t[:, :, 0, :], t[:, :, 1, :]
        if m.ndim == 2:
            m00, m01, m10, m11 = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
        else:
            m00, m01, m10, m11 = (m[:, i, j][:, None, None] for i in (0, 1) for j in (0, 1))
        out = np.empty_like(t, dtype=np.result_type(state, m))
        out[:, :, 0, :] = m00 * t0 + m01 * t1
        out[:, :, 1, :] = m10 * t0 + m11 * t1
        return out.reshape(batch, 2**n)
    k = len(qubits)
    if m.ndim == 2 and np.count_nonzero(m - np.diag(np.diagonal(m))) == 0:
        return state * np.diagonal(m)[_local_index(n, qubits)]
    axes = [1 + (n - 1 - q) for q in reversed(qubits)]  # matrix index = sum b_j 2^j
    t = np.moveaxis(state.reshape((batch,) + (2,) * n), axes, range(n + 1 - k, n + 1))
    shape = t.shape
    t = t.reshape(batch, -1, 2**k)
    t = t @ m.T if m.ndim == 2 else np.einsum("bij,brj->bri", m, t)
    t = np.moveaxis(t.reshape(shape), range(n + 1 - k, n + 1), axes)
    return t.reshape(batch, 2**n)


@lru_cache(maxsize=256)
def _local_index(n: int, qubits: tuple[int, ...]) -> np.ndarray:
    """For every basis index, the index into a k-qubit gate's matrix (Qiskit order)."""
    idx = np.arange(2**n)
    return sum(((idx >> q) & 1) << j for j, q in enumerate(qubits))


def _rotation(gate: _Gate, a: np.ndarray | float, sign: float = 1.0) -> np.ndarray:
    """exp(-i sign a G) for a scalar or per-row angle."""
    vals, vecs = gate.eig
    a = np.asarray(a, dtype=float)
    phases = np.exp(-1j * sign * np.multiply.outer(a, vals))  # (..., k)
    return (vecs * phases[..., None, :]) @ vecs.conj().T


class AdjointProgram:
    """A circuit compiled for batched forward simulation and adjoint weight gradients."""

    def __init__(self, circuit: Any, input_params: list, weight_params: list) -> None:
        from qiskit import QuantumCircuit

        self.n = circuit.num_qubits
        self.input_params = list(input_params)
        self.weight_params = list(weight_params)
        self._in_index = {p: i for i, p in enumerate(self.input_params)}
        self._w_index = {p: i for i, p in enumerate(self.weight_params)}
        flat: list[tuple[Any, tuple[int, ...]]] = []
        for inst in circuit.data:
            qubits = tuple(circuit.find_bit(q).index for q in inst.qubits)
            self._flatten(inst.operation, qubits, flat)
        # prefix: leading instructions without weights, simulated by qmlkit.statevec
        cut = 0
        while cut < len(flat) and not self._uses_weights(flat[cut][0]):
            cut += 1
        self.prefix = QuantumCircuit(self.n)
        for op, qubits in flat[:cut]:
            self.prefix.append(op, qubits)
        self._prefix_cols = [self._in_index[p] for p in self.prefix.parameters]
        self.gates = [self._compile(op, qubits) for op, qubits in flat[cut:]]

    # -- compilation ----------------------------------------------------------------------
    def _uses_weights(self, op: Any) -> bool:
        return any(
            hasattr(p, "parameters") and any(q in self._w_index for q in p.parameters)
            for p in op.params
        )

    def _flatten(self, op: Any, qubits: tuple[int, ...], out: list) -> None:
        name = op.name
        if name in ("barrier", "delay", "global_phase"):
            return
        if name in ("measure", "reset"):
            raise InputError(f"The VQC circuit must not contain {name!r} operations.")
        free = any(hasattr(p, "parameters") and p.parameters for p in op.params)
        if not free or name in _GENERATORS:
            out.append((op, qubits))
            return
        if name in ("u", "u3"):  # U(t, f, l) = RZ(f) RY(t) RZ(l) up to a global phase
            from qiskit.circuit.library import RYGate, RZGate

            theta, phi, lam = op.params
            for gate in (RZGate(lam), RYGate(theta), RZGate(phi)):
                out.append((gate, qubits))
            return
        if op.definition is None:
            raise InputError(
                f"Gate {name!r} with free parameters is not supported by the VQC simulator; "
                "decompose it into rx/ry/rz/p/rzz/crx/... gates."
            )
        definition = op.definition
        for inst in definition.data:
            sub = tuple(qubits[definition.find_bit(q).index] for q in inst.qubits)
            self._flatten(inst.operation, sub, out)

    def _compile(self, op: Any, qubits: tuple[int, ...]) -> _Gate:
        free = any(hasattr(p, "parameters") and p.parameters for p in op.params)
        if not free:
            return _Gate(qubits, matrix=np.asarray(op.to_matrix(), dtype=complex))
        gen = _GENERATORS[op.name]
        expr = op.params[0]
        uses_in = any(p in self._in_index for p in expr.parameters)
        uses_w = any(p in self._w_index for p in expr.parameters)
        unknown = [p for p in expr.parameters if p not in self._in_index and p not in self._w_index]
        if unknown:
            raise InputError(
                f"The circuit has parameters that are neither inputs nor weights: {unknown}."
            )
        kind = "mixed" if uses_in and uses_w else ("weight" if uses_w else "input")
        return _Gate(qubits, generator=gen, eig=np.linalg.eigh(gen), expr=expr, kind=kind)

    # -- angles -----------------------------------------------------------------------------
    def _bind(self, expr: Any, x_row: np.ndarray | None, w: np.ndarray) -> dict:
        values = {p: float(w[self._w_index[p]]) for p in expr.parameters if p in self._w_index}
        if x_row is not None:
            values.update(
                {p: float(x_row[self._in_index[p]]) for p in expr.parameters if p in self._in_index}
            )
        return values

    def _angle(self, gate: _Gate, X: np.ndarray, w: np.ndarray, cache: dict) -> Any:
        expr = gate.expr
        if gate.kind == "input":
            key = id(gate)
            if key not in cache:
                if expr.is_symbol():
                    cache[key] = X[:, self._in_index[expr]].copy()
                else:
                    cache[key] = np.array([float(expr.bind_all(self._bind(expr, x, w))) for x in X])
            return cache[key]
        if gate.kind == "weight":
            if expr.is_symbol():
                return float(w[self._w_index[expr]])
            return float(expr.bind_all(self._bind(expr, None, w)))
        return np.array([float(expr.bind_all(self._bind(expr, x, w))) for x in X])

    def _angle_grads(self, gate: _Gate, X: np.ndarray, w: np.ndarray) -> list[tuple[int, Any]]:
        """[(weight index, d angle / d weight)] as floats or per-row arrays."""
        expr = gate.expr
        if expr.is_symbol():
            return [(self._w_index[expr], 1.0)]
        out = []
        for p in expr.parameters:
            if p not in self._w_index:
                continue
            d = expr.gradient(p)
            if not hasattr(d, "parameters") or not d.parameters:
                val: Any = float(d.numeric() if hasattr(d, "numeric") else d)
            elif gate.kind == "weight":
                val = float(d.bind_all(self._bind(d, None, w)))
            else:
                val = np.array([float(d.bind_all(self._bind(d, x, w))) for x in X])
            out.append((self._w_index[p], val))
        return out

    # -- simulation -------------------------------------------------------------------------
    def initial_states(self, X: np.ndarray) -> np.ndarray:
        """States after the input-only prefix (the feature map), shape (B, 2**n)."""
        from ..statevec import simulate

        if self.prefix.parameters:
            return simulate(self.prefix, X[:, self._prefix_cols])
        start = np.atleast_2d(simulate(self.prefix))[0]
        return np.tile(start, (len(X), 1))

    def forward(self, X: np.ndarray, w: np.ndarray, start: np.ndarray, cache: dict) -> np.ndarray:
        state = start
        for gate in self.gates:
            m = (
                gate.matrix
                if gate.kind == "const"
                else _rotation(gate, self._angle(gate, X, w, cache))
            )
            state = _apply(state, self.n, gate.qubits, m)
        return state

    def gradient(
        self, X: np.ndarray, w: np.ndarray, final: np.ndarray, lam: np.ndarray, cache: dict
    ) -> np.ndarray:
        """dL/dw given the final states and lam = dL/d(final*), by the adjoint method."""
        grad = np.zeros(len(self.weight_params))
        phi, lam = final, lam
        for gate in reversed(self.gates):
            if gate.kind == "const":
                inv = gate.matrix.conj().T
            else:
                a = self._angle(gate, X, w, cache)
                if gate.kind != "input":
                    g_phi = _apply(phi, self.n, gate.qubits, gate.generator)
                    d_angle = 2.0 * np.imag(np.sum(lam.conj() * g_phi, axis=1))  # dL/da_b
                    for j, da_dw in self._angle_grads(gate, X, w):
                        grad[j] += float(np.sum(d_angle * da_dw))
                inv = _rotation(gate, a, sign=-1.0)
            if inv.ndim == 3:
                inv = np.concatenate([inv, inv])
            both = _apply(np.concatenate([phi, lam]), self.n, gate.qubits, inv)
            phi, lam = both[: len(phi)], both[len(phi) :]
        return grad
