"""Pictures for lesson 10: probability distributions over bitstrings, model against target.

Distributions are vectors in Qiskit index order (index ``k`` is the bitstring of ``k`` with
qubit 0 rightmost); the bars are drawn by :func:`qmlkit.plots.plot_counts`.

Introduced in lesson 10.

>>> probabilities_to_dict([0.5, 0, 0, 0.5])
{'00': 0.5, '01': 0.0, '10': 0.0, '11': 0.5}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .errors import InputError

__all__ = ["probabilities_to_dict", "plot_distributions", "plot_boltzmann"]


def probabilities_to_dict(probabilities: Any) -> dict[str, float]:
    """A probability vector of length ``2**n`` as ``{bitstring: probability}``.

    Args:
        probabilities: real vector in Qiskit index order.

    Raises:
        InputError: when the length is not a power of two or entries are not finite.

    >>> probabilities_to_dict([0.25, 0.75])
    {'0': 0.25, '1': 0.75}
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    n = int(round(np.log2(p.size))) if p.size > 1 else 0
    if p.size < 2 or 2**n != p.size:
        raise InputError(f"Expected a vector of length 2**n (n >= 1), got length {p.size}.")
    if not np.all(np.isfinite(p)):
        raise InputError("The probabilities contain NaN or infinite values.")
    return {format(i, f"0{n}b"): float(v) for i, v in enumerate(p)}


def plot_distributions(
    target: Any,
    models: Mapping[str, Any] | None = None,
    title: str | None = None,
    ax: Any = None,
) -> Any:
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
    from .plots import plot_counts

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
    energies: Sequence[float], betas: Sequence[float], title: str | None = None, ax: Any = None
) -> Any:
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
    from .plots import _new_axes

    e = np.asarray(energies, dtype=float).ravel()
    if e.size == 0 or not np.all(np.isfinite(e)):
        raise InputError("energies must be a non-empty list of finite numbers.")
    betas = [float(b) for b in betas]
    if not betas:
        raise InputError("Give at least one beta.")
    fig, ax = _new_axes(ax, (max(4.0, 0.5 * e.size * len(betas) ** 0.5 + 2), 3.2))
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
