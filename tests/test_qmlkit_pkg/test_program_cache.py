"""qmlkit.statevec.cache: compiled programs reused across calls and objects, never confused."""

import threading

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Gate, Parameter, ParameterVector
from qiskit.circuit.library import UnitaryGate, z_feature_map, zz_feature_map

from qmlkit import kernels
from qmlkit.errors import InputError
from qmlkit.kernels import FidelityKernel, ProjectedKernel
from qmlkit.statevec import cache, cached_program, clear_program_cache, program_cache_info


@pytest.fixture(autouse=True)
def empty_cache():
    clear_program_cache()
    yield
    clear_program_cache()


@pytest.fixture
def compilations(monkeypatch):
    """The circuits compile_circuit was called with, through the cache."""
    seen = []
    original = cache.compile_circuit

    def counting(circuit):
        seen.append(circuit)
        return original(circuit)

    monkeypatch.setattr(cache, "compile_circuit", counting)
    return seen


def test_a_second_kernel_on_an_equal_feature_map_does_not_recompile(compilations):
    X = np.random.default_rng(0).uniform(0, np.pi, (6, 3))
    first = FidelityKernel(zz_feature_map(3, reps=2)).evaluate(X)
    assert len(compilations) == 1
    again = FidelityKernel(zz_feature_map(3, reps=2))  # a new, equal circuit object
    np.testing.assert_array_equal(again.evaluate(X), first)
    again.evaluate(X[:2], X)
    ProjectedKernel(zz_feature_map(3, reps=2)).evaluate(X)  # shares it too
    assert len(compilations) == 1
    assert again._compiled() is cached_program(zz_feature_map(3, reps=2))
    info = program_cache_info()
    assert info["compilations"] == 1 and info["hits"] >= 2 and info["size"] == 1


def _named(inner: QuantumCircuit, name: str) -> Gate:
    gate = inner.to_gate()
    gate.name = name
    return gate


def _pairs_that_differ():
    x, y = ParameterVector("x", 2), ParameterVector("y", 2)

    def ry_cx(params, order=(0, 1), angle=None):
        qc = QuantumCircuit(2)
        qc.ry(params[0], order[0])
        qc.ry(params[1] if angle is None else angle * params[1], order[1])
        qc.cx(*order)
        return qc

    def with_gate(angle):
        qc = QuantumCircuit(2)
        qc.ry(x[0], 0)
        qc.rx(x[1], 1)
        qc.append(_named(_one(angle), "mine"), [1])  # same name, different definitions
        return qc

    def with_unitary(theta):
        qc = ry_cx(x)
        c, s = np.cos(theta), np.sin(theta)
        qc.append(UnitaryGate(np.array([[c, -s], [s, c]])), [0])
        return qc

    a, b = Parameter("a"), Parameter("b")
    named_ab, named_ba = QuantumCircuit(1), QuantumCircuit(1)
    named_ab.rx(a, 0)
    named_ab.rz(b, 0)
    named_ba.rx(b, 0)  # same gates, the parameters bound the other way round
    named_ba.rz(a, 0)
    phased = ry_cx(x)
    phased.global_phase = 0.3
    return {
        "z vs zz map": (z_feature_map(2), zz_feature_map(2)),
        "reps": (zz_feature_map(2, reps=1), zz_feature_map(2, reps=2)),
        "qubit order": (ry_cx(x), ry_cx(x, order=(1, 0))),
        "parameter names": (ry_cx(x), ry_cx(y)),
        "expression": (ry_cx(x, angle=2.0), ry_cx(x, angle=2.0000000000000004)),
        "custom gate definitions": (with_gate(0.1), with_gate(0.2)),
        "unitary matrices": (with_unitary(0.1), with_unitary(0.2)),
        "parameter order": (named_ab, named_ba),
        "global phase": (ry_cx(x), phased),
    }


def _one(angle: float) -> QuantumCircuit:
    qc = QuantumCircuit(1)
    qc.ry(angle, 0)
    return qc


@pytest.mark.parametrize("case", sorted(_pairs_that_differ()))
def test_different_circuits_do_not_collide(case, compilations):
    first, second = _pairs_that_differ()[case]
    p, q = cached_program(first), cached_program(second)
    assert p is not q and len(compilations) == 2
    values = np.random.default_rng(1).uniform(0, np.pi, (4, first.num_parameters))
    from qmlkit.statevec import compile_circuit

    # each program is its own circuit's (equal to a fresh compile)
    np.testing.assert_allclose(p.run(values), compile_circuit(first).run(values), atol=1e-14)
    np.testing.assert_allclose(q.run(values), compile_circuit(second).run(values), atol=1e-14)
    assert cached_program(first) is p and cached_program(second) is q
    assert len(compilations) == 2


def test_the_cache_is_bounded_least_recently_used_first(monkeypatch, compilations):
    monkeypatch.setattr(cache, "CACHE_SIZE", 2)
    maps = [zz_feature_map(2, reps=r) for r in (1, 2, 3)]
    one = cached_program(maps[0])
    cached_program(maps[1])
    assert cached_program(maps[0]) is one  # now the most recently used
    cached_program(maps[2])  # evicts reps=2, the least recently used
    assert program_cache_info()["size"] == 2 and len(compilations) == 3
    assert cached_program(maps[0]) is one and len(compilations) == 3
    cached_program(maps[1])
    assert len(compilations) == 4


def test_the_cache_is_bounded_in_bytes(monkeypatch, compilations):
    from qmlkit.statevec import compile_circuit

    small, large = zz_feature_map(2, reps=1), zz_feature_map(6, reps=2)
    small_bytes = cache.program_bytes(compile_circuit(small))
    large_bytes = cache.program_bytes(compile_circuit(large))
    assert 0 < small_bytes < large_bytes
    monkeypatch.setattr(cache, "CACHE_BYTES", large_bytes)
    cached_program(small)
    cached_program(large)  # both together exceed the allowance: the older one goes
    info = program_cache_info()
    assert info["size"] == 1 and info["bytes"] == large_bytes <= info["maxbytes"]
    cached_program(large)
    assert len(compilations) == 2
    monkeypatch.setattr(cache, "CACHE_BYTES", small_bytes)
    cached_program(zz_feature_map(6, reps=3))  # larger than the allowance: not kept
    assert program_cache_info()["size"] == 1 and len(compilations) == 3


def test_threads_share_one_program(compilations):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            results.append(cached_program(zz_feature_map(4, reps=2)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 8
    assert all(r is results[0] for r in results)  # a racing duplicate is dropped
    assert 1 <= len(compilations) <= 8 and program_cache_info()["size"] == 1


def test_not_a_circuit_is_a_clear_error():
    with pytest.raises(InputError, match="QuantumCircuit"):
        cached_program("zz_feature_map(2)")


def test_kernels_module_uses_the_cache():
    assert kernels.cached_program is cached_program
