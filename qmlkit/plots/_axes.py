"""The one helper every plot shares: draw into a given axes, or a new figure."""

from __future__ import annotations

from typing import Any


def new_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """Use ``ax`` if given, else a fresh figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax
