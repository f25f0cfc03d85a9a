"""Claims of lesson 07's sections 7 and 8 (parameters in several gates, the four-term rule,
SPSA), asserted on the behaviour they describe."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import SparsePauliOp, Statevector

from autograder.solutions import reference

D_PLUS = (np.sqrt(2) + 1) / (4 * np.sqrt(2))
D_MINUS = (np.sqrt(2) - 1) / (4 * np.sqrt(2))


def _controlled_cost(gate: str, seed: int):
    r = np.random.default_rng(seed)
    t = ParameterVector("t", 1)
    qc = QuantumCircuit(2)
    qc.ry(r.uniform(0, 3), 0)
    qc.rx(r.uniform(0, 3), 1)
    qc.h(1)
    getattr(qc, gate)(t[0], 0, 1)
    qc.rz(r.uniform(0, 3), 1)
    qc.ry(r.uniform(0, 3), 1)
    obs = SparsePauliOp.from_list([("ZI", 1.0), ("XX", 0.4), ("IY", -0.7)])

    def cost(theta):
        return float(Statevector(qc.assign_parameters([theta])).expectation_value(obs).real)

    return cost


def test_four_term_coefficients_solve_the_two_frequency_equations():
    # 2 d+ sin(w pi/2) - 2 d- sin(w 3pi/2) = w for w = 1/2 and w = 1
    for w in (0.5, 1.0):
        lhs = 2 * D_PLUS * np.sin(w * np.pi / 2) - 2 * D_MINUS * np.sin(w * 3 * np.pi / 2)
        assert lhs == pytest.approx(w, abs=1e-15)
    assert D_PLUS - D_MINUS == pytest.approx(1 / (2 * np.sqrt(2)))
    assert D_PLUS + D_MINUS == pytest.approx(0.5)


@pytest.mark.parametrize("gate", ["crx", "cry", "crz"])
def test_four_term_rule_is_exact_and_two_term_rule_is_not(gate):
    cost = _controlled_cost(gate, seed={"crx": 1, "cry": 2, "crz": 3}[gate])
    for theta in (0.9, -2.1, 3.0):
        four = D_PLUS * (cost(theta + np.pi / 2) - cost(theta - np.pi / 2)) - D_MINUS * (
            cost(theta + 3 * np.pi / 2) - cost(theta - 3 * np.pi / 2)
        )
        fd = (cost(theta + 1e-5) - cost(theta - 1e-5)) / 2e-5
        two = (cost(theta + np.pi / 2) - cost(theta - np.pi / 2)) / 2
        assert four == pytest.approx(fd, abs=1e-8)
        assert abs(two - fd) > 1e-3


def test_controlled_ry_is_two_half_rotations_and_two_cnots():
    theta = 0.77
    a = QuantumCircuit(2)
    a.cry(theta, 0, 1)
    b = QuantumCircuit(2)
    b.ry(theta / 2, 1)
    b.cx(0, 1)
    b.ry(-theta / 2, 1)
    b.cx(0, 1)
    from qiskit.quantum_info import Operator

    assert Operator(a).equiv(Operator(b))
    assert np.allclose(Operator(a).data, Operator(b).data)  # not even a global phase


def test_shifting_a_shared_parameter_itself_is_wrong_and_the_sum_over_gates_is_exact():
    from qiskit.circuit.library import zz_feature_map

    fm = zz_feature_map(2, reps=1)
    obs = SparsePauliOp.from_list([("XX", 1.0), ("YI", 0.5)])
    x = np.array([0.4, 1.3])

    def cost(v):
        return float(Statevector(fm.assign_parameters(v)).expectation_value(obs).real)

    fd = np.array([(cost(x + 1e-5 * e) - cost(x - 1e-5 * e)) / 2e-5 for e in np.eye(2)])
    naive = np.array([(cost(x + np.pi / 2 * e) - cost(x - np.pi / 2 * e)) / 2 for e in np.eye(2)])
    assert np.max(np.abs(naive - fd)) > 0.5
    # the sum over the three gates, written with the exercise's contract: the entangling
    # angle 2(pi - x0)(pi - x1) is linear in x0 at fixed x1 (factor -2(pi - x1)), so do one
    # input at a time with the other frozen in the offset
    untied = QuantumCircuit(2)
    phi = ParameterVector("p", 3)
    untied.h([0, 1])
    untied.p(phi[0], 0)
    untied.p(phi[1], 1)
    untied.cx(0, 1)
    untied.p(phi[2], 1)
    untied.cx(0, 1)

    def f(angles):
        return float(Statevector(untied.assign_parameters(angles)).expectation_value(obs).real)

    grad = reference("07.shared_parameter_gradient")
    g0 = grad(
        f,
        [x[0]],
        [(0, 2.0, 0.0), (0, 0.0, 2 * x[1]), (0, -2 * (np.pi - x[1]), 2 * np.pi * (np.pi - x[1]))],
    )
    g1 = grad(
        f,
        [x[1]],
        [(0, 0.0, 2 * x[0]), (0, 2.0, 0.0), (0, -2 * (np.pi - x[0]), 2 * np.pi * (np.pi - x[0]))],
    )
    assert np.allclose([g0[0], g1[0]], fd, atol=1e-8)


def test_spsa_estimate_is_the_gradient_on_average_over_the_signs():
    # for a quadratic the difference quotient is exactly delta . grad; averaged over all 2^P
    # sign vectors, delta_i delta_j averages to the identity, leaving the gradient
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4))
    q = a @ a.T
    b = rng.normal(size=4)

    def f(t):
        return float(t @ q @ t / 2 + b @ t)

    theta, c = rng.normal(size=4), 0.3
    estimates = []
    for signs in itertools.product([-1.0, 1.0], repeat=4):
        d = np.array(signs)
        estimates.append((f(theta + c * d) - f(theta - c * d)) / (2 * c) * d)
    assert np.allclose(np.mean(estimates, axis=0), q @ theta + b)
    assert not np.allclose(estimates[0], q @ theta + b)  # one estimate alone is not


def test_spsa_step_example_and_evaluation_counts():
    calls = []

    def f(t):
        calls.append(1)
        return float(np.dot(t, t))

    out = reference("07.spsa_step")(f, [1.0, 2.0], [1, -1], 0)
    assert np.allclose(out, [1.4, 1.6]) and len(calls) == 2
    # the experiment: 12 parameters, 1200 evaluations; after 120, 5 shift steps and 60 SPSA steps
    p, budget = 12, 120
    assert budget // (2 * p) == 5 and budget // 2 == 60


# ---------------------------------------------- the lesson's own cells, run and asserted

_CELLS = [
    "lesson-07-variational-circuits-and-1",  # imports, SEED
    "ex-07-parameter-shift-gradient-solution",
    "a-small-vqe-1",  # H2
    "a-small-vqe-3",  # the ansatz, h2, exact_h2
    "parameters-in-several-gates-and-1",  # untie, zz_feature_map
    "parameters-in-several-gates-and-3",  # sum over gates against finite differences
    "ex-07-shared-parameter-gradient-solution",
    "controlled-rotations-the-four-term-rule-1",
    "ex-07-spsa-step-solution",
    "the-experiment-1",  # SPSA against parameter shift under a shot budget
]


@pytest.fixture(scope="module")
def lesson07():
    import contextlib
    import io

    import matplotlib
    import nbformat

    from autograder.lessons import find_lesson

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nbformat.read(str(find_lesson("07").notebook), as_version=4)
    by_id = {c.id: c for c in nb.cells}
    namespace: dict = {}
    for cid in _CELLS:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(by_id[cid].source, cid, "exec"), namespace)
        plt.close("all")
    return namespace


@pytest.mark.slow
def test_lesson07_sum_over_gates_and_four_term_rule_as_printed(lesson07):
    ns = lesson07
    assert np.max(np.abs(ns["sum_over_gates"] - ns["finite_diff"])) < 1e-8
    assert np.max(np.abs(ns["naive"] - ns["finite_diff"])) > 0.5  # "not even close"
    assert ns["four_term"] == pytest.approx(ns["fd_c"], abs=1e-8)
    assert ns["via_shared"] == pytest.approx(ns["fd_c"], abs=1e-8)
    assert abs(ns["two_term"] - ns["fd_c"]) > 1e-2
    # the generator of CRY, |1><1| (x) Y/2, has eigenvalues 0, 0, +1/2 and -1/2
    generator = np.kron(np.diag([0, 1]), np.array([[0, -1j], [1j, 0]]) / 2)
    assert np.allclose(np.linalg.eigvalsh(generator), [-0.5, 0, 0, 0.5])


@pytest.mark.slow
def test_lesson07_spsa_experiment_as_described(lesson07):
    ns = lesson07
    assert ns["P"] == 12 and ns["SHOTS"] == 1000 and ns["BUDGET"] == 1200

    def mean_error(name, budget):
        results = ns["runs"][name]
        i = np.searchsorted(results[0][0], budget, side="right") - 1
        return np.mean([err[i] for _, err in results])

    # SPSA is ahead early ("a fraction of the evaluations")
    for budget in (120, 240):
        assert mean_error("SPSA", budget) < mean_error("parameter shift", budget) / 2
    # with the full budget both end a fraction of a mHa above E0, below the noise of one
    # 1000-shot estimate (printed as its standard deviation)
    noise = ns["repeats"].std()
    for name in ("SPSA", "parameter shift"):
        assert 0 < mean_error(name, 1200) < 1e-3 < noise
    assert abs(mean_error("SPSA", 1200) - mean_error("parameter shift", 1200)) < 2e-4
