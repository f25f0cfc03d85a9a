"""The numbers the lessons' prose states, recomputed (issue 13, corrections E1-E20).

Every test rebuilds the lesson's own setting (its seed, sizes and data) and checks the claim
the corrected text makes, so the text and the result cannot drift apart again. Each test
takes at most a second or two.
"""

from __future__ import annotations

import re
from functools import reduce
from importlib.metadata import version

import numpy as np
import pytest
from packaging.specifiers import SpecifierSet
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import real_amplitudes
from qiskit.circuit.library import zz_feature_map as library_zz_feature_map
from qiskit.quantum_info import SparsePauliOp
from scipy.optimize import minimize

from qmlkit import backends, mitigation, sim
from qmlkit.kernels import FidelityKernel

from .conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib


def _p0(circuit: QuantumCircuit) -> float:
    """Exact probability that qubit 0 reads 0."""
    return float(sim.probabilities(circuit)[0::2].sum())


# ------------------------------------------------------------------ lesson 11, E1: DD demo


def test_old_dd_circuit_was_not_ideally_back_in_zero():
    """The circuit the review flagged: qubit 0 is entangled; ideal P(0) = cos^2(0.4)."""
    old = QuantumCircuit(3)
    old.h(0)
    old.cx(0, 1)
    for _ in range(4):
        old.cx(1, 2)
        old.rz(0.4, 2)
    old.cx(0, 1)
    old.h(0)
    assert _p0(old) == pytest.approx(np.cos(0.4) ** 2) == pytest.approx(0.848, abs=5e-4)


def _echo() -> QuantumCircuit:
    """Lesson 11's corrected demo: qubit 0 idles in |+> between barriers."""
    echo = QuantumCircuit(3)
    echo.h(0)
    echo.barrier()
    for _ in range(4):
        echo.cx(1, 2)
        echo.rz(0.4, 2)
        echo.cx(2, 1)
    echo.barrier()
    echo.h(0)
    return echo


def test_dd_demo_qubit_really_idles_and_its_loss_is_mostly_readout():
    echo = _echo()
    assert _p0(echo) == pytest.approx(1.0)
    device = backends.get("fake:manila", seed=11)
    measured = echo.measure_all(inplace=False)
    isa = device.isa(measured, optimization_level=1)
    ops = [(i.operation.name, [isa.find_bit(q).index for q in i.qubits]) for i in isa.data]
    physical = isa.layout.final_index_layout()[0]
    between = ops[[n for n, _ in ops].index("barrier") + 1 :]
    between = between[: [n for n, _ in between].index("barrier")]
    assert between and all(physical not in qubits for _, qubits in between)  # it idles
    counts = device.sampler.run([isa], shots=2000).result()[0].data.meas.get_counts()
    p0 = sum(v for k, v in counts.items() if k[-1] == "0") / 2000
    readout = device.backend.target["measure"][(physical,)].error
    assert abs((1 - p0) - readout) < 0.02  # "almost all of the loss is the read-out error"


# ------------------------------------------------------------------ lesson 06, E2: bandwidth


@pytest.fixture(scope="module")
def concentration():
    """Lesson 06's sweep: ZZ map reps=2, 60 random points in [0, 2pi)^n, n = 2 ... 10."""
    rng = np.random.default_rng(6)
    bandwidths = (1.0, 0.1, 0.03, 0.01)
    mean = {c: [] for c in bandwidths}
    var = {c: [] for c in bandwidths}
    for n in range(2, 11):
        x = rng.uniform(0, 2 * np.pi, (60, n))
        kernel = FidelityKernel(library_zz_feature_map(n, reps=2))
        for c in bandwidths:
            k = kernel(c * x)
            off = k[np.triu_indices(len(k), 1)]
            mean[c].append(off.mean())
            var[c].append(off.var())
    return mean, var


def test_small_enough_bandwidth_removes_concentration_at_ten_qubits(concentration):
    mean, var = concentration
    assert mean[1.0][-1] < 0.01 and var[1.0][-1] < 1e-5  # concentrated at 0
    assert mean[0.1][-1] < 0.02 and var[0.1][-1] < 1e-4  # c = 0.1 is not small enough
    assert 0.02 < mean[0.03][-1] < 0.2
    assert mean[0.01][-1] > 0.25 and var[0.01][-1] > 1e-2  # no concentration


def test_variance_falls_about_threefold_per_qubit_without_scaling(concentration):
    _, var = concentration
    factor = (var[1.0][0] / var[1.0][-1]) ** (1 / 8)
    assert 2.5 < factor < 4.5


def test_mean_falls_with_n_at_every_fixed_bandwidth(concentration):
    mean, _ = concentration
    for c, values in mean.items():
        assert values[-1] < values[0] / 2, c  # so c has to shrink as n grows


def test_tiny_bandwidth_concentrates_at_one(concentration):
    """The variance alone cannot tell concentration at 1 from concentration at 0."""
    mean, var = concentration
    assert mean[0.01][0] > 0.95 and var[0.01][0] < var[1.0][0] / 10


# ------------------------------------------------------------------ lesson 05, E3: ZZ convention


def _paper_zz_state(x: np.ndarray, reps: int) -> np.ndarray:
    """(exp(+i sum_S phi_S Z_S) H^n)^reps |0>, Havlicek et al. (2019)."""
    n = len(x)
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    z = 1 - 2 * bits
    phi = z @ x + sum(
        (np.pi - x[i]) * (np.pi - x[j]) * z[:, i] * z[:, j]
        for i in range(n)
        for j in range(i + 1, n)
    )
    h = reduce(np.kron, [np.array([[1, 1], [1, -1]]) / np.sqrt(2)] * n)
    state = np.zeros(2**n, dtype=complex)
    state[0] = 1
    for _ in range(reps):
        state = np.exp(1j * phi) * (h @ state)
    return state


@pytest.mark.parametrize("reps", [1, 2])
def test_qiskit_zz_state_is_the_complex_conjugate_of_the_papers(reps):
    rng = np.random.default_rng(3)
    fm = library_zz_feature_map(3, reps=reps)
    xs = rng.uniform(0, 2 * np.pi, (4, 3))
    qiskit_states = [sim.statevector(fm.assign_parameters(x)) for x in xs]
    paper_states = [_paper_zz_state(x, reps) for x in xs]
    for q, p in zip(qiskit_states, paper_states):
        assert abs(np.vdot(p.conj(), q)) ** 2 == pytest.approx(1.0)
        assert abs(np.vdot(p, q)) ** 2 < 0.5  # not a global phase
    for i in range(4):
        for j in range(i):
            k_qiskit = abs(np.vdot(qiskit_states[i], qiskit_states[j])) ** 2
            k_paper = abs(np.vdot(paper_states[i], paper_states[j])) ** 2
            assert k_qiskit == pytest.approx(k_paper, abs=1e-12)


def test_phase_gate_is_a_z_rotation_up_to_a_global_phase():
    phi = 0.37
    p = np.diag([1, np.exp(2j * phi)])
    rz = np.diag([np.exp(-1j * phi), np.exp(1j * phi)])  # exp(-i phi Z)
    np.testing.assert_allclose(p, np.exp(1j * phi) * rz)


# ------------------------------------------------------------------ lesson 05, E9 and E13


def test_encoding_cnot_counts():
    rng = np.random.default_rng(5)
    for n in range(2, 7):
        v = rng.normal(size=2**n)
        qc = QuantumCircuit(n)
        qc.prepare_state(v / np.linalg.norm(v))
        compiled = transpile(qc, basis_gates=["cx", "u"], optimization_level=1)
        assert compiled.count_ops().get("cx", 0) == 2**n - n - 1 < 2**n  # < one per feature
    for d in (2, 6, 10):
        counts = [
            transpile(
                library_zz_feature_map(d, reps=2, entanglement=e), basis_gates=["cx", "u"]
            ).count_ops()["cx"]
            for e in ("full", "linear")
        ]
        assert counts == [2 * d * (d - 1), 4 * (d - 1)]


def test_angle_kernel_wraps_around_beyond_pi():
    def k(a: float, b: float) -> float:
        return float(np.cos((a - b) / 2) ** 2)

    assert round(k(0.1, 3.0), 3) == 0.015 and round(k(0.1, 6.2), 3) == 0.992
    d = np.linspace(0, np.pi, 50)
    assert np.all(np.diff(np.cos(d / 2) ** 2) < 0)  # monotone on [0, pi]


# ------------------------------------------------------------------ lessons 04 and 11, E4, E14


def test_declared_runtime_range_is_the_installed_one_and_has_the_executor_primitives():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if d.startswith("qiskit-ibm-runtime"))
    specifier = SpecifierSet(re.sub(r"^qiskit-ibm-runtime", "", spec))
    assert version("qiskit-ibm-runtime") in specifier
    assert "0.49" not in specifier  # lesson 11 imports modules that exist from 0.50 on
    from qiskit_ibm_runtime.executor_estimator import Estimator  # noqa: F401
    from qiskit_ibm_runtime.executor_sampler import Sampler  # noqa: F401


def test_estimator_level_one_corrects_readout_on_a_fake_device():
    """Lesson 04's demo: Bell <ZZ> on fake:manila at resilience level 0 and 1."""
    device = backends.get("fake:manila", seed=4)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    isa, zz = device.isa(bell, SparsePauliOp("ZZ"))
    estimator = device.estimator
    assert estimator.options.resilience_level == 1  # the default
    values = {}
    for level in (0, 1):
        estimator.options.resilience_level = level
        data = estimator.run([(isa, zz)]).result()[0].data
        values[level] = (float(data.evs), float(data.stds))
    estimator.options.resilience_level = 1
    (raw, _), (mitigated, std) = values[0], values[1]
    assert raw < 0.96 and mitigated > raw + 0.04
    assert abs(mitigated - 1) < 3 * std + 0.01  # "1 within its error bar", maybe above 1


# ------------------------------------------------------------------ lesson 11, E19: ZNE


def test_richardson_weights_and_noise_amplification():
    w = mitigation.richardson_weights([1, 3, 5])
    np.testing.assert_allclose(w, [1.875, -1.25, 0.375])
    assert w.sum() == pytest.approx(1.0)
    assert np.linalg.norm(w) == pytest.approx(2.284, abs=5e-4) and np.linalg.norm(w) > 2
    values = [0.86, 0.66, 0.50]
    assert float(w @ values) == pytest.approx(mitigation.richardson_extrapolate([1, 3, 5], values))


def test_zne_error_bar_matches_resampling():
    """sqrt(sum w_i^2 sigma_i^2) is the spread of the extrapolated value over shot noise."""
    rng = np.random.default_rng(0)
    p, shots = np.array([0.86, 0.848, 0.843]), 2000
    w = mitigation.richardson_weights([1, 3, 5])
    draws = rng.binomial(shots, p, size=(4000, 3)) / shots
    predicted = np.sqrt(np.sum(w**2 * p * (1 - p) / shots))
    assert np.std(draws @ w) == pytest.approx(predicted, rel=0.05)


# ------------------------------------------------------------------ lesson 07, E15: BFGS count


def test_bfgs_circuit_count_is_eight_plus_eight_times_eight():
    rng = np.random.default_rng(7)  # lesson 07's draws before theta0: 4 uniform, 16 normal
    rng.uniform(0, 2 * np.pi, 4)
    rng.normal(scale=0.01, size=16)
    theta0 = rng.uniform(0, 2 * np.pi, 4)
    circ = real_amplitudes(2, reps=1)
    h = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5)])

    def cost(p):
        return sim.expectation(circ.assign_parameters(p), h)

    def cost_and_gradient(p):
        shifts = np.eye(4) * np.pi / 2
        grad = np.array([(cost(p + s) - cost(p - s)) / 2 for s in shifts])
        return cost(p), grad

    bfgs = minimize(cost_and_gradient, theta0, method="BFGS", jac=True)
    cobyla = minimize(cost, theta0, method="COBYLA")
    assert bfgs.nfev == 8
    total = bfgs.nfev * (1 + 2 * len(theta0))
    assert total == 8 + 8 * 8 == 72
    assert cobyla.nfev < total  # counted fairly, BFGS is not the cheapest here


# ------------------------------------------------------------------ lesson 08, E16; lesson 09, E8


def test_parity_and_z0_readout_reach_the_same_accuracy():
    from qmlkit import datasets
    from qmlkit.models import VQC

    x_train, y_train, x_test, y_test = datasets.moons(n_samples=300, noise=0.1, seed=8)
    parity = VQC(reps=3, readout="parity", maxiter=100, random_state=8).fit(x_train, y_train)
    z0 = VQC(reps=3, readout="z", maxiter=100, random_state=8).fit(x_train, y_train)
    assert parity.score(x_test, y_test) == z0.score(x_test, y_test)
    assert parity.loss_history_[-1] < z0.loss_history_[-1] and parity.n_iter_ < z0.n_iter_


def test_second_qnn_layer_is_not_textbook_overfitting():
    from sklearn.datasets import make_circles
    from sklearn.model_selection import train_test_split

    from qmlkit.models import QNNClassifier

    x, y = make_circles(n_samples=300, noise=0.1, factor=0.5, random_state=9)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=100, stratify=y, random_state=9
    )
    fits = {
        layers: QNNClassifier(
            n_qubits=2,
            n_layers=layers,
            optimizer="adam",
            maxiter=200,
            learning_rate=0.05,
            random_state=9,
        ).fit(x_train, y_train)
        for layers in (1, 2)
    }
    one, two = fits[1], fits[2]
    assert two.score(x_train, y_train) <= one.score(x_train, y_train)  # no better fit
    assert abs(two.loss_history_[-1] - one.loss_history_[-1]) < 0.002  # about the same loss
    assert one.score(x_test, y_test) - two.score(x_test, y_test) >= 0.05  # several points


# ------------------------------------------------------------------ lesson 10, E7: BM vs QBM


def _three_mode_target() -> np.ndarray:
    q = np.zeros(8)
    for mode in (0b011, 0b101, 0b110):
        d = np.array([bin(k ^ mode).count("1") for k in range(8)])
        q += 0.1**d * 0.9 ** (3 - d)
    return q / q.sum()


def test_a_three_body_coupling_fits_any_positive_three_bit_distribution():
    target = _three_mode_target()
    z = 1 - 2 * ((np.arange(8)[:, None] >> np.arange(3)) & 1)
    columns = [np.ones(8), *z.T, z[:, 0] * z[:, 1], z[:, 0] * z[:, 2], z[:, 1] * z[:, 2]]
    walsh = np.column_stack([*columns, z.prod(axis=1)])  # 1 + 3 + 3 + 1 terms
    energy = -np.log(target)
    coefficients = np.linalg.solve(walsh, energy)
    fitted = np.exp(-walsh[:, 1:] @ coefficients[1:])
    np.testing.assert_allclose(fitted / fitted.sum(), target)  # 7 parameters, exact
    assert coefficients[-1] == pytest.approx(-0.296, abs=5e-4)  # the target needs it


def test_qbm_fits_better_than_the_bm_but_not_exactly_and_with_more_parameters():
    from qmlkit.models import QBM

    target = _three_mode_target()
    bm = QBM(n_visible=3, transverse_field=False, maxiter=300, random_state=10).fit(target)
    qbm = QBM(n_visible=3, transverse_field=True, maxiter=300, random_state=10).fit(target)
    assert 0.001 < qbm.kl_ < bm.kl_
    n_bm = np.size(bm.biases_) + np.count_nonzero(np.triu(np.ones((3, 3)), 1))
    assert n_bm == 6 and n_bm + np.size(qbm.gammas_) == 9


# ------------------------------------------------------------------ lesson 03, E10


def test_a_phase_error_leaves_ghz_counts_unchanged():
    ghz = QuantumCircuit(4)
    ghz.h(0)
    for q in range(3):
        ghz.cx(q, q + 1)
    flipped = ghz.copy()
    flipped.z(2)
    np.testing.assert_allclose(sim.probabilities(ghz), sim.probabilities(flipped))
    assert not np.allclose(sim.statevector(ghz), sim.statevector(flipped))
    bit_flip = ghz.copy()
    bit_flip.x(2)
    assert sim.probabilities(bit_flip)[0b0000] == 0  # a forbidden bitstring instead
