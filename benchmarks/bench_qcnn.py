"""QCNN training: qmlkit against qiskit-machine-learning and PennyLane, same model, in one run.

The model everywhere is ``qmlkit.models.qcnn.qcnn_circuit(8)``: three levels of a convolution
(qiskit-machine-learning's 3-angle block, angles shared by the level) and a pooling (RY on the
source, then CRY on the sink for each source value, angles shared), and a final RX on the
output qubit 7; 19 angles. P(class 1) = P(qubit 7 reads 1) = (1 - <Z_7>) / 2, the loss is the
mean natural-log binary cross-entropy, the optimiser scipy's L-BFGS-B with the same budget and
the same initial angles. Every contender is first checked to give qmlkit's loss and gradient
at the initial angles (to 1e-8), so they train the same function; the final loss of each is
evaluated by one common function, and every row is exact (no shots).

For each task, every contender's loss and gradient at the initial angles is checked against
qmlkit's and timed (best of 3 when one call takes under 2 s); then qmlkit and PennyLane train
with L-BFGS-B (maxiter=15) from the same angles, and the table shows fit time, iterations,
loss evaluations, final training loss and test accuracy. Equal losses and accuracies in a
column mean the contenders followed the same optimisation path.

A. The task of qiskit-machine-learning's QCNN tutorial: 2x4-pixel images of horizontal and
   vertical lines with noise (the tutorial's ``generate_dataset``, as
   ``qmlkit.datasets.line_images``, seeded; 34 training and 16 test images), encoded by
   ``z_feature_map(8)`` (reps=2, as ``ZFeatureMap(8)`` there).
   qiskit-machine-learning: ``EstimatorQNN`` (exact StatevectorEstimator, parameter-shift
   gradients, as in the tutorial) with the cross-entropy above. One of its loss + gradient
   evaluations takes tens of seconds (2 x 19 shifted circuits per image), so it is not
   trained here: its fit time is ESTIMATED as that measured time times the number of
   evaluations qmlkit's L-BFGS-B made (marked *), and it has no accuracy. PennyLane: the same
   circuit as a QNode, ``lightning.qubit`` with adjoint gradients (one circuit per image)
   and ``default.qubit`` with backprop (all images at once, parameter broadcasting).

B. The lesson's task, quantum data: ground states of the 8-qubit Ising ring
   (``qmlkit.datasets.ising_phases``, 48 training and 16 test states) as input states.
   PennyLane loads them with ``qml.StatePrep``. qiskit-machine-learning's way to load
   states, ``raw_feature_vector``, cannot be differentiated (its gradient fails with "Cannot
   define a ParameterizedInitialize with unbound parameters"), so it has no row; the time of
   one forward pass and the error are printed.

Target (issue 14): same or better accuracy, >= 10x faster than qiskit-ml, and faster than
PennyLane's fastest CPU device. The load average is printed at start and end.

Run: .venv/bin/python benchmarks/bench_qcnn.py
"""

from __future__ import annotations

import time

import _peers
import numpy as np

SEED = 7
MAXITER = 15
N_QUBITS = 8


# ------------------------------------------------------------------------------ the data


def image_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tutorial's task: 50 line images (qmlkit.datasets.line_images), 30 % for testing."""
    from qmlkit import datasets

    return datasets.line_images(n_samples=50, test_size=0.3, seed=SEED)


def bce(p1: np.ndarray, y: np.ndarray) -> float:
    """The common loss: mean natural-log binary cross-entropy, p clipped to [1e-12, 1 - 1e-12]."""
    p = np.clip(np.asarray(p1, dtype=float), 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def scipy_fit(loss_and_grad, w0: np.ndarray) -> tuple[np.ndarray, int, int, float]:
    """L-BFGS-B with the common budget: (weights, iterations, evaluations, seconds)."""
    from scipy.optimize import minimize

    t = time.perf_counter()
    res = minimize(loss_and_grad, w0, jac=True, method="L-BFGS-B", options={"maxiter": MAXITER})
    return res.x, int(res.nit), int(res.nfev), time.perf_counter() - t


# ------------------------------------------------------------------------- the contenders


def qmlkit_model(fm, w0: np.ndarray, X: np.ndarray, y: np.ndarray):
    """A QCNNClassifier set up by one iteration: its loss_and_gradient and predict_proba at
    any angles are the common evaluation."""
    from qmlkit.models import QCNNClassifier

    kwargs = {"input": "state"} if fm is None else {"feature_map": fm}
    clf = QCNNClassifier(maxiter=1, initial_point=w0, **kwargs).fit(X, y)
    return clf


def run_qmlkit(fm, w0, data) -> dict:
    from qmlkit.models import QCNNClassifier

    evaluations = []

    class CountingQCNN(QCNNClassifier):  # counts loss + gradient evaluations
        def _loss_and_grad(self, *args):
            evaluations.append(1)
            return super()._loss_and_grad(*args)

    X_train, y_train = data[0], data[1]
    kwargs = {"input": "state"} if fm is None else {"feature_map": fm}
    clf = CountingQCNN(optimizer="L-BFGS-B", maxiter=MAXITER, initial_point=w0, **kwargs)
    t = time.perf_counter()
    clf.fit(X_train, y_train)
    secs = time.perf_counter() - t
    return {"secs": secs, "nit": clf.n_iter_, "nfev": len(evaluations), "w": clf.weights_}


def qiskit_ml_qnn(fm):
    """EstimatorQNN of the feature map + QCNN with the observable Z on the output qubit."""
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    from qmlkit.models.qcnn import qcnn_circuit

    qc, theta, out = qcnn_circuit(N_QUBITS)
    observable = SparsePauliOp.from_sparse_list([("Z", [out], 1.0)], num_qubits=N_QUBITS)
    return EstimatorQNN(
        circuit=fm.compose(qc),
        observables=observable,
        input_params=list(fm.parameters),
        weight_params=list(theta),
    )


def z_cross_entropy():
    """qiskit-ml Loss on the QNN output o = <Z_out>: the BCE of p1 = (1 - o) / 2, per sample."""
    from qiskit_machine_learning.utils.loss_functions import Loss

    class ZCrossEntropy(Loss):
        def evaluate(self, predict, target):
            p = np.clip((1 - np.asarray(predict, float)) / 2, 1e-12, 1 - 1e-12)
            t = np.asarray(target, float)
            return -(t * np.log(p) + (1 - t) * np.log(1 - p))

        def gradient(self, predict, target):
            p = np.clip((1 - np.asarray(predict, float)) / 2, 1e-12, 1 - 1e-12)
            t = np.asarray(target, float)
            return -0.5 * (p - t) / (p * (1 - p))

    return ZCrossEntropy()


def pennylane_qcnn(device: str, diff: str, kind: str):
    """A QNode of the same QCNN: (qnode, batched), or a string saying why it is skipped.

    Qiskit's qubit q is PennyLane's wire q. PennyLane reads a state vector with wire 0 as the
    most significant bit, so ``StatePrep`` gets the wires in reverse order, which puts
    Qiskit's qubit 0 (the least significant bit) on wire 0.
    """
    dev = _peers.device(device, N_QUBITS)
    if isinstance(dev, str):
        return dev
    qml = _peers.pennylane()
    from qmlkit.models.qcnn import conv_pairs, pool_pairs

    def conv(w, q0, q1):
        qml.RZ(-np.pi / 2, wires=q1)
        qml.CNOT(wires=[q1, q0])
        qml.RZ(w[0], wires=q0)
        qml.RY(w[1], wires=q1)
        qml.CNOT(wires=[q0, q1])
        qml.RY(w[2], wires=q1)
        qml.CNOT(wires=[q1, q0])
        qml.RZ(np.pi / 2, wires=q0)

    def pool(w, source, sink):
        qml.RY(w[0], wires=source)
        qml.CRY(w[1], wires=[source, sink])
        qml.PauliX(wires=source)
        qml.CRY(w[2], wires=[source, sink])
        qml.PauliX(wires=source)

    @qml.qnode(dev, diff_method=diff)
    def circuit(x, weights):
        if kind == "state":
            qml.StatePrep(x, wires=list(range(N_QUBITS))[::-1])
        else:  # z_feature_map(8), reps=2: H then P(2 x_i) on every qubit, twice
            for _ in range(2):
                for i in range(N_QUBITS):
                    qml.Hadamard(wires=i)
                    qml.PhaseShift(2.0 * x[..., i], wires=i)
        active, level = list(range(N_QUBITS)), 0
        while len(active) > 1:
            for q0, q1 in conv_pairs(active):
                conv(weights[6 * level : 6 * level + 3], q0, q1)
            pairs, active = pool_pairs(active)
            for source, sink in pairs:
                pool(weights[6 * level + 3 : 6 * level + 6], source, sink)
            level += 1
        qml.RX(weights[-1], wires=active[0])
        return qml.expval(qml.PauliZ(active[0]))

    return circuit


def pennylane_loss_and_grad(circuit, X: np.ndarray, y: np.ndarray, batched: bool):
    """run(w) -> (loss, gradient) of the common loss, by autograd through the QNode."""
    qml = _peers.pennylane()
    from pennylane import numpy as pnp

    yy = np.asarray(y, dtype=float)
    rows = [pnp.array(x, requires_grad=False) for x in X]
    X_all = pnp.array(X, requires_grad=False)

    def loss(weights):
        if batched:
            z = circuit(X_all, weights)
        else:
            z = pnp.stack([circuit(x, weights) for x in rows])
        p1 = pnp.clip((1 - z) / 2, 1e-12, 1 - 1e-12)
        return -pnp.mean(yy * pnp.log(p1) + (1 - yy) * pnp.log(1 - p1))

    grad = qml.grad(loss)

    def run(w: np.ndarray) -> tuple[float, np.ndarray]:
        g = grad(pnp.array(w, requires_grad=True))
        return float(grad.forward), np.asarray(g, dtype=float)

    return run


PENNYLANE = (
    ("lightning.qubit", "adjoint", False),
    ("default.qubit", "backprop", True),
)


# ----------------------------------------------------------------------------- the tables


def qiskit_ml_loss_and_grad(fm, X: np.ndarray, y: np.ndarray):
    """run(w) -> (loss, gradient) of the common loss through qiskit-ml's EstimatorQNN."""
    qnn = qiskit_ml_qnn(fm)
    loss_fn = z_cross_entropy()

    def run(w: np.ndarray) -> tuple[float, np.ndarray]:
        o = qnn.forward(X, w)  # (N, 1)
        _, g = qnn.backward(X, w)  # (N, 1, 19)
        loss = float(np.mean(loss_fn.evaluate(o, y.reshape(-1, 1))))
        d = loss_fn.gradient(o, y.reshape(-1, 1))[:, 0]
        return loss, d @ g[:, 0, :] / len(y)

    return run


def compare(title: str, fm, data, with_qiskit_ml: bool) -> None:
    """Check every contender against qmlkit, time one loss + gradient, then train."""
    X_train, y_train, X_test, y_test = data
    kind = "state" if fm is None else "features"
    w0 = np.random.default_rng(SEED).uniform(-np.pi, np.pi, 6 * 3 + 1)
    ref = qmlkit_model(fm, w0, X_train, y_train)
    loss0, grad0 = ref.loss_and_gradient(X_train, y_train, w0)

    def final(w: np.ndarray) -> tuple[float, float]:
        """The common evaluation: (training loss, test accuracy) at weights w."""
        ref.weights_ = w
        return bce(ref.predict_proba(X_train)[:, 1], y_train), float(ref.score(X_test, y_test))

    print(f"\n{title}")
    print(f"{len(X_train)} training / {len(X_test)} test points; L-BFGS-B, maxiter={MAXITER}")
    runs = {"qmlkit QCNNClassifier (adjoint)": lambda w: ref.loss_and_gradient(X_train, y_train, w)}
    if with_qiskit_ml:
        runs["qiskit-ml EstimatorQNN (param. shift)"] = qiskit_ml_loss_and_grad(
            fm, X_train, y_train
        )
    for device, diff, batched in PENNYLANE:
        made = pennylane_qcnn(device, diff, kind)
        if isinstance(made, str):
            print(f"skipped: {made}")
            continue
        runs[f"PennyLane {device} ({diff})"] = pennylane_loss_and_grad(
            made, X_train, y_train, batched
        )
    per_eval = {}
    for name, run in runs.items():
        t = time.perf_counter()
        loss, grad = run(w0)
        first = time.perf_counter() - t
        dl, dg = abs(loss - loss0), float(np.max(np.abs(grad - grad0)))
        if dl > 1e-8 or dg > 1e-8:
            raise SystemExit(f"{name} disagrees with qmlkit: loss by {dl:.1e}, grad by {dg:.1e}")
        print(f"{name} agrees with qmlkit at the initial angles: loss {dl:.0e}, grad {dg:.0e}")
        per_eval[name] = first if first > 2 else _peers.best_time(lambda r=run: r(w0), 3, 6.0)

    out = run_qmlkit(fm, w0, data)
    fits = {
        "qmlkit QCNNClassifier (adjoint)": (out["secs"], out["nit"], out["nfev"], *final(out["w"]))
    }
    for name, run in runs.items():
        if name.startswith("PennyLane"):
            w, nit, nfev, secs = scipy_fit(run, w0)
            fits[name] = (secs, nit, nfev, *final(w))
    ours_eval = per_eval["qmlkit QCNNClassifier (adjoint)"]
    ours_fit = fits["qmlkit QCNNClassifier (adjoint)"][0]
    print(
        f"{'contender':38s} {'1 loss+grad (s)':>15s} {'fit (s)':>9s} {'vs qmlkit':>9s} "
        f"{'iter':>4s} {'evals':>5s} {'final loss':>10s} {'test acc':>8s}"
    )
    for name in runs:
        if name in fits:
            secs, nit, nfev, loss, acc = fits[name]
            tail = f"{secs:9.3f} {secs / ours_fit:8.1f}x {nit:4d} {nfev:5d} {loss:10.6f} {acc:8.3f}"
        else:  # qiskit-ml: too slow to train within the benchmark's time
            est = per_eval[name] * fits["qmlkit QCNNClassifier (adjoint)"][2]
            tail = f"{est:8.0f}* {est / ours_fit:8.0f}x {'-':>4s} {'-':>5s} {'-':>10s} {'-':>8s}"
        print(f"{name:38s} {per_eval[name]:15.4f} {tail}")
    print(f"(1 loss+grad: qmlkit {1e3 * ours_eval:.1f} ms)")
    if with_qiskit_ml:
        print(
            "* qiskit-ml not trained here: estimated fit time = its measured loss+gradient time x "
            "the evaluations qmlkit's L-BFGS-B made"
        )


def qiskit_ml_state_forward(X: np.ndarray) -> str:
    """Why qiskit-ml has no training row on quantum data, and its forward time there."""
    from qiskit_machine_learning.circuit.library import raw_feature_vector

    qnn = qiskit_ml_qnn(raw_feature_vector(2**N_QUBITS))
    w0 = np.random.default_rng(SEED).uniform(-np.pi, np.pi, 19)
    t = time.perf_counter()
    qnn.forward(X, w0)
    secs = time.perf_counter() - t
    try:
        qnn.backward(X[:1], w0)
        grad = "gradient available"
    except Exception as exc:
        grad = f"gradient fails: {str(exc)[:80]}"
    return f"qiskit-ml raw_feature_vector + EstimatorQNN: one forward pass {secs:.2f} s; {grad}"


def main() -> None:
    from qiskit.circuit.library import z_feature_map

    from qmlkit import datasets

    _peers.print_load("start")
    print(f"skipped: PennyLane default.qubit + torch: {_peers.torch_reason() or 'not used'}")
    compare(
        "A. qiskit-ml's QCNN tutorial task: line images, z_feature_map(8) + QCNN(8)",
        z_feature_map(N_QUBITS),
        image_split(),
        with_qiskit_ml=True,
    )
    data = datasets.ising_phases(n_qubits=N_QUBITS, n_samples=64, seed=SEED)
    compare(
        "B. the lesson's task: Ising ground states (quantum data) + QCNN(8)",
        None,
        data,
        with_qiskit_ml=False,
    )
    print(qiskit_ml_state_forward(data[0]))
    _peers.print_load("end")


if __name__ == "__main__":
    main()
