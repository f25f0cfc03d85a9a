"""Lesson 07 checks: alternative correct answers pass, typical mistakes fail with hints."""

import importlib.util
from pathlib import Path

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Statevector
from scipy.optimize import minimize

from autograder import check


def _audit():
    """The wrong and alternative answers of the lesson's audit (audit/lesson07.py)."""
    path = Path(__file__).with_name("audit") / "lesson07.py"
    spec = importlib.util.spec_from_file_location("_audit_lesson07_for_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


A = _audit()

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


# ------------------------------------------------------------- shared-parameter gradient


def _shared_by_parameter(f, theta, uses):
    # for each parameter, the gates that use it
    theta = [float(v) for v in theta]
    phi = [a * theta[k] + b for k, a, b in uses]
    grad = []
    for k in range(len(theta)):
        total = 0.0
        for j, (kj, a, _) in enumerate(uses):
            if kj != k:
                continue
            plus, minus = list(phi), list(phi)
            plus[j] += np.pi / 2
            minus[j] -= np.pi / 2
            total += a * (f(plus) - f(minus)) / 2
        grad.append(total)
    return np.array(grad)


def _shared_general_shift(f, theta, uses):
    # any shift s with the 1/(2 sin s) factor, then a Jacobian product
    s = np.pi / 3
    theta = np.asarray(theta, dtype=float)
    phi = np.array([a * theta[k] + b for k, a, b in uses])
    shifts = s * np.eye(len(phi))
    d = np.array([f(phi + e) - f(phi - e) for e in shifts]) / (2 * np.sin(s))
    jac = np.zeros((len(phi), theta.size))
    for j, (k, a, _) in enumerate(uses):
        jac[j, k] = a
    return d @ jac


def _shared_finite_difference(f, theta, uses):
    theta = np.asarray(theta, dtype=float)

    def cost(t):
        return f([a * t[k] + b for k, a, b in uses])

    return np.array(
        [(cost(theta + 1e-5 * e) - cost(theta - 1e-5 * e)) / 2e-5 for e in np.eye(theta.size)]
    )


def test_shared_parameter_alternatives():
    for fn in (_shared_by_parameter, _shared_general_shift):
        r = check("07.shared_parameter_gradient", fn)
        assert r.passed and r.score == 5, r.feedback


def test_shared_parameter_example_from_the_statement():
    # two RY gates with angles θ and 2θ: <Z> = cos 3θ, derivative -3 sin 3θ
    g = _shared_by_parameter(
        lambda phi: np.cos(phi[0] + phi[1]), [0.2], [(0, 1.0, 0.0), (0, 2.0, 0.0)]
    )
    assert np.allclose(g, [-3 * np.sin(0.6)])


def test_shared_parameter_mistakes():
    cases = [
        (A._shared_first_only, "forgot the other occurrences"),
        (A._shared_last_only, "forgot the other occurrences"),
        (A._shared_no_chain_factor, "the chain-rule factor is missing"),
        (A._shared_shift_theta, "you shifted θ_k"),
        (A._shared_no_offset, "the offset b is part of the gate angle"),
        (_shared_finite_difference, "finite differences are not exact"),
    ]
    for fn, text in cases:
        r = check("07.shared_parameter_gradient", fn)
        assert not r.passed and text in r.feedback, (fn.__name__, r.feedback)
    r = check("07.shared_parameter_gradient", _shared_finite_difference)
    assert r.score == 0


def test_shared_parameter_check_agrees_with_a_direct_finite_difference():
    # the checker's exact gradient (3-point fits per gate + chain rule) against a finite
    # difference of C(θ) on the tied circuit, for every hidden case
    from autograder.checks import lesson07 as chk

    for spec in chk._SHARED_CASES:
        f = chk._GateAngles(spec)
        theta = np.array(spec["theta"], dtype=float)
        uses = spec["uses"]
        exact = chk._shared_candidates(f, theta, uses)["exact"]

        def cost(t, f=f, uses=uses):
            return f(chk._gate_angles(t, uses))

        fd = np.array(
            [(cost(theta + 1e-5 * e) - cost(theta - 1e-5 * e)) / 2e-5 for e in np.eye(theta.size)]
        )
        assert np.allclose(exact, fd, atol=1e-7)


# ------------------------------------------------------------------------------ SPSA step


def _spsa_gains(f, theta, delta, k, a=0.2, c=0.1):
    # gain sequences as functions, perturbation as one array
    def gain_a(i):
        return a / (i + 1) ** 0.602

    def gain_c(i):
        return c / (i + 1) ** 0.101

    theta = np.array(theta, dtype=float)
    step = gain_c(k) * np.asarray(delta, dtype=float)
    ghat = (f(theta + step) - f(theta - step)) / (2 * step)
    return theta - gain_a(k) * ghat


def test_spsa_alternatives():
    for fn in (A._spsa_python, _spsa_gains):
        r = check("07.spsa_step", fn)
        assert r.passed and r.score == 5, r.feedback


def test_spsa_example_from_the_statement():
    # f(θ) = θ·θ, θ = (1, 2), Δ = (1, -1), k = 0: c_0 = 0.1, a_0 = 0.2;
    # f(θ+cΔ) - f(θ-cΔ) = 4c(θ·Δ) = -0.4, ĝ = -0.4/0.2 · Δ = (-2, 2), θ - 0.2 ĝ = (1.4, 1.6)
    out = A._spsa_python(lambda t: float(np.dot(t, t)), [1.0, 2.0], [1, -1], 0)
    assert np.allclose(out, [1.4, 1.6])


def test_spsa_mistakes():
    cases = [
        (A._spsa_ascent, "wrong sign: SPSA descends"),
        (A._spsa_over_c, "divide the difference by 2·c_k"),
        (A._spsa_constant_gains, "the gains decay with k"),
        (A._spsa_k_from_one, "k counts from 0"),
        (A._spsa_swapped_exponents, "the exponents are swapped"),
        (A._spsa_returns_ghat, "you returned the gradient estimate"),
        (A._spsa_own_delta, "perturb along the delta you are given"),
        (A._spsa_one_at_a_time, "one parameter moved at a time"),
    ]
    for fn, text in cases:
        r = check("07.spsa_step", fn)
        assert not r.passed and text in r.feedback, (fn.__name__, r.feedback)
    assert check("07.spsa_step", A._spsa_ascent).score == 0


def test_shared_parameter_hidden_circuits_match_qiskit():
    # the checker simulates its circuits with NumPy; Qiskit's Statevector must agree
    from qiskit.quantum_info import SparsePauliOp

    from autograder.checks import lesson07 as chk

    rng = np.random.default_rng(1)
    for spec in chk._SHARED_CASES:
        f = chk._GateAngles(spec)
        phi = ParameterVector("p", f.n)
        qc = QuantumCircuit(spec["qubits"])
        j = 0
        for name, *qubits in spec["steps"]:
            if name in ("h", "cx"):
                getattr(qc, name)(*qubits)
            else:
                getattr(qc, name)(phi[j], *qubits)
                j += 1
        values = rng.uniform(-3, 3, f.n)
        observable = SparsePauliOp.from_list(spec["observable"])
        expected = Statevector(qc.assign_parameters(values)).expectation_value(observable).real
        assert abs(f(values) - expected) < 1e-12
