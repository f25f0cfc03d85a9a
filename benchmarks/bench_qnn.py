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
  (``out.sum().backward()``; torch is the optional ``torch`` extra, reported "not installed"
  without it) and through autograd (``qml.grad`` of ``out.sum()``);
* PennyLane ``lightning.qubit`` with ``diff_method="adjoint"`` (autograd; PennyLane runs the
  broadcast batch as one circuit per row).

Every contender is exact (no shots), as each row says; the load average is printed at start
and end.

PennyLane's backward of ``out.sum()`` gives per-row input gradients and the weight gradient
summed over rows; qmlkit's gives per-row weight gradients (more), which are summed to compare.
Results are first checked to agree to 1e-10, then timed (best of several repeats).
Targets: qmlkit faster than ``default.qubit`` (+torch) and ``lightning.qubit`` adjoint at 4 and
8 qubits. PennyLane and lightning are course dependencies and torch the ``bench``/``torch``
extra (``make bench``); missing ones are reported "not installed" and their rows skipped.

Run: ``.venv/bin/python benchmarks/bench_qnn.py [--batch 256] [--layers 3] [--repeats 7]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import _peers
import numpy as np

Result = tuple[np.ndarray, np.ndarray, np.ndarray]  # outputs (B,), d/dX (B, n), d/dw summed (L, n)


def make_qmlkit(n: int, layers: int, method: str) -> Callable[[np.ndarray, np.ndarray], Result]:
    from qmlkit.models import QNNLayer

    layer = QNNLayer(n, layers)

    def run(X: np.ndarray, w: np.ndarray) -> Result:
        out = layer.forward(X, w)
        d_x, d_w = layer.backward(X, w, method=method)
        return out, d_x, d_w.sum(axis=0)

    return run


def make_pennylane(
    n: int, layers: int, device: str, interface: str
) -> tuple[str, Callable[[np.ndarray, np.ndarray], Result]] | str:
    """(label, run) for a PennyLane contender, or the reason it is skipped.

    Qiskit's qubit i is PennyLane's wire i (they number basis states in opposite bit orders,
    which <Z_{n-1}> does not see).
    """
    diff_method = "backprop" if device == "default.qubit" else "adjoint"
    label = f"pennylane {device} + {interface} ({diff_method})"
    dev = _peers.device(device, n)
    if isinstance(dev, str):
        return dev
    if interface == "torch" and (reason := _peers.torch_reason()) is not None:
        return f"{label}: {reason}"
    qml = _peers.pennylane()

    @qml.qnode(dev, interface=interface, diff_method=diff_method)
    def circuit(x, w):  # x: (batch, n), broadcast over the batch
        for i in range(n):
            qml.RY(x[:, i], wires=i)
        for layer in range(layers):
            for i in range(n):
                qml.RY(w[layer, i], wires=i)
            for i in range(n - 1):
                qml.CNOT(wires=[i, i + 1])
        return qml.expval(qml.PauliZ(n - 1))

    if interface == "torch":
        import torch

        def run(X: np.ndarray, w: np.ndarray) -> Result:
            xt = torch.tensor(X, requires_grad=True, dtype=torch.float64)
            wt = torch.tensor(w, requires_grad=True, dtype=torch.float64)
            out = circuit(xt, wt)
            out.sum().backward()
            return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()

        return label, run

    from pennylane import numpy as pnp

    def run(X: np.ndarray, w: np.ndarray) -> Result:
        xa, wa = pnp.array(X, requires_grad=True), pnp.array(w, requires_grad=True)
        outputs = []

        def total(a, b):
            out = circuit(a, b)
            outputs.append(out)
            return out.sum()

        d_x, d_w = qml.grad(total, argnums=[0, 1])(xa, wa)  # one forward and one backward pass
        out = np.asarray(getattr(outputs[-1], "_value", outputs[-1]), dtype=float)
        return out, np.asarray(d_x), np.asarray(d_w)

    return label, run


PENNYLANE = (
    ("default.qubit", "torch"),
    ("default.qubit", "autograd"),
    ("lightning.qubit", "autograd"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--qubits", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    _peers.print_load("start")
    print(f"QNN layer forward + backward, batch {args.batch}, {args.layers} layers")
    print("every contender exact (statevectors, exact gradients, no shots)\n")
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
        for device, interface in PENNYLANE:
            made = make_pennylane(n, args.layers, device, interface)
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
            times[name] = _peers.best_time(lambda fn=fn, X=X, w=w: fn(X, w), args.repeats)
        ours = times["qmlkit adjoint"]
        print(
            f"\n[{n} qubits] {'contender':46s} {'mode':>5s} {'ms':>9s} {'vs qmlkit adjoint':>18s}"
        )
        for name, secs in times.items():
            print(f"[{n} qubits] {name:46s} exact {secs * 1e3:9.2f} {secs / ours:17.1f}x")
        for name, secs in times.items():
            if name.startswith("pennylane"):
                met = ours < secs
                print(
                    f"[{n} qubits] target: qmlkit faster than {name}: {'met' if met else 'NOT met'}"
                )
        print()
    _peers.print_load("end")
    if not all_ok:
        raise SystemExit("Some contenders disagree with qmlkit.")


if __name__ == "__main__":
    main()
