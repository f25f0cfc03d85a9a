"""The one helper every plot shares: draw into a given axes, or a new figure."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Use ``ax`` if given, else a fresh figure with one axes."""
    if ax is not None:
        return cast("Figure", ax.figure), ax  # a SubFigure draws the same way
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax
