"""Autograde, feedback, export and the class report: one function per instructor command."""

from __future__ import annotations

import csv
import html
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from . import gradebook
from . import isolation as iso
from .course import Course
from .grader import grade_many


def results_path(course: Course, assignment: str) -> Path:
    return course.root / "reports" / f"{assignment}-results.json"


def load_results(course: Course, assignment: str) -> list[dict[str, Any]]:
    path = results_path(course, assignment)
    if not path.exists():
        raise AutograderError(
            f"{assignment} has not been autograded yet: run `qml-course class autograde`."
        )
    return json.loads(path.read_text())


def autograde(
    course: Course,
    assignment: str,
    students: list[str] | None = None,
    workers: int | None = None,
    limits: iso.Limits | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Grade every (or the named) submission of an assignment in sandboxes.

    Returns the results and the isolation warning (None when bubblewrap is used).
    """
    source = course.source_notebook(assignment)
    db_url = course.db_url()
    gradebook.check(db_url)
    gradebook.backup(db_url, course.root / "backups")
    gradebook.ensure_assignment(
        db_url, assignment, lambda: course.nbgrader("generate_assignment", assignment, "--force")
    )
    isolation = iso.detect()
    submitted = course.root / "submitted"
    names = (
        sorted(p.name for p in submitted.iterdir() if (p / assignment).exists())
        if submitted.is_dir()
        else []
    )
    if students:
        missing = sorted(set(students) - set(names))
        if missing:
            raise AutograderError(f"No submission of {assignment} from: {', '.join(missing)}.")
        names = [n for n in names if n in students]
    jobs = [
        {
            "submission_dir": str(submitted / name / assignment),
            "source_notebook": str(source),
            "student": name,
            "assignment": assignment,
            "limits": limits,
            "isolation": isolation,
            "course_root": str(course.root),
        }
        for name in names
    ]
    results = grade_many(jobs, workers)
    gradebook.write_results(db_url, assignment, source.stem, results)
    for r in results:
        if r["status"] in ("graded", "ungradable"):
            write_autograded(course, assignment, r)
    # merge with earlier results of students not regraded now
    merged = {r["student"]: r for r in (_safe_load(course, assignment))}
    merged.update({r["student"]: r for r in results})
    path = results_path(course, assignment)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([merged[k] for k in sorted(merged)], indent=1))
    os.replace(tmp, path)
    return results, isolation.warning


def write_autograded(course: Course, assignment: str, result: dict[str, Any]) -> Path:
    """nbgrader's ``autograded/STUDENT/ASSIGNMENT/`` copy, so the formgrader lists the
    submission as autograded and shows it for manual review.

    The notebook's structure is the trusted release version's; the learner's code is put
    into its solution cells (matched by grade id, else by the function it defines), and
    each grade cell shows our feedback and score as its output.
    """
    import re

    import nbformat

    released = course.root / "release" / assignment / f"{assignment}.ipynb"
    template = released if released.exists() else course.source_notebook(assignment)
    nb = nbformat.read(str(template), as_version=4)
    learner_cells: list[Any] = []
    if result.get("notebook"):
        try:
            learner_cells = nbformat.read(result["notebook"], as_version=4).cells
        except Exception:
            learner_cells = []
    by_gid = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in learner_cells}
    rows = {e["grade_id"]: e for e in result.get("exercises", [])}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and cell.cell_type == "code":
            mine = by_gid.get(gid)
            name = re.search(r"def (\w+)\(", cell.source)
            if mine is None and name:
                mine = next(
                    (c for c in learner_cells if f"def {name.group(1)}(" in c.get("source", "")),
                    None,
                )
            if mine is not None:
                cell.source = mine.get("source", "")
        if meta.get("grade") and gid in rows and cell.cell_type == "code":
            row = rows[gid]
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=row["feedback"] + "\n"),
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": repr(row["score"])}, execution_count=None
                ),
            ]
    folder = course.root / "autograded" / result["student"] / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{assignment}.ipynb"
    nbformat.write(nb, str(target))
    return target


def _safe_load(course: Course, assignment: str) -> list[dict[str, Any]]:
    try:
        return load_results(course, assignment)
    except (AutograderError, ValueError):
        return []


def feedback(course: Course, assignment: str) -> list[Path]:
    """Write an HTML feedback page per student into nbgrader's feedback/ folder."""
    written = []
    for r in load_results(course, assignment):
        folder = course.root / "feedback" / r["student"] / assignment
        folder.mkdir(parents=True, exist_ok=True)
        page = folder / f"{assignment}.html"
        page.write_text(_feedback_html(r))
        written.append(page)
    return written


def _feedback_html(r: dict[str, Any]) -> str:
    rows = []
    for ex in r.get("exercises", []):
        color = "#1a7f37" if ex["passed"] else "#cf222e"
        rows.append(
            f"<h3 style='color:{color}'>{html.escape(ex['exercise_id'])}: "
            f"{ex['score']:g}/{ex['max_score']:g}</h3><pre>{html.escape(ex['feedback'])}</pre>"
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in r.get("notes", []))
    status = (
        ""
        if r["status"] == "graded"
        else f"<p><b>{html.escape(r['status'])}:</b> {html.escape(str(r.get('reason')))}</p>"
    )
    return (
        "<!doctype html><meta charset='utf-8'><title>Feedback</title>"
        f"<h1>{html.escape(r['assignment'])}: {r.get('score', 0):g}/{r.get('max_score', 0):g}</h1>"
        f"<p>Student: {html.escape(r['student'])}</p>{status}"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "".join(rows)
    )


def export_csv(course: Course, out: Path, assignment: str | None = None) -> Path:
    """Grades from the gradebook as CSV, one row per submission, one column per exercise."""
    rows = [
        r for r in gradebook.dump_grades(course.db_url()) if assignment in (None, r["assignment"])
    ]
    by_sub: dict[tuple[str, str], dict[str, Any]] = {}
    grade_ids: dict[str, list[str]] = {}
    for row in rows:
        key = (row["assignment"], row["student"])
        entry = by_sub.setdefault(key, {"score": 0.0, "max_score": 0.0})
        score = row["manual_score"] if row["manual_score"] is not None else row["auto_score"]
        entry[row["grade_id"]] = "" if score is None else score
        entry["score"] += score or 0.0
        entry["max_score"] += row["max_score"] or 0.0
        ids = grade_ids.setdefault(row["assignment"], [])
        if row["grade_id"] not in ids:
            ids.append(row["grade_id"])
    statuses = {}
    for name in {k[0] for k in by_sub}:
        for r in _safe_load(course, name):
            statuses[(name, r["student"])] = r["status"]
    all_ids = [g for ids in grade_ids.values() for g in ids]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["assignment", "student", "score", "max_score", "status", *all_ids])
        for name, student in sorted(by_sub):
            e = by_sub[(name, student)]
            writer.writerow(
                [
                    name,
                    student,
                    round(e["score"], 4),
                    e["max_score"],
                    statuses.get((name, student), "not autograded"),
                    *[e.get(g, "") for g in all_ids],
                ]
            )
    return out


def class_report(course: Course, assignment: str) -> tuple[str, Path]:
    """Pass rates, common mistakes, a score histogram and the ungradable submissions."""
    results = load_results(course, assignment)
    lines = [f"# Class report: {assignment}", "", f"{len(results)} submissions.", ""]
    graded = [r for r in results if r["status"] == "graded"]
    per_ex: dict[str, list[dict]] = {}
    for r in graded:
        for ex in r["exercises"]:
            per_ex.setdefault(ex["exercise_id"], []).append(ex)
    lines += [
        "| exercise | pass rate | mean score | most common recognised mistakes |",
        "|---|---|---|---|",
    ]
    for ex_id in sorted(per_ex):
        rows = per_ex[ex_id]
        rate = sum(e["passed"] for e in rows) / len(rows)
        mean = sum(e["score"] for e in rows) / len(rows)
        common = Counter(m for e in rows for m in e.get("mistakes", [])).most_common(3)
        text = "; ".join(f"{m} ({n})" for m, n in common) or "-"
        lines.append(f"| {ex_id} | {rate:.0%} | {mean:.2f}/{rows[0]['max_score']:g} | {text} |")
    bad = [r for r in results if r["status"] != "graded"]
    lines += ["", "## Submissions that could not be graded", ""]
    lines += [f"- {r['student']}: {r['status']} ({r.get('reason')})" for r in bad] or ["none"]
    png = course.root / "reports" / f"{assignment}-scores.png"
    _score_histogram(
        [r.get("score", 0.0) for r in graded],
        results[0].get("max_score", 0) if results else 0,
        png,
        assignment,
    )
    lines += ["", f"Score distribution: {png}"]
    text = "\n".join(lines)
    (course.root / "reports" / f"{assignment}-report.md").write_text(text + "\n")
    return text, png


def _score_histogram(scores: list[float], max_score: float, path: Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    bins = max(5, min(20, int(max_score) + 1 if max_score else 10))
    ax.hist(scores, bins=bins, range=(0, max_score or 1), color="#4c72b0", edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.set_title(f"{title}: score distribution (n={len(scores)})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
