"""Variational regression: qmlkit against qiskit-machine-learning and PennyLane, in one run.

The same model everywhere: qmlkit's default re-uploading circuit on 2 qubits with 2 uploads
(``reuploading_circuit(2, reps=2)``: twice [RY(x_i) on qubit i, trainable RY and RZ on every
qubit, CZ(0, 1)], then a trainable RY on each qubit; 10 weights), the model output
f(x) = <Z_0> (no output scale, which qiskit-ml's regressor does not have), the mean squared
error, the same data (y = sin(x_0) cos(2 x_1) + noise of 0.05, x uniform in [-pi, pi]^2, 40
training and 200 test points), the same optimiser (scipy's L-BFGS-B, 20 iterations) and the
same initial weights.

* qmlkit: ``VariationalRegressor(trainable_output=False)``: exact statevectors of all points in
  one batch, adjoint gradients.
* qiskit-machine-learning 0.9: ``EstimatorQNN`` on the same circuit (inputs re-uploaded, so not
  its ``VQR`` class, which composes a feature map and an ansatz once) with Qiskit's exact
  ``StatevectorEstimator`` (precision 0) and its default parameter-shift gradient, trained by
  ``NeuralNetworkRegressor`` with the ``squared_error`` loss, whose objective is the MSE.
* PennyLane: a QNode of the same gates (Qiskit qubit i = wire i), ``lightning.qubit`` with
  adjoint gradients and ``default.qubit`` with backprop, trained by scipy's L-BFGS-B on the
  same loss; every contender is first checked to give qmlkit's loss and gradient at the
  initial weights to 1e-8 (else the script stops: the models would differ). PennyLane runs
  the batch of data points as one broadcast tape on default.qubit; lightning.qubit's adjoint
  method splits it into one tape per point.

Every row is exact (no shots). The table has the fit time, iterations, final training MSE
and test MSE of each; then one loss + gradient evaluation timed alone. The load average is
printed at start and end (2 cores shared with other work: compare rows of one run only).

Run: .venv/bin/python benchmarks/bench_vqr.py
"""

from __future__ import annotations

import time

import _peers
import numpy as np
from scipy.optimize import minimize

SEED = 11
MAXITER = 20
N_TRAIN, N_TEST = 40, 200


def make_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    X = rng.uniform(-np.pi, np.pi, (N_TRAIN + N_TEST, 2))
    y = np.sin(X[:, 0]) * np.cos(2 * X[:, 1]) + 0.05 * rng.normal(size=len(X))
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def qmlkit_model(w0: np.ndarray, maxiter: int = MAXITER):
    from qmlkit.models import VariationalRegressor

    return VariationalRegressor(
        reps=2, trainable_output=False, optimizer="L-BFGS-B", maxiter=maxiter, initial_point=w0
    )


def run_qmlkit(w0, data) -> dict:
    X_train, y_train, X_test, y_test = data
    model = qmlkit_model(w0)
    t = time.perf_counter()
    model.fit(X_train, y_train)
    secs = time.perf_counter() - t
    train = model.loss_and_gradient(X_train, y_train)[0]
    test = float(np.mean((model.predict(X_test) - y_test) ** 2))
    return {"time": secs, "nit": model.n_iter_, "train": train, "test": test}


def qiskit_qnn():
    from qiskit.primitives import StatevectorEstimator
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    from qmlkit.models.vqc import reuploading_circuit

    qc, x, theta = reuploading_circuit(2, reps=2)
    return EstimatorQNN(
        circuit=qc,
        estimator=StatevectorEstimator(),
        observables=SparsePauliOp("IZ"),  # Z on qubit 0 (the rightmost letter)
        input_params=list(x),
        weight_params=list(theta),
        default_precision=0.0,  # exact expectation values, no simulated shot noise
    )


def run_qiskit_ml(w0, data) -> dict:
    from qiskit_machine_learning.algorithms.regressors import NeuralNetworkRegressor
    from qiskit_machine_learning.optimizers import L_BFGS_B

    X_train, y_train, X_test, y_test = data
    reg = NeuralNetworkRegressor(
        qiskit_qnn(), loss="squared_error", optimizer=L_BFGS_B(maxiter=MAXITER), initial_point=w0
    )
    t = time.perf_counter()
    reg.fit(X_train, y_train)
    secs = time.perf_counter() - t
    test = float(np.mean((reg.predict(X_test).ravel() - y_test) ** 2))
    nit = reg.fit_result.nit if reg.fit_result.nit is not None else -1
    return {"time": secs, "nit": nit, "train": float(reg.fit_result.fun), "test": test}


def pennylane_model(device: str, diff: str):
    """(label, loss_and_grad(w, X, y), predict(w, X)) in PennyLane, or why it is skipped."""
    dev = _peers.device(device, 2)
    if isinstance(dev, str):
        return dev
    qml = _peers.pennylane()
    from pennylane import numpy as pnp

    @qml.qnode(dev, diff_method=diff)
    def circuit(x0, x1, weights):
        k = 0
        for _ in range(2):
            qml.RY(x0, wires=0)
            qml.RY(x1, wires=1)
            for wire in (0, 1):
                qml.RY(weights[k], wires=wire)
                qml.RZ(weights[k + 1], wires=wire)
                k += 2
            qml.CZ(wires=[0, 1])
        qml.RY(weights[k], wires=0)
        qml.RY(weights[k + 1], wires=1)
        return qml.expval(qml.PauliZ(0))

    def predict(w, X):
        return np.asarray(circuit(X[:, 0], X[:, 1], pnp.array(w, requires_grad=False)))

    def loss_and_grad(w, X, y):
        x0 = pnp.array(X[:, 0], requires_grad=False)
        x1 = pnp.array(X[:, 1], requires_grad=False)

        def loss(weights):
            return pnp.mean((circuit(x0, x1, weights) - y) ** 2)

        grad = qml.grad(loss)
        g = grad(pnp.array(w, requires_grad=True))
        return float(grad.forward), np.asarray(g)

    return f"PennyLane {device} ({diff})", loss_and_grad, predict


PENNYLANE = (("lightning.qubit", "adjoint"), ("default.qubit", "backprop"))


def run_pennylane(loss_and_grad, predict, w0, data) -> dict:
    X_train, y_train, X_test, y_test = data
    t = time.perf_counter()
    res = minimize(
        lambda w: loss_and_grad(w, X_train, y_train),
        w0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": MAXITER},
    )
    secs = time.perf_counter() - t
    test = float(np.mean((predict(res.x, X_test) - y_test) ** 2))
    return {"time": secs, "nit": res.nit, "train": float(res.fun), "test": test}


def main() -> None:
    _peers.print_load("start")
    data = make_data()
    X_train, y_train = data[0], data[1]
    w0 = np.random.default_rng(SEED).uniform(-np.pi, np.pi, 10)
    print(
        f"y = sin(x0) cos(2 x1) + noise: {N_TRAIN} training / {N_TEST} test points; "
        f"reuploading_circuit(2, reps=2), <Z_0>, MSE, L-BFGS-B maxiter={MAXITER}, same w0"
    )

    ours = qmlkit_model(w0, maxiter=1).fit(X_train, y_train)
    reference = ours.loss_and_gradient(X_train, y_train, w0)
    evaluations = {
        "qmlkit VariationalRegressor (adjoint)": lambda: ours.loss_and_gradient(
            X_train, y_train, w0
        )
    }

    qnn = qiskit_qnn()
    out = qnn.forward(X_train, w0).ravel()
    _, wgrad = qnn.backward(X_train, w0)
    k_loss = float(np.mean((out - y_train) ** 2))
    k_grad = 2 * (out - y_train) @ wgrad[:, 0, :] / len(y_train)
    _agree("qiskit-ml EstimatorQNN (parameter shift)", (k_loss, k_grad), reference)

    def qiskit_eval():
        o = qnn.forward(X_train, w0).ravel()
        qnn.backward(X_train, w0)
        return o

    evaluations["qiskit-ml EstimatorQNN (parameter shift)"] = qiskit_eval
    pennylane_rows = []
    for device, diff in PENNYLANE:
        made = pennylane_model(device, diff)
        if isinstance(made, str):
            print(f"skipped: {made}")
            continue
        label, loss_and_grad, predict = made
        _agree(label, loss_and_grad(w0, X_train, y_train), reference)
        evaluations[label] = lambda f=loss_and_grad: f(w0, X_train, y_train)
        pennylane_rows.append((label, loss_and_grad, predict))
    reason = _peers.torch_reason()
    print(
        f"skipped: PennyLane default.qubit + torch: {reason}"
        if reason
        else "not run: PennyLane default.qubit + torch (the backprop row uses the same device)"
    )

    rows = {"qmlkit VariationalRegressor": run_qmlkit(w0, data)}
    rows["qiskit-ml NeuralNetworkRegressor"] = run_qiskit_ml(w0, data)
    for label, loss_and_grad, predict in pennylane_rows:
        rows[label] = run_pennylane(loss_and_grad, predict, w0, data)
    base = rows["qmlkit VariationalRegressor"]["time"]
    print(
        f"\n{'full fit (exact)':38s} {'fit s':>8s} {'vs qmlkit':>9s} {'iter':>5s} {'train MSE':>10s} {'test MSE':>9s}"
    )
    for name, r in rows.items():
        print(
            f"{name:38s} {r['time']:8.3f} {r['time'] / base:8.1f}x {r['nit']:5d} "
            f"{r['train']:10.6f} {r['test']:9.6f}"
        )
    print(
        f"test MSE of predicting the training mean: {np.mean((data[3] - y_train.mean()) ** 2):.6f}"
    )

    print(f"\none loss + gradient over the {N_TRAIN} training points (best of up to 7 runs)")
    times = {name: _peers.best_time(fn, 7) for name, fn in evaluations.items()}
    first = times["qmlkit VariationalRegressor (adjoint)"]
    print(f"{'contender':42s} {'ms':>9s} {'vs qmlkit':>10s}")
    for name, secs in times.items():
        print(f"{name:42s} {1e3 * secs:9.2f} {secs / first:9.1f}x")
    _peers.print_load("end")


def _agree(label: str, got: tuple, reference: tuple) -> None:
    dl = abs(got[0] - reference[0])
    dg = float(np.max(np.abs(np.asarray(got[1]) - reference[1])))
    if dl > 1e-8 or dg > 1e-8:
        raise SystemExit(
            f"{label} disagrees with qmlkit at the initial weights: loss by {dl:.1e}, gradient "
            f"by {dg:.1e}; the models differ and timings would be meaningless"
        )
    print(f"{label} agrees with qmlkit at the initial weights: loss {dl:.0e}, gradient {dg:.0e}")


if __name__ == "__main__":
    main()
