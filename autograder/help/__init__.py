"""Help for learners on their own: hints, concept checks, worked solutions and progress.

* :func:`hint` opens an exercise's hints one by one (``hint("03.bell_state")``);
* :func:`concept` asks and checks a lesson's concept questions (``concept("03.q1", "b")``,
  or its widget in Jupyter);
* :func:`worked` opens the explained solution after a passing check or the last hint;
* :func:`progress_table` is ``qml-course progress``.

The hints and questions are in :mod:`autograder.help.content`; ``qml-course author sync``
writes the cells that call them into the lessons. Instructors turn hints or worked
solutions off per assignment with :func:`write_help_settings` (see :mod:`.state`).
"""

from __future__ import annotations

from .concepts import concept
from .explained import worked
from .hints import hint
from .progress import progress_rows, progress_table
from .report import hints_opened_in
from .state import help_settings, write_help_settings

__all__ = [
    "concept",
    "help_settings",
    "hint",
    "hints_opened_in",
    "progress_rows",
    "progress_table",
    "worked",
    "write_help_settings",
]
