"""QNN layer, forward + backward: qmlkit (adjoint and parameter shift) against PennyLane.

Workload (issue 16): the course QNN of lesson 09 (RY(x_i) on every qubit, then per layer RY(w[l, i])
on every qubit and the CX chain CX(0,1), ..., CX(n-2,n-1); output <Z_{n-1}>), batch 256,
3 layers, 4 and 8 qubits, random inputs and weights. One "forward + backward" is the outputs
and the gradients with respect to the inputs (per row) and the weights. Contenders:

* qmlkit adjoint: ``QNNLayer.forward`` then ``QNNLayer.backward`` (the default, exact adjoint
  method, per-row weight gradients);
* qmlkit parameter shift: the same with ``backward(..., method="parameter-shift")``, the rule a
  device with shots would use (2 n (L + 1) shifted copies of the batch);
* PennyLane ``default.qubit`` with parameter broadcasting and backpropagation, through torch
  when torch is installed (else autograd): ``out.sum().backward()``;
* PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` when installed.

PennyLane's backward of ``out.sum()`` gives per-row input gradients and the weight gradient
summed over rows; qmlkit's gives per-row weight gradients (more), which are summed to compare.
Results are first checked to agree to 1e-10, then timed (best of several repeats).
Targets: qmlkit faster than ``default.qubit`` (+torch) and ``lightning.qubit`` adjoint at 4 and
8 qubits. PennyLane, lightning and torch are not dependencies of the course; missing ones are
reported and their columns skipped.

Run: ``.venv/bin/python benchmarks/bench_qnn.py [--batch 256] [--layers 3] [--repeats 7]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

Result = tuple[np.ndarray, np.ndarray, np.ndarray]  # outputs (B,), d/dX (B, n), d/dw summed (L, n)


def best_time(fn: Callable[[], Result], repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def make_qmlkit(n: int, layers: int, method: str) -> Callable[[np.ndarray, np.ndarray], Result]:
    from qmlkit.models import QNNLayer

    layer = QNNLayer(n, layers)

    def run(X: np.ndarray, w: np.ndarray) -> Result:
        out = layer.forward(X, w)
        d_x, d_w = layer.backward(X, w, method=method)
        return out, d_x, d_w.sum(axis=0)

    return run


def make_pennylane(
    n: int, layers: int, device: str
) -> tuple[str, Callable[[np.ndarray, np.ndarray], Result]] | str:
    """(label, run) for a PennyLane contender, or the reason it is skipped."""
    try:
        import pennylane as qml
    except ImportError:
        return "PennyLane is not installed (.venv/bin/pip install pennylane)"
    try:
        dev = qml.device(device, wires=n)
    except Exception as exc:  # lightning.qubit is a separate package
        return f"{device} is not available ({type(exc).__name__}: {exc})"
    torch = None
    if device == "default.qubit":
        try:
            import torch
        except ImportError:
            torch = None
    interface = "torch" if torch is not None else "autograd"
    diff_method = "backprop" if device == "default.qubit" else "adjoint"

    @qml.qnode(dev, interface=interface, diff_method=diff_method)
    def circuit(x, w):  # x: (batch, n), broadcast over the batch
        for i in range(n):
            qml.RY(x[:, i], wires=i)
        for l in range(layers):
            for i in range(n):
                qml.RY(w[l, i], wires=i)
            for i in range(n - 1):
                qml.CNOT(wires=[i, i + 1])
        return qml.expval(qml.PauliZ(n - 1))

    if torch is not None:

        def run(X: np.ndarray, w: np.ndarray) -> Result:
            xt = torch.tensor(X, requires_grad=True, dtype=torch.float64)
            wt = torch.tensor(w, requires_grad=True, dtype=torch.float64)
            out = circuit(xt, wt)
            out.sum().backward()
            return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()

        return f"pennylane {device} + torch ({diff_method})", run

    from pennylane import numpy as pnp

    def run(X: np.ndarray, w: np.ndarray) -> Result:
        xa, wa = pnp.array(X, requires_grad=True), pnp.array(w, requires_grad=True)
        out = np.asarray(circuit(xa, wa))
        d_x, d_w = qml.grad(lambda a, b: circuit(a, b).sum(), argnum=[0, 1])(xa, wa)
        return out, np.asarray(d_x), np.asarray(d_w)

    return f"pennylane {device} + autograd ({diff_method})", run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"QNN layer forward + backward, batch {args.batch}, {args.layers} layers\n")
    all_ok = True
    for n in args.qubits:
        rng = np.random.default_rng(n)
        X = rng.uniform(-np.pi, np.pi, (args.batch, n))
        w = rng.uniform(-np.pi, np.pi, (args.layers, n))
        contenders = {
            "qmlkit adjoint": make_qmlkit(n, args.layers, "adjoint"),
            "qmlkit parameter shift": make_qmlkit(n, args.layers, "parameter-shift"),
        }
        skipped = []
        for device in ("default.qubit", "lightning.qubit"):
            made = make_pennylane(n, args.layers, device)
            if isinstance(made, str):
                skipped.append(made)
            else:
                contenders[made[0]] = made[1]
        for reason in dict.fromkeys(skipped):  # once each
            print(f"[{n} qubits] skipped: {reason}")

        reference = contenders["qmlkit adjoint"](X, w)
        failed = []
        for name, fn in contenders.items():
            if name == "qmlkit adjoint":
                continue
            try:
                result = fn(X, w)
            except Exception as exc:  # an optional contender must not stop the benchmark
                print(f"[{n} qubits] {name} failed: {type(exc).__name__}: {exc}")
                failed.append(name)
                continue
            err = max(float(np.max(np.abs(a - b))) for a, b in zip(result, reference))
            ok = err < 1e-10
            all_ok &= ok
            print(
                f"[{n} qubits] max difference {name} - qmlkit adjoint: {err:.1e} "
                f"{'ok' if ok else 'MISMATCH'}"
            )
        for name in failed:
            del contenders[name]

        times = {}
        for name, fn in contenders.items():
            times[name] = best_time(lambda fn=fn, X=X, w=w: fn(X, w), args.repeats)
        ours = times["qmlkit adjoint"]
        print(f"\n[{n} qubits] {'contender':42s} {'ms':>9s} {'vs qmlkit adjoint':>18s}")
        for name, secs in times.items():
            print(f"[{n} qubits] {name:42s} {secs * 1e3:9.2f} {secs / ours:17.1f}x")
        for name, secs in times.items():
            if name.startswith("pennylane"):
                met = ours < secs
                print(
                    f"[{n} qubits] target: qmlkit faster than {name}: {'met' if met else 'NOT met'}"
                )
        print()
    if not all_ok:
        raise SystemExit("Some contenders disagree with qmlkit.")


if __name__ == "__main__":
    main()
