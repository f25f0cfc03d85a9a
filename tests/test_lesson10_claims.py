"""Claims of lesson 10's Born-machine sections (6-8), recomputed with the lesson's seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit.quantum_info import Statevector

from autograder.solutions import reference
from qmlkit.models import QBM, BornMachine
from qmlkit.models.born import _default_ansatz, gaussian_kernel_matrix, mmd_squared

SEED = 10
BANDWIDTH = [0.5, 1.0, 2.0]
MODES = [0b011, 0b101, 0b110]


def _target2() -> np.ndarray:
    """The three-mode target of section 4 (bernoulli_mixture in the lesson)."""
    q = np.zeros(8)
    for mode in MODES:
        d = np.array([bin(k ^ mode).count("1") for k in range(8)])
        q += 0.1**d * 0.9 ** (3 - d)
    return q / q.sum()


def _gauss() -> np.ndarray:
    x = np.arange(8)
    g = np.exp(-((x - 3.5) ** 2) / (2 * 1.5**2))
    return g / g.sum()


def _kl(q: np.ndarray, p: np.ndarray) -> float:
    with np.errstate(divide="ignore"):
        return float(np.sum(q * np.log(q / p)))


def _tv(q: np.ndarray, p: np.ndarray) -> float:
    return 0.5 * float(np.abs(q - p).sum())


def test_the_exercise_examples():
    assert reference("10.mmd_loss")([1, 0, 0, 0], [0, 0, 0, 1], 1.0) == pytest.approx(
        2 - 2 / math.e, abs=1e-12
    )
    assert round(2 - 2 / math.e, 4) == 1.2642

    def ry(t):
        return np.array([np.cos(t[0] / 2) ** 2, np.sin(t[0] / 2) ** 2])

    g = reference("10.born_machine_gradient")(ry, [np.pi / 2], [0.0, 1.0], 1.0)
    assert g == pytest.approx([-(1 - math.exp(-0.5))], abs=1e-12)
    assert round(float(g[0]), 4) == -0.3935


def test_the_ansatz_and_the_cost_of_a_shot_gradient():
    """The lesson's born_ansatz is BornMachine's default: 9 parameters at 2 layers, 6 at 1;
    a shift-rule step runs 2 * 9 + 1 = 19 circuits."""
    assert _default_ansatz(3, 2).num_parameters == 9
    assert _default_ansatz(3, 1).num_parameters == 6
    assert 2 * 9 + 1 == 19


def test_a_shift_of_pi_gives_the_same_distribution():
    qc = _default_ansatz(3, 2)
    theta = np.random.default_rng(SEED).uniform(-np.pi, np.pi, 9)
    for i in range(9):
        e = np.zeros(9)
        e[i] = np.pi
        plus = Statevector(qc.assign_parameters(theta + e)).probabilities()
        minus = Statevector(qc.assign_parameters(theta - e)).probabilities()
        assert np.allclose(plus, minus, atol=1e-12)


def test_kernel_sees_011_and_100_as_far_apart():
    k = gaussian_kernel_matrix(3, BANDWIDTH)
    assert k[3, 4] < k[3, 7] and k[3, 4] == k.min()  # 3 bits apart: the smallest entry
    assert np.all(np.linalg.eigvalsh(k) > 0)  # positive definite: MMD^2 = 0 only if p = q
    assert mmd_squared(np.eye(8)[0], np.eye(8)[0], BANDWIDTH) == 0.0


def test_training_on_the_discretised_gaussian():
    gauss = _gauss()
    samples = np.random.default_rng(SEED).choice(8, size=1000, p=gauss)
    exact = BornMachine(
        n_qubits=3, reps=2, bandwidth=BANDWIDTH, maxiter=200, random_state=SEED
    ).fit(samples)
    shots = BornMachine(
        n_qubits=3, reps=2, bandwidth=BANDWIDTH, maxiter=200, shots=1000, random_state=SEED
    ).fit(samples)
    # "the MMD to the data falls by orders of magnitude"
    assert exact.mmd_ < 1e-6 * exact.loss_history_[0]
    # "with shots the estimated loss stalls ... yet the model ends close to the data"
    assert np.mean(shots.loss_history_[-50:]) > 100 * exact.mmd_
    assert shots.mmd_ < 1e-2 * shots.loss_history_[0]
    # "its distance to the true Gaussian is no smaller than that of the samples"
    kl_samples = _kl(gauss, exact.data_distribution_)
    for model in (exact, shots):
        assert _kl(gauss, model.probabilities()) >= kl_samples - 1e-6


def _table(n_samples: int, seed: int) -> dict[str, np.ndarray]:
    target = _target2()
    data = np.random.default_rng(seed).choice(8, size=n_samples, p=target)
    counts = np.bincount(data, minlength=8)
    count_dict = {format(k, "03b"): int(c) for k, c in enumerate(counts) if c > 0}
    models = {
        "samples": counts / n_samples,
        "BM": QBM(n_visible=3, transverse_field=False, maxiter=300, random_state=SEED)
        .fit(count_dict)
        .distribution_,
        "QBM": QBM(n_visible=3, transverse_field=True, maxiter=300, random_state=SEED)
        .fit(count_dict)
        .distribution_,
    }
    for reps in (1, 2):
        qcbm = BornMachine(
            n_qubits=3, reps=reps, bandwidth=BANDWIDTH, maxiter=300, random_state=SEED
        )
        models[f"QCBM{reps}"] = qcbm.fit(data).probabilities()
    return models


def test_section_8_with_100_samples():
    target = _target2()
    models = _table(100, SEED + 100)
    assert _kl(target, models["samples"]) == np.inf  # the samples miss a bitstring
    for name in ("BM", "QBM", "QCBM1", "QCBM2"):
        assert np.isfinite(_kl(target, models[name]))
        assert abs(_tv(target, models[name]) - _tv(target, models["samples"])) < 0.02


def test_section_8_with_2000_samples():
    target = _target2()
    models = _table(2000, SEED + 2000)
    kl = {name: _kl(target, p) for name, p in models.items()}
    tv = {name: _tv(target, p) for name, p in models.items()}
    # the 2-layer QCBM reproduces the samples: same KL and TV to the target
    assert kl["QCBM2"] == pytest.approx(kl["samples"], abs=1e-5)
    assert tv["QCBM2"] == pytest.approx(tv["samples"], abs=1e-4)
    # then the QBM, the BM, and last the 1-layer QCBM (fewest samples on the modes)
    assert kl["QCBM2"] < kl["QBM"] < kl["BM"] < kl["QCBM1"]
    on_modes = {name: p[MODES].sum() for name, p in models.items()}
    assert min(on_modes, key=on_modes.get) == "QCBM1"
    assert 2**3 - 1 < 9  # more parameters than a 3-bit distribution has free numbers


def test_with_100_samples_the_order_changes_from_sample_to_sample():
    """The 2-layer QCBM is first on some of five more samples and last on others."""
    target = _target2()
    places = []
    for seed in range(1000, 1005):
        models = _table(100, seed)
        ranking = sorted(
            ("BM", "QBM", "QCBM1", "QCBM2"), key=lambda name: _kl(target, models[name])
        )
        places.append(ranking.index("QCBM2"))
    assert 0 in places and 3 in places
