"""One-qubit gates as rotations of the Bloch sphere, for :mod:`qmlkit.bloch`.

Gate names: ``i, x, y, z, h, s, sdg, t, tdg, sx, sxdg`` and ``rx(a), ry(a), rz(a), p(a)``
with an angle in radians, a number or an expression such as ``pi/2``.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

import numpy as np

from .errors import InputError

PAULIS = (
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]], dtype=complex),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


_FIXED = {
    "i": ((0, 0, 1), 0.0),
    "id": ((0, 0, 1), 0.0),
    "x": ((1, 0, 0), math.pi),
    "y": ((0, 1, 0), math.pi),
    "z": ((0, 0, 1), math.pi),
    "h": ((1 / math.sqrt(2), 0, 1 / math.sqrt(2)), math.pi),
    "s": ((0, 0, 1), math.pi / 2),
    "sdg": ((0, 0, 1), -math.pi / 2),
    "t": ((0, 0, 1), math.pi / 4),
    "tdg": ((0, 0, 1), -math.pi / 4),
    "sx": ((1, 0, 0), math.pi / 2),
    "sxdg": ((1, 0, 0), -math.pi / 2),
}
_ROTATIONS = {"rx": (1, 0, 0), "ry": (0, 1, 0), "rz": (0, 0, 1), "p": (0, 0, 1)}
_GATE_RE = re.compile(r"^\s*([a-z]+)\s*(?:\((.*)\))?\s*$")


def _eval_angle(text: str) -> float:
    """Evaluate an angle such as ``0.5``, ``pi/2``, ``-3*pi/4`` or ``np.pi/8`` safely."""
    text = text.strip().replace("np.pi", "pi").replace("math.pi", "pi").replace("π", "pi")

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "pi":
            return math.pi
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)
        ):
            a, b = ev(node.left), ev(node.right)
            ops = {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}
            return ops[type(node.op)] if not isinstance(node.op, ast.Div) else a / b
        raise ValueError

    try:
        return ev(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError):
        raise InputError(
            f"Cannot read the angle {text!r}: write a number or an expression like pi/2."
        ) from None


def _angle_label(text: str) -> str:
    """``"2*pi/3"`` -> ``"2π/3"``; plain numbers keep at most 3 significant digits."""
    text = text.strip().replace("np.pi", "pi").replace("math.pi", "pi")
    try:
        return f"{float(text):.3g}"
    except ValueError:
        return text.replace(" ", "").replace("*pi", "π").replace("pi", "π")


def _axis_angle(name: str) -> tuple[np.ndarray, float, str]:
    """Rotation axis, angle and display label of a gate name such as ``"h"`` or ``"rx(0.5)"``."""
    if not isinstance(name, str):
        raise InputError(f"A gate name must be a string like 'h' or 'rx(0.5)', got {name!r}.")
    m = _GATE_RE.match(name.lower())
    if not m:
        raise InputError(f"Cannot read the gate {name!r}: write e.g. 'h', 's' or 'rx(pi/2)'.")
    gate, arg = m.groups()
    if gate in _FIXED and arg is None:
        axis, angle = _FIXED[gate]
        return np.array(axis, dtype=float), angle, gate.upper() if len(gate) == 1 else gate
    if gate in _ROTATIONS:
        if arg is None:
            raise InputError(f"The gate {gate!r} needs an angle, e.g. '{gate}(pi/2)'.")
        angle = _eval_angle(arg)
        return (
            np.array(_ROTATIONS[gate], dtype=float),
            angle,
            f"{gate.upper()}({_angle_label(arg)})",
        )
    known = sorted(set(_FIXED) | {f"{g}(angle)" for g in _ROTATIONS})
    raise InputError(f"Unknown one-qubit gate {name!r}. Known gates: {', '.join(known)}.")


def _rotation_matrix(axis: np.ndarray, angle: float) -> np.ndarray:
    """The SU(2) matrix exp(-i angle/2 n.sigma)."""
    n = np.asarray(axis, dtype=float)
    n = n / np.linalg.norm(n)
    ns = n[0] * PAULIS[0] + n[1] * PAULIS[1] + n[2] * PAULIS[2]
    return math.cos(angle / 2) * np.eye(2) - 1j * math.sin(angle / 2) * ns


def gate_matrix(name: str) -> np.ndarray:
    """The 2x2 unitary of a one-qubit gate name, equal to Qiskit's gate matrix.

    Names: ``i, x, y, z, h, s, sdg, t, tdg, sx, sxdg`` and ``rx(a), ry(a), rz(a), p(a)`` with
    an angle in radians (a number or an expression such as ``pi/2``).

    >>> np.round(gate_matrix("h") * np.sqrt(2), 6).real.tolist()
    [[1.0, 1.0], [1.0, -1.0]]
    """
    from qiskit.circuit import library as lib

    axis, angle, _ = _axis_angle(name)
    gate = _GATE_RE.match(name.lower()).group(1)  # type: ignore[union-attr]
    fixed = {
        "i": lib.IGate,
        "id": lib.IGate,
        "x": lib.XGate,
        "y": lib.YGate,
        "z": lib.ZGate,
        "h": lib.HGate,
        "s": lib.SGate,
        "sdg": lib.SdgGate,
        "t": lib.TGate,
        "tdg": lib.TdgGate,
        "sx": lib.SXGate,
        "sxdg": lib.SXdgGate,
    }
    if gate in fixed:
        return np.asarray(fixed[gate]().to_matrix(), dtype=complex)
    if gate == "p":
        return np.array([[1, 0], [0, np.exp(1j * angle)]], dtype=complex)
    return _rotation_matrix(axis, angle)


def _matrix_axis_angle(u: np.ndarray) -> tuple[np.ndarray, float]:
    """Axis and angle (in [0, pi]) of the Bloch rotation a 2x2 unitary performs."""
    det = np.linalg.det(u)
    v = u / np.sqrt(det)
    c = float(np.clip(np.trace(v).real / 2, -1, 1))
    if c < 0:
        v, c = -v, -c
    angle = 2 * math.acos(min(c, 1.0))
    if angle < 1e-9:
        return np.array([0.0, 0.0, 1.0]), 0.0
    n = np.array([(1j * np.trace(v @ p) / 2).real for p in PAULIS]) / math.sin(angle / 2)
    return n / np.linalg.norm(n), angle


def steps_of(gates: Any) -> list[tuple[str, np.ndarray, float]]:
    """(label, axis, angle) for each gate of a name list or a 1-qubit circuit."""
    from qiskit import QuantumCircuit

    if isinstance(gates, str):
        gates = [gates]
    if isinstance(gates, QuantumCircuit):
        if gates.num_qubits != 1:
            raise InputError(
                f"plot_bloch_path needs a one-qubit circuit, this one has {gates.num_qubits}."
            )
        if gates.num_parameters:
            raise InputError("The circuit has unbound parameters; bind them first.")
        from qiskit.quantum_info import Operator

        out = []
        for inst in gates.remove_final_measurements(inplace=False).data:
            op = inst.operation
            if op.name in ("barrier", "delay"):
                continue
            if op.name in ("measure", "reset"):
                raise InputError(f"The circuit has a {op.name!r}; a path needs unitary gates.")
            if op.name in _ROTATIONS:
                angle = float(op.params[0])
                out.append(
                    (f"{op.name.upper()}({angle:.3g})", np.array(_ROTATIONS[op.name]), angle)
                )
            elif op.name in _FIXED:
                axis, angle, label = _axis_angle(op.name)
                out.append((label, axis, angle))
            else:
                axis, angle = _matrix_axis_angle(Operator(op).data)
                out.append((op.name, axis, angle))
        return out
    try:
        names = list(gates)
    except TypeError:
        raise InputError(
            "plot_bloch_path needs a list of gate names like ['h', 's'] or a 1-qubit circuit."
        ) from None
    return [(lbl, ax, ang) for ax, ang, lbl in map(_axis_angle, names)]


def rotate_vector(r: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation of a Bloch vector (right-hand rule)."""
    k = axis / np.linalg.norm(axis)
    c, s = math.cos(angle), math.sin(angle)
    return r * c + np.cross(k, r) * s + k * np.dot(k, r) * (1 - c)
