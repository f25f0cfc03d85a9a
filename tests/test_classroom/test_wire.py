"""The sandbox wire format: plain data only, never pickle."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector

from autograder.classroom import wire


def roundtrip(value):
    return wire.decode(wire.encode(value))


def test_numbers_arrays_and_containers():
    value = {"a": [1, 2.5, -3j], "b": (np.arange(4).reshape(2, 2), None, True), 3: "x"}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, -3j] and out[3] == "x"
    np.testing.assert_array_equal(out["b"][0], np.arange(4).reshape(2, 2))
    assert np.isnan(roundtrip(float("nan"))) and roundtrip(float("inf")) == float("inf")
    assert roundtrip(np.float32(0.5)) == 0.5 and roundtrip(2**70) == 2**70


def test_qiskit_values():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    assert roundtrip(qc) == qc
    sv = roundtrip(Statevector(qc))
    assert isinstance(sv, Statevector) and sv.equiv(Statevector(qc))
    op = roundtrip(SparsePauliOp(["ZZ", "XI"], [1.0, -0.5]))
    assert op == SparsePauliOp(["ZZ", "XI"], [1.0, -0.5])


def test_object_arrays_are_refused_not_pickled():
    with pytest.raises(wire.WireError):
        wire.encode(np.array([object()], dtype=object))


def test_unknown_objects_become_handles_only_when_allowed():
    class Model:
        def predict(self, x):
            return x

    with pytest.raises(wire.WireError):
        wire.encode(Model())
    data = wire.encode(
        Model(), handle=lambda v: {"__handle__": 1, "type": "Model", "attrs": ["predict"]}
    )
    assert data["__handle__"] == 1


def test_pickle_payloads_are_never_loaded():
    import base64
    import io
    import pickle

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    evil = {"__ndarray__": base64.b64encode(buf.getvalue()).decode()}
    with pytest.raises(ValueError):
        wire.decode(evil)
    with pytest.raises(wire.WireError):
        wire.decode({"__pickle__": base64.b64encode(pickle.dumps(1)).decode()})


def test_frames():
    import io

    stream = io.BytesIO(wire.dumps({"a": 1}) + wire.dumps({"b": 2}))
    assert wire.read_frame(stream) == {"a": 1}
    assert wire.read_frame(stream) == {"b": 2}
    assert wire.read_frame(stream) is None


def test_a_circuit_is_read_in_a_process_near_its_memory_limit():
    """The QPY vetting child lowers its memory limit to what it uses plus QPY_VET_BYTES.
    In a sandbox whose own hard limit is closer than that (a lesson that imported much,
    as lesson 11 does), raising the limit was refused with ValueError and every circuit
    argument was 'could not be read'. The child must stay within the hard limit."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import resource
        from qiskit import QuantumCircuit
        from autograder.classroom import wire
        qc = QuantumCircuit(2)
        qc.h(0)
        qc.cx(0, 1)
        data = wire.encode(qc)
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
        limit = used + wire.QPY_VET_BYTES // 2  # less headroom than the child asks for
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        assert wire.decode(data) == qc
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
