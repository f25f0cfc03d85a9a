"""Quantum kernels: exact fidelity kernels, shot-based estimates, projected kernels.

The fidelity kernel of a feature map U(x) is k(x, y) = |<psi(x)|psi(y)>|^2 with
|psi(x)> = U(x)|0...0>. :class:`FidelityKernel` computes it exactly by simulating all
data points at once with :mod:`qmlkit.statevec` (batched over the data, diagonal phase
layers and single-qubit layers compiled to vector operations) and forming the Gram matrix
with one complex matrix product (a Hermitian rank-k update when ``Y`` is ``None``). On a
device backend (or ``"ideal"`` with an integer ``shots``) it estimates each entry from shots with
compute-uncompute circuits.

Qubit order is Qiskit's: qubit 0 is the least-significant bit. Introduced in lesson 06.

>>> from qiskit.circuit.library import zz_feature_map
>>> kernel = FidelityKernel(zz_feature_map(2, reps=2))
>>> K = kernel.evaluate(np.array([[0.1, 0.2], [1.0, 2.0], [0.1, 0.2]]))
>>> np.round(K, 3)
array([[1.   , 0.028, 1.   ],
       [0.028, 1.   , 0.028],
       [1.   , 0.028, 1.   ]])
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ._env import limit_blas_threads
from .backends import resolve
from .errors import InputError
from .statevec import cached_program

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from .backends import Backend

__all__ = [
    "Kernel",
    "FidelityKernel",
    "ProjectedKernel",
    "fidelity_kernel",
    "kernel_matrix",
    "kernel_target_alignment",
    "check_data",
]

log = logging.getLogger(__name__)

#: Above this many circuits, the shot-based kernel warns before it runs.
LARGE_CIRCUIT_COUNT = 500
#: Default memory budget of the exact kernel, in bytes, beyond its output matrix: the
#: working set of :func:`plan_blocks`' blocks stays within it (256 MiB holds the states of 1,000
#: points on 14 qubits, or of 60,000 on 8, so each state is simulated once).
MEMORY_BUDGET = 256 * 2**20
#: Peak memory of simulating c points, in units of c states (measured: 3.0 for the ZZ map at
#: 8-14 qubits: the states, the next gate's output and one temporary), with one spare.
SIMULATION_COPIES = 4
#: Largest number of points simulated or streamed at a time.
MAX_CHUNK = 4096
#: Largest block of states simulated at a time, in bytes (64 points on 14 qubits): blocks
#: this small are reused by the allocator instead of being mapped afresh for every chunk.
CHUNK_BYTES = 16 * 2**20
#: The Gram product runs on one BLAS thread up to this much work (n_x * n_y * 2**q complex
#: multiply-adds, about 1.5 ms on one thread), on all of BLAS's threads above it.
ONE_THREAD_WORK = 2**24


class Kernel(Protocol):
    """What QSVC and the lessons need of a kernel: a callable that returns the Gram matrix.

    ``kernel(X)`` is the symmetric (n_x, n_x) matrix of the rows of ``X`` with themselves;
    ``kernel(X, Y)`` the (n_x, n_y) matrix ``K[i, j] = k(X[i], Y[j])``. :class:`FidelityKernel`
    and :class:`ProjectedKernel` implement it, and so does any function with this signature
    (for example ``lambda X, Y=None: kernel_matrix(X, Y, my_pairwise_kernel)``).

    >>> from qiskit.circuit.library import z_feature_map
    >>> kernel: Kernel = FidelityKernel(z_feature_map(1, reps=1))
    >>> kernel([[0.0], [np.pi / 2]]).round(6).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    def __call__(self, X: Any, Y: Any = None) -> np.ndarray:
        """The Gram matrix of the rows of X with the rows of Y (``Y=None``: with X)."""
        ...  # pragma: no cover - a protocol method has no body


def check_data(X: Any, num_features: int | None = None, name: str = "X") -> np.ndarray:
    """Validate a data matrix and return it as a float array of shape (samples, features).

    Raises:
        InputError: not 2-D, empty, non-numeric, NaN/inf, or a width different from
            ``num_features`` (the feature map's parameter count), naming both numbers.

    >>> check_data([[0.0, 1.0]], num_features=2).shape
    (1, 2)
    """
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers.") from None
    if arr.ndim != 2:
        hint = (
            f" For a single sample use {name}.reshape(1, -1); for one feature, "
            f"{name}.reshape(-1, 1)."
            if arr.ndim == 1
            else ""
        )
        raise InputError(
            f"{name} must be a 2-D array of shape (samples, features), got {arr.ndim}-D "
            f"with shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise InputError(f"{name} is empty (0 samples); give at least one data point.")
    if num_features is not None and arr.shape[1] != num_features:
        raise InputError(
            f"The feature map has {num_features} parameters but {name} has {arr.shape[1]} "
            f"features per row; they must match (one feature per parameter, bound in "
            f"circuit.parameters order)."
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        row = int(np.argwhere(bad)[0, 0])
        raise InputError(
            f"{name} contains NaN or infinite values (first in row {row}); "
            "remove or impute them first."
        )
    return arr


def _require_circuit(feature_map: Any) -> QuantumCircuit:
    from qiskit import QuantumCircuit

    if not isinstance(feature_map, QuantumCircuit):
        raise InputError(
            "feature_map must be a parameterised qiskit QuantumCircuit (for example "
            f"qiskit.circuit.library.zz_feature_map(2)), got {type(feature_map).__name__}."
        )
    if feature_map.num_parameters == 0:
        raise InputError("The feature map has no parameters, so it cannot encode data.")
    return feature_map


def _is_exact(backend: Any, shots: Any = None) -> bool:
    """True when ``backend`` and ``shots`` stand for the exact simulator (see FidelityKernel)."""
    from .models._device import is_ideal

    return shots is None and is_ideal(backend)


def blas_threads_for(n_x: int, n_y: int, dim: int) -> int | None:
    """BLAS threads for a Gram product of n_x by n_y states of dimension dim: 1, or None for all.

    Waking a second BLAS thread pays only for large products: on 2 cores, two threads are
    1.2-1.8x faster than one above about 1e7 multiply-adds when the second core is free, but
    when another process keeps it busy a product of 1e6 takes 15 ms instead of 0.25 ms (the
    second thread waits for a time slice), a loss of several milliseconds per product that
    only large products recover. Hence one thread up to :data:`ONE_THREAD_WORK`.

    >>> blas_threads_for(100, 100, 2**8), blas_threads_for(4000, 4000, 2**8)
    (1, None)
    """
    return 1 if n_x * n_y * dim <= ONE_THREAD_WORK else None


def working_set(held: int, chunk: int, num_qubits: int, rows: int = 0) -> int:
    """Bytes the exact kernel uses beyond its output matrix for given block sizes.

    With state = 16 * 2**n bytes (n = ``num_qubits``), the larger of two phases:

    * streaming: ``state * (held + 4 * chunk) + 16 * held * chunk``: the held states,
      ``chunk`` points being simulated (the simulator peaks at about 3 states per point;
      :data:`SIMULATION_COPIES` = 4) and their complex overlaps with the held states;
    * the held states with themselves (``Y=None`` only), ``rows`` at a time:
      ``state * (held + rows) + 16 * held * rows``.

    >>> round(working_set(500, 64, 14) / 2**20, 1)   # MiB: 500 held states, chunks of 64
    189.5
    >>> round(working_set(500, 64, 14, rows=500) / 2**20, 1)   # and one rank-k update
    253.8
    """
    state = 16 * 2**num_qubits
    streaming = state * (held + SIMULATION_COPIES * chunk) + 16 * held * chunk
    own = state * (held + rows) + 16 * held * rows
    return max(streaming, own)


def _own_rows(held: int, num_qubits: int, budget: int) -> int:
    """Rows per product of the held states with themselves within the budget (>= 1)."""
    state = 16 * 2**num_qubits
    return int(max(1, min(held, (budget - state * held) // (state + 16 * held))))


def plan_blocks(
    n_held: int,
    n_stream: int,
    num_qubits: int,
    budget: int,
    chunk: int | None = None,
    symmetric: bool = False,
) -> tuple[int, int, int]:
    """Block sizes (held, chunk, rows) of the Gram matrix within a memory budget in bytes.

    The states of ``held`` points of one side are kept while the other side's points are
    simulated ``chunk`` at a time and multiplied against all of them in one product. Held
    points come first: when all ``n_held`` fit with some chunk, they are all held (every
    state is then simulated exactly once) and the chunk is the largest that fits, up to
    :data:`CHUNK_BYTES` of states and a quarter of the budget. Otherwise the held side is
    taken in groups and the streamed side is simulated once per group. With
    ``symmetric=True`` (``Y=None``) the held states are also multiplied with themselves
    ``rows`` rows at a time (``rows == held``: one Hermitian rank-k update); else rows = 0.
    ``working_set(held, chunk, num_qubits, rows) <= budget`` whenever one state and one
    point's chunk fit (``budget >= 80 * 2**num_qubits + 16``); with a given ``chunk``,
    whenever that chunk fits too.

    >>> plan_blocks(500, 500, 14, 256 * 2**20, symmetric=True)   # 500 states held
    (500, 64, 500)
    >>> plan_blocks(500, 500, 14, 32 * 2**20, symmetric=True)    # 32 MiB: groups of 95
    (95, 8, 32)
    >>> plan_blocks(10_000, 10_000, 8, 256 * 2**20, symmetric=True)
    (10000, 1289, 1386)
    """
    state = 16 * 2**num_qubits
    held = None
    if chunk is None:
        c = min(n_stream, MAX_CHUNK, budget // (4 * SIMULATION_COPIES * state))
        c = max(1, min(c, CHUNK_BYTES // state))
        fit = (budget - state * n_held) // (SIMULATION_COPIES * state + 16 * n_held)
        if fit >= 1:  # all held, with a chunk that fits beside them
            held, c = n_held, min(c, fit)
    else:
        c = chunk
    if held is None:
        room = budget - SIMULATION_COPIES * state * c
        held = max(1, min(n_held, room // (state + 16 * c)))
    rows = _own_rows(held, num_qubits, budget) if symmetric else 0
    return int(held), int(c), rows


def _gram_block(sx: np.ndarray, sy: np.ndarray, out: np.ndarray) -> None:
    """out[i, j] = |<x_i|y_j>|^2 for state columns sx (D, n) and sy (D, m), C-ordered.

    ``sx.T`` is a Fortran-ordered (n, D) matrix without copying, so BLAS gets both
    operands as they are; only the modulus is needed, so no conjugate copy is made.
    """
    from scipy.linalg.blas import zgemm

    overlaps = zgemm(1.0, sy.T, sx.T, trans_b=2)  # (m, n) Fortran: <x_i|y_j> at [j, i]
    v = overlaps.T.view(float)  # (n, 2m) C-ordered: re, im interleaved
    np.square(v, out=v)
    np.add(v[:, 0::2], v[:, 1::2], out=out)


def _gram_diagonal_block(s: np.ndarray, out: np.ndarray) -> None:
    """out = |<x_i|x_j>|^2 for one set of state columns, via a Hermitian rank-k update."""
    from scipy.linalg.blas import zherk

    c = zherk(1.0, s.T)  # upper triangle of S^T (S^T)^H, Fortran (n, n); zeros below
    v = c.T.view(float)  # C order: values in the lower triangle, zeros above
    np.square(v, out=v)
    np.add(v[:, 0::2], v[:, 1::2], out=out)
    step = 256  # mirror the lower triangle block by block, without a full temporary
    for i in range(0, len(out), step):
        diag = out[i : i + step, i : i + step]
        diag += np.tril(diag, -1).T
        out[i : i + step, i + step :] = out[i + step :, i : i + step].T


def _gram_rows(tile: np.ndarray, rest: np.ndarray, out: np.ndarray) -> None:
    """out = |<t_i|r_j>|^2 for state columns ``tile`` (D, r) and ``rest`` (D, m), m >= r.

    ``rest`` may be a column slice of a larger array (its rows strided): the product goes
    to BLAS without copying it. The first r columns of ``rest`` are ``tile`` itself; that
    square is made exactly symmetric from its upper triangle.
    """
    overlaps = np.matmul(np.conj(tile).T, rest)  # (r, m) C-ordered; one copy of the tile
    v = overlaps.view(float)
    np.square(v, out=v)
    np.add(v[:, 0::2], v[:, 1::2], out=out)
    del overlaps, v
    square = out[:, : tile.shape[1]]
    step = 256
    for i in range(0, len(square), step):
        diag = square[i : i + step, i : i + step]
        lower = np.tril_indices(len(diag), -1)
        diag[lower] = diag.T[lower]
        square[i + step :, i : i + step] = square[i : i + step, i + step :].T


class FidelityKernel:
    """The fidelity quantum kernel k(x, y) = |<0|U(x)^† U(y)|0>|^2 of a feature map.

    Args:
        feature_map: any parameterised ``QuantumCircuit`` (library maps such as
            ``zz_feature_map``, ``pauli_feature_map``, ``z_feature_map`` or hand-built
            ones); row x of the data binds its parameters in ``circuit.parameters`` order.
        backend: where the circuits run, by the rule every qmlkit model follows:
            ``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`)
            with ``shots=None`` is the exact simulator (statevectors, exact gradients);
            ``"ideal"`` with an integer ``shots`` samples that many shots per circuit on
            Aer's noiseless sampler; ``backend=None`` with an integer ``shots`` is the same
            as ``"ideal"`` with it; a device (``"fake:<name>"``, ``"ibm:..."``, a device
            Backend) always samples, 1024 shots per circuit when ``shots=None``.
            With shots every entry is estimated from measurements of compute-uncompute
            circuits U(y)^† U(x), as on hardware.
        shots: ``None`` (the default: exact on the ideal simulator, 1024 on a device) or
            the number of shots per circuit.
        seed: sampling seed for simulated devices.
        chunk_size: number of data points simulated at a time (and per block of the Gram
            matrix); ``None`` picks the largest the memory budget allows.
        memory_budget: bytes the exact path may use beyond its output matrix; ``None``
            means :data:`MEMORY_BUDGET` (256 MiB).

    Memory (exact path), for n qubits, N = n_x and M = n_y points (M = N when ``Y`` is
    ``None``) and budget B bytes, the peak beyond the inputs is at most

        8 * N * M + W + 1 MiB,    W = max(16 * 2**n * (h + 4 c) + 16 h c,
                                          16 * 2**n * (h + r) + 16 h r)  <=  B,

    with (h, c, r) = :func:`plan_blocks` (W is :func:`working_set`): the output matrix,
    h held states of one side (the smaller; X itself when ``Y`` is ``None``), c points of
    the other side simulated at a time (the simulator peaks at about 3 states per point,
    counted as 4) with their complex overlaps against the held states, and, when ``Y`` is
    ``None``, the held states with each other r rows at a time; the 1 MiB covers small
    temporaries (gate angles, 256 x 256 mirror pieces) and the float copies of the data.
    Not counted: the compiled program, made once per circuit structure and shared through
    :func:`qmlkit.statevec.cached_program` (its tables take about 3.3 KiB per amplitude for
    the ZZ map, 53 MiB at 14 qubits; compiling peaks at twice that).
    W <= B holds whenever B >= 80 * 2**n + 16 bytes (one state, one point being simulated;
    16 MiB at 18 qubits); a ``chunk_size`` c of your own must fit as well. When the held
    side fits in B every state is simulated exactly once, and the Gram matrix takes one
    Hermitian rank-k update (``Y`` is ``None``) or one complex product per chunk of c
    points; otherwise the held side is taken in groups of h and the other side is
    simulated once per group. Examples with the default budget: 500 points on 14 qubits
    hold all 125 MiB of states (h = 500, c = 64, r = 500: W = 254 MiB, measured peak
    175 MiB); 10,000 points on 8 qubits need the 763 MiB output plus W = 256 MiB. Results
    do not depend on the block sizes up to rounding (~1e-16).

    Threads (exact path): the Gram product runs on one BLAS thread when it is small
    (``n_x * n_y * 2**q <= ONE_THREAD_WORK``, e.g. up to 256 points on 8 qubits), where a
    second thread gains little and loses much when another process holds the other core; on
    all of BLAS's threads above. The previous limit is restored afterwards. (Re-measured with
    the blocks above, on 2 cores: with the second core free two threads are 1.4-1.9x faster
    from the threshold up, e.g. a rank-k update of 64 states on 14 qubits 4.4 vs 7.2 ms;
    with it busy they are no faster, 8.5 vs 6.8 ms. Below it the gain is under 0.2 ms.)

    >>> from qiskit.circuit.library import z_feature_map
    >>> kernel = FidelityKernel(z_feature_map(1, reps=1))
    >>> round(float(kernel.evaluate([[0.0]], [[np.pi / 2]])[0, 0]), 12)   # |+> vs |->
    0.0
    """

    def __init__(
        self,
        feature_map: QuantumCircuit,
        backend: str | Backend | None = None,
        shots: int | None = None,
        seed: int | None = None,
        chunk_size: int | None = None,
        memory_budget: int | None = None,
    ):
        # only stored here (scikit-learn's rule): the feature map is checked on first use
        self.feature_map = feature_map
        self.backend = backend
        self.shots = shots
        self.seed = seed
        self.chunk_size = chunk_size
        self.memory_budget = memory_budget
        self._program: Any = None
        self._program_of: Any = None

    @property
    def num_features(self) -> int:
        """Number of features per data row (= parameters of the feature map).

        Raises:
            InputError: if ``feature_map`` is not a parameterised ``QuantumCircuit``.
        """
        return _require_circuit(self.feature_map).num_parameters

    @property
    def exact(self) -> bool:
        """True when the kernel is computed exactly (no device backend)."""
        return _is_exact(self.backend, self.shots)

    def __call__(self, X: Any, Y: Any = None) -> np.ndarray:
        return self.evaluate(X, Y)

    def __repr__(self) -> str:
        where = "exact" if self.exact else f"backend={self.backend!r}, shots={self._shots()}"
        qubits = getattr(self.feature_map, "num_qubits", "?")
        return f"FidelityKernel({qubits} qubits, {where})"

    # --------------------------------------------------------------------- exact path
    def states(self, X: Any) -> np.ndarray:
        """Statevectors of the feature map for each row of ``X``, shape (samples, 2**q).

        >>> from qiskit.circuit.library import z_feature_map
        >>> FidelityKernel(z_feature_map(2)).states([[0.0, 0.0]]).shape
        (1, 4)
        """
        X = check_data(X, self.num_features)
        return self._compiled().run(X)

    def _compiled(self) -> Any:
        if self._program is None or self._program_of is not self.feature_map:
            # compiled once per circuit structure, shared with other kernel objects
            self._program = cached_program(_require_circuit(self.feature_map))
            self._program_of = self.feature_map
        return self._program

    def _chunk(self) -> int | None:
        if self.chunk_size is None:
            return None
        if isinstance(self.chunk_size, bool) or int(self.chunk_size) < 1:
            raise InputError(f"chunk_size must be a positive integer, got {self.chunk_size}.")
        return int(self.chunk_size)

    def _budget(self) -> int:
        budget = MEMORY_BUDGET if self.memory_budget is None else self.memory_budget
        ok = isinstance(budget, (int, float, np.integer, np.floating)) and not isinstance(
            budget, bool
        )
        if not ok or not np.isfinite(budget) or budget <= 0:
            raise InputError(
                f"memory_budget must be a positive number of bytes (e.g. 256 * 2**20), "
                f"got {budget!r}."
            )
        return int(budget)

    def _evaluate_exact(self, X: np.ndarray, Y: np.ndarray | None) -> np.ndarray:
        dim = 2**self.feature_map.num_qubits
        with limit_blas_threads(blas_threads_for(len(X), len(X if Y is None else Y), dim)):
            return self._gram(X, Y)

    def _simulator(self, chunk: int) -> Callable[[np.ndarray], np.ndarray]:
        """A function rows -> states (D, len(rows)), C-ordered, at most ``chunk`` at a time."""
        prog = self._compiled()
        dim = 2**prog.num_qubits

        def simulate(rows: np.ndarray) -> np.ndarray:
            if len(rows) <= chunk:
                return prog.run(rows, trim_constant_tail=True, batch_last=True)
            states = np.empty((dim, len(rows)), dtype=complex)
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                states[:, start : start + chunk] = prog.run(
                    part, trim_constant_tail=True, batch_last=True
                )
            return states

        return simulate

    def _gram(self, X: np.ndarray, Y: np.ndarray | None) -> np.ndarray:
        n = self.feature_map.num_qubits
        budget, chunk = self._budget(), self._chunk()
        if Y is None:
            held, chunk, rows = plan_blocks(len(X), len(X), n, budget, chunk, symmetric=True)
            return self._gram_symmetric(X, held, chunk, rows)
        swap = len(X) < len(Y)  # hold the smaller side's states
        H, S = (X, Y) if swap else (Y, X)
        held, chunk, _ = plan_blocks(len(H), len(S), n, budget, chunk)
        simulate = self._simulator(chunk)
        K = np.empty((len(X), len(Y)))
        for a in range(0, len(H), held):
            sh = simulate(H[a : a + held])
            for i in range(0, len(S), chunk):
                ss = simulate(S[i : i + chunk])
                out = K[a : a + held, i : i + chunk].T if swap else K[i : i + chunk, a : a + held]
                _gram_block(ss, sh, out)
                del ss
            del sh
        return K

    def _gram_symmetric(self, X: np.ndarray, held: int, chunk: int, rows: int) -> np.ndarray:
        N = len(X)
        simulate = self._simulator(chunk)
        K = np.empty((N, N))
        for a in range(0, N, held):
            b = min(N, a + held)
            sh = simulate(X[a:b])
            g = b - a
            # the group with itself: one rank-k update if its overlaps fit, else row tiles
            if rows >= g:
                _gram_diagonal_block(sh, K[a:b, a:b])
            else:
                for t in range(0, g, rows):
                    u = min(g, t + rows)
                    _gram_rows(sh[:, t:u], sh[:, t:], K[a + t : a + u, a + t : b])
                    K[a + u : b, a + t : a + u] = K[a + t : a + u, a + u : b].T
            for i in range(b, N, chunk):  # later points, simulated once per group
                ss = simulate(X[i : i + chunk])
                block = K[i : i + chunk, a:b]
                _gram_block(ss, sh, block)
                K[a:b, i : i + chunk] = block.T
                del ss
            del sh
        return K

    # ------------------------------------------------------------------ device path
    def circuit_count(self, X: Any, Y: Any = None) -> int:
        """How many circuits :meth:`evaluate` runs on a device backend (0 when exact).

        With ``Y=None`` the kernel is symmetric with ones on the diagonal, so only the
        n(n-1)/2 pairs above the diagonal are run.

        >>> from qiskit.circuit.library import z_feature_map
        >>> FidelityKernel(z_feature_map(2), backend="fake:manila").circuit_count(np.zeros((10, 2)))
        45
        """
        X = check_data(X, self.num_features)
        if self.exact:
            return 0
        if Y is None:
            return len(X) * (len(X) - 1) // 2
        return len(X) * len(check_data(Y, self.num_features, "Y"))

    def compute_uncompute_circuit(self) -> QuantumCircuit:
        """The circuit U(y)^† U(x) with all qubits measured; P(0...0) = k(x, y).

        Its parameters are two vectors ``x`` and ``y`` (sorted x before y).
        """
        from qiskit.circuit import ParameterVector

        fm = _require_circuit(self.feature_map).remove_final_measurements(inplace=False)
        px = ParameterVector("x", fm.num_parameters)
        py = ParameterVector("y", fm.num_parameters)
        qc = fm.assign_parameters(dict(zip(fm.parameters, px)))
        qc.compose(fm.assign_parameters(dict(zip(fm.parameters, py))).inverse(), inplace=True)
        qc.measure_all()
        return qc

    def _shots(self) -> int:
        """Shots per circuit when sampling: ``shots``, or 1024 for ``None`` (on a device)."""
        from .models._device import shots_for

        return shots_for(None, self.shots)

    def _evaluate_shots(self, X: np.ndarray, Y: np.ndarray | None) -> np.ndarray:
        shots = self._shots()
        # backend=None with shots: Aer's noiseless sampler, not the session's backend setting
        backend = resolve("ideal" if self.backend is None else self.backend, seed=self.seed)
        if Y is None:
            rows, cols = np.triu_indices(len(X), k=1)
            left, right = X[rows], X[cols]
        else:
            rows, cols = np.divmod(np.arange(len(X) * len(Y)), len(Y))
            left, right = X[rows], Y[cols]
        count = len(rows)
        message = (
            f"The fidelity kernel runs {count} circuits x {shots} shots on "
            f"{backend.name} ({count * shots} shots in total)."
        )
        log.info(message)
        if count > LARGE_CIRCUIT_COUNT:
            warnings.warn(
                message + " That is many: use fewer points or the exact kernel (backend=None).",
                UserWarning,
                stacklevel=3,
            )
        probabilities = np.empty(0)
        if count:
            circuit = self.compute_uncompute_circuit()
            isa = backend.isa(circuit)
            names = [p.name for p in circuit.parameters]
            order = {name: i for i, name in enumerate(names)}
            both = np.concatenate([left, right], axis=1)
            values = both[:, [order[p.name] for p in isa.parameters]]
            result = backend.sampler.run([(isa, values)], shots=shots).result()[0]
            bits = result.data.meas.array  # (count, shots, bytes)
            probabilities = np.all(bits == 0, axis=-1).mean(axis=-1)
        if Y is None:
            K = np.eye(len(X))
            K[rows, cols] = probabilities
            K[cols, rows] = probabilities
            return K
        return probabilities.reshape(len(X), len(Y))

    # --------------------------------------------------------------------- public
    def evaluate(self, X: Any, Y: Any = None) -> np.ndarray:
        """The kernel (Gram) matrix K[i, j] = k(X[i], Y[j]); ``Y=None`` means ``Y = X``.

        Args:
            X: data of shape (n_x, features); features = feature-map parameters.
            Y: optional data of shape (n_y, features).

        Returns:
            Float array of shape (n_x, n_y), entries in [0, 1]; symmetric with a unit
            diagonal (exactly, on devices; to rounding, exact) when ``Y`` is ``None``.

        Raises:
            InputError: bad data (see :func:`check_data`) or bad settings.
        """
        X = check_data(X, self.num_features)
        Y = None if Y is None else check_data(Y, self.num_features, "Y")
        if self.exact:
            return self._evaluate_exact(X, Y)
        return self._evaluate_shots(X, Y)


def kernel_target_alignment(K: Any, y: Any) -> float:
    """Kernel-target alignment A(K, T) = <K, T>_F / (||K||_F ||T||_F).

    T is the ideal kernel of the labels: T[i, j] = +1 when y_i == y_j, else -1 (for two
    classes coded +-1 this is y y^T). Values near 1 mean the kernel already groups the
    classes; near 0, it does not see them (Cristianini et al., 2002).

    >>> round(kernel_target_alignment(np.eye(2), [0, 1]), 4)
    0.7071
    >>> kernel_target_alignment(np.array([[1.0, -1.0], [-1.0, 1.0]]), [0, 1])
    1.0
    """
    K = np.asarray(K, dtype=float)
    y = np.asarray(y).ravel()
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise InputError(f"K must be a square kernel matrix, got shape {K.shape}.")
    if len(y) != len(K):
        raise InputError(f"K is {len(K)} x {len(K)} but there are {len(y)} labels.")
    T = np.where(y[:, None] == y[None, :], 1.0, -1.0)
    norm = np.linalg.norm(K) * np.linalg.norm(T)
    if norm == 0:
        raise InputError("The kernel matrix is all zeros, so its alignment is undefined.")
    return float(np.sum(K * T) / norm)


class ProjectedKernel:
    """Projected quantum kernel on one-qubit reduced states (Huang et al., 2021).

    k(x, y) = exp(-gamma * sum_q ||rho_q(x) - rho_q(y)||_F^2), where rho_q(x) is the
    reduced density matrix of qubit q in the state U(x)|0...0>. Each rho_q is given by
    its Bloch vector r_q, and ||rho_q(x) - rho_q(y)||_F^2 = |r_q(x) - r_q(y)|^2 / 2, so
    this is an RBF kernel on the 3q Bloch coordinates. Exact (batched statevectors).

    Reference: H.-Y. Huang et al., "Power of data in quantum machine learning",
    Nature Communications 12, 2631 (2021).

    >>> from qiskit.circuit.library import z_feature_map
    >>> pk = ProjectedKernel(z_feature_map(2, reps=1), gamma=1.0)
    >>> np.round(pk.evaluate([[0.0, 0.0], [np.pi / 2, 0.0]]), 4)
    array([[1.    , 0.1353],
           [0.1353, 1.    ]])
    """

    def __init__(self, feature_map: QuantumCircuit, gamma: float = 1.0):
        # only stored here (scikit-learn's rule): both are checked on first use
        self.feature_map = feature_map
        self.gamma = gamma
        self._program: Any = None
        self._program_of: Any = None

    def __call__(self, X: Any, Y: Any = None) -> np.ndarray:
        return self.evaluate(X, Y)

    def _gamma(self) -> float:
        gamma = self.gamma
        ok = isinstance(gamma, (int, float, np.integer, np.floating)) and not isinstance(
            gamma, bool
        )
        if not ok or not np.isfinite(gamma) or gamma <= 0:
            raise InputError(f"gamma must be a positive number, got {gamma!r}.")
        return float(gamma)

    def bloch_vectors(self, X: Any) -> np.ndarray:
        """Bloch vectors (<X_q>, <Y_q>, <Z_q>) of every qubit, shape (samples, qubits, 3).

        >>> from qiskit.circuit.library import z_feature_map
        >>> r = ProjectedKernel(z_feature_map(1, reps=1)).bloch_vectors([[0.0]])
        >>> np.round(r, 6).tolist()
        [[[1.0, 0.0, 0.0]]]
        """
        feature_map = _require_circuit(self.feature_map)
        X = check_data(X, feature_map.num_parameters)
        if self._program is None or self._program_of is not feature_map:
            self._program = cached_program(feature_map)
            self._program_of = feature_map
        states = self._program.run(X)
        n = feature_map.num_qubits
        out = np.empty((len(X), n, 3))
        for q in range(n):
            s = states.reshape(len(X), -1, 2, 2**q)
            a0, a1 = s[:, :, 0, :], s[:, :, 1, :]
            rho01 = np.sum(a0 * a1.conj(), axis=(1, 2))
            out[:, q, 0] = 2 * rho01.real
            out[:, q, 1] = -2 * rho01.imag
            out[:, q, 2] = np.sum(np.abs(a0) ** 2 - np.abs(a1) ** 2, axis=(1, 2))
        return out

    def evaluate(self, X: Any, Y: Any = None) -> np.ndarray:
        """The projected kernel matrix between the rows of X and of Y (default X).

        Raises:
            InputError: bad data (see :func:`check_data`), a ``feature_map`` that is not a
                parameterised circuit, or a ``gamma`` that is not a positive number.
        """
        gamma = self._gamma()
        rx = self.bloch_vectors(X)
        rx = rx.reshape(len(rx), -1)
        if Y is None:
            ry = rx
        else:
            ry = self.bloch_vectors(Y)
            ry = ry.reshape(len(ry), -1)
        sq = (rx**2).sum(1)[:, None] + (ry**2).sum(1)[None, :] - 2 * rx @ ry.T
        return np.exp(-gamma * np.maximum(sq, 0.0) / 2)


def fidelity_kernel(
    feature_map: QuantumCircuit,
    *,
    backend: str | Backend | None = None,
    shots: int | None = None,
    seed: int | None = None,
) -> Kernel:
    """The fidelity kernel of a feature map as a :class:`Kernel`: ``K = kernel(X, Y)``.

    A function-style shortcut for :class:`FidelityKernel` (same arguments), in the style of
    PennyLane's kernels module. Introduced in lesson 06.

    >>> from qiskit.circuit.library import z_feature_map
    >>> k = fidelity_kernel(z_feature_map(1, reps=1))
    >>> k([[0.0]], [[0.0], [np.pi / 4]]).round(6).tolist()
    [[1.0, 0.5]]
    """
    return FidelityKernel(feature_map, backend=backend, shots=shots, seed=seed)


def kernel_matrix(X: Any, Y: Any, kernel: Callable[[np.ndarray, np.ndarray], float]) -> np.ndarray:
    """The Gram matrix ``K[i, j] = kernel(X[i], Y[j])`` of a kernel on pairs of points.

    For kernels written one pair at a time (as in PennyLane's ``kernel_matrix``), for
    example a learner's own overlap function or a classical kernel to compare with.
    ``Y=None`` means ``Y = X``. A :class:`Kernel` object computes whole matrices itself:
    call it, ``kernel(X, Y)``, instead.

    Args:
        X: data of shape (n_x, features).
        Y: data of shape (n_y, features), or ``None``.
        kernel: a function of two 1-D points that returns a number.

    Returns:
        A float array of shape (n_x, n_y).

    Raises:
        InputError: bad data (see :func:`check_data`), or a kernel that does not return one
            finite number.

    >>> rbf = lambda x, y: float(np.exp(-np.sum((x - y) ** 2)))
    >>> kernel_matrix([[0.0], [1.0]], None, rbf).round(4).tolist()
    [[1.0, 0.3679], [0.3679, 1.0]]
    """
    if not callable(kernel):
        raise InputError(
            f"kernel must be a function k(x, y) of two points, got {type(kernel).__name__}."
        )
    X = check_data(X)
    Y = X if Y is None else check_data(Y, X.shape[1], "Y")
    K = np.empty((len(X), len(Y)))
    for i, x in enumerate(X):
        for j, y in enumerate(Y):
            value = kernel(x, y)
            try:
                K[i, j] = float(value)
            except (TypeError, ValueError):
                raise InputError(
                    f"kernel(X[{i}], Y[{j}]) must return one number, got {type(value).__name__}."
                ) from None
    if not np.all(np.isfinite(K)):
        raise InputError("The kernel returned NaN or infinity for some pairs of points.")
    return K
