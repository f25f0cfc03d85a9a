"""An :class:`~qmlkit.models._adjoint.AdjointProgram` run row by row on PennyLane-Lightning's
C++ state vector (large circuits).

qmlkit's own engine simulates a whole batch of rows with NumPy: one array operation per gate
for all rows at once. That wins while a row's state is small (the per-call cost is shared by
the batch), and loses from about 8 qubits on (:data:`MIN_QUBITS`), where a NumPy pass over
a 2**n-amplitude row costs several times what Lightning's vectorised C++ kernels need for
the same gate. So for
large circuits the program hands its gates to ``pennylane_lightning.lightning_qubit_ops``
(a regular dependency of the course): the forward pass applies them to one row's state at a
time, and the gradient is Lightning's vector-Jacobian product ``<lam| d psi / d a>`` per row,
which is the adjoint method of :mod:`._adjoint` done in C++. qmlkit keeps everything around
it: the cached feature-map states, the loss and its cotangent ``lam``, the chain rule from
gate angles to weights, and the batching over rows.

Conventions. Lightning numbers wires from the most significant bit of the amplitude index;
Qiskit's qubit ``q`` is bit ``q`` from the least significant end. On the same array, qubit
``q`` is therefore Lightning's wire ``n - 1 - q``. A named gate takes its wires in the order of
its qargs (control first), as in Qiskit; a matrix gate takes them most significant first, so
qmlkit's ``qubits`` (``qubits[j]`` = bit ``j`` of the matrix index) are reversed. Every
rotation here is ``exp(-i a G)`` with the same angle ``a`` in both libraries (checked by the
tests against the NumPy engine, gate by gate).

The binding module is not a public PennyLane API. If it is missing or has changed, or a gate
has no Lightning counterpart, :func:`plan_for` returns ``None`` and the NumPy engine runs; if
a Lightning call raises at run time, the program warns once and finishes on NumPy.
``QMLKIT_ENGINE=numpy`` forces the NumPy engine everywhere; ``QMLKIT_ENGINE=lightning``
uses Lightning whenever the circuit allows it, whatever its size.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

#: From this many qubits on, a program runs on Lightning. Measured on the VQC of
#: benchmarks/bench_scaling.py (200 rows, loss and gradient): NumPy is faster at 6 qubits
#: (8 against 11 ms), the two are close at 7 (18 against 15 ms), Lightning is faster from 8
#: on (35 against 19 ms) and five times faster at 14 (2.98 s against 0.63 s).
MIN_QUBITS = 8

# Constant gates with a Lightning kernel of the same name and qarg order.
_NAMED_FIXED = {
    "cx": "CNOT",
    "cy": "CY",
    "cz": "CZ",
    "swap": "SWAP",
    "h": "Hadamard",
    "x": "PauliX",
    "y": "PauliY",
    "z": "PauliZ",
    "s": "S",
    "t": "T",
    "sx": "SX",
    "ccx": "Toffoli",
    "cswap": "CSWAP",
}
# Rotations exp(-i a G) whose Lightning gate takes the same angle a (G in qmlkit._gates).
_NAMED_ROTATIONS = {
    "rx": "RX",
    "ry": "RY",
    "rz": "RZ",
    "p": "PhaseShift",
    "u1": "PhaseShift",
    "rxx": "IsingXX",
    "ryy": "IsingYY",
    "rzz": "IsingZZ",
    "cp": "ControlledPhaseShift",
    "cu1": "ControlledPhaseShift",
    "crx": "CRX",
    "cry": "CRY",
    "crz": "CRZ",
}
_NO_MATRIX = np.zeros(0, dtype=complex)


def _bindings() -> Any | None:
    """Lightning's C++ module with the calls used here, or None."""
    try:
        from pennylane_lightning import lightning_qubit_ops as ops

        for name in ("StateVectorC128",):
            getattr(ops, name)
        ops.algorithms.VectorJacobianProductC128  # noqa: B018 - presence check
        ops.algorithms.create_ops_listC128  # noqa: B018
    except Exception:  # ImportError, or a binding that has changed
        return None
    return ops


ENGINES = ("auto", "numpy", "lightning")


def engine_setting() -> str:
    """``QMLKIT_ENGINE``: ``auto`` (the default), ``numpy`` or ``lightning``.

    Any other value is reported once with a warning and read as ``auto``.
    """
    raw = os.environ.get("QMLKIT_ENGINE", "")
    value = raw.strip().lower() or "auto"
    if value in ENGINES:
        return value
    if raw not in _warned:
        _warned.add(raw)
        warnings.warn(
            f"QMLKIT_ENGINE={raw!r} is not one of {', '.join(ENGINES)}; qmlkit uses 'auto' "
            "(NumPy for small circuits, Lightning's kernels for large ones). Set it to one "
            "of those values, or unset it.",
            UserWarning,
            stacklevel=3,
        )
    return "auto"


_warned: set[str] = set()


class LightningPlan:
    """The program's gates as Lightning operations (built by :func:`plan_for`)."""

    def __init__(self, ops: Any, n: int, gates: list) -> None:
        from ._adjoint import _Rotation

        self._ops = ops
        self.n = n
        self.names: list[str] = []
        self.wires: list[list[int]] = []
        self.matrices: list[np.ndarray] = []
        self.rotation: list[bool] = []
        self.param_index: list[int] = []  # Lightning's parameter index of each rotation
        count = 0  # Lightning's parameters so far (a matrix gate counts as one)
        for gate in gates:
            wires = [n - 1 - q for q in gate.qubits]
            matrix = _NO_MATRIX
            if isinstance(gate, _Rotation):
                name = _NAMED_ROTATIONS[gate.name]
            elif gate.name in _NAMED_FIXED:
                name = _NAMED_FIXED[gate.name]
            else:  # any other constant gate: its matrix, wires most significant first
                name, wires = "QubitUnitary", wires[::-1]
                # a writable copy: the binding refuses read-only arrays (qmlkit's cached forms)
                matrix = np.array(gate.form.matrix, dtype=complex, order="C")
            self.names.append(name)
            self.wires.append(wires)
            self.matrices.append(matrix)
            self.rotation.append(isinstance(gate, _Rotation))
            has_parameter = self.rotation[-1] or name == "QubitUnitary"
            self.param_index.append(count if has_parameter else -1)
            count += int(has_parameter)

    # -- one row ---------------------------------------------------------------------------
    def _params(self, angles: list, row: int) -> list[list[float]]:
        out: list[list[float]] = []
        for name, is_rot, a in zip(self.names, self.rotation, angles):
            if is_rot:
                out.append([float(a[row]) if np.ndim(a) else float(a)])
            else:
                out.append([0.0] if name == "QubitUnitary" else [])
        return out

    def _ops_struct(self, params: list[list[float]]) -> Any:
        k = len(self.names)
        return self._ops.algorithms.create_ops_listC128(
            self.names, params, self.wires, [False] * k, self.matrices, [[]] * k, [[]] * k
        )

    def _row_params(self, angles: list, rows: int) -> Iterator[list[list[float]]]:
        """Each row's gate parameters; one shared list (the same object) when no angle
        depends on the row."""
        if any(np.ndim(a) for a in angles):
            for b in range(rows):
                yield self._params(angles, b)
        else:
            shared = self._params(angles, 0)
            for _ in range(rows):
                yield shared

    # -- batches of rows ---------------------------------------------------------------------
    def forward(self, angles: list, start: np.ndarray) -> np.ndarray:
        """Final states (B, 2**n) from the start states, one row at a time."""
        out = np.empty((len(start), 2**self.n), dtype=complex)
        sv = self._ops.StateVectorC128(self.n)
        # the state vector's gate methods, looked up once for all rows (None: a matrix)
        methods = [None if nm == "QubitUnitary" else getattr(sv, nm) for nm in self.names]
        for b, params in enumerate(self._row_params(angles, len(start))):
            sv.updateData(np.ascontiguousarray(start[b], dtype=complex))
            for method, wires, matrix, p in zip(methods, self.wires, self.matrices, params):
                if method is None:
                    sv.applyMatrix(matrix, wires, False)
                else:
                    method(wires, False, p)
            sv.getState(out[b])
        return out

    def angle_gradients(
        self, angles: list, final: np.ndarray, lam: np.ndarray, wanted: list[int]
    ) -> np.ndarray:
        """dL/da, shape (B, len(wanted)), for the rotation gates at positions ``wanted``:
        ``2 Re <lam_b| d psi_b / d a>`` by Lightning's vector-Jacobian product."""
        out = np.zeros((len(final), len(wanted)))
        if not wanted:
            return out
        trainable = [self.param_index[i] for i in wanted]  # increasing, as Lightning returns
        vjp = self._ops.algorithms.VectorJacobianProductC128()
        sv = self._ops.StateVectorC128(self.n)
        ops, made_for = None, None
        for b, params in enumerate(self._row_params(angles, len(final))):
            if params is not made_for:  # once when the parameters are shared by all rows
                ops, made_for = self._ops_struct(params), params
            sv.updateData(np.ascontiguousarray(final[b], dtype=complex))
            cot = np.ascontiguousarray(lam[b], dtype=complex)
            out[b] = 2.0 * np.asarray(vjp(sv, ops, cot, trainable)).real
        return out


def plan_for(n: int, gates: list) -> LightningPlan | None:
    """A Lightning plan for these gates when the engine setting and size call for one, the
    bindings are there and every gate has a Lightning counterpart; else None."""
    from ._adjoint import _Rotation

    setting = engine_setting()
    if setting == "numpy" or (setting == "auto" and n < MIN_QUBITS) or not gates:
        return None
    for gate in gates:
        if isinstance(gate, _Rotation) and gate.name not in _NAMED_ROTATIONS:
            return None
    ops = _bindings()
    if ops is None:
        return None
    return LightningPlan(ops, n, gates)
