"""The adjoint program on PennyLane-Lightning's kernels (qmlkit/models/_lightning.py, issue 16).

From ``MIN_QUBITS`` qubits on, :class:`AdjointProgram` runs its forward pass and its gradient
row by row on Lightning's C++ state vector. The two engines must give the same states and the
same gradients for every gate the plan translates (each gate alone, on generic states, with a
general complex cotangent), in Qiskit's qubit order; the choice of engine follows
``QMLKIT_ENGINE`` and the size; anything the plan cannot translate, or missing bindings, falls
back to NumPy with the same results.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import efficient_su2

from qmlkit.models import VQC, _lightning
from qmlkit.models._adjoint import AdjointProgram

N = 4


def _program(add_gate) -> tuple[AdjointProgram, int]:
    """A generic start state (RY and RZ of the inputs on every qubit), then weights on every
    qubit, then the gate under test, then more weights: the gate sees and sends on states
    with every amplitude non-zero and complex."""
    x = ParameterVector("x", 2 * N)
    w = ParameterVector("w", 4 * N + 2)
    qc = QuantumCircuit(N)
    for q in range(N):
        qc.ry(x[q], q)
        qc.rz(x[N + q], q)
    for q in range(N):
        qc.rx(w[q], q)
    for q in range(N - 1):
        qc.cx(q, q + 1)
    add_gate(qc, w[4 * N], w[4 * N + 1], x[0])
    for q in range(N):
        qc.ry(w[N + q], q)
        qc.rz(w[2 * N + q], q)
    qc.cz(0, N - 1)
    for q in range(N):
        qc.rx(w[3 * N + q], q)
    return AdjointProgram(qc, list(x), list(w)), len(w)


GATES = {
    # constant gates with a Lightning kernel of their own (named)
    "h": lambda qc, a, b, x0: qc.h(2),
    "x": lambda qc, a, b, x0: qc.x(1),
    "y": lambda qc, a, b, x0: qc.y(3),
    "z": lambda qc, a, b, x0: qc.z(0),
    "s": lambda qc, a, b, x0: qc.s(2),
    "t": lambda qc, a, b, x0: qc.t(1),
    "sx": lambda qc, a, b, x0: qc.sx(3),
    "cx high control": lambda qc, a, b, x0: qc.cx(3, 0),
    "cy": lambda qc, a, b, x0: qc.cy(2, 0),
    "cz": lambda qc, a, b, x0: qc.cz(1, 3),
    "swap": lambda qc, a, b, x0: qc.swap(0, 2),
    "ccx": lambda qc, a, b, x0: qc.ccx(3, 0, 1),
    "cswap": lambda qc, a, b, x0: qc.cswap(1, 3, 0),
    # constant gates passed as matrices (asymmetric ones, so a wrong wire order shows)
    "sdg": lambda qc, a, b, x0: qc.sdg(1),
    "u fixed": lambda qc, a, b, x0: qc.u(0.3, 0.7, -0.4, 2),
    "rzx fixed": lambda qc, a, b, x0: qc.rzx(0.9, 3, 1),
    "ch": lambda qc, a, b, x0: qc.ch(0, 2),
    "iswap": lambda qc, a, b, x0: qc.iswap(2, 0),
    # rotations with a trainable angle
    "rx": lambda qc, a, b, x0: qc.rx(a, 1),
    "ry": lambda qc, a, b, x0: qc.ry(a, 2),
    "rz": lambda qc, a, b, x0: qc.rz(a, 0),
    "p": lambda qc, a, b, x0: qc.p(a, 3),
    "rxx": lambda qc, a, b, x0: qc.rxx(a, 0, 3),
    "ryy": lambda qc, a, b, x0: qc.ryy(a, 2, 1),
    "rzz": lambda qc, a, b, x0: qc.rzz(a, 3, 1),
    "cp": lambda qc, a, b, x0: qc.cp(a, 2, 0),
    "crx": lambda qc, a, b, x0: qc.crx(a, 3, 1),
    "cry": lambda qc, a, b, x0: qc.cry(a, 0, 2),
    "crz": lambda qc, a, b, x0: qc.crz(a, 2, 1),
    # angles that are expressions: chain rule, and per-row (re-uploading) angles
    "expression": lambda qc, a, b, x0: qc.ry(2 * a - 0.5 * b + 0.3, 1),
    "weight times input": lambda qc, a, b, x0: qc.rz(a * x0, 2),
}


def _run(program: AdjointProgram, engine: str, monkeypatch, X, W, lam_seed: int):
    monkeypatch.setenv("QMLKIT_ENGINE", engine)
    final = program.forward(X, W, program.initial_states(X), {})
    rng = np.random.default_rng(lam_seed)
    lam = rng.normal(size=final.shape) + 1j * rng.normal(size=final.shape)
    return final, program.gradient(X, W, final, lam, {}), program._lightning()


@pytest.mark.parametrize("name", list(GATES))
def test_each_gate_gives_the_same_states_and_gradients_on_both_engines(name, monkeypatch):
    program, n_weights = _program(GATES[name])
    rng = np.random.default_rng(7)
    X = rng.uniform(0, np.pi, (5, 2 * N))
    W = rng.uniform(-np.pi, np.pi, n_weights)
    f_np, g_np, plan_np = _run(program, "numpy", monkeypatch, X, W, 1)
    f_li, g_li, plan_li = _run(program, "lightning", monkeypatch, X, W, 1)
    assert plan_np is None and plan_li is not None  # each engine really ran
    assert np.max(np.abs(f_np - f_li)) < 1e-12
    assert np.max(np.abs(g_np - g_li)) < 1e-12
    assert np.max(np.abs(g_np)) > 1e-3  # a gradient that is there to compare


def test_the_engine_follows_the_size_and_the_setting(monkeypatch):
    monkeypatch.delenv("QMLKIT_ENGINE", raising=False)
    below = efficient_su2(_lightning.MIN_QUBITS - 1, reps=1)
    small = AdjointProgram(below, [], list(below.parameters))
    assert small.gates and small._lightning() is None
    x = ParameterVector("x", _lightning.MIN_QUBITS)
    big_circuit = QuantumCircuit(_lightning.MIN_QUBITS)
    for q, p in enumerate(x):
        big_circuit.ry(p, q)
    ansatz = efficient_su2(_lightning.MIN_QUBITS, reps=1)
    big_circuit.compose(ansatz, inplace=True)
    big = AdjointProgram(big_circuit, list(x), list(ansatz.parameters))
    assert big._lightning() is not None
    monkeypatch.setenv("QMLKIT_ENGINE", "numpy")
    assert big._lightning() is None
    monkeypatch.setenv("QMLKIT_ENGINE", "lightning")
    assert big._lightning() is not None


def test_an_unknown_engine_setting_warns_and_means_auto(monkeypatch):
    monkeypatch.setenv("QMLKIT_ENGINE", "lightnig")
    with pytest.warns(UserWarning, match=r"QMLKIT_ENGINE='lightnig' is not one of"):
        assert _lightning.engine_setting() == "auto"


def test_untranslatable_gates_and_missing_bindings_fall_back_to_numpy(monkeypatch):
    # a trainable RZX has no Lightning gate: the whole program stays on NumPy
    program, n_weights = _program(lambda qc, a, b, x0: qc.rzx(a, 0, 1))  # noqa: ARG005
    rng = np.random.default_rng(3)
    X = rng.uniform(0, np.pi, (4, 2 * N))
    W = rng.uniform(-np.pi, np.pi, n_weights)
    f_np, g_np, _ = _run(program, "numpy", monkeypatch, X, W, 2)
    f_li, g_li, plan = _run(program, "lightning", monkeypatch, X, W, 2)
    assert plan is None
    assert np.array_equal(f_np, f_li) and np.array_equal(g_np, g_li)
    # without the bindings (a PennyLane-Lightning without them, or changed), NumPy runs
    program, n_weights = _program(GATES["crx"])
    monkeypatch.setattr(_lightning, "_bindings", lambda: None)
    f_nb, g_nb, plan = _run(program, "lightning", monkeypatch, X, W[:n_weights], 2)
    assert plan is None
    f_np, g_np, _ = _run(program, "numpy", monkeypatch, X, W[:n_weights], 2)
    assert np.array_equal(f_np, f_nb) and np.array_equal(g_np, g_nb)


@pytest.mark.parametrize("step", ["forward", "angle_gradients"])
def test_a_lightning_failure_at_run_time_warns_and_numpy_finishes_the_job(step, monkeypatch):
    program, n_weights = _program(GATES["cry"])
    rng = np.random.default_rng(5)
    X = rng.uniform(0, np.pi, (3, 2 * N))
    W = rng.uniform(-np.pi, np.pi, n_weights)
    f_np, g_np, _ = _run(program, "numpy", monkeypatch, X, W, 4)

    def broken(*args, **kwargs):
        raise TypeError("incompatible function arguments")

    monkeypatch.setattr(_lightning.LightningPlan, step, broken)
    with pytest.warns(RuntimeWarning, match="continues on qmlkit's NumPy engine"):
        f_li, g_li, plan = _run(program, "lightning", monkeypatch, X, W, 4)
    assert plan is None  # not tried again for this program
    assert np.max(np.abs(f_np - f_li)) < 1e-12 and np.max(np.abs(g_np - g_li)) < 1e-12


def _vqc_data(n: int):
    rng = np.random.default_rng(11)
    X = rng.uniform(0, np.pi, (40, n))
    y = (X.sum(axis=1) > n * np.pi / 2).astype(int)
    return X, y


def test_a_vqc_at_the_threshold_trains_the_same_on_both_engines(monkeypatch):
    n = _lightning.MIN_QUBITS
    X, y = _vqc_data(n)
    runs = {}
    for engine in ("numpy", "auto"):
        monkeypatch.setenv("QMLKIT_ENGINE", engine)
        clf = VQC(reps=1, maxiter=8, random_state=0).fit(X, y)
        assert (clf.program_._lightning() is None) == (engine == "numpy")
        runs[engine] = (np.asarray(clf.loss_history_), clf.predict_proba(X))
    assert np.allclose(runs["numpy"][0], runs["auto"][0], atol=1e-10, rtol=0)
    assert np.allclose(runs["numpy"][1], runs["auto"][1], atol=1e-10, rtol=0)
    assert runs["auto"][0][-1] < runs["auto"][0][0]  # it did train


def test_a_fitted_vqc_on_lightning_pickles_and_predicts_the_same(monkeypatch):
    monkeypatch.delenv("QMLKIT_ENGINE", raising=False)
    n = _lightning.MIN_QUBITS
    X, y = _vqc_data(n)
    clf = VQC(reps=1, maxiter=2, random_state=1).fit(X, y)
    before = clf.predict_proba(X)
    assert clf.program_._lightning() is not None  # the plan (C++ objects) is cached now
    again = pickle.loads(pickle.dumps(clf))
    assert np.allclose(again.predict_proba(X), before, atol=1e-12, rtol=0)


def test_the_readme_states_the_engine_threshold_in_force():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"from {_lightning.MIN_QUBITS} qubits on" in readme
    assert "QMLKIT_ENGINE=numpy" in readme
