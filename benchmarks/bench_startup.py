"""Startup and check latency: `import qmlkit`, `import autograder`, and a typical check.

Targets on the 2-core machine: each import under 1 s, a typical check under 0.5 s (checks
of exercises that run an optimisation, such as a VQE, are listed without a target). Each import is
timed in a fresh interpreter (best of 3); the check is timed warm (after one run), as a
learner experiences it from the second check on, and cold (first check in a process). The load
average is printed at start and end.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import _peers


def time_import(module: str, repeats: int = 3) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeats)
    ]
    return min(runs)


def time_cold_check() -> float:
    code = (
        "import time, numpy as np\n"
        "t = time.perf_counter()\n"
        "from autograder import check\n"
        "r = check('00.x_on_qubit', __import__('autograder.solutions', fromlist=['reference']).reference('00.x_on_qubit'))\n"
        "assert r.passed\n"
        "print(time.perf_counter() - t)\n"
    )
    return float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )


def main() -> None:
    from autograder import check, exercises, get_exercise
    from autograder.solutions import reference

    _peers.print_load("start")
    print("(qmlkit only, no peers: import and check latency, exact or shots does not apply)")

    rows = [
        ("import qmlkit", time_import("qmlkit"), 1.0),
        ("import autograder", time_import("autograder"), 1.0),
        ("first check in a new process (incl. imports)", time_cold_check(), None),
    ]
    for ex_id in [e for e in exercises() if not e.split(".")[1].startswith("train")][:40]:
        fn = reference(ex_id)
        check(ex_id, fn)  # warm-up
        times = []
        for _ in range(3):
            t = time.perf_counter()
            check(ex_id, fn)
            times.append(time.perf_counter() - t)
        # exercises that run an optimisation (VQE, training) have their own time limits
        heavy = get_exercise(ex_id).time_limit > 10
        rows.append(
            (
                f"check('{ex_id}')" + (" (optimises)" if heavy else ""),
                statistics.median(times),
                None if heavy else 0.5,
            )
        )
    print(f"{'what':58s} {'seconds':>9s}  target")
    for name, secs, target in rows:
        verdict = "" if target is None else ("ok" if secs < target else f"OVER {target} s")
        print(f"{name:58s} {secs:9.3f}  {verdict}")
    _peers.print_load("end")


if __name__ == "__main__":
    main()
