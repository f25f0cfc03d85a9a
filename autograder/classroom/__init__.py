"""Running the course for a class: nbgrader course folders, a sandboxed grader, reports.

nbgrader finds its helper programs (``alembic``) on PATH; when ``qml-course`` runs from a
virtual environment that is not activated, the environment's bin folder is added to PATH.
"""

from __future__ import annotations

import os
import sys

_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
