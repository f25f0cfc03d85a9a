"""Grade a learner's notebook outside nbgrader (``qml-course grade``).

The learner's code cells run in a fresh kernel (errors allowed, each cell under a time
limit). Grade cells in the submitted file are ignored: which exercises exist and what
they are worth comes from the autograder's registry for the notebook's lesson. After the
learner's cells, one cell of ours calls every exercise's check on the learner's function
and prints the results as JSON.

This is a self-check, not a grade to trust: the checks run inside the learner's own
kernel, so a notebook cell can replace the checker and score full marks. Every result
says so (``SELF_CHECK_NOTE`` in the text, ``"self_check"`` and ``"trust"`` in the JSON).
Instructors grade with ``qml-course class autograde``, which runs the checks sandboxed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import exercises, get_exercise
from .errors import AutograderError
from .lessons import lesson_number_of, nbgrader_meta, read_notebook

MARK_START = "<<QMLCOURSE-RESULTS>>"
MARK_END = "<<END-QMLCOURSE-RESULTS>>"

#: printed with every ``qml-course grade`` result: what the score can and cannot be trusted for
SELF_CHECK_NOTE = (
    "self-check only: the checks ran inside this notebook's own kernel, so code in the "
    "notebook can change the result (a notebook can fool it). Instructors grade with "
    "`qml-course class autograde`, which runs the checks sandboxed."
)

_COLLECT = """\
import json as _qc_json
from autograder.engine import run_check as _qc_run
_qc_out = {}
for _qc_id, _qc_name in %s:
    _qc_fn = globals().get(_qc_name)
    _qc_out[_qc_id] = None if _qc_fn is None else _qc_run(_qc_id, _qc_fn).to_dict()
print(%r + _qc_json.dumps(_qc_out) + %r)
"""


@dataclass
class NotebookGrade:
    """Per-exercise results of one notebook."""

    path: str
    lesson: str | None
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    cell_errors: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(sum(r["score"] for r in self.results))

    @property
    def max_score(self) -> float:
        return float(sum(r["max_score"] for r in self.results))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "lesson": self.lesson,
            "self_check": True,
            "trust": SELF_CHECK_NOTE,
            "score": self.score,
            "max_score": self.max_score,
            "error": self.error,
            "cell_errors": self.cell_errors,
            "exercises": self.results,
        }

    def text(self) -> str:
        head = f"{self.path}: {self.score:g}/{self.max_score:g} points"
        lines = [head, f"  note: {SELF_CHECK_NOTE}"]
        if self.error:
            lines.append(f"  could not grade: {self.error}")
        for r in self.results:
            mark = "✓" if r["passed"] else "✗"
            lines.append(f"  {mark} {r['exercise_id']}: {r['score']:g}/{r['max_score']:g}")
            if not r["passed"]:
                for ln in r["feedback"].splitlines()[1:]:
                    lines.append("    " + ln)
        for err in self.cell_errors[:5]:
            lines.append(f"  note: a cell raised {err}")
        return "\n".join(lines)


def _missing_result(exercise_id: str, reason: str) -> dict[str, Any]:
    ex = get_exercise(exercise_id)
    return {
        "exercise_id": exercise_id,
        "passed": False,
        "score": 0.0,
        "max_score": ex.points,
        "error": None,
        "mistakes": [],
        "cases": [],
        "feedback": f"{exercise_id}: 0/{ex.points:g} points\n  {reason}",
    }


def grade_notebook(path: str | Path, cell_timeout: float = 120.0) -> NotebookGrade:
    """Execute a learner's notebook and check every exercise of its lesson."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    try:
        nb = read_notebook(path)
    except AutograderError as exc:
        return NotebookGrade(str(path), None, error=str(exc))
    lesson = lesson_number_of(path, nb)
    ids = exercises(lesson) if lesson else []
    if not ids:
        return NotebookGrade(
            str(path),
            lesson,
            error="cannot tell which lesson this notebook belongs to (name it like "
            "'03_entanglement.ipynb' or keep the lesson's metadata)",
        )
    cells = [c for c in nb.cells if c.cell_type == "code" and not nbgrader_meta(c).get("grade")]
    run_nb = nbformat.v4.new_notebook()
    run_nb.metadata = nb.metadata
    run_nb.cells = [nbformat.v4.new_code_cell(c.source) for c in cells]
    pairs = [(i, get_exercise(i).function_name) for i in ids]
    run_nb.cells.append(nbformat.v4.new_code_cell(_COLLECT % (pairs, MARK_START, MARK_END)))
    client = NotebookClient(
        run_nb,
        timeout=int(cell_timeout),
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    grade = NotebookGrade(str(path), lesson)
    try:
        client.execute()
    except Exception as exc:  # kernel died, etc.
        grade.error = f"the notebook could not be run to the end ({type(exc).__name__}: {exc})"
    for cell in run_nb.cells[:-1]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                grade.cell_errors.append(f"{out.get('ename')}: {out.get('evalue')}"[:200])
    payload = None
    for out in run_nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if MARK_START in text:
            payload = json.loads(text.split(MARK_START, 1)[1].split(MARK_END, 1)[0])
    for ex_id in ids:
        data = (payload or {}).get(ex_id)
        if data is None:
            name = get_exercise(ex_id).function_name
            reason = (
                f"`{name}` is not defined after running the notebook; check that its cell "
                "runs without errors."
                if payload is not None
                else "the notebook did not run far enough to check this exercise."
            )
            data = _missing_result(ex_id, reason)
        grade.results.append(data)
    return grade
