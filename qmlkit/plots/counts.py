"""Measured counts and (quasi-)probabilities as bar charts.

:func:`plot_counts` draws one or several distributions side by side (for example ideal,
noisy and mitigated). Bitstrings follow Qiskit's order: qubit 0 is the rightmost character.

Introduced in lesson 04.

>>> fig = plot_counts({"00": 480, "11": 520}, title="Bell state")
>>> fig.axes[0].get_title()
'Bell state'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..sim import counts_to_probabilities
from ._axes import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["plot_counts"]


def plot_counts(
    counts: Mapping[str, float] | Sequence[Mapping[str, float]],
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    normalize: bool = True,
) -> Figure:
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
    fig, ax = new_axes(ax, (width_in + (1.5 if labels is not None else 0.0), 3.2))
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
