"""Error suppression and mitigation for runs on noisy devices.

* Readout mitigation: :func:`calibrate_readout` measures each qubit's 2x2 *assignment
  matrix* ``A[measured, prepared]`` with two calibration circuits (all qubits in ``|0>``, all
  in ``|1>``), assuming independent readout errors; :func:`mitigate_counts` undoes them.
* Zero-noise extrapolation (ZNE): :func:`fold_gates` amplifies the noise by unitary folding
  ``G -> G (G† G)^k`` without changing what the circuit computes, and
  :func:`richardson_extrapolate` reads off the value at zero noise;
  :func:`zero_noise_extrapolate` does both on a backend.
* Dynamical decoupling: :func:`add_dynamical_decoupling` fills idle periods of an ISA circuit
  with pulse pairs that cancel, using Qiskit's scheduling passes.

Qubit order is Qiskit's: qubit 0 (more precisely clbit 0) is the rightmost bit of a key.

Introduced in lesson 11 (readout mitigation first appears in lesson 04).

>>> from qiskit import QuantumCircuit
>>> qc = QuantumCircuit(1); _ = qc.sx(0)
>>> fold_gates(qc, 3).count_ops()["sx"], fold_gates(qc, 3).count_ops()["sxdg"]
(2, 1)
>>> round(richardson_extrapolate([1, 3], [0.8, 0.6]), 6)
0.9
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from qiskit.transpiler.basepasses import AnalysisPass

from .backends import resolve
from .errors import BackendError, InputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from qiskit import QuantumCircuit

    from .backends import Backend


__all__ = [
    "measured_qubits",
    "calibrate_readout",
    "mitigate_counts",
    "fold_gates",
    "richardson_extrapolate",
    "richardson_weights",
    "zero_noise_extrapolate",
    "add_dynamical_decoupling",
    "plot_zne",
    "plot_comparison",
]


def _first_counts(pub_result: Any) -> dict[str, int]:
    data = (
        pub_result.join_data() if len(pub_result.data) > 1 else next(iter(pub_result.data.values()))
    )
    return {k: int(v) for k, v in data.get_counts().items()}


# ------------------------------------------------------------------------------ readout


def measured_qubits(circuit: QuantumCircuit) -> list[int]:
    """The (physical) qubit measured into each clbit, in clbit order.

    For an ISA circuit these are the device qubits whose readout errors matter.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(3, 2); _ = qc.measure(2, 0); _ = qc.measure(0, 1)
    >>> measured_qubits(qc)
    [2, 0]
    """
    found: dict[int, int] = {}
    for inst in circuit.data:
        if inst.operation.name == "measure":
            found[circuit.find_bit(inst.clbits[0]).index] = circuit.find_bit(inst.qubits[0]).index
    if not found:
        raise InputError("The circuit has no measurements, so there is no readout to mitigate.")
    if sorted(found) != list(range(circuit.num_clbits)):
        raise InputError("Every clbit must be written by exactly one measurement.")
    return [found[c] for c in range(circuit.num_clbits)]


def calibrate_readout(
    backend: str | Backend | None,
    qubits: Sequence[int],
    shots: int = 2000,
    seed: int | None = None,
) -> np.ndarray:
    """Measure the readout assignment matrix of each qubit.

    Two calibration circuits run in one job: every listed qubit prepared in ``|0>``, and
    every one in ``|1>``. For qubit ``k``, ``A[k][m, p]`` is the probability of reading ``m``
    when ``p`` was prepared. This *tensored* model assumes readout errors of different
    qubits are independent (Bravyi et al. 2021, "Mitigating measurement errors in
    multiqubit experiments").

    Args:
        backend: spec string (``"fake:manila"``), qmlkit Backend, or ``None``.
        qubits: physical qubits, in the order of the clbits they are read into (as
            returned by :func:`measured_qubits`).
        shots: shots per calibration circuit.
        seed: sampling seed when ``backend`` is a spec.

    Returns:
        Array of shape ``(len(qubits), 2, 2)`` whose columns sum to 1.

    >>> A = calibrate_readout("ideal", [0, 1], shots=100)
    >>> A.shape, A[0].tolist()
    ((2, 2, 2), [[1.0, 0.0], [0.0, 1.0]])
    """
    from qiskit import QuantumCircuit

    b = resolve(backend, seed=seed)
    qubits = [int(q) for q in qubits]
    if not qubits or len(set(qubits)) != len(qubits) or min(qubits) < 0:
        raise InputError(
            f"qubits must be a non-empty list of distinct qubit indices, got {qubits}."
        )
    if max(qubits) >= b.num_qubits:
        raise InputError(f"The device {b.name} has {b.num_qubits} qubits; got qubit {max(qubits)}.")
    if not isinstance(shots, (int, np.integer)) or shots <= 0:
        raise InputError(f"shots must be a positive integer, got {shots!r}.")
    width = max(qubits) + 1
    circuits = []
    for prepared in (0, 1):
        qc = QuantumCircuit(width, len(qubits), name=f"cal_{prepared}")
        if prepared:
            qc.x(qubits)
        qc.measure(qubits, range(len(qubits)))
        circuits.append(qc)
    isa = b.isa(circuits, optimization_level=0)
    results = b.sampler.run(isa, shots=int(shots)).result()
    mats = np.zeros((len(qubits), 2, 2))
    for prepared, pub in enumerate(results):
        counts = _first_counts(pub)
        total = sum(counts.values())
        for key, n in counts.items():
            bits = key.replace(" ", "")
            for k in range(len(qubits)):
                mats[k, int(bits[-1 - k]), prepared] += n / total
    return mats


def mitigate_counts(
    counts: Mapping[str, float], matrices: Any, method: str = "nearest"
) -> dict[str, float]:
    """Undo readout errors: apply the inverse of each qubit's assignment matrix.

    Args:
        counts: measured counts (or probabilities), keys with clbit 0 rightmost.
        matrices: ``(m, 2, 2)`` assignment matrices from :func:`calibrate_readout`, one
            per clbit.
        method: ``"nearest"`` (default) returns the closest true probability distribution
            (Smolin, Gambetta & Smith 2012); ``"inverse"`` returns the raw
            quasi-probabilities, which may be slightly negative.

    Returns:
        Mitigated probabilities by bitstring (entries below 1e-12 are dropped).

    >>> A = np.array([[[0.9, 0.2], [0.1, 0.8]]])     # P(read 1 | 0) = 0.1, P(read 0 | 1) = 0.2
    >>> out = mitigate_counts({"0": 550, "1": 450}, A)
    >>> {k: round(v, 3) for k, v in out.items()}
    {'0': 0.5, '1': 0.5}
    """
    mats = np.asarray(matrices, dtype=float)
    if mats.ndim == 2:
        mats = mats[None]
    if mats.ndim != 3 or mats.shape[1:] != (2, 2):
        raise InputError(f"matrices must have shape (m, 2, 2), got {mats.shape}.")
    if method not in ("nearest", "inverse"):
        raise InputError(f"method must be 'nearest' or 'inverse', got {method!r}.")
    m = mats.shape[0]
    if not counts:
        raise InputError("The counts are empty.")
    probs = np.zeros(2**m)
    total = float(sum(counts.values()))
    for key, n in counts.items():
        bits = str(key).replace(" ", "")
        if len(bits) != m or set(bits) - {"0", "1"}:
            raise InputError(f"Key {key!r} does not have {m} bits (one per assignment matrix).")
        probs[int(bits, 2)] += n / total
    # apply inv(A_k) along the axis of bit k; axis 0 of the reshaped tensor is the top bit
    tensor = probs.reshape((2,) * m)
    for k in range(m):
        try:
            inv = np.linalg.inv(mats[k])
        except np.linalg.LinAlgError:
            raise InputError(f"The assignment matrix of bit {k} is singular.") from None
        axis = m - 1 - k
        tensor = np.moveaxis(np.tensordot(inv, tensor, axes=([1], [axis])), 0, axis)
    quasi = tensor.reshape(-1)
    if method == "nearest":
        quasi = _nearest_probabilities(quasi)
    return {format(i, f"0{m}b"): float(v) for i, v in enumerate(quasi) if abs(v) > 1e-12}


def _nearest_probabilities(quasi: np.ndarray) -> np.ndarray:
    """The probability vector closest in Euclidean norm to a quasi-probability vector
    summing to 1 (Smolin, Gambetta & Smith, PRL 108, 070502, 2012)."""
    order = np.argsort(quasi)
    q = quasi[order].astype(float).copy()
    n = q.size
    acc = 0.0
    i = 0
    while i < n and q[i] + acc / (n - i) < 0:
        acc += q[i]
        q[i] = 0.0
        i += 1
    if i < n:
        q[i:] += acc / (n - i)
    out = np.empty(n)
    out[order] = q
    return out


# ---------------------------------------------------------------------------------- ZNE


def _check_scale(scale: Any) -> int:
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer, float)):
        raise InputError(f"The scale must be an odd positive integer, got {scale!r}.")
    if scale != int(scale) or int(scale) < 1 or int(scale) % 2 == 0:
        raise InputError(
            f"The scale must be an odd positive integer (1, 3, 5, ...), got {scale!r}: folding "
            "G -> G (G† G)^k multiplies the gates by 2k + 1."
        )
    return int(scale)


def fold_gates(
    circuit: QuantumCircuit, scale: int, backend: str | Backend | None = None
) -> QuantumCircuit:
    """Amplify noise by local unitary folding: each gate ``G`` becomes ``G (G† G)^k``.

    The folded circuit computes the same thing (ideally) but has ``scale = 2k + 1`` times
    as many gates, so roughly ``scale`` times the gate noise (Giurgica-Tiron et al. 2020,
    "Digital zero noise extrapolation for quantum error mitigation"). Measurements,
    barriers, resets and delays are kept as they are. The circuit's layout is kept, so an
    ISA circuit stays on the same physical qubits.

    Args:
        circuit: the circuit (usually an ISA circuit, folded after transpiling so that the
            transpiler cannot cancel the folds).
        scale: odd positive integer noise-scale factor.
        backend: optional spec/Backend; if an inverse gate (``sxdg``) is not native, the
            folded circuit is translated to the backend's gates again.

    Raises:
        InputError: for an even, non-integer or non-positive scale (a ``ValueError``).

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
    >>> len(fold_gates(qc, 5).data)
    10
    """
    k = (_check_scale(scale) - 1) // 2
    folded = circuit.copy_empty_like()
    for inst in circuit.data:
        folded.append(inst)
        if inst.operation.name in ("measure", "barrier", "reset", "delay") or not inst.qubits:
            continue
        inverse = inst.replace(operation=inst.operation.inverse())
        for _ in range(k):
            folded.append(inverse)
            folded.append(inst)
    if backend is not None:
        folded = _to_native(folded, resolve(backend))
    return folded


def _to_native(circuit: QuantumCircuit, b: Backend) -> QuantumCircuit:
    """Translate gates that the backend cannot run (e.g. sxdg) without moving qubits."""
    target = b.backend.target
    if all(
        inst.operation.name == "barrier" or inst.operation.name in target.operation_names
        for inst in circuit.data
    ):
        return circuit
    from qiskit.circuit.equivalence_library import SessionEquivalenceLibrary
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import BasisTranslator

    pm = PassManager(
        [_KeepLayout(circuit.layout), BasisTranslator(SessionEquivalenceLibrary, [], target=target)]
    )
    return pm.run(circuit)


def richardson_extrapolate(scales: Sequence[float], values: Sequence[float]) -> float:
    """The value at noise scale 0 of the polynomial through all ``(scale, value)`` points.

    With ``n`` points this is the degree ``n - 1`` polynomial (Richardson extrapolation,
    Temme, Bravyi & Gambetta 2017), evaluated in Lagrange form.

    >>> richardson_extrapolate([1, 3, 5], [0.86, 0.66, 0.50])
    0.975
    """
    s = np.asarray(scales, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if s.size != v.size or s.size == 0:
        raise InputError(f"Need as many values as scales (got {s.size} scales, {v.size} values).")
    if np.unique(s).size != s.size:
        raise InputError(f"The scales must be distinct, got {s.tolist()}.")
    total = 0.0
    for i in range(s.size):
        others = np.delete(s, i)
        total += v[i] * float(np.prod(others / (others - s[i])))
    return float(total)


def richardson_weights(scales: Sequence[float]) -> np.ndarray:
    """The weights ``w_i`` with ``E(0) = sum_i w_i E(scale_i)`` in Richardson extrapolation.

    They are the Lagrange factors ``prod_{j != i} s_j / (s_j - s_i)`` and add up to 1. Their
    size is the price of ZNE: independent shot noise ``sigma_i`` on the values becomes
    ``sqrt(sum_i w_i**2 sigma_i**2)`` on the estimate, ``sqrt(sum_i w_i**2)`` times
    ``sigma`` when every value has the same ``sigma``.

    >>> richardson_weights([1, 3, 5]).tolist()
    [1.875, -1.25, 0.375]
    >>> round(float(np.sqrt(np.sum(richardson_weights([1, 3, 5]) ** 2))), 3)
    2.284
    """
    s = np.asarray(scales, dtype=float).ravel()
    if s.size == 0:
        raise InputError("Need at least one scale.")
    if np.unique(s).size != s.size:
        raise InputError(f"The scales must be distinct, got {s.tolist()}.")
    weights = np.empty(s.size)
    for i in range(s.size):
        others = np.delete(s, i)
        weights[i] = float(np.prod(others / (others - s[i])))
    return weights


def zero_noise_extrapolate(
    circuit: QuantumCircuit,
    value_from_counts: Callable[[dict[str, int]], float],
    backend: str | Backend | None = None,
    scales: Sequence[int] = (1, 3, 5),
    shots: int = 2000,
    seed: int | None = None,
) -> tuple[list[float], float]:
    """Run ``circuit`` folded at each scale and extrapolate a value to zero noise.

    The circuit is first turned into ISA form, then folded (so the folds survive), and all
    scales run in one sampler job.

    Args:
        circuit: circuit with measurements.
        value_from_counts: turns counts into the number to extrapolate (for example the
            probability of ``'00'`` or a parity).
        backend: spec/Backend (default: the current setting).
        scales: odd noise-scale factors, 1 first.
        shots: shots per scale.
        seed: sampling seed when ``backend`` is a spec.

    Returns:
        ``(values per scale, zero-noise estimate)``.

    >>> from qiskit import QuantumCircuit
    >>> qc = QuantumCircuit(1); _ = qc.x(0); _ = qc.measure_all()
    >>> zero_noise_extrapolate(qc, lambda c: c.get("1", 0) / 100, "ideal", shots=100)
    ([1.0, 1.0, 1.0], 1.0)
    """
    b = resolve(backend, seed=seed)
    isa = b.isa(circuit)
    folded = [fold_gates(isa, s, backend=b) for s in scales]
    results = b.sampler.run(folded, shots=int(shots)).result()
    values = [float(value_from_counts(_first_counts(r))) for r in results]
    return values, richardson_extrapolate(list(scales), values)


def plot_zne(
    scales: Sequence[float],
    values: Sequence[float],
    ideal: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
    errors: Sequence[float] | None = None,
) -> Figure:
    """Measured values against noise scale, the Richardson polynomial and its value at 0.

    Args:
        scales: the noise-scale factors that were run.
        values: the value measured at each scale.
        ideal: the noiseless value, drawn as a dashed line if given.
        title: the axes title.
        ax: a matplotlib ``Axes`` to draw on; default a new figure.
        errors: standard deviations of the values (shot noise); if given, they are drawn
            as error bars, and the zero-noise value gets the error bar
            ``sqrt(sum_i w_i**2 errors_i**2)`` with the :func:`richardson_weights` ``w``.

    Returns:
        The matplotlib ``Figure``.

    >>> fig = plot_zne([1, 3, 5], [0.8, 0.65, 0.55], ideal=0.9)
    >>> len(fig.axes[0].get_lines())    # polynomial, points, zero-noise star, ideal line
    4
    """
    import matplotlib.pyplot as plt

    s = np.asarray(scales, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    zero = richardson_extrapolate(s.tolist(), v.tolist())
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.8, 3.2))
    else:
        fig = cast("Figure", ax.figure)
    grid = np.linspace(0, s.max(), 100)
    poly = np.polyfit(s, v, s.size - 1)
    ax.plot(
        grid, np.polyval(poly, grid), color="tab:blue", alpha=0.6, label="Richardson polynomial"
    )
    ax.plot(s, v, "o", color="tab:blue", label="measured")
    label = f"zero noise: {zero:.3f}"
    if errors is not None:
        e = np.asarray(errors, dtype=float).ravel()
        if e.size != s.size or np.any(e < 0):
            raise InputError(
                f"Need one non-negative error per scale (got {e.size} for {s.size} scales)."
            )
        zero_err = float(np.sqrt(np.sum((richardson_weights(s.tolist()) * e) ** 2)))
        ax.errorbar(s, v, yerr=e, fmt="none", ecolor="tab:blue", capsize=3)
        ax.errorbar([0], [zero], yerr=[zero_err], fmt="none", ecolor="tab:red", capsize=4)
        label = f"zero noise: {zero:.3f} ± {zero_err:.3f}"
    ax.plot([0], [zero], "*", color="tab:red", markersize=12, label=label)
    if ideal is not None:
        ax.axhline(ideal, color="black", linestyle="--", linewidth=1, label=f"ideal: {ideal:.3f}")
    ax.set_xlabel("noise scale factor")
    ax.set_ylabel("value")
    ax.set_xlim(-0.3, s.max() + 0.3)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_comparison(
    ideal: Mapping[str, float],
    noisy: Mapping[str, float],
    mitigated: Mapping[str, float],
    xlabel: str = "outcome (qubit 0 = rightmost bit)",
    ylabel: str = "probability",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Side-by-side bars of ideal, noisy and mitigated values of the same quantities.

    Counts are not normalised here: pass probabilities (or any values, such as kernel entries
    or class probabilities keyed by a point's name).

    >>> fig = plot_comparison({"a": 0.9}, {"a": 0.7}, {"a": 0.85}, xlabel="point", ylabel="P")
    >>> fig.axes[0].get_xlabel(), len(fig.axes[0].patches)
    ('point', 3)
    """
    from .plots import plot_counts

    fig = plot_counts(
        [dict(ideal), dict(noisy), dict(mitigated)],
        labels=["ideal", "noisy", "mitigated"],
        title=title,
        ax=ax,
        normalize=False,
    )
    fig.axes[0].set_xlabel(xlabel)
    fig.axes[0].set_ylabel(ylabel)
    return fig


# --------------------------------------------------------------- dynamical decoupling


class _KeepLayout(AnalysisPass):
    """Carry an ISA circuit's TranspileLayout through a follow-up pass manager."""

    def __init__(self, layout: Any) -> None:
        super().__init__()
        self.layout = layout

    def run(self, dag: Any) -> None:
        if self.layout is not None:
            self.layout.write_into_property_set(self.property_set)


def add_dynamical_decoupling(
    circuit: QuantumCircuit, backend: str | Backend | None = None, sequence: str = "XX"
) -> QuantumCircuit:
    """Fill the idle periods of an ISA circuit with dynamical-decoupling pulses.

    The circuit is scheduled as late as possible (ALAP) with the device's gate durations,
    and every long enough idle window gets a sequence of pulses whose product is the
    identity (``"XX"``: X, X; ``"XpXm"``: X then X with opposite phase, written
    RZ(π)·X·RZ(−π)). They refocus slow (coherent) noise on the idling qubit (Viola, Knill &
    Lloyd 1999). A simulator's idle noise is incoherent relaxation, which no pulse sequence
    can undo, so on fake devices expect little change.

    Args:
        circuit: an ISA circuit for ``backend``.
        backend: spec/Backend with gate durations (a fake or real IBM device).
        sequence: ``"XX"`` or ``"XpXm"``.

    Returns:
        The circuit with ``delay`` and pulse instructions added; its layout is kept.

    >>> from qiskit import QuantumCircuit
    >>> b = __import__("qmlkit").backends.get("fake:manila")
    >>> qc = QuantumCircuit(2); _ = qc.x(0); _ = qc.cx(0, 1); _ = qc.cx(0, 1); _ = qc.measure_all()
    >>> isa = b.isa(qc, optimization_level=0)
    >>> "delay" in add_dynamical_decoupling(isa, b).count_ops()
    True
    """
    from qiskit.circuit.library import RZGate, XGate
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.exceptions import TranspilerError
    from qiskit.transpiler.passes import ALAPScheduleAnalysis, PadDynamicalDecoupling

    b = resolve(backend)
    target = b.backend.target
    no_timing = BackendError(
        "Dynamical decoupling needs the device's gate durations; the ideal simulator has "
        "none. Use a fake or real device, for example 'fake:manila'."
    )
    if b.kind == "ideal":
        raise no_timing
    if sequence == "XX":
        dd = [XGate(), XGate()]
    elif sequence == "XpXm":
        dd = [XGate(), RZGate(np.pi), XGate(), RZGate(-np.pi)]
    else:
        raise InputError(f"sequence must be 'XX' or 'XpXm', got {sequence!r}.")
    pm = PassManager(
        [
            _KeepLayout(circuit.layout),
            ALAPScheduleAnalysis(target=target),
            PadDynamicalDecoupling(target=target, dd_sequence=dd),
        ]
    )
    try:
        return pm.run(circuit)
    except TranspilerError as exc:
        raise BackendError(f"Could not schedule the circuit on {b.name}: {exc}") from None
