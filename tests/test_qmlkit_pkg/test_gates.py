"""qmlkit._gates: every gate on every qubit placement equals Qiskit's Statevector/Operator."""

import itertools

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import get_standard_gate_name_mapping
from qiskit.quantum_info import Operator, Statevector, random_statevector, random_unitary

from qmlkit._gates import (
    GENERATORS,
    analyse,
    apply_diagonal,
    apply_layer,
    apply_matrix,
    apply_matrix_into,
    apply_permutation,
    apply_with_spare,
    matrix_of,
    pair,
    rotation,
)

GATES = get_standard_gate_name_mapping()
CONSTANT = {  # constant standard gates by number of qubits
    k: sorted(
        name
        for name, g in GATES.items()
        if g.num_qubits == k and not g.params and name not in ("measure", "reset", "delay")
    )
    for k in (1, 2, 3)
}


def random_batch(n: int, batch: int, seed: int) -> np.ndarray:
    return np.array([random_statevector(2**n, seed=seed + b).data for b in range(batch)])


def evolve(states: np.ndarray, n: int, qubits, matrices) -> np.ndarray:
    """Reference: Qiskit's Statevector.evolve row by row (one matrix, or one per row)."""
    out = []
    for b, psi in enumerate(states):
        m = matrices if np.ndim(matrices) == 2 else matrices[b]
        out.append(Statevector(psi).evolve(Operator(m), qargs=list(qubits)).data)
    return np.array(out)


def run(states: np.ndarray, n: int, qubits, m, batch_last: bool) -> np.ndarray:
    """apply_matrix in either layout; returns batch-first states."""
    work = (states.T if batch_last else states).copy()  # C-contiguous, and a copy
    apply_matrix(work, n, qubits, m, batch_last=batch_last)
    return work.T if batch_last else work


def placements(n: int, k: int):
    return list(itertools.permutations(range(n), k))


def test_gate_tables_are_not_empty():
    assert {"x", "h", "sx", "t"} <= set(CONSTANT[1])
    assert {"cx", "cz", "swap", "iswap", "ecr", "ch"} <= set(CONSTANT[2])
    assert {"ccx", "cswap", "ccz"} <= set(CONSTANT[3])


@pytest.mark.parametrize("batch_last", [False, True])
@pytest.mark.parametrize("n", range(1, 9))
def test_constant_gates_on_every_placement(n, batch_last):
    states = random_batch(n, 3, seed=n)
    for k in (1, 2, 3):
        names = CONSTANT[k]
        qubit_sets = placements(n, k)
        if k == 3 and n > 5:  # 120-336 placements: every one for the CCX, a sample otherwise
            qubit_sets = qubit_sets[:: max(1, len(qubit_sets) // 40)]
        for qubits in qubit_sets:
            for name in names if k < 3 or n <= 5 else ["ccx", "cswap", "ccz"]:
                m = matrix_of(name)
                got = run(states, n, qubits, m, batch_last)
                np.testing.assert_allclose(
                    got, evolve(states, n, qubits, m), atol=1e-12, err_msg=f"{name} on {qubits}"
                )


@pytest.mark.parametrize("batch_last", [False, True])
@pytest.mark.parametrize("n", range(1, 9))
def test_rotations_with_batched_angles_on_every_placement(n, batch_last):
    states = random_batch(n, 4, seed=10 + n)
    angles = np.random.default_rng(n).uniform(-np.pi, np.pi, len(states))
    for name, gen in GENERATORS.items():
        k = int(np.log2(len(gen)))
        for qubits in placements(n, k):
            expected = np.array(
                [
                    Statevector(psi).evolve(GATES[name].__class__(a), qargs=list(qubits)).data
                    for psi, a in zip(states, angles)
                ]
            )
            got = run(states, n, qubits, rotation(gen, angles), batch_last)
            np.testing.assert_allclose(got, expected, atol=1e-12, err_msg=f"{name} on {qubits}")
            # one shared angle: the constant-matrix path
            one = run(states, n, qubits, rotation(gen, angles[0]), batch_last)
            np.testing.assert_allclose(one[0], expected[0], atol=1e-12)


@pytest.mark.parametrize("batch_last", [False, True])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_per_state_dense_and_diagonal_matrices(k, batch_last):
    n = 5
    states = random_batch(n, 3, seed=k)
    dense = np.array([random_unitary(2**k, seed=s).data for s in range(3)])
    rng = np.random.default_rng(k)
    diag = np.exp(1j * rng.uniform(-np.pi, np.pi, (3, 2**k)))
    for qubits in placements(n, k)[::3]:
        for m in (dense, np.array([np.diag(d) for d in diag])):
            got = run(states, n, qubits, m, batch_last)
            np.testing.assert_allclose(got, evolve(states, n, qubits, m), atol=1e-12)
        work = (states.T if batch_last else states).copy()
        apply_diagonal(work, n, qubits, diag, batch_last=batch_last)
        got = work.T if batch_last else work
        expected = evolve(states, n, qubits, np.array([np.diag(d) for d in diag]))
        np.testing.assert_allclose(got, expected, atol=1e-12)


@pytest.mark.parametrize("k", [4, 5])
def test_wide_diagonal_and_dense_gates(k):
    n = 6
    states = random_batch(n, 2, seed=k)
    rng = np.random.default_rng(k)
    diag = np.exp(1j * rng.uniform(-np.pi, np.pi, 2**k))
    qubits = tuple(rng.permutation(n)[:k])
    for m in (np.diag(diag), random_unitary(2**k, seed=k).data):
        for batch_last in (False, True):
            got = run(states, n, qubits, m, batch_last)
            np.testing.assert_allclose(got, evolve(states, n, qubits, m), atol=1e-12)


def test_analyse_recognises_the_structure():
    assert analyse(matrix_of("cz")).kind == "diagonal"
    assert analyse(matrix_of("t")).kind == "diagonal"
    for name in ("x", "y", "cx", "cy", "swap", "ccx", "cswap", "iswap", "dcx"):
        form = analyse(matrix_of(name))
        assert form.kind == "permutation", name
        rebuilt = np.zeros_like(form.matrix)
        rebuilt[np.arange(len(form.perm)), form.perm] = form.phases
        np.testing.assert_array_equal(rebuilt, form.matrix)
    for name in ("h", "sx", "ch", "ecr"):
        assert analyse(matrix_of(name)).kind == "dense", name


def test_permutation_with_phases_and_cycles():
    n = 3
    states = random_batch(n, 2, seed=5)
    perm = np.array([2, 0, 3, 1])  # one 4-cycle
    phases = np.exp(1j * np.arange(4))
    m = np.zeros((4, 4), dtype=complex)
    m[np.arange(4), perm] = phases
    work = states.copy()
    apply_permutation(work, n, [2, 0], perm, phases)
    np.testing.assert_allclose(work, evolve(states, n, [2, 0], m), atol=1e-12)


@pytest.mark.parametrize("batch_last", [False, True])
def test_random_circuits_equal_statevector(batch_last):
    rng = np.random.default_rng(0)
    names = CONSTANT[1] + CONSTANT[2] + CONSTANT[3] + sorted(GENERATORS)
    for n in range(1, 9):
        qc = QuantumCircuit(n)
        state = np.zeros((2**n, 1) if batch_last else (1, 2**n), dtype=complex)
        state.flat[0] = 1.0
        for _ in range(40):
            name = names[rng.integers(len(names))]
            gate = GATES[name]
            if gate.num_qubits > n:
                continue
            qubits = [int(q) for q in rng.permutation(n)[: gate.num_qubits]]
            if name in GENERATORS:
                a = float(rng.uniform(-np.pi, np.pi))
                gate = gate.__class__(a)
                m = rotation(GENERATORS[name], a)
            else:
                m = matrix_of(name)
            qc.append(gate, qubits)
            apply_matrix(state, n, qubits, m, batch_last=batch_last)
        np.testing.assert_allclose(state.ravel(), Statevector(qc).data, atol=1e-11)


@pytest.mark.parametrize("batch_last", [False, True])
def test_pair_equals_the_inner_product(batch_last):
    n = 4
    bra, ket = random_batch(n, 3, seed=1), random_batch(n, 3, seed=7)
    for name, gen in GENERATORS.items():
        k = int(np.log2(len(gen)))
        for qubits in placements(n, k)[::2]:
            moved = evolve(ket, n, qubits, gen)
            expected = np.einsum("bi,bi->b", bra.conj(), moved)
            b_in = np.ascontiguousarray(bra.T if batch_last else bra)
            k_in = np.ascontiguousarray(ket.T if batch_last else ket)
            got = pair(b_in, k_in, n, qubits, gen, batch_last=batch_last)
            np.testing.assert_allclose(got, expected, atol=1e-12, err_msg=f"{name} {qubits}")


def test_generators_exponentiate_to_the_qiskit_gates():
    for name, gen in GENERATORS.items():
        for a in (0.3, -1.7):
            np.testing.assert_allclose(
                rotation(gen, a), Operator(GATES[name].__class__(a)).data, atol=1e-12
            )


def test_a_non_contiguous_state_is_refused():
    state = np.zeros((4, 4), dtype=complex)[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        apply_matrix(state, 1, [0], matrix_of("h"))


@pytest.mark.parametrize("batch_last", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_fused_one_qubit_layers(n, batch_last):
    """apply_layer = the same one-qubit gates one by one, constant and per-state, any subset."""
    states = random_batch(n, 3, seed=20 + n)
    rng = np.random.default_rng(n)
    for _ in range(4):
        chosen = [q for q in range(n) if rng.random() < 0.7] or [0]
        mats = {}
        for q in chosen:
            if rng.random() < 0.5:
                mats[q] = random_unitary(2, seed=int(rng.integers(1000))).data
            else:
                mats[q] = rotation(GENERATORS["ry"], rng.uniform(-np.pi, np.pi, 3))
        expected = states
        for q, m in mats.items():
            expected = evolve(expected, n, [q], m)
        work = (states.T if batch_last else states).copy()
        apply_layer(work, n, mats, batch_last=batch_last)
        got = work.T if batch_last else work
        np.testing.assert_allclose(got, expected, atol=1e-12, err_msg=f"{sorted(mats)}")


def test_real_states_stay_real():
    """Real matrices on real (float64) states: the kernels keep the dtype."""
    n = 5
    rng = np.random.default_rng(2)
    states = rng.normal(size=(3, 2**n))
    ry = rotation(GENERATORS["ry"], 0.7).real
    for qubits, m in (
        ([0], ry),
        ([4], ry),
        ([1, 3], matrix_of("cx").real),
        ([4, 2], matrix_of("cz").real),
    ):
        work = states.copy()
        apply_matrix(work, n, qubits, m)
        assert work.dtype == np.float64
        np.testing.assert_allclose(work, evolve(states, n, qubits, m).real, atol=1e-12)


@pytest.mark.parametrize("batch_last", [False, True])
def test_apply_matrix_into_on_neighbouring_and_scattered_qubits(batch_last):
    """The out-of-place form, dense matrices on runs of neighbouring qubits and elsewhere."""
    n = 7
    states = random_batch(n, 3, seed=3)
    for k in (1, 2, 3, 4):
        dense = random_unitary(2**k, seed=k).data
        real = np.linalg.qr(np.random.default_rng(k).normal(size=(2**k, 2**k)))[0]
        for first in range(n - k + 1):
            for qubits in (
                tuple(range(first, first + k)),
                tuple(range(first + k - 1, first - 1, -1)),
            ):
                for m in (dense, real, matrix_of("swap") if k == 2 else dense):
                    src = (states.T if batch_last else states).copy()
                    out = np.empty_like(src)
                    got = apply_matrix_into(src, out, n, qubits, m, batch_last=batch_last)
                    assert got is out
                    got = got.T if batch_last else got
                    np.testing.assert_allclose(got, evolve(states, n, qubits, m), atol=1e-12)
    with pytest.raises(ValueError, match="overlap"):
        apply_matrix_into(states, states, n, [0], matrix_of("h"))


@pytest.mark.parametrize("batch_last", [False, True])
def test_apply_with_spare_alternates_buffers_correctly(batch_last):
    """A random circuit through apply_with_spare equals Statevector, whichever buffer ends."""
    n = 6
    rng = np.random.default_rng(11)
    qc = QuantumCircuit(n)
    state = np.zeros((2**n, 2) if batch_last else (2, 2**n), dtype=complex)
    if batch_last:
        state[0, :] = 1.0
    else:
        state[:, 0] = 1.0
    spare = np.empty_like(state)
    names = CONSTANT[1] + CONSTANT[2] + CONSTANT[3] + sorted(GENERATORS)
    for _ in range(60):
        name = names[rng.integers(len(names))]
        gate = GATES[name]
        qubits = [int(q) for q in rng.permutation(n)[: gate.num_qubits]]
        if name in GENERATORS:
            a = float(rng.uniform(-np.pi, np.pi))
            gate, m = gate.__class__(a), rotation(GENERATORS[name], np.array([a, a]))
        else:
            m = matrix_of(name)
        qc.append(gate, qubits)
        state, spare = apply_with_spare(state, spare, n, qubits, m, batch_last=batch_last)
        assert not np.shares_memory(state, spare)
    expected = Statevector(qc).data
    for column in state.T if batch_last else state:
        np.testing.assert_allclose(column, expected, atol=1e-11)
