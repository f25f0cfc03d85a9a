"""Reference solutions for lesson 14 (the same model in Qiskit, PennyLane, Cirq and PyTorch).

``to_wire_order`` reverses the bits of every index with integer arithmetic; the lesson's
own solution reshapes into a tensor and reverses its axes, so the tests see two independent
implementations. ``port_circuit`` builds a PennyLane QNode from a table of gate
constructors, keeping Qiskit's qubit i on PennyLane's wire i, and returns its state.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_wire_order(vector) -> np.ndarray:
    """The same vector with the bits of every index reversed: it converts a state or
    probability vector from Qiskit's order (qubit 0 = least-significant bit) to
    PennyLane's and Cirq's (wire 0 = most-significant bit), and back."""
    v = np.asarray(vector)
    n = v.size.bit_length() - 1
    out = np.empty_like(v)
    for k in range(v.size):
        r = 0
        for bit in range(n):
            if k >> bit & 1:
                r |= 1 << (n - 1 - bit)
        out[r] = v[k]
    return out


def port_circuit(circuit) -> np.ndarray:
    """The state ``qml.state()`` of a PennyLane QNode that applies the gates of the Qiskit
    ``circuit`` (Qiskit's qubit i on wire i), on a ``default.qubit`` device."""
    import pennylane as qml

    def one_qubit(gate: Any) -> Any:
        return lambda params, wires: gate(wires=wires[0])

    def rotation(gate: Any) -> Any:
        return lambda params, wires: gate(float(params[0]), wires=wires[0])

    table = {
        "h": one_qubit(qml.Hadamard),
        "x": one_qubit(qml.PauliX),
        "y": one_qubit(qml.PauliY),
        "z": one_qubit(qml.PauliZ),
        "s": one_qubit(qml.S),
        "sdg": lambda params, wires: qml.adjoint(qml.S(wires=wires[0])),
        "t": one_qubit(qml.T),
        "tdg": lambda params, wires: qml.adjoint(qml.T(wires=wires[0])),
        "rx": rotation(qml.RX),
        "ry": rotation(qml.RY),
        "rz": rotation(qml.RZ),
        "p": rotation(qml.PhaseShift),
        "cx": lambda params, wires: qml.CNOT(wires=wires),
        "cz": lambda params, wires: qml.CZ(wires=wires),
        "swap": lambda params, wires: qml.SWAP(wires=wires),
    }
    ops = []
    for inst in circuit.data:
        name = inst.operation.name
        if name == "barrier":
            continue
        if name not in table:
            raise ValueError(f"gate {name!r} is not in the supported gate set")
        wires = [circuit.find_bit(q).index for q in inst.qubits]
        ops.append((table[name], list(inst.operation.params), wires))

    dev = qml.device("default.qubit", wires=circuit.num_qubits)

    @qml.qnode(dev)
    def state():
        for make, params, wires in ops:
            make(params, wires)
        return qml.state()

    return np.asarray(state())
