"""``qml-course progress``: which exercises pass, in lesson order, with a total.

It runs no check: it reads the last result of every ``check()`` that ran in a notebook of
the learner's workspace (``.qmlcourse/progress.json``, :mod:`autograder.help.state`), so
the table appears at once, even for the slow training exercises.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .state import read_state


@dataclass(frozen=True)
class ProgressRow:
    exercise_id: str
    title: str
    difficulty: str
    minutes: int
    points: float
    status: str  # "passed", "not yet" or "not checked"
    score: float
    hints: int


def _notebook_order(workspace: Path) -> dict[str, int]:
    """Exercise ID -> its position in the workspace's lessons (grade cells in order)."""
    import json
    import re

    order: dict[str, int] = {}
    for path in sorted(workspace.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb")):
        if path.stem != path.parent.name:
            continue  # e.g. NN_topic.updated-<hash>.ipynb
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells if isinstance(cells, list) else []:
            source = cell.get("source", "") if isinstance(cell, dict) else ""
            source = "".join(source) if isinstance(source, list) else str(source)
            for ex_id in re.findall(r"""^grade\(["'](\d\d\.[a-z0-9_]+)["']""", source, re.M):
                order.setdefault(ex_id, len(order))
    return order


def progress_rows(workspace: str | Path) -> list[ProgressRow]:
    """One row per registered exercise, in lesson order (and within a lesson in the order
    of the workspace's notebook, where it has one)."""
    from ..engine import exercises, get_exercise

    saved = read_state(workspace)
    position = _notebook_order(Path(workspace))
    ids = sorted(exercises(), key=lambda e: (e[:2], position.get(e, len(position)), e))
    rows = []
    for ex_id in ids:
        ex = get_exercise(ex_id)
        last = saved["checks"].get(ex_id)
        if isinstance(last, dict):
            status = "passed" if last.get("passed") else "not yet"
            score = float(last.get("score", 0.0))
            # points changed since that check: scale, never above the maximum
            if last.get("max_score") and float(last["max_score"]) != ex.points:
                score = ex.points * score / float(last["max_score"])
        else:
            status, score = "not checked", 0.0
        hints = saved["hints"].get(ex_id, 0)
        rows.append(
            ProgressRow(
                ex_id,
                ex.title,
                ex.difficulty,
                ex.minutes,
                ex.points,
                status,
                min(score, ex.points),
                hints if isinstance(hints, int) else 0,
            )
        )
    return rows


def progress_table(workspace: str | Path) -> str:
    """The text of ``qml-course progress``.

    >>> import tempfile
    >>> text = progress_table(tempfile.mkdtemp())
    >>> "00.plus_state" in text and text.splitlines()[-1].startswith("Total: 0 of")
    True
    """
    rows = progress_rows(workspace)
    out = [f"{'exercise':32s} {'status':12s} {'score':>9s}  {'level':6s} {'time':>6s} hints  title"]
    lesson = None
    for r in rows:
        if r.exercise_id[:2] != lesson:
            lesson = r.exercise_id[:2]
            out.append(f"-- lesson {lesson}")
        score = f"{r.score:g}/{r.points:g}"
        minutes = f"{r.minutes} min" if r.minutes else ""
        out.append(
            f"{r.exercise_id:32s} {r.status:12s} {score:>9s}  {r.difficulty:6s} {minutes:>6s} "
            f"{r.hints:5d}  {r.title}"
        )
    passed = [r for r in rows if r.status == "passed"]
    left = sum(r.minutes for r in rows if r.status != "passed")
    out.append(
        f"Total: {len(passed)} of {len(rows)} exercises pass, "
        f"{sum(r.score for r in rows):g}/{sum(r.points for r in rows):g} points "
        f"(about {left} minutes of exercises left)."
    )
    return "\n".join(out)
