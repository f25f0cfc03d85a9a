"""The batched gate-application kernel shared by qmlkit's simulators.

A *batch of states* is a C-contiguous complex array, either one state per row, shape
``(B, 2**n)`` ("batch first", used by the models), or one state per column, shape ``(2**n, B)``
("batch last", ``batch_last=True``, used by :mod:`qmlkit.statevec`). Qubit order is Qiskit's:
qubit ``q`` is bit ``q`` of the amplitude index, and a k-qubit gate matrix acting on
``qubits`` reads gate-qubit ``j`` (``qubits[j]``) as bit ``j`` of its row and column index.

Every function here updates the state **in place**: no gate copies the state. The state is
viewed as a tensor with one axis of length 2 per gate qubit, and a gate becomes a few
elementwise operations on the 2**k slices ("blocks") of that tensor, chosen by the gate's
structure:

* diagonal gates (``p``, ``rz``, ``cz``, ``rzz``, ...) multiply blocks by phases (blocks
  whose phase is 1 are not touched: a CZ multiplies a quarter of the state by -1);
* permutation gates, with phases (``x``, ``y``, ``cx``, ``swap``, ...), exchange blocks
  through one block-sized buffer (a CX moves half of the state, no arithmetic);
* other one-qubit gates are two multiply-adds per half of the state, on the real view of
  the amplitudes when the matrix is real (``ry``, ``h``: half the arithmetic);
* anything else is a dense matrix on its qubits.

Matrices may be constant, shape ``(2**k, 2**k)``, or one per state, shape ``(B, 2**k, 2**k)``;
diagonals likewise ``(2**k,)`` or ``(B, 2**k)``.

>>> state = np.zeros((1, 4), dtype=complex); state[0, 0] = 1.0      # |00>, one state
>>> apply_matrix(state, 2, [0], np.array([[0, 1], [1, 0]]))          # X on qubit 0
>>> apply_matrix(state, 2, [0, 1], matrix_of("cx"))                  # CX(0, 1): control 0
>>> state.real.tolist()                                               # |11> (index 3)
[[0.0, 0.0, 0.0, 1.0]]

:data:`GENERATORS` maps rotation gates to their generators ``G`` (``gate(a) = exp(-i a G)``),
used by the adjoint gradients in :mod:`qmlkit.models`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

__all__ = [
    "GENERATORS",
    "MatrixForm",
    "analyse",
    "apply_diagonal",
    "apply_matrix",
    "apply_permutation",
    "matrix_of",
    "pair",
    "rotation",
]

_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_P1 = np.diag([0.0, 1.0]).astype(complex)  # |1><1|


def _controlled(g: np.ndarray) -> np.ndarray:
    """Generator of a gate controlled by the first qarg (bit 0 of the 2-qubit matrix index)."""
    return np.kron(g, _P1)


#: Gate name -> generator ``G`` with ``gate(a) = exp(-i a G)`` exactly (no global phase left out).
GENERATORS: dict[str, np.ndarray] = {
    "rx": _X / 2,
    "ry": _Y / 2,
    "rz": _Z / 2,
    "p": -_P1,
    "u1": -_P1,
    "rxx": np.kron(_X, _X) / 2,
    "ryy": np.kron(_Y, _Y) / 2,
    "rzz": np.kron(_Z, _Z) / 2,
    "rzx": np.kron(_X, _Z) / 2,  # Z on the first qarg (bit 0 of the matrix index), X on the second
    "cp": -np.kron(_P1, _P1),
    "cu1": -np.kron(_P1, _P1),
    "crx": _controlled(_X / 2),
    "cry": _controlled(_Y / 2),
    "crz": _controlled(_Z / 2),
}


def matrix_of(name: str) -> np.ndarray:
    """The matrix of a constant standard gate by name (Qiskit's convention).

    >>> matrix_of("cx").real.astype(int).tolist()   # control = qarg 0 = bit 0
    [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]
    """
    from qiskit.circuit import library

    return np.asarray(library.get_standard_gate_name_mapping()[name].to_matrix(), dtype=complex)


# ----------------------------------------------------------------------------------------
# The structure of a matrix


@dataclass(frozen=True)
class MatrixForm:
    """The structure of a constant gate matrix, found once by :func:`analyse`.

    ``kind`` is ``"diagonal"`` (``diagonal`` holds it), ``"permutation"`` (new block ``j`` is
    ``phases[j]`` times old block ``perm[j]``) or ``"dense"``.
    """

    kind: Literal["diagonal", "permutation", "dense"]
    matrix: np.ndarray
    diagonal: np.ndarray | None = None
    perm: np.ndarray | None = None
    phases: np.ndarray | None = None


def analyse(m: np.ndarray) -> MatrixForm:
    """Classify a constant (d, d) matrix as diagonal, permutation-with-phases or dense.

    >>> analyse(matrix_of("cz")).kind, analyse(matrix_of("swap")).kind, analyse(matrix_of("h")).kind
    ('diagonal', 'permutation', 'dense')
    """
    m = np.asarray(m, dtype=complex)
    nonzero = m != 0
    if np.count_nonzero(nonzero) == len(m):
        if np.all(np.diagonal(nonzero)):
            return MatrixForm("diagonal", m, diagonal=np.diagonal(m).copy())
        if np.all(nonzero.sum(axis=0) == 1) and np.all(nonzero.sum(axis=1) == 1):
            perm = np.argmax(nonzero, axis=1)
            return MatrixForm("permutation", m, perm=perm, phases=m[np.arange(len(m)), perm])
    return MatrixForm("dense", m)


# ----------------------------------------------------------------------------------------
# Tensor views of a batch of states


class _View:
    """A batch of states seen as a tensor with one length-2 axis per gate qubit.

    The amplitude axis is split as (2**(n-1-q_0), 2, ..., 2, 2**q_last) for the gate qubits
    in decreasing order; the batch axis stays first or last. ``real=True`` views the complex
    amplitudes as pairs of floats (the pair axis joins the last axis), for real matrices.
    """

    def __init__(
        self, state: np.ndarray, n: int, qubits: tuple[int, ...], batch_last: bool, real: bool
    ) -> None:
        if not state.flags.c_contiguous:
            raise ValueError("the state array must be C-contiguous (it is updated in place)")
        self.batch_last = batch_last
        self.real = real
        self.batch = state.shape[1] if batch_last else state.shape[0]
        high = sorted(qubits, reverse=True)
        dims: list[int] = []
        self.axis: dict[int, int] = {}
        top = n
        pre = 0 if batch_last else 1
        for q in high:
            dims.append(2 ** (top - 1 - q))
            self.axis[q] = pre + len(dims)
            dims.append(2)
            top = q
        dims.append(2**top)
        post = [self.batch] if batch_last else []
        if real:
            post = [2 * self.batch] if batch_last else []
            dims[-1] *= 1 if batch_last else 2
        shape = ([] if batch_last else [self.batch]) + dims + post
        arr = state.view(float) if real else state
        self.tensor = arr.reshape(shape)
        self.qubits = qubits

    def block(self, j: int) -> np.ndarray:
        """The amplitudes whose bits at the gate qubits spell ``j`` (bit i for qubits[i])."""
        index: list = [slice(None)] * self.tensor.ndim
        for i, q in enumerate(self.qubits):
            index[self.axis[q]] = (j >> i) & 1
        return self.tensor[tuple(index)]

    def per_state(self, c: np.ndarray) -> np.ndarray:
        """Broadcast one coefficient per state, shape (B,), against a block."""
        ndim = self.tensor.ndim - len(self.qubits)
        if self.batch_last:
            return np.repeat(c, 2) if self.real else c
        return c.reshape((len(c),) + (1,) * (ndim - 1))


def _coefficient(m: np.ndarray, view: _View, i: int, j: int) -> np.ndarray | complex | float:
    if m.ndim == 2:
        return m[i, j].real if view.real else m[i, j]
    entry = m[:, i, j]
    return view.per_state(entry.real if view.real else entry)


def _is_real(m: np.ndarray) -> bool:
    return not np.iscomplexobj(m) or not np.any(m.imag)


# ----------------------------------------------------------------------------------------
# Kernels (all in place)


def apply_diagonal(
    state: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    diagonal: np.ndarray,
    *,
    batch_last: bool = False,
) -> None:
    """Multiply the states by a diagonal gate on ``qubits``: (2**k,) or per state (B, 2**k).

    Blocks whose factor is exactly 1 are skipped.

    >>> state = np.full((1, 4), 0.5, dtype=complex)
    >>> apply_diagonal(state, 2, [0, 1], np.array([1, 1, 1, -1]))   # CZ
    >>> state.real.tolist()
    [[0.5, 0.5, 0.5, -0.5]]
    """
    qubits = tuple(qubits)
    d = np.asarray(diagonal)
    if len(qubits) > 3:  # many blocks: one multiply by the full phase vector instead
        full = d[..., _local_index(n, qubits)]
        if batch_last:
            state *= full.T if full.ndim == 2 else full[:, None]
        else:
            state *= full
        return
    view = _View(state, n, qubits, batch_last, real=False)
    for j in range(2 ** len(qubits)):
        if d.ndim == 1:
            if d[j] != 1:
                view.block(j)[...] *= d[j]
        else:
            view.block(j)[...] *= view.per_state(d[:, j])


def apply_permutation(
    state: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    perm: np.ndarray,
    phases: np.ndarray | None = None,
    *,
    batch_last: bool = False,
) -> None:
    """Apply new block ``j`` = ``phases[j]`` x old block ``perm[j]`` (a permutation gate).

    Each cycle of the permutation moves its blocks through one block-sized buffer.

    >>> state = np.arange(4, dtype=complex)[None, :]
    >>> apply_permutation(state, 2, [0, 1], np.array([0, 3, 2, 1]))   # CX(0, 1)
    >>> state.real.tolist()
    [[0.0, 3.0, 2.0, 1.0]]
    """
    qubits = tuple(qubits)
    view = _View(state, n, qubits, batch_last, real=False)
    done = np.zeros(len(perm), dtype=bool)
    buffer = None
    for start in range(len(perm)):
        if done[start] or perm[start] == start:
            done[start] = True
            continue
        first = view.block(start)
        buffer = np.copy(first) if buffer is None else _copy_into(buffer, first)
        j = start
        while True:
            done[j] = True
            src = perm[j]
            if src == start:
                view.block(j)[...] = buffer
                break
            view.block(j)[...] = view.block(src)
            j = src
    if phases is not None:
        for j, ph in enumerate(phases):
            if ph != 1:
                view.block(j)[...] *= ph


def _copy_into(buffer: np.ndarray, src: np.ndarray) -> np.ndarray:
    buffer[...] = src
    return buffer


def _apply_one_qubit(
    state: np.ndarray, n: int, q: int, m: np.ndarray, batch_last: bool, real: bool
) -> None:
    """[a0, a1] <- [m00 a0 + m01 a1, m10 a0 + m11 a1] on qubit q, with two half-size buffers."""
    view = _View(state, n, (q,), batch_last, real)
    a0, a1 = view.block(0), view.block(1)
    m00, m01 = _coefficient(m, view, 0, 0), _coefficient(m, view, 0, 1)
    m10, m11 = _coefficient(m, view, 1, 0), _coefficient(m, view, 1, 1)
    new0 = np.multiply(a0, m00)
    tmp = np.multiply(a1, m01)
    new0 += tmp
    np.multiply(a0, m10, out=tmp)
    a1 *= m11
    a1 += tmp
    a0[...] = new0


def _apply_dense(
    state: np.ndarray, n: int, qubits: tuple[int, ...], m: np.ndarray, batch_last: bool
) -> None:
    """A general k-qubit matrix: move the gate axes last, one matrix product, copy back."""
    k = len(qubits)
    lead = 0 if batch_last else 1
    axes = [lead + n - 1 - q for q in reversed(qubits)]  # matrix index = sum_j bit(qubits[j]) 2^j
    if batch_last:
        shape = (2,) * n + (state.shape[1],)
    else:
        shape = (state.shape[0],) + (2,) * n
    t = np.moveaxis(state.reshape(shape), axes, range(len(shape) - k, len(shape)))
    moved = t.shape
    flat = t.reshape(moved[:-k] + (2**k,))
    if m.ndim == 2:
        out = flat @ m.T
    elif batch_last:  # per-state matrices, batch on axis -2 of `flat`
        out = np.einsum("bij,...bj->...bi", m, flat)
    else:
        out = np.einsum("bij,b...j->b...i", m, flat)
    state.reshape(shape)[...] = np.moveaxis(
        out.reshape(moved), range(len(shape) - k, len(shape)), axes
    )


def apply_matrix(
    state: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    m: np.ndarray | MatrixForm,
    *,
    batch_last: bool = False,
) -> None:
    """Apply a gate matrix on ``qubits`` to a batch of states, in place.

    Args:
        state: complex C-contiguous array (B, 2**n), or (2**n, B) with ``batch_last``.
        n: number of qubits.
        qubits: the gate's qubits; ``qubits[j]`` is bit ``j`` of the matrix index.
        m: (2**k, 2**k) matrix, (B, 2**k, 2**k) matrices (one per state), or the
            :class:`MatrixForm` of a constant matrix from :func:`analyse` (found once).

    >>> from qiskit.quantum_info import Operator, Statevector
    >>> from qiskit.circuit.library import RXXGate
    >>> psi = Statevector.from_label("01").data
    >>> state = np.stack([psi, psi])                       # two states, batch first
    >>> apply_matrix(state, 2, [1, 0], Operator(RXXGate(0.4)).data)
    >>> bool(np.allclose(state[1], Statevector(psi).evolve(Operator(RXXGate(0.4)), [1, 0]).data))
    True
    """
    qubits = tuple(qubits)
    if isinstance(m, MatrixForm):
        form = m
    else:
        m = np.asarray(m)
        if m.ndim == 3:
            _apply_batched(state, n, qubits, m, batch_last)
            return
        form = analyse(m)
    if form.kind == "diagonal":
        apply_diagonal(state, n, qubits, form.diagonal, batch_last=batch_last)
    elif form.kind == "permutation":
        phases = None if np.all(form.phases == 1) else form.phases
        apply_permutation(state, n, qubits, form.perm, phases, batch_last=batch_last)
    elif len(qubits) == 1:
        _apply_one_qubit(state, n, qubits[0], form.matrix, batch_last, _is_real(form.matrix))
    else:
        _apply_dense(state, n, qubits, form.matrix, batch_last)


def _apply_batched(
    state: np.ndarray, n: int, qubits: tuple[int, ...], m: np.ndarray, batch_last: bool
) -> None:
    """Per-state matrices (B, d, d): diagonal ones as phases, one-qubit ones elementwise."""
    d = m.shape[-1]
    off = m.reshape(len(m), -1)[:, [i * d + j for i in range(d) for j in range(d) if i != j]]
    if not np.any(off):
        apply_diagonal(state, n, qubits, np.diagonal(m, axis1=1, axis2=2), batch_last=batch_last)
    elif len(qubits) == 1:
        _apply_one_qubit(state, n, qubits[0], m, batch_last, _is_real(m))
    else:
        _apply_dense(state, n, qubits, m, batch_last)


@lru_cache(maxsize=256)
def _local_index(n: int, qubits: tuple[int, ...]) -> np.ndarray:
    """For every basis index, the index into a k-qubit gate's matrix (Qiskit order)."""
    idx = np.arange(2**n)
    return sum(((idx >> q) & 1) << j for j, q in enumerate(qubits))


# ----------------------------------------------------------------------------------------
# Rotations and adjoint pairings


def rotation(generator: np.ndarray, angles: np.ndarray | float, sign: float = 1.0) -> np.ndarray:
    """``exp(-i sign a G)`` for a scalar angle (d, d) or per-state angles (B, d, d).

    >>> bool(np.allclose(rotation(GENERATORS["rz"], np.pi), np.diag([-1j, 1j])))
    True
    """
    vals, vecs = _eigh(generator.tobytes(), generator.shape[0])
    a = np.asarray(angles, dtype=float)
    phases = np.exp(-1j * sign * np.multiply.outer(a, vals))  # (..., d)
    return (vecs * phases[..., None, :]) @ vecs.conj().T


@lru_cache(maxsize=64)
def _eigh(data: bytes, d: int) -> tuple[np.ndarray, np.ndarray]:
    return np.linalg.eigh(np.frombuffer(data, dtype=complex).reshape(d, d))


def pair(
    bra: np.ndarray,
    ket: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    m: np.ndarray,
    *,
    batch_last: bool = False,
) -> np.ndarray:
    """``<bra_b| M |ket_b>`` for every state ``b`` of two batches, M a constant (d, d) matrix.

    Only the nonzero entries of M cost anything (two block products for a Pauli), and
    neither batch is modified or copied.

    >>> bra = np.array([[1, 0, 0, 0]], dtype=complex); ket = np.array([[0, 0, 1, 0]], dtype=complex)
    >>> pair(bra, ket, 2, [1], GENERATORS["rx"]).tolist()      # <00| X_1 / 2 |10>
    [(0.5+0j)]
    """
    qubits = tuple(qubits)
    vb = _View(np.ascontiguousarray(bra), n, qubits, batch_last, real=False)
    vk = _View(np.ascontiguousarray(ket), n, qubits, batch_last, real=False)
    out = np.zeros(vb.batch, dtype=complex)
    for i, j in zip(*np.nonzero(m)):
        prod = np.multiply(vb.block(int(i)).conj(), vk.block(int(j)))
        if batch_last:
            out += m[i, j] * prod.reshape(-1, vb.batch).sum(axis=0)
        else:
            out += m[i, j] * prod.reshape(vb.batch, -1).sum(axis=1)
    return out
