"""Count the hints a learner opened, from the saved outputs of a notebook's hint cells.

Used by the classroom report (``qml-course class report``) on the submitted notebooks.
The record is what the learner's notebook says: a learner can edit it, so the counts are
for teaching (which exercises need better hints), never for grading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._render import MARKER_KEY

#: notebooks larger than this are not read for hint counts
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


def hints_opened_in(nb: Any) -> dict[str, int]:
    """Exercise ID -> hints opened, from a notebook (a dict as read from JSON).

    >>> nb = {"cells": [{"cell_type": "code", "outputs": [{"output_type": "display_data",
    ...     "metadata": {MARKER_KEY: {"exercise": "03.bell_state", "hints_opened": 2}}}]}]}
    >>> hints_opened_in(nb)
    {'03.bell_state': 2}
    """
    counts: dict[str, int] = {}
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []) or []:
            meta = out.get("metadata") if isinstance(out, dict) else None
            mark = meta.get(MARKER_KEY) if isinstance(meta, dict) else None
            if not isinstance(mark, dict) or not isinstance(mark.get("exercise"), str):
                continue
            n = mark.get("hints_opened")
            if isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 100:
                counts[mark["exercise"]] = max(counts.get(mark["exercise"], 0), n)
    return counts


def hints_opened_in_folder(folder: str | Path) -> dict[str, int]:
    """Hint counts from every notebook directly in ``folder`` (a submission)."""
    counts: dict[str, int] = {}
    folder = Path(folder)
    if not folder.is_dir():
        return counts
    for path in sorted(folder.glob("*.ipynb")):
        try:
            if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
                continue
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        for ex_id, n in hints_opened_in(nb).items():
            counts[ex_id] = max(counts.get(ex_id, 0), n)
    return counts


def class_hint_counts(
    course_root: str | Path, assignment: str, students: list[str]
) -> dict[str, list[int]]:
    """Exercise ID -> the hints each of ``students`` opened (0 for those with no record),
    from their submissions in ``course_root/submitted/<student>/<assignment>/``."""
    per_student = [
        hints_opened_in_folder(Path(course_root) / "submitted" / s / assignment) for s in students
    ]
    ids = sorted({ex_id for counts in per_student for ex_id in counts})
    return {ex_id: [counts.get(ex_id, 0) for counts in per_student] for ex_id in ids}
