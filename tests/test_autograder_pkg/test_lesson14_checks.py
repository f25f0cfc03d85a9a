"""Lesson 14 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
import pennylane as qml
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from autograder import check, get_exercise
from autograder.checks.lesson14 import _PORT_CASES, example_circuit, random_circuit

# ---------------------------------------------------------------------- 14.to_wire_order


def test_to_wire_order_alternatives():
    def with_einsum_free_loop(vector):
        v = list(vector)
        n = len(v).bit_length() - 1
        out = [0j] * len(v)
        for k, amp in enumerate(v):
            bits = [(k >> j) & 1 for j in range(n)]  # bit j of k
            r = sum(b << (n - 1 - j) for j, b in enumerate(bits))
            out[r] = amp
        return np.array(out)

    def with_fortran_reshape(vector):
        v = np.asarray(vector)
        n = int(np.log2(v.size))
        return v.reshape((2,) * n, order="F").ravel()

    def with_statevector(vector):
        return Statevector(np.asarray(vector, dtype=complex)).reverse_qargs().data

    for fn in (with_einsum_free_loop, with_fortran_reshape, with_statevector):
        r = check("14.to_wire_order", fn)
        assert r.passed and r.score == 5, (fn.__name__, r.feedback)


def test_to_wire_order_mistakes():
    r = check("14.to_wire_order", lambda v: np.asarray(v)[::-1])
    assert r.score == 0 and "reversed the amplitudes (v[::-1])" in r.feedback

    def swap_first_two_axes(v):
        v = np.asarray(v)
        n = v.size.bit_length() - 1
        return v.reshape([2] * n).swapaxes(0, 1).reshape(-1) if n > 1 else v

    r = check("14.to_wire_order", swap_first_two_axes)
    # right for 1 and 2 qubits (swapping the only two axes reverses them), wrong from 3 on
    assert not r.passed and "transposed the wrong axes" in r.feedback
    assert r.score == 0.5 + 0.75

    def unpadded(v):
        v = np.asarray(v)
        return np.array([v[int(bin(k)[2:][::-1], 2)] for k in range(v.size)])

    r = check("14.to_wire_order", unpadded)
    assert not r.passed and "not padded to n bits" in r.feedback

    def as_float(v):
        v = np.asarray(v).real
        n = v.size.bit_length() - 1
        return v.reshape([2] * n).T.reshape(-1)

    r = check("14.to_wire_order", as_float)
    assert not r.passed and "dropped the imaginary parts" in r.feedback
    assert r.score == 1.0 + 0.5  # the real example and the probability vector


def test_to_wire_order_odd_outputs_are_clear_failures():
    r = check("14.to_wire_order", lambda v: None)
    assert r.score == 0 and r.error is None and "forget `return`" in r.feedback
    r = check("14.to_wire_order", lambda v: "0110")
    assert r.score == 0 and r.error is None and "NumPy array" in r.feedback
    r = check("14.to_wire_order", lambda v: np.asarray(v)[:1])
    assert r.score == 0 and "length" in r.feedback


# ----------------------------------------------------------------------- 14.port_circuit


def test_hidden_circuits_use_the_whole_gate_set():
    for _, n, depth, seed in _PORT_CASES:
        names = set(random_circuit(n, depth, seed).count_ops())
        expected = {"h", "x", "y", "z", "s", "sdg", "t", "tdg", "rx", "ry", "rz", "p"}
        if n >= 2:
            expected |= {"cx", "cz", "swap"}
        assert names == expected
    assert random_circuit(3, 18, 1) == random_circuit(3, 18, 1)


def test_port_circuit_alternatives():
    def with_matrix_free_dispatch(circuit):
        """A dispatch on the gate's class name; rz as PhaseShift, p as RZ (global phase)."""
        n = circuit.num_qubits
        todo = []
        for inst in circuit.data:
            todo.append(
                (
                    inst.operation.name,
                    inst.operation.params,
                    [circuit.qubits.index(q) for q in inst.qubits],
                )
            )

        def qfunc():
            for name, params, wires in todo:
                if name == "rz":
                    qml.PhaseShift(float(params[0]), wires=wires)
                elif name == "p":
                    qml.RZ(float(params[0]), wires=wires)
                elif name in ("sdg", "tdg"):
                    qml.adjoint(qml.S if name == "sdg" else qml.T)(wires=wires)
                elif name == "cx":
                    qml.CNOT(wires=wires)
                else:
                    op = {
                        "h": qml.H,
                        "x": qml.X,
                        "y": qml.Y,
                        "z": qml.Z,
                        "s": qml.S,
                        "t": qml.T,
                        "rx": qml.RX,
                        "ry": qml.RY,
                        "cz": qml.CZ,
                        "swap": qml.SWAP,
                    }[name]
                    op(*[float(a) for a in params], wires=wires)
            return qml.state()

        return qml.QNode(qfunc, qml.device("default.qubit", wires=n))()

    def via_lightning(circuit):
        dev = qml.device("lightning.qubit", wires=circuit.num_qubits)

        @qml.qnode(dev)
        def run():
            for inst in circuit.data:
                w = [circuit.find_bit(q).index for q in inst.qubits]
                name, ps = inst.operation.name, [float(p) for p in inst.operation.params]
                if name == "sdg":
                    qml.PhaseShift(-np.pi / 2, wires=w)
                elif name == "tdg":
                    qml.PhaseShift(-np.pi / 4, wires=w)
                else:
                    getattr(
                        qml,
                        {
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
                        }[name],
                    )(*ps, wires=w)
            return qml.state()

        return list(run())  # a list is fine

    for fn in (with_matrix_free_dispatch, via_lightning):
        r = check("14.port_circuit", fn)
        assert r.passed and r.score == get_exercise("14.port_circuit").points, (
            fn.__name__,
            r.feedback,
        )


def _ported(circuit, wire=lambda i, n: i, cx=lambda w: w, factor=1.0):
    n = circuit.num_qubits

    @qml.qnode(qml.device("default.qubit", wires=n))
    def run():
        for inst in circuit.data:
            w = [wire(circuit.find_bit(q).index, n) for q in inst.qubits]
            name = inst.operation.name
            ps = [
                factor * float(p) if name in ("rx", "ry", "rz") else float(p)
                for p in inst.operation.params
            ]
            if name in ("sdg", "tdg"):
                qml.adjoint(qml.S if name == "sdg" else qml.T)(wires=w)
            elif name == "cx":
                qml.CNOT(wires=cx(w))
            else:
                {
                    "h": qml.H,
                    "x": qml.X,
                    "y": qml.Y,
                    "z": qml.Z,
                    "s": qml.S,
                    "t": qml.T,
                    "rx": qml.RX,
                    "ry": qml.RY,
                    "rz": qml.RZ,
                    "p": qml.PhaseShift,
                    "cz": qml.CZ,
                    "swap": qml.SWAP,
                }[name](*ps, wires=w)
        return qml.state()

    return run()


def test_port_circuit_is_right_for_the_reference_port():
    assert check("14.port_circuit", _ported).passed


def test_port_circuit_qubit_order_mistake_is_named():
    r = check("14.port_circuit", lambda c: _ported(c, wire=lambda i, n: n - 1 - i))
    assert not r.passed and "qubit order: this is the Qiskit statevector" in r.feedback
    assert r.score == 1.0  # only the 1-qubit circuit survives


def test_port_circuit_mistakes():
    r = check("14.port_circuit", lambda c: _ported(c, cx=lambda w: w[::-1]))
    assert not r.passed and "CNOT control and target swapped" in r.feedback
    r = check("14.port_circuit", lambda c: _ported(c, factor=0.5))
    assert r.score == 0 and "half the angle" in r.feedback

    def from_qiskit(circuit):
        return Statevector(circuit).reverse_qargs().data  # right numbers, no port

    r = check("14.port_circuit", from_qiskit)
    assert r.score == 0 and "uses Statevector" in r.feedback

    def returns_probabilities(circuit):
        return np.abs(_ported(circuit)) ** 2

    r = check("14.port_circuit", returns_probabilities)
    assert r.score == 0 and "qml.probs()" in r.feedback


def test_the_example_circuit_is_the_lessons():
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.ry(0.8, 2)
    qc.rz(0.5, 1)
    qc.p(0.3, 2)
    qc.sdg(0)
    qc.cz(1, 2)
    assert qc == example_circuit()
