"""Grade one submitted notebook in a sandbox, or many in parallel.

What is graded, and for how many points, comes from the trusted assignment (the course's
``source/`` notebook); the submitted file only supplies code. Every code cell of the
submission runs in the sandbox (grade and check cells are skipped, whatever their tags),
then each exercise's checker runs here, in the trusted process, calling the learner's
functions through the sandbox.

Outcomes per submission: ``graded`` (with per-exercise scores and feedback),
``ungradable`` (no notebook, unreadable file: scored 0 with the reason), or
``infrastructure`` (our sandbox failed: reported, never scored).
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..engine import get_exercise
from ..lessons import exercise_ids_in, nbgrader_meta, repo_root
from . import isolation as iso
from .remote import InfrastructureError, RemoteTester, SandboxDied, SandboxSession
from .sandbox import is_check_cell


def trusted_exercises(source_notebook: Path) -> list[dict[str, Any]]:
    """(exercise id, grade id, function name, points) from the trusted source notebook."""
    import nbformat

    nb = nbformat.read(str(source_notebook), as_version=4)
    points = {
        nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
        for c in nb.cells
        if nbgrader_meta(c).get("grade")
    }
    out = []
    for ex_id in exercise_ids_in(nb):
        ex = get_exercise(ex_id)
        out.append(
            {
                "exercise_id": ex_id,
                "grade_id": ex.grade_id,
                "function": ex.function_name,
                "points": points.get(ex.grade_id, ex.points),
            }
        )
    return out


def salvage_code_cells(text: str) -> list[str] | None:
    """Code from a notebook that is not valid JSON (e.g. truncated by a crash).

    Every ``"cell_type": "code"`` cell whose ``"source"`` still parses is kept.

    >>> good = '{"cells": [{"cell_type": "code", "source": ["x = 1\\\\n", "y = 2"]}, {"cell_type": "co'
    >>> salvage_code_cells(good)
    ['x = 1\\ny = 2']
    """
    decoder = json.JSONDecoder()
    cells = []
    for match in re.finditer(r'"cell_type"\s*:\s*"code"', text):
        window = text[match.end() : match.end() + 200_000]
        src = re.search(r'"source"\s*:\s*', window)
        if not src:
            continue
        try:
            value, _ = decoder.raw_decode(window[src.end() :])
        except ValueError:
            continue
        cells.append("".join(value) if isinstance(value, list) else str(value))
    return cells or None


def find_notebook(folder: Path, expected_name: str) -> tuple[Path | None, str | None]:
    """The submitted notebook: the expected name, else the only notebook there."""
    if not folder.is_dir():
        return None, "no submission folder"
    exact = folder / expected_name
    if exact.is_file():
        return exact, None
    candidates = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if len(candidates) == 1:
        return candidates[0], f"notebook was renamed to {candidates[0].name}; graded it anyway"
    if not candidates:
        return None, f"no notebook in the submission (expected {expected_name})"
    return None, (
        f"{len(candidates)} notebooks but none named {expected_name}: "
        + ", ".join(p.name for p in candidates[:5])
    )


def read_code_cells(path: Path) -> tuple[list[str] | None, str | None]:
    """Code cells of a submitted notebook, or (None, reason)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"could not read the notebook ({exc})"
    text = raw.decode("utf-8", errors="replace")
    try:
        nb = json.loads(text)
        cells = nb["cells"] if isinstance(nb, dict) else None
        if not isinstance(cells, list):
            raise ValueError("no cells")
        out = []
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                src = cell.get("source", "")
                out.append("".join(src) if isinstance(src, list) else str(src))
        return out, None
    except (ValueError, KeyError, TypeError):
        salvaged = salvage_code_cells(text)
        if salvaged:
            return (
                salvaged,
                "the notebook is not valid JSON; graded the code cells that could be recovered",
            )
        return None, "the notebook is not valid JSON and no code could be recovered from it"


def hidden_paths(course_root: Path | None) -> list[Path]:
    """What a sandbox must not see: the course folder, checks, solutions, authored lessons."""
    pkg = Path(__file__).resolve().parents[1]
    paths = [pkg / "checks", pkg / "solutions", repo_root() / "lessons", repo_root() / "tests"]
    if course_root is not None:
        paths.append(Path(course_root).resolve())
    shared = repo_root().parent / "shared"
    if shared.is_dir():
        paths.append(shared)
    return [p for p in paths if p.exists()]


def grade_submission(
    submission_dir: Path,
    source_notebook: Path,
    student: str,
    assignment: str,
    limits: iso.Limits | None = None,
    isolation: iso.Isolation | None = None,
    course_root: Path | None = None,
) -> dict[str, Any]:
    """Grade one student's submission folder against the trusted source notebook."""
    limits = limits or iso.Limits()
    isolation = isolation or iso.detect()
    started = time.monotonic()
    deadline = started + limits.wall_seconds
    exercises = trusted_exercises(source_notebook)
    result: dict[str, Any] = {
        "student": student,
        "assignment": assignment,
        "status": "graded",
        "reason": None,
        "notes": [],
        "cell_errors": [],
        "exercises": [],
        "isolation": isolation.level,
    }

    def zero_all(reason: str) -> None:
        for ex in exercises:
            result["exercises"].append(_exercise_row(ex, 0.0, False, reason, [], "not graded"))

    path, note = find_notebook(submission_dir, source_notebook.name)
    if note:
        result["notes"].append(note)
    if path is None:
        result.update(status="ungradable", reason=note)
        zero_all(note or "no notebook")
        return _finish(result, started)
    cells, note = read_code_cells(path)
    if note:
        result["notes"].append(note)
    if cells is None:
        result.update(status="ungradable", reason=note)
        zero_all(note or "unreadable")
        return _finish(result, started)
    cells = [c for c in cells if not is_check_cell(c)]
    result["notebook"] = str(path)

    session = SandboxSession(path.parent, limits, isolation, hidden_paths(course_root))
    skipped: set[int] = set()

    def boot() -> None:
        """(Re)start the sandbox and run the cells, skipping any that hang or crash it."""
        for _attempt in range(len(cells) + 1):
            session.start()
            run = [c if i not in skipped else "" for i, c in enumerate(cells)]
            cell_deadline = min(deadline, time.monotonic() + limits.wall_seconds / 2)
            errors, stuck = session.exec_cells(run, cell_deadline)
            if stuck is None:
                result["cell_errors"] = [
                    f"cell {e['index']}: {e['ename']}: {e['evalue']}" for e in errors
                ][:20]
                return
            skipped.add(stuck)
            note = f"code cell {stuck + 1} hung or crashed the kernel ({session.death_reason()}); it was skipped"
            if note not in result["notes"]:
                result["notes"].append(note)
        raise SandboxDied("the notebook could not be run")

    try:
        try:
            boot()
        except InfrastructureError as exc:
            result.update(status="infrastructure", reason=str(exc))
            return _finish(result, started)
        except SandboxDied as exc:
            result.update(status="ungradable", reason=str(exc))
            zero_all(str(exc))
            return _finish(result, started)
        for ex in exercises:
            if not session.alive():
                try:
                    boot()
                except (SandboxDied, InfrastructureError) as exc:
                    result["exercises"].append(_exercise_row(ex, 0.0, False, str(exc), [], "crash"))
                    continue
            result["exercises"].append(_grade_one(ex, session, deadline))
    finally:
        session.kill()
    return _finish(result, started)


def _grade_one(ex: dict, session: SandboxSession, deadline: float) -> dict[str, Any]:
    from ..result import Result

    exercise = get_exercise(ex["exercise_id"])
    ex_deadline = min(deadline, time.monotonic() + exercise.time_limit)
    try:
        defined = session.has_function(ex["function"], ex_deadline)
    except (TimeoutError, SandboxDied) as exc:
        return _exercise_row(ex, 0.0, False, f"the sandbox failed ({exc})", [], "crash")
    if not defined:
        return _exercise_row(
            ex,
            0.0,
            False,
            f"`{ex['function']}` is not defined after running the notebook; check that its "
            "cell runs without errors (and that the function keeps its name).",
            [],
            "missing",
        )
    tester = RemoteTester(exercise, session, deadline=ex_deadline)
    result = Result(exercise.id)
    try:
        exercise.checker(tester)
    except Exception as exc:
        result.error = f"internal grader error ({type(exc).__name__}: {exc})"
    result.cases = tester.cases
    internal = [c for c in result.cases if c.kind == "internal"]
    if internal and not result.error:
        result.error = internal[0].message
    if result.error:
        row = _exercise_row(ex, 0.0, False, result.feedback, [], "infrastructure")
        return row
    scale = ex["points"] / exercise.points if exercise.points else 0.0
    status = "crash" if tester.sandbox_died else ("timeout" if tester.timed_out else "graded")
    return _exercise_row(
        ex, round(result.score * scale, 6), result.passed, result.feedback, result.mistakes, status
    )


def _exercise_row(
    ex: dict, score: float, passed: bool, feedback: str, mistakes: list[str], status: str
) -> dict[str, Any]:
    return {
        "exercise_id": ex["exercise_id"],
        "grade_id": ex["grade_id"],
        "score": float(score),
        "max_score": float(ex["points"]),
        "passed": bool(passed),
        "feedback": feedback,
        "mistakes": list(mistakes),
        "status": status,
    }


def _finish(result: dict[str, Any], started: float) -> dict[str, Any]:
    result["score"] = float(sum(e["score"] for e in result["exercises"]))
    result["max_score"] = float(sum(e["max_score"] for e in result["exercises"]))
    result["duration"] = round(time.monotonic() - started, 3)
    if (
        any(e["status"] == "infrastructure" for e in result["exercises"])
        and result["status"] == "graded"
    ):
        result["status"] = "infrastructure"
        result["reason"] = "a checker failed (grader bug); the submission was not scored"
    return result


def _grade_job(job: dict) -> dict[str, Any]:
    try:
        return grade_submission(
            Path(job["submission_dir"]),
            Path(job["source_notebook"]),
            job["student"],
            job["assignment"],
            job.get("limits"),
            job.get("isolation"),
            Path(job["course_root"]) if job.get("course_root") else None,
        )
    except Exception as exc:  # never lose the run to one submission
        return {
            "student": job["student"],
            "assignment": job["assignment"],
            "status": "infrastructure",
            "reason": f"{type(exc).__name__}: {exc}",
            "notes": [],
            "cell_errors": [],
            "exercises": [],
            "score": 0.0,
            "max_score": 0.0,
        }


def grade_many(jobs: list[dict], workers: int | None = None) -> list[dict[str, Any]]:
    """Grade submissions in parallel (one worker process per core by default)."""
    import os

    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        return [_grade_job(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_grade_job, jobs))
