"""Checks for lesson 04: measurement, observables and noise.

Expected values are computed here independently (NumPy, qiskit.quantum_info), never by
calling the reference solution. Hidden inputs come from a fixed seeded generator. Qubit
order is Qiskit's: qubit 0 is the rightmost character of a bitstring and of a Pauli string.

``04.measure_pauli`` is judged by what the returned circuit measures, not by its gates:
the circuit is simulated exactly (final measurements removed, the qubit -> classical bit
map recorded), and the parity ``prod (-1)**b`` over the classical bits holding the
non-identity qubits must have the expectation ``<psi|P|psi>`` for several input states.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester, exercise
from ..errors import CheckFailed


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng(20260404 + salt)


def _random_counts(rng: np.random.Generator, n: int, shots: int, drop: int = 0) -> dict[str, int]:
    probs = rng.dirichlet(np.ones(2**n))
    values = rng.multinomial(shots, probs)
    keys = [format(i, f"0{n}b") for i in range(2**n)]
    out = {k: int(v) for k, v in zip(keys, values) if v > 0}
    for k in list(out)[:drop]:  # some outcomes never seen
        del out[k]
    return out


# ------------------------------------------------------------------------------ expectation_from_counts


def _parity_estimate(counts: Mapping[str, int], pauli: str) -> float:
    """sum_x (-1)^{sum of bits where pauli has Z} n_x / N, character by character."""
    total = sum(counts.values())
    acc = 0
    for key, n in counts.items():
        sign = 1
        for bit, p in zip(key, pauli):
            if p == "Z" and bit == "1":
                sign = -sign
        acc += sign * n
    return acc / total


def _efc_hint(actual: float, counts: Mapping[str, int], pauli: str) -> str | None:
    total = sum(counts.values())
    expected = _parity_estimate(counts, pauli)
    if pauli != pauli[::-1] and np.isclose(
        actual, _parity_estimate(counts, pauli[::-1]), atol=1e-9
    ):
        return (
            "qubit order reversed: the leftmost Pauli letter belongs to the highest qubit, "
            "just like the leftmost bit of a counts key"
        )
    if np.isclose(actual, expected * total, atol=1e-6):
        return "not normalised: divide by the total number of shots"
    if np.isclose(actual, -expected, atol=1e-9):
        return "wrong sign: outcome bit 0 means eigenvalue +1, bit 1 means -1"
    all_z = "Z" * len(pauli)
    if "I" in pauli and np.isclose(actual, _parity_estimate(counts, all_z), atol=1e-9):
        return "the I positions were treated like Z: only bits where the Pauli string has Z count"
    p0 = sum(n for k, n in counts.items() if all(b == "0" or p == "I" for b, p in zip(k, pauli)))
    if np.isclose(actual, p0 / total, atol=1e-9):
        return "this is a probability, not an expectation: use P(+1) − P(−1)"
    return None


@exercise(
    "04.expectation_from_counts",
    points=4,
    title="Expectation values from counts",
    difficulty="medium",
    minutes=15,
    hints=[
        "Every shot gives an eigenvalue +1 or −1 of the Pauli string: the parity of the "
        "measured bits under its Z letters.",
        "Character i of the Pauli string belongs to character i of each bitstring (both are "
        "written with qubit 0 on the right), so compare positions directly.",
        "Sum (−1)^(number of 1s under a Z) × count over the outcomes and divide by the total "
        "number of shots.",
    ],
)
def check_expectation_from_counts(t: Tester) -> None:
    two = {"00": 400, "01": 300, "10": 200, "11": 100}
    rng = _rng(1)
    hidden3 = _random_counts(rng, 3, 4000, drop=1)
    hidden4 = _random_counts(rng, 4, 5000, drop=2)
    cases: list[tuple[str, list[tuple[Any, str]], bool]] = [
        ("one qubit: {'0': 800, '1': 200} with 'Z'", [({"0": 800, "1": 200}, "Z")], False),
        (
            f"two qubits: {two} with 'IZ', 'ZI' and 'ZZ'",
            [(two, "IZ"), (two, "ZI"), (two, "ZZ")],
            False,
        ),
        (
            "three qubits, an outcome never seen, several Pauli strings",
            [(hidden3, p) for p in ("ZII", "IZZ", "ZIZ", "III")],
            True,
        ),
        (
            "four qubits with NumPy integer counts",
            [({k: np.int64(v) for k, v in hidden4.items()}, p) for p in ("IZIZ", "ZZZZ", "ZIII")],
            True,
        ),
    ]
    for desc, calls, hidden in cases:
        with t.case(f"expectation_from_counts: {desc}", points=1, hidden=hidden):
            for counts, pauli in calls:
                actual = cmp.as_number(t.call(dict(counts), pauli), "expectation value")
                expected = _parity_estimate(counts, pauli)
                if np.isclose(actual, expected, atol=1e-9):
                    continue
                raise CheckFailed(
                    f"The estimate of <{pauli}> is not right.",
                    expected=expected,
                    actual=actual,
                    hint=_efc_hint(actual, counts, pauli),
                )


# ------------------------------------------------------------------------------ measure_pauli


def _input_circuit(rng: np.random.Generator, n: int) -> Any:
    """A random entangling circuit, so that no Pauli expectation is trivially 0 or ±1."""
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n)
    for q in range(n):
        qc.ry(float(rng.uniform(0.3, 2.8)), q)
        qc.rz(float(rng.uniform(0.3, 2.8)), q)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    for q in range(n):
        qc.ry(float(rng.uniform(0.3, 2.8)), q)
        qc.rz(float(rng.uniform(0.3, 2.8)), q)
    return qc


def _pauli_expectation(qc: Any, pauli: str) -> float:
    from qiskit.quantum_info import Pauli, Statevector

    return float(np.real(Statevector(qc).expectation_value(Pauli(pauli))))


def _measured_parity(result: Any, pauli: str) -> float:
    """Exact expectation of prod (-1)^b over the classical bits holding P's qubits."""
    from qiskit.quantum_info import Statevector

    n = len(pauli)
    support = [q for q in range(n) if pauli[n - 1 - q] != "I"]
    qubit_to_clbit: dict[int, int] = {}
    for inst in result.data:
        if inst.operation.name == "measure":
            q = result.find_bit(inst.qubits[0]).index
            c = result.find_bit(inst.clbits[0]).index
            if q in qubit_to_clbit:
                raise CheckFailed(
                    f"Qubit {q} is measured twice; measure each qubit once, at the end.",
                    hint="measure every qubit once, after the basis change",
                )
            qubit_to_clbit[q] = c
    missing = [q for q in support if q not in qubit_to_clbit]
    if missing:
        raise CheckFailed(
            f"Qubit(s) {missing} carry a non-identity Pauli letter of {pauli!r} but are not "
            "measured.",
            # reversed order measures the mirror image of every qubit the string needs
            hint="qubit order reversed? the leftmost letter belongs to the highest qubit"
            if all(n - 1 - q in qubit_to_clbit for q in support)
            else "measure every qubit where the Pauli string is not I",
        )
    clbits = [qubit_to_clbit[q] for q in support]
    if len(set(clbits)) != len(clbits):
        raise CheckFailed(
            "Two qubits of the Pauli string are measured into the same classical bit, so one "
            "outcome overwrites the other.",
            hint="give each measured qubit its own classical bit",
        )
    body = result.remove_final_measurements(inplace=False)
    for inst in body.data:
        name = inst.operation.name
        if name in ("measure", "reset", "if_else", "while_loop", "for_loop", "switch_case"):
            raise CheckFailed(
                f"The circuit has a {name!r} that is not a final measurement (a gate comes "
                "after a measurement).",
                hint="do the basis change first, then measure",
            )
    try:
        probs = Statevector(body).probabilities()
    except Exception as exc:
        raise CheckFailed(f"Could not simulate the returned circuit: {exc}") from None
    idx = np.arange(probs.size)
    parity = np.zeros(probs.size, dtype=int)
    for q in support:
        parity ^= (idx >> q) & 1
    return float(np.sum(probs * (1 - 2 * parity)))


def _mp_hint(values: list[float], circuits: list[Any], pauli: str) -> str | None:
    """Compare the measured parities with those of typical wrong observables."""

    def matches(alt: str, sign: float = 1.0) -> bool:
        return all(
            np.isclose(v, sign * _pauli_expectation(c, alt), atol=1e-6)
            for v, c in zip(values, circuits)
        )

    n_y = pauli.count("Y")
    if n_y and matches(pauli, (-1.0) ** n_y):
        return "Y basis change with S instead of Sdg: it measures −Y (sign flipped); use sdg then h"
    if pauli != pauli[::-1] and matches(pauli[::-1]):
        return "qubit order reversed: the leftmost Pauli letter belongs to the highest qubit"
    zs = "".join("Z" if p != "I" else "I" for p in pauli)
    if zs != pauli and matches(zs):
        return "measured without basis change: Z-basis measurement gives Z, not X or Y"
    if n_y and matches(pauli.replace("Y", "X")):
        return "for Y, H alone measures X: apply sdg before h"
    if n_y and matches(pauli.replace("Y", "Z")):
        return "the Y qubit got no working basis change (sdg then h)"
    if "X" in pauli and matches(pauli.replace("X", "Z")):
        return "the X qubit(s) need an H before the measurement"
    return None


def _check_measure_pauli_case(t: Tester, circuits: list[Any], pauli: str) -> None:
    values = []
    for qc in circuits:
        original = qc.copy()
        result = t.call(qc, pauli)
        if result is qc:
            raise CheckFailed(
                "measure_pauli returned the input circuit itself.",
                hint="modified the input circuit in place: work on circuit.copy() and return that",
            )
        if qc != original:
            raise CheckFailed(
                "measure_pauli changed the circuit it was given.",
                hint="modified the input circuit in place: work on circuit.copy() and return that",
            )
        cmp.assert_circuit(result, allow_measure=True, what="returned circuit")
        if result.num_qubits < qc.num_qubits:
            raise CheckFailed(
                f"The returned circuit has {result.num_qubits} qubits; the input had "
                f"{qc.num_qubits}.",
                hint="start from circuit.copy() so that the state preparation is kept",
            )
        if not any(i.operation.name == "measure" for i in result.data):
            raise CheckFailed(
                "The returned circuit has no measurements.",
                hint="add measurements after the basis change, e.g. qc.measure_all()",
            )
        values.append(_measured_parity(result, pauli))
    expected = [_pauli_expectation(c, pauli) for c in circuits]
    if np.allclose(values, expected, atol=1e-6):
        return
    raise CheckFailed(
        f"The circuit does not measure {pauli!r}: the parity of the measured bits has the "
        f"wrong expectation value on {sum(not np.isclose(v, e, atol=1e-6) for v, e in zip(values, expected))} "
        f"of {len(circuits)} test states.",
        expected=np.round(expected, 4),
        actual=np.round(values, 4),
        hint=_mp_hint(values, circuits, pauli),
    )


@exercise(
    "04.measure_pauli",
    points=6,
    time_limit=20,
    title="Measure a Pauli string",
    difficulty="hard",
    minutes=30,
    hints=[
        "To measure X, rotate the X basis onto the Z basis first with H; for Y, apply S† and "
        "then H.",
        "The Pauli string is written like a bitstring: its last character acts on qubit 0.",
        "Work on `circuit.copy()`, add the rotations, then measure (at least) every qubit "
        "whose letter is not I.",
    ],
)
def check_measure_pauli(t: Tester) -> None:
    rng = _rng(2)
    one = [_input_circuit(rng, 1) for _ in range(3)]
    two = [_input_circuit(rng, 2) for _ in range(3)]
    three = [_input_circuit(rng, 3) for _ in range(3)]
    four = [_input_circuit(rng, 4) for _ in range(2)]
    cases = [
        ("'X' on one qubit", [(one, "X")], False),
        ("'Y' on one qubit", [(one, "Y")], False),
        ("'XZ' and 'ZX' on two qubits", [(two, "XZ"), (two, "ZX")], False),
        ("'YY' and 'IY' on two qubits", [(two, "YY"), (two, "IY")], True),
        (
            "three-qubit strings with I: 'XIY', 'IZX', 'YXZ'",
            [(three, "XIY"), (three, "IZX"), (three, "YXZ")],
            True,
        ),
        ("four-qubit strings 'ZYIX', 'XXYY'", [(four, "ZYIX"), (four, "XXYY")], True),
    ]
    for desc, calls, hidden in cases:
        with t.case(f"measure_pauli: {desc}, on several input states", points=1, hidden=hidden):
            for circuits, pauli in calls:
                _check_measure_pauli_case(t, [c.copy() for c in circuits], pauli)


# ------------------------------------------------------------------------------ shots_needed


def _hoeffding_raw(epsilon: float, delta: float) -> float:
    return math.log(2 / delta) / (2 * epsilon**2)


def _shots_hint(actual: int, epsilon: float, delta: float) -> str | None:
    exact = _hoeffding_raw(epsilon, delta)
    expected = math.ceil(exact)
    cands = [
        (
            math.floor(exact),
            "rounded down (math.floor, int(), or round() below .5) gives too few shots; the "
            "smallest N is math.ceil(...)",
        ),
        (expected + 1, "off-by-one: the smallest N is ceil(...), not ceil(...) + 1"),
        (
            math.ceil(math.log(1 / delta) / (2 * epsilon**2)),
            "one-sided bound: the two-sided Hoeffding bound has 2·exp(−2Nε²), so ln(2/δ)",
        ),
        (
            math.floor(math.log(1 / delta) / (2 * epsilon**2)),
            "one-sided bound: the two-sided Hoeffding bound has 2·exp(−2Nε²), so ln(2/δ)",
        ),
        (
            math.ceil(math.log10(2 / delta) / (2 * epsilon**2)),
            "log base 10: Hoeffding's bound uses the natural log (math.log)",
        ),
        (math.ceil(math.log(2 / delta) / (2 * epsilon)), "ε instead of ε²: the exponent is −2Nε²"),
        (
            math.ceil(math.log(2 / delta) / epsilon**2),
            "missing factor 2 in the exponent: the bound is 2·exp(−2Nε²)",
        ),
        (
            math.ceil(1 / (4 * delta * epsilon**2)),
            "this is Chebyshev's bound; use Hoeffding's inequality",
        ),
    ]
    for value, hint in cands:
        if actual == value and value != expected:
            return hint
    return None


def _as_count(value: Any, call: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CheckFailed(f"{call} returned {value!r}; expected an integer number of shots.")
    if isinstance(value, (int, np.integer)):
        return int(value)  # Python ints may exceed what np.isfinite accepts
    if not np.isfinite(value) or float(value) != int(value):
        raise CheckFailed(
            f"{call} returned {value!r}, which is not a whole number of shots.",
            hint="round up with math.ceil",
        )
    return int(value)


@exercise(
    "04.shots_needed",
    points=4,
    title="How many shots? (Hoeffding)",
    difficulty="easy",
    minutes=10,
    hints=[
        "Hoeffding for the mean of N outcomes in [0, 1]: P(|estimate − p| ≥ ε) ≤ 2·exp(−2Nε²).",
        "Set that bound equal to δ and solve for N: N ≥ ln(2/δ) / (2ε²).",
        "N is a whole number of shots: round up with `math.ceil`. round() or int() can give "
        "one shot too few.",
    ],
)
def check_shots_needed(t: Tester) -> None:
    rng = _rng(3)

    def random_pairs(k: int) -> list[tuple[float, float]]:
        pairs: list[tuple[float, float]] = []
        while len(pairs) < k:
            eps = float(rng.uniform(0.004, 0.25))
            delta = float(10 ** rng.uniform(-7, -0.7))
            raw = _hoeffding_raw(eps, delta)
            if abs(raw - round(raw)) > 1e-3:  # keep clear of integer boundaries
                pairs.append((eps, delta))
        return pairs

    cases = [
        ("shots_needed(0.05, 0.01)", [(0.05, 0.01)], False),
        ("shots_needed(0.01, 0.05) and (0.1, 0.1)", [(0.01, 0.05), (0.1, 0.1)], False),
        ("random ε and δ", random_pairs(4), True),
        ("tiny δ and large ε", [(0.3, 1e-9), (0.2, 0.5)] + random_pairs(2), True),
    ]
    for desc, pairs, hidden in cases:
        with t.case(desc, points=1, hidden=hidden):
            for eps, delta in pairs:
                call = f"shots_needed({eps:g}, {delta:g})"
                actual = _as_count(t.call(eps, delta), call)
                expected = math.ceil(_hoeffding_raw(eps, delta))
                if actual == expected:
                    continue
                raise CheckFailed(
                    f"{call} is not the smallest N with 2·exp(−2Nε²) ≤ δ.",
                    expected=expected,
                    actual=actual,
                    hint=_shots_hint(actual, eps, delta),
                )


# ------------------------------------------------------------------------------ mitigate_readout


def _confusion(p0_given_1: float, p1_given_0: float) -> np.ndarray:
    """Single-qubit confusion matrix M[read, true] (columns add up to 1)."""
    return np.array([[1 - p1_given_0, p0_given_1], [p1_given_0, 1 - p0_given_1]])


def _apply(counts: Mapping[str, int], matrix: np.ndarray) -> dict[str, float]:
    """Normalise the counts and apply ``matrix`` to every qubit (axis by axis)."""
    n = len(next(iter(counts)))
    total = sum(counts.values())
    tensor = np.zeros([2] * n)
    for key, val in counts.items():
        tensor[tuple(int(b) for b in key)] += val / total
    for axis in range(n):
        tensor = np.moveaxis(np.tensordot(matrix, tensor, axes=([1], [axis])), 0, axis)
    return {"".join(map(str, idx)): float(tensor[idx]) for idx in np.ndindex(*tensor.shape)}


def _mitigated(counts: Mapping[str, int], p0_given_1: float, p1_given_0: float) -> dict[str, float]:
    """Apply the inverse single-qubit confusion matrix along every axis (tensor structure)."""
    return _apply(counts, np.linalg.inv(_confusion(p0_given_1, p1_given_0)))


def _as_quasi(value: Any, n: int) -> dict[str, float]:
    if value is None:
        raise CheckFailed(
            "Expected a dict of quasi-probabilities, got None. Did you forget `return`?"
        )
    if not isinstance(value, Mapping):
        raise CheckFailed(
            f"Expected a dict such as {{'00': 0.51, '11': 0.49}}, got {type(value).__name__}.",
            hint="return a dict from bitstrings to quasi-probabilities",
        )
    out: dict[str, float] = {}
    for key, val in value.items():
        if not isinstance(key, str) or len(key) != n or set(key) - {"0", "1"}:
            raise CheckFailed(
                f"The keys must be {n}-bit strings such as {'0' * n!r}; got the key {key!r}.",
                hint="use format(index, f'0{n}b') for the keys"
                if isinstance(key, (int, np.integer))
                else None,
            )
        out[key] = float(cmp.as_number(val, f"value for {key!r}"))
    return out


def _mitigate_hint(
    actual: dict[str, float], counts: Mapping[str, int], p01: float, p10: float
) -> str | None:
    keys = sorted(set(actual) | set(_mitigated(counts, p01, p10)))

    def same(other: Mapping[str, float], scale: float = 1.0) -> bool:
        return all(
            abs(actual.get(k, 0.0) - scale * other.get(k, 0.0)) < 1e-6 * max(1, scale) for k in keys
        )

    total = sum(counts.values())
    if same(_mitigated(counts, p10, p01)):
        return "the two error rates are swapped: p0_given_1 is P(read 0 | true 1)"
    if same(_mitigated(counts, p01, p10), scale=total):
        return "not normalised: divide the counts by the number of shots first"
    reversed_keys = {k[::-1]: v for k, v in actual.items()}
    if all(
        abs(reversed_keys.get(k, 0.0) - _mitigated(counts, p01, p10).get(k, 0.0)) < 1e-6
        for k in keys
    ):
        return "qubit order reversed in the keys: qubit 0 is the rightmost character"
    # applying the confusion matrix instead of its inverse
    if same(_apply(counts, _confusion(p01, p10))) or same(_apply(counts, _confusion(p10, p01))):
        return "this applies the confusion matrix again instead of its inverse"
    exp = _mitigated(counts, p01, p10)
    if any(v < -1e-9 for v in exp.values()):
        clipped = {k: max(v, 0.0) for k, v in exp.items()}
        total_clipped = sum(clipped.values())
        if same(clipped) or same({k: v / total_clipped for k, v in clipped.items()}):
            return (
                "negative values were clipped: return the quasi-probabilities as they are "
                "(they may be negative)"
            )
    return None


@exercise(
    "04.mitigate_readout",
    points=4,
    title="Mitigate read-out errors",
    difficulty="hard",
    minutes=30,
    hints=[
        "Turn the counts into a probability vector p_noisy. Read-out errors act as "
        "p_noisy = M p_true, with the one-qubit confusion matrix "
        "M = [[1 − p(1|0), p(0|1)], [p(1|0), 1 − p(0|1)]] (columns: true 0, true 1).",
        "Independent errors with the same rates on every qubit: the n-qubit matrix is "
        "M ⊗ M ⊗ … ⊗ M (`np.kron`); solve for p_true with `np.linalg.solve`.",
        "Index the vector with `int(bitstring, 2)`, which matches `np.kron`'s order, and "
        "return a dict with every bitstring. The result is a quasi-probability: it can have "
        "small negative entries.",
    ],
)
def check_mitigate_readout(t: Tester) -> None:
    rng = _rng(4)
    three = _random_counts(rng, 3, 4000)
    # a nearly pure |000> measured with readout errors: mitigation gives negative entries
    near = {"000": 3620, "001": 110, "010": 90, "100": 105, "011": 4, "101": 2, "110": 1, "111": 0}
    near = {k: v for k, v in near.items() if v}
    cases = [
        (
            "one qubit: {'0': 900, '1': 100}, p0_given_1=0.05, p1_given_0=0.02",
            [({"0": 900, "1": 100}, 0.05, 0.02)],
            False,
        ),
        (
            "two qubits (a noisy Bell state), p0_given_1=0.08, p1_given_0=0.03",
            [({"00": 480, "01": 25, "10": 30, "11": 465}, 0.08, 0.03)],
            False,
        ),
        (
            "three qubits, outcomes with quasi-probabilities below 0",
            [(three, 0.06, 0.02), (near, 0.04, 0.03)],
            True,
        ),
        (
            "error rates 0 (nothing to undo) and four qubits",
            [({"01": 300, "10": 700}, 0.0, 0.0), (_random_counts(rng, 4, 8000, drop=3), 0.1, 0.05)],
            True,
        ),
    ]
    for desc, calls, hidden in cases:
        with t.case(f"mitigate_readout: {desc}", points=1, hidden=hidden):
            for counts, p01, p10 in calls:
                n = len(next(iter(counts)))
                actual = _as_quasi(t.call(dict(counts), p01, p10), n)
                expected = _mitigated(counts, p01, p10)
                total = sum(actual.values())
                ok = all(abs(actual.get(k, 0.0) - v) < 1e-6 for k, v in expected.items())
                if ok and abs(total - 1) < 1e-6:
                    continue
                raise CheckFailed(
                    "The mitigated quasi-probabilities are not right"
                    + (f" (they add up to {total:.6g}, not 1)." if abs(total - 1) > 1e-6 else "."),
                    expected={k: round(v, 5) for k, v in expected.items()},
                    actual={k: round(v, 5) for k, v in sorted(actual.items())},
                    hint=_mitigate_hint(actual, counts, p01, p10),
                )
