"""Small, tested plotting helpers the lessons use (matplotlib).

* :func:`plot_counts`: measured counts or (quasi-)probabilities as bar charts, several
  distributions side by side (for example ideal, noisy and mitigated);
* :func:`plot_density_matrix`: the real and imaginary parts of a density matrix as heat maps.

Bitstrings follow Qiskit's order: qubit 0 is the rightmost character. Every function
returns the ``matplotlib.figure.Figure`` it drew on; in a notebook end the line with ``;``
(or assign the result) so that the figure is shown once.

Introduced in lesson 03 (density matrices) and lesson 04 (counts).

>>> fig = plot_counts({"00": 480, "11": 520}, title="Bell state")
>>> fig.axes[0].get_title()
'Bell state'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["plot_counts", "plot_density_matrix", "counts_to_probabilities"]


def _new_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """Use ``ax`` if given, else a fresh figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def counts_to_probabilities(counts: Mapping[str, float]) -> dict[str, float]:
    """Divide every value by the total, so that the values add up to 1.

    Works for integer counts and for quasi-probabilities (which may be negative, as after
    readout-error mitigation). Spaces between classical registers are kept in the keys.

    Args:
        counts: a dict from bitstrings to counts or (quasi-)probabilities.

    Raises:
        InputError: if ``counts`` is not a non-empty dict of numbers with a non-zero total.

    >>> counts_to_probabilities({"0": 3, "1": 1})
    {'0': 0.75, '1': 0.25}
    """
    if not isinstance(counts, Mapping) or not counts:
        raise InputError(
            "Expected a non-empty dict of counts such as {'00': 480, '11': 520}, "
            f"got {type(counts).__name__}."
        )
    values = {}
    for key, val in counts.items():
        if not isinstance(key, str):
            raise InputError(f"Counts keys must be bitstrings such as '01', got {key!r}.")
        try:
            values[key] = float(val)
        except (TypeError, ValueError):
            raise InputError(f"The value for {key!r} is {val!r}, not a number.") from None
    total = sum(values.values())
    if abs(total) < 1e-15 or not np.isfinite(total):
        raise InputError(f"The counts add up to {total}; cannot turn them into probabilities.")
    return {k: v / total for k, v in values.items()}


def plot_counts(
    counts: Mapping[str, float] | Sequence[Mapping[str, float]],
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Any = None,
    normalize: bool = True,
) -> Any:
    """Bar chart of one or several measurement distributions, side by side.

    Each distribution is normalised to probabilities (unless ``normalize=False``), the
    bitstrings of all of them are merged and sorted, and each bitstring gets one bar per
    distribution. Negative quasi-probabilities are drawn below the axis.

    Args:
        counts: one dict ``{bitstring: count}`` or a list of them.
        labels: a legend label per distribution (default: none for one dict, else
            ``"1"``, ``"2"``, ...).
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.
        normalize: divide each distribution by its total.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        InputError: for an empty list, a non-dict, or a wrong number of labels.

    >>> fig = plot_counts([{"0": 500, "1": 500}, {"0": 470, "1": 530}], labels=["ideal", "noisy"])
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['0', '1']
    """
    dists = [counts] if isinstance(counts, Mapping) else list(counts)
    if not dists:
        raise InputError("plot_counts needs at least one counts dict.")
    for d in dists:
        if not isinstance(d, Mapping):
            raise InputError(
                f"plot_counts takes a counts dict or a list of them, got a {type(d).__name__}."
            )
    if labels is not None:
        labels = [str(lab) for lab in labels]
        if len(labels) != len(dists):
            raise InputError(f"Got {len(labels)} labels for {len(dists)} distributions.")
    elif len(dists) > 1:
        labels = [str(i + 1) for i in range(len(dists))]
    if normalize:
        dists = [counts_to_probabilities(d) for d in dists]
    keys = sorted({k for d in dists for k in d})
    width = 0.8 / len(dists)
    width_in = max(4.0, 0.45 * len(keys) * max(1, len(dists) ** 0.5) + 2)
    fig, ax = _new_axes(ax, (width_in + (1.5 if labels is not None else 0.0), 3.2))
    x = np.arange(len(keys))
    for i, d in enumerate(dists):
        heights = [float(d.get(k, 0.0)) for k in keys]
        offset = (i - (len(dists) - 1) / 2) * width
        ax.bar(x + offset, heights, width=width, label=None if labels is None else labels[i])
    ax.set_xticks(x)
    ax.set_xticklabels(keys, rotation=0 if len(keys) <= 8 else 70)
    ax.set_xlabel("outcome (qubit 0 = rightmost bit)")
    ax.set_ylabel("probability" if normalize else "counts")
    ax.axhline(0, color="black", linewidth=0.6)
    if title:
        ax.set_title(title)
    if labels is not None:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def plot_density_matrix(rho: Any, title: str | None = None, ax: Any = None) -> Any:
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
