"""Density matrices as heat maps of their real and imaginary parts.

Rows and columns are basis states in Qiskit's order (qubit 0 rightmost).

Introduced in lesson 03.

>>> fig = plot_density_matrix(np.diag([0.5, 0.5]))
>>> len(fig.axes) >= 2
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["plot_density_matrix"]


def plot_density_matrix(
    rho: Any, title: str | None = None, ax: Sequence[Axes] | None = None
) -> Figure:
    """Heat maps of the real and imaginary parts of a density matrix.

    Rows and columns are labelled with basis states in Qiskit order (qubit 0 rightmost).

    Args:
        rho: a square matrix (NumPy array or ``qiskit.quantum_info.DensityMatrix``), or a
            pure state vector, which is turned into ``|psi><psi|``.
        title: the figure title.
        ax: optional pair of ``Axes`` (real part, imaginary part).

    Returns:
        The matplotlib ``Figure``.

    Raises:
        InputError: if ``rho`` is not a square matrix of size ``2**n``.

    >>> fig = plot_density_matrix(np.diag([0.5, 0.5]), title="maximally mixed")
    >>> [a.get_title() for a in fig.axes[:2]]
    ['Re ρ', 'Im ρ']
    """
    data = getattr(rho, "data", rho)
    try:
        mat = np.asarray(data, dtype=complex)
    except (TypeError, ValueError):
        raise InputError(f"Expected a density matrix, got {type(rho).__name__}.") from None
    if mat.ndim == 1:
        mat = np.outer(mat, mat.conj())
    dim = mat.shape[0] if mat.ndim == 2 else 0
    if mat.ndim != 2 or mat.shape[1] != dim or dim == 0 or dim & (dim - 1):
        raise InputError(f"Expected a square 2**n x 2**n density matrix, got shape {mat.shape}.")
    n = dim.bit_length() - 1
    names = [format(i, f"0{n}b") if n else "" for i in range(dim)]
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4))
    else:
        axes = list(ax)
        fig = axes[0].figure
    vmax = max(float(np.max(np.abs(mat))), 1e-12)
    for a, part, name in zip(axes, (mat.real, mat.imag), ("Re ρ", "Im ρ")):
        image = a.imshow(part, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        a.set_title(name)
        if dim <= 16:
            a.set_xticks(range(dim))
            a.set_yticks(range(dim))
            a.set_xticklabels(names, rotation=90 if n > 2 else 0)
            a.set_yticklabels(names)
        a.set_xlabel("column basis state")
        a.set_ylabel("row basis state")
        fig.colorbar(image, ax=a, fraction=0.046, pad=0.04)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
