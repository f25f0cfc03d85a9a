"""Where qmlkit runs: Jupyter detection and BLAS thread limits, in one place.

Private: the lessons never call these; :mod:`qmlkit.optimizers`, :mod:`qmlkit.plots`,
:mod:`qmlkit.statevec` and :mod:`qmlkit.kernels` do.

* :func:`in_jupyter`: True inside a Jupyter kernel, where widgets and display handles work;
* :func:`limit_blas_threads` and :func:`single_threaded_blas`: run BLAS on a given number of
  threads inside a ``with`` block and restore the previous setting afterwards.

Small matrix products (the simulators' 16 x 16 blocks, the optimisers' tiny vectors) lose
more to starting and synchronising BLAS threads than they gain, badly so on a shared machine
whose other cores are busy; the limits are scoped, so the learner's own code keeps all threads.

>>> in_jupyter()          # a doctest runs outside Jupyter
False
>>> with single_threaded_blas():
...     pass
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

__all__ = ["in_jupyter", "limit_blas_threads", "single_threaded_blas"]


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (a ``ZMQInteractiveShell``), False in a terminal or script.

    >>> in_jupyter()
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter, a course dependency
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


@lru_cache(maxsize=1)
def _blas_controller() -> Any:
    """A threadpoolctl controller of the BLAS libraries loaded, scipy's included (or None).

    scipy's BLAS is loaded first so that the controller sees it too (scipy and numpy may
    bring their own OpenBLAS builds). Creating a controller scans the loaded libraries, so
    one is made per process and reused.
    """
    try:
        import scipy.linalg.blas  # noqa: F401  (load scipy's BLAS so that the controller sees it)
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    except Exception:  # pragma: no cover - threadpoolctl missing or unusable: no limits
        return None


@contextlib.contextmanager
def limit_blas_threads(threads: int | None) -> Iterator[None]:
    """Run BLAS on at most ``threads`` threads inside the block; ``None`` leaves it alone.

    The previous limits are restored on exit, also when the block raises. Without a usable
    threadpoolctl the block simply runs with the default threads.

    >>> with limit_blas_threads(None):
    ...     pass
    """
    controller = _blas_controller() if threads is not None else None
    if controller is None:
        yield
        return
    try:
        limiter = controller.limit(limits=threads, user_api="blas")
    except Exception:  # pragma: no cover - an unusable BLAS: keep the default threads
        yield
        return
    try:
        yield
    finally:
        limiter.restore_original_limits()


def single_threaded_blas() -> contextlib.AbstractContextManager[None]:
    """``limit_blas_threads(1)``: one BLAS thread inside the block, the old limit afterwards.

    >>> with single_threaded_blas():
    ...     pass
    """
    return limit_blas_threads(1)
