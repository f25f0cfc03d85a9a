"""Shared helpers of the benchmarks: machine load, and the optional peers (PennyLane, torch).

qiskit-machine-learning, PennyLane and lightning.qubit are course dependencies; PyTorch is the
optional ``torch`` extra (``pip install -e '.[bench]'``, done by ``make bench``). Every function
here imports a peer only when called, and a missing peer is reported as "not installed" and
its rows skipped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

INSTALL_HINT = "pip install -e '.[bench]' (or make bench)"


def load_average() -> str:
    """os.getloadavg() as printed by every benchmark at its start and end."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg()) + " (1, 5, 15 min; 2 cores)"


def print_load(when: str) -> None:
    print(f"load average at {when}: {load_average()}", flush=True)


def pennylane() -> Any:
    """The pennylane module, or None when it is not installed."""
    try:
        import pennylane as qml
    except ImportError:
        return None
    return qml


def device(name: str, wires: int) -> Any:
    """A PennyLane device, or a string saying why it is not available."""
    qml = pennylane()
    if qml is None:
        return f"PennyLane {name}: not installed ({INSTALL_HINT})"
    try:
        return qml.device(name, wires=wires)
    except Exception as exc:  # lightning.qubit is a separate package
        return f"PennyLane {name}: not installed or broken ({type(exc).__name__}: {exc})"


def torch_reason() -> str | None:
    """None when torch can be imported, else why the torch rows are skipped."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return f"torch not installed (the optional torch extra: {INSTALL_HINT}), so its rows are skipped"
    return None


def best_time(fn: Callable[[], Any], repeats: int, budget: float = 10.0) -> float:
    """Best wall time of ``repeats`` calls, fewer when one call takes more than ``budget``/repeats."""
    best = float("inf")
    spent = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        secs = time.perf_counter() - start
        best, spent = min(best, secs), spent + secs
        if spent > budget:
            break
    return best
