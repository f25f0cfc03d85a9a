"""Compiling a circuit into a short program of steps that use its gates' structure.

The step types sit next to the compiler that builds them:

* :class:`_Mono`: a run of monomial gates (diagonal phases and permutations) as one
  permutation of the amplitudes and one phase vector per data row;
* :class:`_Layer`: one 2x2 matrix per qubit, constant or per data row;
* :class:`_Dense`: any other gate as a matrix on its qubits (constant, or built per row).

:class:`Program` runs the steps (execution is in :mod:`qmlkit.statevec.apply`, angle
expressions in :mod:`qmlkit.statevec.expressions`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .._env import single_threaded_blas
from .._gates import MatrixForm, analyse
from ..errors import InputError
from .apply import _apply_dense, _apply_layer, _apply_mono, _product_state, _zero_state
from .expressions import _Angle, _evaluate

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


# ----------------------------------------------------------------------------------------
# Step types


class _Quadratic(NamedTuple):
    """Phase coefficients of degree <= 2 in the qubit bits, one row per angle column."""

    const: np.ndarray  # (rows,)
    linear: np.ndarray  # (rows, n)
    coupling: np.ndarray  # (rows, pairs)
    pairs: list[tuple[int, int]]


@dataclass(frozen=True)
class _Mono:
    """state'[k] = exp(i * phase(k)) * state[perm[k]], phase = angles @ patterns + const.

    ``quadratic`` is set when the phase has degree <= 2 in the qubit bits (then built one
    qubit at a time, see ``apply._quadratic_phases``).
    """

    n: int
    perm: np.ndarray | None
    cols: list[int]  # angle column per pattern row
    pattern_matrix: np.ndarray | None  # (len(cols), 2**n)
    const: np.ndarray | None
    quadratic: _Quadratic | None

    @property
    def depends_on_data(self) -> bool:
        return bool(self.cols)


@dataclass
class _MonoBuilder:
    """A :class:`_Mono` under construction: gates join it until :meth:`finish`."""

    n: int
    qubits: set[int] = field(default_factory=set)
    perm: np.ndarray | None = None
    cols: list[int] = field(default_factory=list)
    patterns: list[np.ndarray] = field(default_factory=list)  # arrays of length 2**n
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

    def finish(self) -> _Mono:
        """The finished step; detects phases of degree <= 2 in the qubit bits."""
        perm = self.perm
        if perm is not None and np.array_equal(perm, np.arange(perm.size)):
            perm = None
        pattern_matrix = np.array(self.patterns) if self.patterns else None
        return _Mono(self.n, perm, list(self.cols), pattern_matrix, self.const, self._quadratic())

    def _quadratic(self) -> _Quadratic | None:
        rows = list(self.patterns) + ([self.const] if self.const is not None else [])
        if not rows:
            return None
        coef = _multilinear(np.array(rows), self.n)
        order = np.array([bin(k).count("1") for k in range(2**self.n)])
        if np.any(np.abs(coef[:, order > 2]) > 1e-12):
            return None  # genuinely higher-order phases: one complex exponential per entry
        pairs = [
            (q, j)
            for q in range(self.n)
            for j in range(q)
            if np.any(np.abs(coef[:, (1 << q) | (1 << j)]) > 1e-14)
        ]
        return _Quadratic(
            coef[:, 0],
            coef[:, [1 << q for q in range(self.n)]],
            coef[:, [(1 << q) | (1 << j) for q, j in pairs]] if pairs else np.zeros((len(rows), 0)),
            pairs,
        )


#: A gate of a layer: a constant (2, 2) matrix, or a name and its angles (per data row).
_LayerGate = np.ndarray | tuple[str, list[_Angle]]


@dataclass
class _Layer:
    """One 2x2 matrix per qubit: constant (2, 2) or per row (B, 2, 2) via angle columns."""

    gates: dict[int, list[_LayerGate]] = field(default_factory=dict)  # in circuit order

    @property
    def qubits(self) -> set[int]:
        return set(self.gates)

    @property
    def depends_on_data(self) -> bool:
        return any(not isinstance(g, np.ndarray) for gs in self.gates.values() for g in gs)


@dataclass(frozen=True)
class _Dense:
    """A gate on several qubits: a constant matrix (its structure in ``form``), or a gate
    ``op`` with free parameters whose matrix is built per data row from ``angles``."""

    qubits: list[int]
    form: MatrixForm | None = None
    op: Any = None
    angles: list[_Angle] = field(default_factory=list)

    @property
    def depends_on_data(self) -> bool:
        return self.form is None


_Step = _Mono | _Layer | _Dense


# ----------------------------------------------------------------------------------------
# Compiled program


@dataclass
class Program:
    """A circuit compiled for :func:`simulate`; run it with :meth:`run`.

    Attributes:
        num_qubits: number of qubits.
        parameters: the circuit's parameters, in binding order.
    """

    num_qubits: int
    parameters: list[Any]
    exprs: list[Any]
    steps: list[_Step]

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
# Compilation


class _Compiler:
    def __init__(self, n: int, parameters: list):
        self.n = n
        self.parameters = parameters
        self.exprs: list[Any] = []
        self.keys: dict[str, int] = {}
        self.steps: list[_MonoBuilder | _Layer | _Dense] = []
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

    def mono(self, qubits: list) -> _MonoBuilder:
        """The monomial step that gates on ``qubits`` can join (created if needed)."""
        last = self.steps[-1] if self.steps else None
        if isinstance(last, _MonoBuilder):
            step = last
        elif (
            isinstance(last, _Layer)
            and not (last.qubits & set(qubits))
            and len(self.steps) > 1
            and isinstance(self.steps[-2], _MonoBuilder)
        ):
            step = self.steps[-2]
        else:
            step = _MonoBuilder(self.n)
            self.steps.append(step)
        step.qubits |= set(qubits)
        return step

    def layer(self, q: int) -> _Layer:
        last = self.steps[-1] if self.steps else None
        if isinstance(last, _Layer):
            return last
        if (
            isinstance(last, _MonoBuilder)
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
        step = next((s for s in self.steps if isinstance(s, _MonoBuilder)), None)
        if step is None:
            step = _MonoBuilder(self.n)
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
                self.steps.append(_Dense(list(qubits), form=analyse(m)))
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
    steps = [s.finish() if isinstance(s, _MonoBuilder) else s for s in compiler.steps]
    return Program(qc.num_qubits, compiler.parameters, compiler.exprs, steps)


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
    from .cache import cached_program  # cache.py imports this module

    # compiled once per circuit structure: a training loop calls this many times
    return cached_program(circuit).run(values)
