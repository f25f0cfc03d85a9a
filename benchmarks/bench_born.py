"""Quantum circuit Born machine training: qmlkit against PennyLane and qiskit-machine-learning.

The same model everywhere: 4 qubits, BornMachine's default ansatz with 3 layers ([RY on every
qubit; CX(0,1) CX(1,2) CX(2,3)] three times, then a last RY layer: 16 parameters); the
target is the 2x2 bars-and-stripes distribution (6 bitstrings, equally likely); the loss is
MMD^2 = (p - q)^T K (p - q) with the Gaussian mixture kernel of the Hamming distance,
bandwidths (0.5, 1, 2); the optimiser is the same Adam (qmlkit.optimizers, learning rate 0.1,
150 iterations) from the same initial weights. Every contender is exact (no shots) and is
first checked to give the same loss and gradient as qmlkit at the initial weights to 1e-8
(else the script fails), so the final losses agree too and only the time differs.

Contenders, each with the fastest fair way its library offers:

* qmlkit ``BornMachine``: exact simulation, adjoint gradient of the expectation of the
  diagonal observable G = diag(2 K (p - q)) (one forward, one backward pass);
* PennyLane ``default.qubit`` with backprop through ``qml.probs``, with autograd and (when the
  optional torch extra is installed) with torch;
* PennyLane ``lightning.qubit``: its adjoint method does not differentiate ``qml.probs``, so
  (a) parameter shift on ``qml.probs`` (2 x 16 + 1 circuits per step), and (b) the same
  trick as qmlkit: one forward pass for p, then the adjoint gradient of
  ``expval(Hermitian(diag(2K(p - q))))``;
* qiskit-machine-learning ``SamplerQNN`` (its probabilities output) with its
  ``ParamShiftSamplerGradient``, on an exact (no-shot) sampler, the loss and its gradient
  assembled from the QNN's forward and backward passes.

Qiskit's qubit i is PennyLane's wire n-1-i here, so ``qml.probs`` lists the bitstrings in
Qiskit's index order. Printed: time per training, final MMD^2, KL(target || model) and the
probability of the 6 valid patterns; the load average at start and end.
Target: qmlkit faster than every peer with the same final loss.

Run: .venv/bin/python benchmarks/bench_born.py
"""

from __future__ import annotations

import time

import _peers
import numpy as np

SEED = 14
N = 4
REPS = 3
BANDWIDTH = (0.5, 1.0, 2.0)
MAXITER = 150
LEARNING_RATE = 0.1


def bars_and_stripes() -> np.ndarray:
    """The 2x2 bars-and-stripes distribution over 4 bits (pixel k = qubit k), Qiskit order."""
    patterns = {0b0000, 0b1111, 0b0011, 0b1100, 0b0101, 0b1010}
    q = np.zeros(2**N)
    q[list(patterns)] = 1 / len(patterns)
    return q


def samples_of(q: np.ndarray) -> dict[str, int]:
    """The target as exact counts (600 samples, 100 per pattern): BornMachine fits samples."""
    return {format(k, f"0{N}b"): int(round(600 * v)) for k, v in enumerate(q) if v > 0}


def initial_weights(m: int) -> np.ndarray:
    """BornMachine's own initial weights for random_state=SEED."""
    return np.random.default_rng(SEED).uniform(-np.pi, np.pi, m) * 0.5


def train(loss_and_grad, w0: np.ndarray) -> tuple[float, np.ndarray]:
    from qmlkit.optimizers import minimize

    t = time.perf_counter()
    res = minimize(
        loss_and_grad, w0.copy(), method="adam", maxiter=MAXITER, learning_rate=LEARNING_RATE
    )
    return time.perf_counter() - t, res.x


def pennylane_contenders(kernel: np.ndarray, q: np.ndarray) -> dict:
    """{label: loss_and_grad(w)} for the PennyLane rows, or {label: why skipped}."""
    out: dict = {}
    qml = _peers.pennylane()
    if qml is None:
        return {"PennyLane": "not installed"}
    from pennylane import numpy as pnp

    def layers(w):
        for r in range(REPS + 1):
            for i in range(N):
                qml.RY(w[r * N + i], wires=N - 1 - i)
            if r < REPS:
                for i in range(N - 1):
                    qml.CNOT(wires=[N - 1 - i, N - 2 - i])

    kq = kernel @ q

    def mmd(p):
        return p @ kernel @ p - 2 * p @ kq + q @ kq

    dev = _peers.device("default.qubit", N)
    if isinstance(dev, str):
        out["PennyLane default.qubit (backprop)"] = dev
    else:

        @qml.qnode(dev, diff_method="backprop")
        def probs_bp(w):
            layers(w)
            return qml.probs(wires=range(N))

        grad = qml.grad(lambda w: mmd(probs_bp(w)))

        def run_bp(w):
            g = grad(pnp.array(w, requires_grad=True))
            return float(grad.forward), np.asarray(g)

        out["PennyLane default.qubit (backprop)"] = run_bp

    torch_label = "PennyLane default.qubit + torch (backprop)"
    if (reason := _peers.torch_reason()) is not None:
        out[torch_label] = reason
    elif not isinstance(dev, str):
        import torch

        @qml.qnode(dev, interface="torch", diff_method="backprop")
        def probs_torch(w):
            layers(w)
            return qml.probs(wires=range(N))

        kt = torch.tensor(kernel, dtype=torch.float64)
        qt = torch.tensor(q, dtype=torch.float64)

        def run_torch(w):
            wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
            d = probs_torch(wt) - qt
            loss = d @ kt @ d
            loss.backward()
            return float(loss.detach()), wt.grad.numpy().copy()

        out[torch_label] = run_torch

    dev = _peers.device("lightning.qubit", N)
    if isinstance(dev, str):
        out["PennyLane lightning.qubit"] = dev
        return out

    @qml.qnode(dev, diff_method="parameter-shift")
    def probs_ps(w):
        layers(w)
        return qml.probs(wires=range(N))

    jac = qml.jacobian(probs_ps)

    def run_ps(w):
        wa = pnp.array(w, requires_grad=True)
        p = np.asarray(probs_ps(wa))
        dp = np.asarray(jac(wa))  # (2**N, m)
        return float(mmd(p)), dp.T @ (2 * kernel @ (p - q))

    out["PennyLane lightning.qubit (parameter shift)"] = run_ps

    @qml.qnode(dev, diff_method=None)
    def probs_plain(w):
        layers(w)
        return qml.probs(wires=range(N))

    @qml.qnode(dev, diff_method="adjoint")
    def expval_g(w, g):
        layers(w)
        return qml.expval(qml.Hermitian(np.diag(g), wires=range(N)))

    grad_g = qml.grad(expval_g, argnums=0)

    def run_adjoint(w):
        p = np.asarray(probs_plain(w))
        g = 2 * kernel @ (p - q)
        return float(mmd(p)), np.asarray(grad_g(pnp.array(w, requires_grad=True), g))

    out["PennyLane lightning.qubit (adjoint, diag. obs.)"] = run_adjoint
    return out


def qiskit_ml_contender(circuit, kernel: np.ndarray, q: np.ndarray):
    """loss_and_grad(w) from qiskit-ml's SamplerQNN (probabilities) and its gradient."""
    from bench_vqc import exact_sampler
    from qiskit_machine_learning.gradients import ParamShiftSamplerGradient
    from qiskit_machine_learning.neural_networks import SamplerQNN

    sampler = exact_sampler()
    qnn = SamplerQNN(
        circuit=circuit.copy(),
        input_params=[],
        weight_params=list(circuit.parameters),
        sampler=sampler,
        gradient=ParamShiftSamplerGradient(sampler=sampler),
    )

    def run(w):
        p = np.asarray(qnn.forward(None, w)).reshape(-1)
        _, dp = qnn.backward(None, w)  # (1, 2**N, m)
        d = p - q
        return float(d @ kernel @ d), np.asarray(dp)[0].T @ (2 * kernel @ d)

    return "qiskit-ml SamplerQNN (param. shift)", run


def main() -> None:
    from qmlkit.models import BornMachine
    from qmlkit.models.born import gaussian_kernel_matrix

    _peers.print_load("start")
    q = bars_and_stripes()
    kernel = gaussian_kernel_matrix(N, BANDWIDTH)
    valid = q > 0
    print(
        f"2x2 bars and stripes on {N} qubits; ansatz: {REPS} layers of RY + CX chain and a last "
        f"RY layer ({N * (REPS + 1)} parameters); MMD^2 with bandwidths {BANDWIDTH}; Adam, "
        f"learning rate {LEARNING_RATE}, {MAXITER} iterations, same initial weights; all exact\n"
    )
    kwargs = dict(n_qubits=N, reps=REPS, bandwidth=BANDWIDTH, learning_rate=LEARNING_RATE)
    probe = BornMachine(maxiter=1, random_state=SEED, **kwargs).fit(samples_of(q))
    assert np.allclose(probe.data_distribution_, q)
    m = probe.weights_.size
    w0 = initial_weights(m)

    contenders: dict = {"qmlkit BornMachine (adjoint)": probe.loss_and_gradient}
    skipped = []
    for label, made in pennylane_contenders(kernel, q).items():
        if isinstance(made, str):
            skipped.append(f"{label}: {made}")
        else:
            contenders[label] = made
    try:
        label, run = qiskit_ml_contender(probe.circuit_, kernel, q)
        contenders[label] = run
    except ImportError as exc:
        skipped.append(f"qiskit-machine-learning: not installed ({exc})")
    for line in skipped:
        print("skipped:", line)

    ref_loss, ref_grad = probe.loss_and_gradient(w0)
    for label, run in contenders.items():
        loss, grad = run(w0)
        dl, dg = abs(loss - ref_loss), float(np.max(np.abs(grad - ref_grad)))
        if dl > 1e-8 or dg > 1e-8:
            raise SystemExit(
                f"{label} disagrees with qmlkit at the initial weights: loss by {dl:.1e}, "
                f"gradient by {dg:.1e}; the models differ and timings would be meaningless"
            )
        print(f"{label:48s} agrees at w0: loss {dl:.0e}, gradient {dg:.0e}")

    print(
        f"\n{'contender':48s} {'fit (s)':>8s} {'ms/step':>8s} {'vs qmlkit':>9s} "
        f"{'final MMD^2':>12s} {'KL(q||p)':>9s} {'P(valid)':>9s}"
    )
    rows = {}
    t = time.perf_counter()
    model = BornMachine(maxiter=MAXITER, random_state=SEED, **kwargs).fit(samples_of(q))
    rows["qmlkit BornMachine (adjoint)"] = (time.perf_counter() - t, model.weights_)
    for label, run in contenders.items():
        if label.startswith("qmlkit"):
            continue
        rows[label] = train(run, w0)
    ours = rows["qmlkit BornMachine (adjoint)"][0]
    finals = []
    for label, (secs, w) in rows.items():
        loss, _ = probe.loss_and_gradient(w)
        p = np.abs(probe._states(w)[0]) ** 2
        kl = float(np.sum(q[valid] * np.log(q[valid] / p[valid])))
        finals.append(loss)
        print(
            f"{label:48s} {secs:8.2f} {1e3 * secs / MAXITER:8.1f} {secs / ours:8.1f}x "
            f"{loss:12.2e} {kl:9.4f} {p[valid].sum():9.4f}"
        )
    spread = max(finals) - min(finals)
    print(f"\nlargest difference of the final MMD^2 between contenders: {spread:.1e}")
    fastest_peer = min(s for label, (s, _) in rows.items() if not label.startswith("qmlkit"))
    verdict = "ok" if fastest_peer > ours and spread < 1e-6 else "BELOW TARGET"
    print(f"fastest peer / qmlkit: {fastest_peer / ours:.1f}x (target > 1, same loss): {verdict}")
    _peers.print_load("end")


if __name__ == "__main__":
    main()
