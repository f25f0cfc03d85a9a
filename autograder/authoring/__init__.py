"""Authoring the lessons: the registry writes the generated parts of every notebook.

An exercise's ID, title, points and time limit live in ``@exercise`` (``autograder/checks``);
its signature is the reference solution's (``autograder/solutions``). ``qml-course author
sync`` writes everything derived from them into the lessons and the docs: each exercise's
heading line, check cell, grade cell, nbgrader metadata and cell ids, ``docs/EXERCISES.md``
and the signatures in ``docs/CURRICULUM.md``. Prose and solution cells stay hand-edited.

* :func:`normalize_notebook` rewrites one notebook in the committed layout (nbformat 4.5,
  indent 1, no outputs, only the allowed metadata, deterministic cell ids); call it after
  editing a notebook with a script.
* :func:`sync_lessons` regenerates (or, with ``check=True``, only compares) the lessons and
  the docs; :func:`validate_lesson` is the format check the test suite runs.
* :func:`exercise_locations` lists the four places that make an exercise.
"""

from __future__ import annotations

from .cells import code, exercise_cells, md, new_lesson
from .docs import curriculum_markdown, exercise_locations, exercises_markdown, signature_text
from .normalize import assign_cell_ids, normalize_notebook, normalized_bytes
from .sync import SyncChange, sync_lessons, sync_notebook
from .validate import validate_lesson

__all__ = [
    "SyncChange",
    "assign_cell_ids",
    "code",
    "curriculum_markdown",
    "exercise_cells",
    "exercise_locations",
    "exercises_markdown",
    "md",
    "new_lesson",
    "normalize_notebook",
    "normalized_bytes",
    "signature_text",
    "sync_lessons",
    "sync_notebook",
    "validate_lesson",
]
