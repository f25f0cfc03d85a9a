"""Plotting helpers for the machine-learning lessons (matplotlib).

* :func:`plot_kernel_matrix`: a kernel (Gram) matrix as a heat map;
* :func:`plot_decision_boundary`: the decision regions of a trained 2-feature classifier;
* :func:`plot_training_curve`: one or several loss (or accuracy) curves per iteration;
* :func:`plot_scaling`: how quantities grow or shrink with a size such as the qubit count.

Every function returns the ``matplotlib.figure.Figure`` it drew on; in a notebook end the
line with ``;`` (or assign the result) so that the figure is shown once. Each takes an
optional ``ax`` to draw into an existing subplot.

Introduced in lessons 05-07.

>>> fig = plot_scaling([2, 3, 4], {"cx": [1, 3, 6]}, xlabel="qubits", ylabel="gates")
>>> fig.axes[0].get_xlabel()
'qubits'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ._axes import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


__all__ = ["plot_kernel_matrix", "plot_decision_boundary", "plot_training_curve", "plot_scaling"]


def plot_kernel_matrix(
    K: Any,
    title: str | None = None,
    ax: Axes | None = None,
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
) -> Figure:
    """Draw a kernel (Gram) matrix as a heat map with a colour bar.

    Args:
        K: a 2-D array, entry ``K[i, j] = k(x_i, y_j)``.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.
        vmin, vmax: colour range; the default ``0..1`` suits fidelity kernels. Pass
            ``None`` to scale to the data.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        InputError: if ``K`` is not a 2-D array of finite real numbers.

    >>> fig = plot_kernel_matrix(np.eye(3), title="identity")
    >>> fig.axes[0].get_title()
    'identity'
    """
    try:
        arr = np.asarray(K, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"K must be a 2-D array of real numbers, got {type(K).__name__}."
        ) from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(f"K must be a non-empty 2-D array, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise InputError("K contains NaN or infinite values.")
    fig, ax = new_axes(ax, (4.2, 3.6))
    image = ax.imshow(arr, cmap="viridis", vmin=vmin, vmax=vmax, interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xlabel("j")
    ax.set_ylabel("i")
    if title:
        ax.set_title(title)
    return fig


def _scores(model: Any, points: np.ndarray) -> tuple[np.ndarray, bool]:
    """Class-1 probability if the model has ``predict_proba``, else its predictions."""
    proba = getattr(model, "predict_proba", None)
    if callable(proba):
        p = np.asarray(proba(points), dtype=float)
        if p.ndim == 2:
            p = p[:, -1]
        return p.reshape(-1), True
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise InputError("The model needs a predict(X) or predict_proba(X) method.")
    return np.asarray(predict(points), dtype=float).reshape(-1), False


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    X_test: Any = None,
    y_test: Any = None,
    resolution: int = 60,
    margin: float = 0.2,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Shade the decision regions of a trained classifier on 2-feature data.

    The model is evaluated on a ``resolution x resolution`` grid covering the data. With
    ``predict_proba`` the shading shows P(class 1) and the boundary is the 0.5 contour;
    with only ``predict`` it shows the predicted class. Training points are drawn as
    circles, test points (if given) as crosses.

    Args:
        model: a fitted object with ``predict_proba(X)`` or ``predict(X)`` (labels 0/1).
        X, y: training data of shape (n, 2) and labels in {0, 1}.
        X_test, y_test: optional test data drawn on top.
        resolution: grid points per axis (the model is called on ``resolution**2`` points).
        margin: how far (in data units) the grid extends beyond the data.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        InputError: for data that is not 2-D with 2 features, or a model without predict.

    >>> class Half:
    ...     def predict(self, X):
    ...         return (np.asarray(X)[:, 0] > 0.5).astype(int)
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([0, 1])
    >>> fig = plot_decision_boundary(Half(), X, y, resolution=10, title="half")
    >>> fig.axes[0].get_title()
    'half'
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise InputError(
            f"plot_decision_boundary draws 2-feature data: X must have shape (n, 2), got {X.shape}."
        )
    if len(y) != len(X):
        raise InputError(f"X has {len(X)} rows but y has {len(y)} labels.")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise InputError(f"resolution must be an integer >= 2, got {resolution!r}.")
    pts = X if X_test is None else np.vstack([X, np.asarray(X_test, dtype=float)])
    lo, hi = pts.min(axis=0) - margin, pts.max(axis=0) + margin
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    z, is_proba = _scores(model, grid)
    if z.size != grid.shape[0]:
        raise InputError(f"The model returned {z.size} values for {grid.shape[0]} points.")
    z = z.reshape(gx.shape)
    fig, ax = new_axes(ax, (4.5, 4.0))
    ax.contourf(gx, gy, z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6, vmin=0, vmax=1)
    if np.nanmin(z) < 0.5 < np.nanmax(z):
        ax.contour(gx, gy, z, levels=[0.5], colors="k", linewidths=1.2)
    colors = np.where(y.astype(float) > 0.5, "tab:red", "tab:blue")
    ax.scatter(X[:, 0], X[:, 1], c=colors, edgecolors="k", s=30, label="train")
    if X_test is not None:
        Xt = np.asarray(X_test, dtype=float)
        yt = np.zeros(len(Xt)) if y_test is None else np.asarray(y_test, dtype=float).reshape(-1)
        ct = np.where(yt > 0.5, "tab:red", "tab:blue")
        ax.scatter(Xt[:, 0], Xt[:, 1], c=ct, marker="x", s=40, label="test")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")
    ax.set_title(title if title else ("P(class 1)" if is_proba else "predicted class"))
    return fig


def _as_curves(values: Any, what: str) -> dict[str, np.ndarray]:
    """A dict of named 1-D arrays from one sequence or a mapping of sequences."""
    if isinstance(values, Mapping):
        items = list(values.items())
    else:
        items = [("", values)]
    if not items:
        raise InputError(f"{what} needs at least one curve.")
    curves = {}
    for name, vals in items:
        try:
            arr = np.asarray(vals, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise InputError(f"The values of {name or what!r} are not numbers.") from None
        if arr.size == 0:
            raise InputError(f"The curve {name or what!r} is empty.")
        curves[str(name)] = arr
    return curves


def plot_training_curve(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    title: str | None = None,
    ylabel: str = "loss",
    logy: bool = False,
    reference: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot loss (or accuracy) against iteration; several named curves share one axes.

    Args:
        losses: one sequence of values, or a dict ``{label: values}`` to compare runs.
        title: the axes title.
        ylabel: the y-axis label.
        logy: use a logarithmic y axis (values must be positive).
        reference: draw a dashed horizontal line at this value (e.g. the exact energy).
        ax: a matplotlib ``Axes`` to draw on; default a new figure.

    Returns:
        The matplotlib ``Figure``.

    >>> fig = plot_training_curve({"adam": [1.0, 0.5, 0.2], "sgd": [1.0, 0.8, 0.7]}, reference=0.0)
    >>> len(fig.axes[0].get_lines())
    3
    """
    curves = _as_curves(losses, "plot_training_curve")
    fig, ax = new_axes(ax, (5.0, 3.4))
    for name, vals in curves.items():
        ax.plot(np.arange(len(vals)), vals, label=name or None, lw=1.5)
    if reference is not None:
        ax.axhline(float(reference), color="k", ls="--", lw=1, label="reference")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if len(curves) > 1 or reference is not None:
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_scaling(
    x: Sequence[float],
    ys: Sequence[float] | Mapping[str, Sequence[float]],
    xlabel: str = "number of qubits",
    ylabel: str = "",
    logy: bool = False,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot one or several quantities against a size, with markers at each measured point.

    Args:
        x: the sizes (e.g. qubit counts).
        ys: one sequence of values, or a dict ``{label: values}``, each as long as ``x``.
        xlabel, ylabel: axis labels.
        logy: logarithmic y axis, so that exponential decay shows as a straight line.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.

    Returns:
        The matplotlib ``Figure``.

    Raises:
        InputError: if a curve's length differs from ``len(x)``.

    >>> fig = plot_scaling([1, 2, 3], [0.5, 0.25, 0.125], ylabel="variance", logy=True)
    >>> fig.axes[0].get_yscale()
    'log'
    """
    xs = np.asarray(x, dtype=float).reshape(-1)
    curves = _as_curves(ys, "plot_scaling")
    for name, vals in curves.items():
        if vals.size != xs.size:
            raise InputError(
                f"The curve {name or 'ys'!r} has {vals.size} values but x has {xs.size}."
            )
    fig, ax = new_axes(ax, (5.0, 3.4))
    for name, vals in curves.items():
        ax.plot(xs, vals, marker="o", label=name or None)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if len(curves) > 1:
        ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
