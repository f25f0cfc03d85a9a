"""``qml-course author sync``: write the registry into the lessons and the docs.

For every registered exercise of a lesson, found in the notebook by its solution cell
(nbgrader ``grade_id`` ``ex_NN_name_solution``, or for a new exercise a code cell that
defines ``name`` between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), sync writes:

* the heading line of the markdown cell right before it, ``### Exercise NN.k — <title>``
  (``k`` counts the exercises in notebook order; the line is replaced where it is, or put
  first in the cell when there is none);
* the solution cell's nbgrader metadata;
* the check cell and the grade cell right after it, with the points of ``@exercise``;
* between them, the exercise's hint cell ``hint("NN.name")`` when it has hints
  (:mod:`autograder.help.content`);
* a "Check your understanding" section with one ``concept("NN.qK")`` cell per concept
  question of the lesson, before its "Summary" (or "What's next") section, else at the end;

then normalises the notebook (:mod:`.normalize`, which also gives every cell its id), and
rewrites ``docs/EXERCISES.md`` and the signatures of ``docs/CURRICULUM.md``. Prose and
solution code are never touched.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from ..lessons import grade_id_for, nbgrader_meta, notebook_bytes
from . import cells as gen
from .docs import curriculum_markdown, exercises_document
from .normalize import normalized

_EXERCISE_LINE = re.compile(r"^#{1,6}\s+Exercise\b.*$", re.M)


@dataclass(frozen=True)
class SyncChange:
    """A file that sync rewrites (or, in check mode, would rewrite)."""

    path: Path
    old: bytes
    new: bytes

    def diff(self, max_lines: int = 80) -> str:
        """A unified diff of the change, cut after ``max_lines`` lines."""
        old = self.old.decode("utf-8", "replace").splitlines(keepends=True)
        new = self.new.decode("utf-8", "replace").splitlines(keepends=True)
        lines = list(difflib.unified_diff(old, new, str(self.path), str(self.path) + " (synced)"))
        if len(lines) > max_lines:
            lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more diff lines)\n"]
        return "".join(lines)


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for ``re.sub`` that inserts ``text`` as it is (no escapes)."""
    return lambda _match: text


def _generated_for(cell: Any, registered: list[str]) -> str | None:
    """The exercise whose check or grade cell this is (sync writes those), else None."""
    if cell.cell_type != "code":
        return None
    meta = nbgrader_meta(cell)
    gid = meta.get("grade_id")
    for ex_id in registered:
        base = grade_id_for(ex_id)
        if gid == base + "_check" or (gid == base and meta.get("grade")):
            return ex_id
        if not meta and cell.source.strip() in (gen.check_source(ex_id), gen.grade_source(ex_id)):
            return ex_id
    return None


def _is_help_cell(cell: Any) -> bool:
    """A cell sync writes for the learner help (hint and concept-check cells)."""
    tags = cell.get("metadata", {}).get("tags") or []
    if gen.HELP_TAG in tags:
        return True
    source = cell.source.strip()
    if cell.cell_type == "markdown":
        return source.startswith(gen.CONCEPTS_HEADING + "\n")
    return bool(re.fullmatch(r'from autograder import (hint|concept)\s+\1\("[^"]+"\)', source))


_CLOSING_SECTION = re.compile(r"^##\s+(\d+\.\s*)?(Summary|What's next)\b", re.M)


def _with_concepts(cells: list[Any], lesson: str) -> list[Any]:
    """``cells`` with the lesson's concept-check section in its place."""
    from ..help.content import concepts_of

    section = gen.concept_cells(concepts_of(lesson))
    if not section:
        return cells
    at = next(
        (
            i
            for i, c in enumerate(cells)
            if c.cell_type == "markdown" and _CLOSING_SECTION.match(c.source.lstrip())
        ),
        len(cells),
    )
    return cells[:at] + section + cells[at:]


def _solution_for(cell: Any, registered: list[str], found: dict[str, int]) -> str | None:
    if cell.cell_type != "code":
        return None
    gid = nbgrader_meta(cell).get("grade_id")
    for ex_id in registered:
        if gid == grade_id_for(ex_id) + "_solution":
            return ex_id
    if "### BEGIN SOLUTION" in cell.source:
        for ex_id in registered:
            name = ex_id.split(".", 1)[1]
            if ex_id not in found and re.search(rf"^def {name}\(", cell.source, re.M):
                return ex_id
    return None


def sync_notebook(nb: Any, lesson: str) -> Any:
    """A copy of lesson ``lesson``'s notebook with every generated part rewritten from the
    registry, normalised; :class:`AutograderError` says what an author must add first."""
    from ..engine import exercises, get_exercise

    registered = exercises(lesson)
    nb = copy.deepcopy(nb)
    from ..help.content import hints_for

    kept = [c for c in nb.cells if _generated_for(c, registered) is None and not _is_help_cell(c)]
    found: dict[str, int] = {}
    for i, cell in enumerate(kept):
        ex_id = _solution_for(cell, registered, found)
        if ex_id is None:
            continue
        if ex_id in found:
            raise AutograderError(
                f"lesson {lesson}: {ex_id} has two solution cells (cells {found[ex_id]} and "
                f"{i} after removing the generated ones); keep one."
            )
        found[ex_id] = i
    missing = [ex_id for ex_id in registered if ex_id not in found]
    if missing:
        names = ", ".join(f"{e} ({e.split('.', 1)[1]}())" for e in missing)
        raise AutograderError(
            f"lesson {lesson}: no solution cell for {names}. Add a markdown cell with the "
            "task and, right after it, a code cell that defines the function with its body "
            "between ### BEGIN SOLUTION and ### END SOLUTION; then run "
            f"`qml-course author sync {lesson}` again."
        )
    for cell in kept:
        gid = nbgrader_meta(cell).get("grade_id", "")
        if cell.cell_type == "code" and re.fullmatch(rf"ex_{lesson}_[a-z0-9_]+_solution", gid):
            if gid not in {grade_id_for(e) + "_solution" for e in registered}:
                ex_id = f"{lesson}.{gid[6:-9]}"
                raise AutograderError(
                    f"lesson {lesson}: the notebook has a solution cell for {ex_id}, which is "
                    "not registered. Register it with @exercise in "
                    f"autograder/checks/lesson{lesson}.py, or delete its cells."
                )
    order = sorted(found, key=lambda e: found[e])
    out: list[Any] = []
    for i, cell in enumerate(kept):
        out.append(cell)
        ex_ids = [e for e in order if found[e] == i]
        if not ex_ids:
            continue
        ex = get_exercise(ex_ids[0])
        if not ex.title:
            raise AutograderError(
                f"{ex.id} has no title: give @exercise({ex.id!r}, ...) a title= "
                "(it becomes the heading in the lesson and the docs)."
            )
        task = out[-2] if len(out) >= 2 else None
        if task is None or task.cell_type != "markdown":
            raise AutograderError(
                f"lesson {lesson}: {ex.id}'s solution cell needs its task right before it, in "
                "a markdown cell (the statement, the signature and an example call)."
            )
        heading = gen.heading_line(
            ex.id, order.index(ex.id) + 1, ex.title, ex.difficulty, ex.minutes
        )
        if _EXERCISE_LINE.search(task.source):
            task.source = _EXERCISE_LINE.sub(_literal(heading), task.source, count=1)
        else:
            task.source = heading + "\n\n" + task.source.lstrip("\n")
        cell.metadata["nbgrader"] = gen.solution_metadata(ex.id)
        check, grade = gen.exercise_cells(ex.id, "", ex.points)[1:]
        out += [check, gen.hint_cell(ex.id), grade] if hints_for(ex.id) else [check, grade]
    nb.cells = _with_concepts(out, lesson)
    return normalized(nb)


def _docs_changes(root: Path) -> list[SyncChange]:
    docs = root / "docs"
    exercises_md = docs / "EXERCISES.md"
    curriculum = docs / "CURRICULUM.md"
    if not curriculum.exists():
        raise AutograderError(
            f"{curriculum} is missing: it is the exercise contract of the course. Restore it "
            "from git (`git log -- docs/CURRICULUM.md`)."
        )
    changes = []
    for path, make in (
        (exercises_md, lambda _old: exercises_document()),
        (curriculum, curriculum_markdown),
    ):
        old = path.read_bytes() if path.exists() else b""
        new = make(old.decode()).encode()
        if new != old:
            changes.append(SyncChange(path, old, new))
    return changes


def sync_lessons(
    lessons: list[str] | None = None, *, check: bool = False, root: Path | None = None
) -> list[SyncChange]:
    """Regenerate the lessons (all, or the numbers in ``lessons``) and the docs.

    Returns what changed; with ``check=True`` nothing is written and the result is what
    would change (empty when notebooks, registry and docs agree).
    """
    from ..lessons import find_lesson, list_lessons, read_notebook, repo_root

    root = root or repo_root()
    chosen = [find_lesson(n) for n in lessons] if lessons else list_lessons(root / "lessons")
    changes = []
    for lesson in chosen:
        old = lesson.notebook.read_bytes()
        new = notebook_bytes(sync_notebook(read_notebook(lesson.notebook), lesson.number))
        if new != old:
            changes.append(SyncChange(lesson.notebook, old, new))
    changes += _docs_changes(root)
    if not check:
        for change in changes:
            change.path.write_bytes(change.new)
    return changes
