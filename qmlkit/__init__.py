"""qmlkit: the helper package of the QML Course.

Submodules are imported when first used, so ``import qmlkit`` stays fast:

* :mod:`qmlkit.backends`: one setting for where circuits run (ideal, fake device, IBM);
* :mod:`qmlkit.sim`: statevectors, counts, expectation values and unitaries;
* :mod:`qmlkit.bloch`: Bloch-sphere pictures and widgets;
* :mod:`qmlkit.datasets`, :mod:`qmlkit.kernels`, :mod:`qmlkit.models`: data and QML models;
* :mod:`qmlkit.kernel_training`: trainable (alignment) kernels and the geometric difference;
* :mod:`qmlkit.plots`: the lessons' figures (``qmlkit.plots.plot_counts(...)``, ...).

Importing qmlkit changes nothing else: a lesson's first cell calls
:func:`enable_friendly_errors` to show the course's own errors as one short message.
Qubit order is Qiskit's everywhere: qubit 0 is the rightmost bit of a bitstring.

>>> import qmlkit
>>> qmlkit.backends.get().kind in ("ideal", "fake", "ibm")
True
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__  # one version for the whole course

_SUBMODULES = {
    "backends",
    "sim",
    "bloch",
    "datasets",
    "kernels",
    "kernel_training",
    "models",
    "errors",
    "plots",
    "statevec",
    "mitigation",
    "optimizers",
}
__all__ = sorted(_SUBMODULES) + ["__version__", "enable_friendly_errors"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'qmlkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


def enable_friendly_errors() -> bool:
    """Show qmlkit's (and the autograder's) own errors in Jupyter as one short message.

    Errors that qmlkit raises on purpose (:class:`qmlkit.errors.QMLKitError`) already say
    what is wrong and what to do; inside IPython or Jupyter this shows just that message
    instead of a traceback through library code. Every lesson calls it once in its first
    code cell; ``import qmlkit`` itself changes nothing. Outside IPython it does nothing.

    Returns:
        True if the running IPython shell now shows these errors short, else False.

    >>> import qmlkit
    >>> isinstance(qmlkit.enable_friendly_errors(), bool)   # False outside IPython
    True
    """
    from . import _friendly

    return _friendly.install()
