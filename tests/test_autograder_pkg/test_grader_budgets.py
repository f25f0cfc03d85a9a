"""The trusted side bounds its own work, and a crashing hint never costs a learner.

A learner's answer is checked in the grader's own process: a circuit whose simulation
would take minutes must fail its case at once with a message, and a diagnosis helper that
trips over an odd answer must leave a plain "wrong answer" instead of a grader error.
"""

from __future__ import annotations

import base64
import io
import json
import time

import numpy as np
import pytest
from qiskit import QuantumCircuit, qpy

from autograder import check
from autograder import compare as cmp
from autograder.checks import lesson03
from autograder.classroom import wire
from autograder.errors import CheckBudget


def _nested(levels: int, copies: int) -> QuantumCircuit:
    """A circuit whose custom gates expand to copies**levels X gates."""
    inner = QuantumCircuit(1)
    inner.x(0)
    for level in range(levels):
        outer = QuantumCircuit(1)
        gate = inner.to_gate(label=f"g{level}")
        gate.name = f"g{level}"
        for _ in range(copies):
            outer.append(gate, [0])
        inner = outer
    return inner


def test_exponentially_nested_gates_are_refused_quickly():
    qc = _nested(levels=3, copies=100)  # 10**6 X gates once expanded (building more is slow)
    started = time.perf_counter()
    with pytest.raises(CheckBudget, match="too large to check"):
        cmp.gate_counts(qc)
    assert time.perf_counter() - started < 5
    assert cmp.gate_counts(_nested(levels=2, copies=10)) == {"x": 100}


def test_statevector_and_unitary_budgets():
    wide = QuantumCircuit(26)
    wide.h(range(26))
    with pytest.raises(CheckBudget, match="at most 24 qubits"):
        cmp.circuit_state(wide)
    tall = QuantumCircuit(11)
    for _ in range(2000):
        tall.cx(0, 1)
    with pytest.raises(CheckBudget, match="its unitary"):
        cmp.to_operator(tall)
    small = QuantumCircuit(2)
    small.h(0)
    small.cx(0, 1)
    assert np.allclose(cmp.circuit_state(small), np.array([1, 0, 0, 1]) / np.sqrt(2))


def test_a_huge_circuit_answer_fails_its_case_fast():
    gate = _nested(levels=3, copies=80).to_gate(label="huge")  # 512,000 X gates inside
    gate.name = "huge"

    def x_on_qubit(n, k):
        qc = QuantumCircuit(n)
        qc.append(gate, [k])
        return qc

    started = time.perf_counter()
    result = check("00.x_on_qubit", x_on_qubit)
    assert time.perf_counter() - started < 20
    assert result.score == 0 and result.error is None
    assert "too large to check" in result.feedback


def test_a_crashing_hint_leaves_a_plain_wrong_answer():
    # keep=[0, 2] of 3 qubits is 4x4; the traced-out complement is 2x2: the hint compared
    # them and crashed with "operands could not be broadcast"
    state = np.zeros(8, dtype=complex)
    state[0] = state[7] = 1 / np.sqrt(2)
    assert lesson03._rdm_hint(np.eye(4) / 4, state, [0, 2]) is None

    def reduced_density_matrix(state, keep):
        return np.eye(2 ** len(keep)) / 2 ** len(keep)  # maximally mixed: wrong in general

    result = check("03.reduced_density_matrix", reduced_density_matrix)
    assert result.error is None and not result.passed
    assert "internal grader error" not in result.feedback


def test_every_hint_helper_is_guarded():
    from autograder.engine import _load_all, exercises

    _load_all()
    exercises()
    import importlib
    import pkgutil

    import autograder.checks as pkg

    names = []
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"autograder.checks.{info.name}")
        for name, fn in vars(module).items():
            if callable(fn) and cmp._DIAGNOSIS_NAME.search(name) and hasattr(fn, "__code__"):
                names.append(name)
                assert getattr(fn, "__guarded__", False), f"{info.name}.{name} is not guarded"
    assert len(names) > 10
    assert cmp.diagnose_state("not a state", None) is None


def _frame(body: bytes) -> io.BytesIO:
    return io.BytesIO(len(body).to_bytes(8, "big") + body)


def test_malformed_frames_are_wire_errors():
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(wire.WireError):
        wire.read_frame(_frame(deep))
    with pytest.raises(wire.WireError, match="not a JSON object"):
        wire.read_frame(_frame(b"[1, 2]"))
    with pytest.raises(wire.WireError, match="over the limit"):
        wire.read_frame(io.BytesIO((2**60).to_bytes(8, "big")), limit=wire.SANDBOX_FRAME_LIMIT)
    assert wire.read_frame(_frame(json.dumps({"a": 1}).encode())) == {"a": 1}


def test_decoding_refuses_what_the_grader_must_not_do(monkeypatch):
    with pytest.raises(wire.WireError, match="cannot be used in grading"):
        wire.decode({"__backend__": "ibm"})
    with pytest.raises(wire.WireError, match="unknown fake backend"):
        wire.decode({"__fakebackend__": "os"})
    with pytest.raises(wire.WireError, match="too large"):
        wire.decode({"__qpy__": "A" * (wire.QPY_LIMIT + 4)})
    # QPY stores a custom gate's definition with every use, so within the size limit a
    # circuit stays far below the real operation budget: lower the budget to test it
    monkeypatch.setattr(cmp, "MAX_CIRCUIT_OPS", 1000)
    buf = io.BytesIO()
    qpy.dump(_nested(levels=2, copies=40), buf)
    with pytest.raises(wire.WireError, match="too large to check"):
        wire.decode({"__qpy__": base64.b64encode(buf.getvalue()).decode()})
    assert wire.decode({"__backend__": "fake:manila"}).name.endswith("manila")
