"""VQC loss + gradient against the number of qubits: qmlkit and the peers that are installed.

Workload (issue 16): 200 random points in [0, pi]^n, angle encoding (RY(x_i) on qubit i) and a
hardware-efficient ansatz of depth 3 (``efficient_su2(n, reps=3, entanglement="linear")``: RY
and RZ on every qubit, then the CX chain, three times, and a last RY/RZ layer), parity read-out,
mean cross-entropy. One evaluation is the loss and its exact gradient with respect to all
weights, as one optimiser iteration needs it. Contenders:

* qmlkit: ``VQC.loss_and_gradient`` (batched statevectors, adjoint gradient);
* PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` and ``default.qubit`` with
  backpropagation (autograd), both with parameter broadcasting over the points, when
  PennyLane is installed (not a dependency of the course; missing contenders are reported
  and skipped). PennyLane's loss and gradient are checked against qmlkit's first. (This
  PennyLane code could not be run where it was written: PennyLane was not installed.)

Each time is the best of a few repeats; the growth column is the ratio to the previous size.

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--qubits 4 6 8 10 12] [--points 200]``.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

REPS = 3


def best_time(fn: Callable[[], tuple[float, np.ndarray]], repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def make_qmlkit(n: int, X: np.ndarray, y: np.ndarray, w: np.ndarray):
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector
    from qiskit.circuit.library import efficient_su2

    from qmlkit.models import VQC

    x = ParameterVector("x", n)
    fmap = QuantumCircuit(n)
    for i in range(n):
        fmap.ry(x[i], i)
    ansatz = efficient_su2(n, reps=REPS, entanglement="linear")
    clf = VQC(feature_map=fmap, ansatz=ansatz, maxiter=1, initial_point=w).fit(X, y)
    return lambda: clf.loss_and_gradient(X, y, w)


def make_pennylane(n: int, X: np.ndarray, y: np.ndarray, w: np.ndarray, device: str):
    """The same model in PennyLane (autograd), or a string saying why it is skipped."""
    try:
        import pennylane as qml
        from pennylane import numpy as pnp
    except ImportError:
        return "PennyLane is not installed (.venv/bin/pip install pennylane)"
    try:
        dev = qml.device(device, wires=n)
    except Exception as exc:  # lightning missing or broken
        return f"{device} unavailable: {type(exc).__name__}: {exc}"
    parity = [qml.PauliZ(0)]
    for i in range(1, n):
        parity.append(parity[-1] @ qml.PauliZ(i))
    # Qiskit's qubit i is PennyLane's wire i; <Z...Z> = 1 - 2 P(odd parity)
    diff = "adjoint" if device == "lightning.qubit" else "backprop"

    @qml.qnode(dev, diff_method=diff)
    def circuit(xcols, weights):
        for i in range(n):
            qml.RY(xcols[i], wires=i)
        k = 0
        for rep in range(REPS + 1):
            for i in range(n):
                qml.RY(weights[k + i], wires=i)
            for i in range(n):
                qml.RZ(weights[k + n + i], wires=i)
            k += 2 * n
            if rep < REPS:
                for i in range(n - 1):
                    qml.CNOT(wires=[i, i + 1])
        return qml.expval(parity[-1])

    xs = X.T.copy()  # one column per point: parameter broadcasting over the points

    def loss(weights):
        p1 = (1 - circuit(xs, weights)) / 2  # P(odd parity) per point
        p1 = pnp.clip(p1, 1e-12, 1 - 1e-12)
        return -pnp.mean(y * pnp.log(p1) + (1 - y) * pnp.log(1 - p1))

    grad = qml.grad(loss)
    weights = pnp.array(w, requires_grad=True)
    return f"PennyLane {device} ({diff})", lambda: (float(loss(weights)), grad(weights))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 6, 8, 10, 12])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        f"VQC loss + gradient, {args.points} points, angle encoding, efficient_su2 reps={REPS} "
        f"(linear CX), parity read-out; best of {args.repeats}"
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    columns: dict[str, list[float]] = {}
    rows = []
    skipped: set[str] = set()
    for n in args.qubits:
        rng = np.random.default_rng(n)
        X = rng.uniform(0, np.pi, (args.points, n))
        y = (X.sum(axis=1) > n * np.pi / 2).astype(int)
        w = rng.uniform(-np.pi, np.pi, 2 * n * (REPS + 1))
        contenders = {"qmlkit VQC (adjoint)": make_qmlkit(n, X, y, w)}
        reference = contenders["qmlkit VQC (adjoint)"]()
        for device in ("lightning.qubit", "default.qubit"):
            made = make_pennylane(n, X, y, w, device)
            if isinstance(made, str):
                if made not in skipped:
                    print(f"skipped: {made}")
                    skipped.add(made)
                continue
            value = made[1]()
            if abs(value[0] - reference[0]) > 1e-8 or not np.allclose(value[1], reference[1]):
                print(f"[{n} qubits] {made[0]} disagrees with qmlkit; not timed")
                continue
            contenders[made[0]] = made[1]
        times = {name: best_time(fn, args.repeats) for name, fn in contenders.items()}
        rows.append((n, times))
        for name, t in times.items():
            columns.setdefault(name, []).append(t)
    print(f"\n{'contender':28s} {'qubits':>6s} {'time (ms)':>10s} {'growth':>7s}")
    for name in columns:
        previous = None
        for n, times in rows:
            if name not in times:
                continue
            t = times[name]
            growth = f"x{t / previous:.2f}" if previous else ""
            print(f"{name:28s} {n:6d} {1e3 * t:10.1f} {growth:>7s}")
            previous = t
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
