"""How long each lesson takes to execute top to bottom, headless, with the default backend.

Target (issues 3 and 5): under 60 s per lesson on the 2-core machine. Each lesson runs in a
fresh kernel through the same engine as `qml-course grade` (so the time includes kernel
start-up and the checks of every exercise); the score confirms the run was complete. The load
average is printed at start and end.

Usage: .venv/bin/python benchmarks/bench_lessons.py [LESSON ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _peers  # noqa: E402

from autograder.lessons import find_lesson, list_lessons  # noqa: E402
from autograder.notebook_grader import grade_notebook  # noqa: E402

TARGET = 60.0


def main(argv: list[str]) -> None:
    lessons = [find_lesson(a) for a in argv] or list_lessons()
    _peers.print_load("start")
    print(
        "(qmlkit only, no peers: each lesson as a learner runs it, exact or shots as it is written)"
    )
    print(f"{'lesson':24s} {'seconds':>8s} {'score':>9s}  target < {TARGET:g} s")
    total = 0.0
    for lesson in lessons:
        start = time.perf_counter()
        grade = grade_notebook(lesson.notebook, cell_timeout=600)
        secs = time.perf_counter() - start
        total += secs
        verdict = (
            "ok" if secs < TARGET and not grade.error else "OVER" if secs >= TARGET else "ERROR"
        )
        score = f"{grade.score:g}/{grade.max_score:g}"
        print(f"{lesson.name:24s} {secs:8.1f} {score:>9s}  {verdict}")
    print(f"{'all lessons':24s} {total:8.1f}")
    _peers.print_load("end")


if __name__ == "__main__":
    main(sys.argv[1:])
