"""Bloch-sphere pictures of one-qubit states, gate paths, multi-qubit states and a widget.

A one-qubit state :math:`\\cos(\\theta/2)|0\\rangle + e^{i\\varphi}\\sin(\\theta/2)|1\\rangle`
is the point :math:`(\\sin\\theta\\cos\\varphi, \\sin\\theta\\sin\\varphi, \\cos\\theta)` on the
unit sphere; a mixed state (for example one qubit of an entangled pair) is a point inside.
The global phase does not show. Qubit order is Qiskit's: qubit 0 is the rightmost bit.

Every ``plot_*`` function returns a :class:`matplotlib.figure.Figure` made without pyplot:
Jupyter shows it once when it is the last expression of a cell (or call ``display(fig)``).

Introduced in lesson 01.

>>> from qiskit import QuantumCircuit
>>> qc = QuantumCircuit(1); _ = qc.h(0)
>>> bloch_vector(qc).round(3).tolist()
[1.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _bloch_draw as draw
from ._bloch_gates import PAULIS as _PAULIS
from ._bloch_gates import gate_matrix, rotate_vector, steps_of
from .errors import InputError

if TYPE_CHECKING:
    from ._bloch_widget import BlochWidget

__all__ = [
    "bloch_vector",
    "plot_bloch",
    "plot_bloch_path",
    "bloch_path",
    "plot_qubit_blochs",
    "compare_png",
    "widget",
    "BlochWidget",
    "gate_matrix",
]


def __getattr__(name: str) -> Any:  # BlochWidget needs ipywidgets: import it on first use
    if name == "BlochWidget":
        from ._bloch_widget import BlochWidget

        return BlochWidget
    raise AttributeError(f"module 'qmlkit.bloch' has no attribute {name!r}")


# ------------------------------------------------------------------------------ states


def _state_or_density(state: Any, what: str = "state") -> np.ndarray:
    """A normalised 1-D state vector or a trace-1 density matrix from many input types."""
    try:
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import DensityMatrix, Statevector
    except ImportError:  # pragma: no cover - qiskit is a dependency
        QuantumCircuit = Statevector = DensityMatrix = ()  # type: ignore[assignment]
    if isinstance(state, QuantumCircuit):
        from .sim import statevector

        if state.num_parameters:
            raise InputError(
                f"The circuit given as the {what} has unbound parameters "
                f"{[p.name for p in state.parameters]}; bind them with assign_parameters first."
            )
        arr = statevector(state)
    elif isinstance(state, (Statevector, DensityMatrix)):
        arr = np.asarray(state.data, dtype=complex)
    else:
        try:
            arr = np.asarray(state, dtype=complex)
        except (TypeError, ValueError):
            raise InputError(
                f"Cannot read the {what} from a {type(state).__name__}: give a state vector "
                "(list or NumPy array), a Statevector, a QuantumCircuit or a density matrix."
            ) from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"The {what} contains NaN or infinite numbers.")
    if arr.ndim == 1:
        norm = np.linalg.norm(arr)
        if norm < 1e-12:
            raise InputError(f"The {what} is the zero vector; a state needs a nonzero amplitude.")
        return arr / norm
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1]:
        trace = np.trace(arr).real
        if not np.allclose(arr, arr.conj().T, atol=1e-8) or trace <= 1e-12:
            raise InputError(
                f"The {what} is a square matrix but not a density matrix (it must be Hermitian "
                "with trace 1)."
            )
        return arr / trace
    raise InputError(f"The {what} has shape {arr.shape}; expected a vector or a square matrix.")


def _bloch_of(arr: np.ndarray) -> np.ndarray:
    rho = np.outer(arr, arr.conj()) if arr.ndim == 1 else arr
    return np.array([np.trace(rho @ p).real for p in _PAULIS])


def bloch_vector(state: Any) -> np.ndarray:
    """The Bloch vector ``(x, y, z) = (<X>, <Y>, <Z>)`` of a one-qubit state.

    Args:
        state: a 2-amplitude vector (list or array; normalised for you), a ``Statevector``,
            a 1-qubit ``QuantumCircuit`` (run from |0>), a 2x2 density matrix or
            ``DensityMatrix``; a real 3-vector of length <= 1 is returned as is.

    Returns:
        A float array of shape (3,); its length is 1 for a pure state, less for a mixed one.

    Raises:
        InputError: the input is not a one-qubit state.

    Introduced in lesson 01.

    >>> bloch_vector([1, 1j]).round(3).tolist()        # |+i> points along +y
    [0.0, 1.0, 0.0]
    >>> bloch_vector(np.eye(2) / 2).tolist()            # maximally mixed: the centre
    [0.0, 0.0, 0.0]
    """
    if isinstance(state, (list, tuple, np.ndarray)):
        raw = np.asarray(state)
        if raw.shape == (3,) and raw.dtype.kind in "iuf":  # already a Bloch vector
            r = raw.astype(float)
            if not np.all(np.isfinite(r)) or np.linalg.norm(r) > 1 + 1e-6:
                raise InputError(
                    f"{r.tolist()} is not a Bloch vector: it must be finite with length <= 1."
                )
            return r
    arr = _state_or_density(state)
    if arr.shape[0] != 2:
        raise InputError(
            f"bloch_vector needs a one-qubit state (2 amplitudes), got {arr.shape[0]} "
            "amplitudes. For a state of several qubits use plot_qubit_blochs(state)."
        )
    return _bloch_of(arr)


def _as_states(states: Sequence[Any]) -> list[Any]:
    """Allow plot_bloch([s1, s2]) as well as plot_bloch(s1, s2)."""
    if len(states) == 1 and isinstance(states[0], (list, tuple)):
        items = states[0]
        if items and all(not isinstance(x, (int, float, complex, np.number)) for x in items):
            return list(items)
    return list(states)


# ------------------------------------------------------------------------------ pictures


def plot_bloch(
    *states: Any,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Draw one or more one-qubit states as arrows on a Bloch sphere.

    Args:
        *states: state vectors, ``Statevector`` s, 1-qubit circuits, density matrices or Bloch
            3-vectors. A single list of them works too (then give a density matrix as a
            NumPy array, not a nested list).
        labels: one legend label per state (default: none for one state, ``"state k"``).
        title: a title above the sphere.
        ax: an existing matplotlib 3D axis to draw on (default: a new figure).

    Returns:
        The matplotlib Figure.

    Introduced in lesson 01.

    >>> fig = plot_bloch([1, 0], [1, 1], labels=["|0>", "|+>"], title="two states")
    >>> type(fig).__name__
    'Figure'
    """
    items = _as_states(states)
    vectors = [bloch_vector(s) for s in items]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(vectors):
            raise InputError(f"Got {len(vectors)} states but {len(labels)} labels.")
    elif len(vectors) > 1:
        labels = [f"state {k}" for k in range(len(vectors))]
    if ax is None:
        fig = draw.new_figure(4.6, 4.8)
        ax = fig.add_axes((0.0, 0.0, 1.0, 0.9 if title else 0.96), projection="3d")
        draw.draw_sphere(ax)
        if title:
            fig.suptitle(title, fontsize=13, y=0.97)
    else:
        if getattr(ax, "name", "") != "3d":
            raise InputError("ax must be a 3D axis: fig.add_subplot(projection='3d').")
        fig = ax.figure
        draw.draw_sphere(ax)
        if title:
            ax.set_title(title)
    for k, r in enumerate(vectors):
        label = labels[k] if labels else None
        draw.draw_vector(ax, r, draw.COLORS[k % len(draw.COLORS)], label)
    if labels:
        ax.legend(loc="upper left", fontsize=9, frameon=False, bbox_to_anchor=(0.0, 1.0))
    return fig


def bloch_path(circuit_or_gate_names: Any, start: Any = None) -> list[tuple[str, np.ndarray]]:
    """The arcs a Bloch vector follows under a sequence of one-qubit gates.

    Each gate is a rotation of the sphere (H: about (x+z)/sqrt(2) by pi, S: about z by
    pi/2, ``rx(a)``: about x by ``a``, ...), followed as a smooth arc.

    Args:
        circuit_or_gate_names: gate names such as ``["h", "s", "rx(pi/4)"]`` (see
            :func:`gate_matrix`) or a one-qubit ``QuantumCircuit``.
        start: the initial state (anything :func:`bloch_vector` accepts); default |0>.

    Returns:
        One ``(label, points)`` pair per gate; ``points`` has shape (k, 3), its first row is
        the Bloch vector before the gate and its last row the vector after it.

    >>> arcs = bloch_path(["h", "s"])
    >>> [label for label, _ in arcs], arcs[-1][1][-1].round(3).tolist()
    (['H', 'S'], [0.0, 1.0, 0.0])
    """
    steps = steps_of(circuit_or_gate_names)
    r = np.array([0.0, 0.0, 1.0]) if start is None else bloch_vector(start)
    arcs = []
    for label, axis, angle in steps:
        n = max(2, int(abs(angle) / (math.pi / 48)) + 2)
        arc = np.array([rotate_vector(r, axis, angle * s) for s in np.linspace(0, 1, n)])
        arcs.append((label, arc))
        r = arc[-1]
    return arcs


def plot_bloch_path(circuit_or_gate_names: Any, start: Any = None, title: str | None = None) -> Any:
    """Draw the path a state takes on the Bloch sphere under a sequence of one-qubit gates.

    Each gate is a rotation of the sphere about an axis (H: about (x+z)/sqrt(2) by pi,
    S: about z by pi/2, ...); the path follows each rotation as a smooth arc, one colour
    per gate, numbered in the legend. A black dot marks the start, an arrow the end.

    Args:
        circuit_or_gate_names: gate names such as ``["h", "s", "rx(pi/4)"]`` (see
            :func:`gate_matrix`) or a one-qubit ``QuantumCircuit``.
        start: the initial state (anything :func:`bloch_vector` accepts); default |0>.
        title: a title above the sphere.

    Returns:
        The matplotlib Figure.

    Introduced in lesson 01.

    >>> fig = plot_bloch_path(["h", "s", "rx(pi/2)"], title="H, S, RX")
    >>> len(fig.axes)
    1
    """
    r = np.array([0.0, 0.0, 1.0]) if start is None else bloch_vector(start)
    arcs = bloch_path(circuit_or_gate_names, start=r)
    fig = draw.new_figure(4.8, 5.0)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.9 if title else 0.96), projection="3d")
    draw.draw_sphere(ax)
    if title:
        fig.suptitle(title, fontsize=13, y=0.97)
    ax.scatter(*[[c] for c in r], s=45, color="black", zorder=12, depthshade=False, label="start")
    for k, (label, arc) in enumerate(arcs):
        color = draw.COLORS[(k + 1) % len(draw.COLORS)]
        ax.plot(*arc.T, color=color, lw=2.4, zorder=10, label=f"{k + 1}: {label}")
        r = arc[-1]
        ax.scatter(*[[c] for c in r], s=18, color=color, zorder=12, depthshade=False)
    draw.draw_vector(ax, r, "#222222", None, lw=1.8)
    ax.legend(loc="upper left", fontsize=9, frameon=False, bbox_to_anchor=(0.0, 1.0))
    return fig


def _reduced_blochs(state: Any) -> np.ndarray:
    """Bloch vectors of every qubit's reduced state, row k = qubit k (Qiskit order)."""
    return _reduced_of(_state_or_density(state))


def _reduced_of(arr: np.ndarray) -> np.ndarray:
    dim = arr.shape[0]
    n = int(round(math.log2(dim))) if dim > 0 else -1
    if n < 1 or 2**n != dim:
        raise InputError(f"A state of n qubits has 2**n amplitudes; got {dim}.")
    out = np.zeros((n, 3))
    if arr.ndim == 1:
        t = arr.reshape([2] * n)  # axis 0 is qubit n-1 (Qiskit order)
        for q in range(n):
            m = np.moveaxis(t, n - 1 - q, 0).reshape(2, -1)
            out[q] = _bloch_of(m @ m.conj().T)
    else:
        t = arr.reshape([2] * (2 * n))
        for q in range(n):
            a = n - 1 - q
            m = 2 ** (n - 1)
            keep = np.moveaxis(t, (a, n + a), (0, 1)).reshape(2, 2, m, m)
            rho = np.einsum("abii->ab", keep)
            out[q] = _bloch_of(rho)
    return out


def plot_qubit_blochs(state: Any, title: str | None = None) -> Any:
    """Draw the reduced Bloch vector of every qubit of a multi-qubit state, one sphere each.

    Qubit 0 is the rightmost bit (Qiskit order). The reduced state of a qubit that is
    entangled with the others is mixed, so its vector is shorter than 1; for a Bell pair
    both vectors shrink to the centre. Each sphere's caption gives the length ``|r|``.

    Args:
        state: a state vector, ``Statevector``, circuit or density matrix of 1-10 qubits.
        title: a title above the spheres.

    Returns:
        The matplotlib Figure.

    Introduced in lesson 02.

    >>> bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> fig = plot_qubit_blochs(bell, title="Bell pair")
    >>> len(fig.axes)
    2
    """
    arr = _state_or_density(state)
    vectors = _reduced_of(arr)
    n = len(vectors)
    if n > 10:
        raise InputError(f"plot_qubit_blochs draws up to 10 qubits; this state has {n}.")
    cols = min(n, 5)
    rows = (n + cols - 1) // cols
    head = 0.5 if title else 0.1
    fig = draw.new_figure(2.9 * cols, 3.1 * rows + head)
    height = 1 - head / (3.1 * rows + head)
    for q, r in enumerate(vectors):
        row, col = divmod(q, cols)
        rect = (col / cols, height * (1 - (row + 1) / rows), 1 / cols, height / rows * 0.86)
        ax = fig.add_axes(rect, projection="3d")
        draw.draw_sphere(ax, small=True)
        length = float(np.linalg.norm(r))
        draw.draw_vector(ax, r, draw.COLORS[q % len(draw.COLORS)])
        # a qubit of a pure state is mixed exactly when it is entangled with the others
        note = "" if length > 0.99 else ("  (entangled)" if arr.ndim == 1 else "  (mixed)")
        fig.text(
            (col + 0.5) / cols,
            height * (1 - row / rows) - 0.01,
            f"qubit {q}   |r| = {length:.2f}{note}",
            ha="center",
            va="top",
            fontsize=10,
        )
    if title:
        fig.suptitle(title, fontsize=13, y=1 - 0.12 / (3.1 * rows + head))
    return fig


def compare_png(actual: Any, expected: Any) -> bytes:
    """PNG of a learner's one-qubit state and the expected one on the same sphere.

    The autograder attaches this picture to the feedback of a wrong one-qubit state.

    >>> compare_png([1, 0], [1, 1])[:4]
    b'\\x89PNG'
    """
    ra, re_ = bloch_vector(actual), bloch_vector(expected)
    fig = draw.new_figure(4.0, 4.2, dpi=90)
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.9), projection="3d")
    draw.draw_sphere(ax)
    fig.suptitle("expected (green) and your state (red)", fontsize=11, y=0.97)
    draw.draw_vector(ax, re_, "#2ca02c", "expected")
    draw.draw_vector(ax, ra, "#d62728", "your state")
    ax.legend(loc="upper left", fontsize=9, frameon=False, bbox_to_anchor=(0.0, 1.0))
    return draw.figure_png(fig)


def widget(theta: float = 0.0, phi: float = 0.0) -> BlochWidget:
    """An interactive Bloch sphere: angle sliders, gate buttons and the ket, live.

    The state starts at ``cos(theta/2)|0> + exp(i phi) sin(theta/2)|1>``. Buttons X, Y, Z,
    H, S, T and RX/RY/RZ (by the chosen angle) apply gates; the picture, the ket and the
    probabilities follow every click. Without a connected front end (nbconvert, grading)
    the cell output still holds a static PNG of the sphere and the ket as text.

    Returns:
        A :class:`BlochWidget` (an ipywidgets ``VBox``); Jupyter shows it when it is the last
        expression of a cell.

    Introduced in lesson 01.

    >>> w = widget(theta=np.pi / 2)
    >>> w.apply("z"); w.ket
    '|ψ⟩ = 0.707|0⟩ - 0.707|1⟩'
    """
    from ._bloch_widget import BlochWidget

    return BlochWidget(theta=theta, phi=phi)
