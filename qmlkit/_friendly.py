"""Show the course's own errors in Jupyter as a short message, not a library traceback.

Errors that qmlkit and the autograder raise on purpose already say what went wrong and
what to do; the frames inside our code only hide that message from a learner.
"""

from __future__ import annotations

import sys
from typing import Any

_installed = False


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
    name = etype.__name__
    print(f"{name}: {value}", file=sys.stderr)


def install() -> bool:
    """Register the short display for QMLKitError in the running IPython shell, if any."""
    global _installed
    if _installed:
        return True
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    from .errors import QMLKitError

    classes: tuple[type, ...] = (QMLKitError,)
    try:
        from autograder.errors import AutograderError

        classes = classes + (AutograderError,)
    except Exception:
        pass
    shell.set_custom_exc(classes, _handler)
    _installed = True
    return True
