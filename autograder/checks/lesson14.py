"""Checks for lesson 14: the same model in Qiskit, PennyLane, Cirq and PyTorch.

Both exercises are about the one pitfall of moving between frameworks: qubit order. Qiskit
labels basis states with qubit 0 as the least-significant (rightmost) bit; PennyLane and
Cirq put wire 0 on the left. Expected values are computed here from that definition (index
arithmetic, and Qiskit's own ``Statevector`` for the circuits), never by calling the
reference solution. Hidden inputs come from fixed seeds.

``14.port_circuit`` targets PennyLane: the answer builds a QNode and returns the state it
gives, ``qml.state()`` (a state, not the QNode, so that the answer crosses the classroom
sandbox as data). It is compared with the Qiskit state *converted to PennyLane's order*, up to a
global phase, so ``rz`` ported as ``qml.PhaseShift`` (or ``p`` as ``qml.RZ``), which differ
by a global phase only, is correct.
"""

from __future__ import annotations

import dis
import itertools
import types
from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

# -------------------------------------------------------------------------- helpers


def _bit_reversal(n: int) -> np.ndarray:
    """perm[k] = the index whose n-bit string is k's read backwards."""
    return np.array([int(format(k, f"0{n}b")[::-1], 2) if n else 0 for k in range(2**n)])


def _reversed_bits(v: np.ndarray) -> np.ndarray:
    """The vector in the other convention: entry k moves to the bit-reversed index."""
    n = v.size.bit_length() - 1
    out = np.empty_like(v)
    out[_bit_reversal(n)] = v
    return out


def _qubit_permuted(v: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    n = len(axes)
    return v.reshape([2] * n).transpose(axes).reshape(-1)


# ------------------------------------------------------------------- 14.to_wire_order


def _unpadded(v: np.ndarray, gather: bool) -> np.ndarray:
    """The bit reversal done on unpadded binary strings (bin(k)[2:][::-1])."""
    out = np.zeros_like(v)
    for k in range(v.size):
        r = int(bin(k)[2:][::-1], 2)
        if gather:
            out[k] = v[r]
        else:
            out[r] = v[k]
    return out


def _wire_order_mistake(value: np.ndarray, v: np.ndarray) -> str | None:
    """Name the mistake behind a wrong conversion of ``v`` (None when none fits)."""
    expected = _reversed_bits(v)
    n = v.size.bit_length() - 1

    def same(a: np.ndarray) -> bool:
        return a.shape == value.shape and np.allclose(value, a, atol=1e-9)

    if same(expected):
        return None
    found = []
    if same(v) and n >= 2:
        found.append(
            "returned the vector unchanged: the conventions label the same amplitudes with "
            "reversed bitstrings, so the entries must be moved to the bit-reversed indices"
        )
    if same(v[::-1]):
        found.append(
            "reversed the amplitudes (v[::-1]) instead of the bit order: v[::-1] sends index "
            "k to 2^n - 1 - k, which flips every bit; reverse the bits of k instead"
        )
    if n >= 3:
        for axes in itertools.permutations(range(n)):
            if axes in (tuple(range(n)), tuple(range(n))[::-1]):
                continue
            if same(_qubit_permuted(v, axes)):
                found.append(
                    "transposed the wrong axes: the qubits were permuted, but not reversed; "
                    "reverse ALL the axes, tensor.transpose(range(n)[::-1]) (or tensor.T)"
                )
                break
    if same(_unpadded(v, False)) or same(_unpadded(v, True)):
        found.append(
            "the bitstrings were not padded to n bits: reverse format(k, f'0{n}b'), not "
            "bin(k)[2:] (index 1 is '001' for 3 qubits, so it goes to '100' = 4)"
        )
    if np.iscomplexobj(v) and np.any(np.abs(v.imag) > 1e-9) and same(expected.real):
        found.append("dropped the imaginary parts: keep the complex dtype (do not use dtype=float)")
    return found[0] if len(found) == 1 else None


def _random_state(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=2**n) + 1j * rng.normal(size=2**n)
    return v / np.linalg.norm(v)


_EXAMPLE_PROBS = [0.05, 0.10, 0.15, 0.20, 0.0, 0.25, 0.10, 0.15]


@exercise(
    "14.to_wire_order",
    points=5,
    title="Convert between Qiskit's and PennyLane's qubit order",
    difficulty="easy",
    minutes=15,
    hints=[
        "Entry k of the vector belongs to the basis state whose n-bit string is k in binary. "
        "The other convention reads the same string backwards, so entry k moves to the index "
        "whose n-bit string is k's bits reversed.",
        "One way: view the vector as an n-index tensor, v.reshape([2] * n), reverse the order "
        "of ALL its axes (.transpose(range(n)[::-1])) and flatten it back. Another: reverse "
        "format(k, f'0{n}b') for every k. v[::-1] is not it.",
        "n is log2 of the length (len(v).bit_length() - 1); keep the dtype, so that complex "
        "amplitudes stay complex.",
    ],
)
def check_to_wire_order(t: Tester) -> None:
    rng = np.random.default_rng(1414)
    cases: list[tuple[str, Any, float, bool]] = [
        (
            f"to_wire_order({_EXAMPLE_PROBS}) (the example: 3-qubit probabilities, a list)",
            list(_EXAMPLE_PROBS),
            1.0,
            False,
        ),
        ("a random complex 1-qubit state", _random_state(rng, 1), 0.5, True),
    ]
    for n in (2, 3, 4, 5):
        cases.append((f"a random complex {n}-qubit state", _random_state(rng, n), 0.75, True))
    probs = rng.dirichlet(np.ones(16))
    cases.append(("a random 4-qubit probability vector (NumPy array)", probs, 0.5, True))
    for description, vector, points, hidden in cases:
        with t.case(description, points=points, hidden=hidden):
            v = np.asarray(vector)
            arg = list(vector) if isinstance(vector, list) else v.copy()
            value = _as_vector(t.call(arg), v.size)
            expected = _reversed_bits(v)
            if np.allclose(value, expected, atol=1e-9):
                continue
            raise CheckFailed(
                "The entries are not at the bit-reversed indices.",
                expected=expected,
                actual=value,
                hint=_wire_order_mistake(value, v),
            )


def _as_vector(value: Any, size: int) -> np.ndarray:
    if value is None:
        raise CheckFailed("Your function returned None. Did you forget `return`?")
    try:
        arr = np.asarray(value)
    except Exception:
        arr = None
    if arr is None or arr.dtype.kind not in "biufc":
        raise CheckFailed(
            f"Expected a NumPy array of numbers, got {type(value).__name__}.",
            hint="return np.asarray(...) of the converted vector",
        )
    if arr.size == size and arr.ndim > 1:
        raise CheckFailed(
            f"Expected a flat vector of length {size}, got an array of shape {arr.shape}.",
            hint="flatten the tensor back into a vector: .reshape(-1)",
        )
    if arr.shape != (size,):
        raise CheckFailed(f"Expected a vector of length {size}, got shape {arr.shape}.")
    return arr


# --------------------------------------------------------------------- 14.port_circuit

#: the gate set of the exercise (Qiskit names)
GATES_1Q = ("h", "x", "y", "z", "s", "sdg", "t", "tdg")
ROTATIONS = ("rx", "ry", "rz", "p")
GATES_2Q = ("cx", "cz", "swap")
#: names that prepare or compute a given state or unitary instead of porting the gates
_SHORTCUTS = {
    "Statevector",
    "Operator",
    "reverse_qargs",
    "from_qiskit",
    "StatePrep",
    "QubitStateVector",
    "QubitUnitary",
    "ControlledQubitUnitary",
    "DiagonalQubitUnitary",
    "AmplitudeEmbedding",
    "MottonenStatePreparation",
    "BasisState",
}


def random_circuit(n: int, depth: int, seed: int) -> Any:
    """A circuit of the exercise's gate set on ``n`` qubits, every gate kind that fits used
    at least once where ``depth`` allows, drawn from ``seed``."""
    from qiskit import QuantumCircuit

    rng = np.random.default_rng(seed)
    qc = QuantumCircuit(n)
    kinds = list(GATES_1Q + ROTATIONS) + (list(GATES_2Q) if n >= 2 else [])
    order = list(rng.permutation(kinds))
    while len(order) < depth:
        order.append(kinds[int(rng.integers(len(kinds)))])
    for name in order[:depth]:
        if name in GATES_2Q:
            a, b = (int(q) for q in rng.choice(n, size=2, replace=False))
            getattr(qc, name)(a, b)
        elif name in ROTATIONS:
            getattr(qc, name)(float(rng.uniform(0.3, 2.8)), int(rng.integers(n)))
        else:
            getattr(qc, name)(int(rng.integers(n)))
    return qc


def example_circuit() -> Any:
    """The example of the lesson: 3 qubits."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.8, 2)
    qc.rz(0.5, 1)
    qc.p(0.3, 2)
    qc.sdg(0)
    qc.cz(1, 2)
    return qc


def _variant(circuit: Any, change: str, gate: str = "") -> Any:
    """The circuit with one typical porting mistake applied (None if it changes nothing)."""
    from qiskit import QuantumCircuit

    out = QuantumCircuit(circuit.num_qubits)
    changed = False
    for inst in circuit.data:
        name = inst.operation.name
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        params = [float(p) for p in inst.operation.params]
        if change == "drop" and name == gate:
            changed = True
            continue
        if change == "cx_swapped" and name == "cx":
            qubits, changed = qubits[::-1], True
        if change in ("half", "double") and name in ROTATIONS[:3]:
            params = [p / 2 if change == "half" else 2 * p for p in params]
            changed = True
        if change == "no_dagger" and name in ("sdg", "tdg"):
            name, changed = name[0], True
        getattr(out, name)(*params, *qubits)
    return out if changed else None


def _state(circuit: Any) -> np.ndarray:
    from qiskit.quantum_info import Statevector

    return np.asarray(Statevector(circuit).data, dtype=complex)


def _port_mistake(state: np.ndarray, circuit: Any) -> str | None:
    """Name the porting mistake behind ``state`` (None unless exactly one fits)."""
    expected = _reversed_bits(_state(circuit))
    qiskit_order = _state(circuit)
    if cmp.states_equal(state, expected):
        return None
    found = []
    if cmp.states_equal(state, qiskit_order):
        found.append(
            "qubit order: this is the Qiskit statevector in Qiskit's order, so qubit i went "
            "to wire n - 1 - i. Keep Qiskit's qubit i on wire i: the two conventions differ "
            "only in how the amplitudes are labelled"
        )
    variants = [
        ("cx_swapped", "", "CNOT control and target swapped: qml.CNOT(wires=[control, target])"),
        (
            "half",
            "",
            "half the angle: PennyLane's RX, RY, RZ(θ) are exactly Qiskit's rx, ry, rz(θ)",
        ),
        (
            "double",
            "",
            "double the angle: PennyLane's RX, RY, RZ(θ) are exactly Qiskit's rx, ry, rz(θ)",
        ),
        (
            "no_dagger",
            "",
            "sdg and tdg are the inverses of S and T: qml.adjoint(qml.S(wires=w))",
        ),
    ]
    names = sorted({inst.operation.name for inst in circuit.data})
    for name in names:
        variants.append(
            (
                "drop",
                name,
                f"the '{name}' gates are missing: translate every gate name of the circuit",
            )
        )
    for change, gate, text in variants:
        wrong = _variant(circuit, change, gate)
        if wrong is None:
            continue
        if cmp.states_equal(state, _reversed_bits(_state(wrong))):
            found.append(text)
    return found[0] if len(found) == 1 else None


def _kind_of(obj: Any) -> str:
    """The type name of a returned object (in the classroom sandbox, of the object that
    stayed there)."""
    return str(getattr(obj, "_type", None) or type(obj).__name__)


def _port_state(value: Any, n: int) -> np.ndarray:
    """The learner's state as a flat complex vector, or fail with a clear message."""
    if value is None:
        raise CheckFailed("Your function returned None. Did you forget `return`?")
    kind = _kind_of(value)
    if kind == "QNode" or callable(value):
        raise CheckFailed(
            f"Expected the state (a NumPy array), got a {kind}.",
            hint="return the state the QNode gives: call it, `return ported()`",
        )
    module = type(value).__module__
    if module.startswith("qiskit"):
        raise CheckFailed(
            f"Expected the state (a NumPy array), got a Qiskit {kind}.",
            hint="this is a Qiskit object: build the circuit again with PennyLane operations",
        )
    try:
        state = np.asarray(value)
    except Exception:
        state = None
    if state is None or state.dtype.kind not in "biufc":
        raise CheckFailed(f"Expected the state as a NumPy array, got {kind}.")
    state = state.astype(complex).reshape(-1)
    if state.size != 2**n:
        raise CheckFailed(
            f"The state has {state.size} amplitudes; a {n}-qubit circuit has {2**n}.",
            hint="make the device with one wire per qubit: "
            "qml.device('default.qubit', wires=circuit.num_qubits)",
        )
    if np.all(np.abs(state.imag) < 1e-12) and np.all(state.real >= -1e-12):
        if abs(state.real.sum() - 1) < 1e-9 and abs(np.linalg.norm(state) - 1) > 1e-6:
            raise CheckFailed(
                "The QNode returned probabilities, not amplitudes.",
                hint="return qml.state(), not qml.probs()",
            )
    norm = float(np.linalg.norm(state))
    if abs(norm - 1) > 1e-6:
        raise CheckFailed(f"The state is not normalised (norm {norm:.4f}).")
    return state


def _shortcut_used(fn: Any) -> str | None:
    """A name of a state-preparation shortcut the function's code uses, if any."""
    code = getattr(fn, "__code__", None)
    if code is None:  # graded in the classroom sandbox: ask which names its code uses
        names = fn.code_names() if hasattr(fn, "code_names") else []
        hits = [n for n in names if n.rsplit(".", 1)[-1].removeprefix("import:") in _SHORTCUTS]
        return hits[0].rsplit(".", 1)[-1].removeprefix("import:") if hits else None
    todo = [code]
    while todo:
        co = todo.pop()
        for ins in dis.get_instructions(co):
            if (
                ins.opname
                in ("IMPORT_FROM", "IMPORT_NAME", "LOAD_ATTR", "LOAD_METHOD", "LOAD_GLOBAL")
                and str(ins.argval).rsplit(".", 1)[-1] in _SHORTCUTS
            ):
                return str(ins.argval).rsplit(".", 1)[-1]
        todo.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
    return None


_PORT_CASES = [
    ("a 1-qubit circuit", 1, 12, 14001),
    ("a 2-qubit circuit", 2, 16, 14002),
    ("a 3-qubit circuit", 3, 18, 14003),
    ("another 3-qubit circuit", 3, 20, 14004),
    ("a 4-qubit circuit", 4, 22, 14005),
]


@exercise(
    "14.port_circuit",
    points=6,
    title="Port a Qiskit circuit to PennyLane",
    difficulty="medium",
    minutes=25,
    hints=[
        "Loop over circuit.data: each instruction has .operation.name, .operation.params and "
        ".qubits; circuit.find_bit(q).index is the qubit's number.",
        "Keep Qiskit's qubit i on PennyLane's wire i. The state vectors then differ only in "
        "their labelling (the bit-reversal of to_wire_order); do not renumber the wires.",
        "A dictionary from Qiskit names to PennyLane operations does most of the work: "
        "cx → qml.CNOT(wires=[control, target]), p → qml.PhaseShift, sdg → qml.adjoint(qml.S"
        "(...)). Record the operations first, then apply them inside a QNode that returns "
        "qml.state(), and return what the QNode gives.",
    ],
)
def check_port_circuit(t: Tester) -> None:
    cases: list[tuple[str, Any, bool]] = [
        ("port_circuit(example) (the 3-qubit example of the lesson)", example_circuit(), False)
    ]
    for description, n, depth, seed in _PORT_CASES:
        cases.append((f"hidden: {description}", random_circuit(n, depth, seed), True))
    per = 6 / len(cases)
    shortcut = _shortcut_used(t.answer)
    for description, circuit, hidden in cases:
        with t.case(description, points=per, hidden=hidden):
            if shortcut:
                raise CheckFailed(
                    f"port_circuit uses {shortcut}: it computes the state instead of porting "
                    "the gates.",
                    hint="port the circuit gate by gate (one PennyLane operation per Qiskit "
                    "gate), without Statevector, StatePrep or QubitUnitary",
                )
            n = circuit.num_qubits
            state = _port_state(t.call(circuit.copy()), n)
            expected = _reversed_bits(_state(circuit))
            if cmp.states_equal(state, expected):
                continue
            raise CheckFailed(
                "The state is not the circuit's state in PennyLane's wire order "
                "(compared up to a global phase).",
                expected=expected,
                actual=state,
                hint=_port_mistake(state, circuit),
            )
