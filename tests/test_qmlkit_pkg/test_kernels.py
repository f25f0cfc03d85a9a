"""qmlkit.kernels: exact kernels equal qiskit-machine-learning's, chunking, shots, errors."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import pauli_feature_map, z_feature_map, zz_feature_map
from qiskit.quantum_info import DensityMatrix, Pauli, Statevector, partial_trace

from qmlkit import kernels
from qmlkit.backends import Backend
from qmlkit.errors import InputError
from qmlkit.kernels import FidelityKernel, ProjectedKernel, kernel_target_alignment


def hand_built() -> QuantumCircuit:
    x = ParameterVector("x", 3)
    qc = QuantumCircuit(3)
    for i in range(3):
        qc.ry(x[i], i)
    qc.cx(0, 1)
    qc.rx(2 * x[0] - x[2], 1)
    qc.cx(1, 2)
    qc.rz(x[1] * x[2], 2)
    qc.ry((np.pi - x[0]) * (np.pi - x[1]), 0)
    qc.cx(2, 0)
    qc.rx(x[2].sin(), 0)
    return qc


FEATURE_MAPS = {
    "zz_linear": lambda: zz_feature_map(3, reps=2),
    "zz_full": lambda: zz_feature_map(3, reps=2, entanglement="full"),
    "pauli_z_xx": lambda: pauli_feature_map(3, reps=2, paulis=["Z", "XX"]),
    "z": lambda: z_feature_map(3, reps=2),
    "hand_built": hand_built,
}


@pytest.mark.parametrize("name", sorted(FEATURE_MAPS))
def test_equals_qiskit_machine_learning_statevector_kernel(name):
    from qiskit_machine_learning.kernels import FidelityStatevectorKernel

    fm = FEATURE_MAPS[name]()
    rng = np.random.default_rng(42)
    X, Y = rng.uniform(0, np.pi, (25, 3)), rng.uniform(0, np.pi, (9, 3))
    theirs = FidelityStatevectorKernel(feature_map=fm)
    ours = FidelityKernel(fm)
    np.testing.assert_allclose(ours.evaluate(X), theirs.evaluate(X), atol=1e-10)
    np.testing.assert_allclose(ours.evaluate(X, Y), theirs.evaluate(X, Y), atol=1e-10)


def test_gram_matrix_is_a_valid_kernel():
    X = np.random.default_rng(0).uniform(0, 2 * np.pi, (30, 4))
    K = FidelityKernel(zz_feature_map(4, reps=2, entanglement="full")).evaluate(X)
    np.testing.assert_allclose(K, K.T, atol=0)
    np.testing.assert_allclose(np.diag(K), 1.0, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    assert K.min() >= 0 and K.max() <= 1 + 1e-12


@pytest.mark.parametrize("chunk", [None, 1, 3, 7, 16])
@pytest.mark.parametrize("budget", [None, 2500])  # 2500 bytes: groups of held states
def test_blocked_equals_unblocked(chunk, budget):
    fm = zz_feature_map(3, reps=2, entanglement="full")
    rng = np.random.default_rng(1)
    X, Y = rng.uniform(0, np.pi, (17, 3)), rng.uniform(0, np.pi, (11, 3))
    whole = FidelityKernel(fm)
    parts = FidelityKernel(fm, chunk_size=chunk, memory_budget=budget)
    SX, SY = whole.states(X), whole.states(Y)
    plain = {"X": np.abs(SX.conj() @ SX.T) ** 2, "XY": np.abs(SX.conj() @ SY.T) ** 2}
    K = parts.evaluate(X)
    np.testing.assert_array_equal(K, K.T)
    np.testing.assert_allclose(K, plain["X"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(K, whole.evaluate(X), rtol=0, atol=1e-14)
    # N > M holds Y's states and streams X; N < M holds X's and streams Y
    np.testing.assert_allclose(parts.evaluate(X, Y), plain["XY"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(parts.evaluate(Y, X), plain["XY"].T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(parts.evaluate(X, X), plain["X"], rtol=0, atol=1e-12)


def test_small_budgets_split_into_groups_and_row_tiles(monkeypatch):
    # a budget of 2500 bytes at 3 qubits (128-byte states) holds 13 of 17 states, and the
    # group's own Gram matrix is formed in row tiles of 2 (the last tile 1 row)
    assert kernels.plan_blocks(17, 17, 3, 2500, symmetric=True) == (13, 1, 2)
    calls = {"tiles": 0, "blocks": 0, "rank_k": 0}
    for name, key in (
        ("_gram_rows", "tiles"),
        ("_gram_block", "blocks"),
        ("_gram_diagonal_block", "rank_k"),
    ):
        original = getattr(kernels, name)

        def counting(*args, _original=original, _key=key):
            calls[_key] += 1
            return _original(*args)

        monkeypatch.setattr(kernels, name, counting)
    X = np.random.default_rng(2).uniform(0, np.pi, (17, 3))
    kernel = FidelityKernel(zz_feature_map(3, reps=2), memory_budget=2500)
    S = kernel.states(X)
    K = kernel.evaluate(X)
    np.testing.assert_allclose(K, np.abs(S.conj() @ S.T) ** 2, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(K, K.T)
    # group 1: 13 rows in 7 tiles of 2 (the last 1); group 2 (4 points) in 2 tiles; the
    # 4 later points against group 1 in 4 chunks of 1; no rank-k update of 13 fits
    assert calls == {"tiles": 7 + 2, "blocks": 4, "rank_k": 0}


def test_plan_keeps_the_documented_working_set():
    budget = kernels.MEMORY_BUDGET
    for n, N, M in [
        (2, 20, 20),
        (8, 1000, 1000),
        (8, 10_000, 10_000),
        (14, 500, 500),
        (14, 301, 500),
        (14, 2000, 2000),
        (18, 100, 100),
    ]:
        for symmetric in (False, True):
            held, chunk, rows = kernels.plan_blocks(N, M, n, budget, symmetric=symmetric)
            assert 1 <= held <= N and 1 <= chunk <= M and 0 <= rows <= held
            assert (rows >= 1) == symmetric
            assert kernels.working_set(held, chunk, n, rows) <= budget
            if N * 16 * 2**n * 1.01 < budget:  # states fit: all held, each simulated once
                assert held == N
    assert kernels.plan_blocks(500, 500, 14, budget, symmetric=True) == (500, 64, 500)
    assert kernels.plan_blocks(2000, 2000, 14, budget)[0] < 2000  # 500 MiB of states
    assert kernels.working_set(10, 2, 3, rows=0) == 128 * (10 + 4 * 2) + 16 * 10 * 2


def test_each_state_is_simulated_once_when_the_states_fit(monkeypatch):
    from qmlkit.statevec import Program

    simulated = []
    original = Program.run

    def counting(self, values=None, **kw):
        simulated.append(len(values))
        return original(self, values, **kw)

    monkeypatch.setattr(Program, "run", counting)
    X = np.random.default_rng(3).uniform(0, np.pi, (45, 4))
    kernel = FidelityKernel(zz_feature_map(4, reps=1), chunk_size=7)
    kernel.evaluate(X)
    assert sum(simulated) == 45 and max(simulated) == 7
    simulated.clear()
    kernel.evaluate(X, X[:13])
    assert sum(simulated) == 45 + 13


def test_bad_input_gives_clear_errors():
    k = FidelityKernel(zz_feature_map(3))
    with pytest.raises(InputError, match=r"feature map has 3 parameters but X has 2 features"):
        k.evaluate(np.zeros((4, 2)))
    with pytest.raises(InputError, match=r"3 parameters but Y has 4"):
        k.evaluate(np.zeros((4, 3)), np.zeros((2, 4)))
    with pytest.raises(InputError, match="NaN"):
        k.evaluate([[0.0, np.nan, 1.0]])
    with pytest.raises(InputError, match="empty"):
        k.evaluate(np.zeros((0, 3)))
    with pytest.raises(InputError, match=r"2-D.*reshape\(1, -1\)"):
        k.evaluate(np.zeros(3))
    # the constructor only stores its arguments (scikit-learn's rule); first use checks them
    with pytest.raises(InputError, match="QuantumCircuit"):
        FidelityKernel(lambda x: x).evaluate(np.zeros((2, 1)))
    with pytest.raises(InputError, match="no parameters"):
        FidelityKernel(QuantumCircuit(2)).evaluate(np.zeros((2, 1)))
    with pytest.raises(InputError, match="chunk_size"):
        FidelityKernel(zz_feature_map(3), chunk_size=0).evaluate(np.zeros((2, 3)))


def test_circuit_count_exploits_symmetry():
    k = FidelityKernel(z_feature_map(2), backend="fake:manila")
    assert k.circuit_count(np.zeros((10, 2))) == 45
    assert k.circuit_count(np.zeros((10, 2)), np.zeros((4, 2))) == 40
    assert FidelityKernel(z_feature_map(2)).circuit_count(np.zeros((10, 2))) == 0
    assert FidelityKernel(z_feature_map(2), backend="ideal").exact


def noiseless_device() -> Backend:
    """A shot-based backend without noise, so estimates are binomial around the truth."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    return Backend(
        name="noiseless", kind="device", backend=AerSimulator(), _sampler=SamplerV2(seed=5)
    )


def test_shot_estimate_matches_exact_within_binomial_error():
    fm = zz_feature_map(2, reps=2)
    rng = np.random.default_rng(3)
    X, Y = rng.uniform(0, np.pi, (5, 2)), rng.uniform(0, np.pi, (3, 2))
    shots = 4000
    device = FidelityKernel(fm, backend=noiseless_device(), shots=shots)
    exact = FidelityKernel(fm)
    for est, truth in (
        (device.evaluate(X), exact.evaluate(X)),
        (device.evaluate(X, Y), exact.evaluate(X, Y)),
    ):
        sigma = np.sqrt(truth * (1 - truth) / shots) + 1e-3
        assert np.all(np.abs(est - truth) <= 6 * sigma)
    K = device.evaluate(X)
    np.testing.assert_array_equal(K, K.T)
    np.testing.assert_array_equal(np.diag(K), 1.0)


def test_shot_kernel_warns_before_many_circuits(monkeypatch):
    monkeypatch.setattr(kernels, "LARGE_CIRCUIT_COUNT", 2)
    k = FidelityKernel(z_feature_map(1, reps=1), backend=noiseless_device(), shots=10)
    with pytest.warns(UserWarning, match=r"runs 3 circuits x 10 shots"):
        k.evaluate([[0.0], [1.0], [2.0]])


def test_fake_device_kernel_is_close_to_exact():
    fm = z_feature_map(2, reps=1)
    X = np.array([[0.0, 0.0], [np.pi / 2, 0.3], [np.pi, np.pi]])
    K = FidelityKernel(fm, backend="fake:manila", shots=2000, seed=11).evaluate(X)
    np.testing.assert_allclose(K, FidelityKernel(fm).evaluate(X), atol=0.12)


def test_compute_uncompute_circuit_gives_the_kernel():
    k = FidelityKernel(hand_built())
    qc = k.compute_uncompute_circuit().remove_final_measurements(inplace=False)
    x, y = np.array([0.3, 1.2, 2.0]), np.array([1.0, 0.1, 0.5])
    amp = Statevector(qc.assign_parameters(np.concatenate([x, y]))).data[0]
    np.testing.assert_allclose(abs(amp) ** 2, k.evaluate([x], [y])[0, 0], atol=1e-12)


def test_kernel_target_alignment():
    y = np.array([0, 0, 1, 1])
    ideal = np.where(y[:, None] == y[None, :], 1.0, -1.0)
    assert kernel_target_alignment(ideal, y) == pytest.approx(1.0)
    assert kernel_target_alignment(np.ones((4, 4)), y) == pytest.approx(0.0)
    assert kernel_target_alignment(np.eye(4), ["a", "a", "b", "b"]) == pytest.approx(0.5)
    with pytest.raises(InputError, match="labels"):
        kernel_target_alignment(np.eye(3), y)
    with pytest.raises(InputError, match="square"):
        kernel_target_alignment(np.ones((2, 3)), [0, 1])


def test_projected_kernel_uses_one_qubit_reduced_states():
    fm = zz_feature_map(3, reps=2)
    X = np.random.default_rng(2).uniform(0, np.pi, (4, 3))
    pk = ProjectedKernel(fm, gamma=0.7)
    bloch = pk.bloch_vectors(X)
    rhos = []
    for row in X:
        state = Statevector(fm.assign_parameters(row))
        rho = [
            partial_trace(DensityMatrix(state), [j for j in range(3) if j != q]) for q in range(3)
        ]
        rhos.append(rho)
        for q in range(3):
            expected = [rho[q].expectation_value(Pauli(p)).real for p in "XYZ"]
            np.testing.assert_allclose(bloch[len(rhos) - 1, q], expected, atol=1e-12)
    K = pk.evaluate(X)
    for i in range(4):
        for j in range(4):
            dist = sum(np.linalg.norm(rhos[i][q].data - rhos[j][q].data) ** 2 for q in range(3))
            assert K[i, j] == pytest.approx(np.exp(-0.7 * dist), abs=1e-12)
    with pytest.raises(InputError, match="gamma"):
        ProjectedKernel(fm, gamma=-1.0).evaluate(np.zeros((2, fm.num_parameters)))


def _peak_bytes(function) -> tuple[int, np.ndarray]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = function()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_memory_is_the_output_plus_the_documented_working_set():
    n_points, chunk = 1500, 256
    X = np.random.default_rng(0).uniform(0, np.pi, (n_points, 8))
    kernel = FidelityKernel(zz_feature_map(8, reps=2), chunk_size=chunk)
    kernel.evaluate(X[:10])  # compile outside the measurement
    peak, K = _peak_bytes(lambda: kernel.evaluate(X))
    plan = kernels.plan_blocks(n_points, n_points, 8, kernels.MEMORY_BUDGET, chunk, True)
    assert plan == (n_points, chunk, n_points)  # all held, one rank-k update
    assert K.nbytes == n_points**2 * 8
    assert peak <= K.nbytes + kernels.working_set(*plan[:2], 8, plan[2]) + 2**20


@pytest.mark.parametrize(
    "n_x, n_y, budget",
    [(300, None, None), (120, None, 24 * 2**20), (100, 60, 20 * 2**20)],
)
def test_memory_bound_holds_at_14_qubits(n_x, n_y, budget):
    # the docstring's bound: 8 N M + W(h, c) + 1 MiB, with W(h, c) <= the budget
    n = 14
    rng = np.random.default_rng(5)
    X = rng.uniform(0, np.pi, (n_x, n))
    Y = None if n_y is None else rng.uniform(0, np.pi, (n_y, n))
    kernel = FidelityKernel(zz_feature_map(n, reps=1), memory_budget=budget)
    kernel.states(X[:1])  # compile outside the measurement
    peak, K = _peak_bytes(lambda: kernel.evaluate(X, Y))
    limit = budget or kernels.MEMORY_BUDGET
    M = n_x if n_y is None else n_y
    held, chunk, rows = kernels.plan_blocks(min(n_x, M), max(n_x, M), n, limit, None, n_y is None)
    W = kernels.working_set(held, chunk, n, rows)
    assert W <= limit
    assert K.shape == (n_x, M)
    assert peak <= 8 * n_x * M + W + 2**20
    if budget is None:  # all states held: at least their 75 MiB was in use
        assert peak >= 16 * 2**n * min(n_x, M)


def test_large_blocks_equal_a_plain_matrix_product():
    # 600 points in blocks of 500 and 100; the 500-point diagonal block is mirrored in
    # 256-row pieces
    X = np.random.default_rng(9).uniform(0, np.pi, (600, 4))
    kernel = FidelityKernel(zz_feature_map(4, reps=2), chunk_size=500)
    S = kernel.states(X)
    K = kernel.evaluate(X)
    np.testing.assert_allclose(K, np.abs(S.conj() @ S.T) ** 2, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(K, K.T)


def _scipy_blas_threads() -> list[int]:
    """Current thread counts of the BLAS libraries loaded (scipy's among them)."""
    import scipy.linalg.blas  # noqa: F401  (the BLAS the Gram product uses, loaded first)
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


@pytest.mark.parametrize("with_y", [False, True])
def test_blas_threads_chosen_by_size_and_restored(with_y, monkeypatch):
    from threadpoolctl import threadpool_limits

    seen = []
    for name in ("_gram_block", "_gram_diagonal_block"):
        original = getattr(kernels, name)

        def recording(*args, _original=original):
            seen.append(_scipy_blas_threads())
            return _original(*args)

        monkeypatch.setattr(kernels, name, recording)
    X = np.random.default_rng(0).uniform(0, np.pi, (40, 3))
    Y = X[:25] if with_y else None
    kernel = FidelityKernel(zz_feature_map(3, reps=1), chunk_size=16)
    before = _scipy_blas_threads()  # loads scipy's BLAS before the limit below
    with threadpool_limits(limits=2, user_api="blas"):  # two threads where BLAS allows them
        before = _scipy_blas_threads()
        assert len(before) >= 1
        assert kernels.blas_threads_for(40, 40, 8) == 1
        small = kernel.evaluate(X, Y)  # 40 x 40 x 8: one thread
        assert seen and all(threads == [1] * len(before) for threads in seen)
        assert _scipy_blas_threads() == before  # restored
        seen.clear()
        monkeypatch.setattr(kernels, "ONE_THREAD_WORK", 0)  # now every product is "large"
        assert kernels.blas_threads_for(40, 40, 8) is None
        large = kernel.evaluate(X, Y)
        assert seen and all(threads == before for threads in seen)
        assert _scipy_blas_threads() == before
    np.testing.assert_allclose(small, large, atol=1e-14)
    S = kernel.states(X)
    T = S if Y is None else S[:25]
    np.testing.assert_allclose(small, np.abs(S.conj() @ T.T) ** 2, atol=1e-12)


def test_blas_threads_restored_when_the_product_fails(monkeypatch):
    def failing(*args):
        assert _scipy_blas_threads() == [1] * len(_scipy_blas_threads())
        raise MemoryError("out of memory in the Gram product")

    monkeypatch.setattr(kernels, "_gram_diagonal_block", failing)
    before = _scipy_blas_threads()
    with pytest.raises(MemoryError):
        FidelityKernel(zz_feature_map(2, reps=1)).evaluate(np.zeros((5, 2)))
    assert _scipy_blas_threads() == before


def test_kernel_protocol_functions_and_lazy_validation():
    from qmlkit.kernels import Kernel, fidelity_kernel, kernel_matrix

    fm = zz_feature_map(2, reps=1)
    X = np.random.default_rng(1).uniform(0, np.pi, (5, 2))
    Y = X[:3] + 0.1
    kernels_: list[Kernel] = [
        FidelityKernel(fm),
        ProjectedKernel(fm, gamma=0.3),
        fidelity_kernel(fm),
    ]
    for kernel in kernels_:  # one calling convention: kernel(X) and kernel(X, Y)
        np.testing.assert_array_equal(kernel(X), kernel.evaluate(X))
        np.testing.assert_array_equal(kernel(X, Y), kernel.evaluate(X, Y))
        assert kernel(X, Y).shape == (5, 3)
    states = FidelityKernel(fm).states(np.vstack([X, Y]))

    def overlap(x, y):  # a pairwise kernel, PennyLane style
        i = int(np.flatnonzero((np.vstack([X, Y]) == x).all(axis=1))[0])
        j = int(np.flatnonzero((np.vstack([X, Y]) == y).all(axis=1))[0])
        return abs(np.vdot(states[i], states[j])) ** 2

    np.testing.assert_allclose(kernel_matrix(X, Y, overlap), FidelityKernel(fm)(X, Y), atol=1e-12)
    np.testing.assert_allclose(kernel_matrix(X, None, overlap), FidelityKernel(fm)(X), atol=1e-12)
    with pytest.raises(InputError, match="one number"):
        kernel_matrix(X, Y, lambda x, y: "high")
    with pytest.raises(InputError, match="function k"):
        kernel_matrix(X, Y, "rbf")
    with pytest.raises(InputError, match="features per row"):
        kernel_matrix(X, np.zeros((2, 3)), overlap)
    # constructors only store (scikit-learn's rule), so parameters can change before use
    kernel = FidelityKernel("not yet a circuit")
    assert kernel.feature_map == "not yet a circuit"
    kernel.feature_map = fm
    np.testing.assert_allclose(kernel(X), FidelityKernel(fm)(X))
    kernel.feature_map = zz_feature_map(2, reps=2)  # the compiled program follows the map
    np.testing.assert_allclose(kernel(X), FidelityKernel(zz_feature_map(2, reps=2))(X))
    pk = ProjectedKernel(fm, gamma=0.0)
    with pytest.raises(InputError, match="gamma"):
        pk(X)
    pk.gamma = 0.3
    np.testing.assert_allclose(pk(X), ProjectedKernel(fm, gamma=0.3)(X))
