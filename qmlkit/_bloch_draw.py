"""Drawing primitives for :mod:`qmlkit.bloch`: one Bloch sphere on a matplotlib 3D axis.

Everything here works on fresh :class:`matplotlib.figure.Figure` objects with an Agg
canvas (never pyplot), so pictures can be drawn from any thread and are not shown twice
in Jupyter. matplotlib is imported only inside functions.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np

# A camera that shows all three axes apart: +x towards the viewer (lower left),
# +y to the right, +z up.
ELEV = 18.0
AZIM = -58.0

# matplotlib's text layout (mathtext, font caches) is not meant for concurrent use: every
# PNG made here is drawn under this lock (the widget may render from callback threads).
RENDER_LOCK = threading.RLock()

COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]

# (position, label) of the six basis states on the sphere.
_BASIS_LABELS = [
    ((0, 0, 1), r"$|0\rangle$"),
    ((0, 0, -1), r"$|1\rangle$"),
    ((1, 0, 0), r"$|{+}\rangle$"),
    ((-1, 0, 0), r"$|{-}\rangle$"),
    ((0, 1, 0), r"$|{+i}\rangle$"),
    ((0, -1, 0), r"$|{-i}\rangle$"),
]


def new_figure(width: float, height: float, dpi: int = 100) -> Any:
    """A fresh Figure with its own Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    _register_ipython_display()
    return fig


def figure_png(fig: Any) -> bytes:
    """PNG bytes of a figure (no timestamp in the metadata, so equal pictures are equal bytes)."""
    buf = io.BytesIO()
    with RENDER_LOCK:
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def add_sphere(fig: Any, *args: Any, title: str | None = None, small: bool = False) -> Any:
    """Add a 3D axis with an empty Bloch sphere to ``fig`` (``args`` as for add_subplot)."""
    ax = fig.add_subplot(*args, projection="3d") if args else fig.add_subplot(projection="3d")
    draw_sphere(ax, small=small)
    if title:
        ax.set_title(title, fontsize=10 if small else 12, pad=0)
    return ax


def draw_sphere(ax: Any, small: bool = False) -> None:
    """Draw the sphere, the x/y/z axes and the six basis-state labels on a 3D axis."""
    ax.computed_zorder = False
    u = np.linspace(0, 2 * np.pi, 41)
    v = np.linspace(0, np.pi, 21)
    xs = np.outer(np.cos(u), np.sin(v))
    ys = np.outer(np.sin(u), np.sin(v))
    zs = np.outer(np.ones_like(u), np.cos(v))
    ax.plot_surface(xs, ys, zs, color="#c9d6e8", alpha=0.18, linewidth=0, shade=False, zorder=0)
    t = np.linspace(0, 2 * np.pi, 121)
    c, s, o = np.cos(t), np.sin(t), np.zeros_like(t)
    for circle, style in (((c, s, o), "-"), ((c, o, s), "-"), ((o, c, s), "-")):
        ax.plot(*circle, style, color="#8797aa", lw=0.8, alpha=0.7, zorder=1)
    for k in range(3):
        line = np.zeros((3, 2))
        line[k] = (-1, 1)
        ax.plot(*line, "--", color="#6b7785", lw=0.7, alpha=0.8, zorder=1)
    fs = 10 if small else 13
    for pos, label in _BASIS_LABELS:
        p = 1.3 * np.array(pos, dtype=float)
        ax.text(*p, label, fontsize=fs, ha="center", va="center", color="#222222", zorder=5)
    for k, name in enumerate("xyz"):
        p = np.zeros(3)
        p[k] = 1.08
        if k == 2:
            p += (0.12, -0.12, -0.05)
        else:
            p[2] -= 0.13
        ax.text(
            *p, name, fontsize=fs - 2, style="italic", color="#4a5563", ha="center", va="center"
        )
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_zlim(-1, 1)
    ax.set_box_aspect((1, 1, 1), zoom=1.25)
    ax.view_init(elev=ELEV, azim=AZIM)
    ax.set_axis_off()


def draw_vector(
    ax: Any, r: np.ndarray, color: str, label: str | None = None, lw: float = 2.6
) -> None:
    """Draw a Bloch vector as an arrow from the centre (a dot when it has length ~0)."""
    r = np.asarray(r, dtype=float)
    length = float(np.linalg.norm(r))
    if length < 1e-3:
        ax.scatter([0], [0], [0], s=40, color=color, label=label, zorder=10, depthshade=False)
        return
    ax.quiver(
        0, 0, 0, *r, color=color, lw=lw, arrow_length_ratio=0.14 / max(length, 0.3), zorder=10
    )
    ax.scatter(*[[c] for c in r], s=22, color=color, label=label, zorder=11, depthshade=False)
    # a thin drop line to the equator helps read the height of the vector
    ax.plot([r[0], r[0]], [r[1], r[1]], [0, r[2]], ":", color=color, lw=1.0, alpha=0.7, zorder=9)


def _register_ipython_display() -> None:
    """Make IPython show a bare Figure as PNG (once), even when pyplot was never imported."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is installed with Jupyter
        return
    ip = get_ipython()
    if ip is None:
        return
    from matplotlib.figure import Figure

    formatter = ip.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, figure_png)
