"""Gate angles: constants, or values of Qiskit parameter expressions for many data rows.

:func:`_evaluate` computes one gate parameter for every row of parameter values at once by
replaying the expression's operations on NumPy arrays. The replay reads Qiskit's private
``ParameterExpression._qpy_replay``; every result is checked against Qiskit's own
``bind_all`` on the first row, and any failure falls back to binding row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError


def _replay(expr: Any, cols: dict) -> Any:
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
                stack.append(_replay(operand, cols))
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
