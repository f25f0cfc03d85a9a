"""Grading throughput: plain `nbgrader autograde` against `qml-course class autograde`.

Both grade the same N submissions of one lesson (default: 30 of lesson 06) in one run, on
copies of the same class folder: a third are the reference solution, a third the untouched
student version, a third the student version with the first exercise solved (its solution
cell copied from the reference without the BEGIN/END SOLUTION marker lines). Each class must
score what its name claims (all points, 0, the first exercise's points) in both graders:
the scores are printed per class and the script fails if they are not. nbgrader
runs every notebook in a kernel one after another; ours runs each submission's code in a
sandbox (bubblewrap where available), in parallel across cores. The script prints both
wall times, the ratio, and checks that both give the same total score per student.

Usage: .venv/bin/python benchmarks/bench_grading.py [--lesson 06] [--n 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.classroom import isolation  # noqa: E402
from autograder.classroom.course import collect, init_course, release  # noqa: E402
from autograder.classroom.workflow import autograde, export_csv  # noqa: E402
from autograder.lessons import find_lesson  # noqa: E402

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def without_markers(source: str) -> str:
    """A solution cell's source with its BEGIN/END SOLUTION marker lines removed (whole lines,
    so the indentation of the code between them is kept)."""
    lines = source.splitlines(keepends=True)
    return "".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)


def first_solved(
    authored: nbformat.NotebookNode, released: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The released notebook with the first solution cell taken from the authored one."""
    import copy

    nb = copy.deepcopy(released)
    sol = [c for c in authored.cells if nbgrader_meta(c).get("solution")]
    if sol:
        gid = sol[0].metadata.nbgrader.grade_id
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") == gid:
                cell.source = without_markers(sol[0].source)
    return nb


CLASSES = ("reference solution", "untouched student version", "first exercise solved")


def expected_scores(authored: nbformat.NotebookNode) -> dict[str, float]:
    """What each class of submission must score: all points, none, the first exercise's."""
    graded = [
        (nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0)))
        for c in authored.cells
        if nbgrader_meta(c).get("grade")
    ]
    first_solution = next(c for c in authored.cells if nbgrader_meta(c).get("solution"))
    # the grade cell of the first exercise: ex_06_state_fidelity_solution -> ex_06_state_fidelity
    first_id = nbgrader_meta(first_solution)["grade_id"].removesuffix("_solution")
    first_points = dict(graded).get(first_id)
    if first_points is None:
        raise SystemExit(f"no grade cell {first_id!r} for the first solution cell")
    return dict(zip(CLASSES, (sum(p for _, p in graded), 0.0, first_points)))


def class_of(student: str) -> str:
    return CLASSES[int(student.removeprefix("student")) % 3]


def make_submissions(
    folder: Path, lesson_name: str, authored: Path, released: Path, n: int
) -> dict[str, float]:
    """Write the n submissions (the classes in turn); returns each class's expected score."""
    a = nbformat.read(str(authored), as_version=4)
    r = nbformat.read(str(released), as_version=4)
    half = first_solved(a, r)
    for i in range(n):
        student = f"student{i:02d}"
        target = folder / student / lesson_name
        target.mkdir(parents=True)
        nb = (a, r, half)[i % 3]
        nbformat.write(nb, str(target / f"{lesson_name}.ipynb"))
        for extra in authored.parent.iterdir():
            if extra.is_dir() and extra.name == "img":
                shutil.copytree(extra, target / "img")
    return expected_scores(a)


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) + " (1, 5, 15 min)"


def scores(csv_path: Path, assignment: str, key: str) -> dict[str, float]:
    with open(csv_path) as fh:
        return {
            row[key]: float(row["score"])
            for row in csv.DictReader(fh)
            if row["assignment"] == assignment
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="06")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    lesson = find_lesson(args.lesson)
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    ours = init_course(work / "ours")
    release(ours, lesson.name)
    released = ours.root / "release" / lesson.name / f"{lesson.name}.ipynb"
    incoming = work / "incoming"
    expected = make_submissions(incoming, lesson.name, lesson.notebook, released, args.n)
    collect(ours, lesson.name, incoming)
    plain = work / "plain"
    shutil.copytree(ours.root, plain, symlinks=True)
    cfg = plain / "nbgrader_config.py"
    cfg.write_text(cfg.read_text().replace(str(ours.root), str(plain)))
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    print(f"load average at start: {load_average()}")
    print(
        f"Grading {args.n} submissions of {lesson.name} on {os.cpu_count()} cores "
        f"(sandbox: {isolation.detect().level})"
    )
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(bin_dir / "nbgrader"), "autograde", lesson.name, "--force"],
        cwd=plain,
        env=env,
        capture_output=True,
        text=True,
    )
    t_plain = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
    subprocess.run(
        [str(bin_dir / "nbgrader"), "export", "--to", str(work / "plain.csv")],
        cwd=plain,
        env=env,
        capture_output=True,
        check=True,
    )

    t0 = time.perf_counter()
    results, warning = autograde(ours, lesson.name, workers=args.workers)
    t_ours = time.perf_counter() - t0
    export_csv(ours, work / "ours.csv", lesson.name)
    if warning:
        print("warning:", warning)

    plain_scores = scores(work / "plain.csv", lesson.name, "student_id")
    our_scores = scores(work / "ours.csv", lesson.name, "student")
    agree = sum(abs(plain_scores.get(s, -1) - v) < 1e-9 for s, v in our_scores.items())
    print(f"{'grader':34s} {'seconds':>9s} {'per submission':>15s}")
    print(f"{'nbgrader autograde (plain)':34s} {t_plain:9.1f} {t_plain / args.n:15.2f}")
    print(f"{'qml-course class autograde':34s} {t_ours:9.1f} {t_ours / args.n:15.2f}")
    print(f"speed-up: {t_plain / t_ours:.2f}x   (target: > 1x on 2 cores, despite the sandbox)")
    print(f"same total score for {agree}/{len(our_scores)} students")
    bad = [r for r in results if r.status != "graded"]
    if bad:
        print(f"not graded: {[(r.student, r.status.value, r.reason) for r in bad]}")
    print(f"load average at end: {load_average()}")

    # each class of submission must score what its name claims, in both graders
    print(f"\n{'class of submission':28s} {'expected':>8s} {'nbgrader':>14s} {'qml-course':>14s}")
    wrong = []
    for name in CLASSES:
        students = sorted(s for s in our_scores if class_of(s) == name)
        got_plain = sorted({plain_scores.get(s, float("nan")) for s in students})
        got_ours = sorted({our_scores[s] for s in students})
        print(f"{name:28s} {expected[name]:8g} {got_plain!s:>14s} {got_ours!s:>14s}")
        if got_plain != [expected[name]] or got_ours != [expected[name]]:
            wrong.append(name)
    shutil.rmtree(work, ignore_errors=True)
    if wrong:
        raise SystemExit(f"these classes do not score what their names claim: {wrong}")


if __name__ == "__main__":
    main()
