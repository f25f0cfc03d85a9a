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
