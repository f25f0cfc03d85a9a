"""Fidelity-kernel benchmark: qmlkit against qiskit-machine-learning, PennyLane and NumPy.

Workload (issue 4): the 1000 x 1000 Gram matrix of 1000 random points in [0, pi]^8 for the
8-qubit ZZ feature map with reps=2, linear and full entanglement. Contenders:

* qmlkit: ``qmlkit.kernels.FidelityKernel(zz_feature_map(...)).evaluate(X)`` (timed from
  the kernel's construction, so circuit compilation is included);
* qiskit-ml: ``qiskit_machine_learning.kernels.FidelityStatevectorKernel``;
* PennyLane: the same circuit on ``default.qubit`` with parameter broadcasting (all 1000
  states in one batched run, ``qml.state()``) and on ``lightning.qubit`` (one circuit per
  point), then one matrix product (no gradient is needed, so no torch interface);
* NumPy lower bound: a hand-written batched statevector for exactly this circuit (one
  phase matrix product and exponential per layer, Hadamards by reshaping), then
  ``abs(S.conj() @ S.T) ** 2``.

All results are first checked to agree to 1e-10, then each is timed (best of a few
repeats) and printed side by side. Targets: qmlkit >= 50x faster than qiskit-ml, faster
than PennyLane, within 2x of the NumPy lower bound. Also prints ``import qmlkit`` time.

PennyLane and lightning are the ``bench`` extra (``make bench`` installs it), not dependencies
of the course; a missing one is reported "not installed" and its rows skipped. Every contender
is exact (statevectors, no shots), as each row says. The load average is printed at start
and end.

Run: ``.venv/bin/python benchmarks/bench_kernel.py [--points 1000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

import _peers
import numpy as np

N_QUBITS = 8
REPS = 2
PENNYLANE_DEVICES = ("default.qubit", "lightning.qubit")


def pairs_of(entanglement: str, n: int) -> list[tuple[int, int]]:
    if entanglement == "linear":
        return [(i, i + 1) for i in range(n - 1)]
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def best_time(fn: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def import_time(module: str, repeats: int = 3) -> float:
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


# ---------------------------------------------------------------------------------------- contenders


def run_qmlkit(X: np.ndarray, entanglement: str) -> np.ndarray:
    from qiskit.circuit.library import zz_feature_map

    from qmlkit.kernels import FidelityKernel

    fm = zz_feature_map(X.shape[1], reps=REPS, entanglement=entanglement)
    return FidelityKernel(fm).evaluate(X)


def run_qiskit_ml(X: np.ndarray, entanglement: str) -> np.ndarray:
    from qiskit.circuit.library import zz_feature_map
    from qiskit_machine_learning.kernels import FidelityStatevectorKernel

    fm = zz_feature_map(X.shape[1], reps=REPS, entanglement=entanglement)
    return FidelityStatevectorKernel(feature_map=fm).evaluate(X)


def make_pennylane(
    entanglement: str, device: str = "default.qubit", n: int = N_QUBITS
) -> Callable[[np.ndarray], np.ndarray] | str:
    """The kernel on a PennyLane device, or a string saying why it is skipped.

    The same circuit as ``zz_feature_map(n, reps=2)``: Qiskit's qubit i is PennyLane's wire i.
    The two number their basis states in opposite bit orders, but fidelities do not depend on
    it. On ``default.qubit`` every gate is broadcast over the batch; ``lightning.qubit`` runs
    the broadcast as one circuit per point (PennyLane splits it). One matrix product of the
    states gives the Gram matrix.
    """
    qml = _peers.pennylane()
    dev = _peers.device(device, n)
    if isinstance(dev, str):
        return dev
    pairs = pairs_of(entanglement, n)

    @qml.qnode(dev, interface=None)
    def states(x):  # x: (batch, n); every gate is broadcast over the batch
        for _ in range(REPS):
            for i in range(n):
                qml.Hadamard(wires=i)
            for i in range(n):
                qml.PhaseShift(2.0 * x[:, i], wires=i)
            for i, j in pairs:
                qml.CNOT(wires=[i, j])
                qml.PhaseShift(2.0 * (np.pi - x[:, i]) * (np.pi - x[:, j]), wires=j)
                qml.CNOT(wires=[i, j])
        return qml.state()

    def kernel(X: np.ndarray) -> np.ndarray:
        S = np.asarray(states(X))
        return np.abs(S.conj() @ S.T) ** 2

    return kernel


def run_numpy(X: np.ndarray, entanglement: str) -> np.ndarray:
    """Plain batched NumPy statevector of this one circuit: the lower bound to beat."""
    batch, n = X.shape
    dim = 2**n
    bits = (np.arange(dim)[:, None] >> np.arange(n)) & 1  # (dim, n), qubit 0 = LSB
    pairs = pairs_of(entanglement, n)
    angles = np.column_stack(
        [2 * X] + [2 * (np.pi - X[:, i]) * (np.pi - X[:, j]) for i, j in pairs]
    )
    patterns = np.column_stack([bits] + [bits[:, i] ^ bits[:, j] for i, j in pairs]).astype(float)
    diag = np.exp(1j * (angles @ patterns.T))  # (batch, dim): P and CX-P-CX phases
    psi = diag / np.sqrt(dim)  # H^n |0> then the phases
    for q in range(n):  # H on every qubit
        v = psi.reshape(batch, -1, 2, 2**q)
        psi = np.stack([v[:, :, 0] + v[:, :, 1], v[:, :, 0] - v[:, :, 1]], axis=2).reshape(
            batch, dim
        )
    psi *= diag / np.sqrt(2**n)
    return np.abs(psi.conj() @ psi.T) ** 2


# ---------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the fast contenders")
    parser.add_argument("--slow-repeats", type=int, default=2, help="repeats of qiskit-ml")
    args = parser.parse_args()

    X = np.random.default_rng(0).uniform(0, np.pi, (args.points, N_QUBITS))
    _peers.print_load("start")
    print(f"Fidelity kernel, {args.points} points, zz_feature_map({N_QUBITS}, reps={REPS})")
    print("every contender exact (statevectors, no shots)")
    print(f"import qmlkit: {import_time('qmlkit'):.3f} s (fresh interpreter, best of 3)\n")
    for reason in dict.fromkeys(
        r for d in PENNYLANE_DEVICES if isinstance(r := make_pennylane("linear", d), str)
    ):
        print(f"skipped: {reason}")
    all_ok = True
    for entanglement in ("linear", "full"):
        contenders: dict[str, Callable[[], np.ndarray]] = {
            "qmlkit": lambda e=entanglement: run_qmlkit(X, e),
            "numpy lower bound": lambda e=entanglement: run_numpy(X, e),
        }
        for device in PENNYLANE_DEVICES:
            pl = make_pennylane(entanglement, device)
            if not isinstance(pl, str):
                contenders[f"pennylane {device}"] = lambda pl=pl: pl(X)
        contenders["qiskit-ml statevector"] = lambda e=entanglement: run_qiskit_ml(X, e)

        # 1. agreement
        reference = contenders["qmlkit"]()
        for name, fn in contenders.items():
            if name == "qmlkit":
                continue
            err = float(np.max(np.abs(fn() - reference)))
            ok = err < 1e-10
            all_ok &= ok
            print(
                f"[{entanglement}] max |K_{name} - K_qmlkit| = {err:.1e} {'ok' if ok else 'MISMATCH'}"
            )

        # 2. timings
        times = {}
        for name, fn in contenders.items():
            repeats = args.slow_repeats if name.startswith("qiskit-ml") else args.repeats
            times[name], _ = best_time(fn, repeats)
        ours = times["qmlkit"]
        print(
            f"\n[{entanglement} entanglement] {'contender':26s} {'mode':>5s} {'seconds':>9s} "
            f"{'vs qmlkit':>10s}"
        )
        for name, secs in times.items():
            print(f"[{entanglement} entanglement] {name:26s} exact {secs:9.4f} {secs / ours:9.1f}x")
        verdicts = [
            ("qmlkit >= 50x faster than qiskit-ml", times["qiskit-ml statevector"] / ours >= 50),
            ("qmlkit within 2x of the NumPy lower bound", ours <= 2 * times["numpy lower bound"]),
        ]
        for name, secs in times.items():
            if name.startswith("pennylane"):
                verdicts.append((f"qmlkit faster than {name}", ours < secs))
        for text, met in verdicts:
            print(f"[{entanglement} entanglement] target: {text}: {'met' if met else 'NOT met'}")
        print()
    _peers.print_load("end")
    if not all_ok:
        sys.exit("Kernels disagree; timings are meaningless.")


if __name__ == "__main__":
    main()
