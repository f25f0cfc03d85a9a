"""A bounded, thread-safe cache of compiled programs keyed by a circuit's structure.

Compiling a circuit (:func:`~qmlkit.statevec.compile_circuit`) costs far more than running
it on a few points at many qubits (0.4 s for ``zz_feature_map(14, reps=2)``), and a learner
makes a new kernel or model object for every experiment, often from a freshly built feature
map. :func:`cached_program` therefore keys programs by what the circuit *is*, not by the
Python object: its qubit count, its parameters in binding order (by type and name), its
global phase and, for every instruction, the operation's name, class and parameters and the
qubits it acts on. Operations outside Qiskit's standard gate set are keyed by their
definitions (recursively) or, failing that, by their matrix, so two custom gates that share
a name but not a meaning do not collide. Parameter expressions are keyed by their text.

The cache keeps the :data:`CACHE_SIZE` most recently used programs (LRU), and no more than
:data:`CACHE_BYTES` of them (a program holds phase and permutation tables of the state's
size: about 50 MiB for ``zz_feature_map(14, reps=2)``, 1.4 GiB at 18 qubits; a program larger
than the whole allowance is not cached). It is safe to use from several threads (a lock guards the table; two threads that miss at once may both
compile, and the first result is kept). Programs are shared, so treat them as read-only.

>>> from qiskit.circuit.library import zz_feature_map
>>> clear_program_cache()
>>> a = cached_program(zz_feature_map(3, reps=1))
>>> b = cached_program(zz_feature_map(3, reps=1))   # a new, equal circuit: no compile
>>> a is b, program_cache_info()["compilations"]
(True, 1)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from ..errors import InputError
from .compile import Program, compile_circuit

__all__ = [
    "cached_program",
    "clear_program_cache",
    "program_cache_info",
    "CACHE_SIZE",
    "CACHE_BYTES",
]

#: How many compiled programs the cache keeps (least recently used dropped first).
CACHE_SIZE = 16
#: How many bytes of compiled programs (their arrays) the cache keeps at most.
CACHE_BYTES = 256 * 2**20

_lock = threading.Lock()
_programs: OrderedDict[tuple, tuple[Program, int]] = OrderedDict()
_stats = {"compilations": 0, "hits": 0}


def program_bytes(program: Any) -> int:
    """Bytes of the NumPy arrays a compiled program holds (each buffer counted once).

    >>> from qiskit.circuit.library import zz_feature_map
    >>> from qmlkit.statevec import compile_circuit
    >>> program_bytes(compile_circuit(zz_feature_map(2))) > 0
    True
    """
    seen: set[int] = set()
    total = 0
    stack: list[Any] = [program]
    while stack:
        obj = stack.pop()
        if isinstance(obj, np.ndarray):
            base = obj
            while isinstance(base.base, np.ndarray):
                base = base.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            stack.extend(obj)
        elif id(obj) not in seen and hasattr(obj, "__dict__"):
            seen.add(id(obj))
            stack.extend(vars(obj).values())
        elif id(obj) not in seen and hasattr(type(obj), "__slots__"):
            seen.add(id(obj))
            stack.extend(getattr(obj, name, None) for name in type(obj).__slots__)
    return total


def _value_key(value: Any) -> Any:
    """A hashable, exact key of one gate parameter (number, expression or array)."""
    from qiskit.circuit import ParameterExpression

    if isinstance(value, ParameterExpression):
        return ("expr", str(value))
    if isinstance(value, (bool, int, float, complex, np.number)):
        return ("num", type(value).__name__, repr(value))
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ("array", data.shape, data.dtype.str, hashlib.sha256(data.tobytes()).hexdigest())
    if isinstance(value, str):
        return ("str", value)
    return ("other", type(value).__qualname__, repr(value))


def _operation_key(op: Any) -> tuple:
    params = tuple(_value_key(p) for p in getattr(op, "params", ()))
    base = (op.name, type(op).__module__, type(op).__qualname__, op.num_qubits, params)
    if getattr(op, "_standard_gate", None) is not None:
        return base  # a standard gate is fixed by its name and parameters
    if any(isinstance(p, np.ndarray) for p in getattr(op, "params", ())):
        return base  # e.g. a UnitaryGate: its matrix is its parameter
    definition = getattr(op, "definition", None)
    if definition is not None:
        return (*base, ("definition", _structure_key(definition)))
    try:
        matrix = np.asarray(op.to_matrix(), dtype=complex)
    except Exception:
        return base  # no definition and no matrix: name and parameters are all there is
    return (*base, ("matrix", _value_key(matrix)))


def _structure_key(circuit: Any) -> tuple:
    """What determines the compiled program of ``circuit``, as a hashable tuple."""
    instructions = tuple(
        (
            _operation_key(inst.operation),
            tuple(circuit.find_bit(q).index for q in inst.qubits),
            tuple(circuit.find_bit(c).index for c in inst.clbits),
        )
        for inst in circuit.data
    )
    parameters = tuple((type(p).__name__, p.name) for p in circuit.parameters)
    return (
        circuit.num_qubits,
        circuit.num_clbits,
        parameters,
        _value_key(circuit.global_phase),
        instructions,
    )


def cached_program(circuit: Any) -> Program:
    """The compiled program of ``circuit``, compiled once per structure and then reused.

    Equal circuits (same gates, qubits, parameter names and order) share one
    :class:`~qmlkit.statevec.Program`, across calls and across kernel or model objects.

    Raises:
        InputError: if ``circuit`` is not a ``QuantumCircuit`` (as :func:`compile_circuit`).

    >>> from qiskit.circuit.library import z_feature_map, zz_feature_map
    >>> cached_program(z_feature_map(2)) is cached_program(zz_feature_map(2))
    False
    """
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(f"Expected a qiskit QuantumCircuit, got {type(circuit).__name__}.")
    key = _structure_key(circuit)
    with _lock:
        entry = _programs.get(key)
        if entry is not None:
            _programs.move_to_end(key)
            _stats["hits"] += 1
            return entry[0]
    program = compile_circuit(circuit)  # outside the lock: other circuits need not wait
    size = program_bytes(program)
    with _lock:
        _stats["compilations"] += 1
        if size > CACHE_BYTES:
            return program  # larger than the whole cache: used, not kept
        program = _programs.setdefault(key, (program, size))[0]
        _programs.move_to_end(key)
        while len(_programs) > CACHE_SIZE or _cached_bytes() > CACHE_BYTES:
            _programs.popitem(last=False)
    return program


def _cached_bytes() -> int:
    return sum(size for _, size in _programs.values())


def clear_program_cache() -> None:
    """Forget all cached programs and reset the counters of :func:`program_cache_info`.

    >>> clear_program_cache(); program_cache_info()["size"]
    0
    """
    with _lock:
        _programs.clear()
        _stats.update(compilations=0, hits=0)


def program_cache_info() -> dict[str, int]:
    """The program cache's counters and contents.

    ``compilations`` and ``hits`` since the last :func:`clear_program_cache`, ``size``
    programs kept (at most ``maxsize``) holding ``bytes`` (at most ``maxbytes``).

    >>> sorted(program_cache_info())
    ['bytes', 'compilations', 'hits', 'maxbytes', 'maxsize', 'size']
    """
    with _lock:
        return {
            **_stats,
            "size": len(_programs),
            "maxsize": CACHE_SIZE,
            "bytes": _cached_bytes(),
            "maxbytes": CACHE_BYTES,
        }
