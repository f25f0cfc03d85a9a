"""Show the course's own errors in Jupyter as a short message, not a library traceback.

Errors that qmlkit and the autograder raise on purpose already say what went wrong and
what to do; the frames inside our code only hide that message from a learner.

Nothing happens at import: a lesson's first cell calls :func:`qmlkit.enable_friendly_errors`
(which calls :func:`install`). Packages above qmlkit add their own error classes with
:func:`register` (``autograder`` registers ``AutograderError`` when it is imported), so
qmlkit never imports them.
"""

from __future__ import annotations

import sys
from typing import Any

_installed_in: Any = None  # the IPython shell the handler is installed in, if any
_extra: list[type[BaseException]] = []


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
    name = etype.__name__
    print(f"{name}: {value}", file=sys.stderr)


def _classes() -> tuple[type[BaseException], ...]:
    from .errors import QMLKitError

    return (QMLKitError, *_extra)


def _shell() -> Any:
    ipython = sys.modules.get("IPython")  # never import IPython just to find no shell
    get_ipython = getattr(ipython, "get_ipython", None) if ipython is not None else None
    shell = get_ipython() if get_ipython else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return None
    return shell


def register(*classes: type[BaseException]) -> None:
    """Show these exception classes (and their subclasses) short too, once installed.

    If the handler is already installed, it is updated at once; otherwise the classes wait
    for :func:`install`. Registering a class twice has no further effect.
    """
    for cls in classes:
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise TypeError(f"register() takes exception classes, got {cls!r}")
        if cls not in _extra:
            _extra.append(cls)
    if _installed_in is not None:
        _installed_in.set_custom_exc(_classes(), _handler)


def install(extra_classes: tuple[type[BaseException], ...] = ()) -> bool:
    """Register the short display for QMLKitError (and ``extra_classes``) in IPython.

    Args:
        extra_classes: further exception classes to show short, as with :func:`register`.

    Returns:
        True when the running IPython shell now shows these errors short; False outside
        IPython (a script, a test), where nothing changes.
    """
    global _installed_in
    if extra_classes:
        register(*extra_classes)
    shell = _shell()
    if shell is None:
        return False
    shell.set_custom_exc(_classes(), _handler)
    _installed_in = shell
    return True
