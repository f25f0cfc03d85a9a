import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, Statevector

from autograder import compare as cmp
from autograder.errors import CheckFailed

S2 = 1 / np.sqrt(2)


# ------------------------------------------------------------------ states
def test_states_equal_up_to_global_phase():
    a = np.array([S2, 1j * S2])
    assert cmp.states_equal(a, np.exp(1.234j) * a)
    assert not cmp.states_equal(a, np.array([S2, -1j * S2]))
    assert not cmp.states_equal(a, np.array([1, 0, 0, 0]))


def test_to_state_accepts_vector_statevector_circuit():
    qc = QuantumCircuit(1)
    qc.h(0)
    for obj in (qc, Statevector(qc), [S2, S2], np.array([[S2], [S2]])):
        np.testing.assert_allclose(cmp.to_state(obj), [S2, S2])


@pytest.mark.parametrize(
    "obj, fragment",
    [
        (None, "forget to `return`"),
        ("abc", "Expected"),
        (np.ones((2, 2)), "1-D"),
        ([np.nan, 1], "NaN"),
    ],
)
def test_to_state_rejects_clearly(obj, fragment):
    with pytest.raises(CheckFailed, match=fragment):
        cmp.to_state(obj)


def test_circuit_with_measurement_is_named():
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.measure_all()
    with pytest.raises(CheckFailed) as err:
        cmp.to_state(qc)
    assert "measurement left in the circuit" in err.value.hint


@pytest.mark.parametrize(
    "actual, expected, fragment",
    [
        ([1, 1], [S2, S2], "not normalised"),
        ([0, 1, 0, 0], [0, 0, 1, 0], "qubit order reversed"),
        ([S2, -1j * S2], [S2, 1j * S2], "complex conjugate"),
        ([S2, -S2], [S2, S2], "wrong sign"),
        ([S2, np.exp(0.7j) * S2], [S2, S2], "relative phase wrong"),
        ([1, 0], [1, 0, 0, 0], "wrong number of qubits"),
        ([0, 0], [1, 0], "zero vector"),
    ],
)
def test_diagnose_state(actual, expected, fragment):
    assert fragment in cmp.diagnose_state(np.array(actual), np.array(expected))


def test_diagnose_state_none_when_equal_or_unrecognised():
    assert cmp.diagnose_state([S2, S2], [-S2, -S2]) is None
    assert cmp.diagnose_state([1, 0], [0.6, 0.8]) is None


def test_assert_state_passes_and_fails_with_expected_and_actual():
    cmp.assert_state([1j * S2, 1j * S2], [S2, S2])
    with pytest.raises(CheckFailed) as err:
        cmp.assert_state([1, 0], [S2, S2])
    np.testing.assert_allclose(err.value.expected, [S2, S2])
    np.testing.assert_allclose(err.value.actual, [1, 0])


def test_reverse_qubit_order_three_qubits():
    v = np.zeros(8)
    v[1] = 1  # qubit 0 set
    assert np.argmax(cmp.reverse_qubit_order(v)) == 4  # qubit 2 set


# --------------------------------------------------------------- operators
def test_operators_equal_up_to_phase():
    x = Operator.from_label("X").data
    assert cmp.operators_equal(np.exp(0.4j) * x, x)
    assert not cmp.operators_equal(Operator.from_label("Z").data, x)
    assert not cmp.operators_equal(np.eye(2), np.eye(4))


def test_operator_diagnoses_reversed_cnot_and_adjoint():
    a = QuantumCircuit(2)
    a.cx(1, 0)
    b = QuantumCircuit(2)
    b.cx(0, 1)
    assert "qubit order reversed" in cmp.diagnose_operator(Operator(a).data, Operator(b).data)
    s = QuantumCircuit(1)
    s.s(0)
    sdg = QuantumCircuit(1)
    sdg.sdg(0)
    assert "inverse" in cmp.diagnose_operator(Operator(sdg).data, Operator(s).data)


def test_assert_operator_accepts_circuit_with_other_gates():
    h = QuantumCircuit(1)
    h.h(0)
    alt = QuantumCircuit(1)
    alt.ry(np.pi / 2, 0)
    alt.x(0)  # X RY(pi/2) = H
    cmp.assert_operator(alt, h)
    x = QuantumCircuit(1)
    x.x(0)
    with pytest.raises(CheckFailed):
        cmp.assert_operator(x, h)


# -------------------------------------------------------------------- gates
def test_gate_counts_and_restrictions():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.barrier()
    qc.cx(0, 1)
    assert cmp.gate_counts(qc) == {"h": 1, "cx": 2}
    cmp.assert_only_gates(qc, {"h", "cx"})
    with pytest.raises(CheckFailed) as err:
        cmp.assert_only_gates(qc, {"cx"})
    assert "forbidden gate" in err.value.hint and "'h'" in err.value.message


def test_gate_restriction_sees_inside_custom_gates():
    inner = QuantumCircuit(1)
    inner.x(0)
    qc = QuantumCircuit(1)
    qc.append(inner.to_gate(label="sneaky"), [0])
    with pytest.raises(CheckFailed, match="'x'"):
        cmp.assert_only_gates(qc, {"h", "z"})


def test_assert_circuit_width_and_measurements():
    qc = QuantumCircuit(3)
    with pytest.raises(CheckFailed, match="2"):
        cmp.assert_circuit(qc, num_qubits=2)
    with pytest.raises(CheckFailed, match="got None"):
        cmp.assert_circuit(None)
    qc.measure_all()
    with pytest.raises(CheckFailed, match="measurements"):
        cmp.assert_circuit(qc)


# ------------------------------------------------------------------ numbers
def test_assert_close_numbers_and_angles():
    cmp.assert_close(np.float32(0.5), 0.5, atol=1e-6)
    with pytest.raises(CheckFailed) as err:
        cmp.assert_close(90.0, np.pi / 2, angle=True)
    assert "degrees instead of radians" in err.value.hint
    with pytest.raises(CheckFailed) as err:
        cmp.assert_close(np.pi / 4, np.pi / 2, angle=True)
    assert "half the angle" in err.value.hint
    with pytest.raises(CheckFailed, match="finite"):
        cmp.assert_close(float("nan"), 1.0)
    with pytest.raises(CheckFailed, match="number"):
        cmp.assert_close("1.0", 1.0)


def test_assert_close_arrays_shape_sign_order():
    cmp.assert_close([0.1, 0.2], np.array([0.1, 0.2]))
    with pytest.raises(CheckFailed, match="shape"):
        cmp.assert_close([0.1, 0.2, 0.3], np.array([0.1, 0.2]))
    with pytest.raises(CheckFailed) as err:
        cmp.assert_close([-0.1, -0.2], np.array([0.1, 0.2]))
    assert err.value.hint == "wrong sign"
    with pytest.raises(CheckFailed) as err:
        cmp.assert_close([0.1, 0.3, 0.2, 0.4], np.array([0.1, 0.2, 0.3, 0.4]))
    assert "qubit order reversed" in err.value.hint


# -------------------------------------------------------------- statistics
def test_counts_consistent_basic():
    ok, _ = cmp.counts_consistent({"00": 5000, "11": 5000}, {"00": 0.5, "11": 0.5})
    assert ok
    ok, why = cmp.counts_consistent({"00": 5000, "01": 1, "11": 4999}, {"00": 0.5, "11": 0.5})
    assert not ok and "'01'" in why


def test_counts_false_reject_rate_is_bounded():
    """At a loose alpha the rejection rate of correct samples stays below alpha.

    With alpha = 0.05 and 2000 seeded trials the expected number of rejections is at
    most 100 (union bound); we allow 150, which a correct test exceeds with probability
    far below 1e-6 (binomial tail), so this test cannot flake."""
    rng = np.random.default_rng(12345)
    probs = {"00": 0.1, "01": 0.2, "10": 0.3, "11": 0.4}
    rejections = 0
    for _ in range(2000):
        sample = rng.multinomial(500, list(probs.values()))
        counts = dict(zip(probs, sample.tolist()))
        rejections += not cmp.counts_consistent(counts, probs, alpha=0.05)[0]
    assert rejections <= 150


def test_counts_detect_real_differences():
    rng = np.random.default_rng(7)
    sample = rng.multinomial(4000, [0.45, 0.55])
    ok, _ = cmp.counts_consistent(
        {"0": int(sample[0]), "1": int(sample[1])}, {"0": 0.55, "1": 0.45}
    )
    assert not ok


def test_assert_counts_names_reversed_order_and_bad_keys():
    with pytest.raises(CheckFailed) as err:
        cmp.assert_counts({"01": 1000}, {"10": 1.0})
    assert "qubit order reversed" in err.value.hint
    with pytest.raises(CheckFailed, match="bitstrings"):
        cmp.assert_counts({"ab": 3}, {"00": 1.0})
    with pytest.raises(CheckFailed, match="counts dict"):
        cmp.assert_counts([1, 2], {"0": 1.0})
