"""Scaling in qubits (VQC) and in points (fidelity kernel): qmlkit and the installed peers.

VQC workload (issue 16): 200 random points in [0, pi]^n for n = 2, 4, ..., 14, angle encoding
(RY(x_i) on qubit i) and a hardware-efficient ansatz of depth 3 (``efficient_su2(n, reps=3,
entanglement="linear")``: RY and RZ on every qubit, then the CX chain, three times, and a last
RY/RZ layer), parity read-out, mean cross-entropy. One evaluation is the loss and its exact
gradient with respect to all weights, as one optimiser iteration needs it. Contenders:

* qmlkit: ``VQC.loss_and_gradient`` (adjoint gradient) with its default engine: batched NumPy
  statevectors below 8 qubits, and from 8 qubits on its adjoint loop on PennyLane-Lightning's
  C++ gate kernels, one row at a time (``qmlkit.models._lightning``); from 8 qubits the
  NumPy engine alone (``QMLKIT_ENGINE=numpy``) is timed as well, as its own row;
* PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` and ``default.qubit`` with
  backpropagation (autograd), both with parameter broadcasting over the points (lightning
  runs it as one circuit per point). Before timing, each one's loss and gradient must agree
  with qmlkit's to 1e-8 (else the script fails: the models would differ).
  ``default.qubit`` through torch (backpropagation) joins them when the optional ``torch``
  extra is installed, and is reported "not installed" otherwise.

Kernel workload: the N x N fidelity-kernel matrix of ``zz_feature_map(8, reps=2, linear)`` for
N = 250, 500, 1000, 2000, 4000, then of ``zz_feature_map(n, ...)`` for n = 4, 6, ..., 14 at
N = 500 (qmlkit, PennyLane ``default.qubit`` broadcast and
``lightning.qubit``, one matrix product of the states; values checked equal to 1e-10).

Each time is the best of up to 5 repeats (fewer when a call is slow); the growth column is the
ratio to the previous size. Slow peers are capped at a size (printed) so the run stays within
minutes. All contenders are exact (no shots). The load average is printed at start and end.
PennyLane and lightning are course dependencies; torch is the optional extra (``make bench``
installs it); a missing peer's rows are skipped with the reason.

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--qubits 2 4 ...] [--kernel-points ...]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import _peers
import numpy as np

from qmlkit.errors import InputError
from qmlkit.models._lightning import MIN_QUBITS

REPS = 3
PENNYLANE_VQC = ("lightning.qubit", "default.qubit")
# largest sizes a slow peer runs at, so that the whole benchmark stays within minutes
VQC_CAPS = {"default.qubit": 10, "default.qubit + torch": 10}
KERNEL_CAPS: dict[str, int] = {}


@contextlib.contextmanager
def engine(name: str) -> Iterator[None]:
    """Run qmlkit with ``QMLKIT_ENGINE=name`` inside the block."""
    old = os.environ.get("QMLKIT_ENGINE")
    os.environ["QMLKIT_ENGINE"] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ["QMLKIT_ENGINE"]
        else:
            os.environ["QMLKIT_ENGINE"] = old


def make_qmlkit(n: int, X: np.ndarray, y: np.ndarray, w: np.ndarray, which: str = "auto"):
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

    def run() -> tuple[float, np.ndarray]:
        with engine(which):
            return clf.loss_and_gradient(X, y, w)

    return run


def _pennylane_model(qml: Any, n: int) -> Callable[..., Any]:
    """The VQC as a PennyLane quantum function: <Z...Z> of RY(x_i) on wire i, then
    efficient_su2's layers in its parameter order (see make_pennylane)."""
    parity = qml.prod(*[qml.PauliZ(i) for i in range(n)]) if n > 1 else qml.PauliZ(0)

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
        return qml.expval(parity)

    return circuit


def make_pennylane(n: int, X: np.ndarray, y: np.ndarray, w: np.ndarray, device: str):
    """(label, run) for the same model in PennyLane (autograd), or a string saying why not.

    Qiskit's qubit i is PennyLane's wire i (the two number basis states in opposite bit orders,
    which the parity read-out does not see): RY(x_i) on wire i, then efficient_su2's layers in
    its parameter order (RY on every qubit, RZ on every qubit, CX(i, i+1) chain; last layer
    without CX). P(odd parity) = (1 - <Z...Z>) / 2.
    """
    qml = _peers.pennylane()
    dev = _peers.device(device, n)
    if isinstance(dev, str):
        return dev
    from pennylane import numpy as pnp

    diff = "adjoint" if device == "lightning.qubit" else "backprop"
    circuit = qml.qnode(dev, diff_method=diff)(_pennylane_model(qml, n))

    xs = pnp.array(X.T.copy(), requires_grad=False)  # one column per point: broadcasting

    def loss(weights):
        p1 = (1 - circuit(xs, weights)) / 2  # P(odd parity) per point
        p1 = pnp.clip(p1, 1e-12, 1 - 1e-12)
        return -pnp.mean(y * pnp.log(p1) + (1 - y) * pnp.log(1 - p1))

    grad = qml.grad(loss)
    weights = pnp.array(w, requires_grad=True)

    def run() -> tuple[float, np.ndarray]:
        g = grad(weights)  # the loss is the forward pass of the same call
        return float(grad.forward), np.asarray(g)

    return f"PennyLane {device} ({diff})", run


def make_pennylane_torch(n: int, X: np.ndarray, y: np.ndarray, w: np.ndarray):
    """(label, run) for the same model on PennyLane ``default.qubit`` through torch
    (backpropagation), or a string saying why not (torch is the optional ``torch`` extra)."""
    if (reason := _peers.torch_reason()) is not None:
        return f"PennyLane default.qubit + torch: {reason}"
    qml = _peers.pennylane()
    dev = _peers.device("default.qubit", n)
    if isinstance(dev, str):
        return dev
    import torch

    circuit = qml.qnode(dev, interface="torch", diff_method="backprop")(_pennylane_model(qml, n))

    xs = torch.tensor(X.T.copy(), dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)

    def run() -> tuple[float, np.ndarray]:
        weights = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        p1 = torch.clamp((1 - circuit(xs, weights)) / 2, 1e-12, 1 - 1e-12)
        loss = -torch.mean(yt * torch.log(p1) + (1 - yt) * torch.log(1 - p1))
        loss.backward()
        return float(loss.detach()), weights.grad.detach().numpy().copy()

    return "PennyLane default.qubit + torch (backprop)", run


def vqc_scaling(qubits: list[int], points: int, repeats: int, caps: dict[str, int]) -> None:
    print(
        f"VQC loss + gradient, {points} points, angle encoding, efficient_su2 reps={REPS} "
        f"(linear CX), parity read-out, mean cross-entropy; best of up to {repeats}"
    )
    print("every contender exact (statevectors, exact gradients, no shots)")
    print(
        f"qmlkit's default engine: batched NumPy below {MIN_QUBITS} qubits, its adjoint loop on "
        f"PennyLane-Lightning's C++ kernels from {MIN_QUBITS} on (then also timed NumPy-only)"
    )
    for reason in dict.fromkeys(
        r for d in PENNYLANE_VQC if isinstance(r := _peers.device(d, 1), str)
    ):
        print(f"skipped: {reason}")
    if (torch_reason := _peers.torch_reason()) is not None:
        print(f"skipped: PennyLane default.qubit + torch: {torch_reason}")
    for device, cap in caps.items():
        print(f"capped: {device} runs up to {cap} qubits (backprop keeps every intermediate state)")
    columns: dict[str, list[tuple[int, float]]] = {}
    for n in qubits:
        rng = np.random.default_rng(n)
        X = rng.uniform(0, np.pi, (points, n))
        y = (X.sum(axis=1) > n * np.pi / 2).astype(int)
        w = rng.uniform(-np.pi, np.pi, 2 * n * (REPS + 1))
        contenders: dict[str, Callable[[], tuple[float, np.ndarray]]] = {}
        try:
            contenders["qmlkit VQC (adjoint)"] = make_qmlkit(n, X, y, w)
            if n >= MIN_QUBITS:
                contenders["qmlkit VQC, NumPy engine only"] = make_qmlkit(n, X, y, w, "numpy")
        except InputError as exc:  # qmlkit's VQC has a qubit limit
            print(f"[{n:2d} qubits] skipped: qmlkit VQC: {exc}")
        reference = None
        for device in PENNYLANE_VQC:
            if n > caps.get(device, n):
                continue
            made = make_pennylane(n, X, y, w, device)
            if isinstance(made, str):
                continue
            contenders[made[0]] = made[1]
        if n <= caps.get("default.qubit + torch", n):
            made = make_pennylane_torch(n, X, y, w)
            if not isinstance(made, str):
                contenders[made[0]] = made[1]
        # every contender must compute the same loss and gradient as the first (qmlkit's)
        for name, fn in contenders.items():
            value = fn()
            if reference is None:
                reference, ref_name = value, name
                continue
            dl = abs(value[0] - reference[0])
            dg = float(np.max(np.abs(value[1] - reference[1])))
            if dl > 1e-8 or dg > 1e-8:
                raise SystemExit(
                    f"[{n} qubits] {name} disagrees with {ref_name}: loss by {dl:.1e}, "
                    f"gradient by {dg:.1e}; the models differ, timings would be meaningless"
                )
            print(
                f"[{n:2d} qubits] {name} agrees with {ref_name}: loss {dl:.0e}, gradient {dg:.0e}"
            )
        for name, fn in contenders.items():
            columns.setdefault(name, []).append((n, _peers.best_time(fn, repeats)))
    print_growth(columns, "qubits")


def make_kernel_contenders(n: int, X: np.ndarray) -> dict[str, Callable[[], np.ndarray] | str]:
    from bench_kernel import make_pennylane as pennylane_kernel
    from qiskit.circuit.library import zz_feature_map

    from qmlkit.kernels import FidelityKernel

    fm = zz_feature_map(n, reps=2, entanglement="linear")
    made: dict[str, Callable[[], np.ndarray] | str] = {
        "qmlkit FidelityKernel": lambda: FidelityKernel(fm).evaluate(X)
    }
    for device in PENNYLANE_VQC:
        pl = pennylane_kernel("linear", device, n)
        made[f"PennyLane {device}"] = pl if isinstance(pl, str) else (lambda pl=pl: pl(X))
    return made


def kernel_scaling(n: int, sizes: list[int], repeats: int, caps: dict[str, int]) -> None:
    print(
        f"\nFidelity kernel, zz_feature_map({n}, reps=2, linear), N x N Gram matrix of N random "
        f"points; best of up to {repeats}"
    )
    runs = [(N, n, N) for N in sizes]
    time_kernels(runs, "N", repeats, caps, cap_unit="N =")


def kernel_qubit_scaling(qubits: list[int], N: int, repeats: int, caps: dict[str, int]) -> None:
    """The same N x N Gram matrix as ``kernel_scaling``, at a fixed N, over qubit counts."""
    print(
        f"\nFidelity kernel, zz_feature_map(n, reps=2, linear), {N} x {N} Gram matrix of {N} "
        f"random points, n = {qubits[0]}..{qubits[-1]} qubits; best of up to {repeats}"
    )
    runs = [(n, n, N) for n in qubits]
    time_kernels(runs, "qubits", repeats, caps, cap_unit="qubits:")


def time_kernels(
    runs: list[tuple[int, int, int]],
    size: str,
    repeats: int,
    caps: dict[str, int],
    cap_unit: str,
) -> None:
    """Time every kernel contender at each (size value, qubits, points) of ``runs``, after
    checking it against qmlkit's matrix; a contender stops above its cap in ``size``."""
    print("every contender exact (statevectors, no shots)")
    for device, cap in caps.items():
        print(f"capped: {device} runs up to {cap_unit} {cap} (it takes minutes beyond)")
    columns: dict[str, list[tuple[int, float]]] = {}
    skipped: set[str] = set()
    for value, n, N in runs:
        X = np.random.default_rng(value).uniform(0, np.pi, (N, n))
        reference = None
        for name, fn in make_kernel_contenders(n, X).items():
            if isinstance(fn, str):
                if fn not in skipped:
                    print(f"skipped: {fn}")
                    skipped.add(fn)
                continue
            if value > caps.get(name.removeprefix("PennyLane "), value):
                continue
            K = fn()
            if reference is None:
                reference = K
            elif (err := float(np.max(np.abs(K - reference)))) > 1e-10:
                raise SystemExit(f"[{size} = {value}] {name} disagrees with qmlkit by {err:.1e}")
            columns.setdefault(name, []).append((value, _peers.best_time(fn, repeats)))
    print_growth(columns, size)


def print_growth(columns: dict[str, list[tuple[int, float]]], size: str) -> None:
    """Each contender's time per size and its growth factor from the previous size."""
    print(f"\n{'contender':44s} {'mode':>5s} {size:>6s} {'time (ms)':>10s} {'growth':>7s}")
    for name, points in columns.items():
        previous = None
        for value, t in points:
            growth = f"x{t / previous:.2f}" if previous else ""
            print(f"{name:44s} exact {value:6d} {1e3 * t:10.1f} {growth:>7s}")
            previous = t
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[2, 4, 6, 8, 10, 12, 14])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--kernel-qubits", type=int, default=8)
    parser.add_argument(
        "--kernel-points", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000]
    )
    parser.add_argument("--kernel-qubit-sweep", type=int, nargs="+", default=[4, 6, 8, 10, 12, 14])
    parser.add_argument("--kernel-sweep-points", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-vqc", action="store_true")
    parser.add_argument("--skip-kernel", action="store_true")
    args = parser.parse_args()
    _peers.print_load("start")
    if not args.skip_vqc:
        vqc_scaling(args.qubits, args.points, args.repeats, VQC_CAPS)
    if not args.skip_kernel:
        kernel_scaling(args.kernel_qubits, args.kernel_points, args.repeats, KERNEL_CAPS)
        kernel_qubit_scaling(
            args.kernel_qubit_sweep, args.kernel_sweep_points, args.repeats, KERNEL_CAPS
        )
    _peers.print_load("end")


if __name__ == "__main__":
    main()
