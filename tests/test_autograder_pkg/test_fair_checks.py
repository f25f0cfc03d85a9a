"""Fair feedback (issue 12): hints fire only for their own mistake, a learner's odd value is
never called a grader error, results read well, and ``qml-course grade`` says it is a
self-check.

Each hint test gives the hint's own mistake (the hint must fire) and at least two other
realistic wrong answers (the hint must stay silent).
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Operator, SparsePauliOp, Statevector
from scipy.optimize import minimize

import autograder
from autograder import check
from autograder.checks.lesson08 import moons_split
from autograder.cli import main
from autograder.notebook_grader import SELF_CHECK_NOTE, NotebookGrade
from autograder.result import CaseResult, Result
from autograder.solutions import reference


def _hints(result: Result) -> str:
    """Every hint of a result in one string (what the learner reads as 'likely mistake')."""
    return "\n".join(c.hint or "" for c in result.cases)


def _fires(exercise_id, answer, phrase):
    r = check(exercise_id, answer)
    assert r.error is None, r.error
    assert not r.passed
    assert phrase in _hints(r), r.feedback
    return r


def _silent(exercise_id, answer, phrase):
    r = check(exercise_id, answer)
    assert r.error is None, r.error
    assert not r.passed, "the 'other wrong answer' must be wrong"
    assert phrase not in _hints(r), r.feedback
    return r


# ---------------------------------------------------------------- A. hint precision

SQRT2_HINT = "divide both amplitudes by np.sqrt(2)"


def test_plus_state_sqrt2_hint_only_for_the_unnormalised_plus():
    _fires("00.plus_state", lambda: np.array([1, 1]), SQRT2_HINT)
    # norm 0.707 (dividing by sqrt(2) again would make it worse): no hint at all
    r = _silent("00.plus_state", lambda: np.array([1, 0]) / np.sqrt(2), SQRT2_HINT)
    assert r.cases[0].hint is None
    r = _silent("00.plus_state", lambda: np.array([1, 1]) / 2, SQRT2_HINT)
    assert "norm is 0.7071" in r.cases[0].hint  # right direction: divide by the norm
    r = _silent("00.plus_state", lambda: np.array([1, -1]), SQRT2_HINT)
    assert r.cases[0].hint is None


SAMPLED_HINT = "from sampled shots"


def _exact_chsh(a0, a1, b0, b1):
    return np.cos(a0 - b0) + np.cos(a0 - b1) + np.cos(a1 - b0) - np.cos(a1 - b1)


def test_chsh_sampling_hint_only_for_sampled_answers():
    rng = np.random.default_rng(12)

    def unseeded_shots(a0, a1, b0, b1):
        shots = 2000

        def e_hat(a, b):
            same = rng.binomial(shots, (1 + np.cos(a - b)) / 2)
            return (2 * same - shots) / shots

        return e_hat(a0, b0) + e_hat(a0, b1) + e_hat(a1, b0) - e_hat(a1, b1)

    _fires("03.chsh_value", unseeded_shots, SAMPLED_HINT)

    def rounded_angles(a0, a1, b0, b1):  # exact, deterministic, slightly wrong
        return _exact_chsh(*np.round([a0, a1, b0, b1], 1))

    def small_offset(a0, a1, b0, b1):
        return _exact_chsh(a0, a1, b0, b1) + 0.05 * np.sin(a0 + 1)

    def half_visibility(a0, a1, b0, b1):
        return 0.97 * _exact_chsh(a0, a1, b0, b1)

    for wrong in (rounded_angles, small_offset, half_visibility):
        _silent("03.chsh_value", wrong, SAMPLED_HINT)


def _product_vqe(hamiltonian):
    """VQE whose ansatz has RY and RZ on each qubit but no entangling gate."""
    h = np.asarray(hamiltonian.to_matrix())

    def energy(v):
        q0 = np.array([np.cos(v[0] / 2), np.exp(1j * v[1]) * np.sin(v[0] / 2)])
        q1 = np.array([np.cos(v[2] / 2), np.exp(1j * v[3]) * np.sin(v[2] / 2)])
        psi = np.kron(q1, q0)
        return float(np.real(psi.conj() @ h @ psi))

    rng = np.random.default_rng(3)
    return min(minimize(energy, rng.uniform(0, 2 * np.pi, 4)).fun for _ in range(8))


def _ground(hamiltonian):
    return float(np.linalg.eigvalsh(np.asarray(hamiltonian.to_matrix()))[0])


def test_vqe_entangling_hint_and_tolerance_hint_are_precise():
    entangle, tighten = "entangling gate", "tighten the optimiser's tolerance"
    r = _fires("07.vqe_ground_energy", _product_vqe, entangle)
    assert tighten not in _hints(r)  # H2's product state is only 0.02 Ha off: not a tolerance issue

    def highest(hamiltonian):
        return float(np.linalg.eigvalsh(np.asarray(hamiltonian.to_matrix()))[-1])

    def under_converged(hamiltonian):
        return _ground(hamiltonian) + 0.01

    def offset_lost(hamiltonian):  # drops a constant 1.7 Ha
        return _ground(hamiltonian) + 1.7

    for wrong in (highest, under_converged, offset_lost):
        _silent("07.vqe_ground_energy", wrong, entangle)
    _fires("07.vqe_ground_energy", under_converged, tighten)
    _silent("07.vqe_ground_energy", offset_lost, tighten)


def _bce(p, y, log=np.log, eps=1e-12):
    p = np.clip(np.asarray(p, float), eps, 1 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * log(p) + (1 - y) * log(1 - p)))


def test_cross_entropy_log10_and_epsilon_hints():
    log10 = "log base 10"
    coarse = "too coarse"
    r = _fires("08.cross_entropy", lambda p, y: _bce(p, y, np.log10), log10)
    assert coarse not in _hints(r) and "clip" not in _hints(r)
    _silent("08.cross_entropy", lambda p, y: _bce(p, y, np.log2), log10)
    _silent("08.cross_entropy", lambda p, y: len(p) * _bce(p, y), log10)
    _silent("08.cross_entropy", lambda p, y: _bce(p, y, eps=0.01), log10)

    _fires("08.cross_entropy", lambda p, y: _bce(p, y, eps=0.01), "epsilon 0.01 is too coarse")
    _silent("08.cross_entropy", lambda p, y: _bce(p, y, np.log10), coarse)
    _silent("08.cross_entropy", lambda p, y: len(p) * _bce(p, y), coarse)
    _silent("08.cross_entropy", lambda p, y: _bce(1 - np.asarray(p, float), y), coarse)


class _Fixed:
    """A 'model' whose predictions are fixed by a rule on the features."""

    def __init__(self, rule):
        self.rule = rule

    def predict(self, X):
        return self.rule(np.asarray(X))


def test_train_vqc_inverted_labels_are_not_told_to_train_longer():
    from sklearn.svm import SVC

    below, longer = "below chance", "train longer"

    def inverted(X, y):
        return SVC(gamma=2.0).fit(X, 1 - np.asarray(y))

    r = _fires("08.train_vqc", inverted, below)
    assert longer not in _hints(r)
    X_train, y_train, X_test, y_test = moons_split()
    rng = np.random.default_rng(5)
    for rule in (
        lambda X: np.zeros(len(X), dtype=int),  # one class only
        lambda X: rng.integers(0, 2, len(X)),  # coin flips
        lambda X: (X[:, 1] < 0.25).astype(int),  # a weak linear rule
    ):
        _silent("08.train_vqc", lambda X, y, rule=rule: _Fixed(rule), below)


def _x_gradient(x, weights):
    forward = reference("09.qnn_forward")
    grad = np.zeros(len(x))
    for i in range(len(x)):
        plus, minus = np.array(x, float), np.array(x, float)
        plus[i] += np.pi / 2
        minus[i] -= np.pi / 2
        grad[i] = (forward(plus, weights) - forward(minus, weights)) / 2
    return grad


def test_qnn_gradient_shape_hints():
    ref = reference("09.qnn_weight_gradient")
    right_values, wrt_x = "right values, wrong shape", "with respect to x"
    r = _fires("09.qnn_weight_gradient", lambda x, w: np.ravel(ref(x, w)), right_values)
    assert wrt_x not in _hints(r)  # the (1, 2) example flattened has the shape of x
    _silent("09.qnn_weight_gradient", lambda x, w: np.zeros(len(x)), right_values)
    # with one layer RY(x[i]) RY(w[0, i]) = RY(x[i] + w[0, i]): there the x-gradient IS the
    # flattened weight gradient; with two or more layers it is not, and the hint is silent
    r = check("09.qnn_weight_gradient", _x_gradient)
    several_layers = [c for c in r.cases if "(the example)" not in c.description]
    assert len(several_layers) == 3
    assert all(right_values not in (c.hint or "") for c in several_layers), r.feedback
    _silent("09.qnn_weight_gradient", lambda x, w: np.ravel(ref(x, w))[::-1], right_values)

    _fires("09.qnn_weight_gradient", _x_gradient, wrt_x)
    _silent("09.qnn_weight_gradient", lambda x, w: np.zeros(len(x)), wrt_x)
    _silent("09.qnn_weight_gradient", lambda x, w: np.ones(len(x)), wrt_x)


def _circuit_from(bits, which, order="qiskit"):
    qc = QuantumCircuit(len(bits))
    for i, b in enumerate(bits[::-1] if order == "qiskit" else bits):
        if b == which:
            qc.x(i)
    return qc


def test_basis_encoding_flipped_zeros_is_not_called_reversed_order():
    reversed_hint, zeros_hint = "qubit order reversed", "X on the wrong bits"
    r = _fires("05.basis_encoding", lambda bits: _circuit_from(bits, "0"), zeros_hint)
    assert reversed_hint not in _hints(r)
    _silent("05.basis_encoding", lambda bits: _circuit_from(bits, "1", "reversed"), zeros_hint)
    _fires("05.basis_encoding", lambda bits: _circuit_from(bits, "1", "reversed"), reversed_hint)

    def hadamards(bits):
        qc = QuantumCircuit(len(bits))
        qc.h(range(len(bits)))
        return qc

    for wrong in (hadamards, lambda bits: QuantumCircuit(len(bits))):
        _silent("05.basis_encoding", wrong, zeros_hint)
        _silent("05.basis_encoding", wrong, reversed_hint)


def test_readout_confusion_matrix_is_not_called_clipping():
    ref = reference("04.mitigate_readout")
    clipped_hint, again_hint = "negative values were clipped", "confusion matrix again"

    def forward(counts, p01, p10):
        n = len(next(iter(counts)))
        shots = sum(counts.values())
        measured = np.zeros(2**n)
        for key, value in counts.items():
            measured[int(key, 2)] += value / shots
        single = np.array([[1 - p10, p01], [p10, 1 - p01]])
        full = np.ones((1, 1))
        for _ in range(n):
            full = np.kron(full, single)
        return {format(i, f"0{n}b"): float(v) for i, v in enumerate(full @ measured)}

    def clipped(counts, p01, p10):
        q = {k: max(v, 0.0) for k, v in ref(counts, p01, p10).items()}
        total = sum(q.values())
        return {k: v / total for k, v in q.items()}

    def raw(counts, p01, p10):
        shots = sum(counts.values())
        n = len(next(iter(counts)))
        return {
            format(i, f"0{n}b"): counts.get(format(i, f"0{n}b"), 0) / shots for i in range(2**n)
        }

    r = _fires("04.mitigate_readout", forward, again_hint)
    assert clipped_hint not in _hints(r)
    _silent("04.mitigate_readout", raw, clipped_hint)
    _silent("04.mitigate_readout", lambda c, a, b: ref(c, b, a), clipped_hint)
    _fires("04.mitigate_readout", clipped, clipped_hint)
    _silent("04.mitigate_readout", clipped, again_hint)
    _silent("04.mitigate_readout", raw, again_hint)


# ------------------------------------------- B. odd values are the learner's, never ours


class _Model:
    """A model-like object whose methods return the odd value."""

    def __init__(self, value):
        self.value = value

    def predict(self, *args, **kwargs):
        return self.value

    def __call__(self, *args, **kwargs):
        return self.value


def _odd_values():
    qc = QuantumCircuit(1)
    qc.h(0)
    measured = QuantumCircuit(2, 2)
    measured.h(0)
    measured.measure([0, 1], [0, 1])
    return {
        "None": None,
        "str": "abc",
        "nested list": [[1, [2]], 3],
        "ragged": [np.zeros(2), np.zeros(3)],
        "3-D array": np.zeros((2, 2, 2)),
        "2-D array": np.eye(3),
        "dict": {"a": 1},
        "float": 0.5,
        "int": 3,
        "huge int": 10**30,
        "nan": float("nan"),
        "complex": 1j,
        "bool": True,
        "array": np.array([0.1, 0.2, 0.3]),
        "empty array": np.array([]),
        "0-d array": np.array(2.0),
        "object array": np.array([None, 1], dtype=object),
        "inf array": np.array([np.inf, 1.0]),
        "tuple": (1, 2),
        "set": {1, 2},
        "bytes": b"ab",
        "circuit": qc,
        "measured circuit": measured,
        "list of circuits": [qc, qc],
        "Statevector": Statevector.from_label("00"),
        "DensityMatrix": DensityMatrix.from_label("0"),
        "Operator": Operator(np.eye(2)),
        "SparsePauliOp": SparsePauliOp("ZZ"),
        "bad counts": {"2": 1, "x": 3},
        "int-keyed counts": {0: 5, 1: 5},
        "negative counts": {"0": -1, "1": 3},
        "str-valued counts": {"0": "a"},
        "a function": lambda *a, **k: None,
        "a type": int,
        "model returning None": _Model(None),
        "model returning str": _Model("x"),
        "model returning 3-D": _Model(np.zeros((2, 2, 2))),
        "model returning NaN": _Model(np.full(200, np.nan)),
        "model returning 5s": _Model(np.full(200, 5.0)),
    }


def test_odd_answers_are_never_a_grader_error():
    start = time.monotonic()
    problems = []
    for ex_id in autograder.exercises():
        for name, value in _odd_values().items():
            r = check(ex_id, lambda *a, _v=value, **k: _v)
            if r.error is not None or "internal grader error" in r.feedback:
                problems.append(f"{ex_id} with {name}: {r.error or r.feedback[:300]}")
    assert not problems, "\n".join(problems)
    assert time.monotonic() - start < 60


def test_huge_integer_is_a_clear_message():
    r = check("03.chsh_value", lambda *a: 10**400)
    assert r.error is None and "too large" in r.feedback
    # a whole number of shots may be a big Python int: it is just a wrong count
    r = check("04.shots_needed", lambda *a: 10**30)
    assert r.error is None and "internal" not in r.feedback and not r.passed


# --------------------------------------------------------------- C. presentation


def test_hidden_case_shows_hidden_input_not_none():
    r = check("03.reduced_density_matrix", lambda state, keep: np.eye(4) / 4)
    hidden = [c for c in r.cases if c.hidden and not c.passed]
    assert hidden and all(c.expected is None for c in hidden)
    page = r._repr_html_()
    assert "(hidden input)" in page
    assert "<pre style='margin:0'>None</pre>" not in page
    assert "expected: (hidden input)" in r.feedback
    assert "expected: None" not in r.feedback


def test_not_started_is_one_line():
    def stub(*args, **kwargs):
        raise NotImplementedError()

    for ex_id in ("03.chsh_value", "08.train_vqc"):
        r = check(ex_id, stub)
        assert r.error is None and r.score == 0
        assert r.feedback.count("not started") == 1
        assert "NotImplementedError" in r.feedback
        assert len(r.feedback.splitlines()) == 2, r.feedback
        page = r._repr_html_()
        assert page.count("not started") == 1
        assert "<code>raise NotImplementedError()</code>" in page
    # one case started: the per-case feedback is back
    r = Result(
        "00.demo",
        cases=[
            CaseResult(
                "a",
                False,
                0,
                1,
                message="Your function raised NotImplementedError: "
                "the exercise is not done yet. Replace ...",
            ),
            CaseResult("b", False, 0, 1, message="The value is wrong."),
        ],
    )
    assert "not started" not in r.feedback and "The value is wrong." in r.feedback


def test_marks_need_no_emoji_font():
    r = check("00.plus_state", lambda: np.array([1, -1]) / np.sqrt(2))
    page = r._repr_html_()
    for emoji in ("✅", "❌"):
        assert emoji not in page and emoji not in r.feedback
    assert "✓" in page and "✗" in page


def test_backticks_render_as_code_after_escaping():
    r = Result(
        "00.demo",
        cases=[
            CaseResult(
                "demo()",
                False,
                0,
                1,
                message="use `np.sqrt(2)` not `a<b>`",
                hint="call `qc.h(0)` & more",
            )
        ],
    )
    page = r._repr_html_()
    assert "<code>np.sqrt(2)</code>" in page
    assert "<code>a&lt;b&gt;</code>" in page
    assert "<code>qc.h(0)</code> &amp; more" in page
    assert "`" not in page
    assert "`np.sqrt(2)`" in r.feedback  # the text view keeps the backticks


# ------------------------------------------------------ D. `qml-course grade` honesty


def test_grade_text_and_json_say_self_check():
    g = NotebookGrade("nb.ipynb", "00")
    assert "self-check" in g.text() and "qml-course class autograde" in g.text()
    data = g.to_dict()
    assert data["self_check"] is True and data["trust"] == SELF_CHECK_NOTE
    assert "fool" in SELF_CHECK_NOTE and "sandbox" in SELF_CHECK_NOTE


def test_grade_cli_says_self_check(tmp_path, capsys):
    bad = tmp_path / "00_getting_started.ipynb"
    bad.write_text("{ not json")
    assert main(["grade", str(bad)]) == 1
    assert "self-check" in capsys.readouterr().out
    assert main(["grade", "--json", str(bad)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["self_check"] is True and "fool" in data[0]["trust"]


@pytest.mark.slow
def test_grade_is_not_fooled_by_a_monkeypatch(tmp_path):
    """A cell that replaces the checker in its own kernel changes nothing: `qml-course
    grade` runs the cells in a sandbox and the checks in the grading process."""
    import nbformat

    from autograder.notebook_grader import grade_notebook

    cheat = (
        "import autograder.engine as _e\n"
        "from autograder.result import CaseResult, Result\n"
        "def _fake(ex_id, fn):\n"
        "    pts = _e.get_exercise(ex_id).points\n"
        "    return Result(ex_id, cases=[CaseResult('fake', True, pts, pts)])\n"
        "_e.run_check = _fake\n"
        "def plus_state():\n    return None\n"
        "def x_on_qubit(n, k):\n    return None\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(cheat)]
    path = tmp_path / "00_getting_started.ipynb"
    nbformat.write(nb, str(path))
    g = grade_notebook(path, cell_timeout=120)
    assert g.error is None, g.error
    assert g.max_score == 5.0 and g.score == 0.0, g.text()
    assert "self-check" in g.text() and g.to_dict()["self_check"] is True
