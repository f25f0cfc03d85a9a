"""Running the course for a class: nbgrader course folders, a sandboxed grader, reports.

nbgrader runs its helper program ``alembic`` from PATH (the ``nbgrader`` command line, and
the ``Gradebook`` when it creates a database). When ``qml-course`` runs from a virtual
environment that is not activated, that program is only in the environment's bin folder:
:func:`tools_env` and :func:`tools_on_path` put it on PATH for the calls that need it.
Importing this package changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


def tools_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``env`` (default: ``os.environ``) with this Python's bin folder on PATH.

    >>> os.path.dirname(sys.executable) in tools_env({"PATH": "/bin"})["PATH"].split(os.pathsep)
    True
    """
    env = dict(os.environ if env is None else env)
    folder = os.path.dirname(sys.executable)
    path = env.get("PATH", "")
    if folder not in path.split(os.pathsep):
        env["PATH"] = folder + os.pathsep + path if path else folder
    return env


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """This Python's bin folder on ``os.environ["PATH"]`` while the block runs (for
    nbgrader code that runs ``alembic`` in this process)."""
    before = os.environ.get("PATH")
    os.environ["PATH"] = tools_env()["PATH"]
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before
