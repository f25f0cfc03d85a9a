"""qmlkit.mitigation: readout mitigation, gate folding, Richardson extrapolation, DD."""

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

import qmlkit
from qmlkit import mitigation
from qmlkit.errors import BackendError, InputError


def _bell(measure=True):
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    if measure:
        qc.measure_all()
    return qc


def test_measured_qubits_follow_clbit_order():
    b = qmlkit.backends.get("fake:manila", seed=1)
    isa = b.isa(_bell())
    phys = mitigation.measured_qubits(isa)
    assert len(phys) == 2 and len(set(phys)) == 2 and max(phys) < 5
    with pytest.raises(InputError, match="no measurements"):
        mitigation.measured_qubits(_bell(measure=False))


def test_calibrate_readout_is_identity_on_ideal_and_stochastic_on_fake():
    ideal = mitigation.calibrate_readout("ideal", [0, 1, 2], shots=200)
    assert np.allclose(ideal, np.eye(2))
    noisy = mitigation.calibrate_readout("fake:manila", [0, 1], shots=4000, seed=3)
    assert noisy.shape == (2, 2, 2)
    assert np.allclose(noisy.sum(axis=1), 1)
    assert np.all(np.diagonal(noisy, axis1=1, axis2=2) > 0.8)
    assert np.any(np.diagonal(noisy, axis1=1, axis2=2) < 1)  # manila has readout errors
    with pytest.raises(InputError, match="distinct"):
        mitigation.calibrate_readout("ideal", [0, 0])


def test_mitigate_counts_inverts_a_known_assignment_matrix():
    a0 = np.array([[0.95, 0.10], [0.05, 0.90]])
    a1 = np.array([[0.90, 0.20], [0.10, 0.80]])
    true = np.array([0.5, 0.0, 0.0, 0.5])  # index = 2*bit1 + bit0
    noisy = np.kron(a1, a0) @ true
    counts = {format(i, "02b"): 10000 * p for i, p in enumerate(noisy)}
    out = mitigation.mitigate_counts(counts, [a0, a1], method="inverse")
    assert out.keys() == {"00", "11"}
    assert np.isclose(out["00"], 0.5) and np.isclose(out["11"], 0.5)


def test_nearest_probabilities_has_no_negative_entries():
    a = np.array([[0.8, 0.3], [0.2, 0.7]])
    quasi = mitigation.mitigate_counts({"0": 85, "1": 15}, [a], method="inverse")
    assert quasi["1"] < 0  # more zeros than a perfect |0> would give: quasi-probability
    near = mitigation.mitigate_counts({"0": 85, "1": 15}, [a])
    assert near == {"0": 1.0}
    with pytest.raises(InputError, match="bits"):
        mitigation.mitigate_counts({"000": 1}, [a])


def test_readout_mitigation_improves_bell_on_fake_device():
    b = qmlkit.backends.get("fake:manila", seed=11)
    isa = b.isa(_bell())
    raw = b.sampler.run([isa], shots=4000).result()[0].data.meas.get_counts()
    mats = mitigation.calibrate_readout(b, mitigation.measured_qubits(isa), shots=4000)
    mit = mitigation.mitigate_counts(raw, mats)
    good_raw = (raw.get("00", 0) + raw.get("11", 0)) / 4000
    good_mit = mit.get("00", 0) + mit.get("11", 0)
    assert good_mit > good_raw
    assert np.isclose(sum(mit.values()), 1)


@pytest.mark.parametrize("scale", [1, 3, 5])
def test_fold_gates_keeps_the_operator_and_scales_the_gates(scale):
    qc = QuantumCircuit(2)
    qc.rx(0.3, 0)
    qc.sx(1)
    qc.cx(0, 1)
    qc.barrier()
    qc.t(1)
    folded = mitigation.fold_gates(qc, scale)
    assert Operator(folded).equiv(Operator(qc))
    gates = sum(1 for i in folded.data if i.operation.name != "barrier")
    assert gates == 4 * scale


def test_fold_gates_keeps_measurements_and_layout_and_native_gates():
    b = qmlkit.backends.get("fake:manila", seed=2)
    isa = b.isa(_bell())
    folded = mitigation.fold_gates(isa, 3, backend=b)
    assert folded.count_ops()["measure"] == 2
    assert folded.layout is not None
    assert set(folded.count_ops()) <= set(b.backend.target.operation_names) | {"barrier"}
    unmeasured = folded.remove_final_measurements(inplace=False)
    ref = isa.remove_final_measurements(inplace=False)
    assert Operator(unmeasured).equiv(Operator(ref))


@pytest.mark.parametrize("bad", [2, 0, -1, 2.5, True, "3"])
def test_fold_gates_rejects_bad_scales(bad):
    with pytest.raises(ValueError, match="odd positive integer"):
        mitigation.fold_gates(_bell(False), bad)


def test_richardson_extrapolate_is_exact_on_polynomials():
    scales = [1, 2, 4, 5]
    coeffs = [0.01, -0.05, 0.2, 0.7]  # cubic, value 0.7 at 0
    values = np.polyval(coeffs, scales)
    assert np.isclose(mitigation.richardson_extrapolate(scales, values), 0.7)
    assert np.isclose(mitigation.richardson_extrapolate([1, 3], [0.8, 0.6]), 0.9)
    with pytest.raises(InputError, match="distinct"):
        mitigation.richardson_extrapolate([1, 1], [0.5, 0.4])
    with pytest.raises(InputError, match="as many"):
        mitigation.richardson_extrapolate([1, 3], [0.5])


def test_zero_noise_extrapolate_moves_towards_the_ideal_value():
    qc = QuantumCircuit(2)
    qc.h(0)
    for _ in range(4):
        qc.cx(0, 1)
        qc.rz(0.2, 1)
        qc.rz(-0.2, 1)
    qc.cx(0, 1)
    qc.measure_all()

    def p_bell(counts):
        return (counts.get("00", 0) + counts.get("11", 0)) / sum(counts.values())

    values, zne = mitigation.zero_noise_extrapolate(
        qc, p_bell, backend="fake:manila", scales=(1, 3), shots=4000, seed=5
    )
    assert values[1] < values[0] < 1  # more folds, more noise
    assert zne > values[0]


def test_dynamical_decoupling_pads_idle_qubits_and_keeps_the_layout():
    b = qmlkit.backends.get("fake:manila", seed=4)
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)  # ties qubit 0 to the start: it then idles while qubits 1 and 2 work
    for _ in range(3):
        qc.cx(1, 2)
        qc.rz(0.5, 2)
    qc.h(0)
    qc.measure_all()
    isa = b.isa(qc, optimization_level=0)
    for seq in ("XX", "XpXm"):
        dd = mitigation.add_dynamical_decoupling(isa, b, sequence=seq)
        ops = dd.count_ops()
        assert ops.get("x", 0) > isa.count_ops().get("x", 0)
        assert dd.layout is not None
        assert dd.layout.final_index_layout() == isa.layout.final_index_layout()
        counts = b.sampler.run([dd], shots=200).result()[0].data.meas.get_counts()
        assert sum(counts.values()) == 200
    with pytest.raises(BackendError, match="durations"):
        mitigation.add_dynamical_decoupling(_bell(), "ideal")
    with pytest.raises(InputError, match="sequence"):
        mitigation.add_dynamical_decoupling(isa, b, sequence="XY8")


def test_plot_zne_marks_the_extrapolated_value():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = mitigation.plot_zne([1, 3, 5], [0.8, 0.65, 0.55], ideal=0.9, title="zne")
    ax = fig.axes[0]
    star = [line for line in ax.get_lines() if line.get_marker() == "*"][0]
    assert np.isclose(
        star.get_ydata()[0], mitigation.richardson_extrapolate([1, 3, 5], [0.8, 0.65, 0.55])
    )
    assert ax.get_title() == "zne"
    plt.close(fig)


def test_plot_comparison_labels_and_values():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = mitigation.plot_comparison(
        {"x0": 0.2, "x1": 0.9},
        {"x0": 0.3, "x1": 0.8},
        {"x0": 0.25, "x1": 0.85},
        xlabel="test point",
        ylabel="P(class 1)",
        title="t",
    )
    ax = fig.axes[0]
    assert ax.get_ylabel() == "P(class 1)" and ax.get_xlabel() == "test point"
    assert sorted(round(p.get_height(), 2) for p in ax.patches) == [0.2, 0.25, 0.3, 0.8, 0.85, 0.9]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ideal", "noisy", "mitigated"]
    plt.close(fig)
