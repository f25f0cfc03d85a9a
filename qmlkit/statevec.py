"""Batched statevector simulation of parameterised circuits, exact and fast.

:func:`simulate` runs one parameterised circuit on many rows of parameter values at
once and returns one statevector per row. It is the engine under
:class:`qmlkit.kernels.FidelityKernel` and the variational models in
:mod:`qmlkit.models`.

The circuit is compiled once (:func:`compile_circuit`) into a short program that uses the
structure of its gates:

* runs of *monomial* gates (diagonal phase gates such as ``p``, ``rz``, ``cp``, ``rzz``,
  ``z``, ``s``, ``t``, ``cz`` and permutations such as ``x``, ``cx``, ``swap``) become one
  permutation of the amplitudes and one phase vector per data row, built by a single
  real matrix product. The ``cx - p - cx`` pattern of ZZ feature maps therefore costs
  nothing extra;
* runs of single-qubit gates become one 2x2 matrix per qubit (or per qubit and row when
  it depends on the data), applied as reshaped matrix products; gates acting on
  ``|0...0>`` before any entangling gate build a product state directly;
* any other gate is applied as a dense matrix on its qubits, or replaced by its
  definition when it has free parameters.

Parameters are bound in ``circuit.parameters`` order (Qiskit's sorted order: a
``ParameterVector`` ``x`` gives ``x[0], x[1], ...``). Qubit order is Qiskit's: qubit 0 is
the least-significant bit of a statevector index.

>>> from qiskit.circuit.library import z_feature_map
>>> states = simulate(z_feature_map(2, reps=1), [[0.0, 0.0], [np.pi, 0.0]])
>>> states.shape
(2, 4)
>>> np.round(np.abs(states) ** 2, 3).tolist()[0]
[0.25, 0.25, 0.25, 0.25]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._env import single_threaded_blas
from .errors import InputError

__all__ = ["simulate", "compile_circuit", "Program"]

# ----------------------------------------------------------------------------------------
# Angles: plain numbers or (batched) values of parameter expressions


def _replay(expr: Any, cols: dict, depth: int = 0) -> Any:
    """Evaluate a ParameterExpression on NumPy arrays by replaying its operations."""
    from qiskit.circuit import Parameter, ParameterExpression
    from qiskit.circuit.parameterexpression import OpCode

    if isinstance(expr, Parameter):
        return cols[expr]
    if not isinstance(expr, ParameterExpression):
        return expr
    if not expr.parameters:
        return complex(expr.numeric())
    if expr.is_symbol():
        return cols[next(iter(expr.parameters))]
    binary = {
        OpCode.ADD: lambda a, b: a + b,
        OpCode.SUB: lambda a, b: a - b,
        OpCode.MUL: lambda a, b: a * b,
        OpCode.DIV: lambda a, b: a / b,
        OpCode.POW: lambda a, b: a**b,
        OpCode.RSUB: lambda a, b: b - a,
        OpCode.RDIV: lambda a, b: b / a,
        OpCode.RPOW: lambda a, b: b**a,
    }
    unary = {
        OpCode.SIN: np.sin,
        OpCode.COS: np.cos,
        OpCode.TAN: np.tan,
        OpCode.ASIN: np.arcsin,
        OpCode.ACOS: np.arccos,
        OpCode.EXP: np.exp,
        OpCode.LOG: np.log,
        OpCode.SIGN: np.sign,
        OpCode.CONJ: np.conj,
        OpCode.ABS: np.abs,
        OpCode.ATAN: np.arctan,
    }
    stack: list = []
    for inst in expr._qpy_replay:
        for operand in (inst.lhs, inst.rhs):
            if operand is not None:
                stack.append(_replay(operand, cols, depth + 1))
        if inst.op in binary:
            rhs, lhs = stack.pop(), stack.pop()
            stack.append(binary[inst.op](lhs, rhs))
        elif inst.op in unary:
            stack.append(unary[inst.op](stack.pop()))
        else:  # gradient / subs: not expected inside a bound circuit
            raise NotImplementedError(str(inst.op))
    return stack.pop()


def _evaluate(expr: Any, params: list, values: np.ndarray) -> np.ndarray:
    """Values of one gate parameter for every row of ``values`` (shape (B,)) as floats."""
    from qiskit.circuit import Parameter

    if isinstance(expr, Parameter):
        return values[:, params.index(expr)]
    cols = {p: values[:, i] for i, p in enumerate(params)}
    try:
        out = np.broadcast_to(np.asarray(_replay(expr, cols), dtype=complex), values.shape[:1])
        row0 = complex(expr.bind_all({p: float(values[0, i]) for i, p in enumerate(params)}))
        if not np.isclose(out[0], row0, rtol=1e-12, atol=1e-12):
            raise ArithmeticError("replay disagrees with qiskit")
    except Exception:  # fall back to Qiskit's own evaluation, row by row
        out = np.array(
            [complex(expr.bind_all({p: float(v) for p, v in zip(params, row)})) for row in values]
        )
    if np.any(np.abs(out.imag) > 1e-12):
        raise InputError(f"The gate parameter {expr} takes complex values for this data.")
    return np.ascontiguousarray(out.real)


@dataclass
class _Angle:
    """A gate angle: a constant, or column ``col`` of the evaluated-expressions matrix."""

    const: float = 0.0
    col: int | None = None


# ----------------------------------------------------------------------------------------
# Gate tables (matrices in Qiskit's convention: gate qubit 0 is the least-significant bit)

_DIAG_PARAM = {  # name -> pattern(bits) multiplying the angle
    "p": lambda b: b[0],
    "u1": lambda b: b[0],
    "rz": lambda b: b[0] - 0.5,
    "cp": lambda b: b[0] * b[1],
    "cu1": lambda b: b[0] * b[1],
    "crz": lambda b: b[0] * (b[1] - 0.5),
    "rzz": lambda b: (b[0] ^ b[1]) - 0.5,
    "global_phase": lambda b: 1.0,
}
_DIAG_CONST = {  # name -> phase pattern(bits)
    "z": lambda b: math.pi * b[0],
    "s": lambda b: math.pi / 2 * b[0],
    "sdg": lambda b: -math.pi / 2 * b[0],
    "t": lambda b: math.pi / 4 * b[0],
    "tdg": lambda b: -math.pi / 4 * b[0],
    "cz": lambda b: math.pi * (b[0] & b[1]),
    "ccz": lambda b: math.pi * (b[0] & b[1] & b[2]),
    "cs": lambda b: math.pi / 2 * (b[0] & b[1]),
    "csdg": lambda b: -math.pi / 2 * (b[0] & b[1]),
    "id": lambda b: 0.0,
}
_PERM = {"x", "y", "cx", "cy", "ccx", "swap", "cswap"}
_ONE_QUBIT_PARAM = {"rx", "ry", "u", "u3", "u2", "r"}
_SKIP = {"barrier", "delay"}


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


# ----------------------------------------------------------------------------------------
# Compiled program


@dataclass
class _Mono:
    """state'[k] = exp(i * phase(k)) * state[perm[k]], phase = angles @ patterns + const."""

    n: int
    qubits: set = field(default_factory=set)
    perm: np.ndarray | None = None
    cols: list = field(default_factory=list)  # angle column per pattern row
    patterns: list = field(default_factory=list)  # arrays of length 2**n
    const: np.ndarray | None = None

    def permute(self, sigma: np.ndarray) -> None:
        self.perm = sigma.copy() if self.perm is None else self.perm[sigma]
        self.patterns = [p[sigma] for p in self.patterns]
        if self.const is not None:
            self.const = self.const[sigma]

    def add_phase(self, pattern: np.ndarray, angle: _Angle | None) -> None:
        if angle is None or angle.col is None:
            scale = 1.0 if angle is None else angle.const
            if scale != 0.0:
                self.const = pattern * scale if self.const is None else self.const + pattern * scale
            return
        if angle.col in self.cols:
            self.patterns[self.cols.index(angle.col)] = (
                self.patterns[self.cols.index(angle.col)] + pattern
            )
        else:
            self.cols.append(angle.col)
            self.patterns.append(np.asarray(pattern, dtype=float))

    def finish(self) -> None:
        """Freeze the step; detect phases of degree <= 2 in the qubit bits (see _quadratic)."""
        self.pattern_matrix = np.array(self.patterns) if self.patterns else None
        if self.perm is not None and np.array_equal(self.perm, np.arange(self.perm.size)):
            self.perm = None
        self.quadratic = None
        rows = list(self.patterns) + ([self.const] if self.const is not None else [])
        if not rows:
            return
        coef = _multilinear(np.array(rows), self.n)
        order = np.array([bin(k).count("1") for k in range(2**self.n)])
        if np.any(np.abs(coef[:, order > 2]) > 1e-12):
            return  # genuinely higher-order phases: use one complex exponential per entry
        pairs = [
            (q, j)
            for q in range(self.n)
            for j in range(q)
            if np.any(np.abs(coef[:, (1 << q) | (1 << j)]) > 1e-14)
        ]
        self.quadratic = (
            coef[:, 0],
            coef[:, [1 << q for q in range(self.n)]],
            coef[:, [(1 << q) | (1 << j) for q, j in pairs]] if pairs else np.zeros((len(rows), 0)),
            pairs,
        )

    @property
    def depends_on_data(self) -> bool:
        return bool(self.cols)


@dataclass
class _Layer:
    """One 2x2 matrix per qubit: constant (2, 2) or per row (B, 2, 2) via angle columns."""

    gates: dict = field(default_factory=dict)  # qubit -> list of (name, matrix or angles)

    @property
    def qubits(self) -> set:
        return set(self.gates)

    @property
    def depends_on_data(self) -> bool:
        return any(not isinstance(g, np.ndarray) for gs in self.gates.values() for g in gs)


@dataclass
class _Dense:
    """A dense gate on several qubits: a constant matrix, or a per-row matrix function."""

    qubits: list
    matrix: np.ndarray | None = None
    op: Any = None
    angles: list = field(default_factory=list)

    @property
    def depends_on_data(self) -> bool:
        return self.matrix is None


@dataclass
class Program:
    """A circuit compiled for :func:`simulate`; run it with :meth:`run`.

    Attributes:
        num_qubits: number of qubits.
        parameters: the circuit's parameters, in binding order.
    """

    num_qubits: int
    parameters: list
    exprs: list
    steps: list

    @property
    def num_parameters(self) -> int:
        """Number of values each data row must have."""
        return len(self.parameters)

    def run(
        self, values: Any = None, *, trim_constant_tail: bool = False, batch_last: bool = False
    ) -> np.ndarray:
        """Statevectors for each row of ``values``; see :func:`simulate`.

        Args:
            values: array (B, P) of parameter values, one row per circuit run.
            trim_constant_tail: skip trailing steps that do not depend on the data. The
                states then differ from the true ones by one fixed unitary, which leaves
                all overlaps ``<psi_x|psi_y>`` unchanged (used by the kernels).
            batch_last: return shape (2**n, B) (the internal layout, no copy) instead of
                (B, 2**n).
        """
        vals = _check_values(values, self.num_parameters)
        with single_threaded_blas():  # small products: see qmlkit._env
            return self._run(vals, trim_constant_tail, batch_last)

    def _run(self, vals: np.ndarray, trim_constant_tail: bool, batch_last: bool) -> np.ndarray:
        n, batch = self.num_qubits, vals.shape[0]
        angles = np.empty((batch, len(self.exprs)))
        for j, expr in enumerate(self.exprs):
            angles[:, j] = _evaluate(expr, self.parameters, vals)
        steps = self.steps
        if trim_constant_tail:
            while steps and not steps[-1].depends_on_data:
                steps = steps[:-1]
        # Internal layout: shape (2**n, B') with B' = B, or 1 while nothing depends on the
        # data. Amplitude index first makes every constant gate one matrix product.
        state = None
        for step in steps:
            if state is None and isinstance(step, _Layer):
                state = _product_state(n, step, angles)
                continue
            if state is None:
                state = _zero_state(n)
            if isinstance(step, _Mono):
                state = _apply_mono(state, step, angles)
            elif isinstance(step, _Layer):
                state = _apply_layer(state, n, step, angles)
            else:
                state = _apply_dense(state, n, step, angles)
        if state is None:
            state = _zero_state(n)
        if state.shape[1] != batch:  # nothing depended on the data
            state = np.repeat(state, batch, axis=1)
        return state if batch_last else np.ascontiguousarray(state.T)


def _zero_state(n: int) -> np.ndarray:
    state = np.zeros((2**n, 1), dtype=complex)
    state[0] = 1.0
    return state


def _check_values(values: Any, num_parameters: int) -> np.ndarray:
    if values is None:
        values = np.zeros((1, 0))
    try:
        vals = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"Parameter values must be numbers: {exc}") from None
    if vals.ndim == 1:
        vals = vals[None, :]
    if vals.ndim != 2:
        raise InputError(
            f"Parameter values must be a 2-D array (rows, parameters); got shape {vals.shape}."
        )
    if vals.shape[1] != num_parameters:
        raise InputError(
            f"The circuit has {num_parameters} parameters but each row of values has "
            f"{vals.shape[1]} entries; give one value per parameter, in circuit.parameters order."
        )
    if not np.all(np.isfinite(vals)):
        raise InputError("Parameter values contain NaN or infinity; clean the data first.")
    return vals


# ----------------------------------------------------------------------------------------
# Execution


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


def _multilinear(rows: np.ndarray, n: int) -> np.ndarray:
    """Coefficients c_S with row(k) = sum_S c_S prod_(i in S) bit_i(k) (Moebius transform).

    Column ``m`` of the result holds the coefficient of the monomial whose qubits are the
    set bits of ``m``.
    """
    coef = np.array(rows, dtype=float)
    for i in range(n):
        view = coef.reshape(len(coef), -1, 2, 2**i)
        view[:, :, 1, :] -= view[:, :, 0, :]
    return coef


def _quadratic_phases(step: _Mono, angles: np.ndarray) -> np.ndarray:
    """exp(i * phase), shape (2**n, B), for a phase of degree <= 2 in the bits.

    With phase(k) = c + sum_q h_q b_q + sum_(q>j) J_qj b_q b_j, the factor exp(i * phase)
    is built one qubit at a time: setting bit q multiplies the entries with that bit by
    exp(i h_q) times a Kronecker product of [1, exp(i J_qj)] over the lower bits j. Only
    n + (number of coupled pairs) exponentials per row are needed; the rest are products,
    written in place (fresh large arrays cost more than the arithmetic).
    """
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
    # constant gates: Kronecker products of up to 4 neighbouring qubits, one matmul each
    i = 0
    while i < len(const):
        j = i
        while j + 1 < len(const) and const[j + 1] == const[j] + 1 and j + 1 - i < 4:
            j += 1
        block = np.ones((1, 1), dtype=complex)
        for q in range(const[j], const[i] - 1, -1):
            block = np.kron(block, mats[q])
        lo, k = const[i], j - i + 1
        cols = state.shape[1]
        if np.all(block.imag == 0):  # e.g. Hadamards: real matrix on the float view, half the work
            flat = np.ascontiguousarray(state).view(float).reshape(-1, 2**k, 2 ** (lo + 1) * cols)
            real = np.ascontiguousarray(block.real)
            state = np.matmul(real, flat).view(complex).reshape(-1, cols)
        else:
            state = np.matmul(block, state.reshape(-1, 2**k, 2**lo * cols)).reshape(-1, cols)
        i = j + 1
    for q, m in mats.items():
        if m.ndim == 3:  # per-row matrices (B, 2, 2)
            if state.shape[1] != len(m):
                state = np.repeat(state, len(m), axis=1)
            cols = state.shape[1]
            s = state.reshape(-1, 2, 2**q, cols)
            a0, a1 = s[:, 0], s[:, 1]
            out = np.empty_like(s)
            mt = m.T  # (2, 2, B): mt[j, i] = m[:, i, j]
            np.multiply(mt[0, 0], a0, out=out[:, 0])
            out[:, 0] += mt[1, 0] * a1
            np.multiply(mt[0, 1], a0, out=out[:, 1])
            out[:, 1] += mt[1, 1] * a1
            state = out.reshape(-1, cols)
    return state


def _apply_dense(state: np.ndarray, n: int, step: _Dense, angles: np.ndarray) -> np.ndarray:
    if step.matrix is None and state.shape[1] != len(angles):
        state = np.repeat(state, len(angles), axis=1)
    cols, k = state.shape[1], len(step.qubits)
    axes = [n - 1 - q for q in reversed(step.qubits)]  # axis of qubit q is n - 1 - q
    t = np.moveaxis(state.reshape((2,) * n + (cols,)), axes, range(k))
    shape = t.shape
    t = t.reshape(2**k, -1, cols)
    if step.matrix is not None:
        t = (step.matrix @ t.reshape(2**k, -1)).reshape(2**k, -1, cols)
    else:
        mats = np.empty((cols, 2**k, 2**k), dtype=complex)
        for b in range(cols):
            args = [angles[b, a.col] if a.col is not None else a.const for a in step.angles]
            mats[b] = type(step.op)(*args).to_matrix()
        t = np.einsum("bij,jxb->ixb", mats, t)
    t = np.moveaxis(t.reshape(shape), range(k), axes)
    return t.reshape(-1, cols)


# ----------------------------------------------------------------------------------------
# Compilation


class _Compiler:
    def __init__(self, n: int, parameters: list):
        self.n = n
        self.parameters = parameters
        self.exprs: list = []
        self.keys: dict = {}
        self.steps: list = []
        self.index = np.arange(2**n)

    def bits(self, qubits: list) -> list[np.ndarray]:
        return [(self.index >> q) & 1 for q in qubits]

    def angle(self, value: Any) -> _Angle:
        from qiskit.circuit import ParameterExpression

        if isinstance(value, ParameterExpression):
            if not value.parameters:
                return _Angle(const=float(complex(value.numeric()).real))
            key = str(value)
            if key not in self.keys:
                self.keys[key] = len(self.exprs)
                self.exprs.append(value)
            return _Angle(col=self.keys[key])
        return _Angle(const=float(value))

    def mono(self, qubits: list) -> _Mono:
        """The monomial step that gates on ``qubits`` can join (created if needed)."""
        last = self.steps[-1] if self.steps else None
        if isinstance(last, _Mono):
            step = last
        elif (
            isinstance(last, _Layer)
            and not (last.qubits & set(qubits))
            and len(self.steps) > 1
            and isinstance(self.steps[-2], _Mono)
        ):
            step = self.steps[-2]
        else:
            step = _Mono(self.n)
            self.steps.append(step)
        step.qubits |= set(qubits)
        return step

    def layer(self, q: int) -> _Layer:
        last = self.steps[-1] if self.steps else None
        if isinstance(last, _Layer):
            return last
        if (
            isinstance(last, _Mono)
            and q not in last.qubits
            and len(self.steps) > 1
            and isinstance(self.steps[-2], _Layer)
        ):
            return self.steps[-2]
        step = _Layer()
        self.steps.append(step)
        return step

    def add_global_phase(self, phase: Any) -> None:
        a = self.angle(phase)
        if a.col is None and a.const == 0.0:
            return
        # a global phase commutes with everything: put it in any monomial step
        step = next((s for s in self.steps if isinstance(s, _Mono)), None)
        if step is None:
            step = _Mono(self.n)
            self.steps.append(step)
        step.add_phase(np.ones(2**self.n), a)

    def add(self, op: Any, qubits: list) -> None:
        from qiskit.circuit import Gate, ParameterExpression

        name = op.name
        if name in _SKIP:
            return
        if name in ("measure", "reset") or not isinstance(op, Gate):
            raise InputError(
                f"The circuit contains {name!r}, which has no statevector; remove measurements, "
                "resets and classical control before simulating."
            )
        params = list(op.params)
        has_free = any(isinstance(p, ParameterExpression) and p.parameters for p in params)
        if name in _DIAG_PARAM and len(params) == 1:
            pattern = np.asarray(_DIAG_PARAM[name](self.bits(qubits)), dtype=float)
            self.mono(qubits).add_phase(
                np.broadcast_to(pattern, (2**self.n,)), self.angle(params[0])
            )
        elif name in _DIAG_CONST and not params:
            pattern = np.asarray(_DIAG_CONST[name](self.bits(qubits)), dtype=float)
            self.mono(qubits).add_phase(np.broadcast_to(pattern, (2**self.n,)), None)
        elif name in _PERM and not params:
            self.add_perm(name, qubits)
        elif len(qubits) == 1 and name in _ONE_QUBIT_PARAM:
            angles = [self.angle(p) for p in params]
            if all(a.col is None for a in angles):
                entry = op.to_matrix()
            else:
                entry = (name, angles)
            self.layer(qubits[0]).gates.setdefault(qubits[0], []).append(entry)
        elif not has_free and (m := _matrix_of(op, len(qubits))) is not None:
            if len(qubits) == 1:
                self.layer(qubits[0]).gates.setdefault(qubits[0], []).append(m)
            else:
                self.steps.append(_Dense(list(qubits), matrix=m))
        elif op.definition is not None:
            self.add_circuit(op.definition, qubits)
        elif has_free:
            self.steps.append(_Dense(list(qubits), op=op, angles=[self.angle(p) for p in params]))
        else:
            raise InputError(f"Cannot simulate the gate {name!r}: it has no matrix or definition.")

    def add_perm(self, name: str, qubits: list) -> None:
        idx = self.index
        b = self.bits(qubits)
        flip = lambda q: idx ^ (1 << q)  # noqa: E731
        phase = None
        if name in ("x", "y"):
            sigma = flip(qubits[0])
            if name == "y":  # Y|0> = i|1>, Y|1> = -i|0>
                phase = np.where(b[0] == 1, np.pi / 2, -np.pi / 2)
        elif name in ("cx", "cy"):
            sigma = np.where(b[0] == 1, flip(qubits[1]), idx)
            if name == "cy":
                phase = np.where(b[0] == 1, np.where(b[1] == 1, np.pi / 2, -np.pi / 2), 0.0)
        elif name == "ccx":
            sigma = np.where((b[0] & b[1]) == 1, flip(qubits[2]), idx)
        else:  # swap / cswap
            i, j = qubits[-2], qubits[-1]
            swapped = idx ^ ((b[-2] ^ b[-1]) << i) ^ ((b[-2] ^ b[-1]) << j)
            sigma = swapped if name == "swap" else np.where(b[0] == 1, swapped, idx)
        step = self.mono(qubits)
        step.permute(sigma)
        if phase is not None:
            step.add_phase(phase.astype(float), None)

    def add_circuit(self, circuit: Any, qubits: list | None = None) -> None:
        for inst in circuit.data:
            local = [circuit.find_bit(q).index for q in inst.qubits]
            mapped = local if qubits is None else [qubits[i] for i in local]
            self.add(inst.operation, mapped)
        self.add_global_phase(circuit.global_phase)


def _matrix_of(op: Any, k: int) -> np.ndarray | None:
    """The matrix of a constant gate on at most 3 qubits, else None (use its definition)."""
    if k > 3 and op.definition is not None:
        return None
    try:
        return np.asarray(op.to_matrix(), dtype=complex)
    except Exception:
        return None


def compile_circuit(circuit: Any) -> Program:
    """Compile a (parameterised) circuit once for repeated batched simulation.

    Final measurements are ignored; barriers are skipped.

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import Parameter
    >>> qc = QuantumCircuit(1); _ = qc.ry(Parameter("a"), 0)
    >>> prog = compile_circuit(qc)
    >>> np.round(prog.run([[np.pi]]).real, 6).tolist()
    [[0.0, 1.0]]
    """
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(f"Expected a qiskit QuantumCircuit, got {type(circuit).__name__}.")
    qc = circuit.remove_final_measurements(inplace=False) if circuit.num_clbits else circuit
    compiler = _Compiler(qc.num_qubits, list(qc.parameters))
    compiler.add_circuit(qc)
    for step in compiler.steps:
        if isinstance(step, _Mono):
            step.finish()
    return Program(qc.num_qubits, compiler.parameters, compiler.exprs, compiler.steps)


def simulate(circuit: Any, values: Any = None) -> np.ndarray:
    """Exact statevectors of a parameterised circuit for many parameter rows at once.

    Args:
        circuit: a ``QuantumCircuit``; final measurements are ignored.
        values: array of shape (B, P): row ``b`` binds the circuit's P parameters in
            ``circuit.parameters`` order. A 1-D array of length P is one row; ``None``
            means the circuit has no parameters.

    Returns:
        Complex array of shape (B, 2**n) (B = 1 for ``None`` or a 1-D row); entry
        ``[b, k]`` is the amplitude of basis state ``k``, qubit 0 the least-significant bit.

    Raises:
        InputError: wrong number of values per row, NaN/inf values, or a circuit with
            mid-circuit measurements or classical control.

    >>> from qiskit import QuantumCircuit
    >>> from qiskit.circuit import ParameterVector
    >>> x = ParameterVector("x", 2)
    >>> qc = QuantumCircuit(2); _ = qc.rx(x[0], 0); _ = qc.cx(0, 1); _ = qc.rz(x[1], 1)
    >>> simulate(qc, np.zeros((3, 2))).shape
    (3, 4)
    >>> np.round(np.abs(simulate(qc, [[np.pi, 0.0]])) ** 2, 6).tolist()   # |11>
    [[0.0, 0.0, 0.0, 1.0]]
    """
    return compile_circuit(circuit).run(values)
