"""Simulation helpers the lessons use: statevectors, counts, expectation values, unitaries.

Qubit order is Qiskit's: qubit 0 is the least-significant bit of a statevector index and
the rightmost character of a counts key such as ``"011"``.

Introduced in lesson 00.

>>> from qiskit import QuantumCircuit
>>> qc = QuantumCircuit(2); _ = qc.x(0)
>>> statevector(qc).round(3).tolist()      # |01>: index 1, qubit 0 set
[0j, (1+0j), 0j, 0j]
>>> counts(qc, shots=100, seed=7)
{'01': 100}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .backends import resolve
from .errors import InputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Pauli, SparsePauliOp

    from .backends import Backend


__all__ = [
    "statevector",
    "counts",
    "expectation",
    "unitary",
    "probabilities",
    "counts_to_probabilities",
    "probabilities_to_dict",
]


def _require_circuit(circuit: object, what: str = "circuit") -> QuantumCircuit:
    from qiskit import QuantumCircuit

    if not isinstance(circuit, QuantumCircuit):
        raise InputError(
            f"Expected a qiskit QuantumCircuit as the {what}, got {type(circuit).__name__}."
        )
    return circuit


def _without_measurements(circuit: QuantumCircuit) -> QuantumCircuit:
    """A copy of ``circuit`` with final measurements and barriers removed."""
    qc = circuit.remove_final_measurements(inplace=False)
    for inst in qc.data:
        if inst.operation.name in ("measure", "reset") or inst.operation.name.startswith("if_"):
            raise InputError(
                f"The circuit has a {inst.operation.name!r} before its end, so it has no single "
                "statevector. Remove mid-circuit measurements, or use counts() instead."
            )
    return qc


def statevector(circuit: QuantumCircuit) -> np.ndarray:
    """The exact statevector a circuit prepares from |0...0>, as a complex NumPy array.

    Final measurements are ignored. Index ``k`` holds the amplitude of the basis state
    whose binary form is ``k`` with qubit 0 as the least-significant bit.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.h(0)
    >>> np.round(statevector(qc), 4)
    array([0.7071+0.j, 0.7071+0.j])
    """
    from qiskit.quantum_info import Statevector

    qc = _without_measurements(_require_circuit(circuit))
    return np.asarray(Statevector(qc).data, dtype=complex)


def probabilities(circuit: QuantumCircuit) -> np.ndarray:
    """Exact Born-rule probabilities of every basis state, in index order.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.h(0)
    >>> probabilities(qc).round(3).tolist()
    [0.5, 0.5]
    """
    return np.abs(statevector(circuit)) ** 2


def unitary(circuit: QuantumCircuit) -> np.ndarray:
    """The unitary matrix of a circuit without measurements (Qiskit's qubit order).

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.x(0)
    >>> unitary(qc).real.tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    from qiskit.quantum_info import Operator

    qc = _require_circuit(circuit)
    if any(inst.operation.name == "measure" for inst in qc.data):
        raise InputError(
            "The circuit contains measurements, which have no unitary. "
            "Build it without measure() or call circuit.remove_final_measurements()."
        )
    return np.asarray(Operator(qc).data, dtype=complex)


def counts(
    circuit: QuantumCircuit,
    shots: int = 1024,
    seed: int | None = None,
    backend: str | Backend | None = None,
) -> dict[str, int]:
    """Run a circuit with shots and return its measured counts.

    A circuit without measurements is measured on every qubit. The circuit is turned
    into ISA form for the backend first, so the same call works on ``ideal``,
    ``fake:<device>`` and ``ibm`` backends.

    Args:
        circuit: the circuit to run.
        shots: number of repetitions (a positive integer).
        seed: sampling seed for simulators.
        backend: a spec string, a :class:`qmlkit.backends.Backend`, or ``None`` for the
            current setting.

    Returns:
        A dict from bitstrings (qubit 0 rightmost) to counts.
    """
    qc = _require_circuit(circuit)
    if not isinstance(shots, (int, np.integer)) or shots <= 0:
        raise InputError(f"shots must be a positive integer, got {shots!r}.")
    if qc.num_clbits == 0:
        qc = qc.measure_all(inplace=False)
    b = resolve(backend, seed=seed)
    isa = b.isa(qc)
    if b.kind == "ideal" and seed is not None:
        from qiskit_aer.primitives import SamplerV2

        sampler = SamplerV2(seed=seed)
    else:
        sampler = b.sampler
    result = sampler.run([isa], shots=int(shots)).result()[0]
    data = result.join_data() if len(result.data) > 1 else next(iter(result.data.values()))
    return {k: int(v) for k, v in data.get_counts().items()}


def expectation(
    circuit: QuantumCircuit,
    observable: str | Pauli | SparsePauliOp,
    backend: str | Backend | None = None,
    precision: float | None = None,
) -> float:
    """Expectation value of an observable in the state a circuit prepares.

    On the ``ideal`` backend with ``precision=None`` the value is exact. On other
    backends, or with a precision, it is estimated from shots by the Estimator.

    Args:
        circuit: a circuit without measurements.
        observable: a Pauli string such as ``"ZI"`` (leftmost = highest qubit), a
            ``SparsePauliOp``, or a ``Pauli``.
        backend: spec, :class:`~qmlkit.backends.Backend`, or ``None``.
        precision: target standard error for shot-based estimates.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.x(0)
    >>> expectation(qc, "Z")
    -1.0
    """
    from qiskit.quantum_info import SparsePauliOp, Statevector

    qc = _require_circuit(circuit)
    if isinstance(observable, str):
        observable = SparsePauliOp(observable)
    elif not isinstance(observable, SparsePauliOp):
        observable = SparsePauliOp(observable)
    if observable.num_qubits != qc.num_qubits:
        raise InputError(
            f"The observable acts on {observable.num_qubits} qubits but the circuit has "
            f"{qc.num_qubits}; give one Pauli letter per qubit (leftmost = highest qubit)."
        )
    b = resolve(backend)
    if b.kind == "ideal" and precision is None:
        qc = _without_measurements(qc)
        return float(np.real(Statevector(qc).expectation_value(observable)))
    qc = qc.remove_final_measurements(inplace=False)
    isa, obs = b.isa(qc, observable)
    pub = (isa, obs)
    job = b.estimator.run([pub], precision=precision) if precision else b.estimator.run([pub])
    return float(job.result()[0].data.evs)


def counts_to_probabilities(counts: Mapping[str, float]) -> dict[str, float]:
    """Divide every value by the total, so that the values add up to 1.

    Works for integer counts and for quasi-probabilities (which may be negative, as after
    readout-error mitigation). Spaces between classical registers are kept in the keys.

    Args:
        counts: a dict from bitstrings to counts or (quasi-)probabilities.

    Raises:
        InputError: if ``counts`` is not a non-empty dict of numbers with a non-zero total.

    >>> counts_to_probabilities({"0": 3, "1": 1})
    {'0': 0.75, '1': 0.25}
    """
    if not isinstance(counts, Mapping) or not counts:
        raise InputError(
            "Expected a non-empty dict of counts such as {'00': 480, '11': 520}, "
            f"got {type(counts).__name__}."
        )
    values = {}
    for key, val in counts.items():
        if not isinstance(key, str):
            raise InputError(f"Counts keys must be bitstrings such as '01', got {key!r}.")
        try:
            values[key] = float(val)
        except (TypeError, ValueError):
            raise InputError(f"The value for {key!r} is {val!r}, not a number.") from None
    total = sum(values.values())
    if abs(total) < 1e-15 or not np.isfinite(total):
        raise InputError(f"The counts add up to {total}; cannot turn them into probabilities.")
    return {k: v / total for k, v in values.items()}


def probabilities_to_dict(probabilities: Any) -> dict[str, float]:
    """A probability vector of length ``2**n`` as ``{bitstring: probability}``.

    Args:
        probabilities: real vector in Qiskit index order.

    Raises:
        InputError: when the length is not a power of two or entries are not finite.

    >>> probabilities_to_dict([0.25, 0.75])
    {'0': 0.25, '1': 0.75}
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    n = int(round(np.log2(p.size))) if p.size > 1 else 0
    if p.size < 2 or 2**n != p.size:
        raise InputError(f"Expected a vector of length 2**n (n >= 1), got length {p.size}.")
    if not np.all(np.isfinite(p)):
        raise InputError("The probabilities contain NaN or infinite values.")
    return {format(i, f"0{n}b"): float(v) for i, v in enumerate(p)}
