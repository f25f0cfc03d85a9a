"""Lesson 11 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.transpiler import generate_preset_pass_manager

from autograder import check
from qmlkit import sim

# ----------------------------------------------------------------- transpile_for_backend


def test_transpile_alternatives():
    def level2(circuit, backend):
        return generate_preset_pass_manager(2, backend, seed_transpiler=99).run(circuit)

    def with_transpile(circuit, backend):
        return transpile(circuit, backend=backend, optimization_level=3, seed_transpiler=5)

    for fn in (level2, with_transpile):
        r = check("11.transpile_for_backend", fn)
        assert r.passed, r.feedback


def test_transpile_mistakes():
    def unchanged(circuit, backend):
        return circuit

    def basis_only(circuit, backend):  # translated, but not routed
        return transpile(circuit, basis_gates=list(backend.operation_names), optimization_level=0)

    def layout_dropped(circuit, backend):
        isa = generate_preset_pass_manager(3, backend, seed_transpiler=5).run(circuit)
        out = QuantumCircuit(isa.num_qubits)
        for inst in isa.data:
            out.append(inst)
        return out

    r = check("11.transpile_for_backend", unchanged)
    assert r.score == 0 and "forbidden gate" in r.feedback
    r = check("11.transpile_for_backend", basis_only)
    assert not r.passed and "uncoupled pair" in r.feedback
    r = check("11.transpile_for_backend", layout_dropped)
    assert not r.passed and "keep its .layout" in r.feedback


# ---------------------------------------------------------------------------- fold_gates


def _check_scale(scale):
    if int(scale) != scale or scale < 1 or scale % 2 == 0:
        raise ValueError("odd positive scale needed")


def global_folding(circuit, scale):
    """U (U^dagger U)^k: fold the whole circuit at once."""
    _check_scale(scale)
    out = circuit.copy()
    for _ in range((scale - 1) // 2):
        out.compose(circuit.inverse(), inplace=True)
        out.compose(circuit, inplace=True)
    return out


def gate_by_gate(circuit, scale):
    _check_scale(scale)
    out = QuantumCircuit(*circuit.qregs)
    for inst in circuit.data:
        ops = [inst.operation, inst.operation.inverse()] * ((scale - 1) // 2) + [inst.operation]
        for op in ops:
            out.append(op, inst.qubits)
    return out


def test_fold_alternatives():
    for fn in (global_folding, gate_by_gate):
        r = check("11.fold_gates", fn)
        assert r.passed, r.feedback


def test_fold_mistakes():
    def no_inverse(circuit, scale):
        _check_scale(scale)
        out = circuit.copy()
        for _ in range(scale - 1):
            out.compose(circuit, inplace=True)
        return out

    def ends_with_inverse(circuit, scale):
        _check_scale(scale)
        out = global_folding(circuit, scale)
        out.compose(circuit.inverse(), inplace=True)  # one fold too many: G G† ... G†
        return out

    def not_folded(circuit, scale):
        _check_scale(scale)
        return circuit.copy()

    def no_value_error(circuit, scale):
        return (
            global_folding(circuit, 1)
            if scale % 2 == 0 or scale < 1
            else global_folding(circuit, scale)
        )

    r = check("11.fold_gates", no_inverse)
    assert not r.passed and "G G G" in r.feedback
    r = check("11.fold_gates", ends_with_inverse)
    assert not r.passed and "cancels to the identity" in r.feedback
    r = check("11.fold_gates", not_folded)
    assert r.score == 2 and "not folded" in r.feedback
    r = check("11.fold_gates", no_value_error)
    assert r.score == 4 and "should raise ValueError" in r.feedback


# ------------------------------------------------------------------ richardson_extrapolate


def test_richardson_alternatives():
    def with_polyfit(scales, values):
        coeffs = np.polyfit(scales, values, len(scales) - 1)
        return np.polyval(coeffs, 0.0)  # a NumPy scalar

    def with_vandermonde(scales, values):
        vander = np.vander(np.asarray(scales, dtype=float), increasing=True)
        return float(np.linalg.solve(vander, values)[0])

    for fn in (with_polyfit, with_vandermonde):
        assert check("11.richardson_extrapolate", fn).passed


def test_richardson_mistakes():
    def linear_fit(scales, values):
        return float(np.polyval(np.polyfit(scales, values, 1), 0.0))

    def to_scale_one(scales, values):
        return float(np.polyval(np.polyfit(scales, values, len(scales) - 1), 1.0))

    def coefficients(scales, values):
        return np.polyfit(scales, values, len(scales) - 1)

    r = check("11.richardson_extrapolate", linear_fit)
    assert not r.passed and "linear fit instead of the exact polynomial" in r.feedback
    r = check("11.richardson_extrapolate", to_scale_one)
    assert r.score == 0 and "zero noise is scale 0" in r.feedback
    r = check("11.richardson_extrapolate", coefficients)
    assert r.score == 0 and "not its coefficients" in r.feedback


# -------------------------------------------------------------------- run_bell_experiment


def _bell(measure=True):
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def with_sim_counts(backend, shots):
    return sim.counts(_bell(), shots=shots, backend=backend)


def with_classical_register(backend, shots):
    qc = QuantumCircuit(2, 2)
    qc.h(1)  # the other qubit as control: Phi+ is symmetric
    qc.cx(1, 0)
    qc.measure([0, 1], [0, 1])
    result = backend.sampler.run([backend.isa(qc)], shots=shots).result()[0]
    return dict(result.data.c.get_counts())


def test_bell_alternatives():
    for fn in (with_sim_counts, with_classical_register):
        r = check("11.run_bell_experiment", fn)
        assert r.passed, r.feedback


def test_bell_mistakes():
    def no_measurement(backend, shots):
        result = backend.sampler.run([backend.isa(_bell(False))], shots=shots).result()[0]
        return next(iter(result.data.values())).get_counts()

    def probabilities(backend, shots):
        counts = with_sim_counts(backend, shots)
        return {k: v / shots for k, v in counts.items()}

    def fixed_shots(backend, shots):
        return with_sim_counts(backend, 1000)

    r = check("11.run_bell_experiment", no_measurement)
    assert r.score == 0 and "missing measurement" in r.feedback
    r = check("11.run_bell_experiment", probabilities)
    assert r.score == 0 and "probabilities instead of counts" in r.feedback
    r = check("11.run_bell_experiment", lambda backend, shots: {"00": float("nan"), "11": 3})
    assert r.score == 0 and r.error is None and "non-negative integers" in r.feedback
    r = check("11.run_bell_experiment", lambda backend, shots: [("00", shots)])
    assert r.score == 0 and r.error is None and "counts dict" in r.feedback
    r = check("11.run_bell_experiment", fixed_shots)
    assert r.score == 1 and "wrong shot count" in r.feedback
