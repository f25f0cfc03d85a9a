import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp

from qmlkit import backends
from qmlkit.errors import BackendError


def bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    return qc


def test_default_is_ideal(monkeypatch):
    monkeypatch.delenv("QMLKIT_BACKEND", raising=False)
    monkeypatch.setattr(backends, "_session_spec", None)
    assert backends.current_spec() == "ideal"
    assert backends.get().kind == "ideal"


def test_env_var_and_use(monkeypatch):
    monkeypatch.setattr(backends, "_session_spec", None)
    monkeypatch.setenv("QMLKIT_BACKEND", "fake:manila")
    assert backends.get().name == "fake:manila"
    backends.use("ideal")
    assert backends.get().name == "ideal"  # use() beats the environment variable


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("fake:manla", "fake:manila"),
        ("idael", "'ideal'"),
        ("fake:", "needs a device name"),
        ("quantum", "Valid backend settings"),
    ],
)
def test_bad_specs_explain(spec, fragment):
    with pytest.raises(BackendError) as err:
        backends.get(spec)
    assert fragment in str(err.value)


def test_non_string_spec():
    with pytest.raises(BackendError, match="must be a string"):
        backends.get(5)


def test_ibm_without_account_explains_how(no_ibm_account):
    import time

    start = time.monotonic()
    with pytest.raises(BackendError) as err:
        backends.get("ibm")
    assert time.monotonic() - start < 20
    text = str(err.value)
    assert "save_account" in text and "fake:" in text


def test_fake_names_include_common_devices():
    names = backends.fake_device_names()
    for device in ("manila", "kyiv", "sherbrooke", "brisbane"):
        assert device in names


@pytest.mark.parametrize("spec", ["ideal", "fake:manila"])
def test_sampler_runs_isa_bell(spec):
    b = backends.get(spec, seed=11)
    qc = bell()
    qc.measure_all()
    isa = b.isa(qc)
    counts = b.sampler.run([isa], shots=2000).result()[0].data.meas.get_counts()
    assert sum(counts.values()) == 2000
    assert counts.get("00", 0) + counts.get("11", 0) >= 0.85 * 2000


@pytest.mark.parametrize("spec", ["ideal", "fake:manila"])
def test_estimator_with_isa_observable(spec):
    b = backends.get(spec, seed=3)
    isa, obs = b.isa(bell(), SparsePauliOp("ZZ"))
    assert obs.num_qubits == isa.num_qubits
    value = float(b.estimator.run([(isa, obs)]).result()[0].data.evs)
    assert value > 0.8


def test_isa_uses_only_target_gates():
    b = backends.get("fake:manila")
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.ccx(0, 1, 2)
    isa = b.isa(qc)
    allowed = set(b.backend.target.operation_names)
    assert {inst.operation.name for inst in isa.data} <= allowed | {"barrier"}


def test_isa_mismatched_observables():
    with pytest.raises(BackendError, match="one observable per circuit"):
        backends.get("ideal").isa([bell(), bell()], [SparsePauliOp("ZZ")])


def test_backend_repr_and_properties():
    b = backends.get("fake:manila")
    assert b.num_qubits == 5 and b.is_simulator
    assert "fake:manila" in repr(b)
    np.testing.assert_equal(b.kind, "fake")


def test_isa_one_circuit_many_observables():
    b = backends.get("fake:manila")
    isa, obs = b.isa(bell(), [SparsePauliOp("ZZ"), SparsePauliOp("XX")])
    assert len(obs) == 2 and all(o.num_qubits == isa.num_qubits for o in obs)


def test_resolve_is_the_one_backend_argument_rule(monkeypatch):
    from qmlkit import kernels, mitigation, sim
    from qmlkit.errors import InputError

    monkeypatch.setattr(backends, "_session_spec", None)
    monkeypatch.delenv("QMLKIT_BACKEND", raising=False)
    assert backends.resolve(None).name == "ideal"  # the current setting
    assert backends.resolve(None, seed=5) is backends.get("ideal", seed=5)
    fake = backends.resolve("fake:manila", seed=2)
    assert (fake.name, fake.seed) == ("fake:manila", 2)
    assert backends.resolve(fake, seed=9) is fake  # a Backend is used as it is
    with pytest.raises(BackendError, match="Did you mean"):
        backends.resolve("fake:manilla")
    with pytest.raises(InputError, match="spec string .* or a qmlkit Backend; got FakeManilaV2"):
        backends.resolve(fake.backend)  # a bare Qiskit backend
    # the modules that run circuits go through it: the same message everywhere
    from qiskit.circuit.library import z_feature_map

    for call in (
        lambda: sim.counts(bell(), backend=fake.backend),
        lambda: mitigation.calibrate_readout(fake.backend, [0]),
        lambda: kernels.FidelityKernel(z_feature_map(1), backend=fake.backend).evaluate([[0.1]]),
    ):
        with pytest.raises(InputError, match="or a qmlkit Backend; got FakeManilaV2"):
            call()
    for module in (sim, mitigation, kernels):
        assert not any(name.startswith("_resolve") for name in vars(module))
    assert "resolve" in backends.__all__
