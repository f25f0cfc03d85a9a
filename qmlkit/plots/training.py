"""Watching a model train: a loss curve that redraws itself in place during training.

:class:`LiveLossPlot` is a ``callback(iteration, loss)`` for qmlkit's trainable models
(``VQC(callback=...)``, ``QNNClassifier(callback=...)``) or for your own training loops.
Inside Jupyter it shows one figure and replaces it every few iterations through an
``IPython.display`` handle; elsewhere (a terminal, a test, a script) it draws nothing and
optionally prints a line now and then. It only ever writes output and never waits for a
front end, so it cannot hang a headless run.

Introduced in lesson 08.

>>> live = LiveLossPlot(every=2)          # outside Jupyter: silent
>>> for it, loss in enumerate([1.0, 0.6, 0.4, 0.3]):
...     live(it, loss)
>>> live.losses
[1.0, 0.6, 0.4, 0.3]
>>> fig = live.close()                    # the final curve as a matplotlib Figure
>>> len(fig.axes[0].get_lines())
1
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any

from .._env import in_jupyter
from ..errors import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure


__all__ = ["LiveLossPlot"]


class LiveLossPlot:
    """A loss curve that updates in place while a model trains.

    Call the object as ``live(iteration, loss)`` once per iteration (it is the ``callback``
    that qmlkit models accept). Every ``every`` calls it redraws the curve.

    Args:
        every: redraw (or print) after this many iterations.
        title: the plot title; the latest iteration and loss are appended to it.
        mode: ``"auto"`` (draw inside Jupyter, stay silent elsewhere), ``"display"``,
            ``"print"`` (one text line per redraw, e.g. in a terminal) or ``"silent"``.
        reference: an optional dashed horizontal line (e.g. a baseline's loss).
        stream: where ``"print"`` mode writes (default ``sys.stdout``).

    Attributes:
        losses: every loss received, in order.

    >>> import io
    >>> out = io.StringIO()
    >>> live = LiveLossPlot(every=2, mode="print", stream=out)
    >>> for it, loss in enumerate([0.9, 0.7, 0.5]):
    ...     live(it, loss)
    >>> print(out.getvalue().strip())
    iteration 2: loss 0.7
    >>> _ = live.close()
    >>> print(out.getvalue().strip().splitlines()[-1])
    iteration 3: loss 0.5 (done)
    """

    def __init__(
        self,
        every: int = 5,
        title: str = "training loss",
        mode: str = "auto",
        reference: float | None = None,
        stream: Any = None,
    ) -> None:
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise InputError(f"every must be a positive integer, got {every!r}.")
        if mode not in ("auto", "display", "print", "silent"):
            raise InputError(f"mode must be 'auto', 'display', 'print' or 'silent', got {mode!r}.")
        self.every = every
        self.title = title
        self.reference = reference
        self.stream = stream if stream is not None else sys.stdout
        if mode == "auto":
            mode = "display" if in_jupyter() else "silent"
        self.mode = mode
        self.losses: list[float] = []
        self._handle: Any = None
        self._fig: Any = None
        self._line: Any = None
        self._closed = False

    # -- the callback -----------------------------------------------------------------
    def __call__(self, iteration: int, loss: float) -> None:
        """Record ``loss`` and redraw every ``every`` iterations."""
        try:
            value = float(loss)
        except (TypeError, ValueError):
            raise InputError(f"loss must be a number, got {type(loss).__name__}.") from None
        self.losses.append(value)
        if len(self.losses) % self.every == 0:
            self._show()

    def close(self) -> Figure:
        """Draw the final curve once more and return it as a matplotlib ``Figure``."""
        if not self._closed:
            self._closed = True
            self._show(done=True)
        return self._figure(done=True)

    # -- drawing ---------------------------------------------------------------------
    def _label(self, done: bool) -> str:
        if not self.losses:
            return "no iterations yet"
        text = f"iteration {len(self.losses)}: loss {self.losses[-1]:.4g}"
        return text + (" (done)" if done else "")

    def _figure(self, done: bool = False) -> Any:
        from matplotlib.figure import Figure

        if self._fig is None:
            self._fig = Figure(figsize=(5.0, 3.0), dpi=80, layout="constrained")
            ax = self._fig.add_subplot()
            (self._line,) = ax.plot([], [], lw=1.5)
            if self.reference is not None:
                ax.axhline(float(self.reference), color="k", ls="--", lw=1)
            ax.set_xlabel("iteration")
            ax.set_ylabel("loss")
        ax = self._fig.axes[0]
        self._line.set_data(range(len(self.losses)), self.losses)
        ax.relim()
        ax.autoscale_view()
        ax.set_title(f"{self.title} — {self._label(done)}", fontsize=9)
        return self._fig

    def _png(self, done: bool = False) -> bytes:
        buf = io.BytesIO()
        self._figure(done).savefig(buf, format="png")
        return buf.getvalue()

    def _show(self, done: bool = False) -> None:
        if self.mode == "silent":
            return
        if self.mode == "print":
            self.stream.write(self._label(done) + "\n")
            self.stream.flush()
            return
        from IPython.display import Image, display

        image = Image(data=self._png(done), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
