"""Lesson 07 checks: alternative correct answers pass, typical mistakes fail with hints."""

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Statevector
from scipy.optimize import minimize

from autograder import check

# --------------------------------------------------------------- parameter-shift gradient


def test_parameter_shift_alternatives():
    def general_shift(f, params):
        s = np.pi / 4  # any shift works with the 1/(2 sin s) factor
        out = []
        for k in range(len(params)):
            plus = list(params)
            minus = list(params)
            plus[k] += s
            minus[k] -= s
            out.append((f(plus) - f(minus)) / (2 * np.sin(s)))
        return out

    def vectorised(f, params):
        params = np.asarray(params, dtype=float)
        shifts = np.eye(len(params)) * np.pi / 2
        return np.array([f(params + d) - f(params - d) for d in shifts]) / 2

    for fn in (general_shift, vectorised):
        r = check("07.parameter_shift_gradient", fn)
        assert r.passed, r.feedback


def _shift_rule(f, params, s, factor):
    params = np.asarray(params, dtype=float)
    g = np.zeros(len(params))
    for k in range(len(params)):
        e = np.zeros(len(params))
        e[k] = s
        g[k] = factor * (f(params + e) - f(params - e))
    return g


def test_parameter_shift_mistakes():
    def central_differences(f, params):
        return _shift_rule(f, params, 1e-4, 1 / 2e-4)

    def forward_differences(f, params):
        params = np.asarray(params, dtype=float)
        f0 = f(params)
        return np.array([(f(params + 1e-6 * e) - f0) / 1e-6 for e in np.eye(len(params))])

    r = check("07.parameter_shift_gradient", central_differences)
    assert r.score == 0 and "finite differences are not exact" in r.feedback
    r = check("07.parameter_shift_gradient", forward_differences)
    assert r.score == 0 and "finite differences are not exact" in r.feedback
    r = check("07.parameter_shift_gradient", lambda f, p: _shift_rule(f, p, np.pi / 4, 0.5))
    assert not r.passed and "shift of π/4" in r.feedback
    r = check("07.parameter_shift_gradient", lambda f, p: _shift_rule(f, p, np.pi / 2, 1.0))
    assert not r.passed and "factor 1/2 is missing" in r.feedback
    r = check("07.parameter_shift_gradient", lambda f, p: _shift_rule(f, p, np.pi / 2, 0.5)[:1])
    assert r.score == 0 and "wrong shape" in r.feedback


# -------------------------------------------------------------------------------- VQE


def test_vqe_alternatives():
    def qiskit_circuit_vqe(hamiltonian):
        p = ParameterVector("w", 12)
        qc = QuantumCircuit(2)
        k = 0
        for layer in range(3):
            for q in range(2):
                qc.ry(p[k], q)
                qc.rz(p[k + 1], q)
                k += 2
            if layer < 2:
                qc.cx(1, 0)  # the other qubit as control

        def energy(w):
            return Statevector(qc.assign_parameters(w)).expectation_value(hamiltonian).real

        rng = np.random.default_rng(3)
        runs = [
            minimize(
                energy, rng.uniform(0, 2 * np.pi, 12), method="L-BFGS-B", options={"ftol": 1e-12}
            )
            for _ in range(2)
        ]
        return min(r.fun for r in runs)

    def rayleigh_quotient(hamiltonian):
        # the most expressive "ansatz": every normalised state, 8 real numbers
        h = hamiltonian.to_matrix()

        def energy(v):
            psi = v[:4] + 1j * v[4:]
            return float(np.real(np.vdot(psi, h @ psi)) / np.vdot(psi, psi).real)

        x0 = np.random.default_rng(1).normal(size=8)
        return minimize(energy, x0, method="BFGS", options={"gtol": 1e-10}).fun

    for fn in (qiskit_circuit_vqe, rayleigh_quotient):
        r = check("07.vqe_ground_energy", fn)
        assert r.passed, r.feedback


def test_vqe_mistakes():
    r = check("07.vqe_ground_energy", lambda h: float(np.linalg.eigvalsh(h.to_matrix())[-1]))
    assert r.score == 0 and "returned the highest eigenvalue" in r.feedback
    r = check("07.vqe_ground_energy", lambda h: np.linalg.eigh(h.to_matrix())[1][:, 0])
    assert r.score == 0 and "returned an eigenvector" in r.feedback
    r = check(
        "07.vqe_ground_energy", lambda h: (float(np.linalg.eigvalsh(h.to_matrix())[0]), [0.0])
    )
    assert r.score == 0 and "return the energy alone" in r.feedback

    def real_ansatz(hamiltonian):
        h = hamiltonian.to_matrix()

        def energy(v):
            return float(np.real(np.vdot(v, h @ v)) / np.dot(v, v))

        return min(minimize(energy, x0, method="BFGS").fun for x0 in np.eye(4) + 0.1)

    r = check("07.vqe_ground_energy", real_ansatz)
    assert r.score == 4 and "only reaches real amplitudes" in r.feedback
