"""Running a qmlkit model's circuit on a device backend: shots and parameter-shift gradients.

The exact models (:class:`~qmlkit.models.VQC`, :class:`~qmlkit.models.QCNNClassifier`,
:class:`~qmlkit.models.VariationalRegressor`) simulate statevectors. With a device
``backend`` they instead send the transpiled circuit to the backend's V2 sampler and
estimate measured probabilities from ``shots`` samples. This module holds what they share:

* :func:`device_for`: the :class:`~qmlkit.backends.Backend` a ``backend=`` argument stands
  for (``None`` for the exact simulator);
* :func:`sampler_for`: the sampler used on it (a one-thread Aer sampler with the device's
  noise model for ``fake:`` devices);
* :func:`probabilities_from_bits`: measured bits of a sampler result as frequencies;
* :class:`ShotProgram`: a circuit whose weight *occurrences* are separate parameters, so
  that the parameter-shift rule can shift each gate in which a weight appears (the
  gradient is the sum over occurrences, times the chain-rule factor ``c`` of an angle
  ``c * w + d``). Rotations whose generator has two eigenvalues one apart (``rx``, ``ry``,
  ``rz``, ``p``, ``rzz``, ``cp``, ...) take the two-term rule
  ``(f(t + pi/2) - f(t - pi/2)) / 2``; controlled rotations (``crx``, ``cry``, ``crz``,
  generator eigenvalues -1/2, 0, 1/2) take the four-term rule
  ``d+ (f(t + pi/2) - f(t - pi/2)) - d- (f(t + 3pi/2) - f(t - 3pi/2))`` with
  ``d+- = (sqrt 2 +- 1) / (4 sqrt 2)`` (Anselmetti et al., New J. Phys. 23, 113010, 2021).
  All shifted circuits of a step go to the sampler in one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

    from ..backends import Backend

__all__ = [
    "BACKEND_RULE",
    "DEFAULT_DEVICE_SHOTS",
    "is_ideal",
    "device_for",
    "shots_for",
    "check_shots",
    "sampler_for",
    "probabilities_from_bits",
    "ShotProgram",
]

_TWO_TERM = {"rx", "ry", "rz", "p", "u1", "phase", "rxx", "ryy", "rzz", "rzx", "cp", "cu1"}
_FOUR_TERM = {"crx", "cry", "crz"}
_D_PLUS = (np.sqrt(2) + 1) / (4 * np.sqrt(2))
_D_MINUS = (np.sqrt(2) - 1) / (4 * np.sqrt(2))
#: (shift, coefficient) pairs of each rule: d f / d t = sum coefficient * f(t + shift)
RULES: dict[int, list[tuple[float, float]]] = {
    2: [(np.pi / 2, 0.5), (-np.pi / 2, -0.5)],
    4: [
        (np.pi / 2, _D_PLUS),
        (-np.pi / 2, -_D_PLUS),
        (3 * np.pi / 2, -_D_MINUS),
        (-3 * np.pi / 2, _D_MINUS),
    ],
}


#: shots per circuit on a device when ``shots=None``
DEFAULT_DEVICE_SHOTS = 1024

#: the backend rule every qmlkit model states in its docstring
BACKEND_RULE = """\
``backend=None`` or ``"ideal"`` (or an ideal :class:`~qmlkit.backends.Backend`) with
``shots=None`` is the exact simulator (statevectors, exact gradients); ``"ideal"`` with an
integer ``shots`` samples that many shots per circuit on Aer's noiseless sampler;
``backend=None`` with an integer ``shots`` is the same as ``"ideal"`` with it; a device
(``"fake:<name>"``, ``"ibm:..."``, a device Backend) always samples, 1024 shots per circuit
when ``shots=None``."""


def is_ideal(backend: Any) -> bool:
    """True for ``None``, an ``"ideal"`` spec or an ideal Backend (not for devices)."""
    if backend is None:
        return True
    if isinstance(backend, str):
        from ..backends import parse_spec

        return parse_spec(backend)[0] == "ideal"
    return getattr(backend, "kind", None) == "ideal"


def device_for(backend: Any, random_state: Any, shots: Any) -> Backend | None:
    """The device a model's ``backend=`` and ``shots=`` stand for; ``None`` means exact.

    The one rule of every qmlkit model: ``None``/``"ideal"`` (or an ideal Backend) with
    ``shots=None`` is the exact simulator (``None`` is returned); ``"ideal"`` with an
    integer ``shots`` is Aer's noiseless sampler, and so is ``None`` with one; any other
    backend is a device (with ``shots=None`` meaning :data:`DEFAULT_DEVICE_SHOTS`, see
    :func:`shots_for`). The sampling seed is ``random_state`` when it is an int.

    >>> device_for("ideal", 0, None) is None
    True
    >>> device_for(None, 0, 100).kind, device_for("fake:manila", 0, None).kind
    ('ideal', 'fake')
    """
    from ..backends import resolve

    if shots is None and is_ideal(backend):
        return None
    if backend is None:
        backend = "ideal"  # not the session setting: shots without a backend are noiseless
    seed = random_state if isinstance(random_state, (int, np.integer)) else None
    if isinstance(seed, bool):
        seed = None
    return resolve(backend, seed=None if seed is None else int(seed))


def check_shots(shots: Any) -> int:
    """``shots`` as an int, or an InputError."""
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise InputError(f"shots must be a positive integer or None, got {shots!r}.")
    return int(shots)


def shots_for(device: Backend | None, shots: Any) -> int:
    """Shots per circuit on ``device``: ``shots``, or 1024 when it is ``None``.

    >>> shots_for(None, None), shots_for(None, 200)
    (1024, 200)
    """
    return DEFAULT_DEVICE_SHOTS if shots is None else check_shots(shots)


_FAKE_SAMPLERS: dict[tuple[str, int | None, str], Any] = {}


def sampler_for(device: Backend, n_qubits: int) -> Any:
    """The V2 sampler the models use on ``device``.

    For a fake device this is Aer's ``SamplerV2`` with the device's noise model
    (``NoiseModel.from_backend``, as in qiskit-ibm-runtime's local mode) on one thread: the
    runtime's local sampler runs Aer on every core, which on a small, busy machine makes the
    many small parameter sets of a training step about ten times slower. Small circuits use
    the density-matrix method (the exact noisy distribution, then ``shots`` samples).
    Other backends use ``device.sampler``.
    """
    if device.kind != "fake":
        return device.sampler
    method = "density_matrix" if n_qubits <= 8 else "automatic"
    key = (device.name, device.seed, method)
    if key not in _FAKE_SAMPLERS:
        from qiskit_aer.noise import NoiseModel
        from qiskit_aer.primitives import SamplerV2

        options: dict[str, Any] = {
            "noise_model": NoiseModel.from_backend(device.backend),
            "method": method,
            "max_parallel_threads": 1,
        }
        if device.seed is not None:
            options["seed_simulator"] = device.seed
        _FAKE_SAMPLERS[key] = SamplerV2(options={"backend_options": options})
    return _FAKE_SAMPLERS[key]


def probabilities_from_bits(bits: np.ndarray, n_bits: int, shots: int) -> np.ndarray:
    """Frequencies of the outcomes: ``bits`` (..., shots, n_bytes) -> (..., 2**n_bits).

    ``bits`` is a sampler's ``BitArray.array`` (big-endian bytes; bit k of the outcome is
    classical bit k).
    """
    ints = np.zeros(bits.shape[:-1], dtype=np.int64)
    for byte in range(bits.shape[-1]):
        ints = ints * 256 + bits[..., byte]
    dim = 2**n_bits
    lead = bits.shape[:-2]
    rows = np.arange(int(np.prod(lead))).reshape(*lead, 1)
    counts = np.bincount((ints + dim * rows).ravel(), minlength=int(np.prod(lead)) * dim)
    return counts.reshape(*lead, dim) / shots


def _basis_change(qc: QuantumCircuit, label: str) -> list[int]:
    """Rotate the qubits of a Pauli label (Qiskit order) to Z; return the measured qubits."""
    measured = []
    for q, letter in enumerate(reversed(label.upper())):
        if letter == "X":
            qc.h(q)
        elif letter == "Y":
            qc.sdg(q)
            qc.h(q)
        if letter != "I":
            measured.append(q)
    return measured


#: controlled rotations whose parameters Aer 0.18's samplers bind wrongly (P(11) = 0 for
#: ``ry(a) q0; cry(b) q0, q1`` with the angles given as parameter values; right when bound
#: before running): they are decomposed into single-qubit rotations and CNOTs first
_AER_BINDING_BUG = {
    "crx",
    "cry",
    "crz",
    "cp",
    "cu1",
    "cu",
    "cu3",
    "mcphase",
    "mcrx",
    "mcry",
    "mcrz",
}


def _bindable(isa: QuantumCircuit) -> QuantumCircuit:
    """``isa`` with parameterised controlled rotations decomposed (see _AER_BINDING_BUG)."""
    names = {
        inst.operation.name
        for inst in isa.data
        if inst.operation.name in _AER_BINDING_BUG
        and any(hasattr(p, "parameters") and p.parameters for p in inst.operation.params)
    }
    while names:
        isa = isa.decompose(gates_to_decompose=sorted(names))
        names = {
            inst.operation.name
            for inst in isa.data
            if inst.operation.name in _AER_BINDING_BUG
            and any(hasattr(p, "parameters") and p.parameters for p in inst.operation.params)
        }
    return isa


class ShotProgram:
    """A parameterised circuit sampled on a device, with parameter-shift Jacobians.

    Args:
        circuit: the model's circuit (no measurements).
        inputs: the parameters that take the features, in feature order.
        weights: the trainable parameters, in weight order.
        device: the backend.
        shots: shots per circuit.
        bases: one Pauli label per measured circuit (Qiskit order, length ``num_qubits``):
            ``X``/``Y`` qubits are rotated to Z before the measurement, ``I`` qubits are not
            measured. The outcome of a circuit is an int whose bit k is its k-th measured
            qubit (in qubit order).

    Attributes:
        expanded: the circuit with one parameter per shiftable weight occurrence.
        occ_params: those parameters; ``occurrences`` holds (weight index, c, d, rule) for
            each, the angle being ``c * w + d`` and the rule 2 or 4 terms.
        bases: the measurement bases.
        isa_circuits: the transpiled measured circuits, one per basis.
        n_measured: the number of measured qubits of each circuit.
        unshiftable: names of gates whose weight angle the shift rules do not cover (a
            gate outside the rules, an angle that also depends on an input, or one that is
            not of the form ``c * w + d``); empty when gradients are available.
    """

    def __init__(
        self,
        circuit: QuantumCircuit,
        inputs: list,
        weights: list,
        device: Backend,
        shots: int,
        bases: list[str],
    ) -> None:
        from qiskit import ClassicalRegister
        from qiskit.circuit import Parameter

        self.device, self.shots = device, int(shots)
        self.inputs, self.weights = list(inputs), list(weights)
        w_index = {p: j for j, p in enumerate(self.weights)}
        input_set = set(self.inputs)
        self.occurrences: list[tuple[int, float, float, int]] = []  # (weight, c, d, rule)
        self.occ_params: list[Any] = []
        self.unshiftable: list[str] = []
        expanded = circuit.copy_empty_like()

        def add(op: Any, qubits: tuple) -> None:
            params = list(op.params)
            uses = [
                i
                for i, p in enumerate(params)
                if hasattr(p, "parameters") and any(q in w_index for q in p.parameters)
            ]
            if not uses:
                expanded.append(op, qubits, copy=False)
                return
            rule = 2 if op.name in _TWO_TERM else 4 if op.name in _FOUR_TERM else None
            if rule is None and op.definition is not None:
                for inst in op.definition.data:
                    inner = tuple(qubits[op.definition.find_bit(q).index] for q in inst.qubits)
                    add(inst.operation, inner)
                return
            affine = self._affine(params[uses[0]], w_index, input_set)
            if rule is None or len(params) != 1 or affine is None:
                self.unshiftable.append(op.name)
                expanded.append(op, qubits, copy=False)
                return
            phi = Parameter(f"_occ{len(self.occurrences):05d}")
            self.occurrences.append((*affine, rule))
            self.occ_params.append(phi)
            new_op = op.copy()
            new_op.params = [phi]
            expanded.append(new_op, qubits, copy=False)

        for inst in circuit.data:
            add(inst.operation, tuple(inst.qubits))
        self.expanded = expanded
        self.bases = list(bases)
        measured_circuits, self.n_measured = [], []
        for label in bases:
            qc = expanded.copy()
            qubits = _basis_change(qc, label)
            creg = ClassicalRegister(len(qubits), "meas")
            qc.add_register(creg)
            qc.measure(qubits, creg)
            measured_circuits.append(qc)
            self.n_measured.append(len(qubits))
        self.isa_circuits = [_bindable(isa) for isa in device.isa(measured_circuits)]
        self._columns = []
        for isa in self.isa_circuits:
            position = {p: k for k, p in enumerate(isa.parameters)}
            self._columns.append(
                (
                    [position.get(p) for p in self.inputs],
                    [position.get(p) for p in self.weights],
                    [position.get(p) for p in self.occ_params],
                )
            )
        self._coef = np.array([c for _, c, _, _ in self.occurrences])
        self._offset = np.array([d for _, _, d, _ in self.occurrences])
        self._owner = np.array([j for j, _, _, _ in self.occurrences], dtype=int)

    @staticmethod
    def _affine(expr: Any, w_index: dict, input_set: set) -> tuple[int, float, float] | None:
        """(weight index, c, d) when ``expr = c * w + d`` for one weight and no inputs."""
        names = list(expr.parameters)
        if len(names) != 1 or names[0] in input_set or names[0] not in w_index:
            return None
        w = names[0]
        try:
            c = expr.gradient(w)
            if hasattr(c, "parameters") and c.parameters:
                return None
            d = expr.bind({w: 0.0})
            return w_index[w], float(np.real(complex(c))), float(np.real(complex(d)))
        except (TypeError, ValueError, AttributeError):
            return None

    def angles(self, w: np.ndarray) -> np.ndarray:
        """The angle of every weight occurrence at weights ``w``."""
        return self._coef * w[self._owner] + self._offset

    def sample(self, X: np.ndarray, W: np.ndarray, Phi: np.ndarray) -> list[np.ndarray]:
        """Frequencies for every (weight set, point): a list, per basis, of (m, n, 2**k).

        ``W`` (m, n_weights) and ``Phi`` (m, n_occurrences) are matched rows: the weights of
        the gates outside the shift rules and the angles of the occurrences.
        """
        pubs = []
        for isa, (in_cols, w_cols, occ_cols) in zip(self.isa_circuits, self._columns):
            values = np.zeros((len(W), len(X), isa.num_parameters))
            for j, col in enumerate(in_cols):
                if col is not None:
                    values[:, :, col] = X[None, :, j]
            for j, col in enumerate(w_cols):
                if col is not None:
                    values[:, :, col] = W[:, j, None]
            for k, col in enumerate(occ_cols):
                if col is not None:
                    values[:, :, col] = Phi[:, k, None]
            pubs.append((isa, values))
        sampler = sampler_for(self.device, self.expanded.num_qubits)
        result = sampler.run(pubs, shots=self.shots).result()
        return [
            probabilities_from_bits(result[i].data.meas.array, k, self.shots)
            for i, k in enumerate(self.n_measured)
        ]

    def require_gradient(self, model: str) -> None:
        """Raise a clear InputError when some weight occurrence cannot be shifted."""
        if self.unshiftable:
            gates = sorted(set(self.unshiftable))
            raise InputError(
                f"On a device backend the {model} computes gradients with the parameter-shift "
                f"rule, which covers weights in rx/ry/rz/p/rxx/ryy/rzz/rzx/cp (two terms) and "
                f"crx/cry/crz (four terms) gates with angles c*w + d; the circuit has weights in "
                f"{gates} gates (or angles that mix weights and inputs). Use a gradient-free "
                "optimizer such as 'COBYLA', or such a circuit."
            )

    def run(
        self, X: np.ndarray, w: np.ndarray, gradient: bool
    ) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
        """Frequencies at ``w`` per basis, (n, 2**k), and their parameter-shift Jacobians.

        The Jacobians are (n_weights, n, 2**k) per basis (``None`` without ``gradient``);
        every shifted circuit of the step is sampled in one sampler call.
        """
        phi0 = self.angles(w)
        if not gradient:
            return [p[0] for p in self.sample(X, w[None, :], phi0[None, :])], None
        self.require_gradient("model")
        rows, owners, coefs = [phi0], [], []
        for k, (j, c, _, rule) in enumerate(self.occurrences):
            for shift, coef in RULES[rule]:
                phi = phi0.copy()
                phi[k] += shift
                rows.append(phi)
                owners.append(j)
                coefs.append(c * coef)
        Phi = np.array(rows)
        probs = self.sample(X, np.repeat(w[None, :], len(Phi), axis=0), Phi)
        G = np.zeros((len(w), len(Phi) - 1))
        G[owners, np.arange(len(Phi) - 1)] = coefs
        jac = [np.einsum("js,snk->jnk", G, p[1:]) for p in probs]
        return [p[0] for p in probs], jac
