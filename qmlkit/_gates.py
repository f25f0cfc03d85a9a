"""The batched gate-application kernel shared by qmlkit's simulators.

A *batch of states* is a C-contiguous complex array (or a float64 one, for real matrices),
either one state per row, shape ``(B, 2**n)`` ("batch first", used by the models), or one
state per column, shape ``(2**n, B)`` ("batch last", ``batch_last=True``, used by
:mod:`qmlkit.statevec`). Qubit order is Qiskit's: qubit ``q`` is bit ``q`` of the amplitude
index, and a k-qubit gate matrix acting on ``qubits`` reads gate-qubit ``j`` (``qubits[j]``)
as bit ``j`` of its row and column index.

The ``apply_*`` functions update the caller's array **in place**; no step copies the state
(a general gate is computed into one scratch array and copied back; callers that alternate
two buffers use :func:`apply_matrix_into` instead). The work depends on the gate's structure:

* diagonal gates (``p``, ``rz``, ``cz``, ``rzz``, ...) multiply by phases, one pass over the
  state (on high qubits only the blocks whose phase is not 1: a CZ touches a quarter);
* permutation gates, with phases (``x``, ``y``, ``cx``, ``swap``, ...), exchange blocks
  through one block-sized buffer (a CX moves half of the state and does no arithmetic);
* other gates are matrix products (BLAS). Batch first, a gate (or permutation) whose qubits
  are all below 4 multiplies every chunk of ``2**(max(qubits) + 1)`` amplitudes by one
  embedded matrix, in a single product; a one-qubit gate higher up, or any gate on
  neighbouring qubits in order, multiplies (2**k, 2**q) slices by its matrix, on the real
  view of the amplitudes when the matrix is real (``ry``, ``h``); anything else moves the
  gate's axes last.

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
    "apply_layer",
    "apply_matrix",
    "apply_matrix_into",
    "apply_with_spare",
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
    m = np.asarray(m)
    m = m.astype(complex if np.iscomplexobj(m) else float, copy=False)  # real stays real
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
    in decreasing order; the batch axis stays first or last.
    """

    def __init__(self, state: np.ndarray, n: int, qubits: tuple[int, ...], batch_last: bool):
        self.batch_last = batch_last
        self.batch = state.shape[1] if batch_last else state.shape[0]
        dims: list[int] = []
        self.axis: dict[int, int] = {}
        top = n
        lead = 0 if batch_last else 1
        for q in sorted(qubits, reverse=True):
            dims.append(2 ** (top - 1 - q))
            self.axis[q] = lead + len(dims)
            dims.append(2)
            top = q
        dims.append(2**top)
        shape = dims + [self.batch] if batch_last else [self.batch] + dims
        self.tensor = state.reshape(shape)
        self.qubits = qubits

    def block(self, j: int) -> np.ndarray:
        """The amplitudes whose bits at the gate qubits spell ``j`` (bit i for qubits[i])."""
        index: list = [slice(None)] * self.tensor.ndim
        for i, q in enumerate(self.qubits):
            index[self.axis[q]] = (j >> i) & 1
        return self.tensor[tuple(index)]

    def per_state(self, c: np.ndarray) -> np.ndarray:
        """Broadcast one coefficient per state, shape (B,), against a block."""
        if self.batch_last:
            return c
        return c.reshape((len(c),) + (1,) * (self.tensor.ndim - len(self.qubits) - 1))


def _is_real(m: np.ndarray) -> bool:
    return not np.iscomplexobj(m) or not np.any(m.imag)


# ----------------------------------------------------------------------------------------
# Kernels (all in place)

_LOW = 4  # gates on qubits below this act on each 2**w-amplitude chunk as one matrix product


def apply_diagonal(
    state: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    diagonal: np.ndarray,
    *,
    batch_last: bool = False,
) -> None:
    """Multiply the states by a diagonal gate on ``qubits``: (2**k,) or per state (B, 2**k).

    >>> state = np.full((1, 4), 0.5, dtype=complex)
    >>> apply_diagonal(state, 2, [0, 1], np.array([1, 1, 1, -1]))   # CZ
    >>> state.real.tolist()
    [[0.5, 0.5, 0.5, -0.5]]
    """
    qubits = tuple(qubits)
    _check_contiguous(state)
    d = np.asarray(diagonal)
    if batch_last or (min(qubits) >= _LOW and len(qubits) <= 3):
        # blocks with long contiguous runs: touch only the blocks whose factor is not 1
        view = _View(state, n, qubits, batch_last)
        for j in range(2 ** len(qubits)):
            if d.ndim == 2:
                view.block(j)[...] *= view.per_state(d[:, j])
            elif d[j] != 1:
                view.block(j)[...] *= d[j]
    elif d.ndim == 1:
        state *= d[_local_index(n, qubits)]
    elif max(qubits) < _LOW:  # per-state phases on the lowest w qubits, shared by all chunks
        w = max(qubits) + 1
        chunks = state.reshape(len(state), -1, 2**w)
        chunks *= d[:, None, _local_index(w, qubits)]
    else:
        state *= d[:, _local_index(n, qubits)]


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

    Blocks are exchanged through one block-sized buffer, cycle by cycle (a CX moves half
    of the state and does no arithmetic); on the lowest qubits of batch-first states, where
    blocks are short runs, the gate is one permutation-matrix product per 16-amplitude chunk.

    >>> state = np.arange(4, dtype=complex)[None, :]
    >>> apply_permutation(state, 2, [0, 1], np.array([0, 3, 2, 1]))   # CX(0, 1)
    >>> state.real.tolist()
    [[0.0, 3.0, 2.0, 1.0]]
    """
    qubits = tuple(qubits)
    _check_contiguous(state)
    perm = np.asarray(perm)
    if not batch_last and max(qubits) < _LOW:
        m = np.zeros((len(perm), len(perm)), dtype=state.dtype if phases is None else complex)
        m[np.arange(len(perm)), perm] = 1.0 if phases is None else phases
        _in_place(state, n, qubits, m, batch_last)
        return
    view = _View(state, n, qubits, batch_last)
    done = np.zeros(len(perm), dtype=bool)
    buffer = None
    for start in range(len(perm)):
        if done[start] or perm[start] == start:
            done[start] = True
            continue
        first = view.block(start)
        if buffer is None:
            buffer = np.copy(first)
        else:
            buffer[...] = first
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
    _check_contiguous(state)
    if isinstance(m, MatrixForm):
        form = m
    else:
        m = np.asarray(m)
        if m.ndim == 3:
            d = m.shape[-1]
            if not np.any(m.reshape(len(m), -1)[:, [i for i in range(d * d) if i % (d + 1)]]):
                apply_diagonal(
                    state, n, qubits, np.diagonal(m, axis1=1, axis2=2), batch_last=batch_last
                )
            else:
                _in_place(state, n, qubits, m, batch_last)
            return
        form = analyse(m)
    if form.kind == "diagonal" and form.diagonal is not None:
        apply_diagonal(state, n, qubits, form.diagonal, batch_last=batch_last)
    elif form.kind == "permutation" and form.perm is not None:
        phases = None if np.all(form.phases == 1) else form.phases
        apply_permutation(state, n, qubits, form.perm, phases, batch_last=batch_last)
    else:
        _in_place(state, n, qubits, form.matrix, batch_last)


def apply_layer(
    state: np.ndarray,
    n: int,
    matrices: dict[int, np.ndarray],
    *,
    batch_last: bool = False,
) -> None:
    """One-qubit gates on distinct qubits, ``{qubit: (2, 2) or (B, 2, 2)}``, in place.

    Batch first, the gates on the lowest qubits (below 4) are fused into one Kronecker
    product and applied as a single matrix product; the others one by one.

    >>> state = np.zeros((1, 4)); state[0, 0] = 1.0
    >>> h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    >>> apply_layer(state, 2, {0: h, 1: h})
    >>> state.round(3).tolist()
    [[0.5, 0.5, 0.5, 0.5]]
    """
    _check_contiguous(state)
    low = [] if batch_last else sorted(q for q in matrices if q < _LOW)
    if len(low) > 1:
        big = np.ones((1, 1))
        for q in range(max(low), -1, -1):  # qubit 0 is the last (least-significant) factor
            big = _kron(big, matrices.get(q, np.eye(2)))
        _in_place(state, n, tuple(range(max(low) + 1)), big, batch_last)
    for q, m in matrices.items():
        if len(low) <= 1 or q not in low:
            apply_matrix(state, n, [q], m, batch_last=batch_last)


def _kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Kronecker product of matrices or of stacks of matrices (one per state)."""
    out = np.einsum("...ij,...kl->...ikjl", a, b)
    return out.reshape(out.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1]))


def apply_matrix_into(
    state: np.ndarray,
    out: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    m: np.ndarray | MatrixForm,
    *,
    batch_last: bool = False,
) -> np.ndarray:
    """Like :func:`apply_matrix`, but write the result into ``out`` (not overlapping ``state``).

    For callers that alternate between two buffers: a general gate is then one pass
    instead of a pass and a copy back. Returns ``out``.

    >>> state = np.array([[1.0, 0.0]], dtype=complex); out = np.empty_like(state)
    >>> apply_matrix_into(state, out, 1, [0], matrix_of("h")).real.round(3).tolist()
    [[0.707, 0.707]]
    """
    qubits = tuple(qubits)
    _check_contiguous(state)
    _check_contiguous(out)
    if np.shares_memory(state, out):
        raise ValueError("out must not overlap the state")
    form = m if isinstance(m, MatrixForm) else None
    matrix = form.matrix if form is not None else np.asarray(m)
    if form is None and matrix.ndim == 2:
        form = analyse(matrix)
    if form is not None and form.kind != "dense":
        np.copyto(out, state)
        apply_matrix(out, n, qubits, form, batch_last=batch_last)
    else:
        _transform(state, out, n, qubits, matrix, batch_last)
    return out


def apply_with_spare(
    state: np.ndarray,
    spare: np.ndarray,
    n: int,
    qubits: list[int] | tuple[int, ...],
    m: np.ndarray | MatrixForm,
    *,
    batch_last: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply a gate using a spare buffer; returns ``(result, new spare)``.

    Diagonal gates and permutations of long blocks act on ``state`` in place; any other gate
    is computed into ``spare`` (one pass, no copy back), and the two buffers trade roles.
    ``spare`` must have the state's shape and dtype and not overlap it.

    >>> state = np.array([[1.0, 0.0]], dtype=complex); spare = np.empty_like(state)
    >>> state, spare = apply_with_spare(state, spare, 1, [0], matrix_of("h"))
    >>> state.real.round(3).tolist()
    [[0.707, 0.707]]
    """
    qubits = tuple(qubits)
    _check_contiguous(state)
    _check_contiguous(spare)
    if isinstance(m, MatrixForm):
        form: MatrixForm | None = m
        matrix = m.matrix
    else:
        matrix = np.asarray(m)
        form = analyse(matrix) if matrix.ndim == 2 else None
    low = not batch_last and max(qubits) < _LOW
    if form is None or form.kind == "dense" or (form.kind == "permutation" and low):
        if form is None:  # per-state matrices: diagonal ones in place
            d = matrix.shape[-1]
            off = matrix.reshape(len(matrix), -1)[:, [i for i in range(d * d) if i % (d + 1)]]
            if not np.any(off):
                diagonal = np.diagonal(matrix, axis1=1, axis2=2)
                apply_diagonal(state, n, qubits, diagonal, batch_last=batch_last)
                return state, spare
        _transform(state, spare, n, qubits, matrix, batch_last)
        return spare, state
    apply_matrix(state, n, qubits, form, batch_last=batch_last)
    return state, spare


def _check_contiguous(state: np.ndarray) -> None:
    if not state.flags.c_contiguous:  # a reshape would copy and the update would be lost
        raise ValueError("the state array must be C-contiguous (it is updated in place)")


def _in_place(
    state: np.ndarray, n: int, qubits: tuple[int, ...], m: np.ndarray, batch_last: bool
) -> None:
    """A general matrix: one product into a scratch array, copied back (two passes)."""
    out = np.empty_like(state)
    _transform(state, out, n, qubits, m, batch_last)
    np.copyto(state, out)


def _transform(
    src: np.ndarray,
    out: np.ndarray,
    n: int,
    qubits: tuple[int, ...],
    m: np.ndarray,
    batch_last: bool,
) -> None:
    """``out`` = the gate ``m`` (d, d) or (B, d, d) applied to ``src`` (a different array).

    Batch first, gates on the lowest qubits: one product of every 2**w-amplitude chunk with
    the gate's (2**w, 2**w) matrix (a single large matrix product); a higher one-qubit gate:
    products of the 2x2 matrix with (2, 2**q) slices, on the real view for real matrices.
    Batch last, a one-qubit gate is a product with (2, 2**q B) slices, or elementwise with
    one coefficient per state. Anything else moves the gate's axes last.
    """
    batch = src.shape[1] if batch_last else src.shape[0]
    if not batch_last and max(qubits) < _LOW:
        w = max(qubits) + 1
        big = _embed(m, qubits, w)
        if big.ndim == 2:
            np.matmul(src.reshape(-1, 2**w), big.T, out=out.reshape(-1, 2**w))
        else:
            shape = (batch, -1, 2**w)
            np.matmul(src.reshape(shape), big.transpose(0, 2, 1), out=out.reshape(shape))
        return
    k, low = len(qubits), min(qubits)
    if m.ndim == 2 and k > 1 and qubits == tuple(range(low, low + k)) and (batch_last or low):
        # neighbouring qubits in order: the (2**k, 2**k) matrix times (2**k, 2**low) slices
        hi, lo = 2 ** (n - low - k), 2**low
        if np.iscomplexobj(src) and _is_real(m):
            shape = (hi, 2**k, 2 * lo * batch) if batch_last else (batch * hi, 2**k, 2 * lo)
            np.matmul(m.real, src.view(float).reshape(shape), out=out.view(float).reshape(shape))
        else:
            shape = (hi, 2**k, lo * batch) if batch_last else (batch * hi, 2**k, lo)
            np.matmul(m, src.reshape(shape), out=out.reshape(shape))
        return
    if k == 1:
        q = qubits[0]
        hi, lo = 2 ** (n - 1 - q), 2**q
        if m.ndim == 2:
            if np.iscomplexobj(src) and _is_real(m):  # real 2x2 on the float view: half the work
                shape = (hi, 2, 2 * lo * batch) if batch_last else (batch * hi, 2, 2 * lo)
                np.matmul(
                    m.real, src.view(float).reshape(shape), out=out.view(float).reshape(shape)
                )
            else:
                shape = (hi, 2, lo * batch) if batch_last else (batch * hi, 2, lo)
                np.matmul(m, src.reshape(shape), out=out.reshape(shape))
            return
        if not batch_last:
            shape4 = (batch, hi, 2, lo)
            np.matmul(m[:, None], src.reshape(shape4), out=out.reshape(shape4))
            return
        s = src.reshape(hi, 2, lo, batch)
        o = out.reshape(hi, 2, lo, batch)
        a0, a1, o0, o1 = s[:, 0], s[:, 1], o[:, 0], o[:, 1]
        np.multiply(a0, m[:, 0, 0], out=o0)
        np.multiply(a1, m[:, 0, 1], out=o1)
        o0 += o1
        np.multiply(a0, m[:, 1, 0], out=o1)
        o1 += a1 * m[:, 1, 1]
        return
    _dense(src, out, n, qubits, m, batch_last)


def _dense(
    src: np.ndarray,
    out: np.ndarray,
    n: int,
    qubits: tuple[int, ...],
    m: np.ndarray,
    batch_last: bool,
) -> None:
    """Any matrix on any qubits: move the gate axes last, one (batched) product, move back."""
    k = len(qubits)
    lead = 0 if batch_last else 1
    axes = [lead + n - 1 - q for q in reversed(qubits)]  # matrix index = sum_j bit(qubits[j]) 2^j
    shape = (2,) * n + (src.shape[1],) if batch_last else (src.shape[0],) + (2,) * n
    last = list(range(len(shape) - k, len(shape)))
    t = np.moveaxis(src.reshape(shape), axes, last)
    moved = t.shape
    flat = t.reshape(moved[:-k] + (2**k,))
    if m.ndim == 2:
        result = flat @ m.T
    elif batch_last:  # per-state matrices, batch on axis -2 of `flat`
        result = np.einsum("bij,...bj->...bi", m, flat)
    else:
        result = np.einsum("bij,b...j->b...i", m, flat)
    out.reshape(shape)[...] = np.moveaxis(result.reshape(moved), last, axes)


def _embed(m: np.ndarray, qubits: tuple[int, ...], w: int) -> np.ndarray:
    """The (2**w, 2**w) matrix (or one per state) of the gate on the lowest w qubits."""
    if qubits == tuple(range(w)):
        return m
    rows, cols, same = _embedding(qubits, w)
    return m[..., rows, cols] * same


@lru_cache(maxsize=256)
def _embedding(qubits: tuple[int, ...], w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays and mask that place a gate's matrix entries in a 2**w-dimensional one."""
    idx = np.arange(2**w)
    loc = _local_index(w, qubits)
    rest = idx & ~sum(1 << q for q in qubits)
    return loc[:, None], loc[None, :], rest[:, None] == rest[None, :]


@lru_cache(maxsize=256)
def _local_index(n: int, qubits: tuple[int, ...]) -> np.ndarray:
    """For every basis index, the index into a k-qubit gate's matrix (Qiskit order)."""
    idx = np.arange(2**n)
    local = np.zeros(2**n, dtype=idx.dtype)
    for j, q in enumerate(qubits):
        local |= ((idx >> q) & 1) << j
    return local


# ----------------------------------------------------------------------------------------
# Rotations and adjoint pairings


def rotation(generator: np.ndarray, angles: np.ndarray | float, sign: float = 1.0) -> np.ndarray:
    """``exp(-i sign a G)`` for a scalar angle (d, d) or per-state angles (B, d, d).

    When ``4 G**2 = 1`` (``rx``, ``ry``, ``rz``, ``rxx``, ...) this is
    ``cos(a/2) - 2i sin(a/2) G``; otherwise it goes through G's eigenvectors.

    >>> bool(np.allclose(rotation(GENERATORS["rz"], np.pi), np.diag([-1j, 1j])))
    True
    """
    a = sign * np.asarray(angles, dtype=float)
    generator = np.asarray(generator, dtype=complex)
    half_pauli, vals, vecs = _spectrum(generator.tobytes(), generator.shape[0])
    if half_pauli:
        c, s = np.cos(a / 2)[..., None, None], np.sin(a / 2)[..., None, None]
        return c * np.eye(len(generator)) - 2j * s * generator
    phases = np.exp(-1j * np.multiply.outer(a, vals))  # (..., d)
    return (vecs * phases[..., None, :]) @ vecs.conj().T


@lru_cache(maxsize=64)
def _spectrum(data: bytes, d: int) -> tuple[bool, np.ndarray, np.ndarray]:
    g = np.frombuffer(data, dtype=complex).reshape(d, d)
    vals, vecs = np.linalg.eigh(g)
    return bool(np.allclose(4 * g @ g, np.eye(d), atol=1e-14)), vals, vecs


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

    ``M |ket>`` is computed into a scratch array (neither batch is modified).

    >>> bra = np.array([[1, 0, 0, 0]], dtype=complex); ket = np.array([[0, 0, 1, 0]], dtype=complex)
    >>> pair(bra, ket, 2, [1], GENERATORS["rx"]).tolist()      # <00| X_1 / 2 |10>
    [(0.5+0j)]
    """
    qubits = tuple(qubits)
    ket = np.ascontiguousarray(ket)
    moved = np.empty_like(ket)
    _transform(ket, moved, n, qubits, np.asarray(m, dtype=complex), batch_last)
    if batch_last:  # one state per column
        bra, moved = bra.T, moved.T
    if hasattr(np, "vecdot"):  # NumPy >= 2: conjugates the first argument, no copies
        return np.vecdot(bra, moved)
    return np.einsum("bi,bi->b", bra.conj(), moved)
