"""nbgrader's ``autograded/`` copy of a graded submission, built from the learner's own
cells and the trusted assignment (:func:`build_autograded`); :mod:`.workflow` writes it.
"""

from __future__ import annotations

import copy
import html
import re
import uuid
import warnings
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from ..records import ExerciseOutcome, SubmissionResult
from .course import Course

_GRADE_CALL = re.compile(r"\bgrade\s*\(")
_GRADE_TARGET = re.compile(r"\bgrade\s*\(\s*(['\"])(?P<ex>.+?)\1\s*,\s*(?P<fn>[A-Za-z_]\w*)")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def _defines(source: str, name: str) -> bool:
    return bool(
        re.search(rf"(?m)^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", source)
        or re.search(rf"(?m)^{re.escape(name)}[ \t]*=(?!=)", source)
    )


def _nbgrader(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _source(cell: Any) -> str:
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        return "".join(str(s) for s in src)
    return src if isinstance(src, str) else ""


def _read_notebook(path: str | Path) -> Any | None:
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(str(path), as_version=4)
    except Exception:
        return None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    return nb if isinstance(cells, list) else None


def _skip_reasons(result: SubmissionResult) -> dict[int, str]:
    """1-based notebook cell position -> why the grader did not run it."""
    return {
        pos: next(
            (n for n in result.notes if n.startswith(f"notebook cell {pos} ")),
            "the grader skipped it",
        )
        for pos in result.skipped_cells
    }


def _grade_cell_outputs(row: ExerciseOutcome | None) -> list[Any]:
    import nbformat

    if row is None:
        return []
    if not row.status.scored:
        return [
            nbformat.v4.new_output(
                "stream",
                name="stdout",
                text="[not scored: the check failed because of a problem in the grader, not "
                "in the learner's work; the grade in the gradebook was left as it was]\n"
                + row.feedback
                + "\n",
            )
        ]
    return [
        nbformat.v4.new_output("stream", name="stdout", text=row.feedback + "\n"),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": repr(row.score)}, execution_count=None
        ),
    ]


def _learner_cell(raw: Any) -> Any:
    """A clean copy of a learner cell: no nbgrader metadata, no outputs."""
    import nbformat

    meta = raw.get("metadata") if isinstance(raw, dict) else None
    meta = {k: v for k, v in meta.items() if k != "nbgrader"} if isinstance(meta, dict) else {}
    ctype = raw.get("cell_type") if isinstance(raw, dict) else None
    src = _source(raw)
    if ctype == "code":
        cell = nbformat.v4.new_code_cell(src, metadata=meta)
    elif ctype == "markdown":
        cell = nbformat.v4.new_markdown_cell(src, metadata=meta)
        if isinstance(raw.get("attachments"), dict):
            cell["attachments"] = raw["attachments"]
    else:
        cell = nbformat.v4.new_raw_cell(src, metadata=meta)
    cid = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(cid, str):
        cell["id"] = cid
    return cell


def _from_learner(trusted: Any, learner: Any, result: SubmissionResult) -> Any:
    """The autograded notebook from the learner's own cells (see :func:`write_autograded`)."""
    import nbformat

    from .sandbox import is_check_cell

    rows = {e.grade_id: e for e in result.exercises}
    skipped = _skip_reasons(result)
    tcells = [c for c in trusted.cells if isinstance(c, dict)]
    solutions = [c for c in tcells if _nbgrader(c).get("solution") and _nbgrader(c).get("grade_id")]
    tests = [
        c
        for c in tcells
        if c.get("cell_type") == "code"
        and _nbgrader(c).get("grade")
        and not _nbgrader(c).get("solution")
    ]

    entries = []
    for pos, raw in enumerate(learner.cells, start=1):
        if not isinstance(raw, dict):
            continue
        nbg = _nbgrader(raw)
        src = _source(raw)
        is_code = raw.get("cell_type") == "code"
        claims_grade = bool(nbg.get("grade")) or bool(_GRADE_CALL.search(src))
        only_calls = is_code and (not src.strip() or is_check_cell(src))
        entries.append(
            {
                "pos": pos,
                "cell": _learner_cell(raw),
                "code": is_code,
                "source": src,
                "grade_id": nbg.get("grade_id") if isinstance(nbg.get("grade_id"), str) else None,
                # a copy of a grade cell (possibly edited or forged) that did not run: the
                # trusted grade cell replaces it
                "drop": is_code and claims_grade and only_calls,
                "forged": is_code and claims_grade and not only_calls,
                "check_only": is_code and only_calls and bool(src.strip()),
            }
        )
    live = [i for i, e in enumerate(entries) if not e["drop"]]

    assigned: dict[int, dict[str, Any]] = {}
    for t in solutions:
        gid = _nbgrader(t)["grade_id"]
        cands = [
            i
            for i in live
            if i not in assigned
            and entries[i]["grade_id"] == gid
            and entries[i]["cell"].cell_type == t.get("cell_type")
        ]
        name = re.search(r"def\s+(\w+)\s*\(", _source(t)) if t.get("cell_type") == "code" else None
        if not cands and name:
            cands = [
                i
                for i in live
                if i not in assigned
                and entries[i]["code"]
                and _defines(entries[i]["source"], name.group(1))
            ]
        if cands:
            assigned[cands[-1]] = copy.deepcopy(_nbgrader(t))

    after: dict[int, list[Any]] = {}
    at_end: list[Any] = []
    for t in tests:
        target = _GRADE_TARGET.search(_source(t))
        defs = (
            [i for i in live if entries[i]["code"] and _defines(entries[i]["source"], target["fn"])]
            if target
            else []
        )
        (after.setdefault(defs[-1], []) if defs else at_end).append(t)

    def trusted_grade_cell(t: Any) -> Any:
        cell = nbformat.v4.new_code_cell(
            _source(t), metadata=copy.deepcopy(dict(t.get("metadata") or {}))
        )
        cell.outputs = _grade_cell_outputs(rows.get(str(_nbgrader(t).get("grade_id"))))
        return cell

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(dict(trusted.get("metadata") or {})))
    for i in live:
        e = entries[i]
        cell = e["cell"]
        if i in assigned:
            cell.metadata["nbgrader"] = assigned[i]
        if e["code"]:
            note = None
            if e["pos"] in skipped:
                note = f"[not run by the grader: {skipped[e['pos']]}]"
            elif e["check_only"]:
                note = (
                    "[not run by the grader: a cell that only calls check() or grade() is "
                    "skipped; the grade cells run the checks]"
                )
            elif e["forged"]:
                note = (
                    "[shown as ordinary code: this cell was marked as a grade cell or calls "
                    "grade(); it ran like any other cell, and only the grade cells score]"
                )
            if note:
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=note + "\n")]
        nb.cells.append(cell)
        nb.cells += [trusted_grade_cell(t) for t in after.get(i, [])]
    nb.cells += [trusted_grade_cell(t) for t in at_end]

    used: set[str] = set()
    for cell in nb.cells:
        cid = cell.get("id")
        if not isinstance(cid, str) or not _CELL_ID.match(cid) or cid in used:
            cid = uuid.uuid4().hex[:8]
            while cid in used:
                cid = uuid.uuid4().hex[:8]
            cell["id"] = cid
        used.add(cid)
    return nb


def _from_template(trusted: Any, result: SubmissionResult) -> Any:
    """The learner's notebook could not be read: the release version with our feedback."""
    import nbformat

    nb = copy.deepcopy(trusted)
    rows = {e.grade_id: e for e in result.exercises}
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if meta.get("grade") and cell.get("cell_type") == "code":
            cell.outputs = _grade_cell_outputs(rows.get(str(meta.get("grade_id"))))
    note = nbformat.v4.new_markdown_cell(
        "**Autograder:** the submitted notebook could not be read as a notebook "
        f"({html.escape(result.reason or 'see the notes')}); this copy shows "
        "the released assignment with the grader's feedback, not the learner's cells."
    )
    nb.cells.insert(0, note)
    return nb


def build_autograded(course: Course, assignment: str, result: SubmissionResult) -> Any:
    """The notebook of nbgrader's ``autograded/STUDENT/ASSIGNMENT/`` copy, so that the
    formgrader lists the submission as autograded and shows it for manual review.

    It is the learner's notebook as submitted (every cell, in order; outputs cleared,
    since nothing runs here), sanitised: the learner's nbgrader metadata is removed; the
    cell holding each solution (matched by grade id, else by the function the trusted
    solution cell defines) gets the trusted solution cell's metadata; each trusted grade
    cell is put right after the learner's definition of the function it checks, with its
    trusted source and metadata, showing our feedback and score as its output. Learner
    copies of grade cells (edited, duplicated or forged) are not kept as grade cells.
    Cells the grader did not run say so. If the learner's notebook cannot be read, the
    release version is used instead.
    """
    released = course.root / "release" / assignment / f"{assignment}.ipynb"
    template = released if released.exists() else course.source_notebook(assignment)
    trusted = _read_notebook(template)
    if trusted is None:
        raise AutograderError(f"Cannot read the assignment's notebook {template}.")
    learner = _read_notebook(result.notebook) if result.notebook else None
    return (
        _from_learner(trusted, learner, result)
        if learner is not None
        else _from_template(trusted, result)
    )
