"""VQC training: qmlkit versus qiskit-machine-learning on the same problem, in one run.

Same circuit (zz_feature_map(2) + real_amplitudes(2, reps=3), parity readout), same data
(qmlkit.datasets.moons: 150 training and 50 test points, features in [0, pi]), same optimiser
(L-BFGS-B, 25 iterations) and the same initial weights. qiskit-machine-learning's VQC runs its
SamplerQNN on qiskit's StatevectorSampler (1024 shots per circuit, seeded) with parameter-shift
gradients; qmlkit's VQC computes exact probabilities and adjoint gradients batched over the data.
Target: qmlkit at least 30x faster with the same or better test accuracy.

Then qmlkit's DEFAULT VQC (data re-uploading) on two moons: target >= 0.9 test accuracy in < 5 s.

Run: .venv/bin/python benchmarks/bench_vqc.py
"""

from __future__ import annotations

import time

import numpy as np

SEED = 7
MAXITER = 25


def run_qmlkit(fm, ansatz, w0, data) -> tuple[float, float, int, int]:
    from qmlkit.models import VQC

    evaluations = []

    class CountingVQC(VQC):  # counts loss evaluations, as qiskit-ml's callback does
        def _loss_and_grad(self, *args):
            evaluations.append(1)
            return super()._loss_and_grad(*args)

    X_train, y_train, X_test, y_test = data
    clf = CountingVQC(
        feature_map=fm, ansatz=ansatz, optimizer="L-BFGS-B", maxiter=MAXITER, initial_point=w0
    )
    t = time.perf_counter()
    clf.fit(X_train, y_train)
    secs = time.perf_counter() - t
    return secs, clf.score(X_test, y_test), clf.n_iter_, len(evaluations)


def run_qiskit_ml(fm, ansatz, w0, data) -> tuple[float, float, int, int]:
    from qiskit.primitives import StatevectorSampler
    from qiskit_machine_learning.algorithms.classifiers import VQC as QiskitVQC
    from qiskit_machine_learning.optimizers import L_BFGS_B

    X_train, y_train, X_test, y_test = data
    iterations = []
    clf = QiskitVQC(
        feature_map=fm,
        ansatz=ansatz,
        optimizer=L_BFGS_B(maxiter=MAXITER),
        initial_point=w0,
        sampler=StatevectorSampler(seed=SEED),
        callback=lambda weights, loss: iterations.append(loss),
    )
    t = time.perf_counter()
    clf.fit(X_train, y_train)
    secs = time.perf_counter() - t
    nit = clf.fit_result.nit if clf.fit_result.nit is not None else -1
    return secs, clf.score(X_test, y_test), nit, len(iterations)


def main() -> None:
    from qiskit.circuit.library import real_amplitudes, zz_feature_map

    from qmlkit import datasets
    from qmlkit.models import VQC

    data = datasets.moons(n_samples=200, seed=SEED)
    print(f"two moons: {len(data[0])} training / {len(data[2])} test points, features in [0, pi]")
    fm, ansatz = zz_feature_map(2), real_amplitudes(2, reps=3)
    w0 = np.random.default_rng(SEED).uniform(-np.pi, np.pi, ansatz.num_parameters)
    print(f"circuit: zz_feature_map(2) + real_amplitudes(2, reps=3); L-BFGS-B, maxiter={MAXITER}")

    t_q, acc_q, it_q, ev_q = run_qmlkit(fm, ansatz, w0, data)
    t_k, acc_k, it_k, ev_k = run_qiskit_ml(fm, ansatz, w0, data)
    print(
        f"{'':28s} {'fit time (s)':>12s} {'test acc':>9s} {'iterations':>10s} {'loss evals':>10s}"
    )
    print(f"{'qmlkit VQC':28s} {t_q:12.3f} {acc_q:9.3f} {it_q:10d} {ev_q:10d}")
    print(f"{'qiskit-machine-learning VQC':28s} {t_k:12.3f} {acc_k:9.3f} {it_k:10d} {ev_k:10d}")
    print("(L-BFGS-B may stop before 25 iterations when the projected gradient vanishes)")
    ratio = t_k / t_q
    verdict = "ok" if ratio >= 30 and acc_q >= acc_k else "BELOW TARGET"
    print(f"speed-up: {ratio:.0f}x (target >= 30x, accuracy same or better): {verdict}")

    print("\nqmlkit DEFAULT VQC (data re-uploading, reps=3, L-BFGS-B maxiter=100) on two moons:")
    print(f"{'seed':>4s} {'fit time (s)':>12s} {'test acc':>9s} {'iterations':>10s}")
    for seed in range(5):
        X_train, y_train, X_test, y_test = datasets.moons(seed=seed)
        t = time.perf_counter()
        clf = VQC(seed=seed).fit(X_train, y_train)
        secs = time.perf_counter() - t
        acc = clf.score(X_test, y_test)
        verdict = "ok" if acc >= 0.9 and secs < 5 else "BELOW TARGET"
        print(f"{seed:4d} {secs:12.3f} {acc:9.3f} {clf.n_iter_:10d}  {verdict}")


if __name__ == "__main__":
    main()
