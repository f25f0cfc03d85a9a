"""One setting that decides where circuits run.

A *backend spec* is a short string:

* ``"ideal"`` (the default): noiseless simulation with Qiskit Aer;
* ``"fake:<device>"``: a noisy simulation of a real IBM device, built offline from
  qiskit-ibm-runtime's fake backends (for example ``"fake:manila"``, ``"fake:kyiv"``);
* ``"ibm"`` or ``"ibm:<device>"``: real IBM Quantum hardware through qiskit-ibm-runtime,
  with the account saved by ``QiskitRuntimeService.save_account``.

The spec comes from the argument of :func:`get`, else from :func:`use`, else from the
``QMLKIT_BACKEND`` environment variable, else ``"ideal"``. Every backend gives V2
primitives (``.sampler``, ``.estimator``) and turns circuits and observables into ISA form
for its target with :meth:`Backend.isa`, so lesson code runs unchanged on all three.

Qubit order is Qiskit's everywhere: qubit 0 is the rightmost character of a bitstring.

Introduced in lesson 00; used from lesson 04 on.

>>> b = get("ideal")
>>> b.name, b.kind
('ideal', 'ideal')
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import BackendError, InputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
    from qiskit.providers import BackendV2
    from qiskit.quantum_info import SparsePauliOp
    from qiskit.transpiler import StagedPassManager


__all__ = [
    "Backend",
    "get",
    "use",
    "resolve",
    "current_spec",
    "fake_device_names",
    "parse_spec",
]

ENV_VAR = "QMLKIT_BACKEND"
_DEFAULT = "ideal"
_session_spec: str | None = None
_cache: dict[tuple[str, int | None], Backend] = {}
_lock = threading.Lock()

IBM_HELP = """\
No IBM Quantum account is saved on this machine, so the backend {spec!r} cannot be used.

To use real hardware, save your account once (the token is on https://quantum.cloud.ibm.com):

    from qiskit_ibm_runtime import QiskitRuntimeService
    QiskitRuntimeService.save_account(token="<your API key>", instance="<your CRN>", set_as_default=True)

To run the same lesson offline on a noisy copy of a real device instead, use for example

    qmlkit.backends.use("fake:manila")      # or: export QMLKIT_BACKEND=fake:manila
"""


def _fake_classes() -> dict[str, str]:
    """Map short device names ('manila') to fake-backend class names ('FakeManilaV2')."""
    from qiskit_ibm_runtime import fake_provider

    names: dict[str, str] = {}
    for cls_name in dir(fake_provider):
        if not cls_name.startswith("Fake") or cls_name.startswith("FakeProvider"):
            continue
        short = cls_name[4:]
        if short.endswith("V2"):
            short = short[:-2]
        short = short.lower()
        if short in ("fractionalbackend",):
            continue
        names[short] = cls_name
    return names


def fake_device_names() -> list[str]:
    """Names usable after ``fake:``, sorted.

    >>> "manila" in fake_device_names()
    True
    """
    return sorted(_fake_classes())


def _valid_specs_text() -> str:
    return (
        "Valid backend settings are 'ideal', 'fake:<device>' (for example 'fake:manila'; "
        "see qmlkit.backends.fake_device_names()), 'ibm' and 'ibm:<device>'."
    )


def parse_spec(spec: str) -> tuple[str, str | None]:
    """Split a spec into (kind, device) and validate its form.

    >>> parse_spec("fake:Manila")
    ('fake', 'manila')
    >>> parse_spec(" IDEAL ")
    ('ideal', None)
    """
    if not isinstance(spec, str):
        raise BackendError(
            f"A backend setting must be a string, not {type(spec).__name__}. {_valid_specs_text()}"
        )
    text = spec.strip()
    kind, _, name = text.partition(":")
    kind = kind.lower()
    device = name.strip() or None
    if kind in ("ideal", "aer", "simulator") and device is None:
        return "ideal", None
    if kind == "fake":
        if device is None:
            raise BackendError(
                "The setting 'fake:' needs a device name, for example 'fake:manila'. "
                f"Available: {', '.join(fake_device_names()[:12])}, ..."
            )
        short = device.lower().removeprefix("fake").removesuffix("v2").removeprefix("_")
        known = _fake_classes()
        if short not in known:
            near = difflib.get_close_matches(short, list(known), n=4, cutoff=0.5)
            hint = f" Did you mean {', '.join('fake:' + n for n in near)}?" if near else ""
            raise BackendError(
                f"There is no fake IBM device called {device!r}.{hint} "
                "qmlkit.backends.fake_device_names() lists all of them."
            )
        return "fake", short
    if kind == "ibm":
        return "ibm", device
    near = difflib.get_close_matches(kind, ["ideal", "fake", "ibm"], n=1, cutoff=0.4)
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise BackendError(f"Unknown backend setting {spec!r}.{hint} {_valid_specs_text()}")


def current_spec() -> str:
    """The spec that :func:`get` uses when called without one.

    >>> isinstance(current_spec(), str)
    True
    """
    return _session_spec or os.environ.get(ENV_VAR, "").strip() or _DEFAULT


def use(spec: str) -> Backend:
    """Make ``spec`` the default backend of this Python session and return it.

    The setting is checked at once, so a typo fails here and not later.

    >>> use("ideal").name
    'ideal'
    """
    global _session_spec
    backend = get(spec)
    _session_spec = spec
    return backend


def get(spec: str | None = None, *, seed: int | None = None) -> Backend:
    """Return the :class:`Backend` for ``spec`` (see the module docstring).

    Args:
        spec: backend setting; ``None`` means :func:`current_spec`.
        seed: seed for the simulators' sampling, so that shot results repeat.

    Raises:
        BackendError: for an unknown setting, or ``ibm`` without a saved account.
    """
    spec = current_spec() if spec is None else spec
    kind, device = parse_spec(spec)
    key = (f"{kind}:{device}", seed)
    with _lock:
        if key in _cache:
            return _cache[key]
        if kind == "ideal":
            backend = _make_ideal(seed)
        elif kind == "fake":
            backend = _make_fake(device, seed)  # type: ignore[arg-type]
        else:
            backend = _make_ibm(spec, device)
        _cache[key] = backend
        return backend


def resolve(backend: str | Backend | None = None, *, seed: int | None = None) -> Backend:
    """The :class:`Backend` a ``backend=`` argument of a qmlkit function stands for.

    Every qmlkit function that runs circuits takes ``backend=`` in one of three forms and
    passes it through here: ``None`` (the current setting, :func:`current_spec`), a spec
    string (see the module docstring) or a :class:`Backend` (used as it is; ``seed`` then
    does not apply, the backend keeps its own).

    Args:
        backend: ``None``, a spec string such as ``"fake:manila"``, or a :class:`Backend`.
        seed: sampling seed for a backend made from ``None`` or a spec.

    Raises:
        BackendError: for an unknown spec (or ``ibm`` without a saved account).
        InputError: for an object that is none of the three forms (for example a bare
            Qiskit backend: use its spec string, or a fake device's ``"fake:<name>"``).

    >>> resolve("ideal", seed=3).seed
    3
    >>> b = get("ideal"); resolve(b) is b
    True
    """
    if backend is None or isinstance(backend, str):
        return get(backend, seed=seed)
    if isinstance(backend, Backend):
        return backend
    raise InputError(
        "backend must be None, a spec string such as 'fake:manila', or a qmlkit Backend; "
        f"got {type(backend).__name__}. Use a spec string, or qmlkit.backends.get(...)."
    )


@dataclass
class Backend:
    """Where circuits run: a Qiskit backend together with its V2 primitives.

    Attributes:
        name: the spec that made it, for example ``'fake:manila'``.
        kind: ``'ideal'``, ``'fake'`` or ``'ibm'``.
        backend: the Qiskit ``BackendV2`` object (its ``target`` lists gates and couplings).
        seed: sampling seed for simulators, or ``None``.
    """

    name: str
    kind: str
    backend: BackendV2
    seed: int | None = None
    _sampler: Any = field(default=None, repr=False)
    _estimator: Any = field(default=None, repr=False)
    _pm: dict = field(default_factory=dict, repr=False)

    @property
    def num_qubits(self) -> int:
        """Number of qubits of the target."""
        return int(self.backend.num_qubits)

    @property
    def is_simulator(self) -> bool:
        """True for ``ideal`` and ``fake:`` backends."""
        return self.kind != "ibm"

    @property
    def sampler(self) -> BaseSamplerV2:
        """A V2 sampler for this backend (Aer's for ideal, IBM Runtime's otherwise)."""
        if self._sampler is None:
            if self.kind == "ideal":
                from qiskit_aer.primitives import SamplerV2

                self._sampler = SamplerV2(seed=self.seed)
            else:
                self._sampler = _runtime_primitive("sampler", self.backend)
                if self.kind == "fake" and self.seed is not None:
                    self._sampler.options.simulator.seed_simulator = self.seed
        return self._sampler

    @property
    def estimator(self) -> BaseEstimatorV2:
        """An ``EstimatorV2`` for this backend (Aer's for ideal, IBM Runtime's otherwise)."""
        if self._estimator is None:
            if self.kind == "ideal":
                from qiskit_aer.primitives import EstimatorV2

                # precision 0 means exact expectation values on the ideal simulator
                self._estimator = EstimatorV2(options={"default_precision": 0.0})
            else:
                self._estimator = _runtime_primitive("estimator", self.backend)
                if self.kind == "fake" and self.seed is not None:
                    self._estimator.options.simulator.seed_simulator = self.seed
        return self._estimator

    def pass_manager(self, optimization_level: int = 2) -> StagedPassManager:
        """The preset pass manager that maps circuits onto this target."""
        if optimization_level not in self._pm:
            from qiskit.transpiler import generate_preset_pass_manager

            self._pm[optimization_level] = generate_preset_pass_manager(
                optimization_level=optimization_level,
                backend=self.backend,
                seed_transpiler=0 if self.seed is None else self.seed,
            )
        return self._pm[optimization_level]

    def isa(
        self,
        circuits: QuantumCircuit | Sequence[QuantumCircuit],
        observables: SparsePauliOp | Sequence[SparsePauliOp] | None = None,
        optimization_level: int = 2,
    ) -> Any:
        """Turn circuits (and observables) into ISA form for this backend.

        Args:
            circuits: one ``QuantumCircuit`` or a list of them.
            observables: optional observable (``SparsePauliOp``) or list, one per circuit
                (or, with a single circuit, a list of observables for that circuit); each
                is laid out onto the physical qubits its circuit was mapped to.
            optimization_level: 0 to 3, as in Qiskit's preset pass managers.

        Returns:
            The ISA circuit(s), or a tuple ``(circuits, observables)`` when observables
            were given.

        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2); _ = qc.h(0); _ = qc.cx(0, 1)
        >>> get("ideal").isa(qc).num_qubits
        2
        """
        single = not isinstance(circuits, (list, tuple))
        circ_list = [circuits] if single else list(circuits)
        isa_circuits = self.pass_manager(optimization_level).run(circ_list)
        if observables is None:
            return isa_circuits[0] if single else isa_circuits
        if single and isinstance(observables, (list, tuple)):
            # several observables measured on one circuit: lay each out on it
            layout = isa_circuits[0].layout
            laid = [obs.apply_layout(layout) if layout is not None else obs for obs in observables]  # type: ignore[union-attr]
            return isa_circuits[0], laid
        obs_list: list[Any] = [observables] if single else list(observables)  # type: ignore[arg-type]
        if len(obs_list) != len(isa_circuits):
            raise BackendError(
                f"Got {len(isa_circuits)} circuits but {len(obs_list)} observables; "
                "give one observable per circuit."
            )
        isa_obs = [
            obs.apply_layout(circ.layout) if circ.layout is not None else obs
            for circ, obs in zip(isa_circuits, obs_list)
        ]
        if single:
            return isa_circuits[0], isa_obs[0]
        return isa_circuits, isa_obs

    def __repr__(self) -> str:
        return f"Backend(name={self.name!r}, kind={self.kind!r}, num_qubits={self.num_qubits})"


def _runtime_primitive(which: str, mode: Any) -> Any:
    """IBM Runtime's V2 Sampler/Estimator for a backend (local mode for fake backends).

    qiskit-ibm-runtime 0.50 moved the recommended primitives to ``executor_sampler`` and
    ``executor_estimator`` and deprecated ``SamplerV2``/``EstimatorV2``; older releases
    only have the latter. Both implement Qiskit's ``BaseSamplerV2``/``BaseEstimatorV2``.
    """
    if which == "sampler":
        try:
            from qiskit_ibm_runtime.executor_sampler import Sampler as Primitive
        except ImportError:  # qiskit-ibm-runtime < 0.50
            from qiskit_ibm_runtime import SamplerV2 as Primitive
    else:
        try:
            from qiskit_ibm_runtime.executor_estimator import Estimator as Primitive
        except ImportError:  # qiskit-ibm-runtime < 0.50
            from qiskit_ibm_runtime import EstimatorV2 as Primitive
    return Primitive(mode=mode)


def _make_ideal(seed: int | None) -> Backend:
    from qiskit_aer import AerSimulator

    return Backend(name="ideal", kind="ideal", backend=AerSimulator(seed_simulator=seed), seed=seed)


def _make_fake(device: str, seed: int | None) -> Backend:
    from qiskit_ibm_runtime import fake_provider

    cls = getattr(fake_provider, _fake_classes()[device])
    return Backend(name=f"fake:{device}", kind="fake", backend=cls(), seed=seed)


def _make_ibm(spec: str, device: str | None, timeout: float = 30.0) -> Backend:
    """Connect to IBM Quantum; fails with a helpful message instead of hanging."""
    outcome: dict[str, Any] = {}

    def connect() -> None:
        try:
            from qiskit_ibm_runtime import QiskitRuntimeService

            service = QiskitRuntimeService()
            if device:
                outcome["backend"] = service.backend(device)
            else:
                outcome["backend"] = service.least_busy(operational=True, simulator=False)
        except Exception as exc:  # turned into a BackendError below
            outcome["error"] = exc

    worker = threading.Thread(target=connect, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise BackendError(
            f"IBM Quantum did not answer within {timeout:.0f} s for {spec!r}. Check the "
            "network connection, or run offline with a fake device such as 'fake:manila'."
        )
    error = outcome.get("error")
    if error is not None:
        text = f"{type(error).__name__}: {error}"
        if type(error).__name__ == "AccountNotFoundError" or "find account" in text.lower():
            raise BackendError(IBM_HELP.format(spec=spec)) from None
        raise BackendError(
            f"Could not reach IBM Quantum for {spec!r} ({text}). "
            "Check your saved account and network, or use a fake device such as 'fake:manila'."
        ) from None
    backend = outcome["backend"]
    return Backend(name=f"ibm:{backend.name}", kind="ibm", backend=backend)
