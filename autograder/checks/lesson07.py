"""Checks for lesson 07: variational circuits (parameter-shift gradients, a small VQE)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

# -------------------------------------------------------------- parameter-shift gradient


def _circuit(kind: str) -> tuple[Any, Any]:
    """A parameterised circuit whose parameters each enter one Pauli rotation, and an observable."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector
    from qiskit.quantum_info import SparsePauliOp

    if kind == "one_qubit":
        p = ParameterVector("t", 2)
        qc = QuantumCircuit(1)
        qc.ry(p[0], 0)
        qc.rx(p[1], 0)
        return qc, SparsePauliOp("Z")
    if kind == "two_qubits":
        p = ParameterVector("t", 3)
        qc = QuantumCircuit(2)
        qc.ry(p[0], 0)
        qc.ry(p[1], 1)
        qc.cx(0, 1)
        qc.rx(p[2], 1)
        return qc, SparsePauliOp("ZI")
    if kind == "three_qubits":
        p = ParameterVector("t", 6)
        qc = QuantumCircuit(3)
        qc.h(range(3))
        qc.rz(p[0], 0)
        qc.ry(p[1], 1)
        qc.rx(p[2], 2)
        qc.cx(0, 1)
        qc.cx(1, 2)
        qc.ry(p[3], 0)
        qc.rz(p[4], 2)
        qc.ry(p[5], 1)
        return qc, SparsePauliOp.from_list([("ZZI", 1.0), ("XIX", 0.5), ("IYZ", -0.7)])
    # "two_qubit_rotations": RZZ, RXX and RYY are Pauli rotations too
    p = ParameterVector("t", 4)
    qc = QuantumCircuit(2)
    qc.ry(p[0], 0)
    qc.h(1)
    qc.rzz(p[1], 0, 1)
    qc.rxx(p[2], 0, 1)
    qc.ryy(p[3], 0, 1)
    return qc, SparsePauliOp.from_list([("XZ", 0.8), ("ZY", 0.4), ("IZ", -1.0)])


class _Expectation:
    """f(params) -> expectation, recording every parameter vector it is called with."""

    def __init__(self, kind: str) -> None:
        from qiskit.quantum_info import Statevector

        self._sv = Statevector
        self.circuit, self.observable = _circuit(kind)
        self.n = self.circuit.num_parameters
        self.queries: list[np.ndarray] = []

    def __call__(self, params: Any) -> float:
        try:
            values = np.asarray(params, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"f expects a sequence of {self.n} numbers, got {params!r}") from None
        if values.size != self.n:
            raise ValueError(f"f expects {self.n} parameters, got {values.size}")
        self.queries.append(values.copy())
        state = self._sv(self.circuit.assign_parameters(values))
        return float(np.real(state.expectation_value(self.observable)))

    def exact_gradient(self, params: np.ndarray) -> np.ndarray:
        """Exact derivative from a 3-point trigonometric fit of f along each parameter.

        Along one parameter f(theta + t) = c + a cos t + b sin t, so
        f'(theta) = b = [f(theta + 2pi/3) - f(theta - 2pi/3)] / sqrt(3).
        """
        saved = list(self.queries)
        grad = np.zeros(self.n)
        for k in range(self.n):
            e = np.zeros(self.n)
            e[k] = 2 * np.pi / 3
            grad[k] = (self(params + e) - self(params - e)) / np.sqrt(3)
        self.queries = saved
        return grad


_FD_HINT = (
    "finite differences are not exact; use shifts of ±pi/2: df/dθ = [f(θ + π/2) − f(θ − π/2)] / 2"
)


def _diagnose_gradient(
    g: np.ndarray, exact: np.ndarray, queries: list[np.ndarray], params: np.ndarray
) -> str | None:
    shifts = [np.abs(q - params) for q in queries]
    tiny = [s[(s > 0)].min() for s in shifts if np.any(s > 0)]
    if tiny and min(tiny) < 1e-2:
        return _FD_HINT + f" (f was evaluated at a step of {min(tiny):.1e})"
    if np.allclose(g, exact / np.sqrt(2), atol=1e-7):
        return (
            "shift of π/4: with a shift s the rule is [f(θ+s) − f(θ−s)] / (2 sin s); "
            "with s = π/2 the denominator is 2"
        )
    if np.allclose(g, 2 * exact, atol=1e-7):
        return "the factor 1/2 is missing: df/dθ = [f(θ + π/2) − f(θ − π/2)] / 2"
    if np.allclose(g, exact / 2, atol=1e-7):
        return "divided by 4 instead of 2: df/dθ = [f(θ + π/2) − f(θ − π/2)] / 2"
    if np.allclose(g, -exact, atol=1e-7):
        return "wrong sign: subtract f(θ − π/2) from f(θ + π/2)"
    if np.allclose(g, exact, atol=1e-3):
        return _FD_HINT
    if g.size > 1 and np.allclose(g, exact[::-1], atol=1e-7):
        return (
            "the entries are in reverse order: entry k is the derivative with respect to params[k]"
        )
    return None


@exercise(
    "07.parameter_shift_gradient",
    points=5,
    time_limit=30,
    title="The parameter-shift gradient",
    difficulty="medium",
    minutes=15,
    hints=[
        "For gates exp(−iθP/2) with a Pauli P, ∂f/∂θ_k = [f(θ + (π/2) e_k) − f(θ − (π/2) e_k)] "
        "/ 2 exactly; it is not an approximation.",
        "Loop over the parameters: shift only parameter k, up and down by π/2, keep the "
        "others; two calls of f per parameter.",
        "Return a float array with one entry per parameter, and do not change `params` in "
        "place: shift copies.",
    ],
)
def check_parameter_shift_gradient(t: Tester) -> None:
    # how params is passed: the statement's example passes a list, and a parameter vector of
    # whole numbers is an integer array (adding pi/2 in place to a copy of it truncates)
    cases: list[tuple[str, Any, bool, str]] = [
        ("one_qubit", [0.3, 1.1], False, "list"),
        ("two_qubits", [0.5, -1.2, 2.0], False, "float"),
        ("three_qubits", [0.1, 0.7, -2.2, 1.5, 0.0, 3.0], True, "float"),
        ("two_qubit_rotations", [1, 0, -2, 3], True, "int"),
        ("two_qubits", [np.pi / 2, 0.0, -np.pi], True, "float"),
    ]
    for kind, params, hidden, style in cases:
        given: Any = list(params) if style == "list" else np.array(params)
        params = np.array(params, dtype=float)
        f = _Expectation(kind)
        shown = {"list": " (a list)", "int": " (an integer array)"}.get(style, "")
        with t.case(
            f"parameter_shift_gradient(f, {np.round(params, 3).tolist()}) "
            f"({kind.replace('_', ' ')}){shown}",
            points=1,
            hidden=hidden,
        ):
            value = t.call(f, given.copy())
            queries = list(f.queries)
            g = cmp.as_array(value, what="gradient")
            if g.ndim != 1 or g.size != params.size:
                raise CheckFailed(
                    f"The gradient must have one entry per parameter: shape ({params.size},), "
                    f"got shape {g.shape}.",
                    hint="wrong shape: return np.array([df/dθ_0, df/dθ_1, ...])",
                )
            if np.max(np.abs(g.imag)) > 1e-9:
                raise CheckFailed("The gradient of a real expectation value is real.", actual=g)
            g = g.real
            exact = f.exact_gradient(params)
            steps = [np.abs(q - params) for q in queries]
            nonzero = [s[s > 0].min() for s in steps if np.any(s > 0)]
            if nonzero and min(nonzero) < 1e-2:
                raise CheckFailed(
                    f"f was evaluated at a parameter step of {min(nonzero):.1e}: that is a finite "
                    "difference, not the parameter-shift rule.",
                    expected=exact,
                    actual=g,
                    hint=_FD_HINT,
                )
            if np.allclose(g, exact, atol=1e-7, rtol=0):
                continue
            hint = _diagnose_gradient(g, exact, queries, params)
            moved = [q for q in queries if np.any(q != params)]
            if style == "int" and moved and all(np.all(q == np.round(q)) for q in moved):
                hint = (
                    "params was an integer array and your shifted copies stayed integers "
                    "(pi/2 was truncated): convert first, `np.asarray(params, dtype=float)`"
                )
            raise CheckFailed(
                "The gradient is not the exact one (tolerance 1e-7).",
                expected=exact,
                actual=g,
                hint=hint,
            )


# ---------------------------------------------------------------------------------- VQE


def _hamiltonians() -> list[tuple[str, Any, bool]]:
    from qiskit.quantum_info import SparsePauliOp

    rng = np.random.default_rng(707)
    h2 = SparsePauliOp.from_list(
        [
            ("II", -1.052373245772859),
            ("IZ", 0.39793742484318045),
            ("ZI", -0.39793742484318045),
            ("ZZ", -0.01128010425623538),
            ("XX", 0.18093119978423156),
        ]
    )
    ising = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5), ("IX", 0.5)])
    labels_real = ["II", "IZ", "ZI", "ZZ", "XX", "XZ", "ZX", "IX", "XI", "YY"]
    real = SparsePauliOp.from_list(
        [(p, float(c)) for p, c in zip(labels_real, rng.normal(size=len(labels_real)))]
    )
    labels_cplx = ["ZI", "IZ", "XY", "YX", "ZY", "YI", "XX"]
    cplx = SparsePauliOp.from_list(
        [(p, float(c)) for p, c in zip(labels_cplx, rng.normal(size=len(labels_cplx)))]
    )
    heisenberg = SparsePauliOp.from_list([("XX", 1.0), ("YY", 1.0), ("ZZ", 1.0), ("ZI", 0.3)])
    return [
        ("the H2 molecule (4 Pauli terms + constant)", h2, False),
        ("ZZ + 0.5 XI + 0.5 IX (transverse-field Ising)", ising, False),
        ("a random real Hamiltonian", real, True),
        ("a random Hamiltonian with Y terms (complex ground state)", cplx, True),
        ("XX + YY + ZZ + 0.3 ZI (Heisenberg)", heisenberg, True),
    ]


def _energy_answer(value: Any) -> float:
    """Turn the learner's answer into a float, naming the common wrong return types."""
    if hasattr(value, "fun") and hasattr(value, "x"):
        raise CheckFailed(
            "Your function returned an optimiser result object, not the energy.",
            hint="return result.fun (the minimum value), as a float",
        )
    try:
        ndim, size = np.ndim(value), np.size(value)
    except (TypeError, ValueError):  # ragged lists and the like
        ndim, size = -1, -1
    if isinstance(value, (tuple, list)) and len(value) == 2 and ndim in (1, -1):
        raise CheckFailed(
            "Your function returned a pair; return only the energy (a float).",
            hint="return the energy alone, e.g. `return energy`, not `return energy, params`",
        )
    if not isinstance(value, (str, bytes)) and ndim >= 1 and size == 4:
        raise CheckFailed(
            "Your function returned 4 numbers: that looks like an eigenvector (a state).",
            hint="returned an eigenvector: return the energy ⟨ψ|H|ψ⟩ (a float), not the state",
        )
    return float(cmp.as_number(value, what="energy"))


def _product_minima(h: np.ndarray) -> tuple[float, float]:
    """The lowest energy over two-qubit product states, over all of them and over real ones
    (what an ansatz without an entangling gate can reach, with and without phases)."""
    from scipy.optimize import minimize

    def qubit(theta: float, phi: float) -> np.ndarray:
        return np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)])

    def energy(v: np.ndarray, real: bool) -> float:
        phases = (0.0, 0.0) if real else (v[1], v[3])
        psi = np.kron(qubit(v[0], phases[0]), qubit(v[2], phases[1]))
        return float(np.real(psi.conj() @ h @ psi))

    rng = np.random.default_rng(7070)
    out = []
    for real in (False, True):
        starts = rng.uniform(0, 2 * np.pi, (12, 4))
        out.append(
            min(float(minimize(energy, x0, args=(real,), method="BFGS").fun) for x0 in starts)
        )
    return out[0], out[1]


def _diagnose_energy(e: float, hamiltonian: Any) -> str | None:
    h = np.asarray(hamiltonian.to_matrix(), dtype=complex)
    evals = np.linalg.eigvalsh(h)
    ground = evals[0]
    offset = float(
        sum(
            np.real(c)
            for p, c in zip(hamiltonian.paulis.to_labels(), hamiltonian.coeffs)
            if set(p) == {"I"}
        )
    )
    if abs(e - evals[-1]) < 1e-3 and evals[-1] - ground > 1e-3:
        return "returned the highest eigenvalue: the ground energy is the smallest one (minimise the energy)"
    if offset and abs(e - (ground - offset)) < 1e-3:
        return "the constant identity term (II) is missing from the energy"
    if e < ground - 1e-3:
        return (
            "the estimate is below the true ground energy, which a variational energy can never be: "
            "check the expectation value"
        )
    if _is_product_minimum(e, h, ground):
        return (
            "this is the lowest energy a product state reaches: the ground state is "
            "entangled, so the ansatz needs an entangling gate (e.g. a CX between the qubits)"
        )
    real_min = float(np.linalg.eigvalsh(np.real(h))[0])
    if real_min > ground + 1e-3 and abs(e - real_min) < 1e-3:
        return (
            "your ansatz only reaches real amplitudes (e.g. only RY and CX); this Hamiltonian has a "
            "complex ground state: add RZ (or RX) rotations"
        )
    for k, lam in enumerate(evals[1:], start=1):
        if abs(e - lam) < 1e-3 and lam - ground > 1e-3:
            return (
                f"this is eigenvalue number {k} (an excited state): the optimiser got stuck; use a more "
                "expressive ansatz, or several random starting points and keep the lowest energy"
            )
    if e - ground < 0.05 and not _is_product_minimum(e, h, ground):
        return "close but not converged: tighten the optimiser's tolerance or allow more iterations"
    return None


def _is_product_minimum(e: float, h: np.ndarray, ground: float) -> bool:
    return any(abs(e - m) < 1e-4 and m - ground > 1e-3 for m in _product_minima(h))


@exercise(
    "07.vqe_ground_energy",
    points=5,
    time_limit=60,
    title="VQE for two qubits",
    difficulty="hard",
    minutes=40,
    hints=[
        "The energy of a trial state is E(w) = ⟨ψ(w)|H|ψ(w)⟩; `hamiltonian.to_matrix()` "
        "gives H, and a statevector simulation gives ψ(w).",
        "Use an ansatz that entangles the two qubits and reaches complex amplitudes (RY and "
        "RZ layers with CNOTs, e.g. `efficient_su2(2, reps=2)`), and minimise E with "
        "`scipy.optimize.minimize`.",
        "There are local minima: start from a few random points (with a fixed seed) and keep "
        "the lowest energy.",
    ],
)
def check_vqe_ground_energy(t: Tester) -> None:
    for text, hamiltonian, hidden in _hamiltonians():
        with t.case(f"vqe_ground_energy({text})", points=1, hidden=hidden):
            energy = _energy_answer(t.call(hamiltonian.copy()))
            ground = float(np.linalg.eigvalsh(np.asarray(hamiltonian.to_matrix()))[0])
            if abs(energy - ground) <= 1e-3:
                continue
            raise CheckFailed(
                f"The energy is {abs(energy - ground):.2e} away from the exact ground energy "
                "(tolerance 1e-3).",
                expected=round(ground, 6),
                actual=energy,
                hint=_diagnose_energy(energy, hamiltonian),
            )


# --------------------------------------------------------------- shared-parameter gradient
# A hidden circuit is a list of steps: ("h", q), ("cx", c, t) are fixed gates, and
# ("rz", q), ("ry", q), ("rx", q), ("rzz", q0, q1), ("rxx", q0, q1), ("ryy", q0, q1) are
# Pauli rotations exp(-i phi P / 2) that take the next gate angle phi_j.
_SHARED_CASES: list[dict[str, Any]] = [
    {
        "text": "one parameter in two RY gates (the example)",
        "qubits": 1,
        "steps": [("ry", 0), ("ry", 0)],
        "observable": [("Z", 1.0)],
        "uses": [(0, 1.0, 0.0), (0, 2.0, 0.0)],
        "theta": [0.2],
        "hidden": False,
        "style": "list",
    },
    {
        "text": "a ZZ-feature-map-like circuit, two inputs each in two gates",
        "qubits": 2,
        "steps": [("h", 0), ("h", 1), ("rz", 0), ("rz", 1), ("rzz", 0, 1), ("ry", 1), ("rx", 0)],
        "observable": [("XX", 1.0), ("YI", 0.5), ("IZ", -0.3)],
        "uses": [(0, 2.0, 0.0), (1, 2.0, 0.0), (0, -1.5, np.pi), (1, 0.5, 0.3), (0, 1.0, -0.4)],
        "theta": [0.4, 1.3],
        "hidden": False,
        "style": "float",
    },
    {
        "text": "three parameters in seven gates, some scaled and shifted",
        "qubits": 3,
        "steps": [
            ("h", 0),
            ("ry", 1),
            ("rz", 0),
            ("cx", 0, 2),
            ("rxx", 1, 2),
            ("ry", 2),
            ("cx", 1, 0),
            ("rz", 1),
            ("ryy", 0, 1),
            ("rx", 2),
        ],
        "observable": [("ZZI", 1.0), ("XIY", 0.6), ("IXZ", -0.8)],
        "uses": [
            (2, 1.0, 0.0),
            (0, 3.0, 0.5),
            (1, -2.0, 0.0),
            (0, 0.7, -1.0),
            (2, 2.5, 0.2),
            (1, 1.0, 1.1),
            (0, -1.2, 0.0),
        ],
        "theta": [0.3, -0.8, 1.9],
        "hidden": True,
        "style": "float",
    },
    {
        "text": "two gates share a parameter and one parameter is in no gate",
        "qubits": 2,
        "steps": [("ry", 0), ("cx", 0, 1), ("rx", 1), ("rzz", 0, 1), ("ry", 1)],
        "observable": [("XZ", 1.0), ("ZY", 0.5)],
        "uses": [(0, 1.5, 0.2), (1, -1.0, 0.0), (0, 2.0, -0.7), (1, 0.5, 0.9)],
        "theta": [-0.6, 2.2, 0.5],
        "hidden": True,
        "style": "unused",
    },
    {
        "text": "theta passed as a list",
        "qubits": 2,
        "steps": [("rx", 0), ("ry", 1), ("cx", 1, 0), ("rz", 0), ("ry", 0), ("rx", 1)],
        "observable": [("ZX", 1.0), ("YY", -0.5), ("IZ", 0.7)],
        "uses": [(1, 1.0, 0.0), (0, -3.0, 0.2), (1, 2.0, 0.0), (0, 0.5, -0.3), (1, -1.5, 1.0)],
        "theta": [1.1, -0.4],
        "hidden": True,
        "style": "list",
    },
]


class _GateAngles:
    """f(phi) -> expectation of a hidden circuit as a function of its gate angles."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from qiskit import QuantumCircuit
        from qiskit.quantum_info import Operator, SparsePauliOp

        n_qubits = spec["qubits"]
        # every step as a full matrix: a fixed gate as its unitary, a rotation as its Pauli
        # generator P (the gate is cos(phi/2) I - i sin(phi/2) P, since P^2 = I)
        self._steps: list[tuple[bool, np.ndarray]] = []
        for name, *qubits in spec["steps"]:
            if name in ("h", "cx"):
                qc = QuantumCircuit(n_qubits)
                getattr(qc, name)(*qubits)
                self._steps.append((False, Operator(qc).data))
            else:
                label = ["I"] * n_qubits
                for q in qubits:
                    label[n_qubits - 1 - q] = name[1].upper()  # qubit 0 is the rightmost
                self._steps.append((True, SparsePauliOp("".join(label)).to_matrix()))
        self.n = sum(1 for rotation, _ in self._steps if rotation)
        self._dim = 2**n_qubits
        self._observable = SparsePauliOp.from_list(spec["observable"]).to_matrix()
        self.queries: list[np.ndarray] = []

    def __call__(self, phi: Any) -> float:
        try:
            values = np.asarray(phi, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"f expects a sequence of {self.n} gate angles, got {phi!r}") from None
        if values.size != self.n:
            raise ValueError(
                f"f expects {self.n} gate angles (one per entry of uses), got {values.size}"
            )
        self.queries.append(values.copy())
        psi = np.zeros(self._dim, dtype=complex)
        psi[0] = 1.0
        j = 0
        for rotation, m in self._steps:
            if rotation:
                psi = np.cos(values[j] / 2) * psi - 1j * np.sin(values[j] / 2) * (m @ psi)
                j += 1
            else:
                psi = m @ psi
        return float(np.real(np.vdot(psi, self._observable @ psi)))

    def gate_derivatives(self, phi: np.ndarray) -> np.ndarray:
        """d f / d phi_j for every gate, from a three-point trigonometric fit along phi_j
        (f = c + a cos t + b sin t along one gate angle, so f' = [f(+2pi/3) - f(-2pi/3)]/sqrt3)."""
        saved = list(self.queries)
        out = np.zeros(self.n)
        for j in range(self.n):
            e = np.zeros(self.n)
            e[j] = 2 * np.pi / 3
            out[j] = (self(phi + e) - self(phi - e)) / np.sqrt(3)
        self.queries = saved
        return out


def _gate_angles(theta: np.ndarray, uses: list[tuple[int, float, float]]) -> np.ndarray:
    return np.array([a * theta[k] + b for k, a, b in uses])


def _shared_candidates(
    f: _GateAngles, theta: np.ndarray, uses: list[tuple[int, float, float]]
) -> dict[str, np.ndarray]:
    """The exact gradient and the gradients of the typical mistakes, from first principles."""
    saved = list(f.queries)
    p = theta.size
    phi = _gate_angles(theta, uses)
    d = f.gate_derivatives(phi)
    exact, first, last, unscaled = np.zeros(p), np.zeros(p), np.zeros(p), np.zeros(p)
    seen: set[int] = set()
    for j, (k, a, _) in enumerate(uses):
        exact[k] += a * d[j]
        unscaled[k] += d[j]
        last[k] = a * d[j]
        if k not in seen:
            first[k] = a * d[j]
            seen.add(k)
    # shifting theta_k itself by +-pi/2, which moves every gate that uses it at once
    together = np.zeros(p)
    for k in range(p):
        e = np.zeros(p)
        e[k] = np.pi / 2
        together[k] = (f(_gate_angles(theta + e, uses)) - f(_gate_angles(theta - e, uses))) / 2
    # the offsets b forgotten: every gate derivative taken at phi_j = a theta_k
    d0 = f.gate_derivatives(_gate_angles(theta, [(k, a, 0.0) for k, a, _ in uses]))
    no_offset = np.zeros(p)
    for j, (k, a, _) in enumerate(uses):
        no_offset[k] += a * d0[j]
    f.queries = saved
    return {
        "exact": exact,
        "first": first,
        "last": last,
        "unscaled": unscaled,
        "together": together,
        "no_offset": no_offset,
        "half_missing": 2 * exact,
        "sign": -exact,
    }


_SHARED_HINTS = {
    "first": "forgot the other occurrences: a parameter that enters several gates gets the "
    "shift derivative of every one of them, added up (use += over all gates with k)",
    "unscaled": "the chain-rule factor is missing: the gate angle a·θ_k + b changes a times as "
    "fast as θ_k, so multiply each gate's shift derivative by its a",
    "together": "you shifted θ_k, which moves every gate that uses it at once; the two-term rule "
    "is exact for one gate only: shift each gate angle φ_j by ±π/2 on its own, then add",
    "no_offset": "the offset b is part of the gate angle: evaluate f at φ_j = a·θ_k + b",
    "half_missing": "the factor 1/2 is missing: ∂f/∂φ_j = [f(φ + π/2 e_j) − f(φ − π/2 e_j)] / 2",
    "sign": "wrong sign: subtract f(φ − π/2 e_j) from f(φ + π/2 e_j)",
}


def _diagnose_shared(g: np.ndarray, candidates: dict[str, np.ndarray]) -> str | None:
    """The one mistake whose gradient the answer equals (none when two coincide)."""
    found = []
    for name in ("first", "last", "unscaled", "together", "no_offset", "half_missing", "sign"):
        c = candidates[name]
        if not np.allclose(c, candidates["exact"], atol=1e-6) and np.allclose(g, c, atol=1e-7):
            found.append("first" if name == "last" else name)
    found = sorted(set(found))
    return _SHARED_HINTS[found[0]] if len(found) == 1 else None


@exercise(
    "07.shared_parameter_gradient",
    points=5,
    time_limit=30,
    title="A parameter in several gates",
    difficulty="medium",
    minutes=20,
    hints=[
        "Think of every gate as having its own angle φ_j = a·θ_k + b. The parameter-shift "
        "rule gives ∂f/∂φ_j exactly, one gate at a time.",
        "By the chain rule ∂C/∂θ_k = Σ over the gates j that use θ_k of a_j · ∂f/∂φ_j: every "
        "occurrence counts, each with its scale factor.",
        "Compute the gate angles once, shift one entry of that vector by ±π/2 per gate, and "
        "accumulate into entry k of a float array of length len(theta).",
    ],
)
def check_shared_parameter_gradient(t: Tester) -> None:
    for spec in _SHARED_CASES:
        theta = np.array(spec["theta"], dtype=float)
        uses = [(int(k), float(a), float(b)) for k, a, b in spec["uses"]]
        given_theta: Any = list(theta) if spec["style"] == "list" else theta.copy()
        given_uses = [tuple(u) for u in uses]
        f = _GateAngles(spec)
        shown = {"list": " (theta a list)", "unused": " (a parameter no gate uses)"}.get(
            spec["style"], ""
        )
        with t.case(
            f"shared_parameter_gradient: {spec['text']}, theta = {np.round(theta, 3).tolist()}"
            f"{shown}",
            points=1,
            hidden=spec["hidden"],
        ):
            value = t.call(f, given_theta, given_uses)
            queries = list(f.queries)
            g = cmp.as_array(value, what="gradient")
            if g.ndim != 1 or g.size != theta.size:
                raise CheckFailed(
                    f"The gradient must have one entry per parameter θ_k: shape ({theta.size},), "
                    f"got shape {g.shape}.",
                    hint="wrong shape: one entry per parameter, len(theta), even for a "
                    "parameter that no gate uses (its derivative is 0)",
                )
            if np.max(np.abs(g.imag)) > 1e-9:
                raise CheckFailed("The gradient of a real expectation value is real.", actual=g)
            g = g.real
            candidates = _shared_candidates(f, theta, uses)
            exact = candidates["exact"]
            phi = _gate_angles(theta, uses)
            steps = [np.abs(q - phi) for q in queries]
            nonzero = [s[s > 0].min() for s in steps if np.any(s > 0)]
            if nonzero and min(nonzero) < 1e-2:
                raise CheckFailed(
                    f"f was evaluated at a gate-angle step of {min(nonzero):.1e}: that is a "
                    "finite difference, not the parameter-shift rule.",
                    expected=exact,
                    actual=g,
                    hint=_FD_HINT,
                )
            if np.allclose(g, exact, atol=1e-7, rtol=0):
                continue
            raise CheckFailed(
                "The gradient is not the exact one (tolerance 1e-7).",
                expected=exact,
                actual=g,
                hint=_diagnose_shared(g, candidates),
            )


# ------------------------------------------------------------------------------ SPSA step
_ALPHA, _GAMMA = 0.602, 0.101


class _Recorded:
    """A deterministic loss f(theta) that records the points it is called at."""

    def __init__(self, kind: str, size: int) -> None:
        self.kind = kind
        self.n = size
        self.queries: list[np.ndarray] = []
        rng = np.random.default_rng(7170 + size)
        self._w = rng.normal(size=(3, size))

    def __call__(self, theta: Any) -> float:
        try:
            x = np.asarray(theta, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"f expects a sequence of {self.n} numbers, got {theta!r}") from None
        if x.size != self.n:
            raise ValueError(f"f expects {self.n} parameters, got {x.size}")
        self.queries.append(x.copy())
        w = self._w
        if self.kind == "quadratic":
            return float(np.sum((x - w[0]) ** 2) + 0.5 * x[0] * x[-1])
        # an expectation-like landscape: a sum of cosines of the parameters and of pairs
        return float(np.sum(w[0] * np.cos(x)) + np.sum(w[1] * np.sin(x + np.roll(x, 1))))


def _spsa_update(
    f: _Recorded, theta: np.ndarray, delta: np.ndarray, k: float, a: float, c: float, **how: Any
) -> np.ndarray:
    """One SPSA update written from its definition, with switches for the usual mistakes."""
    saved = list(f.queries)
    ka = k + how.get("k_offset", 1)
    kc = k + how.get("k_offset", 1)
    alpha, gamma = (_GAMMA, _ALPHA) if how.get("swapped") else (_ALPHA, _GAMMA)
    if how.get("constant"):
        ka = kc = 1
    ak, ck = a / ka**alpha, c / kc**gamma
    diff = f(theta + ck * delta) - f(theta - ck * delta)
    f.queries = saved
    ghat = diff / (how.get("denominator", 2) * ck) * delta
    if how.get("gradient"):
        return ghat
    return theta + ak * ghat if how.get("ascent") else theta - ak * ghat


_SPSA_MISTAKES: dict[str, tuple[dict[str, Any], str]] = {
    "ascent": ({"ascent": True}, "wrong sign: SPSA descends, θ_new = θ − a_k·ĝ"),
    "denominator": (
        {"denominator": 1},
        "divide the difference by 2·c_k: the two points θ ± c_k·Δ are 2·c_k apart",
    ),
    "constant": (
        {"constant": True},
        "the gains decay with k: a_k = a/(k+1)^0.602 and c_k = c/(k+1)^0.101",
    ),
    "k_offset": (
        {"k_offset": 0},
        "k counts from 0: the gains use (k + 1), a_k = a/(k+1)^0.602",
    ),
    "swapped": ({"swapped": True}, "the exponents are swapped: a_k uses 0.602 and c_k 0.101"),
    "gradient": (
        {"gradient": True},
        "you returned the gradient estimate ĝ; return the updated parameters θ − a_k·ĝ",
    ),
}


def _diagnose_spsa(
    x: np.ndarray, f: _Recorded, theta: np.ndarray, delta: np.ndarray, k: int, a: float, c: float
) -> str | None:
    exact = _spsa_update(f, theta, delta, k, a, c)
    found = []
    for how, text in _SPSA_MISTAKES.values():
        if how.get("k_offset") == 0 and k == 0:
            continue
        cand = _spsa_update(f, theta, delta, k, a, c, **how)
        if not np.allclose(cand, exact, atol=1e-9) and np.allclose(x, cand, atol=1e-8):
            found.append(text)
    return found[0] if len(found) == 1 else None


def _perturbation_hint(
    queries: list[np.ndarray], theta: np.ndarray, delta: np.ndarray, ck: float
) -> str | None:
    """A hint when f was not evaluated at θ ± c_k·Δ (None when it was)."""
    moved = [q - theta for q in queries if np.any(q != theta)]
    if len(moved) < 2:
        return None
    directions = [m / np.max(np.abs(m)) for m in moved]
    if all(
        np.allclose(d, delta, atol=1e-9) or np.allclose(d, -delta, atol=1e-9) for d in directions
    ):
        return None  # along Δ, perhaps at another step: the value diagnosis names it
    if any(np.count_nonzero(m) == 1 for m in moved) and theta.size > 1:
        return (
            "f was evaluated with one parameter moved at a time: SPSA perturbs every parameter "
            "at once, along the given Δ"
        )
    return "perturb along the delta you are given: evaluate f at θ + c_k·Δ and θ − c_k·Δ"


_SPSA_CASES: list[dict[str, Any]] = [
    {"kind": "quadratic", "theta": [0.5, -1.0], "delta": [1, -1], "k": 0, "gains": None},
    {
        "kind": "trig",
        "theta": [0.3, 1.2, -0.7, 2.0],
        "delta": [1, 1, -1, 1],
        "k": 5,
        "gains": (0.5, 0.2),
    },
    {
        "kind": "trig",
        "theta": [1.0, -0.2, 0.4, 0.9, -1.5, 2.2],
        "delta": [-1, 1, 1, -1, -1, 1],
        "k": 37,
        "gains": (0.8, 0.15),
        "hidden": True,
    },
    {
        "kind": "trig",
        "theta": [0.2, 0.8, -1.1],
        "delta": [1, -1, -1],
        "k": 12,
        "gains": None,
        "style": "lists",
        "hidden": True,
    },
    {
        "kind": "quadratic",
        "theta": [1.5, 0.25, -0.5, 0.75],
        "delta": [-1, -1, 1, 1],
        "k": 3,
        "gains": (0.3, 0.05),
        "style": "unchanged",
        "hidden": True,
    },
]


@exercise(
    "07.spsa_step",
    points=5,
    time_limit=20,
    title="One SPSA step",
    difficulty="easy",
    minutes=15,
    hints=[
        "SPSA perturbs all parameters at once along Δ: two evaluations, f(θ + c_k·Δ) and "
        "f(θ − c_k·Δ), whatever the number of parameters.",
        "With a_k = a/(k+1)^0.602 and c_k = c/(k+1)^0.101 the estimate is "
        "ĝ = [f(θ + c_k·Δ) − f(θ − c_k·Δ)] / (2·c_k) · Δ (for entries ±1, dividing by Δ_i is "
        "multiplying by it).",
        "Return θ − a_k·ĝ as a new float array; do not change theta in place.",
    ],
)
def check_spsa_step(t: Tester) -> None:
    for spec in _SPSA_CASES:
        theta = np.array(spec["theta"], dtype=float)
        delta = np.array(spec["delta"], dtype=float)
        k = int(spec["k"])
        style = spec.get("style", "")
        f = _Recorded(spec["kind"], theta.size)
        a, c = spec["gains"] if spec["gains"] else (0.2, 0.1)
        if style == "lists":
            args: tuple[Any, ...] = (f, list(theta), [int(v) for v in delta], k)
            shown = " (theta and delta lists)"
        elif style == "unchanged":
            args = (f, theta.copy(), delta.astype(int), k)
            shown = " (theta unchanged, f called twice)"
        else:
            args = (f, theta.copy(), delta.copy(), k)
            shown = ""
        kwargs = {"a": a, "c": c} if spec["gains"] else {}
        gains = f", a={a}, c={c}" if kwargs else ""
        with t.case(
            f"spsa_step(f, θ={theta.tolist()}, Δ={delta.astype(int).tolist()}, k={k}{gains})"
            f"{shown}",
            points=1,
            hidden=spec.get("hidden", False),
        ):
            value = t.call(*args, **kwargs)
            queries = list(f.queries)
            x = cmp.as_array(value, what="new parameters", dtype=float)
            if x.shape != theta.shape:
                raise CheckFailed(
                    f"Return the new parameter vector: shape {theta.shape}, got shape {x.shape}.",
                    hint="wrong shape: return θ − a_k·ĝ, one entry per parameter",
                )
            exact = _spsa_update(f, theta, delta, k, a, c)
            ck = c / (k + 1) ** _GAMMA
            if style == "unchanged":
                if not np.array_equal(args[1], theta):
                    raise CheckFailed(
                        "Your function changed the theta array it was given.",
                        hint="work on a copy: `theta = np.array(theta, dtype=float)` or return "
                        "theta - step, never `theta -= step`",
                    )
            if np.allclose(x, exact, atol=1e-8, rtol=0):
                if style == "unchanged" and len(queries) != 2:
                    raise CheckFailed(
                        f"f was called {len(queries)} times; one SPSA step calls it exactly "
                        "twice, at θ + c_k·Δ and θ − c_k·Δ.",
                        hint="evaluate f only at the two perturbed points (no extra f(θ))",
                    )
                continue
            hint = _perturbation_hint(queries, theta, delta, ck) or _diagnose_spsa(
                x, f, theta, delta, k, a, c
            )
            raise CheckFailed(
                "The new parameters are not θ − a_k·ĝ (tolerance 1e-8).",
                expected=exact,
                actual=x,
                hint=hint,
            )
