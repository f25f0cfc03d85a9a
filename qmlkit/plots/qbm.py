"""Pictures for lesson 10: probability distributions over bitstrings, model against target.

Distributions are vectors in Qiskit index order (index ``k`` is the bitstring of ``k`` with
qubit 0 rightmost); the bars are drawn by :func:`qmlkit.plots.plot_counts`, and
:func:`qmlkit.sim.probabilities_to_dict` turns a vector into ``{bitstring: probability}``.

Introduced in lesson 10.

>>> fig = plot_distributions([0.5, 0, 0, 0.5], {"model": [0.4, 0.1, 0.1, 0.4]})
>>> fig.axes[0].get_ylabel()
'probability'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..sim import probabilities_to_dict
from ._axes import new_axes
from .counts import plot_counts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["plot_distributions", "plot_boltzmann"]


def plot_distributions(
    target: Any,
    models: Mapping[str, Any] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bar chart of a target distribution beside one or more model distributions.

    Args:
        target: the target probability vector (Qiskit index order).
        models: ``{label: probability vector}`` of models to compare, e.g.
            ``{"BM": p_bm, "QBM": p_qbm}``.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.

    Returns:
        The matplotlib ``Figure``.

    >>> fig = plot_distributions([0.4, 0.1, 0.1, 0.4], {"model": [0.25] * 4})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['target', 'model']
    """
    dists = [probabilities_to_dict(target)]
    labels = ["target"]
    for label, p in (models or {}).items():
        d = probabilities_to_dict(p)
        if len(d) != len(dists[0]):
            raise InputError(
                f"The model {label!r} has {len(d)} entries, the target {len(dists[0])}."
            )
        dists.append(d)
        labels.append(str(label))
    fig = plot_counts(dists, labels=labels, title=title, ax=ax, normalize=False)
    fig.axes[0].set_ylabel("probability")
    return fig


def plot_boltzmann(
    energies: Sequence[float],
    betas: Sequence[float],
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Boltzmann probabilities ``exp(-beta E) / Z`` of the same energies at several ``beta``.

    Args:
        energies: energy of each state.
        betas: inverse temperatures, one bar group per value.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.

    Returns:
        The matplotlib ``Figure``.

    >>> fig = plot_boltzmann([0.0, 1.0, 2.0], [0.0, 1.0])
    >>> len(fig.axes[0].patches)
    6
    """
    e = np.asarray(energies, dtype=float).ravel()
    if e.size == 0 or not np.all(np.isfinite(e)):
        raise InputError("energies must be a non-empty list of finite numbers.")
    betas = [float(b) for b in betas]
    if not betas:
        raise InputError("Give at least one beta.")
    fig, ax = new_axes(ax, (max(4.0, 0.5 * e.size * len(betas) ** 0.5 + 2), 3.2))
    width = 0.8 / len(betas)
    x = np.arange(e.size)
    for i, beta in enumerate(betas):
        logw = -beta * e
        w = np.exp(logw - logw.max())
        ax.bar(
            x + (i - (len(betas) - 1) / 2) * width, w / w.sum(), width=width, label=f"β = {beta:g}"
        )
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:g}" for v in e])
    ax.set_xlabel("energy of the state")
    ax.set_ylabel("probability")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
