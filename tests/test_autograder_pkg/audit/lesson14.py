"""Lesson 14's promise audit and hint-precision rows (14.to_wire_order, 14.port_circuit).

Loaded by file path from ``test_promises.py`` and ``test_hint_precision.py``; see
``audit/__init__.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pennylane as qml
from qiskit.quantum_info import Statevector

# ------------------------------------------------------------------ 14.to_wire_order


def _n_of(v) -> int:
    return int(round(math.log2(len(v))))


def _wire_order_fortran(vector):
    v = np.asarray(vector)
    return v.reshape([2] * _n_of(v), order="F").reshape(-1)


def _wire_order_strings(vector):
    v = np.array(vector)
    n = _n_of(v)
    perm = [int(format(k, f"0{n}b")[::-1], 2) for k in range(len(v))]
    return v[perm]


def _wire_order_statevector(vector):
    return Statevector(np.asarray(vector, dtype=complex)).reverse_qargs().data


def _wire_order_arrays_only(vector):
    n = vector.size.bit_length() - 1  # a list has no .size
    return vector.reshape([2] * n).transpose(list(range(n))[::-1]).reshape(-1)


def _wire_order_three_qubits_only(vector):
    return np.asarray(vector).reshape(2, 2, 2).transpose(2, 1, 0).reshape(-1)


def _wire_order_real(vector):
    v = np.real(np.asarray(vector)).astype(float)
    n = _n_of(v)
    return v.reshape([2] * n).T.reshape(-1)


def _wire_order_tensor(vector):
    v = np.asarray(vector)
    return v.reshape([2] * _n_of(v)).T  # never flattened


def _wire_order_with_phase(vector):
    v = np.asarray(vector, dtype=complex)
    return -1j * v.reshape([2] * _n_of(v)).T.reshape(-1)


def _wire_order_flipped(vector):
    return np.asarray(vector)[::-1]


def _wire_order_moveaxis(vector):
    v = np.asarray(vector)
    n = _n_of(v)
    return np.moveaxis(v.reshape([2] * n), 0, -1).reshape(-1)


def _wire_order_unchanged(vector):
    v = np.asarray(vector)
    return v.reshape([2] * _n_of(v)).reshape(-1)


def _wire_order_unpadded(vector):
    v = np.asarray(vector)
    out = np.zeros_like(v)
    for k in range(len(v)):
        out[int(bin(k)[2:][::-1], 2)] = v[k]
    return out


def _wire_order_unpadded_gather(vector):
    v = np.asarray(vector)
    return np.array([v[int(bin(k)[2:][::-1], 2)] for k in range(len(v))])


# ------------------------------------------------------------------- 14.port_circuit

_ONE = {
    "h": qml.Hadamard,
    "x": qml.PauliX,
    "y": qml.PauliY,
    "z": qml.PauliZ,
    "s": qml.S,
    "t": qml.T,
    "rx": qml.RX,
    "ry": qml.RY,
    "rz": qml.RZ,
    "p": qml.PhaseShift,
    "cx": qml.CNOT,
    "cz": qml.CZ,
    "swap": qml.SWAP,
}


def _gates(circuit, wire_of=lambda i, n: i):
    n = circuit.num_qubits
    out = []
    for inst in circuit.data:
        wires = [wire_of(circuit.find_bit(q).index, n) for q in inst.qubits]
        out.append((inst.operation.name, [float(a) for a in inst.operation.params], wires))
    return out


def _apply(name, angles, wires, *, cx_swapped=False, angle_factor=1.0, dagger=True, skip=()):
    if name in skip:
        return
    if name in ("sdg", "tdg"):
        gate = _ONE[name[0]](wires=wires)
        if dagger:
            qml.adjoint(gate)
        return
    if name == "cx" and cx_swapped:
        wires = wires[::-1]
    if name in ("rx", "ry", "rz"):
        angles = [a * angle_factor for a in angles]
    _ONE[name](*angles, wires=wires)


def _port(circuit, *, wire_of=lambda i, n: i, extra_wires=0, measure="state", **mistake):
    gates = _gates(circuit, wire_of)

    @qml.qnode(qml.device("default.qubit", wires=circuit.num_qubits + extra_wires))
    def ported():
        for name, angles, wires in gates:
            _apply(name, angles, wires, **mistake)
        return qml.probs() if measure == "probs" else qml.state()

    return ported()


def _port_phaseshift_style(circuit):
    """rz as PhaseShift and p as RZ (a global phase apart), S, T and their inverses as
    phase shifts, an if-chain instead of a table."""
    n = circuit.num_qubits
    ops = [
        (i.operation.name, i.operation.params, [circuit.qubits.index(q) for q in i.qubits])
        for i in circuit.data
    ]
    dev = qml.device("default.qubit", wires=range(n))

    def body():
        for name, params, w in ops:
            if name == "h":
                qml.Hadamard(w[0])
            elif name in ("x", "y", "z"):
                {"x": qml.PauliX, "y": qml.PauliY, "z": qml.PauliZ}[name](w[0])
            elif name in ("s", "sdg", "t", "tdg"):
                angle = {"s": np.pi / 2, "sdg": -np.pi / 2, "t": np.pi / 4, "tdg": -np.pi / 4}
                qml.PhaseShift(angle[name], wires=w[0])
            elif name == "rx":
                qml.RX(float(params[0]), wires=w[0])
            elif name == "ry":
                qml.RY(float(params[0]), wires=w[0])
            elif name == "rz":
                qml.PhaseShift(float(params[0]), wires=w[0])
            elif name == "p":
                qml.RZ(float(params[0]), wires=w[0])
            elif name == "cx":
                qml.CNOT(wires=w)
            elif name == "cz":
                qml.CZ(wires=w)
            elif name == "swap":
                qml.SWAP(wires=w)
        return qml.state()

    return qml.QNode(body, dev)()


def _port_generic(circuit):
    """Rotations through qml.Rot-free generic names: getattr on the qml module."""
    names = {
        "h": "Hadamard",
        "x": "PauliX",
        "y": "PauliY",
        "z": "PauliZ",
        "s": "S",
        "t": "T",
        "rx": "RX",
        "ry": "RY",
        "rz": "RZ",
        "p": "PhaseShift",
        "cx": "CNOT",
        "cz": "CZ",
        "swap": "SWAP",
    }
    gates = _gates(circuit)

    @qml.qnode(qml.device("default.qubit", wires=circuit.num_qubits))
    def ported():
        for name, angles, wires in gates:
            if name.endswith("dg"):
                qml.adjoint(getattr(qml, names[name[:-2]]))(wires=wires)
            else:
                getattr(qml, names[name])(*angles, wires=wires)
        return qml.state()

    return np.array(ported())


def _port_returns_qnode(circuit):
    gates = _gates(circuit)

    @qml.qnode(qml.device("default.qubit", wires=circuit.num_qubits))
    def ported():
        for name, angles, wires in gates:
            _apply(name, angles, wires)
        return qml.state()

    return ported  # not called


def _port_wires_reversed(circuit):
    return _port(circuit, wire_of=lambda i, n: n - 1 - i)


def _port_extra_wire(circuit):
    return _port(circuit, extra_wires=1)


def _port_probs(circuit):
    return _port(circuit, measure="probs")


def _port_stateprep(circuit):
    n = circuit.num_qubits
    state = Statevector(circuit).reverse_qargs().data

    @qml.qnode(qml.device("default.qubit", wires=n))
    def ported():
        qml.StatePrep(state, wires=range(n))
        return qml.state()

    return ported()


def _port_skips_swap(circuit):
    return _port(circuit, skip=("swap",))


def _port_cx_swapped(circuit):
    return _port(circuit, cx_swapped=True)


def _port_half_angles(circuit):
    return _port(circuit, angle_factor=0.5)


def _port_double_angles(circuit):
    return _port(circuit, angle_factor=2.0)


def _port_no_dagger(circuit):
    return _port(circuit, dagger=False)


def _port_skips_cz(circuit):
    return _port(circuit, skip=("cz",))


def _port_qiskit_circuit(circuit):
    return circuit


# ------------------------------------------------------------------------- the tables

PROMISES = [
    ("14.to_wire_order", "vector may be a list", _wire_order_arrays_only, "a list"),
    ("14.to_wire_order", "any n from 1 to 5", _wire_order_three_qubits_only, "a random"),
    ("14.to_wire_order", "complex amplitudes stay complex", _wire_order_real, "complex"),
    ("14.to_wire_order", "a flat vector of length 2^n", _wire_order_tensor, ""),
    ("14.to_wire_order", "exact, no global phase", _wire_order_with_phase, ""),
    ("14.port_circuit", "returns the state, not the QNode", _port_returns_qnode, ""),
    ("14.port_circuit", "qubit i on wire i", _port_wires_reversed, "circuit"),
    ("14.port_circuit", "one wire per qubit", _port_extra_wire, ""),
    ("14.port_circuit", "the QNode returns qml.state()", _port_probs, ""),
    ("14.port_circuit", "gate by gate, no Statevector or StatePrep", _port_stateprep, ""),
    ("14.port_circuit", "every gate of the set, swap included", _port_skips_swap, "hidden"),
]

CORRECT_STYLES = {
    "14.to_wire_order": [_wire_order_fortran, _wire_order_strings, _wire_order_statevector],
    "14.port_circuit": [_port_phaseshift_style, _port_generic],
}

PROMISE_HINTS = {
    "_wire_order_arrays_only": (),
    "_wire_order_three_qubits_only": (),
    "_wire_order_real": ("dropped the imaginary parts",),
    "_wire_order_tensor": ("flatten the tensor back",),
    "_wire_order_with_phase": (),
    "_port_returns_qnode": ("return the state the QNode gives",),
    "_port_wires_reversed": ("qubit order: this is the Qiskit statevector",),
    "_port_extra_wire": ("one wire per qubit",),
    "_port_probs": ("return qml.state(), not qml.probs()",),
    "_port_stateprep": ("port the circuit gate by gate",),
    "_port_skips_swap": ("the 'swap' gates are missing",),
}

MORE_MISTAKES = [
    ("14.to_wire_order", _wire_order_flipped, ("reversed the amplitudes (v[::-1])",)),
    ("14.to_wire_order", _wire_order_moveaxis, ("transposed the wrong axes",)),
    ("14.to_wire_order", _wire_order_unchanged, ("returned the vector unchanged",)),
    ("14.to_wire_order", _wire_order_unpadded, ("not padded to n bits",)),
    ("14.to_wire_order", _wire_order_unpadded_gather, ("not padded to n bits",)),
    ("14.port_circuit", _port_cx_swapped, ("CNOT control and target swapped",)),
    ("14.port_circuit", _port_half_angles, ("half the angle",)),
    ("14.port_circuit", _port_double_angles, ("double the angle",)),
    ("14.port_circuit", _port_no_dagger, ("sdg and tdg are the inverses",)),
    ("14.port_circuit", _port_skips_cz, ("the 'cz' gates are missing",)),
    ("14.port_circuit", _port_qiskit_circuit, ("this is a Qiskit object",)),
]
