"""Claims of lesson 15 (what QML can and cannot do), asserted on small cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile

from autograder.checks.lesson15 import EXAMPLE_SNAPSHOTS
from autograder.solutions.lesson15 import (
    fourier_surrogate,
    shadow_estimate,
    shadow_sample_bound,
)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_amplitude_encoding_needs_2_to_the_n_minus_n_minus_1_cnots(n):
    x = np.random.default_rng(n).normal(size=2**n)
    qc = QuantumCircuit(n)
    qc.prepare_state(x / np.linalg.norm(x))
    compiled = transpile(qc, basis_gates=["cx", "u"], optimization_level=1)
    assert compiled.count_ops().get("cx", 0) == 2**n - n - 1


def test_length_squared_sampling_error_does_not_grow_with_the_number_of_columns():
    rng = np.random.default_rng(0)
    U = rng.normal(size=(50, 3))
    s = 400
    for n_cols in (500, 50_000):
        W = rng.normal(size=(n_cols, 3))
        v = rng.normal(size=n_cols)
        A_cols = np.einsum("jk,kl,jl->j", W, U.T @ U, W)
        p = A_cols / A_cols.sum()
        exact = U @ (W.T @ v)
        scale = np.sqrt(A_cols.sum()) * np.linalg.norm(v)
        errs = []
        for _ in range(30):
            j = rng.choice(n_cols, size=s, p=p)
            errs.append(np.linalg.norm(U @ (W[j].T @ (v[j] / p[j])) / s - exact) / scale)
        rms = np.sqrt(np.mean(np.square(errs)))
        # E|error|^2 <= |A|_F^2 |v|^2 / s: the RMS error in these units is at most 1/sqrt(s)
        assert rms <= 1.3 / np.sqrt(s)


def test_a_trained_reuploading_vqc_is_reproduced_by_its_fourier_surrogate():
    from qmlkit import datasets
    from qmlkit.models import VQC

    X_train, y_train, X_test, y_test = datasets.moons(seed=15)
    vqc = VQC(reps=2, maxiter=30, random_state=15).fit(X_train, y_train)
    p1 = fourier_surrogate(X_train, vqc.predict_proba(X_train)[:, 1], X_test, 2)
    assert np.max(np.abs(p1 - vqc.predict_proba(X_test)[:, 1])) < 1e-9
    assert np.array_equal((p1 > 0.5).astype(int), vqc.predict(X_test))
    # one degree fewer does not reproduce it: the model really uses frequency 2
    p1_low = fourier_surrogate(X_train, vqc.predict_proba(X_train)[:, 1], X_test, 1)
    assert np.max(np.abs(p1_low - vqc.predict_proba(X_test)[:, 1])) > 1e-3


def test_shadow_example_and_bound_of_the_lesson():
    assert shadow_estimate(EXAMPLE_SNAPSHOTS, "ZX") == 1.5  # (9 - 9 + 9) / 6
    assert shadow_sample_bound(1, 0.1, 0.01) == 9537
    # the bound grows by 9 per extra non-identity qubit, by log(M) in the observables
    a, b = (2 * 9**w * math.log(2 / 0.01) / 0.1**2 for w in (2, 3))
    assert b / a == pytest.approx(9)
    assert shadow_sample_bound(1, 0.25, 0.01, num_observables=9) == math.ceil(
        18 * math.log(1800) / 0.0625
    )


def test_a_bell_measurement_of_two_copies_gives_every_squared_pauli_expectation():
    """The lesson's quantum-memory demo: averaged exactly over the outcome distribution, the
    product of the pair eigenvalues (X⊗X from the control bit, Z⊗Z from the target bit,
    Y⊗Y = -X⊗X · Z⊗Z) is <P>^2 for every Pauli string P."""
    import itertools

    from qiskit.quantum_info import Pauli, Statevector

    rng = np.random.default_rng(3)
    n = 3
    psi = QuantumCircuit(n)
    for q in range(n):
        psi.ry(rng.uniform(0, np.pi), q)
    psi.cx(0, 1)
    psi.cx(1, 2)
    for q in range(n):
        psi.rx(rng.uniform(0, np.pi), q)
    pairs = QuantumCircuit(2 * n)
    pairs.compose(psi, range(n), inplace=True)
    pairs.compose(psi, range(n, 2 * n), inplace=True)
    for q in range(n):
        pairs.cx(q, q + n)
        pairs.h(q)
    probs = Statevector(pairs).probabilities()
    k = np.arange(2 ** (2 * n))
    xx = 1 - 2 * ((k[:, None] >> np.arange(n)) & 1)
    zz = 1 - 2 * ((k[:, None] >> np.arange(n, 2 * n)) & 1)
    eigs = {"I": np.ones_like(xx), "X": xx, "Y": -xx * zz, "Z": zz}
    state = Statevector(psi)
    for label in itertools.product("IXYZ", repeat=n):
        pauli = "".join(label)
        letters = pauli[::-1]
        value = probs @ np.prod([eigs[letters[q]][:, q] for q in range(n)], axis=0)
        assert value == pytest.approx(state.expectation_value(Pauli(pauli)).real ** 2, abs=1e-12)
