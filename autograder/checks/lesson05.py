"""Checks for lesson 05: encoding classical data (basis, angle, amplitude, ZZ feature map)."""

from __future__ import annotations

import dis
import re
import types
from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed

# ----------------------------------------------------------------------------- helpers


def _product_state(amps: list[np.ndarray]) -> np.ndarray:
    """Tensor product with qubit 0 as the least-significant (rightmost) factor."""
    state = np.array([1.0 + 0j])
    for a in amps:  # qubit i's factor goes to the left of qubits < i
        state = np.kron(a, state)
    return state


def _bound_circuit(obj: Any, n: int) -> Any:
    qc = cmp.assert_circuit(obj, num_qubits=n)
    if qc.parameters:
        raise CheckFailed(
            f"The circuit still has unbound parameters {sorted(p.name for p in qc.parameters)}.",
            hint="bind the data: use the numbers in x directly, or qc.assign_parameters(x)",
        )
    return qc


# ----------------------------------------------------------------------- basis encoding


@exercise(
    "05.basis_encoding",
    points=3,
    title="Basis encoding of a bitstring",
    difficulty="easy",
    minutes=10,
    hints=[
        "The bitstring names a basis state: put an X on every qubit whose bit is 1.",
        "Qiskit's order: the rightmost character is qubit 0, so read the string from the "
        "right (`reversed(bits)`).",
    ],
)
def check_basis_encoding(t: Tester) -> None:
    cases = [
        ("110", False),
        ("1", False),
        ("0101", False),
        ("01101", True),
        ("000", True),
        ("1000001", True),
    ]
    per = 3 / len(cases)
    for bits, hidden in cases:
        with t.case(f"basis_encoding({bits!r})", points=per, hidden=hidden):
            qc = _bound_circuit(t.call(bits), len(bits))
            expected = np.zeros(2 ** len(bits))
            expected[int(bits, 2)] = 1
            state = cmp.circuit_state(qc)
            if cmp.states_equal(state, expected):
                continue
            got = _basis_label(state)
            if got is not None:
                raise CheckFailed(
                    f"The circuit prepares |{got}> instead of |{bits}>.",
                    hint=_basis_hint(got, bits),
                )
            cmp.assert_state(state, expected)


def _basis_label(state: np.ndarray) -> str | None:
    """The bitstring of a computational basis state (up to phase), else None."""
    k = int(np.argmax(np.abs(state)))
    if abs(abs(state[k]) - 1) > 1e-6:
        return None
    n = int(round(np.log2(state.size)))
    return format(k, f"0{n}b")


def _basis_hint(got: str, bits: str) -> str | None:
    """Name the mistake only when exactly one known mistake explains the state."""
    flipped = "".join("1" if b == "0" else "0" for b in bits)
    explanations = []
    if got == bits[::-1]:
        explanations.append(
            "qubit order reversed: the rightmost character of the bitstring is qubit 0"
        )
    if got == flipped:
        explanations.append("X on the wrong bits: apply X to the qubits whose bit is '1'")
    if got == flipped[::-1]:
        explanations.append(
            "X on the wrong bits and qubit order reversed: apply X where the bit is '1', and "
            "the rightmost character is qubit 0"
        )
    return explanations[0] if len(explanations) == 1 else None


# ----------------------------------------------------------------------- angle encoding


def _ry(theta: float) -> np.ndarray:
    return np.array([np.cos(theta / 2), np.sin(theta / 2)], dtype=complex)


def _rx(theta: float) -> np.ndarray:
    return np.array([np.cos(theta / 2), -1j * np.sin(theta / 2)], dtype=complex)


@exercise(
    "05.angle_encoding",
    points=3,
    title="Angle encoding with RY",
    difficulty="easy",
    minutes=5,
    hints=[
        "One qubit per feature: qubit i gets the rotation RY(x[i]).",
        "`QuantumCircuit(len(x))`, then one `ry` per qubit in a loop; no measurements.",
    ],
)
def check_angle_encoding(t: Tester) -> None:
    cases = [
        ([0.3, 1.2], False),
        ([np.pi / 2, 0.0, 2.5], False),
        ([1.1], True),
        ([0.2, 2.9, 1.7, 0.6], True),
    ]
    for k, (x, hidden) in enumerate(cases):
        shown = [round(v, 3) for v in x]
        # "x may be a list or a NumPy array": the example is passed as a list, the rest as arrays
        as_list = k == 0
        with t.case(
            f"angle_encoding({shown})" + (" (a list)" if as_list else " (an array)"),
            points=0.75,
            hidden=hidden,
        ):
            qc = _bound_circuit(t.call(list(x) if as_list else np.array(x)), len(x))
            state = cmp.circuit_state(qc)
            expected = _product_state([_ry(v) for v in x])
            if cmp.states_equal(state, expected):
                continue
            hint = None
            for variant, text in (
                (
                    [_ry(v / 2) for v in x],
                    "half the angle: RY(x) already rotates by x on the Bloch sphere",
                ),
                ([_ry(2 * v) for v in x], "double the angle: apply RY(x[i]), not RY(2*x[i])"),
                (
                    [_rx(v) for v in x],
                    "RX instead of RY: RX(x)|0> has amplitude -i sin(x/2), not sin(x/2)",
                ),
                (
                    [_ry(v) for v in x[::-1]],
                    "qubit order reversed: x[0] goes to qubit 0 (rightmost bit)",
                ),
            ):
                if cmp.states_equal(state, _product_state(variant)):
                    hint = text
                    break
            if hint is None:
                hint = cmp.diagnose_state(state, expected)
            raise CheckFailed(
                "The circuit does not prepare RY(x[0])|0> on qubit 0, RY(x[1])|0> on qubit 1, ...",
                expected=expected,
                actual=state,
                hint=hint,
            )


# -------------------------------------------------------------------- amplitude encoding


@exercise(
    "05.amplitude_encoding",
    points=4,
    title="Amplitude encoding",
    difficulty="medium",
    minutes=15,
    hints=[
        "2^n numbers fit into the amplitudes of n qubits, once divided by their norm.",
        "Qiskit prepares a given normalised vector for you: `QuantumCircuit.prepare_state` "
        "(or the `StatePreparation` gate), on all n qubits.",
        "First check that the length is a power of two (at least 2) and that the vector is "
        "not zero, and raise a `ValueError` otherwise.",
    ],
)
def check_amplitude_encoding(t: Tester) -> None:
    rng = np.random.default_rng(505)
    cases = [
        (np.array([3.0, 4.0]), False),
        (np.array([1.0, 2.0, 3.0, 4.0]), False),
        (np.array([0.5, -1.0, 0.0, 2.0, 1.0, 1.0, -0.3, 0.7]), True),
        (rng.normal(size=16), True),
        (rng.uniform(-1, 1, size=32), True),
    ]
    per = 3 / len(cases)
    for x, hidden in cases:
        shown = np.round(x, 2).tolist() if x.size <= 8 else f"<{x.size} numbers>"
        with t.case(f"amplitude_encoding({shown})", points=per, hidden=hidden):
            n = int(np.log2(x.size))
            qc = _bound_circuit(t.call(x.copy()), n)
            state = cmp.circuit_state(qc)
            expected = x / np.linalg.norm(x)
            if not cmp.states_equal(state, expected) and cmp.states_equal(state, np.abs(expected)):
                raise CheckFailed(
                    "The amplitudes have the right sizes but negative signs are lost.",
                    expected=expected,
                    actual=state,
                    hint="wrong sign: keep the signs of x (do not take absolute values)",
                )
            cmp.assert_state(state, expected)
    with t.case("amplitude_encoding raises ValueError for the zero vector", points=0.5):
        t.expect_raises(ValueError, np.zeros(4))
    with t.case(
        "amplitude_encoding raises ValueError for a length that is not a power of 2, or of 1",
        points=0.5,
    ):
        t.expect_raises(ValueError, np.array([1.0, 2.0, 3.0]))
        # 2**0 = 1 is a power of two, but zero qubits cannot hold a state (the statement says so)
        t.expect_raises(ValueError, np.array([5.0]))


# ------------------------------------------------------------------------ ZZ feature map

_FORBIDDEN = {
    "zz_feature_map",
    "ZZFeatureMap",
    "pauli_feature_map",
    "PauliFeatureMap",
    "z_feature_map",
    "ZFeatureMap",
    "PauliFeatureMapGate",
}


def _library_objects() -> list[Any]:
    from qiskit.circuit import library

    return [getattr(library, name) for name in _FORBIDDEN if hasattr(library, name)]


def _uses_library_feature_map(fn: Any) -> str | None:
    """The forbidden name a function's code imports or reads, if any (looks into nested code)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        # a function graded in the classroom sandbox: ask it which names its code uses
        names = fn.code_names() if hasattr(fn, "code_names") else []

        # the learner's own function is called zz_feature_map; library objects show up as
        # imports ("import:NAME"), attributes, or qualified names of referenced globals
        def bare(n: str) -> str:
            return n.rsplit(".", 1)[-1].removeprefix("import:")

        hits = [
            n
            for n in names
            if bare(n) in _FORBIDDEN
            and (n.startswith(("import:", "qiskit")) or n != "zz_feature_map")
        ]
        return bare(hits[0]) if hits else None
    glb = getattr(fn, "__globals__", {})
    forbidden_objs = _library_objects()
    todo = [code]
    while todo:
        co = todo.pop()
        for ins in dis.get_instructions(co):
            if (
                ins.opname in ("IMPORT_FROM", "LOAD_ATTR", "LOAD_METHOD")
                and ins.argval in _FORBIDDEN
            ):
                return str(ins.argval)
            if ins.opname == "LOAD_GLOBAL":
                obj = glb.get(ins.argval)
                if obj is not None and obj is not fn and any(obj is f for f in forbidden_objs):
                    return str(ins.argval)
        todo.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
    return None


def _library_names_in_circuit(qc: Any) -> str | None:
    names = {qc.name}

    def walk(circ: Any, depth: int) -> None:
        for inst in circ.data:
            op = inst.operation
            names.add(op.name)
            label = getattr(op, "label", None)
            if label:
                names.add(label)
            if (
                depth < 10
                and getattr(op, "definition", None) is not None
                and op.name not in ("h", "p", "cx")
            ):
                walk(op.definition, depth + 1)

    walk(qc, 0)
    hits = sorted(
        n
        for n in names
        if isinstance(n, str)
        # a copy of a library circuit (assign_parameters, copy) is renamed "ZZFeatureMap-43"
        and re.sub(r"-\d+$", "", n).lower().replace("_", "")
        in {f.lower().replace("_", "") for f in _FORBIDDEN}
    )
    return re.sub(r"-\d+$", "", hits[0]) if hits else None


def _zz_state_by_hand(x: np.ndarray, reps: int, variant: str = "") -> np.ndarray:
    """Statevector of the ZZ feature map built from its definition (and common mistakes).

    One repetition: H on every qubit, P(2 phi_i) with phi_i = x_i, then for each pair i<j
    (linear pairs for variant 'linear') CX(i,j) P(2 phi_ij)_j CX(i,j) with
    phi_ij = (pi - x_i)(pi - x_j). The diagonal part is exp(i sum phi_S ...) computed directly.
    """
    n = len(x)
    dim = 2**n
    idx = np.arange(dim)
    bits = (idx[:, None] >> np.arange(n)[None, :]) & 1  # bits[k, i] = value of qubit i
    factor = 1.0 if variant == "no_factor_2" else 2.0
    phase = np.zeros(dim)
    for i in range(n):
        phase += factor * x[i] * bits[:, i]
    pairs = (
        [(i, i + 1) for i in range(n - 1)]
        if variant == "linear"
        else [(i, j) for i in range(n) for j in range(i + 1, n)]
    )
    for i, j in pairs:
        phi = x[i] * x[j] if variant == "product" else (np.pi - x[i]) * (np.pi - x[j])
        phase += factor * phi * (bits[:, i] ^ bits[:, j])
    diag = np.exp(1j * phase)
    state = np.zeros(dim, dtype=complex)
    state[0] = 1
    for _ in range(reps):
        if variant != "no_h":  # H on every qubit = Walsh-Hadamard transform
            state = _walsh_hadamard(state, n)
        state = diag * state
    return state


def _walsh_hadamard(state: np.ndarray, n: int) -> np.ndarray:
    out = state.reshape([2] * n)
    h = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    for axis in range(n):
        out = np.moveaxis(np.tensordot(h, out, axes=([1], [axis])), 0, axis)
    return out.reshape(-1)


def _library_zz_state(x: np.ndarray, reps: int) -> np.ndarray:
    from qiskit.circuit.library import zz_feature_map
    from qiskit.quantum_info import Statevector

    fm = zz_feature_map(len(x), reps=reps, entanglement="full")
    return np.asarray(Statevector(fm.assign_parameters(x)).data)


_ZZ_MISTAKES = (
    ("no_h", "the Hadamard layer is missing: each repetition starts with H on every qubit"),
    ("product", "wrong pair angle: use phi(x_i, x_j) = (pi - x_i)(pi - x_j), not x_i * x_j"),
    ("no_factor_2", "factor 2 missing: the phase gates are P(2 x_i) and P(2 (pi - x_i)(pi - x_j))"),
    (
        "linear",
        "linear instead of full entanglement: every pair i < j needs its ZZ term, not only neighbours",
    ),
)


@exercise(
    "05.zz_feature_map",
    points=6,
    title="The ZZ feature map by hand",
    difficulty="hard",
    minutes=30,
    hints=[
        "Each repetition: H on every qubit, a one-qubit phase on each qubit, then a "
        "two-qubit phase for every pair i < j.",
        "The one-qubit phase is P(2·x_i) on qubit i. The pair phase is made by CX(i, j), "
        "P(2(π − x_i)(π − x_j)) on qubit j, and CX(i, j) again.",
        "Repeat the whole block `reps` times. For a test, your state must equal that of "
        "`qiskit.circuit.library.zz_feature_map(n, reps=reps, entanglement='full')` bound "
        "to x.",
    ],
)
def check_zz_feature_map(t: Tester) -> None:
    cases: list[tuple[Any, int, bool]] = [
        ([0.4, 1.3], 1, False),
        ([0.4, 1.3], 2, False),
        ([1.0, 2.0, 0.5], 2, False),
        ([2.7, 0.3, 1.9], 1, True),
        ([0.8, 2.2, 1.4, 3.0], 2, True),
        ([0.1, 2.9], 3, True),
    ]
    with t.case("built by hand, without a library feature map", points=1):
        name = _uses_library_feature_map(t.answer)
        if name:
            raise CheckFailed(
                f"Your function uses Qiskit's {name}; this exercise asks you to build the "
                "feature map from H, P and CX gates yourself.",
                hint=f"a forbidden library feature map used: {name}",
            )
        qc = t.call(np.array([0.4, 1.3]), 1)
        cmp.assert_circuit(qc)
        found = _library_names_in_circuit(qc)
        if found:
            raise CheckFailed(
                f"The circuit contains the library's {found!r}; build it from gates yourself.",
                hint=f"a forbidden library feature map used: {found}",
            )
    for x, reps, hidden in cases:
        x = np.array(x)
        with t.case(
            f"zz_feature_map({x.tolist()}, reps={reps})", points=5 / len(cases), hidden=hidden
        ):
            qc = _bound_circuit(t.call(x.copy(), reps), len(x))
            found = _library_names_in_circuit(qc)
            if found:
                raise CheckFailed(
                    f"The circuit contains the library's {found!r}.",
                    hint=f"a forbidden library feature map used: {found}",
                )
            state = cmp.circuit_state(qc)
            expected = _library_zz_state(x, reps)
            if cmp.states_equal(state, expected):
                continue
            hint = None
            for variant, text in _ZZ_MISTAKES:
                if variant == "linear" and len(x) < 3:
                    continue
                if cmp.states_equal(state, _zz_state_by_hand(x, reps, variant)):
                    hint = text
                    break
            if hint is None:
                wrong_reps = [
                    r
                    for r in range(1, 5)
                    if r != reps and cmp.states_equal(state, _library_zz_state(x, r))
                ]
                if wrong_reps:
                    hint = f"wrong number of repetitions: this is reps={wrong_reps[0]}; repeat the whole block reps times"
            if hint is None:
                hint = cmp.diagnose_state(state, expected)
            raise CheckFailed(
                "The circuit does not prepare the ZZ feature map state (compared up to a global phase).",
                expected=expected,
                actual=state,
                hint=hint,
            )
