"""Reference solutions for lesson 11 (running on IBM Quantum)."""

from __future__ import annotations

from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager


def transpile_for_backend(circuit: QuantumCircuit, backend: Any) -> QuantumCircuit:
    """ISA circuit for a Qiskit ``BackendV2`` (a qmlkit ``Backend`` is unwrapped)."""
    target_backend = getattr(backend, "backend", backend)
    pm = generate_preset_pass_manager(
        optimization_level=3, backend=target_backend, seed_transpiler=7
    )
    return pm.run(circuit)


def fold_gates(circuit: QuantumCircuit, scale: int) -> QuantumCircuit:
    """Local unitary folding: every gate G becomes G (G^dagger G)^((scale - 1) / 2)."""
    if (
        isinstance(scale, bool)
        or not isinstance(scale, (int, np.integer))
        or scale < 1
        or scale % 2 == 0
    ):
        raise ValueError(f"scale must be a positive odd integer (1, 3, 5, ...), got {scale!r}")
    folded = circuit.copy_empty_like()
    repeats = (int(scale) - 1) // 2
    for inst in circuit.data:
        folded.append(inst)
        if inst.operation.name == "barrier":
            continue
        inverse = inst.replace(operation=inst.operation.inverse())
        for _ in range(repeats):
            folded.append(inverse)
            folded.append(inst)
    return folded


def richardson_extrapolate(scales, values) -> float:
    """Value at 0 of the interpolating polynomial (Lagrange form)."""
    s = np.asarray(scales, dtype=float)
    v = np.asarray(values, dtype=float)
    total = 0.0
    for i in range(s.size):
        others = np.delete(s, i)
        total += v[i] * np.prod(others / (others - s[i]))
    return float(total)


def run_bell_experiment(backend: Any, shots: int) -> dict:
    """Prepare Phi+, measure both qubits on a qmlkit backend, return the counts."""
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    isa = backend.isa(qc)
    result = backend.sampler.run([isa], shots=shots).result()[0]
    return result.data.meas.get_counts()
