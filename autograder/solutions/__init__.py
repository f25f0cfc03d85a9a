"""Reference solutions, one module per lesson, named exactly as the exercises (docs/EXERCISES.md).

They are written independently of the lesson notebooks' solution cells, so the test suite
gets two correct solutions of every exercise for free. ``reference(exercise_id)`` returns
the reference function for an ID.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def reference(exercise_id: str) -> Callable[..., Any]:
    """The reference solution of ``exercise_id``.

    >>> reference("00.plus_state")().round(4).tolist()
    [(0.7071+0j), (0.7071+0j)]
    """
    lesson, name = exercise_id.split(".", 1)
    module = importlib.import_module(f"{__name__}.lesson{lesson}")
    return getattr(module, name)
