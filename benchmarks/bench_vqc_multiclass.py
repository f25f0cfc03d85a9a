"""Multi-class VQC on a real data set: qmlkit against qiskit-machine-learning and PennyLane.

The problem: scikit-learn's wine data (178 wines, 13 features, 3 classes), split 70/30
(stratified, seed 8), standardised, reduced to 4 principal components and scaled to [0, pi]
by a pipeline fitted on the training split only (124 training, 54 test points).

The same model on every side: zz_feature_map(4, reps=1) + real_amplitudes(4, reps=2) (12
weights), the multi-output read-out P(class c) = total probability of the bitstrings b with
b mod 3 = c (qiskit-machine-learning's default ``interpret`` for three classes, qmlkit's
``readout="z"``), the mean natural-log cross-entropy, one-hot labels, scipy's L-BFGS-B with
the same iteration budget and the same initial weights. Every contender is exact (no shots):

* qmlkit ``VQC``: batched statevectors and adjoint gradients;
* qiskit-machine-learning ``VQC`` (one-hot) on an exact sampler, parameter-shift gradients
  (the exact sampler and the natural-log loss are those of bench_vqc.py);
* PennyLane ``lightning.qubit`` with ``diff_method="adjoint"``: the circuit is translated gate
  by gate from the Qiskit one (qubit i = wire i); the class probabilities are expectation
  values of projectors written as sums of Z strings (lightning's adjoint method
  differentiates expectation values), two of them, the third class taking the rest; the
  data-dependent angles are computed once, before training.

Every contender runs on one thread (``OMP_NUM_THREADS=1``, set before the imports unless
already set): on this shared 2-core machine lightning's (and Aer's) OpenMP threads otherwise
spin against each other and one loss + gradient of PennyLane took 6 times longer (9.9 s
against 1.6 s); qmlkit trains on one thread anyway.

Each is first checked to give the same loss as qmlkit at the initial weights (to 1e-8), then
trained; the table prints fit time, test accuracy, iterations and final loss. Then qmlkit's
default multi-class VQC (data re-uploading) and classical baselines on the same split.
The load average is printed at start and end.

Run: .venv/bin/python benchmarks/bench_vqc_multiclass.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # see the module docstring

import time  # noqa: E402

import _peers  # noqa: E402
import numpy as np  # noqa: E402
from bench_vqc import fit_qiskit_vqc  # noqa: E402

SEED = 8
MAXITER = 6  # qiskit-ml needs about 15 s per loss + gradient here: 20 iterations took 311 s
N_CLASSES = 3


def wine_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_wine
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X, y = load_wine(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=SEED
    )
    prep = make_pipeline(StandardScaler(), PCA(4), MinMaxScaler((0, np.pi))).fit(X_train)
    return prep.transform(X_train), y_train, prep.transform(X_test), y_test


def run_qmlkit(fm, ansatz, w0, data):
    from qmlkit.models import VQC

    X_train, y_train, X_test, y_test = data
    clf = VQC(feature_map=fm, ansatz=ansatz, readout="z", maxiter=MAXITER, initial_point=w0)
    t = time.perf_counter()
    clf.fit(X_train, y_train)
    secs = time.perf_counter() - t
    return secs, clf.score(X_test, y_test), clf.n_iter_, clf.loss(X_train, y_train), clf


def run_qiskit_ml(fm, ansatz, w0, data):
    X_train, y_train, X_test, y_test = data
    # default interpret: bitstring value mod 3
    clf, secs = fit_qiskit_vqc(fm, ansatz, w0, X_train, y_train, MAXITER, output_shape=N_CLASSES)
    nit = clf.fit_result.nit if clf.fit_result.nit is not None else -1
    # its objective is the loss summed over the points divided by their number: the mean
    return secs, clf.score(X_test, y_test), nit, float(clf.fit_result.fun)


def make_pennylane(circuit, inputs, weights, X, y):
    """(label, run, predict) for the same model on lightning.qubit (adjoint), or why not."""
    dev = _peers.device("lightning.qubit", circuit.num_qubits)
    if isinstance(dev, str):
        return dev
    qml = _peers.pennylane()
    from pennylane import numpy as pnp

    n = circuit.num_qubits
    flat = circuit  # zz_feature_map and real_amplitudes are built from h, p, cx and ry
    program, input_exprs = [], []
    for inst in flat.data:
        name, wires = inst.operation.name, [flat.find_bit(q).index for q in inst.qubits]
        if name not in ("h", "p", "cx", "ry"):
            raise SystemExit(f"the PennyLane translation does not know the gate {name!r}")
        if name in ("h", "cx"):
            program.append((name, wires, None))
            continue
        expr = inst.operation.params[0]
        if set(expr.parameters) <= set(weights):  # real_amplitudes: RY(weight)
            program.append((name, wires, ("w", weights.index(next(iter(expr.parameters))))))
        else:  # feature map: one angle per point, computed before training
            program.append((name, wires, ("x", len(input_exprs))))
            input_exprs.append(expr)

    def angles_for(X_any: np.ndarray) -> list:
        return [
            pnp.array(
                [float(e.bind({p: x[inputs.index(p)] for p in e.parameters})) for x in X_any],
                requires_grad=False,
            )
            for e in input_exprs
        ]

    # P(class c) = <projector onto the bitstrings of class c>, written as a sum of Z strings
    # (lightning evaluates and differentiates such sums natively): the indicator of class c
    # is sum_S a_S prod_{q in S} z_q with a_S = mean_b [class(b) = c] (-1)^|b & S|
    index = np.arange(2**n)
    projectors = []
    for c in range(N_CLASSES - 1):
        indicator = (index % N_CLASSES == c).astype(float)
        coeffs, ops = [], []
        for subset in range(2**n):
            a = float(
                np.mean(indicator * (-1.0) ** np.array([bin(b & subset).count("1") for b in index]))
            )
            if abs(a) < 1e-12:
                continue
            zs = [qml.PauliZ(q) for q in range(n) if subset >> q & 1]
            coeffs.append(a)
            ops.append(qml.Identity(0) if not zs else zs[0] if len(zs) == 1 else qml.prod(*zs))
        projectors.append(qml.dot(coeffs, ops))

    @qml.qnode(dev, diff_method="adjoint", device_vjp=True)
    def qnode(w, angles):
        for name, wires, arg in program:
            if name == "h":
                qml.Hadamard(wires=wires[0])
            elif name == "cx":
                qml.CNOT(wires=wires)
            else:
                angle = w[arg[1]] if arg[0] == "w" else angles[arg[1]]
                (qml.RY if name == "ry" else qml.PhaseShift)(angle, wires=wires[0])
        return [qml.expval(o) for o in projectors]

    def class_probs(first):  # the last class takes the rest: the probabilities add up to 1
        first = pnp.stack(first)  # (K - 1, B)
        return pnp.concatenate([first, 1 - pnp.sum(first, axis=0, keepdims=True)]).T

    train_angles = angles_for(X)
    onehot = np.eye(N_CLASSES)[np.asarray(y)]

    def loss(w):
        p_y = pnp.sum(class_probs(qnode(w, train_angles)) * onehot, axis=1)
        return -pnp.mean(pnp.log(pnp.clip(p_y, 1e-12, None)))

    grad = qml.grad(loss)

    def run(w: np.ndarray) -> tuple[float, np.ndarray]:
        g = grad(pnp.array(w, requires_grad=True))
        return float(grad.forward), np.asarray(g)

    def predict(w: np.ndarray, X_new: np.ndarray) -> np.ndarray:
        probs = class_probs(qnode(pnp.array(w, requires_grad=False), angles_for(X_new)))
        return np.argmax(np.asarray(probs), axis=1)

    return "PennyLane lightning.qubit (adjoint)", run, predict


def run_pennylane(made, w0, data):
    from scipy.optimize import minimize

    _, run, predict = made
    X_train, y_train, X_test, y_test = data
    t = time.perf_counter()
    res = minimize(run, w0, jac=True, method="L-BFGS-B", options={"maxiter": MAXITER})
    secs = time.perf_counter() - t
    acc = float(np.mean(predict(res.x, X_test) == y_test))
    return secs, acc, int(res.nit), float(res.fun)


def main() -> None:
    from qiskit.circuit.library import real_amplitudes, zz_feature_map

    from qmlkit.models import VQC

    _peers.print_load("start")
    data = wine_data()
    X_train, y_train, X_test, y_test = data
    print(
        f"wine: {len(X_train)} training / {len(X_test)} test points, 3 classes, 13 features -> "
        "4 principal components in [0, pi] (pipeline fitted on the training split)"
    )
    fm, ansatz = zz_feature_map(4, reps=1), real_amplitudes(4, reps=2)
    w0 = np.random.default_rng(SEED).uniform(-np.pi, np.pi, ansatz.num_parameters)
    print(
        f"model: zz_feature_map(4, reps=1) + real_amplitudes(4, reps=2) ({len(w0)} weights), "
        f"class = bitstring mod 3, natural-log cross-entropy, L-BFGS-B maxiter={MAXITER}, "
        "same initial weights; all exact\n"
    )
    t_q, acc_q, it_q, loss_q, clf = run_qmlkit(fm, ansatz, w0, data)
    rows = [("qmlkit VQC (adjoint)", t_q, acc_q, it_q, loss_q)]

    made = make_pennylane(
        fm.compose(ansatz), list(fm.parameters), list(ansatz.parameters), X_train, y_train
    )
    if isinstance(made, str):
        print(f"skipped: {made}")
    else:
        ours = clf.loss(X_train, y_train, w0)
        theirs, _ = made[1](w0)
        if abs(ours - theirs) > 1e-8:
            raise SystemExit(f"PennyLane's loss differs from qmlkit's by {abs(ours - theirs):.1e}")
        print(
            f"PennyLane lightning.qubit agrees with qmlkit at the initial weights: {abs(ours - theirs):.0e}"
        )
        rows.append((made[0], *run_pennylane(made, w0, data)))
    t_k, acc_k, it_k, loss_k = run_qiskit_ml(fm, ansatz, w0, data)
    rows.append(("qiskit-machine-learning VQC", t_k, acc_k, it_k, loss_k))

    print(
        f"\n{'contender':38s} {'fit (s)':>8s} {'vs qmlkit':>9s} {'test acc':>8s} {'iters':>5s} {'final loss':>10s}"
    )
    for name, secs, acc, nit, loss in rows:
        print(f"{name:38s} {secs:8.2f} {secs / t_q:8.1f}x {acc:8.3f} {nit:5d} {loss:10.4f}")

    print("\nqmlkit's default multi-class VQC (re-uploading, 4 qubits) and classical baselines:")
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    for readout in ("parity", "z"):
        t = time.perf_counter()
        model = VQC(reps=2, readout=readout, maxiter=100, random_state=SEED).fit(X_train, y_train)
        secs = time.perf_counter() - t
        print(
            f"{'VQC re-uploading, readout=' + repr(readout):38s} {secs:8.2f}           "
            f"{model.score(X_test, y_test):8.3f} {model.n_iter_:5d}"
        )
    for name, model in (("logistic regression", LogisticRegression()), ("SVC (RBF)", SVC())):
        t = time.perf_counter()
        model.fit(X_train, y_train)
        secs = time.perf_counter() - t
        print(f"{name + ', 4 PCs':38s} {secs:8.3f}           {model.score(X_test, y_test):8.3f}")
    _peers.print_load("end")


if __name__ == "__main__":
    main()
