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
from typing import Any, Literal

import numpy as np

from .._env import single_threaded_blas
from .._gates import (
    GENERATORS,
    MatrixForm,
    analyse,
    apply_diagonal,
    apply_with_spare,
    pair,
    rotation,
)
from ..errors import InputError
from ._lightning import LightningPlan, engine_setting, plan_for


@dataclass(frozen=True)
class _Fixed:
    """A gate without free parameters: its matrix and its inverse, analysed once."""

    qubits: tuple[int, ...]
    form: MatrixForm
    inverse: MatrixForm
    name: str = ""


@dataclass(frozen=True)
class _Rotation:
    """A rotation ``exp(-i a G)`` whose angle ``a = expr(inputs, weights)``.

    ``kind`` says what the angle depends on; ``diagonal`` holds G's diagonal when G is
    diagonal (``rz``, ``p``, ``rzz``, ``cp``, ``crz``): the gate is then a phase multiply.
    """

    qubits: tuple[int, ...]
    generator: np.ndarray
    expr: Any
    kind: Literal["input", "weight", "mixed"]
    diagonal: np.ndarray | None
    name: str = ""


_Gate = _Fixed | _Rotation
_CHUNK_AMPLITUDES = 2**18  # rows x 2**n per block of rows: 1 MiB of states, 4 MiB in the backward


def _apply_rotation(
    state: np.ndarray,
    spare: np.ndarray,
    n: int,
    gate: _Rotation,
    a: np.ndarray | float,
    sign: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply exp(-i sign a G), ``a`` one angle or one per state; returns (state, spare)."""
    if gate.diagonal is not None:
        phases = np.exp(-1j * sign * np.multiply.outer(a, gate.diagonal))
        apply_diagonal(state, n, gate.qubits, phases)
        return state, spare
    m = rotation(gate.generator, a, sign)
    return apply_with_spare(
        state, spare, n, gate.qubits, MatrixForm("dense", m) if m.ndim == 2 else m
    )


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

    # -- engine -------------------------------------------------------------------------
    def _lightning(self) -> LightningPlan | None:
        """The Lightning plan for the gates (see :mod:`._lightning`), or None for NumPy;
        made once per engine setting, and not pickled."""
        setting = engine_setting()
        cached = self.__dict__.get("_plan")
        if cached is None or cached[0] != setting:
            cached = (setting, plan_for(self.n, self.gates))
            self.__dict__["_plan"] = cached
        return cached[1]

    def _lightning_failed(self, exc: Exception) -> None:
        """Lightning raised (a binding that changed, say): use NumPy for this program from
        now on, and say so once; the caller then computes the same result with NumPy."""
        import warnings

        self.__dict__["_plan"] = (engine_setting(), None)
        warnings.warn(
            f"qmlkit: PennyLane-Lightning's kernels failed ({type(exc).__name__}: {exc}); "
            "this model continues on qmlkit's NumPy engine, with the same results, more "
            "slowly. Set QMLKIT_ENGINE=numpy to skip Lightning.",
            RuntimeWarning,
            stacklevel=3,
        )

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_plan", None)  # holds Lightning's C++ module; made again when needed
        return state

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
        if not free or name in GENERATORS:
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
            m = np.asarray(op.to_matrix(), dtype=complex)
            return _Fixed(qubits, analyse(m), analyse(m.conj().T), op.name)
        gen = GENERATORS[op.name]
        expr = op.params[0]
        uses_in = any(p in self._in_index for p in expr.parameters)
        uses_w = any(p in self._w_index for p in expr.parameters)
        unknown = [p for p in expr.parameters if p not in self._in_index and p not in self._w_index]
        if unknown:
            raise InputError(
                f"The circuit has parameters that are neither inputs nor weights: {unknown}."
            )
        kind: Literal["input", "weight", "mixed"] = (
            "mixed" if uses_in and uses_w else ("weight" if uses_w else "input")
        )
        off_diagonal = gen - np.diag(np.diagonal(gen))
        diagonal = None if np.any(off_diagonal) else np.diagonal(gen).real.copy()
        return _Rotation(qubits, gen, expr, kind, diagonal, op.name)

    # -- angles -----------------------------------------------------------------------------
    def _bind(self, expr: Any, x_row: np.ndarray | None, w: np.ndarray) -> dict:
        values = {p: float(w[self._w_index[p]]) for p in expr.parameters if p in self._w_index}
        if x_row is not None:
            values.update(
                {p: float(x_row[self._in_index[p]]) for p in expr.parameters if p in self._in_index}
            )
        return values

    def _angle(self, gate: _Rotation, X: np.ndarray, w: np.ndarray, cache: dict) -> Any:
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

    def _angle_grads(self, gate: _Rotation, X: np.ndarray, w: np.ndarray) -> list[tuple[int, Any]]:
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

    def _chunks(self, batch: int) -> list[slice]:
        """Blocks of rows small enough to stay in the CPU cache through every gate."""
        step = max(1, _CHUNK_AMPLITUDES >> self.n)
        return [slice(i, i + step) for i in range(0, batch, step)]

    def _angles(self, X: np.ndarray, w: np.ndarray, cache: dict) -> list[Any]:
        """Every gate's angle (None for fixed gates): a float, or one per row (B,)."""
        return [None if isinstance(g, _Fixed) else self._angle(g, X, w, cache) for g in self.gates]

    def forward(self, X: np.ndarray, w: np.ndarray, start: np.ndarray, cache: dict) -> np.ndarray:
        """Final states (B, 2**n) from the prefix states ``start`` (left unchanged).

        Rows are independent, so each block of rows goes through all the gates while it is
        in the cache; every gate acts in place.
        """
        angles = self._angles(X, w, cache)
        plan = self._lightning()
        if plan is not None:
            try:
                return plan.forward(angles, start)
            except Exception as exc:  # noqa: BLE001 - any failure of the bindings
                self._lightning_failed(exc)
        state = np.array(start, dtype=complex, order="C")  # the one copy
        with single_threaded_blas():  # many small products: threads cost more than they give
            for rows in self._chunks(len(state)):
                block = state[rows]  # a view: contiguous rows
                cur, spare = block, np.empty_like(block)  # gates alternate between the two
                for gate, a in zip(self.gates, angles):
                    if isinstance(gate, _Fixed):
                        cur, spare = apply_with_spare(cur, spare, self.n, gate.qubits, gate.form)
                    else:
                        a_rows = a[rows] if np.ndim(a) else a
                        cur, spare = _apply_rotation(cur, spare, self.n, gate, a_rows)
                if cur is not block:
                    block[...] = cur
        return state

    def gradient(
        self, X: np.ndarray, w: np.ndarray, final: np.ndarray, lam: np.ndarray, cache: dict
    ) -> np.ndarray:
        """dL/dw given the final states and lam = dL/d(final*), by the adjoint method.

        For each block of rows, ``phi`` and ``lam`` are stacked in one array (2b, 2**n), so
        every gate is undone on both by one in-place kernel call; the gradient is a sum over
        rows, accumulated block by block.
        """
        angles = self._angles(X, w, cache)
        slopes = [
            self._angle_grads(g, X, w) if isinstance(g, _Rotation) and g.kind != "input" else []
            for g in self.gates
        ]
        grad = np.zeros(len(self.weight_params))
        plan = self._lightning()
        if plan is not None:
            wanted = [i for i, slope in enumerate(slopes) if slope]
            try:
                d_angles = plan.angle_gradients(angles, final, lam, wanted)
            except Exception as exc:  # noqa: BLE001 - any failure of the bindings
                self._lightning_failed(exc)
            else:
                for column, i in enumerate(wanted):
                    for j, da_dw in slopes[i]:
                        grad[j] += float(np.sum(d_angles[:, column] * da_dw))
                return grad
        with single_threaded_blas():
            for rows in self._chunks(len(final)):
                both = np.concatenate([final[rows], lam[rows]]).astype(complex, copy=False)
                self._backward(both, rows, angles, slopes, grad)
        return grad

    def _backward(
        self, both: np.ndarray, rows: slice, angles: list, slopes: list, grad: np.ndarray
    ) -> None:
        batch = len(both) // 2
        spare = np.empty_like(both)
        for gate, a, slope in zip(reversed(self.gates), reversed(angles), reversed(slopes)):
            if isinstance(gate, _Fixed):
                both, spare = apply_with_spare(both, spare, self.n, gate.qubits, gate.inverse)
                continue
            if slope:
                phi, lam = both[:batch], both[batch:]
                d_angle = 2.0 * pair(lam, phi, self.n, gate.qubits, gate.generator).imag
                for j, da_dw in slope:
                    grad[j] += float(np.sum(d_angle * (da_dw[rows] if np.ndim(da_dw) else da_dw)))
            if np.ndim(a):
                a = np.concatenate([a[rows], a[rows]])
            both, spare = _apply_rotation(both, spare, self.n, gate, a, sign=-1.0)
