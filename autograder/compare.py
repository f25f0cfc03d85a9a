"""Comparison tools for quantum answers.

Pure predicates (``states_equal``, ``operators_equal``, ``counts_consistent``...) return
booleans or diagnoses and are tested on their own. The ``assert_*`` helpers raise
:class:`~autograder.errors.CheckFailed` with feedback that shows expected against actual
and names the likely mistake.

Conventions: Qiskit's qubit order everywhere (qubit 0 = least-significant bit of an index,
rightmost character of a bitstring). States are compared up to a global phase and
operators up to a global phase unless a caller says otherwise.

>>> import numpy as np
>>> states_equal([1, 1j] / np.sqrt(2), np.exp(0.3j) * np.array([1, 1j]) / np.sqrt(2))
True
>>> diagnose_state(np.array([0, 1, 0, 0]), np.array([0, 0, 1, 0]))
'qubit order reversed: in Qiskit qubit 0 is the rightmost bit (least-significant index bit)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

import numpy as np

from .errors import CheckBudget, CheckFailed
from .messages import QUBIT_ORDER_REVERSED

ATOL = 1e-6

# ---------------------------------------------------------------------------- conversion


def to_state(obj: Any, what: str = "state") -> np.ndarray:
    """Turn a NumPy vector, list, ``Statevector`` or measurement-free circuit into a
    complex 1-D array. Raises :class:`CheckFailed` with a clear message otherwise.

    >>> to_state([1, 0]).tolist()
    [(1+0j), 0j]
    """
    try:
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import DensityMatrix, Statevector
    except ImportError:  # pragma: no cover
        QuantumCircuit = Statevector = DensityMatrix = ()  # type: ignore[assignment]
    if isinstance(obj, QuantumCircuit):
        return circuit_state(obj)
    if isinstance(obj, DensityMatrix):
        raise CheckFailed(
            f"Expected a pure {what} (a vector), got a DensityMatrix.",
            hint="return a Statevector or a NumPy vector of amplitudes",
        )
    if isinstance(obj, Statevector):
        return np.asarray(obj.data, dtype=complex)
    if obj is None:
        raise CheckFailed(
            f"Expected a {what}, got None. Did your function forget to `return` its result?"
        )
    try:
        arr = np.asarray(obj, dtype=complex)
    except (TypeError, ValueError, OverflowError):
        raise CheckFailed(
            f"Expected a {what} as a NumPy array or Statevector, got {type(obj).__name__}."
        ) from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise CheckFailed(f"Expected a 1-D {what} vector, got an array of shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"The {what} contains NaN or infinite values.", actual=arr)
    return arr


def circuit_state(circuit: Any, allow_measure: bool = False) -> np.ndarray:
    """The statevector a circuit prepares from |0...0>. Measurements are refused (named as
    the likely mistake) unless ``allow_measure``; then final measurements are dropped."""
    from qiskit.quantum_info import Statevector

    ops = [inst.operation.name for inst in circuit.data]
    if "measure" in ops:
        if not allow_measure:
            raise CheckFailed(
                "The circuit contains measurements, so it does not prepare a single state.",
                hint="measurement left in the circuit: remove qc.measure(...)/measure_all()",
            )
        circuit = circuit.remove_final_measurements(inplace=False)
    if "reset" in ops:
        raise CheckFailed("The circuit contains a reset; build the state with gates only.")
    _check_work(circuit, 2, MAX_STATE_WORK, MAX_STATE_QUBITS, "state")
    try:
        return np.asarray(Statevector(circuit).data, dtype=complex)
    except Exception as exc:
        raise CheckFailed(f"Could not simulate the circuit: {exc}") from None


def to_operator(obj: Any) -> np.ndarray:
    """Unitary matrix of a circuit, ``Operator``, gate or square array."""
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Operator

    if isinstance(obj, QuantumCircuit):
        if any(inst.operation.name == "measure" for inst in obj.data):
            raise CheckFailed(
                "The circuit contains measurements, so it has no unitary.",
                hint="measurement left in the circuit: remove qc.measure(...)/measure_all()",
            )
        _check_work(obj, 4, MAX_OPERATOR_WORK, MAX_OPERATOR_QUBITS, "unitary")
        return np.asarray(Operator(obj).data, dtype=complex)
    try:
        return np.asarray(Operator(obj).data, dtype=complex)
    except Exception:
        raise CheckFailed(
            f"Expected a circuit or a unitary matrix, got {type(obj).__name__}."
        ) from None


# --------------------------------------------------------------------------------- states


def global_phase_between(a: np.ndarray, b: np.ndarray) -> complex:
    """The unit phase ``z`` that best maps ``b`` onto ``a`` (``a ≈ z b``)."""
    overlap = np.vdot(b, a)
    return overlap / abs(overlap) if abs(overlap) > 1e-12 else 1.0 + 0j


def states_equal(a: Any, b: Any, atol: float = ATOL) -> bool:
    """True when two state vectors are equal up to a global phase (norms must match).

    >>> states_equal([0, 1], [0, -1])
    True
    >>> states_equal([1, 1], [1, -1])
    False
    """
    a = np.asarray(a, dtype=complex).ravel()
    b = np.asarray(b, dtype=complex).ravel()
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, global_phase_between(a, b) * b, atol=atol))


def fidelity(a: Any, b: Any) -> float:
    """|<a|b>|^2 of two normalised vectors."""
    a = np.asarray(a, dtype=complex).ravel()
    b = np.asarray(b, dtype=complex).ravel()
    return float(abs(np.vdot(a, b)) ** 2)


def reverse_qubit_order(vec: np.ndarray) -> np.ndarray:
    """Reorder a state (or the rows and columns of an operator) for reversed qubit order.

    >>> reverse_qubit_order(np.array([0, 1, 0, 0])).tolist()
    [0, 0, 1, 0]
    """
    vec = np.asarray(vec)
    dim = vec.shape[0]
    n = int(round(math.log2(dim))) if dim > 0 else 0
    if 2**n != dim or n < 2:
        return vec
    perm = [int(format(i, f"0{n}b")[::-1], 2) for i in range(dim)]
    if vec.ndim == 1:
        return vec[perm]
    return vec[np.ix_(perm, perm)]


def diagnose_state(actual: Any, expected: Any, atol: float = ATOL) -> str | None:
    """Name the likely mistake when ``actual`` is not ``expected`` (up to global phase).

    Recognises: wrong dimension, missing normalisation, reversed qubit order, complex
    conjugate (sign of i), a wrong sign, and a wrong relative phase.

    >>> diagnose_state(np.array([1, 1]), np.array([1, 1]) / np.sqrt(2))
    'state not normalised: the norm is 1.414, it must be 1'
    >>> diagnose_state(np.array([1, -1j]) / np.sqrt(2), np.array([1, 1j]) / np.sqrt(2))
    'relative phase wrong: this is the complex conjugate (sign of i flipped)'
    >>> diagnose_state(np.array([1, -1]) / np.sqrt(2), np.array([1, 1]) / np.sqrt(2))
    'wrong sign: the amplitudes have the right sizes but a sign differs'
    """
    a = np.asarray(actual, dtype=complex).ravel()
    e = np.asarray(expected, dtype=complex).ravel()
    if a.shape != e.shape:
        na, ne = _nqubits(a.size), _nqubits(e.size)
        if na is not None and ne is not None:
            return f"wrong number of qubits: {na} instead of {ne}"
        return f"wrong length: {a.size} amplitudes instead of {e.size}"
    norm = float(np.linalg.norm(a))
    if norm < 1e-12:
        return "the state is the zero vector"
    if abs(norm - 1) > 1e-6:
        return f"state not normalised: the norm is {norm:.3f}, it must be 1"
    if states_equal(a, e, atol):
        return None
    if states_equal(reverse_qubit_order(a), e, atol):
        return QUBIT_ORDER_REVERSED
    if np.allclose(np.abs(a), np.abs(e), atol=max(atol, 1e-6)):
        if states_equal(np.conj(a), e, atol):
            return "relative phase wrong: this is the complex conjugate (sign of i flipped)"
        z = global_phase_between(e, a)
        ratio = np.where(np.abs(e) > 1e-9, z * a / np.where(np.abs(e) > 1e-9, e, 1), 1)
        if np.allclose(np.abs(np.imag(ratio)), 0, atol=1e-6):
            return "wrong sign: the amplitudes have the right sizes but a sign differs"
        return "relative phase wrong: the amplitudes have the right sizes but the phases between them differ"
    if np.allclose(np.abs(reverse_qubit_order(a)), np.abs(e), atol=1e-6):
        return "qubit order reversed (and a phase differs): qubit 0 is the rightmost bit"
    return None


def _nqubits(dim: int) -> int | None:
    n = int(round(math.log2(dim))) if dim > 0 else -1
    return n if n >= 0 and 2**n == dim else None


def assert_state(
    actual: Any,
    expected: Any,
    atol: float = ATOL,
    what: str = "state",
    require_normalised: bool = True,
    figure: bool = True,
) -> None:
    """Raise :class:`CheckFailed` unless ``actual`` equals ``expected`` up to global phase.

    ``actual`` may be a vector, ``Statevector`` or circuit. A wrong 1-qubit state comes
    with a Bloch-sphere picture of expected and actual vectors.
    """
    a = to_state(actual, what)
    e = to_state(expected, what)
    if a.shape != e.shape:
        raise CheckFailed(
            f"The {what} has {a.size} amplitudes, expected {e.size}.",
            expected=e,
            actual=a,
            hint=diagnose_state(a, e),
        )
    if not require_normalised:
        norm = np.linalg.norm(a)
        a = a / norm if norm > 0 else a
    if states_equal(a, e, atol):
        return
    hint = diagnose_state(a, e, atol)
    pic = None
    if figure and a.size == 2:
        pic = _bloch_png(a, e)
    z = global_phase_between(e, a)
    raise CheckFailed(
        f"The {what} is not the expected one (compared up to a global phase).",
        expected=e,
        actual=a * z if abs(np.linalg.norm(a) - 1) < 1e-6 else a,
        hint=hint,
        figure=pic,
    )


def _bloch_png(actual: np.ndarray, expected: np.ndarray) -> bytes | None:
    """A Bloch sphere with expected and actual vectors, if qmlkit.bloch is available."""
    try:
        from qmlkit import bloch
    except Exception:
        return None
    render = getattr(bloch, "compare_png", None)
    if render is None:
        return None
    try:
        return render(actual, expected)
    except Exception:
        return None


# ------------------------------------------------------------------------------ operators


def operators_equal(a: Any, b: Any, atol: float = ATOL) -> bool:
    """True when two square matrices are equal up to a global phase.

    >>> X = np.array([[0, 1], [1, 0]])
    >>> operators_equal(1j * X, X), operators_equal(X, np.eye(2))
    (True, False)
    """
    a = np.asarray(a, dtype=complex)
    b = np.asarray(b, dtype=complex)
    if a.shape != b.shape:
        return False
    idx = np.unravel_index(np.argmax(np.abs(b)), b.shape)
    if abs(a[idx]) < 1e-9:
        return False
    z = a[idx] / b[idx]
    z /= abs(z)
    return bool(np.allclose(a, z * b, atol=atol))


def diagnose_operator(actual: Any, expected: Any, atol: float = ATOL) -> str | None:
    """Name the likely mistake for an operator: reversed qubit order, adjoint, dimension."""
    a = np.asarray(actual, dtype=complex)
    e = np.asarray(expected, dtype=complex)
    if a.shape != e.shape:
        return f"wrong number of qubits: a {a.shape[0]}x{a.shape[0]} operator instead of {e.shape[0]}x{e.shape[0]}"
    if operators_equal(reverse_qubit_order(a), e, atol):
        return "qubit order reversed: control and target (or qubit numbering) swapped"
    if operators_equal(a.conj().T, e, atol):
        return "this is the inverse (adjoint) of the expected operator: reverse the gate order or the rotation angles"
    return None


def assert_operator(actual: Any, expected: Any, atol: float = ATOL, what: str = "circuit") -> None:
    """Raise :class:`CheckFailed` unless the operators agree up to global phase."""
    a = to_operator(actual)
    e = to_operator(expected)
    if operators_equal(a, e, atol):
        return
    raise CheckFailed(
        f"The {what}'s operator is not the expected one (compared up to a global phase).",
        expected=e if e.shape[0] <= 8 else None,
        actual=a if a.shape[0] <= 8 else None,
        hint=diagnose_operator(a, e, atol),
    )


# ---------------------------------------------------------------------------------- gates

_STANDARD = None


def _standard_names() -> set[str]:
    global _STANDARD
    if _STANDARD is None:
        from qiskit.circuit.library import get_standard_gate_name_mapping

        _STANDARD = set(get_standard_gate_name_mapping())
    return _STANDARD


#: the grader's budget for one learner circuit: operations counted inside custom gates
MAX_CIRCUIT_OPS = 200_000
#: budget of a statevector simulation (operations × 2^qubits) and its width
MAX_STATE_WORK = 2**30
MAX_STATE_QUBITS = 24
#: budget of a unitary (operations × 4^qubits) and its width
MAX_OPERATOR_WORK = 2**31
MAX_OPERATOR_QUBITS = 12
#: wider than any device the course uses
MAX_CIRCUIT_QUBITS = 160
#: gates whose definition is synthesised from a matrix: counted, never expanded
_MATRIX_GATES = {"unitary", "initialize", "state_preparation", "isometry", "hamiltonian"}


def _flat_counts(circuit: Any, limit: int | None = None) -> dict[str, int]:
    """Operation counts with custom gates expanded, each definition counted once and
    multiplied by its uses; raises :class:`CheckBudget` beyond ``limit`` operations
    (default :data:`MAX_CIRCUIT_OPS`)."""
    limit = MAX_CIRCUIT_OPS if limit is None else limit
    memo: dict[int, dict[str, int]] = {}
    keep: list[Any] = []  # keep definitions alive so their ids stay unique
    visits = [0]

    def too_big() -> CheckBudget:
        return CheckBudget(
            f"The circuit is too large to check: it has more than {limit:,} operations "
            "once its custom gates are expanded. The exercise needs far fewer.",
            hint="a much larger circuit than needed",
        )

    def walk(qc: Any, depth: int) -> dict[str, int]:
        key = id(qc)
        if key in memo:
            return memo[key]
        keep.append(qc)
        counts: dict[str, int] = {}
        total = 0
        for inst in qc.data:
            visits[0] += 1
            if visits[0] > 4 * limit:
                raise too_big()
            op = inst.operation
            name = op.name
            if name == "barrier":
                continue
            inner = None
            if (
                name not in _standard_names()
                and name not in ("measure", "reset", "delay")
                and name not in _MATRIX_GATES
                and depth < 20
            ):
                inner = getattr(op, "definition", None)
            if inner is not None:
                for k, v in walk(inner, depth + 1).items():
                    counts[k] = counts.get(k, 0) + v
                    total += v
            else:
                counts[name] = counts.get(name, 0) + 1
                total += 1
            if total > limit:
                raise too_big()
        memo[key] = counts
        return counts

    return walk(circuit, 0)


def circuit_ops(circuit: Any) -> int:
    """Number of operations with custom gates expanded (bounded, see :func:`_flat_counts`)."""
    return sum(_flat_counts(circuit).values())


def check_circuit_budget(circuit: Any) -> None:
    """Raise :class:`CheckBudget` for a circuit too large for the grader to handle."""
    if circuit.num_qubits > MAX_CIRCUIT_QUBITS:
        raise CheckBudget(
            f"The circuit has {circuit.num_qubits} qubits, more than the grader handles "
            f"({MAX_CIRCUIT_QUBITS}).",
            hint="a much larger circuit than needed",
        )
    circuit_ops(circuit)


def _check_work(circuit: Any, per_op: int, budget: int, max_qubits: int, what: str) -> None:
    n = circuit.num_qubits
    ops = max(1, circuit_ops(circuit))
    if n > max_qubits or ops * per_op**n > budget:
        raise CheckBudget(
            f"The circuit is too large to check: computing its {what} would take "
            f"{ops:,} operations on {n} qubits, over the grader's budget "
            f"(at most {max_qubits} qubits and about {budget:,} amplitude updates). "
            "The exercise needs far fewer.",
            hint="a much larger circuit than needed",
        )


def gate_counts(circuit: Any) -> dict[str, int]:
    """Count operations by name, looking inside custom (composite) gates.

    >>> from qiskit import QuantumCircuit
    >>> inner = QuantumCircuit(1); _ = inner.h(0); _ = inner.z(0)
    >>> qc = QuantumCircuit(1); _ = qc.append(inner.to_gate(label="mine"), [0])
    >>> sorted(gate_counts(qc).items())
    [('h', 1), ('z', 1)]
    """
    return dict(_flat_counts(circuit))


def assert_only_gates(circuit: Any, allowed: Iterable[str]) -> None:
    """Raise :class:`CheckFailed` when the circuit uses a gate outside ``allowed``."""
    allowed = set(allowed)
    used = gate_counts(circuit)
    bad = sorted(set(used) - allowed)
    if bad:
        raise CheckFailed(
            f"The circuit uses {', '.join(repr(b) for b in bad)}, but only "
            f"{', '.join(repr(a) for a in sorted(allowed))} are allowed here.",
            hint=f"a forbidden gate used: {', '.join(bad)}",
        )


def assert_circuit(
    obj: Any, num_qubits: int | None = None, allow_measure: bool = False, what: str = "answer"
) -> Any:
    """Require a ``QuantumCircuit`` (with the given width, and no measurements)."""
    from qiskit import QuantumCircuit

    if obj is None:
        raise CheckFailed(
            f"Expected a QuantumCircuit as the {what}, got None. Did you forget `return qc`?"
        )
    if not isinstance(obj, QuantumCircuit):
        raise CheckFailed(f"Expected a QuantumCircuit as the {what}, got {type(obj).__name__}.")
    check_circuit_budget(obj)
    if num_qubits is not None and obj.num_qubits != num_qubits:
        raise CheckFailed(
            f"The circuit has {obj.num_qubits} qubit(s); it should have {num_qubits}.",
            hint="wrong number of qubits",
        )
    if not allow_measure and any(i.operation.name == "measure" for i in obj.data):
        raise CheckFailed(
            "The circuit contains measurements; this exercise wants the circuit before measurement.",
            hint="measurement left in the circuit: remove qc.measure(...)/measure_all()",
        )
    return obj


# ---------------------------------------------------------------------------- numbers


@overload
def as_number(value: Any, what: str = ..., allow_complex: Literal[False] = ...) -> float: ...
@overload
def as_number(value: Any, what: str = ..., allow_complex: bool = ...) -> float | complex: ...
def as_number(value: Any, what: str = "result", allow_complex: bool = False) -> float | complex:
    """Require a single finite number (Python or NumPy scalar, or 0-d/size-1 array)."""
    if isinstance(value, bool) or value is None:
        raise CheckFailed(f"Expected a number as the {what}, got {value!r}.")
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if not isinstance(value, (int, float, complex, np.number)):
        raise CheckFailed(f"Expected a number as the {what}, got {type(value).__name__}.")
    if isinstance(value, (complex, np.complexfloating)):
        if not allow_complex:
            if abs(complex(value).imag) > 1e-9:
                raise CheckFailed(f"Expected a real number as the {what}, got {value!r}.")
            value = complex(value).real
    try:
        value = complex(value) if isinstance(value, (complex, np.complexfloating)) else float(value)
    except (OverflowError, TypeError, ValueError):
        raise CheckFailed(f"The {what} is too large to be a floating-point number.") from None
    if not np.isfinite(value):
        raise CheckFailed(f"The {what} is {value!r}; expected a finite number.", actual=value)
    return complex(value) if allow_complex and isinstance(value, complex) else float(value)


def as_bool(
    value: Any, what: str = "result", hint: str = "return a bool, e.g. `return bool(...)`"
) -> bool:
    """Require ``True`` or ``False`` (a NumPy bool counts); 0, 1, "yes" or None do not.

    >>> as_bool(np.bool_(True))
    True
    >>> as_bool(1)
    Traceback (most recent call last):
    ...
    autograder.errors.CheckFailed: Expected True or False as the result, got 1 (int).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise CheckFailed(
        f"Expected True or False as the {what}, got {value!r} ({type(value).__name__}).", hint=hint
    )


def as_array(
    value: Any,
    shape: tuple[int, ...] | None = None,
    what: str = "result",
    dtype: Any = complex,
) -> np.ndarray:
    """Require an array-like of numbers with this shape and only finite values."""
    if value is None:
        raise CheckFailed(f"Expected an array as the {what}, got None. Did you forget `return`?")
    if isinstance(value, (str, bytes, dict, set)):
        raise CheckFailed(f"Expected an array as the {what}, got {type(value).__name__}.")
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise CheckFailed(
            f"Expected a numeric array as the {what}, got {type(value).__name__}."
        ) from None
    if shape is not None and arr.shape != tuple(shape):
        raise CheckFailed(
            f"The {what} has shape {arr.shape}; expected shape {tuple(shape)}.",
            hint="wrong shape",
        )
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(f"The {what} contains NaN or infinite values.", actual=arr)
    return arr


def diagnose_angle(actual: float, expected: float, rtol: float = 1e-6) -> str | None:
    """Recognise degrees instead of radians, and half or double angles.

    >>> diagnose_angle(90.0, np.pi / 2)
    'degrees instead of radians: use np.pi/2, not 90 (np.radians converts)'
    """
    if expected == 0:
        return None
    for factor, text in (
        (180 / np.pi, "degrees instead of radians"),
        (np.pi / 180, "radians converted twice (or radians where degrees were expected)"),
        (
            0.5,
            "half the angle: RY(theta) rotates by theta on the Bloch sphere, amplitudes use theta/2",
        ),
        (2.0, "double the angle: the amplitudes use theta/2, not theta"),
        (-1.0, "wrong sign of the angle"),
    ):
        if np.isclose(actual, expected * factor, rtol=1e-4, atol=1e-6):
            if factor == 180 / np.pi:
                return f"{text}: use np.pi/2, not 90 (np.radians converts)"
            return text
    return None


def assert_close(
    actual: Any,
    expected: Any,
    atol: float = 1e-6,
    rtol: float = 1e-6,
    what: str = "result",
    angle: bool = False,
) -> None:
    """Raise :class:`CheckFailed` unless numbers/arrays agree within tolerances.

    With ``angle=True`` a mismatch is checked for degrees-vs-radians and half-angle
    mistakes.
    """
    exp = np.asarray(expected)
    if exp.ndim == 0:
        a = as_number(actual, what, allow_complex=np.iscomplexobj(exp))
        if np.isclose(a, exp, atol=atol, rtol=rtol):
            return
        hint = diagnose_angle(float(np.real(a)), float(np.real(exp))) if angle else None
        if hint is None and np.isclose(a, -exp, atol=atol, rtol=rtol):
            hint = "wrong sign"
        raise CheckFailed(f"The {what} is not right.", expected=expected, actual=a, hint=hint)
    arr = as_array(actual, shape=exp.shape, what=what)
    if np.allclose(arr, exp, atol=atol, rtol=rtol):
        return
    hint = None
    if np.allclose(arr, -exp, atol=atol, rtol=rtol):
        hint = "wrong sign"
    elif arr.ndim == 1 and np.allclose(reverse_qubit_order(arr), exp, atol=atol, rtol=rtol):
        hint = QUBIT_ORDER_REVERSED
    elif (
        arr.ndim == 2
        and arr.shape[0] == arr.shape[1]
        and np.allclose(arr.T, exp, atol=atol, rtol=rtol)
    ):
        hint = "transposed: rows and columns swapped"
    raise CheckFailed(f"The {what} is not right.", expected=exp, actual=arr, hint=hint)


# ------------------------------------------------------------------------------ statistics


def counts_consistent(
    counts: Mapping[str, int], probabilities: Mapping[str, float], alpha: float = 1e-6
) -> tuple[bool, str]:
    """Test whether shot counts are consistent with a reference distribution.

    Method: for each of the K outcomes with reference probability ``p_k`` (outcomes seen
    in ``counts`` but absent from ``probabilities`` have ``p_k = 0``), the observed count
    ``n_k`` of ``N`` shots is Binomial(N, p_k) under the null hypothesis. The outcome is
    rejected when the exact two-sided binomial tail ``2 min(P[X <= n_k], P[X >= n_k])``
    falls below ``alpha / K`` (Bonferroni). By the union bound the probability that a
    correct answer is rejected is at most ``alpha`` (default 1e-6), for any N, with no
    asymptotic approximation. An outcome with ``p_k = 0`` that appears is always rejected.

    Returns:
        (consistent, explanation).

    >>> counts_consistent({"00": 507, "11": 493}, {"00": 0.5, "11": 0.5})[0]
    True
    >>> counts_consistent({"00": 700, "11": 300}, {"00": 0.5, "11": 0.5})[0]
    False
    """
    from scipy.stats import binom

    if not counts:
        return False, "no counts"
    total = int(sum(counts.values()))
    if total <= 0:
        return False, "the counts add up to zero shots"
    keys = sorted(set(counts) | {k for k, p in probabilities.items() if p > 0})
    k_tests = max(len(keys), 1)
    level = alpha / k_tests
    for key in keys:
        n_k = int(counts.get(key, 0))
        p_k = float(probabilities.get(key, 0.0))
        if p_k <= 0:
            if n_k > 0:
                return False, f"outcome {key!r} should never occur but was seen {n_k} times"
            continue
        if p_k >= 1:
            if n_k != total:
                return False, f"outcome {key!r} should occur every time, seen {n_k}/{total}"
            continue
        lower = binom.cdf(n_k, total, p_k)
        upper = binom.sf(n_k - 1, total, p_k)
        pval = min(1.0, 2 * min(lower, upper))
        if pval < level:
            return False, (
                f"outcome {key!r}: {n_k}/{total} = {n_k / total:.3f} observed, "
                f"{p_k:.3f} expected (p-value {pval:.1e})"
            )
    return True, "consistent"


def assert_counts(
    counts: Any,
    probabilities: Mapping[str, float],
    alpha: float = 1e-6,
    num_bits: int | None = None,
) -> None:
    """Raise :class:`CheckFailed` unless ``counts`` pass :func:`counts_consistent`."""
    if not isinstance(counts, Mapping):
        raise CheckFailed(
            f"Expected a counts dict such as {{'00': 510, '11': 490}}, got {type(counts).__name__}."
        )
    for key, val in counts.items():
        if not isinstance(key, str) or set(key) - {"0", "1", " "}:
            raise CheckFailed(f"Counts keys must be bitstrings like '01', got {key!r}.")
        if num_bits is not None and len(key.replace(" ", "")) != num_bits:
            raise CheckFailed(f"Counts key {key!r} should have {num_bits} bits.")
        if not isinstance(val, (int, np.integer)) or val < 0:
            raise CheckFailed(f"Counts values must be non-negative integers, got {val!r}.")
    ok, why = counts_consistent(counts, probabilities, alpha)
    if ok:
        return
    hint = None
    flipped = {k[::-1]: v for k, v in counts.items()}
    if counts_consistent(flipped, probabilities, alpha)[0]:
        hint = "qubit order reversed: in Qiskit qubit 0 is the rightmost character of a bitstring"
    raise CheckFailed(
        f"The measured counts do not match the expected distribution ({why}).",
        expected=dict(probabilities),
        actual=dict(counts),
        hint=hint,
    )


# ------------------------------------------------------------------------ guarded hints
_DIAGNOSIS_NAME = __import__("re").compile(r"^_?diagnose|hint$|mistake$")


def guard_diagnoses(namespace: dict[str, Any]) -> None:
    """Make every diagnosis helper in ``namespace`` (``diagnose_*``, ``*_hint``,
    ``*_mistake``) return ``None`` instead of raising: a hint that crashes on an odd
    answer must never turn a plain wrong answer into a grader error."""
    import functools

    for name, fn in list(namespace.items()):
        if (
            not callable(fn)
            or not _DIAGNOSIS_NAME.search(name)
            or getattr(fn, "__guarded__", False)
            or not hasattr(fn, "__code__")
        ):
            continue

        def make(fn: Any = fn) -> Any:
            @functools.wraps(fn)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    return None

            guarded.__guarded__ = True  # type: ignore[attr-defined]
            return guarded

        namespace[name] = make()


guard_diagnoses(globals())
