"""Optimisers for qmlkit's trainable models: a built-in Adam, a scipy wrapper, a progress bar.

Every qmlkit model trains through :func:`minimize`, so all of them share one behaviour:

* the optimiser is chosen by name: ``"adam"`` (built in, needs gradients) or any method of
  :func:`scipy.optimize.minimize` (``"L-BFGS-B"``, ``"BFGS"``, ``"COBYLA"``, ``"Nelder-Mead"``...);
* the loss after every iteration is recorded (``history``) and passed to an optional
  ``callback(iteration, loss)``, which lessons use to draw live loss curves;
* an optional progress bar: text on stdout, or an ipywidgets bar inside Jupyter. It only ever
  writes output, so it never waits for a front end and cannot hang a headless run.

>>> import numpy as np
>>> res = minimize(lambda w: (float(w @ w), 2 * w), np.ones(2), method="adam",
...                maxiter=300, learning_rate=0.1)
>>> bool(res.fun < 1e-3), len(res.history)
(True, 300)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._env import in_jupyter, single_threaded_blas
from .errors import InputError

__all__ = ["minimize", "adam", "ProgressBar", "OptimizeResult", "GRADIENT_FREE"]

#: scipy methods that do not use a gradient (we then never compute one).
GRADIENT_FREE = {"cobyla", "cobyqa", "nelder-mead", "powell"}

LossAndGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass
class OptimizeResult:
    """What :func:`minimize` returns: best-known parameters, final loss, loss per iteration."""

    x: np.ndarray
    fun: float
    nit: int
    history: list[float] = field(default_factory=list)
    message: str = ""


class ProgressBar:
    """A minimal progress bar that shows iterations and the current loss.

    Args:
        total: the expected number of iterations.
        enabled: ``False`` makes every method a no-op (the default in models and tests).
        desc: a short label shown before the bar.
        stream: where the text bar is written (default ``sys.stdout``).

    Inside Jupyter an ``ipywidgets.IntProgress`` bar is displayed; elsewhere (or if
    ipywidgets is missing) a one-line text bar is redrawn with carriage returns.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = ProgressBar(4, enabled=True, desc="fit", stream=out, widget=False)
    >>> for loss in [1.0, 0.5]:
    ...     bar.update(loss)
    >>> bar.close()
    >>> "2/4" in out.getvalue() and "loss 0.5" in out.getvalue()
    True
    """

    def __init__(
        self,
        total: int,
        enabled: bool = True,
        desc: str = "",
        stream: Any = None,
        widget: bool | None = None,
    ) -> None:
        self.total = max(int(total), 1)
        self.enabled = bool(enabled)
        self.desc = desc
        self.stream = stream if stream is not None else sys.stdout
        self.count = 0
        self._widget = None
        self._start = time.perf_counter()
        if not self.enabled:
            return
        if widget is None:
            widget = in_jupyter()
        if widget:
            try:
                import ipywidgets as widgets
                from IPython.display import display

                self._bar = widgets.IntProgress(value=0, min=0, max=self.total, description=desc)
                self._label = widgets.Label(value="")
                self._widget = widgets.HBox([self._bar, self._label])
                display(self._widget)
            except Exception:  # no widgets available: fall back to text
                self._widget = None

    def update(self, loss: float | None = None) -> None:
        """Advance the bar by one iteration and show ``loss``."""
        if not self.enabled:
            return
        self.count += 1
        text = f"{self.count}/{self.total}"
        if loss is not None:
            text += f" loss {loss:.4g}"
        if self._widget is not None:
            self._bar.value = min(self.count, self.total)
            self._label.value = text
            return
        width = 30
        filled = int(width * min(self.count, self.total) / self.total)
        bar = "#" * filled + "." * (width - filled)
        elapsed = time.perf_counter() - self._start
        self.stream.write(f"\r{self.desc} [{bar}] {text} ({elapsed:.1f} s)")
        self.stream.flush()

    def close(self) -> None:
        """Finish the bar (a newline for the text bar, a green bar for the widget)."""
        if self.enabled and self._widget is not None:
            self._bar.bar_style = "success"
        elif self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def adam(
    fun: LossAndGrad,
    x0: np.ndarray,
    maxiter: int = 100,
    learning_rate: float = 0.05,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    on_iteration: Callable[[float], None] | None = None,
) -> OptimizeResult:
    """Adam (Kingma & Ba 2015) with full-batch gradients.

    ``history[k]`` is the loss at the parameters of iteration ``k`` (before its step).
    The returned ``x`` is the point with the lowest recorded loss.

    >>> res = adam(lambda w: (float((w - 3) @ (w - 3)), 2 * (w - 3)), np.zeros(1),
    ...            maxiter=500, learning_rate=0.1)
    >>> round(float(res.x[0]), 2)
    3.0
    """
    x = np.array(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    history: list[float] = []
    best_x, best_f = x.copy(), np.inf
    for t in range(1, int(maxiter) + 1):
        f, g = fun(x)
        f = float(f)
        history.append(f)
        if on_iteration is not None:
            on_iteration(f)
        if f < best_f:
            best_f, best_x = f, x.copy()
        g = np.asarray(g, dtype=float)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        x = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    f_last, _ = fun(x)
    if float(f_last) < best_f:
        best_f, best_x = float(f_last), x.copy()
    return OptimizeResult(best_x, best_f, len(history), history, "maxiter reached")


def minimize(
    fun: LossAndGrad,
    x0: np.ndarray,
    method: str = "L-BFGS-B",
    maxiter: int = 100,
    learning_rate: float = 0.05,
    callback: Callable[[int, float], Any] | None = None,
    progress: bool = False,
    desc: str = "training",
) -> OptimizeResult:
    """Minimise ``fun`` (which returns ``(loss, gradient)``) with the optimiser named ``method``.

    Args:
        fun: maps parameters to ``(loss, gradient)``; gradient-free methods ignore the gradient.
        x0: the starting parameters.
        method: ``"adam"`` or the name of a :func:`scipy.optimize.minimize` method.
        maxiter: the iteration budget.
        learning_rate: Adam's step size (ignored by scipy methods).
        callback: called as ``callback(iteration, loss)`` after each iteration (from 1).
        progress: show a progress bar (text, or a widget inside Jupyter).
        desc: the label of the progress bar.

    Returns:
        An :class:`OptimizeResult` with the parameters, the final loss and the loss history.

    >>> import numpy as np
    >>> res = minimize(lambda w: (float(w @ w), 2 * w), np.ones(3), method="L-BFGS-B")
    >>> bool(res.fun < 1e-10), res.history[-1] == res.fun
    (True, True)
    """
    if not isinstance(method, str):
        raise InputError(f"optimizer must be a name such as 'L-BFGS-B' or 'adam', got {method!r}.")
    if int(maxiter) < 1:
        raise InputError(f"maxiter must be a positive integer, got {maxiter!r}.")
    bar = ProgressBar(maxiter, enabled=progress, desc=desc)
    history: list[float] = []

    def record(loss: float) -> None:
        history.append(float(loss))
        bar.update(loss)
        if callback is not None:
            callback(len(history), float(loss))

    # one BLAS thread while training: the matrices are tiny, and on a busy machine
    # multi-threaded BLAS calls inside scipy's L-BFGS-B cost milliseconds each
    try:
        with single_threaded_blas():
            if method.lower() == "adam":
                res = adam(
                    fun, x0, maxiter=maxiter, learning_rate=learning_rate, on_iteration=record
                )
                res.history = history
                return res
            return _scipy_minimize(fun, x0, method, int(maxiter), record, history)
    finally:
        bar.close()


def _scipy_minimize(
    fun: LossAndGrad,
    x0: np.ndarray,
    method: str,
    maxiter: int,
    record: Callable[[float], None],
    history: list[float],
) -> OptimizeResult:
    from scipy import optimize

    cache: dict[bytes, float] = {}

    def remember(x: np.ndarray, f: float) -> None:
        if len(cache) > 64:
            cache.clear()
        cache[np.asarray(x, dtype=float).tobytes()] = f

    def value_and_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = fun(x)
        remember(x, float(f))
        return float(f), np.asarray(g, dtype=float)

    def value_only(x: np.ndarray) -> float:
        f, _ = fun(x)
        remember(x, float(f))
        return float(f)

    def on_step(xk: np.ndarray) -> None:  # old-style signature: works for every method
        key = np.asarray(xk, dtype=float).tobytes()
        f = cache[key] if key in cache else value_only(xk)
        record(f)

    gradient_free = method.lower() in GRADIENT_FREE
    if method.lower() in ("cobyla", "cobyqa"):  # their budget counts evaluations: >= n + 2
        maxiter = max(maxiter, np.size(x0) + 2)
    try:
        res = optimize.minimize(
            value_only if gradient_free else value_and_grad,
            np.asarray(x0, dtype=float),
            method=method,
            jac=None if gradient_free else True,
            callback=on_step,
            options={"maxiter": maxiter},
        )
    except ValueError as exc:
        if "Unknown solver" in str(exc) or "unknown solver" in str(exc).lower():
            raise InputError(
                f"Unknown optimizer {method!r}. Use 'adam' or a scipy.optimize.minimize method "
                "such as 'L-BFGS-B', 'BFGS' or 'COBYLA'."
            ) from exc
        raise
    fun_value = float(res.fun)
    if not history:  # stopped before the first iteration ended
        record(fun_value)
    return OptimizeResult(
        np.asarray(res.x, dtype=float), fun_value, len(history), history, str(res.message)
    )
